// Package library is the portal's content: news, guides, legal
// documents, learning material and FAQ entries, each written by a unit's
// editors and published by its administrators, found by full-text search
// the way Vietnamese people type, and read by anyone once published.
//
// A document is public when it is published and its publish time has
// come (a time in the future schedules it); drafts, scheduled and
// archived documents are seen only by editors of the publishing unit's
// subtree. Every save keeps the whole previous version. Provinces publish
// their own documents, which are listed nationally with their origin.
//
// Errors: invalid (naming the field), not_found (also for a document the
// viewer may not see), forbidden, conflict (a stale version).
package library

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/files"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/richtext"
	"dxhub/internal/platform/search"
	"dxhub/internal/platform/textfold"
)

// Kinds of documents.
const (
	News     = "news"
	Guide    = "guide"
	Legal    = "legal"
	Material = "material"
	FAQ      = "faq"
)

// Kinds lists the kinds in the order pages offer them.
var Kinds = []string{News, Guide, Legal, Material, FAQ}

// Statuses of a document.
const (
	Draft     = "draft"
	Published = "published" // public once PublishAt has come
	Archived  = "archived"
)

// Legal document types and statuses, and relations between documents.
var (
	LegalTypes    = []string{"law", "decree", "decision", "circular", "plan", "directive", "resolution", "official_letter"}
	LegalStatuses = []string{"in_force", "amended", "replaced", "expired", "not_yet"}
	RelationKinds = []string{"amends", "replaces", "implements"}
	// Audiences are the groups a document speaks to.
	Audiences = []string{"citizen", "civil_servant", "teacher", "student", "business", "dx_staff"}
)

// Doc is one document.
type Doc struct {
	ID          string   `json:"id"`
	Kind        string   `json:"kind"`
	UnitID      string   `json:"-"`
	UnitPath    string   `json:"-"`
	UnitCode    string   `json:"unit_code"`
	UnitName    string   `json:"unit_name,omitempty"`
	Status      string   `json:"status"`
	PublishAt   int64    `json:"publish_at,omitempty"` // ms; 0 while a draft
	Version     int      `json:"version"`
	TitleVI     string   `json:"title_vi"`
	TitleEN     string   `json:"title_en,omitempty"`
	SummaryVI   string   `json:"summary_vi,omitempty"`
	SummaryEN   string   `json:"summary_en,omitempty"`
	BodyVI      string   `json:"body_vi,omitempty"`
	BodyEN      string   `json:"body_en,omitempty"`
	Topics      []string `json:"topics"`
	Audiences   []string `json:"audiences"`
	Competences []string `json:"competences"`
	// Link is a learning material's video or page elsewhere (https).
	Link string `json:"link,omitempty"`
	// Legal documents' official fields.
	Number      string `json:"number,omitempty"`       // number and symbol, 146/QĐ-TTg
	DocType     string `json:"doc_type,omitempty"`     // LegalTypes
	Issuer      string `json:"issuer,omitempty"`       // issuing body
	SignedOn    string `json:"signed_on,omitempty"`    // YYYY-MM-DD
	EffectiveOn string `json:"effective_on,omitempty"` // YYYY-MM-DD
	LegalStatus string `json:"legal_status,omitempty"` // LegalStatuses
	CreatedAt   int64  `json:"created_at"`
	UpdatedAt   int64  `json:"updated_at"`
	UpdatedBy   string `json:"-"`

	// Read with the document, not saved with it.
	Relations []Relation `json:"relations,omitempty"`
	Files     []File     `json:"files,omitempty"`
}

// Relation is a link between two documents, seen from this one: "amends"
// going out, or "amended_by" coming in.
type Relation struct {
	Kind   string `json:"kind"` // amends, replaces, implements; amended_by, replaced_by, implemented_by
	DocID  string `json:"doc_id"`
	Title  string `json:"title"`
	Number string `json:"number,omitempty"`
}

// File is an attachment.
type File struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
}

// KB is the file's size in kilobytes, rounded up.
func (f File) KB() int { return int((f.Size + 1023) / 1024) }

// Title is the document's title in lang (Vietnamese when there is no
// English one).
func (d *Doc) Title(lang i18n.Lang) string {
	if lang == i18n.EN && d.TitleEN != "" {
		return d.TitleEN
	}
	return d.TitleVI
}

// Summary is the summary in lang, or the start of the body.
func (d *Doc) Summary(lang i18n.Lang) string {
	s, b := d.SummaryVI, d.BodyVI
	if lang == i18n.EN && (d.SummaryEN != "" || d.BodyEN != "") {
		s, b = d.SummaryEN, d.BodyEN
	}
	if s != "" {
		return s
	}
	return richtext.Plain(b, 240)
}

// Body is the body in lang (Vietnamese when there is no English one).
func (d *Doc) Body(lang i18n.Lang) string {
	if lang == i18n.EN && d.BodyEN != "" {
		return d.BodyEN
	}
	return d.BodyVI
}

// Public reports whether anyone may read d at time now.
func (d *Doc) Public(now int64) bool { return d.Status == Published && d.PublishAt <= now }

// Shown is the status pages show: a published document whose time has
// not come is "scheduled".
func (d *Doc) Shown(now int64) string {
	if d.Status == Published && d.PublishAt > now {
		return "scheduled"
	}
	return d.Status
}

