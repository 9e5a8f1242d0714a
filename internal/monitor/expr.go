package monitor

import (
	"strconv"
	"strings"

	"dxhub/internal/platform/errs"
)

// Expr is a parsed formula over data elements: numbers, references
// {element} or {element.category}, + - * / and parentheses. Indicators'
// numerators and denominators and data sets' validation rules are Exprs.
type Expr struct {
	op          byte // 0 number, 'r' reference, '+', '-', '*', '/', 'n' negate
	num         float64
	elem, cat   string
	left, right *Expr
}

// Ref is one data element reference in a formula.
type Ref struct{ Element, Category string }

// MaxExprLen bounds a formula's length.
const MaxExprLen = 2000

// ParseExpr parses a formula; the error names field and the position.
func ParseExpr(field, s string) (*Expr, error) {
	if len(s) > MaxExprLen {
		return nil, errs.Field(field, "monitor.expr_too_long", MaxExprLen)
	}
	p := &parser{s: s, field: field}
	e := p.expr(0)
	p.space()
	if p.err == nil && p.i < len(p.s) {
		p.fail("monitor.expr_unexpected")
	}
	if p.err != nil {
		return nil, p.err
	}
	return e, nil
}

type parser struct {
	s     string
	i     int
	field string
	err   error
}

func (p *parser) fail(key string) {
	if p.err == nil {
		p.err = errs.Field(p.field, key, p.i+1)
	}
}

func (p *parser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *parser) peek() byte {
	p.space()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

// maxDepth bounds nesting so that a hostile formula cannot exhaust the stack.
const maxDepth = 50

func (p *parser) expr(depth int) *Expr {
	e := p.term(depth)
	for p.err == nil {
		c := p.peek()
		if c != '+' && c != '-' {
			return e
		}
		p.i++
		e = &Expr{op: c, left: e, right: p.term(depth)}
	}
	return e
}

func (p *parser) term(depth int) *Expr {
	e := p.factor(depth)
	for p.err == nil {
		c := p.peek()
		if c != '*' && c != '/' {
			return e
		}
		p.i++
		e = &Expr{op: c, left: e, right: p.factor(depth)}
	}
	return e
}

func (p *parser) factor(depth int) *Expr {
	if depth > maxDepth {
		p.fail("monitor.expr_too_deep")
		return nil
	}
	switch c := p.peek(); {
	case c == '(':
		p.i++
		e := p.expr(depth + 1)
		if p.peek() != ')' {
			p.fail("monitor.expr_paren")
			return nil
		}
		p.i++
		return e
	case c == '-':
		p.i++
		return &Expr{op: 'n', left: p.factor(depth + 1)}
	case c == '{':
		p.i++
		end := strings.IndexByte(p.s[p.i:], '}')
		if end < 0 {
			p.fail("monitor.expr_brace")
			return nil
		}
		ref := p.s[p.i : p.i+end]
		elem, cat, _ := strings.Cut(strings.TrimSpace(ref), ".")
		if !codeRe.MatchString(elem) || (cat != "" && !codeRe.MatchString(cat)) {
			p.fail("monitor.expr_ref")
			return nil
		}
		p.i += end + 1
		return &Expr{op: 'r', elem: elem, cat: cat}
	case c >= '0' && c <= '9' || c == '.':
		j := p.i
		for j < len(p.s) && (p.s[j] >= '0' && p.s[j] <= '9' || p.s[j] == '.') {
			j++
		}
		v, err := strconv.ParseFloat(p.s[p.i:j], 64)
		if err != nil {
			p.fail("monitor.expr_number")
			return nil
		}
		p.i = j
		return &Expr{num: v}
	default:
		p.fail("monitor.expr_unexpected")
		return nil
	}
}

// Refs lists the element references in e.
func (e *Expr) Refs() []Ref {
	if e == nil {
		return nil
	}
	if e.op == 'r' {
		return []Ref{{e.elem, e.cat}}
	}
	return append(e.left.Refs(), e.right.Refs()...)
}

// Eval computes e with look giving each reference's value. ok is false
// when no referenced value exists or a division by zero occurs; a missing
// reference next to present ones counts as 0.
func (e *Expr) Eval(look func(elem, cat string) (float64, bool)) (v float64, ok bool) {
	v, any, bad := e.eval(look)
	return v, any && !bad
}

func (e *Expr) eval(look func(elem, cat string) (float64, bool)) (v float64, any, bad bool) {
	if e == nil {
		return 0, false, true
	}
	switch e.op {
	case 0:
		return e.num, false, false
	case 'r':
		v, ok := look(e.elem, e.cat)
		return v, ok, false
	case 'n':
		v, a, b := e.left.eval(look)
		return -v, a, b
	}
	l, la, lb := e.left.eval(look)
	r, ra, rb := e.right.eval(look)
	any, bad = la || ra, lb || rb
	switch e.op {
	case '+':
		v = l + r
	case '-':
		v = l - r
	case '*':
		v = l * r
	case '/':
		if r == 0 {
			return 0, any, true
		}
		v = l / r
	}
	return v, any, bad
}

// Constant reports whether e has no references (a constant formula).
func (e *Expr) Constant() bool { return len(e.Refs()) == 0 }
