// Package experts is the expert network room: experts' profiles (kept by
// the experts themselves, verified by the offices of their unit), a
// managed taxonomy of DX fields, nomination and selection for the
// national and provincial cores, a directory searched with and without
// diacritics, organisations' needs matched to experts with the reasons
// shown, invitations, engagements and feedback. Private fields of a
// profile never leave the offices of its scope. It reads units, skills,
// learning and certificates through their services only.
package experts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/files"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/mail"
	"dxhub/internal/platform/search"
)

// Origins of an expert.
const (
	Domestic = "domestic"
	Foreign  = "foreign"
)

// Statuses of a profile.
const (
	Draft     = "draft"     // the expert is writing it
	Submitted = "submitted" // waiting for its office
	Verified  = "verified"  // the office checked every field
	Changed   = "changed"   // a verified field changed: back to review
)

// PrivateFields are the fields an expert may hide from the public (the
// name is shown on every public profile; the offices of the profile's
// scope see everything).
var PrivateFields = []string{"photo", "org", "position", "languages", "fields", "skills", "degrees", "publications", "projects", "orcid", "availability", "contact"}

// Languages an expert may list (ISO 639-1).
var Languages = []string{"vi", "en", "fr", "de", "ja", "ko", "zh", "ru", "es"}

// Skill is a competence of the skills standard at a level (1…).
type Skill struct {
	Competence string `json:"competence"`
	Level      int    `json:"level"`
}

// Work is a degree, publication or project: a title, a year and a link.
type Work struct {
	Title string `json:"title"`
	Year  int    `json:"year,omitempty"`
	URL   string `json:"url,omitempty"`
}

// Check is what an office verified of a field, and when.
type Check struct {
	At   int64  `json:"at"`
	By   string `json:"by"`
	Note string `json:"note,omitempty"`
	// Digest is a hash of the field's content when verified: a change
	// sends the profile back to review.
	Digest string `json:"digest,omitempty"`
}

// Profile is an expert's profile.
type Profile struct {
	ID        string `json:"id"`
	AccountID string `json:"-"`
	FullName  string `json:"full_name"`
	PhotoID   string `json:"photo_id,omitempty"`
	UnitID    string `json:"-"`
	UnitCode  string `json:"unit_code,omitempty"`
	UnitName  string `json:"unit_name,omitempty"`
	UnitPath  string `json:"-"`
	Details
	Verified map[string]Check `json:"verified"`
	Status   string           `json:"status"`
	// Load is the engagements in progress; Rating the mean of the
	// organisations' ratings (0 without any).
	Load      int     `json:"load"`
	Rating    float64 `json:"rating"`
	Ratings   int     `json:"ratings"`
	UpdatedAt int64   `json:"updated_at"`
	// Redacted says private fields were left out for this reader.
	Redacted bool `json:"redacted,omitempty"`
}

// Input is a profile as a form, the API or a sheet gives it.
type Input struct {
	FullName string `json:"full_name"`
	UnitCode string `json:"unit_code"`
	Details
	// Submit asks the office to verify the profile.
	Submit bool `json:"submit"`
}

// Details are what an expert writes of themselves: every field of a
// profile but its name, unit and standing.
type Details struct {
	// OrgName is an organisation outside the tree (a company, a foreign
	// university); empty for an expert of the unit itself.
	OrgName   string   `json:"org_name,omitempty"`
	Position  string   `json:"position,omitempty"`
	Origin    string   `json:"origin"`
	Province  string   `json:"province,omitempty"` // where the expert is based (a province code)
	Languages []string `json:"languages"`
	Fields    []string `json:"fields"`
	Skills    []Skill  `json:"skills"`
	Degrees   []Work   `json:"degrees"`
	Works     []Work   `json:"publications"`
	Projects  []Work   `json:"projects"`
	ORCID     string   `json:"orcid,omitempty"`
	// Availability: hours a month, remote and/or on site, provinces the
	// expert can travel to.
	Hours     int      `json:"hours_per_month"`
	Remote    bool     `json:"remote"`
	OnSite    bool     `json:"on_site"`
	Provinces []string `json:"provinces"`
	Email     string   `json:"email,omitempty"`
	Phone     string   `json:"phone,omitempty"`
	// ContactPref: how the expert prefers to be reached ("email",
	// "phone", "through_office").
	ContactPref string   `json:"contact_pref,omitempty"`
	Public      bool     `json:"public"`
	Private     []string `json:"private"`
}

// Bounds.
const (
	maxName  = 200
	maxText  = 2000
	maxWorks = 50
	maxList  = 30
)

var (
	orcidPattern = regexp.MustCompile(`^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$`)
	emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	phonePattern = regexp.MustCompile(`^\+?[0-9 .-]{8,16}$`)
)

