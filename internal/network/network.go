// Package network is the DX network room: the villages and residential
// groups a commune keeps below itself, steering committees (ban chỉ đạo)
// and community digital technology teams (tổ công nghệ số cộng đồng)
// attached to a unit of the tree, their members — people of the tree —
// and the help members give residents, logged from a phone. It keeps
// roll-ups of that help per unit and month, and of its stock per unit, in
// the same transactions, so coverage is read, not counted, at national
// size. It reads units and people through the org service only.
package network

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/files"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/mail"
)

// Kinds of team.
const (
	Committee     = "committee"      // ban chỉ đạo chuyển đổi số
	CommunityTeam = "community_team" // tổ công nghệ số cộng đồng
)

// TeamKinds are the kinds of team, in the order forms show them.
var TeamKinds = []string{CommunityTeam, Committee}

// Roles in a team.
const (
	Leader = "leader"
	Member = "member"
)

// MemberRoles are the roles in a team.
var MemberRoles = []string{Leader, Member}

// VillageKinds: thôn, bản, ấp, buôn… (village) or tổ dân phố
// (residential group, in towns).
var VillageKinds = []string{"village", "residential_group"}

// ActivityKinds are what help a member logs.
var ActivityKinds = []string{"public_service", "vneid", "e_payment", "skills_session", "scam_warning", "other"}

// Campaigns are the days activities may be tagged with.
var Campaigns = []string{"dx_day", "digital_literacy_month", "cashless_day"}

// Bounds.
const (
	maxName      = 200
	maxNote      = 1000
	maxPeople    = 10000 // helped in one entry
	maxVillages  = 200   // covered by one team
	maxClientKey = 64
)

// Team is a committee or a community team.
type Team struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	UnitID      string    `json:"unit_id"`
	UnitCode    string    `json:"unit_code"`
	UnitName    string    `json:"unit_name"`
	UnitPath    string    `json:"-"`
	Name        string    `json:"name"`
	FoundedOn   string    `json:"founded_on,omitempty"`
	DissolvedOn string    `json:"dissolved_on,omitempty"`
	Villages    []Village `json:"villages"`
	Members     []*Mem    `json:"members,omitempty"`
	// Trained is how many current members completed at least one course
	// (the team's training coverage), on a team read whole.
	Trained   int   `json:"trained"`
	Current   int   `json:"current_members"`
	UpdatedAt int64 `json:"updated_at"`
}

// Active reports whether the team has not been dissolved by day (YYYY-MM-DD).
func (t *Team) Active(day string) bool { return t.DissolvedOn == "" || t.DissolvedOn > day }

// Village is a village or residential group of a commune.
type Village struct {
	ID     string `json:"id"`
	UnitID string `json:"unit_id,omitempty"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
}

// Mem is a person's membership of a team.
type Mem struct {
	ID       string `json:"id"`
	TeamID   string `json:"team_id"`
	PersonID string `json:"person_id"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	JoinedOn string `json:"joined_on"`
	LeftOn   string `json:"left_on,omitempty"`
	// Phone and Skills are personal data: shown only to those who keep
	// the team's network.
	Phone  string `json:"phone,omitempty"`
	Skills string `json:"skills,omitempty"`
	// Courses is how many courses the member completed on dxhub, and
	// Credentials how many certificates in force they hold.
	Courses     int `json:"courses"`
	Credentials int `json:"credentials"`
}

// Current reports whether the membership holds on day.
func (m *Mem) Current(day string) bool {
	return m.JoinedOn <= day && (m.LeftOn == "" || m.LeftOn > day)
}

// TeamInput is a team as a form or the API gives it.
type TeamInput struct {
	Kind        string   `json:"kind"`
	UnitCode    string   `json:"unit_code"`
	Name        string   `json:"name"`
	FoundedOn   string   `json:"founded_on"`
	DissolvedOn string   `json:"dissolved_on"`
	Villages    []string `json:"villages"` // ids of the unit's villages
}

// MemberInput adds a person to a team: an existing person by key, or a
// new one by name (created in the team's unit).
type MemberInput struct {
	PersonKey string `json:"person_key"`
	FullName  string `json:"full_name"`
	Role      string `json:"role"`
	JoinedOn  string `json:"joined_on"`
	LeftOn    string `json:"left_on"`
	Phone     string `json:"phone"`
	Skills    string `json:"skills"`
}

