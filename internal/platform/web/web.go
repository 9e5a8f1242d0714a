// Package web is the HTTP plumbing every domain uses: handlers that return
// errors to one error page, rendering of embedded templates inside the
// shell, JSON, middleware (request id, logs, metrics, security headers,
// cross-origin protection) and static files. It knows no domain.
package web

import (
	"bytes"
	"context"
	"dxhub/internal/platform/tabular"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
)

// HandlerFunc is a handler that returns its error instead of writing it, so
// that one function decides status codes and error pages.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Shell is what the page frame shows about the viewer.
type Shell struct {
	SignedIn bool
	Name     string
	Nav      []NavItem
	// Zone is the viewer's own time zone, empty for the installation's.
	Zone string
}

// NavItem is one link in the main navigation.
type NavItem struct {
	Href, Key string
}

// Page is the data every template receives.
type Page struct {
	Lang      i18n.Lang
	Path      string
	Title     string
	Shell     Shell
	RequestID string
	Data      any
	// Zone is where times are shown: the viewer's zone or the installation's.
	Zone *time.Location
	// Focus drops the site menu and footer: a candidate in an exam sees
	// only what the exam needs.
	Focus bool
	// Scripts are the page's own scripts (file names under /static/): each
	// page loads only what it uses.
	Scripts []string
	// Name is the page's template ("org/unit"), written on <main> so that
	// tests see which page answered.
	Name string
}

