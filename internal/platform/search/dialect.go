package search

import (
	"strings"

	"dxhub/internal/platform/db"
)

// The one place where the engines' full-text query languages differ:
// SQLite FTS5 ("w"*, AND, OR) and PostgreSQL tsquery ('w':*, &, |). Words
// reach here folded or lowercased and made of letters and digits only, so
// quoting them cannot be escaped from; a quote is dropped all the same.

var unquote = strings.NewReplacer(`"`, "", `'`, "", `\`, "")

func (st *Store) word(w string, prefix bool) string {
	w = unquote.Replace(w)
	if st.svc.DB.Dialect == db.Postgres {
		if prefix {
			return "'" + w + "':*"
		}
		return "'" + w + "'"
	}
	if prefix {
		return `"` + w + `"*`
	}
	return `"` + w + `"`
}

func (st *Store) join(parts []string, op string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	if st.svc.DB.Dialect == db.Postgres {
		op = map[string]string{"AND": "&", "OR": "|"}[op]
	}
	return "(" + strings.Join(parts, " "+op+" ") + ")"
}

func (st *Store) and(parts ...string) string { return st.join(parts, "AND") }
func (st *Store) or(parts []string) string   { return st.join(parts, "OR") }

// match is the full-text query for a plan: every slot, by any of its
// alternatives, each alternative by all its folded words.
func (st *Store) match(slots []slot) string {
	var all []string
	for _, sl := range slots {
		var alts []string
		for _, al := range sl.alts {
			var ts []string
			for _, t := range al {
				ts = append(ts, st.word(t.word.Fold, t.prefix))
			}
			alts = append(alts, st.and(ts...))
		}
		all = append(all, st.or(alts))
	}
	return st.and(all...)
}

// tonedMatch is the query for the words as typed with their marks, or ""
// when no word carries one (then it finds nothing the folded query does
// not).
func (st *Store) tonedMatch(slots []slot) string {
	marked := false
	var all []string
	for _, sl := range slots {
		var ts []string
		for _, t := range sl.alts[0] {
			marked = marked || t.word.Tone != t.word.Fold
			ts = append(ts, st.word(t.word.Tone, t.prefix))
		}
		all = append(all, st.and(ts...))
	}
	if !marked {
		return ""
	}
	return st.and(all...)
}

// pairMatch is the query for the pairs of neighbouring query words
// (folded, or as typed when toned), or "" when the query has fewer than
// two words, a synonym phrase (whose words may stand in other forms), or,
// toned, no mark at all.
func (st *Store) pairMatch(slots []slot, toned bool) string {
	if len(slots) < 2 {
		return ""
	}
	marked := false
	var ps []string
	for i := 1; i < len(slots); i++ {
		a, b := slots[i-1].alts[0], slots[i].alts[0]
		if len(a) != 1 || len(b) != 1 {
			return ""
		}
		x, y := a[0].word.Fold, b[0].word.Fold
		if toned {
			x, y = a[0].word.Tone, b[0].word.Tone
			marked = marked || x != a[0].word.Fold || y != b[0].word.Fold
		}
		ps = append(ps, st.word(pair(x, y), b[0].prefix))
	}
	if toned && !marked {
		return ""
	}
	return st.and(ps...)
}
