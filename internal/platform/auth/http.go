package auth

import (
	"dxhub/internal/platform/i18n"
	"embed"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/web"
)

//go:embed templates
var templates embed.FS

// Templates returns the account pages.
func Templates() fs.FS { t, _ := fs.Sub(templates, "templates"); return t }

// UnitResolver finds a unit's id and path by code; the org room provides it
// so that this package does not read the organisation's tables for it.
type UnitResolver func(r *http.Request, code string) (id, path string, err error)

// HTTP holds the account, role and audit handlers.
type HTTP struct {
	Svc   *Service
	Web   *web.Web
	Units UnitResolver
	// SSO lists the OpenID providers offered on the sign-in page (the
	// account room's); nil offers none.
	SSO func() []SSOProvider
}

// SafeNext keeps redirects on this site: only a path of this origin,
// parsed, without scheme or host, and rebuilt from its parts. Browsers drop
// tabs and line breaks and read a backslash as a slash, so "/\t/evil" or
// "/\\evil" would leave the site: any control character or backslash is
// refused outright.
func SafeNext(s string) string {
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	out := (&url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery, Fragment: u.Fragment}).String()
	if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") {
		return "/"
	}
	return out
}

// LoginForm shows the sign-in form.
func (h *HTTP) LoginForm(w http.ResponseWriter, r *http.Request) error {
	return h.Web.Render(w, r, http.StatusOK, "auth/login", "login.title", h.loginData(SafeNext(r.URL.Query().Get("next")), "", nil))
}

func (h *HTTP) loginData(next, username string, e *errs.Error) map[string]any {
	d := map[string]any{"Next": next, "Username": username}
	if e != nil {
		d["Error"] = e
	}
	if h.SSO != nil {
		d["SSO"] = h.SSO()
	}
	return d
}

// Login signs in and sets the session cookie.
func (h *HTTP) Login(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	next := SafeNext(r.PostForm.Get("next"))
	username := r.PostForm.Get("username")
	res, err := h.Svc.Login(r.Context(), username, r.PostForm.Get("password"), h.Svc.ClientIP(r), r.UserAgent())
	if err != nil {
		code := errs.Code(err)
		if code == errs.Internal {
			return err
		}
		e, _ := errs.As(err)
		return h.Web.Render(w, r, web.Status(code), "auth/login", "login.title", h.loginData(next, username, e))
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: res.SessionToken, Path: "/", Expires: res.Expires, HttpOnly: true, Secure: h.Svc.SecureRequest(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// Logout ends the session.
func (h *HTTP) Logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := h.Svc.Logout(r.Context(), c.Value); err != nil {
			return err
		}
		if p := FromContext(r.Context()); p != nil {
			h.Svc.audit(r.Context(), audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: audit.SignOut, IP: h.Svc.ClientIP(r)})
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: h.Svc.SecureRequest(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// SetLang stores the language choice and goes back.
func (h *HTTP) SetLang(w http.ResponseWriter, r *http.Request) error {
	lang := r.PathValue("lang")
	if lang != "vi" && lang != "en" {
		return errs.Field("lang", "error.param", "lang", lang)
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, Secure: h.Svc.SecureRequest(r)})
	http.Redirect(w, r, SafeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
	return nil
}

// AccountPage shows one's roles, API tokens and the password form.
func (h *HTTP) AccountPage(w http.ResponseWriter, r *http.Request) error {
	return h.account(w, r, http.StatusOK, map[string]any{})
}

func (h *HTTP) account(w http.ResponseWriter, r *http.Request, status int, data map[string]any) error {
	p, err := RequireUser(r.Context())
	if err != nil {
		return err
	}
	tokens, err := h.Svc.ListTokens(r.Context(), p)
	if err != nil {
		return err
	}
	sessions, err := h.Svc.MySessions(r.Context(), p, sessionToken(r))
	if err != nil {
		return err
	}
	data["P"], data["Tokens"], data["Zones"], data["Now"], data["Sessions"] = p, tokens, i18n.Zones, time.Now(), sessions
	return h.Web.Render(w, r, status, "auth/account", "account.title", data)
}

// SetTimeZone handles the time-zone form of the account page.
func (h *HTTP) SetTimeZone(w http.ResponseWriter, r *http.Request) error {
	p, err := RequireUser(r.Context())
	if err != nil {
		return err
	}
	if err := h.Svc.SetTimeZone(r.Context(), p, r.PostFormValue("time_zone")); err != nil {
		if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
			return h.account(w, r, http.StatusBadRequest, map[string]any{"ZoneError": e})
		}
		return err
	}
	http.Redirect(w, r, "/account#time-zone", http.StatusSeeOther)
	return nil
}

// ChangePassword handles the password form.
func (h *HTTP) ChangePassword(w http.ResponseWriter, r *http.Request) error {
	p, err := RequireUser(r.Context())
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	if r.PostForm.Get("new") != r.PostForm.Get("confirm") {
		return h.account(w, r, http.StatusBadRequest, map[string]any{"PwError": errs.Field("confirm", "account.mismatch")})
	}
	err = h.Svc.ChangePassword(r.Context(), p, r.PostForm.Get("old"), r.PostForm.Get("new"), r.PostForm.Get("revoke_tokens") != "", h.Svc.ClientIP(r))
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.account(w, r, http.StatusBadRequest, map[string]any{"PwError": e})
	}
	if err != nil {
		return err
	}
	// Changing the password ended every session, this one included.
	http.Redirect(w, r, "/login?changed=1", http.StatusSeeOther)
	return nil
}

// CreateToken makes an API token and shows its secret once.
func (h *HTTP) CreateToken(w http.ResponseWriter, r *http.Request) error {
	p, err := RequireUser(r.Context())
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	secret, err := h.Svc.CreateToken(r.Context(), p, r.PostForm.Get("name"), h.Svc.ClientIP(r))
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.account(w, r, http.StatusBadRequest, map[string]any{"TokenError": e})
	}
	if err != nil {
		return err
	}
	return h.account(w, r, http.StatusOK, map[string]any{"NewToken": secret})
}

// RevokeToken revokes one of one's tokens.
func (h *HTTP) RevokeToken(w http.ResponseWriter, r *http.Request) error {
	p, err := RequireUser(r.Context())
	if err != nil {
		return err
	}
	if err := h.Svc.RevokeToken(r.Context(), p, r.PathValue("id"), h.Svc.ClientIP(r)); err != nil {
		return err
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}

// ForgotForm and Forgot handle "I forgot my password".
func (h *HTTP) ForgotForm(w http.ResponseWriter, r *http.Request) error {
	return h.Web.Render(w, r, http.StatusOK, "auth/forgot", "password.forgot_title", map[string]any{})
}

func (h *HTTP) Forgot(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	ip := h.Svc.ClientIP(r)
	if !h.Svc.limiter().allow("reset:"+ip, 20*time.Second, 5) {
		return errs.E(errs.TooMany, "error.too_many")
	}
	err := h.Svc.RequestReset(r.Context(), r.PostForm.Get("who"), web.LangOf(r))
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.Web.Render(w, r, http.StatusBadRequest, "auth/forgot", "password.forgot_title", map[string]any{"Error": e})
	}
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "auth/forgot", "password.forgot_title", map[string]any{"Sent": true})
}

