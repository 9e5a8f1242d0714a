package textfold

import "testing"

func TestClassicTones(t *testing.T) {
	for in, want := range map[string]string{
		"Khánh Hoà":             "Khánh Hòa",
		"Thanh Hoá":             "Thanh Hóa",
		"Hoà Bình, Thuỷ Nguyên": "Hòa Bình, Thủy Nguyên",
		"khoá học":              "khóa học",
		"hoè":                   "hòe",
		"Thừa Thiên Huế":        "Thừa Thiên Huế",
		"quý":                   "quý", // the u of qu is not a vowel of the rhyme
		"Quỳnh":                 "Quỳnh",
		"hoàng toán khuyến":     "hoàng toán khuyến", // closed syllables keep the mark where it is
		"Hòa":                   "Hòa",
		"HOÀ":                   "HÒA",
		"xoã":                   "xõa",
		"tuỳ ý":                 "tùy ý",
		"Phường Hoà Khánh (cũ)": "Phường Hòa Khánh (cũ)",
		"hoá\u0301":             "hoá\u0301", // an odd second mark: left alone
		"":                      "",
	} {
		if got := ClassicTones(in); got != want {
			t.Errorf("ClassicTones(%q) = %q, want %q", in, got, want)
		}
		if Fold(in) != Fold(ClassicTones(in)) {
			t.Errorf("%q folds differently once respelt", in)
		}
	}
}

func FuzzClassicTones(f *testing.F) {
	for _, s := range []string{"Khánh Hoà", "thuỷ", "quý", "a\u0301\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := ClassicTones(s)
		if ClassicTones(out) != out {
			t.Fatalf("not stable: %q → %q → %q", s, out, ClassicTones(out))
		}
		if Fold(out) != Fold(s) {
			t.Fatalf("%q and %q fold differently", s, out)
		}
	})
}
