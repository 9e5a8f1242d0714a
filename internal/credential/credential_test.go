package credential

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func sample() *Content {
	return &Content{ID: "https://dxhub.test/credentials/8a4e3b1e-0d43-4a43-9a4c-6a0c1c2b3d4e", Number: "DX-2026-ABCDEFGH",
		Issuer:  Issuer{DID: "did:web:dxhub.test:issuers:66", Name: "Sở Khoa học và Công nghệ tỉnh Đắk Lắk"},
		Subject: Subject{HashedID: "sha256$00", Salt: "s", IDType: "emailAddress", Name: "Lê Thị Hoa"},
		Achievement: AchievementDoc{ID: "https://dxhub.test/achievements/a", Name: "Kỹ năng số cơ bản", Description: "Mô tả", Criteria: "Tiêu chí", Type: "Certificate",
			Alignments: []Alignment{{Name: "Duyệt dữ liệu", URL: "https://dxhub.test/skills/VN-DSF/1#c-1.1", Code: "1.1", Framework: "VN-DSF 1"}}},
		ValidFrom: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC), ValidUntil: time.Date(2029, 12, 6, 10, 0, 0, 0, time.UTC),
		Result: "90%", Evidence: "Đạt kỳ sát hạch", Status: StatusEntry{ListURL: "https://dxhub.test/credential-status/66/1", Index: 3}}
}

// Both proofs verify, and fail when one character of the credential
// changes; the key of another issuer does not verify them.
func TestProofsRoundTrip(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	doc := sample().document()
	vm := "did:web:dxhub.test:issuers:66#k-1"
	jwt, err := signJWT(doc, priv, vm)
	if err != nil {
		t.Fatal(err)
	}
	if err := signDataIntegrity(doc, priv, vm, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	key := func(k ed25519.PublicKey) func(string) (ed25519.PublicKey, error) {
		return func(got string) (ed25519.PublicKey, error) {
			if got != vm {
				return nil, ErrUnknownKey
			}
			return k, nil
		}
	}
	if _, err := verifyDataIntegrity(doc, key(pub), nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := verifyJWT(jwt, key(pub)); err != nil {
		t.Fatal(err)
	}
	if _, err := verifyDataIntegrity(doc, key(other), nil); err == nil {
		t.Fatal("verified with another key")
	}
	doc["name"] = "Kỹ năng số nâng cao"
	if _, err := verifyDataIntegrity(doc, key(pub), nil); err != ErrBadSignature {
		t.Fatalf("a changed credential: %v", err)
	}
	parts := strings.Split(jwt, ".")
	if _, _, err := verifyJWT(parts[0]+"."+parts[1]+"."+strings.ToUpper(parts[2]), key(pub)); err == nil {
		t.Fatal("a changed JWT verifies")
	}
}

func TestBakeRoundTrip(t *testing.T) {
	cred := []byte(`{"id":"x","name":"Kỹ năng ]]> số"}`)
	for name, img := range map[string][]byte{"png": BakePNG(cred), "svg": BakeSVG(cred, "Kỹ năng <số>")} {
		got, ok := unbake(img)
		if !ok || !bytes.Equal(bytes.TrimSpace(got), cred) {
			t.Fatalf("%s: %q %v", name, got, ok)
		}
	}
	if _, ok := unbake(plainBadge); ok {
		t.Fatal("a plain badge has a credential")
	}
}

func TestBase58(t *testing.T) {
	for _, b := range [][]byte{{0}, {0, 0, 1}, {0xed, 0x01, 0xff}, bytes.Repeat([]byte{7}, 64)} {
		got, err := multibaseDecode("z" + base58Encode(b))
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("%x: %x %v", b, got, err)
		}
	}
}

// FuzzVerifyInput: whatever is pasted or uploaded (JSON, JWT, images),
// reading and checking it never panics, and nothing but a credential
// signed by the key verifies.
func FuzzVerifyInput(f *testing.F) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	doc := sample().document()
	vm := "did:web:dxhub.test:issuers:66#k-1"
	jwt, _ := signJWT(doc, priv, vm)
	signDataIntegrity(doc, priv, vm, time.Now(), nil)
	signed, _ := json.Marshal(doc)
	unsigned := map[string]any{}
	for k, v := range doc {
		if k != "proof" {
			unsigned[k] = v
		}
	}
	want, _ := canonize(unsigned)
	f.Add(signed)
	f.Add([]byte(jwt))
	f.Add(BakePNG(signed))
	f.Add(BakeSVG(signed, "x"))
	f.Add([]byte(`{"proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","proofPurpose":"assertionMethod","proofValue":"z111"}}`))
	f.Add([]byte("a.b.c"))
	key := func(string) (ed25519.PublicKey, error) { return pub, nil }
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1<<16 {
			return
		}
		start := time.Now()
		defer func() {
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("took %v: %q", d, in)
			}
		}()
		if b, ok := unbake(in); ok {
			in = b
		}
		var d map[string]any
		if json.Unmarshal(in, &d) == nil && d != nil {
			if _, err := verifyDataIntegrity(d, key, nil); err == nil {
				// Another serialisation of the same statements is the same
				// credential; different statements must not verify.
				delete(d, "proof")
				if got, err := canonize(d); err != nil || !bytes.Equal(got, want) {
					t.Fatalf("verified: %s", in)
				}
			}
		}
		verifyJWT(string(in), key)
	})
}

