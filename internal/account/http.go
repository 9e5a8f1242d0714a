package account

import (
	"embed"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/web"
)

//go:embed templates
var templates embed.FS

// Templates are the room's pages.
func Templates() fs.FS { t, _ := fs.Sub(templates, "templates"); return t }

// HTTP serves sign-up pages and API.
type HTTP struct {
	Svc *Service
	Web *web.Web
}

// signUpLimit is how many sign-ups one address may send: one a minute,
// ten at once (a school's room behind one address signing up together).
const (
	signUpEvery = time.Minute
	signUpBurst = 10
)

type formView struct {
	In       SignUp
	Error    *errs.Error
	Communes []CommuneChoice
	Groups   []string
	Hint     string
}

// CommuneChoice is a commune offered when the place typed was not one.
type CommuneChoice struct{ Code, Name string }

// SignUpPage shows the sign-up form.
func (h *HTTP) SignUpPage(w http.ResponseWriter, r *http.Request) error {
	return h.form(w, r, http.StatusOK, &formView{})
}

func (h *HTTP) form(w http.ResponseWriter, r *http.Request, status int, v *formView) error {
	v.Groups = Groups
	return h.Web.RenderFramed(w, r, status, "account/signup", web.T(r, "signup.title"), web.Frame{Scripts: []string{"signup-1.js"}}, v)
}

// SignUp handles the form: on success a page saying where the link or
// code went, the same whether or not the contact already has an account.
func (h *HTTP) SignUp(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	f := r.PostForm
	in := SignUp{Name: f.Get("name"), Contact: f.Get("contact"), Password: f.Get("password"), UnitCode: strings.TrimSpace(f.Get("unit_code")), Group: f.Get("group"), Lang: string(web.LangOf(r)), Terms: f.Get("terms") == "1"}
	if by := strings.TrimSpace(f.Get("birth_year")); by != "" {
		n, err := strconv.Atoi(by)
		if err != nil {
			return h.form(w, r, http.StatusBadRequest, &formView{In: in, Error: errs.Field("birth_year", "signup.bad_birth_year", 0, 0)})
		}
		in.BirthYear = n
	}
	// A place typed as words, not picked: find the communes it may mean.
	if place := strings.TrimSpace(f.Get("place")); place != "" && in.UnitCode == "" {
		found, err := h.Svc.Communes(r.Context(), place)
		if err != nil {
			return err
		}
		if len(found) == 1 {
			in.UnitCode = found[0].Code
		} else {
			v := &formView{In: in, Error: errs.Field("place", "signup.pick_commune", place)}
			if len(found) == 0 {
				v.Error = errs.Field("place", "signup.no_commune", place)
			}
			for _, u := range found {
				v.Communes = append(v.Communes, CommuneChoice{Code: u.Code, Name: u.FullName(web.LangOf(r))})
			}
			return h.form(w, r, http.StatusBadRequest, v)
		}
	}
	ip := h.Svc.Auth.ClientIP(r)
	if !h.Svc.Auth.Allow("signup:"+ip, signUpEvery, signUpBurst) {
		return errs.E(errs.TooMany, "signup.too_many")
	}
	kind, err := h.Svc.Start(r.Context(), in, ip)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		in.Password = ""
		return h.form(w, r, http.StatusBadRequest, &formView{In: in, Error: e})
	}
	if err != nil {
		return err
	}
	// Post, then redirect: a reload does not sign up again.
	http.Redirect(w, r, "/signup/sent?kind="+kind, http.StatusSeeOther)
	return nil
}

// SentPage says where the confirmation went, without repeating the
// address (it would then sit in the browser's history).
func (h *HTTP) SentPage(w http.ResponseWriter, r *http.Request) error {
	kind := KindEmail
	if r.URL.Query().Get("kind") == KindPhone {
		kind = KindPhone
	}
	return h.Web.Render(w, r, http.StatusOK, "account/sent", "signup.sent_title", map[string]any{"Kind": kind})
}

