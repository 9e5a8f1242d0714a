package db

import (
	"fmt"
	"strconv"
	"strings"
)

// Dialect is the one place where SQLite and PostgreSQL differ in SQL.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Param is placeholder n (from 1) for statements with many of them, such
// as multi-row inserts. SQLite finds a named or numbered placeholder
// ("$n", "?n") by walking a list, at a cost that grows with the square of
// their number, so there it is a bare "?": a statement built with Param
// must use each placeholder once, in the order of its arguments.
func (d Dialect) Param(n int) string {
	if d == SQLite {
		return "?"
	}
	return "$" + strconv.Itoa(n)
}

// Params lists placeholders from..from+n-1 with Param, for a statement
// built only of them (a multi-row insert, a long IN list).
func (d Dialect) Params(from, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(d.Param(from + i))
	}
	return b.String()
}

// NumberedRows lists one-column rows of numbered placeholders,
// ($from),($from+1)…, for a VALUES list of n.
func NumberedRows(from, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "($%d)", from+i)
	}
	return b.String()
}

// Numbered lists the numbered placeholders $from..$(from+n-1), for an IN
// list in a statement that numbers its other placeholders too.
func Numbered(from, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("$" + strconv.Itoa(from+i))
	}
	return b.String()
}

// PrefixMatch returns a condition true when column starts with the value
// bound to placeholder $n; bind the value with PrefixPattern. Both forms use
// an index (SQLite GLOB on a BINARY column, PostgreSQL LIKE on a
// text_pattern_ops index), which LIKE on SQLite would not.
func (d Dialect) PrefixMatch(column string, n int) string {
	if d == SQLite {
		return fmt.Sprintf("%s GLOB $%d", column, n)
	}
	return fmt.Sprintf("%s LIKE $%d", column, n)
}

// PrefixPattern turns a literal prefix into the pattern PrefixMatch expects.
// Callers pass only path-like prefixes ([0-9a-z/]) or escape them first.
func (d Dialect) PrefixPattern(prefix string) string {
	if d == SQLite {
		return globEscape(prefix) + "*"
	}
	return likeEscape(prefix) + "%"
}

// ContainsPattern returns a LIKE pattern for "contains s", used with
// LikeEscape in the condition (both engines honour ESCAPE '\').
func ContainsPattern(s string) string { return "%" + likeEscape(s) + "%" }

// LikeEscape is the ESCAPE clause to append after LIKE $n.
const LikeEscape = ` ESCAPE '\'`

func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

func globEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '*', '?', '[':
			b.WriteByte('[')
			b.WriteRune(c)
			b.WriteByte(']')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}
