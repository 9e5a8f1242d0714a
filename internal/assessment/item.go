// Package assessment is the national digital-skills assessment and testing
// system: the item bank, its review workflow and scoring. Items point at a
// competence of a skills-standard version; the room reads standards and
// units only through their services.
package assessment

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/textfold"
)

// Item types.
const (
	Single    = "single"     // one correct option
	Multiple  = "multiple"   // several correct options
	TrueFalse = "true_false" // a statement, true or false
	Ordering  = "ordering"   // put options in the right order
	Matching  = "matching"   // pair each left entry with a right one
	ShortText = "short_text" // a typed answer compared after normalising
	Numeric   = "numeric"    // a number within a tolerance
	// Essay: a written answer that an examiner marks (QTI's extended
	// text); an exam with one waits for its marks before its result.
	Essay = "essay"
	// Upload: a file the candidate makes and sends (a spreadsheet, a
	// scanned page), marked by an examiner like an essay.
	Upload = "upload"
	// Point: one or more points marked on a picture (QTI's select point
	// and position object), scored by the item's rules (an area mapping).
	Point = "point"
	// Composite: several questions in one item (the gaps of a cloze text,
	// two choices about one passage), each a part of one of the types
	// above, answered together and scored together.
	Composite = "composite"
)

// Types lists the item types in display order.
var Types = []string{Single, Multiple, TrueFalse, Ordering, Matching, ShortText, Numeric, Essay, Upload, Point, Composite}

// maxParts bounds the parts of a composite item.
const maxParts = 40

// Statuses of an item: draft → review → approved → retired.
const (
	StatusDraft    = "draft"
	StatusReview   = "review"
	StatusApproved = "approved"
	StatusRetired  = "retired"
)

// Statuses lists the statuses in workflow order.
var Statuses = []string{StatusDraft, StatusReview, StatusApproved, StatusRetired}

// Scoring modes.
const (
	AllOrNothing = "all_or_nothing"
	MapResponse  = "map" // partial credit: each chosen option or pair adds its value
)

// Option is a choice, an entry to order, or one side of a match.
type Option struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Body is the content of one item version.
type Body struct {
	Type    string   `json:"type"`
	Stem    string   `json:"stem"`
	Options []Option `json:"options,omitempty"` // single, multiple, ordering; left side of matching
	Targets []Option `json:"targets,omitempty"` // right side of matching
	// Correct is the correct response: option ids (single, multiple), the
	// ids in order (ordering), "left:right" pairs (matching), "true" or
	// "false", accepted answers (short_text), or the number (numeric).
	Correct []string `json:"correct"`
	// Scoring: all or nothing, or a map from option id or "left:right" to
	// points (a wrong choice may carry negative points), clamped to 0…Max.
	Mode     string             `json:"mode"`
	Map      map[string]float64 `json:"map,omitempty"`
	MaxScore float64            `json:"max_score"`
	// MapBounds "qti" scores a map exactly as QTI's mapResponse does: a
	// response value without an entry earns MapDefault, and the sum is
	// bounded by MapLower and MapUpper only when they are given. Empty is
	// dxhub's own mapping: unmapped values earn 0 and the sum is clamped
	// to 0…MaxScore.
	MapBounds  string   `json:"map_bounds,omitempty"`
	MapDefault float64  `json:"map_default,omitempty"`
	MapLower   *float64 `json:"map_lower,omitempty"`
	MapUpper   *float64 `json:"map_upper,omitempty"`
	// MapNoCase: short-text map keys match without regard to case (QTI
	// mapEntry caseSensitive="false"); otherwise they match exactly.
	MapNoCase bool `json:"map_no_case,omitempty"`
	// MinChoices and MaxChoices bound how many options a response to a
	// multiple-choice item may hold (0: no bound).
	MinChoices int     `json:"min_choices,omitempty"`
	MaxChoices int     `json:"max_choices,omitempty"`
	Tolerance  float64 `json:"tolerance,omitempty"` // numeric: ± allowed
	// Short text: by default answers compare ignoring case, spacing and
	// diacritics; StrictDiacritics keeps diacritics significant.
	StrictDiacritics bool   `json:"strict_diacritics,omitempty"`
	Feedback         string `json:"feedback,omitempty"` // shown in practice and review
	// Language of the item's text ("vi", "en"), when known (QTI xml:lang).
	Language string `json:"language,omitempty"`
	// Rules: a QTI item's own response processing, run as written to
	// score it (see qti_rules.go); nil for dxhub's own scoring.
	Rules *Rules `json:"rules,omitempty"`
	// Template: a QTI item's template processing, drawn per attempt (see
	// qti_template.go); such an item is always scored by its rules.
	Template *Template `json:"template,omitempty"`
	// Parts of a composite item, in the order the stem numbers them. A
	// part's Stem is its label and prompt; its Response names its QTI
	// response variable. A response to a composite item writes each
	// value as "k:value", k the part's index from 0 (see PartResponse).
	Parts    []Body `json:"parts,omitempty"`
	Response string `json:"response,omitempty"`
	// QTIPairs says how a matching imported from QTI wrote its pairs:
	// turned round (a gap match's "text gap" kept as gap:text) or
	// associated (an associate's second members prefixed "R-"), so that
	// its rules see the pairs as QTI wrote them.
	QTIPairs string `json:"qti_pairs,omitempty"`
	// Picture: a graphic interaction's image, its areas the options (or
	// a matching's rows) named by number.
	Picture *Picture `json:"picture,omitempty"`
	// Media: videos and sounds played with the question.
	Media []MediaRef `json:"media,omitempty"`
	// Essay: guidance for the examiner who marks it (what a full answer
	// holds), and the answer's expected length in characters (a hint to
	// the candidate; answers are bounded by maxEssay).
	Rubric         string `json:"rubric,omitempty"`
	ExpectedLength int    `json:"expected_length,omitempty"`
}