// Input is what an editor writes.
type Input struct {
	Kind        string   `json:"kind"`
	UnitCode    string   `json:"unit_code"`
	TitleVI     string   `json:"title_vi"`
	TitleEN     string   `json:"title_en"`
	SummaryVI   string   `json:"summary_vi"`
	SummaryEN   string   `json:"summary_en"`
	BodyVI      string   `json:"body_vi"`
	BodyEN      string   `json:"body_en"`
	Topics      []string `json:"topics"`
	Audiences   []string `json:"audiences"`
	Competences []string `json:"competences"`
	Link        string   `json:"link"`
	Number      string   `json:"number"`
	DocType     string   `json:"doc_type"`
	Issuer      string   `json:"issuer"`
	SignedOn    string   `json:"signed_on"`
	EffectiveOn string   `json:"effective_on"`
	LegalStatus string   `json:"legal_status"`
	// Relations from this document to others, by id or by legal number.
	Relations []RelationInput `json:"relations"`
	// Version is the version the editor started from (0 for a new
	// document); a save over a newer one is a conflict.
	Version int `json:"version"`
}

// RelationInput names another document by id or legal number.
type RelationInput struct {
	Kind   string `json:"kind"`
	Target string `json:"target"`
}

// Bounds on what a document may hold.
const (
	maxTitle   = 300
	maxSummary = 1000
	maxBody    = 200_000
	maxList    = 20
)

