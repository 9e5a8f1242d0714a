package experts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/mail"
)

// validDay: a day as forms and the API write it.
func validDay(s string) bool { return i18n.IsDay(s) }

// Invitation statuses.
const (
	Invited  = "invited"
	Accepted = "accepted"
	Declined = "declined"
)

// Invitation is an organisation's invitation of an expert to a need.
type Invitation struct {
	ID         string `json:"id"`
	NeedID     string `json:"need_id"`
	NeedTitle  string `json:"need_title"`
	UnitName   string `json:"unit_name"`
	ProfileID  string `json:"profile_id"`
	Expert     string `json:"expert"`
	Status     string `json:"status"`
	Message    string `json:"message,omitempty"`
	Reason     string `json:"reason,omitempty"`
	CreatedAt  int64  `json:"created_at"`
	AnsweredAt int64  `json:"answered_at,omitempty"`
	// Engagement is the work recorded once accepted.
	Engagement *Engagement `json:"engagement,omitempty"`
}

// Engagement is the work an accepted invitation became.
type Engagement struct {
	ID            string `json:"id"`
	StartOn       string `json:"start_on,omitempty"`
	EndOn         string `json:"end_on,omitempty"`
	Hours         int    `json:"hours"`
	Outcome       string `json:"outcome,omitempty"`
	Status        string `json:"status"` // ongoing, done
	OrgRating     int    `json:"org_rating,omitempty"`
	OrgComment    string `json:"org_comment,omitempty"`
	ExpertRating  int    `json:"expert_rating,omitempty"`
	ExpertComment string `json:"expert_comment,omitempty"`
}

// Invite invites an expert to a need (experts.need on the need's unit):
// the expert is told by mail and on their page.
func (s *Service) Invite(ctx context.Context, needID, profileID, message string) (*Invitation, error) {
	need, err := s.Need(ctx, needID)
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	if need.Status != "open" {
		return nil, errs.Field("need", "experts.need_closed")
	}
	pr, err := s.profile(ctx, s.DB.R, profileID)
	if err != nil || pr.Status != Verified || !(pr.Public || office(p, pr.UnitPath)) {
		return nil, errs.Field("profile_id", "experts.bad_expert", profileID)
	}
	if tooLong(message, maxText) {
		return nil, errs.Field("message", "experts.too_long", maxText)
	}
	inv := &Invitation{ID: db.NewID(), NeedID: needID, ProfileID: profileID, Status: Invited, Message: strings.TrimSpace(message), CreatedAt: db.Now()}
	_, err = s.DB.W.ExecContext(ctx, `INSERT INTO exp_invitations (id, need_id, profile_id, status, message, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		inv.ID, inv.NeedID, inv.ProfileID, inv.Status, inv.Message, inv.CreatedAt)
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "unique") {
			return nil, errs.E(errs.Conflict, "experts.already_invited")
		}
		return nil, err
	}
	if err := s.record(ctx, p, "expert_invited", profileID, need.UnitPath, need.Title); err != nil {
		return nil, err
	}
	s.tell(ctx, pr, "invited", need.Title, need.UnitName)
	return s.invitation(ctx, inv.ID)
}

// tell mails an expert (their profile's address, else their account's);
// a failure is logged, not returned: the page shows the same.
func (s *Service) tell(ctx context.Context, pr *Profile, what string, args ...any) {
	if s.Mail == nil {
		return
	}
	to := pr.Email
	if to == "" && pr.AccountID != "" && s.Auth != nil {
		to, _ = s.Auth.EmailOf(ctx, pr.AccountID)
	}
	if to == "" {
		return
	}
	link := s.BaseURL + "/experts/me"
	subject := i18n.T(i18n.VI, "experts.mail_"+what+"_subject", args...) + " / " + i18n.T(i18n.EN, "experts.mail_"+what+"_subject", args...)
	body := i18n.Both("experts.mail_"+what+"_body", func(i18n.Lang) []any { return append(slices.Clone(args), link) })
	if err := s.Mail.Send(ctx, mail.Message{To: to, Subject: subject, Body: body}); err != nil && s.Log != nil {
		s.Log.Warn("experts: mail not sent", "to", to, "err", err)
	}
}

// Answer is the expert accepting or declining an invitation; accepting
// starts an engagement and adds to the expert's load.
func (s *Service) Answer(ctx context.Context, invitationID string, accept bool, reason string) (*Invitation, error) {
	inv, err := s.invitation(ctx, invitationID)
	if err != nil {
		return nil, err
	}
	pr, err := s.profile(ctx, s.DB.R, inv.ProfileID)
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	if !own(p, pr) {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	if inv.Status != Invited {
		return nil, errs.E(errs.Conflict, "experts.already_answered")
	}
	status := Declined
	if accept {
		status = Accepted
	}
	now := db.Now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE exp_invitations SET status = $1, reason = $2, answered_at = $3 WHERE id = $4 AND status = 'invited'`, status, strings.TrimSpace(reason), now, inv.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, "experts.already_answered")
		}
		if !accept {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO exp_engagements (id, invitation_id, need_id, profile_id, status, created_at, updated_at) VALUES ($1, $2, $3, $4, 'ongoing', $5, $5)`,
			db.NewID(), inv.ID, inv.NeedID, inv.ProfileID, now); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE exp_profiles SET load = load + 1, updated_at = $2 WHERE id = $1`, inv.ProfileID, db.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "expert_"+status, inv.ProfileID, pr.UnitPath, inv.NeedTitle); err != nil {
		return nil, err
	}
	s.tellPoster(ctx, inv, pr, status)
	return s.invitation(ctx, inv.ID)
}

