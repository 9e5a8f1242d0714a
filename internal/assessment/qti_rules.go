package assessment

import (
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"dxhub/internal/platform/errs"
)

// Rules are an item's QTI response processing kept as written and run by
// dxhub, for items whose rules are not one of the standard templates
// (partial credit for a near order, a score kept in an outcome of its
// own, several accepted sets of choices). Values are QTI's: identifiers,
// pairs written "A B", numbers with a point.
type Rules struct {
	Response    string    `json:"response"`    // the response variable's identifier
	Cardinality string    `json:"cardinality"` // single, multiple, ordered
	BaseType    string    `json:"base_type"`
	Correct     []string  `json:"correct,omitempty"` // the declared correct response
	Mapping     *RuleMap  `json:"mapping,omitempty"`
	Outcomes    []Outcome `json:"outcomes"`
	Program     []RPNode  `json:"program"`
	// Given are the item's template variables: declared only in the item
	// as stored, with an attempt's drawn values in its instance.
	Given []Outcome `json:"given,omitempty"`
	// Others are a composite item's other response variables (the
	// first is declared by the fields above).
	Others []RespDecl `json:"others,omitempty"`
	// AreaMap: the first response's area mapping (a point response).
	AreaMap *AreaMap `json:"area_map,omitempty"`
}

// RespDecl is a response variable as QTI declares it.
type RespDecl struct {
	ID          string   `json:"id"`
	Cardinality string   `json:"cardinality"`
	BaseType    string   `json:"base_type"`
	Correct     []string `json:"correct,omitempty"`
	Mapping     *RuleMap `json:"mapping,omitempty"`
	AreaMap     *AreaMap `json:"area_map,omitempty"`
}

// decl is the response variable called id, or nil.
func (r *Rules) decl(id string) *RespDecl {
	if id == r.Response {
		return &RespDecl{ID: r.Response, Cardinality: r.Cardinality, BaseType: r.BaseType, Correct: r.Correct, Mapping: r.Mapping, AreaMap: r.AreaMap}
	}
	for i := range r.Others {
		if r.Others[i].ID == id {
			return &r.Others[i]
		}
	}
	return nil
}

// decls are all the response variables, the first first.
func (r *Rules) decls() []RespDecl {
	return append([]RespDecl{*r.decl(r.Response)}, r.Others...)
}

// RuleMap is the response's mapping as QTI declares it.
type RuleMap struct {
	Entries map[string]float64 `json:"entries"`
	NoCase  bool               `json:"no_case,omitempty"`
	Default float64            `json:"default,omitempty"`
	Lower   *float64           `json:"lower,omitempty"`
	Upper   *float64           `json:"upper,omitempty"`
}

// Outcome is a declared outcome variable and its default value.
type Outcome struct {
	ID          string   `json:"id"`
	Cardinality string   `json:"cardinality"`
	BaseType    string   `json:"base_type"`
	Default     []string `json:"default,omitempty"`
}

// RPNode is one element of the processing: a rule or an expression, named
// as QTI names it once normalised (responsecondition, basevalue…).
type RPNode struct {
	Op    string            `json:"op"`
	Attrs map[string]string `json:"attrs,omitempty"`
	Text  string            `json:"text,omitempty"`
	Kids  []RPNode          `json:"kids,omitempty"`
}

// ruleArity is every element dxhub runs, with the fewest and most
// children it takes (-1: any number).
var ruleArity = map[string][2]int{
	// rules
	"responsecondition": {1, -1}, "responseif": {1, -1}, "responseelseif": {1, -1}, "responseelse": {0, -1},
	"setoutcomevalue": {1, 1}, "exitresponse": {0, 0},
	// expressions
	"basevalue": {0, 0}, "variable": {0, 0}, "correct": {0, 0}, "default": {0, 0}, "mapresponse": {0, 0}, "null": {0, 0},
	"mapresponsepoint": {0, 0}, "inside": {1, 1},
	"isnull": {1, 1}, "not": {1, 1}, "containersize": {1, 1}, "round": {1, 1}, "truncate": {1, 1},
	"match": {2, 2}, "member": {2, 2}, "contains": {2, 2}, "equal": {2, 2}, "lt": {2, 2}, "gt": {2, 2}, "lte": {2, 2}, "gte": {2, 2},
	"subtract": {2, 2}, "divide": {2, 2}, "integerdivide": {2, 2}, "integermodulus": {2, 2}, "power": {2, 2},
	"stringmatch": {2, 2}, "substring": {2, 2}, "patternmatch": {1, 1}, "delete": {2, 2}, "index": {1, 1},
	"and": {1, -1}, "or": {1, -1}, "sum": {1, -1}, "product": {1, -1}, "max": {1, -1}, "min": {1, -1},
	"multiple": {0, -1}, "ordered": {0, -1}, "anyn": {1, -1},
	"integertofloat": {1, 1}, "equalrounded": {2, 2}, "roundto": {1, 1}, "gcd": {1, -1}, "lcm": {1, -1},
	"mathoperator": {1, -1}, "mathconstant": {0, 0}, "repeat": {1, -1}, "statsoperator": {1, 1},
}

// Bounds on a program: QTI's rules have no loops, so a bounded program
// runs in bounded time (repeat's containers bounded too).
const (
	maxRepeatValues = 1000
	maxRuleNodes    = 2000
	maxRuleDepth    = 48
)

// check refuses a program dxhub cannot run: an element it does not know,
// the wrong number of parts, a variable nobody declared. It names the
// element.
func (r *Rules) check() (element string, ok bool) {
	return r.checkProgram(r.Program, false)
}

