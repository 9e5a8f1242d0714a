package i18n

import (
	"math"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zones work on machines without a zone database
)

// HomeZone is Vietnam's time zone, the default of every installation.
const HomeZone = "Asia/Ho_Chi_Minh"

// DefaultZone is the installation's time zone (DXHUB_TIME_ZONE), shown to
// everyone who has not chosen their own. Times are stored in UTC; only
// display and form input use a zone.
var DefaultZone = mustZone(HomeZone)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("ICT", 7*3600) // not reached: time/tzdata is embedded
	}
	return loc
}

// Zones are the time zones a person may choose: Vietnam's first, then those
// where many Vietnamese live and work, then UTC.
var Zones = []string{HomeZone, "Asia/Bangkok", "Asia/Seoul", "Asia/Tokyo", "Asia/Taipei", "Asia/Singapore", "Australia/Sydney", "Europe/Berlin", "Europe/Paris", "Europe/London", "America/New_York", "America/Los_Angeles", "UTC"}

// Zone returns the named zone, or DefaultZone when the name is empty or
// unknown.
func Zone(name string) *time.Location {
	if name == "" {
		return DefaultZone
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return DefaultZone
	}
	return loc
}

// ValidZone reports whether name is one of Zones (or empty: the default).
func ValidZone(name string) bool {
	if name == "" {
		return true
	}
	for _, z := range Zones {
		if z == name {
			return true
		}
	}
	return false
}

// ZoneLabel names a zone for people: "giờ Việt Nam" rather than an IANA id.
func ZoneLabel(lang Lang, loc *time.Location) string {
	if loc.String() == HomeZone || loc.String() == "ICT" {
		return T(lang, "time.zone_vn")
	}
	return T(lang, "time.zone_other", loc.String())
}

var monthsEN = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// Date shows a day: 06/12/2026 in Vietnamese, 6 Dec 2026 in English.
func Date(lang Lang, t time.Time) string {
	if lang == EN {
		return strconv.Itoa(t.Day()) + " " + monthsEN[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return t.Format("02/01/2006")
}

// IsDay reports whether s is a calendar day that exists, written as ISO
// "2006-01-02" (what forms and APIs take as a date).
func IsDay(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// Day shows a calendar day written as ISO "2006-01-02" (a due day, a
// period's end): 31/12/2026 in Vietnamese, 31 Dec 2026 in English; any
// other text is shown as it is.
func Day(lang Lang, iso string) string {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return Date(lang, t)
}

// Both writes a message in Vietnamese, then in English, for e-mails that
// go to people whose language dxhub does not know; args gives each
// language's arguments (names, dates) in its own form.
func Both(key string, args func(Lang) []any) string {
	return T(VI, key, args(VI)...) + "\n\n" + T(EN, key, args(EN)...)
}

// DateTime shows a moment to the minute: 06/12/2026 14:05 in Vietnamese,
// 6 Dec 2026, 14:05 in English (24-hour clock in both).
func DateTime(lang Lang, t time.Time) string {
	if lang == EN {
		return Date(lang, t) + ", " + t.Format("15:04")
	}
	return Date(lang, t) + " " + t.Format("15:04")
}

// Dec formats f with at most prec decimals (trailing zeros dropped) and
// lang's separators: 306.441,5 in Vietnamese, 306,441.5 in English.
func Dec(lang Lang, f float64, prec int) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "—"
	}
	s := strconv.FormatFloat(f, 'f', prec, 64)
	if prec > 0 {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	intPart, frac, _ := strings.Cut(s, ".")
	n, err := strconv.Atoi(intPart)
	if err != nil { // beyond int: leave the digits as they are
		return s
	}
	out := Num(lang, n)
	if intPart == "-0" {
		out = "0"
	}
	if frac != "" {
		if lang == EN {
			out += "." + frac
		} else {
			out += "," + frac
		}
	}
	return out
}

// Pct formats a percentage with one decimal at most: 77,1 % in Vietnamese
// (a space before the sign, as Vietnamese typography writes it), 77.1% in
// English.
func Pct(lang Lang, f float64) string {
	if lang == EN {
		return Dec(lang, f, 1) + "%"
	}
	return Dec(lang, f, 1) + " %"
}

// Duration shows a length of time in hours and minutes: "2 giờ 05 phút",
// "45 phút"; under a minute, "dưới 1 phút".
func Duration(lang Lang, d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	if d > 0 && m == 0 {
		return T(lang, "time.under_minute")
	}
	if m < 60 {
		return T(lang, "time.minutes", m)
	}
	return T(lang, "time.hours_minutes", m/60, m%60)
}