// tellPoster mails the person who posted the need that the expert
// answered (failures are logged: the need's page shows the same).
func (s *Service) tellPoster(ctx context.Context, inv *Invitation, pr *Profile, status string) {
	if s.Mail == nil || s.Auth == nil {
		return
	}
	var by string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT created_by FROM exp_needs WHERE id = $1`, inv.NeedID).Scan(&by); err != nil {
		return
	}
	to, _ := s.Auth.EmailOf(ctx, by)
	if to == "" {
		return
	}
	link := s.BaseURL + "/experts/needs/" + inv.NeedID + "#invitations"
	answer := func(l i18n.Lang) string { return i18n.T(l, "experts.answer_"+status) }
	subject := i18n.T(i18n.VI, "experts.mail_answered_subject", pr.FullName, answer(i18n.VI)) + " / " + i18n.T(i18n.EN, "experts.mail_answered_subject", pr.FullName, answer(i18n.EN))
	body := i18n.Both("experts.mail_answered_body", func(l i18n.Lang) []any { return []any{pr.FullName, answer(l), inv.NeedTitle, link} })
	if err := s.Mail.Send(ctx, mail.Message{To: to, Subject: subject, Body: body}); err != nil && s.Log != nil {
		s.Log.Warn("experts: mail not sent", "to", to, "err", err)
	}
}

// EngagementInput is what an organisation records of the work, and its
// feedback; or the expert's feedback.
type EngagementInput struct {
	StartOn string `json:"start_on"`
	EndOn   string `json:"end_on"`
	Hours   int    `json:"hours"`
	Outcome string `json:"outcome"`
	Done    bool   `json:"done"`
	Rating  int    `json:"rating"`
	Comment string `json:"comment"`
}

// Record is the organisation recording the work (dates, hours, outcome),
// closing it, and rating the expert; or, for the expert, rating the
// organisation. Closing the work takes it off the expert's load; the
// organisation's rating counts in the expert's.
func (s *Service) Record(ctx context.Context, invitationID string, in EngagementInput) (*Invitation, error) {
	inv, err := s.invitation(ctx, invitationID)
	if err != nil {
		return nil, err
	}
	if inv.Engagement == nil {
		return nil, errs.E(errs.Conflict, "experts.not_engaged")
	}
	pr, err := s.profile(ctx, s.DB.R, inv.ProfileID)
	if err != nil {
		return nil, err
	}
	need, err := s.needRow(ctx, inv.NeedID)
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	isOrg := p.Can(auth.PostNeeds, need.UnitPath)
	switch {
	case in.Rating < 0 || in.Rating > 5:
		return nil, errs.Field("rating", "experts.bad_rating")
	case tooLong(in.Comment, maxText) || tooLong(in.Outcome, maxText):
		return nil, errs.Field("comment", "experts.too_long", maxText)
	case in.Hours < 0 || in.Hours > 10000:
		return nil, errs.Field("hours", "experts.bad_hours")
	case in.StartOn != "" && !validDay(in.StartOn):
		return nil, errs.Field("start_on", "experts.bad_day", in.StartOn)
	case in.EndOn != "" && !validDay(in.EndOn):
		return nil, errs.Field("end_on", "experts.bad_day", in.EndOn)
	}
	e := inv.Engagement
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		switch {
		case isOrg:
			status := e.Status
			if in.Done {
				status = "done"
			}
			if _, err := tx.ExecContext(ctx, `UPDATE exp_engagements SET start_on = $1, end_on = $2, hours = $3, outcome = $4, status = $5, org_rating = $6, org_comment = $7, updated_at = $8 WHERE id = $9`,
				in.StartOn, in.EndOn, in.Hours, strings.TrimSpace(in.Outcome), status, in.Rating, strings.TrimSpace(in.Comment), db.Now(), e.ID); err != nil {
				return err
			}
			if status == "done" && e.Status != "done" {
				if _, err := tx.ExecContext(ctx, `UPDATE exp_profiles SET load = load - 1, updated_at = $2 WHERE id = $1 AND load > 0`, pr.ID, db.Now()); err != nil {
					return err
				}
			}
			// The expert's rating counts each engagement once, as last rated.
			if _, err := tx.ExecContext(ctx, `UPDATE exp_profiles SET rating_sum = rating_sum - $1 + $2, rating_n = rating_n + $3, updated_at = $5 WHERE id = $4`,
				e.OrgRating, in.Rating, db.Flag(e.OrgRating == 0 && in.Rating > 0)-db.Flag(e.OrgRating > 0 && in.Rating == 0), pr.ID, db.Now()); err != nil {
				return err
			}
			return nil
		case own(p, pr):
			_, err := tx.ExecContext(ctx, `UPDATE exp_engagements SET expert_rating = $1, expert_comment = $2, updated_at = $3 WHERE id = $4`, in.Rating, strings.TrimSpace(in.Comment), db.Now(), e.ID)
			return err
		}
		return errs.E(errs.Forbidden, "error.forbidden")
	})
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "expert_engagement_recorded", pr.ID, need.UnitPath, inv.NeedTitle); err != nil {
		return nil, err
	}
	return s.invitation(ctx, inv.ID)
}

func (s *Service) needRow(ctx context.Context, id string) (*Need, error) {
	n, err := scanNeed(s.DB.R.QueryRowContext(ctx, `SELECT `+needCols+` FROM exp_needs WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	return n, err
}

