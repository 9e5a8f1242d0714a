package web

import (
	"io"
	"net/http"
	"strings"

	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/tabular"
)

// ImportRefused answers an API import refused as a whole: 422 with the
// error envelope and every row's problem in the caller's language.
func ImportRefused(w http.ResponseWriter, r *http.Request, ie *tabular.ImportError) error {
	lang := LangOf(r)
	type rowErr struct {
		Row     int    `json:"row"`
		Column  string `json:"column,omitempty"`
		Message string `json:"message"`
	}
	out := make([]rowErr, len(ie.Errors))
	for i, e := range ie.Errors {
		out[i] = rowErr{e.Row, e.Column, e.Message(lang)}
	}
	var body ErrorBody
	body.Error.Code, body.Error.Message, body.Error.RequestID = errs.Invalid, T(r, "import.refused", len(out)), RequestID(r.Context())
	return JSON(w, http.StatusUnprocessableEntity, map[string]any{"error": body.Error, "rows": out, "truncated": ie.Truncated})
}

// Sheet is the file an API import sends: the request body, or the
// multipart field "file", bounded to max bytes. Close it when done.
func Sheet(w http.ResponseWriter, r *http.Request, max int64) (io.ReadCloser, error) {
	r.Body = http.MaxBytesReader(w, r.Body, max)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.Body, nil
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		return nil, errs.Field("file", "error.param", "file", "-")
	}
	return f, nil
}
