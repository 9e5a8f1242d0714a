package assessment

import (
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
)

// Template is an item's QTI template processing, kept as written and run
// by dxhub when an attempt begins: it draws the item's variables, which
// the item's text prints (⟦A⟧, ⟦A|%.2f⟧ with a format), which show or hide
// parts of the text (⟦?A=v⟧…⟦/?⟧ shown when A is v, ⟦!A=v⟧…⟦/!⟧ hidden
// then) and options, and which its scoring uses: the item's rules see
// them, and the processing may set the correct response. The draw
// depends only on a seed kept with the attempt, so every node shows and
// scores the same instance.
type Template struct {
	Vars    []Outcome        `json:"vars"`
	Program []RPNode         `json:"program"`
	Options map[string]Shown `json:"options,omitempty"` // an option shown or hidden by a variable
}

// Shown is a condition on a template variable: the part is shown when the
// variable is (or, for a container, holds) Value; Hide turns it round.
type Shown struct {
	Var   string `json:"var"`
	Value string `json:"value"`
	Hide  bool   `json:"hide,omitempty"`
}

// templateArity are the elements of template processing beyond those
// response processing has, with the fewest and most children they take.
var templateArity = map[string][2]int{
	"templatecondition": {1, -1}, "templateif": {1, -1}, "templateelseif": {1, -1}, "templateelse": {0, -1},
	"settemplatevalue": {1, 1}, "setcorrectresponse": {1, 1}, "setdefaultvalue": {1, 1},
	"templateconstraint": {1, 1}, "exittemplate": {0, 0},
	"randominteger": {0, 0}, "randomfloat": {0, 0}, "random": {1, 1},
}

// maxTemplateTries bounds redraws when a templateConstraint fails; QTI
// leaves the number to the delivery system, then the variables keep their
// defaults.
const maxTemplateTries = 100

// check refuses template processing dxhub cannot run, naming the element.
func (t *Template) check(rules *Rules) (string, bool) {
	return t.scope(rules).checkProgram(t.Program, true)
}

// scope is what the processing sees of the item, checked and run alike:
// its template variables and outcomes, its response and the response's
// declared correct value.
func (t *Template) scope(rules *Rules) *Rules {
	r := &Rules{Outcomes: t.Vars}
	if rules != nil {
		r.Response, r.Cardinality, r.BaseType, r.Correct, r.Others = rules.Response, rules.Cardinality, rules.BaseType, rules.Correct, rules.Others
		r.Outcomes = append(append([]Outcome(nil), t.Vars...), rules.Outcomes...)
	}
	return r
}

// draw runs the processing with a seed: the variables' values, the
// correct responses it set (by response variable) and the defaults it set.
func (t *Template) draw(seed uint64, rules *Rules) (vars map[string]qval, correct map[string]qval, defaults map[string]qval) {
	r := t.scope(rules)
	// ChaCha8 rather than PCG: neighbouring seeds (a quiz's, an exam's)
	// must not draw alike.
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	rng := rand.New(rand.NewChaCha8(key))
	for range maxTemplateTries {
		run := &ruleRun{r: r, vars: map[string]qval{}, rng: rng, defaults: map[string]qval{}, correct: map[string]qval{}}
		for _, v := range r.Outcomes {
			run.vars[v.ID] = r.declared(v)
		}
		run.rules(t.Program)
		if !run.violated {
			return run.vars, run.correct, run.defaults
		}
	}
	vars = map[string]qval{}
	for _, v := range t.Vars {
		vars[v.ID] = r.declared(v)
	}
	return vars, nil, nil
}