// T translates key in the page's language.
func (p *Page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// Num formats n with the language's thousands separator (3.321 in
// Vietnamese, 3,321 in English).
func (p *Page) Num(n int) string { return i18n.Num(p.Lang, n) }

// Date shows a day in the viewer's zone and language. v is Unix
// milliseconds (0 shows nothing), a time.Time or an ISO day "2006-01-02"
// (a calendar day, shown as it is).
func (p *Page) Date(v any) string {
	if d, ok := v.(string); ok {
		return i18n.Day(p.Lang, d)
	}
	t, ok := p.instant(v)
	if !ok {
		return ""
	}
	return i18n.Date(p.Lang, t)
}

// DateTime shows a moment to the minute in the viewer's zone.
func (p *Page) DateTime(v any) string {
	t, ok := p.instant(v)
	if !ok {
		return ""
	}
	return i18n.DateTime(p.Lang, t)
}

// Clock shows the time of day (15:04) of a moment in the viewer's zone.
func (p *Page) Clock(v any) string {
	t, ok := p.instant(v)
	if !ok {
		return ""
	}
	return t.Format("15:04")
}

// ZoneLabel names the viewer's zone ("giờ Việt Nam").
func (p *Page) ZoneLabel() string { return i18n.ZoneLabel(p.Lang, p.zone()) }

// Dec formats a decimal with at most prec decimals in the page's language.
func (p *Page) Dec(f float64, prec int) string { return i18n.Dec(p.Lang, f, prec) }

// Pct formats a percentage (77,1 % in Vietnamese).
func (p *Page) Pct(f float64) string { return i18n.Pct(p.Lang, f) }

// Duration shows seconds as hours and minutes.
func (p *Page) Duration(seconds int64) string {
	return i18n.Duration(p.Lang, time.Duration(seconds)*time.Second)
}

// Minutes shows a number of minutes as hours and minutes (3 giờ 00 phút).
func (p *Page) Minutes(m int) string { return i18n.Duration(p.Lang, time.Duration(m)*time.Minute) }

func (p *Page) zone() *time.Location {
	if p.Zone == nil {
		return i18n.DefaultZone
	}
	return p.Zone
}

func (p *Page) instant(v any) (time.Time, bool) {
	switch x := v.(type) {
	case int64:
		if x == 0 {
			return time.Time{}, false
		}
		return time.UnixMilli(x).In(p.zone()), true
	case time.Time:
		if x.IsZero() {
			return time.Time{}, false
		}
		return x.In(p.zone()), true
	case string:
		// An RFC 3339 moment, as credentials write them.
		t, err := time.Parse(time.RFC3339, x)
		if err != nil {
			return time.Time{}, false
		}
		return t.In(p.zone()), true
	}
	return time.Time{}, false
}

// Err renders a user-facing error in the page's language.
func (p *Page) Err(e *errs.Error) string { return i18n.T(p.Lang, e.Key, e.Args...) }

// LangHref is the link that switches the page to lang and comes back here.
func (p *Page) LangHref(lang string) string {
	return "/lang/" + lang + "?next=" + template.URLQueryEscaper(p.Path)
}

// Web renders pages and errors.
type Web struct {
	Log *slog.Logger
	// Unavailable says whether an error means the database could not be
	// reached (the app sets it): such a request is answered 503 with a
	// message to try again, not as an internal error.
	Unavailable func(error) bool
	pages       map[string]*template.Template
	// ShellFor builds the frame's viewer data for a request; the app sets it
	// so that this package need not know about accounts.
	ShellFor func(r *http.Request) Shell
}

//go:embed templates
var shellTemplates embed.FS

// New parses the shell and every domain's templates once. rooms maps a
// domain name to its templates folder; page "org/unit" is org's unit.html.
func New(log *slog.Logger, rooms map[string]fs.FS) (*Web, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(shellTemplates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	w := &Web{Log: log, pages: map[string]*template.Template{}}
	add := func(room string, fsys fs.FS) error {
		names, err := fs.Glob(fsys, "*.html")
		if err != nil {
			return err
		}
		// Files whose names start with "partial_" are a room's partials (go:embed leaves out names starting with "_"): parsed
		// with each of its pages, never pages themselves.
		partials, err := fs.Glob(fsys, "partial_*.html")
		if err != nil {
			return err
		}
		for _, n := range names {
			if strings.HasPrefix(n, "partial_") {
				continue
			}
			t, err := template.Must(base.Clone()).ParseFS(fsys, append([]string{n}, partials...)...)
			if err != nil {
				return err
			}
			w.pages[room+"/"+strings.TrimSuffix(n, ".html")] = t
		}
		return nil
	}
	shell, _ := fs.Sub(shellTemplates, "templates/pages")
	if err := add("shell", shell); err != nil {
		return nil, err
	}
	for room, fsys := range rooms {
		if err := add(room, fsys); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// PageNames lists every page, for the test that renders them all.
func (wb *Web) PageNames() []string {
	out := make([]string, 0, len(wb.pages))
	for n := range wb.pages {
		out = append(out, n)
	}
	return out
}

// Render writes page name with data, framed by the shell. It renders into a
// buffer first so that a template error never sends half a page.
func (wb *Web) Render(w http.ResponseWriter, r *http.Request, status int, name, titleKey string, data any) error {
	return wb.RenderTitle(w, r, status, name, i18n.T(LangOf(r), titleKey), data)
}

// RenderTitle is Render with a title that is data (a unit's or a person's
// name), not a catalogue key.
func (wb *Web) RenderTitle(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) error {
	return wb.RenderFramed(w, r, status, name, title, Frame{}, data)
}

// Frame says how the shell frames a page beyond its title.
type Frame struct {
	// Focus shows the page without the site menu and footer (an exam).
	Focus bool
	// Scripts are the page's own scripts under /static/, loaded deferred.
	Scripts []string
}

// RenderFramed is RenderTitle with a frame.
func (wb *Web) RenderFramed(w http.ResponseWriter, r *http.Request, status int, name, title string, f Frame, data any) error {
	t, ok := wb.pages[name]
	if !ok {
		return errs.E(errs.Internal, "error.internal")
	}
	p := wb.NewPage(r, "", data)
	p.Title = title
	p.Focus, p.Scripts, p.Name = f.Focus, f.Scripts, name
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// T translates key in r's language.
func T(r *http.Request, key string, args ...any) string { return i18n.T(LangOf(r), key, args...) }

// NewPage fills the page frame for r.
func (wb *Web) NewPage(r *http.Request, titleKey string, data any) *Page {
	p := &Page{Lang: LangOf(r), Path: r.URL.RequestURI(), RequestID: RequestID(r.Context()), Data: data}
	p.Title = i18n.T(p.Lang, titleKey)
	if wb.ShellFor != nil {
		p.Shell = wb.ShellFor(r)
	}
	p.Zone = i18n.Zone(p.Shell.Zone)
	return p
}

// JSON writes v as JSON.
func JSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}

// DecodeJSON reads a JSON request body (at most 1 MiB, no unknown fields)
// into v; a malformed body is an "invalid" error naming the body.
func DecodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errs.Field("body", "error.param", "body", err.Error())
	}
	return nil
}

// XLSXType is the media type of spreadsheets dxhub exports.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Download sends a finished file as an attachment named name.
func Download(w http.ResponseWriter, contentType, name string, body *bytes.Buffer) error {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(name, `"`, "")+`"; filename*=UTF-8''`+url.PathEscape(name))
	_, err := body.WriteTo(w)
	return err
}

// IsAPI reports whether r asks for JSON rather than a page.
func IsAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(r.Header.Get("Accept"), "application/json")
}

