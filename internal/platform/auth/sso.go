package auth

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
)

// NoPassword is the password hash of an account made by a first sign-in
// through an OpenID provider: no password matches it, until its owner
// sets one through "forgot password".
const NoPassword = "!"

// SSOProvider is an OpenID provider offered on the sign-in page.
type SSOProvider struct{ ID, Name string }

// AccountByID returns an account and whether it may sign in (not
// deleted or disabled).
func (s *Service) AccountByID(ctx context.Context, id string) (*Account, bool, error) {
	var a Account
	var person sql.NullString
	var disabled int
	// Prepared once: certificates look up every holder.
	st, err := s.stmt(`SELECT id, username, email, display_name, person_id, locale, locked_until, disabled FROM accounts WHERE id = $1`)
	if err != nil {
		return nil, false, err
	}
	err = st.QueryRowContext(ctx, id).Scan(&a.ID, &a.Username, &a.Email, &a.DisplayName, &person, &a.Locale, &a.LockedUntil, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	a.PersonID = person.String
	return &a, disabled == 0, nil
}

// AccountsByEmail returns the live accounts whose e-mail address or
// sign-in name is email (compared without case).
func (s *Service) AccountsByEmail(ctx context.Context, email string) ([]string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return nil, nil
	}
	return db.Column[string](s.DB.R.QueryContext(ctx, `SELECT id FROM accounts WHERE (LOWER(email) = $1 OR username = $1) AND disabled = 0`, email))
}

// HasPassword reports whether an account can sign in with a password (an
// account made through a provider cannot, until its owner sets one).
func (s *Service) HasPassword(ctx context.Context, accountID string) (bool, error) {
	var hash string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT password_hash FROM accounts WHERE id = $1`, accountID).Scan(&hash); err != nil {
		return false, err
	}
	return hash != NoPassword && hash != "", nil
}

// CheckAccountPassword checks an account's password with the sign-in's
// slowing down and audit, without opening a session: a person proving
// they own an account before a provider is linked to it.
func (s *Service) CheckAccountPassword(ctx context.Context, accountID, password, ip, userAgent string) error {
	a, ok, err := s.AccountByID(ctx, accountID)
	if err != nil {
		return err
	}
	if !ok {
		return errs.E(errs.Unauthorized, "login.failed")
	}
	res, err := s.Login(ctx, a.Username, password, ip, userAgent)
	if err != nil {
		return err
	}
	// Login opened a session the caller does not need: its own follows.
	return s.Logout(ctx, res.SessionToken)
}
