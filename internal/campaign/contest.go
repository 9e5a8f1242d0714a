package campaign

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"dxhub/internal/assessment"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/events"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/tabular"
	"dxhub/internal/platform/textfold"
)

// Who may enter a contest.
const (
	OpenToAll = "open"    // anyone with an account
	Subtree   = "subtree" // people of the campaign's target subtree (and groups)
	Invited   = "list"    // the accounts on a list the organisers import
)

// maxInvited bounds an invitation list.
const maxInvited = 100_000

// Fair-play flags and the organisers' decisions on them.
const (
	FlagFast      = "fast"      // answered faster than a person reads
	FlagIdentical = "identical" // the same answer sheet as several others
	Cleared       = "cleared"
	Disqualified  = "disqualified"
)

// SessionOwner names this room on the exam sessions of its rounds.
const SessionOwner = "campaign"

// Thresholds of the fair-play checks.
const (
	fastMsPerItem  = 2000 // less than two seconds an answered item
	identicalSheet = 3    // this many entrants with one answer sheet
	minItemsSheet  = 5    // sheets shorter than this are too often alike
)

// Contest is an online knowledge contest of a campaign, in rounds.
type Contest struct {
	ID           string   `json:"id"`
	CampaignID   string   `json:"campaign_id"`
	Name         string   `json:"name"`
	Rules        string   `json:"rules,omitempty"`
	BlueprintID  string   `json:"blueprint_id"`
	Eligibility  string   `json:"eligibility"`
	Groups       []string `json:"groups,omitempty"`
	Tries        int      `json:"tries"`
	TimeLimitMin int      `json:"time_limit_min"`
	// Prediction is the question entrants answer with a number ("how many
	// entrants will answer every question right?"), scored by closeness
	// to break ties; empty when the contest has none.
	Prediction string   `json:"prediction,omitempty"`
	Rounds     []*Round `json:"rounds"`
}

// Round is one round of a contest.
type Round struct {
	ID          string   `json:"id"`
	ContestID   string   `json:"contest_id"`
	Num         int      `json:"num"`
	OpensAt     int64    `json:"opens_at"`
	ClosesAt    int64    `json:"closes_at"`
	PublishedAt int64    `json:"published_at,omitempty"`
	FullMarks   int      `json:"full_marks"` // entrants with every answer right, once published (-1 before)
	Sessions    []string `json:"-"`          // one exam session per try, in order
}

// State of a round at t: "upcoming", "open", "closed" or "published".
func (r *Round) State(t time.Time) string {
	ms := t.UnixMilli()
	switch {
	case r.PublishedAt > 0:
		return "published"
	case ms < r.OpensAt:
		return "upcoming"
	case ms < r.ClosesAt:
		return "open"
	}
	return "closed"
}

// ContestInput is what an organiser writes of a contest.
type ContestInput struct {
	Name         string       `json:"name"`
	Rules        string       `json:"rules"`
	BlueprintID  string       `json:"blueprint_id"`
	Eligibility  string       `json:"eligibility"`
	Groups       []string     `json:"groups"`
	Tries        int          `json:"tries"`
	TimeLimitMin int          `json:"time_limit_min"`
	Prediction   string       `json:"prediction"`
	Rounds       []RoundInput `json:"rounds"`
	// Invited are the user names of those who may enter (eligibility
	// "list"), e.g. from ReadInvited.
	Invited []string `json:"invited,omitempty"`
}

// RoundInput is a round's window (milliseconds since the epoch).
type RoundInput struct {
	OpensAt  int64 `json:"opens_at"`
	ClosesAt int64 `json:"closes_at"`
}

func (in *ContestInput) clean() error {
	in.Name, in.Rules, in.Prediction = textfold.NFC(strings.TrimSpace(in.Name)), textfold.NFC(strings.TrimSpace(in.Rules)), textfold.NFC(strings.TrimSpace(in.Prediction))
	if in.Eligibility == "" {
		in.Eligibility = OpenToAll
	}
	if in.Tries == 0 {
		in.Tries = 1
	}
	switch {
	case in.Name == "" || utf8.RuneCountInString(in.Name) > maxName:
		return errs.Field("name", "campaign.bad_title", maxName)
	case utf8.RuneCountInString(in.Rules) > maxText:
		return errs.Field("rules", "campaign.too_long", maxText)
	case utf8.RuneCountInString(in.Prediction) > maxName:
		return errs.Field("prediction", "campaign.too_long", maxName)
	case in.Eligibility != OpenToAll && in.Eligibility != Subtree && in.Eligibility != Invited:
		return errs.Field("eligibility", "campaign.bad_eligibility", in.Eligibility)
	case in.Eligibility == Invited && len(in.Invited) == 0:
		return errs.Field("invited", "campaign.no_invited")
	case len(in.Invited) > maxInvited:
		return errs.Field("invited", "campaign.too_many", maxInvited)
	case in.Tries < 1 || in.Tries > maxTries:
		return errs.Field("tries", "campaign.bad_tries", maxTries)
	case in.TimeLimitMin < 1 || in.TimeLimitMin > 180:
		return errs.Field("time_limit_min", "campaign.bad_time_limit")
	case len(in.Rounds) == 0 || len(in.Rounds) > maxRounds:
		return errs.Field("rounds", "campaign.bad_rounds", maxRounds)
	}
	if err := validGroups(in.Groups); err != nil {
		return err
	}
	for i, r := range in.Rounds {
		if r.OpensAt <= 0 || r.ClosesAt <= r.OpensAt {
			return errs.Field("rounds", "campaign.bad_round", i+1)
		}
		if i > 0 && r.OpensAt < in.Rounds[i-1].ClosesAt {
			return errs.Field("rounds", "campaign.rounds_overlap", i+1)
		}
	}
	return nil
}

