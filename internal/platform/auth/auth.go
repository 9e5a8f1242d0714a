// Package auth holds accounts, sessions, API tokens, roles and the single
// permission check. Roles are granted on a unit of the organisation tree and
// cover its subtree; units are read only for their path.
package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/mail"
	"dxhub/internal/platform/textfold"
)

const (
	// MinPasswordLen is the shortest password accepted.
	MinPasswordLen = 10
	// After slowAfter failed sign-ins in a row, for an account or from an
	// address, the next attempt waits: 30 s, then twice as long after each
	// further failure, at most maxWait. Nobody is locked out for long by
	// someone else's guesses, and guessing stays slow.
	slowAfter = 5
	// An address may be an office behind one NAT: it waits later.
	ipSlowAfter = 20
	firstWait   = 30 * time.Second
	maxWait     = 15 * time.Minute
	unlockTTL   = 24 * time.Hour
	// TokenPrefix starts every API token, so leaked tokens are easy to find.
	TokenPrefix = "dxh_"
	resetTTL    = time.Hour
)

// Service manages accounts and answers "who is this request".
type Service struct {
	DB         *db.DB
	Audit      *audit.Log
	Mail       mail.Sender
	Log        *slog.Logger
	BaseURL    string        // for links in e-mails
	SessionTTL time.Duration // default 12h
	Secure     bool          // set the Secure flag on cookies
	TrustProxy bool          // take the client address from X-Forwarded-For
	// Clock, when set, replaces the wall clock for session expiry, lock-outs
	// and reset links, so tests can move time.
	Clock func() time.Time

	limitOnce sync.Once
	limits    *limiter
	// failures counts failed sign-ins in a row per address and per name
	// without an account on this node (accounts count theirs in the
	// database, across nodes).
	failures failureCounts

	// principals caches session lookups for principalTTL: every request
	// needs its principal, and at exam time that lookup dominated. Changes
	// made on this node (sign-out, password, roles) clear the account's
	// entries at once; other nodes see them within principalTTL.
	principals sync.Map // session hash → cachedPrincipal
	prepOnce   sync.Once
	prepared   *db.Prepared // the session and account lookups
}

const principalTTL = 15 * time.Second

type cachedPrincipal struct {
	p           *Principal
	fresh       time.Time // cached until (wall clock)
	sessionEnds int64     // the session's own expiry (service clock, ms)
}

// Topics of the news other nodes hear (db.Announce): an account whose
// roles, sessions or state changed, and one session that ended.
const (
	topicAccount = "auth.account"
	topicSession = "auth.session"
)

// WatchChanges makes this node drop what it cached of an account or
// session when another node changes it.
func (s *Service) WatchChanges() {
	s.DB.Subscribe(topicAccount, s.drop)
	s.DB.Subscribe(topicSession, func(h string) {
		if h == "" {
			s.drop("")
		} else {
			s.principals.Delete(h)
		}
	})
}

// forget drops cached principals of an account on every node.
func (s *Service) forget(accountID string) {
	s.drop(accountID)
	s.DB.Announce(context.Background(), topicAccount, accountID)
}

// drop drops cached principals of an account (all, when id is empty).
func (s *Service) drop(accountID string) {
	s.principals.Range(func(k, v any) bool {
		if accountID == "" || v.(cachedPrincipal).p.AccountID == accountID {
			s.principals.Delete(k)
		}
		return true
	})
}

// Account is a sign-in identity, optionally linked to a person record.
type Account struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	PersonID    string `json:"person_id,omitempty"`
	Locale      string `json:"locale"`
	LockedUntil int64  `json:"locked_until,omitempty"`
}

// NewAccount is the input to CreateAccount.
type NewAccount struct {
	Username, Email, DisplayName, Password, PersonID string
	// PasswordHash, when set instead of Password, is a hash already made
	// (a sign-up confirmed later keeps only the hash meanwhile).
	PasswordHash string
}

