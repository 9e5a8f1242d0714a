package campaign

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
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

func (h *HTTP) form(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	return nil
}

func invalid(err error) (*errs.Error, bool) {
	e, ok := errs.As(err)
	return e, ok && e.Code == errs.Invalid
}

func zoneOf(r *http.Request) *time.Location {
	if p := auth.FromContext(r.Context()); p != nil {
		return p.Zone()
	}
	return time.Local
}

// localTime reads a datetime-local field in the reader's zone (0 when
// empty or not a time).
func localTime(v string, loc *time.Location) int64 {
	t, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(v), loc)
	if err != nil {
		return 0
	}
	return t.UnixMilli()
}

// ---- campaigns

// ListPage lists published campaigns, and the organiser's own with the
// form for a new one.
func (h *HTTP) ListPage(w http.ResponseWriter, r *http.Request) error {
	return h.listPage(w, r, http.StatusOK, nil, CampaignInput{StartsOn: h.Svc.today(), EndsOn: h.Svc.today()})
}

func (h *HTTP) listPage(w http.ResponseWriter, r *http.Request, status int, formErr *errs.Error, in CampaignInput) error {
	cs, err := h.Svc.Campaigns(r.Context(), CampaignFilter{Query: r.URL.Query().Get("q")})
	if err != nil {
		return err
	}
	data := map[string]any{"Campaigns": cs, "Q": r.URL.Query().Get("q"), "Today": h.Svc.today(), "Error": formErr, "In": in, "LinksText": LinksText(in.Links), "Groups": groupsAll()}
	if p := auth.FromContext(r.Context()); p.CanAnywhere(auth.ManageCampaigns) {
		mine, err := h.Svc.Campaigns(r.Context(), CampaignFilter{Mine: true, Limit: 100})
		if err != nil {
			return err
		}
		data["Mine"], data["CanManage"] = mine, true
	}
	return h.Web.Render(w, r, status, "campaign/list", "campaign.title", data)
}

func campaignOf(v url.Values) (CampaignInput, error) {
	links, err := ParseLinks(v.Get("links"))
	return CampaignInput{Slug: v.Get("slug"), NameVI: v.Get("name_vi"), NameEN: v.Get("name_en"), GoalVI: v.Get("goal_vi"), GoalEN: v.Get("goal_en"),
		UnitCode: v.Get("unit_code"), StartsOn: v.Get("starts_on"), EndsOn: v.Get("ends_on"), TargetCode: v.Get("target_code"), Groups: v["groups"],
		Links: links, Published: v.Get("published") == "1"}, err
}