// maxEssay bounds an essay's answer, in bytes.
const maxEssay = 10000

// Marked says whether the item is marked by a person, not scored by
// dxhub.
func (b *Body) Marked() bool { return b.Type == Essay || b.Type == Upload }

// UploadPrefix starts an upload item's response: "file:" and the stored
// file's key.
const UploadPrefix = "file:"

// QTIPairs values.
const (
	pairsTurned     = "turned"
	pairsAssociated = "associated"
)

// Validate checks a body and fills defaults; errors name the field.
func (b *Body) Validate() error {
	return b.validate(false)
}

// validate is Validate; ruled says the body is a part of a composite
// item scored by its rules, which may name no correct response.
func (b *Body) validate(ruled bool) error {
	b.Stem = textfold.NFC(strings.TrimSpace(b.Stem))
	if b.Stem == "" {
		return errs.Field("stem", "items.stem_required")
	}
	if len(b.Stem) > 20000 {
		return errs.Field("stem", "org.too_long", 20000)
	}
	if b.Mode == "" {
		b.Mode = AllOrNothing
	}
	// An item scored by its own rules may declare no correct response
	// (the rules name the accepted answers).
	noCorrect := (ruled || b.Rules != nil) && len(b.Correct) == 0
	if b.Rules != nil {
		if el, ok := b.Rules.check(); !ok {
			return errs.Field("rules", "qti.custom_processing_at", el)
		}
	}
	if b.Template != nil {
		if b.Rules == nil {
			return errs.Field("template", "qti.custom_processing_at", "templateProcessing")
		}
		if el, ok := b.Template.check(b.Rules); !ok {
			return errs.Field("template", "qti.custom_processing_at", el)
		}
	}
	if b.Mode != AllOrNothing && b.Mode != MapResponse {
		return errs.Field("mode", "items.bad_mode", b.Mode)
	}
	if b.Type == Composite {
		return b.validateParts()
	}
	if len(b.Parts) > 0 {
		return errs.Field("parts", "items.parts_only_composite")
	}
	if b.MaxScore == 0 {
		b.MaxScore = 1
	}
	if b.MaxScore < 0 || b.MaxScore > 100 || math.IsNaN(b.MaxScore) {
		return errs.Field("max_score", "items.bad_score")
	}
	ids := map[string]bool{}
	checkOptions := func(field string, opts []Option, min int) error {
		if len(opts) < min {
			return errs.Field(field, "items.too_few_options", min)
		}
		if len(opts) > 26 {
			return errs.Field(field, "items.too_many_options", 26)
		}
		for i := range opts {
			opts[i].Text = textfold.NFC(strings.TrimSpace(opts[i].Text))
			if opts[i].ID == "" || ids[opts[i].ID] || strings.ContainsAny(opts[i].ID, ": ,") {
				return errs.Field(field, "items.bad_option_id", opts[i].ID)
			}
			if opts[i].Text == "" {
				return errs.Field(field, "items.empty_option", opts[i].ID)
			}
			ids[opts[i].ID] = true
		}
		return nil
	}
	optionIDs := func() map[string]bool {
		m := map[string]bool{}
		for _, o := range b.Options {
			m[o.ID] = true
		}
		return m
	}
	switch b.Type {
	case Single, Multiple:
		if err := checkOptions("options", b.Options, 2); err != nil {
			return err
		}
		valid := optionIDs()
		if !noCorrect && (len(b.Correct) == 0 || (b.Type == Single && len(b.Correct) != 1)) {
			return errs.Field("correct", "items.correct_count")
		}
		for _, c := range b.Correct {
			if !valid[c] {
				return errs.Field("correct", "items.unknown_option", c)
			}
		}
	case TrueFalse:
		// Options, when given, are the labels of true and false.
		if len(b.Options) != 0 && (len(b.Options) != 2 || !isTrueFalse(b.Options)) {
			b.Options = nil
		}
		for i := range b.Options {
			if b.Options[i].Text = textfold.NFC(strings.TrimSpace(b.Options[i].Text)); b.Options[i].Text == "" {
				b.Options = nil
				break
			}
		}
		if !noCorrect && (len(b.Correct) != 1 || (b.Correct[0] != "true" && b.Correct[0] != "false")) {
			return errs.Field("correct", "items.true_false")
		}
	case Ordering:
		if err := checkOptions("options", b.Options, 2); err != nil {
			return err
		}
		if len(b.Correct) == 0 && !noCorrect {
			b.Correct = make([]string, len(b.Options))
			for i, o := range b.Options {
				b.Correct[i] = o.ID
			}
		}
		if !noCorrect && !samePermutation(b.Correct, optionIDs()) {
			return errs.Field("correct", "items.order_all")
		}
	case Matching:
		if err := checkOptions("options", b.Options, 2); err != nil {
			return err
		}
		if err := checkOptions("targets", b.Targets, 2); err != nil {
			return err
		}
		left, right := optionIDs(), map[string]bool{}
		for _, t := range b.Targets {
			right[t.ID] = true
		}
		if len(b.Correct) == 0 && !noCorrect {
			return errs.Field("correct", "items.correct_count")
		}
		seen := map[string]bool{}
		for _, p := range b.Correct {
			l, r, ok := strings.Cut(p, ":")
			// A row takes one partner; an area of a picture may be in
			// several unordered pairs (each can be given from its other end).
			if !ok || !left[l] || !right[r] || seen[l] && b.QTIPairs != pairsAssociated {
				return errs.Field("correct", "items.bad_pair", p)
			}
			seen[l] = true
		}
	case ShortText:
		b.Options = nil
		var acc []string
		for _, c := range b.Correct {
			if c = textfold.NFC(strings.TrimSpace(c)); c != "" {
				acc = append(acc, c)
			}
		}
		if len(acc) == 0 && !noCorrect {
			return errs.Field("correct", "items.answers_required")
		}
		b.Correct = acc
	case Essay, Upload:
		b.Options, b.Targets, b.Correct = nil, nil, nil
		b.Rubric = textfold.NFC(strings.TrimSpace(b.Rubric))
		if len(b.Rubric) > 20000 {
			return errs.Field("rubric", "org.too_long", 20000)
		}
		if b.ExpectedLength < 0 || b.ExpectedLength > maxEssay {
			return errs.Field("expected_length", "items.bad_length", maxEssay)
		}
		if b.Rules != nil || b.Template != nil || b.Mode != AllOrNothing {
			return errs.Field("mode", "items.map_not_for_type")
		}
	case Point:
		b.Options, b.Targets = nil, nil
		if b.Picture == nil {
			return errs.Field("picture", "items.bad_picture")
		}
		if b.Rules == nil && !ruled {
			return errs.Field("rules", "qti.custom_processing_at", "responseProcessing")
		}
		if b.MaxChoices == 0 {
			b.MaxChoices = 1
		}
		if b.MaxChoices < 0 || b.MaxChoices > 20 || b.MinChoices < 0 || b.MinChoices > b.MaxChoices {
			return errs.Field("max_choices", "items.bad_choices")
		}
		for _, c := range b.Correct {
			if _, _, ok := parsePoint(c); !ok {
				return errs.Field("correct", "items.bad_point", c)
			}
		}
	case Numeric:
		b.Options = nil
		if !noCorrect {
			if len(b.Correct) != 1 {
				return errs.Field("correct", "items.number_required")
			}
			if _, err := parseNumber(b.Correct[0]); err != nil {
				return errs.Field("correct", "items.number_required")
			}
		}
		if b.Tolerance < 0 || math.IsNaN(b.Tolerance) {
			return errs.Field("tolerance", "items.bad_score")
		}
	default:
		return errs.Field("type", "items.bad_type", b.Type)
	}
	if len(b.Language) > 12 {
		return errs.Field("language", "items.bad_type", b.Language)
	}
	if b.Type != Point && (b.MinChoices < 0 || b.MaxChoices < 0 || (b.MaxChoices > 0 && b.MinChoices > b.MaxChoices) || b.MaxChoices > len(b.Options) || b.MinChoices > len(b.Options)) {
		return errs.Field("max_choices", "items.bad_choices")
	}
	if (b.MinChoices > 0 || b.MaxChoices > 0) && b.Type != Multiple && b.Type != Point {
		b.MinChoices, b.MaxChoices = 0, 0
	}
	if b.Type == Multiple && b.MaxChoices > 0 && len(b.Correct) > b.MaxChoices {
		return errs.Field("max_choices", "items.bad_choices")
	}
	if b.Picture != nil {
		areas := map[string]bool{}
		for _, o := range append(append([]Option(nil), b.Options...), b.Targets...) {
			areas[strings.TrimPrefix(o.ID, "R-")] = true
		}
		if b.Type != Single && b.Type != Multiple && b.Type != Ordering && b.Type != Matching && b.Type != Point {
			return errs.Field("picture", "items.bad_picture")
		}
		if err := b.Picture.check(areas, b.Type == Point); err != nil {
			return err
		}
	}
	if err := checkMedia(b.Media); err != nil {
		return err
	}
	if b.QTIPairs != "" && (b.Type != Matching || b.QTIPairs != pairsTurned && b.QTIPairs != pairsAssociated) {
		return errs.Field("qti_pairs", "items.bad_mode", b.QTIPairs)
	}
	if b.MapBounds != "" && b.MapBounds != "qti" {
		return errs.Field("map_bounds", "items.bad_mode", b.MapBounds)
	}
	for _, f := range []*float64{b.MapLower, b.MapUpper, &b.MapDefault} {
		if f != nil && (math.IsNaN(*f) || math.IsInf(*f, 0)) {
			return errs.Field("map", "items.bad_score")
		}
	}
	if b.MapLower != nil && b.MapUpper != nil && *b.MapLower > *b.MapUpper {
		return errs.Field("map", "items.bad_score")
	}
	if b.Mode == MapResponse {
		if b.Type == Numeric || b.Type == TrueFalse {
			return errs.Field("mode", "items.map_not_for_type")
		}
		for k, v := range b.Map {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return errs.Field("map", "items.bad_score")
			}
			if b.Type == ShortText {
				if strings.TrimSpace(k) == "" {
					return errs.Field("map", "items.answers_required")
				}
				continue
			}
			if b.Type == Matching {
				if l, r, ok := strings.Cut(k, ":"); !ok || !ids[l] || !ids[r] {
					return errs.Field("map", "items.bad_pair", k)
				}
			} else if !ids[k] {
				return errs.Field("map", "items.unknown_option", k)
			}
		}
	}
	return nil
}