// invitedFields are the columns of an invitation list.
var invitedFields = []tabular.Field{{Name: "username", Aliases: []string{"Tên đăng nhập", "tai khoan", "account"}, Required: true}}

// ParseInvited reads an invitation list (CSV or XLSX, a column of user
// names): every empty or repeated name is named by its row, and the list
// is refused whole.
func ParseInvited(r io.Reader) (names []string, rows []int, err error) {
	t, err := tabular.Read(r)
	if err != nil {
		return nil, nil, err
	}
	cols, err := t.Columns(invitedFields)
	if err != nil {
		return nil, nil, err
	}
	if len(t.Rows) > maxInvited {
		return nil, nil, errs.Field("file", "campaign.too_many", maxInvited)
	}
	var bad tabular.ImportError
	seen := map[string]int{}
	for i := range t.Rows {
		name := strings.ToLower(strings.TrimSpace(t.Cell(cols, i, "username")))
		switch {
		case name == "":
			bad.Add(t.Lines[i], "username", "campaign.required")
		case utf8.RuneCountInString(name) > 100:
			bad.Add(t.Lines[i], "username", "campaign.too_long", 100)
		case seen[name] > 0:
			bad.Add(t.Lines[i], "username", "campaign.invited_twice", name, seen[name])
		default:
			seen[name] = t.Lines[i]
			names, rows = append(names, name), append(rows, t.Lines[i])
		}
	}
	if err := bad.Err(); err != nil {
		return nil, nil, err
	}
	if len(names) == 0 {
		return nil, nil, errs.Field("file", "campaign.no_invited")
	}
	return names, rows, nil
}

// CheckInvited names, by row, the user names of a list that no account
// has.
func (s *Service) CheckInvited(ctx context.Context, names []string, rows []int) error {
	var bad tabular.ImportError
	for i, name := range names {
		if _, err := s.Auth.AccountByUsername(ctx, name); err != nil {
			bad.Add(rows[i], "username", "campaign.no_account", name)
		}
	}
	return bad.Err()
}