// checkProgram checks response processing, or with tmpl template
// processing, against the item's declarations.
func (r *Rules) checkProgram(program []RPNode, tmpl bool) (element string, ok bool) {
	known := map[string]bool{r.Response: true, "numAttempts": true, "duration": true, "completionStatus": true}
	for _, d := range r.Others {
		if d.ID == "" || known[d.ID] {
			return "responseDeclaration", false
		}
		known[d.ID] = true
	}
	for _, o := range append(append([]Outcome(nil), r.Outcomes...), r.Given...) {
		if o.ID == "" {
			return "outcomeDeclaration", false
		}
		known[o.ID] = true
	}
	prefix, cond, ifOp, elseIfOp, elseOp := "response", "responsecondition", "responseif", "responseelseif", "responseelse"
	if tmpl {
		prefix, cond, ifOp, elseIfOp, elseOp = "template", "templatecondition", "templateif", "templateelseif", "templateelse"
	}
	nodes := 0
	var walk func(n *RPNode, depth int, rule bool) (string, bool)
	walk = func(n *RPNode, depth int, rule bool) (string, bool) {
		nodes++
		ar, ok := ruleArity[n.Op]
		if ta, isT := templateArity[n.Op]; isT {
			ar, ok = ta, tmpl
		}
		if !ok || nodes > maxRuleNodes || depth > maxRuleDepth {
			return n.Op, false
		}
		if len(n.Kids) < ar[0] || ar[1] >= 0 && len(n.Kids) > ar[1] {
			return n.Op, false
		}
		isRule := strings.HasPrefix(n.Op, prefix) || n.Op == "setoutcomevalue" || n.Op == "exitresponse"
		if tmpl {
			isRule = strings.HasPrefix(n.Op, prefix) || n.Op == "settemplatevalue" || n.Op == "setcorrectresponse" || n.Op == "setdefaultvalue" || n.Op == "exittemplate"
		}
		if isRule != rule {
			return n.Op, false
		}
		id := n.Attrs["identifier"]
		switch n.Op {
		case "variable", "default":
			if !known[id] {
				return n.Op, false
			}
		case "correct", "mapresponse", "mapresponsepoint":
			if d := r.decl(id); d == nil || (n.Op == "mapresponse" && d.Mapping == nil) || (n.Op == "mapresponsepoint" && d.AreaMap == nil) {
				return n.Op, false
			}
		case "statsoperator":
			if !slices.Contains([]string{"mean", "sampleVariance", "sampleSD", "popVariance", "popSD"}, n.Attrs["name"]) {
				return n.Op, false
			}
		case "inside":
			if c, ok := coords(n.Attrs["coords"]); !ok || !validShape(strings.ToLower(n.Attrs["shape"]), c) && strings.ToLower(n.Attrs["shape"]) != "default" {
				return n.Op, false
			}
		case "setoutcomevalue", "settemplatevalue":
			if !known[id] || r.decl(id) != nil {
				return n.Op, false
			}
		case "setcorrectresponse":
			if r.decl(id) == nil {
				return n.Op, false
			}
		case "setdefaultvalue":
			if !known[id] {
				return n.Op, false
			}
		case cond:
			// if, then else-ifs, then at most one else, in that order.
			for i, k := range n.Kids {
				switch {
				case i == 0 && k.Op == ifOp:
				case i > 0 && k.Op == elseIfOp:
				case i > 0 && i == len(n.Kids)-1 && k.Op == elseOp:
				default:
					return k.Op, false
				}
			}
		case "patternmatch":
			if _, err := qtiPattern(n.Attrs["pattern"]); err != nil {
				return n.Op, false
			}
		}
		for i := range n.Kids {
			// The first part of an if or else-if is its condition; the
			// rest, and the parts of other rules, are rules.
			kidRule := false
			switch n.Op {
			case cond, elseOp:
				kidRule = true
			case ifOp, elseIfOp:
				kidRule = i > 0
			}
			if el, ok := walk(&n.Kids[i], depth+1, kidRule); !ok {
				return el, false
			}
		}
		return "", true
	}
	for i := range program {
		if el, ok := walk(&program[i], 1, true); !ok {
			return el, ok
		}
	}
	if tmpl {
		return "", true
	}
	sets := false
	var findSet func(n *RPNode)
	findSet = func(n *RPNode) {
		if n.Op == "setoutcomevalue" && n.Attrs["identifier"] == "SCORE" {
			sets = true
		}
		for i := range n.Kids {
			findSet(&n.Kids[i])
		}
	}
	for i := range program {
		findSet(&program[i])
	}
	if !sets {
		return "responseProcessing", false
	}
	return "", true
}

// qtiPattern compiles a QTI pattern (an XML Schema regular expression,
// which matches the whole value) as Go's RE2, which cannot backtrack
// without bound.
func qtiPattern(p string) (*regexp.Regexp, error) {
	if len(p) > 500 {
		return nil, errs.Field("pattern", "qti.bad_value", "pattern")
	}
	return regexp.Compile(`^(?:` + p + `)$`)
}

// qval is a value while rules run: null, or one value or a container of
// them, as QTI writes them.
type qval struct {
	null bool
	card string // single, multiple, ordered
	base string
	vs   []string
}

var qnull = qval{null: true}

func single(base, v string) qval { return qval{card: "single", base: base, vs: []string{v}} }

func number(f float64) qval {
	return single("float", strconv.FormatFloat(f, 'g', -1, 64))
}

func boolean(b bool) qval { return single("boolean", strconv.FormatBool(b)) }

// empty: QTI treats an empty container and an empty string as null.
func (v qval) empty() bool {
	return v.null || len(v.vs) == 0 || v.card == "single" && v.vs[0] == ""
}

