package account

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"time"

	"dxhub/internal/assessment"
	"dxhub/internal/credential"
	"dxhub/internal/learning"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/tabular"
)

// MyData is everything dxhub keeps about the signed-in person, as they
// download it (Decree 13/2023/ND-CP: the right to access).
type MyData struct {
	Account    MyAccount             `json:"account"`
	Profile    *Profile              `json:"profile,omitempty"`
	Enrolments []*learning.Enrolment `json:"enrolments"`
	Attempts   []*assessment.Attempt `json:"exam_attempts"`
	// Certificates are the credentials issued to the person, each with
	// its signed document.
	Certificates []MyCertificate `json:"certificates"`
	Consents     []auth.Consent  `json:"consents"`
	// Identities are the sign-in providers linked to the account.
	Identities []Identity `json:"sign_in_providers"`
	// HasPassword says whether the account signs in with a password (the
	// deletion form asks for it, or else for the sign-in name).
	HasPassword bool `json:"-"`
	// Records are the learning record store's statements about the
	// person (the newest thousand), as stored.
	Records  []json.RawMessage `json:"learning_records"`
	Exported time.Time         `json:"exported_at"`
}

// MyCertificate is a certificate in MyData: its record and the signed
// credential.
type MyCertificate struct {
	*credential.Credential
	Document json.RawMessage `json:"credential"`
}

// MyAccount is the account part of MyData.
type MyAccount struct {
	Username    string `json:"username"`
	Email       string `json:"email,omitempty"`
	DisplayName string `json:"display_name"`
	TimeZone    string `json:"time_zone,omitempty"`
	Roles       int    `json:"roles"`
}

// Profile is what a self-registered person said of themselves.
type Profile struct {
	Phone     string `json:"phone,omitempty"`
	BirthYear int    `json:"birth_year,omitempty"`
	UnitCode  string `json:"unit_code,omitempty"`
	Group     string `json:"group,omitempty"`
}

// Mine gathers the caller's data from every room that keeps some, and
// records that they read it.
func (s *Service) Mine(ctx context.Context, ip string) (*MyData, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.Auth.AccountOf(ctx, p)
	if err != nil {
		return nil, err
	}
	d := &MyData{Account: MyAccount{Username: a.Username, Email: a.Email, DisplayName: a.DisplayName, TimeZone: p.TimeZone, Roles: len(p.Grants)}, Exported: time.Now().UTC()}
	var pr Profile
	var unitID string
	err = s.DB.R.QueryRowContext(ctx, `SELECT phone, birth_year, unit_id, grp FROM profiles WHERE account_id = $1`, p.AccountID).Scan(&pr.Phone, &pr.BirthYear, &unitID, &pr.Group)
	if err == nil {
		pr.UnitCode = unitID
		if err := s.Org.ResolveCodes(ctx, &pr.UnitCode); err != nil {
			return nil, err
		}
		d.Profile = &pr
	}
	if d.Enrolments, err = s.Learn.MyEnrolments(ctx); err != nil {
		return nil, err
	}
	if d.Attempts, err = s.Exams.MyAttempts(ctx); err != nil {
		return nil, err
	}
	if d.Consents, err = s.Auth.ConsentsOf(ctx, p.AccountID); err != nil {
		return nil, err
	}
	if d.Records, err = s.Learn.MyRecords(ctx, 1000); err != nil {
		return nil, err
	}
	d.Certificates = []MyCertificate{}
	if s.Certificates != nil {
		list, err := s.Certificates(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			d.Certificates = append(d.Certificates, MyCertificate{Credential: c, Document: json.RawMessage(c.Document)})
		}
	}
	if d.Identities, err = s.Identities(ctx, p.AccountID); err != nil {
		return nil, err
	}
	if d.HasPassword, err = s.Auth.HasPassword(ctx, p.AccountID); err != nil {
		return nil, err
	}
	if d.Identities == nil {
		d.Identities = []Identity{}
	}
	if d.Enrolments == nil {
		d.Enrolments = []*learning.Enrolment{}
	}
	if d.Attempts == nil {
		d.Attempts = []*assessment.Attempt{}
	}
	s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: "my_data_export", ObjectType: "account", ObjectID: p.AccountID, IP: ip})
	return d, nil
}

// Granted says whether consent kind stands (given, or never withdrawn:
// the defaults are to share with one's own office and to be reminded).
func (d *MyData) Granted(kind string) bool {
	for _, c := range d.Consents {
		if c.Kind == kind {
			return c.Granted
		}
	}
	return auth.ConsentDefault(kind)
}

