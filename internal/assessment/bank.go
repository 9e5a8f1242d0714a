package assessment

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/files"
	"dxhub/internal/platform/richtext"
	"dxhub/internal/platform/search"
	"dxhub/internal/platform/textfold"
	"dxhub/internal/skills"
)

// Item is an item of the bank with its current version's body.
type Item struct {
	ID              string  `json:"id"`
	UnitCode        string  `json:"unit_code"`
	UnitPath        string  `json:"-"`
	StandardCode    string  `json:"standard_code"`
	StandardVersion int     `json:"standard_version"`
	Competence      string  `json:"competence"`
	Area            string  `json:"area"`
	Level           int     `json:"level"`
	Type            string  `json:"type"`
	Status          string  `json:"status"`
	Version         int     `json:"version"`
	AuthorID        string  `json:"author_id"`
	AuthorName      string  `json:"author_name"`
	EditorID        string  `json:"editor_id"`
	ReviewerName    string  `json:"reviewer_name,omitempty"`
	ReviewNote      string  `json:"review_note,omitempty"`
	UsageCount      int64   `json:"usage_count"`
	StatsN          int64   `json:"stats_n"`
	Facility        float64 `json:"facility"`
	Discrimination  float64 `json:"discrimination"`
	StatsFlag       string  `json:"stats_flag,omitempty"`
	CreatedAt       int64   `json:"created_at"`
	UpdatedAt       int64   `json:"updated_at"`
	Body            Body    `json:"body"`
}

// ItemInput is what an author writes.
type ItemInput struct {
	UnitCode        string `json:"unit_code"`
	StandardCode    string `json:"standard_code"`
	StandardVersion int    `json:"standard_version"`
	Competence      string `json:"competence"`
	Level           int    `json:"level"`
	Body            Body   `json:"body"`

	qtiID  string         // the item's identifier in the QTI file it came from
	images []pendingImage // images its QTI package carries, stored with it
}

// Bank is the item bank service.
type Bank struct {
	DB     *db.DB
	Files  files.Store // images of imported QTI packages
	Log    *slog.Logger
	Audit  *audit.Log
	Org    *org.Service
	Skills *skills.Service
	Auth   *auth.Service // candidates' accounts: names, sign-in names
	// Search indexes items (domain "items") for authors' lists.
	Search *search.Service
}

// itemDoc is what an item is found by: its stem (rank 0), its options
// and targets (rank 1), its competence code (rank 2); scoped by its unit.
func itemDoc(id, path string, body Body) search.Doc {
	d := search.Doc{ID: id, Fields: []search.Field{{Text: richtext.Plain(body.Stem, 0), Rank: 0}}, Scopes: search.PathScopes(path)}
	for _, o := range append(append([]Option{}, body.Options...), body.Targets...) {
		d.Fields = append(d.Fields, search.Field{Text: richtext.Plain(o.Text, 0), Rank: 1})
	}
	return d
}

func (b *Bank) index(ctx context.Context, tx *sql.Tx, id, path string, body Body) error {
	return b.Search.Store("items").Put(ctx, tx, itemDoc(id, path, body))
}

// ReindexItems fills the item index when it is empty and items exist (a
// database from before search).
func (b *Bank) ReindexItems(ctx context.Context) error {
	_, err := b.Search.Store("items").Fill(ctx, func(after string) ([]search.Doc, error) {
		return db.Query(ctx, b.DB.R, func(r db.Scanner) (search.Doc, error) {
			var id, path, body string
			if err := r.Scan(&id, &path, &body); err != nil {
				return search.Doc{}, err
			}
			var bd Body
			if err := json.Unmarshal([]byte(body), &bd); err != nil {
				return search.Doc{}, fmt.Errorf("item %s: %w", id, err)
			}
			return itemDoc(id, path, bd), nil
		}, `SELECT i.id, i.unit_path, v.body FROM items i JOIN item_versions v ON v.item_id = i.id AND v.version = i.version WHERE i.id > $1 ORDER BY i.id LIMIT $2`, after, search.FillBatch)
	})
	return err
}

