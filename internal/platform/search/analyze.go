// Package search finds things by the words people type: every room's
// search (units, people, courses, items, skills standards, and next the
// library, experts and teams) goes through it, so that all of them match
// and rank alike.
//
// Text is cut into words (Vietnamese syllables), each kept in three
// spellings: as written (lowercased), with tone marks placed one way
// (hoà = hòa), and folded (no marks, đ = d). A query matches a thing when
// every query word matches some word of it, in any field and any order;
// the last query word may be the start of a word. Abbreviations and
// variants come from an editable synonym list, typos are forgiven by edit
// distance against the words actually indexed, and the results are ranked
// by how closely they were spelt (see Score).
//
// Two indexes share that behaviour: Memory, for small domains every node
// keeps in memory (the unit tree), and Store, in the database (SQLite
// FTS5, PostgreSQL full text) for large ones (people, courses, items).
package search

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"dxhub/internal/platform/textfold"
	"golang.org/x/text/unicode/norm"
)

// Word is one word in its three spellings.
type Word struct {
	Exact string // lowercased, NFC, as written
	Tone  string // Exact with tone marks placed one way (textfold.ClassicTones)
	Fold  string // no marks, đ = d
}

// lookAlikes are letters typed for đ/Đ by keyboards and converters: the
// Icelandic eth (U+00D0/U+00F0) and the African D (U+0189/U+0256).
var lookAlikes = strings.NewReplacer("\u00d0", "Đ", "\u00f0", "đ", "\u0189", "Đ", "\u0256", "đ")

// Words cuts s into words: runs of letters, marks and digits; everything
// else (spaces, punctuation, symbols) separates them. NFC and NFD input,
// upper and lower case give the same words.
func Words(s string) []Word {
	s = lookAlikes.Replace(norm.NFC.String(strings.ToValidUTF8(s, " ")))
	var out []Word
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := s[start:end]
		start = -1
		if word, ok := spell(w); ok {
			out = append(out, word)
		}
	}
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return out
}

// spellings caches the three spellings of words met: a language has a few
// thousand syllables, and ranking spells the words of every candidate.
// It stops growing at maxSpellings (names and codes are unbounded).
var (
	spellings     sync.Map // string → Word
	spellingCount atomic.Int64
)

const maxSpellings = 200000

// spell gives a word (NFC, as cut by Words) its three spellings; false
// when nothing of it is left folded (marks alone).
func spell(w string) (Word, bool) {
	if v, ok := spellings.Load(w); ok {
		word := v.(Word)
		return word, word.Fold != ""
	}
	exact := strings.ToLower(w)
	word := Word{Exact: exact, Tone: exact, Fold: exact}
	if !ascii(exact) {
		word.Tone = strings.ToLower(textfold.ClassicTones(exact))
		word.Fold = textfold.Fold(exact)
	}
	if spellingCount.Load() < maxSpellings {
		if _, loaded := spellings.LoadOrStore(w, word); !loaded {
			spellingCount.Add(1)
		}
	}
	return word, word.Fold != ""
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Folded returns the folded spellings of s's words joined by spaces: the
// key synonyms are kept under.
func Folded(s string) string {
	ws := Words(s)
	f := make([]string, len(ws))
	for i, w := range ws {
		f[i] = w.Fold
	}
	return strings.Join(f, " ")
}