// ValidORCID checks an ORCID iD's form and its ISO 7064 11,2 check digit.
func ValidORCID(id string) bool {
	if !orcidPattern.MatchString(id) {
		return false
	}
	digits := strings.ReplaceAll(id, "-", "")
	total := 0
	for _, c := range digits[:15] {
		total = (total + int(c-'0')) * 2
	}
	check := (12 - total%11) % 11
	want := byte('0' + check)
	if check == 10 {
		want = 'X'
	}
	return digits[15] == want
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// normalize tidies an input in place: trimmed, de-duplicated lists.
func (in *Input) normalize() {
	in.FullName = strings.Join(strings.Fields(in.FullName), " ")
	in.OrgName, in.Position = strings.TrimSpace(in.OrgName), strings.TrimSpace(in.Position)
	in.ORCID, in.Email, in.Phone = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(in.ORCID), "https://orcid.org/")), strings.TrimSpace(in.Email), strings.TrimSpace(in.Phone)
	clean := func(l []string) []string {
		var out []string
		for _, v := range l {
			if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	in.Languages, in.Fields, in.Provinces, in.Private = clean(in.Languages), clean(in.Fields), clean(in.Provinces), clean(in.Private)
	if in.Origin == "" {
		in.Origin = Domestic
	}
}

// validate checks an input against the taxonomy and the skills standard
// (fields: the codes in use; competences: code → highest level).
func (in *Input) validate(fields map[string]bool, competences map[string]int) error {
	in.normalize()
	works := func(field string, ws []Work) error {
		if len(ws) > maxWorks {
			return errs.Field(field, "experts.too_many", maxWorks)
		}
		for i, w := range ws {
			if strings.TrimSpace(w.Title) == "" || tooLong(w.Title, 500) {
				return errs.Field(fmt.Sprintf("%s[%d].title", field, i), "experts.bad_title", 500)
			}
			if w.Year != 0 && (w.Year < 1950 || w.Year > time.Now().Year()+1) {
				return errs.Field(fmt.Sprintf("%s[%d].year", field, i), "experts.bad_year", w.Year)
			}
			if w.URL != "" {
				if u, err := url.Parse(w.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
					return errs.Field(fmt.Sprintf("%s[%d].url", field, i), "experts.bad_url", w.URL)
				}
			}
		}
		return nil
	}
	switch {
	case in.FullName == "" || tooLong(in.FullName, maxName):
		return errs.Field("full_name", "experts.bad_name", maxName)
	case tooLong(in.OrgName, maxName):
		return errs.Field("org_name", "experts.too_long", maxName)
	case tooLong(in.Position, maxName):
		return errs.Field("position", "experts.too_long", maxName)
	case in.Origin != Domestic && in.Origin != Foreign:
		return errs.Field("origin", "experts.bad_origin", in.Origin)
	case in.ORCID != "" && !ValidORCID(in.ORCID):
		return errs.Field("orcid", "experts.bad_orcid", in.ORCID)
	case in.Hours < 0 || in.Hours > 200:
		return errs.Field("hours_per_month", "experts.bad_hours")
	case in.Email != "" && !emailPattern.MatchString(in.Email):
		return errs.Field("email", "experts.bad_email", in.Email)
	case in.Phone != "" && !phonePattern.MatchString(in.Phone):
		return errs.Field("phone", "experts.bad_phone", in.Phone)
	case in.ContactPref != "" && !slices.Contains([]string{"email", "phone", "through_office"}, in.ContactPref):
		return errs.Field("contact_pref", "experts.bad_contact_pref", in.ContactPref)
	case len(in.Languages) > maxList || len(in.Fields) > maxList || len(in.Skills) > maxList || len(in.Provinces) > 40:
		return errs.Field("fields", "experts.too_many", maxList)
	}
	for i, l := range in.Languages {
		if !slices.Contains(Languages, l) {
			return errs.Field(fmt.Sprintf("languages[%d]", i), "experts.bad_language", l)
		}
	}
	for i, f := range in.Fields {
		if !fields[f] {
			return errs.Field(fmt.Sprintf("fields[%d]", i), "experts.bad_field", f)
		}
	}
	seen := map[string]bool{}
	for i, sk := range in.Skills {
		top, ok := competences[sk.Competence]
		switch {
		case !ok:
			return errs.Field(fmt.Sprintf("skills[%d].competence", i), "experts.bad_competence", sk.Competence)
		case sk.Level < 1 || sk.Level > top:
			return errs.Field(fmt.Sprintf("skills[%d].level", i), "experts.bad_level", top)
		case seen[sk.Competence]:
			return errs.Field(fmt.Sprintf("skills[%d].competence", i), "experts.skill_twice", sk.Competence)
		}
		seen[sk.Competence] = true
	}
	for i, f := range in.Private {
		if !slices.Contains(PrivateFields, f) {
			return errs.Field(fmt.Sprintf("private[%d]", i), "experts.bad_private", f)
		}
	}
	for _, w := range []struct {
		field string
		list  []Work
	}{{"degrees", in.Degrees}, {"publications", in.Works}, {"projects", in.Projects}} {
		if err := works(w.field, w.list); err != nil {
			return err
		}
	}
	return nil
}

// Service is the expert network room.
type Service struct {
	DB     *db.DB
	Log    *slog.Logger
	Audit  *audit.Log
	Org    *org.Service
	Search *search.Service
	Auth   *auth.Service
	Mail   mail.Sender
	// BaseURL starts the links mailed.
	BaseURL string
	// Skills gives the skills standard's competences: code → the highest
	// level (nil: none checked).
	Skills func(ctx context.Context) (map[string]int, error)
	// Files stores profiles' photos.
	Files files.Store
	// Learn and Creds show an expert's training: courses completed and
	// certificates in force of the expert's account (nil: not shown).
	Learn interface {
		CompletedByAccounts(ctx context.Context, accountIDs []string) (map[string]int, error)
	}
	Creds interface {
		HeldByAccounts(ctx context.Context, accountIDs []string) (map[string]int, error)
	}
	now func() time.Time
	// briefs is this node's copy of the profiles lists and matching read.
	briefs briefs
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

func (s *Service) record(ctx context.Context, p *auth.Principal, action, objID, path, detail string) error {
	if s.Audit == nil || p == nil {
		return nil
	}
	return s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: action, ObjectType: "expert", ObjectID: objID, UnitPath: path, Detail: detail})
}