// Activity is help logged by a member or for a team.
type Activity struct {
	ID        string `json:"id"`
	TeamID    string `json:"team_id"`
	VillageID string `json:"village_id,omitempty"`
	DoneOn    string `json:"done_on"`
	Kind      string `json:"kind"`
	Service   string `json:"service,omitempty"`
	People    int    `json:"people"`
	Note      string `json:"note,omitempty"`
	PhotoID   string `json:"photo_id,omitempty"`
	Campaign  string `json:"campaign,omitempty"`
	MemberID  string `json:"member_id,omitempty"`
	// ClientKey makes a resend harmless: a second entry with the same key
	// from the same account is not stored again.
	ClientKey string `json:"client_key"`
	LoggedBy  string `json:"-"`
	CreatedAt int64  `json:"created_at"`
	// Duplicate is set on the answer to a resend.
	Duplicate bool `json:"duplicate,omitempty"`
}

// validDay: a day as forms and the API write it.
func validDay(s string) bool { return i18n.IsDay(s) }

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// Validate checks a team's own fields.
func (in *TeamInput) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case !slices.Contains(TeamKinds, in.Kind):
		return errs.Field("kind", "network.bad_kind", in.Kind)
	case in.Name == "" || tooLong(in.Name, maxName):
		return errs.Field("name", "network.bad_name", maxName)
	case in.FoundedOn != "" && !validDay(in.FoundedOn):
		return errs.Field("founded_on", "network.bad_day", in.FoundedOn)
	case in.DissolvedOn != "" && !validDay(in.DissolvedOn):
		return errs.Field("dissolved_on", "network.bad_day", in.DissolvedOn)
	case in.FoundedOn != "" && in.DissolvedOn != "" && in.DissolvedOn < in.FoundedOn:
		return errs.Field("dissolved_on", "network.dissolved_before")
	case len(in.Villages) > maxVillages:
		return errs.Field("villages", "network.too_many_villages", maxVillages)
	case in.Kind == Committee && len(in.Villages) > 0:
		return errs.Field("villages", "network.committee_villages")
	}
	return nil
}

// Validate checks a membership's own fields.
func (in *MemberInput) Validate() error {
	in.PersonKey, in.FullName, in.Phone = strings.TrimSpace(in.PersonKey), strings.TrimSpace(in.FullName), strings.TrimSpace(in.Phone)
	switch {
	case in.PersonKey == "" && in.FullName == "":
		return errs.Field("person_key", "network.person_needed")
	case tooLong(in.FullName, maxName):
		return errs.Field("full_name", "network.bad_name", maxName)
	case !slices.Contains(MemberRoles, in.Role):
		return errs.Field("role", "network.bad_role", in.Role)
	case !validDay(in.JoinedOn):
		return errs.Field("joined_on", "network.bad_day", in.JoinedOn)
	case in.LeftOn != "" && !validDay(in.LeftOn):
		return errs.Field("left_on", "network.bad_day", in.LeftOn)
	case in.LeftOn != "" && in.LeftOn < in.JoinedOn:
		return errs.Field("left_on", "network.left_before")
	case in.Phone != "" && !phonePattern.MatchString(in.Phone):
		return errs.Field("phone", "network.bad_phone", in.Phone)
	case tooLong(in.Skills, maxNote):
		return errs.Field("skills", "network.too_long", maxNote)
	}
	return nil
}

var phonePattern = regexp.MustCompile(`^\+?[0-9 .-]{8,15}$`)

// Validate checks an activity's own fields against today (no help logged
// for tomorrow, nor older than a year).
func (a *Activity) Validate(today string) error {
	a.Service, a.Note, a.ClientKey = strings.TrimSpace(a.Service), strings.TrimSpace(a.Note), strings.TrimSpace(a.ClientKey)
	yearAgo, _ := time.Parse(time.DateOnly, today)
	switch {
	case a.ClientKey == "" || len(a.ClientKey) > maxClientKey:
		return errs.Field("client_key", "network.bad_client_key", maxClientKey)
	case !validDay(a.DoneOn):
		return errs.Field("done_on", "network.bad_day", a.DoneOn)
	case a.DoneOn > today:
		return errs.Field("done_on", "network.future_day", a.DoneOn)
	case a.DoneOn < yearAgo.AddDate(-1, 0, 0).Format(time.DateOnly):
		return errs.Field("done_on", "network.old_day", a.DoneOn)
	case !slices.Contains(ActivityKinds, a.Kind):
		return errs.Field("kind", "network.bad_activity", a.Kind)
	case a.Kind == "public_service" && a.Service == "":
		return errs.Field("service", "network.service_needed")
	case tooLong(a.Service, maxName):
		return errs.Field("service", "network.too_long", maxName)
	case a.People < 1 || a.People > maxPeople:
		return errs.Field("people", "network.bad_people", maxPeople)
	case tooLong(a.Note, maxNote):
		return errs.Field("note", "network.too_long", maxNote)
	case a.Campaign != "" && !slices.Contains(Campaigns, a.Campaign):
		return errs.Field("campaign", "network.bad_campaign", a.Campaign)
	}
	return nil
}