// validateParts checks a composite item: two parts or more, none itself
// composite, each valid as an item of its type; the maximum is what the
// rules give or the parts' maxima added up.
func (b *Body) validateParts() error {
	if len(b.Parts) < 2 {
		return errs.Field("parts", "items.too_few_parts", 2)
	}
	if len(b.Parts) > maxParts {
		return errs.Field("parts", "items.too_many_parts", maxParts)
	}
	if b.Mode != AllOrNothing || len(b.Map) > 0 {
		return errs.Field("mode", "items.map_not_for_type")
	}
	b.Options, b.Targets, b.Correct, b.MinChoices, b.MaxChoices = nil, nil, nil, 0, 0
	responses := map[string]bool{}
	sum := 0.0
	for i := range b.Parts {
		p := &b.Parts[i]
		field := fmt.Sprintf("parts[%d]", i)
		if p.Marked() {
			return errs.Field(field, "items.marked_part")
		}
		if p.Type == Composite || p.Rules != nil && b.Rules != nil || p.Template != nil || len(p.Parts) > 0 {
			return errs.Field(field, "items.bad_part")
		}
		if p.Response != "" && responses[p.Response] || strings.ContainsAny(p.Response, " :") || b.Rules != nil && b.Rules.decl(p.Response) == nil {
			return errs.Field(field, "items.bad_part")
		}
		responses[p.Response] = true
		if err := p.validate(b.Rules != nil); err != nil {
			e, _ := errs.As(err)
			if e != nil {
				return errs.Field(field+"."+e.Field, e.Key, e.Args...)
			}
			return err
		}
		sum += p.MaxScore
	}
	if b.Rules == nil {
		b.MaxScore = sum
	}
	if b.MaxScore <= 0 || b.MaxScore > 100*maxParts {
		return errs.Field("max_score", "items.bad_score")
	}
	return nil
}

