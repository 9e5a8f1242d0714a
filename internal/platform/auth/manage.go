package auth

import (
	"context"
	"database/sql"
	"dxhub/internal/platform/textfold"
	"errors"
	"fmt"
	"strings"
	"time"

	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/mail"
)

// ChangePassword replaces the password of p's account after checking the
// old one, and ends the account's other sessions.
func (s *Service) ChangePassword(ctx context.Context, p *Principal, old, new string, revokeTokens bool, ip string) error {
	var hash string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT password_hash FROM accounts WHERE id = $1`, p.AccountID).Scan(&hash); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if !CheckPassword(hash, old) {
		return errs.Field("old", "account.wrong_password")
	}
	if len([]rune(new)) < MinPasswordLen {
		return errs.Field("new", "account.short_password", MinPasswordLen)
	}
	if err := s.setPassword(ctx, p.AccountID, new, revokeTokens); err != nil {
		return err
	}
	detail := ""
	if revokeTokens {
		detail = "tokens revoked"
	}
	s.audit(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: audit.PasswordChange, Detail: detail, IP: ip})
	return nil
}

// SetTimeZone records the zone p reads and types times in; empty returns
// to the installation's.
func (s *Service) SetTimeZone(ctx context.Context, p *Principal, zone string) error {
	if !i18n.ValidZone(zone) {
		return errs.Field("time_zone", "account.bad_zone")
	}
	defer s.forget(p.AccountID)
	_, err := s.DB.W.ExecContext(ctx, `UPDATE accounts SET time_zone = $1, updated_at = $2 WHERE id = $3`, zone, db.Now(), p.AccountID)
	return err
}

// setPassword stores a new password and ends every session of the
// account; with revokeTokens its API tokens stop working too.
func (s *Service) setPassword(ctx context.Context, accountID, password string, revokeTokens bool) error {
	defer s.forget(accountID)
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		now := db.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = $1, failed_logins = 0, locked_until = 0, updated_at = $2 WHERE id = $3`,
			HashPassword(password), now, accountID); err != nil {
			return err
		}
		if revokeTokens {
			if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at = 0`, now, accountID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = $1`, accountID)
		return err
	})
}

// RequestReset e-mails a one-hour reset link to the account with this user
// name or e-mail address. It says nothing about whether one exists.
func (s *Service) RequestReset(ctx context.Context, who string, lang i18n.Lang) error {
	who = strings.TrimSpace(who)
	if who == "" {
		return errs.Field("who", "account.reset_who")
	}
	var id, email string
	err := s.DB.R.QueryRowContext(ctx, `SELECT id, email FROM accounts WHERE (username = $1 OR email = $2) AND email <> '' AND disabled = 0`,
		strings.ToLower(who), who).Scan(&id, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("request reset: %w", err)
	}
	token := db.Token(24)
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO password_resets (token_hash, account_id, expires_at) VALUES ($1, $2, $3)`,
		hashSecret(token), id, s.now().Add(resetTTL).UnixMilli()); err != nil {
		return fmt.Errorf("request reset: %w", err)
	}
	link := strings.TrimRight(s.BaseURL, "/") + "/password/reset/" + token
	return s.Mail.Send(ctx, mail.Message{To: email, Subject: i18n.T(lang, "mail.reset.subject"), Body: i18n.T(lang, "mail.reset.body", link)})
}

// mailUnlock e-mails the owner of an account whose sign-ins now wait a
// one-use link that lets them in again at once.
func (s *Service) mailUnlock(ctx context.Context, accountID, email, ip string, now time.Time) error {
	token := db.Token(24)
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO account_unlocks (token_hash, account_id, expires_at) VALUES ($1, $2, $3)`,
		hashSecret(token), accountID, now.Add(unlockTTL).UnixMilli()); err != nil {
		return err
	}
	link := strings.TrimRight(s.BaseURL, "/") + "/account/unlock/" + token
	return s.Mail.Send(ctx, mail.Message{To: email, Subject: i18n.T(i18n.VI, "mail.locked.subject") + " / " + i18n.T(i18n.EN, "mail.locked.subject"),
		Body: i18n.T(i18n.VI, "mail.locked.body", ip, link) + "\n\n" + i18n.T(i18n.EN, "mail.locked.body", ip, link)})
}

