package assessment

import (
	"archive/zip"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"dxhub/internal/platform/richtext"
)

// QTI 3.0 export. Each item becomes a qti-assessment-item; dxhub's tags
// (standard, competence, level) and what QTI has no place for (diacritic
// handling, numeric tolerance, all-or-nothing maximum) travel as data-*
// attributes on the item body, which QTI 3 allows, so that an export
// imports back into the same items.

const (
	qti3NS           = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
	qti3MatchCorrect = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct"
	qti3MapResponse  = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response"
)

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// stemXHTML turns dxhub's markup back into the XHTML QTI carries: a
// paragraph per blank-line block ("> " ones as quotes), line breaks as
// <br/>.
func stemXHTML(stem string) string {
	var out strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(stem, "\r\n", "\n"), "\n\n") {
		if para = strings.TrimSpace(para); para == "" {
			continue
		}
		quote := false
		if rest, ok := strings.CutPrefix(para, "> "); ok {
			quote, para = true, rest
		}
		s := inlineXHTML(para)
		if quote {
			out.WriteString("<blockquote><p>" + s + "</p></blockquote>")
			continue
		}
		out.WriteString("<p>" + s + "</p>")
	}
	return out.String()
}

// Images from the file store and https links, as markup writes them
// (matched after escaping, so their text is already XHTML-safe).
var (
	xhtmlImage = regexp.MustCompile(`!\[([^\]]*)\]\((/files/[0-9A-Za-z_-]+)\)`)
	xhtmlLink  = regexp.MustCompile(`\[([^\]]+)\]\((https://[^\s()"<>]+)\)`)
)

// inlineXHTML is one block of markup as XHTML: emphasis, code, images
// from the file store, https links, line breaks.
func inlineXHTML(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		l = esc(l)
		l = richtext.Bold.ReplaceAllString(l, "<strong>$1</strong>")
		l = richtext.Italic.ReplaceAllString(l, "<em>$1</em>")
		l = richtext.Code.ReplaceAllString(l, "<code>$1</code>")
		l = xhtmlImage.ReplaceAllString(l, `<img src="$2" alt="$1"/>`)
		l = xhtmlLink.ReplaceAllString(l, `<a href="$2">$1</a>`)
		lines[i] = l
	}
	return strings.Join(lines, "<br/>")
}

// qtiLang is the item's language: the one it was imported with, or
// Vietnamese when its text has Vietnamese letters, else English.
func qtiLang(b *Body) string {
	if b.Language != "" {
		return b.Language
	}
	if strings.ContainsAny(strings.ToLower(b.Stem), "ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ") {
		return "vi"
	}
	return "en"
}

