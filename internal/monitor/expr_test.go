package monitor

import (
	"testing"
)

func TestExpr(t *testing.T) {
	vals := map[string]float64{"a": 10, "b.x": 4, "c": 0}
	look := func(e, c string) (float64, bool) {
		k := e
		if c != "" {
			k += "." + c
		}
		v, ok := vals[k]
		return v, ok
	}
	cases := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"{a} + {b.x} * 2", 18, true},
		{"({a} + {b.x}) * 2", 28, true},
		{"-{a} / 4", -2.5, true},
		{"{a} / {c}", 0, false}, // division by zero
		{"{missing}", 0, false}, // no data at all
		{"{a} + {missing}", 10, true},
		{"100", 100, false}, // a constant alone is not a value
	}
	for _, c := range cases {
		e, err := ParseExpr("f", c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		v, ok := e.Eval(look)
		if ok != c.ok || (ok && v != c.want) {
			t.Errorf("%q = %v, %v; want %v, %v", c.in, v, ok, c.want, c.ok)
		}
	}
	for _, bad := range []string{"{a", "{a} +", "(1", "{A B}", "1 $ 2", "{a}.{b}", "1..2"} {
		if _, err := ParseExpr("f", bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func FuzzExpr(f *testing.F) {
	for _, s := range []string{"{a} + {b.x} * 2", "((1))", "-{a}/{b}", "{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseExpr("f", s)
		if err != nil {
			return
		}
		e.Eval(func(string, string) (float64, bool) { return 1, true })
		for _, r := range e.Refs() {
			if !codeRe.MatchString(r.Element) {
				t.Fatalf("bad ref %q from %q", r.Element, s)
			}
		}
	})
}
