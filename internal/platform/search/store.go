package search

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/db"
)

// Domains with a database index; each has its own full-text table or
// index (migrations 00032), so a new domain adds a migration and a name
// here.
var domains = map[string]bool{"people": true, "courses": true, "items": true, "library": true, "experts": true, "experts_all": true}

// Service holds what every index shares: the synonyms, kept in the
// database and cached on each node, and the stores.
type Service struct {
	DB    *db.DB
	Audit *audit.Log

	synMu      sync.Mutex
	syn        *Synonyms
	synVersion string
	synChecked time.Time

	storesMu sync.Mutex
	stores   map[string]*Store
}

// refreshEvery is how stale a node's cached synonyms and vocabularies may
// be: a change made on another node is seen within it.
const refreshEvery = time.Second

// Store is a domain's index in the database.
type Store struct {
	svc    *Service
	domain string

	mu         sync.Mutex
	vocab      *Vocab
	vcount     int
	checked    time.Time
	refreshing bool // a search is reading the vocabulary's size

	// freq caches how many things hold a word, for Related (see there).
	freqMu sync.Mutex
	freq   map[string]counted
}

// counted is a cached count and when it was taken.
type counted struct {
	n  int
	at time.Time
}

// relatedAll is the size below which Related ranks with every word.
const relatedAll = 5000

// freqFor is how long a word's count is reused: counts move slowly, and
// the same few thousand words make most questions.
const freqFor = 10 * time.Minute

// docFreq counts the things holding a word (folded), from the cache when
// fresh; key "" counts all the domain's things.
func (st *Store) docFreq(ctx context.Context, fold string) (int, error) {
	st.freqMu.Lock()
	c, ok := st.freq[fold]
	st.freqMu.Unlock()
	if ok && time.Since(c.at) < freqFor {
		return c.n, nil
	}
	var n int
	var err error
	switch {
	case fold == "":
		n, err = st.Count(ctx)
	case st.svc.DB.Dialect == db.Postgres:
		err = st.svc.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_docs WHERE domain = $1 AND words @@ $2::tsquery`, st.domain, st.word(fold, false)).Scan(&n)
	default:
		err = st.svc.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_fts_`+st.domain+` WHERE search_fts_`+st.domain+` MATCH $1`, st.word(fold, false)).Scan(&n)
	}
	if err != nil {
		return 0, err
	}
	st.freqMu.Lock()
	if st.freq == nil || len(st.freq) > 100000 {
		st.freq = map[string]counted{}
	}
	st.freq[fold] = counted{n, time.Now()}
	st.freqMu.Unlock()
	return n, nil
}

// Store returns the index of a domain listed in domains.
func (s *Service) Store(domain string) *Store {
	if !domains[domain] {
		panic("search: no index for domain " + domain)
	}
	s.storesMu.Lock()
	defer s.storesMu.Unlock()
	if s.stores == nil {
		s.stores = map[string]*Store{}
	}
	st := s.stores[domain]
	if st == nil {
		st = &Store{svc: s, domain: domain}
		s.stores[domain] = st
	}
	return st
}

// Execer is a transaction or a pool: Put and Delete run in the caller's
// transaction, so that a thing and its index entry change together.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ScopeToken is the word a thing carries for a unit it belongs to: the
// unit id without its dashes, behind a letter no folded word starts a
// uuid's worth of hex with.
func ScopeToken(unitID string) string { return "s" + strings.ReplaceAll(unitID, "-", "") }

// pair is the token for two neighbouring words: "nguyen" and "van" are
// "nguyen0van". A name typed in order is looked up by its pairs, whose
// lists are far shorter than a common word's ("Nguyễn" is one name in
// seven): among millions of people, the pairs of "Nguyễn Văn An" find a
// few thousand where its words find a few hundred thousand. Should a word
// itself look like a pair, the candidates are ranked word by word all the
// same, so a false one never shows.
func pair(a, b string) string { return a + "0" + b }

// PathScopes are the ids of a tree path's units ('/a/b/c/') below the
// first, the nation: the nation holds everything, so a scope of it would
// only slow the index down.
func PathScopes(path string) []string {
	ids := strings.Split(strings.Trim(path, "/"), "/")
	if len(ids) <= 1 {
		return nil
	}
	return ids[1:]
}