// check validates an input against the standard and the tree, returning
// the unit and the competence's area.
func (b *Bank) check(ctx context.Context, in *ItemInput) (*org.Unit, string, error) {
	if err := in.Body.Validate(); err != nil {
		return nil, "", err
	}
	if in.Level < 1 || in.Level > 8 {
		return nil, "", errs.Field("level", "items.bad_level")
	}
	if in.UnitCode == "" {
		in.UnitCode = org.NationCode
	}
	u, err := b.Org.UnitByCode(ctx, in.UnitCode)
	if err != nil || !u.Live() {
		return nil, "", errs.Field("unit_code", "org.unit_not_found", in.UnitCode)
	}
	st, err := b.Skills.Get(ctx, in.StandardCode, in.StandardVersion)
	if err != nil || st.Status != skills.Published {
		return nil, "", errs.Field("standard_code", "items.bad_standard", in.StandardCode, in.StandardVersion)
	}
	c, ok := st.Competence(in.Competence)
	if !ok {
		return nil, "", errs.Field("competence", "skills.no_competence", in.Competence)
	}
	return u, c.AreaCode, nil
}

// Create stores a new item as draft version 1; the author needs
// AuthorContent on the item's unit (the nation for the national bank).
func (b *Bank) Create(ctx context.Context, in ItemInput) (*Item, error) {
	items, err := b.CreateMany(ctx, []ItemInput{in})
	if err != nil {
		return nil, err
	}
	return items[0], nil
}

// CreateMany stores several new items in one transaction: all or none
// (imports use it).
func (b *Bank) CreateMany(ctx context.Context, ins []ItemInput) ([]*Item, error) {
	var out []*Item
	now := db.Now()
	for i := range ins {
		in := &ins[i]
		u, area, err := b.check(ctx, in)
		if err != nil {
			return nil, err
		}
		p, err := auth.Authorize(ctx, auth.AuthorContent, u.Path)
		if err != nil {
			return nil, err
		}
		out = append(out, &Item{ID: db.NewID(), UnitCode: u.Code, UnitPath: u.Path, StandardCode: in.StandardCode, StandardVersion: in.StandardVersion,
			Competence: in.Competence, Area: area, Level: in.Level, Type: in.Body.Type, Status: StatusDraft, Version: 1,
			AuthorID: p.AccountID, AuthorName: p.DisplayName, EditorID: p.AccountID, Body: in.Body, CreatedAt: now, UpdatedAt: now})
	}
	err := b.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, it := range out {
			u, err := b.Org.UnitByCode(ctx, it.UnitCode)
			if err != nil {
				return err
			}
			body, _ := json.Marshal(it.Body)
			if _, err := tx.ExecContext(ctx, `INSERT INTO items (id, unit_id, unit_path, standard_code, standard_version, competence, area, level, type, status, version, stem_fold, author_id, author_name, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12, $13, $14, $14)`,
				it.ID, u.ID, u.Path, it.StandardCode, it.StandardVersion, it.Competence, it.Area, it.Level, it.Type, it.Status, textfold.Fold(it.Body.Stem), it.AuthorID, it.AuthorName, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO item_versions (item_id, version, body, created_by, created_at) VALUES ($1, 1, $2, $3, $4)`, it.ID, string(body), it.AuthorID, now); err != nil {
				return err
			}
			if err := b.index(ctx, tx, it.ID, u.Path, it.Body); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("create items: %w", err)
	}
	return out, nil
}

const itemCols = `i.id, i.unit_id, i.unit_path, i.standard_code, i.standard_version, i.competence, i.area, i.level, i.type, i.status, i.version,
	i.author_id, i.author_name, v.created_by, i.reviewer_name, i.review_note, i.usage_count, i.stats_n, i.facility, i.discrimination, i.stats_flag, i.created_at, i.updated_at, v.body`

// scanItem reads an item; its UnitCode holds the unit's id until
// Bank.codes resolves it.
func scanItem(s interface{ Scan(...any) error }) (*Item, error) {
	var it Item
	var body string
	if err := s.Scan(&it.ID, &it.UnitCode, &it.UnitPath, &it.StandardCode, &it.StandardVersion, &it.Competence, &it.Area, &it.Level, &it.Type, &it.Status, &it.Version,
		&it.AuthorID, &it.AuthorName, &it.EditorID, &it.ReviewerName, &it.ReviewNote, &it.UsageCount, &it.StatsN, &it.Facility, &it.Discrimination, &it.StatsFlag,
		&it.CreatedAt, &it.UpdatedAt, &body); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(body), &it.Body); err != nil {
		return nil, fmt.Errorf("item %s body: %w", it.ID, err)
	}
	return &it, nil
}

// Get returns an item with its current version; only content authors in
// the item's scope may read the bank (items are exam secrets).
func (b *Bank) Get(ctx context.Context, id string) (*Item, error) {
	it, err := b.load(ctx, b.DB.R, id, 0)
	if err != nil {
		return nil, err
	}
	if _, err := auth.Authorize(ctx, auth.AuthorContent, it.UnitPath); err != nil {
		return nil, err
	}
	return it, nil
}

// Version returns one stored version of an item (for attempts and review).
func (b *Bank) Version(ctx context.Context, id string, version int) (*Item, error) {
	return b.load(ctx, b.DB.R, id, version)
}

func (b *Bank) load(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string, version int) (*Item, error) {
	cond := `v.version = i.version`
	args := []any{id}
	if version > 0 {
		cond = `v.version = $2`
		args = append(args, version)
	}
	it, err := scanItem(q.QueryRowContext(ctx, `SELECT `+itemCols+` FROM items i JOIN item_versions v ON v.item_id = i.id AND `+cond+` WHERE i.id = $1`, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "items.not_found", id)
	}
	if err != nil {
		return nil, err
	}
	if version > 0 {
		it.Version = version
	}
	return it, b.codes(ctx, it)
}

// codes gives items their unit's code, which org owns.
func (b *Bank) codes(ctx context.Context, items ...*Item) error {
	fields := make([]*string, len(items))
	for i, it := range items {
		fields[i] = &it.UnitCode
	}
	return b.Org.ResolveCodes(ctx, fields...)
}

// Update saves an edited item as a new version. Any content change sends
// the item back to draft, so it is reviewed again; retired items stay
// retired.
func (b *Bank) Update(ctx context.Context, id string, in ItemInput) (*Item, error) {
	old, err := b.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if old.Status == StatusRetired {
		return nil, errs.E(errs.Conflict, "items.retired")
	}
	if in.UnitCode == "" {
		in.UnitCode = old.UnitCode
	}
	u, area, err := b.check(ctx, &in)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.AuthorContent, u.Path)
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(in.Body)
	now := db.Now()
	err = b.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE items SET unit_id = $1, unit_path = $2, standard_code = $3, standard_version = $4, competence = $5, area = $6, level = $7, type = $8,
			status = 'draft', version = version + 1, stem_fold = $9, reviewer_id = '', reviewer_name = '', review_note = '', updated_at = $10 WHERE id = $11 AND version = $12`,
			u.ID, u.Path, in.StandardCode, in.StandardVersion, in.Competence, area, in.Level, in.Body.Type, textfold.Fold(in.Body.Stem), now, id, old.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.Conflict, "items.changed")
		}
		if _, err = tx.ExecContext(ctx, `INSERT INTO item_versions (item_id, version, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5)`, id, old.Version+1, string(body), p.AccountID, now); err != nil {
			return err
		}
		return b.index(ctx, tx, id, u.Path, in.Body)
	})
	if err != nil {
		return nil, err
	}
	return b.Get(ctx, id)
}

