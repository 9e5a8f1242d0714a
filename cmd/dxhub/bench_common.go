package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"

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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: a.Handler()}
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
