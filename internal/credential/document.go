package credential

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Issuer is the issuing unit as a credential shows it.
type Issuer struct {
	DID   string // did:web:HOST:issuers:CODE
	Name  string
	URL   string // its page on dxhub
	Image string // logo URL, optional
}

// Subject is the recipient as a credential identifies them: by a salted
// hash of their dxhub account (nothing personal is public), and by name
// only when they chose to show it.
type Subject struct {
	HashedID string // "sha256$" + hex(sha256(identifier + salt))
	Salt     string
	IDType   string // what was hashed: emailAddress, systemId
	Name     string // empty unless the learner chose to show it
}

// Content is what one credential says.
type Content struct {
	ID          string // https://HOST/credentials/UUID
	Number      string // the human number printed on the certificate
	Issuer      Issuer
	Subject     Subject
	Achievement AchievementDoc
	ValidFrom   time.Time
	ValidUntil  time.Time // zero: no end
	// Result is the score shown (empty: none), Evidence says what earned it.
	Result   string
	Evidence string
	Status   StatusEntry
	Legacy   bool // a paper certificate entered later

	// Set only in a canonicalization template: the text written for the
	// dates and the status entry instead of theirs.
	validFromText, validUntilText, statusText, statusIDText string
}

// AchievementDoc is the achievement as embedded in a credential.
type AchievementDoc struct {
	ID          string
	Name        string
	Description string
	Criteria    string
	Type        string // achievementType: Certificate, Badge, ...
	Alignments  []Alignment
}

// Alignment ties an achievement to a competence of a skills standard.
type Alignment struct {
	Name, URL, Code, Framework string
}

// StatusEntry is a credential's place in its issuer's status list.
type StatusEntry struct {
	ListURL string
	Index   int
}

// clean makes every text valid UTF-8 (as JSON will store it), so that
// what is signed is what is stored.
func (c *Content) clean() {
	for _, f := range []*string{&c.ID, &c.Number, &c.Issuer.DID, &c.Issuer.Name, &c.Issuer.URL, &c.Issuer.Image, &c.Subject.HashedID, &c.Subject.Salt, &c.Subject.IDType, &c.Subject.Name,
		&c.Achievement.ID, &c.Achievement.Name, &c.Achievement.Description, &c.Achievement.Criteria, &c.Achievement.Type, &c.Result, &c.Evidence, &c.Status.ListURL} {
		*f = strings.ToValidUTF8(*f, "\uFFFD")
	}
	for i := range c.Achievement.Alignments {
		a := &c.Achievement.Alignments[i]
		for _, f := range []*string{&a.Name, &a.URL, &a.Code, &a.Framework} {
			*f = strings.ToValidUTF8(*f, "\uFFFD")
		}
	}
}

// document builds the Open Badges 3.0 OpenBadgeCredential (W3C VC 2.0
// data model), without proof.
func (c *Content) document() map[string]any {
	issuer := map[string]any{"id": c.Issuer.DID, "type": []any{"Profile"}, "name": c.Issuer.Name}
	if c.Issuer.URL != "" {
		issuer["url"] = c.Issuer.URL
	}
	if c.Issuer.Image != "" {
		issuer["image"] = map[string]any{"id": c.Issuer.Image, "type": "Image"}
	}
	ach := map[string]any{
		"id": c.Achievement.ID, "type": []any{"Achievement"}, "name": c.Achievement.Name,
		"description": c.Achievement.Description, "criteria": map[string]any{"narrative": c.Achievement.Criteria},
	}
	if c.Achievement.Type != "" {
		ach["achievementType"] = c.Achievement.Type
	}
	if len(c.Achievement.Alignments) > 0 {
		var al []any
		for _, a := range c.Achievement.Alignments {
			m := map[string]any{"type": []any{"Alignment"}, "targetName": a.Name, "targetUrl": a.URL, "targetType": "CFItem"}
			if a.Code != "" {
				m["targetCode"] = a.Code
			}
			if a.Framework != "" {
				m["targetFramework"] = a.Framework
			}
			al = append(al, m)
		}
		ach["alignment"] = al
	}
	ids := []any{map[string]any{"type": "IdentityObject", "identityHash": c.Subject.HashedID, "identityType": c.Subject.IDType, "hashed": true, "salt": c.Subject.Salt}}
	if c.Subject.Name != "" {
		ids = append(ids, map[string]any{"type": "IdentityObject", "identityHash": c.Subject.Name, "identityType": "name", "hashed": false})
	}
	subject := map[string]any{"type": []any{"AchievementSubject"}, "identifier": ids, "achievement": ach}
	if c.Result != "" {
		subject["result"] = []any{map[string]any{"type": []any{"Result"}, "value": c.Result}}
	}
	validFrom, index, statusID := c.ValidFrom.UTC().Format(time.RFC3339), strconv.Itoa(c.Status.Index), c.Status.ListURL+"#"+strconv.Itoa(c.Status.Index)
	if c.validFromText != "" {
		validFrom, index, statusID = c.validFromText, c.statusText, c.statusIDText
	}
	doc := map[string]any{
		"@context":          []any{ContextVC2, ContextOB3},
		"id":                c.ID,
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":              c.Achievement.Name,
		"issuer":            issuer,
		"validFrom":         validFrom,
		"credentialSubject": subject,
		"credentialStatus": map[string]any{
			"id": statusID, "type": "BitstringStatusListEntry",
			"statusPurpose": "revocation", "statusListIndex": index, "statusListCredential": c.Status.ListURL,
		},
	}
	if c.validUntilText != "" {
		doc["validUntil"] = c.validUntilText
	} else if !c.ValidUntil.IsZero() {
		doc["validUntil"] = c.ValidUntil.UTC().Format(time.RFC3339)
	}
	if c.Evidence != "" {
		doc["evidence"] = []any{map[string]any{"type": []any{"Evidence"}, "name": c.Number, "narrative": c.Evidence}}
	}
	return doc
}

// StatusListSize is the bits in one status list: the minimum the
// Bitstring Status List recommends (16 KB), so that a list says nothing
// about whose credential a bit is.
const StatusListSize = 131072

// statusListDocument is a BitstringStatusListCredential over bits (one per
// index, set = revoked), without proof.
func statusListDocument(url, issuerDID string, bits []byte, at time.Time) (map[string]any, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(bits); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return map[string]any{
		"@context":  []any{ContextVC2},
		"id":        url,
		"type":      []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    issuerDID,
		"validFrom": at.UTC().Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"id": url + "#list", "type": "BitstringStatusList", "statusPurpose": "revocation",
			"encodedList": "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes()),
		},
	}, nil
}
