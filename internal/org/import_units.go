package org

import (
	"context"
	"database/sql"
	"io"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/tabular"
)

// unitFields are the columns of units.csv (shared/data/vn-admin-units), plus
// optional type, valid_from and classes for units that are not territorial.
var unitFields = []tabular.Field{
	{Name: "code", Aliases: []string{"mã", "ma don vi"}, Required: true},
	{Name: "parent_code", Aliases: []string{"mã cấp trên"}},
	{Name: "level", Aliases: []string{"cấp"}},
	{Name: "kind", Aliases: []string{"loại hình"}},
	{Name: "type", Aliases: []string{"loại"}},
	{Name: "name", Aliases: []string{"tên", "name_vi"}, Required: true},
	{Name: "full_name", Aliases: []string{"tên đầy đủ", "full_name_vi"}},
	{Name: "name_en"},
	{Name: "full_name_en"},
	{Name: "valid_from", Aliases: []string{"hiệu lực từ"}},
	{Name: "classes", Aliases: []string{"phân loại"}},
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// ImportUnits reads units (the units.csv format) and creates or updates
// them by code, all or nothing. A row without parent_code hangs under the
// nation. The caller needs EditUnits on every parent.
func (s *Service) ImportUnits(ctx context.Context, r io.Reader) (*ImportResult, error) {
	defer s.invalidateIndex()
	t, err := tabular.Read(r)
	if err != nil {
		return nil, err
	}
	cols, err := t.Columns(unitFields)
	if err != nil {
		return nil, err
	}
	type row struct {
		line int
		n    NewUnit
	}
	var bad tabular.ImportError
	rows := make([]row, 0, len(t.Rows))
	seen := map[string]int{}
	for i := range t.Rows {
		line := t.Lines[i]
		cell := func(f string) string { return t.Cell(cols, i, f) }
		n := NewUnit{Code: cell("code"), NameVI: cell("name"), FullNameVI: cell("full_name"), NameEN: cell("name_en"), FullNameEN: cell("full_name_en"),
			ParentCode: cell("parent_code"), ValidFrom: cell("valid_from"), Type: cell("type")}
		if n.Type == "" {
			n.Type = typeFromLevel(cell("level"), cell("kind"))
		}
		if c := cell("classes"); c != "" {
			n.Classes = strings.FieldsFunc(c, func(r rune) bool { return r == ';' || r == ',' })
		}
		if n.ParentCode == "" && n.Type != TypeNation {
			n.ParentCode = NationCode
		}
		if err := n.Validate(); err != nil {
			e, _ := errs.As(err)
			bad.Add(line, e.Field, e.Key, e.Args...)
			continue
		}
		if prev, dup := seen[n.Code]; dup {
			bad.Add(line, "code", "import.duplicate_key", prev)
			continue
		}
		seen[n.Code] = line
		rows = append(rows, row{line, n})
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	res := &ImportResult{}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.ensureNation(ctx, tx); err != nil {
			return err
		}
		known := map[string]*Unit{}
		lookup := func(code string) *Unit {
			if u, ok := known[code]; ok {
				return u
			}
			u, err := s.unitByCode(ctx, tx, code)
			if err != nil || !u.Live() {
				return nil
			}
			known[code] = u
			return u
		}
		// Parents may come after their children in the file: place rows in
		// rounds until no row can be placed.
		pending := rows
		for len(pending) > 0 {
			var later []row
			for _, r := range pending {
				parent := lookup(r.n.ParentCode)
				if parent == nil {
					if _, inFile := seen[r.n.ParentCode]; inFile {
						later = append(later, r)
						continue
					}
					bad.Add(r.line, "parent_code", "org.unit_not_found", r.n.ParentCode)
					continue
				}
				if _, err := auth.Authorize(ctx, auth.EditUnits, parent.Path); err != nil {
					bad.Add(r.line, "parent_code", "error.forbidden")
					continue
				}
				if old := lookup(r.n.Code); old != nil {
					// Rights on the unit as stored, not only on where it goes.
					if _, err := auth.Authorize(ctx, auth.EditUnits, old.Path); err != nil {
						bad.Add(r.line, "code", "error.forbidden")
						continue
					}
					if err := s.updateUnit(ctx, tx, old, r.n, parent); err != nil {
						return err
					}
					res.Updated++
				} else {
					u, err := s.insertUnit(ctx, tx, r.n, parent)
					if err != nil {
						return err
					}
					known[u.Code] = u
					res.Created++
				}
			}
			if len(later) == len(pending) {
				for _, r := range later {
					bad.Add(r.line, "parent_code", "org.parent_cycle", r.n.ParentCode)
				}
				break
			}
			pending = later
		}
		return bad.Err()
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func typeFromLevel(level, kind string) string {
	switch strings.ToLower(level) {
	case "province":
		return TypeProvince
	case "commune":
		return TypeCommune
	case "nation":
		return TypeNation
	}
	return ""
}

func (s *Service) updateUnit(ctx context.Context, tx querier, old *Unit, n NewUnit, parent *Unit) error {
	u := *old
	u.Type, u.NameVI, u.NameEN, u.FullNameVI, u.FullNameEN = n.Type, n.NameVI, n.NameEN, n.FullNameVI, n.FullNameEN
	if _, err := tx.ExecContext(ctx, `UPDATE units SET type = $1, name_vi = $2, name_en = $3, full_name_vi = $4, full_name_en = $5, updated_at = $6 WHERE id = $7`,
		u.Type, u.NameVI, u.NameEN, u.FullNameVI, u.FullNameEN, db.Now(), u.ID); err != nil {
		return err
	}
	if old.ParentID != parent.ID {
		if strings.HasPrefix(parent.Path, old.Path) {
			return errs.Field("parent_code", "org.parent_cycle", parent.Code)
		}
		eff := n.ValidFrom
		if _, err := tx.ExecContext(ctx, `UPDATE unit_links SET valid_to = $1 WHERE unit_id = $2 AND valid_to = ''`, eff, u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO unit_links (unit_id, parent_id, valid_from) VALUES ($1, $2, $3) ON CONFLICT (unit_id, valid_from) DO UPDATE SET parent_id = $2, valid_to = ''`, u.ID, parent.ID, eff); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE units SET parent_id = $1 WHERE id = $2`, parent.ID, u.ID); err != nil {
			return err
		}
		if err := s.repath(ctx, tx, old.Path, parent.Path+u.ID+"/", parent.Depth+1-old.Depth); err != nil {
			return err
		}
	}
	if n.Classes == nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM unit_classes WHERE unit_id = $1`, u.ID); err != nil {
		return err
	}
	for _, c := range n.Classes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO unit_classes (unit_id, class) VALUES ($1, $2)`, u.ID, strings.TrimSpace(c)); err != nil {
			return err
		}
	}
	return nil
}

// EnsureNation creates the root unit (Việt Nam) if it is missing.
func (s *Service) EnsureNation(ctx context.Context) (*Unit, error) {
	defer s.invalidateIndex()
	var u *Unit
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = s.ensureNation(ctx, tx)
		return err
	})
	return u, err
}

func (s *Service) ensureNation(ctx context.Context, tx querier) (*Unit, error) {
	if u, err := s.unitByCode(ctx, tx, NationCode); err == nil {
		return u, nil
	}
	return s.insertUnit(ctx, tx, NewUnit{Code: NationCode, Type: TypeNation, NameVI: "Việt Nam", NameEN: "Viet Nam",
		FullNameVI: "Nước Cộng hòa xã hội chủ nghĩa Việt Nam", FullNameEN: "Socialist Republic of Viet Nam"}, nil)
}