func (v qval) num() (float64, bool) {
	if v.empty() || len(v.vs) != 1 {
		return 0, false
	}
	f, err := parseNumber(v.vs[0])
	return f, err == nil
}

func (v qval) truth() (bool, bool) {
	if v.empty() || len(v.vs) != 1 {
		return false, false
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v.vs[0]))
	return b, err == nil
}

// key is a value as compared: a pair's two members in order, unless it
// is an undirected pair.
func key(base, s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if base == "pair" {
		if a, b, ok := strings.Cut(s, " "); ok && b < a {
			return b + " " + a
		}
	}
	return s
}

// ruleRun is one run of a program over one response.
type ruleRun struct {
	r    *Rules
	vars map[string]qval
	exit bool
	// Template processing only: its random source, whether a constraint
	// failed, and the correct response and defaults it set.
	rng      *rand.Rand
	violated bool
	correct  map[string]qval
	defaults map[string]qval
}

// score runs the rules over a response (QTI values) and returns the
// SCORE they set (0 when null).
func (r *Rules) score(resp []string) float64 {
	return r.scoreAll(map[string][]string{r.Response: resp})
}

// scoreAll is score for an item of several response variables, each
// response by its variable's identifier.
func (r *Rules) scoreAll(resps map[string][]string) float64 {
	run := &ruleRun{r: r, vars: map[string]qval{}}
	for _, o := range r.Outcomes {
		run.vars[o.ID] = r.declared(o)
	}
	if _, ok := run.vars["SCORE"]; !ok {
		run.vars["SCORE"] = number(0)
	}
	for _, g := range r.Given {
		run.vars[g.ID] = r.declared(g)
	}
	for _, d := range r.decls() {
		resp := resps[d.ID]
		rv := qnull
		if len(resp) > 0 {
			rv = qval{card: d.Cardinality, base: d.BaseType, vs: resp}
			if d.Cardinality == "single" {
				rv.vs = resp[:1]
			}
		}
		run.vars[d.ID] = rv
	}
	run.vars["numAttempts"] = single("integer", "1")
	run.vars["duration"] = single("float", "0")
	run.vars["completionStatus"] = single("identifier", "completed")
	run.rules(r.Program)
	f, ok := run.vars["SCORE"].num()
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// declared is an outcome's default value, or QTI's default for its type
// (0 for a number, null otherwise).
func (r *Rules) declared(o Outcome) qval {
	if len(o.Default) > 0 {
		return qval{card: o.Cardinality, base: o.BaseType, vs: o.Default}
	}
	if o.Cardinality == "single" && (o.BaseType == "float" || o.BaseType == "integer") {
		return single(o.BaseType, "0")
	}
	return qnull
}

func (run *ruleRun) rules(rs []RPNode) {
	for i := range rs {
		if run.exit {
			return
		}
		n := &rs[i]
		if run.templateRule(n) {
			continue
		}
		switch n.Op {
		case "exitresponse":
			run.exit = true
		case "setoutcomevalue":
			run.set(n.Attrs["identifier"], run.eval(&n.Kids[0]))
		case "responsecondition":
			run.branches(n, "responseelse")
		}
	}
}

// branches runs the first branch of a condition whose test holds (or its
// else, named elseOp).
func (run *ruleRun) branches(n *RPNode, elseOp string) {
	for j := range n.Kids {
		branch := &n.Kids[j]
		if branch.Op == elseOp {
			run.rules(branch.Kids)
			return
		}
		if t, ok := run.eval(&branch.Kids[0]).truth(); ok && t {
			run.rules(branch.Kids[1:])
			return
		}
	}
}

// set gives a declared variable a value, typed as declared (an integer
// variable keeps the whole part of a number).
func (run *ruleRun) set(id string, v qval) {
	for _, o := range run.r.Outcomes {
		if o.ID == id && !v.null {
			v.base = o.BaseType
			if o.BaseType == "integer" {
				if f, ok := v.num(); ok {
					v = single("integer", strconv.FormatInt(int64(f), 10))
				}
			}
		}
	}
	run.vars[id] = v
}

func (run *ruleRun) eval(n *RPNode) qval {
	args := func() []qval {
		out := make([]qval, len(n.Kids))
		for i := range n.Kids {
			out[i] = run.eval(&n.Kids[i])
		}
		return out
	}
	nums := func() ([]float64, bool) {
		var out []float64
		for _, a := range args() {
			if a.empty() {
				return nil, false
			}
			for _, s := range a.vs {
				f, err := parseNumber(s)
				if err != nil {
					return nil, false
				}
				out = append(out, f)
			}
		}
		return out, true
	}
	two := func() (float64, float64, bool) {
		xs, ok := nums()
		if !ok || len(xs) != 2 {
			return 0, 0, false
		}
		return xs[0], xs[1], true
	}
	switch n.Op {
	case "basevalue":
		// An identifier cannot hold a space: several written in one value
		// (as QTI 2.1's chocolate example does) are taken as a container.
		if f := strings.Fields(n.Text); n.Attrs["basetype"] == "identifier" && len(f) > 1 {
			return qval{card: "multiple", base: "identifier", vs: f}
		}
		return single(n.Attrs["basetype"], strings.TrimSpace(n.Text))
	case "variable":
		return run.vars[n.Attrs["identifier"]]
	case "randominteger", "randomfloat", "random":
		return run.randomValue(n)
	case "default":
		for _, o := range run.r.Outcomes {
			if o.ID == n.Attrs["identifier"] {
				return run.r.declared(o)
			}
		}
		return qnull
	case "correct":
		d := run.r.decl(n.Attrs["identifier"])
		if d == nil || len(d.Correct) == 0 {
			return qnull
		}
		return qval{card: d.Cardinality, base: d.BaseType, vs: d.Correct}
	case "mapresponse":
		d := run.r.decl(n.Attrs["identifier"])
		if d == nil || d.Mapping == nil {
			return qnull
		}
		return number(d.Mapping.apply(d.BaseType, run.vars[d.ID]))
	case "mapresponsepoint":
		d := run.r.decl(n.Attrs["identifier"])
		if d == nil || d.AreaMap == nil {
			return qnull
		}
		if v := run.vars[d.ID]; !v.empty() {
			return number(d.AreaMap.apply(v.vs))
		}
		return number(0)
	case "inside":
		v := run.eval(&n.Kids[0])
		if v.empty() {
			return qnull
		}
		c, _ := coords(n.Attrs["coords"])
		for _, p := range v.vs {
			if x, y, ok := parsePoint(p); ok && inside(strings.ToLower(n.Attrs["shape"]), c, x, y) {
				return boolean(true)
			}
		}
		return boolean(false)
	case "null":
		return qnull
	case "isnull":
		return boolean(run.eval(&n.Kids[0]).empty())
	case "not":
		t, ok := run.eval(&n.Kids[0]).truth()
		if !ok {
			return qnull
		}
		return boolean(!t)
	case "and", "or":
		sawNull := false
		for _, a := range args() {
			t, ok := a.truth()
			if !ok {
				sawNull = true
				continue
			}
			if n.Op == "and" && !t {
				return boolean(false)
			}
			if n.Op == "or" && t {
				return boolean(true)
			}
		}
		if sawNull {
			return qnull
		}
		return boolean(n.Op == "and")
	case "anyn":
		lo, _ := strconv.Atoi(n.Attrs["min"])
		hi, err := strconv.Atoi(n.Attrs["max"])
		if err != nil {
			hi = len(n.Kids)
		}
		yes := 0
		for _, a := range args() {
			if t, ok := a.truth(); ok && t {
				yes++
			}
		}
		return boolean(yes >= lo && yes <= hi)
	case "match":
		a := args()
		if a[0].empty() || a[1].empty() {
			return qnull
		}
		return boolean(sameValues(a[0], a[1]))
	case "member":
		a := args()
		if a[0].empty() || a[1].empty() {
			return qnull
		}
		want := key(a[0].base, a[0].vs[0])
		for _, s := range a[1].vs {
			if key(a[1].base, s) == want {
				return boolean(true)
			}
		}
		return boolean(false)
	case "contains":
		a := args()
		if a[0].empty() || a[1].empty() {
			return qnull
		}
		return boolean(containsValues(a[0], a[1]))
	case "delete":
		a := args()
		if a[0].empty() || a[1].null {
			return qnull
		}
		out := qval{card: a[1].card, base: a[1].base}
		drop := key(a[0].base, a[0].vs[0])
		for _, s := range a[1].vs {
			if key(a[1].base, s) != drop {
				out.vs = append(out.vs, s)
			}
		}
		return out
	case "index":
		v := run.eval(&n.Kids[0])
		// n is a number or the name of a variable holding one.
		i := int(run.attrNumber(n, "n", 0))
		if v.empty() || i < 1 || i > len(v.vs) {
			return qnull
		}
		return single(v.base, v.vs[i-1])
	case "containersize":
		v := run.eval(&n.Kids[0])
		if v.null {
			return single("integer", "0")
		}
		return single("integer", strconv.Itoa(len(v.vs)))
	case "multiple", "ordered":
		out := qval{card: n.Op}
		for _, a := range args() {
			if a.empty() {
				continue
			}
			out.base = a.base
			out.vs = append(out.vs, a.vs...)
		}
		if len(out.vs) == 0 {
			return qnull
		}
		return out
	case "equal":
		x, y, ok := two()
		if !ok {
			return qnull
		}
		return boolean(withinTolerance(x, y, n.Attrs))
	case "lt", "gt", "lte", "gte":
		x, y, ok := two()
		if !ok {
			return qnull
		}
		return boolean(map[string]bool{"lt": x < y, "gt": x > y, "lte": x <= y, "gte": x >= y}[n.Op])
	case "sum", "product", "max", "min":
		xs, ok := nums()
		if !ok {
			return qnull
		}
		acc := xs[0]
		for _, x := range xs[1:] {
			switch n.Op {
			case "sum":
				acc += x
			case "product":
				acc *= x
			case "max":
				acc = math.Max(acc, x)
			case "min":
				acc = math.Min(acc, x)
			}
		}
		return number(acc)
	case "subtract", "divide", "integerdivide", "integermodulus", "power":
		x, y, ok := two()
		if !ok {
			return qnull
		}
		var f float64
		switch n.Op {
		case "subtract":
			f = x - y
		case "divide":
			f = x / y
		case "integerdivide":
			f = math.Floor(x / y)
		case "integermodulus":
			f = math.Mod(x, y)
		case "power":
			f = math.Pow(x, y)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return qnull
		}
		return number(f)
	case "integertofloat":
		x, ok := run.eval(&n.Kids[0]).num()
		if !ok {
			return qnull
		}
		return number(x)
	case "roundto", "equalrounded":
		// Rounded to significant figures or decimal places, as QTI says
		// (half away from zero); equalRounded compares two so rounded.
		figs := int(run.attrNumber(n, "figures", -1))
		sig := n.Attrs["roundingmode"] != "decimalPlaces"
		if figs < 0 || sig && figs < 1 || figs > 15 {
			return qnull
		}
		xs, ok := nums()
		if !ok {
			return qnull
		}
		for i, x := range xs {
			xs[i] = roundTo(x, figs, sig)
		}
		if n.Op == "roundto" {
			return number(xs[0])
		}
		return boolean(len(xs) == 2 && xs[0] == xs[1])
	case "statsoperator":
		// QTI's statistics of a container of numbers: mean, the sample's
		// or the population's variance and standard deviation.
		xs, ok := nums()
		if !ok || len(xs) == 0 {
			return qnull
		}
		mean := 0.0
		for _, x := range xs {
			mean += x
		}
		mean /= float64(len(xs))
		ss := 0.0
		for _, x := range xs {
			ss += (x - mean) * (x - mean)
		}
		size := float64(len(xs))
		switch n.Attrs["name"] {
		case "mean":
			return number(mean)
		case "popVariance":
			return number(ss / size)
		case "popSD":
			return number(math.Sqrt(ss / size))
		case "sampleVariance", "sampleSD":
			if len(xs) < 2 {
				return qnull
			}
			if n.Attrs["name"] == "sampleSD" {
				return number(math.Sqrt(ss / (size - 1)))
			}
			return number(ss / (size - 1))
		}
		return qnull
	case "gcd", "lcm":
		xs, ok := nums()
		if !ok {
			return qnull
		}
		acc := int64(math.Abs(xs[0]))
		for _, x := range xs[1:] {
			y := int64(math.Abs(x))
			g := gcd(acc, y)
			if n.Op == "gcd" {
				acc = g
			} else if g == 0 {
				acc = 0
			} else {
				acc = acc / g * y
			}
		}
		return single("integer", strconv.FormatInt(acc, 10))
	case "mathconstant":
		switch n.Attrs["name"] {
		case "pi":
			return number(math.Pi)
		case "e":
			return number(math.E)
		}
		return qnull
	case "mathoperator":
		xs, ok := nums()
		if !ok {
			return qnull
		}
		f, ok := mathOperator(n.Attrs["name"], xs)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			return qnull
		}
		return number(f)
	case "repeat":
		times := int(run.attrNumber(n, "numberrepeats", 1))
		if times < 1 || times > 100 {
			return qnull
		}
		var out qval
		out.card = "ordered"
		parts := args()
		for range times {
			for _, a := range parts {
				if !a.empty() {
					out.base = a.base
					out.vs = append(out.vs, a.vs...)
				}
			}
			if len(out.vs) > maxRepeatValues {
				return qnull // nested repeats would multiply without bound
			}
		}
		if len(out.vs) == 0 {
			return qnull
		}
		return out
	case "round", "truncate":
		x, ok := run.eval(&n.Kids[0]).num()
		if !ok {
			return qnull
		}
		if n.Op == "round" {
			return number(math.Floor(x + 0.5))
		}
		return number(math.Trunc(x))
	case "stringmatch", "substring":
		a := args()
		if a[0].empty() || a[1].empty() {
			return qnull
		}
		x, y := a[0].vs[0], a[1].vs[0]
		if n.Attrs["casesensitive"] == "false" {
			x, y = strings.ToLower(x), strings.ToLower(y)
		}
		if n.Op == "substring" {
			return boolean(strings.Contains(y, x))
		}
		return boolean(x == y)
	case "patternmatch":
		v := run.eval(&n.Kids[0])
		re, err := qtiPattern(n.Attrs["pattern"])
		if v.empty() || err != nil {
			return qnull
		}
		return boolean(re.MatchString(v.vs[0]))
	}
	return qnull
}

