// Package account lets people make their own accounts: a citizen signs up
// with an e-mail address or a mobile number, confirms it by a link or a
// six-digit code, and can then sign in, learn and sit exams. Accounts
// themselves belong to auth (internal/platform/auth); this room owns the
// sign-ups waiting for confirmation and the profile people give of
// themselves.
//
// Nothing a visitor sees says whether an address already has an account:
// a sign-up for a taken address sends that address a note instead of a
// code, and the page answers the same.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"dxhub/internal/assessment"
	"dxhub/internal/credential"
	"dxhub/internal/learning"
	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/mail"
	"dxhub/internal/platform/sms"
	"dxhub/internal/platform/textfold"
)

// Service is the account room's API.
type Service struct {
	DB      *db.DB
	Log     *slog.Logger
	Auth    *auth.Service
	Org     *org.Service
	Audit   *audit.Log
	Mail    mail.Sender
	SMS     sms.Sender
	BaseURL string
	// Learn and Exams answer a person's own records for "my data".
	Learn *learning.Service
	Exams *assessment.Exams
	// SSO holds the OpenID providers people may sign in with (nil: none).
	SSO *SSO
	// Certificates answers the signed-in person's certificates for "my
	// data" (the certificates room's).
	Certificates func(ctx context.Context) ([]*credential.Credential, error)
	// now is the clock (tests move it); nil is time.Now.
	now func() time.Time
}

// Kinds of contact a sign-up is confirmed through.
const (
	KindEmail = "email"
	KindPhone = "phone"
)

// Limits of the sign-up flow.
const (
	codeLifetime = 30 * time.Minute
	maxAttempts  = 5 // wrong codes before a sign-up is spent
	// perContact sign-ups to one address or number in an hour; more are
	// accepted on the page but send nothing.
	perContact = 3
)

// Groups a person may say they belong to when signing up.
var Groups = []string{org.GroupCitizen, org.GroupStudent, org.GroupTeacher, org.GroupCivilServant, org.GroupPublicEmployee, org.GroupWorker}

// SignUp is what a visitor types.
type SignUp struct {
	Name      string `json:"name"`
	Contact   string `json:"contact"` // an e-mail address or a Vietnamese mobile number
	Password  string `json:"password"`
	BirthYear int    `json:"birth_year,omitempty"`
	UnitCode  string `json:"unit_code,omitempty"` // the commune (or ward) they live in
	Group     string `json:"group,omitempty"`
	Lang      string `json:"lang,omitempty"`
	// Terms says the person accepts the terms of use (required).
	Terms bool `json:"terms"`
}

var emailRe = regexp.MustCompile(`^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$`)

// NormalizeContact reads an e-mail address (lower-cased) or a Vietnamese
// mobile number (10 digits from 0, whatever spaces, dots, dashes or +84
// it was typed with) and says which it is.
func NormalizeContact(s string) (contact, kind string, err error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") {
		s = strings.ToLower(s)
		if len(s) > 200 || !emailRe.MatchString(s) {
			return "", "", errs.Field("contact", "signup.bad_email")
		}
		return s, KindEmail, nil
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '.', r == '-', r == '(', r == ')':
		default:
			return "", "", errs.Field("contact", "signup.bad_contact")
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "84") && len(d) == 11 {
		d = "0" + d[2:]
	}
	if len(d) != 10 || d[0] != '0' || !strings.ContainsRune("35789", rune(d[1])) {
		return "", "", errs.Field("contact", "signup.bad_phone")
	}
	return d, KindPhone, nil
}

// validate checks a sign-up, naming the field of the first problem.
func (s *Service) validate(ctx context.Context, in *SignUp) (contact, kind, unitID string, err error) {
	if contact, kind, err = CheckSignUp(in, s.clock().Year()); err != nil {
		return "", "", "", err
	}
	if in.UnitCode != "" {
		u, err := s.Org.UnitByCode(ctx, strings.TrimSpace(in.UnitCode))
		if err != nil || !u.Live() || u.Type != org.TypeCommune {
			return "", "", "", errs.Field("unit_code", "signup.bad_commune", in.UnitCode)
		}
		unitID = u.ID
	}
	return contact, kind, unitID, nil
}

