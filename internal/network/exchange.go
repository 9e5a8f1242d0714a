package network

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/tabular"
	"dxhub/internal/platform/textfold"
)

// teamFields are the columns of a teams-and-members sheet: one row per
// member, or a row with a team alone. The first alias is the Vietnamese
// header that exports write.
var teamFields = []tabular.Field{
	{Name: "unit_code", Aliases: []string{"Mã đơn vị", "ma xa", "unit"}, Required: true},
	{Name: "team_kind", Aliases: []string{"Loại", "loai to", "kind"}},
	{Name: "team_name", Aliases: []string{"Tên tổ", "ten to, ban", "team"}, Required: true},
	{Name: "villages", Aliases: []string{"Thôn, tổ dân phố phụ trách", "thon phu trach", "villages"}},
	{Name: "person_key", Aliases: []string{"Mã người", "ma dinh danh", "key"}},
	{Name: "full_name", Aliases: []string{"Họ và tên", "ho ten", "name"}},
	{Name: "role", Aliases: []string{"Vai trò", "chuc danh"}},
	{Name: "joined_on", Aliases: []string{"Ngày tham gia"}},
	{Name: "left_on", Aliases: []string{"Ngày rời"}},
	{Name: "phone", Aliases: []string{"Điện thoại", "so dien thoai"}},
}

// maxImportRows bounds one sheet of teams and members.
const maxImportRows = 50000

// ImportResult says what an import wrote.
type ImportResult struct {
	Rows     int `json:"rows"`
	Teams    int `json:"teams_created"`
	Villages int `json:"villages_created"`
	Members  int `json:"members_added"`
	Updated  int `json:"members_updated"`
	People   int `json:"people_created"`
}

// choice reads a code or its label in either language ("Tổ trưởng",
// "leader").
func choice(v string, codes []string, prefix string) (string, bool) {
	f := textfold.Fold(strings.TrimSpace(v))
	for _, c := range codes {
		if f == textfold.Fold(c) || f == textfold.Fold(i18n.T(i18n.VI, prefix+c)) || f == textfold.Fold(i18n.T(i18n.EN, prefix+c)) {
			return c, true
		}
	}
	return "", false
}