// Unlock ends the wait on an account's sign-ins with a link from
// mailUnlock; a link works once, for a day.
func (s *Service) Unlock(ctx context.Context, token, ip string) error {
	now := s.now().UnixMilli()
	var id string
	err := s.DB.R.QueryRowContext(ctx, `SELECT account_id FROM account_unlocks WHERE token_hash = $1 AND used_at = 0 AND expires_at > $2`, hashSecret(token), now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.Invalid, "account.unlock_invalid")
	}
	if err != nil {
		return err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE account_unlocks SET used_at = $1 WHERE token_hash = $2 AND used_at = 0`, now, hashSecret(token))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.Invalid, "account.unlock_invalid")
		}
		_, err = tx.ExecContext(ctx, `UPDATE accounts SET failed_logins = 0, locked_until = 0 WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return err
	}
	s.audit(ctx, audit.Entry{ActorID: id, Action: audit.AccountUnlocked, IP: ip})
	return nil
}

// ResetPassword sets a new password with a token from RequestReset. A token
// works once and for one hour.
func (s *Service) ResetPassword(ctx context.Context, token, password, ip string) error {
	if len([]rune(password)) < MinPasswordLen {
		return errs.Field("password", "account.short_password", MinPasswordLen)
	}
	var id string
	err := s.DB.R.QueryRowContext(ctx, `SELECT account_id FROM password_resets WHERE token_hash = $1 AND used_at = 0 AND expires_at > $2`,
		hashSecret(token), s.now().UnixMilli()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.Invalid, "account.reset_invalid")
	}
	if err != nil {
		return err
	}
	res, err := s.DB.W.ExecContext(ctx, `UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at = 0`, db.Now(), hashSecret(token))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.E(errs.Invalid, "account.reset_invalid")
	}
	// A reset means the old password may be known to someone else: the
	// tokens made with it go too.
	if err := s.setPassword(ctx, id, password, true); err != nil {
		return err
	}
	s.audit(ctx, audit.Entry{ActorID: id, Action: audit.PasswordReset, Detail: "tokens revoked", IP: ip})
	return nil
}

// GrantRow is a grant as the roles page lists it.
type GrantRow struct {
	Grant
	AccountID string `json:"account_id"`
	Username  string `json:"username"`
	Name      string `json:"display_name"`
	CreatedAt int64  `json:"created_at"`
}

