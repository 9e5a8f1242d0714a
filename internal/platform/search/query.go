package search

import (
	"strings"
	"unicode/utf8"

	"dxhub/internal/platform/errs"
)

// Match levels, best first: how a query word met a word of a thing.
const (
	LevelExact  = iota // spelt as typed, tones included
	LevelTone          // the same tones placed otherwise (hoà, hòa)
	LevelFold          // the same letters without marks (đ = d), or a synonym
	LevelPrefix        // the start of a word (the last query word only)
	LevelTypo1         // one edit away (a letter added, dropped, changed or two swapped), or split/joined
	LevelTypo2         // two edits away (long words)
)

// MaxQuery bounds a query in bytes and words: search is asked on every
// keystroke and a longer text is not a search.
const (
	MaxQuery      = 200
	maxQueryWords = 12
)

// term is one word a thing must contain for an alternative to hold.
type term struct {
	word   Word // the query's own word (lit) or a folded stand-in
	lit    bool // compare spellings (exact, tone) too, not only the folded form
	prefix bool // may be the start of a word
	level  int  // the level this term gives when its folded form is met
}

// alt is one way to satisfy a slot: all its terms found in the thing.
type alt []term

// slot is one query word, or a phrase of them a synonym covers; a thing
// must satisfy one of its alternatives.
type slot struct {
	alts []alt
}

// Passes of a search, each tried when the one before found too little:
// words as typed (typos forgiven only in words the index does not hold),
// then typos of known words too, then one edit in short words.
const (
	passKnown = iota
	passTypos
	passRelaxed
)

// enough is how many hits end the passes early: typo matches rank after
// every match without one, so they could only show past this many.
const enough = 20

// plan cuts a query into slots and fills in their alternatives: the words
// as typed, synonyms, typo neighbours and splits from the vocabulary, as
// much as the pass allows.
func plan(q string, syn *Synonyms, v *Vocab, pass int) ([]slot, error) {
	if len(q) > MaxQuery {
		return nil, errs.Field("q", "search.too_long", MaxQuery)
	}
	words := Words(q)
	if len(words) > maxQueryWords {
		words = words[:maxQueryWords]
	}
	var slots []slot
	for i := 0; i < len(words); {
		last := i == len(words)-1
		// The longest synonym phrase starting here covers its words as one
		// slot: the words as typed, or any other phrase of the group.
		if n, group := syn.longest(words[i:]); n > 0 {
			lit := make(alt, n)
			for j, w := range words[i : i+n] {
				lit[j] = term{word: w, lit: true, level: LevelFold, prefix: i+j == len(words)-1}
			}
			s := slot{alts: []alt{lit}}
			for _, p := range group {
				if p == foldedOf(words[i:i+n]) {
					continue
				}
				var a alt
				for _, f := range strings.Fields(p) {
					a = append(a, term{word: Word{Fold: f}, level: LevelFold})
				}
				s.alts = append(s.alts, a)
			}
			slots = append(slots, s)
			i += n
			continue
		}
		w := words[i]
		s := slot{alts: []alt{{{word: w, lit: true, prefix: last, level: LevelFold}}}}
		for _, n := range v.near(w.Fold, edits(w.Fold, v, pass)) {
			lvl := LevelTypo1
			if n.dist == 2 {
				lvl = LevelTypo2
			}
			s.alts = append(s.alts, alt{{word: Word{Fold: n.word}, level: lvl}})
		}
		if !v.has(w.Fold) {
			for _, parts := range v.splits(w.Fold) {
				var a alt
				for _, p := range parts {
					a = append(a, term{word: Word{Fold: p}, level: LevelTypo1})
				}
				s.alts = append(s.alts, a)
			}
		}
		slots = append(slots, s)
		i++
	}
	return slots, nil
}

// edits is how many edits a word may be away: typos are forgiven in words
// of five letters or more (two edits from eight); a word the index does
// not hold at all gets one from three letters ("Nih" for "Ninh"); in the
// relaxed pass any word of two letters or more does. In the first pass a
// word the index holds is taken as typed.
func edits(f string, v *Vocab, pass int) int {
	n := utf8.RuneCountInString(f)
	if !lettersOnly(f) {
		return 0 // a code or a key: as typed
	}
	known := v.has(f)
	if pass == passKnown && known {
		return 0
	}
	switch {
	case n >= 8:
		return 2
	case n >= 5:
		return 1
	case n >= 3 && !known:
		return 1
	case pass == passRelaxed && n >= 2:
		return 1
	}
	return 0
}

// wholeWords takes back the prefix the last word of a plan may be.
func wholeWords(slots []slot) {
	for _, sl := range slots {
		for _, al := range sl.alts {
			for i := range al {
				al[i].prefix = false
			}
		}
	}
}

func foldedOf(ws []Word) string {
	f := make([]string, len(ws))
	for i, w := range ws {
		f[i] = w.Fold
	}
	return strings.Join(f, " ")
}