// Workflow actions.
const (
	ActionSubmit  = "submit"  // draft → review
	ActionApprove = "approve" // review → approved, by someone who did not write it
	ActionReturn  = "return"  // review → draft, with a note
	ActionRetire  = "retire"  // any → retired
)

// Transition moves an item through the review workflow.
func (b *Bank) Transition(ctx context.Context, id, action, note string) (*Item, error) {
	it, err := b.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	from, to := "", ""
	switch action {
	case ActionSubmit:
		from, to = StatusDraft, StatusReview
	case ActionApprove:
		from, to = StatusReview, StatusApproved
	case ActionReturn:
		from, to = StatusReview, StatusDraft
		if strings.TrimSpace(note) == "" {
			return nil, errs.Field("note", "items.note_required")
		}
	case ActionRetire:
		to = StatusRetired
	default:
		return nil, errs.Field("action", "items.bad_action", action)
	}
	if from != "" && it.Status != from || it.Status == to {
		return nil, errs.E(errs.Conflict, "items.wrong_status", it.Status)
	}
	// The reviewer must be someone other than whoever wrote the item or
	// its current version.
	if action == ActionApprove && (p.AccountID == it.AuthorID || p.AccountID == it.EditorID) {
		return nil, errs.E(errs.Forbidden, "items.own_review")
	}
	reviewer := ""
	if action == ActionApprove || action == ActionReturn {
		reviewer = p.DisplayName
	}
	res, err := b.DB.W.ExecContext(ctx, `UPDATE items SET status = $1, reviewer_id = $2, reviewer_name = $3, review_note = $4, updated_at = $5 WHERE id = $6 AND status = $7 AND version = $8`,
		to, p.AccountID, reviewer, strings.TrimSpace(note), db.Now(), id, it.Status, it.Version)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, errs.E(errs.Conflict, "items.changed")
	}
	return b.Get(ctx, id)
}

// Filter narrows the bank's list.
type Filter struct {
	StandardCode string
	Competence   string
	Area         string
	Type         string
	Status       string
	Level        int
	Q            string
	Flagged      bool
	Page         int
}