var (
	datePattern   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	numberPattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}/.\-]{0,60}$`)
)

// Validate checks an input and tidies it; errors name the field.
func (in *Input) Validate(topics map[string]bool) error {
	in.TitleVI, in.TitleEN = textfold.NFC(strings.TrimSpace(in.TitleVI)), textfold.NFC(strings.TrimSpace(in.TitleEN))
	in.SummaryVI, in.SummaryEN = textfold.NFC(strings.TrimSpace(in.SummaryVI)), textfold.NFC(strings.TrimSpace(in.SummaryEN))
	in.BodyVI, in.BodyEN = textfold.NFC(strings.TrimSpace(in.BodyVI)), textfold.NFC(strings.TrimSpace(in.BodyEN))
	in.Number, in.Issuer = textfold.NFC(strings.TrimSpace(in.Number)), textfold.NFC(strings.TrimSpace(in.Issuer))
	in.Link = strings.TrimSpace(in.Link)
	switch {
	case !slices.Contains(Kinds, in.Kind):
		return errs.Field("kind", "library.bad_kind", in.Kind)
	case in.TitleVI == "":
		return errs.Field("title_vi", "library.title_required")
	case len(in.TitleVI) > maxTitle || len(in.TitleEN) > maxTitle:
		return errs.Field("title_vi", "org.too_long", maxTitle)
	case len(in.SummaryVI) > maxSummary || len(in.SummaryEN) > maxSummary:
		return errs.Field("summary_vi", "org.too_long", maxSummary)
	case len(in.BodyVI) > maxBody || len(in.BodyEN) > maxBody:
		return errs.Field("body_vi", "org.too_long", maxBody)
	case in.BodyVI == "" && in.Kind != Material && in.Kind != Legal:
		return errs.Field("body_vi", "library.body_required")
	}
	if in.Link != "" {
		u, err := url.Parse(in.Link)
		if err != nil || u.Scheme != "https" || u.Host == "" || len(in.Link) > 500 {
			return errs.Field("link", "library.bad_link")
		}
	}
	for field, list := range map[string]*[]string{"topics": &in.Topics, "audiences": &in.Audiences, "competences": &in.Competences} {
		var out []string
		for _, v := range *list {
			if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		if len(out) > maxList {
			return errs.Field(field, "library.too_many", maxList)
		}
		*list = out
	}
	for _, t := range in.Topics {
		if !topics[t] {
			return errs.Field("topics", "library.bad_topic", t)
		}
	}
	for _, a := range in.Audiences {
		if !slices.Contains(Audiences, a) {
			return errs.Field("audiences", "library.bad_audience", a)
		}
	}
	for _, c := range in.Competences {
		if len(c) > 10 || strings.ContainsAny(c, " ,") {
			return errs.Field("competences", "library.bad_competence", c)
		}
	}
	if in.Kind != Legal {
		in.Number, in.DocType, in.Issuer, in.SignedOn, in.EffectiveOn, in.LegalStatus, in.Relations = "", "", "", "", "", "", nil
		return nil
	}
	switch {
	case in.Number == "" || !numberPattern.MatchString(in.Number):
		return errs.Field("number", "library.bad_number", in.Number)
	case !slices.Contains(LegalTypes, in.DocType):
		return errs.Field("doc_type", "library.bad_doc_type", in.DocType)
	case in.Issuer == "" || len(in.Issuer) > maxTitle:
		return errs.Field("issuer", "library.issuer_required")
	case in.LegalStatus == "":
		in.LegalStatus = "in_force"
	}
	if !slices.Contains(LegalStatuses, in.LegalStatus) {
		return errs.Field("legal_status", "library.bad_legal_status", in.LegalStatus)
	}
	for field, d := range map[string]string{"signed_on": in.SignedOn, "effective_on": in.EffectiveOn} {
		if d == "" && field == "effective_on" {
			continue
		}
		if _, err := time.Parse("2006-01-02", d); !datePattern.MatchString(d) || err != nil {
			return errs.Field(field, "library.bad_date", d)
		}
	}
	if len(in.Relations) > maxList {
		return errs.Field("relations", "library.too_many", maxList)
	}
	for _, r := range in.Relations {
		if !slices.Contains(RelationKinds, r.Kind) || strings.TrimSpace(r.Target) == "" {
			return errs.Field("relations", "library.bad_relation", r.Kind+" "+r.Target)
		}
	}
	return nil
}

// Service is the library room.
type Service struct {
	DB     *db.DB
	Log    *slog.Logger
	Audit  *audit.Log
	Org    *org.Service
	Search *search.Service
	Files  files.Store
	// PDFText extracts an attached PDF's text for search (nil: none).
	PDFText files.PDFText
	// Gen is the assistant's generative backend (nil: extraction only).
	Gen *Generator
	// now is the clock (tests move it); nil is time.Now.
	now func() time.Time
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) clock() int64 {
	if s.now != nil {
		return s.now().UnixMilli()
	}
	return db.Now()
}

// Topic is one entry of the managed list of topics.
type Topic struct {
	Code   string `json:"code"`
	NameVI string `json:"name_vi"`
	NameEN string `json:"name_en"`
}

// Name is the topic's name in lang.
func (t Topic) Name(lang i18n.Lang) string {
	if lang == i18n.EN {
		return t.NameEN
	}
	return t.NameVI
}

// Topics lists the topics in order.
func (s *Service) Topics(ctx context.Context) ([]Topic, error) {
	return db.Query(ctx, s.DB.R, func(r db.Scanner) (Topic, error) {
		var t Topic
		err := r.Scan(&t.Code, &t.NameVI, &t.NameEN)
		return t, err
	}, `SELECT code, name_vi, name_en FROM lib_topics ORDER BY seq`)
}

func (s *Service) topicSet(ctx context.Context) (map[string]bool, error) {
	ts, err := s.Topics(ctx)
	if err != nil {
		return nil, err
	}
	m := map[string]bool{}
	for _, t := range ts {
		m[t.Code] = true
	}
	return m, nil
}

const docColumns = `id, kind, unit_id, unit_path, status, publish_at, version, title_vi, title_en, summary_vi, summary_en, body_vi, body_en,
	topics, audiences, competences, link, number, doc_type, issuer, signed_on, effective_on, legal_status, created_at, updated_at, updated_by`

func scanDoc(r db.Scanner) (*Doc, error) {
	var d Doc
	var topics, auds, comps string
	err := r.Scan(&d.ID, &d.Kind, &d.UnitID, &d.UnitPath, &d.Status, &d.PublishAt, &d.Version, &d.TitleVI, &d.TitleEN, &d.SummaryVI, &d.SummaryEN,
		&d.BodyVI, &d.BodyEN, &topics, &auds, &comps, &d.Link, &d.Number, &d.DocType, &d.Issuer, &d.SignedOn, &d.EffectiveOn, &d.LegalStatus,
		&d.CreatedAt, &d.UpdatedAt, &d.UpdatedBy)
	if err != nil {
		return nil, err
	}
	for _, l := range []struct {
		s  string
		to *[]string
	}{{topics, &d.Topics}, {auds, &d.Audiences}, {comps, &d.Competences}} {
		if err := json.Unmarshal([]byte(l.s), l.to); err != nil {
			return nil, fmt.Errorf("document %s: %w", d.ID, err)
		}
		if *l.to == nil {
			*l.to = []string{}
		}
	}
	return &d, nil
}

// get reads a document whatever its status.
func (s *Service) get(ctx context.Context, q db.Querier, id string) (*Doc, error) {
	ds, err := db.Query(ctx, q, scanDoc, `SELECT `+docColumns+` FROM lib_docs WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, errs.E(errs.NotFound, "library.not_found")
	}
	return ds[0], nil
}

// hidden is the answer to a viewer who may not see a document: sign in
// first, or (signed in) no such document, so that nobody learns of a
// draft they may not read.
func hidden(ctx context.Context) error {
	if auth.FromContext(ctx) == nil {
		return errs.E(errs.Unauthorized, "error.unauthorized")
	}
	return errs.E(errs.NotFound, "library.not_found")
}

// visible says whether the viewer may read a document with this status,
// publish time and unit: anyone once it is public, its unit's editors
// always.
func (s *Service) visible(ctx context.Context, status string, publishAt int64, path string) bool {
	return status == Published && publishAt <= s.clock() || mayEdit(ctx, path)
}

// mayEdit says whether the viewer edits documents of path.
func mayEdit(ctx context.Context, path string) bool {
	p := auth.FromContext(ctx)
	return p != nil && p.Can(auth.EditLibrary, path)
}

// Get returns a document the viewer may read, with its relations, files
// and unit: a public one, or any of a unit the viewer edits.
func (s *Service) Get(ctx context.Context, id string) (*Doc, error) {
	d, err := s.get(ctx, s.DB.R, id)
	if err != nil {
		return nil, err
	}
	if !s.visible(ctx, d.Status, d.PublishAt, d.UnitPath) {
		return nil, hidden(ctx)
	}
	if err := s.complete(ctx, []*Doc{d}); err != nil {
		return nil, err
	}
	if d.Relations, err = s.relations(ctx, d.ID); err != nil {
		return nil, err
	}
	d.Files, err = db.Query(ctx, s.DB.R, func(r db.Scanner) (File, error) {
		var f File
		err := r.Scan(&f.ID, &f.Name, &f.Type, &f.Size)
		return f, err
	}, `SELECT file_id, name, type, size FROM lib_files WHERE doc_id = $1 ORDER BY seq`, d.ID)
	return d, err
}

