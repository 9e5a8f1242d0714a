package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// examLoad is what one load generator runs: candidates of an exam session,
// each on its own schedule drawn from its index, against base. The exam
// benchmark runs it in its own process or hands slices of it to child
// processes (`dxhub bench exam-load`), since one process may hold only so
// many open connections.
type examLoad struct {
	Base      string    `json:"base"`
	Session   string    `json:"session"`
	Tokens    []string  `json:"tokens"`
	First     int       `json:"first"` // index of Tokens[0] among all candidates (its schedule's seed)
	T0        time.Time `json:"t0"`
	AnswerEnd time.Time `json:"answer_end"` // every candidate has answered by then; submits follow within SubmitWindow
	Pace      examPace  `json:"pace"`
}

// examPace is the pacing of the candidates.
type examPace struct {
	Items        int           `json:"items"`
	StartWindow  time.Duration `json:"start_window"`
	ThinkMin     time.Duration `json:"think_min"`
	ThinkMax     time.Duration `json:"think_max"`
	SubmitWindow time.Duration `json:"submit_window"`
	OwnConn      bool          `json:"own_conn"` // each candidate its own keep-alive connection
	Sources      int           `json:"sources"`  // loopback source addresses 127.0.0.1 … 127.0.0.N
	Conns        int           `json:"conns"`    // shared connections when not OwnConn
}

// schedule is candidate i's start offset and think times, and the random
// source its answers are then drawn from.
func (p examPace) schedule(i int) (start time.Duration, thinks []time.Duration, rng *rand.Rand) {
	rng = rand.New(rand.NewPCG(uint64(i), 7))
	start = time.Duration(rng.Int64N(int64(p.StartWindow)))
	thinks = make([]time.Duration, p.Items)
	for k := range thinks {
		thinks[k] = p.ThinkMin + time.Duration(rng.Int64N(int64(p.ThinkMax-p.ThinkMin)+1))
	}
	return start, thinks, rng
}

// lastAnswer is when, after the start of the run, the slowest of n
// candidates has answered its last item.
func (p examPace) lastAnswer(n int) time.Duration {
	var last time.Duration
	for i := range n {
		start, thinks, _ := p.schedule(i)
		for _, t := range thinks {
			start += t
		}
		last = max(last, start)
	}
	return last
}

// examLoadResult is what a load generator measured.
type examLoadResult struct {
	Starts, Saves, Submits recorderData
	Acks                   []ackedSave
	Submitted              []string
	Dials                  int64 // connections opened
	PeakConns              int64 // most connections open at once
}

type ackedSave struct {
	Attempt string `json:"a"`
	Seq     int64  `json:"s"`
}

// recorderData is a recorder's content, to travel between processes.
type recorderData struct {
	Lat         []time.Duration
	First, Last time.Time
	Errors      int64
}

func (r *recorder) data() recorderData {
	r.mu.Lock()
	defer r.mu.Unlock()
	return recorderData{Lat: r.lat, First: r.first, Last: r.last, Errors: r.errors.Load()}
}

// add merges another generator's measurements into r.
func (r *recorder) add(d recorderData) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lat = append(r.lat, d.Lat...)
	if !d.First.IsZero() && (r.first.IsZero() || d.First.Before(r.first)) {
		r.first = d.First
	}
	if d.Last.After(r.last) {
		r.last = d.Last
	}
	r.errors.Add(d.Errors)
}

// connCounter counts the connections a generator opens and holds.
type connCounter struct{ dials, open, peak atomic.Int64 }

type countedConn struct {
	net.Conn
	c    *connCounter
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.c.open.Add(-1) })
	return c.Conn.Close()
}

func (c *connCounter) dialer(source net.IP) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 30 * time.Second}
	if source != nil {
		d.LocalAddr = &net.TCPAddr{IP: source}
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		c.dials.Add(1)
		n := c.open.Add(1)
		for p := c.peak.Load(); n > p && !c.peak.CompareAndSwap(p, n); p = c.peak.Load() {
		}
		return &countedConn{Conn: conn, c: c}, nil
	}
}