// title is a plain-text title for the item: its first line without
// markup, cut at a word within 80 characters.
func title(stem string) string {
	s := strings.TrimSpace(strings.SplitN(strings.TrimPrefix(strings.TrimSpace(stem), "> "), "\n", 2)[0])
	s = imageRef.ReplaceAllString(s, "$1")
	s = linkRef.ReplaceAllString(s, "$1")
	s = strings.NewReplacer("**", "", "`", "").Replace(s)
	s = richtext.Italic.ReplaceAllString(s, "$1")
	r := []rune(s)
	if len(r) <= 80 {
		return s
	}
	cut := string(r[:80])
	if i := strings.LastIndex(cut, " "); i > 40 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

var (
	imageRef = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	linkRef  = regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`)
)

// QTIItem writes one item as a QTI 3.0 item document.
func QTIItem(it *Item) string {
	b := it.Body
	lang := qtiLang(&b)
	if b.Rules != nil {
		return qtiRulesItem(it, lang)
	}
	var rd strings.Builder
	var rp string
	if b.Marked() {
		// No processing: a person marks it, as its SCORE outcome says.
		base := "string"
		if b.Type == Upload {
			base = "file"
		}
		fmt.Fprintf(&rd, `<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="%s"/>`, base)
		fmt.Fprintf(&rd, `<qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float" normal-maximum="%s" external-scored="human"/>`, num(b.MaxScore))
		fb := ""
		if b.Feedback != "" {
			rd.WriteString(`<qti-outcome-declaration identifier="FEEDBACK" cardinality="single" base-type="identifier"/>`)
			fb = fmt.Sprintf(`<qti-modal-feedback outcome-identifier="FEEDBACK" identifier="EXPLANATION" show-hide="show"><qti-content-body>%s</qti-content-body></qti-modal-feedback>`, stemXHTML(b.Feedback))
		}
		return qtiDocument(it, lang, rd.String(), itemBodyXHTML(it, lang), "", fb)
	}
	if b.Type == Composite {
		// Each part's declaration, and rules that add up what each part
		// earns as dxhub scores it.
		var rules strings.Builder
		for k := range b.Parts {
			p := &b.Parts[k]
			rid := esc(partResponseID(p, k))
			if writeResponseDecl(&rd, p, rid) == qti3MapResponse {
				fmt.Fprintf(&rules, `<qti-response-condition><qti-response-if><qti-not><qti-is-null><qti-variable identifier="%s"/></qti-is-null></qti-not>`+
					`<qti-set-outcome-value identifier="SCORE"><qti-sum><qti-variable identifier="SCORE"/><qti-map-response identifier="%s"/></qti-sum></qti-set-outcome-value></qti-response-if></qti-response-condition>`, rid, rid)
				continue
			}
			fmt.Fprintf(&rules, `<qti-response-condition><qti-response-if><qti-match><qti-variable identifier="%s"/><qti-correct identifier="%s"/></qti-match>`+
				`<qti-set-outcome-value identifier="SCORE"><qti-sum><qti-variable identifier="SCORE"/><qti-base-value base-type="float">%s</qti-base-value></qti-sum></qti-set-outcome-value></qti-response-if></qti-response-condition>`, rid, rid, num(p.MaxScore))
		}
		if b.Feedback != "" {
			rules.WriteString(`<qti-set-outcome-value identifier="FEEDBACK"><qti-base-value base-type="identifier">EXPLANATION</qti-base-value></qti-set-outcome-value>`)
		}
		rp = "<qti-response-processing>" + rules.String() + "</qti-response-processing>"
	} else {
		rp = qtiProcessing(b, writeResponseDecl(&rd, &b, "RESPONSE"))
	}
	fmt.Fprintf(&rd, `<qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float" normal-maximum="%s"/>`, num(b.MaxScore))
	if b.Feedback != "" {
		rd.WriteString(`<qti-outcome-declaration identifier="FEEDBACK" cardinality="single" base-type="identifier"/>`)
	}
	fb := ""
	if b.Feedback != "" {
		fb = fmt.Sprintf(`<qti-modal-feedback outcome-identifier="FEEDBACK" identifier="EXPLANATION" show-hide="show"><qti-content-body>%s</qti-content-body></qti-modal-feedback>`, stemXHTML(b.Feedback))
	}
	return qtiDocument(it, lang, rd.String(), itemBodyXHTML(it, lang), rp, fb)
}

// writeResponseDecl writes the declaration of the response rid to an
// item (or part) dxhub scores itself, and returns the processing template
// that scores it.
func writeResponseDecl(rd *strings.Builder, b *Body, rid string) string {
	card, base := "single", "identifier"
	switch b.Type {
	case Multiple:
		card = "multiple"
	case Ordering:
		card = "ordered"
	case Matching:
		card, base = "multiple", "directedPair"
	case ShortText:
		base = "string"
	case Numeric:
		base = "float"
	}
	fmt.Fprintf(rd, `<qti-response-declaration identifier="%s" cardinality="%s" base-type="%s"><qti-correct-response>`, rid, card, base)
	correct := b.Correct
	if card == "single" && len(correct) > 1 {
		// A single response has one correct value; the other accepted
		// answers are in the mapping.
		correct = correct[:1]
	}
	for _, c := range b.qtiResponse(correct) {
		fmt.Fprintf(rd, "<qti-value>%s</qti-value>", esc(c))
	}
	rd.WriteString("</qti-correct-response>")
	template := qti3MatchCorrect
	if b.Mode == MapResponse || b.Type == ShortText && len(b.Correct) > 1 {
		template = qti3MapResponse
		bounds := fmt.Sprintf(`default-value="0" lower-bound="0" upper-bound="%s"`, num(b.MaxScore))
		if b.MapBounds == "qti" {
			bounds = boundsAttrs(b.MapDefault, b.MapLower, b.MapUpper)
		}
		fmt.Fprintf(rd, `<qti-mapping %s>`, bounds)
		if b.Mode == MapResponse {
			for _, k := range sortedKeys(b.Map) {
				key := b.qtiResponse([]string{k})[0]
				cs := ""
				if b.Type == ShortText {
					cs = fmt.Sprintf(` case-sensitive="%t"`, !b.MapNoCase)
				}
				fmt.Fprintf(rd, `<qti-map-entry map-key="%s" mapped-value="%s"%s/>`, esc(key), num(b.Map[k]), cs)
			}
		} else {
			for _, c := range b.Correct {
				fmt.Fprintf(rd, `<qti-map-entry map-key="%s" mapped-value="%s" case-sensitive="false"/>`, esc(c), num(b.MaxScore))
			}
		}
		rd.WriteString("</qti-mapping>")
	}
	rd.WriteString("</qti-response-declaration>")
	return template
}