// FuzzCanonTemplate: a credential's canonical form from its shape's
// template is byte for byte what JSON-LD processing gives, whatever its
// texts hold (quotes, backslashes, line breaks, control characters, any
// script), and reading a document back gives the content that made it.
func FuzzCanonTemplate(f *testing.F) {
	f.Add("Lê Thị Hoa", "Kỹ năng \"số\"", "a\\b\nc\rd\te\x01", "90%", "GIAY-1", true)
	f.Add("", "x", "", "", "", false)
	f.Add("Nguye\u0302\u0303n", "ﷺ 𝒳", "]]>", "\x7f", "dxhubslot3x", true)
	f.Fuzz(func(t *testing.T, name, achName, criteria, result, number string, until bool) {
		c := sample()
		c.Subject.Name, c.Achievement.Name, c.Achievement.Criteria, c.Result, c.Number = name, achName, criteria, result, number
		if !until {
			c.ValidUntil = time.Time{}
		}
		c.clean() // as Service.sign does
		want, err := canonize(c.document())
		if err != nil {
			return // not a credential JSON-LD accepts: dxhub never writes one
		}
		tpl := templateFor(c)
		if !tpl.ok {
			t.Fatalf("shape %s has no template", shapeOf(c))
		}
		got, err := tpl.canonize(c)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("template:\n%s\nJSON-LD:\n%s\n(%v)", got, want, err)
		}
		b, _ := json.Marshal(c.document())
		var doc map[string]any
		json.Unmarshal(b, &doc)
		back, ok := contentOf(doc)
		if !ok {
			t.Fatalf("read back: not the same document")
		}
		if again, err := canonizeContent(back); err != nil || !bytes.Equal(again, want) {
			t.Fatalf("read back canonicalizes otherwise: %v", err)
		}
	})
}

// FuzzProofTemplate: the proof options' canonical form from the template
// is JSON-LD's, for any moment and key.
func FuzzProofTemplate(f *testing.F) {
	f.Add(int64(1796581147), "did:web:dxhub.test:issuers:66#k-1")
	f.Add(int64(0), "did:web:x%3A8080:issuers:BKHCN#k-abc")
	f.Add(int64(59), "dHd:web:x%3A8080:issuers:BKHCN#%X000") // a bad escape JSON-LD drops
	f.Fuzz(func(t *testing.T, sec int64, vm string) {
		if sec < 0 || sec > 1<<35 {
			return
		}
		p := Proof{Type: "DataIntegrityProof", Cryptosuite: "eddsa-rdfc-2022", Created: time.Unix(sec, 0).UTC().Format(time.RFC3339), VerificationMethod: vm, ProofPurpose: "assertionMethod"}
		ctx := []any{ContextVC2, ContextOB3}
		got, err := canonizeProof(ctx, p)
		p.Context = ctx
		pm, _ := toMap(p)
		want, err2 := canonize(pm)
		if (err == nil) != (err2 == nil) || !bytes.Equal(got, want) {
			t.Fatalf("template:\n%s\nJSON-LD:\n%s\n%v %v", got, want, err, err2)
		}
	})
}