// run plays every candidate of the load and returns what it measured.
func (l *examLoad) run() *examLoadResult {
	var starts, saves, submits recorder
	var mu sync.Mutex
	var acks []ackedSave
	var submitted []string
	var counter connCounter
	transport := func(i int) *http.Transport {
		var source net.IP
		if l.Pace.Sources > 1 {
			source = net.IPv4(127, 0, 0, byte(1+i%l.Pace.Sources))
		}
		if l.Pace.OwnConn {
			// One candidate, one connection kept open across its think
			// times and its wait for the submission (however long: a
			// server or balancer that closes idle connections makes the
			// candidate reconnect, and the run counts it).
			return &http.Transport{DialContext: counter.dialer(source), MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}
		}
		return &http.Transport{DialContext: counter.dialer(source), MaxConnsPerHost: l.Pace.Conns, MaxIdleConnsPerHost: l.Pace.Conns}
	}
	var shared *http.Client
	if !l.Pace.OwnConn {
		shared = &http.Client{Transport: transport(0), Timeout: 60 * time.Second}
	}
	var wg sync.WaitGroup
	for k, token := range l.Tokens {
		i := l.First + k
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := shared
			if client == nil {
				t := transport(i)
				defer t.CloseIdleConnections()
				client = &http.Client{Transport: t, Timeout: 60 * time.Second}
			}
			start, thinks, rng := l.Pace.schedule(i)
			time.Sleep(time.Until(l.T0.Add(start)))
			call := func(rec *recorder, method, path string, body any) ([]byte, bool) {
				return rec.call(client, l.Base+path, token, method, body)
			}
			body, ok := call(&starts, "POST", "/api/v1/exams/"+l.Session+"/start", nil)
			if !ok {
				return
			}
			var att struct {
				Attempt struct{ ID string } `json:"attempt"`
				Items   []benchItem         `json:"items"`
			}
			json.Unmarshal(body, &att)
			for idx, it := range att.Items {
				time.Sleep(thinks[idx%len(thinks)])
				resp := it.response(rng)
				out, ok := call(&saves, "PUT", fmt.Sprintf("/api/v1/attempts/%s/answers/%d", att.Attempt.ID, idx), map[string]any{"response": resp})
				if ok {
					var r struct{ Seq int64 }
					json.Unmarshal(out, &r)
					mu.Lock()
					acks = append(acks, ackedSave{att.Attempt.ID, r.Seq})
					mu.Unlock()
				}
			}
			time.Sleep(time.Until(l.AnswerEnd) + time.Duration(rng.Int64N(int64(l.Pace.SubmitWindow))))
			if _, ok := call(&submits, "POST", "/api/v1/attempts/"+att.Attempt.ID+"/submit", nil); ok {
				mu.Lock()
				submitted = append(submitted, att.Attempt.ID)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return &examLoadResult{Starts: starts.data(), Saves: saves.data(), Submits: submits.data(),
		Acks: acks, Submitted: submitted, Dials: counter.dials.Load(), PeakConns: counter.peak.Load()}
}

// runSplit runs the load in n child processes, each a slice of the
// candidates, and merges what they measured (peaks of open connections
// add up: every child holds its candidates' connections to the end).
func (l *examLoad) runSplit(ctx context.Context, n int) (*examLoadResult, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	results := make([]examLoadResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	per := (len(l.Tokens) + n - 1) / n
	for g := range n {
		part := *l
		lo, hi := min(g*per, len(l.Tokens)), min((g+1)*per, len(l.Tokens))
		part.Tokens, part.First = l.Tokens[lo:hi], l.First+lo
		in, err := json.Marshal(part)
		if err != nil {
			return nil, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.CommandContext(ctx, self, "bench", "exam-load")
			cmd.Stdin = bytes.NewReader(in)
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err == nil {
				err = json.Unmarshal(out, &results[g])
			}
			errs[g] = err
		}()
	}
	wg.Wait()
	total := &examLoadResult{}
	for g, r := range results {
		if errs[g] != nil {
			return nil, fmt.Errorf("load generator %d: %w", g+1, errs[g])
		}
		total.Starts.merge(r.Starts)
		total.Saves.merge(r.Saves)
		total.Submits.merge(r.Submits)
		total.Acks = append(total.Acks, r.Acks...)
		total.Submitted = append(total.Submitted, r.Submitted...)
		total.Dials += r.Dials
		total.PeakConns += r.PeakConns
	}
	return total, nil
}

func (d *recorderData) merge(o recorderData) {
	var r recorder
	r.add(*d)
	r.add(o)
	*d = r.data()
}

// benchExamLoad is a child load generator: an examLoad on stdin, its
// examLoadResult on stdout.
func benchExamLoad() error {
	var l examLoad
	if err := json.NewDecoder(os.Stdin).Decode(&l); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(l.run())
}

// openFileLimit is how many files (connections included) this process may
// hold open.
func openFileLimit() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	return r.Cur
}
