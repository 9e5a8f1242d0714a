package credential

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/piprate/json-gold/ld"
)

// The JSON-LD contexts a credential names, embedded: canonicalizing a
// credential never fetches anything (a context served by someone else
// could change what a signature means, or be down).
//
//go:embed contexts/*.json contexts/*.jsonld
var contextFiles embed.FS

// Context URLs.
const (
	ContextVC2 = "https://www.w3.org/ns/credentials/v2"
	ContextOB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
)

var contextByURL = map[string]string{
	ContextVC2: "contexts/credentials-v2.jsonld",
	ContextOB3: "contexts/ob-v3p0-3.0.3.json",
}

// Contexts returns the embedded context documents by URL (for serving
// and for verifiers of tests).
func Contexts() map[string][]byte {
	out := map[string][]byte{}
	for u, f := range contextByURL {
		b, _ := contextFiles.ReadFile(f)
		out[u] = b
	}
	return out
}

type embeddedLoader struct{ docs map[string]any }

var loader = func() *embeddedLoader {
	l := &embeddedLoader{docs: map[string]any{}}
	for u, b := range Contexts() {
		var d any
		if err := json.Unmarshal(b, &d); err != nil {
			panic("context " + u + ": " + err.Error())
		}
		l.docs[u] = d
	}
	return l
}()

func (l *embeddedLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	d, ok := l.docs[u]
	if !ok {
		return nil, ld.NewJsonLdError(ld.LoadingDocumentFailed, "context not embedded: "+u)
	}
	return &ld.RemoteDocument{DocumentURL: u, Document: d}, nil
}

// canonize is RDF Dataset Canonicalization (RDFC-1.0, the algorithm
// json-gold calls URDNA2015) of a JSON-LD document, as N-Quads. Safe
// mode: a term no context defines is an error, not silently dropped
// (a signature would then not cover it).
func canonize(doc any) ([]byte, error) {
	opts := ld.NewJsonLdOptions("")
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	opts.DocumentLoader = loader
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.SafeMode = true
	out, err := ld.NewJsonLdProcessor().Normalize(doc, opts)
	if err != nil {
		return nil, fmt.Errorf("canonicalize: %w", err)
	}
	s, _ := out.(string)
	return []byte(s), nil
}

// Proof is a Data Integrity proof.
type Proof struct {
	Context            any    `json:"@context,omitempty"`
	Type               string `json:"type"`
	Cryptosuite        string `json:"cryptosuite"`
	Created            string `json:"created"`
	VerificationMethod string `json:"verificationMethod"`
	ProofPurpose       string `json:"proofPurpose"`
	ProofValue         string `json:"proofValue,omitempty"`
}

// hashData is what eddsa-rdfc-2022 signs: SHA-256 of the canonical proof
// options (with the document's context) then SHA-256 of the canonical
// document without its proof.
// docCanon, when not nil, is the document's canonical form already made.
func hashData(doc map[string]any, p Proof, docCanon []byte) ([]byte, error) {
	pc, err := canonizeProof(doc["@context"], p)
	if err != nil {
		return nil, err
	}
	dc := docCanon
	if dc == nil {
		unsigned := make(map[string]any, len(doc))
		for k, v := range doc {
			if k != "proof" {
				unsigned[k] = v
			}
		}
		if dc, err = canonize(unsigned); err != nil {
			return nil, err
		}
	}
	h1, h2 := sha256.Sum256(pc), sha256.Sum256(dc)
	return append(h1[:], h2[:]...), nil
}

// Proof options differ between credentials only by the moment they were
// made and the key. With one blank node and fixed predicates their
// canonical form is fixed but for those two values: it is made once per
// kind of proof with tokens in their place, checked against JSON-LD on
// first use, and filled in.
var (
	proofCanonMu sync.Mutex
	proofCanons  = map[string]*proofTemplate{}
)

type proofTemplate struct {
	nquads  string
	checked bool
	ok      bool
}

const (
	createdToken = "2000-01-01T00:00:00Z"
	vmToken      = "urn:dxhubproofvm:x"
)