// Blueprints are the exam blueprints a contest of the campaign may draw
// its questions by: those of the campaign's unit and above it.
func (s *Service) Blueprints(ctx context.Context, campaignID string) ([]*assessment.Blueprint, error) {
	c, err := s.managed(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	return s.Exams.BlueprintsAbove(ctx, c.UnitPath)
}

// AddContest adds a contest to a campaign the caller runs: each round's
// tries become exam sessions owned by this room.
func (s *Service) AddContest(ctx context.Context, campaignID string, in ContestInput) (*Contest, error) {
	c, err := s.managed(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	if err := in.clean(); err != nil {
		return nil, err
	}
	if in.Eligibility == Invited {
		rows := make([]int, len(in.Invited))
		for i := range rows {
			rows[i] = i + 1
		}
		if err := s.CheckInvited(ctx, in.Invited, rows); err != nil {
			return nil, err
		}
	} else {
		in.Invited = nil
	}
	k := &Contest{ID: db.NewID(), CampaignID: c.ID, Name: in.Name, Rules: in.Rules, BlueprintID: in.BlueprintID, Eligibility: in.Eligibility, Groups: in.Groups,
		Tries: in.Tries, TimeLimitMin: in.TimeLimitMin, Prediction: in.Prediction}
	// Sessions first: each is its own write in the exam room, which checks
	// the blueprint; a contest row names them only once they all exist.
	for i, ri := range in.Rounds {
		r := &Round{ID: db.NewID(), ContestID: k.ID, Num: i + 1, OpensAt: ri.OpensAt, ClosesAt: ri.ClosesAt, FullMarks: -1}
		for t := 1; t <= in.Tries; t++ {
			sess := &assessment.Session{BlueprintID: in.BlueprintID, Name: fmt.Sprintf("%s — %d/%d", k.Name, r.Num, t), UnitCode: c.UnitCode,
				OpensAt: r.OpensAt, ClosesAt: r.ClosesAt, TimeLimitMin: in.TimeLimitMin, ReviewPolicy: assessment.ReviewScore, Waves: 1}
			switch in.Eligibility {
			case OpenToAll:
				sess.Eligibility = assessment.EligibleOpen
			case Invited:
				sess.Eligibility, sess.Candidates = assessment.EligibleList, in.Invited
			default:
				sess.Eligibility, sess.Groups, sess.UnitCode = assessment.EligibleSubtree, in.Groups, c.TargetCode
			}
			if err := s.Exams.SaveOwnedSession(ctx, sess, SessionOwner, auth.ManageCampaigns); err != nil {
				return nil, err
			}
			r.Sessions = append(r.Sessions, sess.ID)
		}
		k.Rounds = append(k.Rounds, r)
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO cmp_contests (id, campaign_id, name, rules, blueprint_id, eligibility, groups, tries, time_limit_min, prediction, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, k.ID, k.CampaignID, k.Name, k.Rules, k.BlueprintID, k.Eligibility, strings.Join(k.Groups, ","), k.Tries, k.TimeLimitMin, k.Prediction, db.Now()); err != nil {
			return err
		}
		for _, r := range k.Rounds {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cmp_rounds (id, contest_id, num, opens_at, closes_at) VALUES ($1, $2, $3, $4, $5)`, r.ID, k.ID, r.Num, r.OpensAt, r.ClosesAt); err != nil {
				return err
			}
			for t, sid := range r.Sessions {
				if _, err := tx.ExecContext(ctx, `INSERT INTO cmp_round_sessions (session_id, round_id, try) VALUES ($1, $2, $3)`, sid, r.ID, t+1); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return k, s.audit(ctx, auth.FromContext(ctx), "campaign.contest", "contest", k.ID, c.UnitPath, k.Name)
}

const contestCols = `c.id, c.campaign_id, c.name, c.rules, c.blueprint_id, c.eligibility, c.groups, c.tries, c.time_limit_min, c.prediction`

func (s *Service) contestsOf(ctx context.Context, where string, args ...any) ([]*Contest, error) {
	ks, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (*Contest, error) {
		k := &Contest{}
		var groups string
		err := r.Scan(&k.ID, &k.CampaignID, &k.Name, &k.Rules, &k.BlueprintID, &k.Eligibility, &groups, &k.Tries, &k.TimeLimitMin, &k.Prediction)
		k.Groups = splitList(groups)
		return k, err
	}, `SELECT `+contestCols+` FROM cmp_contests c WHERE `+where+` ORDER BY c.id`, args...)
	if err != nil || len(ks) == 0 {
		return ks, err
	}
	byID := map[string]*Contest{}
	ids := make([]any, len(ks))
	for i, k := range ks {
		byID[k.ID], ids[i] = k, k.ID
	}
	rounds := map[string]*Round{}
	err = db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var rd Round
		var sid string
		var try int
		if err := r.Scan(&rd.ID, &rd.ContestID, &rd.Num, &rd.OpensAt, &rd.ClosesAt, &rd.PublishedAt, &rd.FullMarks, &sid, &try); err != nil {
			return err
		}
		cur := rounds[rd.ID]
		if cur == nil {
			cur = &rd
			rounds[rd.ID] = cur
			byID[rd.ContestID].Rounds = append(byID[rd.ContestID].Rounds, cur)
		}
		cur.Sessions = append(cur.Sessions, sid)
		return nil
	}, `SELECT r.id, r.contest_id, r.num, r.opens_at, r.closes_at, r.published_at, r.full_marks, s.session_id, s.try
		FROM cmp_rounds r JOIN cmp_round_sessions s ON s.round_id = r.id WHERE r.contest_id IN (`+db.Numbered(1, len(ids))+`) ORDER BY r.num, s.try`, ids...)
	return ks, err
}

// cachedContest is a contest and its campaign as read at a moment.
type cachedContest struct {
	k  *Contest
	c  *Campaign
	at time.Time
}

// contestAge is how long a node serves a contest it read (every entrant's
// request reads it; a change shows on every node within it).
const contestAge = time.Second

// Contest reads a contest and its campaign for whoever may see them.
func (s *Service) Contest(ctx context.Context, id string) (*Contest, *Campaign, error) {
	var k *Contest
	var c *Campaign
	if v, ok := s.contests.Load(id); ok && time.Since(v.(*cachedContest).at) < contestAge {
		k, c = v.(*cachedContest).k, v.(*cachedContest).c
	} else {
		ks, err := s.contestsOf(ctx, `c.id = $1`, id)
		if err != nil {
			return nil, nil, err
		}
		if len(ks) == 0 {
			return nil, nil, errs.E(errs.NotFound, "error.not_found")
		}
		if c, err = s.campaign(ctx, `c.id = $1`, ks[0].CampaignID); err != nil {
			return nil, nil, err
		}
		k = ks[0]
		s.contests.Store(id, &cachedContest{k, c, time.Now()})
	}
	if !visible(auth.FromContext(ctx), c) {
		return nil, nil, errs.E(errs.NotFound, "error.not_found")
	}
	return k, c, nil
}

// Round finds a round of a contest by number.
func (k *Contest) Round(num int) (*Round, error) {
	for _, r := range k.Rounds {
		if r.Num == num {
			return r, nil
		}
	}
	return nil, errs.E(errs.NotFound, "error.not_found")
}

// OpenRound is a round open now, for the home page.
type OpenRound struct {
	ContestID, Contest string
	Num                int
}

// OpenRounds lists the rounds of published campaigns' contests open now
// (those the caller may enter are checked when entering).
func (s *Service) OpenRounds(ctx context.Context) ([]OpenRound, error) {
	now := s.Exams.Now().UnixMilli()
	return db.Query(ctx, s.DB.R, func(r db.Scanner) (OpenRound, error) {
		var o OpenRound
		return o, r.Scan(&o.ContestID, &o.Contest, &o.Num)
	}, `SELECT k.id, k.name, r.num FROM cmp_rounds r JOIN cmp_contests k ON k.id = r.contest_id JOIN cmp_campaigns c ON c.id = k.campaign_id
		WHERE c.published = 1 AND r.opens_at <= $1 AND r.closes_at > $1 ORDER BY r.closes_at LIMIT 3`, now)
}

// ---- entering

// Entry is an entrant's state in a round, for their own page.
type Entry struct {
	Round      *Round                `json:"-"`
	Tries      int                   `json:"tries_used"`
	TriesLeft  int                   `json:"tries_left"`
	Current    *assessment.Attempt   `json:"current,omitempty"`
	Finished   []*assessment.Attempt `json:"finished,omitempty"`
	Best       *BoardRow             `json:"best,omitempty"`
	Place      int                   `json:"place,omitempty"`
	Prediction int64                 `json:"prediction"`
	Consent    bool                  `json:"consent"`
}

// MyEntry is the caller's tries in a round and their place.
func (s *Service) MyEntry(ctx context.Context, k *Contest, r *Round) (*Entry, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	e := &Entry{Round: r, Prediction: -1}
	for _, sid := range r.Sessions {
		a, err := s.Exams.MyAttemptIn(ctx, sid)
		if ee, ok := errs.As(err); ok && ee.Code == errs.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		e.Tries++
		if a.Status == assessment.InProgress {
			e.Current = a
		} else {
			e.Finished = append(e.Finished, a)
		}
	}
	e.TriesLeft = max(0, k.Tries-e.Tries)
	var consent int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT prediction, consent FROM cmp_entrants WHERE round_id = $1 AND account_id = $2`, r.ID, p.AccountID).Scan(&e.Prediction, &consent); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	e.Consent = consent != 0
	row, err := s.entryRow(ctx, r.ID, p.AccountID)
	if err != nil || row == nil {
		return e, err
	}
	e.Best = row
	e.Place, err = s.place(ctx, r.ID, row)
	return e, err
}

// EnterInput is what an entrant gives when starting a try.
type EnterInput struct {
	Prediction *int64 `json:"prediction,omitempty"`
	Consent    bool   `json:"consent"` // to show their name in results
}

// Enter starts the caller's next try of a round (or returns the one in
// progress) on the exam engine.
func (s *Service) Enter(ctx context.Context, k *Contest, r *Round, in EnterInput) (*assessment.Attempt, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Exams.Now()
	switch r.State(now) {
	case "upcoming":
		return nil, errs.E(errs.Conflict, "exams.not_open")
	case "closed", "published":
		return nil, errs.E(errs.Conflict, "exams.closed")
	}
	pred := int64(-1)
	if k.Prediction != "" {
		if in.Prediction == nil || *in.Prediction < 0 || *in.Prediction > 100_000_000 {
			return nil, errs.Field("prediction", "campaign.bad_prediction")
		}
		pred = *in.Prediction
	}
	next := ""
	for _, sid := range r.Sessions {
		a, err := s.Exams.MyAttemptIn(ctx, sid)
		if ee, ok := errs.As(err); ok && ee.Code == errs.NotFound {
			next = sid
			break
		}
		if err != nil {
			return nil, err
		}
		if a.Status == assessment.InProgress {
			return a, nil
		}
	}
	if next == "" {
		return nil, errs.E(errs.Conflict, "campaign.no_tries_left")
	}
	if err := s.entrantWriter().Do(ctx, entrant{r.ID, p.AccountID, pred, in.Consent}); err != nil {
		return nil, err
	}
	return s.Exams.StartAttempt(ctx, next, "")
}

// entrant is an entrant's answers when entering a round.
type entrant struct {
	round, account string
	prediction     int64
	consent        bool
}

// entrantWriter batches entrants' rows from many requests into one
// transaction (a round's last minutes bring thousands a second).
func (s *Service) entrantWriter() *db.GroupCommit[entrant] {
	s.once.Do(func() { s.entrants = db.NewGroupCommit(s.DB, 512, s.writeEntrants).Named("contest") })
	return s.entrants
}

func (s *Service) writeEntrants(ctx context.Context, tx *sql.Tx, es []entrant) error {
	now := db.Now()
	for _, e := range es {
		// The first prediction stands: a later try does not change it.
		if _, err := tx.ExecContext(ctx, `INSERT INTO cmp_entrants (round_id, account_id, prediction, consent, created_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (round_id, account_id) DO UPDATE SET consent = excluded.consent`, e.round, e.account, e.prediction, db.Flag(e.consent), now); err != nil {
			return err
		}
	}
	return nil
}

// Close stops the room's batch writer and stores the page views counted.
func (s *Service) Close() {
	if s.entrants != nil {
		s.entrants.Close()
	}
	if err := s.FlushVisits(context.Background()); err != nil && s.Log != nil {
		s.Log.Warn("campaign: visits not stored", "err", err)
	}
}

// ---- what the exam engine tells this room

type sessionRound struct {
	roundID string
}

// roundOf maps an exam session to its round ("" for sessions not of a
// contest); the mapping never changes once made.
func (s *Service) roundOf(ctx context.Context, sessionID string) (string, error) {
	if v, ok := s.rounds.Load(sessionID); ok {
		return v.(*sessionRound).roundID, nil
	}
	var id string
	err := s.DB.R.QueryRowContext(ctx, `SELECT round_id FROM cmp_round_sessions WHERE session_id = $1`, sessionID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	if err == nil {
		s.rounds.Store(sessionID, &sessionRound{id})
	}
	return id, err
}

// Subscribe makes this room keep contest entries from the exam engine's
// finished attempts.
func (s *Service) Subscribe(bus *events.Bus) {
	bus.SubscribeBatch("campaign.entries", []string{assessment.TopicAttemptFinished}, s.recordEntries)
}

// recordEntries keeps each entrant's best try of a round (higher score,
// then less time), idempotently: an event seen twice changes nothing.
func (s *Service) recordEntries(ctx context.Context, es []events.Event) error {
	type pending struct {
		round string
		f     assessment.AttemptFinished
	}
	var todo []pending
	units := map[string]bool{}
	for _, e := range es {
		var f assessment.AttemptFinished
		if err := e.Decode(&f); err != nil {
			return fmt.Errorf("campaign: event %d: %w", e.ID, err)
		}
		if f.Status == assessment.Voided {
			continue
		}
		round, err := s.roundOf(ctx, f.SessionID)
		if err != nil {
			return err
		}
		if round == "" {
			continue
		}
		todo = append(todo, pending{round, f})
		if f.Unit != "" {
			units[f.Unit] = true
		}
	}
	if len(todo) == 0 {
		return nil
	}
	ids := make([]string, 0, len(units))
	for id := range units {
		ids = append(ids, id)
	}
	us, err := s.Org.UnitsByID(ctx, ids)
	if err != nil {
		return err
	}
	touched := map[string]bool{}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, t := range todo {
			f := t.f
			path := ""
			if u := us[f.Unit]; u != nil {
				path = u.Path
			}
			flag := ""
			if f.Score > 0 && f.Answered > 0 && f.At-f.StartedAt < int64(f.Answered)*fastMsPerItem {
				flag = FlagFast
			}
			better := `(excluded.score > cmp_entries.score OR (excluded.score = cmp_entries.score AND excluded.time_ms < cmp_entries.time_ms))`
			pick := func(col string) string {
				return col + ` = CASE WHEN ` + better + ` THEN excluded.` + col + ` ELSE cmp_entries.` + col + ` END`
			}
			// Full marks are alike by nature; short sheets too often.
			digest := f.Digest
			if f.Answered < minItemsSheet || (f.MaxScore > 0 && f.Score >= f.MaxScore) {
				digest = ""
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO cmp_entries (round_id, account_id, attempt_id, display_name, unit_id, unit_path, score, max_score, time_ms, finished_at, digest, flag)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
				ON CONFLICT (round_id, account_id) DO UPDATE SET `+strings.Join([]string{pick("attempt_id"), pick("score"), pick("max_score"), pick("time_ms"), pick("finished_at"), pick("digest")}, ", ")+`,
				flag = CASE WHEN cmp_entries.flag = '' THEN excluded.flag ELSE cmp_entries.flag END
				WHERE cmp_entries.attempt_id <> excluded.attempt_id`,
				t.round, f.AccountID, f.AttemptID, f.DisplayName, f.Unit, path, f.Score, f.MaxScore, max(0, f.At-f.StartedAt), f.At, digest, flag); err != nil {
				return err
			}
			touched[t.round] = true
		}
		return nil
	})
	if err == nil {
		for r := range touched {
			s.staleBoards(r)
		}
	}
	return err
}

// ---- leaderboards

// BoardRow is a place on a leaderboard. Names show only with the
// entrant's consent; otherwise initials and unit.
type BoardRow struct {
	Place     int     `json:"place"`
	AccountID string  `json:"-"`
	Name      string  `json:"name"`
	UnitName  string  `json:"unit_name,omitempty"`
	Score     float64 `json:"score"`
	MaxScore  float64 `json:"max_score"`
	TimeMS    int64   `json:"time_ms"`
	Rounds    int     `json:"rounds,omitempty"`
	Off       int64   `json:"prediction_off,omitempty"`
	Prize     string  `json:"prize,omitempty"`
	Flag      string  `json:"flag,omitempty"`
	Decision  string  `json:"decision,omitempty"`
	unitPath  string
	consent   bool
	name      string
}

// TimeS is the time taken in whole seconds.
func (b *BoardRow) TimeS() int64 { return b.TimeMS / 1000 }

// Initials shortens a name to its initials ("Nguyễn Văn An" → "N. V. A.").
func Initials(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		r, _ := utf8.DecodeRuneInString(w)
		b.WriteRune(r)
		b.WriteString(". ")
	}
	return strings.TrimSpace(b.String())
}

func (s *Service) entryRow(ctx context.Context, roundID, accountID string) (*BoardRow, error) {
	rows, err := db.Query(ctx, s.DB.R, scanRow, entryQuery+` WHERE e.round_id = $1 AND e.account_id = $2`, roundID, accountID)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return rows[0], nil
}

const entryQuery = `SELECT e.account_id, e.display_name, e.unit_path, e.score, e.max_score, e.time_ms, e.prize, e.flag, e.decision, COALESCE(x.consent, 0), COALESCE(x.prediction, -1)
	FROM cmp_entries e LEFT JOIN cmp_entrants x ON x.round_id = e.round_id AND x.account_id = e.account_id`

func scanRow(r db.Scanner) (*BoardRow, error) {
	b := &BoardRow{}
	var consent int
	err := r.Scan(&b.AccountID, &b.name, &b.unitPath, &b.Score, &b.MaxScore, &b.TimeMS, &b.Prize, &b.Flag, &b.Decision, &consent, &b.Off)
	b.consent = consent != 0
	return b, err
}

// place is 1 + the number of entries ranked above row on the live board.
func (s *Service) place(ctx context.Context, roundID string, row *BoardRow) (int, error) {
	var n int
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cmp_entries WHERE round_id = $1 AND decision <> $2 AND (score > $3 OR (score = $3 AND time_ms < $4))`,
		roundID, Disqualified, row.Score, row.TimeMS).Scan(&n)
	return n + 1, err
}

// Board is a leaderboard: a round's or the contest's overall, in a scope.
type Board struct {
	Rows     []*BoardRow `json:"rows"`
	Entrants int         `json:"entrants"`
	AsOf     int64       `json:"as_of"`
	Official bool        `json:"official"` // published results, with the prediction's tie-break
	// body is the board as JSON, made once for all its readers.
	body []byte
}

// JSON is the board as the API sends it, made once per reading.
func (b *Board) JSON() []byte { return b.body }

type boardKey struct{ round, contest, scope string }

type board struct {
	mu   sync.Mutex
	cur  atomic.Pointer[Board]
	dirt atomic.Bool
}

// boardAge is how old a leaderboard may be read: one query a second per
// board serves any number of readers.
const boardAge = time.Second

const boardSize = 100

func (s *Service) staleBoards(roundID string) {
	s.boards.Range(func(k, v any) bool {
		if kk := k.(boardKey); kk.round == roundID || kk.contest != "" {
			v.(*board).dirt.Store(true)
		}
		return true
	})
}

// dropBoards forgets a round's boards (and contests' overall ones) at
// once: after an organiser's decision the next reader reads again.
func (s *Service) dropBoards(roundID string) {
	s.boards.Range(func(k, v any) bool {
		if kk := k.(boardKey); kk.round == roundID || kk.contest != "" {
			s.boards.Delete(k)
		}
		return true
	})
}

// RoundBoard is a round's leaderboard within the unit whose code is scope
// (the whole contest when empty), at most a second old.
func (s *Service) RoundBoard(ctx context.Context, k *Contest, r *Round, scope string) (*Board, error) {
	path, err := s.scopePath(ctx, scope)
	if err != nil {
		return nil, err
	}
	return s.cached(ctx, boardKey{round: r.ID, scope: path}, func() (*Board, error) { return s.readRoundBoard(ctx, k, r, path) })
}

// OverallBoard adds up each entrant's best tries over the contest's rounds.
func (s *Service) OverallBoard(ctx context.Context, k *Contest, scope string) (*Board, error) {
	path, err := s.scopePath(ctx, scope)
	if err != nil {
		return nil, err
	}
	return s.cached(ctx, boardKey{contest: k.ID, scope: path}, func() (*Board, error) { return s.readOverall(ctx, k, path) })
}

// scopePath is the path of a board's unit, kept a minute: every reader
// of a province's board names it.
func (s *Service) scopePath(ctx context.Context, code string) (string, error) {
	if code == "" {
		return "", nil
	}
	if v, ok := s.scopes.Load(code); ok && time.Since(v.(*cachedPath).at) < time.Minute {
		return v.(*cachedPath).path, nil
	}
	u, err := s.Org.UnitByCode(ctx, code)
	if err != nil {
		return "", errs.Field("unit", "org.unit_not_found", code)
	}
	s.scopes.Store(code, &cachedPath{u.Path, time.Now()})
	return u.Path, nil
}

type cachedPath struct {
	path string
	at   time.Time
}

func (s *Service) cached(ctx context.Context, key boardKey, read func() (*Board, error)) (*Board, error) {
	v, _ := s.boards.LoadOrStore(key, &board{})
	b := v.(*board)
	cur := b.cur.Load()
	fresh := cur != nil && (!b.dirt.Load() || time.Since(time.UnixMilli(cur.AsOf)) < boardAge)
	if fresh {
		return cur, nil
	}
	// One reader reads again; the others keep the board they have (at
	// most a second and one query old), or wait for the first one.
	if cur != nil && !b.mu.TryLock() {
		return cur, nil
	} else if cur == nil {
		b.mu.Lock()
	}
	defer b.mu.Unlock()
	if now := b.cur.Load(); now != cur {
		return now, nil
	}
	b.dirt.Store(false)
	nb, err := read()
	if err != nil {
		b.dirt.Store(true)
		return nil, err
	}
	nb.AsOf = time.Now().UnixMilli()
	if nb.body, err = json.Marshal(nb); err != nil {
		return nil, err
	}
	b.cur.Store(nb)
	return nb, nil
}

func (s *Service) readRoundBoard(ctx context.Context, k *Contest, r *Round, path string) (*Board, error) {
	args := []any{r.ID, Disqualified}
	cond := ``
	if path != "" {
		args = append(args, s.DB.Dialect.PrefixPattern(path))
		cond = ` AND ` + s.DB.Dialect.PrefixMatch("e.unit_path", 3)
	}
	b := &Board{Official: r.PublishedAt > 0}
	// All entries less the disqualified: two counts an index answers.
	if err := s.DB.R.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM cmp_entries e WHERE e.round_id = $1`+cond+`)
		- (SELECT COUNT(*) FROM cmp_entries e WHERE e.round_id = $1 AND e.decision = $2`+cond+`)`, args...).Scan(&b.Entrants); err != nil {
		return nil, err
	}
	order := ` ORDER BY e.score DESC, e.time_ms, e.account_id LIMIT ` + fmt.Sprint(boardSize)
	if b.Official && k.Prediction != "" {
		// Published: ties on score are broken by the prediction's closeness,
		// then by time. Read the tied band whole, then sort.
		order = ` ORDER BY e.score DESC, e.time_ms, e.account_id LIMIT ` + fmt.Sprint(boardSize*20)
	}
	rows, err := db.Query(ctx, s.DB.R, scanRow, entryQuery+` WHERE e.round_id = $1 AND e.decision <> $2`+cond+order, args...)
	if err != nil {
		return nil, err
	}
	if b.Official && k.Prediction != "" {
		for _, row := range rows {
			row.Off = offBy(row.Off, r.FullMarks)
		}
		slices.SortStableFunc(rows, func(a, c *BoardRow) int {
			switch {
			case a.Score != c.Score:
				return cmpFloat(c.Score, a.Score)
			case a.Off != c.Off:
				return cmpInt(a.Off, c.Off)
			}
			return cmpInt(a.TimeMS, c.TimeMS)
		})
		rows = rows[:min(len(rows), boardSize)]
	} else {
		for _, row := range rows {
			row.Off = 0
		}
	}
	b.Rows = append([]*BoardRow{}, rows...)
	return b, s.present(ctx, rows)
}

// offBy is how far a prediction was from the count (no prediction: as far
// as can be).
func offBy(pred int64, actual int) int64 {
	if pred < 0 || actual < 0 {
		return math.MaxInt32
	}
	return int64(math.Abs(float64(pred - int64(actual))))
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpInt(a, b int64) int { return cmpFloat(float64(a), float64(b)) }

func (s *Service) readOverall(ctx context.Context, k *Contest, path string) (*Board, error) {
	ids := make([]any, 0, len(k.Rounds)+2)
	for _, r := range k.Rounds {
		ids = append(ids, r.ID)
	}
	args := append(ids, Disqualified)
	cond := ``
	if path != "" {
		args = append(args, s.DB.Dialect.PrefixPattern(path))
		cond = ` AND ` + s.DB.Dialect.PrefixMatch("e.unit_path", len(args))
	}
	where := ` WHERE e.round_id IN (` + db.Numbered(1, len(ids)) + `) AND e.decision <> $` + fmt.Sprint(len(ids)+1) + cond
	b := &Board{}
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(DISTINCT e.account_id) FROM cmp_entries e`+where, args...).Scan(&b.Entrants); err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (*BoardRow, error) {
		row := &BoardRow{}
		var consent int
		err := r.Scan(&row.AccountID, &row.name, &row.unitPath, &row.Score, &row.MaxScore, &row.TimeMS, &row.Rounds, &consent)
		row.consent = consent > 0
		return row, err
	}, `SELECT e.account_id, MAX(e.display_name), MAX(e.unit_path), SUM(e.score), SUM(e.max_score), SUM(e.time_ms), COUNT(*),
		MAX(COALESCE((SELECT x.consent FROM cmp_entrants x WHERE x.round_id = e.round_id AND x.account_id = e.account_id), 0))
		FROM cmp_entries e`+where+` GROUP BY e.account_id ORDER BY SUM(e.score) DESC, SUM(e.time_ms), e.account_id LIMIT `+fmt.Sprint(boardSize), args...)
	if err != nil {
		return nil, err
	}
	b.Rows = append([]*BoardRow{}, rows...)
	return b, s.present(ctx, rows)
}

// present numbers the rows and writes what may be shown of each entrant.
func (s *Service) present(ctx context.Context, rows []*BoardRow) error {
	ids := []string{}
	for _, r := range rows {
		if r.unitPath != "" {
			ids = append(ids, org.LeafID(r.unitPath))
		}
	}
	us, err := s.Org.UnitsByID(ctx, ids)
	if err != nil {
		return err
	}
	for i, r := range rows {
		r.Place = i + 1
		if r.consent {
			r.Name = r.name
		} else {
			r.Name = Initials(r.name)
		}
		if r.unitPath != "" {
			if u := us[org.LeafID(r.unitPath)]; u != nil {
				r.UnitName = u.NameVI
			}
		}
	}
	return nil
}

// ---- after a round

// Publish closes a round's results: the count of entrants with every
// answer right is fixed (the prediction's answer) and the official order
// shown. The round must have closed.
func (s *Service) Publish(ctx context.Context, k *Contest, c *Campaign, r *Round) error {
	p, err := auth.Authorize(ctx, auth.ManageCampaigns, c.UnitPath)
	if err != nil {
		return err
	}
	if r.State(s.Exams.Now()) == "open" || r.State(s.Exams.Now()) == "upcoming" {
		return errs.E(errs.Conflict, "campaign.round_not_closed")
	}
	var full int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cmp_entries WHERE round_id = $1 AND decision <> $2 AND max_score > 0 AND score >= max_score`, r.ID, Disqualified).Scan(&full); err != nil {
		return err
	}
	if _, err := s.DB.W.ExecContext(ctx, `UPDATE cmp_rounds SET published_at = $1, full_marks = $2 WHERE id = $3`, db.Now(), full, r.ID); err != nil {
		return err
	}
	r.PublishedAt, r.FullMarks = db.Now(), full
	s.contests.Delete(k.ID)
	s.dropBoards(r.ID)
	return s.audit(ctx, p, "contest.publish", "contest", k.ID, c.UnitPath, fmt.Sprintf("round %d: %d full marks", r.Num, full))
}

// Flagged lists a round's entries the fair-play checks flagged, for the
// organisers' review.
func (s *Service) Flagged(ctx context.Context, c *Campaign, r *Round) ([]*BoardRow, error) {
	if _, err := auth.Authorize(ctx, auth.ManageCampaigns, c.UnitPath); err != nil {
		return nil, err
	}
	// Identical sheets are found when the organisers look, not written
	// at every entry: a group of them is one query over the round.
	rows, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (*BoardRow, error) {
		b, err := scanRow(r)
		if b != nil && b.Flag == "" {
			b.Flag = FlagIdentical
		}
		return b, err
	}, entryQuery+` WHERE e.round_id = $1 AND (e.flag <> '' OR e.digest IN (SELECT digest FROM cmp_entries WHERE round_id = $1 AND digest <> '' GROUP BY digest HAVING COUNT(*) >= $2))
		ORDER BY e.flag, e.digest, e.score DESC LIMIT 500`, r.ID, identicalSheet)
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		row.Off = 0
	}
	if err := s.present(ctx, rows); err != nil {
		return nil, err
	}
	for _, row := range rows {
		row.Name = row.name // organisers see who it is
	}
	return rows, nil
}

// Decide records the organisers' decision on an entry (cleared or
// disqualified), with the reason, in the audit log.
func (s *Service) Decide(ctx context.Context, c *Campaign, r *Round, accountID, decision, reason string) error {
	p, err := auth.Authorize(ctx, auth.ManageCampaigns, c.UnitPath)
	if err != nil {
		return err
	}
	if decision != Cleared && decision != Disqualified {
		return errs.Field("decision", "campaign.bad_decision", decision)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > maxName {
		return errs.Field("reason", "campaign.reason_required", maxName)
	}
	res, err := s.DB.W.ExecContext(ctx, `UPDATE cmp_entries SET decision = $1 WHERE round_id = $2 AND account_id = $3`, decision, r.ID, accountID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "error.not_found")
	}
	s.dropBoards(r.ID)
	return s.audit(ctx, p, "contest.decide", "contest_entry", r.ID+"/"+accountID, c.UnitPath, decision+": "+reason)
}

// SetPrize records a prize given to an entrant of a published round.
func (s *Service) SetPrize(ctx context.Context, c *Campaign, r *Round, accountID, prize string) error {
	p, err := auth.Authorize(ctx, auth.ManageCampaigns, c.UnitPath)
	if err != nil {
		return err
	}
	if r.PublishedAt == 0 {
		return errs.E(errs.Conflict, "campaign.not_published_round")
	}
	prize = textfold.NFC(strings.TrimSpace(prize))
	if utf8.RuneCountInString(prize) > maxName {
		return errs.Field("prize", "campaign.too_long", maxName)
	}
	res, err := s.DB.W.ExecContext(ctx, `UPDATE cmp_entries SET prize = $1 WHERE round_id = $2 AND account_id = $3 AND decision <> $4`, prize, r.ID, accountID, Disqualified)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "error.not_found")
	}
	s.dropBoards(r.ID)
	return s.audit(ctx, p, "contest.prize", "contest_entry", r.ID+"/"+accountID, c.UnitPath, prize)
}

// EnteredRounds lists the people who finished a round, for a message's
// audience ("entered round 1, not round 2").
func (s *Service) enteredAccounts(ctx context.Context, roundID string) (map[string]bool, error) {
	out := map[string]bool{}
	err := db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		out[id] = true
		return nil
	}, `SELECT account_id FROM cmp_entries WHERE round_id = $1`, roundID)
	return out, err
}

// Sources this room gives monitoring (counted per unit over a year).
const (
	SourceEntries       = "campaigns.contest_entries" // finished contest entries, by the entrant's unit
	SourceRegistrations = "campaigns.registrations"   // event registrations, by the organising unit
	SourceAttendance    = "campaigns.attendance"      // people who came to events, by the organising unit
	SourceVisits        = "campaigns.visits"          // views of campaign pages, by the organising unit
)

// MonitorCounts counts a year's participation per unit for monitoring's
// computed data elements.
func (s *Service) MonitorCounts(ctx context.Context, year int) (map[string][]org.UnitCount, error) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, i18n.DefaultZone).UnixMilli()
	to := time.Date(year+1, 1, 1, 0, 0, 0, 0, i18n.DefaultZone).UnixMilli()
	if err := s.FlushVisits(ctx); err != nil {
		return nil, err
	}
	out := map[string][]org.UnitCount{}
	for _, q := range []struct {
		src, query string
		args       []any
	}{
		{SourceEntries, `SELECT unit_id, COUNT(*) FROM cmp_entries WHERE unit_id <> '' AND finished_at >= $1 AND finished_at < $2 GROUP BY unit_id`, []any{from, to}},
		{SourceRegistrations, `SELECT c.unit_id, COUNT(*) FROM cmp_registrations r JOIN cmp_events e ON e.id = r.event_id JOIN cmp_campaigns c ON c.id = e.campaign_id WHERE e.starts_at >= $1 AND e.starts_at < $2 GROUP BY c.unit_id`, []any{from, to}},
		{SourceAttendance, `SELECT c.unit_id, SUM(e.attended) FROM cmp_events e JOIN cmp_campaigns c ON c.id = e.campaign_id WHERE e.starts_at >= $1 AND e.starts_at < $2 GROUP BY c.unit_id`, []any{from, to}},
		{SourceVisits, `SELECT unit_id, SUM(visits) FROM cmp_campaigns WHERE starts_on >= $1 AND starts_on < $2 GROUP BY unit_id`, []any{fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-01-01", year+1)}},
	} {
		counts, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (org.UnitCount, error) {
			var c org.UnitCount
			return c, r.Scan(&c.UnitID, &c.N)
		}, q.query, q.args...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", q.src, err)
		}
		out[q.src] = counts
	}
	return out, nil
}

var achievementRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// CertificateList is a round's list for the certificates system's
// "issue from a list" (columns achievement, username): every entrant not
// disqualified (a certificate of participation), or only the prize
// winners.
func (s *Service) CertificateList(ctx context.Context, c *Campaign, r *Round, achievement string, prizesOnly bool) ([][]string, error) {
	if _, err := auth.Authorize(ctx, auth.ManageCampaigns, c.UnitPath); err != nil {
		return nil, err
	}
	if !achievementRe.MatchString(achievement) {
		return nil, errs.Field("achievement", "campaign.bad_achievement")
	}
	cond := ``
	if prizesOnly {
		cond = ` AND prize <> ''`
	}
	ids, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, `SELECT account_id FROM cmp_entries WHERE round_id = $1 AND decision <> $2`+cond+` ORDER BY score DESC, time_ms, account_id`, r.ID, Disqualified)
	if err != nil {
		return nil, err
	}
	names, err := s.Auth.Usernames(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := [][]string{{"achievement", "username"}}
	for _, id := range ids {
		if n := names[id]; n != "" {
			out = append(out, []string{achievement, n})
		}
	}
	return out, nil
}
