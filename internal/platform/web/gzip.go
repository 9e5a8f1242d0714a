package web

import (
	"compress/gzip"
	"net/http"
	"strings"
	"sync"
)

// Pages and their assets are compressed hard: they are few, often cached,
// and go to phones on slow links. JSON answers (the xAPI statements
// above all) come by the thousand a second to other servers, so they are
// compressed fast: resetting and running the default compressor took a
// tenth of the CPU of a statement query.
var (
	gzipPool     = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }}
	gzipFastPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed); return w }}
)

// gzipWriter compresses text responses (pages, CSS, scripts, JSON) when the
// client accepts gzip: a cheap phone on a slow link gets a fifth of the bytes.
type gzipWriter struct {
	http.ResponseWriter
	gz      *gzip.Writer
	pool    *sync.Pool
	decided bool
}

func compressible(ct string) bool {
	for _, p := range []string{"text/", "application/json", "application/javascript", "text/javascript", "image/svg+xml"} {
		if strings.HasPrefix(ct, p) {
			return true
		}
	}
	return false
}

func (g *gzipWriter) decide() {
	if g.decided {
		return
	}
	g.decided = true
	h := g.Header()
	if h.Get("Content-Encoding") != "" || h.Get("Content-Range") != "" || !compressible(h.Get("Content-Type")) {
		return
	}
	h.Del("Content-Length")
	h.Set("Content-Encoding", "gzip")
	h.Add("Vary", "Accept-Encoding")
	g.pool = &gzipPool
	if strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		g.pool = &gzipFastPool
	}
	gz := g.pool.Get().(*gzip.Writer)
	gz.Reset(g.ResponseWriter)
	g.gz = gz
}

func (g *gzipWriter) WriteHeader(code int) {
	if code != http.StatusNoContent && code != http.StatusNotModified && code >= 200 {
		g.decide()
	}
	g.ResponseWriter.WriteHeader(code)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.decided {
		if g.Header().Get("Content-Type") == "" {
			g.Header().Set("Content-Type", http.DetectContentType(b))
		}
		g.decide()
	}
	if g.gz != nil {
		return g.gz.Write(b)
	}
	return g.ResponseWriter.Write(b)
}

func (g *gzipWriter) close() {
	if g.gz != nil {
		g.gz.Close()
		g.pool.Put(g.gz)
	}
}

func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// Gzip compresses responses for clients that accept it.
func Gzip(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Only pages and downloads are worth compressing; the answers to
		// writes are a few bytes of JSON.
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") || r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		g := &gzipWriter{ResponseWriter: w}
		defer g.close()
		next.ServeHTTP(g, r)
	})
}
