package credential

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"dxhub/internal/platform/i18n"
)

// Outcomes of a verification.
const (
	Valid         = "valid"
	Revoked       = "revoked"
	Expired       = "expired"
	NotYetValid   = "not_yet_valid"
	Tampered      = "tampered"
	UnknownIssuer = "unknown_issuer"
	Unreadable    = "unreadable"
)

// Verification is what a check of a credential found.
type Verification struct {
	Result        string `json:"result"`
	Format        string `json:"format,omitempty"` // data_integrity, vc_jwt
	ID            string `json:"id,omitempty"`
	Number        string `json:"number,omitempty"`
	Issuer        string `json:"issuer,omitempty"`
	IssuerDID     string `json:"issuer_did,omitempty"`
	Achievement   string `json:"achievement,omitempty"`
	Holder        string `json:"holder,omitempty"` // the name, when the holder chose to show it
	ValidFrom     string `json:"valid_from,omitempty"`
	ValidUntil    string `json:"valid_until,omitempty"`
	RevokedAt     int64  `json:"revoked_at,omitempty"`
	RevokedReason string `json:"revoked_reason,omitempty"`
	Legacy        bool   `json:"legacy,omitempty"`
}

// MaxVerifyInput bounds what may be pasted or uploaded to be verified;
// maxCanonical, a JSON document whose proof is checked (dxhub's are some
// 4 KB).
const (
	MaxVerifyInput = 1 << 20
	maxCanonical   = 64 << 10
)

// Verify checks a credential as pasted or uploaded: the JSON document
// (Data Integrity proof), its VC-JWT, or a badge image with one baked in.
// Only a document signed by the key of the issuer it names, one of this
// site's, is valid; its status then comes from the issuer's records.
func (s *Service) Verify(ctx context.Context, input []byte) *Verification {
	return s.verify(ctx, input, nil)
}

// VerifyStored checks a credential as dxhub stores it (its page). Both
// proofs were made together; the page checks the VC-JWT's, a signature
// over the credential without the RDF canonicalization the Data
// Integrity proof needs (the page of a credential is its most read
// page). The stored credential never changes: its proof is checked once
// a process, its status every time.
func (s *Service) VerifyStored(ctx context.Context, c *Credential) *Verification {
	if v, ok := s.checked.Load(c.ID); ok {
		out := *v.(*Verification)
		s.status(&out, c)
		return &out
	}
	stored := c.JWT
	if stored == "" {
		stored = c.Document
	}
	v := s.verify(ctx, []byte(stored), c)
	if v.Result != Tampered && v.Result != UnknownIssuer && v.Result != Unreadable {
		if s.checkedN.Add(1) > 200000 {
			s.checked.Clear()
			s.checkedN.Store(0)
		}
		s.checked.Store(c.ID, v)
	}
	return v
}

// verify is Verify; stored, when known, is the credential the input is
// dxhub's copy of.
func (s *Service) verify(ctx context.Context, input []byte, stored *Credential) *Verification {
	input = bytes.TrimSpace(input)
	if len(input) == 0 || len(input) > MaxVerifyInput {
		return &Verification{Result: Unreadable}
	}
	if baked, ok := unbake(input); ok {
		input = bytes.TrimSpace(baked)
	}
	var doc map[string]any
	var vm string
	v := &Verification{}
	var err error
	switch {
	case input[0] == '{':
		v.Format = "data_integrity"
		if json.Unmarshal(input, &doc) != nil {
			return &Verification{Result: Unreadable}
		}
		// Canonicalizing RDF costs more the more blank nodes a document
		// has, and anyone may paste one: what is not, statement for
		// statement, a credential of this size is refused unread.
		if len(input) > maxCanonical || bytes.Count(input, []byte("{")) > 100 {
			describe(v, doc)
			v.Result = Tampered
			return v
		}
		var canon []byte
		if c, ok := contentOf(doc); ok {
			canon, _ = canonizeContent(c)
		}
		vm, err = verifyDataIntegrity(doc, s.keyOf(ctx), canon)
	case bytes.Count(input, []byte(".")) == 2 && !bytes.ContainsAny(input, " \n{<"):
		v.Format = "vc_jwt"
		doc, vm, err = verifyJWT(string(input), s.keyOf(ctx))
	default:
		return &Verification{Result: Unreadable}
	}
	describe(v, doc)
	switch {
	case errors.Is(err, ErrUnknownKey):
		v.Result = UnknownIssuer
		return v
	case errors.Is(err, ErrNoProof):
		v.Result = Unreadable
		return v
	case err != nil:
		v.Result = Tampered
		return v
	}
	// The key must be the named issuer's own.
	if did, _, _ := strings.Cut(vm, "#"); did != v.IssuerDID {
		v.Result = Tampered
		return v
	}
	u, err := s.unitOfDID(ctx, v.IssuerDID)
	if err != nil {
		v.Result = UnknownIssuer
		return v
	}
	v.Issuer = u.FullName(i18n.VI)
	id := strings.TrimPrefix(v.ID, s.BaseURL+"/credentials/")
	c := stored
	if c == nil || c.ID != id {
		c, err = s.ByID(ctx, id)
	}
	if err != nil || c.UnitID != u.ID {
		// Signed by a key of ours, yet not a credential we issued.
		v.Result = Tampered
		return v
	}
	v.Number, v.Legacy = c.Number, c.Legacy
	s.status(v, c)
	return v
}

// status sets what a credential whose proof holds is now.
func (s *Service) status(v *Verification, c *Credential) {
	now := s.clock()
	v.RevokedAt, v.RevokedReason = 0, ""
	switch {
	case c.RevokedAt != 0:
		v.Result, v.RevokedAt, v.RevokedReason = Revoked, c.RevokedAt, c.RevokedReason
	case v.ValidUntil != "" && parseTime(v.ValidUntil).Before(now):
		v.Result = Expired
	case parseTime(v.ValidFrom).After(now.Add(5 * time.Minute)):
		v.Result = NotYetValid
	default:
		v.Result = Valid
	}
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

// describe reads what a credential says of itself, for the page (before
// it is known to be true: the result says whether it is).
func describe(v *Verification, doc map[string]any) {
	if doc == nil {
		return
	}
	v.ID, v.ValidFrom, v.ValidUntil = str(doc["id"]), str(doc["validFrom"]), str(doc["validUntil"])
	switch iss := doc["issuer"].(type) {
	case string:
		v.IssuerDID = iss
	case map[string]any:
		v.IssuerDID, v.Issuer = str(iss["id"]), str(iss["name"])
	}
	cs, _ := doc["credentialSubject"].(map[string]any)
	if cs == nil {
		return
	}
	if a, ok := cs["achievement"].(map[string]any); ok {
		v.Achievement = str(a["name"])
	}
	ids, _ := cs["identifier"].([]any)
	for _, x := range ids {
		if m, ok := x.(map[string]any); ok && m["identityType"] == "name" && m["hashed"] == false {
			v.Holder = str(m["identityHash"])
		}
	}
}
