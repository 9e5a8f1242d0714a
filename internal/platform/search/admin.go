package search

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/textfold"
)

// SynonymGroup is one editable row of synonyms: phrases that mean the
// same thing to whoever types them.
type SynonymGroup struct {
	ID        string   `json:"id"`
	Phrases   []string `json:"phrases"`
	Note      string   `json:"note"`
	UpdatedBy string   `json:"updated_by,omitempty"`
	UpdatedAt int64    `json:"updated_at"`
}

// Bounds of a group: enough for every spelling of a name, few enough that
// one group cannot turn every search into a scan.
const (
	maxPhrases      = 20
	maxPhraseLen    = 60
	maxPhraseWords  = 6
	maxNoteLen      = 200
	synonymAuditKey = "search_synonyms"
)

// Validate cleans and checks g.
func (g *SynonymGroup) Validate() error {
	var clean []string
	seen := map[string]bool{}
	for i, p := range g.Phrases {
		p = strings.Join(strings.Fields(textfold.NFC(p)), " ")
		if p == "" {
			continue
		}
		field := "phrases[" + strconv.Itoa(i) + "]"
		f := Folded(p)
		switch {
		case utf8.RuneCountInString(p) > maxPhraseLen || strings.Contains(p, "|"):
			return errs.Field(field, "search.phrase_bad", p)
		case f == "" || len(strings.Fields(f)) > maxPhraseWords:
			return errs.Field(field, "search.phrase_bad", p)
		case seen[f]:
			return errs.Field(field, "search.phrase_twice", p)
		}
		seen[f] = true
		clean = append(clean, p)
	}
	if len(clean) < 2 || len(clean) > maxPhrases {
		return errs.Field("phrases", "search.phrases_count", maxPhrases)
	}
	g.Phrases = clean
	g.Note = strings.TrimSpace(textfold.NFC(g.Note))
	if utf8.RuneCountInString(g.Note) > maxNoteLen {
		return errs.Field("note", "search.note_long", maxNoteLen)
	}
	return nil
}

func manager(ctx context.Context) (*auth.Principal, string, error) {
	p, scopes, err := auth.RequireScopes(ctx, auth.ManageSearch)
	if err != nil {
		return nil, "", err
	}
	return p, scopes[0], nil
}

// SynonymGroups lists the synonyms for their editors, by first phrase.
func (s *Service) SynonymGroups(ctx context.Context) ([]SynonymGroup, error) {
	if _, _, err := manager(ctx); err != nil {
		return nil, err
	}
	return s.groups(ctx)
}

func scanGroup(r db.Scanner) (SynonymGroup, error) {
	var g SynonymGroup
	var phrases string
	err := r.Scan(&g.ID, &phrases, &g.Note, &g.UpdatedBy, &g.UpdatedAt)
	for _, p := range strings.Split(phrases, "|") {
		if p = strings.TrimSpace(p); p != "" {
			g.Phrases = append(g.Phrases, p)
		}
	}
	return g, err
}

func (s *Service) groups(ctx context.Context) ([]SynonymGroup, error) {
	return db.Query(ctx, s.DB.R, scanGroup, `SELECT id, phrases, note, updated_by, updated_at FROM search_synonyms ORDER BY phrases, id`)
}

// SynonymGroup returns one group.
func (s *Service) SynonymGroup(ctx context.Context, id string) (*SynonymGroup, error) {
	if _, _, err := manager(ctx); err != nil {
		return nil, err
	}
	g, err := scanGroup(s.DB.R.QueryRowContext(ctx, `SELECT id, phrases, note, updated_by, updated_at FROM search_synonyms WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	return &g, err
}

// SaveSynonyms adds g (no id) or replaces the group with g's id, and
// records it in the audit log. Every node searches with it within
// refreshEvery.
func (s *Service) SaveSynonyms(ctx context.Context, g *SynonymGroup) error {
	p, scope, err := manager(ctx)
	if err != nil {
		return err
	}
	if err := g.Validate(); err != nil {
		return err
	}
	g.UpdatedBy, g.UpdatedAt = p.Username, db.Now()
	phrases := strings.Join(g.Phrases, " | ")
	action := "search_synonyms_create"
	if g.ID == "" {
		g.ID = db.NewID()
		_, err = s.DB.W.ExecContext(ctx, `INSERT INTO search_synonyms (id, phrases, note, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)`, g.ID, phrases, g.Note, g.UpdatedBy, g.UpdatedAt)
	} else {
		action = "search_synonyms_update"
		var res sql.Result
		res, err = s.DB.W.ExecContext(ctx, `UPDATE search_synonyms SET phrases = $1, note = $2, updated_by = $3, updated_at = $4 WHERE id = $5`, phrases, g.Note, g.UpdatedBy, g.UpdatedAt, g.ID)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return errs.E(errs.NotFound, "error.not_found")
			}
		}
	}
	if err != nil {
		return err
	}
	s.forgetSynonyms()
	return s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: action, ObjectType: synonymAuditKey, ObjectID: g.ID, UnitPath: scope, Detail: phrases})
}

// DeleteSynonyms removes a group, audited.
func (s *Service) DeleteSynonyms(ctx context.Context, id string) error {
	p, scope, err := manager(ctx)
	if err != nil {
		return err
	}
	g, err := s.SynonymGroup(ctx, id)
	if err != nil {
		return err
	}
	if _, err := s.DB.W.ExecContext(ctx, `DELETE FROM search_synonyms WHERE id = $1`, id); err != nil {
		return err
	}
	s.forgetSynonyms()
	return s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: "search_synonyms_delete", ObjectType: synonymAuditKey, ObjectID: id, UnitPath: scope, Detail: strings.Join(g.Phrases, " | ")})
}

func (s *Service) forgetSynonyms() {
	s.synMu.Lock()
	s.synChecked = time.Time{}
	s.synMu.Unlock()
}

// Synonyms returns the synonyms every search uses, read again when they
// changed (checked at most once per refreshEvery).
func (s *Service) Synonyms(ctx context.Context) (*Synonyms, error) {
	s.synMu.Lock()
	defer s.synMu.Unlock()
	if s.syn != nil && time.Since(s.synChecked) < refreshEvery {
		return s.syn, nil
	}
	var n int
	var last int64
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM search_synonyms`).Scan(&n, &last); err != nil {
		return nil, err
	}
	s.synChecked = time.Now()
	version := strconv.Itoa(n) + "/" + strconv.FormatInt(last, 10)
	if s.syn != nil && version == s.synVersion {
		return s.syn, nil
	}
	gs, err := s.groups(ctx)
	if err != nil {
		return nil, err
	}
	phrases := make([][]string, len(gs))
	for i, g := range gs {
		phrases[i] = g.Phrases
	}
	s.syn, s.synVersion = NewSynonyms(phrases), version
	return s.syn, nil
}
