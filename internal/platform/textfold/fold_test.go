package textfold

import (
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Đắk Lắk", "dak lak"},
		{"dak lak", "dak lak"},
		{"ĐỒNG NAI", "dong nai"},
		{"  Thành phố   Hồ Chí Minh ", "thanh pho ho chi minh"},
		{"Bà Rịa–Vũng Tàu", "ba ria vung tau"},
		{"Nguyễn Thị Hương", "nguyen thi huong"},
		{"Phường 01", "phuong 01"},
		{"", ""},
	} {
		if got := Fold(c.in); got != c.want {
			t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFoldDecomposedInput(t *testing.T) {
	// "Lắk" typed with combining marks (NFD) folds like the composed form.
	if Fold("La\u0306\u0301k") != Fold("Lắk") {
		t.Fatal("NFD and NFC input fold differently")
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Đắk Lắk", "dak lak", "ĐỒNG", "a\u0301", "\xff\xfe", "  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if Fold(got) != got {
			t.Fatalf("Fold not idempotent on %q: %q then %q", s, got, Fold(got))
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Fold(%q) produced invalid UTF-8", s)
		}
		for _, r := range got {
			if r == 'đ' || r == 'Đ' || (r >= 'A' && r <= 'Z') {
				t.Fatalf("Fold(%q) = %q keeps %q", s, got, r)
			}
		}
	})
}