func (s *Service) unit(ctx context.Context, field, code string) (*org.Unit, error) {
	u, err := s.Org.UnitByCode(ctx, strings.TrimSpace(code))
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return nil, errs.Field(field, "experts.bad_unit", code)
		}
		return nil, err
	}
	return u, nil
}

func (s *Service) competences(ctx context.Context) (map[string]int, error) {
	if s.Skills == nil {
		return map[string]int{}, nil
	}
	return s.Skills(ctx)
}

// office reports whether the principal keeps the profile's scope (sees
// private fields, verifies, nominates).
func office(p *auth.Principal, path string) bool { return p.Can(auth.VerifyExperts, path) }

// own reports whether the principal is the profile's expert.
func own(p *auth.Principal, pr *Profile) bool {
	return p != nil && pr.AccountID != "" && p.AccountID == pr.AccountID
}

// mayRead: the expert, the offices of the scope, and anyone for a
// verified public profile.
func mayRead(p *auth.Principal, pr *Profile) bool {
	return own(p, pr) || office(p, pr.UnitPath) || (pr.Public && pr.Status == Verified)
}

// redact removes what a reader may not see: for the public, the private
// fields.
func redact(pr *Profile) {
	for _, f := range pr.Private {
		pr.Redacted = true
		switch f {
		case "photo":
			pr.PhotoID = ""
		case "org":
			pr.OrgName, pr.UnitCode, pr.UnitName = "", "", ""
		case "position":
			pr.Position = ""
		case "languages":
			pr.Languages = []string{}
		case "fields":
			pr.Fields = []string{}
		case "skills":
			pr.Skills = []Skill{}
		case "degrees":
			pr.Degrees = []Work{}
		case "publications":
			pr.Works = []Work{}
		case "projects":
			pr.Projects = []Work{}
		case "orcid":
			pr.ORCID = ""
		case "availability":
			pr.Hours, pr.Remote, pr.OnSite, pr.Provinces = 0, false, false, []string{}
		case "contact":
			pr.Email, pr.Phone, pr.ContactPref = "", "", ""
		}
	}
	// The public sees which public fields were verified and when; not by
	// whom, what was noted, nor anything of a private field.
	checks := map[string]Check{}
	for f, c := range pr.Verified {
		if !slices.Contains(pr.Private, privateOf(f)) {
			checks[f] = Check{At: c.At}
		}
	}
	pr.Verified = checks
	// Contacts of a public profile go through the office unless the
	// expert made them public on purpose.
	if !slices.Contains(pr.Private, "contact") && pr.ContactPref == "through_office" {
		pr.Email, pr.Phone = "", ""
	}
}

// privateOf is the private-switch name of a verifiable field.
func privateOf(field string) string {
	if field == "full_name" {
		return ""
	}
	return field
}

// digest is a field's content, for noticing a change after verification.
func (pr *Profile) digest(field string) string {
	var v any
	switch field {
	case "full_name":
		v = pr.FullName
	case "org":
		v = []string{pr.UnitID, pr.OrgName}
	case "position":
		v = pr.Position
	case "languages":
		v = pr.Languages
	case "fields":
		v = pr.Fields
	case "skills":
		v = pr.Skills
	case "degrees":
		v = pr.Degrees
	case "publications":
		v = pr.Works
	case "projects":
		v = pr.Projects
	case "orcid":
		v = pr.ORCID
	}
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(append([]byte(pr.ID+"\x00"+field+"\x00"), b...))
	return hex.EncodeToString(sum[:])
}

