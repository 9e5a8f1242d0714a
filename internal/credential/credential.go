// Package credential issues certificates: every course completion and
// exam pass that meets an achievement's rule becomes an Open Badges 3.0
// credential (W3C Verifiable Credentials 2.0), signed by its issuing
// unit's Ed25519 key twice over (an eddsa-rdfc-2022 Data Integrity proof
// and a VC-JWT), verifiable by anyone without asking dxhub, revocable
// through a published status list.
package credential

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"dxhub/internal/assessment"
	"dxhub/internal/lrs"
	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/textfold"
)

// Service is the certificates room.
type Service struct {
	DB      *db.DB
	Log     *slog.Logger
	Audit   *audit.Log
	Auth    *auth.Service
	Org     *org.Service
	Exams   *assessment.Exams
	Keys    *Keys
	BaseURL string
	// LRS records each credential on the learner's history (nil: not).
	LRS *lrs.Store

	statusMu    sync.Mutex
	statusCache map[string]cachedList
	issuers     sync.Map // unit code → issuer unit, for a minute
	checked     sync.Map // credential id → *Verification of its stored proof
	prepOnce    sync.Once
	prepared    *db.Prepared // the lookups of pages and issuing
	checkedN    atomic.Int64
	// now is the clock (tests move it); nil is time.Now.
	now func() time.Time
}

type cachedList struct {
	doc   []byte
	fresh time.Time
}

// Rules an achievement is earned by.
const (
	RuleCourse    = "course"    // completing a course (RuleRef: its code)
	RuleSession   = "session"   // passing an exam session (RuleRef: its id)
	RuleBlueprint = "blueprint" // passing any session of a blueprint (RuleRef: its id)
	RuleModules   = "modules"   // holding other achievements (All, AnyN of Any)
	RuleManual    = "manual"    // issued by an administrator only (bulk lists)
)

// Achievement is what can be earned, in one version.
type Achievement struct {
	ID            string `json:"id"`
	Code          string `json:"code"`
	Version       int    `json:"version"`
	UnitCode      string `json:"unit_code"`
	UnitID        string `json:"-"`
	UnitPath      string `json:"-"`
	Name          string `json:"name"`
	NameEN        string `json:"name_en,omitempty"`
	Description   string `json:"description,omitempty"`
	DescriptionEN string `json:"description_en,omitempty"`
	Criteria      string `json:"criteria"`
	CriteriaEN    string `json:"criteria_en,omitempty"`
	Kind          string `json:"kind"`
	// IssuerImage is the logo of the issuing unit the credential shows
	// (an https URL), if any.
	IssuerImage string         `json:"issuer_image,omitempty"`
	Alignments  []AlignmentRef `json:"alignments"`
	ValidYears  int            `json:"valid_years,omitempty"`
	Rule        string         `json:"rule"`
	RuleRef     string         `json:"rule_ref,omitempty"`
	// All and Any (of which AnyN) are the achievement codes a modules
	// rule needs: the basic certificate is All IU01..IU06; the advanced
	// one All BASIC and 3 of Any IU07..IU15.
	All        []string `json:"all,omitempty"`
	Any        []string `json:"any,omitempty"`
	AnyN       int      `json:"any_n,omitempty"`
	MinPercent float64  `json:"min_percent,omitempty"`
	Status     string   `json:"status"`
	CreatedAt  int64    `json:"created_at"`
}

// AlignmentRef ties an achievement to a competence of a skills standard.
type AlignmentRef struct {
	Standard   string `json:"standard"`
	Version    int    `json:"version"`
	Competence string `json:"competence"`
	Name       string `json:"name,omitempty"`
}

// Kinds of achievement (Open Badges' achievementType).
var Kinds = []string{"Certificate", "Badge", "Course", "Competency", "License"}

// Statuses of an achievement version.
const (
	Active  = "active"
	Retired = "retired"
)

