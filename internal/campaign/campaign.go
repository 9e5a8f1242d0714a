// Package campaign is the awareness room: campaigns (chiến dịch) with
// their public page and events, online knowledge contests (cuộc thi trực
// tuyến) run in rounds on the exam engine, their leaderboards, results,
// fair-play review and prizes, and messages to target groups by e-mail,
// SMS and in-app notice. Answering a contest is the exam engine's work:
// a round is one exam session per try, owned by this room; what this room
// ranks it learns from the engine's attempt-finished events. It reads
// units and people through the org service and accounts through auth.
package campaign

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"dxhub/internal/assessment"
	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/mail"
	"dxhub/internal/platform/sms"
	"dxhub/internal/platform/textfold"
)

// Bounds.
const (
	maxName   = 200
	maxText   = 5000
	maxLinks  = 30
	maxRounds = 20
	maxTries  = 5
)

// EventKinds are the kinds of event a campaign holds.
var EventKinds = []string{"dx_day", "training_day", "livestream", "other"}

// Link is something a campaign promotes: a course, a document, a page.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Campaign is a campaign of awareness: a period, an organising unit, the
// people it targets and what it promotes.
type Campaign struct {
	ID         string     `json:"id"`
	Slug       string     `json:"slug"`
	NameVI     string     `json:"name_vi"`
	NameEN     string     `json:"name_en,omitempty"`
	GoalVI     string     `json:"goal_vi,omitempty"`
	GoalEN     string     `json:"goal_en,omitempty"`
	UnitCode   string     `json:"unit_code"`
	UnitName   string     `json:"unit_name"`
	UnitID     string     `json:"-"`
	UnitPath   string     `json:"-"`
	StartsOn   string     `json:"starts_on"`
	EndsOn     string     `json:"ends_on"`
	TargetCode string     `json:"target_code"`
	TargetPath string     `json:"-"`
	Groups     []string   `json:"groups,omitempty"`
	Links      []Link     `json:"links,omitempty"`
	Published  bool       `json:"published"`
	Visits     int64      `json:"visits"`
	UpdatedAt  int64      `json:"updated_at"`
	Events     []*Event   `json:"events,omitempty"`
	Contests   []*Contest `json:"contests,omitempty"`
}

// inLang picks the English text for English readers when there is one.
func inLang(lang i18n.Lang, vi, en string) string {
	if lang == i18n.EN && en != "" {
		return en
	}
	return vi
}

// Name is the campaign's name in lang (Vietnamese when no English one).
func (c *Campaign) Name(lang i18n.Lang) string { return inLang(lang, c.NameVI, c.NameEN) }

// Goal is the campaign's goal in lang.
func (c *Campaign) Goal(lang i18n.Lang) string { return inLang(lang, c.GoalVI, c.GoalEN) }

// Live says whether the campaign runs on day (YYYY-MM-DD).
func (c *Campaign) Live(day string) bool { return c.StartsOn <= day && day <= c.EndsOn }

// CampaignInput is what an organiser writes of a campaign.
type CampaignInput struct {
	Slug       string   `json:"slug"`
	NameVI     string   `json:"name_vi"`
	NameEN     string   `json:"name_en"`
	GoalVI     string   `json:"goal_vi"`
	GoalEN     string   `json:"goal_en"`
	UnitCode   string   `json:"unit_code"`
	StartsOn   string   `json:"starts_on"`
	EndsOn     string   `json:"ends_on"`
	TargetCode string   `json:"target_code"`
	Groups     []string `json:"groups"`
	Links      []Link   `json:"links"`
	Published  bool     `json:"published"`
}