// withinTolerance compares two numbers as QTI's equal does.
func withinTolerance(x, y float64, attrs map[string]string) bool {
	mode := attrs["tolerancemode"]
	if mode == "" || mode == "exact" {
		return x == y
	}
	t := strings.Fields(attrs["tolerance"])
	t0, _ := strconv.ParseFloat(firstOr(t, 0), 64)
	t1, err := strconv.ParseFloat(firstOr(t, 1), 64)
	if err != nil {
		t1 = t0
	}
	lo, hi := y-t0, y+t1
	if mode == "relative" {
		lo, hi = y*(1-t0/100), y*(1+t1/100)
	}
	inLo := x > lo || attrs["includelowerbound"] != "false" && x == lo
	inHi := x < hi || attrs["includeupperbound"] != "false" && x == hi
	return inLo && inHi
}

func firstOr(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	if len(s) > 0 {
		return s[0]
	}
	return "0"
}

// sameValues is QTI's match: equal single values, equal multisets, or
// equal sequences.
func sameValues(a, b qval) bool {
	ka, kb := keys(a), keys(b)
	if len(ka) != len(kb) {
		return false
	}
	if a.card != "ordered" || b.card != "ordered" {
		sort.Strings(ka)
		sort.Strings(kb)
	}
	return slices.Equal(ka, kb)
}

