package org

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/search"
	"dxhub/internal/platform/tabular"
)

// PeopleFilter narrows a list of people.
type PeopleFilter struct {
	UnitCode string // only this unit's subtree (must be inside the viewer's scope)
	Group    string
	Q        string // name or key, with or without diacritics
	Page     int    // 1-based
	PerPage  int
}

// PeoplePage is one page of a list.
type PeoplePage struct {
	People []Person `json:"people"`
	Page   int      `json:"page"`
	More   bool     `json:"more"`
}

const personCols = `p.id, p.ext_key, p.full_name, p.birth_date, p.unit_id, u.code, u.name_vi, p.unit_path, p.position, p.groups, p.email, p.phone, p.updated_at`

func scanPerson(s scanner) (Person, error) {
	var p Person
	var groups string
	err := s.Scan(&p.ID, &p.Key, &p.FullName, &p.BirthDate, &p.UnitID, &p.UnitCode, &p.UnitName, &p.UnitPath, &p.Position, &groups, &p.Email, &p.Phone, &p.UpdatedAt)
	p.Groups = splitGroups(groups)
	return p, err
}

// ListPeople returns people in the viewer's scope. The list is personal
// data: the viewer needs ViewPeople and the read is audited.
func (s *Service) ListPeople(ctx context.Context, f PeopleFilter, ip string) (*PeoplePage, error) {
	p, scopes, err := auth.RequireScopes(ctx, auth.ViewPeople)
	if err != nil {
		return nil, err
	}
	where, args, ranked, err := s.peopleWhere(ctx, p, scopes, f, auth.ViewPeople)
	if err != nil {
		return nil, err
	}
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	if f.Page > 10000 {
		return nil, errs.Field("page", "error.param", "page", f.Page)
	}
	if ranked != nil {
		return s.listRanked(ctx, p, scopes, f, where, args, ranked, ip)
	}
	args = append(args, f.PerPage+1, (f.Page-1)*f.PerPage)
	// The inner query pages through the covering index alone, so rows
	// skipped by OFFSET cost no table lookups; only the page's rows are read.
	people, err := db.Query(ctx, s.DB.R, scanPerson, `SELECT `+personCols+` FROM (SELECT p.id FROM people p WHERE `+where+
		fmt.Sprintf(` ORDER BY p.unit_path, p.name_fold, p.id LIMIT $%d OFFSET $%d) page`, len(args)-1, len(args))+
		` JOIN people p ON p.id = page.id JOIN units u ON u.id = p.unit_id ORDER BY p.unit_path, p.name_fold, p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list people: %w", err)
	}
	out := &PeoplePage{Page: f.Page, People: append([]Person{}, people...)}
	if len(out.People) > f.PerPage {
		out.People, out.More = out.People[:f.PerPage], true
	}
	return out, s.auditList(ctx, p, scopes, f, out, ip)
}

func (s *Service) auditList(ctx context.Context, p *auth.Principal, scopes []string, f PeopleFilter, out *PeoplePage, ip string) error {
	return s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: audit.ListPeople, ObjectType: "people",
		UnitPath: s.auditScope(ctx, scopes, f), Detail: fmt.Sprintf("unit=%s group=%s q=%s page=%d rows=%d", f.UnitCode, f.Group, f.Q, f.Page, len(out.People)), IP: ip})
}

// listRanked lists a search's people in the order search ranked them (a
// key typed whole first), a page at a time.
func (s *Service) listRanked(ctx context.Context, p *auth.Principal, scopes []string, f PeopleFilter, where string, args []any, ranked []string, ip string) (*PeoplePage, error) {
	all, err := db.Query(ctx, s.DB.R, scanPerson, `SELECT `+personCols+` FROM people p JOIN units u ON u.id = p.unit_id WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list people: %w", err)
	}
	pos := make(map[string]int, len(ranked))
	for i, id := range ranked {
		pos[id] = i + 1
	}
	q := strings.TrimSpace(f.Q)
	place := func(per Person) int {
		if per.Key == q {
			return 0
		}
		return pos[per.ID]
	}
	slices.SortStableFunc(all, func(a, b Person) int { return cmp.Compare(place(a), place(b)) })
	out := &PeoplePage{Page: f.Page, People: []Person{}}
	if from := (f.Page - 1) * f.PerPage; from < len(all) {
		out.People = all[from:min(len(all), from+f.PerPage)]
		out.More = from+f.PerPage < len(all)
	}
	return out, s.auditList(ctx, p, scopes, f, out, ip)
}

