package search

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzQuery: any text, typed as a query, finds a thing named by it, with
// the best spelling level of all, whatever its marks, case, punctuation or bytes; a query
// is never a panic, and an error only for its length.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{"Tân An Đắk Lắk", "TP. HCM", "daklak", "Thnah Hoa", "\u0110a\u0300 N\u0103\u0303ng", "Ð", "a b c d e f g h i j k l m n", "\xff\xfe", "\"'*:|&()", "hoà hòa"} {
		f.Add(s)
	}
	syn := NewSynonyms(testSynonyms)
	base := []Doc{{ID: "u1", Fields: []Field{{Text: "Thành phố Hồ Chí Minh", Rank: 0}}}, {ID: "u2", Fields: []Field{{Text: "Đắk Lắk", Rank: 0}}}, {ID: "u3", Fields: []Field{{Text: "Thanh Hóa", Rank: 0}, {Text: "Khánh Hòa", Rank: 1}}}}
	f.Fuzz(func(t *testing.T, q string) {
		m := NewMemory(append(append([]Doc{}, base...), Doc{ID: "q", Fields: []Field{{Text: q}}}))
		hits, err := m.Search(Query{Text: q, Limit: 10}, syn)
		if len(q) > MaxQuery {
			if err == nil {
				t.Fatal("a long query was accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(Words(q)) == 0 {
			return // nothing to look for
		}
		best := -1
		for i, h := range hits {
			if h.ID == "q" {
				best = i
			}
		}
		if best < 0 || hits[best].Score.Worst > LevelFold || hits[0].Score.Worst != hits[best].Score.Worst {
			t.Fatalf("%q: %+v", q, hits)
		}
		if !utf8.ValidString(strings.Join(func() []string {
			var out []string
			for _, w := range Words(q) {
				out = append(out, w.Exact, w.Tone, w.Fold)
			}
			return out
		}(), "")) {
			t.Fatalf("%q cut into invalid words", q)
		}
	})
}
