package monitor

import (
	"fmt"
	"strconv"
	"time"

	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
)

// Period is one reporting period, named as DHIS2 names them: 202601
// (month), 2026Q1 (quarter), 2026S1 (half-year), 2026 (year).
type Period struct {
	ID    string    `json:"id"`
	Type  string    `json:"type"`
	Year  int       `json:"year"`
	Start time.Time `json:"-"` // first day
	End   time.Time `json:"-"` // first day after
}

// LastDay is the period's last day, YYYY-MM-DD.
func (p Period) LastDay() string { return p.End.AddDate(0, 0, -1).Format("2006-01-02") }

// DayAfterEnd returns the date n days after the period's last day.
func (p Period) DayAfterEnd(n int) string {
	return p.End.AddDate(0, 0, n-1).Format("2006-01-02")
}

// Label names the period for people.
func (p Period) Label(lang i18n.Lang) string {
	switch p.Type {
	case Monthly:
		return i18n.T(lang, "monitor.period_month", int(p.Start.Month()), p.Year)
	case Quarterly:
		return i18n.T(lang, "monitor.period_quarter", (int(p.Start.Month())-1)/3+1, p.Year)
	case HalfYearly:
		return i18n.T(lang, "monitor.period_half", (int(p.Start.Month())-1)/6+1, p.Year)
	}
	return i18n.T(lang, "monitor.period_year", p.Year)
}

func months(t string) int {
	switch t {
	case Monthly:
		return 1
	case Quarterly:
		return 3
	case HalfYearly:
		return 6
	}
	return 12
}

func makePeriod(t string, year, index int) Period {
	m := months(t)
	start := time.Date(year, time.Month((index-1)*m+1), 1, 0, 0, 0, 0, time.UTC)
	p := Period{Type: t, Year: year, Start: start, End: start.AddDate(0, m, 0)}
	switch t {
	case Monthly:
		p.ID = fmt.Sprintf("%04d%02d", year, index)
	case Quarterly:
		p.ID = fmt.Sprintf("%04dQ%d", year, index)
	case HalfYearly:
		p.ID = fmt.Sprintf("%04dS%d", year, index)
	default:
		p.ID = fmt.Sprintf("%04d", year)
	}
	return p
}

// ParsePeriod reads a period id of type t; the error names field.
func ParsePeriod(field, t, id string) (Period, error) {
	bad := errs.Field(field, "monitor.period_invalid", id)
	if len(id) < 4 {
		return Period{}, bad
	}
	year, err := strconv.Atoi(id[:4])
	if err != nil || year < firstYear || year > lastYear {
		return Period{}, bad
	}
	rest := id[4:]
	index := 1
	switch t {
	case Monthly:
		if len(rest) != 2 {
			return Period{}, bad
		}
		index, err = strconv.Atoi(rest)
		if err != nil || index < 1 || index > 12 {
			return Period{}, bad
		}
	case Quarterly, HalfYearly:
		letter, max := byte('Q'), 4
		if t == HalfYearly {
			letter, max = 'S', 2
		}
		if len(rest) != 2 || rest[0] != letter || rest[1] < '1' || int(rest[1]-'0') > max {
			return Period{}, bad
		}
		index = int(rest[1] - '0')
	default:
		if rest != "" {
			return Period{}, bad
		}
	}
	return makePeriod(t, year, index), nil
}

// PeriodOf returns the period of type t that contains day.
func PeriodOf(t string, day time.Time) Period {
	return makePeriod(t, day.Year(), (int(day.Month())-1)/months(t)+1)
}

// Prev returns the period before p.
func (p Period) Prev() Period { return PeriodOf(p.Type, p.Start.AddDate(0, 0, -1)) }

// PeriodsOfYear lists the periods of type t in a year.
func PeriodsOfYear(t string, year int) []Period {
	n := 12 / months(t)
	out := make([]Period, n)
	for i := range out {
		out[i] = makePeriod(t, year, i+1)
	}
	return out
}