// Service is the network room.
type Service struct {
	DB    *db.DB
	Log   *slog.Logger
	Audit *audit.Log
	Org   *org.Service
	// Auth and Mail reach the lead units of late tasks; BaseURL starts
	// the links mailed.
	Auth    *auth.Service
	Mail    mail.Sender
	BaseURL string
	// Files stores photos of activities and evidence of task reports.
	Files files.Store
	// Learn says how far members have trained, Creds what certificates
	// they hold (nil: not shown).
	Learn interface {
		CompletedCourses(ctx context.Context, personIDs []string) (map[string]int, error)
	}
	Creds interface {
		HeldBy(ctx context.Context, personIDs []string) (map[string]int, error)
	}
	// log batches activity entries from many phones into one transaction
	// (started on first use).
	log  *db.GroupCommit[*pendingLog]
	once sync.Once
	// now is the clock (tests move it); nil is time.Now.
	now func() time.Time
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// today is the date in Vietnam.
func (s *Service) today() string { return s.clock().In(i18n.DefaultZone).Format(time.DateOnly) }

// Close stops the activity writer after the entries already queued.
func (s *Service) Close() {
	if s.log != nil {
		s.log.Close()
	}
}

// unit resolves a unit code for a field.
func (s *Service) unit(ctx context.Context, field, code string) (*org.Unit, error) {
	u, err := s.Org.UnitByCode(ctx, strings.TrimSpace(code))
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return nil, errs.Field(field, "network.bad_unit", code)
		}
		return nil, err
	}
	return u, nil
}

func (s *Service) record(ctx context.Context, p *auth.Principal, action, objType, objID, path, detail string) error {
	if s.Audit == nil || p == nil {
		return nil
	}
	return s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: action, ObjectType: objType, ObjectID: objID, UnitPath: path, Detail: detail})
}

// ---- villages

// Villages lists a unit's villages; anyone who sees the unit's network
// (or logs for one of its teams) may read them.
func (s *Service) Villages(ctx context.Context, unitCode string) ([]Village, error) {
	u, err := s.unit(ctx, "unit", unitCode)
	if err != nil {
		return nil, err
	}
	if _, err := auth.Authorize(ctx, auth.ViewNetwork, u.Path); err != nil {
		return nil, err
	}
	return s.villagesOf(ctx, s.DB.R, u.ID)
}

