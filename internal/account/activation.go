package account

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/mail"
)

// Accounts for an office's people: a unit administrator makes accounts in
// one step for the people of their unit who have none, and prints a sheet
// of one-time activation codes (commune officials often have no e-mail).
// The person signs in the first time with their sign-in name and code,
// choosing their password.

// Activation is one line of the printed sheet; the code is shown once.
type Activation struct {
	Name     string `json:"name"`
	Username string `json:"username"`
	Code     string `json:"code,omitempty"`      // empty once mailed
	Mailed   string `json:"mailed_to,omitempty"` // the address the code went to
}

// Limits of activation.
const (
	activationLifetime = 30 * 24 * time.Hour
	maxActivations     = 2000 // people in one request
)

// codeAlphabet has no 0/O, 1/I/L: codes are read off paper.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

func activationCode() string {
	b := make([]byte, 10)
	rand.Read(b)
	out := make([]byte, 0, 11)
	for i, c := range b {
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return string(out)
}

// CreateForPeople makes an account for every person under unitCode (in
// groups, when given) who has none, linked to their record, and returns
// each one's sign-in name and activation code. With invite, a person whose
// record has an e-mail address is sent their code by mail instead, and
// the sheet says so rather than show it (a mail that fails leaves the
// code on the sheet). The caller needs EditPeople on the unit.
func (s *Service) CreateForPeople(ctx context.Context, unitCode string, groups []string, invite bool, lang i18n.Lang, ip string) ([]Activation, error) {
	u, err := s.Org.UnitByCode(ctx, strings.TrimSpace(unitCode))
	if err != nil {
		return nil, errs.Field("unit_code", "org.unit_not_found", unitCode)
	}
	p, err := auth.Authorize(ctx, auth.EditPeople, u.Path)
	if err != nil {
		return nil, err
	}
	people, err := s.Org.PeopleIn(ctx, u.Path, groups)
	if err != nil {
		return nil, err
	}
	if len(people) > maxActivations {
		return nil, errs.Field("unit_code", "activation.too_many", len(people), maxActivations)
	}
	ids := make([]string, len(people))
	for i, pr := range people {
		ids[i] = pr.ID
	}
	have, err := s.Auth.AccountsOfPersons(ctx, ids)
	if err != nil {
		return nil, err
	}
	sys := auth.WithPrincipal(ctx, auth.System())
	now := s.clock()
	var out []Activation
	mailed := 0
	for _, pr := range people {
		if have[pr.ID] != "" {
			continue
		}
		username := "cb." + strings.ToLower(strings.Join(strings.Fields(pr.Key), ""))
		if e := strings.ToLower(strings.TrimSpace(pr.Email)); e != "" {
			if _, err := s.Auth.AccountByUsername(ctx, e); err != nil {
				username = e
			}
		}
		id, err := s.Auth.CreateAccount(sys, auth.NewAccount{Username: username, Email: pr.Email, DisplayName: pr.FullName, PasswordHash: "!", PersonID: pr.ID})
		if errs.Code(err) == errs.Invalid {
			continue // the name is taken: that person signs up or is given another key
		}
		if err != nil {
			return nil, err
		}
		code := activationCode()
		if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO activations (account_id, code_hash, expires_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5)`,
			id, hash(username+"/"+code), now.Add(activationLifetime).UnixMilli(), p.AccountID, now.UnixMilli()); err != nil {
			return nil, err
		}
		a := Activation{Name: pr.FullName, Username: username, Code: code}
		if to := strings.ToLower(strings.TrimSpace(pr.Email)); invite && to != "" {
			err := s.Mail.Send(ctx, mail.Message{To: to, Subject: i18n.T(lang, "activation.msg_subject"),
				Body: i18n.T(lang, "activation.msg", pr.FullName, u.FullName(lang), username, code, s.BaseURL+"/activate?username="+url.QueryEscape(username))})
			if err == nil {
				a.Code, a.Mailed = "", to
				mailed++
			} else {
				s.Log.Warn("activation mail not sent; the code stays on the sheet", "account", id, "err", err)
			}
		}
		out = append(out, a)
	}
	s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: "accounts_created", ObjectType: "unit", ObjectID: u.Code, UnitPath: u.Path,
		Detail: "created=" + strconv.Itoa(len(out)) + " mailed=" + strconv.Itoa(mailed), IP: ip})
	return out, nil
}

// Activate signs a person in for the first time with their sign-in name
// and activation code, setting the password they chose: once, before the
// code expires, within five tries.
func (s *Service) Activate(ctx context.Context, username, code, password, ip string) (*Confirmed, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	code = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
	if len(code) == 10 {
		code = code[:5] + "-" + code[5:]
	}
	a, err := s.Auth.AccountByUsername(ctx, username)
	if err != nil {
		// The same answer as a wrong code: no way to learn which sign-in
		// names exist.
		return nil, errs.Field("code", "activation.wrong_code")
	}
	var codeHash string
	var attempts int
	var expires, used int64
	err = s.DB.R.QueryRowContext(ctx, `SELECT code_hash, attempts, expires_at, used_at FROM activations WHERE account_id = $1`, a.ID).Scan(&codeHash, &attempts, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.Invalid, "activation.invalid")
	}
	if err != nil {
		return nil, err
	}
	if used != 0 || s.clock().UnixMilli() > expires || attempts >= maxAttempts {
		return nil, errs.E(errs.Invalid, "activation.invalid")
	}
	if hash(username+"/"+code) != codeHash {
		s.DB.W.ExecContext(ctx, `UPDATE activations SET attempts = attempts + 1 WHERE account_id = $1`, a.ID)
		return nil, errs.Field("code", "activation.wrong_code")
	}
	if n := len([]rune(password)); n < auth.MinPasswordLen || strings.EqualFold(password, username) {
		return nil, errs.Field("password", "account.short_password", auth.MinPasswordLen)
	}
	res, err := s.DB.W.ExecContext(ctx, `UPDATE activations SET used_at = $1 WHERE account_id = $2 AND used_at = 0`, s.clock().UnixMilli(), a.ID)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errs.E(errs.Invalid, "activation.invalid")
	}
	if err := s.Auth.SetFirstPassword(ctx, a.ID, password, ip); err != nil {
		return nil, err
	}
	return &Confirmed{AccountID: a.ID, Username: username}, nil
}