func (s *Service) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// stmt returns a prepared statement on the reader pool, preparing it
// once: a credential's page reads one by id, thousands of times a second.
func (s *Service) stmt(q string) (*sql.Stmt, error) {
	s.prepOnce.Do(func() { s.prepared = db.NewPrepared(s.DB.R, 64) })
	st, err := s.prepared.Stmt(context.Background(), q)
	if st == nil && err == nil {
		err = errors.New("more queries prepared than the service has")
	}
	return st, err
}

// SetClock moves the service's clock (tests of expiry).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

const achievementCols = `id, code, version, unit_id, unit_path, name, name_en, description, description_en, criteria, criteria_en, kind, issuer_image, alignments, valid_years, rule, rule_ref, min_percent, status, created_at`

func scanAchievement(r db.Scanner) (*Achievement, error) {
	var a Achievement
	var al, ref string
	if err := r.Scan(&a.ID, &a.Code, &a.Version, &a.UnitID, &a.UnitPath, &a.Name, &a.NameEN, &a.Description, &a.DescriptionEN, &a.Criteria, &a.CriteriaEN, &a.Kind, &a.IssuerImage, &al, &a.ValidYears, &a.Rule, &ref, &a.MinPercent, &a.Status, &a.CreatedAt); err != nil {
		return nil, err
	}
	json.Unmarshal([]byte(al), &a.Alignments)
	a.RuleRef, a.UnitCode = ref, a.UnitID // the id until the org room gives the code
	if a.Rule == RuleModules {
		var m struct {
			All  []string `json:"all"`
			Any  []string `json:"any"`
			AnyN int      `json:"any_n"`
		}
		json.Unmarshal([]byte(ref), &m)
		a.All, a.Any, a.AnyN, a.RuleRef = m.All, m.Any, m.AnyN, ""
	}
	return &a, nil
}

// LocalName is the achievement's name in lang.
func (a *Achievement) LocalName(lang i18n.Lang) string {
	if lang == i18n.EN && a.NameEN != "" {
		return a.NameEN
	}
	return a.Name
}