func canonizeProof(context any, p Proof) ([]byte, error) {
	p.ProofValue = ""
	p.Context = context
	plain := absoluteIRI(p.VerificationMethod)
	if _, err := time.Parse(time.RFC3339, p.Created); err != nil || strings.ContainsAny(p.Created, "\"\\") {
		plain = false
	}
	ctxKey, _ := json.Marshal(context)
	key := string(ctxKey) + "|" + p.Type + "|" + p.Cryptosuite + "|" + p.ProofPurpose
	proofCanonMu.Lock()
	t, ok := proofCanons[key]
	proofCanonMu.Unlock()
	if !ok {
		tp := p
		tp.Created, tp.VerificationMethod = createdToken, vmToken
		pm, err := toMap(tp)
		if err != nil {
			return nil, err
		}
		c, err := canonize(pm)
		if err != nil {
			return nil, err
		}
		t = &proofTemplate{nquads: string(c), ok: strings.Count(string(c), createdToken) == 1 && strings.Count(string(c), vmToken) == 1}
		proofCanonMu.Lock()
		proofCanons[key] = t
		proofCanonMu.Unlock()
	}
	full := func() ([]byte, error) {
		pm, err := toMap(p)
		if err != nil {
			return nil, err
		}
		return canonize(pm)
	}
	if !plain || !t.ok {
		return full()
	}
	out := []byte(strings.NewReplacer(createdToken, p.Created, vmToken, p.VerificationMethod).Replace(t.nquads))
	proofCanonMu.Lock()
	checked := t.checked
	proofCanonMu.Unlock()
	if checked {
		return out, nil
	}
	want, err := full()
	if err != nil {
		return nil, err
	}
	proofCanonMu.Lock()
	t.checked, t.ok = true, bytes.Equal(out, want)
	proofCanonMu.Unlock()
	return want, nil
}

// signDataIntegrity adds an eddsa-rdfc-2022 proof to doc; docCanon, when
// not nil, is its canonical form already made.
func signDataIntegrity(doc map[string]any, key ed25519.PrivateKey, vm string, created time.Time, docCanon []byte) error {
	p := Proof{Type: "DataIntegrityProof", Cryptosuite: "eddsa-rdfc-2022", Created: created.UTC().Format(time.RFC3339), VerificationMethod: vm, ProofPurpose: "assertionMethod"}
	h, err := hashData(doc, p, docCanon)
	if err != nil {
		return err
	}
	p.ProofValue = "z" + base58Encode(ed25519.Sign(key, h))
	pm, err := toMap(p)
	if err != nil {
		return err
	}
	doc["proof"] = pm
	return nil
}

// Errors of verification, each a reason a person is told.
var (
	ErrNoProof      = errors.New("no proof")
	ErrBadSignature = errors.New("signature does not match")
	ErrUnknownKey   = errors.New("unknown key")
)

// verifyDataIntegrity checks doc's eddsa-rdfc-2022 proof with the key
// keyOf returns for its verification method.
func verifyDataIntegrity(doc map[string]any, keyOf func(vm string) (ed25519.PublicKey, error), docCanon []byte) (vm string, err error) {
	raw, ok := doc["proof"].(map[string]any)
	if !ok {
		return "", ErrNoProof
	}
	b, _ := json.Marshal(raw)
	var p Proof
	if err := json.Unmarshal(b, &p); err != nil || p.Type != "DataIntegrityProof" || p.Cryptosuite != "eddsa-rdfc-2022" || p.ProofPurpose != "assertionMethod" {
		return "", ErrNoProof
	}
	pub, err := keyOf(p.VerificationMethod)
	if err != nil {
		return p.VerificationMethod, err
	}
	sig, err := multibaseDecode(p.ProofValue)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return p.VerificationMethod, ErrBadSignature
	}
	h, err := hashData(doc, p, docCanon)
	if err != nil {
		return p.VerificationMethod, ErrBadSignature
	}
	if !ed25519.Verify(pub, h, sig) {
		return p.VerificationMethod, ErrBadSignature
	}
	return p.VerificationMethod, nil
}

