package assessment

import (
	"context"
	"database/sql"
	"errors"
	"hash/fnv"
	"strings"
	"time"

	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/textfold"
)

// Who may sit a session.
const (
	EligibleSubtree = "subtree" // people of the session's unit subtree (optionally some groups)
	EligibleList    = "list"    // the listed accounts
	EligibleOpen    = "open"    // anyone signed in (citizens' open registration)
)

// Review policies after submission.
const (
	ReviewScore     = "score"     // total and pass/fail
	ReviewBreakdown = "breakdown" // plus per-area and per-competence results
	ReviewAnswers   = "answers"   // plus the candidate's answers and the correct ones
)

// Session (ca thi / kỳ thi) schedules a blueprint for candidates.
type Session struct {
	ID            string   `json:"id"`
	BlueprintID   string   `json:"blueprint_id"`
	Name          string   `json:"name"`
	UnitCode      string   `json:"unit_code"`
	UnitPath      string   `json:"-"`
	OpensAt       int64    `json:"opens_at"`
	ClosesAt      int64    `json:"closes_at"`
	TimeLimitMin  int      `json:"time_limit_min"`
	AccessCode    string   `json:"access_code,omitempty"`
	Eligibility   string   `json:"eligibility"`
	Groups        []string `json:"groups,omitempty"`
	Waves         int      `json:"waves"`
	WaveIntervalS int      `json:"wave_interval_s"`
	ReviewPolicy  string   `json:"review_policy"`
	GraceS        int      `json:"grace_s"`
	Candidates    []string `json:"candidates,omitempty"` // usernames, for the list eligibility
	HasAccessCode bool     `json:"has_access_code"`
	// Owner names the room whose pages a candidate enters this session
	// through (a contest's round); such sessions are not listed in /exams.
	Owner string `json:"owner,omitempty"`
}

// Open reports whether candidates may start at t.
func (s *Session) Open(t time.Time) bool {
	ms := t.UnixMilli()
	return ms >= s.OpensAt && ms < s.ClosesAt
}

// AdmittedAt is when an account's wave may start: candidates are spread
// over Waves waves WaveIntervalS apart, by a hash of their account.
func (s *Session) AdmittedAt(accountID string) int64 {
	if s.Waves <= 1 {
		return s.OpensAt
	}
	h := fnv.New32a()
	h.Write([]byte(accountID))
	return s.OpensAt + int64(h.Sum32()%uint32(s.Waves))*int64(s.WaveIntervalS)*1000
}

func (s *Session) validate() error {
	s.Name = textfold.NFC(strings.TrimSpace(s.Name))
	if s.Name == "" {
		return errs.Field("name", "org.name_required")
	}
	if s.OpensAt <= 0 || s.ClosesAt <= s.OpensAt {
		return errs.Field("closes_at", "exams.bad_window")
	}
	if s.TimeLimitMin < 0 || s.TimeLimitMin > 600 {
		return errs.Field("time_limit_min", "exams.bad_time_limit")
	}
	switch s.Eligibility {
	case EligibleSubtree, EligibleList, EligibleOpen:
	default:
		return errs.Field("eligibility", "exams.bad_eligibility", s.Eligibility)
	}
	if s.Waves < 1 {
		s.Waves = 1
	}
	if s.Waves > 100 || s.WaveIntervalS < 0 || s.WaveIntervalS > 3600 {
		return errs.Field("waves", "exams.bad_waves")
	}
	switch s.ReviewPolicy {
	case "":
		s.ReviewPolicy = ReviewScore
	case ReviewScore, ReviewBreakdown, ReviewAnswers:
	default:
		return errs.Field("review_policy", "exams.bad_review", s.ReviewPolicy)
	}
	if s.GraceS == 0 {
		s.GraceS = 15
	}
	if s.GraceS < 0 || s.GraceS > 120 {
		return errs.Field("grace_s", "exams.bad_grace")
	}
	for _, g := range s.Groups {
		if !validGroup(g) {
			return errs.Field("groups", "org.bad_group", g)
		}
	}
	return nil
}

func validGroup(g string) bool {
	for _, x := range org.Groups {
		if x == g {
			return true
		}
	}
	return false
}

// SaveSession schedules a session; the caller needs ManageExams on its
// unit and on the blueprint's.
func (x *Exams) SaveSession(ctx context.Context, s *Session) error {
	s.Owner = ""
	return x.saveSession(ctx, s, auth.ManageExams)
}

// SaveOwnedSession schedules a session that another room owns and lets
// candidates into (a contest's round): the caller needs that room's
// action on the session's unit instead of ManageExams, and may use a
// blueprint of the unit or above it. Owner names the room.
func (x *Exams) SaveOwnedSession(ctx context.Context, s *Session, owner string, may auth.Action) error {
	if owner == "" {
		return errs.E(errs.Internal, "error.internal")
	}
	s.Owner = owner
	return x.saveSession(ctx, s, may)
}

