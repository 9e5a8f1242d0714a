package i18n

import "testing"

func TestNum(t *testing.T) {
	for _, c := range []struct {
		lang Lang
		n    int
		want string
	}{{VI, 3321, "3.321"}, {EN, 3321, "3,321"}, {VI, 53000000, "53.000.000"}, {VI, 12, "12"}, {EN, -1000, "-1,000"}, {VI, 0, "0"}} {
		if got := Num(c.lang, c.n); got != c.want {
			t.Errorf("Num(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}

func TestParseAndMissingKey(t *testing.T) {
	if Parse("en-US") != EN || Parse("vi") != VI || Parse("fr") != VI {
		t.Fatal("Parse")
	}
	if T(VI, "no.such.key") != "⟦no.such.key⟧" {
		t.Fatal("missing keys must show")
	}
}