// qtiProcessing is the response processing of an item dxhub scores
// itself: the standard template, unless the item needs what a template
// cannot say (a score other than 1 for a correct response, or feedback,
// whose outcome the processing must set); then the template's own rules
// are written out with those values.
func qtiProcessing(b Body, template string) string {
	rp := fmt.Sprintf(`<qti-response-processing template="%s"/>`, template)
	if b.Feedback != "" || (template == qti3MatchCorrect && b.MaxScore != 1) {
		var rules string
		if template == qti3MatchCorrect {
			rules = fmt.Sprintf(`<qti-response-condition><qti-response-if><qti-match><qti-variable identifier="RESPONSE"/><qti-correct identifier="RESPONSE"/></qti-match>`+
				`<qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">%s</qti-base-value></qti-set-outcome-value></qti-response-if>`+
				`<qti-response-else><qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">0</qti-base-value></qti-set-outcome-value></qti-response-else></qti-response-condition>`, num(b.MaxScore))
		} else {
			rules = `<qti-response-condition><qti-response-if><qti-is-null><qti-variable identifier="RESPONSE"/></qti-is-null>` +
				`<qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">0</qti-base-value></qti-set-outcome-value></qti-response-if>` +
				`<qti-response-else><qti-set-outcome-value identifier="SCORE"><qti-map-response identifier="RESPONSE"/></qti-set-outcome-value></qti-response-else></qti-response-condition>`
		}
		if b.Feedback != "" {
			rules += `<qti-set-outcome-value identifier="FEEDBACK"><qti-base-value base-type="identifier">EXPLANATION</qti-base-value></qti-set-outcome-value>`
		}
		rp = "<qti-response-processing>" + rules + "</qti-response-processing>"
	}
	return rp
}

