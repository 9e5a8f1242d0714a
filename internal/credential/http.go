package credential

import (
	"bytes"
	"embed"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/tabular"
	"dxhub/internal/platform/web"
)

//go:embed templates
var templates embed.FS

// Templates are the room's pages.
func Templates() fs.FS { t, _ := fs.Sub(templates, "templates"); return t }

// HTTP serves the room's pages and API.
type HTTP struct {
	Svc *Service
	Web *web.Web
}

// AchievementsPage lists what can be earned (public).
func (h *HTTP) AchievementsPage(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Svc.Achievements(r.Context())
	if err != nil {
		return err
	}
	p := auth.FromContext(r.Context())
	return h.Web.Render(w, r, http.StatusOK, "credential/achievements", "credential.achievements_title", map[string]any{
		"List": list, "CanDefine": p != nil && p.CanAnywhere(auth.DefineAchievements)})
}

// AchievementPage shows one achievement version (public: credentials
// link to it).
func (h *HTTP) AchievementPage(w http.ResponseWriter, r *http.Request) error {
	a, err := h.Svc.AchievementByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := auth.FromContext(r.Context())
	return h.Web.RenderTitle(w, r, http.StatusOK, "credential/achievement", a.LocalName(web.LangOf(r)), map[string]any{"A": a, "CanDefine": p != nil && p.Can(auth.DefineAchievements, a.UnitPath)})
}

// NewAchievementPage is the form that defines an achievement, or changes
// one (?code=).
func (h *HTTP) NewAchievementPage(w http.ResponseWriter, r *http.Request) error {
	p, err := auth.RequireUser(r.Context())
	if err != nil {
		return err
	}
	if !p.CanAnywhere(auth.DefineAchievements) {
		return errs.E(errs.Forbidden, "error.forbidden")
	}
	a := &Achievement{Rule: RuleSession, Kind: "Certificate"}
	if code := r.URL.Query().Get("code"); code != "" {
		if a, err = h.Svc.ActiveAchievement(r.Context(), code); err != nil {
			return err
		}
	}
	return h.achievementForm(w, r, http.StatusOK, a, nil)
}

func (h *HTTP) achievementForm(w http.ResponseWriter, r *http.Request, status int, a *Achievement, e *errs.Error) error {
	return h.Web.Render(w, r, status, "credential/achievement_form", "credential.define_title", map[string]any{"A": a, "Error": e, "Kinds": Kinds,
		"Rules": []string{RuleSession, RuleBlueprint, RuleCourse, RuleModules, RuleManual}, "All": strings.Join(a.All, ", "), "Any": strings.Join(a.Any, ", ")})
}

// SaveAchievement handles the form.
func (h *HTTP) SaveAchievement(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<17)
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	f := r.PostForm
	a := &Achievement{Code: f.Get("code"), UnitCode: f.Get("unit_code"), Name: f.Get("name"), NameEN: f.Get("name_en"), Description: f.Get("description"), DescriptionEN: f.Get("description_en"),
		Criteria: f.Get("criteria"), CriteriaEN: f.Get("criteria_en"), Kind: f.Get("kind"), IssuerImage: f.Get("issuer_image"), Rule: f.Get("rule"), RuleRef: strings.TrimSpace(f.Get("rule_ref")),
		All: splitCodes(f.Get("all")), Any: splitCodes(f.Get("any"))}
	var bad *errs.Error
	num := func(field string, dst *int) {
		if v := strings.TrimSpace(f.Get(field)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil && bad == nil {
				bad = errs.Field(field, "error.param", field, v)
			}
			*dst = n
		}
	}
	num("valid_years", &a.ValidYears)
	num("any_n", &a.AnyN)
	if v := strings.TrimSpace(f.Get("min_percent")); v != "" {
		x, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
		if err != nil && bad == nil {
			bad = errs.Field("min_percent", "credential.bad_percent")
		}
		a.MinPercent = x
	}
	for _, line := range strings.Split(f.Get("alignments"), "\n") {
		if al, ok := parseAlignment(line); ok {
			a.Alignments = append(a.Alignments, al)
		} else if strings.TrimSpace(line) != "" && bad == nil {
			bad = errs.Field("alignments", "credential.bad_alignment", strings.TrimSpace(line))
		}
	}
	if bad != nil {
		return h.achievementForm(w, r, http.StatusBadRequest, a, bad)
	}
	err := h.Svc.SaveAchievement(r.Context(), a)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.achievementForm(w, r, http.StatusBadRequest, a, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/achievements/"+a.ID, http.StatusSeeOther)
	return nil
}