const invitationQuery = `SELECT i.id, i.need_id, n.title, n.unit_id, i.profile_id, p.full_name, i.status, i.message, i.reason, i.created_at, i.answered_at,
	COALESCE(e.id, ''), COALESCE(e.start_on, ''), COALESCE(e.end_on, ''), COALESCE(e.hours, 0), COALESCE(e.outcome, ''), COALESCE(e.status, ''),
	COALESCE(e.org_rating, 0), COALESCE(e.org_comment, ''), COALESCE(e.expert_rating, 0), COALESCE(e.expert_comment, '')
	FROM exp_invitations i JOIN exp_needs n ON n.id = i.need_id JOIN exp_profiles p ON p.id = i.profile_id LEFT JOIN exp_engagements e ON e.invitation_id = i.id`

func (s *Service) scanInvitations(ctx context.Context, where string, args ...any) ([]*Invitation, error) {
	units := map[string][]*Invitation{}
	invs, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (*Invitation, error) {
		inv, e := &Invitation{}, &Engagement{}
		var unitID string
		err := r.Scan(&inv.ID, &inv.NeedID, &inv.NeedTitle, &unitID, &inv.ProfileID, &inv.Expert, &inv.Status, &inv.Message, &inv.Reason, &inv.CreatedAt, &inv.AnsweredAt,
			&e.ID, &e.StartOn, &e.EndOn, &e.Hours, &e.Outcome, &e.Status, &e.OrgRating, &e.OrgComment, &e.ExpertRating, &e.ExpertComment)
		if e.ID != "" {
			inv.Engagement = e
		}
		units[unitID] = append(units[unitID], inv)
		return inv, err
	}, invitationQuery+` WHERE `+where+` ORDER BY i.created_at DESC`, args...)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(units))
	for id := range units {
		ids = append(ids, id)
	}
	us, err := s.Org.UnitsByID(ctx, ids)
	for id, list := range units {
		for _, inv := range list {
			if u := us[id]; u != nil {
				inv.UnitName = u.NameVI
			}
		}
	}
	return invs, err
}

