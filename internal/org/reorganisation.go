package org

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/tabular"
	"dxhub/internal/platform/textfold"
)

// A reorganisation file lists, one row per unit before a reorganisation,
// the unit it became part of: old_code, old_name, successor_code,
// successor_name, effective, basis (as ../shared/data's
// province-merges-2025.csv, Resolution 202/2025/QH15 for the provinces).
// Recording it keeps every old unit findable by its old name and makes
// what was recorded against it roll up into its successor.

// ReorganisationResult counts what an import did.
type ReorganisationResult struct {
	Merged    int `json:"merged"`    // old units recorded and merged into their successor
	Renamed   int `json:"renamed"`   // names recorded as former names of the same unit
	Unchanged int `json:"unchanged"` // rows whose unit continues under its code and name
	Already   int `json:"already"`   // rows recorded before (an import may be repeated)
}

var reorganisationFields = []tabular.Field{
	{Name: "old_code", Aliases: []string{"mã cũ"}, Required: true},
	{Name: "old_name", Aliases: []string{"tên cũ"}, Required: true},
	{Name: "successor_code", Aliases: []string{"mã đơn vị kế thừa", "mã mới"}, Required: true},
	{Name: "successor_name", Aliases: []string{"tên đơn vị kế thừa", "tên mới"}},
	{Name: "effective", Aliases: []string{"hiệu lực", "ngày hiệu lực"}, Required: true},
	{Name: "basis", Aliases: []string{"căn cứ", "ghi chú"}},
}

func rowError(line int, column, key string, args ...any) error {
	var e tabular.ImportError
	e.Add(line, column, key, args...)
	return &e
}

// maxReorganisationRows bounds a file: the provinces' reform has 63 rows,
// a communes' file a few thousand.
const maxReorganisationRows = 20000

// FormerCodeSuffix marks the code of an old unit whose code was given to
// another unit by the same reorganisation: old Yên Bái (15) is "15-2025",
// since "15" now names the new Lào Cai.
const FormerCodeSuffix = "-2025"