// Create adds a campaign from the form.
func (h *HTTP) Create(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	in, err := campaignOf(r.PostForm)
	var c *Campaign
	if err == nil {
		c, err = h.Svc.SaveCampaign(r.Context(), "", in)
	}
	if e, ok := invalid(err); ok {
		return h.listPage(w, r, http.StatusBadRequest, e, in)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/campaigns/"+c.Slug, http.StatusSeeOther)
	return nil
}

// Page is a campaign's public page; its organisers see their forms too.
func (h *HTTP) Page(w http.ResponseWriter, r *http.Request) error {
	return h.page(w, r, http.StatusOK, nil, "")
}

func (h *HTTP) page(w http.ResponseWriter, r *http.Request, status int, formErr *errs.Error, notice string, rowErrs ...string) error {
	c, err := h.Svc.Campaign(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	if r.Method == http.MethodGet && c.Published {
		h.Svc.Visit(c)
	}
	data := map[string]any{"C": c, "Error": formErr, "Notice": notice, "Now": h.Svc.Exams.Now(), "Kinds": EventKinds, "RowErrors": rowErrs}
	if CanManage(r.Context(), c) {
		bps, err := h.Svc.Blueprints(r.Context(), c.ID)
		if err != nil {
			return err
		}
		data["CanManage"], data["Blueprints"], data["LinksText"], data["Groups"] = true, bps, LinksText(c.Links), groupsAll()
		data["In"] = CampaignInput{Slug: c.Slug, NameVI: c.NameVI, NameEN: c.NameEN, GoalVI: c.GoalVI, GoalEN: c.GoalEN, UnitCode: c.UnitCode, StartsOn: c.StartsOn, EndsOn: c.EndsOn,
			TargetCode: c.TargetCode, Groups: c.Groups, Links: c.Links, Published: c.Published}
		data["FirstOpens"] = h.Svc.clock().In(zoneOf(r)).Add(time.Hour).Format("2006-01-02T15:00")
		if data["Figures"], err = h.Svc.Figures(r.Context(), c); err != nil {
			return err
		}
	}
	return h.Web.RenderTitle(w, r, status, "campaign/campaign", c.Name(web.LangOf(r)), data)
}

// Update saves a campaign from its page.
func (h *HTTP) Update(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	c, err := h.Svc.Campaign(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	in, err := campaignOf(r.PostForm)
	if err == nil {
		c, err = h.Svc.SaveCampaign(r.Context(), c.ID, in)
	}
	if e, ok := invalid(err); ok {
		return h.page(w, r, http.StatusBadRequest, e, "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/campaigns/"+c.Slug, http.StatusSeeOther)
	return nil
}

// AddEvent adds an event from the campaign's page.
func (h *HTTP) AddEvent(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	c, err := h.Svc.Campaign(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	capacity, _ := strconv.Atoi(r.PostForm.Get("capacity"))
	_, err = h.Svc.AddEvent(r.Context(), c.ID, EventInput{Kind: r.PostForm.Get("kind"), Title: r.PostForm.Get("title"), StartsAt: localTime(r.PostForm.Get("starts_at"), zoneOf(r)),
		Place: r.PostForm.Get("place"), Link: r.PostForm.Get("link"), Capacity: capacity})
	if e, ok := invalid(err); ok {
		return h.page(w, r, http.StatusBadRequest, e, "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/campaigns/"+c.Slug+"#events", http.StatusSeeOther)
	return nil
}

// Register signs the reader up for an event.
func (h *HTTP) Register(w http.ResponseWriter, r *http.Request) error {
	_, c, err := h.Svc.event(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if _, err := h.Svc.Register(r.Context(), r.PathValue("id")); err != nil {
		if e, ok := errs.As(err); ok && e.Code == errs.Conflict {
			r.SetPathValue("slug", c.Slug)
			return h.page(w, r, http.StatusConflict, e, "")
		}
		return err
	}
	http.Redirect(w, r, "/campaigns/"+c.Slug+"#events", http.StatusSeeOther)
	return nil
}

// Attendance records how many came to an event.
func (h *HTTP) Attendance(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	_, c, err := h.Svc.event(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("attended")))
	if err != nil {
		n = -1
	}
	err = h.Svc.SetAttendance(r.Context(), r.PathValue("id"), n)
	if e, ok := invalid(err); ok {
		r.SetPathValue("slug", c.Slug)
		return h.page(w, r, http.StatusBadRequest, e, "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/campaigns/"+c.Slug+"#events", http.StatusSeeOther)
	return nil
}

// contestFromForm reads a contest from the campaign page's form: the
// rounds as a first opening, a length and a spacing.
func contestFromForm(v url.Values, loc *time.Location) ContestInput {
	atoi := func(k string) int { n, _ := strconv.Atoi(strings.TrimSpace(v.Get(k))); return n }
	in := ContestInput{Name: v.Get("name"), Rules: v.Get("rules"), BlueprintID: v.Get("blueprint_id"), Eligibility: v.Get("eligibility"), Groups: v["groups"],
		Tries: atoi("tries"), TimeLimitMin: atoi("time_limit_min"), Prediction: v.Get("prediction")}
	first, n, hours, every := localTime(v.Get("first_opens"), loc), atoi("rounds"), atoi("length_hours"), atoi("every_days")
	if first > 0 && n > 0 && n <= maxRounds && hours > 0 && hours <= 24*31 {
		for i := range n {
			opens := time.UnixMilli(first).In(loc).AddDate(0, 0, i*every)
			in.Rounds = append(in.Rounds, RoundInput{OpensAt: opens.UnixMilli(), ClosesAt: opens.Add(time.Duration(hours) * time.Hour).UnixMilli()})
		}
	} else if first == 0 || n > maxRounds {
		in.Rounds = nil
	} else {
		in.Rounds = []RoundInput{{OpensAt: first, ClosesAt: first}} // refused as a bad window
	}
	return in
}

// AddContest adds a contest from the campaign's page; an invitation
// list comes as a file.
func (h *HTTP) AddContest(w http.ResponseWriter, r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		r.Body = http.MaxBytesReader(w, r.Body, tabular.MaxBytes+1<<20)
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return errs.Field("invited_file", "error.too_large", tabular.MaxBytes>>20)
		}
	} else if err := h.form(r); err != nil {
		return err
	}
	c, err := h.Svc.Campaign(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	in := contestFromForm(r.PostForm, zoneOf(r))
	if f, _, ferr := r.FormFile("invited_file"); ferr == nil && in.Eligibility == Invited {
		defer f.Close()
		names, rows, err := ParseInvited(f)
		if err == nil {
			err = h.Svc.CheckInvited(r.Context(), names, rows)
		}
		if ie, ok := tabular.AsImportError(err); ok {
			return h.page(w, r, http.StatusBadRequest, nil, "", ie.Messages(web.LangOf(r))...)
		}
		if e, ok := invalid(err); ok {
			return h.page(w, r, http.StatusBadRequest, e, "")
		}
		if err != nil {
			return err
		}
		in.Invited = names
	}
	k, err := h.Svc.AddContest(r.Context(), c.ID, in)
	if ie, ok := tabular.AsImportError(err); ok {
		return h.page(w, r, http.StatusBadRequest, nil, "", ie.Messages(web.LangOf(r))...)
	}
	if e, ok := invalid(err); ok {
		return h.page(w, r, http.StatusBadRequest, e, "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/contests/"+k.ID, http.StatusSeeOther)
	return nil
}

// ---- contests

// ContestPage shows a contest's rules and rounds, the reader's tries and
// places, and the form to enter an open round.
func (h *HTTP) ContestPage(w http.ResponseWriter, r *http.Request) error {
	return h.contestPage(w, r, http.StatusOK, nil)
}

type roundView struct {
	R     *Round
	State string
	Entry *Entry
}

func (h *HTTP) contestPage(w http.ResponseWriter, r *http.Request, status int, formErr *errs.Error) error {
	k, c, err := h.Svc.Contest(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	now := h.Svc.Exams.Now()
	var rounds []roundView
	signedIn := auth.FromContext(r.Context()) != nil
	for _, rd := range k.Rounds {
		v := roundView{R: rd, State: rd.State(now)}
		if signedIn {
			if v.Entry, err = h.Svc.MyEntry(r.Context(), k, rd); err != nil {
				return err
			}
		}
		rounds = append(rounds, v)
	}
	overall, err := h.Svc.OverallBoard(r.Context(), k, "")
	if err != nil {
		return err
	}
	return h.Web.RenderTitle(w, r, status, "campaign/contest", k.Name, map[string]any{
		"K": k, "C": c, "Rounds": rounds, "Overall": overall, "Error": formErr, "SignedIn": signedIn, "CanManage": CanManage(r.Context(), c),
	})
}

func (h *HTTP) round(r *http.Request) (*Contest, *Campaign, *Round, error) {
	k, c, err := h.Svc.Contest(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, nil, nil, err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		return nil, nil, nil, errs.E(errs.NotFound, "error.not_found")
	}
	rd, err := k.Round(n)
	return k, c, rd, err
}

func enterOf(v url.Values) (EnterInput, error) {
	in := EnterInput{Consent: v.Get("consent") == "1"}
	if p := strings.TrimSpace(v.Get("prediction")); p != "" {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return in, errs.Field("prediction", "campaign.bad_prediction")
		}
		in.Prediction = &n
	}
	return in, nil
}

// Enter starts the reader's next try and sends them to the exam page.
func (h *HTTP) Enter(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	k, _, rd, err := h.round(r)
	if err != nil {
		return err
	}
	in, err := enterOf(r.PostForm)
	if err == nil {
		att, e := h.Svc.Enter(r.Context(), k, rd, in)
		if e == nil {
			http.Redirect(w, r, "/attempts/"+att.ID, http.StatusSeeOther)
			return nil
		}
		err = e
	}
	if e, ok := errs.As(err); ok && (e.Code == errs.Invalid || e.Code == errs.Conflict) {
		return h.contestPage(w, r, http.StatusBadRequest, e)
	}
	return err
}

// RoundPage is a round's leaderboard (?unit= narrows it to a unit's
// subtree), the reader's place, and for organisers the review of flagged
// entries, publishing and prizes.
func (h *HTTP) RoundPage(w http.ResponseWriter, r *http.Request) error {
	return h.roundPage(w, r, http.StatusOK, nil)
}

func (h *HTTP) roundPage(w http.ResponseWriter, r *http.Request, status int, formErr *errs.Error) error {
	k, c, rd, err := h.round(r)
	if err != nil {
		return err
	}
	scope := r.URL.Query().Get("unit")
	b, err := h.Svc.RoundBoard(r.Context(), k, rd, scope)
	if e, ok := invalid(err); ok {
		formErr, scope = e, ""
		b, err = h.Svc.RoundBoard(r.Context(), k, rd, "")
	}
	if err != nil {
		return err
	}
	data := map[string]any{"K": k, "C": c, "R": rd, "State": rd.State(h.Svc.Exams.Now()), "B": b, "Unit": scope, "Error": formErr}
	if auth.FromContext(r.Context()) != nil {
		if data["Entry"], err = h.Svc.MyEntry(r.Context(), k, rd); err != nil {
			return err
		}
	}
	if CanManage(r.Context(), c) {
		if data["Flagged"], err = h.Svc.Flagged(r.Context(), c, rd); err != nil {
			return err
		}
		data["CanManage"] = true
	}
	return h.Web.RenderTitle(w, r, status, "campaign/round", k.Name, data)
}

// Publish publishes a closed round's results.
func (h *HTTP) Publish(w http.ResponseWriter, r *http.Request) error {
	k, c, rd, err := h.round(r)
	if err != nil {
		return err
	}
	if err := h.Svc.Publish(r.Context(), k, c, rd); err != nil {
		if e, ok := errs.As(err); ok && e.Code == errs.Conflict {
			return h.roundPage(w, r, http.StatusConflict, e)
		}
		return err
	}
	http.Redirect(w, r, r.URL.Path[:strings.LastIndexByte(r.URL.Path, '/')], http.StatusSeeOther)
	return nil
}

// Decide records a fair-play decision from the round's page.
func (h *HTTP) Decide(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	_, c, rd, err := h.round(r)
	if err != nil {
		return err
	}
	err = h.Svc.Decide(r.Context(), c, rd, r.PostForm.Get("entrant"), r.PostForm.Get("decision"), r.PostForm.Get("reason"))
	if e, ok := invalid(err); ok {
		return h.roundPage(w, r, http.StatusBadRequest, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, r.URL.Path[:strings.LastIndexByte(r.URL.Path, '/')]+"#flagged", http.StatusSeeOther)
	return nil
}

// Prize records a prize from the round's page.
func (h *HTTP) Prize(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	_, c, rd, err := h.round(r)
	if err != nil {
		return err
	}
	err = h.Svc.SetPrize(r.Context(), c, rd, r.PostForm.Get("entrant"), r.PostForm.Get("prize"))
	if e, ok := errs.As(err); ok && (e.Code == errs.Invalid || e.Code == errs.Conflict) {
		return h.roundPage(w, r, http.StatusBadRequest, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, r.URL.Path[:strings.LastIndexByte(r.URL.Path, '/')], http.StatusSeeOther)
	return nil
}

// ---- messages

// MessagesPage lists the office's messages with the form for a new one.
func (h *HTTP) MessagesPage(w http.ResponseWriter, r *http.Request) error {
	return h.messagesPage(w, r, http.StatusOK, nil, MessageInput{Channels: []string{Notice}, CampaignID: r.URL.Query().Get("campaign")})
}

func (h *HTTP) messagesPage(w http.ResponseWriter, r *http.Request, status int, formErr *errs.Error, in MessageInput) error {
	ms, err := h.Svc.Messages(r.Context())
	if err != nil {
		return err
	}
	cs, err := h.Svc.Campaigns(r.Context(), CampaignFilter{Mine: true, Limit: 100})
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, status, "campaign/messages", "campaign.messages", map[string]any{
		"Messages": ms, "Campaigns": cs, "In": in, "Error": formErr, "Channels": Channels, "Topics": Topics, "Behaviours": Behaviours, "Groups": groupsAll(),
	})
}

// Compose schedules a message from the form.
func (h *HTTP) Compose(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	v := r.PostForm
	in := MessageInput{CampaignID: v.Get("campaign_id"), UnitCode: v.Get("unit_code"), Topic: v.Get("topic"), SubjectVI: v.Get("subject_vi"), SubjectEN: v.Get("subject_en"),
		BodyVI: v.Get("body_vi"), BodyEN: v.Get("body_en"), TargetCode: v.Get("target_code"), Groups: v["groups"], Behaviour: v.Get("behaviour"),
		BehaviourRef: v.Get("behaviour_ref"), Channels: v["channels"], SendAt: localTime(v.Get("send_at"), zoneOf(r))}
	m, err := h.Svc.Compose(r.Context(), in)
	if e, ok := invalid(err); ok {
		return h.messagesPage(w, r, http.StatusBadRequest, e, in)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/messages/"+m.ID, http.StatusSeeOther)
	return nil
}

// MessagePage shows a message and its delivery figures.
func (h *HTTP) MessagePage(w http.ResponseWriter, r *http.Request) error {
	m, err := h.Svc.Message(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.Web.RenderTitle(w, r, http.StatusOK, "campaign/message", m.Subject(web.LangOf(r)), map[string]any{"M": m, "Channels": Channels})
}

// CancelMessage stops a message not yet begun.
func (h *HTTP) CancelMessage(w http.ResponseWriter, r *http.Request) error {
	if err := h.Svc.Cancel(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/messages/"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}

// NoticesPage shows the reader's notices and the topics they receive.
func (h *HTTP) NoticesPage(w http.ResponseWriter, r *http.Request) error {
	ns, err := h.Svc.Notices(r.Context(), web.LangOf(r))
	if err != nil {
		return err
	}
	subs, err := h.Svc.Subscriptions(r.Context())
	if err != nil {
		return err
	}
	p := auth.FromContext(r.Context())
	return h.Web.Render(w, r, http.StatusOK, "campaign/notices", "campaign.notices", map[string]any{"Notices": ns, "Subs": subs, "Topics": Topics, "HasPerson": p.PersonID != ""})
}

// SaveTopics keeps the topics the reader chose to receive.
func (h *HTTP) SaveTopics(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	p := auth.FromContext(r.Context())
	if p.PersonID == "" {
		http.Redirect(w, r, "/notices", http.StatusSeeOther)
		return nil
	}
	for _, t := range Topics {
		if err := h.Svc.Unsubscribe(r.Context(), p.PersonID, t, "", r.PostForm.Get("topic_"+t) == "1"); err != nil {
			return err
		}
	}
	http.Redirect(w, r, "/notices#topics", http.StatusSeeOther)
	return nil
}

// UnsubscribePage confirms a link's unsubscribe before doing it (mail
// scanners follow links; a click on the button, or a mail client's
// one-click POST, does it).
func (h *HTTP) UnsubscribePage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	err := h.Svc.CheckUnsubscribe(r.Context(), q.Get("p"), q.Get("t"), q.Get("s"))
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "campaign/unsubscribe", "campaign.unsubscribe", map[string]any{"Q": q, "Topic": q.Get("t")})
}

// Unsubscribe stops a topic from a signed link (RFC 8058 one-click).
func (h *HTTP) Unsubscribe(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if err := h.Svc.Unsubscribe(r.Context(), q.Get("p"), q.Get("t"), q.Get("s"), false); err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "campaign/unsubscribe", "campaign.unsubscribe", map[string]any{"Done": true, "Topic": q.Get("t")})
}

func groupsAll() []string { return org.Groups }

// CertificateList downloads a round's list for issuing certificates
// (?achievement=CODE, &prizes=1 for the prize winners only).
func (h *HTTP) CertificateList(w http.ResponseWriter, r *http.Request) error {
	_, c, rd, err := h.round(r)
	if err != nil {
		return err
	}
	rows, err := h.Svc.CertificateList(r.Context(), c, rd, r.URL.Query().Get("achievement"), r.URL.Query().Get("prizes") == "1")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.WriteAll(rows)
	return web.Download(w, "text/csv; charset=utf-8", fmt.Sprintf("chung-nhan-vong-%d.csv", rd.Num), &buf)
}