// qtiDocument wraps an item's declarations, body, processing and
// feedback in its document.
func qtiDocument(it *Item, lang, decls, body, rp, fb string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="%s" identifier="%s" title="%s" adaptive="false" time-dependent="false" xml:lang="%s">%s%s%s%s</qti-assessment-item>
`, qti3NS, esc("dxhub-"+it.ID), esc(title(it.Body.Stem)), lang, decls, body, rp, fb)
}

// itemBodyXHTML is the item body: the stem and the interaction for the
// item's type, with dxhub's own tags as data attributes.
func itemBodyXHTML(it *Item, lang string) string {
	b := it.Body
	var body strings.Builder
	attrs := fmt.Sprintf(` data-dxhub-standard="%s/%d" data-dxhub-competence="%s" data-dxhub-level="%d" data-dxhub-type="%s"`,
		esc(it.StandardCode), it.StandardVersion, esc(it.Competence), it.Level, b.Type)
	if b.StrictDiacritics {
		attrs += ` data-dxhub-strict-diacritics="true"`
	}
	if b.Tolerance != 0 {
		attrs += ` data-dxhub-tolerance="` + num(b.Tolerance) + `"`
	}
	fmt.Fprintf(&body, `<qti-item-body%s>`, attrs)
	for _, m := range b.Media {
		// HTML5 media, which QTI 3 takes, with its captions.
		// (QTI 3 gives media no title: its text alternative travels as
		// dxhub's data attribute.)
		fmt.Fprintf(&body, `<%s controls="true" data-dxhub-alt="%s"><source src="%s" type="%s"/>`, m.Kind, esc(m.Alt), esc(m.Src), esc(m.Type))
		for _, t := range m.Tracks {
			fmt.Fprintf(&body, `<track kind="%s" src="%s" srclang="%s" label="%s"/>`, esc(t.Kind), esc(t.Src), esc(t.Lang), esc(t.Label))
		}
		fmt.Fprintf(&body, `</%s>`, m.Kind)
	}
	if b.Type == Composite {
		// The text with its numbered gaps, then each part asked with its
		// label and prompt.
		body.WriteString(stemXHTML(b.Stem))
		for k := range b.Parts {
			p := &b.Parts[k]
			fmt.Fprintf(&body, `<div class="dxhub-part">%s</div>`, interactionXHTML(p, partResponseID(p, k), stemXHTML(p.Stem), lang))
		}
	} else {
		body.WriteString(interactionXHTML(&b, "RESPONSE", stemXHTML(b.Stem), lang))
	}
	body.WriteString("</qti-item-body>")
	return body.String()
}

// boundsAttrs are a mapping's default value and bounds as attributes.
func boundsAttrs(def float64, lower, upper *float64) string {
	out := fmt.Sprintf(`default-value="%s"`, num(def))
	if lower != nil {
		out += fmt.Sprintf(` lower-bound="%s"`, num(*lower))
	}
	if upper != nil {
		out += fmt.Sprintf(` upper-bound="%s"`, num(*upper))
	}
	return out
}

// coordsText writes coordinates as QTI does, "x,y,r".
func coordsText(c []float64) string {
	cs := make([]string, len(c))
	for i, v := range c {
		cs[i] = num(v)
	}
	return strings.Join(cs, ",")
}

// partResponseID is the response variable of a composite item's part k.
func partResponseID(p *Body, k int) string {
	if p.Response != "" {
		return p.Response
	}
	return fmt.Sprintf("RESPONSE_%d", k+1)
}

// interactionXHTML is the interaction for an item's type, answering the
// response rid, with its prompt: a gap match's or associate's pairs as
// QTI writes them (see QTIPairs), and a picture's areas as hotspots.
func interactionXHTML(b *Body, rid, prompt, lang string) string {
	var body strings.Builder
	choices := func(tag, attrs string, opts []Option) string {
		var s strings.Builder
		for _, o := range opts {
			fmt.Fprintf(&s, `<%s identifier="%s"%s>%s</%s>`, tag, esc(strings.TrimPrefix(o.ID, "R-")), attrs, inlineXHTML(o.Text), tag)
		}
		return s.String()
	}
	rid = esc(rid)
	pic, hotspots := "", func(string, string) string { return "" }
	if p := b.Picture; p != nil {
		pic = fmt.Sprintf(`<img src="%s" alt="%s" width="%d" height="%d"/>`, esc(p.Src), esc(p.Alt), p.Width, p.Height)
		hotspots = func(tag, attrs string) string {
			var s strings.Builder
			for _, a := range p.Areas {
				fmt.Fprintf(&s, `<%s identifier="%s" shape="%s" coords="%s"%s/>`, tag, esc(a.ID), esc(a.Shape), coordsText(a.Coords), attrs)
			}
			return s.String()
		}
	}
	switch b.Type {
	case Single, Multiple:
		maxChoices, minChoices := 1, 0
		if b.Type == Multiple {
			maxChoices, minChoices = b.MaxChoices, b.MinChoices
		}
		if pic != "" {
			fmt.Fprintf(&body, `<qti-hotspot-interaction response-identifier="%s" max-choices="%d" min-choices="%d"><qti-prompt>%s</qti-prompt>%s%s</qti-hotspot-interaction>`, rid, maxChoices, minChoices, prompt, pic, hotspots("qti-hotspot-choice", ""))
			break
		}
		fmt.Fprintf(&body, `<qti-choice-interaction response-identifier="%s" max-choices="%d" min-choices="%d"><qti-prompt>%s</qti-prompt>%s</qti-choice-interaction>`, rid, maxChoices, minChoices, prompt, choices("qti-simple-choice", "", b.Options))
	case TrueFalse:
		yes, no := "True", "False"
		if lang == "vi" {
			yes, no = "Đúng", "Sai"
		}
		for _, o := range b.Options { // labels the item came with
			if o.ID == "true" {
				yes = o.Text
			} else if o.ID == "false" {
				no = o.Text
			}
		}
		fmt.Fprintf(&body, `<qti-choice-interaction response-identifier="%s" max-choices="1"><qti-prompt>%s</qti-prompt><qti-simple-choice identifier="true">%s</qti-simple-choice><qti-simple-choice identifier="false">%s</qti-simple-choice></qti-choice-interaction>`, rid, prompt, esc(yes), esc(no))
	case Ordering:
		if pic != "" {
			fmt.Fprintf(&body, `<qti-graphic-order-interaction response-identifier="%s"><qti-prompt>%s</qti-prompt>%s%s</qti-graphic-order-interaction>`, rid, prompt, pic, hotspots("qti-hotspot-choice", ""))
			break
		}
		fmt.Fprintf(&body, `<qti-order-interaction response-identifier="%s" shuffle="true"><qti-prompt>%s</qti-prompt>%s</qti-order-interaction>`, rid, prompt, choices("qti-simple-choice", "", b.Options))
	case Matching:
		left, right := b.Options, b.Targets
		switch {
		case b.QTIPairs == pairsAssociated && pic != "":
			fmt.Fprintf(&body, `<qti-graphic-associate-interaction response-identifier="%s" max-associations="%d"><qti-prompt>%s</qti-prompt>%s%s</qti-graphic-associate-interaction>`,
				rid, len(left), prompt, pic, hotspots("qti-associable-hotspot", ` match-max="0"`))
			return body.String()
		case b.QTIPairs == pairsAssociated:
			// Unordered pairs of one set of choices.
			all := append(append([]Option(nil), left...), right...)
			seen := map[string]bool{}
			all = slices.DeleteFunc(all, func(o Option) bool {
				id := strings.TrimPrefix(o.ID, "R-")
				dup := seen[id]
				seen[id] = true
				return dup
			})
			fmt.Fprintf(&body, `<qti-associate-interaction response-identifier="%s" max-associations="%d"><qti-prompt>%s</qti-prompt>%s</qti-associate-interaction>`,
				rid, len(left), prompt, choices("qti-simple-associable-choice", ` match-max="0"`, all))
			return body.String()
		case b.QTIPairs == pairsTurned && pic != "":
			// The texts to place (an image's is its letter and alt text).
			fmt.Fprintf(&body, `<qti-graphic-gap-match-interaction response-identifier="%s"><qti-prompt>%s</qti-prompt>%s%s%s</qti-graphic-gap-match-interaction>`,
				rid, prompt, pic, choices("qti-gap-text", ` match-max="0"`, right), hotspots("qti-associable-hotspot", ` match-max="1"`))
			return body.String()
		case b.QTIPairs == pairsTurned:
			// QTI's pairs: text, then gap; the gaps numbered as the
			// stem shows them.
			var gaps strings.Builder
			for _, g := range left {
				fmt.Fprintf(&gaps, ` %s <qti-gap identifier="%s"/>`, inlineXHTML(g.Text), esc(g.ID))
			}
			fmt.Fprintf(&body, `<qti-gap-match-interaction response-identifier="%s"><qti-prompt>%s</qti-prompt>%s<p>%s</p></qti-gap-match-interaction>`,
				rid, prompt, choices("qti-gap-text", ` match-max="0"`, right), gaps.String())
			return body.String()
		}
		fmt.Fprintf(&body, `<qti-match-interaction response-identifier="%s" max-associations="%d"><qti-prompt>%s</qti-prompt><qti-simple-match-set>%s</qti-simple-match-set><qti-simple-match-set>%s</qti-simple-match-set></qti-match-interaction>`,
			rid, len(b.Options), prompt, choices("qti-simple-associable-choice", ` match-max="1"`, left), choices("qti-simple-associable-choice", ` match-max="0"`, right))
	case ShortText, Numeric:
		fmt.Fprintf(&body, `%s<p><qti-text-entry-interaction response-identifier="%s"/></p>`, prompt, rid)
	case Point:
		fmt.Fprintf(&body, `<qti-select-point-interaction response-identifier="%s" max-choices="%d" min-choices="%d"><qti-prompt>%s</qti-prompt>%s</qti-select-point-interaction>`, rid, b.MaxChoices, b.MinChoices, prompt, pic)
	case Upload:
		if b.Rubric != "" {
			fmt.Fprintf(&body, `<qti-rubric-block view="scorer" use="scoring"><qti-content-body>%s</qti-content-body></qti-rubric-block>`, stemXHTML(b.Rubric))
		}
		fmt.Fprintf(&body, `<qti-upload-interaction response-identifier="%s"><qti-prompt>%s</qti-prompt></qti-upload-interaction>`, rid, prompt)
	case Essay:
		if b.Rubric != "" {
			fmt.Fprintf(&body, `<qti-rubric-block view="scorer" use="scoring"><qti-content-body>%s</qti-content-body></qti-rubric-block>`, stemXHTML(b.Rubric))
		}
		length := ""
		if b.ExpectedLength > 0 {
			length = fmt.Sprintf(` expected-length="%d"`, b.ExpectedLength)
		}
		fmt.Fprintf(&body, `<qti-extended-text-interaction response-identifier="%s"%s><qti-prompt>%s</qti-prompt></qti-extended-text-interaction>`, rid, length, prompt)
	}
	return body.String()
}

// qtiRulesItem writes an item scored by its own rules: the response as
// the rules know it, their outcomes, mapping and processing as written.
func qtiRulesItem(it *Item, lang string) string {
	b, r := it.Body, it.Body.Rules
	var rd strings.Builder
	for _, d := range r.decls() {
		id := d.ID
		if len(r.Others) == 0 {
			id = "RESPONSE" // as writeQTI3 names it
		}
		fmt.Fprintf(&rd, `<qti-response-declaration identifier="%s" cardinality="%s"%s>`, esc(id), esc(d.Cardinality), baseTypeAttr(d.BaseType))
		if len(d.Correct) > 0 {
			rd.WriteString("<qti-correct-response>")
			for _, c := range d.Correct {
				fmt.Fprintf(&rd, "<qti-value>%s</qti-value>", esc(c))
			}
			rd.WriteString("</qti-correct-response>")
		}
		if m := d.Mapping; m != nil {
			fmt.Fprintf(&rd, `<qti-mapping %s>`, boundsAttrs(m.Default, m.Lower, m.Upper))
			for _, k := range sortedKeys(m.Entries) {
				fmt.Fprintf(&rd, `<qti-map-entry map-key="%s" mapped-value="%s" case-sensitive="%t"/>`, esc(k), num(m.Entries[k]), !m.NoCase)
			}
			rd.WriteString("</qti-mapping>")
		}
		if m := d.AreaMap; m != nil {
			fmt.Fprintf(&rd, `<qti-area-mapping %s>`, boundsAttrs(m.Default, m.Lower, m.Upper))
			for _, e := range m.Entries {
				fmt.Fprintf(&rd, `<qti-area-map-entry shape="%s" coords="%s" mapped-value="%s"/>`, esc(e.Shape), coordsText(e.Coords), num(e.Value))
			}
			rd.WriteString("</qti-area-mapping>")
		}
		rd.WriteString("</qti-response-declaration>")
	}
	// dxhub's explanation needs an outcome of its own when the rules
	// already use FEEDBACK for theirs.
	fbOutcome, hasScore := "FEEDBACK", false
	for _, o := range r.Outcomes {
		if o.ID == "FEEDBACK" {
			fbOutcome = "DXHUB_FEEDBACK"
		}
	}
	for _, o := range r.Outcomes {
		extra := ""
		if o.ID == "SCORE" {
			hasScore, extra = true, fmt.Sprintf(` normal-maximum="%s"`, num(b.MaxScore))
		}
		writeDeclaration(&rd, "qti-outcome-declaration", o, extra)
	}
	if !hasScore {
		fmt.Fprintf(&rd, `<qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float" normal-maximum="%s"/>`, num(b.MaxScore))
	}
	var rp strings.Builder
	rp.WriteString("<qti-response-processing>")
	fb := ""
	if b.Feedback != "" {
		fmt.Fprintf(&rd, `<qti-outcome-declaration identifier="%s" cardinality="single" base-type="identifier"/>`, fbOutcome)
		// Set first: the rules may end the processing early.
		fmt.Fprintf(&rp, `<qti-set-outcome-value identifier="%s"><qti-base-value base-type="identifier">EXPLANATION</qti-base-value></qti-set-outcome-value>`, fbOutcome)
		fb = fmt.Sprintf(`<qti-modal-feedback outcome-identifier="%s" identifier="EXPLANATION" show-hide="show"><qti-content-body>%s</qti-content-body></qti-modal-feedback>`, fbOutcome, stemXHTML(b.Feedback))
	}
	r.writeQTI3(&rp)
	rp.WriteString("</qti-response-processing>")
	body := itemBodyXHTML(it, lang)
	if t := b.Template; t != nil {
		// The template as written: declarations, then its processing
		// (before the body, in QTI's order), and the text's variables and
		// shown parts back as QTI's elements.
		for _, v := range t.Vars {
			writeDeclaration(&rd, "qti-template-declaration", v, "")
		}
		if len(t.Program) > 0 {
			rd.WriteString("<qti-template-processing>")
			(&Rules{Response: r.Response, Others: r.Others, Program: t.Program}).writeQTI3(&rd)
			rd.WriteString("</qti-template-processing>")
		}
		body, fb = templateXHTML(body, t), templateXHTML(fb, t)
	}
	return qtiDocument(it, lang, rd.String(), body, rp.String(), fb)
}