// LinkedTo says whether provider id is linked to the account.
func (d *MyData) LinkedTo(id string) bool {
	for _, i := range d.Identities {
		if i.Provider == id {
			return true
		}
	}
	return false
}

// SetConsents records the caller's answers to the consents they may
// change (the others are left as they are).
func (s *Service) SetConsents(ctx context.Context, answers map[string]bool, ip string) error {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return err
	}
	for kind, granted := range answers {
		if kind == auth.ConsentTerms {
			return errs.Field("kind", "consent.terms_fixed")
		}
		if err := s.Auth.SetConsent(ctx, p.AccountID, kind, granted, ip); err != nil {
			return err
		}
	}
	return nil
}

// XLSX writes MyData as a workbook of one sheet, a section per kind of
// record, in the reader's language.
func (d *MyData) XLSX(lang i18n.Lang) (*bytes.Buffer, error) {
	t := func(k string) string { return i18n.T(lang, k) }
	rows := [][]string{
		{t("mydata.username"), d.Account.Username}, {t("mydata.email"), d.Account.Email}, {t("mydata.name"), d.Account.DisplayName},
	}
	if pr := d.Profile; pr != nil {
		rows = append(rows, []string{t("mydata.phone"), pr.Phone}, []string{t("mydata.birth_year"), itoa0(pr.BirthYear)}, []string{t("mydata.commune"), pr.UnitCode}, []string{t("mydata.group"), pr.Group})
	}
	for _, i := range d.Identities {
		rows = append(rows, []string{t("oidc.linked_with"), i.Name + " " + i.Email, "", tabular.Day(i.Linked.UnixMilli())})
	}
	rows = append(rows, []string{}, []string{t("mydata.enrolments"), t("mydata.status"), t("mydata.progress"), t("mydata.enrolled_at"), t("mydata.completed_at")})
	for _, e := range d.Enrolments {
		rows = append(rows, []string{e.CourseCode + " " + e.CourseTitle, e.Status, strconv.Itoa(e.Progress), tabular.Day(e.EnrolledAt), tabular.Day(e.CompletedAt)})
	}
	rows = append(rows, []string{}, []string{t("mydata.certificates"), t("mydata.number"), t("mydata.status"), t("mydata.enrolled_at")})
	for _, c := range d.Certificates {
		st := "valid"
		if c.RevokedAt != 0 {
			st = "revoked"
		}
		rows = append(rows, []string{c.Achievement, c.Number, st, tabular.Day(c.IssuedAt)})
	}
	rows = append(rows, []string{}, []string{t("mydata.attempts"), t("mydata.status"), t("mydata.score"), t("mydata.enrolled_at"), t("mydata.completed_at")})
	for _, a := range d.Attempts {
		rows = append(rows, []string{a.SessionID, a.Status, strconv.FormatFloat(a.Score, 'f', -1, 64) + "/" + strconv.FormatFloat(a.MaxScore, 'f', -1, 64), tabular.Day(a.StartedAt), tabular.Day(a.FinishedAt)})
	}
	var buf bytes.Buffer
	err := tabular.Write(&buf, tabular.XLSX, t("mydata.sheet"), []string{t("mydata.what"), t("mydata.value")}, rows, tabular.Dates(3, 4))
	return &buf, err
}

func itoa0(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// Delete ends the caller's account (the right to erasure) after checking
// their password: auth anonymises the account, this room deletes the
// profile and pending sign-ups, assessment removes the name from the
// attempts, the learning record store from the statements about them. Enrolments, progress and results stay under the anonymous
// account, counted in statistics, tied to no one.
func (s *Service) Delete(ctx context.Context, password, ip string) error {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return err
	}
	acct, err := s.Auth.AccountOf(ctx, p)
	if err != nil {
		return err
	}
	if err := s.Auth.DeleteAccount(ctx, p, password, ip); err != nil {
		return err
	}
	if _, err := s.DB.W.ExecContext(ctx, `DELETE FROM profiles WHERE account_id = $1`, p.AccountID); err != nil {
		return err
	}
	if _, err := s.DB.W.ExecContext(ctx, `DELETE FROM signups WHERE contact = $1`, p.Username); err != nil {
		return err
	}
	for _, q := range []string{`DELETE FROM contact_changes WHERE account_id = $1`, `DELETE FROM oidc_identities WHERE account_id = $1`, `DELETE FROM oidc_pending WHERE account_id = $1`} {
		if _, err := s.DB.W.ExecContext(ctx, q, p.AccountID); err != nil {
			return err
		}
	}
	if _, err := s.Learn.ForgetLearner(ctx, p.AccountID, acct.Email); err != nil {
		return err
	}
	return s.Exams.ForgetCandidate(ctx, p.AccountID)
}