// Service is the campaign room.
type Service struct {
	DB    *db.DB
	Log   *slog.Logger
	Audit *audit.Log
	Org   *org.Service
	Auth  *auth.Service
	Exams *assessment.Exams
	Mail  mail.Sender
	SMS   sms.Sender
	// BaseURL starts the links put in messages.
	BaseURL string
	// Rates bound sending per channel, messages a second (0: unbounded).
	Rates map[string]int
	// Learn answers the course behaviours of a message's audience and
	// counts enrolments in the courses a campaign promotes.
	Learn interface {
		NotStarted(ctx context.Context, assignmentID string) ([]string, error)
		EnrolmentsIn(ctx context.Context, codes []string, path string, from, to int64) (int, error)
	}

	now      func() time.Time
	entrants *db.GroupCommit[entrant]
	once     sync.Once
	contests sync.Map // contest id → *cachedContest
	scopes   sync.Map // unit code → *cachedPath
	rounds   sync.Map // exam session id → *sessionRound (immutable once made)
	boards   sync.Map // boardKey → *board
	visits   sync.Map // campaign id → *atomic.Int64 not yet stored
	key      atomic.Pointer[[]byte]
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

func (s *Service) today() string { return s.clock().In(i18n.DefaultZone).Format(time.DateOnly) }

func (s *Service) audit(ctx context.Context, p *auth.Principal, action, objType, objID, path, detail string) error {
	if s.Audit == nil || p == nil {
		return nil
	}
	return s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: action, ObjectType: objType, ObjectID: objID, UnitPath: path, Detail: detail})
}

var slugRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,59}$`)

func checkLen(field, v string, max int, required bool) error {
	if required && v == "" {
		return errs.Field(field, "campaign.required")
	}
	if utf8.RuneCountInString(v) > max {
		return errs.Field(field, "campaign.too_long", max)
	}
	return nil
}

// goodLink accepts a page of dxhub (a path) or an https address.
func goodLink(v string) bool {
	if strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") {
		return !strings.ContainsAny(v, " \"'<>\\")
	}
	u, err := url.Parse(v)
	return err == nil && u.Scheme == "https" && u.Host != ""
}

func validGroups(gs []string) error {
	for _, g := range gs {
		if !slices.Contains(org.Groups, g) {
			return errs.Field("groups", "org.bad_group", g)
		}
	}
	return nil
}

func (in *CampaignInput) clean() error {
	in.Slug = strings.ToLower(strings.TrimSpace(in.Slug))
	in.NameVI, in.NameEN = textfold.NFC(strings.TrimSpace(in.NameVI)), textfold.NFC(strings.TrimSpace(in.NameEN))
	in.GoalVI, in.GoalEN = textfold.NFC(strings.TrimSpace(in.GoalVI)), textfold.NFC(strings.TrimSpace(in.GoalEN))
	if !slugRe.MatchString(in.Slug) {
		return errs.Field("slug", "campaign.bad_slug")
	}
	for _, c := range []struct {
		f, v     string
		max      int
		required bool
	}{{"name_vi", in.NameVI, maxName, true}, {"name_en", in.NameEN, maxName, false}, {"goal_vi", in.GoalVI, maxText, false}, {"goal_en", in.GoalEN, maxText, false}} {
		if err := checkLen(c.f, c.v, c.max, c.required); err != nil {
			return err
		}
	}
	if !i18n.IsDay(in.StartsOn) {
		return errs.Field("starts_on", "campaign.bad_day", in.StartsOn)
	}
	if !i18n.IsDay(in.EndsOn) || in.EndsOn < in.StartsOn {
		return errs.Field("ends_on", "campaign.bad_period")
	}
	if err := validGroups(in.Groups); err != nil {
		return err
	}
	if len(in.Links) > maxLinks {
		return errs.Field("links", "campaign.too_many", maxLinks)
	}
	for i, l := range in.Links {
		in.Links[i].Title = textfold.NFC(strings.TrimSpace(l.Title))
		in.Links[i].URL = strings.TrimSpace(l.URL)
		if in.Links[i].Title == "" || utf8.RuneCountInString(in.Links[i].Title) > maxName || !goodLink(in.Links[i].URL) {
			return errs.Field("links", "campaign.bad_link", i+1)
		}
	}
	return nil
}

// ParseLinks reads links written one a line as "title | address".
func ParseLinks(text string) ([]Link, error) {
	var out []Link
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		title, u, ok := strings.Cut(line, "|")
		if !ok {
			return nil, errs.Field("links", "campaign.bad_link", i+1)
		}
		out = append(out, Link{Title: strings.TrimSpace(title), URL: strings.TrimSpace(u)})
	}
	return out, nil
}

// LinksText writes links back one a line, for the form.
func LinksText(ls []Link) string {
	var b strings.Builder
	for _, l := range ls {
		fmt.Fprintf(&b, "%s | %s\n", l.Title, l.URL)
	}
	return b.String()
}

// placement resolves the organising and target units and checks that the
// caller runs campaigns on the organising one.
func (s *Service) placement(ctx context.Context, unitCode, targetCode string) (*auth.Principal, *org.Unit, *org.Unit, error) {
	u, err := s.Org.UnitByCode(ctx, strings.TrimSpace(unitCode))
	if err != nil || !u.Live() {
		return nil, nil, nil, errs.Field("unit_code", "org.unit_not_found", unitCode)
	}
	p, err := auth.Authorize(ctx, auth.ManageCampaigns, u.Path)
	if err != nil {
		return nil, nil, nil, err
	}
	t := u
	if tc := strings.TrimSpace(targetCode); tc != "" && tc != u.Code {
		t, err = s.Org.UnitByCode(ctx, tc)
		if err != nil || !t.Live() {
			return nil, nil, nil, errs.Field("target_code", "org.unit_not_found", targetCode)
		}
		if !strings.HasPrefix(t.Path, u.Path) {
			return nil, nil, nil, errs.Field("target_code", "campaign.target_outside")
		}
	}
	return p, u, t, nil
}

// SaveCampaign creates a campaign (id empty) or changes one; the caller
// runs campaigns on its unit (and, for a change, on the unit it had).
func (s *Service) SaveCampaign(ctx context.Context, id string, in CampaignInput) (*Campaign, error) {
	if err := in.clean(); err != nil {
		return nil, err
	}
	p, u, t, err := s.placement(ctx, in.UnitCode, in.TargetCode)
	if err != nil {
		return nil, err
	}
	links, _ := jsonText(in.Links)
	now := db.Now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var other string
		if err := tx.QueryRowContext(ctx, `SELECT id FROM cmp_campaigns WHERE slug = $1`, in.Slug).Scan(&other); err == nil && other != id {
			return errs.Field("slug", "campaign.slug_taken", in.Slug)
		} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if id == "" {
			id = db.NewID()
			_, err := tx.ExecContext(ctx, `INSERT INTO cmp_campaigns (id, slug, name_vi, name_en, goal_vi, goal_en, unit_id, unit_path, starts_on, ends_on, target_path, groups, courses, documents, published, created_by, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, '', $14, $15, $16, $16)`,
				id, in.Slug, in.NameVI, in.NameEN, in.GoalVI, in.GoalEN, u.ID, u.Path, in.StartsOn, in.EndsOn, t.Path, strings.Join(in.Groups, ","), links, db.Flag(in.Published), p.AccountID, now)
			return err
		}
		var was string
		if err := tx.QueryRowContext(ctx, `SELECT unit_path FROM cmp_campaigns WHERE id = $1`, id).Scan(&was); errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "error.not_found")
		} else if err != nil {
			return err
		}
		if !p.Can(auth.ManageCampaigns, was) {
			return errs.E(errs.Forbidden, "error.forbidden")
		}
		_, err := tx.ExecContext(ctx, `UPDATE cmp_campaigns SET slug = $1, name_vi = $2, name_en = $3, goal_vi = $4, goal_en = $5, unit_id = $6, unit_path = $7, starts_on = $8, ends_on = $9,
			target_path = $10, groups = $11, courses = $12, published = $13, updated_at = $14 WHERE id = $15`,
			in.Slug, in.NameVI, in.NameEN, in.GoalVI, in.GoalEN, u.ID, u.Path, in.StartsOn, in.EndsOn, t.Path, strings.Join(in.Groups, ","), links, db.Flag(in.Published), now, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.contests.Clear()
	if err := s.audit(ctx, p, "campaign.save", "campaign", id, u.Path, in.Slug); err != nil {
		return nil, err
	}
	return s.campaign(ctx, `c.id = $1`, id)
}

const campaignCols = `c.id, c.slug, c.name_vi, c.name_en, c.goal_vi, c.goal_en, c.unit_id, c.unit_path, c.starts_on, c.ends_on, c.target_path, c.groups, c.courses, c.published, c.visits, c.updated_at`

func scanCampaign(r db.Scanner) (*Campaign, error) {
	c := &Campaign{}
	var groups, links string
	var pub int
	err := r.Scan(&c.ID, &c.Slug, &c.NameVI, &c.NameEN, &c.GoalVI, &c.GoalEN, &c.UnitID, &c.UnitPath, &c.StartsOn, &c.EndsOn, &c.TargetPath, &groups, &links, &pub, &c.Visits, &c.UpdatedAt)
	c.Groups, c.Published = splitList(groups), pub != 0
	if links != "" {
		fromJSON(links, &c.Links)
	}
	return c, err
}

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func fromJSON(s string, v any) { _ = json.Unmarshal([]byte(s), v) }

func splitList(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// units fills the units' codes and names of campaigns.
func (s *Service) units(ctx context.Context, cs []*Campaign) error {
	ids := []string{}
	for _, c := range cs {
		ids = append(ids, c.UnitID, org.LeafID(c.TargetPath))
	}
	us, err := s.Org.UnitsByID(ctx, ids)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if u := us[c.UnitID]; u != nil {
			c.UnitCode, c.UnitName = u.Code, u.NameVI
		}
		if u := us[org.LeafID(c.TargetPath)]; u != nil {
			c.TargetCode = u.Code
		}
	}
	return nil
}

func (s *Service) campaign(ctx context.Context, where string, args ...any) (*Campaign, error) {
	cs, err := db.Query(ctx, s.DB.R, scanCampaign, `SELECT `+campaignCols+` FROM cmp_campaigns c WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	return cs[0], s.units(ctx, cs)
}

