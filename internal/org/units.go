package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/textfold"
)

const unitCols = `u.id, u.code, u.type, u.name_vi, u.name_en, u.full_name_vi, u.full_name_en, COALESCE(u.parent_id, ''),
	COALESCE((SELECT p.code FROM units p WHERE p.id = u.parent_id), ''), u.path, u.depth, u.valid_from, u.valid_to, COALESCE(u.successor_id, '')`

type scanner = db.Scanner

func scanUnit(s scanner) (*Unit, error) {
	var u Unit
	err := s.Scan(&u.ID, &u.Code, &u.Type, &u.NameVI, &u.NameEN, &u.FullNameVI, &u.FullNameEN, &u.ParentID, &u.ParentCode, &u.Path, &u.Depth, &u.ValidFrom, &u.ValidTo, &u.SuccessorID)
	return &u, err
}

func (s *Service) queryUnits(ctx context.Context, q querier, sqlText string, args ...any) ([]*Unit, error) {
	return db.Query(ctx, q, scanUnit, sqlText, args...)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// UnitByCode returns the live unit with this code, or else the most recent
// dissolved one that had it ("70" finds old Bình Phước).
func (s *Service) UnitByCode(ctx context.Context, code string) (*Unit, error) {
	return s.unitByCode(ctx, s.DB.R, code)
}

func (s *Service) unitByCode(ctx context.Context, q querier, code string) (*Unit, error) {
	u, err := scanUnit(q.QueryRowContext(ctx, `SELECT `+unitCols+` FROM units u WHERE u.code = $1 ORDER BY u.valid_to = '' DESC, u.valid_to DESC LIMIT 1`, strings.TrimSpace(code)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "org.unit_not_found", code)
	}
	if err != nil {
		return nil, fmt.Errorf("unit %s: %w", code, err)
	}
	return u, s.loadClasses(ctx, q, u)
}

// UnitByID returns one unit.
func (s *Service) UnitByID(ctx context.Context, id string) (*Unit, error) {
	u, err := scanUnit(s.DB.R.QueryRowContext(ctx, `SELECT `+unitCols+` FROM units u WHERE u.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "org.unit_not_found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("unit %s: %w", id, err)
	}
	return u, s.loadClasses(ctx, s.DB.R, u)
}

func (s *Service) loadClasses(ctx context.Context, q querier, u *Unit) error {
	classes, err := db.Strings(ctx, q, `SELECT class FROM unit_classes WHERE unit_id = $1 ORDER BY class`, u.ID)
	u.Classes = append(u.Classes, classes...)
	return err
}

// Nation returns the root unit.
func (s *Service) Nation(ctx context.Context) (*Unit, error) { return s.UnitByCode(ctx, NationCode) }

// Children returns the children of unit id as of a date ('YYYY-MM-DD');
// an empty date means today's tree.
func (s *Service) Children(ctx context.Context, id, asOf string) ([]*Unit, error) {
	if asOf == "" {
		return s.queryUnits(ctx, s.DB.R, `SELECT `+unitCols+` FROM units u WHERE u.parent_id = $1 AND u.valid_to = '' ORDER BY u.code`, id)
	}
	if !validDate(asOf) {
		return nil, errs.Field("as_of", "org.bad_date", asOf)
	}
	return s.queryUnits(ctx, s.DB.R, `SELECT `+unitCols+` FROM units u JOIN unit_links l ON l.unit_id = u.id
		WHERE l.parent_id = $1 AND l.valid_from <= $2 AND (l.valid_to = '' OR l.valid_to > $2)
		AND u.valid_from <= $2 AND (u.valid_to = '' OR u.valid_to > $2) ORDER BY u.code`, id, asOf)
}

// Ancestors returns the units on u's roll-up path, root first, u excluded.
func (s *Service) Ancestors(ctx context.Context, u *Unit) ([]*Unit, error) {
	ids := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(ids) <= 1 {
		return nil, nil
	}
	ids = ids[:len(ids)-1]
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return s.queryUnits(ctx, s.DB.R, `SELECT `+unitCols+` FROM units u WHERE u.id IN (`+db.Numbered(1, len(ids))+`) ORDER BY u.depth`, args...)
}

// Successors returns the live units that unit id's data now rolls up into,
// following merges and splits forward in time.
func (s *Service) Successors(ctx context.Context, id string) ([]*Unit, error) {
	seen := map[string]bool{id: true}
	frontier := []string{id}
	var live []*Unit
	for len(frontier) > 0 {
		next := []string{}
		for _, f := range frontier {
			u, err := s.UnitByID(ctx, f)
			if err != nil {
				return nil, err
			}
			if u.Live() {
				if f != id {
					live = append(live, u)
				}
				continue
			}
			tos, err := db.Strings(ctx, s.DB.R, `SELECT DISTINCT to_unit_id FROM unit_event_parts WHERE from_unit_id = $1 AND to_unit_id <> from_unit_id`, f)
			if err != nil {
				return nil, err
			}
			for _, t := range tos {
				if !seen[t] {
					seen[t] = true
					next = append(next, t)
				}
			}
		}
		frontier = next
	}
	return live, nil
}

// EverRolledInto returns every unit, live or dissolved, whose data has at
// any time rolled up into unit id: its subtree today (merged units hang
// there), and every unit that was ever linked below it.
func (s *Service) EverRolledInto(ctx context.Context, id string) ([]*Unit, error) {
	root, err := s.UnitByID(ctx, id)
	if err != nil {
		return nil, err
	}
	found := map[string]bool{}
	var out []*Unit
	add := func(us []*Unit) []string {
		var ids []string
		for _, u := range us {
			if !found[u.ID] {
				found[u.ID] = true
				out = append(out, u)
				ids = append(ids, u.ID)
			}
		}
		return ids
	}
	sub, err := s.queryUnits(ctx, s.DB.R, `SELECT `+unitCols+` FROM units u WHERE `+s.DB.Dialect.PrefixMatch("u.path", 1)+` AND u.id <> $2`,
		s.DB.Dialect.PrefixPattern(root.Path), root.ID)
	if err != nil {
		return nil, err
	}
	add(sub)
	frontier := []string{root.ID}
	for len(frontier) > 0 {
		var next []string
		for _, f := range frontier {
			kids, err := s.queryUnits(ctx, s.DB.R, `SELECT `+unitCols+` FROM units u JOIN unit_links l ON l.unit_id = u.id WHERE l.parent_id = $1`, f)
			if err != nil {
				return nil, err
			}
			next = append(next, add(kids)...)
		}
		frontier = next
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// RespellNames writes every unit's Vietnamese names with dxhub's one
// spelling of tone marks (textfold.ClassicTones), for trees imported
// before names were respelt on the way in. It changes only the names that
// differ and is safe to run at every start.
func (s *Service) RespellNames(ctx context.Context) (int, error) {
	type fix struct{ id, name, full string }
	var fixes []fix
	err := db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var f fix
		if err := r.Scan(&f.id, &f.name, &f.full); err != nil {
			return err
		}
		if n, fl := textfold.ClassicTones(f.name), textfold.ClassicTones(f.full); n != f.name || fl != f.full {
			fixes = append(fixes, fix{f.id, n, fl})
		}
		return nil
	}, `SELECT id, name_vi, full_name_vi FROM units`)
	if err != nil || len(fixes) == 0 {
		return 0, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, f := range fixes {
			if _, err := tx.ExecContext(ctx, `UPDATE units SET name_vi = $1, full_name_vi = $2, updated_at = $4 WHERE id = $3`, f.name, f.full, f.id, db.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.invalidateIndex()
	}
	return len(fixes), err
}

// Stats counts live units by type.
func (s *Service) Stats(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	return out, db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var t string
		var n int
		err := r.Scan(&t, &n)
		out[t] = n
		return err
	}, `SELECT type, COUNT(*) FROM units WHERE valid_to = '' GROUP BY type`)
}

// PeopleCount counts the people in u's subtree (merged units included).
func (s *Service) PeopleCount(ctx context.Context, u *Unit) (int, error) {
	var n int
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE `+s.DB.Dialect.PrefixMatch("unit_path", 1), s.DB.Dialect.PrefixPattern(u.Path)).Scan(&n)
	return n, err
}

// Events returns the resolutions that touched unit id, oldest first.
func (s *Service) Events(ctx context.Context, id string) ([]Event, error) {
	var out []Event
	err := db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var e Event
		var p EventPart
		if err := r.Scan(&e.ID, &e.Kind, &e.Effective, &e.Resolution, &e.Note, &p.FromID, &p.FromCode, &p.FromName, &p.ToID, &p.ToCode, &p.ToName,
			&p.OldCode, &p.NewCode, &p.OldName, &p.NewName); err != nil {
			return err
		}
		if n := len(out); n > 0 && out[n-1].ID == e.ID {
			out[n-1].Parts = append(out[n-1].Parts, p)
			return nil
		}
		e.Parts = []EventPart{p}
		out = append(out, e)
		return nil
	}, `SELECT e.id, e.kind, e.effective, e.resolution, e.note, p.from_unit_id, f.code, f.name_vi, p.to_unit_id, t.code, t.name_vi,
		p.old_code, p.new_code, p.old_name_vi, p.new_name_vi
		FROM unit_events e JOIN unit_event_parts p ON p.event_id = e.id JOIN units f ON f.id = p.from_unit_id JOIN units t ON t.id = p.to_unit_id
		WHERE e.id IN (SELECT event_id FROM unit_event_parts WHERE from_unit_id = $1 OR to_unit_id = $1)
		ORDER BY e.effective, e.id, p.seq`, id)
	if err != nil {
		return nil, fmt.Errorf("events of %s: %w", id, err)
	}
	return out, nil
}

func validDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i, c := range s {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return false
		}
	}
	return s[5:7] >= "01" && s[5:7] <= "12" && s[8:] >= "01" && s[8:] <= "31"
}

// NewUnit is the input to CreateUnit (and the body of POST /api/v1/units).
type NewUnit struct {
	Code       string   `json:"code"`
	Type       string   `json:"type"`
	NameVI     string   `json:"name_vi"`
	NameEN     string   `json:"name_en"`
	FullNameVI string   `json:"full_name_vi"`
	FullNameEN string   `json:"full_name_en"`
	ParentCode string   `json:"parent_code"`
	ValidFrom  string   `json:"valid_from"`
	Classes    []string `json:"classes"`
}

// Validate checks a new unit.
func (n *NewUnit) Validate() error {
	n.Code = strings.TrimSpace(n.Code)
	// One spelling of tone marks for display (Hòa, not Hoà); search
	// folds marks, so names typed either way still find the unit.
	n.NameVI = textfold.ClassicTones(textfold.NFC(strings.TrimSpace(n.NameVI)))
	n.NameEN = strings.TrimSpace(n.NameEN)
	n.FullNameVI = textfold.ClassicTones(textfold.NFC(strings.TrimSpace(n.FullNameVI)))
	n.FullNameEN = strings.TrimSpace(n.FullNameEN)
	if n.Code == "" || len(n.Code) > 32 || strings.ContainsAny(n.Code, " /") {
		return errs.Field("code", "org.bad_code", n.Code)
	}
	if !validType(n.Type) {
		return errs.Field("type", "org.bad_type", n.Type)
	}
	if n.NameVI == "" {
		return errs.Field("name_vi", "org.name_required")
	}
	if n.ValidFrom != "" && !validDate(n.ValidFrom) {
		return errs.Field("valid_from", "org.bad_date", n.ValidFrom)
	}
	return nil
}

