package assessment

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"html/template"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/events"
	"dxhub/internal/platform/files"
	"dxhub/internal/platform/richtext"
)

// Attempt statuses.
const (
	InProgress = "in_progress"
	Submitted  = "submitted"
	Expired    = "expired"
	Voided     = "voided"
)

// FormEntry is one item of a candidate's form: the exact version shown and
// the order its options were shown in.
type FormEntry struct {
	Item    string   `json:"i"`
	Version int      `json:"v"`
	Order   []string `json:"o,omitempty"`
	Targets []string `json:"t,omitempty"`
	Seed    uint64   `json:"s,omitempty"` // an item with a template: the draw this attempt sees
}

// Part is a result on an area or a competence.
type Part struct {
	Code    string  `json:"code"`
	Score   float64 `json:"score"`
	Max     float64 `json:"max"`
	Percent float64 `json:"percent"`
	Min     float64 `json:"min,omitempty"`
	Passed  bool    `json:"passed"`
}

// Breakdown is a result per area and per competence.
type Breakdown struct {
	Areas       []Part `json:"areas"`
	Competences []Part `json:"competences"`
}

// Attempt is one candidate's sitting of a session (bài làm).
type Attempt struct {
	ID          string      `json:"id"`
	SessionID   string      `json:"session_id"`
	AccountID   string      `json:"-"`
	DisplayName string      `json:"display_name"`
	Status      string      `json:"status"`
	Form        []FormEntry `json:"-"`
	Items       int         `json:"items"`
	Cursor      int         `json:"cursor"`
	StartedAt   int64       `json:"started_at"`
	Deadline    int64       `json:"deadline"`
	ExtraS      int         `json:"extra_s"`
	FinishedAt  int64       `json:"finished_at,omitempty"`
	Score       float64     `json:"score"`
	MaxScore    float64     `json:"max_score"`
	Percent     float64     `json:"percent"`
	Passed      bool        `json:"passed"`
	Breakdown   *Breakdown  `json:"breakdown,omitempty"`
	VoidReason  string      `json:"void_reason,omitempty"`
	Answered    int         `json:"answered"`
	// AwaitingMarks counts the essays an examiner has yet to mark; the
	// result is final (and told to other rooms) once none are left.
	AwaitingMarks int  `json:"awaiting_marks,omitempty"`
	fresh         bool // created by this request
}

// Ends is when the attempt's time runs out, extensions included.
func (a *Attempt) Ends() int64 { return a.Deadline + int64(a.ExtraS)*1000 }

// RemainingS is the time left at now, in whole seconds.
func (a *Attempt) RemainingS(now time.Time) int64 {
	if a.Status != InProgress {
		return 0
	}
	return max(0, (a.Ends()-now.UnixMilli())/1000)
}

type op func(ctx context.Context, tx *sql.Tx) error

type poolItem struct {
	id               string
	version          int
	competence, area string
	level            int
	usage            atomic.Int64
}

type pool struct {
	items  []*poolItem
	loaded time.Time
}

type cachedSession struct {
	s  *Session
	b  *Blueprint
	at time.Time
}

type itemMeta struct {
	body             Body
	competence, area string
	stem             template.HTML // rendered once: versions never change
}

// engine holds what the exam hot paths share: the writer that commits
// starts, saves and submissions in batches, caches of sessions, item pools
// and item versions (versions never change), and usage counts to flush.
type engine struct {
	x *Exams
	// writers commit in batches; SQLite has one writer, PostgreSQL several
	// (eight: a network round trip per statement would serialise one). Writes for
	// the same attempt always go to the same writer, so they stay in order.
	writers  []*db.GroupCommit[op]
	sessions sync.Map // id → cachedSession
	pools    sync.Map // blueprint id → *pool
	bodies   sync.Map // item@version → *itemMeta
	poolMu   sync.Mutex
	lastSeq  atomic.Int64
	usage    sync.Map // item id → *atomic.Int64 (not yet flushed)
	headers  sync.Map // attempt id → attemptHeader, for saves
	// Prepared once: SQLite re-parses every unprepared statement, and at
	// exam time these two run thousands of times a second.
	insertStep, readHeader, findAttempt *sql.Stmt
	stop                                chan struct{}
	done                                sync.WaitGroup
	Now                                 func() time.Time
}