// Validate checks a new account's fields.
func (n *NewAccount) Validate() error {
	n.Username = strings.ToLower(strings.TrimSpace(n.Username))
	n.Email = strings.TrimSpace(n.Email)
	n.DisplayName = textfold.NFC(strings.TrimSpace(n.DisplayName))
	if len(n.Username) < 3 || len(n.Username) > 64 || strings.ContainsAny(n.Username, " \t/\\:") {
		return errs.Field("username", "account.bad_username")
	}
	if n.Email != "" && (!strings.Contains(n.Email, "@") || len(n.Email) > 200) {
		return errs.Field("email", "account.bad_email")
	}
	if n.PasswordHash == "" && len([]rune(n.Password)) < MinPasswordLen {
		return errs.Field("password", "account.short_password", MinPasswordLen)
	}
	if n.DisplayName == "" {
		n.DisplayName = n.Username
	}
	return nil
}

// CreateAccount stores a new account.
func (s *Service) CreateAccount(ctx context.Context, n NewAccount) (string, error) {
	if err := n.Validate(); err != nil {
		return "", err
	}
	id := db.NewID()
	now := db.Now()
	var person any
	if n.PersonID != "" {
		person = n.PersonID
	}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n0 int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts WHERE username = $1`, n.Username).Scan(&n0); err != nil {
			return err
		}
		if n0 > 0 {
			return errs.Field("username", "account.taken", n.Username)
		}
		hash := n.PasswordHash
		if hash == "" {
			hash = HashPassword(n.Password)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, username, email, display_name, password_hash, person_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, id, n.Username, n.Email, n.DisplayName, hash, person, now)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("create account %s: %w", n.Username, err)
	}
	return id, nil
}

// AccountByUsername returns one account.
func (s *Service) AccountByUsername(ctx context.Context, username string) (*Account, error) {
	var a Account
	var person sql.NullString
	err := s.DB.R.QueryRowContext(ctx, `SELECT id, username, email, display_name, person_id, locale, locked_until FROM accounts WHERE username = $1`,
		strings.ToLower(strings.TrimSpace(username))).Scan(&a.ID, &a.Username, &a.Email, &a.DisplayName, &person, &a.Locale, &a.LockedUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.Field("username", "account.not_found", username)
	}
	if err != nil {
		return nil, err
	}
	a.PersonID = person.String
	return &a, nil
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// limiter throttles sign-in attempts per address and per account name on
// this node; the lock-out counter in the database covers all nodes.
type limiter struct {
	mu   sync.Mutex
	m    map[string]*rate.Limiter
	seen map[string]time.Time
}

func (s *Service) limiter() *limiter {
	s.limitOnce.Do(func() { s.limits = &limiter{m: map[string]*rate.Limiter{}, seen: map[string]time.Time{}} })
	return s.limits
}

func (l *limiter) allow(key string, every time.Duration, burst int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if len(l.m) > 100000 { // forget idle keys rather than grow without bound
		for k, t := range l.seen {
			if now.Sub(t) > 10*time.Minute {
				delete(l.m, k)
				delete(l.seen, k)
			}
		}
	}
	lim, ok := l.m[key]
	if !ok {
		lim = rate.NewLimiter(rate.Every(every), burst)
		l.m[key] = lim
	}
	l.seen[key] = now
	return lim.Allow()
}

// LoginResult tells the caller what to set.
type LoginResult struct {
	SessionToken string
	AccountID    string
	Expires      time.Time
}

// wait is how long sign-ins wait after fails failures in a row, when
// waiting starts after the after-th.
func wait(fails, after int) time.Duration {
	if fails < after {
		return 0
	}
	d := firstWait << min(fails-after, 10)
	return min(d, maxWait)
}

// failureCounts counts failures in a row per key, with the time before
// which the key must wait.
type failureCounts struct {
	mu sync.Mutex
	m  map[string]failureCount
}

type failureCount struct {
	n     int
	until time.Time
}

func (f *failureCounts) get(key string) failureCount {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.m[key]
}

func (f *failureCounts) fail(key string, after int, now time.Time) failureCount {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil || len(f.m) > 100000 {
		f.m = map[string]failureCount{} // forget rather than grow without bound
	}
	c := f.m[key]
	c.n++
	c.until = now.Add(wait(c.n, after))
	f.m[key] = c
	return c
}

func (f *failureCounts) clear(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.m, key)
}

// slowDown is the answer while a name or an address must wait: the same
// for a name with an account and one without, so that it tells nothing.
func slowDown(until, now time.Time) error {
	secs := int(until.Sub(now).Round(time.Second) / time.Second)
	return errs.E(errs.TooMany, "login.slow_down", max(secs, 1))
}

// Login checks a password and opens a session. Failures are audited; after
// slowAfter failures in a row for a name, or from an address, attempts
// must wait (see wait), and the account's owner is e-mailed a link that
// lets them in again at once. Unknown names are answered exactly as known
// ones.
func (s *Service) Login(ctx context.Context, username, password, ip, userAgent string) (*LoginResult, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	lim := s.limiter()
	if !lim.allow("ip:"+ip, 6*time.Second, 20) || !lim.allow("user:"+username, 12*time.Second, 10) {
		s.audit(ctx, audit.Entry{ActorName: username, Action: audit.SignInFailed, Detail: "rate limited", IP: ip})
		return nil, errs.E(errs.TooMany, "login.rate_limited")
	}
	now := s.now()
	if c := s.failures.get("ip:" + ip); now.Before(c.until) {
		s.audit(ctx, audit.Entry{ActorName: username, Action: audit.SignInFailed, Detail: "address slowed down", IP: ip})
		return nil, slowDown(c.until, now)
	}
	var id, hash, email, path string
	var failed int
	var waitUntil int64
	var disabled int
	err := s.DB.R.QueryRowContext(ctx, `SELECT a.id, a.password_hash, a.email, a.failed_logins, a.locked_until, a.disabled,
		COALESCE((SELECT MIN(u.path) FROM role_grants g JOIN units u ON u.id = g.unit_id WHERE g.account_id = a.id), '')
		FROM accounts a WHERE a.username = $1`, username).Scan(&id, &hash, &email, &failed, &waitUntil, &disabled, &path)
	if errors.Is(err, sql.ErrNoRows) {
		if c := s.failures.get("user:" + username); now.Before(c.until) {
			s.audit(ctx, audit.Entry{ActorName: username, Action: audit.SignInFailed, Detail: "slowed down", IP: ip})
			return nil, slowDown(c.until, now)
		}
		CheckPassword(dummyHash, password)
		s.failures.fail("user:"+username, slowAfter, now)
		s.failures.fail("ip:"+ip, ipSlowAfter, now)
		s.audit(ctx, audit.Entry{ActorName: username, Action: audit.SignInFailed, Detail: "unknown account", IP: ip})
		return nil, errs.E(errs.Unauthorized, "login.failed")
	}
	if err != nil {
		return nil, fmt.Errorf("login %s: %w", username, err)
	}
	if until := time.UnixMilli(waitUntil); now.Before(until) {
		s.audit(ctx, audit.Entry{ActorID: id, ActorName: username, Action: audit.SignInFailed, Detail: "slowed down", IP: ip, UnitPath: path})
		return nil, slowDown(until, now)
	}
	if disabled != 0 || !CheckPassword(hash, password) {
		failed++
		until := now.Add(wait(failed, slowAfter))
		if _, err := s.DB.W.ExecContext(ctx, `UPDATE accounts SET failed_logins = $1, locked_until = $2 WHERE id = $3`, failed, until.UnixMilli(), id); err != nil {
			return nil, err
		}
		s.failures.fail("ip:"+ip, ipSlowAfter, now)
		s.audit(ctx, audit.Entry{ActorID: id, ActorName: username, Action: audit.SignInFailed, Detail: "wrong password", IP: ip, UnitPath: path})
		if failed == slowAfter {
			s.audit(ctx, audit.Entry{ActorID: id, ActorName: username, Action: audit.AccountLocked, Detail: "slowed down", IP: ip, UnitPath: path})
			if email != "" && s.Mail != nil {
				if err := s.mailUnlock(ctx, id, email, ip, now); err != nil {
					s.Log.Warn("unlock link", "err", err)
				}
			}
		}
		return nil, errs.E(errs.Unauthorized, "login.failed")
	}
	s.failures.clear("ip:" + ip)
	token := db.Token(32)
	ttl := s.SessionTTL
	if ttl == 0 {
		ttl = 12 * time.Hour
	}
	exp := now.Add(ttl)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET failed_logins = 0, locked_until = 0 WHERE id = $1`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, account_id, created_at, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6)`,
			hashSecret(token), id, now.UnixMilli(), exp.UnixMilli(), ip, truncate(userAgent, 200))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open session for %s: %w", username, err)
	}
	s.audit(ctx, audit.Entry{ActorID: id, ActorName: username, Action: audit.SignIn, IP: ip, UnitPath: path})
	return &LoginResult{SessionToken: token, AccountID: id, Expires: exp}, nil
}

func (s *Service) now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Logout ends the session.
func (s *Service) Logout(ctx context.Context, token string) error {
	h := hashSecret(token)
	s.principals.Delete(h)
	_, err := s.DB.W.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, h)
	if err == nil {
		s.DB.Announce(ctx, topicSession, h)
	}
	return err
}

// PrincipalBySession returns the principal of a live session.
func (s *Service) PrincipalBySession(ctx context.Context, token string) (*Principal, error) {
	h := hashSecret(token)
	if c, ok := s.principals.Load(h); ok {
		cp := c.(cachedPrincipal)
		if time.Now().Before(cp.fresh) && s.now().UnixMilli() < cp.sessionEnds {
			p := *cp.p
			return &p, nil
		}
	}
	st, err := s.stmt(`SELECT a.id, a.username, a.display_name, a.person_id, a.time_zone, x.expires_at FROM sessions x JOIN accounts a ON a.id = x.account_id
		WHERE x.id_hash = $1 AND x.expires_at > $2 AND a.disabled = 0`)
	if err != nil {
		return nil, err
	}
	p := &Principal{}
	var person sql.NullString
	var ends int64
	if err := st.QueryRowContext(ctx, h, s.now().UnixMilli()).Scan(&p.AccountID, &p.Username, &p.DisplayName, &person, &p.TimeZone, &ends); err != nil {
		s.principals.Delete(h)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errs.E(errs.Unauthorized, "error.unauthorized")
		}
		return nil, err
	}
	p.PersonID = person.String
	if err := s.loadGrants(ctx, p); err != nil {
		return nil, err
	}
	cp := *p
	s.principals.Store(h, cachedPrincipal{p: &cp, fresh: time.Now().Add(principalTTL), sessionEnds: ends})
	return p, nil
}

// PrincipalByToken returns the principal behind an API token.
func (s *Service) PrincipalByToken(ctx context.Context, token string) (*Principal, error) {
	var id, acct string
	err := s.DB.R.QueryRowContext(ctx, `SELECT id, account_id FROM api_tokens WHERE token_hash = $1 AND revoked_at = 0`, hashSecret(token)).Scan(&id, &acct)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.Unauthorized, "error.unauthorized")
	}
	if err != nil {
		return nil, err
	}
	p, err := s.Principal(ctx, acct)
	if err != nil {
		return nil, err
	}
	p.ViaToken = true
	return p, nil
}

// stmt returns a prepared statement on the reader pool, preparing it once.
func (s *Service) stmt(q string) (*sql.Stmt, error) {
	s.prepOnce.Do(func() { s.prepared = db.NewPrepared(s.DB.R, 64) })
	st, err := s.prepared.Stmt(context.Background(), q)
	if st == nil && err == nil {
		err = errors.New("more queries prepared than the service has")
	}
	return st, err
}

// Principal loads an account and its grants.
func (s *Service) Principal(ctx context.Context, accountID string) (*Principal, error) {
	st, err := s.stmt(`SELECT a.id, a.username, a.display_name, a.person_id, a.time_zone FROM accounts a WHERE a.id = $1 AND a.disabled = 0`)
	if err != nil {
		return nil, err
	}
	p := &Principal{}
	var person sql.NullString
	err = st.QueryRowContext(ctx, accountID).Scan(&p.AccountID, &p.Username, &p.DisplayName, &person, &p.TimeZone)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.Unauthorized, "error.unauthorized")
	}
	if err != nil {
		return nil, err
	}
	p.PersonID = person.String
	return p, s.loadGrants(ctx, p)
}

// loadGrants adds an account's grants with their units' paths.
func (s *Service) loadGrants(ctx context.Context, p *Principal) error {
	grants, err := s.stmt(`SELECT g.id, g.role, g.unit_id, u.path, u.code, u.name_vi
		FROM role_grants g JOIN units u ON u.id = g.unit_id WHERE g.account_id = $1 ORDER BY u.path, g.role`)
	if err != nil {
		return err
	}
	rows, err := grants.QueryContext(ctx, p.AccountID)
	if err != nil {
		return err
	}
	list, err := db.Collect(rows, func(r db.Scanner) (Grant, error) {
		var g Grant
		err := r.Scan(&g.ID, &g.Role, &g.UnitID, &g.UnitPath, &g.UnitCode, &g.UnitName)
		return g, err
	})
	p.Grants = append([]Grant{}, list...) // "grants": [] in JSON for a plain learner
	return err
}

// SessionCookie is the cookie that carries the session token.
const SessionCookie = "dxhub_session"

// Middleware puts the request's principal (from the session cookie or an
// "Authorization: Bearer" API token) in its context. A bad credential is
// treated as none; handlers decide whether anonymous access is enough.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p *Principal
		var lookupErr error
		if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
			p, lookupErr = s.PrincipalByToken(r.Context(), strings.TrimPrefix(h, "Bearer "))
		} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			p, lookupErr = s.PrincipalBySession(r.Context(), c.Value)
		}
		switch {
		case p != nil:
			r = r.WithContext(WithPrincipal(r.Context(), p))
		case lookupErr != nil && !errs.Is(lookupErr, errs.Unauthorized):
			// Not anonymous: what needs the principal answers with
			// this error (the database is down: 503), not "sign in".
			s.Log.Warn("session or token lookup", "err", lookupErr)
			r = r.WithContext(context.WithValue(r.Context(), lookupErrKey{}, lookupErr))
		}
		if s.SecureRequest(r) {
			// Over HTTPS, browsers are told to keep to it for a year.
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// ClientIP is the address a request came from. Behind a load balancer
// (TrustProxy) it is the last hop of X-Forwarded-For, which the balancer
// appends; otherwise the header is ignored, since anyone can send it.
// SecureRequest reports whether r came over HTTPS, directly or through a
// trusted proxy (X-Forwarded-Proto), or cookies are always Secure by
// configuration: its cookies are then marked Secure.
func (s *Service) SecureRequest(r *http.Request) bool {
	return s.Secure || r.TLS != nil || (s.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"))
}

func (s *Service) ClientIP(r *http.Request) string {
	if xff := r.Header.Get("X-Forwarded-For"); s.TrustProxy && xff != "" {
		parts := strings.Split(xff, ",")
		return strings.TrimSpace(parts[len(parts)-1])
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Service) audit(ctx context.Context, e audit.Entry) {
	if s.Audit == nil {
		return
	}
	if err := s.Audit.Record(ctx, e); err != nil {
		s.Log.Error("audit", "err", err)
	}
}