// CheckSignUp checks what a visitor typed (all but the commune, which
// needs the tree) in the year thisYear, normalising the name to NFC and
// single spaces, and reads the contact.
func CheckSignUp(in *SignUp, thisYear int) (contact, kind string, err error) {
	var ok bool
	if in.Name, ok = CleanName(in.Name); !ok {
		return "", "", errs.Field("name", "signup.bad_name")
	}
	if contact, kind, err = NormalizeContact(in.Contact); err != nil {
		return "", "", err
	}
	if n := len([]rune(in.Password)); n < auth.MinPasswordLen || n > 200 {
		return "", "", errs.Field("password", "account.short_password", auth.MinPasswordLen)
	}
	if strings.EqualFold(in.Password, contact) || strings.EqualFold(strings.ReplaceAll(in.Password, " ", ""), strings.ReplaceAll(in.Name, " ", "")) {
		return "", "", errs.Field("password", "signup.password_is_name")
	}
	if !in.Terms {
		return "", "", errs.Field("terms", "signup.terms_required")
	}
	if in.BirthYear != 0 && (in.BirthYear < thisYear-110 || in.BirthYear > thisYear-6) {
		return "", "", errs.Field("birth_year", "signup.bad_birth_year", thisYear-110, thisYear-6)
	}
	if in.Group != "" && !slices.Contains(Groups, in.Group) {
		return "", "", errs.Field("group", "signup.bad_group")
	}
	return contact, kind, nil
}

// CleanName puts a person's name in NFC with single spaces and says
// whether it is fit to show: 2 to 100 characters, no control characters
// or angle brackets.
func CleanName(name string) (string, bool) {
	name = strings.Join(strings.Fields(textfold.NFC(name)), " ")
	n := len([]rune(name))
	return name, n >= 2 && n <= 100 && !strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == '<' || r == '>' })
}

// CheckCode reads a six-digit code as typed (spaces allowed).
func CheckCode(code string) (string, error) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return "", errs.Field("code", "signup.bad_code")
	}
	return code, nil
}

