package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"dxhub/internal/app"
)

// benchApp opens dxhub for a benchmark on dbURL, or on a fresh SQLite file
// in a temporary folder when dbURL is empty, logging nothing. close
// releases it and removes the folder.
func benchApp(ctx context.Context, dbURL string) (a *app.App, close func(), err error) {
	return benchAppWith(ctx, dbURL, nil)
}

// benchAppWith is benchApp with a change to the configuration.
func benchAppWith(ctx context.Context, dbURL string, configure func(*app.Config)) (a *app.App, close func(), err error) {
	dir := ""
	if dbURL == "" {
		if dir, err = os.MkdirTemp("", "dxhub-bench-"); err != nil {
			return nil, nil, err
		}
		dbURL = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	quiet := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))
	cfg := app.Config{DB: dbURL, FilesDir: os.TempDir(), Background: true} // as the server runs
	if configure != nil {
		configure(&cfg)
	}
	a, err = app.New(ctx, cfg, quiet)
	if err != nil {
		if dir != "" {
			os.RemoveAll(dir)
		}
		return nil, nil, err
	}
	a.DB.KeepInMemory(50) // as a server started with --keep-in-memory 50, as the figures were measured
	return a, func() {
		a.Close()
		if dir != "" {
			os.RemoveAll(dir)
		}
	}, nil
}

// serveLoopback serves a on a free loopback port and returns its base URL.
func serveLoopback(a *app.App) (base string, stop func(), err error) {
	return serveLoopbackWith(a, nil)
}

// serveLoopbackWith is serveLoopback telling connState of every
// connection's state changes.
func serveLoopbackWith(a *app.App, connState func(net.Conn, http.ConnState)) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: a.Handler(), ConnState: connState}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// profileCPU starts a CPU profile into path (nothing when path is empty);
// the returned function stops it.
func profileCPU(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	var once sync.Once // stop may be called again by a deferred call
	return func() { once.Do(func() { pprof.StopCPUProfile(); f.Close() }) }, nil
}

// serverWatch follows an in-process server's open connections and this
// process's heap while a benchmark runs.
type serverWatch struct{ open, peakConns, peakHeap atomic.Int64 }

func (w *serverWatch) hook(_ net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		n := w.open.Add(1)
		for p := w.peakConns.Load(); n > p && !w.peakConns.CompareAndSwap(p, n); p = w.peakConns.Load() {
		}
	case http.StateClosed, http.StateHijacked:
		w.open.Add(-1)
	}
}

// watch samples the heap every second until the returned function is called.
func (w *serverWatch) watch() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			w.peakHeap.Store(max(w.peakHeap.Load(), int64(ms.HeapAlloc)))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// peakRSS is the most memory this process has held resident (VmHWM), in
// bytes; 0 where the system does not say.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
