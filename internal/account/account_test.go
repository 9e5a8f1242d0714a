package account

import (
	"strings"
	"testing"
)

func TestNormalizeContact(t *testing.T) {
	for in, want := range map[string]string{
		" Hoa.Nguyen@Example.VN ": "hoa.nguyen@example.vn email",
		"0912 345 678":            "0912345678 phone",
		"+84 912.345.678":         "0912345678 phone",
		"84912345678":             "0912345678 phone",
		"(091) 234-5678":          "0912345678 phone",
		"0312345678":              "0312345678 phone",
		"0212345678":              "error",
		"091234567":               "error",
		"091234567a":              "error",
		"a@b":                     "error",
		"":                        "error",
	} {
		c, k, err := NormalizeContact(in)
		got := c + " " + k
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("NormalizeContact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPasswordHint(t *testing.T) {
	for pw, want := range map[string]string{"ngắn": "weak", "mười ký tự": "fair", "Trời xanh 2026!": "strong", "bốn từ dễ nhớ nhưng dài": "strong"} {
		if got := PasswordHint(pw); got != want {
			t.Errorf("PasswordHint(%q) = %s, want %s", pw, got, want)
		}
	}
}

// FuzzNormalizeContact: whatever is typed, the answer is an error or a
// contact of one of the two shapes, and reading it again gives itself.
func FuzzNormalizeContact(f *testing.F) {
	for _, s := range []string{"0912 345 678", "+84912345678", "a@example.vn", "@@", "+", "８４９１２３４５６７８"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, kind, err := NormalizeContact(s)
		if err != nil {
			return
		}
		switch kind {
		case KindEmail:
			if !strings.Contains(c, "@") || c != strings.ToLower(c) {
				t.Fatalf("%q → email %q", s, c)
			}
		case KindPhone:
			if len(c) != 10 || c[0] != '0' || strings.Trim(c, "0123456789") != "" {
				t.Fatalf("%q → phone %q", s, c)
			}
		default:
			t.Fatalf("%q → kind %q", s, kind)
		}
		if c2, k2, err := NormalizeContact(c); err != nil || c2 != c || k2 != kind {
			t.Fatalf("%q → %q does not read back (%q %v)", s, c, c2, err)
		}
	})
}
