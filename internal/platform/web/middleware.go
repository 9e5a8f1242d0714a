package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"dxhub/internal/platform/i18n"
)

var (
	httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dxhub_http_requests_total", Help: "HTTP requests by route pattern and status.",
	}, []string{"method", "route", "status"})
	httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "dxhub_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route"})
)

func init() { prometheus.MustRegister(httpRequests, httpDuration) }

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusWriter) WriteHeader(c int) {
	if s.status == 0 {
		s.status = c
	}
	s.ResponseWriter.WriteHeader(c)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Middleware wraps the router with everything every request gets, outermost
// first: request id and language in the context, panic recovery, a JSON log
// line and metrics per request, security headers, and cross-origin
// protection for unsafe methods (instead of CSRF tokens).
func (wb *Web) Middleware(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wb.Log.Warn("cross-origin request refused", "request_id", RequestID(r.Context()), "path", r.URL.Path, "origin", r.Header.Get("Origin"))
		http.Error(w, i18n.T(LangOf(r), "error.forbidden"), http.StatusForbidden)
	}))
	// The learning record store authenticates every request with its own
	// Authorization header, never with a cookie, so a cross-site request
	// cannot act with a browser's session there; launched xAPI content on
	// another origin must be able to call it (with CORS, see lrs.Handler).
	cop.AddInsecureBypassPattern("/xapi/")
	protected := cop.Handler(Gzip(next))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rid := r.Header.Get("X-Request-Id")
		if len(rid) == 0 || len(rid) > 64 {
			var b [8]byte
			rand.Read(b[:])
			rid = hex.EncodeToString(b[:])
		}
		route := new(string)
		ctx := context.WithValue(r.Context(), keyRequestID, rid)
		ctx = context.WithValue(ctx, keyRoute, route)
		ctx = context.WithValue(ctx, keyLang, i18n.FromRequest(r))
		r = r.WithContext(ctx)

		h := w.Header()
		h.Set("X-Request-Id", rid)
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")

		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				wb.Log.Error("panic", "request_id", rid, "panic", p, "stack", string(debug.Stack()))
				if sw.status == 0 {
					http.Error(sw, i18n.T(LangOf(r), "error.internal", rid), http.StatusInternalServerError)
				}
			}
			// The mux sets the pattern on the request it was handed, which
			// inner middleware may have copied; Handle reports it here.
			pattern := *route
			if pattern == "" {
				pattern = "other"
			}
			d := time.Since(start)
			httpRequests.WithLabelValues(r.Method, pattern, strconv.Itoa(sw.status)).Inc()
			httpDuration.WithLabelValues(pattern).Observe(d.Seconds())
			level := slog.LevelInfo
			if sw.status >= 500 {
				level = slog.LevelError
			}
			wb.Log.Log(r.Context(), level, "request", "request_id", rid, "method", r.Method, "path", r.URL.Path,
				"route", pattern, "status", sw.status, "bytes", sw.bytes, "ms", float64(d.Microseconds())/1000)
		}()
		protected.ServeHTTP(sw, r)
	})
}