// GrantRole gives account the role on the unit at unitPath. The granter
// needs ManageRoles there; only a national administrator grants that role.
func (s *Service) GrantRole(ctx context.Context, username string, role Role, unitID, unitPath, ip string) (string, error) {
	p, err := Authorize(ctx, ManageRoles, unitPath)
	if err != nil {
		return "", err
	}
	if !ValidRole(string(role)) {
		return "", errs.Field("role", "roles.bad_role", role)
	}
	if role == NationalAdmin && !p.Has(NationalAdmin) {
		return "", errs.E(errs.Forbidden, "roles.only_national")
	}
	a, err := s.AccountByUsername(ctx, username)
	if err != nil {
		return "", err
	}
	id := db.NewID()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM role_grants WHERE account_id = $1 AND role = $2 AND unit_id = $3`, a.ID, role, unitID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.E(errs.Conflict, "roles.exists")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO role_grants (id, account_id, role, unit_id, granted_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, a.ID, role, unitID, p.AccountID, db.Now())
		return err
	})
	if err != nil {
		return "", err
	}
	s.forget(a.ID)
	s.audit(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: audit.RoleGrant, ObjectType: "account", ObjectID: a.ID,
		UnitPath: unitPath, Detail: string(role) + " → " + a.Username, IP: ip})
	return id, nil
}

// RevokeRole removes a grant, checked against the grant's unit.
func (s *Service) RevokeRole(ctx context.Context, grantID, ip string) error {
	var path, role, acct, username string
	err := s.DB.R.QueryRowContext(ctx, `SELECT u.path, g.role, g.account_id, a.username FROM role_grants g
		JOIN units u ON u.id = g.unit_id JOIN accounts a ON a.id = g.account_id WHERE g.id = $1`, grantID).Scan(&path, &role, &acct, &username)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return err
	}
	p, err := Authorize(ctx, ManageRoles, path)
	if err != nil {
		return err
	}
	if Role(role) == NationalAdmin && !p.Has(NationalAdmin) {
		return errs.E(errs.Forbidden, "roles.only_national")
	}
	if _, err := s.DB.W.ExecContext(ctx, `DELETE FROM role_grants WHERE id = $1`, grantID); err != nil {
		return err
	}
	s.forget(acct)
	s.audit(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: audit.RoleRevoke, ObjectType: "account", ObjectID: acct,
		UnitPath: path, Detail: role + " → " + username, IP: ip})
	return nil
}

// ListGrants returns the grants on units inside scopes.
func (s *Service) ListGrants(ctx context.Context, scopes []string) ([]GrantRow, error) {
	if len(scopes) == 0 {
		return nil, nil
	}
	var conds []string
	var args []any
	for _, sc := range scopes {
		args = append(args, s.DB.Dialect.PrefixPattern(sc))
		conds = append(conds, s.DB.Dialect.PrefixMatch("u.path", len(args)))
	}
	out, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (GrantRow, error) {
		var g GrantRow
		err := r.Scan(&g.ID, &g.Role, &g.UnitID, &g.UnitPath, &g.UnitCode, &g.UnitName, &g.AccountID, &g.Username, &g.Name, &g.CreatedAt)
		return g, err
	}, `SELECT g.id, g.role, g.unit_id, u.path, u.code, u.name_vi, a.id, a.username, a.display_name, g.created_at
		FROM role_grants g JOIN units u ON u.id = g.unit_id JOIN accounts a ON a.id = g.account_id
		WHERE `+strings.Join(conds, " OR ")+` ORDER BY u.path, a.username, g.role LIMIT 1000`, args...)
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	return out, nil
}

// AdminsOf returns the unit administrators granted exactly on a unit, for
// the unit's page.
func (s *Service) AdminsOf(ctx context.Context, unitID string) ([]GrantRow, error) {
	out, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (GrantRow, error) {
		var g GrantRow
		err := r.Scan(&g.ID, &g.Role, &g.AccountID, &g.Username, &g.Name)
		return g, err
	}, `SELECT g.id, g.role, a.id, a.username, a.display_name FROM role_grants g
		JOIN accounts a ON a.id = g.account_id WHERE g.unit_id = $1 AND g.role IN ('unit_admin', 'national_admin') ORDER BY a.display_name`, unitID)
	return out, err
}

// EmailsWithRole returns the e-mail addresses of the accounts holding role
// exactly on unitID: whom reminders go to.
func (s *Service) EmailsWithRole(ctx context.Context, unitID string, role Role) ([]string, error) {
	return db.Strings(ctx, s.DB.R, `SELECT a.email FROM role_grants g JOIN accounts a ON a.id = g.account_id
		WHERE g.unit_id = $1 AND g.role = $2 AND a.email <> '' ORDER BY a.email`, unitID, string(role))
}

// Token is an API token as listed (the secret is shown only once).
type Token struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	CreatedAt  int64  `json:"created_at"`
	LastUsedAt int64  `json:"last_used_at"`
	RevokedAt  int64  `json:"revoked_at"`
}

// CreateToken makes an API token for p's account. It acts with the
// account's rights at the time of each request, so revoking a role also
// narrows the token.
func (s *Service) CreateToken(ctx context.Context, p *Principal, name, ip string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", errs.Field("name", "tokens.bad_name")
	}
	if p.ViaToken {
		return "", errs.E(errs.Forbidden, "tokens.no_token_from_token")
	}
	secret := TokenPrefix + db.Token(24)
	id := db.NewID()
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO api_tokens (id, account_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
		id, p.AccountID, name, hashSecret(secret), db.Now()); err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	s.audit(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: audit.TokenCreate, ObjectType: "token", ObjectID: id, Detail: name, IP: ip})
	return secret, nil
}

// RevokeToken revokes one of p's tokens.
func (s *Service) RevokeToken(ctx context.Context, p *Principal, id, ip string) error {
	res, err := s.DB.W.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at = 0`, db.Now(), id, p.AccountID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "error.not_found")
	}
	s.audit(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: audit.TokenRevoke, ObjectType: "token", ObjectID: id, IP: ip})
	return nil
}

