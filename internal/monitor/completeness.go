package monitor

import (
	"context"
	"dxhub/internal/platform/db"
	"fmt"
	"strings"
	"time"

	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/mail"
)

func timeOf(ms int64) time.Time { return time.UnixMilli(ms).In(i18n.DefaultZone) }

// ReportRow is one expected report in a completeness table.
type ReportRow struct {
	UnitCode    string `json:"unit_code"`
	UnitName    string `json:"unit_name"`
	Status      string `json:"status"`
	Timeliness  string `json:"timeliness"`
	SubmittedAt int64  `json:"submitted_at,omitempty"`
}

// Completeness is how many of the expected reports came in, and when.
type Completeness struct {
	Dataset  *Dataset    `json:"-"`
	Unit     *org.Unit   `json:"-"`
	Period   Period      `json:"period"`
	Due      string      `json:"due"`
	Expected int         `json:"expected"`
	OnTime   int         `json:"on_time"`
	Late     int         `json:"late"`
	Missing  int         `json:"missing"`
	Approved int         `json:"approved"`
	Percent  float64     `json:"percent"` // received / expected
	Rows     []ReportRow `json:"rows"`
}

// Completeness lists every unit expected to report in d under unitCode for
// a period, with its status and timeliness.
func (s *Service) Completeness(ctx context.Context, dsCode, unitCode, periodID string) (*Completeness, error) {
	d, err := s.Dataset(ctx, dsCode)
	if err != nil {
		return nil, err
	}
	if unitCode == "" {
		// The data set's whole scope, or the caller's own part of it
		// (a commune's reporter sees their commune, not a refusal).
		unitCode = d.ScopeCode
		if p := auth.FromContext(ctx); !p.Can(auth.ViewMonitoring, d.ScopePath) {
			if own := ownScopeCode(p, auth.ViewMonitoring); own != "" {
				unitCode = own
			}
		}
	}
	u, err := s.Org.UnitByCode(ctx, unitCode)
	if err != nil {
		return nil, errs.E(errs.NotFound, "monitor.unit_not_found", unitCode)
	}
	if _, err := auth.Authorize(ctx, auth.ViewMonitoring, u.Path); err != nil {
		return nil, err
	}
	per := PeriodOf(d.PeriodType, s.now().In(i18n.DefaultZone)).Prev()
	if periodID != "" {
		if per, err = ParsePeriod("period", d.PeriodType, periodID); err != nil {
			return nil, err
		}
	}
	root := u.Path
	if !strings.HasPrefix(root, d.ScopePath) {
		root = d.ScopePath
		if !strings.HasPrefix(root, u.Path) {
			return nil, errs.E(errs.Invalid, "monitor.unit_not_reporting", u.Code, d.Code)
		}
	}
	units, err := s.Org.UnitsOfTypes(ctx, root, d.UnitTypes)
	if err != nil {
		return nil, err
	}
	type rec struct {
		status    string
		submitted int64
	}
	got := map[string]rec{}
	err = db.Each(ctx, s.DB.R, func(row db.Scanner) error {
		var id string
		var r rec
		err := row.Scan(&id, &r.status, &r.submitted)
		got[id] = r
		return err
	}, `SELECT unit_id, status, submitted_at FROM mon_reports WHERE dataset_id = $1 AND period = $2 AND `+s.DB.Dialect.PrefixMatch("unit_path", 3),
		d.ID, per.ID, s.DB.Dialect.PrefixPattern(root))
	if err != nil {
		return nil, err
	}
	c := &Completeness{Dataset: d, Unit: u, Period: per, Due: per.DayAfterEnd(d.DueDays), Expected: len(units)}
	for _, x := range units {
		g, ok := got[x.ID]
		rep := &Report{Status: StatusNone, Due: c.Due, SubmittedAt: g.submitted}
		if ok {
			rep.Status = g.status
		}
		row := ReportRow{UnitCode: x.Code, UnitName: x.NameVI, Status: rep.Status, Timeliness: s.timeliness(rep), SubmittedAt: g.submitted}
		switch row.Timeliness {
		case OnTime:
			c.OnTime++
		case Late:
			c.Late++
		case Missing:
			c.Missing++
		}
		if row.Status == StatusApproved {
			c.Approved++
		}
		c.Rows = append(c.Rows, row)
	}
	if c.Expected > 0 {
		c.Percent = 100 * float64(c.OnTime+c.Late) / float64(c.Expected)
	}
	return c, nil
}

