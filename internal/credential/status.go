package credential

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
)

// Reasons a credential is revoked, by category (the page says which).
var Reasons = []string{"issued_in_error", "fraud", "withdrawn", "superseded", "other"}

// Revoke revokes a credential with a reason; the caller may issue
// credentials in the issuing unit's subtree. Its bit in the unit's status
// list is set at once (the list is signed again on its next fetch).
func (s *Service) Revoke(ctx context.Context, id, reason, ip string) (*Credential, error) {
	c, err := s.ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.IssueCredentials, c.UnitPath)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(Reasons, reason) {
		return nil, errs.Field("reason", "credential.bad_reason")
	}
	if c.RevokedAt != 0 {
		return nil, errs.E(errs.Conflict, "credential.already_revoked")
	}
	now := s.clock().UnixMilli()
	if _, err := s.DB.W.ExecContext(ctx, `UPDATE credentials SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at = 0`, now, reason, id); err != nil {
		return nil, err
	}
	s.forgetList(c.UnitID)
	if err := s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: "credential_revoked", ObjectType: "credential", ObjectID: id, UnitPath: c.UnitPath, Detail: c.Number + " " + reason, IP: ip}); err != nil {
		return nil, err
	}
	return s.ByID(ctx, id)
}

// listTTL is how long a signed status list is served before it is made
// again; a revocation clears it at once on every node.
const listTTL = 30 * time.Second

// topicStatus is the news other nodes hear of a unit's revocation.
const topicStatus = "credential.status"

// WatchChanges makes this node sign its status lists anew when another
// node revokes a credential.
func (s *Service) WatchChanges() { s.DB.Subscribe(topicStatus, s.dropList) }

func (s *Service) forgetList(unitID string) {
	s.dropList(unitID)
	s.DB.Announce(context.Background(), topicStatus, unitID)
}

// dropList forgets a unit's signed lists (all, when unitID is empty).
func (s *Service) dropList(unitID string) {
	s.statusMu.Lock()
	for k := range s.statusCache {
		if unitID == "" || strings.HasPrefix(k, unitID+"/") {
			delete(s.statusCache, k)
		}
	}
	s.statusMu.Unlock()
}