// baseTypeAttr is a declaration's base-type attribute: none for a record,
// which has none.
func baseTypeAttr(t string) string {
	if t == "" {
		return ""
	}
	return ` base-type="` + esc(t) + `"`
}

// writeDeclaration writes an outcome or template declaration with its
// default value.
func writeDeclaration(w *strings.Builder, tag string, o Outcome, extra string) {
	fmt.Fprintf(w, `<%s identifier="%s" cardinality="%s"%s%s>`, tag, esc(o.ID), esc(o.Cardinality), baseTypeAttr(o.BaseType), extra)
	if len(o.Default) > 0 {
		w.WriteString("<qti-default-value>")
		for _, v := range o.Default {
			fmt.Fprintf(w, "<qti-value>%s</qti-value>", esc(v))
		}
		w.WriteString("</qti-default-value>")
	}
	w.WriteString("</" + tag + ">")
}

var (
	paragraph  = regexp.MustCompile(`(?s)<p>.*?</p>`)
	blockOpen  = regexp.MustCompile(`^⟦([?!])([A-Za-z_][\w.-]*)=([^⟧]*)⟧`)
	blockClose = regexp.MustCompile(`⟦/[?!]⟧$`)
	anyMarker  = regexp.MustCompile(`⟦[?!][A-Za-z_][\w.-]*=[^⟧]*⟧|⟦/[?!]⟧`)
	partOpen   = regexp.MustCompile(`⟦([?!])([A-Za-z_][\w.-]*)=([^⟧]*)⟧`)
	partClose  = regexp.MustCompile(`⟦/[?!]⟧`)
	choiceTag  = regexp.MustCompile(`<qti-(simple-choice|inline-choice|simple-associable-choice|gap-text) identifier="([^"]*)"`)
)

