package lrs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"dxhub/internal/platform/db"
)

// Query is a statement query: the xAPI filters plus the reader's scope.
type Query struct {
	Scope             string // unit path prefix the reader may see
	StatementID       string
	VoidedID          string
	Agent             string // AgentKey
	Verb              string
	Activity          string
	Registration      string
	RelatedActivities bool
	RelatedAgents     bool
	Since, Until      time.Time
	Limit             int
	Ascending         bool
	After             int64 // paging cursor: the last seq returned
}

// MaxLimit is the most statements one page returns.
const MaxLimit = 500

// Page is one page of results: the statements' JSON and the cursor for
// the next page (0 when there is none).
type Page struct {
	Statements [][]byte
	Next       int64
}

// ErrNotFound is a single statement that is not there (or not visible).
var ErrNotFound = errors.New("statement not found")

// One returns a single statement by id (voided: by voidedStatementId).
func (s *Store) One(ctx context.Context, scope, id string, voided bool) ([]byte, error) {
	var body string
	var packed []byte
	v := 0
	if voided {
		v = 1
	}
	err := s.DB.R.QueryRowContext(ctx, `SELECT body, bodyz FROM xapi_statements WHERE id = $1 AND voided = $2 AND `+s.DB.Dialect.PrefixMatch("unit_path", 3),
		strings.ToLower(id), v, s.DB.Dialect.PrefixPattern(scope)).Scan(&body, &packed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return storedJSON(body, packed)
}

// Find runs a filtered query, newest first unless Ascending.
func (s *Store) Find(ctx context.Context, q Query) (Page, error) {
	var where []string
	var args []any
	argN := func(v any) int {
		args = append(args, v)
		return len(args)
	}
	arg := func(v any) string { return fmt.Sprintf("$%d", argN(v)) }
	where = append(where, "voided = 0")
	if q.Scope != "" && q.Scope != "/" {
		where = append(where, s.inScope(argN, q.Scope))
	}
	// The filters on agent, verb, activity and registration also match a
	// statement whose object is a StatementRef to a statement (voided or
	// not) that matches them, as xAPI asks.
	filters := func(t string) []string {
		var f []string
		if q.Agent != "" {
			a := arg(q.Agent)
			cond := fmt.Sprintf("%[1]sactor_key = %[2]s OR (%[1]sobject_key = %[2]s AND %[1]sobject_type IN ('Agent','Group'))", t, a)
			if q.RelatedAgents {
				cond += " OR " + t + related(arg, q.Agent, "g")
			}
			f = append(f, "("+cond+")")
		}
		if q.Verb != "" {
			f = append(f, t+"verb_id = "+arg(q.Verb))
		}
		if q.Activity != "" {
			a := arg(q.Activity)
			cond := fmt.Sprintf("(%[1]sobject_key = %[2]s AND %[1]sobject_type = 'Activity')", t, a)
			if q.RelatedActivities {
				cond += " OR " + t + related(arg, q.Activity, "a")
			}
			f = append(f, "("+cond+")")
		}
		if q.Registration != "" {
			f = append(f, t+"registration = "+arg(strings.ToLower(q.Registration)))
		}
		return f
	}
	var match, refs string // the filters on the statement itself, and through a reference
	if direct := filters(""); len(direct) > 0 {
		match = strings.Join(direct, " AND ")
		// From each reference to its target: references are few (mostly
		// voiding statements), a filter's targets can be thousands.
		refs = "object_type = 'StatementRef' AND EXISTS (SELECT 1 FROM xapi_statements t WHERE t.id = xapi_statements.object_key AND " + strings.Join(filters("t."), " AND ") + ")"
	}
	if !q.Since.IsZero() {
		where = append(where, "stored > "+arg(q.Since.UnixMilli()))
	}
	if !q.Until.IsZero() {
		where = append(where, "stored <= "+arg(q.Until.UnixMilli()))
	}
	order := "DESC"
	if q.Ascending {
		order = "ASC"
	}
	if q.After > 0 {
		if q.Ascending {
			where = append(where, "seq > "+arg(q.After))
		} else {
			where = append(where, "seq < "+arg(q.After))
		}
	}
	limit := q.Limit
	if limit <= 0 || limit > MaxLimit {
		limit = MaxLimit
	}
	base := strings.Join(where, " AND ")
	if match != "" {
		// On SQLite: the candidates from the indexes, then their rows (see
		// candidates.go).
		if keys, err := s.keysReady(ctx); err != nil {
			return Page{}, err
		} else if keys != nil {
			candidatesArg, limitArg := argN(""), argN(0)
			rows := fmt.Sprintf(`SELECT `+pageColumns+` FROM xapi_statements WHERE seq IN (SELECT value FROM json_each($%d)) AND ((`+match+`) OR (`+refs+`)) AND `+base+` ORDER BY seq `+order+` LIMIT $%d`, candidatesArg, limitArg)
			return s.findCandidates(ctx, q, keys, rows, args, candidatesArg, limitArg, limit)
		}
	}
	// The page size is bound on SQLite, where find keeps one prepared
	// query per form. PostgreSQL gets the number itself: a run with it
	// bound was far slower, for a cause not found (docs/performance.md).
	limitText := fmt.Sprintf(" LIMIT %d", limit+1)
	if s.DB.Dialect == db.SQLite {
		limitText = " LIMIT " + arg(limit+1)
	}
	page := ` ORDER BY seq ` + order + limitText
	sqlText := `SELECT ` + pageColumns + ` FROM xapi_statements WHERE ` + base + page
	if match != "" {
		// The statements that match, or refer to one that does. That OR,
		// and the ORs inside the agent and activity filters, no index
		// serves in seq order: both engines would walk every statement.
		// Instead each way in walks its own index in seq order and stops
		// at a page; the page is the first of what they found.
		plain := func(w string) func(string) string {
			return func(cond string) string {
				return `SELECT ` + pageColumns + ` FROM xapi_statements WHERE ` + w + ` AND ` + cond + page
			}
		}
		var ways []func(string) string
		for _, w := range q.indexWays(arg) {
			ways = append(ways, plain(w))
		}
		// Each way brings its statements' bodies along, so the page is
		// read from what they found instead of looking each row up again.
		parts := make([]string, 0, len(ways)+1)
		for i, w := range ways {
			parts = append(parts, `SELECT `+pageColumns+` FROM (`+w(match+` AND `+base)+fmt.Sprintf(") w%d", i))
		}
		parts = append(parts, `SELECT `+pageColumns+` FROM (`+plain(refs)(base)+fmt.Sprintf(") w%d", len(ways)))
		sqlText = `SELECT ` + pageColumns + ` FROM (` + strings.Join(parts, " UNION ") + `) found` + page
	}
	found, err := scanPage(s.find(ctx, sqlText, args))
	if err != nil {
		return Page{}, err
	}
	return toPage(found, limit)
}

// pageColumns are what a page of statements is read from.
const pageColumns = "seq, body, bodyz"

// pageRow is a row of pageColumns.
type pageRow struct {
	seq    int64
	body   string
	packed []byte
}

// scanPage collects rows of pageColumns, as returned with err by a query,
// and closes them.
func scanPage(rows *sql.Rows, err error) ([]pageRow, error) {
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, func(s db.Scanner) (pageRow, error) {
		var r pageRow
		err := s.Scan(&r.seq, &r.body, &r.packed)
		return r, err
	})
}