// day reads a date cell (a date, an ISO day or dd/mm/yyyy).
func day(v string) (string, bool) {
	t, ok := tabular.ParseDate(strings.TrimSpace(v))
	if !ok {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

// importRow is one checked row.
type importRow struct {
	line     int
	unit     *org.Unit
	kind     string
	team     string
	villages []string
	personID string // existing person
	newName  string // a new person
	mem      *MemberInput
}

// ImportTeams reads a sheet of teams and their members and writes it all
// or nothing: teams are found by unit and name (or created), villages by
// name (or created under the unit), members by person key or, without
// one, by name within the team (or a new person is created). Every wrong
// cell is reported with its row and column and nothing is written. The
// importer needs network.manage on every row's unit.
func (s *Service) ImportTeams(ctx context.Context, r io.Reader) (*ImportResult, error) {
	p, _, err := auth.RequireScopes(ctx, auth.ManageNetwork)
	if err != nil {
		return nil, err
	}
	t, err := tabular.Read(r)
	if err != nil {
		return nil, err
	}
	cols, err := t.Columns(teamFields)
	if err != nil {
		return nil, err
	}
	if len(t.Rows) > maxImportRows {
		return nil, errs.Field("file", "network.import_too_big", maxImportRows)
	}
	var bad tabular.ImportError
	units := map[string]*org.Unit{}
	today := s.today()
	seen := map[string]int{}     // team/person → row
	kinds := map[string]string{} // team → kind
	var rows []importRow
	for i := range t.Rows {
		line := t.Lines[i]
		cell := func(f string) string { return strings.TrimSpace(t.Cell(cols, i, f)) }
		row := importRow{line: line, team: strings.Join(strings.Fields(cell("team_name")), " ")}
		code := cell("unit_code")
		u, ok := units[code]
		if !ok {
			u, _ = s.Org.UnitByCode(ctx, code)
			units[code] = u
		}
		switch {
		case code == "":
			bad.Add(line, "unit_code", "import.required")
		case u == nil || !u.Live():
			bad.Add(line, "unit_code", "network.bad_unit", code)
			u = nil
		case !p.Can(auth.ManageNetwork, u.Path):
			bad.Add(line, "unit_code", "network.unit_not_yours", code)
			u = nil
		}
		row.unit = u
		if row.team == "" || tooLong(row.team, maxName) {
			bad.Add(line, "team_name", "network.bad_name", maxName)
		}
		row.kind = CommunityTeam
		if k := cell("team_kind"); k != "" {
			if row.kind, ok = choice(k, TeamKinds, "network.kind_"); !ok {
				bad.Add(line, "team_kind", "network.bad_kind", k)
			}
		}
		teamKey := code + "\x00" + textfold.Fold(row.team)
		if k, ok := kinds[teamKey]; ok && k != row.kind {
			bad.Add(line, "team_kind", "network.kind_differs", row.team)
		}
		kinds[teamKey] = row.kind
		for _, v := range strings.Split(cell("villages"), ";") {
			if v = strings.Join(strings.Fields(v), " "); v != "" {
				if tooLong(v, maxName) {
					bad.Add(line, "villages", "network.bad_name", maxName)
				}
				row.villages = append(row.villages, v)
			}
		}
		if row.kind == Committee && len(row.villages) > 0 {
			bad.Add(line, "villages", "network.committee_villages")
		}
		key, name := cell("person_key"), strings.Join(strings.Fields(cell("full_name")), " ")
		if key != "" || name != "" || cell("role") != "" || cell("phone") != "" || cell("joined_on") != "" {
			m := &MemberInput{PersonKey: key, FullName: name, Role: Member, JoinedOn: today, Phone: cell("phone")}
			if v := cell("role"); v != "" {
				if m.Role, ok = choice(v, MemberRoles, "network.role_"); !ok {
					bad.Add(line, "role", "network.bad_role", v)
					m.Role = Member
				}
			}
			for _, f := range []struct {
				col string
				to  *string
			}{{"joined_on", &m.JoinedOn}, {"left_on", &m.LeftOn}} {
				if v := cell(f.col); v != "" {
					if *f.to, ok = day(v); !ok {
						bad.Add(line, f.col, "network.bad_day", v)
					}
				}
			}
			if err := m.Validate(); err != nil {
				if e, ok := errs.As(err); ok {
					bad.Add(line, e.Field, e.Key, e.Args...)
				}
			}
			who := "n:" + textfold.Fold(name)
			if key != "" {
				who = "k:" + key
				if id, err := s.Org.PersonIDByKey(ctx, key); err != nil {
					bad.Add(line, "person_key", "network.no_person", key)
				} else {
					row.personID = id
				}
			} else {
				row.newName = name
			}
			if prev, dup := seen[teamKey+"\x00"+who]; dup {
				bad.Add(line, "person_key", "network.member_twice", prev)
			}
			seen[teamKey+"\x00"+who] = line
			row.mem = m
		}
		rows = append(rows, row)
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	return s.writeImport(ctx, p, rows)
}

// writeImport writes checked rows: new people first (the tree's own
// transaction), then the network's rows in one transaction.
func (s *Service) writeImport(ctx context.Context, p *auth.Principal, rows []importRow) (*ImportResult, error) {
	res := &ImportResult{Rows: len(rows)}
	type teamRef struct {
		id, unitID, path string
	}
	teams := map[string]*teamRef{} // unit id + folded name
	members := map[string]map[string]*Mem{}
	newPeople := map[string]string{} // team key + folded name → person id
	var people []org.Person
	teamKeyOf := func(r importRow) string { return r.unit.ID + "\x00" + textfold.Fold(r.team) }
	// Existing teams and members of the units in the sheet.
	for _, r := range rows {
		if _, ok := teams[teamKeyOf(r)]; ok {
			continue
		}
		ts, err := db.Query(ctx, s.DB.R, scanTeam, `SELECT `+teamCols+` FROM net_teams t WHERE t.unit_id = $1`, r.unit.ID)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			k := r.unit.ID + "\x00" + textfold.Fold(t.Name)
			if teams[k] == nil {
				teams[k] = &teamRef{t.ID, t.UnitID, t.UnitPath}
				ms, err := s.members(ctx, t.ID)
				if err != nil {
					return nil, err
				}
				members[t.ID] = map[string]*Mem{}
				for _, m := range ms {
					members[t.ID]["p:"+m.PersonID] = m
					members[t.ID]["n:"+textfold.Fold(m.Name)] = m
				}
			}
		}
		if teams[teamKeyOf(r)] == nil {
			teams[teamKeyOf(r)] = &teamRef{unitID: r.unit.ID, path: r.unit.Path}
		}
	}
	for _, r := range rows {
		if r.mem == nil || r.newName == "" {
			continue
		}
		tr := teams[teamKeyOf(r)]
		if tr.id != "" {
			if m := members[tr.id]["n:"+textfold.Fold(r.newName)]; m != nil {
				continue // the same person, known by name in this team
			}
		}
		per := org.Person{ID: db.NewID(), Key: "NET-" + strings.ToUpper(db.Token(6)), FullName: r.newName, UnitID: r.unit.ID, Phone: r.mem.Phone, Groups: []string{}}
		people = append(people, per)
		newPeople[teamKeyOf(r)+"\x00"+textfold.Fold(r.newName)] = per.ID
	}
	if len(people) > 0 {
		if err := s.Org.SavePeople(ctx, people); err != nil {
			return nil, err
		}
		res.People = len(people)
	}
	now := db.Now()
	touched := map[string]string{}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		villages := map[string]string{} // unit id + folded name → id
		villagesOf := func(u *org.Unit) error {
			if _, ok := villages[u.ID]; ok {
				return nil
			}
			villages[u.ID] = ""
			vs, err := s.villagesOf(ctx, tx, u.ID)
			for _, v := range vs {
				villages[u.ID+"\x00"+textfold.Fold(v.Name)] = v.ID
			}
			return err
		}
		linked := map[string]bool{}
		for _, r := range rows {
			tr := teams[teamKeyOf(r)]
			touched[r.unit.ID] = r.unit.Path
			if tr.id == "" {
				tr.id = db.NewID()
				if _, err := tx.ExecContext(ctx, `INSERT INTO net_teams (id, kind, unit_id, unit_path, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`, tr.id, r.kind, r.unit.ID, r.unit.Path, r.team, now); err != nil {
					return err
				}
				members[tr.id] = map[string]*Mem{}
				res.Teams++
			}
			if err := villagesOf(r.unit); err != nil {
				return err
			}
			for _, name := range r.villages {
				vk := r.unit.ID + "\x00" + textfold.Fold(name)
				if villages[vk] == "" {
					villages[vk] = db.NewID()
					if _, err := tx.ExecContext(ctx, `INSERT INTO net_villages (id, unit_id, unit_path, name, kind, created_at) VALUES ($1, $2, $3, $4, 'village', $5)`, villages[vk], r.unit.ID, r.unit.Path, name, now); err != nil {
						return err
					}
					res.Villages++
				}
				if !linked[tr.id+villages[vk]] {
					linked[tr.id+villages[vk]] = true
					if _, err := tx.ExecContext(ctx, `INSERT INTO net_team_villages (team_id, village_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, tr.id, villages[vk]); err != nil {
						return err
					}
				}
			}
			if r.mem == nil {
				continue
			}
			person := r.personID
			existing := members[tr.id]["p:"+person]
			if person == "" {
				existing = members[tr.id]["n:"+textfold.Fold(r.newName)]
				person = newPeople[teamKeyOf(r)+"\x00"+textfold.Fold(r.newName)]
			}
			m := r.mem
			if existing != nil {
				if _, err := tx.ExecContext(ctx, `UPDATE net_members SET role = $1, joined_on = $2, left_on = $3, phone = $4 WHERE id = $5`, m.Role, m.JoinedOn, m.LeftOn, m.Phone, existing.ID); err != nil {
					return err
				}
				res.Updated++
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO net_members (id, team_id, person_id, role, joined_on, left_on, phone, skills, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8)`,
				db.NewID(), tr.id, person, m.Role, m.JoinedOn, m.LeftOn, m.Phone, now); err != nil {
				return err
			}
			res.Members++
		}
		ids := make([]string, 0, len(touched))
		for id := range touched {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			if err := restat(ctx, tx, id, touched[id]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var persons []string
	for _, r := range rows {
		if r.mem == nil {
			continue
		}
		if r.personID != "" {
			persons = append(persons, r.personID)
		} else if id := newPeople[teamKeyOf(r)+"\x00"+textfold.Fold(r.newName)]; id != "" {
			persons = append(persons, id)
		} else if m := members[teams[teamKeyOf(r)].id]["n:"+textfold.Fold(r.newName)]; m != nil {
			persons = append(persons, m.PersonID)
		}
	}
	slices.Sort(persons)
	if err := s.syncGroups(ctx, slices.Compact(persons)...); err != nil {
		return nil, err
	}
	scope := ""
	for _, path := range touched {
		if scope == "" || len(path) < len(scope) {
			scope = path
		}
	}
	return res, s.record(ctx, p, "network_imported", "unit", "", scope, fmt.Sprintf("%d rows, %d teams, %d members", res.Rows, res.Teams, res.Members))
}

// ExportTeams writes the teams of a unit's subtree with their members, in
// the columns ImportTeams reads (so that an exported sheet, edited, goes
// back in). Contacts are personal data: exporting needs network.manage,
// and is audited.
func (s *Service) ExportTeams(ctx context.Context, w io.Writer, unitCode string, f tabular.Format, lang i18n.Lang) error {
	u, err := s.unit(ctx, "unit", unitCode)
	if err != nil {
		return err
	}
	p, err := auth.Authorize(ctx, auth.ManageNetwork, u.Path)
	if err != nil {
		return err
	}
	header := make([]string, len(teamFields))
	for i, fl := range teamFields {
		header[i] = fl.Aliases[0]
		if lang == i18n.EN {
			header[i] = fl.Name
		}
	}
	var rows [][]string
	for offset := 0; ; offset += 200 {
		ts, err := s.teamsUnder(ctx, []string{u.Path}, Filter{Limit: 200, Offset: offset})
		if err != nil {
			return err
		}
		for _, t := range ts {
			vs, err := s.teamVillages(ctx, t.ID)
			if err != nil {
				return err
			}
			var names []string
			for _, v := range vs {
				names = append(names, v.Name)
			}
			ms, err := s.members(ctx, t.ID)
			if err != nil {
				return err
			}
			keys, err := s.Org.PersonKeys(ctx, personIDs(ms))
			if err != nil {
				return err
			}
			base := []string{t.UnitCode, i18n.T(lang, "network.kind_"+t.Kind), t.Name, strings.Join(names, "; ")}
			if len(ms) == 0 {
				rows = append(rows, append(base, "", "", "", "", "", ""))
			}
			for _, m := range ms {
				rows = append(rows, append(slices.Clone(base), keys[m.PersonID], m.Name, i18n.T(lang, "network.role_"+m.Role), m.JoinedOn, m.LeftOn, m.Phone))
			}
		}
		if len(ts) < 200 {
			break
		}
	}
	if err := tabular.Write(w, f, i18n.T(lang, "network.teams_sheet"), header, rows, tabular.Dates(7, 8)); err != nil {
		return err
	}
	return s.record(ctx, p, "network_exported", "unit", u.ID, u.Path, fmt.Sprintf("%d rows", len(rows)))
}

func personIDs(ms []*Mem) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.PersonID
	}
	return out
}

// populationFields are the columns of a population sheet.
var populationFields = []tabular.Field{
	{Name: "unit_code", Aliases: []string{"Mã đơn vị", "ma xa", "unit"}, Required: true},
	{Name: "population", Aliases: []string{"Dân số", "so dan", "dan so"}, Required: true},
	{Name: "as_of", Aliases: []string{"Tính đến ngày", "ngay", "date"}},
}

// ImportPopulation reads a sheet of units' populations (for members per
// 1,000 residents) and records them all or none; every wrong cell is
// named by row and column. It returns how many units it recorded.
func (s *Service) ImportPopulation(ctx context.Context, r io.Reader) (int, error) {
	p, _, err := auth.RequireScopes(ctx, auth.ManageNetwork)
	if err != nil {
		return 0, err
	}
	t, err := tabular.Read(r)
	if err != nil {
		return 0, err
	}
	cols, err := t.Columns(populationFields)
	if err != nil {
		return 0, err
	}
	if len(t.Rows) > maxImportRows {
		return 0, errs.Field("file", "network.import_too_big", maxImportRows)
	}
	type pop struct {
		unit *org.Unit
		n    int64
		asOf string
	}
	var bad tabular.ImportError
	var rows []pop
	seen := map[string]int{}
	for i := range t.Rows {
		line := t.Lines[i]
		cell := func(f string) string { return strings.TrimSpace(t.Cell(cols, i, f)) }
		code := cell("unit_code")
		u, err := s.Org.UnitByCode(ctx, code)
		switch {
		case code == "":
			bad.Add(line, "unit_code", "import.required")
		case err != nil || !u.Live():
			bad.Add(line, "unit_code", "network.bad_unit", code)
		case !p.Can(auth.ManageNetwork, u.Path):
			bad.Add(line, "unit_code", "network.unit_not_yours", code)
		default:
			if prev, dup := seen[u.ID]; dup {
				bad.Add(line, "unit_code", "network.unit_twice", prev)
			}
			seen[u.ID] = line
		}
		n, perr := strconv.ParseInt(strings.NewReplacer(".", "", ",", "", " ", "").Replace(cell("population")), 10, 64)
		if perr != nil || n < 0 || n > 20_000_000 {
			bad.Add(line, "population", "network.bad_population")
		}
		asOf := s.today()
		if v := cell("as_of"); v != "" {
			var ok bool
			if asOf, ok = day(v); !ok {
				bad.Add(line, "as_of", "network.bad_day", v)
			}
		}
		rows = append(rows, pop{u, n, asOf})
	}
	if err := bad.Err(); err != nil {
		return 0, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO net_population (unit_id, population, as_of) VALUES ($1, $2, $3)
				ON CONFLICT (unit_id) DO UPDATE SET population = excluded.population, as_of = excluded.as_of`, r.unit.ID, r.n, r.asOf); err != nil {
				return err
			}
			if err := restat(ctx, tx, r.unit.ID, r.unit.Path); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	scope := ""
	for _, r := range rows {
		if scope == "" || len(r.unit.Path) < len(scope) {
			scope = r.unit.Path
		}
	}
	return len(rows), s.record(ctx, p, "network_population_set", "unit", "", scope, fmt.Sprintf("%d units", len(rows)))
}