// VerifiableFields are what an office checks.
var VerifiableFields = []string{"full_name", "org", "position", "languages", "fields", "skills", "degrees", "publications", "projects", "orcid"}

// Profile returns a profile as the reader may see it. Offices reading a
// profile's private fields are audited.
func (s *Service) Profile(ctx context.Context, id string) (*Profile, error) {
	pr, err := s.profile(ctx, s.DB.R, id)
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	if !mayRead(p, pr) {
		if p == nil {
			return nil, errs.E(errs.Unauthorized, "error.unauthorized")
		}
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	switch {
	case own(p, pr):
	case office(p, pr.UnitPath):
		if len(pr.Private) > 0 {
			if err := s.record(ctx, p, audit.ViewPerson, pr.ID, pr.UnitPath, "private fields"); err != nil {
				return nil, err
			}
		}
	default:
		redact(pr)
	}
	return pr, nil
}

// Mine is the signed-in account's own profile (nil when there is none).
func (s *Service) Mine(ctx context.Context) (*Profile, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := db.Strings(ctx, s.DB.R, `SELECT id FROM exp_profiles WHERE account_id = $1`, p.AccountID)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return s.profile(ctx, s.DB.R, ids[0])
}

// SaveMine creates or updates the signed-in expert's own profile (an
// account with the expert role, in the unit the role is granted on).
// A changed verified field sends the profile back to review.
func (s *Service) SaveMine(ctx context.Context, in Input) (*Profile, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	mine, err := s.Mine(ctx)
	if err != nil {
		return nil, err
	}
	if mine == nil {
		scopes := p.Scopes(auth.ManageExpert)
		if len(scopes) == 0 {
			return nil, errs.E(errs.Forbidden, "experts.not_expert")
		}
		u, err := s.Org.UnitByPath(ctx, scopes[0])
		if err != nil {
			return nil, err
		}
		in.UnitCode = u.Code
		return s.create(ctx, p, in, p.AccountID)
	}
	in.UnitCode = mine.UnitCode
	return s.update(ctx, p, mine, in)
}

// Create adds a profile kept by an office (an outside expert without an
// account, an import).
func (s *Service) Create(ctx context.Context, in Input) (*Profile, error) {
	u, err := s.unit(ctx, "unit_code", in.UnitCode)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.VerifyExperts, u.Path)
	if err != nil {
		return nil, err
	}
	return s.create(ctx, p, in, "")
}

// Update changes a profile kept by an office.
func (s *Service) Update(ctx context.Context, id string, in Input) (*Profile, error) {
	pr, err := s.profile(ctx, s.DB.R, id)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.VerifyExperts, pr.UnitPath)
	if err != nil {
		return nil, err
	}
	if in.UnitCode == "" {
		in.UnitCode = pr.UnitCode
	}
	return s.update(ctx, p, pr, in)
}

func (s *Service) taxonomySet(ctx context.Context) (map[string]bool, error) {
	fs, err := s.Fields(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, f := range fs {
		if f.Retired == 0 {
			out[f.Code] = true
		}
	}
	return out, nil
}

func (s *Service) check(ctx context.Context, in *Input) (*org.Unit, error) {
	fields, err := s.taxonomySet(ctx)
	if err != nil {
		return nil, err
	}
	comps, err := s.competences(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.validate(fields, comps); err != nil {
		return nil, err
	}
	for i, c := range in.Provinces {
		if u, err := s.Org.UnitByCode(ctx, c); err != nil || u.Type != org.TypeProvince {
			return nil, errs.Field(fmt.Sprintf("provinces[%d]", i), "experts.bad_province", c)
		}
	}
	if in.Province != "" {
		if u, err := s.Org.UnitByCode(ctx, in.Province); err != nil || u.Type != org.TypeProvince {
			return nil, errs.Field("province", "experts.bad_province", in.Province)
		}
	}
	return s.unit(ctx, "unit_code", in.UnitCode)
}

func (s *Service) create(ctx context.Context, p *auth.Principal, in Input, accountID string) (*Profile, error) {
	u, err := s.check(ctx, &in)
	if err != nil {
		return nil, err
	}
	pr := &Profile{ID: db.NewID(), AccountID: accountID, UnitID: u.ID, UnitPath: u.Path, UnitCode: u.Code, Status: Draft, Verified: map[string]Check{}}
	apply(pr, in)
	if in.Submit {
		pr.Status = Submitted
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.write(ctx, tx, pr, true) })
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "expert_created", pr.ID, pr.UnitPath, pr.FullName); err != nil {
		return nil, err
	}
	return s.profile(ctx, s.DB.R, pr.ID)
}