// ListTokens lists p's tokens.
func (s *Service) ListTokens(ctx context.Context, p *Principal) ([]Token, error) {
	out, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (Token, error) {
		var t Token
		err := r.Scan(&t.ID, &t.Name, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt)
		return t, err
	}, `SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE account_id = $1 ORDER BY created_at DESC`, p.AccountID)
	return out, err
}

// ProvisionAccounts creates many accounts sharing one initial password
// (hashed once), for mass enrolment of candidates; each must change it.
// Trusted callers only: it checks no rights.
func (s *Service) ProvisionAccounts(ctx context.Context, accounts []NewAccount, password string) ([]string, error) {
	if len([]rune(password)) < MinPasswordLen {
		return nil, errs.Field("password", "account.short_password", MinPasswordLen)
	}
	hash := HashPassword(password)
	ids := make([]string, len(accounts))
	now := db.Now()
	const batch = 1000
	for start := 0; start < len(accounts); start += batch {
		end := min(start+batch, len(accounts))
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			for i := start; i < end; i++ {
				a := accounts[i]
				a.Password = password
				if err := a.Validate(); err != nil {
					return err
				}
				ids[i] = db.NewID()
				if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, username, email, display_name, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
					ids[i], a.Username, a.Email, a.DisplayName, hash, now); err != nil {
					return fmt.Errorf("account %s: %w", a.Username, err)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// OpenSession opens a session for an account without a password, for
// trusted callers (single sign-on, load tests); it returns the cookie value.
func (s *Service) OpenSession(ctx context.Context, accountID string) (string, error) {
	token := db.Token(32)
	ttl := s.SessionTTL
	if ttl == 0 {
		ttl = 12 * time.Hour
	}
	now := s.now()
	_, err := s.DB.W.ExecContext(ctx, `INSERT INTO sessions (id_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		hashSecret(token), accountID, now.UnixMilli(), now.Add(ttl).UnixMilli())
	return token, err
}

// DeleteAccount ends an account at its owner's request (the right to
// erasure): the password is checked, then the name, sign-in name and
// address are replaced by an anonymous placeholder, every session ends,
// every token is revoked, grants are removed and the account can never
// sign in again. Records other rooms keep under the account's id stay,
// no longer tied to a person.
func (s *Service) DeleteAccount(ctx context.Context, p *Principal, password, ip string) error {
	var hash string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT password_hash FROM accounts WHERE id = $1`, p.AccountID).Scan(&hash); err != nil {
		return fmt.Errorf("delete account: %w", err)
	}
	// An account that signs in only through a provider has no password to
	// give: its owner types their sign-in name instead.
	if hash == NoPassword {
		if !strings.EqualFold(strings.TrimSpace(password), p.Username) {
			return errs.Field("password", "account.wrong_username")
		}
	} else if !CheckPassword(hash, password) {
		return errs.Field("password", "account.wrong_password")
	}
	defer s.forget(p.AccountID)
	now := db.Now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET username = $2, email = '', display_name = $3, password_hash = '!', person_id = NULL, disabled = 1, updated_at = $4 WHERE id = $1`,
			p.AccountID, "deleted-"+p.AccountID, "—", now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $2 WHERE account_id = $1 AND revoked_at = 0`, p.AccountID, now); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM sessions WHERE account_id = $1`, `DELETE FROM role_grants WHERE account_id = $1`} {
			if _, err := tx.ExecContext(ctx, q, p.AccountID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.audit(ctx, audit.Entry{ActorID: p.AccountID, ActorName: "deleted-" + p.AccountID, Action: "account_deleted", ObjectType: "account", ObjectID: p.AccountID, IP: ip})
	return nil
}

// AccountOf returns the caller's own account, for "my data".
func (s *Service) AccountOf(ctx context.Context, p *Principal) (*Account, error) {
	return s.AccountByUsername(ctx, p.Username)
}

// SetFirstPassword gives an account made without one (by an
// administrator, for activation) the password its owner chose.
func (s *Service) SetFirstPassword(ctx context.Context, accountID, password, ip string) error {
	if len([]rune(password)) < MinPasswordLen {
		return errs.Field("password", "account.short_password", MinPasswordLen)
	}
	if err := s.setPassword(ctx, accountID, password, false); err != nil {
		return err
	}
	s.audit(ctx, audit.Entry{ActorID: accountID, Action: "account_activated", ObjectType: "account", ObjectID: accountID, IP: ip})
	return nil
}

// LinkPerson links an account to a person record (a claim its unit's
// administrator approved): only an account without one, to a record no
// other account holds.
func (s *Service) LinkPerson(ctx context.Context, accountID, personID string) error {
	defer s.forget(accountID)
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts WHERE person_id = $1`, personID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.E(errs.Conflict, "claim.taken")
		}
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET person_id = $1, updated_at = $2 WHERE id = $3 AND person_id IS NULL`, personID, db.Now(), accountID)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return errs.E(errs.Conflict, "claim.taken")
		}
		return nil
	})
}

// SetDisplayName changes the name an account shows (its owner's choice).
func (s *Service) SetDisplayName(ctx context.Context, p *Principal, name, ip string) error {
	name = strings.Join(strings.Fields(textfold.NFC(name)), " ")
	if n := len([]rune(name)); n < 2 || n > 100 || strings.ContainsAny(name, "<>") {
		return errs.Field("display_name", "signup.bad_name")
	}
	defer s.forget(p.AccountID)
	if _, err := s.DB.W.ExecContext(ctx, `UPDATE accounts SET display_name = $1, updated_at = $2 WHERE id = $3`, name, db.Now(), p.AccountID); err != nil {
		return err
	}
	s.audit(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: "name_changed", ObjectType: "account", ObjectID: p.AccountID, IP: ip})
	return nil
}

// ChangeSignIn gives an account a new sign-in name (a confirmed address
// or number) and, for an address, the e-mail it is sent mail at.
func (s *Service) ChangeSignIn(ctx context.Context, accountID, username, email, ip string) error {
	defer s.forget(accountID)
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts WHERE username = $1 AND id <> $2`, username, accountID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.Field("contact", "account.taken", username)
		}
		q := `UPDATE accounts SET username = $1, updated_at = $2 WHERE id = $3`
		args := []any{username, db.Now(), accountID}
		if email != "" {
			q = `UPDATE accounts SET username = $1, updated_at = $2, email = $4 WHERE id = $3`
			args = append(args, email)
		}
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	})
	if err == nil {
		s.audit(ctx, audit.Entry{ActorID: accountID, ActorName: username, Action: "contact_changed", ObjectType: "account", ObjectID: accountID, IP: ip})
	}
	return err
}
