package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
)

// Single sign-on with OpenID Connect providers (the national identity
// platform, a province's own): the authorization code flow with PKCE,
// state and nonce, the ID token checked by go-oidc (signature against the
// provider's published keys, issuer, audience, expiry). A provider's
// person is an identity (provider, subject) tied to one account: the
// first sign-in makes a citizen account, or, when the provider vouches
// for an e-mail address an account already has, offers to link them once
// that account's password is given.

// ProviderConfig is one OpenID provider as configured.
type ProviderConfig struct {
	// ID names the provider in URLs (/auth/oidc/ID) and stored identities:
	// changing it orphans the identities made under it.
	ID string
	// Name is shown on the sign-in button.
	Name         string
	Issuer       string
	ClientID     string
	ClientSecret string // from the environment only
}

var providerIDRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,30}$`)

// ParseProviders reads providers written as
// "id=vneid,issuer=https://…,client=dxhub,name=VNeID", several separated
// by ";". secret returns a provider's client secret by its ID (from the
// environment; an empty one is a public client, which PKCE protects).
func ParseProviders(spec string, secret func(id string) string) ([]ProviderConfig, error) {
	var out []ProviderConfig
	seen := map[string]bool{}
	for _, one := range strings.Split(spec, ";") {
		if strings.TrimSpace(one) == "" {
			continue
		}
		var c ProviderConfig
		for _, kv := range strings.Split(one, ",") {
			k, v, ok := strings.Cut(kv, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if !ok {
				return nil, fmt.Errorf("provider %q: %q is not key=value", one, kv)
			}
			switch k {
			case "id":
				c.ID = v
			case "issuer":
				c.Issuer = v
			case "client":
				c.ClientID = v
			case "name":
				c.Name = v
			case "secret":
				return nil, fmt.Errorf("provider %q: the client secret is read from the environment only (DXHUB_OIDC_SECRET_<ID>), never from a flag", one)
			default:
				return nil, fmt.Errorf("provider %q: unknown key %q (id, issuer, client, name)", one, k)
			}
		}
		if !providerIDRe.MatchString(c.ID) || c.ID == "link" {
			return nil, fmt.Errorf("provider %q: id must be lower-case letters, digits and dashes", one)
		}
		if seen[c.ID] {
			return nil, fmt.Errorf("provider %q: id %q given twice", one, c.ID)
		}
		seen[c.ID] = true
		u, err := url.Parse(c.Issuer)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("provider %q: issuer must be an http(s) URL", one)
		}
		if c.ClientID == "" {
			return nil, fmt.Errorf("provider %q: client is missing", one)
		}
		if c.Name == "" {
			c.Name = c.ID
		}
		if secret != nil {
			c.ClientSecret = secret(c.ID)
		}
		out = append(out, c)
	}
	return out, nil
}

// SecretEnv is the environment variable holding a provider's secret.
func SecretEnv(id string) string {
	return "DXHUB_OIDC_SECRET_" + strings.ToUpper(strings.ReplaceAll(id, "-", "_"))
}

// SSO is the set of configured providers.
type SSO struct {
	providers []*provider
	// redirect is this site's public URL, to which providers send people
	// back (BaseURL + /auth/oidc/ID/callback, registered at the provider).
	redirect string
	client   *http.Client
}

type provider struct {
	cfg   ProviderConfig
	mu    sync.Mutex
	op    *oidc.Provider // discovered
	found time.Time      // when, by the service's clock
}

// freshFor is how long a discovery is trusted before a sign-in reads it
// again: a provider that has gone down is then found out at the button,
// where dxhub can say so, not after the person has been sent to a dead
// address.
const freshFor = time.Minute

// NewSSO prepares providers; discovery waits for the first sign-in, so a
// provider that is down does not stop dxhub from starting.
func NewSSO(cfgs []ProviderConfig, baseURL string) *SSO {
	s := &SSO{redirect: strings.TrimRight(baseURL, "/"), client: &http.Client{Timeout: 10 * time.Second}}
	for _, c := range cfgs {
		s.providers = append(s.providers, &provider{cfg: c})
	}
	return s
}

// Providers lists the providers for the sign-in page.
func (s *SSO) Providers() []auth.SSOProvider {
	if s == nil {
		return nil
	}
	out := make([]auth.SSOProvider, len(s.providers))
	for i, p := range s.providers {
		out[i] = auth.SSOProvider{ID: p.cfg.ID, Name: p.cfg.Name}
	}
	return out
}

func (s *SSO) provider(id string) (*provider, error) {
	if s != nil {
		for _, p := range s.providers {
			if p.cfg.ID == id {
				return p, nil
			}
		}
	}
	return nil, errs.E(errs.NotFound, "oidc.unknown_provider", id)
}

// discover reads the provider's configuration when it is older than
// freshFor at now; a failure forgets the old one, so that the sign-in
// says the provider is down.
func (s *SSO) discover(ctx context.Context, p *provider, now time.Time) (*oidc.Provider, *oauth2.Config, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.op == nil || now.Sub(p.found) > freshFor || now.Before(p.found) {
		op, err := oidc.NewProvider(oidc.ClientContext(ctx, s.client), p.cfg.Issuer)
		if err != nil {
			p.op = nil
			return nil, nil, &ProviderDown{Provider: p.cfg.Name, Err: err}
		}
		p.op, p.found = op, now
	}
	return p.op, &oauth2.Config{
		ClientID:     p.cfg.ClientID,
		ClientSecret: p.cfg.ClientSecret,
		Endpoint:     p.op.Endpoint(),
		RedirectURL:  s.redirect + "/auth/oidc/" + p.cfg.ID + "/callback",
		Scopes:       []string{oidc.ScopeOpenID, "profile", "email"},
	}, nil
}

// ProviderDown is a provider that could not be reached or answered
// badly: the person is told so and offered the password sign-in.
type ProviderDown struct {
	Provider string
	Err      error
}

func (e *ProviderDown) Error() string { return "provider " + e.Provider + ": " + e.Err.Error() }
func (e *ProviderDown) Unwrap() error { return e.Err }

// loginTTL is how long a person may take at the provider.
const loginTTL = 10 * time.Minute

// BeginSSO starts a sign-in with provider id: it records the state,
// nonce and PKCE verifier and returns the provider's URL to send the
// person to, and the state for their cookie. accountID is set when a
// signed-in person links the provider to their account.
func (s *Service) BeginSSO(ctx context.Context, id, next, accountID string) (authURL, state string, err error) {
	p, err := s.SSO.provider(id)
	if err != nil {
		return "", "", err
	}
	_, conf, err := s.SSO.discover(ctx, p, s.clock())
	if err != nil {
		return "", "", err
	}
	state, nonce, verifier := secret(24), secret(24), oauth2.GenerateVerifier()
	now := s.clock()
	if _, err := s.DB.W.ExecContext(ctx, `DELETE FROM oidc_logins WHERE expires_at < $1`, now.UnixMilli()); err != nil {
		return "", "", err
	}
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO oidc_logins (state_hash, provider, nonce, verifier, next, account_id, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		hash(state), id, nonce, verifier, next, accountID, now.Add(loginTTL).UnixMilli()); err != nil {
		return "", "", fmt.Errorf("begin sign-in with %s: %w", id, err)
	}
	return conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), state, nil
}

// SSOResult is how a callback ended: signed in as AccountID, or a link
// waiting for the password of an existing account (LinkToken).
type SSOResult struct {
	AccountID string
	Created   bool
	Linked    bool
	LinkToken string
	Email     string // the address of the account to link
	Provider  string // its name, for the pages
	Next      string
}

// Claims are the parts of an ID token (or the user-info answer) used.
type Claims struct {
	Subject       string `json:"sub"`
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"` // true, or "true" from some providers
	Name          string `json:"name"`
	GivenName     string `json:"given_name"`
	FamilyName    string `json:"family_name"`
}