// AddVillages adds villages to a unit (a commune keeps its own), all or
// none: a name already there is an error naming it.
func (s *Service) AddVillages(ctx context.Context, unitCode string, vs []Village) ([]Village, error) {
	u, err := s.unit(ctx, "unit_code", unitCode)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.ManageNetwork, u.Path)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 || len(vs) > 500 {
		return nil, errs.Field("villages", "network.villages_count", 500)
	}
	seen := map[string]bool{}
	for i := range vs {
		v := &vs[i]
		v.Name = strings.Join(strings.Fields(v.Name), " ")
		if v.Kind == "" {
			v.Kind = "village"
		}
		switch {
		case v.Name == "" || tooLong(v.Name, maxName):
			return nil, errs.Field(fmt.Sprintf("villages[%d].name", i), "network.bad_name", maxName)
		case !slices.Contains(VillageKinds, v.Kind):
			return nil, errs.Field(fmt.Sprintf("villages[%d].kind", i), "network.bad_village_kind", v.Kind)
		case seen[strings.ToLower(v.Name)]:
			return nil, errs.Field(fmt.Sprintf("villages[%d].name", i), "network.village_twice", v.Name)
		}
		seen[strings.ToLower(v.Name)] = true
		v.ID, v.UnitID = db.NewID(), u.ID
	}
	now := db.Now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		have, err := s.villagesOf(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		for _, h := range have {
			if seen[strings.ToLower(h.Name)] {
				return errs.Field("villages", "network.village_exists", h.Name)
			}
		}
		for _, v := range vs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO net_villages (id, unit_id, unit_path, name, kind, created_at) VALUES ($1, $2, $3, $4, $5, $6)`, v.ID, u.ID, u.Path, v.Name, v.Kind, now); err != nil {
				return err
			}
		}
		return restat(ctx, tx, u.ID, u.Path)
	})
	if err != nil {
		return nil, err
	}
	return vs, s.record(ctx, p, "network_villages_added", "unit", u.ID, u.Path, fmt.Sprintf("%d", len(vs)))
}

// SetPopulation records a unit's population (for members per 1,000
// residents).
func (s *Service) SetPopulation(ctx context.Context, unitCode string, population int64, asOf string) error {
	u, err := s.unit(ctx, "unit_code", unitCode)
	if err != nil {
		return err
	}
	p, err := auth.Authorize(ctx, auth.ManageNetwork, u.Path)
	if err != nil {
		return err
	}
	if population < 0 || population > 20_000_000 {
		return errs.Field("population", "network.bad_population")
	}
	if !validDay(asOf) {
		return errs.Field("as_of", "network.bad_day", asOf)
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO net_population (unit_id, population, as_of) VALUES ($1, $2, $3)
			ON CONFLICT (unit_id) DO UPDATE SET population = excluded.population, as_of = excluded.as_of`, u.ID, population, asOf); err != nil {
			return err
		}
		return restat(ctx, tx, u.ID, u.Path)
	})
	if err != nil {
		return err
	}
	return s.record(ctx, p, "network_population_set", "unit", u.ID, u.Path, fmt.Sprintf("%d %s", population, asOf))
}

// ---- teams

// CreateTeam adds a committee or team to a unit.
func (s *Service) CreateTeam(ctx context.Context, in TeamInput) (*Team, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	u, err := s.unit(ctx, "unit_code", in.UnitCode)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.ManageNetwork, u.Path)
	if err != nil {
		return nil, err
	}
	t := &Team{ID: db.NewID()}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkVillages(ctx, tx, u.ID, in.Villages); err != nil {
			return err
		}
		now := db.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO net_teams (id, kind, unit_id, unit_path, name, founded_on, dissolved_on, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
			t.ID, in.Kind, u.ID, u.Path, in.Name, in.FoundedOn, in.DissolvedOn, now); err != nil {
			return err
		}
		if err := setTeamVillages(ctx, tx, t.ID, in.Villages); err != nil {
			return err
		}
		return restat(ctx, tx, u.ID, u.Path)
	})
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "network_team_created", "team", t.ID, u.Path, in.Name); err != nil {
		return nil, err
	}
	return s.Team(ctx, t.ID)
}

// UpdateTeam changes a team's name, dates and villages (not its unit).
func (s *Service) UpdateTeam(ctx context.Context, id string, in TeamInput) (*Team, error) {
	t, err := s.team(ctx, s.DB.R, id)
	if err != nil {
		return nil, err
	}
	in.Kind = t.Kind
	if err := in.Validate(); err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.ManageNetwork, t.UnitPath)
	if err != nil {
		return nil, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkVillages(ctx, tx, t.UnitID, in.Villages); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE net_teams SET name = $1, founded_on = $2, dissolved_on = $3, updated_at = $4 WHERE id = $5`, in.Name, in.FoundedOn, in.DissolvedOn, db.Now(), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM net_team_villages WHERE team_id = $1`, id); err != nil {
			return err
		}
		if err := setTeamVillages(ctx, tx, id, in.Villages); err != nil {
			return err
		}
		return restat(ctx, tx, t.UnitID, t.UnitPath)
	})
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "network_team_updated", "team", id, t.UnitPath, in.Name); err != nil {
		return nil, err
	}
	return s.Team(ctx, id)
}

// checkVillages refuses a village id that is not the unit's own.
func (s *Service) checkVillages(ctx context.Context, q db.Querier, unitID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	have, err := s.villagesOf(ctx, q, unitID)
	if err != nil {
		return err
	}
	own := map[string]bool{}
	for _, v := range have {
		own[v.ID] = true
	}
	for i, id := range ids {
		if !own[id] {
			return errs.Field(fmt.Sprintf("villages[%d]", i), "network.bad_village", id)
		}
	}
	return nil
}

