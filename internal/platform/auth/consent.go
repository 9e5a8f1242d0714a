package auth

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
)

// Consents a person gives or withdraws (Decree 13/2023/ND-CP). Each has
// an effect where dxhub uses the data it covers.
const (
	// ConsentTerms is the terms of use, accepted at sign-up.
	ConsentTerms = "terms"
	// ConsentShareResults lets the office whose people list holds the
	// person see their name beside their results (compliance lists);
	// withdrawn, they are counted but not named.
	ConsentShareResults = "share_results"
	// ConsentReminders lets dxhub e-mail reminders of assigned courses.
	ConsentReminders = "reminders"
	// ConsentPublicProfile puts the person's name on the certificates
	// they earn and on their public verification pages; without it a
	// certificate names them only by a salted hash. Off unless given.
	ConsentPublicProfile = "public_profile"
)

// Consents that a person may change later; the terms are given once.
var Consents = []string{ConsentShareResults, ConsentReminders, ConsentPublicProfile}

// ConsentDefault is the answer of a person who never gave one.
func ConsentDefault(kind string) bool {
	return kind == ConsentShareResults || kind == ConsentReminders
}

// Granted says whether an account's consent kind stands now.
func (s *Service) Granted(ctx context.Context, accountID, kind string) (bool, error) {
	st, err := s.stmt(`SELECT granted FROM consents WHERE account_id = $1 AND kind = $2`)
	if err != nil {
		return false, err
	}
	var granted int
	err = st.QueryRowContext(ctx, accountID, kind).Scan(&granted)
	if errors.Is(err, sql.ErrNoRows) {
		return ConsentDefault(kind), nil
	}
	return granted != 0, err
}

// TermsVersion is the version of the terms a sign-up accepts.
const TermsVersion = "2026-12"

// Consent is one answer.
type Consent struct {
	Kind      string `json:"kind"`
	Granted   bool   `json:"granted"`
	Version   string `json:"version,omitempty"`
	ChangedAt int64  `json:"changed_at"`
}

// SetConsent records an account's answer for kind and audits it.
func (s *Service) SetConsent(ctx context.Context, accountID, kind string, granted bool, ip string) error {
	if kind != ConsentTerms && !slices.Contains(Consents, kind) {
		return errs.Field("kind", "consent.unknown", kind)
	}
	version := ""
	if kind == ConsentTerms {
		version = TermsVersion
	}
	now := db.Now()
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO consents (account_id, kind, granted, version, changed_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (account_id, kind) DO UPDATE SET granted = excluded.granted, version = excluded.version, changed_at = excluded.changed_at`,
		accountID, kind, db.Flag(granted), version, now); err != nil {
		return err
	}
	action := "consent_given"
	if !granted {
		action = "consent_withdrawn"
	}
	s.audit(ctx, audit.Entry{ActorID: accountID, Action: action, ObjectType: "account", ObjectID: accountID, Detail: kind, IP: ip})
	return nil
}

// ConsentsOf lists an account's answers, one per kind that has one.
func (s *Service) ConsentsOf(ctx context.Context, accountID string) ([]Consent, error) {
	out, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (Consent, error) {
		var c Consent
		var g int
		err := r.Scan(&c.Kind, &g, &c.Version, &c.ChangedAt)
		c.Granted = g == 1
		return c, err
	}, `SELECT kind, granted, version, changed_at FROM consents WHERE account_id = $1 ORDER BY kind`, accountID)
	if out == nil {
		out = []Consent{}
	}
	return out, err
}

// Withdrawn lists which of accountIDs have withdrawn consent kind (an
// account that never answered has not: the default is to share with one's
// own office and to be reminded).
func (s *Service) Withdrawn(ctx context.Context, kind string, accountIDs []string) (map[string]bool, error) {
	if !slices.Contains(Consents, kind) {
		return nil, errs.Field("kind", "consent.unknown", kind)
	}
	m, err := s.lookup(ctx, `SELECT account_id, kind FROM consents WHERE granted = 0 AND kind = '`+kind+`' AND account_id`, accountIDs)
	out := make(map[string]bool, len(m))
	for id := range m {
		out[id] = true
	}
	return out, err
}