func (c *Claims) verified() bool {
	switch v := c.EmailVerified.(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// FinishSSO completes a sign-in on the provider's callback. state must
// equal the one in the person's cookie (a callback from someone else's
// sign-in is refused) and is spent by the first callback that shows it.
func (s *Service) FinishSSO(ctx context.Context, id, state, cookieState, code, ip string) (*SSOResult, error) {
	p, err := s.SSO.provider(id)
	if err != nil {
		return nil, err
	}
	if state == "" || state != cookieState {
		s.auditSSO(ctx, "oidc_failed", "", id, "state does not match the browser's", ip)
		return nil, errs.E(errs.Invalid, "oidc.bad_state")
	}
	var nonce, verifier, next, linkTo string
	var expires int64
	err = s.DB.W.QueryRowContext(ctx, `DELETE FROM oidc_logins WHERE state_hash = $1 AND provider = $2 RETURNING nonce, verifier, next, account_id, expires_at`, hash(state), id).
		Scan(&nonce, &verifier, &next, &linkTo, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		s.auditSSO(ctx, "oidc_failed", "", id, "state unknown or used", ip)
		return nil, errs.E(errs.Invalid, "oidc.bad_state")
	}
	if err != nil {
		return nil, err
	}
	if s.clock().UnixMilli() > expires {
		return nil, errs.E(errs.Invalid, "oidc.expired")
	}
	op, conf, err := s.SSO.discover(ctx, p, s.clock())
	if err != nil {
		return nil, err
	}
	cctx := oidc.ClientContext(ctx, s.SSO.client)
	tok, err := conf.Exchange(cctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		s.auditSSO(ctx, "oidc_failed", "", id, "code exchange: "+err.Error(), ip)
		return nil, &ProviderDown{Provider: p.cfg.Name, Err: err}
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		s.auditSSO(ctx, "oidc_failed", "", id, "no ID token", ip)
		return nil, errs.E(errs.Invalid, "oidc.bad_token", p.cfg.Name)
	}
	idt, err := op.VerifierContext(cctx, &oidc.Config{ClientID: p.cfg.ClientID, Now: s.clock}).Verify(cctx, raw)
	if err != nil {
		s.auditSSO(ctx, "oidc_failed", "", id, "ID token: "+err.Error(), ip)
		return nil, errs.E(errs.Invalid, "oidc.bad_token", p.cfg.Name)
	}
	if idt.Nonce != nonce {
		s.auditSSO(ctx, "oidc_failed", "", id, "nonce does not match", ip)
		return nil, errs.E(errs.Invalid, "oidc.bad_token", p.cfg.Name)
	}
	var c Claims
	if err := idt.Claims(&c); err != nil {
		return nil, errs.E(errs.Invalid, "oidc.bad_token", p.cfg.Name)
	}
	// Many providers put the address only in the user-info answer; it is
	// believed only for the same subject.
	if c.Email == "" && op.UserInfoEndpoint() != "" {
		if ui, err := op.UserInfo(cctx, oauth2.StaticTokenSource(tok)); err == nil && ui.Subject == idt.Subject {
			var more Claims
			if ui.Claims(&more) == nil {
				c.Email, c.EmailVerified = more.Email, more.EmailVerified
				if c.Name == "" {
					c.Name, c.GivenName, c.FamilyName = more.Name, more.GivenName, more.FamilyName
				}
			}
		}
	}
	c.Subject = idt.Subject
	res := &SSOResult{Provider: p.cfg.Name, Next: next}
	if linkTo != "" {
		return res, s.link(ctx, id, &c, linkTo, ip, res)
	}
	return res, s.resolve(ctx, id, &c, ip, res)
}

// resolve finds or makes the account of a provider's person.
func (s *Service) resolve(ctx context.Context, id string, c *Claims, ip string, res *SSOResult) error {
	var accountID string
	err := s.DB.R.QueryRowContext(ctx, `SELECT account_id FROM oidc_identities WHERE provider = $1 AND subject = $2`, id, c.Subject).Scan(&accountID)
	if err == nil {
		a, ok, err := s.Auth.AccountByID(ctx, accountID)
		if err != nil {
			return err
		}
		if !ok {
			s.auditSSO(ctx, "oidc_failed", accountID, id, "account disabled", ip)
			return errs.E(errs.Forbidden, "oidc.disabled")
		}
		if _, err := s.DB.W.ExecContext(ctx, `UPDATE oidc_identities SET last_used_at = $1 WHERE provider = $2 AND subject = $3`, s.clock().UnixMilli(), id, c.Subject); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, audit.Entry{ActorID: a.ID, ActorName: a.Username, Action: "oidc_signin", ObjectType: "account", ObjectID: a.ID, Detail: id, IP: ip}); err != nil {
			return err
		}
		res.AccountID = a.ID
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	email, username, name := identityOf(id, c)
	if email != "" {
		ids, err := s.Auth.AccountsByEmail(ctx, email)
		if err != nil {
			return err
		}
		if len(ids) > 1 {
			return errs.E(errs.Conflict, "oidc.several_accounts", email)
		}
		if len(ids) == 1 {
			// The provider says the address is theirs; the account's
			// password says the account is.
			token := secret(24)
			if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO oidc_pending (token_hash, provider, subject, email, account_id, next, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				hash(token), id, c.Subject, email, ids[0], res.Next, s.clock().Add(loginTTL).UnixMilli()); err != nil {
				return err
			}
			res.LinkToken, res.Email = token, email
			return nil
		}
	}
	return s.createFromSSO(ctx, id, c.Subject, email, username, name, ip, res)
}

// identityOf reads what a provider says of a person: the address it has
// verified (or none), the sign-in name of an account made for them (that
// address, or one made of the provider and subject) and a name fit to
// show (or the sign-in name).
func identityOf(id string, c *Claims) (email, username, name string) {
	email = strings.ToLower(strings.TrimSpace(c.Email))
	// An address becomes the sign-in name and may be shown as the name:
	// characters of markup or of quoting are refused with it.
	if !c.verified() || len(email) > 200 || !emailRe.MatchString(email) || strings.ContainsAny(email, "/\\:<>\"'`()[],;") {
		email = ""
	}
	username = email
	if username == "" || len(username) > 64 {
		username = id + "-" + hash(id + "/" + c.Subject)[:12]
	}
	name = c.Name
	if strings.TrimSpace(name) == "" {
		name = strings.TrimSpace(c.FamilyName + " " + c.GivenName)
	}
	name, ok := CleanName(name)
	if !ok {
		name = username // the person sets a better one on their account page
	}
	return email, username, name
}

// createFromSSO makes a citizen account on a first sign-in.
func (s *Service) createFromSSO(ctx context.Context, id, subject, email, username, name, ip string, res *SSOResult) error {
	sys := auth.WithPrincipal(ctx, auth.System())
	accountID, err := s.Auth.CreateAccount(sys, auth.NewAccount{Username: username, Email: email, DisplayName: name, PasswordHash: auth.NoPassword})
	if err != nil {
		return err
	}
	now := s.clock().UnixMilli()
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO oidc_identities (provider, subject, account_id, email, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $5)`,
		id, subject, accountID, email, now); err != nil {
		return err
	}
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO profiles (account_id, phone, birth_year, unit_id, grp, created_at) VALUES ($1, '', 0, '', $2, $3)`,
		accountID, org.GroupCitizen, now); err != nil {
		return err
	}
	// The sign-in button says that signing in accepts the terms.
	if err := s.Auth.SetConsent(ctx, accountID, auth.ConsentTerms, true, ip); err != nil {
		return err
	}
	if err := s.Audit.Record(ctx, audit.Entry{ActorID: accountID, ActorName: username, Action: "oidc_account_created", ObjectType: "account", ObjectID: accountID, Detail: id, IP: ip}); err != nil {
		return err
	}
	res.AccountID, res.Created = accountID, true
	return nil
}

// link ties a provider's person to the signed-in account that asked.
func (s *Service) link(ctx context.Context, id string, c *Claims, accountID, ip string, res *SSOResult) error {
	var other string
	err := s.DB.R.QueryRowContext(ctx, `SELECT account_id FROM oidc_identities WHERE provider = $1 AND subject = $2`, id, c.Subject).Scan(&other)
	switch {
	case err == nil && other != accountID:
		return errs.E(errs.Conflict, "oidc.linked_elsewhere", res.Provider)
	case err == nil:
		res.AccountID, res.Linked = accountID, true
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	if err := s.addIdentity(ctx, id, c.Subject, c.Email, accountID, ip); err != nil {
		return err
	}
	res.AccountID, res.Linked = accountID, true
	return nil
}

func (s *Service) addIdentity(ctx context.Context, id, subject, email, accountID, ip string) error {
	// One identity per provider and account: a second would be a second
	// person signing in as this one.
	if _, err := s.DB.W.ExecContext(ctx, `DELETE FROM oidc_identities WHERE provider = $1 AND account_id = $2`, id, accountID); err != nil {
		return err
	}
	now := s.clock().UnixMilli()
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO oidc_identities (provider, subject, account_id, email, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $5)`,
		id, subject, accountID, strings.ToLower(email), now); err != nil {
		return err
	}
	if err := s.Audit.Record(ctx, audit.Entry{ActorID: accountID, Action: "oidc_linked", ObjectType: "account", ObjectID: accountID, Detail: id, IP: ip}); err != nil {
		return err
	}
	return nil
}

// PendingLink is a link waiting for the account's password.
type PendingLink struct {
	Provider, ProviderName, Email, AccountID, Next string
}

// Pending returns the link a token stands for, if it is still waiting.
func (s *Service) Pending(ctx context.Context, token string) (*PendingLink, error) {
	var l PendingLink
	var expires int64
	err := s.DB.R.QueryRowContext(ctx, `SELECT provider, email, account_id, next, expires_at FROM oidc_pending WHERE token_hash = $1`, hash(token)).
		Scan(&l.Provider, &l.Email, &l.AccountID, &l.Next, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && s.clock().UnixMilli() > expires) {
		return nil, errs.E(errs.Invalid, "oidc.link_invalid")
	}
	if err != nil {
		return nil, err
	}
	l.ProviderName = l.Provider
	if p, err := s.SSO.provider(l.Provider); err == nil {
		l.ProviderName = p.cfg.Name
	}
	return &l, nil
}

// ConfirmSSOLink links a provider to an existing account once its password
// is given (with the sign-in's slowing down), and spends the token.
func (s *Service) ConfirmSSOLink(ctx context.Context, token, password, ip, userAgent string) (*PendingLink, error) {
	l, err := s.Pending(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.CheckAccountPassword(ctx, l.AccountID, password, ip, userAgent); err != nil {
		if errs.Code(err) == errs.Unauthorized {
			return l, errs.Field("password", "oidc.wrong_password")
		}
		return l, err
	}
	var subject string
	err = s.DB.W.QueryRowContext(ctx, `DELETE FROM oidc_pending WHERE token_hash = $1 RETURNING subject`, hash(token)).Scan(&subject)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.Invalid, "oidc.link_invalid")
	}
	if err != nil {
		return nil, err
	}
	return l, s.addIdentity(ctx, l.Provider, subject, l.Email, l.AccountID, ip)
}

// Identity is a provider linked to the signed-in person's account.
type Identity struct {
	Provider string    `json:"provider"`
	Name     string    `json:"name"`
	Email    string    `json:"email,omitempty"`
	Linked   time.Time `json:"linked_at"`
	LastUsed time.Time `json:"last_used_at"`
}

// Identities lists the providers linked to an account.
func (s *Service) Identities(ctx context.Context, accountID string) ([]Identity, error) {
	return db.Query(ctx, s.DB.R, func(r db.Scanner) (Identity, error) {
		var i Identity
		var created, used int64
		err := r.Scan(&i.Provider, &i.Email, &created, &used)
		i.Linked, i.LastUsed = time.UnixMilli(created).UTC(), time.UnixMilli(used).UTC()
		i.Name = i.Provider
		if p, err := s.SSO.provider(i.Provider); err == nil {
			i.Name = p.cfg.Name
		}
		return i, err
	}, `SELECT provider, email, created_at, last_used_at FROM oidc_identities WHERE account_id = $1 ORDER BY provider`, accountID)
}

// Unlink removes a provider from the signed-in person's account, unless
// it is their only way in (no password yet).
func (s *Service) Unlink(ctx context.Context, id, ip string) error {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return err
	}
	has, err := s.Auth.HasPassword(ctx, p.AccountID)
	if err != nil {
		return err
	}
	ids, err := s.Identities(ctx, p.AccountID)
	if err != nil {
		return err
	}
	if !has && len(ids) <= 1 {
		return errs.E(errs.Conflict, "oidc.only_way_in")
	}
	res, err := s.DB.W.ExecContext(ctx, `DELETE FROM oidc_identities WHERE provider = $1 AND account_id = $2`, id, p.AccountID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "oidc.not_linked", id)
	}
	if err := s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: "oidc_unlinked", ObjectType: "account", ObjectID: p.AccountID, Detail: id, IP: ip}); err != nil {
		return err
	}
	return nil
}

func (s *Service) auditSSO(ctx context.Context, action, accountID, provider, detail, ip string) {
	if s.Audit != nil {
		// A refusal is answered whether or not its record could be written.
		if err := s.Audit.Record(ctx, audit.Entry{ActorID: accountID, ActorName: "visitor", Action: action, ObjectType: "oidc", ObjectID: provider, Detail: detail, IP: ip}); err != nil {
			s.Log.Warn("audit", "err", err)
		}
	}
}