// ConfirmPage shows a link's confirmation button: following a link only
// shows it (mail scanners open links), the button confirms.
func (h *HTTP) ConfirmPage(w http.ResponseWriter, r *http.Request) error {
	return h.Web.Render(w, r, http.StatusOK, "account/confirm", "signup.confirm_title", map[string]any{"Token": r.PathValue("token")})
}

// Confirm confirms by link, signs the new account in and goes home.
func (h *HTTP) Confirm(w http.ResponseWriter, r *http.Request) error {
	if !h.Svc.Auth.Allow("confirm:"+h.Svc.Auth.ClientIP(r), time.Second, 20) {
		return errs.E(errs.TooMany, "signup.too_many")
	}
	c, err := h.Svc.ConfirmLink(r.Context(), r.PathValue("token"))
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.Web.Render(w, r, http.StatusBadRequest, "account/confirm", "signup.confirm_title", map[string]any{"Error": e})
	}
	if err != nil {
		return err
	}
	return h.welcome(w, r, c)
}

// CodePage shows the form for a code sent by text message.
func (h *HTTP) CodePage(w http.ResponseWriter, r *http.Request) error {
	return h.Web.Render(w, r, http.StatusOK, "account/code", "signup.code_title", map[string]any{"Contact": r.URL.Query().Get("contact")})
}

// Code confirms by contact and code.
func (h *HTTP) Code(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<14)
	contact, code := r.PostFormValue("contact"), r.PostFormValue("code")
	if !h.Svc.Auth.Allow("code:"+h.Svc.Auth.ClientIP(r), time.Second, 20) {
		return errs.E(errs.TooMany, "signup.too_many")
	}
	c, err := h.Svc.ConfirmCode(r.Context(), contact, code)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.Web.Render(w, r, http.StatusBadRequest, "account/code", "signup.code_title", map[string]any{"Contact": contact, "Error": e})
	}
	if err != nil {
		return err
	}
	return h.welcome(w, r, c)
}

func (h *HTTP) welcome(w http.ResponseWriter, r *http.Request, c *Confirmed) error {
	if err := h.Svc.Auth.SignInAs(w, r, c.AccountID); err != nil {
		return err
	}
	http.Redirect(w, r, "/courses?welcome=1", http.StatusSeeOther)
	return nil
}

// APISignUp is POST /api/v1/signup: the same as the form, as JSON.
func (h *HTTP) APISignUp(w http.ResponseWriter, r *http.Request) error {
	var in SignUp
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Lang == "" {
		in.Lang = string(web.LangOf(r))
	}
	ip := h.Svc.Auth.ClientIP(r)
	if !h.Svc.Auth.Allow("signup:"+ip, signUpEvery, signUpBurst) {
		return errs.E(errs.TooMany, "signup.too_many")
	}
	kind, err := h.Svc.Start(r.Context(), in, ip)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusAccepted, map[string]any{"sent": kind})
}

