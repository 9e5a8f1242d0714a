package assessment

import (
	"archive/zip"
	"context"
	"encoding/xml"
	"fmt"
	"io"
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

// stemXHTML turns dxhub's markup back into the XHTML QTI carries.
func stemXHTML(stem string) string {
	var out strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(stem, "\r\n", "\n"), "\n\n") {
		if para = strings.TrimSpace(para); para == "" {
			continue
		}
		s := esc(para)
		s = richtext.Bold.ReplaceAllString(s, "<strong>$1</strong>")
		s = richtext.Italic.ReplaceAllString(s, "<em>$1</em>")
		s = richtext.Code.ReplaceAllString(s, "<code>$1</code>")
		s = strings.ReplaceAll(s, "\n", "<br/>")
		out.WriteString("<p>" + s + "</p>")
	}
	return out.String()
}

// QTIItem writes one item as a QTI 3.0 item document.
func QTIItem(it *Item) string {
	b := it.Body
	var rd, body strings.Builder
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
	fmt.Fprintf(&rd, `<qti-response-declaration identifier="RESPONSE" cardinality="%s" base-type="%s"><qti-correct-response>`, card, base)
	for _, c := range b.Correct {
		if b.Type == Matching {
			c = strings.Replace(c, ":", " ", 1)
		}
		fmt.Fprintf(&rd, "<qti-value>%s</qti-value>", esc(c))
	}
	rd.WriteString("</qti-correct-response>")
	template := qti3MatchCorrect
	if b.Mode == MapResponse || b.Type == ShortText && len(b.Correct) > 1 {
		template = qti3MapResponse
		fmt.Fprintf(&rd, `<qti-mapping default-value="0" lower-bound="0" upper-bound="%s">`, num(b.MaxScore))
		if b.Mode == MapResponse {
			for _, k := range sortedKeys(b.Map) {
				key := k
				if b.Type == Matching {
					key = strings.Replace(k, ":", " ", 1)
				}
				fmt.Fprintf(&rd, `<qti-map-entry map-key="%s" mapped-value="%s"/>`, esc(key), num(b.Map[k]))
			}
		} else {
			for _, c := range b.Correct {
				fmt.Fprintf(&rd, `<qti-map-entry map-key="%s" mapped-value="%s" case-sensitive="false"/>`, esc(c), num(b.MaxScore))
			}
		}
		rd.WriteString("</qti-mapping>")
	}
	rd.WriteString("</qti-response-declaration>")
	fmt.Fprintf(&rd, `<qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float" normal-maximum="%s"/>`, num(b.MaxScore))
	if b.Feedback != "" {
		rd.WriteString(`<qti-outcome-declaration identifier="FEEDBACK" cardinality="single" base-type="identifier"/>`)
	}
	attrs := fmt.Sprintf(` data-dxhub-standard="%s/%d" data-dxhub-competence="%s" data-dxhub-level="%d" data-dxhub-type="%s"`,
		esc(it.StandardCode), it.StandardVersion, esc(it.Competence), it.Level, b.Type)
	if b.StrictDiacritics {
		attrs += ` data-dxhub-strict-diacritics="true"`
	}
	if b.Tolerance != 0 {
		attrs += ` data-dxhub-tolerance="` + num(b.Tolerance) + `"`
	}
	fmt.Fprintf(&body, `<qti-item-body%s>`, attrs)
	prompt := stemXHTML(b.Stem)
	choices := func(tag, attrs string, opts []Option) string {
		var s strings.Builder
		for _, o := range opts {
			fmt.Fprintf(&s, `<%s identifier="%s"%s>%s</%s>`, tag, esc(o.ID), attrs, esc(o.Text), tag)
		}
		return s.String()
	}
	switch b.Type {
	case Single, Multiple:
		maxChoices := 1
		if b.Type == Multiple {
			maxChoices = 0
		}
		fmt.Fprintf(&body, `<qti-choice-interaction response-identifier="RESPONSE" max-choices="%d"><qti-prompt>%s</qti-prompt>%s</qti-choice-interaction>`, maxChoices, prompt, choices("qti-simple-choice", "", b.Options))
	case TrueFalse:
		fmt.Fprintf(&body, `<qti-choice-interaction response-identifier="RESPONSE" max-choices="1"><qti-prompt>%s</qti-prompt><qti-simple-choice identifier="true">Đúng</qti-simple-choice><qti-simple-choice identifier="false">Sai</qti-simple-choice></qti-choice-interaction>`, prompt)
	case Ordering:
		fmt.Fprintf(&body, `<qti-order-interaction response-identifier="RESPONSE" shuffle="true"><qti-prompt>%s</qti-prompt>%s</qti-order-interaction>`, prompt, choices("qti-simple-choice", "", b.Options))
	case Matching:
		fmt.Fprintf(&body, `<qti-match-interaction response-identifier="RESPONSE" max-associations="%d"><qti-prompt>%s</qti-prompt><qti-simple-match-set>%s</qti-simple-match-set><qti-simple-match-set>%s</qti-simple-match-set></qti-match-interaction>`,
			len(b.Options), prompt, choices("qti-simple-associable-choice", ` match-max="1"`, b.Options), choices("qti-simple-associable-choice", ` match-max="0"`, b.Targets))
	case ShortText, Numeric:
		fmt.Fprintf(&body, `%s<p><qti-text-entry-interaction response-identifier="RESPONSE"/></p>`, prompt)
	}
	body.WriteString("</qti-item-body>")
	rp := fmt.Sprintf(`<qti-response-processing template="%s"/>`, template)
	fb := ""
	if b.Feedback != "" {
		fb = fmt.Sprintf(`<qti-modal-feedback outcome-identifier="FEEDBACK" identifier="EXPLANATION" show-hide="show">%s</qti-modal-feedback>`, esc(b.Feedback))
	}
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="%s" identifier="%s" title="%s" adaptive="false" time-dependent="false" xml:lang="vi">%s%s%s%s</qti-assessment-item>
`, qti3NS, esc("dxhub-"+it.ID), esc(firstLine(b.Stem)), rd.String(), body.String(), rp, fb)
}

func firstLine(s string) string {
	s = strings.TrimSpace(strings.SplitN(s, "\n", 2)[0])
	if r := []rune(s); len(r) > 80 {
		return string(r[:80])
	}
	return s
}

func sortedKeys(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

// ExportQTI writes the given items (checked one by one) as a QTI 3.0
// content package.
func (b *Bank) ExportQTI(ctx context.Context, w io.Writer, ids []string) error {
	zw := zip.NewWriter(w)
	var res strings.Builder
	for _, id := range ids {
		it, err := b.Get(ctx, id)
		if err != nil {
			return err
		}
		name := "items/" + it.ID + ".xml"
		f, err := zw.Create(name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, QTIItem(it)); err != nil {
			return err
		}
		fmt.Fprintf(&res, `<resource identifier="res-%s" type="imsqti_item_xmlv3p0" href="%s"><file href="%s"/></resource>`, it.ID, name, name)
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