// PartResponse splits a composite item's response ("k:value" values)
// into each part's values, in order; values naming no part are dropped.
func (b *Body) PartResponse(resp []string) [][]string {
	return partValues(len(b.Parts), resp)
}

// partValues splits a response of n parts' values ("k:value").
func partValues(n int, resp []string) [][]string {
	out := make([][]string, n)
	for _, v := range resp {
		k, val, ok := strings.Cut(v, ":")
		i, err := strconv.Atoi(k)
		if ok && err == nil && i >= 0 && i < len(out) && strconv.Itoa(i) == k {
			out[i] = append(out[i], val)
		}
	}
	return out
}

// CorrectResponse is the response the item declares correct: its parts'
// joined for a composite item.
func (b *Body) CorrectResponse() []string {
	if b.Type != Composite {
		return b.Correct
	}
	parts := make([][]string, len(b.Parts))
	for i := range b.Parts {
		parts[i] = b.Parts[i].Correct
	}
	return JoinParts(parts)
}

// label is how a composite item's stem names its part k: the "(n)" its
// stem starts with, else its place.
func (b *Body) label(k int) string {
	if f := strings.Fields(b.Stem); len(f) > 0 && strings.HasPrefix(f[0], "(") && strings.HasSuffix(f[0], ")") {
		return f[0]
	}
	return "(" + strconv.Itoa(k+1) + ")"
}