// Team returns a team with its villages and members. Members' contact
// details are shown to those who keep the network, and the view is
// audited; people who only see the network, or the team's own members,
// see names and roles.
func (s *Service) Team(ctx context.Context, id string) (*Team, error) {
	t, err := s.team(ctx, s.DB.R, id)
	if err != nil {
		return nil, err
	}
	if err := s.name(ctx, t); err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	manage := p.Can(auth.ManageNetwork, t.UnitPath)
	if !manage && !p.Can(auth.ViewNetwork, t.UnitPath) {
		if in, err := s.isMember(ctx, p, t.ID); err != nil || !in {
			if err == nil {
				_, err = auth.Authorize(ctx, auth.ViewNetwork, t.UnitPath)
			}
			return nil, err
		}
	}
	if t.Villages, err = s.teamVillages(ctx, t.ID); err != nil {
		return nil, err
	}
	if t.Members, err = s.members(ctx, t.ID); err != nil {
		return nil, err
	}
	if err := s.training(ctx, t); err != nil {
		return nil, err
	}
	if !manage {
		for _, m := range t.Members {
			m.Phone, m.Skills = "", ""
		}
	} else if len(t.Members) > 0 {
		if err := s.record(ctx, p, audit.ViewPerson, "team", t.ID, t.UnitPath, "members"); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// training fills in the courses each member completed and the team's
// training coverage.
func (s *Service) training(ctx context.Context, t *Team) error {
	today := s.today()
	var ids []string
	for _, m := range t.Members {
		if m.Current(today) {
			t.Current++
			ids = append(ids, m.PersonID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	done, held := map[string]int{}, map[string]int{}
	var err error
	if s.Learn != nil {
		if done, err = s.Learn.CompletedCourses(ctx, ids); err != nil {
			return err
		}
	}
	if s.Creds != nil {
		if held, err = s.Creds.HeldBy(ctx, ids); err != nil {
			return err
		}
	}
	for _, m := range t.Members {
		m.Courses, m.Credentials = done[m.PersonID], held[m.PersonID]
		if m.Current(today) && m.Courses > 0 {
			t.Trained++
		}
	}
	return nil
}

// syncGroups keeps the tree's community-team group in step with
// membership: a person with a current membership is in it, one without is
// not (learning is assigned to the group).
func (s *Service) syncGroups(ctx context.Context, personIDs ...string) error {
	for _, id := range personIDs {
		ms, err := s.memberships(ctx, id)
		if err != nil {
			return err
		}
		if err := s.Org.SetGroup(ctx, id, org.GroupCommunityTech, len(ms) > 0); err != nil {
			return err
		}
	}
	return nil
}

// isMember reports whether the signed-in person is a current member of
// the team.
func (s *Service) isMember(ctx context.Context, p *auth.Principal, teamID string) (bool, error) {
	m, err := s.membership(ctx, p, teamID)
	return m != nil, err
}

// InAnyTeam reports whether the person signed in is a current member of
// a team (the navigation offers them the log form).
func (s *Service) InAnyTeam(ctx context.Context, p *auth.Principal) (bool, error) {
	if p == nil || p.PersonID == "" {
		return false, nil
	}
	ms, err := s.memberships(ctx, p.PersonID)
	return len(ms) > 0, err
}

// membership is the signed-in person's current membership of a team, or nil.
func (s *Service) membership(ctx context.Context, p *auth.Principal, teamID string) (*Mem, error) {
	if p == nil || p.PersonID == "" {
		return nil, nil
	}
	ms, err := s.memberships(ctx, p.PersonID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.TeamID == teamID {
			return m, nil
		}
	}
	return nil, nil
}

// Filter narrows a list of teams.
type Filter struct {
	UnitCode string // teams in this unit's subtree (default: the viewer's scopes)
	Kind     string
	Limit    int
	Offset   int
}

// Teams lists the teams the viewer sees, in a unit's subtree.
func (s *Service) Teams(ctx context.Context, f Filter) ([]*Team, error) {
	_, scopes, err := auth.RequireScopes(ctx, auth.ViewNetwork)
	if err != nil {
		return nil, err
	}
	if f.Kind != "" && !slices.Contains(TeamKinds, f.Kind) {
		return nil, errs.Field("kind", "error.param", "kind", f.Kind)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if f.UnitCode != "" {
		u, err := s.unit(ctx, "unit", f.UnitCode)
		if err != nil {
			return nil, err
		}
		if _, err := auth.Authorize(ctx, auth.ViewNetwork, u.Path); err != nil {
			return nil, err
		}
		scopes = []string{u.Path}
	}
	return s.teamsUnder(ctx, scopes, f)
}

// MyTeams are the teams the signed-in person is a current member of.
func (s *Service) MyTeams(ctx context.Context) ([]*Team, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, errs.E(errs.Unauthorized, "error.unauthorized")
	}
	if p.PersonID == "" {
		return nil, nil
	}
	ms, err := s.memberships(ctx, p.PersonID)
	if err != nil {
		return nil, err
	}
	var out []*Team
	for _, m := range ms {
		t, err := s.team(ctx, s.DB.R, m.TeamID)
		if err != nil {
			return nil, err
		}
		if t.Active(s.today()) {
			if t.Villages, err = s.teamVillages(ctx, t.ID); err != nil {
				return nil, err
			}
			t.Members = []*Mem{m}
			out = append(out, t)
		}
	}
	return out, s.name(ctx, out...)
}

// ---- members

// AddMember adds a person (existing by key, or new in the team's unit)
// to a team.
func (s *Service) AddMember(ctx context.Context, teamID string, in MemberInput) (*Mem, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	t, err := s.team(ctx, s.DB.R, teamID)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.ManageNetwork, t.UnitPath)
	if err != nil {
		return nil, err
	}
	m := &Mem{ID: db.NewID(), TeamID: t.ID, Role: in.Role, JoinedOn: in.JoinedOn, LeftOn: in.LeftOn, Phone: in.Phone, Skills: in.Skills}
	if in.PersonKey != "" {
		if m.PersonID, err = s.Org.PersonIDByKey(ctx, in.PersonKey); err != nil {
			if errs.Is(err, errs.Invalid) {
				return nil, errs.Field("person_key", "network.no_person", in.PersonKey)
			}
			return nil, err
		}
	} else {
		per := org.Person{Key: "NET-" + strings.ToUpper(db.Token(6)), FullName: in.FullName, UnitID: t.UnitID, Phone: in.Phone, Groups: []string{}}
		if err := s.Org.SavePeople(ctx, []org.Person{per}); err != nil {
			return nil, err
		}
		if m.PersonID, err = s.Org.PersonIDByKey(ctx, per.Key); err != nil {
			return nil, err
		}
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM net_members WHERE team_id = $1 AND person_id = $2 AND (left_on = '' OR left_on > $3)`, t.ID, m.PersonID, in.JoinedOn).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.Field("person_key", "network.already_member")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO net_members (id, team_id, person_id, role, joined_on, left_on, phone, skills, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			m.ID, t.ID, m.PersonID, m.Role, m.JoinedOn, m.LeftOn, m.Phone, m.Skills, db.Now()); err != nil {
			return err
		}
		return restat(ctx, tx, t.UnitID, t.UnitPath)
	})
	if err != nil {
		return nil, err
	}
	if err := s.syncGroups(ctx, m.PersonID); err != nil {
		return nil, err
	}
	m.Name, _ = s.Org.PersonName(ctx, m.PersonID)
	return m, s.record(ctx, p, "network_member_added", "team", t.ID, t.UnitPath, m.PersonID)
}

// UpdateMember changes a membership's role, dates and contact (a member
// leaves by a left_on date: their history stays).
func (s *Service) UpdateMember(ctx context.Context, teamID, memberID string, in MemberInput) (*Mem, error) {
	in.PersonKey = "-" // the person does not change
	if err := in.Validate(); err != nil {
		return nil, err
	}
	t, err := s.team(ctx, s.DB.R, teamID)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.ManageNetwork, t.UnitPath)
	if err != nil {
		return nil, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE net_members SET role = $1, joined_on = $2, left_on = $3, phone = $4, skills = $5 WHERE id = $6 AND team_id = $7`,
			in.Role, in.JoinedOn, in.LeftOn, in.Phone, in.Skills, memberID, teamID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "error.not_found")
		}
		return restat(ctx, tx, t.UnitID, t.UnitPath)
	})
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "network_member_updated", "team", t.ID, t.UnitPath, memberID); err != nil {
		return nil, err
	}
	ms, err := s.members(ctx, teamID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.ID == memberID {
			return m, s.syncGroups(ctx, m.PersonID)
		}
	}
	return nil, errs.E(errs.NotFound, "error.not_found")
}