// invitation reads one invitation for those on either side of it.
func (s *Service) invitation(ctx context.Context, id string) (*Invitation, error) {
	invs, err := s.scanInvitations(ctx, `i.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(invs) == 0 {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	inv := invs[0]
	need, err := s.needRow(ctx, inv.NeedID)
	if err != nil {
		return nil, err
	}
	pr, err := s.profile(ctx, s.DB.R, inv.ProfileID)
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	if !p.Can(auth.PostNeeds, need.UnitPath) && !own(p, pr) {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	return inv, nil
}

// Invitation returns an invitation to the organisation or the expert.
func (s *Service) Invitation(ctx context.Context, id string) (*Invitation, error) {
	return s.invitation(ctx, id)
}

// NeedInvitations lists a need's invitations (to the organisation).
func (s *Service) NeedInvitations(ctx context.Context, needID string) ([]*Invitation, error) {
	if _, err := s.Need(ctx, needID); err != nil {
		return nil, err
	}
	return s.scanInvitations(ctx, `i.need_id = $1`, needID)
}

// MyInvitations lists the signed-in expert's invitations and engagements:
// what their page shows first.
func (s *Service) MyInvitations(ctx context.Context) ([]*Invitation, error) {
	pr, err := s.Mine(ctx)
	if err != nil || pr == nil {
		return []*Invitation{}, err
	}
	return s.scanInvitations(ctx, `i.profile_id = $1`, pr.ID)
}

// RecentAnswers are the answers of the last two weeks to invitations on
// needs the signed-in person posted: their home page shows them.
func (s *Service) RecentAnswers(ctx context.Context) ([]*Invitation, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, nil
	}
	since := s.clock().Add(-14 * 24 * time.Hour).UnixMilli()
	return s.scanInvitations(ctx, `n.created_by = $1 AND i.answered_at >= $2`, p.AccountID, since)
}

// ---- nomination and selection

// Levels of a core.
const (
	National   = "national"
	Provincial = "provincial"
)

// Nomination is a unit's nomination of an expert for a core.
type Nomination struct {
	ID          string `json:"id"`
	ProfileID   string `json:"profile_id"`
	Expert      string `json:"expert"`
	Level       string `json:"level"`
	UnitCode    string `json:"unit_code"`
	UnitName    string `json:"unit_name"`
	Status      string `json:"status"` // nominated, selected, rejected
	DecisionRef string `json:"decision_ref,omitempty"`
	Note        string `json:"note,omitempty"`
	CreatedAt   int64  `json:"created_at"`
	DecidedAt   int64  `json:"decided_at,omitempty"`
}

// Nominate puts an expert of the unit's scope forward for the national
// or provincial core (experts.verify on the nominating unit).
func (s *Service) Nominate(ctx context.Context, profileID, level, unitCode, note string) (*Nomination, error) {
	u, err := s.unit(ctx, "unit_code", unitCode)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.VerifyExperts, u.Path)
	if err != nil {
		return nil, err
	}
	if level != National && level != Provincial {
		return nil, errs.Field("level", "experts.bad_level_core", level)
	}
	pr, err := s.profile(ctx, s.DB.R, profileID)
	if err != nil || !(pr.Public || strings.HasPrefix(pr.UnitPath, u.Path)) {
		return nil, errs.Field("profile_id", "experts.bad_expert", profileID)
	}
	if pr.Status != Verified {
		return nil, errs.Field("profile_id", "experts.not_verified")
	}
	n := &Nomination{ID: db.NewID()}
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO exp_nominations (id, profile_id, level, unit_id, unit_path, status, note, created_at) VALUES ($1, $2, $3, $4, $5, 'nominated', $6, $7)`,
		n.ID, profileID, level, u.ID, u.Path, strings.TrimSpace(note), db.Now()); err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "expert_nominated", profileID, u.Path, level); err != nil {
		return nil, err
	}
	return s.nomination(ctx, n.ID)
}

