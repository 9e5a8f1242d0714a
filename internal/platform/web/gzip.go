package web

import (
	"compress/gzip"
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
)

// compressed are the types worth compressing: pages, styles, scripts,
// JSON, CSV and SVG. Images, videos, PDFs and office files are compressed
// already.
var compressed = []string{"text/html", "text/css", "text/plain", "text/csv", "text/javascript", "application/javascript", "application/json", "image/svg+xml"}

// Gzip compresses responses for clients that accept gzip (klauspost's
// gzhttp: Accept-Encoding read with its q-values, ranges and small bodies
// left alone). Pages and their assets are compressed hard: they are few,
// often cached, and go to phones on slow links. The JSON API and the
// xAPI answers come by the thousand a second to other servers, so they
// are compressed fast: the default compressor took a tenth of the CPU of
// a statement query.
func Gzip(next http.Handler) http.Handler {
	wrap := func(level int) http.Handler {
		w, err := gzhttp.NewWrapper(gzhttp.CompressionLevel(level), gzhttp.ContentTypes(compressed), gzhttp.MinSize(512))
		if err != nil {
			panic(err) // fixed options: a programming error
		}
		return w(next)
	}
	pages, fast := wrap(gzip.DefaultCompression), wrap(gzip.BestSpeed)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			next.ServeHTTP(w, r) // the answers to writes are a few bytes
		case strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/xapi/"):
			fast.ServeHTTP(w, r)
		default:
			pages.ServeHTTP(w, r)
		}
	})
}