func splitCodes(s string) []string {
	var out []string
	for _, c := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' }) {
		out = append(out, strings.ToUpper(c))
	}
	return out
}

// parseAlignment reads "VN-DSF 1 1.1 Name of the competence".
func parseAlignment(line string) (AlignmentRef, bool) {
	f := strings.Fields(line)
	if len(f) < 3 {
		return AlignmentRef{}, false
	}
	v, err := strconv.Atoi(f[1])
	if err != nil || v < 1 {
		return AlignmentRef{}, false
	}
	return AlignmentRef{Standard: f[0], Version: v, Competence: f[2], Name: strings.Join(f[3:], " ")}, true
}

// MinePage is "My certificates".
func (h *HTTP) MinePage(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Svc.Mine(r.Context())
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "credential/mine", "credential.mine_title", map[string]any{"List": list, "Base": h.Svc.BaseURL})
}

// CredentialPage is a credential's public page: what it certifies and
// whether it is valid now, with its downloads.
func (h *HTTP) CredentialPage(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Svc.ByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	v := h.Svc.VerifyStored(r.Context(), c)
	p := auth.FromContext(r.Context())
	return h.Web.Render(w, r, http.StatusOK, "credential/credential", "credential.verify_title", map[string]any{
		"C": c, "V": v, "Reasons": Reasons, "Mine": p != nil && p.AccountID == c.AccountID,
		"CanRevoke": p != nil && p.Can(auth.IssueCredentials, c.UnitPath) && c.RevokedAt == 0,
		"CanPrint":  p != nil && (p.AccountID == c.AccountID || p.Can(auth.IssueCredentials, c.UnitPath)),
		"LinkedIn":  linkedIn(c, h.Svc.BaseURL),
	})
}

// linkedIn is LinkedIn's "add to profile" link for a certification.
func linkedIn(c *Credential, base string) string {
	at := time.UnixMilli(c.IssuedAt).In(i18n.DefaultZone)
	q := url.Values{"startTask": {"CERTIFICATION_NAME"}, "name": {c.Achievement}, "issueYear": {strconv.Itoa(at.Year())}, "issueMonth": {strconv.Itoa(int(at.Month()))},
		"certUrl": {base + "/credentials/" + c.ID}, "certId": {c.Number}}
	return "https://www.linkedin.com/profile/add?" + q.Encode()
}

// Download is GET /credentials/{id}/download/{format}: json, jwt, png or
// svg (the credential baked in its badge), pdf.
func (h *HTTP) Download(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Svc.ByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	name := "chung-nhan-" + strings.ToLower(c.Number)
	switch r.PathValue("format") {
	case "json":
		return web.Download(w, "application/vc+ld+json", name+".json", bytes.NewBufferString(c.Document))
	case "jwt":
		return web.Download(w, "application/vc+jwt", name+".jwt", bytes.NewBufferString(c.JWT))
	case "png":
		return web.Download(w, "image/png", name+".png", bytes.NewBuffer(BakePNG([]byte(c.Document))))
	case "svg":
		return web.Download(w, "image/svg+xml", name+".svg", bytes.NewBuffer(BakeSVG([]byte(c.Document), c.Achievement)))
	case "pdf":
		// The printed certificate names its holder whatever they chose
		// to show: it is theirs (and their issuer's) to hand out, not the
		// share link's.
		p := auth.FromContext(r.Context())
		if p == nil {
			return errs.E(errs.Unauthorized, "error.unauthorized")
		}
		if p.AccountID != c.AccountID && !p.Can(auth.IssueCredentials, c.UnitPath) {
			return errs.E(errs.Forbidden, "error.forbidden")
		}
		b, err := h.Svc.PDF(r.Context(), c)
		if err != nil {
			return err
		}
		return web.Download(w, "application/pdf", name+".pdf", bytes.NewBuffer(b))
	}
	return errs.E(errs.NotFound, "credential.no_format", r.PathValue("format"))
}

