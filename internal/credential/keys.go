package credential

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
)

// Keys are the issuing units' Ed25519 keys: made on a unit's first
// credential, the private half sealed with AES-256-GCM under the
// operator's key (DXHUB_CREDENTIAL_KEY, never stored), retired on
// rotation but kept published so that what they signed still verifies.
type Keys struct {
	DB *db.DB
	// sealKey is SHA-256 of the operator's key; nil: no key given, and
	// nothing can be signed.
	sealKey []byte

	mu    sync.Mutex
	cache map[string]*signingKey // unit id → current key
	// public keeps published keys by unit and key id: a key never changes,
	// and every verification reads one.
	public sync.Map
}

type signingKey struct {
	ID   string // fragment of the verification method: "k-…"
	Priv ed25519.PrivateKey
}

// PublicKey is a published key of a unit.
type PublicKey struct {
	ID      string
	UnitID  string
	Pub     ed25519.PublicKey
	Created int64
	Retired int64
}

// ErrNoSealKey says the operator has not given the key that seals the
// issuers' keys: nothing is signed (and what waits to be issued waits).
var ErrNoSealKey = errs.E(errs.Invalid, "credential.no_seal_key")

// NewKeys prepares the key store; operatorKey is DXHUB_CREDENTIAL_KEY.
func NewKeys(d *db.DB, operatorKey string) *Keys {
	k := &Keys{DB: d, cache: map[string]*signingKey{}}
	if operatorKey != "" {
		h := sha256.Sum256([]byte(operatorKey))
		k.sealKey = h[:]
	}
	return k
}

func (k *Keys) aead() (cipher.AEAD, error) {
	if k.sealKey == nil {
		return nil, ErrNoSealKey
	}
	b, err := aes.NewCipher(k.sealKey)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func (k *Keys) seal(seed []byte, keyID string) (string, error) {
	a, err := k.aead()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, a.NonceSize())
	rand.Read(nonce)
	// The key id is authenticated data: a sealed key moved to another row
	// does not open.
	return base64.StdEncoding.EncodeToString(a.Seal(nonce, nonce, seed, []byte(keyID))), nil
}