// Start begins the exam engine: the batching writer, the usage flusher,
// and, with sweepEvery above 0, the sweeper that closes attempts at their
// deadline. Close stops it.
func (x *Exams) Start(sweepEvery time.Duration) {
	e := &engine{x: x, stop: make(chan struct{}), Now: time.Now}
	n := 1
	if x.Bank.DB.Dialect == db.Postgres {
		n = 8
	}
	for range n {
		e.writers = append(e.writers, db.NewGroupCommit(x.Bank.DB, 512, func(ctx context.Context, tx *sql.Tx, ops []op) error {
			for _, o := range ops {
				if err := o(ctx, tx); err != nil {
					return err
				}
			}
			return nil
		}).Named("exam"))
	}
	var err error
	// A step is stored only while its attempt is in progress, so that
	// whatever is acknowledged is what the finishing write scores. On
	// PostgreSQL the step also holds a share lock on the attempt's row
	// until it commits, which the finishing UPDATE waits for (SQLite has
	// one writer: the finishing write simply comes before or after).
	stepSQL := `INSERT INTO attempt_steps (attempt_id, seq, idx, response) SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM attempts WHERE id = $1 AND status = 'in_progress')`
	if x.Bank.DB.Dialect == db.Postgres {
		stepSQL = `INSERT INTO attempt_steps (attempt_id, seq, idx, response) SELECT id, $2::bigint, $3::integer, $4::text FROM attempts WHERE id = $1 AND status = 'in_progress' FOR SHARE`
	}
	if e.insertStep, err = x.Bank.DB.W.Prepare(stepSQL); err != nil {
		panic(fmt.Sprintf("prepare: %v", err)) // the schema is ours: this is a programming error
	}
	if e.readHeader, err = x.Bank.DB.R.Prepare(`SELECT account_id, session_id, status, deadline, extra_s, cursor_pos, form FROM attempts WHERE id = $1`); err != nil {
		panic(fmt.Sprintf("prepare: %v", err))
	}
	if e.findAttempt, err = x.Bank.DB.R.Prepare(`SELECT id FROM attempts WHERE session_id = $1 AND account_id = $2`); err != nil {
		panic(fmt.Sprintf("prepare: %v", err))
	}
	x.engine = e
	e.done.Add(1)
	// A proctor's extension or voiding on another node reaches this
	// node's cache at once (saves re-read before refusing, and the step's
	// INSERT checks the status, so this is about what pages show).
	x.Bank.DB.Subscribe(topicAttempt, func(id string) {
		if id == "" {
			e.headers.Clear()
		} else {
			e.headers.Delete(id)
		}
	})
	x.Bank.DB.Subscribe(topicSessions, func(string) { e.sessions.Clear() })
	go e.background(sweepEvery)
}

// SetClock replaces the engine's clock (tests move time with it).
func (x *Exams) SetClock(now func() time.Time) { x.engine.Now = now }

// Close stops the background work and the writer.
func (x *Exams) Close() {
	if x.engine == nil {
		return
	}
	close(x.engine.stop)
	x.engine.done.Wait()
	x.engine.flushUsage(context.Background())
	for _, w := range x.engine.writers {
		w.Close()
	}
	x.engine.insertStep.Close()
	x.engine.readHeader.Close()
	x.engine.findAttempt.Close()
}

func (e *engine) background(every time.Duration) {
	defer e.done.Done()
	// Without a sweep interval (commands other than serve), no attempt is
	// closed by this process; only its own usage counts are written.
	var sweep <-chan time.Time
	if every > 0 {
		t := time.NewTicker(every)
		defer t.Stop()
		sweep = t.C
	}
	flush := time.NewTicker(10 * time.Second)
	defer flush.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-sweep:
			if _, err := e.x.Bank.DB.Alone(context.Background(), "sweep attempts", func(ctx context.Context) error {
				_, err := e.x.Sweep(ctx)
				return err
			}); err != nil {
				e.x.Bank.Log.Error("sweep attempts", "err", err)
			}
		case <-flush.C:
			e.flushUsage(context.Background())
		}
	}
}

func (e *engine) write(ctx context.Context, key string, o op) error {
	h := fnv.New32a()
	h.Write([]byte(key))
	return e.writers[int(h.Sum32()%uint32(len(e.writers)))].Do(ctx, o)
}

// nextSeq orders answer steps: microseconds, strictly increasing on a node.
func (e *engine) nextSeq() int64 {
	for {
		now := time.Now().UnixMicro()
		last := e.lastSeq.Load()
		if now <= last {
			now = last + 1
		}
		if e.lastSeq.CompareAndSwap(last, now) {
			return now
		}
	}
}

// Topics of the news other nodes hear (db.Announce).
const (
	topicAttempt  = "exams.attempt"  // an attempt's deadline or state changed
	topicSessions = "exams.sessions" // a blueprint changed: cached sessions hold it
)

// forgetAttempt drops the cached header of an attempt on every node.
func (x *Exams) forgetAttempt(ctx context.Context, id string) {
	x.engine.headers.Delete(id)
	x.Bank.DB.Announce(ctx, topicAttempt, id)
}