var codeRe = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._-]{1,39}$`)

// validate checks an achievement as typed, naming the field at fault.
func (s *Service) validate(ctx context.Context, a *Achievement) error {
	a.Code = strings.ToUpper(strings.TrimSpace(a.Code))
	for _, f := range []*string{&a.Name, &a.NameEN, &a.Description, &a.DescriptionEN, &a.Criteria, &a.CriteriaEN} {
		*f = strings.TrimSpace(textfold.NFC(*f))
	}
	switch {
	case !codeRe.MatchString(a.Code):
		return errs.Field("code", "credential.bad_code")
	case a.Name == "" || len([]rune(a.Name)) > 200 || len([]rune(a.NameEN)) > 200:
		return errs.Field("name", "credential.bad_name")
	case a.Criteria == "" || len(a.Criteria) > 5000 || len(a.CriteriaEN) > 5000 || len(a.Description) > 5000 || len(a.DescriptionEN) > 5000:
		return errs.Field("criteria", "credential.bad_criteria")
	case a.ValidYears < 0 || a.ValidYears > 50:
		return errs.Field("valid_years", "credential.bad_years")
	case a.MinPercent < 0 || a.MinPercent > 100:
		return errs.Field("min_percent", "credential.bad_percent")
	}
	if a.Kind == "" {
		a.Kind = "Certificate"
	}
	if a.Alignments == nil {
		a.Alignments = []AlignmentRef{}
	}
	if !slices.Contains(Kinds, a.Kind) {
		return errs.Field("kind", "credential.bad_kind")
	}
	if a.IssuerImage = strings.TrimSpace(a.IssuerImage); a.IssuerImage != "" && (!strings.HasPrefix(a.IssuerImage, "https://") || !absoluteIRI(a.IssuerImage) || len(a.IssuerImage) > 500) {
		return errs.Field("issuer_image", "credential.bad_image")
	}
	sys := auth.WithPrincipal(ctx, auth.System())
	switch a.Rule {
	case RuleCourse:
		if a.RuleRef == "" {
			return errs.Field("rule_ref", "credential.no_course")
		}
	case RuleSession:
		if _, err := s.Exams.Session(sys, a.RuleRef); err != nil {
			return errs.Field("rule_ref", "credential.no_session", a.RuleRef)
		}
	case RuleBlueprint:
		if a.RuleRef == "" {
			return errs.Field("rule_ref", "credential.no_blueprint")
		}
	case RuleModules:
		if len(a.All) == 0 && (a.AnyN <= 0 || len(a.Any) < a.AnyN) {
			return errs.Field("all", "credential.bad_modules")
		}
		for _, c := range append(slices.Clone(a.All), a.Any...) {
			if _, err := s.ActiveAchievement(ctx, strings.ToUpper(c)); err != nil || strings.EqualFold(c, a.Code) {
				return errs.Field("all", "credential.no_module", c)
			}
		}
		b, _ := json.Marshal(map[string]any{"all": upper(a.All), "any": upper(a.Any), "any_n": a.AnyN})
		a.RuleRef = string(b)
	case RuleManual:
		a.RuleRef = ""
	default:
		return errs.Field("rule", "credential.bad_rule")
	}
	return nil
}

func upper(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strings.ToUpper(strings.TrimSpace(x))
	}
	return out
}

// SaveAchievement defines an achievement (a new code) or changes one: a
// version nobody has earned yet is changed in place; otherwise a new
// version replaces it and the old one is retired, so that every
// credential keeps pointing at the version it was earned under. The
// caller may define achievements on the issuing unit.
func (s *Service) SaveAchievement(ctx context.Context, a *Achievement) error {
	u, err := s.Org.UnitByCode(ctx, strings.TrimSpace(a.UnitCode))
	if err != nil {
		return errs.Field("unit_code", "credential.bad_unit", a.UnitCode)
	}
	p, err := auth.Authorize(ctx, auth.DefineAchievements, u.Path)
	if err != nil {
		return err
	}
	if err := s.validate(ctx, a); err != nil {
		return err
	}
	a.UnitID, a.UnitPath, a.UnitCode, a.Status = u.ID, u.Path, u.Code, Active
	al, _ := json.Marshal(a.Alignments)
	now := db.Now()
	cur, err := s.ActiveAchievement(ctx, a.Code)
	if err != nil && errs.Code(err) != errs.NotFound {
		return err
	}
	if cur != nil && !p.Can(auth.DefineAchievements, cur.UnitPath) {
		return errs.E(errs.Forbidden, "error.forbidden")
	}
	action := "achievement_defined"
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		a.Version, a.ID, a.CreatedAt = 1, db.NewID(), now
		if cur != nil {
			var earned int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM credentials WHERE achievement_id = $1`, cur.ID).Scan(&earned); err != nil {
				return err
			}
			if earned == 0 {
				a.ID, a.Version, a.CreatedAt = cur.ID, cur.Version, cur.CreatedAt
				_, err := tx.ExecContext(ctx, `UPDATE achievements SET unit_id = $2, unit_path = $3, name = $4, name_en = $5, description = $6, description_en = $7, criteria = $8, criteria_en = $9,
					kind = $10, alignments = $11, valid_years = $12, rule = $13, rule_ref = $14, min_percent = $15, issuer_image = $16 WHERE id = $1`,
					a.ID, a.UnitID, a.UnitPath, a.Name, a.NameEN, a.Description, a.DescriptionEN, a.Criteria, a.CriteriaEN, a.Kind, string(al), a.ValidYears, a.Rule, a.RuleRef, a.MinPercent, a.IssuerImage)
				action = "achievement_changed"
				return err
			}
			a.Version = cur.Version + 1
			if _, err := tx.ExecContext(ctx, `UPDATE achievements SET status = $1 WHERE id = $2`, Retired, cur.ID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO achievements (`+achievementCols+`, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
			a.ID, a.Code, a.Version, a.UnitID, a.UnitPath, a.Name, a.NameEN, a.Description, a.DescriptionEN, a.Criteria, a.CriteriaEN, a.Kind, a.IssuerImage, string(al), a.ValidYears, a.Rule, a.RuleRef, a.MinPercent, a.Status, a.CreatedAt, p.AccountID)
		return err
	})
	if err != nil {
		return err
	}
	// The audit's writer is its own transaction: recorded after this one.
	return s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: action, ObjectType: "achievement", ObjectID: a.ID, UnitPath: a.UnitPath, Detail: fmt.Sprintf("%s v%d", a.Code, a.Version)})
}