// Decide selects or rejects a nomination: the national core by the
// national office, a provincial core by the province's office, with a
// decision reference.
func (s *Service) Decide(ctx context.Context, id string, selected bool, decisionRef string) (*Nomination, error) {
	n, err := s.nomination(ctx, id)
	if err != nil {
		return nil, err
	}
	var path string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT unit_path FROM exp_nominations WHERE id = $1`, id).Scan(&path); err != nil {
		return nil, err
	}
	decider, err := s.decider(ctx, n.Level, path)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.VerifyExperts, decider)
	if err != nil {
		return nil, err
	}
	if decisionRef = strings.TrimSpace(decisionRef); decisionRef == "" || tooLong(decisionRef, 100) {
		return nil, errs.Field("decision_ref", "experts.decision_needed")
	}
	status := "rejected"
	if selected {
		status = "selected"
	}
	if _, err := s.DB.W.ExecContext(ctx, `UPDATE exp_nominations SET status = $1, decision_ref = $2, decided_at = $3 WHERE id = $4`, status, decisionRef, db.Now(), id); err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "expert_"+status, n.ProfileID, decider, decisionRef); err != nil {
		return nil, err
	}
	return s.nomination(ctx, id)
}

// decider is the unit whose office decides a nomination: the nation for
// the national core, the province above the nominating unit for a
// provincial one.
func (s *Service) decider(ctx context.Context, level, path string) (string, error) {
	ids := strings.Split(strings.Trim(path, "/"), "/")
	if level == National || len(ids) < 2 {
		return "/" + ids[0] + "/", nil
	}
	return "/" + ids[0] + "/" + ids[1] + "/", nil
}

func (s *Service) nomination(ctx context.Context, id string) (*Nomination, error) {
	ns, err := s.nominations(ctx, `n.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ns) == 0 {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	return ns[0], nil
}