// VerifyPage is the form to paste or upload a credential.
func (h *HTTP) VerifyPage(w http.ResponseWriter, r *http.Request) error {
	return h.Web.Render(w, r, http.StatusOK, "credential/verify", "credential.verify_title", map[string]any{})
}

// readVerifyInput takes a pasted credential or an uploaded file.
func readVerifyInput(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxVerifyInput+1<<14)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(MaxVerifyInput); err != nil {
			return nil, errs.Field("file", "credential.too_big")
		}
		if f, _, err := r.FormFile("file"); err == nil {
			defer f.Close()
			b, err := io.ReadAll(io.LimitReader(f, MaxVerifyInput+1))
			if err != nil || len(b) > MaxVerifyInput {
				return nil, errs.Field("file", "credential.too_big")
			}
			if len(bytes.TrimSpace(b)) > 0 {
				return b, nil
			}
		}
		return []byte(r.FormValue("credential")), nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, errs.Field("credential", "credential.too_big")
	}
	return []byte(r.PostForm.Get("credential")), nil
}

// Verify handles the form: the result on a page.
func (h *HTTP) Verify(w http.ResponseWriter, r *http.Request) error {
	if !h.Svc.Auth.Allow("verify:"+h.Svc.Auth.ClientIP(r), 100*time.Millisecond, 50) {
		return errs.E(errs.TooMany, "error.too_many")
	}
	in, err := readVerifyInput(w, r)
	if e, ok := errs.As(err); ok {
		return h.Web.Render(w, r, http.StatusBadRequest, "credential/verify", "credential.verify_title", map[string]any{"Error": e})
	}
	if len(bytes.TrimSpace(in)) == 0 {
		return h.Web.Render(w, r, http.StatusBadRequest, "credential/verify", "credential.verify_title", map[string]any{"Error": errs.Field("credential", "credential.empty")})
	}
	v := h.Svc.Verify(r.Context(), in)
	return h.Web.Render(w, r, http.StatusOK, "credential/verify", "credential.verify_title", map[string]any{"V": v})
}