// ActiveAchievement returns the version of code that is earned now.
func (s *Service) ActiveAchievement(ctx context.Context, code string) (*Achievement, error) {
	a, err := scanAchievement(s.DB.R.QueryRowContext(ctx, `SELECT `+achievementCols+` FROM achievements WHERE code = $1 AND status = $2`, code, Active))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "credential.no_achievement", code)
	}
	if err != nil {
		return nil, err
	}
	return a, s.Org.ResolveCodes(ctx, &a.UnitCode)
}

// AchievementByID returns one version (public: achievements are what
// anyone may read about a certificate).
func (s *Service) AchievementByID(ctx context.Context, id string) (*Achievement, error) {
	a, err := scanAchievement(s.DB.R.QueryRowContext(ctx, `SELECT `+achievementCols+` FROM achievements WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "credential.no_achievement", id)
	}
	if err != nil {
		return nil, err
	}
	return a, s.Org.ResolveCodes(ctx, &a.UnitCode)
}

// Achievements lists the active achievements.
func (s *Service) Achievements(ctx context.Context) ([]*Achievement, error) {
	list, err := db.Query(ctx, s.DB.R, scanAchievement, `SELECT `+achievementCols+` FROM achievements WHERE status = $1 ORDER BY code`, Active)
	if err != nil {
		return nil, err
	}
	codes := make([]*string, len(list))
	for i, a := range list {
		codes[i] = &a.UnitCode
	}
	return list, s.Org.ResolveCodes(ctx, codes...)
}

// Credential is one issued credential as stored.
type Credential struct {
	ID            string `json:"id"`
	Number        string `json:"number"`
	AchievementID string `json:"achievement_id"`
	Achievement   string `json:"achievement"`
	AccountID     string `json:"-"`
	UnitID        string `json:"-"`
	UnitPath      string `json:"-"`
	UnitCode      string `json:"unit_code"`
	IssuedAt      int64  `json:"issued_at"`
	// RecordedAt is when dxhub stored it (a paper certificate entered
	// later was issued long before).
	RecordedAt    int64  `json:"recorded_at"`
	ValidUntil    int64  `json:"valid_until,omitempty"`
	Source        string `json:"source,omitempty"`
	Result        string `json:"result,omitempty"`
	Legacy        bool   `json:"legacy,omitempty"`
	RevokedAt     int64  `json:"revoked_at,omitempty"`
	RevokedReason string `json:"revoked_reason,omitempty"`
	Document      string `json:"-"`
	JWT           string `json:"-"`
}

const credentialCols = `c.id, c.number, c.achievement_id, a.name, c.account_id, c.unit_id, c.unit_path, c.issued_at, c.recorded_at, c.valid_until, c.source, c.result, c.legacy, c.revoked_at, c.revoked_reason, c.document, c.jwt`

func scanCredential(r db.Scanner) (*Credential, error) {
	var c Credential
	var legacy int
	err := r.Scan(&c.ID, &c.Number, &c.AchievementID, &c.Achievement, &c.AccountID, &c.UnitID, &c.UnitPath, &c.IssuedAt, &c.RecordedAt, &c.ValidUntil, &c.Source, &c.Result, &legacy, &c.RevokedAt, &c.RevokedReason, &c.Document, &c.JWT)
	c.Legacy = legacy != 0
	c.UnitCode = c.UnitID
	return &c, err
}

// ByID returns a credential (public: its link is what is shared).
func (s *Service) ByID(ctx context.Context, id string) (*Credential, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, errs.E(errs.NotFound, "credential.not_found")
	}
	st, err := s.stmt(`SELECT ` + credentialCols + ` FROM credentials c JOIN achievements a ON a.id = c.achievement_id WHERE c.id = $1`)
	if err != nil {
		return nil, err
	}
	c, err := scanCredential(st.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "credential.not_found")
	}
	if err != nil {
		return nil, err
	}
	return c, s.Org.ResolveCodes(ctx, &c.UnitCode)
}

// Mine lists the signed-in person's credentials, newest first.
func (s *Service) Mine(ctx context.Context) ([]*Credential, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	list, err := db.Query(ctx, s.DB.R, scanCredential, `SELECT `+credentialCols+` FROM credentials c JOIN achievements a ON a.id = c.achievement_id WHERE c.account_id = $1 ORDER BY c.issued_at DESC`, p.AccountID)
	if err != nil {
		return nil, err
	}
	return list, s.unitCodes(ctx, list)
}

// unitCodes gives credentials their issuing unit's code, in one read.
func (s *Service) unitCodes(ctx context.Context, list []*Credential) error {
	codes := make([]*string, len(list))
	for i, c := range list {
		codes[i] = &c.UnitCode
	}
	return s.Org.ResolveCodes(ctx, codes...)
}

// Issued is a credential just made (or found made before).
type Issued struct {
	Credential *Credential
	New        bool
}

// issueInput is one credential to make.
type issueInput struct {
	ach       *Achievement
	accountID string
	source    string // what earned it: attempt:ID, enrolment:ID, modules, legacy:NUMBER
	result    string
	evidence  string
	at        time.Time
	number    string // legacy: the paper certificate's number
	legacy    bool
	// skipGone: an account deleted since the event is skipped, not an error.
	skipGone bool
}

func isNoAccount(err error) bool {
	e, ok := errs.As(err)
	return ok && e.Key == "credential.no_account"
}

// issue makes a credential unless the account already holds one of the
// achievement (exactly once, whatever retries, restarts or nodes do: the
// database's unique key decides).
func (s *Service) issue(ctx context.Context, in issueInput) (*Issued, error) {
	var existing string
	err := s.DB.R.QueryRowContext(ctx, `SELECT id FROM credentials WHERE achievement_id = $1 AND account_id = $2`, in.ach.ID, in.accountID).Scan(&existing)
	if err == nil {
		c, err := s.ByID(ctx, existing)
		return &Issued{Credential: c}, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	stored, err := s.store(ctx, []issueInput{in}, "")
	if err != nil {
		return nil, err
	}
	if len(stored) == 0 {
		// Another node issued it meanwhile.
		return s.issue(ctx, in)
	}
	cr, err := s.ByID(ctx, stored[0].id)
	return &Issued{Credential: cr, New: true}, err
}

// prepared is a credential signed and ready to store.
type prepared struct {
	id, number, achID, achCode, accountID, username, name, unitID, unitPath string
	list, index                                                             int
	issuedAt, validUntil                                                    int64
	source, result                                                          string
	legacy                                                                  bool
	doc                                                                     []byte
	jwt                                                                     string
}

// prepare builds and signs the credential of in at a status index.
func (s *Service) prepare(ctx context.Context, in issueInput, list, index int, unit *org.Unit) (*prepared, error) {
	acct, ok, err := s.Auth.AccountByID(ctx, in.accountID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.E(errs.NotFound, "credential.no_account")
	}
	key, err := s.Keys.Current(ctx, unit.ID)
	if err != nil {
		return nil, err
	}
	id := uuid.NewString()
	number := in.number
	if number == "" {
		number = newNumber(in.at)
	}
	salt := randHex(8)
	who, idType := "acct:"+acct.ID, "systemId"
	if acct.Email != "" {
		who, idType = strings.ToLower(acct.Email), "emailAddress"
	}
	h := sha256.Sum256([]byte(who + salt))
	named, err := s.Auth.Granted(ctx, acct.ID, auth.ConsentPublicProfile)
	if err != nil {
		return nil, err
	}
	c := &Content{
		ID: s.BaseURL + "/credentials/" + id, Number: number,
		Issuer:      s.issuerOf(unit, in.ach.IssuerImage),
		Subject:     Subject{HashedID: "sha256$" + hex.EncodeToString(h[:]), Salt: salt, IDType: idType},
		Achievement: s.achievementDoc(in.ach),
		ValidFrom:   in.at, Result: in.result, Evidence: in.evidence, Legacy: in.legacy,
		Status: StatusEntry{ListURL: s.statusURL(unit.Code, list), Index: index},
	}
	if named {
		c.Subject.Name = acct.DisplayName
	}
	if in.ach.ValidYears > 0 {
		c.ValidUntil = in.at.AddDate(in.ach.ValidYears, 0, 0)
	}
	doc, jwt, err := s.sign(c, unit.Code, key)
	if err != nil {
		return nil, err
	}
	p := &prepared{id: id, number: number, achID: in.ach.ID, achCode: in.ach.Code, accountID: acct.ID, username: acct.Username, name: acct.DisplayName, unitID: unit.ID, unitPath: unit.Path,
		list: list, index: index, issuedAt: in.at.UnixMilli(), source: in.source, result: in.result, legacy: in.legacy, doc: doc, jwt: jwt}
	if !c.ValidUntil.IsZero() {
		p.validUntil = c.ValidUntil.UnixMilli()
	}
	return p, nil
}

// insertCredentials stores prepared credentials in tx, skipping (nil in
// the answer's place) those whose holder has the achievement already.
func insertCredentials(ctx context.Context, tx *sql.Tx, rows []*prepared) ([]*prepared, error) {
	st, err := tx.PrepareContext(ctx, `INSERT INTO credentials (id, number, achievement_id, account_id, unit_id, unit_path, status_list, status_index, issued_at, valid_until, source, result, legacy, document, jwt, recorded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (achievement_id, account_id) DO NOTHING`)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	out := make([]*prepared, len(rows))
	now := db.Now()
	for i, p := range rows {
		if p == nil {
			continue
		}
		legacy := 0
		if p.legacy {
			legacy = 1
		}
		res, err := st.ExecContext(ctx, p.id, p.number, p.achID, p.accountID, p.unitID, p.unitPath, p.list, p.index, p.issuedAt, p.validUntil, p.source, p.result, legacy, string(p.doc), p.jwt, now)
		if err != nil {
			return nil, fmt.Errorf("store credential: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			out[i] = p
		}
	}
	return out, nil
}

func (s *Service) auditIssued(ctx context.Context, p *prepared, by string) error {
	return s.Audit.Record(ctx, audit.Entry{ActorID: p.accountID, ActorName: p.username, Action: "credential_issued", ObjectType: "credential", ObjectID: p.id, UnitPath: p.unitPath, Detail: strings.TrimSpace(p.achCode + " " + p.number + " " + by)})
}

// sign adds both proofs: the Data Integrity proof in the document, and
// the VC-JWT beside it.
func (s *Service) sign(c *Content, unitCode string, key *signingKey) ([]byte, string, error) {
	c.clean()
	doc := c.document()
	vm := s.DID(unitCode) + "#" + key.ID
	jwt, err := signJWT(doc, key.Priv, vm)
	if err != nil {
		return nil, "", err
	}
	canon, err := canonizeContent(c)
	if err != nil {
		return nil, "", err
	}
	if err := signDataIntegrity(doc, key.Priv, vm, c.ValidFrom, canon); err != nil {
		return nil, "", err
	}
	b, err := json.Marshal(doc)
	return b, jwt, err
}

// allocate takes n consecutive indexes of the unit's current status list
// (opening the next list when they do not fit), returning the list and
// the first.
func (s *Service) allocate(ctx context.Context, unitID string, n int) (list, first int, err error) {
	for range 5 {
		opened := true
		err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
			err := tx.QueryRowContext(ctx, `UPDATE status_lists SET next_index = next_index + $3 WHERE unit_id = $1 AND list = (SELECT MAX(list) FROM status_lists WHERE unit_id = $1) AND next_index + $3 <= $2 RETURNING list, next_index - $3`, unitID, StatusListSize, n).Scan(&list, &first)
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			// No list yet, or the last is full: open the next, unless
			// another writer opens it first (then take from theirs).
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(list), 0) + 1 FROM status_lists WHERE unit_id = $1`, unitID).Scan(&list); err != nil {
				return err
			}
			first = 0
			res, err := tx.ExecContext(ctx, `INSERT INTO status_lists (unit_id, list, next_index) VALUES ($1, $2, $3) ON CONFLICT (unit_id, list) DO NOTHING`, unitID, list, n)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			opened = k == 1
			return nil
		})
		if err != nil || opened {
			return list, first, err
		}
	}
	return 0, 0, errors.New("status list: no index after five tries")
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// newNumber is a certificate number people can read out: the year and
// eight characters without look-alikes.
func newNumber(at time.Time) string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	b := make([]byte, 8)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return fmt.Sprintf("DX-%d-%s", at.Year(), b)
}