func (s *Service) nominations(ctx context.Context, where string, args ...any) ([]*Nomination, error) {
	var unitIDs []string
	ns, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (*Nomination, error) {
		n := &Nomination{}
		var unitID string
		err := r.Scan(&n.ID, &n.ProfileID, &n.Expert, &n.Level, &unitID, &n.Status, &n.DecisionRef, &n.Note, &n.CreatedAt, &n.DecidedAt)
		n.UnitCode = unitID
		unitIDs = append(unitIDs, unitID)
		return n, err
	}, `SELECT n.id, n.profile_id, p.full_name, n.level, n.unit_id, n.status, n.decision_ref, n.note, n.created_at, n.decided_at
		FROM exp_nominations n JOIN exp_profiles p ON p.id = n.profile_id WHERE `+where+` ORDER BY n.created_at DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	us, err := s.Org.UnitsByID(ctx, unitIDs)
	for _, n := range ns {
		if u := us[n.UnitCode]; u != nil {
			n.UnitCode, n.UnitName = u.Code, u.NameVI
		}
	}
	return ns, err
}

// Nominations lists the nominations made in the caller's scope, and those
// the caller's offices decide.
func (s *Service) Nominations(ctx context.Context) ([]*Nomination, error) {
	_, scopes, err := auth.RequireScopes(ctx, auth.VerifyExperts)
	if err != nil {
		return nil, err
	}
	var or []string
	var args []any
	for _, sc := range scopes {
		args = append(args, sc, strings.TrimSuffix(sc, "/")+"0")
		or = append(or, fmt.Sprintf("(n.unit_path >= $%d AND n.unit_path < $%d)", len(args)-1, len(args)))
	}
	return s.nominations(ctx, strings.Join(or, " OR "), args...)
}

// Sources of monitoring's computed elements that the expert network
// gives, per unit.
const (
	SourceVerified   = "experts.verified"            // verified profiles (stock)
	SourceNational   = "experts.national_core"       // selected for the national core (stock)
	SourceProvincial = "experts.provincial_core"     // selected for a provincial core (stock)
	SourceEngaged    = "experts.engagements_started" // engagements started in the year (flow)
)

// MonitorCounts are the expert network's figures for monitoring, each in
// the unit that holds it — verified profiles in their unit, selections in
// the nominating unit, engagements in the unit of the need — in total and
// per field of the taxonomy (the category is the field's code).
func (s *Service) MonitorCounts(ctx context.Context, year int) (map[string][]org.UnitCount, error) {
	out := map[string][]org.UnitCount{}
	type key struct{ src, unit, field string }
	n := map[key]int64{}
	read := func(src, q string, args ...any) error {
		return db.Each(ctx, s.DB.R, func(r db.Scanner) error {
			var unit, fields string
			if err := r.Scan(&unit, &fields); err != nil {
				return err
			}
			n[key{src, unit, ""}]++
			for _, f := range splitList(fields) {
				n[key{src, unit, f}]++
			}
			return nil
		}, q, args...)
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, i18n.DefaultZone).UnixMilli()
	to := time.Date(year+1, 1, 1, 0, 0, 0, 0, i18n.DefaultZone).UnixMilli()
	for _, q := range []struct {
		src, query string
		args       []any
	}{
		{SourceVerified, `SELECT unit_id, fields FROM exp_profiles WHERE status = 'verified'`, nil},
		{SourceNational, `SELECT unit_id, fields FROM (SELECT DISTINCT n.unit_id, p.fields, p.id FROM exp_nominations n JOIN exp_profiles p ON p.id = n.profile_id WHERE n.status = 'selected' AND n.level = 'national') x`, nil},
		{SourceProvincial, `SELECT unit_id, fields FROM (SELECT DISTINCT n.unit_id, p.fields, p.id FROM exp_nominations n JOIN exp_profiles p ON p.id = n.profile_id WHERE n.status = 'selected' AND n.level = 'provincial') x`, nil},
		{SourceEngaged, `SELECT n.unit_id, p.fields FROM exp_engagements e JOIN exp_needs n ON n.id = e.need_id JOIN exp_profiles p ON p.id = e.profile_id WHERE e.created_at >= $1 AND e.created_at < $2`, []any{from, to}},
	} {
		if err := read(q.src, q.query, q.args...); err != nil {
			return nil, err
		}
	}
	for k, v := range n {
		out[k.src] = append(out[k.src], org.UnitCount{UnitID: k.unit, Group: k.field, N: v})
	}
	return out, nil
}
