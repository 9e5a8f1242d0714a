package org

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"

	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/tabular"
	"dxhub/internal/platform/textfold"
)

// peopleFields are the columns of a people spreadsheet. The first alias is
// the Vietnamese header that exports use.
var peopleFields = []tabular.Field{
	{Name: "key", Aliases: []string{"Mã định danh", "ma", "id"}, Required: true},
	{Name: "full_name", Aliases: []string{"Họ và tên", "ho ten", "name"}, Required: true},
	{Name: "birth_date", Aliases: []string{"Ngày sinh"}},
	{Name: "unit_code", Aliases: []string{"Mã đơn vị", "unit"}, Required: true},
	{Name: "position", Aliases: []string{"Chức vụ", "vi tri"}},
	{Name: "groups", Aliases: []string{"Nhóm", "nhom doi tuong", "group"}},
	{Name: "email", Aliases: []string{"Thư điện tử", "e-mail"}},
	{Name: "phone", Aliases: []string{"Điện thoại", "so dien thoai"}},
}

// groupAliases maps folded Vietnamese and English labels to group codes.
var groupAliases = map[string]string{
	"lanh dao": GroupLeader, "can bo lanh dao": GroupLeader, "leader": GroupLeader,
	"cong chuc": GroupCivilServant, "civil servant": GroupCivilServant,
	"vien chuc": GroupPublicEmployee, "public employee": GroupPublicEmployee,
	"chuyen trach cds": GroupDXStaff, "can bo chuyen trach cds": GroupDXStaff, "chuyen trach cntt": GroupDXStaff, "dx staff": GroupDXStaff, "dx it staff": GroupDXStaff,
	"giao vien": GroupTeacher, "teacher": GroupTeacher,
	"hoc sinh": GroupStudent, "sinh vien": GroupStudent, "student": GroupStudent,
	"nguoi lao dong": GroupWorker, "nguoi lao dong doanh nghiep": GroupWorker, "enterprise worker": GroupWorker, "worker": GroupWorker,
	"to cong nghe so": GroupCommunityTech, "to cong nghe so cong dong": GroupCommunityTech, "thanh vien to cong nghe so cong dong": GroupCommunityTech, "community technology team member": GroupCommunityTech,
	"nguoi dan": GroupCitizen, "cong dan": GroupCitizen, "citizen": GroupCitizen,
}

