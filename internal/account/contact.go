package account

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
)

// Changing the address or number one signs in with: the new one is
// confirmed as at sign-up (a link by e-mail, a code by text message)
// before it replaces the old; the answer is the same whether or not it is
// taken (its owner is told instead).

// StartContactChange sends a confirmation to the caller's new contact.
func (s *Service) StartContactChange(ctx context.Context, newContact string, lang i18n.Lang, ip string) (kind string, err error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return "", err
	}
	contact, kind, err := NormalizeContact(newContact)
	if err != nil {
		return "", err
	}
	if !s.Auth.Allow("contact:"+p.AccountID, 20*time.Minute, 3) {
		return "", errs.E(errs.TooMany, "signup.too_many")
	}
	if _, err := s.Auth.AccountByUsername(ctx, contact); err == nil {
		return kind, s.send(ctx, kind, contact, lang, "signup.msg_taken_subject", "signup.msg_taken", s.BaseURL+"/password/forgot")
	}
	token, code := secret(24), sixDigits()
	now := s.clock()
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO contact_changes (id, account_id, contact, kind, token_hash, code_hash, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		db.NewID(), p.AccountID, contact, kind, hash(token), hash(contact+"/"+code), now.Add(codeLifetime).UnixMilli(), now.UnixMilli()); err != nil {
		return "", err
	}
	if kind == KindEmail {
		return kind, s.send(ctx, kind, contact, lang, "contact.msg_link_subject", "contact.msg_link", s.BaseURL+"/account/contact/confirm/"+token)
	}
	return kind, s.send(ctx, kind, contact, lang, "", "signup.msg_code", code)
}

// ConfirmContactChange confirms the caller's pending change by the link's
// token or by the code sent to the new number: once, within 30 minutes,
// five tries; only the account that asked may confirm it.
func (s *Service) ConfirmContactChange(ctx context.Context, token, code, ip string) (string, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return "", err
	}
	where, arg := `token_hash = $1`, any(hash(token))
	if token == "" {
		if code, err = CheckCode(code); err != nil {
			return "", err
		}
		where, arg = `account_id = $1 AND used_at = 0 ORDER BY created_at DESC LIMIT 1`, p.AccountID
	}
	var id, account, contact, kind, codeHash string
	var attempts int
	var expires, used int64
	err = s.DB.R.QueryRowContext(ctx, `SELECT id, account_id, contact, kind, code_hash, attempts, expires_at, used_at FROM contact_changes WHERE `+where, arg).
		Scan(&id, &account, &contact, &kind, &codeHash, &attempts, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && account != p.AccountID) {
		return "", errs.E(errs.Invalid, "contact.link_invalid")
	}
	if err != nil {
		return "", err
	}
	if used != 0 || s.clock().UnixMilli() > expires || attempts >= maxAttempts {
		return "", errs.E(errs.Invalid, "contact.link_invalid")
	}
	if token == "" && hash(contact+"/"+code) != codeHash {
		s.DB.W.ExecContext(ctx, `UPDATE contact_changes SET attempts = attempts + 1 WHERE id = $1`, id)
		return "", errs.Field("code", "signup.wrong_code")
	}
	res, err := s.DB.W.ExecContext(ctx, `UPDATE contact_changes SET used_at = $1 WHERE id = $2 AND used_at = 0`, s.clock().UnixMilli(), id)
	if err != nil {
		return "", err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", errs.E(errs.Invalid, "contact.link_invalid")
	}
	email := ""
	if kind == KindEmail {
		email = contact
	}
	if err := s.Auth.ChangeSignIn(ctx, p.AccountID, contact, email, ip); err != nil {
		return "", err
	}
	if kind == KindPhone {
		if _, err := s.DB.W.ExecContext(ctx, `UPDATE profiles SET phone = $1 WHERE account_id = $2`, contact, p.AccountID); err != nil {
			return "", err
		}
	}
	return contact, nil
}
