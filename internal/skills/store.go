package skills

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/textfold"
)

//go:embed data/*.json
var defaults embed.FS

// EnsureDefaults stores the shipped standards (the 2025-structure framework
// and the IU module standard) as published version 1 when they are absent.
func (s *Service) EnsureDefaults(ctx context.Context) error {
	for _, name := range []string{"data/vn-dsf-2025.json", "data/vn-iu-modules.json"} {
		b, err := defaults.ReadFile(name)
		if err != nil {
			return err
		}
		var st Standard
		if err := json.Unmarshal(b, &st); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if _, err := s.Get(ctx, st.Code, st.Version); err == nil {
			continue
		}
		st.Status = Published
		if err := s.insert(ctx, &st, ""); err != nil && !errs.Is(err, errs.Conflict) {
			return fmt.Errorf("default standard %s: %w", st.Code, err)
		}
	}
	return nil
}

func (s *Service) authorize(ctx context.Context) (*auth.Principal, error) {
	scope, err := s.Scope(ctx)
	if err != nil {
		return nil, err
	}
	return auth.Authorize(ctx, auth.AuthorContent, scope)
}

// insert stores a whole standard version in one transaction.
func (s *Service) insert(ctx context.Context, st *Standard, actor string) error {
	if err := st.Validate(); err != nil {
		return err
	}
	if st.Status == "" {
		st.Status = Draft
	}
	st.ID = db.NewID()
	now := db.Now()
	var published int64
	if st.Status == Published {
		published = now
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM skill_standards WHERE code = $1 AND version = $2`, st.Code, st.Version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.Field("version", "skills.version_exists", st.Code, st.Version)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO skill_standards (id, code, version, kind, name_vi, name_en, description_vi, description_en, status, advanced_choose, based_on, created_by, created_at, published_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			st.ID, st.Code, st.Version, st.Kind, textfold.NFC(st.NameVI), st.NameEN, textfold.NFC(st.DescriptionVI), st.DescriptionEN, st.Status, st.AdvancedChoose, st.BasedOn, actor, now, published); err != nil {
			return err
		}
		for i := range st.Areas {
			a := &st.Areas[i]
			a.ID = db.NewID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO skill_areas (id, standard_id, code, seq, name_vi, name_en, description_vi, description_en) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				a.ID, st.ID, a.Code, i, textfold.NFC(a.NameVI), a.NameEN, textfold.NFC(a.DescriptionVI), a.DescriptionEN); err != nil {
				return err
			}
			for j := range a.Competences {
				c := &a.Competences[j]
				c.ID, c.AreaCode = db.NewID(), a.Code
				if _, err := tx.ExecContext(ctx, `INSERT INTO skill_competences (id, standard_id, area_id, code, seq, name_vi, name_en, description_vi, description_en, tiers_vi, tiers_en, required)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
					c.ID, st.ID, a.ID, c.Code, j, textfold.NFC(c.NameVI), c.NameEN, textfold.NFC(c.DescriptionVI), c.DescriptionEN,
					joinTiers(c.TiersVI), joinTiers(c.TiersEN), db.Flag(c.Required)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func joinTiers(t []string) string {
	for i := range t {
		t[i] = textfold.NFC(strings.ReplaceAll(strings.TrimSpace(t[i]), "\n", " "))
	}
	return strings.Join(t, "\n")
}

func splitTiers(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Summary is a standard version without its areas, for lists.
func (s *Service) List(ctx context.Context, withDrafts bool) ([]Standard, error) {
	q := `SELECT id, code, version, kind, name_vi, name_en, description_vi, description_en, status, advanced_choose, based_on, created_at, published_at FROM skill_standards`
	if !withDrafts {
		q += ` WHERE status = 'published'`
	}
	out, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (Standard, error) {
		var st Standard
		err := r.Scan(&st.ID, &st.Code, &st.Version, &st.Kind, &st.NameVI, &st.NameEN, &st.DescriptionVI, &st.DescriptionEN, &st.Status, &st.AdvancedChoose, &st.BasedOn, &st.CreatedAt, &st.PublishedAt)
		return st, err
	}, q+` ORDER BY code, version DESC`)
	if err != nil {
		return nil, fmt.Errorf("list standards: %w", err)
	}
	return out, nil
}

// Get returns one standard version with its areas and competences.
func (s *Service) Get(ctx context.Context, code string, version int) (*Standard, error) {
	var st Standard
	err := s.DB.R.QueryRowContext(ctx, `SELECT id, code, version, kind, name_vi, name_en, description_vi, description_en, status, advanced_choose, based_on, created_at, published_at
		FROM skill_standards WHERE code = $1 AND version = $2`, code, version).
		Scan(&st.ID, &st.Code, &st.Version, &st.Kind, &st.NameVI, &st.NameEN, &st.DescriptionVI, &st.DescriptionEN, &st.Status, &st.AdvancedChoose, &st.BasedOn, &st.CreatedAt, &st.PublishedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "skills.not_found", code, version)
	}
	if err != nil {
		return nil, fmt.Errorf("standard %s/%d: %w", code, version, err)
	}
	return &st, db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var a Area
		var c Competence
		var tvi, ten string
		var req int
		if err := r.Scan(&a.ID, &a.Code, &a.NameVI, &a.NameEN, &a.DescriptionVI, &a.DescriptionEN,
			&c.ID, &c.Code, &c.NameVI, &c.NameEN, &c.DescriptionVI, &c.DescriptionEN, &tvi, &ten, &req); err != nil {
			return err
		}
		c.TiersVI, c.TiersEN, c.Required, c.AreaCode = splitTiers(tvi), splitTiers(ten), req != 0, a.Code
		if n := len(st.Areas); n == 0 || st.Areas[n-1].ID != a.ID {
			st.Areas = append(st.Areas, a)
		}
		last := &st.Areas[len(st.Areas)-1]
		last.Competences = append(last.Competences, c)
		return nil
	}, `SELECT a.id, a.code, a.name_vi, a.name_en, a.description_vi, a.description_en,
		c.id, c.code, c.name_vi, c.name_en, c.description_vi, c.description_en, c.tiers_vi, c.tiers_en, c.required
		FROM skill_areas a JOIN skill_competences c ON c.area_id = a.id WHERE a.standard_id = $1 ORDER BY a.seq, c.seq`, st.ID)
}