// ---- activities

// LogActivity stores help given to residents. A current member logs for
// their team (as themselves); the team's leader, or someone who keeps
// the unit's network, may log for the team or any of its members. The
// same client key from the same account stores nothing the second time
// and answers with the first entry's id.
func (s *Service) LogActivity(ctx context.Context, a Activity) (*Activity, error) {
	path, err := s.CheckActivity(ctx, &a)
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	a.ID, a.LoggedBy, a.CreatedAt = db.NewID(), p.AccountID, db.Now()
	b := &pendingLog{a: &a, path: path}
	if err := s.writer().Do(ctx, b); err != nil {
		return nil, err
	}
	if b.dup != "" {
		a.ID, a.Duplicate = b.dup, true
	}
	return &a, nil
}

// CheckActivity is LogActivity's checks without the write (a form checks
// an entry before storing its photo): it fills in the member the entry is
// logged for, and returns the team's unit path.
func (s *Service) CheckActivity(ctx context.Context, a *Activity) (string, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return "", errs.E(errs.Unauthorized, "error.unauthorized")
	}
	if err := a.Validate(s.today()); err != nil {
		return "", err
	}
	t, err := s.team(ctx, s.DB.R, a.TeamID)
	if errs.Is(err, errs.NotFound) {
		return "", errs.Field("team_id", "network.bad_team", a.TeamID)
	}
	if err != nil {
		return "", err
	}
	if t.Kind != CommunityTeam {
		return "", errs.Field("team_id", "network.log_committee")
	}
	if !t.Active(a.DoneOn) {
		return "", errs.Field("done_on", "network.team_dissolved", t.DissolvedOn)
	}
	mine, err := s.membership(ctx, p, t.ID)
	if err != nil {
		return "", err
	}
	manage := p.Can(auth.ManageNetwork, t.UnitPath)
	switch {
	case mine == nil && !manage:
		return "", errs.E(errs.Forbidden, "network.not_your_team")
	case mine != nil && mine.Role != Leader && !manage:
		if a.MemberID != "" && a.MemberID != mine.ID {
			return "", errs.Field("member_id", "network.log_for_others")
		}
		a.MemberID = mine.ID
	case a.MemberID != "":
		ms, err := s.members(ctx, t.ID)
		if err != nil {
			return "", err
		}
		if !slices.ContainsFunc(ms, func(m *Mem) bool { return m.ID == a.MemberID }) {
			return "", errs.Field("member_id", "network.bad_member", a.MemberID)
		}
	}
	if a.VillageID != "" {
		vs, err := s.teamVillages(ctx, t.ID)
		if err != nil {
			return "", err
		}
		if !slices.ContainsFunc(vs, func(v Village) bool { return v.ID == a.VillageID }) {
			return "", errs.Field("village_id", "network.bad_village", a.VillageID)
		}
	}
	return t.UnitPath, nil
}