func (e *engine) session(ctx context.Context, id string) (*Session, *Blueprint, error) {
	if c, ok := e.sessions.Load(id); ok && time.Since(c.(cachedSession).at) < 5*time.Second {
		return c.(cachedSession).s, c.(cachedSession).b, nil
	}
	s, err := e.x.Session(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	b, err := e.x.Blueprint(ctx, s.BlueprintID)
	if err != nil {
		return nil, nil, err
	}
	e.sessions.Store(id, cachedSession{s, b, time.Now()})
	return s, b, nil
}

// loadPool reads the approved items a blueprint draws from.
func (x *Exams) loadPool(ctx context.Context, b *Blueprint) ([]*poolItem, error) {
	// A blueprint draws from the banks of its own unit and the units above
	// it: a provincial exam uses national items and the province's own.
	return db.Query(ctx, x.Bank.DB.R, func(r db.Scanner) (*poolItem, error) {
		var p poolItem
		var usage int64
		err := r.Scan(&p.id, &p.version, &p.competence, &p.area, &p.level, &usage)
		p.usage.Store(usage)
		return &p, err
	}, `SELECT id, version, competence, area, level, usage_count FROM items
		WHERE SUBSTR($1, 1, LENGTH(unit_path)) = unit_path AND standard_code = $2 AND standard_version = $3 AND status = 'approved' ORDER BY id`,
		b.UnitPath, b.StandardCode, b.StandardVersion)
}

func (e *engine) pool(ctx context.Context, b *Blueprint) ([]*poolItem, error) {
	if p, ok := e.pools.Load(b.ID); ok && time.Since(p.(*pool).loaded) < time.Minute {
		return p.(*pool).items, nil
	}
	e.poolMu.Lock()
	defer e.poolMu.Unlock()
	if p, ok := e.pools.Load(b.ID); ok && time.Since(p.(*pool).loaded) < time.Minute {
		return p.(*pool).items, nil
	}
	items, err := e.x.loadPool(ctx, b)
	if err != nil {
		return nil, err
	}
	// Keep this node's usage counts across reloads.
	if old, ok := e.pools.Load(b.ID); ok {
		prev := map[string]int64{}
		for _, it := range old.(*pool).items {
			prev[it.id] = it.usage.Load()
		}
		for _, it := range items {
			if u, ok := prev[it.id]; ok && u > it.usage.Load() {
				it.usage.Store(u)
			}
		}
	}
	e.pools.Store(b.ID, &pool{items: items, loaded: time.Now()})
	return items, nil
}

// draw builds a form: for each rule, the least-used matching items first,
// ties broken at random, so that no item is over-exposed.
func (e *engine) draw(ctx context.Context, b *Blueprint, rng *rand.Rand) ([]FormEntry, error) {
	items, err := e.pool(ctx, b)
	if err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	var form []FormEntry
	for _, r := range b.Rules {
		var cands []*poolItem
		for _, it := range items {
			if !taken[it.id] && r.matches(it.competence, it.area, it.level) {
				cands = append(cands, it)
			}
		}
		if len(cands) < r.Count {
			return nil, errs.E(errs.Conflict, "exams.bank_short")
		}
		rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
		sort.SliceStable(cands, func(i, j int) bool { return cands[i].usage.Load() < cands[j].usage.Load() })
		for _, it := range cands[:r.Count] {
			taken[it.id] = true
			it.usage.Add(1)
			e.addUsage(it.id)
			m, err := e.meta(ctx, it.id, it.version)
			if err != nil {
				return nil, err
			}
			fe := FormEntry{Item: it.id, Version: it.version}
			if m.body.Template != nil {
				fe.Seed = rng.Uint64()
				m, err = e.metaIn(ctx, fe)
				if err != nil {
					return nil, err
				}
			}
			fe.Order, fe.Targets = formOrder(&m.body, rng, b.ShuffleOptions)
			form = append(form, fe)
		}
	}
	if b.ShuffleItems {
		rng.Shuffle(len(form), func(i, j int) { form[i], form[j] = form[j], form[i] })
	}
	return form, nil
}

func (e *engine) addUsage(id string) {
	c, _ := e.usage.LoadOrStore(id, new(atomic.Int64))
	c.(*atomic.Int64).Add(1)
}

// flushUsage writes the usage counts gathered since the last flush, one
// statement per item, off the hot path.
func (e *engine) flushUsage(ctx context.Context) {
	deltas := map[string]int64{}
	e.usage.Range(func(k, v any) bool {
		if n := v.(*atomic.Int64).Swap(0); n > 0 {
			deltas[k.(string)] = n
		}
		return true
	})
	if len(deltas) == 0 {
		return
	}
	err := e.x.Bank.DB.Tx(ctx, func(tx *sql.Tx) error {
		for id, n := range deltas {
			if _, err := tx.ExecContext(ctx, `UPDATE items SET usage_count = usage_count + $1 WHERE id = $2`, n, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.x.Bank.Log.Error("flush item usage", "err", err)
	}
}

// meta returns an item version's body and tags, from cache: versions
// never change once written.
func (e *engine) meta(ctx context.Context, id string, version int) (*itemMeta, error) {
	key := id + "@" + fmt.Sprint(version)
	if m, ok := e.bodies.Load(key); ok {
		return m.(*itemMeta), nil
	}
	it, err := e.x.Bank.Version(ctx, id, version)
	if err != nil {
		return nil, err
	}
	m := &itemMeta{body: it.Body, competence: it.Competence, area: it.Area, stem: richtext.Render(it.Body.Stem)}
	e.bodies.Store(key, m)
	return m, nil
}

// metaIn is an item as a form entry shows it: the item itself or, for an
// item with a template, the instance its seed draws (drawn again at each
// use rather than cached: a draw is cheap, and few items have one).
func (e *engine) metaIn(ctx context.Context, fe FormEntry) (*itemMeta, error) {
	m, err := e.meta(ctx, fe.Item, fe.Version)
	if err != nil || m.body.Template == nil {
		return m, err
	}
	inst := m.body.Instance(fe.Seed)
	return &itemMeta{body: inst, competence: m.competence, area: m.area, stem: richtext.Render(inst.Stem)}, nil
}

const attemptCols = `id, session_id, account_id, display_name, status, form, cursor_pos, started_at, deadline, extra_s, finished_at, score, max_score, passed, breakdown, void_reason, awaiting_marks`

func scanAttempt(r interface{ Scan(...any) error }) (*Attempt, error) {
	var a Attempt
	var form, breakdown string
	var passed int
	if err := r.Scan(&a.ID, &a.SessionID, &a.AccountID, &a.DisplayName, &a.Status, &form, &a.Cursor, &a.StartedAt, &a.Deadline, &a.ExtraS, &a.FinishedAt,
		&a.Score, &a.MaxScore, &passed, &breakdown, &a.VoidReason, &a.AwaitingMarks); err != nil {
		return nil, err
	}
	a.Passed = passed != 0
	if err := json.Unmarshal([]byte(form), &a.Form); err != nil {
		return nil, err
	}
	a.Items = len(a.Form)
	if breakdown != "" {
		a.Breakdown = &Breakdown{}
		json.Unmarshal([]byte(breakdown), a.Breakdown)
	}
	if a.MaxScore > 0 {
		a.Percent = 100 * a.Score / a.MaxScore
	}
	return &a, nil
}

func (x *Exams) attemptWhere(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, cond string, args ...any) (*Attempt, error) {
	a, err := scanAttempt(q.QueryRowContext(ctx, `SELECT `+attemptCols+` FROM attempts WHERE `+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "exams.no_attempt")
	}
	return a, err
}

// StartAttempt starts (or, when one exists, returns) the caller's attempt
// in a session. The deadline is set from when the request arrived; the
// client's timer only displays it.
func (x *Exams) StartAttempt(ctx context.Context, sessionID, accessCode string) (*Attempt, error) {
	e := x.engine
	now := e.Now()
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	var existing string
	switch err := e.findAttempt.QueryRowContext(ctx, sessionID, p.AccountID).Scan(&existing); {
	case err == nil:
		return x.attemptWhere(ctx, x.Bank.DB.R, `id = $1`, existing)
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	s, b, err := e.session(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	switch {
	case now.UnixMilli() < s.OpensAt:
		return nil, errs.E(errs.Conflict, "exams.not_open")
	case now.UnixMilli() >= s.ClosesAt:
		return nil, errs.E(errs.Conflict, "exams.closed")
	case now.UnixMilli() < s.AdmittedAt(p.AccountID):
		return nil, errs.E(errs.Conflict, "exams.wave", time.UnixMilli(s.AdmittedAt(p.AccountID)).Format("15:04:05"))
	case s.AccessCode != "" && strings.TrimSpace(accessCode) != s.AccessCode:
		return nil, errs.Field("access_code", "exams.bad_access_code")
	}
	if err := x.eligible(ctx, s, p); err != nil {
		return nil, err
	}
	form, err := e.draw(ctx, b, rand.New(rand.NewPCG(uint64(now.UnixNano()), uint64(len(p.AccountID))+uint64(e.lastSeq.Add(1)))))
	if err != nil {
		return nil, err
	}
	formJSON, _ := json.Marshal(form)
	var unit, groups string // where monitoring counts the candidate: nowhere without a person record
	if p.PersonID != "" {
		if path, gs, err := x.Bank.Org.PersonPlacement(ctx, p.PersonID); err == nil {
			unit, groups = org.LeafID(path), strings.Join(gs, ",")
		}
	}
	a := &Attempt{ID: db.NewID(), SessionID: sessionID, AccountID: p.AccountID, DisplayName: p.DisplayName, Status: InProgress, Form: form, Items: len(form),
		StartedAt: now.UnixMilli(), Deadline: now.Add(time.Duration(s.TimeLimitMin) * time.Minute).UnixMilli()}
	won := false
	err = e.write(ctx, p.AccountID, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO attempts (id, session_id, account_id, display_name, status, form, started_at, deadline, person_unit, person_groups)
			VALUES ($1, $2, $3, $4, 'in_progress', $5, $6, $7, $8, $9) ON CONFLICT (session_id, account_id) DO NOTHING`,
			a.ID, sessionID, p.AccountID, p.DisplayName, string(formJSON), a.StartedAt, a.Deadline, unit, groups)
		if err == nil {
			n, _ := res.RowsAffected()
			won = n == 1
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("start attempt: %w", err)
	}
	if won {
		a.fresh = true
		examOps.WithLabelValues("start").Inc()
		return a, nil
	}
	// A second start racing this one won; both return the winner.
	return x.attemptWhere(ctx, x.Bank.DB.R, `session_id = $1 AND account_id = $2`, sessionID, p.AccountID)
}

// ownAttempt loads an attempt of the caller.
func (x *Exams) ownAttempt(ctx context.Context, id string) (*Attempt, *auth.Principal, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, nil, err
	}
	a, err := x.attemptWhere(ctx, x.Bank.DB.R, `id = $1`, id)
	if err != nil {
		return nil, nil, err
	}
	if a.AccountID != p.AccountID {
		return nil, nil, errs.E(errs.NotFound, "exams.no_attempt")
	}
	return a, p, nil
}

// attemptHeader is what a save checks, cached for headerTTL: saves are the
// hottest path and would otherwise read and decode the attempt every time.
// Only acceptance uses the cache; before refusing a save the attempt is read
// again, so a proctor's extension on another node is never missed.
type attemptHeader struct {
	account, session, status string
	ends                     int64
	cursor, items            int
	form                     []FormEntry
	at                       time.Time
}

const headerTTL = 30 * time.Second

func (e *engine) header(ctx context.Context, id string, fresh bool) (*attemptHeader, error) {
	if !fresh {
		if h, ok := e.headers.Load(id); ok && time.Since(h.(*attemptHeader).at) < headerTTL {
			return h.(*attemptHeader), nil
		}
	}
	var h attemptHeader
	var deadline int64
	var extra int
	var form string
	err := e.readHeader.QueryRowContext(ctx, id).
		Scan(&h.account, &h.session, &h.status, &deadline, &extra, &h.cursor, &form)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "exams.no_attempt")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(form), &h.form); err != nil {
		return nil, fmt.Errorf("attempt %s form: %w", id, err)
	}
	h.ends, h.items, h.at = deadline+int64(extra)*1000, len(h.form), time.Now()
	e.headers.Store(id, &h)
	return &h, nil
}

// SaveAnswer appends the candidate's response to item idx. It is accepted
// while the attempt is in progress and until its end plus the session's
// grace period; with linear navigation only the current item may change.
func (x *Exams) SaveAnswer(ctx context.Context, attemptID string, idx int, response []string) (int64, error) {
	e := x.engine
	now := e.Now()
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return 0, err
	}
	// Bounded: a composite item's parts share one response; an essay is
	// one value of up to maxEssay bytes.
	if len(response) > 300 {
		return 0, errs.Field("response", "exams.bad_response")
	}
	size := 0
	for _, r := range response {
		if size += len(r); len(r) > maxEssay || size > 20000 {
			return 0, errs.Field("response", "exams.bad_response")
		}
	}
	var refusal error
	var h *attemptHeader
	for _, fresh := range []bool{false, true} {
		h, err = e.header(ctx, attemptID, fresh)
		if err != nil {
			return 0, err
		}
		if h.account != p.AccountID {
			return 0, errs.E(errs.NotFound, "exams.no_attempt")
		}
		s, b, err := e.session(ctx, h.session)
		if err != nil {
			return 0, err
		}
		switch {
		case h.status != InProgress:
			refusal = errs.E(errs.Conflict, "exams.finished")
		case now.UnixMilli() > h.ends+int64(s.GraceS)*1000:
			refusal = errs.E(errs.Conflict, "exams.time_up")
		case idx < 0 || idx >= h.items:
			refusal = errs.Field("item", "exams.bad_item")
		case b.Navigation == Linear && idx != h.cursor:
			refusal = errs.E(errs.Conflict, "exams.linear")
		default:
			refusal = nil
		}
		if refusal == nil {
			break
		}
	}
	if refusal != nil {
		return 0, refusal
	}
	// The item's own bounds on the response (QTI max-choices/min-choices).
	if idx < len(h.form) {
		m, err := e.metaIn(ctx, h.form[idx])
		if err != nil {
			return 0, err
		}
		if err := m.body.CheckResponse(response); err != nil {
			return 0, err
		}
	}
	resp, _ := json.Marshal(response)
	seq := e.nextSeq()
	err = e.write(ctx, attemptID, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, e.insertStep).ExecContext(ctx, attemptID, seq, idx, string(resp))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errFinished
		}
		return nil
	})
	if errors.Is(err, errFinished) {
		e.headers.Delete(attemptID)
		return 0, errFinished
	}
	if err != nil {
		return 0, fmt.Errorf("save answer: %w", err)
	}
	examOps.WithLabelValues("save").Inc()
	return seq, nil
}

// Advance moves a linear attempt to its next item; earlier items are then
// closed to changes.
func (x *Exams) Advance(ctx context.Context, attemptID string) (*Attempt, error) {
	a, _, err := x.ownAttempt(ctx, attemptID)
	if err != nil {
		return nil, err
	}
	if a.Status != InProgress {
		return nil, errs.E(errs.Conflict, "exams.finished")
	}
	if a.Cursor >= len(a.Form)-1 {
		return a, nil
	}
	err = x.engine.write(ctx, attemptID, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE attempts SET cursor_pos = cursor_pos + 1 WHERE id = $1 AND cursor_pos = $2 AND status = 'in_progress'`, attemptID, a.Cursor)
		return err
	})
	x.engine.headers.Delete(attemptID)
	if err != nil {
		return nil, err
	}
	return x.attemptWhere(ctx, x.Bank.DB.R, `id = $1`, attemptID)
}

// errFinished refuses a save to an attempt closed meanwhile.
var errFinished = errs.E(errs.Conflict, "exams.finished")

// Responses returns the latest response to each item of an attempt.
func (x *Exams) Responses(ctx context.Context, attemptID string) (map[int][]string, error) {
	return responses(ctx, x.Bank.DB.R, attemptID)
}

func responses(ctx context.Context, q db.Querier, attemptID string) (map[int][]string, error) {
	out := map[int][]string{}
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var idx int
		var resp string
		if err := r.Scan(&idx, &resp); err != nil {
			return err
		}
		var v []string
		if err := json.Unmarshal([]byte(resp), &v); err != nil {
			return fmt.Errorf("response %d: %w", idx, err)
		}
		out[idx] = v
		return nil
	}, `SELECT idx, response FROM attempt_steps WHERE attempt_id = $1 ORDER BY seq`, attemptID)
	return out, err
}

// score computes an attempt's result from its latest responses.
func (x *Exams) score(ctx context.Context, a *Attempt, b *Blueprint, resps map[int][]string, marks map[int]mark) (float64, float64, bool, *Breakdown, int, error) {
	type acc struct{ score, max float64 }
	areas, comps := map[string]*acc{}, map[string]*acc{}
	var total, maxTotal float64
	awaiting := 0
	for i, fe := range a.Form {
		m, err := x.engine.metaIn(ctx, fe)
		if err != nil {
			return 0, 0, false, nil, 0, err
		}
		got := m.body.Points(resps[i])
		if m.body.Marked() {
			// An examiner's points; a blank answer needs no marking.
			got = 0
			if mk, ok := marks[i]; ok && m.body.MaxScore > 0 {
				got = mk.points / m.body.MaxScore
			} else if len(resps[i]) > 0 {
				awaiting++
			}
		}
		total += got
		maxTotal++
		for _, t := range []struct {
			m    map[string]*acc
			code string
		}{{areas, m.area}, {comps, m.competence}} {
			if t.m[t.code] == nil {
				t.m[t.code] = &acc{}
			}
			t.m[t.code].score += got
			t.m[t.code].max++
		}
	}
	pct := func(s, m float64) float64 {
		if m == 0 {
			return 0
		}
		return 100 * s / m
	}
	passed := pct(total, maxTotal) >= b.PassPercent
	bd := &Breakdown{}
	parts := func(m map[string]*acc, mins map[string]float64) []Part {
		var out []Part
		for code, v := range m {
			p := Part{Code: code, Score: v.score, Max: v.max, Percent: pct(v.score, v.max), Min: mins[code], Passed: true}
			if p.Min > 0 && p.Percent < p.Min {
				p.Passed = false
			}
			out = append(out, p)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
		return out
	}
	bd.Areas, bd.Competences = parts(areas, b.AreaMin), parts(comps, nil)
	for _, p := range bd.Areas {
		passed = passed && p.Passed
	}
	return total, maxTotal, passed && awaiting == 0, bd, awaiting, nil
}

// finish scores an attempt and closes it with status and finish time; it
// does nothing if the attempt was closed meanwhile.
func (x *Exams) finish(ctx context.Context, a *Attempt, status string, finishedAt int64) error {
	_, b, err := x.engine.session(ctx, a.SessionID)
	if err != nil {
		return err
	}
	defer x.engine.headers.Delete(a.ID)
	// One write closes the attempt, then reads its steps and scores them:
	// a save stored before is scored, a save after is refused. The same
	// write records the attempt's event for other rooms.
	err = x.engine.write(ctx, a.ID, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE attempts SET status = $1, finished_at = $2 WHERE id = $3 AND status = 'in_progress'`, status, finishedAt, a.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // closed meanwhile
		}
		return x.settle(ctx, tx, a, b, status, finishedAt)
	})
	if err == nil {
		x.Events.Notify()
		examOps.WithLabelValues(status).Inc()
	}
	return err
}

// settle scores a closed attempt from its saved answers and its marks,
// inside the write that closed it (or that gave its last mark). An
// attempt with essays not yet marked keeps a provisional score and counts
// them; once none are left its result is final and other rooms are told.
func (x *Exams) settle(ctx context.Context, tx *sql.Tx, a *Attempt, b *Blueprint, status string, finishedAt int64) error {
	resps, err := responses(ctx, tx, a.ID)
	if err != nil {
		return err
	}
	var marks map[int]mark
	if x.hasEssays(ctx, a) {
		if marks, err = attemptMarks(ctx, tx, a.ID); err != nil {
			return err
		}
	}
	score, maxScore, passed, bd, awaiting, err := x.score(ctx, a, b, resps, marks)
	if err != nil {
		return err
	}
	bdJSON, _ := json.Marshal(bd)
	if _, err = tx.ExecContext(ctx, `UPDATE attempts SET score = $1, max_score = $2, passed = $3, breakdown = $4, awaiting_marks = $5 WHERE id = $6`,
		score, maxScore, db.Flag(passed), string(bdJSON), awaiting, a.ID); err != nil {
		return err
	}
	if awaiting > 0 {
		return nil
	}
	pct := 0.0
	if maxScore > 0 {
		pct = 100 * score / maxScore
	}
	var unit string
	if err := tx.QueryRowContext(ctx, `SELECT person_unit FROM attempts WHERE id = $1`, a.ID).Scan(&unit); err != nil {
		return err
	}
	return events.Record(ctx, tx, TopicAttemptFinished, AttemptFinished{AttemptID: a.ID, SessionID: a.SessionID, AccountID: a.AccountID,
		Status: status, Passed: passed, Percent: pct, At: finishedAt, StartedAt: a.StartedAt, Score: score, MaxScore: maxScore,
		DisplayName: a.DisplayName, Unit: unit, Answered: len(resps), Items: len(a.Form), Digest: sheetDigest(a.Form, resps)})
}

// hasEssays says whether an attempt's form holds an item an examiner
// marks (most do not: their result is final when they close).
func (x *Exams) hasEssays(ctx context.Context, a *Attempt) bool {
	for _, fe := range a.Form {
		if m, err := x.engine.metaIn(ctx, fe); err != nil || m.body.Marked() {
			return true // on an error, look: score will report it
		}
	}
	return false
}

// examOps counts what candidates and the sweeper did, for the operators'
// saves per second on exam day.
var examOps = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "dxhub_exam_operations_total", Help: "Attempts started, answers saved, attempts submitted, expired (closed at their deadline) and voided.",
}, []string{"op"})

func init() { prometheus.MustRegister(examOps) }

// sheetDigest hashes an answer sheet by item, not by the order shown, so
// that two candidates who gave the same answers to the same items share
// it even when their forms were shuffled differently.
func sheetDigest(form []FormEntry, resps map[int][]string) string {
	lines := make([]string, 0, len(resps))
	for idx, v := range resps {
		if idx < 0 || idx >= len(form) || len(v) == 0 {
			continue
		}
		lines = append(lines, form[idx].Item+"="+strings.Join(v, "\x1f"))
	}
	if len(lines) == 0 {
		return ""
	}
	slices.Sort(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\x1e")))
	return hex.EncodeToString(sum[:12])
}

// Passed reports whether an account has passed an attempt in a session.
func (x *Exams) Passed(ctx context.Context, sessionID, accountID string) (bool, error) {
	var n int
	err := x.Bank.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM attempts WHERE session_id = $1 AND account_id = $2 AND passed = 1`, sessionID, accountID).Scan(&n)
	return n > 0, err
}

// Submit closes the caller's attempt and scores it at once. Submitting
// twice returns the first result; an attempt past its end plus grace is
// closed as expired at its deadline instead.
func (x *Exams) Submit(ctx context.Context, attemptID string) (*Attempt, error) {
	now := x.engine.Now()
	a, _, err := x.ownAttempt(ctx, attemptID)
	if err != nil {
		return nil, err
	}
	switch a.Status {
	case Submitted, Expired:
		return a, nil
	case Voided:
		return nil, errs.E(errs.Conflict, "exams.voided")
	}
	s, _, err := x.engine.session(ctx, a.SessionID)
	if err != nil {
		return nil, err
	}
	status, at := Submitted, now.UnixMilli()
	if at > a.Ends()+int64(s.GraceS)*1000 {
		status, at = Expired, a.Ends()
	}
	if err := x.finish(ctx, a, status, at); err != nil {
		return nil, err
	}
	return x.attemptWhere(ctx, x.Bank.DB.R, `id = $1`, attemptID)
}

// Sweep closes every attempt whose time and grace have run out, recording
// its deadline as the finish time, and scores it. It returns how many it
// closed.
func (x *Exams) Sweep(ctx context.Context) (int, error) {
	now := x.engine.Now().UnixMilli()
	ids, err := db.Strings(ctx, x.Bank.DB.R, `SELECT a.id FROM attempts a JOIN exam_sessions s ON s.id = a.session_id
		WHERE a.status = 'in_progress' AND a.deadline + a.extra_s * 1000 + s.grace_s * 1000 < $1 LIMIT 1000`, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		a, err := x.attemptWhere(ctx, x.Bank.DB.R, `id = $1`, id)
		if err != nil {
			return n, err
		}
		if err := x.finish(ctx, a, Expired, a.Ends()); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// myAttempts lists an account's latest attempts.
// MyAttempts lists the caller's latest attempts, newest first.
func (x *Exams) MyAttempts(ctx context.Context) ([]*Attempt, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	return db.Query(ctx, x.Bank.DB.R, scanAttempt, `SELECT `+attemptCols+` FROM attempts WHERE account_id = $1 ORDER BY started_at DESC LIMIT 50`, p.AccountID)
}

// MyAttemptIn returns the caller's attempt in a session, if they have one.
func (x *Exams) MyAttemptIn(ctx context.Context, sessionID string) (*Attempt, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	return x.attemptWhere(ctx, x.Bank.DB.R, `session_id = $1 AND account_id = $2`, sessionID, p.AccountID)
}

// SessionOf returns a session with its blueprint (cached for a few
// seconds: attempts read them on every page).
func (x *Exams) SessionOf(ctx context.Context, id string) (*Session, *Blueprint, error) {
	return x.engine.session(ctx, id)
}

// Now is the exam clock (tests move it).
func (x *Exams) Now() time.Time { return x.engine.Now() }

// Attempt returns the caller's own attempt.
func (x *Exams) Attempt(ctx context.Context, id string) (*Attempt, error) {
	a, _, err := x.ownAttempt(ctx, id)
	return a, err
}

// AttemptItem is one item of an attempt as the candidate sees it.
type AttemptItem struct {
	Index    int
	View     View
	Response []string
}

// AttemptItems returns the candidate's view of every item with the latest
// responses, in the order of their form.
func (x *Exams) AttemptItems(ctx context.Context, a *Attempt) ([]AttemptItem, error) {
	resps := map[int][]string{}
	if !a.fresh { // an attempt this request created has no answers yet
		var err error
		if resps, err = x.Responses(ctx, a.ID); err != nil {
			return nil, err
		}
	}
	out := make([]AttemptItem, len(a.Form))
	for i, fe := range a.Form {
		m, err := x.engine.metaIn(ctx, fe)
		if err != nil {
			return nil, err
		}
		resp := resps[i]
		if resp == nil {
			resp = []string{} // "response": [] in JSON for a blank
		}
		out[i] = AttemptItem{Index: i, View: ViewInOrder(&m.body, m.stem, fe.Order, fe.Targets), Response: resp}
	}
	a.Answered = len(resps)
	return out, nil
}

// Correct returns the expected response values of item idx of an attempt
// and its feedback.
func (x *Exams) Correct(ctx context.Context, a *Attempt, idx int) ([]string, string, error) {
	if idx < 0 || idx >= len(a.Form) {
		return nil, "", errs.Field("item", "exams.bad_item")
	}
	m, err := x.engine.metaIn(ctx, a.Form[idx])
	if err != nil {
		return nil, "", err
	}
	return m.body.Correct, m.body.Feedback, nil
}

// Reviewed is one item of a finished attempt as its candidate reviews it:
// the answer given and the right one, as the words the candidate saw.
type Reviewed struct {
	Index      int
	Stem       template.HTML
	Picture    template.HTML // a graphic item's image with its areas
	Media      template.HTML // its videos and sounds
	Comment    string        // an essay: the examiner's comment
	Competence string
	// Given and Right are the answer and the expected one as text (option
	// texts, true/false in the reader's words are left to the page: the
	// values "true"/"false" are kept); Given is empty for a blank.
	Given, Right []string
	TrueFalse    bool
	// Points is the share of the question earned, 0 to 1.
	Points   float64
	Feedback string
}

// PointsPercent is Points as a percentage.
func (r Reviewed) PointsPercent() float64 { return 100 * r.Points }

// Review returns every item of a finished attempt for the candidate's
// review, in the order of their form.
func (x *Exams) Review(ctx context.Context, a *Attempt) ([]Reviewed, error) {
	items, err := x.AttemptItems(ctx, a)
	if err != nil {
		return nil, err
	}
	marks, err := attemptMarks(ctx, x.Bank.DB.R, a.ID)
	if err != nil {
		return nil, err
	}
	out := make([]Reviewed, 0, len(items))
	for _, it := range items {
		fe := a.Form[it.Index]
		m, err := x.engine.metaIn(ctx, fe)
		if err != nil {
			return nil, err
		}
		b := &m.body
		r := Reviewed{Index: it.Index, Stem: it.View.Stem, Picture: it.View.Picture, Media: it.View.Media, Competence: m.competence, TrueFalse: b.Type == TrueFalse,
			Given: answerText(b, it.Response), Right: answerText(b, b.CorrectResponse()), Points: b.Points(it.Response), Feedback: b.Feedback}
		if b.Type == Upload && len(it.Response) == 1 {
			r.Given = []string{x.uploadName(ctx, it.Response[0])}
		}
		if b.Marked() {
			// The examiner's points and comment; an essay has no one
			// right answer to show.
			r.Points, r.Comment = 0, marks[it.Index].comment
			if b.MaxScore > 0 {
				r.Points = marks[it.Index].points / b.MaxScore
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// answerText turns response values into what the candidate read: option
// texts for choices, "text → text" for matched pairs, the order of the
// options for ordering, typed text as it is.
func answerText(b *Body, vals []string) []string {
	text := func(opts []Option, id string) string {
		for _, o := range opts {
			if o.ID == id {
				return o.Text
			}
		}
		return id
	}
	var out []string
	if b.Type == Composite {
		for k, p := range b.PartResponse(vals) {
			for _, t := range answerText(&b.Parts[k], p) {
				out = append(out, b.Parts[k].label(k)+" "+t)
			}
		}
		return out
	}
	for i, v := range vals {
		switch b.Type {
		case Single, Multiple:
			out = append(out, text(b.Options, v))
		case Ordering:
			out = append(out, strconv.Itoa(i+1)+". "+text(b.Options, v))
		case Matching:
			l, r, _ := strings.Cut(v, ":")
			out = append(out, text(b.Options, l)+" → "+text(b.Targets, r))
		case Point:
			out = append(out, "("+strings.Join(strings.Fields(v), ", ")+")")
		case Upload:
			out = append(out, strings.TrimPrefix(v, UploadPrefix))
		default:
			out = append(out, v)
		}
	}
	return out
}

func (x *Exams) event(ctx context.Context, sessionID, attemptID, kind, detail string) error {
	p := auth.FromContext(ctx)
	_, err := x.Bank.DB.W.ExecContext(ctx, `INSERT INTO exam_events (id, session_id, attempt_id, actor_id, actor_name, kind, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		db.NewID(), sessionID, attemptID, p.AccountID, p.Username, kind, detail, db.Now())
	if err != nil || x.Bank.Audit == nil {
		return err
	}
	// Under the session's unit, so that its office reads it in its log.
	s, _, err := x.engine.session(ctx, sessionID)
	if err != nil {
		return err
	}
	return x.Bank.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: "exam_" + kind, ObjectType: "attempt", ObjectID: attemptID, UnitPath: s.UnitPath, Detail: detail})
}

// ForgetCandidate removes a deleted account's name from its attempts; the
// attempts stay, as numbers in the session's results and statistics.
func (x *Exams) ForgetCandidate(ctx context.Context, accountID string) error {
	if _, err := x.Bank.DB.W.ExecContext(ctx, `UPDATE attempts SET display_name = '—' WHERE account_id = $1`, accountID); err != nil {
		return err
	}
	// The files they handed in (their own work, often with their name
	// on it) go; the marks stay.
	keys, err := db.Strings(ctx, x.Bank.DB.R, `SELECT f.id FROM files f JOIN attempts a ON f.owner = 'attempt:' || a.id WHERE a.account_id = $1`, accountID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if x.Bank.Files != nil {
			if err := x.Bank.Files.Delete(ctx, k); err != nil && !errors.Is(err, files.ErrNotFound) {
				return err
			}
		}
		if _, err := x.Bank.DB.W.ExecContext(ctx, `DELETE FROM files WHERE id = $1`, k); err != nil {
			return err
		}
	}
	return nil
}

// InProgress counts the attempts in progress in every session, and says
// how long the oldest attempt past its time and grace has waited to be
// closed (0: none), for the operators' metrics.
func (x *Exams) InProgress(ctx context.Context) (n int, sweepLag time.Duration, err error) {
	r := x.Bank.DB.R
	if err := r.QueryRowContext(ctx, `SELECT COUNT(*) FROM attempts WHERE status = 'in_progress'`).Scan(&n); err != nil {
		return 0, 0, err
	}
	now := time.Now().UnixMilli()
	var oldest int64
	if err := r.QueryRowContext(ctx, `SELECT COALESCE(MIN(a.deadline + a.extra_s * 1000 + s.grace_s * 1000), 0) FROM attempts a JOIN exam_sessions s ON s.id = a.session_id
		WHERE a.status = 'in_progress' AND a.deadline + a.extra_s * 1000 + s.grace_s * 1000 < $1`, now).Scan(&oldest); err != nil {
		return 0, 0, err
	}
	if oldest > 0 {
		sweepLag = time.Duration(now-oldest) * time.Millisecond
	}
	return n, sweepLag, nil
}