// Handle adapts h, sending any error it returns through Error.
func (wb *Web) Handle(h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := r.Context().Value(keyRoute).(*string); ok {
			*p = r.Pattern
		}
		if err := h(w, r); err != nil {
			wb.Error(w, r, err)
		}
	})
}

// Status maps an error code to its HTTP status.
func Status(code string) int {
	switch code {
	case errs.Invalid:
		return http.StatusBadRequest
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Conflict:
		return http.StatusConflict
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.Unauthorized:
		return http.StatusUnauthorized
	case errs.TooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON shape of every API error.
type ErrorBody struct {
	Error struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		Field     string `json:"field,omitempty"`
		RequestID string `json:"request_id,omitempty"`
	} `json:"error"`
}

// Error is the one place that turns an error into a response. Internal
// errors are logged with detail and shown as "internal error" with the
// request id; the others show their catalogue message.
//
// The code is found through any wrapping (errors.As), from an *errs.Error
// or any error with an ErrorCode method (errs.Coder); wrapping never
// changes the status. An import refused whole answers 422 with its rows.
func (wb *Web) Error(w http.ResponseWriter, r *http.Request, err error) {
	lang := LangOf(r)
	rid := RequestID(r.Context())
	code := errs.Code(err)
	if ie, ok := tabular.AsImportError(err); ok && IsAPI(r) {
		ImportRefused(w, r, ie)
		return
	}
	var msg, field string
	var messenger interface{ Message(i18n.Lang) string }
	var lister interface{ Messages(i18n.Lang) []string }
	e, isErr := errs.As(err)
	unavailable := code == errs.Internal && wb.Unavailable != nil && wb.Unavailable(err)
	switch {
	case unavailable:
		code, msg = "unavailable", i18n.T(lang, "error.unavailable")
		w.Header().Set("Retry-After", "5")
		wb.Log.Warn("database unavailable", "request_id", rid, "method", r.Method, "path", r.URL.Path, "err", err)
	case code == errs.Internal:
		msg = i18n.T(lang, "error.internal", rid)
		wb.Log.Error("request failed", "request_id", rid, "method", r.Method, "path", r.URL.Path, "err", err)
	case isErr:
		msg, field = i18n.T(lang, e.Key, e.Args...), e.Field
	case errors.As(err, &messenger):
		msg = messenger.Message(lang)
	case errors.As(err, &lister):
		msg = strings.Join(lister.Messages(lang), " ")
	default:
		msg = i18n.T(lang, "error.param", "-", err.Error())
	}
	status := Status(code)
	if unavailable {
		status = http.StatusServiceUnavailable
	}
	if IsAPI(r) {
		var body ErrorBody
		body.Error.Code, body.Error.Message, body.Error.Field, body.Error.RequestID = code, msg, field, rid
		JSON(w, status, body)
		return
	}
	if code == errs.Unauthorized && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+template.URLQueryEscaper(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	if rerr := wb.Render(w, r, status, "shell/error", "error.title", map[string]any{"Message": msg, "Code": code}); rerr != nil {
		wb.Log.Error("render error page", "err", rerr)
		http.Error(w, msg, status)
	}
}

// Static serves embedded static files with a long cache life: their names
// carry a version, so a new file gets a new name.
func Static() http.Handler {
	sub, _ := fs.Sub(staticFiles, "static")
	fsrv := http.FileServerFS(sub)
	return http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		if path.Ext(r.URL.Path) == ".css" {
			w.Header().Set("Content-Type", "text/css; charset=utf-8")
		}
		fsrv.ServeHTTP(w, r)
	}))
}

//go:embed static
var staticFiles embed.FS

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyLang
	keyRoute
)

// RequestID returns the request id set by the middleware.
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(keyRequestID).(string)
	return s
}

// LangOf returns the language chosen for r.
func LangOf(r *http.Request) i18n.Lang {
	if l, ok := r.Context().Value(keyLang).(i18n.Lang); ok {
		return l
	}
	return i18n.FromRequest(r)
}