// templateXHTML writes a template item's text marks as QTI's elements:
// printed variables, parts shown by a variable (a block where the part
// spans paragraphs, inline within one) and options shown by one.
func templateXHTML(x string, t *Template) string {
	showHide := func(hide bool) string {
		if hide {
			return "hide"
		}
		return "show"
	}
	// A block: a paragraph that one shown part wraps whole (several parts
	// side by side in a paragraph are inline).
	x = paragraph.ReplaceAllStringFunc(x, func(m string) string {
		inner := strings.TrimSpace(m[len("<p>") : len(m)-len("</p>")])
		g := blockOpen.FindStringSubmatch(inner)
		if g == nil || !blockClose.MatchString(inner) {
			return m
		}
		depth := 0
		for _, loc := range anyMarker.FindAllStringIndex(inner, -1) {
			if strings.HasPrefix(inner[loc[0]:], "⟦/") {
				depth--
			} else {
				depth++
			}
			if depth == 0 && loc[1] != len(inner) {
				return m
			}
		}
		body := blockClose.ReplaceAllString(inner[len(g[0]):], "")
		return fmt.Sprintf(`<qti-template-block template-identifier="%s" identifier="%s" show-hide="%s"><p>%s</p></qti-template-block>`, g[2], g[3], showHide(g[1] == "!"), body)
	})
	x = partOpen.ReplaceAllStringFunc(x, func(m string) string {
		g := partOpen.FindStringSubmatch(m)
		return fmt.Sprintf(`<qti-template-inline template-identifier="%s" identifier="%s" show-hide="%s">`, g[2], g[3], showHide(g[1] == "!"))
	})
	x = partClose.ReplaceAllString(x, "</qti-template-inline>")
	x = printedVar.ReplaceAllStringFunc(x, func(m string) string {
		g := printedVar.FindStringSubmatch(m)
		if g[2] != "" {
			return fmt.Sprintf(`<qti-printed-variable identifier="%s" format="%s"/>`, g[1], esc(g[2]))
		}
		return fmt.Sprintf(`<qti-printed-variable identifier="%s"/>`, g[1])
	})
	return choiceTag.ReplaceAllStringFunc(x, func(m string) string {
		g := choiceTag.FindStringSubmatch(m)
		c, ok := t.Options[g[2]]
		if !ok {
			return m
		}
		return fmt.Sprintf(`%s template-identifier="%s" show-hide="%s"`, m, esc(c.Var), showHide(c.Hide))
	})
}

