// Package i18n is dxhub's message catalogue: every string a user reads, in
// Vietnamese (the default) and English. Vietnamese has one plural form, so a
// message is a fmt format with its arguments and nothing more.
package i18n

import (
	"fmt"
	"net/http"
	"strings"
)

// Lang is a supported language.
type Lang string

const (
	VI Lang = "vi"
	EN Lang = "en"
)

// Langs lists the languages in display order.
var Langs = []Lang{VI, EN}

// Parse returns the Lang named by s, or VI.
func Parse(s string) Lang {
	if strings.HasPrefix(strings.ToLower(s), "en") {
		return EN
	}
	return VI
}

// FromRequest picks the language: ?lang=, then the "lang" cookie, then
// Vietnamese. Accept-Language is not used: the national default is
// Vietnamese whatever the browser says, and the switch is on every page.
func FromRequest(r *http.Request) Lang {
	if l := r.URL.Query().Get("lang"); l != "" {
		return Parse(l)
	}
	if c, err := r.Cookie("lang"); err == nil {
		return Parse(c.Value)
	}
	return VI
}

// T returns the message key in lang, formatted with args. A missing key
// shows as ⟦key⟧ so that tests that render every page catch it.
func T(lang Lang, key string, args ...any) string {
	m, ok := catalog[key]
	if !ok {
		return "⟦" + key + "⟧"
	}
	s := m[0]
	if lang == EN {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has reports whether key is in the catalogue.
func Has(key string) bool { _, ok := catalog[key]; return ok }

// Keys returns every key, for tests.
func Keys() []string {
	out := make([]string, 0, len(catalog))
	for k := range catalog {
		out = append(out, k)
	}
	return out
}

// Add merges messages into the catalogue; domain packages call it from init
// so each room keeps its own strings. A duplicate key is a programming error.
func Add(m map[string][2]string) {
	for k, v := range m {
		if _, dup := catalog[k]; dup {
			panic("i18n: duplicate key " + k)
		}
		catalog[k] = v
	}
}

// Num formats n with lang's thousands separator.
func Num(lang Lang, n int) string {
	sep := "."
	if lang == EN {
		sep = ","
	}
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