// Instance is the item as one attempt sees it: its template drawn with
// seed, its text printed with the values, hidden parts and options left
// out, its rules given the values and the correct response the template
// set. An item without a template is itself.
func (b *Body) Instance(seed uint64) Body {
	if b.Template == nil {
		return *b
	}
	vars, correct, defaults := b.Template.draw(seed, b.Rules)
	out := *b
	out.Template = nil
	out.Stem = printVars(b.Stem, vars)
	out.Feedback = printVars(b.Feedback, vars)
	pick := func(opts []Option) []Option {
		var kept []Option
		for _, o := range opts {
			if c, ok := b.Template.Options[o.ID]; ok && !c.holds(vars) {
				continue
			}
			o.Text = printVars(o.Text, vars)
			kept = append(kept, o)
		}
		return kept
	}
	out.Options, out.Targets = pick(b.Options), pick(b.Targets)
	if len(b.Parts) > 0 {
		out.Parts = make([]Body, len(b.Parts))
		for i, p := range b.Parts {
			p.Stem = printVars(p.Stem, vars)
			p.Options, p.Targets = pick(p.Options), pick(p.Targets)
			out.Parts[i] = p
		}
	}
	if b.Rules != nil {
		r := *b.Rules
		r.Given = nil
		for _, v := range b.Template.Vars {
			val := vars[v.ID]
			r.Given = append(r.Given, Outcome{ID: v.ID, Cardinality: v.Cardinality, BaseType: v.BaseType, Default: val.vs})
		}
		r.Others = append([]RespDecl(nil), r.Others...)
		for id, c := range correct {
			if c.empty() {
				continue
			}
			vs := append([]string(nil), c.vs...)
			if id == r.Response {
				r.Correct = vs
			}
			for i := range r.Others {
				if r.Others[i].ID == id {
					r.Others[i].Correct = vs
				}
			}
			// The item's (or its part's) correct answer as dxhub writes it.
			at := &out
			for i := range out.Parts {
				if out.Parts[i].Response == id {
					at = &out.Parts[i]
				}
			}
			if at == &out && id != r.Response {
				continue
			}
			at.Correct = nil
			for _, v := range vs {
				at.Correct = append(at.Correct, at.fromQTI(v))
			}
		}
		if len(defaults) > 0 {
			r.Outcomes = append([]Outcome(nil), r.Outcomes...)
			for i, o := range r.Outcomes {
				if d, ok := defaults[o.ID]; ok {
					r.Outcomes[i].Default = d.vs
				}
			}
		}
		out.Rules = &r
	}
	return out
}

// holds says whether the condition shows its part.
func (c Shown) holds(vars map[string]qval) bool {
	v := vars[c.Var]
	in := false
	for _, s := range v.vs {
		in = in || s == c.Value
	}
	return in != c.Hide
}

var (
	printedVar    = regexp.MustCompile(`⟦([A-Za-z_][\w.-]*)(?:\|([^⟧]*))?⟧`)
	templatePart  = regexp.MustCompile(`(?s)⟦([?!])([A-Za-z_][\w.-]*)=([^⟧]*)⟧((?:[^⟦]|⟦[^?!/])*?)⟦/[?!]⟧`)
	blankParagraf = regexp.MustCompile(`\n{3,}`)
)

// printVars writes the values into a text: parts shown or hidden first
// (innermost first, so parts may nest), then printed variables.
func printVars(s string, vars map[string]qval) string {
	if !strings.Contains(s, "⟦") {
		return s
	}
	for i := 0; i < 32 && templatePart.MatchString(s); i++ {
		s = templatePart.ReplaceAllStringFunc(s, func(m string) string {
			g := templatePart.FindStringSubmatch(m)
			if (Shown{Var: g[2], Value: g[3], Hide: g[1] == "!"}).holds(vars) {
				return g[4]
			}
			return ""
		})
	}
	s = printedVar.ReplaceAllStringFunc(s, func(m string) string {
		g := printedVar.FindStringSubmatch(m)
		v, ok := vars[g[1]]
		if !ok {
			return m
		}
		return printValue(v, g[2])
	})
	return strings.TrimSpace(blankParagraf.ReplaceAllString(s, "\n\n"))
}

