package lrs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
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

// The packed form is what every stored statement is kept as: its bytes
// and its dictionary must never change under statements already stored.
// An edited byte of the dictionary, or a changed way of packing, fails
// here before it can make stored statements unreadable; a new dictionary
// comes with a new version byte (see pack.go), and this test keeps
// version 1 readable.
func TestPackFormatIsFixed(t *testing.T) {
	sum := sha256.Sum256([]byte(packDict1))
	if got := hex.EncodeToString(sum[:]); got != "9d7f5b90dac5dc74b0c544755a4d88854980ffa1279912a4140c176c1c6c957c" {
		t.Fatalf("dictionary 1 changed (sha256 %s): statements stored with it would no longer read", got)
	}
	const st = `{"actor":{"mbox":"mailto:lan@example.vn","name":"Lan","objectType":"Agent"},"authority":{"account":{"homePage":"https://dxhub.gov.vn","name":"lrs_0123"},"name":"LMS","objectType":"Agent"},"id":"6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b","object":{"id":"https://lms.example.vn/c/1","objectType":"Activity"},"stored":"2026-11-22T08:00:00.000Z","timestamp":"2026-11-22T08:00:00.000Z","verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"version":"1.0.0"}`
	const golden = "01c30309a80d0f950b09f00d15810e0e6c616e406578610989051ba30d044c61090d1df807026709890b9101800e0830313233094d0f13064c4d5333700bcc064836663164326133622d346335642d346536662d386139622d3063316432653366346135621342098e010b36118801086c6d732e15e701082f632f31132c116e0db3020bd6092bcc0802381da50831cc081f2709be041b8e01023a29b0030926419008"
	if got := hex.EncodeToString(pack([]byte(st))); got != golden {
		t.Errorf("packing changed:\n got %s\nwant %s", got, golden)
	}
	raw, _ := hex.DecodeString(golden)
	back, err := unpack(raw)
	if err != nil || string(back) != st {
		t.Fatalf("golden bytes read back as %q, %v", back, err)
	}
}