// complete fills in the publishing units' codes and names, which org owns.
func (s *Service) complete(ctx context.Context, ds []*Doc) error {
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.UnitID
	}
	units, err := s.Org.UnitsByID(ctx, ids)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if u := units[d.UnitID]; u != nil {
			d.UnitCode, d.UnitName = u.Code, u.NameVI
		}
	}
	return nil
}

// relations lists a document's relations both ways, with the titles of
// the other side, leaving out the documents the reader may not see.
func (s *Service) relations(ctx context.Context, id string) ([]Relation, error) {
	inverse := map[string]string{"amends": "amended_by", "replaces": "replaced_by", "implements": "implemented_by"}
	var out []Relation
	err := db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var rel Relation
		var from, path, status string
		var at int64
		if err := r.Scan(&from, &rel.Kind, &rel.DocID, &rel.Title, &rel.Number, &path, &status, &at); err != nil {
			return err
		}
		if from != id {
			rel.Kind = inverse[rel.Kind]
		}
		// The other side is shown only to those who may read it (a draft
		// that implements a public decision stays unseen).
		if s.visible(ctx, status, at, path) {
			out = append(out, rel)
		}
		return nil
	}, `SELECT r.from_id, r.kind, d.id, d.title_vi, d.number, d.unit_path, d.status, d.publish_at FROM lib_relations r JOIN lib_docs d ON d.id = r.to_id WHERE r.from_id = $1
		UNION ALL SELECT r.from_id, r.kind, d.id, d.title_vi, d.number, d.unit_path, d.status, d.publish_at FROM lib_relations r JOIN lib_docs d ON d.id = r.from_id WHERE r.to_id = $1
		ORDER BY 2, 5`, id)
	return out, err
}