// UnlockForm asks the owner of a slowed-down account to confirm (a
// button, so that mail scanners following links do not use it up).
func (h *HTTP) UnlockForm(w http.ResponseWriter, r *http.Request) error {
	return h.Web.Render(w, r, http.StatusOK, "auth/unlock", "account.unlock_title", map[string]any{"Token": r.PathValue("token")})
}

// Unlock ends the wait on the account's sign-ins.
func (h *HTTP) Unlock(w http.ResponseWriter, r *http.Request) error {
	err := h.Svc.Unlock(r.Context(), r.PathValue("token"), h.Svc.ClientIP(r))
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.Web.Render(w, r, http.StatusBadRequest, "auth/unlock", "account.unlock_title", map[string]any{"Token": r.PathValue("token"), "Error": e})
	}
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "auth/unlock", "account.unlock_title", map[string]any{"Done": true})
}

// ResetForm and Reset set a new password from an e-mailed link.
func (h *HTTP) ResetForm(w http.ResponseWriter, r *http.Request) error {
	return h.Web.Render(w, r, http.StatusOK, "auth/reset", "password.reset_title", map[string]any{"Token": r.PathValue("token")})
}

func (h *HTTP) Reset(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	token := r.PathValue("token")
	data := map[string]any{"Token": token}
	if r.PostForm.Get("password") != r.PostForm.Get("confirm") {
		data["Error"] = errs.Field("confirm", "account.mismatch")
		return h.Web.Render(w, r, http.StatusBadRequest, "auth/reset", "password.reset_title", data)
	}
	err := h.Svc.ResetPassword(r.Context(), token, r.PostForm.Get("password"), h.Svc.ClientIP(r))
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		data["Error"] = e
		return h.Web.Render(w, r, http.StatusBadRequest, "auth/reset", "password.reset_title", data)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/login?reset=1", http.StatusSeeOther)
	return nil
}

// RolesPage lists the grants in one's scope with a form to grant more.
func (h *HTTP) RolesPage(w http.ResponseWriter, r *http.Request) error {
	return h.roles(w, r, http.StatusOK, map[string]any{})
}