// containsValues: every value of b is in a (as many times), or for
// ordered containers b is a run of a.
func containsValues(a, b qval) bool {
	ka, kb := keys(a), keys(b)
	if a.card == "ordered" && b.card == "ordered" {
		for i := 0; i+len(kb) <= len(ka); i++ {
			if slices.Equal(ka[i:i+len(kb)], kb) {
				return true
			}
		}
		return false
	}
	left := map[string]int{}
	for _, k := range ka {
		left[k]++
	}
	for _, k := range kb {
		if left[k] == 0 {
			return false
		}
		left[k]--
	}
	return true
}

func keys(v qval) []string {
	out := make([]string, len(v.vs))
	for i, s := range v.vs {
		out[i] = key(v.base, s)
	}
	return out
}

// apply is QTI's mapResponse: each distinct value its entry (or the
// default), the sum bounded when bounds are given.
func (m *RuleMap) apply(base string, v qval) float64 {
	if m == nil || v.empty() {
		return 0
	}
	sum := 0.0
	seen := map[string]bool{}
	for _, s := range v.vs {
		k := key(base, s)
		if seen[k] {
			continue
		}
		seen[k] = true
		val, ok := m.lookup(base, k)
		if !ok {
			val = m.Default
		}
		sum += val
	}
	if m.Lower != nil {
		sum = math.Max(*m.Lower, sum)
	}
	if m.Upper != nil {
		sum = math.Min(*m.Upper, sum)
	}
	return sum
}

