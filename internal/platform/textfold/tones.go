package textfold

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Tone marks as combining characters (after NFD).
const (
	grave, acute, tilde, hook, dotBelow = '\u0300', '\u0301', '\u0303', '\u0309', '\u0323'
)

func isTone(r rune) bool {
	return r == grave || r == acute || r == tilde || r == hook || r == dotBelow
}

// ClassicTones writes each word of s with dxhub's one spelling of tone
// marks: in a word ending in the open rhymes "oa", "oe" or "uy" (not
// "quy"), the mark sits on the first vowel, as the government's own names
// write them (Khánh Hòa, Thanh Hóa, khóa học, Thủy). "Hoà", "hoá", "thuỷ"
// become "Hòa", "hóa", "thủy"; other words are left as they are. Search
// folds marks away, so both spellings find the same things.
func ClassicTones(s string) string {
	nfd := norm.NFD.String(s)
	if !strings.ContainsAny(nfd, "aeyAEY") {
		return s
	}
	d := []rune(nfd)
	changed := false
	for end := 0; end <= len(d); end++ {
		if end < len(d) && (unicode.IsLetter(d[end]) || unicode.Is(unicode.Mn, d[end])) {
			continue
		}
		// d[:end] ends a word: find its last two letters with their marks.
		last := end - 1
		for last >= 0 && unicode.Is(unicode.Mn, d[last]) {
			last--
		}
		if last < 1 {
			continue
		}
		prev := last - 1
		for prev >= 0 && unicode.Is(unicode.Mn, d[prev]) {
			prev--
		}
		if prev < 0 {
			continue
		}
		v1, v2 := unicode.ToLower(d[prev]), unicode.ToLower(d[last])
		rhyme := (v1 == 'o' && (v2 == 'a' || v2 == 'e')) || (v1 == 'u' && v2 == 'y')
		if !rhyme || (v1 == 'u' && prev > 0 && unicode.ToLower(d[prev-1]) == 'q') {
			continue
		}
		// The first vowel must carry no mark of its own (ô, ơ, ư are other
		// vowels), the second its tone and nothing else.
		if prev+1 != last || end-last != 2 || !isTone(d[last+1]) {
			continue
		}
		tone := d[last+1]
		d = append(d[:last+1], d[last+2:]...)
		d = append(d[:prev+1], append([]rune{tone}, d[prev+1:]...)...)
		changed = true
	}
	if !changed {
		return s
	}
	return norm.NFC.String(string(d))
}
