package account

import (
	"errors"
	"net/http"
	"time"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/web"
)

// stateCookie carries a sign-in's state from the button to the callback,
// binding the callback to the browser that started it. SameSite=Lax: the
// provider's redirect back is a top-level navigation, which sends it.
const stateCookie = "dxhub_oidc"

func (h *HTTP) setState(w http.ResponseWriter, r *http.Request, state string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: state, Path: "/auth/oidc/", MaxAge: maxAge, HttpOnly: true, Secure: h.Svc.Auth.SecureRequest(r), SameSite: http.SameSiteLaxMode})
}

// StartSSO is GET /auth/oidc/{provider}?next=: sends the person to the
// provider's sign-in. A link, not a form: the page's policy lets forms
// post only to dxhub, and a browser holds a form to it through the
// redirect to the provider. Starting a sign-in for someone else's browser
// gains nothing: the callback must come back to the browser that started
// it (the state cookie), where the person signs in as themselves.
func (h *HTTP) StartSSO(w http.ResponseWriter, r *http.Request) error {
	return h.start(w, r, "")
}

// LinkSSO is GET /account/sso/{provider}/link: a signed-in person adds a
// provider to their account by signing in there (a link for the same
// reason as StartSSO; a link started by another site would tie the
// person's own provider account to their own dxhub account, nothing more).
func (h *HTTP) LinkSSO(w http.ResponseWriter, r *http.Request) error {
	p, err := auth.RequireUser(r.Context())
	if err != nil {
		return err
	}
	return h.start(w, r, p.AccountID)
}

func (h *HTTP) start(w http.ResponseWriter, r *http.Request, accountID string) error {
	if !h.Svc.Auth.Allow("sso:"+h.Svc.Auth.ClientIP(r), time.Second, 20) {
		return errs.E(errs.TooMany, "signup.too_many")
	}
	next := auth.SafeNext(r.URL.Query().Get("next"))
	if accountID != "" {
		next = "/account/data#sso"
	}
	to, state, err := h.Svc.BeginSSO(r.Context(), r.PathValue("provider"), next, accountID)
	if err != nil {
		return h.ssoError(w, r, err)
	}
	h.setState(w, r, state, int(loginTTL/time.Second))
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// ssoError shows a sign-in that failed on a page that says why and
// offers the password sign-in; errors of dxhub itself go to the error page.
func (h *HTTP) ssoError(w http.ResponseWriter, r *http.Request, err error) error {
	var down *ProviderDown
	if errors.As(err, &down) {
		h.Svc.Log.Warn("sign-in provider unreachable", "provider", down.Provider, "err", down.Err)
		return h.Web.Render(w, r, http.StatusBadGateway, "account/sso_error", "oidc.error_title", map[string]any{"Error": errs.E(errs.Internal, "oidc.down", down.Provider)})
	}
	e, ok := errs.As(err)
	if !ok || e.Code == errs.Internal {
		return err
	}
	return h.Web.Render(w, r, web.Status(e.Code), "account/sso_error", "oidc.error_title", map[string]any{"Error": e})
}

// CallbackSSO is GET /auth/oidc/{provider}/callback, where the provider
// sends the person back with a code (or an error).
func (h *HTTP) CallbackSSO(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	cookie := ""
	if c, err := r.Cookie(stateCookie); err == nil {
		cookie = c.Value
	}
	h.setState(w, r, "", -1)
	if q.Get("error") != "" {
		// Cancelled or refused at the provider: nothing to spend but the
		// state, which dies with its cookie and in loginTTL.
		return h.Web.Render(w, r, http.StatusBadRequest, "account/sso_error", "oidc.error_title", map[string]any{"Error": errs.E(errs.Invalid, "oidc.refused")})
	}
	if !h.Svc.Auth.Allow("sso:"+h.Svc.Auth.ClientIP(r), time.Second, 20) {
		return errs.E(errs.TooMany, "signup.too_many")
	}
	res, err := h.Svc.FinishSSO(r.Context(), r.PathValue("provider"), q.Get("state"), cookie, q.Get("code"), h.Svc.Auth.ClientIP(r))
	if err != nil {
		return h.ssoError(w, r, err)
	}
	if res.LinkToken != "" {
		return h.Web.Render(w, r, http.StatusOK, "account/sso_link", "oidc.link_title", map[string]any{"Token": res.LinkToken, "Email": res.Email, "Provider": res.Provider})
	}
	if res.Linked {
		// Already signed in: the link was asked for from the account page.
		http.Redirect(w, r, res.Next, http.StatusSeeOther)
		return nil
	}
	if err := h.Svc.Auth.SignInAs(w, r, res.AccountID); err != nil {
		return err
	}
	next := auth.SafeNext(res.Next)
	if res.Created {
		next = "/courses?welcome=1"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// ConfirmSSOLink is POST /auth/oidc/link: the person gives the password
// of the account the provider's address belongs to; the provider is
// linked and they are signed in.
func (h *HTTP) ConfirmSSOLink(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<14)
	token := r.PostFormValue("token")
	l, err := h.Svc.ConfirmSSOLink(r.Context(), token, r.PostFormValue("password"), h.Svc.Auth.ClientIP(r), r.UserAgent())
	if e, ok := errs.As(err); ok && l != nil && e.Code != errs.Internal {
		return h.Web.Render(w, r, web.Status(e.Code), "account/sso_link", "oidc.link_title", map[string]any{"Token": token, "Email": l.Email, "Provider": l.ProviderName, "Error": e})
	}
	if err != nil {
		return h.ssoError(w, r, err)
	}
	if err := h.Svc.Auth.SignInAs(w, r, l.AccountID); err != nil {
		return err
	}
	http.Redirect(w, r, auth.SafeNext(l.Next), http.StatusSeeOther)
	return nil
}

// UnlinkSSO is POST /account/sso/{provider}/unlink.
func (h *HTTP) UnlinkSSO(w http.ResponseWriter, r *http.Request) error {
	err := h.Svc.Unlink(r.Context(), r.PathValue("provider"), h.Svc.Auth.ClientIP(r))
	if e, ok := errs.As(err); ok && e.Code == errs.Conflict {
		return h.dataPage(w, r, http.StatusConflict, map[string]any{"SSOError": e})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/account/data#sso", http.StatusSeeOther)
	return nil
}

// APIProviders is GET /api/v1/auth/providers: the providers one may sign
// in with (public: the sign-in page shows them to anyone).
func (h *HTTP) APIProviders(w http.ResponseWriter, r *http.Request) error {
	type out struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Start string `json:"start_url"`
	}
	list := []out{}
	for _, p := range h.Svc.SSO.Providers() {
		list = append(list, out{ID: p.ID, Name: p.Name, Start: "/auth/oidc/" + p.ID})
	}
	return web.JSON(w, http.StatusOK, map[string]any{"providers": list})
}

// APIIdentities is GET /api/v1/me/identities: the providers linked to the
// caller's account.
func (h *HTTP) APIIdentities(w http.ResponseWriter, r *http.Request) error {
	p, err := auth.RequireUser(r.Context())
	if err != nil {
		return err
	}
	ids, err := h.Svc.Identities(r.Context(), p.AccountID)
	if err != nil {
		return err
	}
	if ids == nil {
		ids = []Identity{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"identities": ids})
}

// APIUnlink is DELETE /api/v1/me/identities/{provider}.
func (h *HTTP) APIUnlink(w http.ResponseWriter, r *http.Request) error {
	if err := h.Svc.Unlink(r.Context(), r.PathValue("provider"), h.Svc.Auth.ClientIP(r)); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"unlinked": r.PathValue("provider")})
}