// JoinParts writes parts' values as one composite response.
func JoinParts(parts [][]string) []string {
	var out []string
	for i, p := range parts {
		for _, v := range p {
			out = append(out, strconv.Itoa(i)+":"+v)
		}
	}
	return out
}

func samePermutation(order []string, ids map[string]bool) bool {
	if len(order) != len(ids) {
		return false
	}
	seen := map[string]bool{}
	for _, o := range order {
		if !ids[o] || seen[o] {
			return false
		}
		seen[o] = true
	}
	return true
}

// parseNumber accepts "3.5" and the Vietnamese "3,5".
func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	return f, nil
}

// normalise prepares a short-text answer for comparison: case, spacing and,
// unless strict, diacritics (đ counts as d) are ignored.
func (b *Body) normalise(s string) string {
	if b.StrictDiacritics {
		return textfold.Lower(s)
	}
	return textfold.Fold(s)
}

// Score returns the points a response earns, between 0 and MaxScore. An
// empty response earns 0.
func (b *Body) Score(resp []string) float64 {
	if b.Type == Composite {
		parts := b.PartResponse(resp)
		if b.Rules != nil {
			byID := map[string][]string{}
			for i, p := range b.Parts {
				byID[p.Response] = p.qtiResponse(parts[i])
			}
			return b.Rules.scoreAll(byID)
		}
		sum := 0.0
		for i := range b.Parts {
			sum += b.Parts[i].Score(parts[i])
		}
		return sum
	}
	if b.Rules != nil {
		return b.Rules.score(b.qtiResponse(resp))
	}
	if len(resp) == 0 {
		return 0
	}
	if b.QTIPairs == pairsAssociated {
		resp = unordered(resp)
	}
	if b.Mode == MapResponse {
		// A single-cardinality response holds one value; a container's
		// distinct values each count once (QTI ignores duplicates).
		if (b.Type == Single || b.Type == ShortText) && len(resp) != 1 {
			return 0
		}
		sum := 0.0
		seen := map[string]bool{}
		for _, r := range resp {
			if !seen[r] {
				seen[r] = true
				sum += b.mapped(r)
			}
		}
		if b.MapBounds != "qti" {
			return math.Max(0, math.Min(b.MaxScore, sum))
		}
		if b.MapLower != nil {
			sum = math.Max(*b.MapLower, sum)
		}
		if b.MapUpper != nil {
			sum = math.Min(*b.MapUpper, sum)
		}
		return sum
	}
	if b.correct(resp) {
		return b.MaxScore
	}
	return 0
}