// visible says whether the caller may see a campaign: published ones are
// public; drafts only to those who run campaigns on its unit.
func visible(p *auth.Principal, c *Campaign) bool {
	return c.Published || (p != nil && p.Can(auth.ManageCampaigns, c.UnitPath))
}

// CanManage says whether the caller runs the campaign.
func CanManage(ctx context.Context, c *Campaign) bool {
	p := auth.FromContext(ctx)
	return p != nil && p.Can(auth.ManageCampaigns, c.UnitPath)
}

// Campaign reads a campaign by id or slug with its events and contests,
// for whoever may see it.
func (s *Service) Campaign(ctx context.Context, idOrSlug string) (*Campaign, error) {
	c, err := s.campaign(ctx, `c.id = $1 OR c.slug = $1`, idOrSlug)
	if err != nil {
		return nil, err
	}
	if p := auth.FromContext(ctx); !visible(p, c) {
		if p == nil {
			return nil, errs.E(errs.Unauthorized, "error.unauthorized") // a draft: its organisers sign in to see it
		}
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	if c.Events, err = s.eventsOf(ctx, c.ID); err != nil {
		return nil, err
	}
	if c.Contests, err = s.contestsOf(ctx, `c.campaign_id = $1`, c.ID); err != nil {
		return nil, err
	}
	if n, ok := s.visits.Load(c.ID); ok {
		c.Visits += n.(*atomic.Int64).Load()
	}
	return c, nil
}

// Visit counts a view of a campaign's public page; counts reach the
// database in batches (FlushVisits), not one write a view.
func (s *Service) Visit(c *Campaign) {
	n, _ := s.visits.LoadOrStore(c.ID, &atomic.Int64{})
	n.(*atomic.Int64).Add(1)
}

// FlushVisits stores the views counted since the last flush.
func (s *Service) FlushVisits(ctx context.Context) error {
	var errList []error
	s.visits.Range(func(k, v any) bool {
		if n := v.(*atomic.Int64).Swap(0); n > 0 {
			if _, err := s.DB.W.ExecContext(ctx, `UPDATE cmp_campaigns SET visits = visits + $1 WHERE id = $2`, n, k); err != nil {
				v.(*atomic.Int64).Add(n)
				errList = append(errList, err)
			}
		}
		return true
	})
	return errors.Join(errList...)
}

// CampaignFilter narrows the campaigns list.
type CampaignFilter struct {
	Mine  bool   // those the caller runs, drafts included
	Query string // words of the name
	Limit int
}

// Campaigns lists published campaigns, newest first (or those the caller
// runs).
func (s *Service) Campaigns(ctx context.Context, f CampaignFilter) ([]*Campaign, error) {
	where, args := `c.published = 1`, []any{}
	if f.Mine {
		_, scopes, err := auth.RequireScopes(ctx, auth.ManageCampaigns)
		if err != nil {
			return nil, err
		}
		var conds []string
		for _, sc := range scopes {
			args = append(args, s.DB.Dialect.PrefixPattern(sc))
			conds = append(conds, s.DB.Dialect.PrefixMatch("c.unit_path", len(args)))
		}
		where = `(` + strings.Join(conds, ` OR `) + `)`
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	cs, err := db.Query(ctx, s.DB.R, scanCampaign, `SELECT `+campaignCols+` FROM cmp_campaigns c WHERE `+where+` ORDER BY c.starts_on DESC, c.id DESC LIMIT `+fmt.Sprint(f.Limit*4), args...)
	if err != nil {
		return nil, err
	}
	if q := textfold.Fold(f.Query); q != "" {
		cs = slices.DeleteFunc(cs, func(c *Campaign) bool {
			return !strings.Contains(textfold.Fold(c.NameVI+" "+c.NameEN), q)
		})
	}
	cs = append([]*Campaign{}, cs[:min(len(cs), f.Limit)]...)
	return cs, s.units(ctx, cs)
}

// ---- events

// Event is something a campaign holds on a day: a DX day, a training
// day, a livestream Q&A.
type Event struct {
	ID         string `json:"id"`
	CampaignID string `json:"campaign_id"`
	Kind       string `json:"kind"`
	Title      string `json:"title"`
	StartsAt   int64  `json:"starts_at"`
	Place      string `json:"place,omitempty"`
	Link       string `json:"link,omitempty"`
	Capacity   int    `json:"capacity"`
	Registered int    `json:"registered"`
	Attended   int    `json:"attended"`
	Mine       bool   `json:"registered_by_me"`
}

// EventInput is what an organiser writes of an event.
type EventInput struct {
	Kind     string `json:"kind"`
	Title    string `json:"title"`
	StartsAt int64  `json:"starts_at"`
	Place    string `json:"place"`
	Link     string `json:"link"`
	Capacity int    `json:"capacity"`
}

// AddEvent adds an event to a campaign the caller runs.
func (s *Service) AddEvent(ctx context.Context, campaignID string, in EventInput) (*Event, error) {
	c, err := s.managed(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	in.Title, in.Place, in.Link = textfold.NFC(strings.TrimSpace(in.Title)), strings.TrimSpace(in.Place), strings.TrimSpace(in.Link)
	switch {
	case !slices.Contains(EventKinds, in.Kind):
		return nil, errs.Field("kind", "campaign.bad_kind", in.Kind)
	case in.Title == "" || utf8.RuneCountInString(in.Title) > maxName:
		return nil, errs.Field("title", "campaign.bad_title", maxName)
	case in.StartsAt <= 0:
		return nil, errs.Field("starts_at", "campaign.bad_time")
	case in.Place == "" && in.Link == "":
		return nil, errs.Field("place", "campaign.place_or_link")
	case utf8.RuneCountInString(in.Place) > maxName:
		return nil, errs.Field("place", "campaign.too_long", maxName)
	case in.Link != "" && !goodLink(in.Link):
		return nil, errs.Field("link", "campaign.bad_link", 1)
	case in.Capacity < 0 || in.Capacity > 10_000_000:
		return nil, errs.Field("capacity", "campaign.bad_number")
	}
	e := &Event{ID: db.NewID(), CampaignID: c.ID, Kind: in.Kind, Title: in.Title, StartsAt: in.StartsAt, Place: in.Place, Link: in.Link, Capacity: in.Capacity}
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO cmp_events (id, campaign_id, kind, title, starts_at, place, link, capacity, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.ID, e.CampaignID, e.Kind, e.Title, e.StartsAt, e.Place, e.Link, e.Capacity, db.Now()); err != nil {
		return nil, err
	}
	return e, s.audit(ctx, auth.FromContext(ctx), "campaign.event", "campaign", c.ID, c.UnitPath, e.Title)
}

func (s *Service) eventsOf(ctx context.Context, campaignID string) ([]*Event, error) {
	me := ""
	if p := auth.FromContext(ctx); p != nil {
		me = p.AccountID
	}
	return db.Query(ctx, s.DB.R, func(r db.Scanner) (*Event, error) {
		e := &Event{}
		var mine int
		err := r.Scan(&e.ID, &e.CampaignID, &e.Kind, &e.Title, &e.StartsAt, &e.Place, &e.Link, &e.Capacity, &e.Attended, &e.Registered, &mine)
		e.Mine = mine > 0
		return e, err
	}, `SELECT e.id, e.campaign_id, e.kind, e.title, e.starts_at, e.place, e.link, e.capacity, e.attended,
		(SELECT COUNT(*) FROM cmp_registrations r WHERE r.event_id = e.id),
		(SELECT COUNT(*) FROM cmp_registrations r WHERE r.event_id = e.id AND r.account_id = $2)
		FROM cmp_events e WHERE e.campaign_id = $1 ORDER BY e.starts_at`, campaignID, me)
}

// event reads an event and its campaign, for whoever may see the campaign.
func (s *Service) event(ctx context.Context, id string) (*Event, *Campaign, error) {
	var cid string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT campaign_id FROM cmp_events WHERE id = $1`, id).Scan(&cid); errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errs.E(errs.NotFound, "error.not_found")
	} else if err != nil {
		return nil, nil, err
	}
	c, err := s.Campaign(ctx, cid)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range c.Events {
		if e.ID == id {
			return e, c, nil
		}
	}
	return nil, nil, errs.E(errs.NotFound, "error.not_found")
}

// Register signs the caller up for an event (again: nothing changes).
func (s *Service) Register(ctx context.Context, eventID string) (*Event, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	e, c, err := s.event(ctx, eventID)
	if err != nil {
		return nil, err
	}
	if e.Mine {
		return e, nil
	}
	if e.StartsAt < s.clock().UnixMilli() {
		return nil, errs.E(errs.Conflict, "campaign.event_past")
	}
	if !c.Published {
		return nil, errs.E(errs.Conflict, "campaign.not_published")
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cmp_registrations WHERE event_id = $1`, e.ID).Scan(&n); err != nil {
			return err
		}
		if e.Capacity > 0 && n >= e.Capacity {
			return errs.E(errs.Conflict, "campaign.event_full")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO cmp_registrations (event_id, account_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, e.ID, p.AccountID, db.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	e.Mine, e.Registered = true, e.Registered+1
	return e, nil
}

// SetAttendance records how many came to an event (the organiser's count).
func (s *Service) SetAttendance(ctx context.Context, eventID string, n int) error {
	e, c, err := s.event(ctx, eventID)
	if err != nil {
		return err
	}
	p, err := auth.Authorize(ctx, auth.ManageCampaigns, c.UnitPath)
	if err != nil {
		return err
	}
	if n < 0 || n > 10_000_000 {
		return errs.Field("attended", "campaign.bad_number")
	}
	if _, err := s.DB.W.ExecContext(ctx, `UPDATE cmp_events SET attended = $1 WHERE id = $2`, n, e.ID); err != nil {
		return err
	}
	return s.audit(ctx, p, "campaign.attendance", "campaign", c.ID, c.UnitPath, fmt.Sprintf("%s: %d", e.Title, n))
}

// managed reads a campaign the caller runs.
func (s *Service) managed(ctx context.Context, id string) (*Campaign, error) {
	c, err := s.campaign(ctx, `c.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if _, err := auth.Authorize(ctx, auth.ManageCampaigns, c.UnitPath); err != nil {
		if e, ok := errs.As(err); ok && e.Code == errs.Forbidden && !c.Published {
			return nil, errs.E(errs.NotFound, "error.not_found")
		}
		return nil, err
	}
	return c, nil
}

// Figures are a campaign's participation so far, for its organisers.
type Figures struct {
	Visits        int `json:"visits"`
	Registrations int `json:"registrations"`
	Attendance    int `json:"attendance"`
	Entrants      int `json:"entrants"` // distinct people who finished a try of its contests
	Entries       int `json:"entries"`  // their best tries, a round each
	Enrolments    int `json:"enrolments"`
	// SignUps are the accounts made during the period: shown for a
	// campaign of the whole country only (an account belongs to no unit
	// until it claims a record).
	SignUps int  `json:"sign_ups"`
	Nation  bool `json:"nation"`
}

// Figures counts a campaign's participation: page views, events' sign-ups
// and attendance, contest entries, enrolments in the courses it promotes
// by people of its target during its period, and (nation-wide) new
// accounts during its period.
func (s *Service) Figures(ctx context.Context, c *Campaign) (*Figures, error) {
	if _, err := auth.Authorize(ctx, auth.ManageCampaigns, c.UnitPath); err != nil {
		return nil, err
	}
	f := &Figures{Visits: int(c.Visits)}
	for _, e := range c.Events {
		f.Registrations += e.Registered
		f.Attendance += e.Attended
	}
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(DISTINCT e.account_id), COUNT(*) FROM cmp_entries e JOIN cmp_rounds r ON r.id = e.round_id JOIN cmp_contests k ON k.id = r.contest_id
		WHERE k.campaign_id = $1 AND e.decision <> $2`, c.ID, Disqualified).Scan(&f.Entrants, &f.Entries); err != nil {
		return nil, err
	}
	from, err := time.ParseInLocation(time.DateOnly, c.StartsOn, i18n.DefaultZone)
	if err != nil {
		return nil, err
	}
	to, err := time.ParseInLocation(time.DateOnly, c.EndsOn, i18n.DefaultZone)
	if err != nil {
		return nil, err
	}
	to = to.AddDate(0, 0, 1)
	var codes []string
	for _, l := range c.Links {
		if code, ok := strings.CutPrefix(l.URL, "/courses/"); ok {
			code, _, _ = strings.Cut(code, "/")
			code, _, _ = strings.Cut(code, "?")
			if code != "" {
				codes = append(codes, code)
			}
		}
	}
	if s.Learn != nil {
		if f.Enrolments, err = s.Learn.EnrolmentsIn(ctx, codes, c.TargetPath, from.UnixMilli(), to.UnixMilli()); err != nil {
			return nil, err
		}
	}
	if f.Nation = strings.Count(strings.Trim(c.TargetPath, "/"), "/") == 0; f.Nation {
		if f.SignUps, err = s.Auth.SignUpsBetween(ctx, from.UnixMilli(), to.UnixMilli()); err != nil {
			return nil, err
		}
	}
	return f, nil
}
