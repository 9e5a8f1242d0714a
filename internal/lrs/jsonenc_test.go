package lrs

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzMarshal: for any JSON value as the store decodes it, marshal writes
// the same bytes as json.Marshal (stored statements and the comparison of
// a statement sent again depend on it).
func FuzzMarshal(f *testing.F) {
	f.Add(goodStatement)
	f.Add(`{"a":"<b>&\u2028\u2029\u0001\b\f\n\r\t\"\\","z":[1,-0.5e+10,0E-2,null,true,false,{}],"":[]}`)
	f.Add("\"\xff\xfe invalid UTF-8\"")
	f.Add(`{"k":{"é":"ế","\u00e9":1}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var v any
		if decode([]byte(body), &v) != nil {
			return
		}
		want, werr := json.Marshal(v)
		got, gerr := marshal(v)
		if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
			t.Fatalf("marshal(%q) = %s, %v; json.Marshal: %s, %v", body, got, gerr, want, werr)
		}
	})
}

// TestMarshalOtherValues: values a decoder does not make (numbers the
// code puts in, invalid json.Number) are encoded as json.Marshal does.
func TestMarshalOtherValues(t *testing.T) {
	for _, v := range []any{
		map[string]any{"n": 3, "f": 0.1, "s": []string{"a<"}, "m": map[string]string{"b": "c"}},
		json.Number("1.5"), json.Number(""), []any(nil), map[string]any(nil),
	} {
		want, _ := json.Marshal(v)
		got, err := marshal(v)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("marshal(%#v) = %s, %v; want %s", v, got, err, want)
		}
	}
	for _, n := range []json.Number{"01", "1.", "-", "1e", " 1", "abc", `"1"`} {
		if _, err := marshal(map[string]any{"n": n}); err == nil {
			t.Errorf("invalid number %q encoded", n)
		}
		if _, err := json.Marshal(map[string]any{"n": n}); err == nil {
			t.Errorf("json.Marshal accepts %q: the test's premise is wrong", n)
		}
	}
}
