package search

import (
	"encoding/csv"
	"os"
	"testing"
)

// unitDocs indexes the real tree (34 provinces, 3,321 communes) as the
// org room does: names in both languages as rank 0, the province's as 1.
func unitDocs(t testing.TB) []Doc {
	f, err := os.Open("../../demo/data/vn-admin-units/units.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string][]string{}
	for _, r := range rows[1:] {
		names[r[0]] = r
	}
	var docs []Doc
	for _, r := range rows[1:] {
		d := Doc{ID: r[0], Fields: []Field{{Text: r[4], Rank: 0}, {Text: r[5], Rank: 0}, {Text: r[6], Rank: 0, Plain: true}, {Text: r[7], Rank: 0, Plain: true}}, Boost: 1}
		if r[2] == "province" {
			d.Boost = 2
		}
		if p := names[r[1]]; p != nil {
			d.Fields = append(d.Fields, Field{Text: p[5], Rank: 1}, Field{Text: p[7], Rank: 1, Plain: true})
		}
		docs = append(docs, d)
	}
	return docs
}

var testSynonyms = [][]string{
	{"thành phố", "tp"},
	{"hồ chí minh", "hcm", "tp.hcm", "sài gòn"},
	{"buôn ma thuột", "buôn mê thuột", "bmt"},
	{"đắk lắk", "dak lac"},
}

func TestMemoryUnits(t *testing.T) {
	m := NewMemory(unitDocs(t))
	syn := NewSynonyms(testSynonyms)
	for _, q := range []string{"Tân An Đắk Lắk", "Ba Đình Hà Nội", "ha long", "Thanh Hòa", "Thanh Hoá", "Daklak", "Dak Lac", "Buon Me Thuot", "Quảng Nih", "Thnah Hoa", "TP. Hồ Chí Minh", "TP HCM", "tp. cần thơ", "BMT", "hà nội", "Ðà Nẵng", "an"} {
		hits, err := m.Search(Query{Text: q, Limit: 3}, syn)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range hits {
			got = append(got, h.ID)
		}
		t.Logf("%q → %v %v", q, got, hits)
	}
}
