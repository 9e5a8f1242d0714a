package credential

import (
	"context"
	"strconv"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
)

// IssuedFilter narrows the list of credentials issued.
type IssuedFilter struct {
	UnitCode string // the issuing unit's subtree; empty: all the caller may see
	From, To int64  // issued in [From, To), Unix ms; 0: open
	// Since is a cursor for incremental pulls: credentials recorded after
	// it ("ms" or "ms:id" as NextSince gives it).
	Since string
	Limit int
}

// Issued lists credentials issued within the caller's IssueCredentials
// scopes (for other national systems and the units' own registers),
// oldest first so that Since pages through them without gaps.
func (s *Service) Issued(ctx context.Context, f IssuedFilter) ([]*Credential, error) {
	_, scopes, err := auth.RequireScopes(ctx, auth.IssueCredentials)
	if err != nil {
		return nil, err
	}
	if f.UnitCode != "" {
		u, err := s.Org.UnitByCode(ctx, f.UnitCode)
		if err != nil {
			return nil, errs.Field("unit", "credential.bad_unit", f.UnitCode)
		}
		allowed := false
		for _, sc := range scopes {
			if strings.HasPrefix(u.Path, sc) {
				allowed = true
			}
		}
		if !allowed {
			return nil, errs.E(errs.Forbidden, "error.forbidden")
		}
		scopes = []string{u.Path}
	}
	if f.Limit <= 0 || f.Limit > 5000 {
		f.Limit = 5000
	}
	args := []any{}
	var or []string
	for _, sc := range scopes {
		args = append(args, sc+"%")
		or = append(or, "c.unit_path LIKE $"+strconv.Itoa(len(args)))
	}
	where := "(" + strings.Join(or, " OR ") + ")"
	add := func(cond string, v int64) {
		args = append(args, v)
		where += " AND " + cond + " $" + strconv.Itoa(len(args))
	}
	if f.From > 0 {
		add("c.issued_at >=", f.From)
	}
	if f.To > 0 {
		add("c.issued_at <", f.To)
	}
	order := "c.issued_at, c.id"
	if f.Since != "" {
		ms, id, _ := strings.Cut(f.Since, ":")
		n, err := strconv.ParseInt(ms, 10, 64)
		if err != nil || n < 0 {
			return nil, errs.Field("since", "error.param", "since", f.Since)
		}
		args = append(args, n, id)
		where += " AND (c.recorded_at > $" + strconv.Itoa(len(args)-1) + " OR (c.recorded_at = $" + strconv.Itoa(len(args)-1) + " AND c.id > $" + strconv.Itoa(len(args)) + "))"
		order = "c.recorded_at, c.id"
	}
	args = append(args, f.Limit)
	list, err := db.Query(ctx, s.DB.R, scanCredential, `SELECT `+credentialCols+` FROM credentials c JOIN achievements a ON a.id = c.achievement_id WHERE `+where+` ORDER BY `+order+` LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, err
	}
	return list, s.unitCodes(ctx, list)
}

// NextSince is the cursor that continues after list (as Issued with Since
// returned it).
func NextSince(list []*Credential) string {
	if len(list) == 0 {
		return ""
	}
	last := list[len(list)-1]
	return strconv.FormatInt(last.RecordedAt, 10) + ":" + last.ID
}

// HeldBy counts, for each person, the credentials in force (not revoked)
// held by the accounts linked to them: what a community team's members
// have earned.
func (s *Service) HeldBy(ctx context.Context, personIDs []string) (map[string]int, error) {
	return s.Auth.PerPerson(ctx, personIDs, func(accounts []string) (map[string]int, error) { return s.HeldByAccounts(ctx, accounts) })
}

// HeldByAccounts counts the credentials in force each account holds.
func (s *Service) HeldByAccounts(ctx context.Context, accountIDs []string) (map[string]int, error) {
	return db.CountsByIDs(ctx, s.DB.R, `SELECT account_id, COUNT(*) FROM credentials WHERE revoked_at = 0 AND account_id IN (%s) GROUP BY account_id`, accountIDs)
}