// host is this site's host for did:web (a port written %3A).
func (s *Service) host() string {
	u, err := url.Parse(s.BaseURL)
	if err != nil || u.Host == "" {
		return "localhost"
	}
	return strings.ReplaceAll(u.Host, ":", "%3A")
}

// DID is an issuing unit's decentralized identifier (did:web): its
// document is at BASE/issuers/CODE/did.json.
func (s *Service) DID(unitCode string) string {
	return "did:web:" + s.host() + ":issuers:" + unitCode
}

func (s *Service) issuerOf(u *org.Unit, image string) Issuer {
	return Issuer{DID: s.DID(u.Code), Name: u.FullName(i18n.VI), URL: s.BaseURL + "/units/" + u.Code, Image: image}
}

func (s *Service) statusURL(unitCode string, list int) string {
	return fmt.Sprintf("%s/credential-status/%s/%d", s.BaseURL, unitCode, list)
}

func (s *Service) achievementDoc(a *Achievement) AchievementDoc {
	d := AchievementDoc{ID: s.BaseURL + "/achievements/" + a.ID, Name: a.Name, Description: a.Description, Criteria: a.Criteria, Type: a.Kind}
	if d.Description == "" {
		d.Description = a.Criteria
	}
	for _, al := range a.Alignments {
		d.Alignments = append(d.Alignments, Alignment{Name: al.Name, URL: fmt.Sprintf("%s/skills/%s/%d#c-%s", s.BaseURL, al.Standard, al.Version, al.Competence), Code: al.Competence, Framework: fmt.Sprintf("%s %d", al.Standard, al.Version)})
	}
	return d
}