// Task is a report someone should act on: enter, or review.
type Task struct {
	Dataset    *Dataset `json:"-"`
	DatasetKey string   `json:"dataset"`
	UnitCode   string   `json:"unit_code"`
	UnitName   string   `json:"unit_name"`
	Period     Period   `json:"period"`
	Status     string   `json:"status"`
	Due        string   `json:"due"`
	Timeliness string   `json:"timeliness"`
}

// maxTasks bounds the lists on the reports page.
const maxTasks = 200

// MyTasks returns the reports the caller should enter (their units, this
// and the previous period) and those waiting for their review.
func (s *Service) MyTasks(ctx context.Context) (enter, review []Task, err error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, nil, err
	}
	sets, err := s.Datasets(ctx)
	if err != nil {
		return nil, nil, err
	}
	today := s.now().In(i18n.DefaultZone)
	for _, d := range sets {
		for _, scope := range p.Scopes(auth.SubmitReports) {
			root := scope
			if !strings.HasPrefix(root, d.ScopePath) {
				if !strings.HasPrefix(d.ScopePath, root) {
					continue
				}
				root = d.ScopePath
			}
			units, err := s.Org.UnitsOfTypes(ctx, root, d.UnitTypes)
			if err != nil {
				return nil, nil, err
			}
			if len(units) > 5 {
				continue // an administrator of many units reviews instead
			}
			cur := PeriodOf(d.PeriodType, today)
			for _, u := range units {
				for _, per := range []Period{cur.Prev(), cur} {
					r, err := s.loadReport(ctx, s.DB.R, d, u, per)
					if err != nil {
						return nil, nil, err
					}
					if r.Status != StatusApproved && len(enter) < maxTasks {
						enter = append(enter, Task{Dataset: d, DatasetKey: d.Code, UnitCode: u.Code, UnitName: u.NameVI, Period: per, Status: r.Status, Due: r.Due, Timeliness: r.Timeliness})
					}
				}
			}
		}
	}
	for _, scope := range p.Scopes(auth.ApproveReports) {
		c, err := s.catalog(ctx)
		if err != nil {
			return nil, nil, err
		}
		err = db.Each(ctx, s.DB.R, func(r db.Scanner) error {
			var t Task
			var dsID, pid string
			var sub int64
			if err := r.Scan(&dsID, &t.UnitCode, &t.UnitName, &pid, &t.Status, &t.Due, &sub); err != nil {
				return err
			}
			if t.Dataset = c.setByID[dsID]; t.Dataset == nil {
				return nil
			}
			t.DatasetKey = t.Dataset.Code
			t.Period, _ = ParsePeriod("period", t.Dataset.PeriodType, pid)
			t.Timeliness = s.timeliness(&Report{Status: t.Status, Due: t.Due, SubmittedAt: sub})
			review = append(review, t)
			return nil
		}, `SELECT r.dataset_id, r.unit_id, r.unit_id, r.period, r.status, r.due, r.submitted_at FROM mon_reports r
			WHERE r.status = 'submitted' AND `+s.DB.Dialect.PrefixMatch("r.unit_path", 1)+` AND r.unit_path <> $2 ORDER BY r.due, r.unit_path LIMIT 200`,
			s.DB.Dialect.PrefixPattern(scope), scope)
		if err != nil {
			return nil, nil, err
		}
	}
	// The units were read as ids; org, which owns them, names them.
	ids := make([]string, len(review))
	for i, t := range review {
		ids[i] = t.UnitCode
	}
	units, err := s.Org.UnitsByID(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	for i := range review {
		if u := units[review[i].UnitCode]; u != nil {
			review[i].UnitCode, review[i].UnitName = u.Code, u.NameVI
		}
	}
	return enter, review, nil
}

