// Package lrs is dxhub's learning record store: an xAPI 1.0.3 endpoint at
// /xapi/ that other learning platforms write to with HTTP Basic credentials
// scoped to a unit, and the Go API through which dxhub records its own
// learning events, so the store is the single history of learning.
package lrs

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
)

// Store keeps statements, documents and client credentials.
type Store struct {
	DB      *db.DB
	Log     *slog.Logger
	BaseURL string // homePage of the accounts dxhub names (its own URL)

	mu      sync.Mutex
	gc      *db.GroupCommit[saveReq]
	clients map[string]cachedClient // by key
	defs    map[string]string       // activity id -> last definition stored by this node
	inserts *db.Prepared            // the full-size multi-row INSERTs, see prepareInserts
	queries *db.Prepared            // statement queries by form, see find

	// SQLite: key entries waiting to be written, see keys.go.
	keysOnce           sync.Once
	keys               *keyBuffer
	keysErr            error
	stopKeys, keysDone chan struct{}
}

type cachedClient struct {
	c       *Client
	hash    string
	at      time.Time
	expires int64 // unix ms, 0 for never
}

// Client is one set of LRS credentials.
type Client struct {
	ID        string `json:"id"`
	UnitID    string `json:"unit_id"`
	UnitPath  string `json:"-"`
	UnitCode  string `json:"unit_code,omitempty"`
	Name      string `json:"name"`
	Key       string `json:"key"`
	CreatedAt int64  `json:"created_at"`
	Revoked   bool   `json:"revoked"`

	// Launch binds credentials made for one learner opening one external
	// activity; zero for a unit's own credentials.
	Launch Launch `json:"-"`
}

// Launch is what launch credentials are bound to, as the xAPI launch and
// cmi5 conventions intend: statements by that actor about that activity
// (or its parts) in that registration, and that actor's documents for it.
type Launch struct {
	Actor        string // AgentKey of the learner
	Activity     string // the lesson's activity IRI
	Registration string
	Origin       string // scheme://host of the content's page, allowed by CORS
}

// Bound reports whether c is launch credentials.
func (c *Client) Bound() bool { return c.Launch.Actor != "" }

// Authority is the agent a client's statements are vouched for by.
func (s *Store) Authority(c *Client) obj {
	return obj{"objectType": "Agent", "name": c.Name, "account": obj{"homePage": s.Home(), "name": c.Key}}
}

// Home is the homePage of the accounts dxhub names: its own URL.
func (s *Store) Home() string {
	if s.BaseURL != "" {
		return strings.TrimRight(s.BaseURL, "/")
	}
	return "https://dxhub.gov.vn"
}

// System is the client dxhub itself writes as, scoped to the whole tree.
func (s *Store) System(unitPath string) *Client {
	return &Client{ID: "dxhub", Name: "dxhub", Key: "dxhub", UnitPath: unitPath}
}

func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateClient issues credentials for a unit and returns the secret, which
// is shown once.
func (s *Store) CreateClient(ctx context.Context, unitID, unitPath, name, by string) (*Client, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return nil, "", errs.Field("name", "lrs.client_name_required")
	}
	c := &Client{ID: db.NewID(), UnitID: unitID, UnitPath: unitPath, Name: name, Key: "lrs_" + db.Token(12), CreatedAt: db.Now()}
	secret := db.Token(24)
	_, err := s.DB.W.ExecContext(ctx, `INSERT INTO lrs_clients (id, unit_id, unit_path, name, key, secret_hash, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
		c.ID, unitID, unitPath, name, c.Key, hashSecret(secret), by, c.CreatedAt)
	if err != nil {
		return nil, "", err
	}
	return c, secret, nil
}

// CreateLaunchClient issues credentials for one learner opening one
// external activity, bound to l and working until expires.
func (s *Store) CreateLaunchClient(ctx context.Context, unitID, unitPath, name, by string, l Launch, expires time.Time) (*Client, string, error) {
	if l.Actor == "" || l.Activity == "" {
		return nil, "", errs.E(errs.Invalid, "lrs.launch_unbound")
	}
	c := &Client{ID: db.NewID(), UnitID: unitID, UnitPath: unitPath, Name: name, Key: "lrs_" + db.Token(12), CreatedAt: db.Now(), Launch: l}
	secret := db.Token(24)
	_, err := s.DB.W.ExecContext(ctx, `INSERT INTO lrs_clients (id, unit_id, unit_path, name, key, secret_hash, created_by, created_at, expires_at, actor_key, activity_id, registration, origin) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
		c.ID, unitID, unitPath, name, c.Key, hashSecret(secret), by, c.CreatedAt, expires.UnixMilli(), l.Actor, l.Activity, strings.ToLower(l.Registration), l.Origin)
	if err != nil {
		return nil, "", err
	}
	return c, secret, nil
}

