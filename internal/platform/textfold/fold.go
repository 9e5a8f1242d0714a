// Package textfold makes Vietnamese text comparable with and without
// diacritics: "Đắk Lắk", "dak lak" and "DAK LAK" fold to the same key.
// SQLite's own case folding does not fold đ to d, so dxhub stores a folded
// shadow column and searches that.
package textfold

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NFC returns s in Unicode normal form C, the form dxhub stores.
func NFC(s string) string { return norm.NFC.String(s) }

// Fold lowercases s, strips combining marks and maps đ to d, and collapses
// runs of spaces and punctuation to one space.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading space
	// Invalid bytes would stop NFD from decomposing what follows them.
	for _, r := range norm.NFD.String(strings.ToValidUTF8(s, " ")) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			r = unicode.ToLower(r)
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// Lower returns s in NFC, lowercased, spaces collapsed: the key for
// "exact spelling" comparisons that rank first in search.
func Lower(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(NFC(s))), " ")
}