func (m *RuleMap) lookup(base, k string) (float64, bool) {
	num := base == "integer" || base == "float"
	kn, kerr := parseNumber(k)
	for mk, v := range m.Entries {
		mk = key(base, mk)
		if mk == k || m.NoCase && strings.EqualFold(mk, k) {
			return v, true
		}
		// Numbers compare as numbers: "16" is "16.0" is "16,0".
		if mn, err := parseNumber(mk); num && err == nil && kerr == nil && mn == kn {
			return v, true
		}
	}
	return 0, false
}

// declaredRules reads what rules run over: the response's declaration
// (its correct values and mapping, as QTI writes them), a composite
// item's other responses, and the outcomes with their defaults; or names
// the element it cannot read.
func declaredRules(root, rd *xnode, others ...*xnode) (*Rules, string) {
	d, el := readDecl(rd)
	if el != "" {
		return nil, el
	}
	r := &Rules{Response: d.ID, Cardinality: d.Cardinality, BaseType: d.BaseType, Correct: d.Correct, Mapping: d.Mapping, AreaMap: d.AreaMap, Given: templateVars(root)}
	for _, o := range others {
		d, el := readDecl(o)
		if el != "" {
			return nil, el
		}
		r.Others = append(r.Others, d)
	}
	for _, od := range root.all("outcomedeclaration") {
		o := Outcome{ID: od.attrs["identifier"], Cardinality: od.attrs["cardinality"], BaseType: od.attrs["basetype"]}
		if dv := od.child("defaultvalue"); dv != nil {
			for _, v := range dv.all("value") {
				o.Default = append(o.Default, strings.TrimSpace(v.text))
			}
		}
		r.Outcomes = append(r.Outcomes, o)
	}
	return r, ""
}

// readDecl reads a response declaration, or names the element it
// cannot read.
func readDecl(rd *xnode) (RespDecl, string) {
	d := RespDecl{ID: rd.attrs["identifier"], Cardinality: rd.attrs["cardinality"], BaseType: rd.attrs["basetype"]}
	if cr := rd.child("correctresponse"); cr != nil {
		for _, v := range cr.all("value") {
			d.Correct = append(d.Correct, strings.TrimSpace(v.text))
		}
	}
	if am := rd.child("areamapping"); am != nil {
		var el string
		if d.AreaMap, el = readAreaMap(am); el != "" {
			return d, el
		}
	}
	m := rd.child("mapping")
	if m == nil {
		return d, ""
	}
	d.Mapping = &RuleMap{Entries: map[string]float64{}}
	for _, e := range m.all("mapentry") {
		v, err := strconv.ParseFloat(e.attrs["mappedvalue"], 64)
		if err != nil {
			return d, "mapEntry"
		}
		d.Mapping.Entries[e.attrs["mapkey"]] = v
		d.Mapping.NoCase = d.Mapping.NoCase || e.attrs["casesensitive"] == "false"
	}
	for attr, to := range map[string]**float64{"lowerbound": &d.Mapping.Lower, "upperbound": &d.Mapping.Upper} {
		if s := strings.TrimSpace(m.attrs[attr]); s != "" {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return d, "mapping"
			}
			*to = &f
		}
	}
	if s := strings.TrimSpace(m.attrs["defaultvalue"]); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return d, "mapping"
		}
		d.Mapping.Default = f
	}
	return d, ""
}

// mappedRules are the map_response template as rules, for responses whose
// values dxhub's own scoring does not map (a number, a slider's value):
// SCORE is the mapped value of the response.
func mappedRules(root, rd *xnode, others ...*xnode) (*Rules, string) {
	return setScoreRules(root, rd, "mapresponse", others...)
}

// pointRules are the map_response_point template as rules: SCORE is
// what the response's points earn by the area mapping.
func pointRules(root, rd *xnode) (*Rules, string) {
	return setScoreRules(root, rd, "mapresponsepoint")
}

// setScoreRules are rules that set SCORE to one expression about the
// response (its mapping or area mapping), which it must declare.
func setScoreRules(root, rd *xnode, op string, others ...*xnode) (*Rules, string) {
	r, el := declaredRules(root, rd, others...)
	if r == nil {
		return nil, el
	}
	if op == "mapresponse" && r.Mapping == nil {
		return nil, "mapping"
	}
	if op == "mapresponsepoint" && r.AreaMap == nil {
		return nil, "areaMapping"
	}
	hasScore := false
	for _, o := range r.Outcomes {
		hasScore = hasScore || o.ID == "SCORE"
	}
	if !hasScore {
		r.Outcomes = append(r.Outcomes, Outcome{ID: "SCORE", Cardinality: "single", BaseType: "float"})
	}
	r.Program = []RPNode{{Op: "setoutcomevalue", Attrs: map[string]string{"identifier": "SCORE"},
		Kids: []RPNode{{Op: op, Attrs: map[string]string{"identifier": r.Response}}}}}
	if el, ok := r.check(); !ok {
		return nil, el
	}
	return r, ""
}

