package account

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
)

// Claiming a record: a person with their own account who is also on an
// office's people list asks to be linked to that record, found by their
// own confirmed address or number, or by the employee code the office gave
// them; the unit's administrator approves. From then on the office's
// assignments and reports count them.

// Claim statuses.
const (
	ClaimPending  = "pending"
	ClaimApproved = "approved"
	ClaimRefused  = "refused"
)

// Candidate is a record the caller may claim, as they see it.
type Candidate struct {
	PersonID  string `json:"person_id"`
	Name      string `json:"name"`
	UnitCode  string `json:"unit_code"`
	UnitName  string `json:"unit_name"`
	MatchedBy string `json:"matched_by"`
}

// Claim is a request waiting for, or decided by, an administrator.
type Claim struct {
	ID        string `json:"id"`
	AccountID string `json:"account_id"`
	Account   string `json:"account"`
	PersonID  string `json:"person_id"`
	Person    string `json:"person"`
	UnitCode  string `json:"unit_code"`
	MatchedBy string `json:"matched_by"`
	Status    string `json:"status"`
	CreatedAt int64  `json:"created_at"`
}

// Candidates are the records that match the caller's own sign-in address
// or number, or the employee code they type. The caller's account must
// not be linked to a record yet.
func (s *Service) Candidates(ctx context.Context, key string) ([]Candidate, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	if p.PersonID != "" {
		return nil, errs.E(errs.Conflict, "claim.already_linked")
	}
	email, phone := "", ""
	if c, kind, err := NormalizeContact(p.Username); err == nil {
		if kind == KindEmail {
			email = c
		} else {
			phone = c
		}
	}
	key = strings.TrimSpace(key)
	// Codes typed are guesses an account could repeat to learn who works
	// where: a few an hour, and a record found only by its code shows its
	// unit, not its name.
	if key != "" && !s.Auth.Allow("claimkey:"+p.AccountID, 6*time.Minute, 10) {
		return nil, errs.E(errs.TooMany, "signup.too_many")
	}
	found, err := s.Org.PeopleMatching(ctx, email, phone, key)
	if err != nil {
		return nil, err
	}
	paths := make([]string, 0, len(found))
	out := []Candidate{}
	for _, pr := range found {
		by := "key"
		switch {
		case email != "" && strings.EqualFold(pr.Email, email):
			by = "email"
		case phone != "":
			by = "phone"
		}
		if by == "phone" && key != "" && pr.Key == key {
			by = "key"
		}
		name := pr.FullName
		if by == "key" {
			name = "—"
		}
		out = append(out, Candidate{PersonID: pr.ID, Name: name, MatchedBy: by})
		paths = append(paths, pr.UnitPath)
	}
	for i, path := range paths {
		if u, err := s.Org.UnitByPath(ctx, path); err == nil {
			out[i].UnitCode, out[i].UnitName = u.Code, u.NameVI
		}
	}
	return out, nil
}

// RequestClaim asks for the record personID, which must be one of the
// caller's candidates (typing another person's id claims nothing).
func (s *Service) RequestClaim(ctx context.Context, personID, key, ip string) (*Claim, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	cands, err := s.Candidates(ctx, key)
	if err != nil {
		return nil, err
	}
	var c *Candidate
	for i := range cands {
		if cands[i].PersonID == personID {
			c = &cands[i]
		}
	}
	if c == nil {
		return nil, errs.Field("person_id", "claim.no_match")
	}
	u, err := s.Org.UnitByCode(ctx, c.UnitCode)
	if err != nil {
		return nil, err
	}
	cl := &Claim{ID: db.NewID(), AccountID: p.AccountID, Account: p.DisplayName, PersonID: c.PersonID, Person: c.Name, UnitCode: c.UnitCode, MatchedBy: c.MatchedBy, Status: ClaimPending, CreatedAt: db.Now()}
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO claims (id, account_id, person_id, unit_path, matched_by, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		cl.ID, cl.AccountID, cl.PersonID, u.Path, cl.MatchedBy, cl.Status, cl.CreatedAt); err != nil {
		return nil, err
	}
	s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: "claim_requested", ObjectType: "person", ObjectID: c.PersonID, UnitPath: u.Path, IP: ip})
	return cl, nil
}

// PendingClaims lists the claims waiting in the caller's people scopes.
func (s *Service) PendingClaims(ctx context.Context) ([]Claim, error) {
	_, scopes, err := auth.RequireScopes(ctx, auth.EditPeople)
	if err != nil {
		return nil, err
	}
	var out []Claim
	for _, sc := range scopes {
		list, err := db.Query(ctx, s.DB.R, scanClaim, `SELECT id, account_id, person_id, unit_path, matched_by, status, created_at FROM claims WHERE status = 'pending' AND `+
			s.DB.Dialect.PrefixMatch("unit_path", 1)+` ORDER BY created_at`, s.DB.Dialect.PrefixPattern(sc))
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return s.describe(ctx, out)
}

func scanClaim(r db.Scanner) (Claim, error) {
	var c Claim
	err := r.Scan(&c.ID, &c.AccountID, &c.PersonID, &c.UnitCode, &c.MatchedBy, &c.Status, &c.CreatedAt)
	return c, err
}

// describe names the accounts, people and units of claims (read with the
// unit's path in UnitCode).
func (s *Service) describe(ctx context.Context, list []Claim) ([]Claim, error) {
	ids := make([]string, len(list))
	for i, c := range list {
		ids[i] = c.AccountID
	}
	names, err := s.Auth.DisplayNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].Account = names[list[i].AccountID]
		if u, err := s.Org.UnitByPath(ctx, list[i].UnitCode); err == nil {
			list[i].UnitCode = u.Code
		}
		if p, err := s.Org.PersonName(ctx, list[i].PersonID); err == nil {
			list[i].Person = p
		}
	}
	if list == nil {
		list = []Claim{}
	}
	return list, nil
}

// DecideClaim approves (linking the account to the record) or refuses a
// claim; the caller needs EditPeople on the record's unit.
func (s *Service) DecideClaim(ctx context.Context, id string, approve bool, ip string) error {
	var c Claim
	var path string
	err := s.DB.R.QueryRowContext(ctx, `SELECT id, account_id, person_id, unit_path, status FROM claims WHERE id = $1`, id).Scan(&c.ID, &c.AccountID, &c.PersonID, &path, &c.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return err
	}
	p, err := auth.Authorize(ctx, auth.EditPeople, path)
	if err != nil {
		return err
	}
	if c.Status != ClaimPending {
		return errs.E(errs.Conflict, "claim.decided")
	}
	status := ClaimRefused
	if approve {
		if err := s.Auth.LinkPerson(ctx, c.AccountID, c.PersonID); err != nil {
			return err
		}
		status = ClaimApproved
	}
	if _, err := s.DB.W.ExecContext(ctx, `UPDATE claims SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4`, status, p.AccountID, db.Now(), id); err != nil {
		return err
	}
	s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: "claim_" + status, ObjectType: "person", ObjectID: c.PersonID, UnitPath: path, IP: ip})
	return nil
}