// StatusList returns the signed BitstringStatusListCredential of a unit's
// list (public: verifiers fetch it).
func (s *Service) StatusList(ctx context.Context, unitCode string, list int) ([]byte, error) {
	u, err := s.Org.UnitByCode(ctx, unitCode)
	if err != nil {
		return nil, errs.E(errs.NotFound, "credential.no_list")
	}
	key := u.ID + "/" + strconv.Itoa(list)
	s.statusMu.Lock()
	if c, ok := s.statusCache[key]; ok && time.Now().Before(c.fresh) {
		s.statusMu.Unlock()
		return c.doc, nil
	}
	s.statusMu.Unlock()
	var n int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM status_lists WHERE unit_id = $1 AND list = $2`, u.ID, list).Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errs.E(errs.NotFound, "credential.no_list")
	}
	revoked, err := db.Column[int](s.DB.R.QueryContext(ctx, `SELECT status_index FROM credentials WHERE unit_id = $1 AND status_list = $2 AND revoked_at <> 0`, u.ID, list))
	if err != nil {
		return nil, err
	}
	bits := make([]byte, StatusListSize/8)
	for _, i := range revoked {
		bits[i/8] |= 0x80 >> (i % 8)
	}
	url := s.statusURL(u.Code, list)
	doc, err := statusListDocument(url, s.DID(u.Code), bits, s.clock())
	if err != nil {
		return nil, err
	}
	sk, err := s.Keys.Current(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if err := signDataIntegrity(doc, sk.Priv, s.DID(u.Code)+"#"+sk.ID, s.clock(), nil); err != nil {
		return nil, err
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	s.statusMu.Lock()
	if s.statusCache == nil {
		s.statusCache = map[string]cachedList{}
	}
	s.statusCache[key] = cachedList{doc: b, fresh: time.Now().Add(listTTL)}
	s.statusMu.Unlock()
	return b, nil
}

// DIDDocument is an issuing unit's did:web document: every key it has
// signed with, current and retired, as Multikey verification methods.
func (s *Service) DIDDocument(ctx context.Context, unitCode string) (map[string]any, error) {
	u, err := s.Org.UnitByCode(ctx, unitCode)
	if err != nil {
		return nil, errs.E(errs.NotFound, "credential.no_issuer")
	}
	keys, err := s.Keys.Published(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, errs.E(errs.NotFound, "credential.no_issuer")
	}
	did := s.DID(u.Code)
	var vms, refs []any
	for _, k := range keys {
		vm := did + "#" + k.ID
		vms = append(vms, map[string]any{"id": vm, "type": "Multikey", "controller": did, "publicKeyMultibase": multikey(k.Pub)})
		refs = append(refs, vm)
	}
	return map[string]any{
		"@context":           []any{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"},
		"id":                 did,
		"alsoKnownAs":        []any{s.BaseURL + "/units/" + u.Code},
		"verificationMethod": vms,
		"assertionMethod":    refs,
		"authentication":     refs,
	}, nil
}

// JWKS is every issuing key as a JSON Web Key Set (kid: the verification
// method), for VC-JWT verifiers.
func (s *Service) JWKS(ctx context.Context) (map[string]any, error) {
	keys, err := s.Keys.Published(ctx, "")
	if err != nil {
		return nil, err
	}
	codes := map[string]string{}
	out := []any{}
	for _, k := range keys {
		code, ok := codes[k.UnitID]
		if !ok {
			u, err := s.Org.UnitByID(ctx, k.UnitID)
			if err != nil {
				continue
			}
			code, codes[k.UnitID] = u.Code, u.Code
		}
		out = append(out, jwk(s.DID(code)+"#"+k.ID, k.Pub))
	}
	return map[string]any{"keys": out}, nil
}

func jwk(kid string, pub ed25519.PublicKey) map[string]any {
	return map[string]any{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": kid, "x": base64.RawURLEncoding.EncodeToString(pub)}
}

// keyOf finds the public key of a verification method of one of this
// site's issuers.
func (s *Service) keyOf(ctx context.Context) func(vm string) (ed25519.PublicKey, error) {
	return func(vm string) (ed25519.PublicKey, error) {
		did, frag, ok := strings.Cut(vm, "#")
		prefix := "did:web:" + s.host() + ":issuers:"
		if !ok || !strings.HasPrefix(did, prefix) {
			return nil, ErrUnknownKey
		}
		u, err := s.issuerUnit(ctx, strings.TrimPrefix(did, prefix))
		if err != nil {
			return nil, ErrUnknownKey
		}
		return s.Keys.Public(ctx, u.ID, frag)
	}
}

// unitOfDID is the issuing unit a did:web of this site names.
func (s *Service) unitOfDID(ctx context.Context, did string) (*org.Unit, error) {
	prefix := "did:web:" + s.host() + ":issuers:"
	if !strings.HasPrefix(did, prefix) {
		return nil, errors.New("not an issuer of this site")
	}
	return s.issuerUnit(ctx, strings.TrimPrefix(did, prefix))
}

// issuerUnit finds an issuing unit by code, remembering it a minute:
// every verification asks, and units change rarely.
func (s *Service) issuerUnit(ctx context.Context, code string) (*org.Unit, error) {
	type cached struct {
		u     *org.Unit
		until time.Time
	}
	if c, ok := s.issuers.Load(code); ok && time.Now().Before(c.(cached).until) {
		return c.(cached).u, nil
	}
	u, err := s.Org.UnitByCode(ctx, code)
	if err == nil {
		s.issuers.Store(code, cached{u, time.Now().Add(time.Minute)})
	}
	return u, err
}