// compileRules keeps an item's response processing as Rules, or names
// the element dxhub cannot run.
func compileRules(root, rd, rp *xnode, others ...*xnode) (*Rules, string) {
	r, el := declaredRules(root, rd, others...)
	if r == nil {
		return nil, el
	}
	conv := rpNode
	for _, c := range rp.children {
		if c.name == "responseprocessingfragment" {
			for _, cc := range c.children {
				r.Program = append(r.Program, conv(cc))
			}
			continue
		}
		r.Program = append(r.Program, conv(c))
	}
	if el, ok := r.check(); !ok {
		return nil, el
	}
	return r, ""
}

// rpNode is an element of processing as dxhub keeps it.
func rpNode(n *xnode) RPNode {
	out := RPNode{Op: n.name, Text: strings.TrimSpace(n.text)}
	if len(n.attrs) > 0 {
		out.Attrs = map[string]string{}
		for k, v := range n.attrs {
			out.Attrs[k] = v
		}
	}
	if len(n.children) > 0 {
		out.Text = ""
	}
	for _, c := range n.children {
		out.Kids = append(out.Kids, rpNode(c))
	}
	return out
}

// maximum is the most the rules give: MAXSCORE's declared value, else
// what the correct response earns, else what the mapping can give,
// else 1.
func (r *Rules) maximum() float64 {
	for _, o := range r.Outcomes {
		if o.ID == "MAXSCORE" && len(o.Default) == 1 {
			if f, err := strconv.ParseFloat(o.Default[0], 64); err == nil && f > 0 && f <= 100 {
				return f
			}
		}
	}
	if len(r.Others) > 0 {
		// Several responses: what the best of each earns together (the
		// correct one, else the mapping's best values).
		best := map[string][]string{}
		for _, d := range r.decls() {
			best[d.ID] = d.best()
		}
		if f := r.scoreAll(best); f > 0 && f <= 100 {
			return f
		}
		return 1
	}
	if r.AreaMap != nil {
		if f := r.AreaMap.best(); f > 0 && f <= 100 {
			return f
		}
	}
	if len(r.Correct) > 0 {
		if f := r.score(r.Correct); f > 0 && f <= 100 {
			return f
		}
	}
	if r.Mapping != nil {
		sum := 0.0
		for _, v := range r.Mapping.Entries {
			if v > 0 {
				sum += v
			}
		}
		if r.Mapping.Upper != nil {
			sum = math.Min(sum, *r.Mapping.Upper)
		}
		if r.Cardinality == "single" {
			sum = 0
			for _, v := range r.Mapping.Entries {
				sum = math.Max(sum, v)
			}
		}
		if sum > 0 && sum <= 100 {
			return sum
		}
	}
	return 1
}

// best is the response that earns the most: the correct one, else the
// mapping's best value (a single response) or its positive values.
func (d *RespDecl) best() []string {
	if len(d.Correct) == 0 && d.AreaMap != nil {
		// A point in each area worth something (the best one for a
		// single point).
		es := slices.Clone(d.AreaMap.Entries)
		sort.SliceStable(es, func(i, j int) bool { return es[i].Value > es[j].Value })
		var pts []string
		for _, e := range es {
			if x, y, ok := centre(e.Shape, e.Coords); ok && e.Value > 0 {
				pts = append(pts, strconv.FormatFloat(x, 'f', -1, 64)+" "+strconv.FormatFloat(y, 'f', -1, 64))
			}
		}
		if d.Cardinality == "single" && len(pts) > 1 {
			pts = pts[:1]
		}
		return pts
	}
	if len(d.Correct) > 0 || d.Mapping == nil {
		return d.Correct
	}
	keys := make([]string, 0, len(d.Mapping.Entries))
	for k, v := range d.Mapping.Entries {
		if v > 0 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := d.Mapping.Entries[keys[i]], d.Mapping.Entries[keys[j]]
		return a > b || a == b && keys[i] < keys[j]
	})
	if d.Cardinality == "single" && len(keys) > 1 {
		keys = keys[:1]
	}
	return keys
}

// qtiResponse writes a dxhub response as QTI values: a matched pair
// "left:right" as "left right", turned back as QTI wrote it where dxhub
// turned it on import (see QTIPairs).
func (b *Body) qtiResponse(resp []string) []string {
	if b.Type != Matching {
		return resp
	}
	out := make([]string, len(resp))
	for i, p := range resp {
		l, r, _ := strings.Cut(p, ":")
		switch b.QTIPairs {
		case pairsTurned:
			l, r = r, l
		case pairsAssociated:
			r = strings.TrimPrefix(r, "R-")
		}
		out[i] = l + " " + r
	}
	return out
}

// fromQTI is qtiResponse's inverse for one value of a matching.
func (b *Body) fromQTI(v string) string {
	f := strings.Fields(v)
	if b.Type != Matching || len(f) != 2 {
		return v
	}
	switch b.QTIPairs {
	case pairsTurned:
		return f[1] + ":" + f[0]
	case pairsAssociated:
		return f[0] + ":R-" + f[1]
	}
	return f[0] + ":" + f[1]
}