func (x *Exams) saveSession(ctx context.Context, s *Session, may auth.Action) error {
	if err := s.validate(); err != nil {
		return err
	}
	b, err := x.Blueprint(ctx, s.BlueprintID)
	if err != nil {
		return errs.Field("blueprint_id", "exams.no_blueprint", s.BlueprintID)
	}
	if s.UnitCode == "" {
		s.UnitCode = b.UnitCode
	}
	u, err := x.Bank.Org.UnitByCode(ctx, s.UnitCode)
	if err != nil || !u.Live() {
		return errs.Field("unit_code", "org.unit_not_found", s.UnitCode)
	}
	p, err := auth.Authorize(ctx, may, u.Path)
	if err != nil {
		return err
	}
	if !p.Can(may, b.UnitPath) && !strings.HasPrefix(u.Path, b.UnitPath) {
		return errs.E(errs.Forbidden, "error.forbidden")
	}
	if _, ok, err := x.Coverage(ctx, b); err != nil {
		return err
	} else if !ok {
		return errs.Field("blueprint_id", "exams.bank_short")
	}
	if s.TimeLimitMin == 0 {
		s.TimeLimitMin = b.TimeLimitMin
	}
	s.UnitPath = u.Path
	var accounts []string
	for _, name := range s.Candidates {
		a, err := x.Bank.Auth.AccountByUsername(ctx, name)
		if err != nil {
			return errs.Field("candidates", "account.not_found", name)
		}
		accounts = append(accounts, a.ID)
	}
	s.ID = db.NewID()
	return x.Bank.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO exam_sessions (id, blueprint_id, name, unit_id, unit_path, opens_at, closes_at, time_limit_s, access_code, eligibility, eligible_groups, waves, wave_interval_s, review_policy, grace_s, created_by, created_at, owner)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
			s.ID, s.BlueprintID, s.Name, u.ID, u.Path, s.OpensAt, s.ClosesAt, s.TimeLimitMin*60, strings.TrimSpace(s.AccessCode), s.Eligibility, strings.Join(s.Groups, ","),
			s.Waves, s.WaveIntervalS, s.ReviewPolicy, s.GraceS, p.AccountID, db.Now(), s.Owner); err != nil {
			return err
		}
		for _, a := range accounts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO session_candidates (session_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, s.ID, a); err != nil {
				return err
			}
		}
		return nil
	})
}

const sessionCols = `s.id, s.blueprint_id, s.name, s.unit_id, s.unit_path, s.opens_at, s.closes_at, s.time_limit_s, s.access_code, s.eligibility, s.eligible_groups, s.waves, s.wave_interval_s, s.review_policy, s.grace_s, s.owner`

func scanSession(r interface{ Scan(...any) error }) (*Session, error) {
	var s Session
	var limit int
	var groups string
	if err := r.Scan(&s.ID, &s.BlueprintID, &s.Name, &s.UnitCode, &s.UnitPath, &s.OpensAt, &s.ClosesAt, &limit, &s.AccessCode, &s.Eligibility, &groups, &s.Waves, &s.WaveIntervalS, &s.ReviewPolicy, &s.GraceS, &s.Owner); err != nil {
		return nil, err
	}
	s.TimeLimitMin, s.HasAccessCode = limit/60, s.AccessCode != ""
	if groups != "" {
		s.Groups = strings.Split(groups, ",")
	}
	return &s, nil
}

// Session loads a session (no permission check).
func (x *Exams) Session(ctx context.Context, id string) (*Session, error) {
	s, err := scanSession(x.Bank.DB.R.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM exam_sessions s WHERE s.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "exams.no_session", id)
	}
	if err != nil {
		return nil, err
	}
	return s, x.Bank.Org.ResolveCodes(ctx, &s.UnitCode)
}

// ManagedSessions lists sessions in the caller's exam or proctor scopes.
func (x *Exams) ManagedSessions(ctx context.Context) ([]*Session, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, errs.E(errs.Unauthorized, "error.unauthorized")
	}
	scopes := auth.Minimal(append(p.Scopes(auth.ManageExams), p.Scopes(auth.ProctorExams)...))
	if len(scopes) == 0 {
		return nil, errs.E(errs.Forbidden, "error.forbidden")
	}
	where, args := scopeWhere(x.Bank.DB, "s.unit_path", scopes, nil)
	return x.sessions(ctx, where+` ORDER BY s.opens_at DESC LIMIT 200`, args...)
}

func (x *Exams) sessions(ctx context.Context, where string, args ...any) ([]*Session, error) {
	out, err := db.Query(ctx, x.Bank.DB.R, scanSession, `SELECT `+sessionCols+` FROM exam_sessions s WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	codes := make([]*string, len(out))
	for i, s := range out {
		codes[i] = &s.UnitCode
	}
	return append([]*Session{}, out...), x.Bank.Org.ResolveCodes(ctx, codes...)
}

// AvailableSessions lists the sessions open now (or opening within a day)
// that the signed-in candidate may sit.
func (x *Exams) AvailableSessions(ctx context.Context) ([]*Session, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now().UnixMilli()
	all, err := x.sessions(ctx, `s.closes_at > $1 AND s.opens_at < $2 AND s.owner = '' ORDER BY s.opens_at LIMIT 500`, now, now+24*3600*1000)
	if err != nil {
		return nil, err
	}
	out := []*Session{}
	for _, s := range all {
		if x.eligible(ctx, s, p) == nil {
			s.AccessCode = "" // candidates learn only that one is needed
			out = append(out, s)
		}
	}
	return out, nil
}

// eligible says whether p may sit s.
func (x *Exams) eligible(ctx context.Context, s *Session, p *auth.Principal) error {
	switch s.Eligibility {
	case EligibleOpen:
		return nil
	case EligibleList:
		var n int
		if err := x.Bank.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM session_candidates WHERE session_id = $1 AND account_id = $2`, s.ID, p.AccountID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.E(errs.Forbidden, "exams.not_eligible")
		}
		return nil
	}
	if p.PersonID == "" {
		return errs.E(errs.Forbidden, "exams.not_eligible")
	}
	path, groups, err := x.Bank.Org.PersonPlacement(ctx, p.PersonID)
	if err != nil || !strings.HasPrefix(path, s.UnitPath) {
		return errs.E(errs.Forbidden, "exams.not_eligible")
	}
	if len(s.Groups) == 0 {
		return nil
	}
	for _, g := range groups {
		for _, want := range s.Groups {
			if g == want {
				return nil
			}
		}
	}
	return errs.E(errs.Forbidden, "exams.not_eligible")
}