// Latest returns the newest published version of a standard.
func (s *Service) Latest(ctx context.Context, code string) (*Standard, error) {
	var v int
	err := s.DB.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM skill_standards WHERE code = $1 AND status = 'published'`, code).Scan(&v)
	if err != nil {
		return nil, err
	}
	if v == 0 {
		return nil, errs.E(errs.NotFound, "skills.not_found", code, 0)
	}
	return s.Get(ctx, code, v)
}

// NewVersion copies a version into a new draft with the next number; its
// text can then be edited and published.
func (s *Service) NewVersion(ctx context.Context, code string, version int) (*Standard, error) {
	p, err := s.authorize(ctx)
	if err != nil {
		return nil, err
	}
	st, err := s.Get(ctx, code, version)
	if err != nil {
		return nil, err
	}
	var max int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT MAX(version) FROM skill_standards WHERE code = $1`, code).Scan(&max); err != nil {
		return nil, err
	}
	st.BasedOn, st.Version, st.Status = st.Ref(), max+1, Draft
	if err := s.insert(ctx, st, p.AccountID); err != nil {
		return nil, err
	}
	return st, nil
}

// CompetenceEdit is the editable text of a competence in a draft.
type CompetenceEdit struct {
	NameVI        string   `json:"name_vi"`
	NameEN        string   `json:"name_en"`
	DescriptionVI string   `json:"description_vi"`
	DescriptionEN string   `json:"description_en"`
	TiersVI       []string `json:"tiers_vi"`
	TiersEN       []string `json:"tiers_en"`
}

// EditCompetence changes a competence of a draft version.
func (s *Service) EditCompetence(ctx context.Context, code string, version int, comp string, e CompetenceEdit) error {
	if _, err := s.authorize(ctx); err != nil {
		return err
	}
	st, err := s.Get(ctx, code, version)
	if err != nil {
		return err
	}
	if st.Status != Draft {
		return errs.E(errs.Conflict, "skills.not_draft")
	}
	c, ok := st.Competence(comp)
	if !ok {
		return errs.E(errs.NotFound, "skills.no_competence", comp)
	}
	if strings.TrimSpace(e.NameVI) == "" {
		return errs.Field("name_vi", "skills.name_required")
	}
	for _, t := range [][]string{e.TiersVI, e.TiersEN} {
		if len(t) != 0 && len(t) != len(Tiers) {
			return errs.Field("tiers_vi", "skills.bad_tiers", len(Tiers))
		}
	}
	_, err = s.DB.W.ExecContext(ctx, `UPDATE skill_competences SET name_vi = $1, name_en = $2, description_vi = $3, description_en = $4, tiers_vi = $5, tiers_en = $6 WHERE id = $7`,
		textfold.NFC(strings.TrimSpace(e.NameVI)), strings.TrimSpace(e.NameEN), textfold.NFC(strings.TrimSpace(e.DescriptionVI)), strings.TrimSpace(e.DescriptionEN),
		joinTiers(e.TiersVI), joinTiers(e.TiersEN), c.ID)
	return err
}

// Publish makes a draft the published version; it is then read-only.
func (s *Service) Publish(ctx context.Context, code string, version int) error {
	if _, err := s.authorize(ctx); err != nil {
		return err
	}
	res, err := s.DB.W.ExecContext(ctx, `UPDATE skill_standards SET status = 'published', published_at = $1 WHERE code = $2 AND version = $3 AND status = 'draft'`, db.Now(), code, version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.Get(ctx, code, version); err != nil {
			return err
		}
		return errs.E(errs.Conflict, "skills.not_draft")
	}
	return nil
}

// ImportJSON stores a standard from its JSON export as a new draft version
// (or published, if publish is set and the caller may author).
func (s *Service) ImportJSON(ctx context.Context, r io.Reader) (*Standard, error) {
	p, err := s.authorize(ctx)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(io.LimitReader(r, 8<<20))
	dec.DisallowUnknownFields()
	var st Standard
	if err := dec.Decode(&st); err != nil {
		return nil, errs.Field("file", "skills.bad_json", err.Error())
	}
	st.Status = Draft
	if err := s.insert(ctx, &st, p.AccountID); err != nil {
		return nil, err
	}
	return &st, nil
}

// ExportJSON writes a version in the format ImportJSON reads.
func (s *Service) ExportJSON(ctx context.Context, w io.Writer, code string, version int) error {
	st, err := s.Get(ctx, code, version)
	if err != nil {
		return err
	}
	st.Status, st.BasedOn = "", ""
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(st)
}