// APIConfirm is POST /api/v1/signup/confirm with {"token"} (a link's) or
// {"contact", "code"} (a text message's); it answers the new account.
func (h *HTTP) APIConfirm(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token   string `json:"token"`
		Contact string `json:"contact"`
		Code    string `json:"code"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if !h.Svc.Auth.Allow("code:"+h.Svc.Auth.ClientIP(r), time.Second, 20) {
		return errs.E(errs.TooMany, "signup.too_many")
	}
	var c *Confirmed
	var err error
	if in.Token != "" {
		c, err = h.Svc.ConfirmLink(r.Context(), in.Token)
	} else {
		c, err = h.Svc.ConfirmCode(r.Context(), in.Contact, in.Code)
	}
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, c)
}

// DataPage shows what dxhub keeps about the caller, with the downloads
// and the form that deletes the account.
func (h *HTTP) DataPage(w http.ResponseWriter, r *http.Request) error {
	return h.dataPage(w, r, http.StatusOK, nil)
}

func (h *HTTP) dataPage(w http.ResponseWriter, r *http.Request, status int, v map[string]any) error {
	d, err := h.Svc.Mine(r.Context(), h.Svc.Auth.ClientIP(r))
	if err != nil {
		return err
	}
	if v == nil {
		v = map[string]any{}
	}
	v["D"], v["TermsVersion"], v["ContactNote"], v["SSO"] = d, auth.TermsVersion, r.URL.Query().Get("contact"), h.Svc.SSO.Providers()
	return h.Web.Render(w, r, status, "account/mydata", "mydata.title", v)
}

// Export downloads the caller's data as JSON or XLSX.
func (h *HTTP) Export(w http.ResponseWriter, r *http.Request) error {
	d, err := h.Svc.Mine(r.Context(), h.Svc.Auth.ClientIP(r))
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "xlsx" {
		buf, err := d.XLSX(web.LangOf(r))
		if err != nil {
			return err
		}
		return web.Download(w, web.XLSXType, "dxhub-du-lieu-cua-toi.xlsx", buf)
	}
	w.Header().Set("Content-Disposition", `attachment; filename="dxhub-du-lieu-cua-toi.json"`)
	return web.JSON(w, http.StatusOK, d)
}

// DeleteForm deletes the caller's account and signs them out.
func (h *HTTP) DeleteForm(w http.ResponseWriter, r *http.Request) error {
	err := h.Svc.Delete(r.Context(), r.PostFormValue("password"), h.Svc.Auth.ClientIP(r))
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.dataPage(w, r, http.StatusBadRequest, map[string]any{"Error": e})
	}
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: auth.SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: h.Svc.Auth.SecureRequest(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/account/deleted", http.StatusSeeOther)
	return nil
}

// DeletedPage confirms a deletion (public: the account is gone).
func (h *HTTP) DeletedPage(w http.ResponseWriter, r *http.Request) error {
	return h.Web.Render(w, r, http.StatusOK, "account/deleted", "mydata.deleted_title", nil)
}

// APIData is GET /api/v1/me/data: the caller's data as JSON.
func (h *HTTP) APIData(w http.ResponseWriter, r *http.Request) error {
	d, err := h.Svc.Mine(r.Context(), h.Svc.Auth.ClientIP(r))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

// APIDelete is DELETE /api/v1/me with {"password"}: ends the account.
func (h *HTTP) APIDelete(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Password string `json:"password"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.Svc.Delete(r.Context(), in.Password, h.Svc.Auth.ClientIP(r)); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"deleted": true})
}

// PeopleAccountsPage is the form a unit administrator uses to make
// accounts for their people.
func (h *HTTP) PeopleAccountsPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "account/people_accounts", "activation.title", map[string]any{"Groups": Groups, "Unit": r.URL.Query().Get("unit")})
}

// PeopleAccounts makes the accounts and shows the sheet of codes, once.
func (h *HTTP) PeopleAccounts(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<14)
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	list, err := h.Svc.CreateForPeople(r.Context(), r.PostForm.Get("unit_code"), r.PostForm["groups"], r.PostForm.Get("invite") == "1", web.LangOf(r), h.Svc.Auth.ClientIP(r))
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.Web.Render(w, r, http.StatusBadRequest, "account/people_accounts", "activation.title", map[string]any{"Groups": Groups, "Unit": r.PostForm.Get("unit_code"), "Error": e})
	}
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.Web.Render(w, r, http.StatusOK, "account/codes", "activation.sheet_title", map[string]any{"List": list, "Unit": r.PostForm.Get("unit_code")})
}

// ActivatePage is the first sign-in with an activation code.
func (h *HTTP) ActivatePage(w http.ResponseWriter, r *http.Request) error {
	return h.Web.Render(w, r, http.StatusOK, "account/activate", "activation.activate_title", map[string]any{"Username": r.URL.Query().Get("username")})
}

// Activate sets the password, signs in and goes to the courses.
func (h *HTTP) Activate(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<14)
	if !h.Svc.Auth.Allow("activate:"+h.Svc.Auth.ClientIP(r), time.Second, 20) {
		return errs.E(errs.TooMany, "signup.too_many")
	}
	c, err := h.Svc.Activate(r.Context(), r.PostFormValue("username"), r.PostFormValue("code"), r.PostFormValue("password"), h.Svc.Auth.ClientIP(r))
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.Web.Render(w, r, http.StatusBadRequest, "account/activate", "activation.activate_title", map[string]any{"Error": e, "Username": r.PostFormValue("username")})
	}
	if err != nil {
		return err
	}
	return h.welcome(w, r, c)
}