func (s *Service) update(ctx context.Context, p *auth.Principal, pr *Profile, in Input) (*Profile, error) {
	u, err := s.check(ctx, &in)
	if err != nil {
		return nil, err
	}
	if u.ID != pr.UnitID && !p.Can(auth.VerifyExperts, u.Path) {
		return nil, errs.Field("unit_code", "experts.unit_not_yours", u.Code)
	}
	pr.UnitID, pr.UnitPath, pr.UnitCode = u.ID, u.Path, u.Code
	apply(pr, in)
	// A verified field that changed is checked again.
	changed := false
	for f, c := range pr.Verified {
		if pr.digest(f) != c.Digest {
			delete(pr.Verified, f)
			changed = true
		}
	}
	switch {
	case changed && (pr.Status == Verified || pr.Status == Changed):
		pr.Status = Changed
	case in.Submit && pr.Status == Draft:
		pr.Status = Submitted
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.write(ctx, tx, pr, false) })
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "expert_updated", pr.ID, pr.UnitPath, pr.Status); err != nil {
		return nil, err
	}
	return s.profile(ctx, s.DB.R, pr.ID)
}

func apply(pr *Profile, in Input) {
	pr.FullName, pr.Details = in.FullName, in.Details
	pr.Languages, pr.Fields, pr.Skills = nonNil(in.Languages), nonNil(in.Fields), nonNil(in.Skills)
	pr.Degrees, pr.Works, pr.Projects = nonNil(in.Degrees), nonNil(in.Works), nonNil(in.Projects)
	pr.Provinces, pr.Private = nonNil(in.Provinces), nonNil(in.Private)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Verify records an office's check of a profile: every verifiable field
// as it stands, with a note of what was checked.
func (s *Service) Verify(ctx context.Context, id, note string) (*Profile, error) {
	note = strings.TrimSpace(note)
	if note == "" || tooLong(note, maxText) {
		return nil, errs.Field("note", "experts.note_needed")
	}
	pr, err := s.profile(ctx, s.DB.R, id)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.VerifyExperts, pr.UnitPath)
	if err != nil {
		return nil, err
	}
	if own(p, pr) {
		return nil, errs.E(errs.Forbidden, "experts.verify_own")
	}
	now := s.clock().UnixMilli()
	for _, f := range VerifiableFields {
		pr.Verified[f] = Check{At: now, By: p.DisplayName, Note: note, Digest: pr.digest(f)}
	}
	pr.Status = Verified
	if err := s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.write(ctx, tx, pr, false) }); err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "expert_verified", pr.ID, pr.UnitPath, note); err != nil {
		return nil, err
	}
	return s.profile(ctx, s.DB.R, pr.ID)
}

// write stores a profile and its search entries.
func (s *Service) write(ctx context.Context, tx *sql.Tx, pr *Profile, insert bool) error {
	j := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	now := db.Now()
	pr.UpdatedAt = now
	args := []any{pr.ID, pr.AccountID, pr.FullName, pr.UnitID, pr.UnitPath, pr.OrgName, pr.Position, pr.Origin, pr.Province,
		joinList(pr.Languages), joinList(pr.Fields), joinSkills(pr.Skills), j(pr.Degrees), j(pr.Works), j(pr.Projects), pr.ORCID, pr.Hours, db.Flag(pr.Remote), db.Flag(pr.OnSite),
		joinList(pr.Provinces), pr.Email, pr.Phone, pr.ContactPref, db.Flag(pr.Public), joinList(pr.Private), j(pr.Verified), pr.Status, now}
	q := `UPDATE exp_profiles SET account_id = $2, full_name = $3, unit_id = $4, unit_path = $5, org_name = $6, position = $7, origin = $8, province = $9,
		languages = $10, fields = $11, skills = $12, degrees = $13, publications = $14, projects = $15, orcid = $16, hours = $17, remote = $18, onsite = $19,
		provinces = $20, email = $21, phone = $22, contact_pref = $23, public = $24, private = $25, verified = $26, status = $27, updated_at = $28 WHERE id = $1`
	if insert {
		q = `INSERT INTO exp_profiles (id, account_id, full_name, unit_id, unit_path, org_name, position, origin, province, languages, fields, skills, degrees,
			publications, projects, orcid, hours, remote, onsite, provinces, email, phone, contact_pref, public, private, verified, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $28)`
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("save expert %s: %w", pr.ID, err)
	}
	return s.index(ctx, tx, pr)
}

const profileCols = `id, account_id, full_name, photo_id, unit_id, unit_path, org_name, position, origin, province, languages, fields, skills, degrees, publications, projects,
	orcid, hours, remote, onsite, provinces, email, phone, contact_pref, public, private, verified, status, load, rating_sum, rating_n, updated_at`

