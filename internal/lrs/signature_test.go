package lrs

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"
)

// A signed statement (xAPI 1.0.3, JWS with the signer's certificate in
// x5c) is verified with that certificate's key: a good signature passes,
// a changed signature or a payload that differs from the statement fails.
func TestCheckSignatureVerifiesWithX5c(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "LMS tỉnh"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	st := mustDecode(t, `{"actor":{"mbox":"mailto:lan@example.vn"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://lms.example.vn/c"}}`)
	sign := func(payload obj, x5c bool) string {
		h := map[string]any{"alg": "RS256"}
		if x5c {
			h["x5c"] = []string{base64.StdEncoding.EncodeToString(der)}
		}
		hb, _ := json.Marshal(h)
		pb, _ := json.Marshal(payload)
		in := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(pb)
		sum := sha256.Sum256([]byte(in))
		sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		return in + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	good := sign(st, true)
	if err := checkSignature(st, []byte(good)); err != nil {
		t.Fatalf("good signature: %v", err)
	}
	parts := strings.Split(good, ".")
	bad := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("x", 256)))
	if err := checkSignature(st, []byte(bad)); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Fatalf("changed signature: %v", err)
	}
	other := mustDecode(t, `{"actor":{"mbox":"mailto:lan@example.vn"},"verb":{"id":"http://adlnet.gov/expapi/verbs/failed"},"object":{"id":"https://lms.example.vn/c"}}`)
	if err := checkSignature(st, []byte(sign(other, true))); err == nil || !strings.Contains(err.Error(), "differs") {
		t.Fatalf("other payload: %v", err)
	}
	// Without a certificate there is no key: structure and payload only.
	if err := checkSignature(st, []byte(sign(st, false))); err != nil {
		t.Fatalf("no x5c: %v", err)
	}
}