// Points is the share of one exam point a response earns (Score over
// MaxScore): in an exam every question weighs the same, so a 30-question
// exam is out of 30 whatever maximum each item's own mapping declares.
func (b *Body) Points(resp []string) float64 {
	if b.MaxScore <= 0 {
		return 0
	}
	return b.Score(resp) / b.MaxScore
}

// mapped is the value the map gives one response value.
func (b *Body) mapped(r string) float64 {
	if v, ok := b.Map[r]; ok {
		return v
	}
	if b.QTIPairs == pairsAssociated {
		for k, v := range b.Map {
			if unordered([]string{k})[0] == r {
				return v
			}
		}
	}
	if b.Type == ShortText && b.MapNoCase {
		for k, v := range b.Map {
			if strings.EqualFold(k, r) {
				return v
			}
		}
	}
	if b.MapBounds == "qti" {
		return b.MapDefault
	}
	return 0
}

// MappedMaximum is the most a map can give a response: the best entry for
// a single answer, else the sum of the positive entries (the best
// MaxChoices of them when that is bounded), then bounded above by
// MapUpper. QTI items without a declared maximum take it as theirs.
func (b *Body) MappedMaximum() float64 {
	var pos []float64
	best := math.Inf(-1)
	for _, v := range b.Map {
		best = math.Max(best, v)
		if v > 0 {
			pos = append(pos, v)
		}
	}
	var m float64
	switch b.Type {
	case Single, TrueFalse, ShortText, Numeric:
		m = math.Max(best, b.MapDefault)
	default:
		sort.Sort(sort.Reverse(sort.Float64Slice(pos)))
		if b.MaxChoices > 0 && len(pos) > b.MaxChoices {
			pos = pos[:b.MaxChoices]
		}
		for _, v := range pos {
			m += v
		}
	}
	if b.MapUpper != nil {
		m = math.Min(m, *b.MapUpper)
	}
	return m
}