// ScopesOf are the scope ids for a viewer's scopes (unit paths): the
// deepest unit of each, or nil when one is the nation (no restriction).
func ScopesOf(paths []string) []string {
	var ids []string
	for _, p := range paths {
		ps := PathScopes(p)
		if len(ps) == 0 {
			return nil
		}
		ids = append(ids, ps[len(ps)-1])
	}
	return ids
}

// indexWords is what the full-text index holds for a: each folded word,
// each toned spelling that differs from it, each two neighbouring folded
// words as one (see pair), and the scope tokens.
func indexWords(a *analyzed) string {
	seen := map[string]bool{}
	var out []string
	add := func(w string) {
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for _, t := range append(a.texts[:len(a.texts):len(a.texts)], a.hidden...) {
		for i, w := range t {
			add(w.Fold)
			if w.Tone != w.Fold {
				add(w.Tone)
			}
			if i > 0 {
				add(pair(t[i-1].Fold, w.Fold))
				if t[i-1].Tone != t[i-1].Fold || w.Tone != w.Fold {
					add(pair(t[i-1].Tone, w.Tone))
				}
			}
		}
	}
	for _, s := range a.scopes {
		add(ScopeToken(s))
	}
	return strings.Join(out, " ")
}

// encode writes a's words as stored for ranking, so that a search reads
// them back without cutting text again: a line per field, its rank (and
// "p" when plain), then the words as written, space-separated.
func encode(a *analyzed) string {
	var b strings.Builder
	if a.more {
		b.WriteString("x\n") // words kept only in the index
	}
	for i, t := range a.texts {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strconv.Itoa(a.ranks[i]))
		if a.plain[i] {
			b.WriteByte('p')
		}
		for _, w := range t {
			b.WriteByte(' ')
			b.WriteString(w.Exact)
		}
	}
	return b.String()
}

// decode reads what encode wrote back into a doc ready for scoring.
func decode(ref string, boost int64, s string) analyzed {
	a := analyzed{id: ref, boost: boost}
	for line := range strings.SplitSeq(s, "\n") {
		if line == "x" {
			a.more = true
			continue
		}
		head, rest, _ := strings.Cut(line, " ")
		plain := strings.HasSuffix(head, "p")
		rank, _ := strconv.Atoi(strings.TrimSuffix(head, "p"))
		words := make([]Word, 0, strings.Count(rest, " ")+1)
		for w := range strings.SplitSeq(rest, " ") {
			if w != "" && ascii(w) {
				// Stored lowercased: an ASCII word is its own three
				// spellings, no cache to ask.
				words = append(words, Word{Exact: w, Tone: w, Fold: w})
			} else if word, ok := spell(w); ok && w != "" {
				words = append(words, word)
			}
		}
		a.texts = append(a.texts, words)
		a.ranks = append(a.ranks, rank)
		a.plain = append(a.plain, plain)
	}
	a.index()
	return a
}

// Put adds or replaces docs in the index, in the caller's transaction,
// in multi-row statements (an import indexes thousands at once).
func (st *Store) Put(ctx context.Context, tx Execer, docs ...Doc) error {
	terms := map[string]bool{}
	entries := make([]entry, 0, len(docs))
	at := map[string]int{} // a ref given twice: the last one counts
	for _, d := range docs {
		a := analyze(d)
		e := entry{ref: d.ID, fields: encode(&a), boost: d.Boost, words: indexWords(&a)}
		if i, ok := at[d.ID]; ok {
			entries[i] = e
		} else {
			at[d.ID] = len(entries)
			entries = append(entries, e)
		}
		for _, f := range a.folds() {
			if lettersOnly(f) {
				terms[f] = true
			}
		}
	}
	const perStatement = 200
	for from := 0; from < len(entries); from += perStatement {
		chunk := entries[from:min(len(entries), from+perStatement)]
		var err error
		if st.svc.DB.Dialect == db.Postgres {
			err = st.putPostgres(ctx, tx, chunk)
		} else {
			err = st.putSQLite(ctx, tx, chunk)
		}
		if err != nil {
			return fmt.Errorf("index %s: %w", st.domain, err)
		}
	}
	v, err := st.vocabAt(ctx)
	if err != nil {
		return err
	}
	var fresh []any
	var added []string
	for t := range terms {
		if !v.has(t) {
			fresh = append(fresh, st.domain, t)
			added = append(added, t)
		}
	}
	// Should the transaction roll back, the words stay known here until
	// the next reload: a word nothing holds only adds an alternative
	// that finds nothing.
	v.Add(added...)
	d := st.svc.DB.Dialect
	for len(fresh) > 0 {
		n := min(len(fresh)/2, perStatement)
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_terms (domain, term) VALUES `+rowsOf(d, n, 2)+` ON CONFLICT DO NOTHING`, fresh[:2*n]...); err != nil {
			return fmt.Errorf("index terms: %w", err)
		}
		fresh = fresh[2*n:]
	}
	return nil
}

// entry is a doc as stored.
type entry struct {
	ref, fields string
	boost       int64
	words       string
}

// rowsOf is n rows of k placeholders each, for a multi-row statement.
func rowsOf(d db.Dialect, n, k int) string {
	rows := make([]string, n)
	for i := range rows {
		rows[i] = "(" + d.Params(i*k+1, k) + ")"
	}
	return strings.Join(rows, ",")
}

func (st *Store) putPostgres(ctx context.Context, tx Execer, es []entry) error {
	args := make([]any, 0, 5*len(es))
	rows := make([]string, len(es))
	for i, e := range es {
		n := 5 * i
		rows[i] = fmt.Sprintf("($%d, $%d, $%d, $%d, array_to_tsvector(string_to_array($%d, ' ')))", n+1, n+2, n+3, n+4, n+5)
		args = append(args, st.domain, e.ref, e.fields, e.boost, e.words)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO search_docs (domain, ref, fields, boost, words) VALUES `+strings.Join(rows, ",")+`
		ON CONFLICT (domain, ref) DO UPDATE SET fields = excluded.fields, boost = excluded.boost, words = excluded.words`, args...)
	return err
}

