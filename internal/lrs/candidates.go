package lrs

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"dxhub/internal/platform/db"
)

// On SQLite a filtered query runs in two steps inside one read
// transaction. First the candidates: the statements, in page order, that
// the ways in give from indexes alone (the key entries written and those
// waiting in memory, related keys, the verb index, and every statement
// reference). Then the rows of the candidates, checked against the whole
// filter, up to one more than the page. At millions of statements most of
// a query's time is its rows read from disk, one database page each; this
// reads only the rows the page needs, where a union of the ways with their
// rows read a page's worth from each way (docs/performance.md).
//
// A way stops at a number of candidates; past the last one it gave, the
// other ways' candidates are not complete. So a round keeps only the
// candidates up to the earliest such stop (the frontier) and, when fewer
// rows than the page passed the filter, the next round starts there with
// four times as many.

// candidateWay gives candidates: a query of seqs past a cursor, in page
// order and up to a number (its last two parameters), or a list known in
// advance.
type candidateWay struct {
	query string
	args  []any
	seqs  []int64 // the waiting entries, when query is ""
}

// firstCandidates is how many candidates each way gives in the first
// round, beyond the page; maxCandidates bounds a round.
const (
	firstCandidates = 1
	maxCandidates   = 4096
)

// candidateWays are the ways in for q on SQLite, where b holds the key
// entries not yet written.
func (q Query) candidateWays(b *keyBuffer) []candidateWay {
	cmpSeq, order := "<", "DESC"
	if q.Ascending {
		cmpSeq, order = ">", "ASC"
	}
	tail := func(col string, n int) string {
		return fmt.Sprintf(" AND %[1]s %[2]s $%[3]d ORDER BY %[1]s %[4]s LIMIT $%[5]d", col, cmpSeq, n, order, n+1)
	}
	keyed := func(key string) []candidateWay {
		h := db.Hash64(key)
		return []candidateWay{
			{query: `SELECT kseq FROM xapi_keys WHERE key_h = $1` + tail("kseq", 2), args: []any{h}},
			{seqs: b.waiting(h)},
		}
	}
	related := func(key, kind string) candidateWay {
		return candidateWay{query: `SELECT seq FROM xapi_related WHERE key_h = $1 AND kind = $2 AND key = $3` + tail("seq", 4), args: []any{db.Hash64(key), kind, key}}
	}
	var ways []candidateWay
	switch {
	case q.Agent != "":
		ways = keyed(q.Agent)
		if q.RelatedAgents {
			ways = append(ways, related(q.Agent, "g"))
		}
	case q.Activity != "":
		ways = keyed(q.Activity)
		if q.RelatedActivities {
			ways = append(ways, related(q.Activity, "a"))
		}
	case q.Registration != "":
		ways = keyed(strings.ToLower(q.Registration))
	default:
		ways = []candidateWay{{query: `SELECT seq FROM xapi_statements INDEXED BY xapi_statements_verb WHERE verb_id = $1` + tail("seq", 2), args: []any{q.Verb}}}
	}
	// Statements that refer to another: the filter checks their target.
	return append(ways, candidateWay{query: `SELECT seq FROM xapi_statements INDEXED BY xapi_statements_ref WHERE object_type = 'StatementRef'` + tail("seq", 1)})
}

// candidates runs one round: the candidates past cursor, in page order,
// each way giving up to n; and the frontier past which the next round
// starts, or more false when every way gave all it had.
func (s *Store) candidates(ctx context.Context, tx *sql.Tx, ways []candidateWay, desc bool, cursor int64, n int) (seqs []int64, frontier int64, more bool, err error) {
	before := func(a, b int64) bool { // a comes before b in page order
		if desc {
			return a > b
		}
		return a < b
	}
	for _, w := range ways {
		if w.query == "" {
			for _, seq := range w.seqs {
				if before(cursor, seq) {
					seqs = append(seqs, seq)
				}
			}
			continue
		}
		got, err := db.Column[int64](s.txQuery(ctx, tx, w.query, append(slices.Clip(w.args), cursor, n)))
		if err != nil {
			return nil, 0, false, err
		}
		seqs = append(seqs, got...)
		if len(got) == n {
			if last := got[len(got)-1]; !more || before(last, frontier) {
				frontier = last
			}
			more = true
		}
	}
	slices.SortFunc(seqs, func(a, b int64) int {
		if desc {
			return cmp.Compare(b, a)
		}
		return cmp.Compare(a, b)
	})
	seqs = slices.Compact(seqs)
	if more {
		// Keep what comes up to the frontier, inclusive.
		i := len(seqs)
		for i > 0 && before(frontier, seqs[i-1]) {
			i--
		}
		seqs = seqs[:i]
	}
	return seqs, frontier, more, nil
}

// findCandidates is Find on SQLite for a filtered query: rows is the
// query of the candidates' rows, whose parameters candidatesArg and
// limitArg (1-based) take the candidates as a JSON array and how many rows
// to return at most.
func (s *Store) findCandidates(ctx context.Context, q Query, b *keyBuffer, rows string, args []any, candidatesArg, limitArg, limit int) (Page, error) {
	// The request's end does not stop this read: a context that can end
	// has the driver start a goroutine for every statement run, and
	// database/sql one for the transaction and one for each result, to
	// watch it, and those goroutines waiting for a core add to query
	// latency. A round reads a bounded number of index entries and rows.
	ctx = context.WithoutCancel(ctx)
	ways := q.candidateWays(b) // before reading: the entries waiting now
	desc := !q.Ascending
	cursor := int64(math.MaxInt64)
	if !desc {
		cursor = 0
	}
	if q.After > 0 {
		cursor = q.After
	}
	// Prepared before the transaction: preparing takes a connection of
	// the pool, whose every connection may be in a transaction like this.
	queries := []string{rows}
	for _, w := range ways {
		if w.query != "" {
			queries = append(queries, w.query)
		}
	}
	for _, qt := range queries {
		if _, err := s.prepared().Stmt(ctx, qt); err != nil {
			return Page{}, err
		}
	}
	tx, err := s.DB.R.BeginTx(ctx, nil)
	if err != nil {
		return Page{}, err
	}
	defer tx.Rollback() // a read: nothing to keep
	var all []pageRow
	want := limit + 1 // one more than the page tells whether there is more
	for n := want + firstCandidates; ; n = min(4*n, maxCandidates) {
		seqs, frontier, more, err := s.candidates(ctx, tx, ways, desc, cursor, n)
		if err != nil {
			return Page{}, err
		}
		if len(seqs) > 0 {
			args[candidatesArg-1] = seqsJSON(seqs)
			args[limitArg-1] = want - len(all)
			got, err := scanPage(s.txQuery(ctx, tx, rows, args))
			if err != nil {
				return Page{}, err
			}
			all = append(all, got...)
		}
		if len(all) >= want || !more {
			break
		}
		cursor = frontier
	}
	return toPage(all, limit)
}

// seqsJSON is seqs as a JSON array, for json_each.
func seqsJSON(seqs []int64) string {
	out := []byte{'['}
	for i, seq := range seqs {
		if i > 0 {
			out = append(out, ',')
		}
		out = strconv.AppendInt(out, seq, 10)
	}
	return string(append(out, ']'))
}

// txQuery runs q in tx, through its prepared statement when one is kept.
func (s *Store) txQuery(ctx context.Context, tx *sql.Tx, q string, args []any) (*sql.Rows, error) {
	if st := s.prepared().Kept(q); st != nil {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, q, args...)
}
