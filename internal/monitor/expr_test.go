package monitor

import (
	"reflect"
	"strings"
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

func TestParseRules(t *testing.T) {
	rules, err := ParseRules("\n{a} <= {b} | Không vượt quá | Cannot exceed\n  {a}+{c}>=0|Không âm  \n")
	if err != nil {
		t.Fatal(err)
	}
	want := []Rule{{Left: "{a}", Op: "<=", Right: "{b}", MessageVI: "Không vượt quá", MessageEN: "Cannot exceed"}, {Left: "{a}+{c}", Op: ">=", Right: "0", MessageVI: "Không âm"}}
	if !reflect.DeepEqual(rules, want) {
		t.Fatalf("got %+v", rules)
	}
	if again, _ := ParseRules(FormatRules(rules)); !reflect.DeepEqual(again, want) {
		t.Fatalf("round trip: %+v", again)
	}
	for _, bad := range []string{"{a} {b} | x", "{a} <= {b}", "<= {b} | x", "{a} <= {b} | | y", "{a} < {b} | x | y | z"} {
		if _, err := ParseRules("{a} <= {b} | ok\n" + bad); err == nil || !strings.Contains(err.Error(), "rule_line_invalid") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// FuzzParseRules: any text either reads into rules that write back to the
// same rules, or is refused; never a panic.
func FuzzParseRules(f *testing.F) {
	f.Add("{a} <= {b} | Không vượt quá | Cannot exceed")
	f.Add("{a}<{b}|x\n\n{c}!={d}|y|z")
	f.Fuzz(func(t *testing.T, text string) {
		rules, err := ParseRules(text)
		if err != nil {
			return
		}
		again, err := ParseRules(FormatRules(rules))
		if err != nil || len(again) != len(rules) {
			t.Fatalf("%q: wrote %q, read back %v %v", text, FormatRules(rules), again, err)
		}
	})
}