// Logged is the id of the entry an account already logged with a client
// key, or "" (a form resent with its photo stores neither again).
func (s *Service) Logged(ctx context.Context, clientKey string) (string, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return "", errs.E(errs.Unauthorized, "error.unauthorized")
	}
	ids, err := db.Strings(ctx, s.DB.R, `SELECT id FROM net_activities WHERE logged_by = $1 AND client_key = $2`, p.AccountID, clientKey)
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

// PhotoAccess decides who may see a photo of a team's activity: those who
// may see the team.
func (s *Service) PhotoAccess(ctx context.Context, teamID string) error {
	t, err := s.team(ctx, s.DB.R, teamID)
	if err != nil {
		return err
	}
	p := auth.FromContext(ctx)
	if p.Can(auth.ViewNetwork, t.UnitPath) || p.Can(auth.ManageNetwork, t.UnitPath) {
		return nil
	}
	if in, err := s.isMember(ctx, p, t.ID); err != nil || in {
		return err
	}
	return errs.E(errs.Forbidden, "error.forbidden")
}

// Activities lists a team's latest activities (to those who may see the
// team).
func (s *Service) Activities(ctx context.Context, teamID string, limit int) ([]*Activity, error) {
	if _, err := s.Team(ctx, teamID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	return s.activitiesOf(ctx, teamID, limit)
}
