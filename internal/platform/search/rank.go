package search

import (
	"cmp"
	"slices"
	"strings"
)

// Doc is one thing to find.
type Doc struct {
	ID     string
	Fields []Field
	Boost  int64    // kind and popularity: higher comes first among equals
	Scopes []string // for Store: the unit ids it belongs to (all ancestors)
}

// Field is one text of a thing with its weight: rank 0 for the thing's
// own name (in either language), 1 for what surrounds it (a unit's
// parents, a course's summary), 2 and more for the rest.
//
// Plain marks a text written without Vietnamese marks by design (an
// English name, a code, a key): its words meet a query word at the folded
// level at best, so that "hai phong" typed without marks does not find
// the English name "Phong Hai" of a commune "exactly" before the province
// Hải Phòng.
type Field struct {
	Text  string
	Rank  int
	Plain bool
	// IndexOnly words find the thing but are not kept for ranking (a
	// document's long body): a query word met only there ranks as the
	// weakest match. Store only; Memory ignores them.
	IndexOnly bool
}

// Query is what to look for.
type Query struct {
	Text   string
	Scopes []string // for Store: only things carrying one of these (nil: all)
	Limit  int      // at most this many hits (0: 20)
	// Whole: every word is meant whole, the last one too (a question
	// asked, not a name being typed).
	Whole bool
	// FirstPass: only the first pass (words as typed, typos forgiven only
	// in words the index does not hold), for a reader that weighs what it
	// finds by the words themselves and has no use for typo matches.
	FirstPass bool
}

// Hit is one thing found, with why it ranks where it does.
type Hit struct {
	ID    string
	Score Score
	Boost int64
	key   string
}

// Score says how well a thing met a query; lower is better, compared
// field by field in this order:
//
//   - Worst: the worst level any query word was met at (LevelExact …
//     LevelTypo2), so that everything spelt exactly comes before anything
//     met only with tones placed otherwise, then without marks, then with
//     typos;
//   - Sum: the levels added up, the same again word by word;
//   - Field: the field ranks the words were met in, added up (a unit's
//     own name before its parent's name);
//   - Extra: the words of the thing's name the query did not mention
//     ("Tân An" before "Tân An Hội");
//   - Breaks: query words not found right after the previous one ("Thanh
//     Hòa" before "Hòa Thành" for "thanh hoà").
//
// Among equal scores the higher Boost comes first (the kind of thing: a
// province before a commune; popularity: a course's enrolments), then the
// name in byte order of its lowercase form and then the id, so that equal
// results always come in the same order on every node and engine.
type Score struct {
	Worst, Sum, Field, Extra, Breaks int
}

func compareHits(a, b Hit) int {
	return cmp.Or(
		cmp.Compare(a.Score.Worst, b.Score.Worst),
		cmp.Compare(a.Score.Sum, b.Score.Sum),
		cmp.Compare(a.Score.Field, b.Score.Field),
		cmp.Compare(a.Score.Extra, b.Score.Extra),
		cmp.Compare(a.Score.Breaks, b.Score.Breaks),
		cmp.Compare(b.Boost, a.Boost),
		strings.Compare(a.key, b.key),
		strings.Compare(a.ID, b.ID),
	)
}

func sortHits(hits []Hit) { slices.SortFunc(hits, compareHits) }

// analyzed is a Doc cut into words once.
type analyzed struct {
	id     string
	boost  int64
	key    string
	texts  [][]Word
	ranks  []int
	plain  []bool
	scopes []string
	// hidden holds the words of index-only fields (when analysed for
	// indexing); more says the stored thing had some (when read back).
	hidden [][]Word
	more   bool
}

func analyze(d Doc) analyzed {
	a := analyzed{id: d.ID, boost: d.Boost, scopes: d.Scopes}
	for _, f := range d.Fields {
		if f.IndexOnly {
			a.hidden = append(a.hidden, Words(f.Text))
			a.more = true
			continue
		}
		a.texts = append(a.texts, Words(f.Text))
		a.ranks = append(a.ranks, f.Rank)
		a.plain = append(a.plain, f.Plain)
	}
	a.index()
	return a
}

// index fills in the key equal results are ordered by: the first field's
// words as written.
func (a *analyzed) index() {
	if len(a.texts) > 0 {
		ws := make([]string, len(a.texts[0]))
		for i, w := range a.texts[0] {
			ws[i] = w.Exact
		}
		a.key = strings.Join(ws, " ")
	}
}

