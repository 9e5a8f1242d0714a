package web

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/tabular"
)

type coded struct{}

func (coded) Error() string     { return "coded" }
func (coded) ErrorCode() string { return errs.Conflict }

// The status comes from the error's code however it is wrapped, and from
// any error that has a code; an import refused whole answers 422 with its
// rows. Only errors without a code are internal.
func TestErrorMapsCodesThroughWrapping(t *testing.T) {
	wb := &Web{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ie := &tabular.ImportError{}
	ie.Add(3, "key", "import.required")
	for _, c := range []struct {
		err    error
		status int
		want   string
	}{
		{errs.Field("q", "error.param", "q", "x"), 400, `"field":"q"`},
		{fmt.Errorf("save: %w", errs.Field("q", "error.param", "q", "x")), 400, `"field":"q"`},
		{fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", errs.E(errs.NotFound, "error.not_found"))), 404, `"code":"not_found"`},
		{fmt.Errorf("x: %w", coded{}), 409, `"code":"conflict"`},
		{fmt.Errorf("import: %w", ie), 422, `"row":3`},
		{fmt.Errorf("boom"), 500, `"code":"internal"`},
	} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/api/v1/x", nil)
		wb.Error(w, r, c.err)
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.want) {
			t.Errorf("%v: %d %s, want %d with %s", c.err, w.Code, w.Body, c.status, c.want)
		}
	}
}