// Create saves a new draft in the name of in.UnitCode, which the viewer
// must edit for.
func (s *Service) Create(ctx context.Context, in Input) (*Doc, error) {
	u, err := s.Org.UnitByCode(ctx, in.UnitCode)
	if err != nil {
		return nil, errs.Field("unit_code", "library.bad_unit", in.UnitCode)
	}
	p, err := auth.Authorize(ctx, auth.EditLibrary, u.Path)
	if err != nil {
		return nil, err
	}
	topics, err := s.topicSet(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(topics); err != nil {
		return nil, err
	}
	now := s.clock()
	d := &Doc{ID: db.NewID(), UnitID: u.ID, UnitPath: u.Path, Status: Draft, CreatedAt: now}
	var rec audit.Entry
	err = s.DB.Tx(ctx, func(tx *sql.Tx) (err error) {
		rec, err = s.save(ctx, tx, p, d, in, now, "library_created")
		return err
	})
	if err != nil {
		return nil, err
	}
	// The audit's writer is its own transaction: recorded after this one.
	if err := s.Audit.Record(ctx, rec); err != nil {
		return nil, err
	}
	return s.Get(ctx, d.ID)
}

// Update saves a new version of a document. Drafts are edited by the
// unit's editors; a published or scheduled document only by those who
// may publish it.
func (s *Service) Update(ctx context.Context, id string, in Input) (*Doc, error) {
	topics, err := s.topicSet(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(topics); err != nil {
		return nil, err
	}
	var out string
	var rec audit.Entry
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		d, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		p, err := s.authorizeChange(ctx, d)
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != d.Version {
			return errs.E(errs.Conflict, "library.stale", d.Version)
		}
		if in.UnitCode != "" && in.UnitCode != d.UnitCode {
			// Moving a document to another unit needs rights on both.
			u, err := s.Org.UnitByCode(ctx, in.UnitCode)
			if err != nil {
				return errs.Field("unit_code", "library.bad_unit", in.UnitCode)
			}
			if _, err := auth.Authorize(ctx, auth.EditLibrary, u.Path); err != nil {
				return err
			}
			d.UnitID, d.UnitPath = u.ID, u.Path
		}
		out = d.ID
		rec, err = s.save(ctx, tx, p, d, in, s.clock(), "library_updated")
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.Audit.Record(ctx, rec); err != nil {
		return nil, err
	}
	return s.Get(ctx, out)
}

// authorizeChange: a draft or archived document is changed by its unit's
// editors; a published one (scheduled or not) by those who publish.
func (s *Service) authorizeChange(ctx context.Context, d *Doc) (*auth.Principal, error) {
	if err := s.complete(ctx, []*Doc{d}); err != nil {
		return nil, err
	}
	if d.Status == Published && s.visible(ctx, d.Status, d.PublishAt, d.UnitPath) {
		return auth.Authorize(ctx, auth.PublishLibrary, d.UnitPath)
	}
	if !mayEdit(ctx, d.UnitPath) {
		return nil, hidden(ctx) // no sign of a draft to those who cannot see it
	}
	return auth.Authorize(ctx, auth.EditLibrary, d.UnitPath)
}

// save writes d with in's content as its next version, its relations,
// the version's copy and the index entry, and returns the audit entry to
// record once the transaction commits.
func (s *Service) save(ctx context.Context, tx *sql.Tx, p *auth.Principal, d *Doc, in Input, now int64, action string) (audit.Entry, error) {
	var none audit.Entry
	d.Kind, d.TitleVI, d.TitleEN, d.SummaryVI, d.SummaryEN, d.BodyVI, d.BodyEN = in.Kind, in.TitleVI, in.TitleEN, in.SummaryVI, in.SummaryEN, in.BodyVI, in.BodyEN
	d.Topics, d.Audiences, d.Competences, d.Link = nonNil(in.Topics), nonNil(in.Audiences), nonNil(in.Competences), in.Link
	d.Number, d.DocType, d.Issuer, d.SignedOn, d.EffectiveOn, d.LegalStatus = in.Number, in.DocType, in.Issuer, in.SignedOn, in.EffectiveOn, in.LegalStatus
	d.Version++
	d.UpdatedAt, d.UpdatedBy = now, p.AccountID
	if d.Kind == Legal {
		// A legal number names one document.
		var other string
		err := tx.QueryRowContext(ctx, `SELECT id FROM lib_docs WHERE number = $1 AND kind = 'legal' AND id <> $2`, d.Number, d.ID).Scan(&other)
		if err == nil {
			return none, errs.Field("number", "library.number_taken", d.Number)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return none, err
		}
	}
	topics, _ := json.Marshal(d.Topics)
	auds, _ := json.Marshal(d.Audiences)
	comps, _ := json.Marshal(d.Competences)
	args := []any{d.ID, d.Kind, d.UnitID, d.UnitPath, d.Status, d.PublishAt, d.Version, d.TitleVI, d.TitleEN, d.SummaryVI, d.SummaryEN, d.BodyVI, d.BodyEN,
		string(topics), string(auds), string(comps), d.Link, d.Number, d.DocType, d.Issuer, d.SignedOn, d.EffectiveOn, d.LegalStatus, d.CreatedAt, d.UpdatedAt, d.UpdatedBy}
	var err error
	if d.Version == 1 {
		_, err = tx.ExecContext(ctx, `INSERT INTO lib_docs (`+docColumns+`, created_by) VALUES (`+db.Numbered(1, len(args)+1)+`)`, append(args, p.AccountID)...)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE lib_docs SET kind = $2, unit_id = $3, unit_path = $4, status = $5, publish_at = $6, version = $7, title_vi = $8, title_en = $9,
			summary_vi = $10, summary_en = $11, body_vi = $12, body_en = $13, topics = $14, audiences = $15, competences = $16, link = $17, number = $18,
			doc_type = $19, issuer = $20, signed_on = $21, effective_on = $22, legal_status = $23, created_at = $24, updated_at = $25, updated_by = $26 WHERE id = $1`, args...)
	}
	if err != nil {
		return none, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM lib_relations WHERE from_id = $1`, d.ID); err != nil {
		return none, err
	}
	for _, r := range in.Relations {
		// Only a document the editor may see: a relation shows the other
		// side's title to every reader.
		var to, toPath, status string
		var at int64
		err := tx.QueryRowContext(ctx, `SELECT id, unit_path, status, publish_at FROM lib_docs WHERE (id = $1 OR (number = $1 AND kind = 'legal')) AND id <> $2`,
			strings.TrimSpace(r.Target), d.ID).Scan(&to, &toPath, &status, &at)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !s.visible(ctx, status, at, toPath) {
			return none, errs.Field("relations", "library.no_such_doc", r.Target)
		}
		if err != nil {
			return none, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lib_relations (from_id, kind, to_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, d.ID, r.Kind, to); err != nil {
			return none, err
		}
	}
	snap, _ := json.Marshal(struct {
		*Doc
		Relations []RelationInput `json:"relations"`
	}{d, in.Relations})
	if _, err := tx.ExecContext(ctx, `INSERT INTO lib_versions (doc_id, version, data, edited_by, edited_at) VALUES ($1, $2, $3, $4, $5)`, d.ID, d.Version, string(snap), p.AccountID, now); err != nil {
		return none, err
	}
	if err := s.index(ctx, tx, d); err != nil {
		return none, err
	}
	return audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: action, ObjectType: "library_doc", ObjectID: d.ID, UnitPath: d.UnitPath, Detail: fmt.Sprintf("%s v%d %s", d.Kind, d.Version, d.Status)}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Publish makes a document public at at (ms; 0 or a past time: now);
// Unpublish takes it back to a draft; Archive withdraws it for good.
func (s *Service) Publish(ctx context.Context, id string, at int64) (*Doc, error) {
	now := s.clock()
	if at < now {
		at = now
	}
	return s.setStatus(ctx, id, Published, at, "library_published")
}

// Unpublish takes a published or scheduled document back to a draft.
func (s *Service) Unpublish(ctx context.Context, id string) (*Doc, error) {
	return s.setStatus(ctx, id, Draft, 0, "library_unpublished")
}

// Archive withdraws a document; its editors still see it.
func (s *Service) Archive(ctx context.Context, id string) (*Doc, error) {
	return s.setStatus(ctx, id, Archived, 0, "library_archived")
}

func (s *Service) setStatus(ctx context.Context, id, status string, at int64, action string) (*Doc, error) {
	var rec audit.Entry
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		d, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if !s.visible(ctx, d.Status, d.PublishAt, d.UnitPath) {
			return hidden(ctx)
		}
		p, err := auth.Authorize(ctx, auth.PublishLibrary, d.UnitPath)
		if err != nil {
			return err
		}
		d.Status, d.PublishAt = status, at
		if _, err := tx.ExecContext(ctx, `UPDATE lib_docs SET status = $2, publish_at = $3, updated_at = $4, updated_by = $5 WHERE id = $1`, d.ID, status, at, s.clock(), p.AccountID); err != nil {
			return err
		}
		if err := s.index(ctx, tx, d); err != nil {
			return err
		}
		rec = audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: action, ObjectType: "library_doc", ObjectID: d.ID, UnitPath: d.UnitPath,
			Detail: strings.TrimSpace(fmt.Sprintf("%s %s", d.Kind, publishDetail(at)))}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.Audit.Record(ctx, rec); err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

func publishDetail(at int64) string {
	if at == 0 {
		return ""
	}
	return time.UnixMilli(at).UTC().Format(time.RFC3339)
}

// index keeps the search entry of a published document (scheduled ones
// included: lists filter them by time), and removes any other.
func (s *Service) index(ctx context.Context, tx *sql.Tx, d *Doc) error {
	st := s.Search.Store("library")
	if d.Status != Published {
		return st.Delete(ctx, tx, d.ID)
	}
	// The attachments' names and texts find the document too.
	var extra []string
	err := db.Each(ctx, tx, func(r db.Scanner) error {
		var name, text string
		err := r.Scan(&name, &text)
		extra = append(extra, strings.TrimSuffix(name, path.Ext(name)), text)
		return err
	}, `SELECT name, text FROM lib_files WHERE doc_id = $1 ORDER BY seq`, d.ID)
	if err != nil {
		return err
	}
	sd := searchDoc(d)
	if len(extra) > 0 {
		sd.Fields = append(sd.Fields, search.Field{Text: strings.Join(extra, "\n"), IndexOnly: true})
	}
	return st.Put(ctx, tx, sd)
}

func searchDoc(d *Doc) search.Doc {
	fields := []search.Field{{Text: d.TitleVI, Rank: 0}, {Text: d.TitleEN, Rank: 0, Plain: true}}
	if d.Number != "" {
		// A number is typed as written, marks included (146/QĐ-TTg).
		fields = append(fields, search.Field{Text: d.Number, Rank: 0})
	}
	// The body's start ranks; all of it finds (a long body kept for
	// ranking would be read back for every candidate of every search).
	fields = append(fields, search.Field{Text: d.SummaryVI + " " + d.Issuer, Rank: 1}, search.Field{Text: d.SummaryEN, Rank: 1, Plain: true},
		search.Field{Text: richtext.Plain(d.BodyVI, 300), Rank: 2}, search.Field{Text: richtext.Plain(d.BodyVI, maxBody), IndexOnly: true},
		search.Field{Text: richtext.Plain(d.BodyEN, maxBody), IndexOnly: true})
	return search.Doc{ID: d.ID, Fields: fields, Boost: boost(d)}
}

// boost orders equal matches: newer first, by signing day for legal
// documents (in force before replaced, amended or expired ones) and by
// publishing time for the rest.
func boost(d *Doc) int64 {
	if d.Kind != Legal {
		return d.PublishAt / 1000
	}
	t, _ := time.Parse("2006-01-02", d.SignedOn)
	b := t.Unix()
	if d.LegalStatus != "in_force" && d.LegalStatus != "not_yet" {
		b -= 100 * 365 * 24 * 3600
	}
	return b
}

// Filter narrows a list.
type Filter struct {
	Q        string
	Kind     string
	Topic    string
	Audience string
	Issuer   string
	Year     int
	Status   string // legal status
	// Mine lists the documents of units the viewer edits, drafts
	// included, instead of the public ones.
	Mine   bool
	Limit  int
	Offset int
}

// List returns public documents (or, with Mine, those of units the
// viewer edits), newest first, or best first for a search.
func (s *Service) List(ctx context.Context, f Filter) ([]*Doc, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	now := s.clock()
	where := []string{"1 = 1"}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Mine {
		p := auth.FromContext(ctx)
		scopes := []string{}
		if p != nil {
			scopes = p.Scopes(auth.EditLibrary)
		}
		if len(scopes) == 0 {
			return nil, errs.E(errs.Forbidden, "error.forbidden")
		}
		var ors []string
		for _, sc := range scopes {
			ors = append(ors, s.DB.Dialect.PrefixMatch("unit_path", len(args)+1))
			args = append(args, s.DB.Dialect.PrefixPattern(sc))
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	} else {
		where = append(where, "status = 'published' AND publish_at <= "+arg(now))
	}
	if f.Kind != "" {
		where = append(where, "kind = "+arg(f.Kind))
	}
	if f.Issuer != "" {
		where = append(where, "issuer = "+arg(f.Issuer))
	}
	if f.Status != "" {
		where = append(where, "legal_status = "+arg(f.Status))
	}
	if f.Year > 0 {
		from := time.Date(f.Year, 1, 1, 0, 0, 0, 0, i18n.DefaultZone).UnixMilli()
		to := time.Date(f.Year+1, 1, 1, 0, 0, 0, 0, i18n.DefaultZone).UnixMilli()
		where = append(where, fmt.Sprintf("((kind = 'legal' AND signed_on LIKE %s) OR (kind <> 'legal' AND publish_at >= %s AND publish_at < %s))", arg(strconv.Itoa(f.Year)+"-%"), arg(from), arg(to)))
	}
	for _, l := range []struct{ col, v string }{{"topics", f.Topic}, {"audiences", f.Audience}} {
		if l.v != "" {
			where = append(where, l.col+" LIKE "+arg(`%"`+strings.NewReplacer("%", "", "_", "", `"`, "").Replace(l.v)+`"%`))
		}
	}
	order := " ORDER BY publish_at DESC, updated_at DESC, id"
	var ranked []string
	if q := strings.TrimSpace(f.Q); q != "" {
		// The library is searched by a form, not while typing: whole words
		// (a prefix of the last word merges the index entries of every word
		// that starts so, the costliest part of a search at 100,000
		// documents).
		hits, err := s.Search.Store("library").Search(ctx, search.Query{Text: q, Limit: 200, Whole: true})
		if err != nil {
			return nil, err
		}
		if len(hits) == 0 {
			return []*Doc{}, nil
		}
		for _, h := range hits {
			ranked = append(ranked, h.ID)
		}
		order = ""
	}
	var ds []*Doc
	var err error
	if ranked == nil {
		query := `SELECT ` + docColumns + ` FROM lib_docs WHERE ` + strings.Join(where, " AND ") + order + fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, max(f.Offset, 0))
		if ds, err = db.Query(ctx, s.DB.R, scanDoc, query, args...); err != nil {
			return nil, err
		}
	} else {
		// Which hits pass the filters (ids only), in the search's order;
		// then only the page's documents are read whole.
		hitArgs := append([]any{}, args...)
		for _, id := range ranked {
			hitArgs = append(hitArgs, id)
		}
		ok, err := db.Column[string](s.DB.R.QueryContext(ctx, `WITH hits(hit) AS (VALUES `+db.NumberedRows(len(args)+1, len(ranked))+`)
			SELECT id FROM hits CROSS JOIN lib_docs WHERE lib_docs.id = hits.hit AND `+strings.Join(where, " AND "), hitArgs...))
		if err != nil {
			return nil, err
		}
		pass := map[string]bool{}
		for _, id := range ok {
			pass[id] = true
		}
		var page []string
		skipped := 0
		for _, id := range ranked {
			if !pass[id] {
				continue
			}
			if skipped < f.Offset {
				skipped++
				continue
			}
			if len(page) == f.Limit {
				break
			}
			page = append(page, id)
		}
		if len(page) > 0 {
			pargs := make([]any, len(page))
			for i, id := range page {
				pargs[i] = id
			}
			if ds, err = s.byIDs(ctx, page); err != nil {
				return nil, err
			}
		}
		pos := map[string]int{}
		for i, id := range page {
			pos[id] = i
		}
		slices.SortFunc(ds, func(a, b *Doc) int { return pos[a.ID] - pos[b.ID] })
	}
	if ds == nil {
		ds = []*Doc{}
	}
	return ds, s.complete(ctx, ds)
}

// byIDs reads documents by id, whatever their status. The ids drive the
// join, so that each is one lookup by key: given "status = … AND id IN
// (…)", SQLite without statistics walks the status index over every
// published document instead.
func (s *Service) byIDs(ctx context.Context, ids []string) ([]*Doc, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return db.Query(ctx, s.DB.R, scanDoc, `WITH want(want_id) AS (VALUES `+db.NumberedRows(1, len(ids))+`)
		SELECT `+docColumns+` FROM want CROSS JOIN lib_docs WHERE lib_docs.id = want.want_id`, args...)
}

// Issuers lists the issuing bodies of public legal documents, for the
// library's filter.
func (s *Service) Issuers(ctx context.Context) ([]string, error) {
	return db.Column[string](s.DB.R.QueryContext(ctx, `SELECT DISTINCT issuer FROM lib_docs WHERE kind = 'legal' AND status = 'published' AND publish_at <= $1 ORDER BY issuer`, s.clock()))
}

// Version is one saved version of a document.
type Version struct {
	Version  int    `json:"version"`
	EditedBy string `json:"edited_by"`
	EditedAt int64  `json:"edited_at"`
}

// Versions lists a document's versions, newest first, to its editors.
func (s *Service) Versions(ctx context.Context, id string) ([]Version, error) {
	d, err := s.get(ctx, s.DB.R, id)
	if err != nil {
		return nil, err
	}
	if !mayEdit(ctx, d.UnitPath) {
		if d.Public(s.clock()) && auth.FromContext(ctx) != nil {
			return nil, errs.E(errs.Forbidden, "error.forbidden")
		}
		return nil, hidden(ctx)
	}
	return db.Query(ctx, s.DB.R, func(r db.Scanner) (Version, error) {
		var v Version
		err := r.Scan(&v.Version, &v.EditedBy, &v.EditedAt)
		return v, err
	}, `SELECT version, edited_by, edited_at FROM lib_versions WHERE doc_id = $1 ORDER BY version DESC`, id)
}

// Reindex fills an empty library index from the stored documents (a
// database made before the index, or restored without it).
func (s *Service) Reindex(ctx context.Context) error {
	_, err := s.Search.Store("library").Fill(ctx, func(after string) ([]search.Doc, error) {
		ds, err := db.Query(ctx, s.DB.R, scanDoc, `SELECT `+docColumns+` FROM lib_docs WHERE status = 'published' AND id > $1 ORDER BY id LIMIT 500`, after)
		out := make([]search.Doc, len(ds))
		for i, d := range ds {
			out[i] = searchDoc(d)
		}
		return out, err
	})
	return err
}

// maxFiles bounds a document's attachments.
const maxFiles = 20

// Attach stores an attachment (PDF, Office, image, video: checked by its
// bytes) on a document the viewer may change.
func (s *Service) Attach(ctx context.Context, id, name string, r io.Reader) (*Doc, error) {
	d, err := s.get(ctx, s.DB.R, id)
	if err != nil {
		return nil, err
	}
	p, err := s.authorizeChange(ctx, d)
	if err != nil {
		return nil, err
	}
	var n int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM lib_files WHERE doc_id = $1`, id).Scan(&n); err != nil {
		return nil, err
	}
	if n >= maxFiles {
		return nil, errs.Field("file", "library.too_many_files", maxFiles)
	}
	key, ct, err := files.Save(ctx, s.DB, s.Files, files.Media, "library:"+id, name, r, p.AccountID)
	if err != nil {
		return nil, err
	}
	var size int64
	if err := s.DB.R.QueryRowContext(ctx, `SELECT size FROM files WHERE id = $1`, key).Scan(&size); err != nil {
		return nil, err
	}
	text := ""
	if ct == "application/pdf" && s.PDFText != nil {
		if text, err = s.fileText(ctx, key); err != nil {
			s.Log.Warn("pdf text", "file", key, "err", err)
			text = ""
		}
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO lib_files (doc_id, file_id, name, type, size, seq, text) VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, key, path.Base(name), ct, size, n+1, text); err != nil {
			return err
		}
		return s.index(ctx, tx, d)
	})
	if err != nil {
		return nil, err
	}
	if err := s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: "library_file_attached", ObjectType: "library_doc", ObjectID: id, UnitPath: d.UnitPath, Detail: path.Base(name)}); err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// fileText reads a stored PDF back and extracts its text.
func (s *Service) fileText(ctx context.Context, key string) (string, error) {
	rc, err := s.Files.Open(ctx, key)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 64<<20))
	if err != nil {
		return "", err
	}
	return s.PDFText(ctx, data)
}

// FileAccess is the file store's check for attachments: whoever may read
// the document reads its files.
func (s *Service) FileAccess(ctx context.Context, docID string) error {
	_, err := s.Get(ctx, docID)
	return err
}

// input is what an editor would write to make d.
func (d *Doc) input() Input {
	return Input{Kind: d.Kind, UnitCode: d.UnitCode, TitleVI: d.TitleVI, TitleEN: d.TitleEN, SummaryVI: d.SummaryVI, SummaryEN: d.SummaryEN,
		BodyVI: d.BodyVI, BodyEN: d.BodyEN, Topics: d.Topics, Audiences: d.Audiences, Competences: d.Competences, Link: d.Link,
		Number: d.Number, DocType: d.DocType, Issuer: d.Issuer, SignedOn: d.SignedOn, EffectiveOn: d.EffectiveOn, LegalStatus: d.LegalStatus, Version: d.Version}
}

// Load stores documents already written elsewhere as published, in one
// transaction with their index entries and a first version each: a
// migration from another portal, or a benchmark's library. The caller
// must publish for every document's unit (given by code in UnitCode);
// each document's PublishAt is kept (0: now). Nothing is stored unless
// every document reads.
func (s *Service) Load(ctx context.Context, docs []*Doc) error {
	topics, err := s.topicSet(ctx)
	if err != nil {
		return err
	}
	p := auth.FromContext(ctx)
	units := map[string]*org.Unit{}
	now := s.clock()
	ins := make([]Input, len(docs))
	for i, d := range docs {
		u := units[d.UnitCode]
		if u == nil {
			if u, err = s.Org.UnitByCode(ctx, d.UnitCode); err != nil {
				return fmt.Errorf("document %d: %w", i+1, errs.Field("unit_code", "library.bad_unit", d.UnitCode))
			}
			units[d.UnitCode] = u
		}
		if _, err := auth.Authorize(ctx, auth.PublishLibrary, u.Path); err != nil {
			return err
		}
		ins[i] = d.input()
		if err := ins[i].Validate(topics); err != nil {
			return fmt.Errorf("document %d: %w", i+1, err)
		}
		if d.ID == "" {
			d.ID = db.NewID()
		}
		d.UnitID, d.UnitPath, d.Status, d.Version, d.CreatedAt = u.ID, u.Path, Published, 0, now
		if d.PublishAt == 0 {
			d.PublishAt = now
		}
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for i, d := range docs {
			if _, err := s.save(ctx, tx, p, d, ins[i], now, "library_loaded"); err != nil {
				return fmt.Errorf("document %d: %w", i+1, err)
			}
		}
		return nil
	})
}
