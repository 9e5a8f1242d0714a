package experts

import (
	"net/http"
	"strconv"

	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/web"
)

// APIDirectory searches the directory (?q=&field=&competence=&province=
// &language=&origin=&available=1&all=1&unit=&page=).
func (h *HTTP) APIDirectory(w http.ResponseWriter, r *http.Request) error {
	f, err := filterOf(r.URL.Query())
	if err != nil {
		return err
	}
	res, err := h.Svc.Directory(r.Context(), f)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, res)
}

// APIProfile returns a profile as the caller may see it.
func (h *HTTP) APIProfile(w http.ResponseWriter, r *http.Request) error {
	pr, err := h.Svc.Profile(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, pr)
}

// APISimilar lists the nearest profiles.
func (h *HTTP) APISimilar(w http.ResponseWriter, r *http.Request) error {
	prs, err := h.Svc.Similar(r.Context(), r.PathValue("id"), 10)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"experts": prs})
}

// APICreate adds an office's profile.
func (h *HTTP) APICreate(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	pr, err := h.Svc.Create(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, pr)
}

// APIUpdate changes an office's profile.
func (h *HTTP) APIUpdate(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	pr, err := h.Svc.Update(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, pr)
}

// APIMine returns the caller's own profile.
func (h *HTTP) APIMine(w http.ResponseWriter, r *http.Request) error {
	pr, err := h.Svc.Mine(r.Context())
	if err != nil {
		return err
	}
	if pr == nil {
		return errs.E(errs.NotFound, "error.not_found")
	}
	return web.JSON(w, http.StatusOK, pr)
}

// APISaveMine creates or updates the caller's own profile.
func (h *HTTP) APISaveMine(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	pr, err := h.Svc.SaveMine(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, pr)
}

// APIVerify records an office's check.
func (h *HTTP) APIVerify(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Note string `json:"note"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	pr, err := h.Svc.Verify(r.Context(), r.PathValue("id"), in.Note)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, pr)
}

// APINominate puts an expert forward.
func (h *HTTP) APINominate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Level    string `json:"level"`
		UnitCode string `json:"unit_code"`
		Note     string `json:"note"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	n, err := h.Svc.Nominate(r.Context(), r.PathValue("id"), in.Level, in.UnitCode, in.Note)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, n)
}

// APINominations lists nominations in the caller's scope.
func (h *HTTP) APINominations(w http.ResponseWriter, r *http.Request) error {
	ns, err := h.Svc.Nominations(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"nominations": nonNil(ns)})
}

// APIDecide selects or rejects a nomination.
func (h *HTTP) APIDecide(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Selected    bool   `json:"selected"`
		DecisionRef string `json:"decision_ref"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	n, err := h.Svc.Decide(r.Context(), r.PathValue("id"), in.Selected, in.DecisionRef)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, n)
}

// APINeeds lists the needs of the caller's scope.
func (h *HTTP) APINeeds(w http.ResponseWriter, r *http.Request) error {
	ns, err := h.Svc.Needs(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"needs": nonNil(ns)})
}

// APIPostNeed writes a need.
func (h *HTTP) APIPostNeed(w http.ResponseWriter, r *http.Request) error {
	var in NeedInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	n, err := h.Svc.PostNeed(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, n)
}

// APINeed returns a need.
func (h *HTTP) APINeed(w http.ResponseWriter, r *http.Request) error {
	n, err := h.Svc.Need(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, n)
}

// APIMatches ranks experts for a need (?n=, at most 50), each with its
// reasons in the caller's language.
func (h *HTTP) APIMatches(w http.ResponseWriter, r *http.Request) error {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	if n <= 0 || n > 50 {
		n = 10
	}
	ms, err := h.Svc.Matches(r.Context(), r.PathValue("id"), n)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"matches": reasonsIn(ms, web.LangOf(r))})
}

// APIInvite invites an expert to a need.
func (h *HTTP) APIInvite(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ProfileID string `json:"profile_id"`
		Message   string `json:"message"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	inv, err := h.Svc.Invite(r.Context(), r.PathValue("id"), in.ProfileID, in.Message)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, inv)
}

// APINeedInvitations lists a need's invitations.
func (h *HTTP) APINeedInvitations(w http.ResponseWriter, r *http.Request) error {
	invs, err := h.Svc.NeedInvitations(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"invitations": nonNil(invs)})
}

// APIMyInvitations lists the caller's invitations as an expert.
func (h *HTTP) APIMyInvitations(w http.ResponseWriter, r *http.Request) error {
	invs, err := h.Svc.MyInvitations(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"invitations": nonNil(invs)})
}

// APIAnswer accepts or declines an invitation.
func (h *HTTP) APIAnswer(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Accept bool   `json:"accept"`
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	inv, err := h.Svc.Answer(r.Context(), r.PathValue("id"), in.Accept, in.Reason)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, inv)
}

// APIRecord records an engagement's work and feedback.
func (h *HTTP) APIRecord(w http.ResponseWriter, r *http.Request) error {
	var in EngagementInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	inv, err := h.Svc.Record(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, inv)
}

// APIFields lists the taxonomy.
func (h *HTTP) APIFields(w http.ResponseWriter, r *http.Request) error {
	fs, err := h.Svc.Fields(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"fields": nonNil(fs)})
}

// APIChangeFields applies a taxonomy change.
func (h *HTTP) APIChangeFields(w http.ResponseWriter, r *http.Request) error {
	var in TaxonomyChange
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := h.Svc.ChangeTaxonomy(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]int{"version": v})
}

// APIWeights sets a unit's matching weights.
func (h *HTTP) APIWeights(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UnitCode string `json:"unit_code"`
		Weights
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.Svc.SetWeights(r.Context(), in.UnitCode, in.Weights); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, in.Weights)
}