// CheckResponse refuses a response the item cannot take: more or fewer
// choices than the item allows. The error names field "response".
func (b *Body) CheckResponse(resp []string) error {
	if b.Type == Point && len(resp) > 0 {
		if len(resp) > b.MaxChoices {
			return errs.Field("response", "items.too_many_choices", b.MaxChoices)
		}
		if len(resp) < b.MinChoices {
			return errs.Field("response", "items.too_few_choices", b.MinChoices)
		}
		for _, r := range resp {
			x, y, ok := parsePoint(r)
			if !ok || x < 0 || y < 0 || x > float64(b.Picture.Width) || y > float64(b.Picture.Height) {
				return errs.Field("response", "items.bad_point", r)
			}
		}
		return nil
	}
	if b.Type == Essay && (len(resp) > 1 || len(resp) == 1 && len(resp[0]) > maxEssay) {
		return errs.Field("response", "items.essay_too_long", maxEssay)
	}
	if b.Type == Upload && (len(resp) > 1 || len(resp) == 1 && !strings.HasPrefix(resp[0], UploadPrefix)) {
		return errs.Field("response", "items.upload_only")
	}
	if b.Type == Composite {
		for i, p := range b.PartResponse(resp) {
			if err := b.Parts[i].CheckResponse(p); err != nil {
				e, _ := errs.As(err)
				return errs.Field(fmt.Sprintf("response[%d]", i), e.Key, e.Args...)
			}
		}
		return nil
	}
	if b.Type != Multiple || len(resp) == 0 {
		return nil
	}
	n := len(dedupe(sortedCopy(resp)))
	if b.MaxChoices > 0 && n > b.MaxChoices {
		return errs.Field("response", "items.too_many_choices", b.MaxChoices)
	}
	if b.MinChoices > 0 && n < b.MinChoices {
		return errs.Field("response", "items.too_few_choices", b.MinChoices)
	}
	return nil
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

func (b *Body) correct(resp []string) bool {
	switch b.Type {
	case Single, TrueFalse:
		return len(resp) == 1 && resp[0] == b.Correct[0]
	case Multiple, Matching:
		if b.QTIPairs == pairsAssociated {
			return sameSet(unordered(resp), unordered(b.Correct))
		}
		return sameSet(resp, b.Correct)
	case Ordering:
		if len(resp) != len(b.Correct) {
			return false
		}
		for i := range resp {
			if resp[i] != b.Correct[i] {
				return false
			}
		}
		return true
	case ShortText:
		if len(resp) != 1 {
			return false
		}
		got := b.normalise(resp[0])
		for _, c := range b.Correct {
			if got != "" && got == b.normalise(c) {
				return true
			}
		}
		return false
	case Numeric:
		if len(resp) != 1 {
			return false
		}
		got, err := parseNumber(resp[0])
		want, err2 := parseNumber(b.Correct[0])
		return err == nil && err2 == nil && math.Abs(got-want) <= b.Tolerance+1e-9
	}
	return false
}

// unordered writes associated pairs ("A:R-B") with their members in one
// order, so that A–B and B–A are the same pair, as QTI's pair type says.
func unordered(pairs []string) []string {
	out := make([]string, len(pairs))
	for i, v := range pairs {
		l, r, _ := strings.Cut(v, ":")
		r = strings.TrimPrefix(r, "R-")
		if r < l {
			l, r = r, l
		}
		out[i] = l + ":R-" + r
	}
	return out
}

func sameSet(a, b []string) bool {
	x := append([]string(nil), a...)
	y := append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	x, y = dedupe(x), dedupe(y)
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func sortStrings(s []string) { sort.Strings(s) }