// RevokeForm is POST /credentials/{id}/revoke.
func (h *HTTP) RevokeForm(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.Svc.Revoke(r.Context(), r.PathValue("id"), r.PostFormValue("reason"), h.Svc.Auth.ClientIP(r)); err != nil {
		return err
	}
	http.Redirect(w, r, "/credentials/"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}

// StatusListDoc is GET /credential-status/{unit}/{list}.
func (h *HTTP) StatusListDoc(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(r.PathValue("list"))
	if err != nil || n < 1 {
		return errs.E(errs.NotFound, "credential.no_list")
	}
	b, err := h.Svc.StatusList(r.Context(), r.PathValue("unit"), n)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vc+ld+json")
	w.Header().Set("Cache-Control", "public, max-age=30")
	_, err = w.Write(b)
	return err
}

// DIDDocument is GET /issuers/{code}/did.json.
func (h *HTTP) DIDDocument(w http.ResponseWriter, r *http.Request) error {
	d, err := h.Svc.DIDDocument(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/did+json")
	return json.NewEncoder(w).Encode(d)
}

// JWKS is GET /.well-known/jwks.json.
func (h *HTTP) JWKS(w http.ResponseWriter, r *http.Request) error {
	d, err := h.Svc.JWKS(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

// APIAchievements is GET /api/v1/achievements.
func (h *HTTP) APIAchievements(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Svc.Achievements(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []*Achievement{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"achievements": list})
}

// APIAchievement is GET /api/v1/achievements/{id}.
func (h *HTTP) APIAchievement(w http.ResponseWriter, r *http.Request) error {
	a, err := h.Svc.AchievementByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, a)
}

// APISaveAchievement is POST /api/v1/achievements.
func (h *HTTP) APISaveAchievement(w http.ResponseWriter, r *http.Request) error {
	var a Achievement
	if err := web.DecodeJSON(r, &a); err != nil {
		return err
	}
	if err := h.Svc.SaveAchievement(r.Context(), &a); err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, &a)
}

// APIMine is GET /api/v1/me/credentials.
func (h *HTTP) APIMine(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Svc.Mine(r.Context())
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, c := range list {
		out = append(out, map[string]any{"credential": c, "url": h.Svc.BaseURL + "/credentials/" + c.ID, "document": json.RawMessage(c.Document), "jwt": c.JWT})
	}
	return web.JSON(w, http.StatusOK, map[string]any{"credentials": out})
}

// APIVerify is POST /api/v1/credentials/verify: the body is the
// credential (JSON, JWT or a baked image).
func (h *HTTP) APIVerify(w http.ResponseWriter, r *http.Request) error {
	if !h.Svc.Auth.Allow("verify:"+h.Svc.Auth.ClientIP(r), 100*time.Millisecond, 50) {
		return errs.E(errs.TooMany, "error.too_many")
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxVerifyInput))
	if err != nil {
		return errs.Field("body", "credential.too_big")
	}
	return web.JSON(w, http.StatusOK, h.Svc.Verify(r.Context(), b))
}

// APIVerifyOne is GET /api/v1/credentials/{id}/verify.
func (h *HTTP) APIVerifyOne(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Svc.ByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, h.Svc.VerifyStored(r.Context(), c))
}

// APIRevoke is POST /api/v1/credentials/{id}/revoke with {"reason"}.
func (h *HTTP) APIRevoke(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := h.Svc.Revoke(r.Context(), r.PathValue("id"), in.Reason, h.Svc.Auth.ClientIP(r))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}

const maxUpload = tabular.MaxBytes + 1<<20

// IssueForm shows the form that issues credentials from a list.
func (h *HTTP) IssueForm(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.IssueCredentials); err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "credential/issue", "credential.issue", map[string]any{})
}

// IssueSubmit takes the uploaded list; a refused list shows every bad
// row and issues nothing.
func (h *HTTP) IssueSubmit(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.IssueCredentials); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	file, _, err := r.FormFile("file")
	if err != nil {
		return h.Web.Render(w, r, http.StatusBadRequest, "credential/issue", "credential.issue", map[string]any{"Error": errs.Field("file", "error.param", "file", "-")})
	}
	defer file.Close()
	res, err := h.Svc.IssueList(r.Context(), file, h.Svc.Auth.ClientIP(r))
	if ie, ok := tabular.AsImportError(err); ok {
		return h.Web.Render(w, r, http.StatusUnprocessableEntity, "credential/issue", "credential.issue", map[string]any{"Import": ie, "Messages": ie.Messages(web.LangOf(r))})
	}
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.Web.Render(w, r, http.StatusBadRequest, "credential/issue", "credential.issue", map[string]any{"Error": e})
	}
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "credential/issue", "credential.issue", map[string]any{"Result": res})
}