var printfVerb = regexp.MustCompile(`^([^%]*)%([-+ 0#]*)(\d*)(?:\.(\d+))?([diouxXeEfFgGs])(.*)$`)

// printValue formats a value as printedVariable does: with its format (a
// C printf format of one conversion), else as written; containers'
// values joined by ";".
func printValue(v qval, format string) string {
	if v.null {
		return ""
	}
	parts := make([]string, len(v.vs))
	for i, s := range v.vs {
		parts[i] = s
		m := printfVerb.FindStringSubmatch(format)
		if m == nil {
			if f, err := strconv.ParseFloat(s, 64); err == nil && v.base == "float" {
				parts[i] = strconv.FormatFloat(f, 'g', 6, 64)
			}
			continue
		}
		spec := "%" + m[2] + m[3]
		if m[4] != "" {
			spec += "." + m[4]
		}
		f, err := strconv.ParseFloat(s, 64)
		switch verb := m[5]; {
		case verb == "s" || err != nil:
			parts[i] = m[1] + fmt.Sprintf(spec+"s", s) + m[6]
		case strings.ContainsAny(verb, "diouxX"):
			verb = strings.NewReplacer("i", "d", "u", "d").Replace(verb)
			parts[i] = m[1] + fmt.Sprintf(spec+verb, int64(math.Round(f))) + m[6]
		default:
			parts[i] = m[1] + fmt.Sprintf(spec+verb, f) + m[6]
		}
	}
	return strings.Join(parts, ";")
}

// attrNumber reads a numeric attribute of a random expression, which may
// name a template variable in braces ("{A}").
func (run *ruleRun) attrNumber(n *RPNode, attr string, def float64) float64 {
	s := strings.TrimSpace(n.Attrs[attr])
	if s == "" {
		return def
	}
	if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
		if f, ok := run.vars[s[1:len(s)-1]].num(); ok {
			return f
		}
		return def
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	if f, ok := run.vars[s].num(); ok {
		return f
	}
	return def
}

// randomValue evaluates QTI's random expressions.
func (run *ruleRun) randomValue(n *RPNode) qval {
	if run.rng == nil {
		return qnull // response processing draws nothing
	}
	switch n.Op {
	case "randominteger":
		lo, hi := int64(run.attrNumber(n, "min", 0)), int64(run.attrNumber(n, "max", 0))
		step := max(1, int64(run.attrNumber(n, "step", 1)))
		if hi < lo {
			return qnull
		}
		return single("integer", strconv.FormatInt(lo+step*run.rng.Int64N((hi-lo)/step+1), 10))
	case "randomfloat":
		lo, hi := run.attrNumber(n, "min", 0), run.attrNumber(n, "max", 0)
		if hi < lo {
			return qnull
		}
		return single("float", strconv.FormatFloat(lo+run.rng.Float64()*(hi-lo), 'g', -1, 64))
	case "random":
		v := run.eval(&n.Kids[0])
		if v.empty() {
			return qnull
		}
		return single(v.base, v.vs[run.rng.IntN(len(v.vs))])
	}
	return qnull
}

// templateRules runs the template processing's own rules; it reports
// whether it took the rule.
func (run *ruleRun) templateRule(n *RPNode) bool {
	switch n.Op {
	case "exittemplate":
		run.exit = true
	case "templateconstraint":
		if t, ok := run.eval(&n.Kids[0]).truth(); !ok || !t {
			run.violated, run.exit = true, true
		}
	case "settemplatevalue":
		run.set(n.Attrs["identifier"], run.eval(&n.Kids[0]))
	case "setcorrectresponse":
		v := run.eval(&n.Kids[0])
		d := run.r.decl(n.Attrs["identifier"])
		if !v.null {
			v.card, v.base = d.Cardinality, d.BaseType
			if d.BaseType == "integer" {
				if f, ok := v.num(); ok {
					v.vs = []string{strconv.FormatInt(int64(math.Round(f)), 10)}
				}
			}
		}
		run.correct[d.ID] = v
	case "setdefaultvalue":
		run.defaults[n.Attrs["identifier"]] = run.eval(&n.Kids[0])
	case "templatecondition":
		run.branches(n, "templateelse")
	default:
		return false
	}
	return true
}