func validType(t string) bool {
	for _, x := range UnitTypes {
		if x == t {
			return true
		}
	}
	return false
}

// CreateUnit adds a unit under its parent; the caller needs EditUnits on
// the parent.
func (s *Service) CreateUnit(ctx context.Context, n NewUnit) (*Unit, error) {
	defer s.invalidateIndex()
	if err := n.Validate(); err != nil {
		return nil, err
	}
	parent, err := s.UnitByCode(ctx, n.ParentCode)
	if err != nil {
		return nil, errs.Field("parent_code", "org.unit_not_found", n.ParentCode)
	}
	if _, err := auth.Authorize(ctx, auth.EditUnits, parent.Path); err != nil {
		return nil, err
	}
	var u *Unit
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = s.insertUnit(ctx, tx, n, parent)
		return err
	})
	return u, err
}

func (s *Service) insertUnit(ctx context.Context, tx querier, n NewUnit, parent *Unit) (*Unit, error) {
	// A code names one unit for ever: the code of a dissolved unit still
	// finds it (its history, its targets), so only a re-code event may
	// give it to another unit.
	var dup int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM units WHERE code = $1`, n.Code).Scan(&dup); err != nil {
		return nil, err
	}
	if dup > 0 {
		return nil, errs.Field("code", "org.code_taken", n.Code)
	}
	u := &Unit{ID: db.NewID(), Code: n.Code, Type: n.Type, NameVI: n.NameVI, NameEN: n.NameEN, FullNameVI: n.FullNameVI, FullNameEN: n.FullNameEN, ValidFrom: n.ValidFrom, Classes: n.Classes}
	var parentID any
	u.Path, u.Depth = "/"+u.ID+"/", 1
	if parent != nil {
		parentID, u.ParentID, u.ParentCode = parent.ID, parent.ID, parent.Code
		u.Path, u.Depth = parent.Path+u.ID+"/", parent.Depth+1
	}
	now := db.Now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO units (id, code, type, name_vi, name_en, full_name_vi, full_name_en, parent_id, path, depth, valid_from, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
		u.ID, u.Code, u.Type, u.NameVI, u.NameEN, u.FullNameVI, u.FullNameEN, parentID, u.Path, u.Depth, u.ValidFrom, now); err != nil {
		return nil, fmt.Errorf("insert unit %s: %w", u.Code, err)
	}
	if parent != nil {
		if _, err := tx.ExecContext(ctx, `INSERT INTO unit_links (unit_id, parent_id, valid_from) VALUES ($1, $2, $3)`, u.ID, parent.ID, u.ValidFrom); err != nil {
			return nil, err
		}
	}
	for _, c := range n.Classes {
		if c = strings.TrimSpace(c); c != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO unit_classes (unit_id, class) VALUES ($1, $2)`, u.ID, c); err != nil {
				return nil, err
			}
		}
	}
	return u, nil
}
