package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// gzip is used only when the client accepts it: "gzip;q=0" refuses it.
func TestGzipHonoursQValues(t *testing.T) {
	page := strings.Repeat("<p>Kỹ năng số cho mọi người</p>", 200)
	h := Gzip(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	}))
	for ae, want := range map[string]string{"gzip": "gzip", "gzip, deflate, br": "gzip", "gzip;q=0": "", "identity": "", "": "", "*;q=0, gzip;q=0": ""} {
		r := httptest.NewRequest("GET", "/courses", nil)
		if ae != "" {
			r.Header.Set("Accept-Encoding", ae)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := w.Header().Get("Content-Encoding"); got != want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", ae, got, want)
		}
		if want == "" && w.Body.String() != page {
			t.Errorf("Accept-Encoding %q: body changed", ae)
		}
	}
}
