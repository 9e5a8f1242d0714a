package campaign

import (
	"net/http"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/web"
)

// APICampaigns lists published campaigns (?mine=1: those the caller runs).
func (h *HTTP) APICampaigns(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.Svc.Campaigns(r.Context(), CampaignFilter{Mine: r.URL.Query().Get("mine") == "1", Query: r.URL.Query().Get("q")})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"campaigns": cs})
}

// APICreate adds a campaign.
func (h *HTTP) APICreate(w http.ResponseWriter, r *http.Request) error {
	var in CampaignInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := h.Svc.SaveCampaign(r.Context(), "", in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, c)
}

// APICampaign returns a campaign with its events and contests.
func (h *HTTP) APICampaign(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Svc.Campaign(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}

// APIUpdate changes a campaign.
func (h *HTTP) APIUpdate(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Svc.Campaign(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	var in CampaignInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err = h.Svc.SaveCampaign(r.Context(), c.ID, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}

// APIAddEvent adds an event to a campaign.
func (h *HTTP) APIAddEvent(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Svc.Campaign(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	var in EventInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	e, err := h.Svc.AddEvent(r.Context(), c.ID, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, e)
}

// APIRegister signs the caller up for an event.
func (h *HTTP) APIRegister(w http.ResponseWriter, r *http.Request) error {
	e, err := h.Svc.Register(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, e)
}

// APIAddContest adds a contest with its rounds to a campaign.
func (h *HTTP) APIAddContest(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Svc.Campaign(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	var in ContestInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	k, err := h.Svc.AddContest(r.Context(), c.ID, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, k)
}

// APIContest returns a contest with its rounds and the caller's entries.
func (h *HTTP) APIContest(w http.ResponseWriter, r *http.Request) error {
	k, _, err := h.Svc.Contest(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	type roundJSON struct {
		*Round
		State string `json:"state"`
		Mine  *Entry `json:"mine,omitempty"`
	}
	out := struct {
		*Contest
		Rounds []roundJSON `json:"rounds"`
	}{Contest: k}
	now := h.Svc.Exams.Now()
	for _, rd := range k.Rounds {
		rj := roundJSON{Round: rd, State: rd.State(now)}
		if auth.FromContext(r.Context()) != nil {
			if rj.Mine, err = h.Svc.MyEntry(r.Context(), k, rd); err != nil {
				return err
			}
		}
		out.Rounds = append(out.Rounds, rj)
	}
	return web.JSON(w, http.StatusOK, out)
}

// APIEnter starts the caller's next try of a round; answering goes on
// through the exam API (/api/v1/attempts/{id}).
func (h *HTTP) APIEnter(w http.ResponseWriter, r *http.Request) error {
	k, _, rd, err := h.round(r)
	if err != nil {
		return err
	}
	var in EnterInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	a, err := h.Svc.Enter(r.Context(), k, rd, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"attempt_id": a.ID, "deadline": a.Ends(), "items": a.Items})
}

// APIRoundBoard is a round's leaderboard (?unit=).
func (h *HTTP) APIRoundBoard(w http.ResponseWriter, r *http.Request) error {
	k, _, rd, err := h.round(r)
	if err != nil {
		return err
	}
	b, err := h.Svc.RoundBoard(r.Context(), k, rd, r.URL.Query().Get("unit"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err = w.Write(b.JSON())
	return err
}

// APIOverallBoard is the contest's overall leaderboard (?unit=).
func (h *HTTP) APIOverallBoard(w http.ResponseWriter, r *http.Request) error {
	k, _, err := h.Svc.Contest(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	b, err := h.Svc.OverallBoard(r.Context(), k, r.URL.Query().Get("unit"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err = w.Write(b.JSON())
	return err
}

// APIPublish publishes a closed round's results.
func (h *HTTP) APIPublish(w http.ResponseWriter, r *http.Request) error {
	k, c, rd, err := h.round(r)
	if err != nil {
		return err
	}
	if err := h.Svc.Publish(r.Context(), k, c, rd); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, rd)
}

// entrantRow is a flagged entry as organisers read it through the API.
type entrantRow struct {
	*BoardRow
	Entrant string `json:"entrant"`
}

// APIFlagged lists a round's flagged entries.
func (h *HTTP) APIFlagged(w http.ResponseWriter, r *http.Request) error {
	_, c, rd, err := h.round(r)
	if err != nil {
		return err
	}
	rows, err := h.Svc.Flagged(r.Context(), c, rd)
	if err != nil {
		return err
	}
	out := make([]entrantRow, len(rows))
	for i, row := range rows {
		out[i] = entrantRow{row, row.AccountID}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"entries": out})
}

// APIDecide records a fair-play decision.
func (h *HTTP) APIDecide(w http.ResponseWriter, r *http.Request) error {
	_, c, rd, err := h.round(r)
	if err != nil {
		return err
	}
	var in struct {
		Entrant  string `json:"entrant"`
		Decision string `json:"decision"`
		Reason   string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.Svc.Decide(r.Context(), c, rd, in.Entrant, in.Decision, in.Reason); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]string{"decision": in.Decision})
}

// APIPrize records a prize.
func (h *HTTP) APIPrize(w http.ResponseWriter, r *http.Request) error {
	_, c, rd, err := h.round(r)
	if err != nil {
		return err
	}
	var in struct {
		Entrant string `json:"entrant"`
		Prize   string `json:"prize"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.Svc.SetPrize(r.Context(), c, rd, in.Entrant, in.Prize); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]string{"prize": in.Prize})
}

// APIMessages lists the office's messages.
func (h *HTTP) APIMessages(w http.ResponseWriter, r *http.Request) error {
	ms, err := h.Svc.Messages(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"messages": ms})
}

// APICompose schedules a message.
func (h *HTTP) APICompose(w http.ResponseWriter, r *http.Request) error {
	var in MessageInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	m, err := h.Svc.Compose(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, m)
}

// APIMessage returns a message with its delivery figures.
func (h *HTTP) APIMessage(w http.ResponseWriter, r *http.Request) error {
	m, err := h.Svc.Message(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, m)
}

// APICancel stops a message not yet begun.
func (h *HTTP) APICancel(w http.ResponseWriter, r *http.Request) error {
	if err := h.Svc.Cancel(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return h.APIMessage(w, r)
}

// APINotices are the caller's notices.
func (h *HTTP) APINotices(w http.ResponseWriter, r *http.Request) error {
	ns, err := h.Svc.Notices(r.Context(), web.LangOf(r))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"notices": ns})
}

// APIFigures are a campaign's participation figures, for its organisers.
func (h *HTTP) APIFigures(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Svc.Campaign(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	f, err := h.Svc.Figures(r.Context(), c)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, f)
}