// toPage is the page of the first limit rows found; a row past them means
// there is a next page, which starts after the last one on this page.
func toPage(found []pageRow, limit int) (Page, error) {
	var p Page
	for i, r := range found {
		if i == limit {
			p.Next = found[i-1].seq
			break
		}
		st, err := storedJSON(r.body, r.packed)
		if err != nil {
			return Page{}, err
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

// inScope is the condition "unit_path starts with scope". On SQLite it is
// a comparison of the path's first characters (paths are ASCII), not
// GLOB: a statement whose GLOB pattern is a parameter is prepared again
// for every value bound (in case an index could serve that pattern), which
// would undo find's prepared queries. No index serves it here either way.
func (s *Store) inScope(argN func(any) int, scope string) string {
	if s.DB.Dialect == db.SQLite {
		n := argN(scope)
		return fmt.Sprintf("substr(unit_path, 1, length($%d)) = $%d", n, n)
	}
	return s.DB.Dialect.PrefixMatch("unit_path", argN(s.DB.Dialect.PrefixPattern(scope)))
}

// find runs a statement query. On SQLite the query is prepared once per
// form (the filters a request uses) and kept: parsing and planning the
// union of index ways took a third of a query's time. PostgreSQL's driver
// keeps prepared statements itself.
func (s *Store) find(ctx context.Context, q string, args []any) (*sql.Rows, error) {
	if s.DB.Dialect != db.SQLite {
		return s.DB.R.QueryContext(ctx, q, args...)
	}
	prepared := s.prepared()
	st, err := prepared.Stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return s.DB.R.QueryContext(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

// prepared is the statement queries kept prepared, on SQLite.
func (s *Store) prepared() *db.Prepared {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.queries == nil {
		// A handful of forms are common; a client trying every combination
		// of filters gets the rest unprepared.
		s.queries = db.NewPrepared(s.DB.R, 256)
	}
	return s.queries
}

// indexWays splits the query's most selective filter into conditions,
// each served by one index, whose union holds every statement that passes
// it: the agent as actor, as object, or among related agents; else the
// same for the activity, the registration or the verb.
//
// The indexes hold hashes of the keys (db.Hash64); each way also compares
// the text, so a hash two keys share returns only the right statements.
func (q Query) indexWays(arg func(any) string) []string {
	hashed := func(name, col, key string) string {
		return name + "_h = " + arg(db.Hash64(key)) + " AND " + col + " = " + arg(key)
	}
	switch {
	case q.Agent != "":
		ways := []string{hashed("actor", "actor_key", q.Agent), "(" + hashed("object", "object_key", q.Agent) + " AND object_type IN ('Agent','Group'))"}
		if q.RelatedAgents {
			ways = append(ways, related(arg, q.Agent, "g"))
		}
		return ways
	case q.Activity != "":
		ways := []string{"(" + hashed("object", "object_key", q.Activity) + " AND object_type = 'Activity')"}
		if q.RelatedActivities {
			ways = append(ways, related(arg, q.Activity, "a"))
		}
		return ways
	case q.Registration != "":
		return []string{hashed("registration", "registration", strings.ToLower(q.Registration))}
	}
	return []string{"verb_id = " + arg(q.Verb)}
}

// related is the condition "the statement mentions key as a related agent
// (kind g) or activity (kind a)".
func related(arg func(any) string, key, kind string) string {
	return "seq IN (SELECT seq FROM xapi_related WHERE key_h = " + arg(db.Hash64(key)) + " AND key = " + arg(key) + " AND kind = '" + kind + "')"
}

// Attachment is stored attachment content.
type Attachment struct {
	SHA2        string
	ContentType string
	Content     []byte
}

// SaveAttachments stores attachment content sent by a client of scope
// (once per hash and scope).
func (s *Store) SaveAttachments(ctx context.Context, scope string, atts []Attachment) error {
	if len(atts) == 0 {
		return nil
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, a := range atts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO xapi_attachment_content (sha2, scope, content_type, content) VALUES ($1,$2,$3,$4) ON CONFLICT (sha2, scope) DO NOTHING`, a.SHA2, scope, a.ContentType, a.Content); err != nil {
				return err
			}
		}
		return nil
	})
}

// Attachments loads attachment content by hash, as sent by clients within
// the reader's scope: the same content sent by another unit is not theirs
// to read, even when a statement of theirs names its hash.
func (s *Store) Attachments(ctx context.Context, scope string, hashes []string) ([]Attachment, error) {
	if len(hashes) == 0 {
		return nil, nil
	}
	args := []any{s.DB.Dialect.PrefixPattern(scope)}
	for _, h := range hashes {
		args = append(args, h)
	}
	out, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (Attachment, error) {
		var a Attachment
		err := r.Scan(&a.SHA2, &a.ContentType, &a.Content)
		return a, err
	}, `SELECT DISTINCT sha2, content_type, content FROM xapi_attachment_content WHERE `+s.DB.Dialect.PrefixMatch("scope", 1)+` AND sha2 IN (`+s.DB.Dialect.Params(2, len(hashes))+`)`, args...)
	return out, err
}

// Activity returns the definition of an activity as last described by a
// client within scope ("" if none).
func (s *Store) Activity(ctx context.Context, scope, id string) (string, error) {
	var d string
	err := s.DB.R.QueryRowContext(ctx, `SELECT definition FROM xapi_activity_defs WHERE id = $1 AND `+s.DB.Dialect.PrefixMatch("scope", 2)+` ORDER BY updated DESC LIMIT 1`, id, s.DB.Dialect.PrefixPattern(scope)).Scan(&d)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return d, err
}

// Count is the number of statements stored within a subtree, or with
// scope "" in the whole store (counted from an index, not the rows).
func (s *Store) Count(ctx context.Context, scope string) (int64, error) {
	var n int64
	if scope == "" {
		err := s.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM xapi_statements`).Scan(&n)
		return n, err
	}
	err := s.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM xapi_statements WHERE `+s.DB.Dialect.PrefixMatch("unit_path", 1), s.DB.Dialect.PrefixPattern(scope)).Scan(&n)
	return n, err
}

// Doc is a stored document of the State, Activity Profile or Agent
// Profile resources.
type Doc struct {
	ContentType string
	Content     []byte
	ETag        string
	Updated     int64
}

// DocKey names a document (or, with ID empty, a set of them).
type DocKey struct {
	Scope, Kind, Activity, Agent, Registration, ID string
}

// GetDoc returns one document, nil when there is none.
func (s *Store) GetDoc(ctx context.Context, k DocKey) (*Doc, error) {
	var d Doc
	err := s.DB.R.QueryRowContext(ctx, `SELECT content_type, content, etag, updated FROM xapi_documents
		WHERE scope = $1 AND kind = $2 AND activity_id = $3 AND agent_key = $4 AND registration = $5 AND doc_id = $6`,
		k.Scope, k.Kind, k.Activity, k.Agent, k.Registration, k.ID).Scan(&d.ContentType, &d.Content, &d.ETag, &d.Updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &d, err
}

// DocIDs lists the ids of the documents under k updated after since.
func (s *Store) DocIDs(ctx context.Context, k DocKey, since time.Time) ([]string, error) {
	q := `SELECT doc_id FROM xapi_documents WHERE scope = $1 AND kind = $2 AND activity_id = $3 AND agent_key = $4 AND registration = $5`
	args := []any{k.Scope, k.Kind, k.Activity, k.Agent, k.Registration}
	if !since.IsZero() {
		q += ` AND updated > $6`
		args = append(args, since.UnixMilli())
	}
	ids, err := db.Strings(ctx, s.DB.R, q+` ORDER BY doc_id`, args...)
	if ids == nil {
		ids = []string{}
	}
	return ids, err
}

// PutDoc stores a document, replacing any.
func (s *Store) PutDoc(ctx context.Context, k DocKey, d Doc) error {
	_, err := s.DB.W.ExecContext(ctx, `INSERT INTO xapi_documents (scope, kind, activity_id, agent_key, registration, doc_id, content_type, content, etag, updated)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
		ON CONFLICT (scope, kind, activity_id, agent_key, registration, doc_id) DO UPDATE SET content_type = excluded.content_type, content = excluded.content, etag = excluded.etag, updated = excluded.updated`,
		k.Scope, k.Kind, k.Activity, k.Agent, k.Registration, k.ID, d.ContentType, d.Content, d.ETag, d.Updated)
	return err
}

// DeleteDocs deletes one document, or with k.ID empty every document
// under k.
func (s *Store) DeleteDocs(ctx context.Context, k DocKey) error {
	q := `DELETE FROM xapi_documents WHERE scope = $1 AND kind = $2 AND activity_id = $3 AND agent_key = $4 AND registration = $5`
	args := []any{k.Scope, k.Kind, k.Activity, k.Agent, k.Registration}
	if k.ID != "" {
		q += ` AND doc_id = $6`
		args = append(args, k.ID)
	}
	_, err := s.DB.W.ExecContext(ctx, q, args...)
	return err
}