// ItemPage is one page of the bank.
type ItemPage struct {
	Items []*Item `json:"items"`
	Page  int     `json:"page"`
	More  bool    `json:"more"`
}

// List returns items in the author's scopes, newest change first.
func (b *Bank) List(ctx context.Context, f Filter) (*ItemPage, error) {
	_, scopes, err := auth.RequireScopes(ctx, auth.AuthorContent)
	if err != nil {
		return nil, err
	}
	d := b.DB.Dialect
	var conds, scope []string
	var args []any
	for _, s := range scopes {
		args = append(args, d.PrefixPattern(s))
		scope = append(scope, d.PrefixMatch("i.unit_path", len(args)))
	}
	conds = append(conds, "("+strings.Join(scope, " OR ")+")")
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.StandardCode != "" {
		add("i.standard_code = $%d", f.StandardCode)
	}
	if f.Competence != "" {
		add("i.competence = $%d", f.Competence)
	}
	if f.Area != "" {
		add("i.area = $%d", f.Area)
	}
	if f.Type != "" {
		add("i.type = $%d", f.Type)
	}
	if f.Status != "" {
		add("i.status = $%d", f.Status)
	}
	if f.Level > 0 {
		add("i.level = $%d", f.Level)
	}
	if f.Flagged {
		conds = append(conds, "i.stats_flag <> ''")
	}
	var ranked []string
	if q := strings.TrimSpace(f.Q); q != "" {
		hits, err := b.Search.Store("items").Search(ctx, search.Query{Text: q, Scopes: search.ScopesOf(scopes), Limit: 500})
		if err != nil {
			return nil, err
		}
		ranked = make([]string, len(hits))
		ph := make([]string, len(hits))
		for i, h := range hits {
			ranked[i] = h.ID
			args = append(args, h.ID)
			ph[i] = fmt.Sprintf("$%d", len(args))
		}
		if len(hits) == 0 {
			ph = []string{"NULL"}
		}
		conds = append(conds, "i.id IN ("+strings.Join(ph, ",")+")")
	}
	if f.Page < 1 {
		f.Page = 1
	}
	const per = 50
	if ranked != nil {
		return b.listRanked(ctx, conds, args, ranked, f.Page, per)
	}
	args = append(args, per+1, (f.Page-1)*per)
	rows, err := b.DB.R.QueryContext(ctx, `SELECT `+itemCols+` FROM items i JOIN item_versions v ON v.item_id = i.id AND v.version = i.version
		WHERE `+strings.Join(conds, " AND ")+fmt.Sprintf(` ORDER BY i.updated_at DESC, i.id LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("list items: %w", err)
	}
	items, err := db.Collect(rows, scanItem)
	if err != nil {
		return nil, err
	}
	out := &ItemPage{Page: f.Page, Items: append([]*Item{}, items...)}
	if len(out.Items) > per {
		out.Items, out.More = out.Items[:per], true
	}
	return out, b.codes(ctx, out.Items...)
}

// listRanked lists a search's items in the order search ranked them, a
// page at a time.
func (b *Bank) listRanked(ctx context.Context, conds []string, args []any, ranked []string, page, per int) (*ItemPage, error) {
	rows, err := b.DB.R.QueryContext(ctx, `SELECT `+itemCols+` FROM items i JOIN item_versions v ON v.item_id = i.id AND v.version = i.version WHERE `+strings.Join(conds, " AND "), args...)
	if err != nil {
		return nil, fmt.Errorf("list items: %w", err)
	}
	items, err := db.Collect(rows, scanItem)
	if err != nil {
		return nil, err
	}
	pos := make(map[string]int, len(ranked))
	for i, id := range ranked {
		pos[id] = i
	}
	slices.SortFunc(items, func(a, c *Item) int { return cmp.Compare(pos[a.ID], pos[c.ID]) })
	out := &ItemPage{Page: page, Items: []*Item{}}
	if from := (page - 1) * per; from < len(items) {
		out.Items = items[from:min(len(items), from+per)]
		out.More = from+per < len(items)
	}
	return out, b.codes(ctx, out.Items...)
}

// Bulk applies one workflow action to many items and reports, per item,
// what happened; items that cannot move are left as they are.
func (b *Bank) Bulk(ctx context.Context, action string, ids []string, note string) (moved int, failed map[string]error) {
	failed = map[string]error{}
	for _, id := range ids {
		if _, err := b.Transition(ctx, id, action, note); err != nil {
			failed[id] = err
			continue
		}
		moved++
	}
	return moved, failed
}