// Clients lists the credentials issued within a subtree. Their UnitCode
// holds the unit's id: the caller, who shows them, asks org for its code.
func (s *Store) Clients(ctx context.Context, pathPrefix string) ([]Client, error) {
	return db.Query(ctx, s.DB.R, func(r db.Scanner) (Client, error) {
		var c Client
		err := r.Scan(&c.ID, &c.UnitID, &c.UnitPath, &c.UnitCode, &c.Name, &c.Key, &c.CreatedAt, &c.Revoked)
		return c, err
	}, `SELECT c.id, c.unit_id, c.unit_path, c.unit_id, c.name, c.key, c.created_at, c.revoked_at IS NOT NULL
		FROM lrs_clients c WHERE `+s.DB.Dialect.PrefixMatch("c.unit_path", 1)+` ORDER BY c.created_at DESC`, s.DB.Dialect.PrefixPattern(pathPrefix))
}

// ClientByID returns one client, for permission checks before revoking.
func (s *Store) ClientByID(ctx context.Context, id string) (*Client, error) {
	var c Client
	err := s.DB.R.QueryRowContext(ctx, `SELECT id, unit_id, unit_path, name, key, created_at, revoked_at IS NOT NULL FROM lrs_clients WHERE id = $1`, id).
		Scan(&c.ID, &c.UnitID, &c.UnitPath, &c.Name, &c.Key, &c.CreatedAt, &c.Revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	return &c, err
}

// RevokeClient stops a client's credentials from working, on every node
// at once.
func (s *Store) RevokeClient(ctx context.Context, id string) error {
	_, err := s.DB.W.ExecContext(ctx, `UPDATE lrs_clients SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, db.Now(), id)
	s.dropClient(id)
	if err == nil {
		s.DB.Announce(ctx, topicClient, id)
	}
	return err
}

// topicClient is the news other nodes hear of a revoked client.
const topicClient = "lrs.client"

// WatchChanges makes this node forget clients other nodes revoke.
func (s *Store) WatchChanges() { s.DB.Subscribe(topicClient, s.dropClient) }

// dropClient forgets a cached client (all, when id is empty).
func (s *Store) dropClient(id string) {
	s.mu.Lock()
	for k, cc := range s.clients {
		if id == "" || cc.c.ID == id {
			delete(s.clients, k)
		}
	}
	s.mu.Unlock()
}

const clientCacheTTL = 15 * time.Second

// Authenticate checks HTTP Basic credentials.
func (s *Store) Authenticate(ctx context.Context, key, secret string) (*Client, error) {
	h := hashSecret(secret)
	s.mu.Lock()
	cc, ok := s.clients[key]
	s.mu.Unlock()
	if ok && time.Since(cc.at) < clientCacheTTL && (cc.expires == 0 || cc.expires > db.Now()) {
		if cc.hash != h {
			return nil, errs.E(errs.Unauthorized, "error.unauthorized")
		}
		return cc.c, nil
	}
	var c Client
	var stored string
	var expires int64
	err := s.DB.R.QueryRowContext(ctx, `SELECT id, unit_id, unit_path, name, key, secret_hash, expires_at, actor_key, activity_id, registration, origin FROM lrs_clients WHERE key = $1 AND revoked_at IS NULL AND (expires_at = 0 OR expires_at > $2)`, key, db.Now()).
		Scan(&c.ID, &c.UnitID, &c.UnitPath, &c.Name, &c.Key, &stored, &expires, &c.Launch.Actor, &c.Launch.Activity, &c.Launch.Registration, &c.Launch.Origin)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.Unauthorized, "error.unauthorized")
	}
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.clients == nil {
		s.clients = map[string]cachedClient{}
	}
	s.clients[key] = cachedClient{c: &c, hash: stored, at: time.Now(), expires: expires}
	s.mu.Unlock()
	if stored != h {
		return nil, errs.E(errs.Unauthorized, "error.unauthorized")
	}
	return &c, nil
}

// AgentKey is the inverse functional identifier of an agent or identified
// group as one string ("" for an anonymous group).
func AgentKey(v any) string {
	o, ok := v.(obj)
	if !ok {
		return ""
	}
	if s, ok := o["mbox"].(string); ok {
		return "mbox:" + s
	}
	if s, ok := o["mbox_sha1sum"].(string); ok {
		return "sha1:" + strings.ToLower(s)
	}
	if s, ok := o["openid"].(string); ok {
		return "openid:" + s
	}
	if a, ok := o["account"].(obj); ok {
		hp, _ := a["homePage"].(string)
		n, _ := a["name"].(string)
		return "account:" + hp + "|" + n
	}
	return ""
}

// Conflict is a statement id already stored with different content.
var errConflict = errs.E(errs.Conflict, "lrs.statement_conflict")

// prepared is one statement ready to store, its index keys hashed
// (db.Hash64) before it queues for the single writer.
type prepared struct {
	given                                    bool // the client chose the id (so it may already be stored)
	id, actor, verb, otype, okey, reg, voids string
	actorH, okeyH, regH                      int64
	related                                  []relatedKey
	packed                                   []byte // the statement's JSON, packed
	cmp                                      []byte
	defs                                     map[string]string
	seq                                      int64 // once stored
}

// relatedKey is an agent (kind g) or activity (kind a) a statement
// mentions besides its actor and object.
type relatedKey struct {
	kind, key string
	h         int64
}

// comparable is the statement without the properties the LRS sets, so a
// statement sent again can be recognised as the same one.
func comparable(st obj) []byte {
	c := make(obj, len(st))
	for k, v := range st {
		switch k {
		case "stored", "authority", "version", "id":
			continue
		}
		c[k] = v
	}
	b, _ := marshal(c)
	return b
}

// prepare completes a validated statement with what the LRS adds and works
// out its index columns.
func (s *Store) prepare(st obj, c *Client, now time.Time) (*prepared, error) {
	id, given := st["id"].(string)
	if id == "" {
		id, given = NewUUID(), false
	}
	id = strings.ToLower(id)
	st["id"] = id
	arrayContextActivities(st)
	var cmp []byte // only a statement whose id the client chose can be stored already
	if given {
		cmp = comparable(st)
	}
	stamp := now.UTC().Format("2006-01-02T15:04:05.000Z")
	st["stored"] = stamp
	if _, ok := st["timestamp"]; !ok {
		st["timestamp"] = stamp
	}
	if _, ok := st["version"]; !ok {
		st["version"] = "1.0.0"
	}
	st["authority"] = s.Authority(c)
	p := &prepared{given: given, id: id, cmp: cmp, defs: map[string]string{}}
	p.actor = AgentKey(st["actor"])
	verb, _ := st["verb"].(obj)
	p.verb, _ = verb["id"].(string)
	o, _ := st["object"].(obj)
	p.otype, _ = o["objectType"].(string)
	if p.otype == "" {
		p.otype = "Activity"
	}
	switch p.otype {
	case "Activity":
		p.okey, _ = o["id"].(string)
	case "Agent", "Group":
		p.okey = AgentKey(o)
	case "StatementRef":
		p.okey, _ = o["id"].(string)
		p.okey = strings.ToLower(p.okey)
		if p.verb == VerbVoided {
			p.voids = p.okey
		}
	case "SubStatement":
		p.okey = ""
	}
	if ctx, ok := st["context"].(obj); ok {
		if r, ok := ctx["registration"].(string); ok {
			p.reg = strings.ToLower(r)
		}
	}
	p.collect(st, true)
	// Each related key once (an agent can be instructor and team member).
	slices.SortFunc(p.related, func(a, b relatedKey) int {
		if c := strings.Compare(a.kind, b.kind); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	p.related = slices.Compact(p.related)
	for i := range p.related {
		p.related[i].h = db.Hash64(p.related[i].key)
	}
	p.actorH, p.okeyH, p.regH = db.Hash64(p.actor), db.Hash64(p.okey), db.Hash64(p.reg)
	b, err := marshal(st)
	if err != nil {
		return nil, err
	}
	p.packed = pack(b)
	return p, nil
}

// collect lists the related agents and activities of a statement and the
// activity definitions it carries.
func (p *prepared) collect(st obj, top bool) {
	agentRel := func(v any) {
		if k := AgentKey(v); k != "" {
			p.related = append(p.related, relatedKey{kind: "g", key: k})
		}
		if o, ok := v.(obj); ok {
			if m, ok := o["member"].([]any); ok {
				for _, x := range m {
					if k := AgentKey(x); k != "" {
						p.related = append(p.related, relatedKey{kind: "g", key: k})
					}
				}
			}
		}
	}
	act := func(v any, rel bool) {
		o, ok := v.(obj)
		if !ok {
			return
		}
		id, _ := o["id"].(string)
		if rel {
			p.related = append(p.related, relatedKey{kind: "a", key: id})
		}
		if d, ok := o["definition"]; ok {
			b, _ := marshal(d)
			p.defs[id] = string(b)
		}
	}
	// The actor and the object are indexed in their own columns at the
	// top level; members of an anonymous or identified group are related.
	if top {
		if o, ok := st["actor"].(obj); ok {
			if m, ok := o["member"].([]any); ok {
				for _, x := range m {
					agentRel(x)
				}
			}
		}
	} else {
		agentRel(st["actor"])
	}
	if o, ok := st["object"].(obj); ok {
		switch t, _ := o["objectType"].(string); t {
		case "", "Activity":
			act(o, !top)
		case "Agent", "Group":
			if top {
				if m, ok := o["member"].([]any); ok {
					for _, x := range m {
						agentRel(x)
					}
				}
			} else {
				agentRel(o)
			}
		case "SubStatement":
			p.collect(o, false)
		}
	}
	if ctx, ok := st["context"].(obj); ok {
		if v, ok := ctx["instructor"]; ok {
			agentRel(v)
		}
		if v, ok := ctx["team"]; ok {
			agentRel(v)
		}
		if ca, ok := ctx["contextActivities"].(obj); ok {
			for _, v := range ca {
				if list, ok := v.([]any); ok {
					for _, a := range list {
						act(a, true)
					}
				} else {
					act(v, true)
				}
			}
		}
	}
	if top {
		agentRel(st["authority"])
	}
}

// Save stores statements for client c in one transaction and returns their
// ids in order. A statement whose id is already stored with the same
// content is not stored again; with different content the whole call fails
// with a conflict.
func (s *Store) Save(ctx context.Context, c *Client, stmts []obj) ([]string, error) {
	now := time.Now()
	ps := make([]*prepared, len(stmts))
	seen := map[string]bool{}
	for i, st := range stmts {
		if err := Validate(st); err != nil {
			var ve *ValidationError
			if len(stmts) > 1 && errors.As(err, &ve) {
				return nil, &ValidationError{Path: fmt.Sprintf("[%d].%s", i, strings.TrimPrefix(ve.Path, "statement.")), Reason: ve.Reason}
			}
			return nil, err
		}
		p, err := s.prepare(st, c, now)
		if err != nil {
			return nil, err
		}
		if seen[p.id] {
			return nil, bad(fmt.Sprintf("[%d].id", i), "repeats a statement id of the same request")
		}
		seen[p.id] = true
		ps[i] = p
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.id
	}
	if _, err := s.keysReady(ctx); err != nil {
		return nil, err
	}
	if err := s.writer().Do(ctx, saveReq{c: c, ps: ps, now: now}); err != nil {
		return nil, err
	}
	return ids, nil
}

// saveReq is one call's statements, waiting to be committed together with
// other calls' (one transaction for many requests; a failing request is
// retried alone, so it cannot fail its neighbours).
type saveReq struct {
	c   *Client
	ps  []*prepared
	now time.Time
}

func (s *Store) writer() *db.GroupCommit[saveReq] {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gc == nil {
		s.prepareInserts(context.Background())
		write := func(ctx context.Context, tx *sql.Tx, reqs []saveReq) error {
			for _, r := range reqs {
				if err := s.write(ctx, tx, r.c, r.ps, r.now); err != nil {
					return err
				}
			}
			return nil
		}
		var committed func([]saveReq)
		if s.keys != nil {
			committed = func(reqs []saveReq) { s.keys.add(keyEntries(reqs)) }
		}
		s.gc = db.NewGroupCommitThen(s.DB, 64, write, committed).Named("lrs")
	}
	return s.gc
}

// WarmInBackground runs Warm without holding up the caller (a server at
// start) and logs how it went.
func (s *Store) WarmInBackground(ctx context.Context) {
	go func() {
		start := time.Now()
		if err := s.Warm(ctx); err != nil {
			if ctx.Err() == nil {
				s.Log.Error("learning record store warm-up", "err", err)
			}
			return
		}
		s.Log.Info("learning record store indexes in memory", "ms", time.Since(start).Milliseconds())
	}()
}

// Warm loads the indexes that every new statement changes at a place of
// its own (its agent, activity and registration) into the writer's cache;
// without it the first minutes of heavy writing after a start each wait
// on reads.
func (s *Store) Warm(ctx context.Context) error {
	if s.DB.Dialect == db.SQLite {
		return s.DB.WarmIndex(ctx, "xapi_keys", "")
	}
	for _, ix := range []string{"xapi_statements_actor_h", "xapi_statements_object_h", "xapi_statements_registration_h"} {
		if err := s.DB.WarmIndex(ctx, "xapi_statements", ix); err != nil {
			return fmt.Errorf("warm %s: %w", ix, err)
		}
	}
	return nil
}

// Close stops the batching writer after the writes already queued.
func (s *Store) Close() {
	s.mu.Lock()
	gc := s.gc
	s.mu.Unlock()
	if gc != nil {
		gc.Close()
	}
	s.mu.Lock()
	stop := s.stopKeys
	s.stopKeys = nil // a second Close has nothing to stop
	s.mu.Unlock()
	if stop != nil {
		close(stop)
		<-s.keysDone
		if err := s.flushAllKeys(context.Background()); err != nil && s.Log != nil {
			s.Log.Error("learning record store: writing key entries", "err", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range []*db.Prepared{s.inserts, s.queries} {
		if p != nil {
			p.Close()
		}
	}
}

// storedJSON is a stored statement's JSON: packed in bodyz, or as text in
// body for statements stored before migration 15.
func storedJSON(body string, bodyz []byte) ([]byte, error) {
	if len(bodyz) > 0 {
		return unpack(bodyz)
	}
	return []byte(body), nil
}

func (s *Store) write(ctx context.Context, tx *sql.Tx, c *Client, ps []*prepared, now time.Time) error {
	for _, p := range ps {
		p.seq = 0 // set again if this attempt stores it
	}
	// Statements already stored, and the targets of voiding statements.
	var look []any
	for _, p := range ps {
		if p.given {
			look = append(look, p.id)
		}
		if p.voids != "" {
			look = append(look, p.voids)
		}
	}
	type found struct {
		body       []byte
		verb, path string
	}
	existing := map[string]found{}
	if len(look) > 0 {
		err := db.Each(ctx, tx, func(r db.Scanner) error {
			var id, verb, path, text string
			var packed []byte
			if err := r.Scan(&id, &verb, &path, &text, &packed); err != nil {
				return err
			}
			body, err := storedJSON(text, packed)
			existing[id] = found{body, verb, path}
			return err
		}, `SELECT id, verb_id, unit_path, body, bodyz FROM xapi_statements WHERE id IN (`+s.DB.Dialect.Params(1, len(look))+`)`, look...)
		if err != nil {
			return err
		}
	}
	batchVerb := map[string]string{}
	for _, p := range ps {
		batchVerb[p.id] = p.verb
	}
	stored := now.UnixMilli()
	var fresh []*prepared
	for _, p := range ps {
		if e, ok := existing[p.id]; ok {
			if !strings.HasPrefix(e.path, c.UnitPath) {
				// Ids are global: another unit's statement holds this one.
				// Whatever the content, the answer is the plain conflict,
				// never "the same statement is already stored".
				return errConflict
			}
			var old obj
			if err := decode(e.body, &old); err != nil {
				return err
			}
			if !bytes.Equal(comparable(old), p.cmp) {
				return errConflict
			}
			continue
		}
		if p.voids != "" {
			if e, ok := existing[p.voids]; ok && e.verb == VerbVoided && strings.HasPrefix(e.path, c.UnitPath) {
				return bad("object.id", "a voiding statement cannot void another voiding statement")
			}
			if v, ok := batchVerb[p.voids]; ok && v == VerbVoided {
				return bad("object.id", "a voiding statement cannot void another voiding statement")
			}
		}
		fresh = append(fresh, p)
	}
	// Multi-row INSERTs of up to rowsPerInsert statements; RETURNING gives
	// the seqs in the order of the rows.
	var rel []relatedRow
	for from := 0; from < len(fresh); from += rowsPerInsert {
		chunk := fresh[from:min(from+rowsPerInsert, len(fresh))]
		args := make([]any, 0, len(chunk)*15)
		for _, p := range chunk {
			args = append(args, p.id, c.UnitPath, c.ID, p.actor, p.actorH, p.verb, p.otype, p.okey, p.okeyH, p.reg, p.regH, stored, p.voids, "", p.packed)
		}
		ins, err := s.txInsert(ctx, tx, s.insertSQL(insertStatements, 15, len(chunk), " RETURNING seq"))
		if err != nil {
			return err
		}
		rows, err := ins.QueryContext(ctx, args...)
		if err != nil {
			return err
		}
		seqs, err := db.Collect(rows, func(r db.Scanner) (int64, error) {
			var seq int64
			err := r.Scan(&seq)
			return seq, err
		})
		if err != nil {
			return err
		}
		k := len(seqs)
		for i, seq := range seqs[:min(k, len(chunk))] {
			chunk[i].seq = seq
			for _, r := range chunk[i].related {
				rel = append(rel, relatedRow{seq, r})
			}
		}
		if k != len(chunk) {
			return fmt.Errorf("insert statements: %d rows stored of %d", k, len(chunk))
		}
	}
	for from := 0; from < len(rel); from += 2 * rowsPerInsert {
		part := rel[from:min(from+2*rowsPerInsert, len(rel))]
		args := make([]any, 0, len(part)*4)
		for _, r := range part {
			args = append(args, r.seq, r.kind, r.key, r.h)
		}
		ins, err := s.txInsert(ctx, tx, s.insertSQL(insertRelated, 4, len(part), ""))
		if err != nil {
			return err
		}
		if _, err := ins.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	for _, p := range fresh {
		if err := s.saveDefinitions(ctx, tx, c.UnitPath, p.defs, stored); err != nil {
			return err
		}
	}
	for _, p := range ps {
		if p.voids == "" {
			continue
		}
		// A client voids only statements within its own scope; a target
		// elsewhere is left alone, as if it did not exist.
		if _, err := tx.ExecContext(ctx, `UPDATE xapi_statements SET voided = 1 WHERE id = $1 AND verb_id <> $2 AND `+s.DB.Dialect.PrefixMatch("unit_path", 3), p.voids, VerbVoided, s.DB.Dialect.PrefixPattern(c.UnitPath)); err != nil {
			return err
		}
	}
	return nil
}

// rowsPerInsert is the most statements one INSERT stores (the related
// keys go twice as many rows at a time).
const rowsPerInsert = 50

type relatedRow struct {
	seq int64
	relatedKey
}

// insertSQL is the statement inserting n rows of cols columns into target
// (then tail). On SQLite the rows are inserted OR IGNORE: such a statement
// cannot fail halfway, so SQLite keeps no copy of the pages it changes to
// undo it alone (write checks that every statement was stored: ids already
// stored are found before, a related key is never listed twice).
func (s *Store) insertSQL(target string, cols, n int, tail string) string {
	verb := "INSERT INTO "
	if s.DB.Dialect == db.SQLite {
		verb = "INSERT OR IGNORE INTO "
	}
	var sb strings.Builder
	sb.WriteString(verb + target + " VALUES ")
	for k := range n {
		if k > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString("(" + s.DB.Dialect.Params(k*cols+1, cols) + ")")
	}
	sb.WriteString(tail)
	return sb.String()
}

const (
	insertStatements = "xapi_statements (id, unit_path, client_id, actor_key, actor_h, verb_id, object_type, object_key, object_h, registration, registration_h, stored, voids, body, bodyz)"
	insertRelated    = "xapi_related (seq, kind, key, key_h)"
	insertKeys       = "xapi_keys (key_h, kseq)"
)

// prepareInserts prepares the full-size inserts once, before the writer
// starts (a statement prepared on the pool while the writer's transaction
// holds SQLite's one write connection would wait for it forever): parsing
// an INSERT of hundreds of values costs the single writer more than
// running it.
func (s *Store) prepareInserts(ctx context.Context) {
	s.inserts = db.NewPrepared(s.DB.W, 3)
	qs := []string{s.insertSQL(insertStatements, 15, rowsPerInsert, " RETURNING seq"), s.insertSQL(insertRelated, 4, 2*rowsPerInsert, "")}
	if s.DB.Dialect == db.SQLite {
		qs = append(qs, s.insertSQL(insertKeys, 2, keysPerInsert, ""))
	}
	for _, q := range qs {
		s.inserts.Stmt(ctx, q) // on failure each transaction prepares it
	}
}

// txInsert is insert q for use in tx: the one prepareInserts made, or
// prepared now for this transaction.
func (s *Store) txInsert(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	if st := s.inserts.Kept(q); st != nil {
		return tx.StmtContext(ctx, st), nil
	}
	return tx.PrepareContext(ctx, q)
}

// saveDefinitions keeps the latest definition of each activity; a node
// skips writing a definition it has just written.
func (s *Store) saveDefinitions(ctx context.Context, tx *sql.Tx, scope string, defs map[string]string, now int64) error {
	for id, d := range defs {
		memo := scope + "\x00" + id
		s.mu.Lock()
		same := s.defs[memo] == d
		s.mu.Unlock()
		if same {
			continue
		}
		var old string
		switch err := tx.QueryRowContext(ctx, `SELECT definition FROM xapi_activity_defs WHERE id = $1 AND scope = $2`, id, scope).Scan(&old); {
		case err == nil:
			d = mergeDefinition(old, d)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO xapi_activity_defs (id, scope, definition, updated) VALUES ($1,$2,$3,$4)
			ON CONFLICT (id, scope) DO UPDATE SET definition = excluded.definition, updated = excluded.updated`, id, scope, d, now); err != nil {
			return err
		}
		s.mu.Lock()
		if s.defs == nil || len(s.defs) > 10000 {
			s.defs = map[string]string{}
		}
		s.defs[memo] = d
		s.mu.Unlock()
	}
	return nil
}