func scanProfile(r db.Scanner) (*Profile, error) {
	pr := &Profile{}
	var langs, fields, skills, degrees, works, projects, provinces, private, verified string
	var remote, onsite, public, sum int
	err := r.Scan(&pr.ID, &pr.AccountID, &pr.FullName, &pr.PhotoID, &pr.UnitID, &pr.UnitPath, &pr.OrgName, &pr.Position, &pr.Origin, &pr.Province,
		&langs, &fields, &skills, &degrees, &works, &projects, &pr.ORCID, &pr.Hours, &remote, &onsite, &provinces, &pr.Email, &pr.Phone, &pr.ContactPref,
		&public, &private, &verified, &pr.Status, &pr.Load, &sum, &pr.Ratings, &pr.UpdatedAt)
	if err != nil {
		return nil, err
	}
	for _, x := range []struct {
		raw string
		to  any
	}{{degrees, &pr.Degrees}, {works, &pr.Works}, {projects, &pr.Projects}, {verified, &pr.Verified}} {
		json.Unmarshal([]byte(x.raw), x.to)
	}
	lists(pr, langs, fields, skills, provinces, private, remote, onsite, public, sum)
	if pr.Verified == nil {
		pr.Verified = map[string]Check{}
	}
	return pr, nil
}

// profileBriefCols are what lists and matching read: no works, no checks.
const profileBriefCols = `id, account_id, full_name, photo_id, unit_id, unit_path, org_name, position, origin, province, languages, fields, skills,
	hours, remote, onsite, provinces, public, private, status, load, rating_sum, rating_n, updated_at`

// scanBrief reads a profile for a list or a match (its works and checks
// left empty): most of reading a profile is decoding those.
func scanBrief(r db.Scanner) (*Profile, error) {
	pr := &Profile{Details: Details{Degrees: []Work{}, Works: []Work{}, Projects: []Work{}}, Verified: map[string]Check{}}
	var langs, fields, skills, provinces, private string
	var remote, onsite, public, sum int
	err := r.Scan(&pr.ID, &pr.AccountID, &pr.FullName, &pr.PhotoID, &pr.UnitID, &pr.UnitPath, &pr.OrgName, &pr.Position, &pr.Origin, &pr.Province,
		&langs, &fields, &skills, &pr.Hours, &remote, &onsite, &provinces, &public, &private, &pr.Status, &pr.Load, &sum, &pr.Ratings, &pr.UpdatedAt)
	lists(pr, langs, fields, skills, provinces, private, remote, onsite, public, sum)
	return pr, err
}

func lists(pr *Profile, langs, fields, skills, provinces, private string, remote, onsite, public, sum int) {
	pr.Languages, pr.Fields, pr.Provinces, pr.Private = splitList(langs), splitList(fields), splitList(provinces), splitList(private)
	pr.Skills = []Skill{}
	for _, v := range splitList(skills) {
		code, lvl, _ := strings.Cut(v, ":")
		n, _ := strconv.Atoi(lvl)
		pr.Skills = append(pr.Skills, Skill{Competence: code, Level: n})
	}
	pr.Remote, pr.OnSite, pr.Public = remote == 1, onsite == 1, public == 1
	if pr.Ratings > 0 {
		pr.Rating = float64(sum) / float64(pr.Ratings)
	}
}

// Lists of codes are stored joined by ";" (codes never hold one), which
// reads far faster than JSON; skills as "2.1:3".
func joinList(l []string) string { return strings.Join(l, ";") }

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ";")
}