// Remind e-mails, for each data set's last ended period and the current
// one: reporters of units with nothing submitted three days before the due
// day and the day after it; and, after the due day, the administrators of
// the unit above. Each reminder goes once. It returns how many were sent.
func (s *Service) Remind(ctx context.Context, now time.Time) (int, error) {
	ctx = auth.WithPrincipal(ctx, auth.System())
	sets, err := s.Datasets(ctx)
	if err != nil {
		return 0, err
	}
	today := now.In(i18n.DefaultZone).Format("2006-01-02")
	sent := 0
	for _, d := range sets {
		cur := PeriodOf(d.PeriodType, now.In(i18n.DefaultZone))
		for _, per := range []Period{cur.Prev(), cur} {
			due := per.DayAfterEnd(d.DueDays)
			soon := per.DayAfterEnd(d.DueDays - 3)
			var kind string
			switch {
			case today > due:
				kind = "overdue"
			case today >= soon:
				kind = "before"
			default:
				continue
			}
			units, err := s.Org.UnitsOfTypes(ctx, d.ScopePath, d.UnitTypes)
			if err != nil {
				return sent, err
			}
			ids, err := db.Strings(ctx, s.DB.R, `SELECT unit_id FROM mon_reports WHERE dataset_id = $1 AND period = $2 AND status IN ('submitted', 'approved')`, d.ID, per.ID)
			if err != nil {
				return sent, err
			}
			done := map[string]bool{}
			for _, id := range ids {
				done[id] = true
			}
			for _, u := range units {
				if done[u.ID] {
					continue
				}
				n, err := s.remindUnit(ctx, d, u, per, kind, due)
				sent += n
				if err != nil {
					return sent, err
				}
			}
		}
	}
	return sent, nil
}

func (s *Service) remindUnit(ctx context.Context, d *Dataset, u *org.Unit, per Period, kind, due string) (int, error) {
	key := d.ID + "/" + u.ID + "/" + per.ID
	res, err := s.DB.W.ExecContext(ctx, `INSERT INTO mon_reminders (rkey, kind, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, key, kind, s.now().UnixMilli())
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, nil
	}
	link := fmt.Sprintf("%s/reports/%s/%s/%s", s.BaseURL, d.Code, u.Code, per.ID)
	to, err := s.Auth.EmailsWithRole(ctx, u.ID, auth.Reporter)
	if err != nil {
		return 0, err
	}
	// Reporters' languages are not known: each mail says it in Vietnamese,
	// then in English, with the due day written each language's way.
	subject := i18n.T(i18n.VI, "monitor.mail_"+kind+"_subject", d.NameVI, per.Label(i18n.VI)) + " / " + i18n.T(i18n.EN, "monitor.mail_"+kind+"_subject", d.Name(true), per.Label(i18n.EN))
	body := i18n.Both("monitor.mail_"+kind+"_body", func(l i18n.Lang) []any {
		return []any{u.Name(l), d.Name(l == i18n.EN), per.Label(l), i18n.Day(l, due), link}
	})
	sent := 0
	for _, addr := range to {
		if err := s.Mail.Send(ctx, mail.Message{To: addr, Subject: subject, Body: body}); err != nil {
			return sent, err
		}
		sent++
	}
	if kind == "overdue" && u.ParentID != "" {
		admins, err := s.Auth.EmailsWithRole(ctx, u.ParentID, auth.UnitAdmin)
		if err != nil {
			return sent, err
		}
		body := i18n.Both("monitor.mail_escalate_body", func(l i18n.Lang) []any {
			return []any{u.Name(l), d.Name(l == i18n.EN), per.Label(l), i18n.Day(l, due), link}
		})
		for _, addr := range admins {
			if err := s.Mail.Send(ctx, mail.Message{To: addr, Subject: subject, Body: body}); err != nil {
				return sent, err
			}
			sent++
		}
	}
	return sent, nil
}