// folds lists the folded words of a, each once: what an index keeps.
func (a *analyzed) folds() []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range append(a.texts[:len(a.texts):len(a.texts)], a.hidden...) {
		for _, w := range t {
			if !seen[w.Fold] {
				seen[w.Fold] = true
				out = append(out, w.Fold)
			}
		}
	}
	return out
}

// levelFor is how t met w, or -1. A query word typed without marks says
// nothing about tones, so it meets "Vinh" and "Vĩnh" alike (folded):
// otherwise "vinh long" would find a ward Trà Vinh of Vĩnh Long province
// "exactly" before the province itself.
func (t term) levelFor(w Word) int {
	marked := t.word.Exact != t.word.Fold
	switch {
	case t.lit && marked && w.Exact == t.word.Exact:
		return LevelExact
	case t.lit && marked && w.Tone == t.word.Tone:
		return LevelTone
	case w.Fold == t.word.Fold:
		if t.lit {
			return LevelFold
		}
		return t.level
	case t.prefix && strings.HasPrefix(w.Fold, t.word.Fold):
		return LevelPrefix
	}
	return -1
}

type place struct{ text, word int }

// score says whether a meets every slot and how well.
func (a *analyzed) score(slots []slot) (Score, bool) {
	var s Score
	// The words already met, as a set small enough to scan: a query has
	// at most maxQueryWords slots of a few terms each.
	var taken [4 * maxQueryWords]place
	matchedN := 0
	isMatched := func(p place) bool {
		for _, q := range taken[:matchedN] {
			if q == p {
				return true
			}
		}
		return false
	}
	prev := place{-1, -1}
	for _, sl := range slots {
		bestLevel, bestRank := -1, 0
		var bestPlaces []place
		for _, al := range sl.alts {
			level, rank := 0, 0
			var places []place
			ok := true
			for _, t := range al {
				tl, tr, tp := -1, 0, place{}
				for ti, words := range a.texts {
					for wi, w := range words {
						// Only words of the same folded spelling can meet a
						// term (exact and tone matches fold alike), but for a
						// prefix: a cheap test before levelFor.
						if w.Fold != t.word.Fold && !t.prefix {
							continue
						}
						l := t.levelFor(w)
						if l < 0 {
							continue
						}
						if a.plain[ti] && l < LevelFold {
							l = LevelFold
						}
						// A word no earlier query word took first (a query
						// that says "an" twice wants two of them), then the
						// best level, the best field, and the word right
						// after the previous query word's.
						here := place{ti, wi}
						better := tl < 0
						if mt, mh := isMatched(tp), isMatched(here); !better && mt != mh {
							better = mt
						} else if !better {
							better = l < tl || (l == tl && a.ranks[ti] < tr) ||
								(l == tl && a.ranks[ti] == tr && here == place{prev.text, prev.word + 1} && tp != here)
						}
						if better {
							tl, tr, tp = l, a.ranks[ti], here
						}
					}
				}
				if tl < 0 {
					ok = false
					break
				}
				level, rank = max(level, tl), max(rank, tr)
				places = append(places, tp)
			}
			if ok && (bestLevel < 0 || level < bestLevel || (level == bestLevel && rank < bestRank)) {
				bestLevel, bestRank, bestPlaces = level, rank, places
			}
		}
		if bestLevel < 0 && a.more {
			// Met in words kept only in the index (the thing was found
			// by all of them): the weakest match, in no field.
			s.Worst, s.Sum, s.Field = LevelTypo2, s.Sum+LevelTypo2, s.Field+9
			continue
		}
		if bestLevel < 0 {
			return Score{}, false
		}
		s.Worst = max(s.Worst, bestLevel)
		s.Sum += bestLevel
		s.Field += bestRank
		for _, p := range bestPlaces {
			if !isMatched(p) && matchedN < len(taken) {
				taken[matchedN] = p
				matchedN++
			}
		}
		if first := bestPlaces[0]; prev.text >= 0 && (first.text != prev.text || first.word != prev.word+1) {
			s.Breaks++
		}
		prev = bestPlaces[len(bestPlaces)-1]
	}
	s.Extra = -1
	for ti, words := range a.texts {
		if a.ranks[ti] != 0 {
			continue
		}
		n := len(words)
		for _, p := range taken[:matchedN] {
			if p.text == ti {
				n--
			}
		}
		if s.Extra < 0 || n < s.Extra {
			s.Extra = n
		}
	}
	s.Extra = max(s.Extra, 0)
	return s, true
}

// Sort orders hits as Search does; a room that knows a fresher Boost
// (a course's enrolments today) sets it and sorts again.
func Sort(hits []Hit) { sortHits(hits) }
