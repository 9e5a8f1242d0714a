package lrs

import (
	"bytes"
	"testing"
	"time"
)

// FuzzPack: whatever the bytes, unpack(pack(b)) gives them back, and
// unpack of anything else either fails or returns without panicking.
func FuzzPack(f *testing.F) {
	f.Add([]byte(goodStatement))
	f.Add([]byte(""))
	f.Add([]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"))
	f.Add(pack([]byte(goodStatement)))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := unpack(pack(b))
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("unpack(pack(%q)) = %q, %v", b, got, err)
		}
		unpack(b)
	})
}

// TestPackSize: a typical statement, as the store keeps it, packs to well
// under half its size.
func TestPackSize(t *testing.T) {
	st := mustDecode(t, goodStatement)
	s := &Store{BaseURL: "https://dxhub.gov.vn"}
	p, err := s.prepare(st, &Client{Name: "demo", Key: "0123456789abcdef01234567"}, mustTime("2026-11-23T08:00:00Z"))
	js, _ := marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	z := p.packed
	if got, err := unpack(z); err != nil || !bytes.Equal(got, js) {
		t.Fatalf("round trip: %v", err)
	}
	if 2*len(z) > len(js) {
		t.Errorf("packed %d bytes into %d", len(js), len(z))
	}
	for _, bad := range [][]byte{nil, {2, 1, 0}, {1, 5, 2, 'a'}, {1, 4, 9, 200}, {1, 2, 4, 'a', 'b', 0}} {
		if _, err := unpack(bad); err == nil {
			t.Errorf("unpack(%v) accepted", bad)
		}
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