// signJWT makes the compact VC-JWT of a credential (Open Badges 3.0,
// section 8.2): header {alg EdDSA, kid}, claims iss, jti, sub, nbf, exp
// and the credential, without its proof, as "vc".
func signJWT(doc map[string]any, key ed25519.PrivateKey, kid string) (string, error) {
	vc := make(map[string]any, len(doc))
	for k, v := range doc {
		if k != "proof" {
			vc[k] = v
		}
	}
	claims := map[string]any{"vc": vc, "jti": doc["id"]}
	if iss, ok := doc["issuer"].(map[string]any); ok {
		claims["iss"] = iss["id"]
	}
	if t, err := time.Parse(time.RFC3339, str(doc["validFrom"])); err == nil {
		claims["nbf"] = t.Unix()
		claims["iat"] = t.Unix()
	}
	if t, err := time.Parse(time.RFC3339, str(doc["validUntil"])); err == nil {
		claims["exp"] = t.Unix()
	}
	if cs, ok := doc["credentialSubject"].(map[string]any); ok && cs["id"] != nil {
		claims["sub"] = cs["id"]
	}
	h, _ := json.Marshal(map[string]string{"alg": "EdDSA", "typ": "JWT", "kid": kid})
	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	return input + "." + enc.EncodeToString(ed25519.Sign(key, []byte(input))), nil
}

// verifyJWT checks a VC-JWT's signature and returns its credential.
func verifyJWT(tok string, keyOf func(kid string) (ed25519.PublicKey, error)) (map[string]any, string, error) {
	parts := strings.Split(strings.TrimSpace(tok), ".")
	if len(parts) != 3 {
		return nil, "", ErrNoProof
	}
	enc := base64.RawURLEncoding
	hb, err1 := enc.DecodeString(parts[0])
	cb, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, "", ErrNoProof
	}
	var h struct{ Alg, Kid string }
	if json.Unmarshal(hb, &h) != nil || h.Alg != "EdDSA" {
		return nil, "", ErrNoProof
	}
	var claims struct {
		VC map[string]any `json:"vc"`
	}
	if json.Unmarshal(cb, &claims) != nil || claims.VC == nil {
		return nil, h.Kid, ErrNoProof
	}
	pub, err := keyOf(h.Kid)
	if err != nil {
		return claims.VC, h.Kid, err
	}
	if !ed25519.Verify(pub, []byte(parts[0]+"."+parts[1]), sig) {
		return claims.VC, h.Kid, ErrBadSignature
	}
	return claims.VC, h.Kid, nil
}

func str(v any) string { s, _ := v.(string); return s }

// Multikey: an Ed25519 public key as multibase base58btc of the
// multicodec ed25519-pub (0xed 0x01) and the key.
func multikey(pub ed25519.PublicKey) string {
	return "z" + base58Encode(append([]byte{0xed, 0x01}, pub...))
}

func publicFromMultikey(s string) (ed25519.PublicKey, error) {
	b, err := multibaseDecode(s)
	if err != nil || len(b) != 2+ed25519.PublicKeySize || b[0] != 0xed || b[1] != 0x01 {
		return nil, ErrUnknownKey
	}
	return ed25519.PublicKey(b[2:]), nil
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

func base58Encode(b []byte) string {
	n := new(big.Int).SetBytes(b)
	var out []byte
	mod, base := new(big.Int), big.NewInt(58)
	for n.Sign() > 0 {
		n.DivMod(n, base, mod)
		out = append(out, base58Alphabet[mod.Int64()])
	}
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append(out, '1')
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

func multibaseDecode(s string) ([]byte, error) {
	if len(s) < 2 || s[0] != 'z' || len(s) > 200 {
		return nil, errors.New("not multibase base58btc")
	}
	n := new(big.Int)
	base := big.NewInt(58)
	zeros := 0
	for i, c := range []byte(s[1:]) {
		d := bytes.IndexByte([]byte(base58Alphabet), c)
		if d < 0 {
			return nil, errors.New("not base58")
		}
		if d == 0 && i == zeros {
			zeros++
		}
		n.Mul(n, base)
		n.Add(n, big.NewInt(int64(d)))
	}
	return append(make([]byte, zeros), n.Bytes()...), nil
}

func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

var schemeRe = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)

// absoluteIRI says whether v is an IRI that JSON-LD keeps as it is and
// N-Quads carry unchanged: absolute, printable ASCII without the
// characters IRIs exclude, and one Go's URL parser accepts, since JSON-LD
// (json-gold) drops a value that fails it, such as a bad percent escape
// (dxhub's own are such; others take the JSON-LD path).
func absoluteIRI(v string) bool {
	if !schemeRe.MatchString(v) {
		return false
	}
	if u, err := url.Parse(v); err != nil || !u.IsAbs() {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= 0x20 || c >= 0x7f || strings.IndexByte("<>\"{}|^`\\", c) >= 0 {
			return false
		}
	}
	return true
}
