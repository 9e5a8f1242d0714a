package credential

import (
	"context"
	"database/sql"
	"io"
	"strconv"
	"strings"

	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/tabular"
)

var listFields = []tabular.Field{
	{Name: "achievement", Aliases: []string{"Mã chứng nhận", "chung nhan", "code"}, Required: true},
	{Name: "username", Aliases: []string{"Tên đăng nhập", "tai khoan", "email"}, Required: true},
	{Name: "number", Aliases: []string{"Số chứng nhận", "so"}},
	{Name: "issued_on", Aliases: []string{"Ngày cấp", "ngay cap"}},
	{Name: "result", Aliases: []string{"Kết quả", "ket qua"}},
}

// MaxListRows bounds one list of credentials to issue.
const MaxListRows = 10000

// BulkResult is what issuing from a list did.
type BulkResult struct {
	Issued int `json:"issued"`
	Legacy int `json:"legacy"`
}

// IssueList issues the credentials of a list (CSV or XLSX: achievement,
// username, and for paper certificates entered later their number and
// date, marked as such; a result if any). All or nothing: a list with
// any bad row issues nothing and names every bad row. The caller may
// issue in each achievement's unit.
func (s *Service) IssueList(ctx context.Context, r io.Reader, ip string) (*BulkResult, error) {
	p, _, err := auth.RequireScopes(ctx, auth.IssueCredentials)
	if err != nil {
		return nil, err
	}
	t, err := tabular.Read(r)
	if err != nil {
		return nil, err
	}
	cols, err := t.Columns(listFields)
	if err != nil {
		return nil, err
	}
	var bad tabular.ImportError
	if len(t.Rows) > MaxListRows {
		bad.Add(t.Lines[MaxListRows], "", "credential.list_too_long", MaxListRows)
		return nil, bad.Err()
	}
	achs := map[string]*Achievement{}
	seen := map[string]int{}
	numbers := map[string]int{} // issuing unit/number → line
	var ins []issueInput
	now := s.clock()
	for i := range t.Rows {
		line := t.Lines[i]
		cell := func(f string) string { return strings.TrimSpace(t.Cell(cols, i, f)) }
		code := strings.ToUpper(cell("achievement"))
		a, ok := achs[code]
		if !ok {
			a, _ = s.ActiveAchievement(ctx, code)
			achs[code] = a
		}
		if a == nil {
			bad.Add(line, "achievement", "credential.no_achievement", code)
			continue
		}
		if !p.Can(auth.IssueCredentials, a.UnitPath) {
			bad.Add(line, "achievement", "credential.not_your_unit", code)
			continue
		}
		acct, err := s.Auth.AccountByUsername(ctx, cell("username"))
		if err != nil {
			bad.Add(line, "username", "credential.no_username", cell("username"))
			continue
		}
		key := a.ID + "/" + acct.ID
		if prev, dup := seen[key]; dup {
			bad.Add(line, "username", "import.duplicate_key", prev)
			continue
		}
		seen[key] = line
		var held int
		if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM credentials WHERE achievement_id = $1 AND account_id = $2`, a.ID, acct.ID).Scan(&held); err != nil {
			return nil, err
		}
		if held > 0 {
			bad.Add(line, "username", "credential.already_held", cell("username"), code)
			continue
		}
		in := issueInput{ach: a, accountID: acct.ID, source: "list", at: now, result: cell("result"), evidence: "Cấp theo danh sách"}
		if n := cell("number"); n != "" {
			if len(n) > 60 || strings.ContainsAny(n, "<>\"") {
				bad.Add(line, "number", "credential.bad_number")
				continue
			}
			nkey := a.UnitID + "/" + n
			if prev, dup := numbers[nkey]; dup {
				bad.Add(line, "number", "credential.number_twice", n, prev)
				continue
			}
			numbers[nkey] = line
			var taken int
			if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM credentials WHERE unit_id = $1 AND number = $2`, a.UnitID, n).Scan(&taken); err != nil {
				return nil, err
			}
			if taken > 0 {
				bad.Add(line, "number", "credential.number_taken", n)
				continue
			}
			in.number, in.legacy, in.evidence = n, true, "Cấp lại từ chứng nhận giấy số "+n
		}
		if d := cell("issued_on"); d != "" {
			at, ok := tabular.ParseDate(d)
			if !ok || at.After(now) || at.Year() < 1990 {
				bad.Add(line, "issued_on", "credential.bad_date", d)
				continue
			}
			in.at, in.legacy = at, true
		}
		if len(in.result) > 100 {
			bad.Add(line, "result", "credential.bad_result")
			continue
		}
		ins = append(ins, in)
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	rows, err := s.prepareAll(ctx, ins)
	if err != nil {
		return nil, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		got, err := insertCredentials(ctx, tx, rows)
		if err != nil {
			return err
		}
		for i, row := range got {
			if row == nil {
				bad.Add(t.Lines[i], "username", "credential.already_held", rows[i].username, rows[i].achCode)
			}
		}
		return bad.Err()
	})
	if err != nil {
		return nil, err
	}
	res := &BulkResult{Issued: len(rows)}
	for _, row := range rows {
		if row.legacy {
			res.Legacy++
		}
	}
	if err := s.announce(ctx, rows, "list"); err != nil {
		return nil, err
	}
	// Module certificates listed may complete a modules rule.
	done := map[string]bool{}
	for _, row := range rows {
		if !done[row.accountID] {
			done[row.accountID] = true
			if err := s.followModules(ctx, row.accountID, now, 0); err != nil {
				return nil, err
			}
		}
	}
	if err := s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: "credentials_listed", ObjectType: "credential", IP: ip, Detail: strconv.Itoa(res.Issued)}); err != nil {
		return nil, err
	}
	return res, nil
}