func (h *HTTP) roles(w http.ResponseWriter, r *http.Request, status int, data map[string]any) error {
	p, scopes, err := RequireScopes(r.Context(), ManageRoles)
	if err != nil {
		return err
	}
	grants, err := h.Svc.ListGrants(r.Context(), scopes)
	if err != nil {
		return err
	}
	roles := GrantableRoles
	if !p.Has(NationalAdmin) {
		roles = roles[:0:0]
		for _, x := range GrantableRoles {
			if x != NationalAdmin {
				roles = append(roles, x)
			}
		}
	}
	data["Grants"], data["Roles"] = grants, roles
	return h.Web.Render(w, r, status, "auth/roles", "roles.title", data)
}

// GrantRole handles the grant form.
func (h *HTTP) GrantRole(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	f := r.PostForm
	id, path, err := h.Units(r, strings.TrimSpace(f.Get("unit")))
	if err == nil {
		_, err = h.Svc.GrantRole(r.Context(), f.Get("username"), Role(f.Get("role")), id, path, h.Svc.ClientIP(r))
	}
	if e, ok := errs.As(err); ok && e.Code != errs.Internal && e.Code != errs.Unauthorized {
		return h.roles(w, r, web.Status(e.Code), map[string]any{"Error": e, "Form": f})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/roles", http.StatusSeeOther)
	return nil
}

// RevokeRole handles the revoke button.
func (h *HTTP) RevokeRole(w http.ResponseWriter, r *http.Request) error {
	if err := h.Svc.RevokeRole(r.Context(), r.PathValue("id"), h.Svc.ClientIP(r)); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/roles", http.StatusSeeOther)
	return nil
}

// AuditPage shows the audit log within one's scope.
func (h *HTTP) AuditPage(w http.ResponseWriter, r *http.Request) error {
	entries, err := h.auditEntries(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	page := pageNum(q)
	return h.Web.Render(w, r, http.StatusOK, "auth/audit", "audit.title", map[string]any{"Entries": readableAudit(web.LangOf(r), entries), "Action": q.Get("action"), "Actor": q.Get("actor"),
		"Pager": map[string]any{"Current": page, "More": len(entries) == 50, "Query": q}})
}

// APIAudit returns the audit log within one's scope: GET /api/v1/audit.
func (h *HTTP) APIAudit(w http.ResponseWriter, r *http.Request) error {
	entries, err := h.auditEntries(r)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []audit.Entry{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"entries": entries})
}

func pageNum(q url.Values) int {
	n := 1
	if s := q.Get("page"); s != "" {
		for _, c := range s {
			if c < '0' || c > '9' || n > 100000 {
				return 1
			}
		}
		n = 0
		for _, c := range s {
			n = n*10 + int(c-'0')
		}
	}
	return max(n, 1)
}

func (h *HTTP) auditEntries(r *http.Request) ([]audit.Entry, error) {
	_, scopes, err := RequireScopes(r.Context(), ViewAudit)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	return h.Svc.Audit.List(r.Context(), audit.Filter{Scopes: scopes, Action: q.Get("action"), Actor: q.Get("actor"), Limit: 50, Offset: (pageNum(q) - 1) * 50})
}

// APIMe returns the caller's account and grants: GET /api/v1/me.
func (h *HTTP) APIMe(w http.ResponseWriter, r *http.Request) error {
	p, err := RequireUser(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, p)
}

// SignInAs opens a session for an account that has just proved who it is
// another way (a confirmed sign-up) and sets its cookie.
func (s *Service) SignInAs(w http.ResponseWriter, r *http.Request, accountID string) error {
	token, err := s.OpenSession(r.Context(), accountID)
	if err != nil {
		return err
	}
	ttl := s.SessionTTL
	if ttl == 0 {
		ttl = 12 * time.Hour
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: time.Now().Add(ttl), HttpOnly: true, Secure: s.SecureRequest(r), SameSite: http.SameSiteLaxMode})
	return nil
}

// Allow reports whether one more attempt under key is within a rate of
// one per every with a burst (on this node), for other rooms' forms.
func (s *Service) Allow(key string, every time.Duration, burst int) bool {
	return s.limiter().allow(key, every, burst)
}

// SetName handles the account page's name form.
func (h *HTTP) SetName(w http.ResponseWriter, r *http.Request) error {
	p, err := RequireUser(r.Context())
	if err != nil {
		return err
	}
	if err := h.Svc.SetDisplayName(r.Context(), p, r.PostFormValue("display_name"), h.Svc.ClientIP(r)); err != nil {
		if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
			return h.account(w, r, http.StatusBadRequest, map[string]any{"NameError": e})
		}
		return err
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}