// APIPeopleAccounts is POST /api/v1/people/accounts {unit_code, groups,
// invite}.
func (h *HTTP) APIPeopleAccounts(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UnitCode string   `json:"unit_code"`
		Groups   []string `json:"groups"`
		Invite   bool     `json:"invite"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	list, err := h.Svc.CreateForPeople(r.Context(), in.UnitCode, in.Groups, in.Invite, web.LangOf(r), h.Svc.Auth.ClientIP(r))
	if err != nil {
		return err
	}
	if list == nil {
		list = []Activation{}
	}
	return web.JSON(w, http.StatusCreated, map[string]any{"activations": list})
}

// APIActivate is POST /api/v1/activate {username, code, password}.
func (h *HTTP) APIActivate(w http.ResponseWriter, r *http.Request) error {
	var in struct{ Username, Code, Password string }
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if !h.Svc.Auth.Allow("activate:"+h.Svc.Auth.ClientIP(r), time.Second, 20) {
		return errs.E(errs.TooMany, "signup.too_many")
	}
	c, err := h.Svc.Activate(r.Context(), in.Username, in.Code, in.Password, h.Svc.Auth.ClientIP(r))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}

// ClaimPage shows the records the caller may claim: those of their own
// address or number, and, once typed, their employee code's.
func (h *HTTP) ClaimPage(w http.ResponseWriter, r *http.Request) error {
	return h.claimPage(w, r, http.StatusOK, r.URL.Query().Get("key"), nil, nil)
}

func (h *HTTP) claimPage(w http.ResponseWriter, r *http.Request, status int, key string, done *Claim, e *errs.Error) error {
	cands, err := h.Svc.Candidates(r.Context(), key)
	if ce, ok := errs.As(err); ok && ce.Code == errs.Conflict {
		return h.Web.Render(w, r, http.StatusOK, "account/claim", "claim.title", map[string]any{"Linked": true})
	}
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, status, "account/claim", "claim.title", map[string]any{"Candidates": cands, "Key": key, "Done": done, "Error": e})
}

// Claim asks for one record.
func (h *HTTP) Claim(w http.ResponseWriter, r *http.Request) error {
	key := r.PostFormValue("key")
	c, err := h.Svc.RequestClaim(r.Context(), r.PostFormValue("person_id"), key, h.Svc.Auth.ClientIP(r))
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.claimPage(w, r, http.StatusBadRequest, key, nil, e)
	}
	if err != nil {
		return err
	}
	return h.claimPage(w, r, http.StatusOK, key, c, nil)
}

// ClaimsPage lists the claims an administrator decides.
func (h *HTTP) ClaimsPage(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Svc.PendingClaims(r.Context())
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "account/claims", "claim.admin_title", map[string]any{"List": list})
}

// DecideClaim approves or refuses one claim.
func (h *HTTP) DecideClaim(w http.ResponseWriter, r *http.Request) error {
	if err := h.Svc.DecideClaim(r.Context(), r.PathValue("id"), r.PathValue("action") == "approve", h.Svc.Auth.ClientIP(r)); err != nil {
		return err
	}
	http.Redirect(w, r, "/people/claims", http.StatusSeeOther)
	return nil
}

// APIClaims is GET /api/v1/claims: the claims waiting in the caller's
// scopes.
func (h *HTTP) APIClaims(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Svc.PendingClaims(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"claims": list})
}

// APIClaim is POST /api/v1/me/claim {person_id, key}.
func (h *HTTP) APIClaim(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		PersonID string `json:"person_id"`
		Key      string `json:"key"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := h.Svc.RequestClaim(r.Context(), in.PersonID, in.Key, h.Svc.Auth.ClientIP(r))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, c)
}