// putSQLite writes a chunk: the docs already indexed are replaced one by
// one (their old words leave the contentless index by rowid), the new
// ones in one insert each for the docs and the index.
func (st *Store) putSQLite(ctx context.Context, tx Execer, es []entry) error {
	d := st.svc.DB.Dialect
	refs := make([]any, 0, len(es)+1)
	refs = append(refs, st.domain)
	for _, e := range es {
		refs = append(refs, e.ref)
	}
	existing := map[string]int64{}
	err := db.Each(ctx, tx, func(r db.Scanner) error {
		var ref string
		var id int64
		err := r.Scan(&ref, &id)
		existing[ref] = id
		return err
	}, `SELECT ref, id FROM search_docs WHERE domain = ? AND ref IN (`+d.Params(2, len(es))+`)`, refs...)
	if err != nil {
		return err
	}
	fts := `search_fts_` + st.domain
	var fresh []entry
	var args []any
	for _, e := range es {
		id, ok := existing[e.ref]
		// search_docs.words stays empty on SQLite: the contentless index
		// forgets by rowid (contentless_delete), and a long document's
		// words would make every candidate's row spill onto overflow
		// pages that each search reads.
		if !ok {
			fresh = append(fresh, e)
			args = append(args, st.domain, e.ref, e.fields, e.boost, "")
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+fts+` WHERE rowid = $1`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE search_docs SET fields = $1, boost = $2, words = '' WHERE id = $3`, e.fields, e.boost, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+fts+` (rowid, words) VALUES ($1, $2)`, id, e.words); err != nil {
			return err
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	ids := map[string]int64{}
	err = db.Each(ctx, tx, func(r db.Scanner) error {
		var ref string
		var id int64
		err := r.Scan(&id, &ref)
		ids[ref] = id
		return err
	}, `INSERT INTO search_docs (domain, ref, fields, boost, words) VALUES `+rowsOf(d, len(fresh), 5)+` RETURNING id, ref`, args...)
	if err != nil {
		return err
	}
	args = args[:0]
	for _, e := range fresh {
		args = append(args, ids[e.ref], e.words)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO `+fts+` (rowid, words) VALUES `+rowsOf(d, len(fresh), 2), args...)
	return err
}

// Delete removes things from the index, in the caller's transaction.
func (st *Store) Delete(ctx context.Context, tx Execer, refs ...string) error {
	for _, ref := range refs {
		if st.svc.DB.Dialect == db.SQLite {
			if _, err := tx.ExecContext(ctx, `DELETE FROM search_fts_`+st.domain+` WHERE rowid = (SELECT id FROM search_docs WHERE domain = $1 AND ref = $2)`, st.domain, ref); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_docs WHERE domain = $1 AND ref = $2`, st.domain, ref); err != nil {
			return err
		}
	}
	return nil
}

// Fill indexes a domain whose index is empty (a database from before
// search): page returns the docs after the given id, in id order, a
// batch at a time, none at the end. It reports how many it indexed.
func (st *Store) Fill(ctx context.Context, page func(after string) ([]Doc, error)) (int, error) {
	if n, err := st.Count(ctx); err != nil || n > 0 {
		return 0, err
	}
	done, after := 0, ""
	for {
		docs, err := page(after)
		if err != nil || len(docs) == 0 {
			return done, err
		}
		if err := st.svc.DB.Tx(ctx, func(tx *sql.Tx) error { return st.Put(ctx, tx, docs...) }); err != nil {
			return done, fmt.Errorf("index %s: %w", st.domain, err)
		}
		done += len(docs)
		after = docs[len(docs)-1].ID
	}
}

// FillBatch is how many things Fill's page should return at a time.
const FillBatch = 2000

// Count is the number of things in the index (a room rebuilds an empty
// index of a domain that has things, as after the migration that added
// search).
func (st *Store) Count(ctx context.Context) (int, error) {
	var n int
	err := st.svc.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_docs WHERE domain = $1`, st.domain).Scan(&n)
	return n, err
}

// vocabAt returns the domain's vocabulary, read again when its size
// changed (checked at most once per refreshEvery, by one search while the
// others go on with the vocabulary they have).
func (st *Store) vocabAt(ctx context.Context) (*Vocab, error) {
	st.mu.Lock()
	v := st.vocab
	if v != nil && (time.Since(st.checked) < refreshEvery || st.refreshing) {
		st.mu.Unlock()
		return v, nil // fresh, or being checked by another search meanwhile
	}
	st.refreshing = true
	st.mu.Unlock()
	defer func() {
		st.mu.Lock()
		st.refreshing = false
		st.mu.Unlock()
	}()
	var n int
	if err := st.svc.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_terms WHERE domain = $1`, st.domain).Scan(&n); err != nil {
		return nil, err
	}
	if v == nil || n != st.count() {
		words, err := db.Column[string](st.svc.DB.R.QueryContext(ctx, `SELECT term FROM search_terms WHERE domain = $1`, st.domain))
		if err != nil {
			return nil, err
		}
		v = NewVocab(words)
	}
	st.mu.Lock()
	st.vocab, st.vcount, st.checked = v, n, time.Now()
	st.mu.Unlock()
	return v, nil
}

func (st *Store) count() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.vcount
}

// candidateCap bounds the things read from the full-text index per pass
// before ranking. Past it (a lone common family name among millions of
// people) the index's own order decides which are ranked: insertion
// order on both engines' plain scans, which is stable.
const candidateCap = 400

// Search finds q in the domain, best first (see Score), in the passes
// plan describes. A query typed with marks is first looked up by its
// toned spelling, so that exact matches are never crowded out by the cap;
// then by folded words and synonyms, then typos.
func (st *Store) Search(ctx context.Context, q Query) ([]Hit, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	syn, err := st.svc.Synonyms(ctx)
	if err != nil {
		return nil, err
	}
	v, err := st.vocabAt(ctx)
	if err != nil {
		return nil, err
	}
	var hits []Hit
	for pass := passKnown; pass <= passRelaxed; pass++ {
		slots, err := plan(q.Text, syn, v, pass)
		if q.Whole {
			wholeWords(slots)
		}
		if err != nil || len(slots) == 0 {
			return nil, err
		}
		// Words typed in order: their pairs first. When enough things hold
		// them side by side, those are ranked (the rest hold the words
		// apart or otherwise spelt, and rank after them but for rare
		// cases of spelling); else every pass as usual.
		if pass == passKnown && st.pairs(ctx, slots, q.Scopes, limit, &hits) {
			break
		}
		// Each pass ranks its own candidates: a later pass finds what an
		// earlier one did, and more.
		hits = hits[:0]
		found := map[string]bool{}
		if toned := st.tonedMatch(slots); toned != "" && pass == passKnown {
			if hits, err = st.fetch(ctx, toned, q.Scopes, slots, found, hits); err != nil {
				return nil, err
			}
		}
		if len(hits) < limit {
			if hits, err = st.fetch(ctx, st.match(slots), q.Scopes, slots, found, hits); err != nil {
				return nil, err
			}
		}
		if len(hits) >= min(limit, enough) || (pass == passTypos && len(hits) > 0) || q.FirstPass {
			break
		}
	}
	sortHits(hits)
	return hits[:min(limit, len(hits))], nil
}

// pairs looks the query up by its pairs of neighbouring words, as typed
// then folded, and reports whether that found enough (hits holds them).
func (st *Store) pairs(ctx context.Context, slots []slot, scopes []string, limit int, hits *[]Hit) bool {
	found := map[string]bool{}
	for _, toned := range []bool{true, false} {
		m := st.pairMatch(slots, toned)
		if m == "" {
			continue
		}
		var err error
		if *hits, err = st.fetch(ctx, m, scopes, slots, found, *hits); err != nil {
			*hits = nil
			return false // the passes will say it again
		}
		if len(*hits) >= min(limit, enough) {
			return true
		}
	}
	*hits = (*hits)[:0]
	return false
}

func (st *Store) fetch(ctx context.Context, match string, scopes []string, slots []slot, found map[string]bool, hits []Hit) ([]Hit, error) {
	if len(scopes) > 0 {
		var ss []string
		for _, sc := range scopes {
			ss = append(ss, st.word(ScopeToken(sc), false))
		}
		match = st.and(match, st.or(ss))
	}
	query := `SELECT d.ref, d.fields, d.boost FROM search_fts_` + st.domain + ` f JOIN search_docs d ON d.id = f.rowid WHERE search_fts_` + st.domain + ` MATCH $1 LIMIT $2`
	if st.svc.DB.Dialect == db.Postgres {
		query = `SELECT ref, fields, boost FROM search_docs WHERE domain = '` + st.domain + `' AND words @@ $1::tsquery LIMIT $2`
	}
	err := db.Each(ctx, st.svc.DB.R, func(r db.Scanner) error {
		var ref, fields string
		var boost int64
		if err := r.Scan(&ref, &fields, &boost); err != nil {
			return err
		}
		if found[ref] {
			return nil
		}
		found[ref] = true
		a := decode(ref, boost, fields)
		if s, ok := a.score(slots); ok {
			hits = append(hits, Hit{ID: ref, Score: s, Boost: boost, key: a.key})
		}
		return nil
	}, query, match, candidateCap)
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", st.domain, err)
	}
	return hits, nil
}

// Related lists the things holding any of text's words, most related
// first by the engine's own measure (BM25 on SQLite FTS5, ts_rank on
// PostgreSQL): what a question's words point at, for a reader that
// weighs what it finds itself (the library's assistant). Words are
// compared without marks; at most 12 are used.
func (st *Store) Related(ctx context.Context, text string, limit int) ([]string, error) {
	// Ranking every thing that holds a common word is most of the cost
	// and tells little: in a large domain the words held by more than a
	// quarter of it are left out (the two rarest are kept whatever their
	// count); a small one ranks with every word.
	type wf struct {
		fold string
		n    int
	}
	var ws []wf
	seen := map[string]bool{}
	for _, w := range Words(text) {
		if !seen[w.Fold] && len(ws) < 12 {
			seen[w.Fold] = true
			n, err := st.docFreq(ctx, w.Fold)
			if err != nil {
				return nil, err
			}
			ws = append(ws, wf{w.Fold, n})
		}
	}
	if len(ws) == 0 {
		return nil, nil
	}
	total, err := st.docFreq(ctx, "")
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(ws, func(a, b wf) int { return a.n - b.n })
	var terms []string
	for i, w := range ws {
		if w.n == 0 {
			continue
		}
		if i < 2 || w.n*4 <= total || total < relatedAll {
			terms = append(terms, st.word(w.fold, false))
		}
	}
	if len(terms) == 0 {
		return nil, nil
	}
	match := st.or(terms)
	query := `SELECT d.ref FROM search_fts_` + st.domain + ` f JOIN search_docs d ON d.id = f.rowid WHERE search_fts_` + st.domain + ` MATCH $1 ORDER BY bm25(search_fts_` + st.domain + `) LIMIT $2`
	if st.svc.DB.Dialect == db.Postgres {
		query = `SELECT ref FROM search_docs WHERE domain = '` + st.domain + `' AND words @@ $1::tsquery ORDER BY ts_rank(words, $1::tsquery) DESC, id LIMIT $2`
	}
	refs, err := db.Column[string](st.svc.DB.R.QueryContext(ctx, query, match, limit))
	if err != nil {
		return nil, fmt.Errorf("related %s: %w", st.domain, err)
	}
	return refs, nil
}
