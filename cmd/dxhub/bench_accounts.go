package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"dxhub/internal/app"
	"dxhub/internal/demo"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/mail"
)

// benchAccounts measures self-registration on loopback: a rush of
// sign-ups, their confirmations by link, then every new account's first
// sign-in. Argon2id makes a sign-up and a sign-in cost a hash each by
// design; the benchmark prints what one hash costs and the rates the
// machine's cores reach.
func benchAccounts(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench accounts", flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", ""), "database URL; default a fresh SQLite file in a temporary folder")
	n := fs.Int("signups", 20000, "sign-ups in the rush")
	window := fs.Duration("window", 60*time.Second, "the sign-ups are offered evenly within this window (faster than the hashes allow: they queue)")
	conns := fs.Int("conns", 32, "concurrent clients")
	loginRate := fs.Float64("login-rate", 0, "first sign-ins per second (0: three quarters of the sign-up rate reached)")
	if err := parse(fs, args, "dxhub bench accounts [flags]: on loopback only, a registration rush (sign-ups offered evenly within\n--window), their confirmations by link, and every new account's first sign-in at a paced rate."); err != nil {
		return err
	}
	if *n < 1 || *conns < 1 {
		return errors.New("--signups and --conns must be positive")
	}
	// Each citizen comes from their own address (X-Forwarded-For, trusted
	// as behind a load balancer): the per-address sign-up limit is not
	// what this measures.
	a, closeApp, err := benchAppWith(ctx, *dbURL, func(c *app.Config) { c.TrustProxy = true })
	if err != nil {
		return err
	}
	defer closeApp()
	sys := auth.WithPrincipal(ctx, auth.System())
	if _, err := a.Org.ImportUnits(sys, strings.NewReader(demo.SampleUnitsCSV)); err != nil {
		return err
	}
	outbox := &linkBox{}
	a.Account.Mail = outbox
	base, stop, err := serveLoopback(a)
	if err != nil {
		return err
	}
	defer stop()

	// One hash alone first: the floor under every sign-up and sign-in
	// figure that follows, so the rates can be read against it.
	t0 := time.Now()
	const hashes = 10
	for range hashes {
		auth.HashPassword("một câu mật khẩu dài")
	}
	perHash := time.Since(t0) / hashes
	fmt.Printf("argon2id (m=19 MiB, t=2, p=1): %.1f ms per hash on one core; %d cores\n", float64(perHash.Microseconds())/1000, runtime.NumCPU())

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conns}, Timeout: 10 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path, ctype, body string, from int) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", from>>16&255, from>>8&255, from&255))
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	// run calls do(i) for i in 0..count-1 from conns clients, the i-th not
	// before start+i*every.
	run := func(count int, every time.Duration, do func(i int) bool) *recorder {
		rec := &recorder{}
		var next atomic.Int64
		start := time.Now()
		var wg sync.WaitGroup
		for range *conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					i := int(next.Add(1)) - 1
					if i >= count {
						return
					}
					if wait := time.Until(start.Add(time.Duration(i) * every)); wait > 0 {
						time.Sleep(wait)
					}
					t := time.Now()
					if do(i) {
						rec.ok(time.Since(t))
					} else {
						rec.fail()
					}
				}
			}()
		}
		wg.Wait()
		return rec
	}
	pw := "sông Hồng nước đỏ"
	began := time.Now()
	signups := run(*n, *window/time.Duration(*n), func(i int) bool {
		s, err := post("/api/v1/signup", "application/json", fmt.Sprintf(`{"name":"Người Thứ %d","contact":"nguoi%d@example.vn","password":%q,"terms":true}`, i, i, pw), i)
		return err == nil && s == http.StatusAccepted
	})
	fmt.Printf("sign-ups offered within %s, done in %s\n", *window, time.Since(began).Round(time.Second))
	signups.print("signup")

	tokens, to := outbox.links()
	confirms := run(len(tokens), 0, func(i int) bool {
		s, err := post("/api/v1/signup/confirm", "application/json", `{"token":"`+tokens[i]+`"}`, i)
		return err == nil && s == http.StatusCreated
	})
	confirms.print("confirm")

	rate := *loginRate
	if rate == 0 {
		rate = 0.75 * signups.rate()
	}
	if rate <= 0 {
		rate = 10
	}
	logins := run(len(tokens), time.Duration(float64(time.Second)/rate), func(i int) bool {
		form := url.Values{"username": {to[i]}, "password": {pw}}
		s, err := post("/login", "application/x-www-form-urlencoded", form.Encode(), i)
		return err == nil && s == http.StatusSeeOther
	})
	fmt.Printf("first sign-ins paced at %.0f/s\n", rate)
	logins.print("login")

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("memory: heap %d MiB, from OS %d MiB\n", ms.HeapAlloc>>20, ms.Sys>>20)
	errs := signups.errors.Load() + confirms.errors.Load() + logins.errors.Load() + int64(*n-len(tokens))
	fmt.Printf("RESULT signups=%d signups_per_s=%.1f signup_p50_ms=%.1f signup_p99_ms=%.1f confirm_p99_ms=%.1f login_rate=%.0f login_p50_ms=%.1f login_p99_ms=%.1f hash_ms=%.1f errors=%d db=%s\n",
		*n, signups.rate(), signups.pct(0.5), signups.pct(0.99), confirms.pct(0.99), rate, logins.pct(0.5), logins.pct(0.99),
		float64(perHash.Microseconds())/1000, errs, a.DB.Dialect)
	return nil
}

// linkBox is the benchmark's mail: it keeps every confirmation link with
// its address (the log sender keeps only the last messages).
type linkBox struct {
	mu    sync.Mutex
	token []string
	to    []string
}

var confirmLink = regexp.MustCompile(`/signup/confirm/([0-9a-f]+)`)

func (b *linkBox) Send(ctx context.Context, m mail.Message) error {
	if t := confirmLink.FindStringSubmatch(m.Body); t != nil {
		b.mu.Lock()
		b.token, b.to = append(b.token, t[1]), append(b.to, m.To)
		b.mu.Unlock()
	}
	return nil
}

func (b *linkBox) links() (tokens, to []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.token...), append([]string(nil), b.to...)
}