func parseGroups(s string) ([]string, string) {
	var out []string
	seen := map[string]bool{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '|' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		g := part
		if !validGroup(g) {
			var ok bool
			if g, ok = groupAliases[textfold.Fold(part)]; !ok {
				return nil, part
			}
		}
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out, ""
}

// parseBirthDate reads a birth date as the shared tabular reading does
// (XLSX date cells arrive as YYYY-MM-DD; text only as YYYY-MM-DD or day
// first, DD/MM/YYYY) and returns YYYY-MM-DD.
func parseBirthDate(s string) (string, bool) {
	t, ok := tabular.ParseDate(s)
	if !ok {
		return "", false
	}
	return checkAge(t)
}

func checkAge(t time.Time) (string, bool) {
	if t.Year() < 1900 || t.After(time.Now()) {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

func validKey(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for _, c := range k {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// ImportPeople reads a CSV or XLSX people list and creates or updates each
// person by key, all or nothing: when any row is wrong, every problem is
// reported with its row and column and nothing is written. The importer
// needs ImportPeople on every row's unit, and on the unit of any person
// whose record a row would change.
func (s *Service) ImportPeople(ctx context.Context, r io.Reader, ip string) (*ImportResult, error) {
	p, _, err := auth.RequireScopes(ctx, auth.ImportPeople)
	if err != nil {
		return nil, err
	}
	t, err := tabular.Read(r)
	if err != nil {
		return nil, err
	}
	cols, err := t.Columns(peopleFields)
	if err != nil {
		return nil, err
	}
	units := map[string]*Unit{}
	unitOf := func(code string) *Unit {
		if u, ok := units[code]; ok {
			return u
		}
		u, err := s.unitByCodeFast(ctx, code)
		if err != nil || !u.Live() {
			u = nil
		}
		units[code] = u
		return u
	}
	var bad tabular.ImportError
	people := make([]Person, 0, len(t.Rows))
	seen := map[string]int{}
	for i := range t.Rows {
		line := t.Lines[i]
		cell := func(f string) string { return t.Cell(cols, i, f) }
		per := Person{Key: cell("key"), FullName: cell("full_name"), Position: cell("position"), Email: cell("email"), Phone: cell("phone")}
		switch {
		case per.Key == "":
			bad.Add(line, "key", "import.required")
		case !validKey(per.Key):
			bad.Add(line, "key", "org.bad_key")
		default:
			if prev, dup := seen[per.Key]; dup {
				bad.Add(line, "key", "import.duplicate_key", prev)
			}
			seen[per.Key] = line
		}
		if per.FullName == "" {
			bad.Add(line, "full_name", "import.required")
		} else if len([]rune(per.FullName)) > 200 {
			bad.Add(line, "full_name", "org.too_long", 200)
		}
		if b := cell("birth_date"); b != "" {
			if d, ok := parseBirthDate(b); ok {
				per.BirthDate = d
			} else {
				bad.Add(line, "birth_date", "org.bad_birth_date", b)
			}
		}
		code := cell("unit_code")
		if code == "" {
			bad.Add(line, "unit_code", "import.required")
		} else if u := unitOf(code); u == nil {
			bad.Add(line, "unit_code", "org.unit_not_found", code)
		} else if !p.Can(auth.ImportPeople, u.Path) {
			bad.Add(line, "unit_code", "org.unit_not_yours", code)
		} else {
			per.UnitID, per.UnitPath, per.UnitCode = u.ID, u.Path, u.Code
		}
		if g, wrong := parseGroups(cell("groups")); wrong != "" {
			bad.Add(line, "groups", "org.bad_group", wrong)
		} else {
			per.Groups = g
		}
		if per.Email != "" && (!strings.Contains(per.Email, "@") || len(per.Email) > 200 || strings.ContainsAny(per.Email, " ,;")) {
			bad.Add(line, "email", "org.bad_email", per.Email)
		}
		if per.Phone != "" && !validPhone(per.Phone) {
			bad.Add(line, "phone", "org.bad_phone", per.Phone)
		}
		if len([]rune(per.Position)) > 200 {
			bad.Add(line, "position", "org.too_long", 200)
		}
		people = append(people, per)
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	res := &ImportResult{}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		existing, err := existingKeys(ctx, tx, people)
		if err != nil {
			return err
		}
		now := db.Now()
		for i := range people {
			per := &people[i]
			old, ok := existing[per.Key]
			if ok && !p.Can(auth.ImportPeople, old.path) {
				bad.Add(t.Lines[i], "key", "org.key_elsewhere", per.Key)
				continue
			}
			if ok {
				per.ID = old.id
				res.Updated++
			} else {
				per.ID = db.NewID()
				res.Created++
			}
			if err := upsertPerson(ctx, tx, per, now); err != nil {
				return err
			}
		}
		if err := bad.Err(); err != nil {
			return err
		}
		return s.indexPeople(ctx, tx, people)
	})
	if err != nil {
		return nil, err
	}
	err = s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: audit.Import, ObjectType: "people",
		UnitPath: p.Scopes(auth.ImportPeople)[0], Detail: fmt.Sprintf("created=%d updated=%d", res.Created, res.Updated), IP: ip})
	return res, err
}

func validPhone(s string) bool {
	if len(s) > 20 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '+' || c == ' ' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

type existingPerson struct{ id, path string }

func existingKeys(ctx context.Context, tx querier, people []Person) (map[string]existingPerson, error) {
	out := map[string]existingPerson{}
	const batch = 500
	for start := 0; start < len(people); start += batch {
		end := min(start+batch, len(people))
		args := make([]any, 0, end-start)
		ph := make([]string, 0, end-start)
		for _, per := range people[start:end] {
			args = append(args, per.Key)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
		err := db.Each(ctx, tx, func(r db.Scanner) error {
			var k string
			var e existingPerson
			err := r.Scan(&k, &e.id, &e.path)
			out[k] = e
			return err
		}, `SELECT ext_key, id, unit_path FROM people WHERE ext_key IN (`+strings.Join(ph, ",")+`)`, args...)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func upsertPerson(ctx context.Context, tx querier, per *Person, now int64) error {
	per.FullName = textfold.NFC(per.FullName)
	// The id kept is the stored one when the key exists (the index entry
	// goes by it).
	if err := tx.QueryRowContext(ctx, `INSERT INTO people (id, ext_key, full_name, name_fold, birth_date, unit_id, unit_path, position, groups, email, phone, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
		ON CONFLICT (ext_key) DO UPDATE SET full_name = $3, name_fold = $4, birth_date = $5, unit_id = $6, unit_path = $7, position = $8, groups = $9, email = $10, phone = $11, updated_at = $12
		RETURNING id`,
		per.ID, per.Key, per.FullName, textfold.Fold(per.FullName), per.BirthDate, per.UnitID, per.UnitPath, per.Position, strings.Join(per.Groups, ","), per.Email, per.Phone, now).Scan(&per.ID); err != nil {
		return fmt.Errorf("save person %s: %w", per.Key, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM person_groups WHERE person_id = $1`, per.ID); err != nil {
		return err
	}
	for _, g := range per.Groups {
		if _, err := tx.ExecContext(ctx, `INSERT INTO person_groups (person_id, grp) VALUES ($1, $2)`, per.ID, g); err != nil {
			return err
		}
	}
	return nil
}

// SavePeople writes people without a spreadsheet (demo data, benchmarks,
// other rooms' fixtures); each person's UnitID must be set. It bypasses
// permission checks: callers are trusted code, not requests.
func (s *Service) SavePeople(ctx context.Context, people []Person) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		paths := map[string]string{}
		now := db.Now()
		for i := range people {
			per := &people[i]
			path, ok := paths[per.UnitID]
			if !ok {
				if err := tx.QueryRowContext(ctx, `SELECT path FROM units WHERE id = $1`, per.UnitID).Scan(&path); err != nil {
					return fmt.Errorf("unit of %s: %w", per.Key, err)
				}
				paths[per.UnitID] = path
			}
			per.UnitPath = path
			if per.ID == "" {
				per.ID = db.NewID()
			}
			if err := upsertPerson(ctx, tx, per, now); err != nil {
				return err
			}
		}
		return s.indexPeople(ctx, tx, people)
	})
}