func (k *Keys) open(sealed, keyID string) (ed25519.PrivateKey, error) {
	a, err := k.aead()
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(b) < a.NonceSize() {
		return nil, fmt.Errorf("key %s: sealed key unreadable", keyID)
	}
	seed, err := a.Open(nil, b[:a.NonceSize()], b[a.NonceSize():], []byte(keyID))
	if err != nil {
		return nil, fmt.Errorf("key %s does not open with DXHUB_CREDENTIAL_KEY (was it changed?): %w", keyID, err)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// Current returns the unit's signing key, making it on first use.
func (k *Keys) Current(ctx context.Context, unitID string) (*signingKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if sk, ok := k.cache[unitID]; ok {
		return sk, nil
	}
	var id, sealed string
	err := k.DB.R.QueryRowContext(ctx, `SELECT id, private_sealed FROM issuer_keys WHERE unit_id = $1 AND retired_at = 0 ORDER BY created_at DESC LIMIT 1`, unitID).Scan(&id, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		pub, priv, _ := ed25519.GenerateKey(rand.Reader)
		b := make([]byte, 6)
		rand.Read(b)
		id = "k-" + hex.EncodeToString(b)
		if sealed, err = k.seal(priv.Seed(), id); err != nil {
			return nil, err
		}
		if _, err := k.DB.W.ExecContext(ctx, `INSERT INTO issuer_keys (id, unit_id, public_key, private_sealed, created_at) VALUES ($1, $2, $3, $4, $5)`,
			id, unitID, multikey(pub), sealed, db.Now()); err != nil {
			return nil, err
		}
		// Two nodes may both have made one: use the newest either sees.
		return k.reload(ctx, unitID)
	}
	if err != nil {
		return nil, err
	}
	return k.use(unitID, id, sealed)
}

func (k *Keys) reload(ctx context.Context, unitID string) (*signingKey, error) {
	var id, sealed string
	if err := k.DB.W.QueryRowContext(ctx, `SELECT id, private_sealed FROM issuer_keys WHERE unit_id = $1 AND retired_at = 0 ORDER BY created_at DESC, id DESC LIMIT 1`, unitID).Scan(&id, &sealed); err != nil {
		return nil, err
	}
	return k.use(unitID, id, sealed)
}

// use opens a sealed key and keeps it as the unit's current one.
func (k *Keys) use(unitID, id, sealed string) (*signingKey, error) {
	priv, err := k.open(sealed, id)
	if err != nil {
		return nil, err
	}
	sk := &signingKey{ID: id, Priv: priv}
	k.cache[unitID] = sk
	return sk, nil
}

// Rotate retires the unit's current key; the next credential makes a new
// one. The retired key stays published.
func (k *Keys) Rotate(ctx context.Context, unitID string) error {
	k.mu.Lock()
	delete(k.cache, unitID)
	k.mu.Unlock()
	_, err := k.DB.W.ExecContext(ctx, `UPDATE issuer_keys SET retired_at = $1 WHERE unit_id = $2 AND retired_at = 0`, db.Now(), unitID)
	return err
}

// Published returns every key of a unit ("" for all units), current and
// retired.
func (k *Keys) Published(ctx context.Context, unitID string) ([]PublicKey, error) {
	q, args := `SELECT id, unit_id, public_key, created_at, retired_at FROM issuer_keys ORDER BY unit_id, created_at`, []any{}
	if unitID != "" {
		q, args = `SELECT id, unit_id, public_key, created_at, retired_at FROM issuer_keys WHERE unit_id = $1 ORDER BY created_at`, []any{unitID}
	}
	return db.Query(ctx, k.DB.R, func(r db.Scanner) (PublicKey, error) {
		var p PublicKey
		var mk string
		if err := r.Scan(&p.ID, &p.UnitID, &mk, &p.Created, &p.Retired); err != nil {
			return p, err
		}
		pub, err := publicFromMultikey(mk)
		p.Pub = pub
		return p, err
	}, q, args...)
}

// Public returns one key of a unit by its id.
func (k *Keys) Public(ctx context.Context, unitID, keyID string) (ed25519.PublicKey, error) {
	if pub, ok := k.public.Load(unitID + "#" + keyID); ok {
		return pub.(ed25519.PublicKey), nil
	}
	pub, err := k.loadPublic(ctx, unitID, keyID)
	if err == nil {
		k.public.Store(unitID+"#"+keyID, pub)
	}
	return pub, err
}

func (k *Keys) loadPublic(ctx context.Context, unitID, keyID string) (ed25519.PublicKey, error) {
	var mk string
	err := k.DB.R.QueryRowContext(ctx, `SELECT public_key FROM issuer_keys WHERE unit_id = $1 AND id = $2`, unitID, keyID).Scan(&mk)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrUnknownKey
	}
	if err != nil {
		return nil, err
	}
	return publicFromMultikey(mk)
}

// Reseal seals every private key again under a new operator key (key
// rotation of the operator's own key): old is the key they were sealed with.
func (k *Keys) Reseal(ctx context.Context, old string) (int, error) {
	prev := NewKeys(k.DB, old)
	type row struct{ id, sealed string }
	rows, err := db.Query(ctx, k.DB.R, func(r db.Scanner) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.sealed)
	}, `SELECT id, private_sealed FROM issuer_keys`)
	if err != nil {
		return 0, err
	}
	err = k.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, x := range rows {
			priv, err := prev.open(x.sealed, x.id)
			if err != nil {
				return err
			}
			s, err := k.seal(priv.Seed(), x.id)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE issuer_keys SET private_sealed = $1 WHERE id = $2`, s, x.id); err != nil {
				return err
			}
		}
		return nil
	})
	k.mu.Lock()
	k.cache = map[string]*signingKey{}
	k.mu.Unlock()
	return len(rows), err
}