// peopleWhere builds the scoped condition shared by lists and exports.
//
// When f.Q is set, ranked lists the ids search found, best first (the
// list is shown in that order, not by unit and name).
func (s *Service) peopleWhere(ctx context.Context, p *auth.Principal, scopes []string, f PeopleFilter, a auth.Action) (string, []any, []string, error) {
	d := s.DB.Dialect
	var conds, scope []string
	var args []any
	if f.UnitCode != "" {
		u, err := s.unitByCodeFast(ctx, f.UnitCode)
		if err != nil {
			return "", nil, nil, errs.Field("unit", "org.unit_not_found", f.UnitCode)
		}
		if !p.Can(a, u.Path) {
			return "", nil, nil, errs.E(errs.Forbidden, "error.forbidden")
		}
		scopes = []string{u.Path}
	}
	for _, sc := range scopes {
		args = append(args, d.PrefixPattern(sc))
		scope = append(scope, d.PrefixMatch("p.unit_path", len(args)))
	}
	conds = append(conds, "("+strings.Join(scope, " OR ")+")")
	if f.Group != "" {
		if !validGroup(f.Group) {
			return "", nil, nil, errs.Field("group", "org.bad_group", f.Group)
		}
		args = append(args, f.Group)
		conds = append(conds, fmt.Sprintf("p.id IN (SELECT person_id FROM person_groups WHERE grp = $%d)", len(args)))
	}
	var ranked []string
	if q := strings.TrimSpace(f.Q); q != "" {
		if len(q) > search.MaxQuery {
			return "", nil, nil, errs.Field("q", "org.query_too_long")
		}
		ids, err := s.searchPeople(ctx, q, scopes, maxFound)
		if err != nil {
			return "", nil, nil, err
		}
		// A key typed whole finds its person first, whatever the index says.
		args = append(args, q)
		cond := fmt.Sprintf("p.ext_key = $%d", len(args))
		if len(ids) > 0 {
			cond += " OR p.id IN (" + db.Numbered(len(args)+1, len(ids)) + ")"
			for _, id := range ids {
				args = append(args, id)
			}
		}
		conds = append(conds, "("+cond+")")
		ranked = append([]string{}, ids...)
		if ranked == nil {
			ranked = []string{}
		}
	}
	return strings.Join(conds, " AND "), args, ranked, nil
}

// maxFound bounds a search's people: the best this many are listed and
// paged; a search that finds more is made more precise by its user.
const maxFound = 500

func validGroup(g string) bool {
	for _, x := range Groups {
		if x == g {
			return true
		}
	}
	return false
}

