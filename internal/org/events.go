package org

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/textfold"
)

// Change is the input to a change by resolution.
type Change struct {
	Kind       string   // merge, split, rename, recode
	From       []string // codes of the units before (merge: several; others: one)
	Into       []string // codes after (merge: one; split: several, already created)
	NewCode    string   // recode
	NewNameVI  string   // rename
	NewNameEN  string
	Effective  string // YYYY-MM-DD
	Resolution string // the resolution's number, e.g. "202/2025/QH15"
	Note       string
}

// ApplyChange records a change by resolution and reshapes the tree. The
// caller needs EditUnits on every unit involved. Everything happens in one
// transaction: a change applies whole or not at all.
func (s *Service) ApplyChange(ctx context.Context, c Change) (*Event, error) {
	defer s.invalidateIndex()
	if !validDate(c.Effective) {
		return nil, errs.Field("effective", "org.bad_date", c.Effective)
	}
	c.Resolution = strings.TrimSpace(c.Resolution)
	var ev *Event
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		from, err := s.liveUnits(ctx, tx, "from", c.From)
		if err != nil {
			return err
		}
		into, err := s.liveUnits(ctx, tx, "into", c.Into)
		if err != nil {
			return err
		}
		for _, u := range append(append([]*Unit{}, from...), into...) {
			if _, err := auth.Authorize(ctx, auth.EditUnits, u.Path); err != nil {
				return err
			}
		}
		ev = &Event{ID: db.NewID(), Kind: c.Kind, Effective: c.Effective, Resolution: c.Resolution, Note: c.Note}
		switch c.Kind {
		case EventMerge:
			if len(from) == 0 || len(into) != 1 {
				return errs.Field("into", "org.merge_shape")
			}
			for _, f := range from {
				if f.ID == into[0].ID || strings.HasPrefix(into[0].Path, f.Path) {
					return errs.Field("into", "org.merge_into_self", f.Code)
				}
				if err := s.dissolve(ctx, tx, f, into[0], c.Effective); err != nil {
					return err
				}
				ev.Parts = append(ev.Parts, EventPart{FromID: f.ID, ToID: into[0].ID})
			}
		case EventSplit:
			if len(from) != 1 || len(into) < 2 {
				return errs.Field("into", "org.split_shape")
			}
			if err := s.dissolve(ctx, tx, from[0], into[0], c.Effective); err != nil {
				return err
			}
			for _, t := range into {
				ev.Parts = append(ev.Parts, EventPart{FromID: from[0].ID, ToID: t.ID})
			}
		case EventRename:
			if len(from) != 1 {
				return errs.Field("from", "org.one_unit")
			}
			u := from[0]
			name := textfold.ClassicTones(textfold.NFC(strings.TrimSpace(c.NewNameVI)))
			if name == "" {
				return errs.Field("new_name_vi", "org.name_required")
			}
			p := EventPart{FromID: u.ID, ToID: u.ID, OldName: u.NameVI, NewName: name}
			full := u.FullNameVI
			if full != "" {
				full = strings.Replace(full, u.NameVI, name, 1)
			}
			u.NameVI, u.FullNameVI = name, full
			if en := strings.TrimSpace(c.NewNameEN); en != "" {
				u.FullNameEN = strings.Replace(u.FullNameEN, u.NameEN, en, 1)
				u.NameEN = en
			}
			if _, err := tx.ExecContext(ctx, `UPDATE units SET name_vi = $1, full_name_vi = $2, name_en = $3, full_name_en = $4, updated_at = $5 WHERE id = $6`,
				u.NameVI, u.FullNameVI, u.NameEN, u.FullNameEN, db.Now(), u.ID); err != nil {
				return err
			}
			ev.Parts = append(ev.Parts, p)
		case EventRecode:
			if len(from) != 1 {
				return errs.Field("from", "org.one_unit")
			}
			code := strings.TrimSpace(c.NewCode)
			if code == "" || len(code) > 32 || strings.ContainsAny(code, " /") {
				return errs.Field("new_code", "org.bad_code", code)
			}
			holders, err := s.queryUnits(ctx, tx, `SELECT `+unitCols+` FROM units u WHERE u.code = $1`, code)
			if err != nil {
				return err
			}
			for _, h := range holders {
				if h.ValidTo == "" {
					return errs.Field("new_code", "org.code_taken", code)
				}
				// Taking the code of a dissolved unit needs rights on it too.
				if _, err := auth.Authorize(ctx, auth.EditUnits, h.Path); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE units SET code = $1, updated_at = $2 WHERE id = $3`, code, db.Now(), from[0].ID); err != nil {
				return err
			}
			ev.Parts = append(ev.Parts, EventPart{FromID: from[0].ID, ToID: from[0].ID, OldCode: from[0].Code, NewCode: code})
		default:
			return errs.Field("kind", "org.bad_event", c.Kind)
		}
		return recordEvent(ctx, tx, ev)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Kind, err)
	}
	return ev, nil
}

// recordEvent stores an event and its parts.
func recordEvent(ctx context.Context, tx querier, ev *Event) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO unit_events (id, kind, effective, resolution, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		ev.ID, ev.Kind, ev.Effective, ev.Resolution, ev.Note, actorID(ctx), db.Now()); err != nil {
		return err
	}
	for i, p := range ev.Parts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO unit_event_parts (event_id, seq, from_unit_id, to_unit_id, old_code, new_code, old_name_vi, new_name_vi)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, ev.ID, i, p.FromID, p.ToID, p.OldCode, p.NewCode, p.OldName, p.NewName); err != nil {
			return err
		}
	}
	return nil
}

func actorID(ctx context.Context) string {
	if p := auth.FromContext(ctx); p != nil {
		return p.AccountID
	}
	return ""
}

func (s *Service) liveUnits(ctx context.Context, tx querier, field string, codes []string) ([]*Unit, error) {
	var out []*Unit
	for _, c := range codes {
		u, err := s.unitByCode(ctx, tx, c)
		if err != nil || !u.Live() {
			return nil, errs.Field(field, "org.unit_not_found", c)
		}
		out = append(out, u)
	}
	return out, nil
}

// dissolve ends unit f at date eff with successor to: f and its subtree
// move under to in the roll-up path (so their data counts there), and f's
// live children become children of to.
func (s *Service) dissolve(ctx context.Context, tx querier, f, to *Unit, eff string) error {
	now := db.Now()
	if _, err := tx.ExecContext(ctx, `UPDATE units SET valid_to = $1, successor_id = $2, parent_id = $3, updated_at = $4 WHERE id = $5`, eff, to.ID, to.ID, now, f.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE unit_links SET valid_to = $1 WHERE unit_id = $2 AND valid_to = ''`, eff, f.ID); err != nil {
		return err
	}
	newPath := to.Path + f.ID + "/"
	if err := s.repath(ctx, tx, f.Path, newPath, to.Depth+1-f.Depth); err != nil {
		return err
	}
	kids, err := s.queryUnits(ctx, tx, `SELECT `+unitCols+` FROM units u WHERE u.parent_id = $1 AND u.valid_to = ''`, f.ID)
	if err != nil {
		return err
	}
	for _, k := range kids {
		if _, err := tx.ExecContext(ctx, `UPDATE unit_links SET valid_to = $1 WHERE unit_id = $2 AND valid_to = ''`, eff, k.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO unit_links (unit_id, parent_id, valid_from) VALUES ($1, $2, $3)`, k.ID, to.ID, eff); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE units SET parent_id = $1, updated_at = $2 WHERE id = $3`, to.ID, now, k.ID); err != nil {
			return err
		}
		if err := s.repath(ctx, tx, k.Path, to.Path+k.ID+"/", to.Depth+1-k.Depth); err != nil {
			return err
		}
	}
	return nil
}

// repath moves every unit and person whose path starts with from to start
// with to instead, people in the search index too.
func (s *Service) repath(ctx context.Context, tx querier, from, to string, depthDelta int) error {
	d := s.DB.Dialect
	if _, err := tx.ExecContext(ctx, `UPDATE units SET path = $1 || SUBSTR(path, $2), depth = depth + $3 WHERE `+d.PrefixMatch("path", 4),
		to, len(from)+1, depthDelta, d.PrefixPattern(from)); err != nil {
		return fmt.Errorf("repath units: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE people SET unit_path = $1 || SUBSTR(unit_path, $2) WHERE `+d.PrefixMatch("unit_path", 3),
		to, len(from)+1, d.PrefixPattern(from)); err != nil {
		return fmt.Errorf("repath people: %w", err)
	}
	// Their scopes in the search index follow the path.
	return s.reindexPeopleUnder(ctx, tx, to)
}