func (s *Service) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// SetClock moves the service's clock (tests of expiry).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Start records a sign-up and sends its confirmation: a link by e-mail or
// a six-digit code by text message. It answers the same whether or not
// the contact already has an account (that contact is sent a note
// instead), and sends nothing past perContact sign-ups an hour.
func (s *Service) Start(ctx context.Context, in SignUp, ip string) (kind string, err error) {
	contact, kind, unitID, err := s.validate(ctx, &in)
	if err != nil {
		return "", err
	}
	lang := i18n.Parse(in.Lang)
	now := s.clock()
	var recent int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM signups WHERE contact = $1 AND created_at > $2`, contact, now.Add(-time.Hour).UnixMilli()).Scan(&recent); err != nil {
		return "", err
	}
	if recent >= perContact {
		s.Log.Warn("sign-up: too many for one contact", "kind", kind)
		return kind, nil
	}
	if _, err := s.Auth.AccountByUsername(ctx, contact); err == nil {
		// Taken: tell the owner, not the visitor.
		s.audit(ctx, "signup_taken", "", ip)
		return kind, s.send(ctx, kind, contact, lang, "signup.msg_taken_subject", "signup.msg_taken", s.BaseURL+"/password/forgot")
	}
	token, code := secret(24), sixDigits()
	id := db.NewID()
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO signups (id, contact, kind, display_name, password_hash, birth_year, unit_id, grp, token_hash, code_hash, expires_at, ip, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		id, contact, kind, in.Name, auth.HashPassword(in.Password), in.BirthYear, unitID, in.Group, hash(token), hash(contact+"/"+code),
		now.Add(codeLifetime).UnixMilli(), ip, now.UnixMilli()); err != nil {
		return "", fmt.Errorf("sign-up: %w", err)
	}
	s.audit(ctx, "signup", id, ip)
	if kind == KindEmail {
		return kind, s.send(ctx, kind, contact, lang, "signup.msg_link_subject", "signup.msg_link", s.BaseURL+"/signup/confirm/"+token)
	}
	return kind, s.send(ctx, kind, contact, lang, "", "signup.msg_code", code)
}

func (s *Service) send(ctx context.Context, kind, to string, lang i18n.Lang, subjectKey, bodyKey string, arg string) error {
	if kind == KindEmail {
		return s.Mail.Send(ctx, mail.Message{To: to, Subject: i18n.T(lang, subjectKey), Body: i18n.T(lang, bodyKey, arg)})
	}
	return s.SMS.Send(ctx, sms.Message{To: to, Text: i18n.T(lang, bodyKey, arg)})
}

// Confirmed is the account a confirmation made.
type Confirmed struct {
	AccountID string `json:"account_id"`
	Username  string `json:"username"`
}

// ConfirmLink confirms the sign-up sent the link with token: once, before
// it expires.
func (s *Service) ConfirmLink(ctx context.Context, token string) (*Confirmed, error) {
	return s.confirm(ctx, `token_hash = $1`, hash(token), "")
}

// ConfirmCode confirms a sign-up by its contact and six-digit code: once,
// before it expires, within maxAttempts tries of that sign-up.
func (s *Service) ConfirmCode(ctx context.Context, contactIn, code string) (*Confirmed, error) {
	contact, _, err := NormalizeContact(contactIn)
	if err != nil {
		return nil, err
	}
	if code, err = CheckCode(code); err != nil {
		return nil, err
	}
	return s.confirm(ctx, `contact = $1 AND used_at = 0 ORDER BY created_at DESC LIMIT 1`, contact, code)
}

type pending struct {
	id, contact, kind, name, pwHash, unitID, grp, codeHash string
	birthYear, attempts                                    int
	expires, used                                          int64
}

func (s *Service) confirm(ctx context.Context, where string, arg any, code string) (*Confirmed, error) {
	var p pending
	err := s.DB.R.QueryRowContext(ctx, `SELECT id, contact, kind, display_name, password_hash, unit_id, grp, code_hash, birth_year, attempts, expires_at, used_at FROM signups WHERE `+where, arg).
		Scan(&p.id, &p.contact, &p.kind, &p.name, &p.pwHash, &p.unitID, &p.grp, &p.codeHash, &p.birthYear, &p.attempts, &p.expires, &p.used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.Invalid, "signup.link_invalid")
	}
	if err != nil {
		return nil, err
	}
	now := s.clock().UnixMilli()
	if p.used != 0 || now > p.expires || p.attempts >= maxAttempts {
		return nil, errs.E(errs.Invalid, "signup.link_invalid")
	}
	if code != "" && hash(p.contact+"/"+code) != p.codeHash {
		s.DB.W.ExecContext(ctx, `UPDATE signups SET attempts = attempts + 1 WHERE id = $1`, p.id)
		return nil, errs.Field("code", "signup.wrong_code")
	}
	// Spend it first: of two confirmations at once, one wins.
	res, err := s.DB.W.ExecContext(ctx, `UPDATE signups SET used_at = $1 WHERE id = $2 AND used_at = 0`, now, p.id)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errs.E(errs.Invalid, "signup.link_invalid")
	}
	email := ""
	if p.kind == KindEmail {
		email = p.contact
	}
	id, err := s.Auth.CreateAccount(auth.WithPrincipal(ctx, auth.System()), auth.NewAccount{Username: p.contact, Email: email, DisplayName: p.name, PasswordHash: p.pwHash})
	if errs.Code(err) == errs.Invalid {
		return nil, errs.E(errs.Invalid, "signup.link_invalid") // taken meanwhile
	}
	if err != nil {
		return nil, err
	}
	phone := ""
	if p.kind == KindPhone {
		phone = p.contact
	}
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO profiles (account_id, phone, birth_year, unit_id, grp, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, phone, p.birthYear, p.unitID, p.grp, now); err != nil {
		return nil, err
	}
	s.Audit.Record(ctx, audit.Entry{ActorID: id, ActorName: p.contact, Action: "signup_confirmed", ObjectType: "account", ObjectID: id})
	// The terms were accepted on the form; the account exists from now.
	if err := s.Auth.SetConsent(ctx, id, auth.ConsentTerms, true, ""); err != nil {
		return nil, err
	}
	return &Confirmed{AccountID: id, Username: p.contact}, nil
}

func (s *Service) audit(ctx context.Context, action, id, ip string) {
	if s.Audit != nil {
		s.Audit.Record(ctx, audit.Entry{ActorName: "visitor", Action: action, ObjectType: "signup", ObjectID: id, IP: ip})
	}
}

// Communes finds the communes a visitor may mean by what they typed
// (diacritics optional), for the sign-up form's place field.
func (s *Service) Communes(ctx context.Context, q string) ([]*org.Unit, error) {
	units, err := s.Org.SearchUnits(ctx, q, 40)
	if err != nil {
		return nil, err
	}
	var out []*org.Unit
	for _, u := range units {
		if u.Type == org.TypeCommune && u.Live() {
			out = append(out, u)
		}
	}
	return out, nil
}

func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func secret(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func sixDigits() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

// PasswordHint rates a password for the form's hint: its length, and
// whether it mixes kinds of characters. No rule refuses a long password.
func PasswordHint(pw string) string {
	n := len([]rune(pw))
	kinds := 0
	for _, f := range []func(rune) bool{unicode.IsLower, unicode.IsUpper, unicode.IsDigit, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) || r == ' ' }} {
		if strings.ContainsFunc(pw, f) {
			kinds++
		}
	}
	switch {
	case n >= 16 || (n >= 12 && kinds >= 3):
		return "strong"
	case n >= auth.MinPasswordLen:
		return "fair"
	}
	return "weak"
}
