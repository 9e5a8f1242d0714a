package assessment

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"dxhub/internal/platform/errs"
)

// The authoring form writes an item as plain text so that it works without
// JavaScript on any phone:
//   - options: one per line; for single and multiple choice a leading "*"
//     marks a correct option; for ordering, lines are in the correct order;
//   - pairs (matching): one "left => right" per line;
//   - answers (short text): one accepted answer per line;
//   - map (partial credit): one "A = 1" or "A:R2 = 0.5" per line.

// ItemForm is the authoring form's fields.
type ItemForm struct {
	Competence, Level, Type, Stem, Options, Pairs, Answers, Number, Tolerance, TrueFalse, Mode, Map, MaxScore, Feedback, Rubric string
	StrictDiacritics                                                                                                            bool
}

// FormOf parses posted values.
func FormOf(v url.Values) ItemForm {
	return ItemForm{Competence: v.Get("competence"), Level: v.Get("level"), Type: v.Get("type"), Stem: v.Get("stem"), Options: v.Get("options"),
		Pairs: v.Get("pairs"), Answers: v.Get("answers"), Number: v.Get("number"), Tolerance: v.Get("tolerance"), TrueFalse: v.Get("true_false"),
		Mode: v.Get("mode"), Map: v.Get("map"), MaxScore: v.Get("max_score"), Feedback: v.Get("feedback"), Rubric: v.Get("rubric"), StrictDiacritics: v.Get("strict_diacritics") != ""}
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func letter(i int) string { return string(rune('A' + i)) }

// Input turns the form into an item input (not yet validated).
func (f ItemForm) Input(standardCode string, standardVersion int) (ItemInput, error) {
	in := ItemInput{StandardCode: standardCode, StandardVersion: standardVersion, Competence: f.Competence}
	level, err := strconv.Atoi(f.Level)
	if err != nil {
		return in, errs.Field("level", "items.bad_level")
	}
	in.Level = level
	b := Body{Type: f.Type, Stem: f.Stem, Mode: f.Mode, Feedback: strings.TrimSpace(f.Feedback), StrictDiacritics: f.StrictDiacritics}
	if f.MaxScore != "" {
		if b.MaxScore, err = parseNumber(f.MaxScore); err != nil {
			return in, errs.Field("max_score", "items.bad_score")
		}
	}
	switch f.Type {
	case Single, Multiple, Ordering:
		for i, l := range lines(f.Options) {
			id := letter(i)
			if f.Type != Ordering && strings.HasPrefix(l, "*") {
				b.Correct = append(b.Correct, id)
				l = strings.TrimSpace(l[1:])
			}
			b.Options = append(b.Options, Option{ID: id, Text: l})
		}
		if f.Type == Ordering {
			b.Correct = nil // defaults to the written order
		}
	case Matching:
		rights := map[string]string{}
		for i, l := range lines(f.Pairs) {
			left, right, ok := strings.Cut(l, "=>")
			if !ok {
				return in, errs.Field("pairs", "items.bad_pair", l)
			}
			left, right = strings.TrimSpace(left), strings.TrimSpace(right)
			b.Options = append(b.Options, Option{ID: letter(i), Text: left})
			rid, seen := rights[right]
			if !seen {
				rid = fmt.Sprintf("R%d", len(rights)+1)
				rights[right] = rid
				b.Targets = append(b.Targets, Option{ID: rid, Text: right})
			}
			b.Correct = append(b.Correct, letter(i)+":"+rid)
		}
	case ShortText:
		b.Correct = lines(f.Answers)
	case Numeric:
		b.Correct = []string{strings.TrimSpace(f.Number)}
		if f.Tolerance != "" {
			if b.Tolerance, err = parseNumber(f.Tolerance); err != nil {
				return in, errs.Field("tolerance", "items.bad_score")
			}
		}
	case TrueFalse:
		b.Correct = []string{f.TrueFalse}
	case Essay:
		b.Rubric = f.Rubric
	}
	if b.Mode == MapResponse {
		b.Map = map[string]float64{}
		for _, l := range lines(f.Map) {
			k, v, ok := strings.Cut(l, "=")
			n, err := parseNumber(v)
			if !ok || err != nil {
				return in, errs.Field("map", "items.bad_map_line", l)
			}
			b.Map[strings.TrimSpace(k)] = n
		}
	}
	in.Body = b
	return in, nil
}

// FormFor writes an item back into the form's text fields, for editing.
func FormFor(it *Item) ItemForm {
	b := it.Body
	f := ItemForm{Competence: it.Competence, Level: strconv.Itoa(it.Level), Type: b.Type, Stem: b.Stem, Mode: b.Mode, Feedback: b.Feedback,
		MaxScore: strconv.FormatFloat(b.MaxScore, 'f', -1, 64), StrictDiacritics: b.StrictDiacritics}
	correct := map[string]bool{}
	for _, c := range b.Correct {
		correct[c] = true
	}
	var sb strings.Builder
	switch b.Type {
	case Single, Multiple:
		for _, o := range b.Options {
			if correct[o.ID] {
				sb.WriteString("*")
			}
			sb.WriteString(o.Text + "\n")
		}
		f.Options = sb.String()
	case Ordering:
		byID := map[string]string{}
		for _, o := range b.Options {
			byID[o.ID] = o.Text
		}
		for _, id := range b.Correct {
			sb.WriteString(byID[id] + "\n")
		}
		f.Options = sb.String()
	case Matching:
		left, right := map[string]string{}, map[string]string{}
		for _, o := range b.Options {
			left[o.ID] = o.Text
		}
		for _, o := range b.Targets {
			right[o.ID] = o.Text
		}
		for _, p := range b.Correct {
			l, r, _ := strings.Cut(p, ":")
			sb.WriteString(left[l] + " => " + right[r] + "\n")
		}
		f.Pairs = sb.String()
	case ShortText:
		f.Answers = strings.Join(b.Correct, "\n")
	case Essay:
		f.Rubric = b.Rubric
	case Numeric:
		f.Number = strings.Join(b.Correct, "")
		f.Tolerance = strconv.FormatFloat(b.Tolerance, 'f', -1, 64)
	case TrueFalse:
		f.TrueFalse = strings.Join(b.Correct, "")
	}
	var mb strings.Builder
	for k, v := range b.Map {
		mb.WriteString(k + " = " + strconv.FormatFloat(v, 'f', -1, 64) + "\n")
	}
	f.Map = mb.String()
	return f
}