// Person returns one person; reading another person's record needs
// ViewPeople on their unit and is audited.
func (s *Service) Person(ctx context.Context, id, ip string) (*Person, error) {
	per, err := scanPerson(s.DB.R.QueryRowContext(ctx, `SELECT `+personCols+` FROM people p JOIN units u ON u.id = p.unit_id WHERE p.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("person %s: %w", id, err)
	}
	p := auth.FromContext(ctx)
	if p != nil && p.PersonID == per.ID {
		return &per, nil // one's own record
	}
	if _, err := auth.Authorize(ctx, auth.ViewPeople, per.UnitPath); err != nil {
		return nil, err
	}
	err = s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: audit.ViewPerson, ObjectType: "person", ObjectID: per.ID, UnitPath: per.UnitPath, IP: ip})
	return &per, err
}

// auditScope is the unit a list or export of people is logged under: the
// unit filtered on, so that its own office sees who read its people (a
// national administrator's export of one province included), or else the
// viewer's first scope.
func (s *Service) auditScope(ctx context.Context, scopes []string, f PeopleFilter) string {
	if f.UnitCode != "" {
		if u, err := s.unitByCodeFast(ctx, f.UnitCode); err == nil {
			return u.Path
		}
	}
	return scopes[0]
}

// PersonPlacement returns a person's unit path and groups, for checks by
// other rooms (who may sit an exam, who a course is assigned to).
func (s *Service) PersonPlacement(ctx context.Context, id string) (string, []string, error) {
	var path, groups string
	err := s.DB.R.QueryRowContext(ctx, `SELECT unit_path, groups FROM people WHERE id = $1`, id).Scan(&path, &groups)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, errs.E(errs.NotFound, "error.not_found")
	}
	return path, splitGroups(groups), err
}

// PersonRef is a person as other rooms list them: who and where.
type PersonRef struct {
	ID, FullName, UnitPath string
	Key, Email             string
}

// PeopleIn lists the people under path, in any of groups when given, by
// unit and name. It is for other rooms' reports (a course assignment's
// compliance), which check the caller's rights and audit the reading
// themselves.
func (s *Service) PeopleIn(ctx context.Context, path string, groups []string) ([]PersonRef, error) {
	args := []any{s.DB.Dialect.PrefixPattern(path)}
	cond := ""
	if len(groups) > 0 {
		for _, g := range groups {
			args = append(args, g)
		}
		cond = ` AND p.id IN (SELECT person_id FROM person_groups WHERE grp IN (` + db.Numbered(2, len(groups)) + `))`
	}
	return db.Query(ctx, s.DB.R, func(r db.Scanner) (PersonRef, error) {
		var p PersonRef
		err := r.Scan(&p.ID, &p.FullName, &p.UnitPath, &p.Key, &p.Email)
		return p, err
	}, `SELECT p.id, p.full_name, p.unit_path, p.ext_key, p.email FROM people p WHERE `+s.DB.Dialect.PrefixMatch("p.unit_path", 1)+cond+` ORDER BY p.unit_path, p.name_fold`, args...)
}

// Contact is what a message to a person needs.
type Contact struct {
	ID, UnitPath, Email, Phone string
}

// EachPersonIn calls fn with the people under path (in any of groups when
// given), a batch at a time, so that a message to millions never holds
// them all. It walks unit by unit, each by id, so that every query uses
// an index and no batch sorts the whole subtree. It is for other rooms
// that checked the caller's rights when the work was asked for.
func (s *Service) EachPersonIn(ctx context.Context, path string, groups []string, batch int, fn func([]Contact) error) error {
	units, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, `SELECT u.id FROM units u WHERE `+s.DB.Dialect.PrefixMatch("u.path", 1)+` ORDER BY u.path`, s.DB.Dialect.PrefixPattern(path))
	if err != nil {
		return err
	}
	cond := ""
	if len(groups) > 0 {
		cond = ` AND p.id IN (SELECT person_id FROM person_groups WHERE grp IN (` + db.Numbered(4, len(groups)) + `))`
	}
	buf := make([]Contact, 0, batch)
	for _, unit := range units {
		after := ""
		for {
			args := []any{unit, after, batch}
			for _, g := range groups {
				args = append(args, g)
			}
			cs, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (Contact, error) {
				var c Contact
				err := r.Scan(&c.ID, &c.UnitPath, &c.Email, &c.Phone)
				return c, err
			}, `SELECT p.id, p.unit_path, p.email, p.phone FROM people p WHERE p.unit_id = $1 AND p.id > $2`+cond+` ORDER BY p.id LIMIT $3`, args...)
			if err != nil {
				return err
			}
			for _, c := range cs {
				buf = append(buf, c)
				if len(buf) == batch {
					if err := fn(buf); err != nil {
						return err
					}
					buf = buf[:0]
				}
			}
			if len(cs) < batch {
				break
			}
			after = cs[len(cs)-1].ID
		}
	}
	if len(buf) > 0 {
		return fn(buf)
	}
	return nil
}

// Contacts reads the contacts of people by id (missing ones left out).
func (s *Service) Contacts(ctx context.Context, ids []string) ([]Contact, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return db.Query(ctx, s.DB.R, func(r db.Scanner) (Contact, error) {
		var c Contact
		err := r.Scan(&c.ID, &c.UnitPath, &c.Email, &c.Phone)
		return c, err
	}, `SELECT p.id, p.unit_path, p.email, p.phone FROM people p WHERE p.id IN (`+db.Numbered(1, len(ids))+`)`, args...)
}

// PeopleMatching finds the records whose e-mail address or phone equals
// the given ones (each when not empty), or whose key is key: for a person
// claiming their own record (the caller checks that the contact is theirs).
func (s *Service) PeopleMatching(ctx context.Context, email, phone, key string) ([]PersonRef, error) {
	var conds []string
	var args []any
	add := func(cond, v string) {
		if v = strings.TrimSpace(v); v != "" {
			args = append(args, v)
			conds = append(conds, fmt.Sprintf(cond, len(args)))
		}
	}
	add("lower(p.email) = lower($%d)", email)
	add("p.phone = $%d", phone)
	add("p.ext_key = $%d", key)
	if len(conds) == 0 {
		return nil, nil
	}
	return db.Query(ctx, s.DB.R, func(r db.Scanner) (PersonRef, error) {
		var p PersonRef
		err := r.Scan(&p.ID, &p.FullName, &p.UnitPath, &p.Key, &p.Email)
		return p, err
	}, `SELECT p.id, p.full_name, p.unit_path, p.ext_key, p.email FROM people p WHERE `+strings.Join(conds, " OR ")+` LIMIT 10`, args...)
}

// PersonName is a record's full name, for other rooms' lists of requests
// about it (the caller checks who may see it).
func (s *Service) PersonName(ctx context.Context, id string) (string, error) {
	var name string
	err := s.DB.R.QueryRowContext(ctx, `SELECT full_name FROM people WHERE id = $1`, id).Scan(&name)
	return name, err
}

// SetGroup adds a person to a group or takes them out of it (trusted
// callers: a room whose records make someone part of a group, as
// membership of a community team does). Nothing changes when the person
// already is so.
func (s *Service) SetGroup(ctx context.Context, personID, group string, on bool) error {
	if !validGroup(group) {
		return fmt.Errorf("set group: no group %q", group)
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var groups string
		if err := tx.QueryRowContext(ctx, `SELECT groups FROM people WHERE id = $1`, personID).Scan(&groups); err != nil {
			return fmt.Errorf("set group of %s: %w", personID, err)
		}
		list := splitGroups(groups)
		if slices.Contains(list, group) == on {
			return nil
		}
		change := `DELETE FROM person_groups WHERE person_id = $1 AND grp = $2`
		if on {
			list = append(list, group)
			change = `INSERT INTO person_groups (person_id, grp) VALUES ($1, $2)`
		} else {
			list = slices.DeleteFunc(list, func(g string) bool { return g == group })
		}
		if _, err := tx.ExecContext(ctx, `UPDATE people SET groups = $1, updated_at = $2 WHERE id = $3`, strings.Join(list, ","), db.Now(), personID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, change, personID, group)
		return err
	})
}

// PersonNames returns the names of people by id (trusted callers: a room
// showing the names of people it links to, such as a team's members).
func (s *Service) PersonNames(ctx context.Context, ids []string) (map[string]string, error) {
	return s.peopleColumn(ctx, "full_name", ids)
}

// PersonKeys returns the import keys of people by id (trusted callers: a
// room exporting the people it links to in a sheet that goes back in).
func (s *Service) PersonKeys(ctx context.Context, ids []string) (map[string]string, error) {
	return s.peopleColumn(ctx, "ext_key", ids)
}

// peopleColumn reads one column of people by id, 500 ids a query.
func (s *Service) peopleColumn(ctx context.Context, col string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		err := db.Each(ctx, s.DB.R, func(r db.Scanner) error {
			var id, v string
			if err := r.Scan(&id, &v); err != nil {
				return err
			}
			out[id] = v
			return nil
		}, `SELECT id, `+col+` FROM people WHERE id IN (`+db.Numbered(1, n)+`)`, args...)
		if err != nil {
			return nil, err
		}
		ids = ids[n:]
	}
	return out, nil
}

// PersonIDByKey returns the id of the person with an import key, for
// linking an account to its person record (trusted callers only).
func (s *Service) PersonIDByKey(ctx context.Context, key string) (string, error) {
	var id string
	err := s.DB.R.QueryRowContext(ctx, `SELECT id FROM people WHERE ext_key = $1`, strings.TrimSpace(key)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.Field("person", "org.person_not_found", key)
	}
	return id, err
}

// peopleHeader returns the spreadsheet header in lang; imports accept both.
func peopleHeader(lang i18n.Lang) []string {
	out := make([]string, len(peopleFields))
	for i, f := range peopleFields {
		out[i] = f.Name
		if lang == i18n.VI {
			out[i] = f.Aliases[0]
		}
	}
	return out
}

// ExportPeople writes the people in the viewer's scope in the import
// format. The export is audited.
func (s *Service) ExportPeople(ctx context.Context, w io.Writer, format tabular.Format, f PeopleFilter, lang i18n.Lang, ip string) error {
	p, scopes, err := auth.RequireScopes(ctx, auth.ExportPeople)
	if err != nil {
		return err
	}
	where, args, _, err := s.peopleWhere(ctx, p, scopes, f, auth.ExportPeople)
	if err != nil {
		return err
	}
	var out [][]string
	err = db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		per, err := scanPerson(r)
		if err != nil {
			return err
		}
		labels := make([]string, len(per.Groups))
		for i, g := range per.Groups {
			labels[i] = i18n.T(lang, "group."+g)
		}
		out = append(out, []string{per.Key, per.FullName, per.BirthDate, per.UnitCode, per.Position, strings.Join(per.Groups, ";"), per.Email, per.Phone, strings.Join(labels, "; ")})
		return nil
	}, `SELECT `+personCols+` FROM people p JOIN units u ON u.id = p.unit_id WHERE `+where+` ORDER BY p.unit_path, p.name_fold, p.id`, args...)
	if err != nil {
		return fmt.Errorf("export people: %w", err)
	}
	if err := s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: audit.ExportPeople, ObjectType: "people",
		UnitPath: s.auditScope(ctx, scopes, f), Detail: fmt.Sprintf("format=%s unit=%s group=%s rows=%d", format, f.UnitCode, f.Group, len(out)), IP: ip}); err != nil {
		return err
	}
	// The import's columns, then the groups' names for people to read
	// (an import ignores that column); birth dates as date cells.
	header := append(peopleHeader(lang), i18n.T(lang, "people.group_names"))
	return tabular.Write(w, format, i18n.T(lang, "people.sheet"), header, out, tabular.Dates(2))
}