// APIDecideClaim is POST /api/v1/claims/{id}/{approve|refuse}.
func (h *HTTP) APIDecideClaim(w http.ResponseWriter, r *http.Request) error {
	action := r.PathValue("action")
	if action != "approve" && action != "refuse" {
		return errs.Field("action", "error.param", "action", action)
	}
	if err := h.Svc.DecideClaim(r.Context(), r.PathValue("id"), action == "approve", h.Svc.Auth.ClientIP(r)); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"status": map[bool]string{true: ClaimApproved, false: ClaimRefused}[action == "approve"]})
}

// ConsentsForm records the answers of the my-data page's consent boxes.
func (h *HTTP) ConsentsForm(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	answers := map[string]bool{}
	for _, k := range auth.Consents {
		answers[k] = r.PostForm.Get(k) == "1"
	}
	if err := h.Svc.SetConsents(r.Context(), answers, h.Svc.Auth.ClientIP(r)); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/data#consents", http.StatusSeeOther)
	return nil
}

// APIConsents is PUT /api/v1/me/consents {"share_results": false, ...}.
func (h *HTTP) APIConsents(w http.ResponseWriter, r *http.Request) error {
	answers := map[string]bool{}
	if err := web.DecodeJSON(r, &answers); err != nil {
		return err
	}
	if err := h.Svc.SetConsents(r.Context(), answers, h.Svc.Auth.ClientIP(r)); err != nil {
		return err
	}
	p := auth.FromContext(r.Context())
	list, err := h.Svc.Auth.ConsentsOf(r.Context(), p.AccountID)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"consents": list})
}

// ContactForm starts a change of the caller's sign-in address or number;
// an address gets a link, a number a code typed on the next page.
func (h *HTTP) ContactForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<14)
	kind, err := h.Svc.StartContactChange(r.Context(), r.PostFormValue("contact"), web.LangOf(r), h.Svc.Auth.ClientIP(r))
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.dataPage(w, r, http.StatusBadRequest, map[string]any{"ContactError": e})
	}
	if err != nil {
		return err
	}
	if kind == KindPhone {
		http.Redirect(w, r, "/account/contact/code", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/account/data?contact=sent#contact-h", http.StatusSeeOther)
	return nil
}

// ContactCodePage shows the form for the code sent to the new number.
func (h *HTTP) ContactCodePage(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "account/contact", "contact.title", map[string]any{"Code": true})
}

// ContactConfirmPage shows a link's button (mail scanners open links;
// only the button, pressed while signed in, changes anything).
func (h *HTTP) ContactConfirmPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "account/contact", "contact.title", map[string]any{"Token": r.PathValue("token")})
}

// ContactConfirm confirms by the link's token or the typed code.
func (h *HTTP) ContactConfirm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<14)
	token, code := r.PathValue("token"), r.PostFormValue("code")
	if !h.Svc.Auth.Allow("code:"+h.Svc.Auth.ClientIP(r), time.Second, 20) {
		return errs.E(errs.TooMany, "signup.too_many")
	}
	_, err := h.Svc.ConfirmContactChange(r.Context(), token, code, h.Svc.Auth.ClientIP(r))
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.Web.Render(w, r, http.StatusBadRequest, "account/contact", "contact.title", map[string]any{"Code": token == "", "Token": token, "Error": e})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/account/data?contact=changed#contact-h", http.StatusSeeOther)
	return nil
}

// APIContact is POST /api/v1/me/contact with {"contact"}: 202 and where
// the confirmation went ("email" or "phone").
func (h *HTTP) APIContact(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Contact string `json:"contact"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	kind, err := h.Svc.StartContactChange(r.Context(), in.Contact, web.LangOf(r), h.Svc.Auth.ClientIP(r))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusAccepted, map[string]string{"sent_to": kind})
}

// APIContactConfirm is POST /api/v1/me/contact/confirm with {"token"} or
// {"code"}: the new sign-in name.
func (h *HTTP) APIContactConfirm(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token string `json:"token"`
		Code  string `json:"code"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if !h.Svc.Auth.Allow("code:"+h.Svc.Auth.ClientIP(r), time.Second, 20) {
		return errs.E(errs.TooMany, "signup.too_many")
	}
	username, err := h.Svc.ConfirmContactChange(r.Context(), in.Token, in.Code, h.Svc.Auth.ClientIP(r))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]string{"username": username})
}