// decode reads exactly one JSON value, keeping numbers as written.
func decode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// arrayContextActivities stores each context activity list as an array,
// as xAPI requires statements to be returned.
func arrayContextActivities(st obj) {
	if c, ok := st["context"].(obj); ok {
		if ca, ok := c["contextActivities"].(obj); ok {
			for k, v := range ca {
				if _, ok := v.([]any); !ok {
					ca[k] = []any{v}
				}
			}
		}
	}
	if o, ok := st["object"].(obj); ok && o["objectType"] == "SubStatement" {
		arrayContextActivities(o)
	}
}

// mergeDefinition adds what a new activity definition says to the stored
// one: language maps gain languages, other properties take the new value.
func mergeDefinition(old, nw string) string {
	var o, n obj
	if decode([]byte(old), &o) != nil || decode([]byte(nw), &n) != nil {
		return nw
	}
	for k, v := range n {
		if lm, ok := v.(obj); ok && (k == "name" || k == "description") {
			if ol, ok := o[k].(obj); ok {
				for l, t := range lm {
					ol[l] = t
				}
				continue
			}
		}
		o[k] = v
	}
	b, _ := json.Marshal(o)
	return string(b)
}

// NewUUID returns a time-ordered (version 7, RFC 9562) UUID in its text
// form: the first 48 bits are the Unix time in milliseconds, the rest
// random. Ids the store makes itself then land at the end of the id index
// instead of anywhere in it.
func NewUUID() string {
	var u [16]byte
	rand.Read(u[6:])
	ms := uint64(time.Now().UnixMilli())
	for i := 5; i >= 0; i-- {
		u[i] = byte(ms)
		ms >>= 8
	}
	u[6] = u[6]&0x0f | 0x70
	u[8] = u[8]&0x3f | 0x80
	x := hex.EncodeToString(u[:])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}
