package app

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// apiSpec is openapi.json, loaded and checked once for the whole package.
var apiSpec = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromFile("openapi.json")
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	return gorillamux.NewRouter(doc)
})

// checkAPI wraps the app's handler in tests: every answer of /api/ that
// the document describes is checked against it (status, content type and
// body schema), so openapi.json says what dxhub really answers. Every
// test that starts an app checks the answers it gets.
func checkAPI(t *testing.T, h http.Handler) http.Handler {
	router, err := apiSpec()
	if err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
		body := rec.Body.Bytes()
		if rec.Header().Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Errorf("%s %s: gzip: %v", r.Method, r.URL.Path, err)
				return
			}
			body, _ = io.ReadAll(zr)
		}
		// The route as the document names it ("/api/v1/units/{code}").
		req := r.Clone(context.Background())
		req.URL.Scheme, req.URL.Host, req.Host = "", "", ""
		route, params, err := router.FindRoute(req)
		if err != nil {
			return // not in the document: TestOpenAPIDocument catches that
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{ExcludeRequestBody: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
			Status: rec.Code, Header: rec.Header(), Body: io.NopCloser(bytes.NewReader(body)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
		}
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("%s %s answered %d, not as openapi.json says: %v\n%.300s", r.Method, r.URL.Path, rec.Code, err, body)
		}
	})
}