// qti3Names are the QTI 3 spellings of the elements and attributes
// rules hold (normalised on import).
var qti3Names = map[string]string{
	"responsecondition": "qti-response-condition", "responseif": "qti-response-if", "responseelseif": "qti-response-else-if",
	"responseelse": "qti-response-else", "setoutcomevalue": "qti-set-outcome-value", "exitresponse": "qti-exit-response",
	"basevalue": "qti-base-value", "variable": "qti-variable", "correct": "qti-correct", "default": "qti-default",
	"mapresponse": "qti-map-response", "null": "qti-null", "isnull": "qti-is-null", "not": "qti-not",
	"containersize": "qti-container-size", "round": "qti-round", "truncate": "qti-truncate", "match": "qti-match",
	"member": "qti-member", "contains": "qti-contains", "equal": "qti-equal", "lt": "qti-lt", "gt": "qti-gt",
	"lte": "qti-lte", "gte": "qti-gte", "subtract": "qti-subtract", "divide": "qti-divide",
	"integerdivide": "qti-integer-divide", "integermodulus": "qti-integer-modulus", "power": "qti-power",
	"stringmatch": "qti-string-match", "substring": "qti-substring", "patternmatch": "qti-pattern-match",
	"delete": "qti-delete", "index": "qti-index", "and": "qti-and", "or": "qti-or", "sum": "qti-sum",
	"product": "qti-product", "max": "qti-max", "min": "qti-min", "multiple": "qti-multiple",
	"ordered": "qti-ordered", "anyn": "qti-any-n",
	"templatecondition": "qti-template-condition", "templateif": "qti-template-if", "templateelseif": "qti-template-else-if",
	"templateelse": "qti-template-else", "settemplatevalue": "qti-set-template-value", "setcorrectresponse": "qti-set-correct-response",
	"setdefaultvalue": "qti-set-default-value", "templateconstraint": "qti-template-constraint", "exittemplate": "qti-exit-template",
	"randominteger": "qti-random-integer", "randomfloat": "qti-random-float", "random": "qti-random",
	"integertofloat": "qti-integer-to-float", "equalrounded": "qti-equal-rounded", "roundto": "qti-round-to",
	"gcd": "qti-gcd", "lcm": "qti-lcm", "mathoperator": "qti-math-operator", "mathconstant": "qti-math-constant",
	"repeat": "qti-repeat", "fieldvalue": "qti-field-value",
	"mapresponsepoint": "qti-map-response-point", "inside": "qti-inside", "statsoperator": "qti-stats-operator",
}

// qti3Attrs are the QTI 3 spellings of the attributes rules hold, kept
// apart from the elements' (randomInteger's min and max are not the
// elements min and max).
var qti3Attrs = map[string]string{
	"roundingmode": "rounding-mode", "fieldidentifier": "field-identifier", "numberrepeats": "number-repeats",
	"basetype": "base-type", "tolerancemode": "tolerance-mode", "includelowerbound": "include-lower-bound",
	"includeupperbound": "include-upper-bound", "casesensitive": "case-sensitive",
}

// writeQTI3 writes the rules as QTI 3 response processing, the response
// variable called RESPONSE as dxhub's export names it.
func (r *Rules) writeQTI3(b *strings.Builder) {
	var write func(n *RPNode)
	write = func(n *RPNode) {
		name := qti3Names[n.Op]
		b.WriteString("<" + name)
		attrs := make([]string, 0, len(n.Attrs))
		for k := range n.Attrs {
			attrs = append(attrs, k)
		}
		sort.Strings(attrs)
		for _, k := range attrs {
			v := n.Attrs[k]
			if k == "identifier" && v == r.Response && n.Op != "setoutcomevalue" && len(r.Others) == 0 {
				v = "RESPONSE"
			}
			an, ok := qti3Attrs[k]
			if !ok {
				an = k
			}
			b.WriteString(" " + an + `="` + esc(v) + `"`)
		}
		if len(n.Kids) == 0 && n.Text == "" {
			b.WriteString("/>")
			return
		}
		b.WriteString(">" + esc(n.Text))
		for i := range n.Kids {
			write(&n.Kids[i])
		}
		b.WriteString("</" + name + ">")
	}
	for i := range r.Program {
		write(&r.Program[i])
	}
}

// roundTo rounds x to figs significant figures (sig) or decimal places,
// half away from zero.
func roundTo(x float64, figs int, sig bool) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	places := figs
	if sig {
		places = figs - 1 - int(math.Floor(math.Log10(math.Abs(x))))
	}
	f, err := strconv.ParseFloat(strconv.FormatFloat(math.Round(x*math.Pow(10, float64(places)))/math.Pow(10, float64(places)), 'g', 15, 64), 64)
	if err != nil {
		return x
	}
	return f
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// mathOperator is QTI 2.2's mathOperator.
func mathOperator(name string, xs []float64) (float64, bool) {
	one := map[string]func(float64) float64{
		"sin": math.Sin, "cos": math.Cos, "tan": math.Tan, "asin": math.Asin, "acos": math.Acos, "atan": math.Atan,
		"sinh": math.Sinh, "cosh": math.Cosh, "tanh": math.Tanh, "log": math.Log10, "ln": math.Log, "exp": math.Exp,
		"abs": math.Abs, "floor": math.Floor, "ceil": math.Ceil, "signum": func(x float64) float64 {
			switch {
			case x > 0:
				return 1
			case x < 0:
				return -1
			}
			return 0
		},
		"toDegrees": func(x float64) float64 { return x * 180 / math.Pi }, "toRadians": func(x float64) float64 { return x * math.Pi / 180 },
		"sec": func(x float64) float64 { return 1 / math.Cos(x) }, "csc": func(x float64) float64 { return 1 / math.Sin(x) },
		"cot": func(x float64) float64 { return 1 / math.Tan(x) },
	}
	if f, ok := one[name]; ok && len(xs) == 1 {
		return f(xs[0]), true
	}
	if name == "atan2" && len(xs) == 2 {
		return math.Atan2(xs[0], xs[1]), true
	}
	return 0, false
}