// APIIssue is POST /api/v1/credentials/issue: the list as the body (or a
// multipart "file").
func (h *HTTP) APIIssue(w http.ResponseWriter, r *http.Request) error {
	body, err := web.Sheet(w, r, maxUpload)
	if err != nil {
		return err
	}
	defer body.Close()
	res, err := h.Svc.IssueList(r.Context(), body, h.Svc.Auth.ClientIP(r))
	if ie, ok := tabular.AsImportError(err); ok {
		return web.ImportRefused(w, r, ie)
	}
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, res)
}

func issuedFilter(r *http.Request) (IssuedFilter, error) {
	q := r.URL.Query()
	f := IssuedFilter{UnitCode: q.Get("unit"), Since: q.Get("since")}
	for name, dst := range map[string]*int64{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, ok := tabular.ParseDate(v)
			if !ok {
				return f, errs.Field(name, "error.param", name, v)
			}
			*dst = t.UnixMilli()
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return f, errs.Field("limit", "error.param", "limit", v)
		}
		f.Limit = n
	}
	return f, nil
}

// IssuedPage is the register of credentials issued in the caller's
// units, with its downloads.
func (h *HTTP) IssuedPage(w http.ResponseWriter, r *http.Request) error {
	f, err := issuedFilter(r)
	if err != nil {
		return err
	}
	if f.Limit == 0 {
		f.Limit = 200
	}
	list, err := h.Svc.Issued(r.Context(), f)
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "credential/issued", "credential.issued_title", map[string]any{"List": list, "Query": r.URL.RawQuery})
}

// Export downloads the register as XLSX, CSV or JSON.
func (h *HTTP) Export(w http.ResponseWriter, r *http.Request) error {
	f, err := issuedFilter(r)
	if err != nil {
		return err
	}
	list, err := h.Svc.Issued(r.Context(), f)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "json" {
		w.Header().Set("Content-Disposition", `attachment; filename="chung-nhan-da-cap.json"`)
		return web.JSON(w, http.StatusOK, map[string]any{"credentials": list})
	}
	lang := web.LangOf(r)
	t := func(k string) string { return i18n.T(lang, k) }
	rows := make([][]string, 0, len(list))
	for _, c := range list {
		st := t("credential.result_valid_short")
		if c.RevokedAt != 0 {
			st = t("credential.revoked")
		}
		rows = append(rows, []string{c.Number, c.Achievement, c.UnitCode, tabular.Day(c.IssuedAt), tabular.Day(c.ValidUntil), st, c.Result, h.Svc.BaseURL + "/credentials/" + c.ID})
	}
	header := []string{t("credential.number"), t("credential.achievement"), t("credential.issuer"), t("credential.issued"), t("credential.valid_until"), t("credential.state"), t("credential.result"), t("credential.link")}
	var buf bytes.Buffer
	tf, ct, name := tabular.CSV, "text/csv; charset=utf-8", "chung-nhan-da-cap.csv"
	if format == "xlsx" {
		tf, ct, name = tabular.XLSX, web.XLSXType, "chung-nhan-da-cap.xlsx"
	}
	if err := tabular.Write(&buf, tf, t("credential.issued_title"), header, rows, tabular.Dates(3, 4)); err != nil {
		return err
	}
	return web.Download(w, ct, name, &buf)
}

// APIIssued is GET /api/v1/credentials?unit=&since=&limit=: the register
// for other systems, in the order recorded; next_since continues it.
func (h *HTTP) APIIssued(w http.ResponseWriter, r *http.Request) error {
	f, err := issuedFilter(r)
	if err != nil {
		return err
	}
	if f.Since == "" {
		f.Since = "0"
	}
	if f.Limit == 0 {
		f.Limit = 500
	}
	list, err := h.Svc.Issued(r.Context(), f)
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, c := range list {
		out = append(out, map[string]any{"credential": c, "url": h.Svc.BaseURL + "/credentials/" + c.ID, "document": json.RawMessage(c.Document)})
	}
	next := NextSince(list)
	if next == "" {
		next = f.Since
	}
	return web.JSON(w, http.StatusOK, map[string]any{"credentials": out, "next_since": next})
}
