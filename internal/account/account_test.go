package account

import (
	"strings"
	"testing"

	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/textfold"
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

// FuzzSignUpForm: whatever a visitor types, the check answers an error
// naming one of the form's fields, or a name in NFC without doubled or
// edge spaces and a contact that reads back as itself.
func FuzzSignUpForm(f *testing.F) {
	f.Add("Nguye\u0302\u0303n Thi\u0323 Hoa", "0912 345 678", "sông Hồng nước đỏ", 1990, "teacher", true)
	f.Add("<b>", "a@b.vn", "x", 0, "", false)
	f.Add("  Lê   Văn  ", "+84 912.345.678", "mật khẩu đủ dài", 2030, "king", true)
	fields := map[string]bool{"name": true, "contact": true, "password": true, "terms": true, "birth_year": true, "group": true}
	f.Fuzz(func(t *testing.T, name, contact, password string, year int, group string, terms bool) {
		in := SignUp{Name: name, Contact: contact, Password: password, BirthYear: year, Group: group, Terms: terms}
		c, _, err := CheckSignUp(&in, 2026)
		if err != nil {
			e, ok := errs.As(err)
			if !ok || !fields[e.Field] {
				t.Fatalf("an error that names no field: %v", err)
			}
			return
		}
		if in.Name != textfold.NFC(in.Name) || in.Name != strings.Join(strings.Fields(in.Name), " ") {
			t.Fatalf("name stored as %q", in.Name)
		}
		if c2, _, err := NormalizeContact(c); err != nil || c2 != c {
			t.Fatalf("contact %q does not read back", c)
		}
	})
}

// FuzzCheckCode: a code is accepted only as six digits.
func FuzzCheckCode(f *testing.F) {
	for _, s := range []string{"123456", " 123 456 ", "12345", "١٢٣٤٥٦", "abcdef"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := CheckCode(s)
		if err == nil && (len(c) != 6 || strings.Trim(c, "0123456789") != "") {
			t.Fatalf("%q accepted as %q", s, c)
		}
	})
}
