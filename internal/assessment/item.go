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
)

// Types lists the item types in display order.
var Types = []string{Single, Multiple, TrueFalse, Ordering, Matching, ShortText, Numeric}

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
	Mode      string             `json:"mode"`
	Map       map[string]float64 `json:"map,omitempty"`
	MaxScore  float64            `json:"max_score"`
	Tolerance float64            `json:"tolerance,omitempty"` // numeric: ± allowed
	// Short text: by default answers compare ignoring case, spacing and
	// diacritics; StrictDiacritics keeps diacritics significant.
	StrictDiacritics bool   `json:"strict_diacritics,omitempty"`
	Feedback         string `json:"feedback,omitempty"` // shown in practice and review
}

// Validate checks a body and fills defaults; errors name the field.
func (b *Body) Validate() error {
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
	if b.Mode != AllOrNothing && b.Mode != MapResponse {
		return errs.Field("mode", "items.bad_mode", b.Mode)
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
		if len(b.Correct) == 0 || (b.Type == Single && len(b.Correct) != 1) {
			return errs.Field("correct", "items.correct_count")
		}
		for _, c := range b.Correct {
			if !valid[c] {
				return errs.Field("correct", "items.unknown_option", c)
			}
		}
	case TrueFalse:
		b.Options = nil
		if len(b.Correct) != 1 || (b.Correct[0] != "true" && b.Correct[0] != "false") {
			return errs.Field("correct", "items.true_false")
		}
	case Ordering:
		if err := checkOptions("options", b.Options, 2); err != nil {
			return err
		}
		if len(b.Correct) == 0 {
			b.Correct = make([]string, len(b.Options))
			for i, o := range b.Options {
				b.Correct[i] = o.ID
			}
		}
		if !samePermutation(b.Correct, optionIDs()) {
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
		if len(b.Correct) == 0 {
			return errs.Field("correct", "items.correct_count")
		}
		seen := map[string]bool{}
		for _, p := range b.Correct {
			l, r, ok := strings.Cut(p, ":")
			if !ok || !left[l] || !right[r] || seen[l] {
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
		if len(acc) == 0 {
			return errs.Field("correct", "items.answers_required")
		}
		b.Correct = acc
	case Numeric:
		b.Options = nil
		if len(b.Correct) != 1 {
			return errs.Field("correct", "items.number_required")
		}
		if _, err := parseNumber(b.Correct[0]); err != nil {
			return errs.Field("correct", "items.number_required")
		}
		if b.Tolerance < 0 || math.IsNaN(b.Tolerance) {
			return errs.Field("tolerance", "items.bad_score")
		}
	default:
		return errs.Field("type", "items.bad_type", b.Type)
	}
	if b.Mode == MapResponse {
		if b.Type == ShortText || b.Type == Numeric || b.Type == TrueFalse {
			return errs.Field("mode", "items.map_not_for_type")
		}
		for k, v := range b.Map {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return errs.Field("map", "items.bad_score")
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
	if len(resp) == 0 {
		return 0
	}
	if b.Mode == MapResponse {
		sum := 0.0
		seen := map[string]bool{}
		for _, r := range resp {
			if !seen[r] {
				seen[r] = true
				sum += b.Map[r]
			}
		}
		return math.Max(0, math.Min(b.MaxScore, sum))
	}
	if b.correct(resp) {
		return b.MaxScore
	}
	return 0
}

func (b *Body) correct(resp []string) bool {
	switch b.Type {
	case Single, TrueFalse:
		return len(resp) == 1 && resp[0] == b.Correct[0]
	case Multiple, Matching:
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