// RecordReorganisation records a reorganisation file whole or not at all;
// it needs EditUnits over every successor. An old unit that is not in the
// tree is added as a unit dissolved into its successor on the effective
// date (under its old code, or the code with FormerCodeSuffix when that
// code passed to another unit); one still live is merged; a unit that
// kept its code under another name (Thừa Thiên Huế → Huế) gets its old
// name recorded as a rename. Running it again changes nothing.
func (s *Service) RecordReorganisation(ctx context.Context, r io.Reader, resolution string) (*ReorganisationResult, error) {
	defer s.invalidateIndex()
	t, err := tabular.Read(r)
	if err != nil {
		return nil, err
	}
	if len(t.Rows) > maxReorganisationRows {
		return nil, errs.Field("file", "import.too_many_rows", maxReorganisationRows)
	}
	cols, err := t.Columns(reorganisationFields)
	if err != nil {
		return nil, err
	}
	res := &ReorganisationResult{}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		nation, err := s.unitByCode(ctx, tx, NationCode)
		if err != nil {
			return err
		}
		for i := range t.Rows {
			line := t.Lines[i]
			get := func(f string) string { return t.Cell(cols, i, f) }
			oldCode, oldName, succCode, eff := get("old_code"), textfold.ClassicTones(textfold.NFC(get("old_name"))), get("successor_code"), get("effective")
			basis := strings.ToLower(get("basis"))
			if oldCode == "" || oldName == "" || strings.ContainsAny(oldCode, " /") || len(oldCode) > 24 {
				return rowError(line, "old_code", "org.bad_code", oldCode)
			}
			if !validDate(eff) {
				return rowError(line, "effective", "org.bad_date", eff)
			}
			succ, err := s.unitByCode(ctx, tx, succCode)
			if err != nil || !succ.Live() {
				return rowError(line, "successor_code", "org.unit_not_found", succCode)
			}
			if _, err := auth.Authorize(ctx, auth.EditUnits, succ.Path); err != nil {
				return err
			}
			sameName := textfold.Fold(oldName) == textfold.Fold(succ.NameVI)
			if strings.HasPrefix(basis, "unchanged") || (oldCode == succ.Code && sameName) {
				if sameName {
					res.Unchanged++
					continue
				}
				done, err := s.renameRecorded(ctx, tx, succ.ID, oldName)
				if err != nil {
					return err
				}
				if done {
					res.Already++
					continue
				}
				ev := &Event{ID: db.NewID(), Kind: EventRename, Effective: eff, Resolution: resolution, Note: get("basis"),
					Parts: []EventPart{{FromID: succ.ID, ToID: succ.ID, OldName: oldName, NewName: succ.NameVI}}}
				if err := recordEvent(ctx, tx, ev); err != nil {
					return err
				}
				res.Renamed++
				continue
			}
			old, err := s.formerUnit(ctx, tx, oldCode, oldName, succ)
			if err != nil {
				return rowError(line, "old_code", "org.former_conflict", oldCode)
			}
			if old != nil && !old.Live() {
				res.Already++
				continue
			}
			if old == nil {
				code := oldCode
				if taken, err := s.codeTaken(ctx, tx, code); err != nil {
					return err
				} else if taken {
					code += FormerCodeSuffix
				}
				en := englishName(oldName)
				n := NewUnit{Code: code, Type: succ.Type, NameVI: oldName, FullNameVI: "Tỉnh " + oldName, NameEN: en, FullNameEN: en + " Province", ParentCode: NationCode, ValidFrom: ""}
				if succ.Type != TypeProvince {
					n.FullNameVI, n.FullNameEN = oldName, en
				}
				if old, err = s.insertUnit(ctx, tx, n, nation); err != nil {
					return rowError(line, "old_code", "org.former_conflict", oldCode)
				}
			}
			if err := s.dissolve(ctx, tx, old, succ, eff); err != nil {
				return err
			}
			ev := &Event{ID: db.NewID(), Kind: EventMerge, Effective: eff, Resolution: resolution, Note: get("basis"), Parts: []EventPart{{FromID: old.ID, ToID: succ.ID}}}
			if err := recordEvent(ctx, tx, ev); err != nil {
				return err
			}
			res.Merged++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// formerUnit finds the unit recorded for an old unit: one with its code
// (or the code with FormerCodeSuffix) and its name; nil when there is
// none; an error when the code belongs to another unit by another name
// that is not the successor.
func (s *Service) formerUnit(ctx context.Context, tx querier, code, name string, succ *Unit) (*Unit, error) {
	for _, c := range []string{code, code + FormerCodeSuffix} {
		us, err := s.queryUnits(ctx, tx, `SELECT `+unitCols+` FROM units u WHERE u.code = $1`, c)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			if textfold.Fold(u.NameVI) == textfold.Fold(name) && u.ID != succ.ID {
				return u, nil
			}
		}
	}
	return nil, nil
}

func (s *Service) codeTaken(ctx context.Context, tx querier, code string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM units WHERE code = $1`, code).Scan(&n)
	return n > 0, err
}

func (s *Service) renameRecorded(ctx context.Context, tx querier, unitID, oldName string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM unit_event_parts WHERE from_unit_id = $1 AND old_name_vi = $2`, unitID, oldName).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return n > 0, err
}

// englishName writes a Vietnamese name without marks, as the English
// names of units are written ("Bình Phước" → "Binh Phuoc").
func englishName(vi string) string {
	var b strings.Builder
	for i, w := range strings.Fields(vi) {
		if i > 0 {
			b.WriteByte(' ')
		}
		f := textfold.Fold(w)
		if f == "" {
			continue
		}
		b.WriteString(strings.ToUpper(f[:1]) + f[1:])
	}
	return b.String()
}