// readTemplate reads an item's template declarations and processing (nil
// when it has none) and marks its mathematics' template variables
// (mathVariable) so that the text prints them.
func readTemplate(root *xnode, item, file string) (*Template, *QTIError) {
	decls := root.all("templatedeclaration")
	if len(decls) == 0 {
		if tp := root.child("templateprocessing"); tp != nil {
			return nil, &QTIError{File: file, Item: item, Element: "templateProcessing", Key: "qti.unsupported"}
		}
		return nil, nil
	}
	t := &Template{Vars: templateVars(root), Options: map[string]Shown{}}
	math := map[string]bool{}
	for _, d := range decls {
		if d.attrs["mathvariable"] == "true" {
			math[d.attrs["identifier"]] = true
		}
	}
	if tp := root.child("templateprocessing"); tp != nil {
		for _, c := range tp.children {
			t.Program = append(t.Program, rpNode(c))
		}
	}
	if len(math) > 0 {
		root.walk(func(n *xnode) {
			if n.name != "math" {
				return
			}
			n.walk(func(m *xnode) {
				if (m.name == "mi" || m.name == "ci") && math[strings.TrimSpace(m.text)] {
					m.text = "⟦" + strings.TrimSpace(m.text) + "⟧"
					m.raw = []xml.Token{xml.CharData(m.text)}
				}
			})
		})
	}
	return t, nil
}

// templateVars are an item's template declarations, with their defaults.
func templateVars(root *xnode) []Outcome {
	var out []Outcome
	for _, d := range root.all("templatedeclaration") {
		v := Outcome{ID: d.attrs["identifier"], Cardinality: d.attrs["cardinality"], BaseType: d.attrs["basetype"]}
		if dv := d.child("defaultvalue"); dv != nil {
			for _, x := range dv.all("value") {
				v.Default = append(v.Default, strings.TrimSpace(x.text))
			}
		}
		out = append(out, v)
	}
	return out
}

// declares says whether the template declares a variable.
func (t *Template) declares(id string) bool {
	if t == nil {
		return false
	}
	for _, v := range t.Vars {
		if v.ID == id {
			return true
		}
	}
	return false
}

// matchRules are the match_correct template as rules, worth score: for
// an item whose correct response its template draws.
func matchRules(root, rd *xnode, score float64, others ...*xnode) (*Rules, string) {
	r, el := declaredRules(root, rd, others...)
	if r == nil {
		return nil, el
	}
	hasScore := false
	for _, o := range r.Outcomes {
		hasScore = hasScore || o.ID == "SCORE"
	}
	if !hasScore {
		r.Outcomes = append(r.Outcomes, Outcome{ID: "SCORE", Cardinality: "single", BaseType: "float"})
	}
	set := func(v float64) RPNode {
		return RPNode{Op: "setoutcomevalue", Attrs: map[string]string{"identifier": "SCORE"},
			Kids: []RPNode{{Op: "basevalue", Attrs: map[string]string{"basetype": "float"}, Text: strconv.FormatFloat(v, 'g', -1, 64)}}}
	}
	r.Program = []RPNode{{Op: "responsecondition", Kids: []RPNode{
		{Op: "responseif", Kids: []RPNode{
			{Op: "match", Kids: []RPNode{{Op: "variable", Attrs: map[string]string{"identifier": r.Response}}, {Op: "correct", Attrs: map[string]string{"identifier": r.Response}}}},
			set(score)}},
		{Op: "responseelse", Kids: []RPNode{set(0)}},
	}}}
	if el, ok := r.check(); !ok {
		return nil, el
	}
	return r, ""
}