func sortedKeys(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

var storedFile = regexp.MustCompile(`/files/([0-9A-Za-z_-]+)`)

// packImages puts the stored images an item's document points at into
// the package (media/, once each) and points the document at them, so
// that the package carries its images as QTI asks; it returns the
// document and the package paths it uses.
func (b *Bank) packImages(ctx context.Context, zw *zip.Writer, doc string, packed map[string]string) (string, []string, error) {
	var media []string
	for _, m := range storedFile.FindAllStringSubmatch(doc, -1) {
		key := m[1]
		if p, ok := packed[key]; ok {
			if !slices.Contains(media, p) {
				media = append(media, p)
			}
			continue
		}
		var name string
		if err := b.DB.R.QueryRowContext(ctx, `SELECT name FROM files WHERE id = $1`, key).Scan(&name); err != nil || b.Files == nil {
			continue // not a stored file: left as written
		}
		rc, err := b.Files.Open(ctx, key)
		if err != nil {
			return "", nil, fmt.Errorf("export image %s: %w", key, err)
		}
		p := "media/" + key + strings.ToLower(path.Ext(name))
		f, err := zw.Create(p)
		if err == nil {
			_, err = io.Copy(f, rc)
		}
		rc.Close()
		if err != nil {
			return "", nil, err
		}
		packed[key] = p
		media = append(media, p)
	}
	doc = storedFile.ReplaceAllStringFunc(doc, func(s string) string {
		if p, ok := packed[strings.TrimPrefix(s, "/files/")]; ok {
			return "../" + p
		}
		return s
	})
	return doc, media, nil
}

// ExportQTI writes the given items (checked one by one) as a QTI 3.0
// content package.
func (b *Bank) ExportQTI(ctx context.Context, w io.Writer, ids []string) error {
	zw := zip.NewWriter(w)
	var res strings.Builder
	packed := map[string]string{} // stored file key → its path in the package
	for _, id := range ids {
		it, err := b.Get(ctx, id)
		if err != nil {
			return err
		}
		name := "items/" + it.ID + ".xml"
		doc, media, err := b.packImages(ctx, zw, QTIItem(it), packed)
		if err != nil {
			return err
		}
		f, err := zw.Create(name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, doc); err != nil {
			return err
		}
		fmt.Fprintf(&res, `<resource identifier="res-%s" type="imsqti_item_xmlv3p0" href="%s"><file href="%s"/>`, it.ID, name, name)
		for _, m := range media {
			fmt.Fprintf(&res, `<file href="%s"/>`, esc(m))
		}
		res.WriteString(`</resource>`)
	}
	f, err := zw.Create("imsmanifest.xml")
	if err != nil {
		return err
	}
	fmt.Fprintf(f, `<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1" identifier="dxhub-export"><metadata><schema>QTI Package</schema><schemaversion>3.0.0</schemaversion></metadata><organizations/><resources>%s</resources></manifest>
`, res.String())
	return zw.Close()
}