// recordEarned puts credentials on the learners' histories in the
// learning record store, in one write: an xAPI statement "earned" of the
// achievement each. A failure is logged: the credentials stand without.
func (s *Service) recordEarned(ctx context.Context, rows []*prepared) {
	if s.LRS == nil || len(rows) == 0 {
		return
	}
	achs := map[string]*Achievement{}
	byScope := map[string][]map[string]any{}
	for _, p := range rows {
		a, ok := achs[p.achID]
		if !ok {
			var err error
			if a, err = s.AchievementByID(ctx, p.achID); err != nil {
				continue
			}
			achs[p.achID] = a
		}
		name := map[string]any{"vi": a.Name}
		if a.NameEN != "" {
			name["en"] = a.NameEN
		}
		byScope[p.unitPath] = append(byScope[p.unitPath], map[string]any{
			"actor": map[string]any{"objectType": "Agent", "name": p.name, "account": map[string]any{"homePage": s.LRS.Home(), "name": p.accountID}},
			"verb":  map[string]any{"id": "http://id.tincanapi.com/verb/earned", "display": map[string]any{"en-US": "earned", "vi": "đạt"}},
			"object": map[string]any{"objectType": "Activity", "id": s.BaseURL + "/achievements/" + a.ID,
				"definition": map[string]any{"name": name, "type": "http://id.tincanapi.com/activitytype/badge"}},
			"result":    map[string]any{"success": true, "extensions": map[string]any{"https://dxhub.gov.vn/xapi/extensions/credential": s.BaseURL + "/credentials/" + p.id}},
			"timestamp": time.UnixMilli(p.issuedAt).UTC().Format("2006-01-02T15:04:05.000Z"),
			"context":   map[string]any{"platform": "dxhub"},
		})
	}
	for scope, sts := range byScope {
		if _, err := s.LRS.Save(ctx, s.LRS.System(scope), sts); err != nil {
			s.Log.Error("xapi earned", "credentials", len(sts), "err", err)
		}
	}
}