func joinSkills(sk []Skill) string {
	parts := make([]string, len(sk))
	for i, s := range sk {
		parts[i] = s.Competence + ":" + strconv.Itoa(s.Level)
	}
	return strings.Join(parts, ";")
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Service) profile(ctx context.Context, q rowQuerier, id string) (*Profile, error) {
	pr, err := scanProfile(q.QueryRowContext(ctx, `SELECT `+profileCols+` FROM exp_profiles WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("expert %s: %w", id, err)
	}
	return pr, s.name(ctx, pr)
}

func (s *Service) name(ctx context.Context, prs ...*Profile) error {
	var ids []string
	for _, p := range prs {
		ids = append(ids, p.UnitID)
	}
	us, err := s.Org.UnitsByID(ctx, ids)
	if err != nil {
		return err
	}
	for _, p := range prs {
		if u := us[p.UnitID]; u != nil {
			p.UnitCode, p.UnitName = u.Code, u.NameVI
		}
	}
	return nil
}

// ---- taxonomy

// Field is a DX field of the managed taxonomy.
type Field struct {
	Code    string `json:"code"`
	NameVI  string `json:"name_vi"`
	NameEN  string `json:"name_en"`
	Since   int    `json:"since"`
	Retired int    `json:"retired,omitempty"`
}

// Name is the field's name in lang.
func (f Field) Name(lang i18n.Lang) string {
	if lang == i18n.EN && f.NameEN != "" {
		return f.NameEN
	}
	return f.NameVI
}

// Fields lists the taxonomy, retired fields included (profiles keep them).
func (s *Service) Fields(ctx context.Context) ([]Field, error) {
	return db.Query(ctx, s.DB.R, func(r db.Scanner) (Field, error) {
		var f Field
		return f, r.Scan(&f.Code, &f.NameVI, &f.NameEN, &f.Since, &f.Retired)
	}, `SELECT code, name_vi, name_en, since, retired FROM exp_fields ORDER BY code`)
}

// TaxonomyChange adds fields or retires them as a new version of the
// taxonomy (national offices).
type TaxonomyChange struct {
	Add    []Field  `json:"add"`
	Retire []string `json:"retire"`
	Note   string   `json:"note"`
}

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// ChangeTaxonomy applies a change as the next version of the taxonomy.
func (s *Service) ChangeTaxonomy(ctx context.Context, c TaxonomyChange) (int, error) {
	nation, err := s.Org.Nation(ctx)
	if err != nil {
		return 0, err
	}
	p, err := auth.Authorize(ctx, auth.VerifyExperts, nation.Path)
	if err != nil {
		return 0, err
	}
	if strings.TrimSpace(c.Note) == "" || len(c.Add)+len(c.Retire) == 0 {
		return 0, errs.Field("note", "experts.taxonomy_empty")
	}
	have, err := s.Fields(ctx)
	if err != nil {
		return 0, err
	}
	known := map[string]bool{}
	for _, f := range have {
		known[f.Code] = true
	}
	for i, f := range c.Add {
		switch {
		case !codePattern.MatchString(f.Code):
			return 0, errs.Field(fmt.Sprintf("add[%d].code", i), "experts.bad_code", f.Code)
		case known[f.Code]:
			return 0, errs.Field(fmt.Sprintf("add[%d].code", i), "experts.code_exists", f.Code)
		case strings.TrimSpace(f.NameVI) == "" || tooLong(f.NameVI, maxName):
			return 0, errs.Field(fmt.Sprintf("add[%d].name_vi", i), "experts.bad_name", maxName)
		}
		known[f.Code] = true
	}
	for i, code := range c.Retire {
		if !slices.ContainsFunc(have, func(f Field) bool { return f.Code == code && f.Retired == 0 }) {
			return 0, errs.Field(fmt.Sprintf("retire[%d]", i), "experts.bad_field", code)
		}
	}
	var version int
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM exp_taxonomy`).Scan(&version); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO exp_taxonomy (version, note, changed_by, changed_at) VALUES ($1, $2, $3, $4)`, version, strings.TrimSpace(c.Note), p.DisplayName, db.Now()); err != nil {
			return err
		}
		for _, f := range c.Add {
			if _, err := tx.ExecContext(ctx, `INSERT INTO exp_fields (code, name_vi, name_en, since) VALUES ($1, $2, $3, $4)`, f.Code, strings.TrimSpace(f.NameVI), strings.TrimSpace(f.NameEN), version); err != nil {
				return err
			}
		}
		for _, code := range c.Retire {
			if _, err := tx.ExecContext(ctx, `UPDATE exp_fields SET retired = $1 WHERE code = $2`, version, code); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return version, s.record(ctx, p, "expert_taxonomy_changed", "", nation.Path, fmt.Sprintf("v%d: %s", version, c.Note))
}

// Training is what an expert has done on dxhub.
type Training struct {
	Courses      int `json:"courses_completed"`
	Certificates int `json:"certificates"`
}

// Courses is an expert's training: the courses their account completed
// and the certificates it holds (zero for a profile without an account).
func (s *Service) Courses(ctx context.Context, pr *Profile) (Training, error) {
	var t Training
	if pr.AccountID == "" {
		return t, nil
	}
	if s.Learn != nil {
		n, err := s.Learn.CompletedByAccounts(ctx, []string{pr.AccountID})
		if err != nil {
			return t, err
		}
		t.Courses = n[pr.AccountID]
	}
	if s.Creds != nil {
		n, err := s.Creds.HeldByAccounts(ctx, []string{pr.AccountID})
		if err != nil {
			return t, err
		}
		t.Certificates = n[pr.AccountID]
	}
	return t, nil
}

// defaultFields are the first version of the taxonomy: the fields the
// scheme's documents name for DX experts.
var defaultFields = []Field{
	{Code: "e_government", NameVI: "Chính phủ số, chính quyền số", NameEN: "Digital government"},
	{Code: "digital_economy", NameVI: "Kinh tế số", NameEN: "Digital economy"},
	{Code: "digital_society", NameVI: "Xã hội số", NameEN: "Digital society"},
	{Code: "cybersecurity", NameVI: "An toàn, an ninh mạng", NameEN: "Cybersecurity"},
	{Code: "data", NameVI: "Dữ liệu", NameEN: "Data"},
	{Code: "ai", NameVI: "Trí tuệ nhân tạo", NameEN: "Artificial intelligence"},
	{Code: "cloud", NameVI: "Điện toán đám mây, hạ tầng số", NameEN: "Cloud and digital infrastructure"},
	{Code: "iot", NameVI: "Internet vạn vật", NameEN: "Internet of things"},
	{Code: "health", NameVI: "Y tế số", NameEN: "Digital health"},
	{Code: "education", NameVI: "Giáo dục số", NameEN: "Digital education"},
	{Code: "agriculture", NameVI: "Nông nghiệp số", NameEN: "Digital agriculture"},
	{Code: "finance", NameVI: "Tài chính, ngân hàng số", NameEN: "Digital finance and banking"},
	{Code: "transport", NameVI: "Giao thông, logistics số", NameEN: "Digital transport and logistics"},
	{Code: "tourism", NameVI: "Du lịch số", NameEN: "Digital tourism"},
	{Code: "smart_city", NameVI: "Đô thị thông minh", NameEN: "Smart cities"},
	{Code: "digital_skills", NameVI: "Kỹ năng số, đào tạo", NameEN: "Digital skills and training"},
}

// EnsureTaxonomy writes the taxonomy's first version when there is none.
func (s *Service) EnsureTaxonomy(ctx context.Context) error {
	var n int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM exp_taxonomy`).Scan(&n); err != nil || n > 0 {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO exp_taxonomy (version, note, changed_by, changed_at) VALUES (1, 'dxhub', 'system', $1) ON CONFLICT (version) DO NOTHING`, db.Now()); err != nil {
			return err
		}
		for _, f := range defaultFields {
			if _, err := tx.ExecContext(ctx, `INSERT INTO exp_fields (code, name_vi, name_en, since) VALUES ($1, $2, $3, 1) ON CONFLICT (code) DO NOTHING`, f.Code, f.NameVI, f.NameEN); err != nil {
				return err
			}
		}
		return nil
	})
}

// Load writes verified profiles in bulk, one transaction a batch, without
// the one-by-one checks (benchmarks; trusted callers): each input's unit
// must exist.
func (s *Service) Load(ctx context.Context, ins []Input) error {
	units := map[string]*org.Unit{}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		now := s.clock().UnixMilli()
		for _, in := range ins {
			in.normalize()
			u, ok := units[in.UnitCode]
			if !ok {
				var err error
				if u, err = s.Org.UnitByCode(ctx, in.UnitCode); err != nil {
					return fmt.Errorf("load expert %s: %w", in.FullName, err)
				}
				units[in.UnitCode] = u
			}
			pr := &Profile{ID: db.NewID(), UnitID: u.ID, UnitPath: u.Path, UnitCode: u.Code, UnitName: u.NameVI, Status: Verified, Verified: map[string]Check{}}
			apply(pr, in)
			for _, f := range VerifiableFields {
				pr.Verified[f] = Check{At: now, By: "system", Digest: pr.digest(f)}
			}
			if err := s.write(ctx, tx, pr, true); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetPhoto stores a profile's photo (an image; the expert or an office of
// the profile's scope).
func (s *Service) SetPhoto(ctx context.Context, id, name string, r io.Reader) (*Profile, error) {
	pr, err := s.profile(ctx, s.DB.R, id)
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	if !own(p, pr) {
		if _, err := auth.Authorize(ctx, auth.VerifyExperts, pr.UnitPath); err != nil {
			return nil, err
		}
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(r, head)
	switch http.DetectContentType(head[:n]) {
	case "image/jpeg", "image/png", "image/webp":
	default:
		return nil, errs.Field("photo", "experts.photo_not_image")
	}
	key, _, err := files.Save(ctx, s.DB, s.Files, files.Evidence, "expert:"+pr.ID, name, io.MultiReader(bytes.NewReader(head[:n]), r), p.AccountID)
	if err != nil {
		return nil, err
	}
	if _, err := s.DB.W.ExecContext(ctx, `UPDATE exp_profiles SET photo_id = $1, updated_at = $2 WHERE id = $3`, key, db.Now(), pr.ID); err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "expert_updated", pr.ID, pr.UnitPath, "photo"); err != nil {
		return nil, err
	}
	return s.profile(ctx, s.DB.R, pr.ID)
}

// PhotoAccess decides who may see a profile's photo: who may read the
// profile, unless the photo is private to its offices.
func (s *Service) PhotoAccess(ctx context.Context, id string) error {
	pr, err := s.Profile(ctx, id)
	if err != nil {
		return err
	}
	if pr.PhotoID == "" {
		return errs.E(errs.NotFound, "error.not_found")
	}
	return nil
}
