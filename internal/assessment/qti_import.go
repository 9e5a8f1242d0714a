package assessment

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"dxhub/internal/platform/files"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // image sizes read by DecodeConfig
	_ "image/jpeg"
	_ "image/png"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
)

// QTI import: QTI 3.0 and 2.1 items, as single files or in content
// packages. Element and attribute names are compared after normalising the
// two spellings (qti-choice-interaction, choiceInteraction → choiceinteraction).

type xnode struct {
	name     string
	attrs    map[string]string
	children []*xnode
	text     string // character data directly inside
	raw      []xml.Token
}

func norm(s string) string {
	s = strings.ToLower(strings.TrimPrefix(s, "qti-"))
	return strings.ReplaceAll(s, "-", "")
}

const maxQTIDepth = 64

func parseXML(data []byte) (*xnode, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.CharsetReader = charsetReader
	var stack []*xnode
	var root *xnode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xnode{name: norm(t.Name.Local), attrs: map[string]string{}}
			for _, a := range t.Attr {
				key := norm(a.Name.Local)
				if a.Name.Space == "xml" || a.Name.Space == "http://www.w3.org/XML/1998/namespace" {
					key = "xml:" + key
				}
				n.attrs[key] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
				p.raw = append(p.raw, xml.StartElement{Name: xml.Name{Local: n.name}})
			} else if root == nil {
				root = n
			}
			if len(stack) >= maxQTIDepth {
				return nil, fmt.Errorf("too deeply nested")
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, fmt.Errorf("unbalanced")
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.text += string(t)
				p.raw = append(p.raw, xml.CharData(append([]byte(nil), t...)))
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("empty document")
	}
	return root, nil
}

func (n *xnode) child(name string) *xnode {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (n *xnode) all(name string) []*xnode {
	var out []*xnode
	for _, c := range n.children {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// walk visits n and its descendants.
func (n *xnode) walk(f func(*xnode)) {
	f(n)
	for _, c := range n.children {
		c.walk(f)
	}
}

// QTIError names the file, the item and the element an import refused.
type QTIError struct {
	File, Item, Element string
	Key                 string
	Args                []any
}

func (e *QTIError) Error() string {
	return fmt.Sprintf("%s: item %s: <%s>: %s", e.File, e.Item, e.Element, i18n.T(i18n.EN, e.Key, e.Args...))
}

// ErrorCode makes a refused import an "invalid" error.
func (e *QTIError) ErrorCode() string { return errs.Invalid }

// Message0 is the reason alone, in English, without file, item and
// element: what refusals of many files are grouped by.
func (e *QTIError) Message0() string { return i18n.T(i18n.EN, e.Key, e.Args...) }

// Message renders the error in lang.
func (e *QTIError) Message(lang i18n.Lang) string {
	return i18n.T(lang, "qti.error", e.File, e.Item, e.Element, i18n.T(lang, e.Key, e.Args...))
}

// QTIImportError lists every problem of a refused import.
type QTIImportError struct{ Errors []*QTIError }

func (e *QTIImportError) Error() string {
	var s []string
	for _, x := range e.Errors {
		s = append(s, x.Error())
	}
	return "QTI import refused: " + strings.Join(s, "; ")
}

// ErrorCode makes a refused import an "invalid" error.
func (e *QTIImportError) ErrorCode() string { return errs.Invalid }

// Messages renders every error in lang.
func (e *QTIImportError) Messages(lang i18n.Lang) []string {
	out := make([]string, len(e.Errors))
	for i, x := range e.Errors {
		out[i] = x.Message(lang)
	}
	return out
}

// QTIDefaults are the tags given to imported items that carry none.
type QTIDefaults struct {
	StandardCode    string
	StandardVersion int
	Competence      string
	Level           int
	UnitCode        string
}

// supported interactions and the elements allowed around them.
var qtiAllowed = map[string]bool{
	"assessmentitem": true, "responsedeclaration": true, "outcomedeclaration": true, "correctresponse": true, "value": true,
	"mapping": true, "mapentry": true, "itembody": true, "choiceinteraction": true, "simplechoice": true, "orderinteraction": true,
	"matchinteraction": true, "simplematchset": true, "simpleassociablechoice": true, "associateinteraction": true,
	"textentryinteraction": true, "prompt": true, "p": true, "div": true, "span": true, "br": true, "strong": true, "b": true, "em": true, "i": true,
	"code": true, "responseprocessing": true, "modalfeedback": true, "defaultvalue": true, "stylesheet": true,
	"blockquote": true, "img": true, "feedbackinline": true, "feedbackblock": true, "contentbody": true, "rubricblock": true, "bdo": true, "a": true,
	"inlinechoiceinteraction": true, "inlinechoice": true, "hottextinteraction": true, "hottext": true,
	"gapmatchinteraction": true, "gaptext": true, "gap": true, "sliderinteraction": true, "math": true,
	"table": true, "thead": true, "tbody": true, "tfoot": true, "tr": true, "td": true, "th": true, "caption": true, "colgroup": true, "col": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "ul": true, "ol": true, "li": true, "sub": true, "sup": true, "u": true, "small": true,
	"h5": true, "h6": true, "dl": true, "dt": true, "dd": true, "figure": true, "figcaption": true, "hr": true, "ruby": true, "rt": true, "rp": true,
	"section": true, "article": true, "aside": true, "header": true, "footer": true, "address": true, "pre": true,
	"abbr": true, "acronym": true, "cite": true, "q": true, "dfn": true, "kbd": true, "samp": true, "var": true, "big": true, "tt": true,
	"label": true, "bdi": true, "mark": true, "s": true, "del": true, "ins": true, "time": true,
	"printedvariable": true, "templateblock": true, "templateinline": true,
	"hotspotinteraction": true, "hotspotchoice": true, "graphicorderinteraction": true, "graphicassociateinteraction": true,
	"associablehotspot": true, "graphicgapmatchinteraction": true, "gapimg": true, "extendedtextinteraction": true,
	"selectpointinteraction": true, "positionobjectinteraction": true, "positionobjectstage": true, "areamapping": true, "areamapentry": true,
	"assessmentstimulusref": true, "uploadinteraction": true, "video": true, "audio": true, "source": true, "mediainteraction": true, "track": true,
}

// qtiIgnored are elements kept out of the item without loss to a
// candidate: accessibility and catalogue metadata (APIP), which dxhub's
// pages provide in their own way.
var qtiIgnored = map[string]bool{"apipaccessibility": true, "cataloginfo": true, "companionmaterialsinfo": true}

// rpAllowed are the elements of response processing written out as rules
// that dxhub recognises as one of the two standard templates.
var rpAllowed = map[string]bool{
	"responsecondition": true, "responseif": true, "responseelse": true, "isnull": true, "variable": true, "correct": true,
	"match": true, "setoutcomevalue": true, "basevalue": true, "mapresponse": true,
}

// pendingImage is an image a package carries, stored once the whole
// import is known to succeed; ref stands for its key in the item's text.
type pendingImage struct {
	ref, name string
	path      string // in the package
	data      []byte
}

// parseQTIItem turns one item document into an item input.
func parseQTIItem(file string, data []byte, def QTIDefaults) (ItemInput, *QTIError) {
	return parseQTIItemIn(file, data, def, nil, new(int))
}

// parseQTIItemIn is parseQTIItem for an item of a package: read returns
// a file of the package by its path (nil for a lone item file), and
// images count the package's images so far.
func parseQTIItemIn(file string, data []byte, def QTIDefaults, read func(string) ([]byte, error), images *int) (ItemInput, *QTIError) {
	root, err := parseXML(data)
	if err != nil {
		return ItemInput{}, &QTIError{File: file, Item: "?", Element: "xml", Key: "qti.bad_xml", Args: []any{err.Error()}}
	}
	return parseQTIRoot(file, root, def, read, images, nil)
}

// interactionNames are the interactions dxhub asks.
var interactionNames = map[string]bool{
	"choiceinteraction": true, "orderinteraction": true, "matchinteraction": true, "associateinteraction": true, "textentryinteraction": true,
	"inlinechoiceinteraction": true, "hottextinteraction": true, "gapmatchinteraction": true, "sliderinteraction": true,
	"hotspotinteraction": true, "graphicorderinteraction": true, "graphicassociateinteraction": true, "graphicgapmatchinteraction": true,
	"extendedtextinteraction": true, "selectpointinteraction": true, "positionobjectinteraction": true, "uploadinteraction": true,
}

// partOf is the composite item a part is read for: the numbers its stem
// gave the gaps and parts, and its template (nil when none), whose
// variables the part's text prints and shows.
type partOf struct {
	labels map[string]string
	tmpl   *Template
}

// parseQTIRoot reads a parsed item. part, when not nil, is the composite
// item the item is one part of, made up for one interaction, and left for
// the composite item to check and score.
func parseQTIRoot(file string, root *xnode, def QTIDefaults, read func(string) ([]byte, error), images *int, part *partOf) (ItemInput, *QTIError) {
	fail := func(item, el, key string, args ...any) *QTIError {
		return &QTIError{File: file, Item: item, Element: el, Key: key, Args: args}
	}
	id := root.attrs["identifier"]
	if root.name != "assessmentitem" {
		return ItemInput{}, fail(id, root.name, "qti.not_item")
	}
	var bad *QTIError
	var check func(n *xnode)
	check = func(n *xnode) {
		if bad != nil {
			return
		}
		if n.name == "responseprocessing" || n.name == "templateprocessing" || n.name == "templatedeclaration" || qtiIgnored[n.name] || n.name == "math" {
			return // checked on its own below, left out, or written as text
		}
		if n.name == "object" && (isImageObject(n) || isMediaObject(n)) {
			return // an image, a video or a sound; its fallback content is not shown
		}
		if !qtiAllowed[n.name] {
			bad = fail(id, n.name, "qti.unsupported")
			return
		}
		for _, c := range n.children {
			check(c)
		}
	}
	check(root)
	if bad != nil {
		return ItemInput{}, bad
	}
	in := ItemInput{StandardCode: def.StandardCode, StandardVersion: def.StandardVersion, Competence: def.Competence, Level: def.Level, UnitCode: def.UnitCode, qtiID: id}
	tmpl, qe := readTemplate(root, id, file)
	if qe != nil {
		return in, qe
	}
	tx := &qtiText{file: file, item: id, read: read, images: images, labels: map[string]string{}, tmpl: tmpl}
	if part != nil {
		tx.labels, tx.tmpl, tmpl = part.labels, part.tmpl, part.tmpl
	}
	markup := tx.markup
	body := root.child("itembody")
	if body == nil {
		return in, fail(id, "itemBody", "qti.missing")
	}
	if s := body.attrs["datadxhubstandard"]; s != "" {
		c, v, _ := strings.Cut(s, "/")
		in.StandardCode = c
		in.StandardVersion, _ = strconv.Atoi(v)
	}
	if c := body.attrs["datadxhubcompetence"]; c != "" {
		in.Competence = c
	}
	if l, err := strconv.Atoi(body.attrs["datadxhublevel"]); err == nil {
		in.Level = l
	}
	// A media interaction's play count is no question: its declaration
	// is left out.
	played := map[string]bool{}
	body.walk(func(n *xnode) {
		if n.name == "mediainteraction" {
			played[n.attrs["responseidentifier"]] = true
		}
	})
	rds := slices.DeleteFunc(root.all("responsedeclaration"), func(rd *xnode) bool { return played[rd.attrs["identifier"]] })
	var asked []*xnode
	body.walk(func(n *xnode) {
		if interactionNames[n.name] {
			asked = append(asked, n)
		}
	})
	if part == nil && (len(rds) > 1 || len(asked) > 1) {
		return parseComposite(file, root, body, rds, asked, in, tx, def)
	}
	var rd *xnode
	if len(rds) > 0 {
		rd = rds[0]
	}
	if len(asked) == 1 && (asked[0].name == "extendedtextinteraction" || asked[0].name == "uploadinteraction") {
		return parseEssay(file, root, body, asked[0], in, tx, part != nil)
	}
	if rd == nil {
		asks := false
		body.walk(func(n *xnode) {
			asks = asks || strings.HasSuffix(n.name, "interaction") && n.name != "mediainteraction"
		})
		if !asks {
			return in, fail(id, "itemBody", "qti.text_only")
		}
		return in, fail(id, "responseDeclaration", "qti.missing")
	}
	lang, _, _ := strings.Cut(strings.ToLower(root.attrs["xml:lang"]), "-")
	var correct []string
	if cr := rd.child("correctresponse"); cr != nil {
		for _, v := range cr.all("value") {
			correct = append(correct, strings.TrimSpace(v.text))
		}
	}
	b := Body{Correct: correct, MaxScore: 1, Mode: AllOrNothing}
	for _, od := range root.all("outcomedeclaration") {
		if od.attrs["identifier"] == "SCORE" {
			if m, err := strconv.ParseFloat(od.attrs["normalmaximum"], 64); err == nil && m > 0 {
				b.MaxScore = m
			}
		}
	}
	declaredMax := false
	for _, od := range root.all("outcomedeclaration") {
		if od.attrs["identifier"] == "SCORE" && od.attrs["normalmaximum"] != "" {
			declaredMax = true
		}
	}
	var mapping map[string]float64
	var mapKeys []string // in the document's order
	var mapLower, mapUpper *float64
	var mapDefault float64
	noCase, someCase := false, false
	if m := rd.child("mapping"); m != nil {
		mapping = map[string]float64{}
		for _, e := range m.all("mapentry") {
			v, err := strconv.ParseFloat(e.attrs["mappedvalue"], 64)
			if err != nil {
				return in, fail(id, "mapEntry", "qti.bad_value", e.attrs["mappedvalue"])
			}
			if _, seen := mapping[e.attrs["mapkey"]]; !seen {
				mapKeys = append(mapKeys, e.attrs["mapkey"])
			}
			mapping[e.attrs["mapkey"]] = v
			if e.attrs["casesensitive"] == "false" {
				noCase = true
			} else {
				someCase = true
			}
		}
		num := func(attr string) (*float64, *QTIError) {
			s, ok := m.attrs[attr]
			if !ok || strings.TrimSpace(s) == "" {
				return nil, nil
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return nil, fail(id, "mapping", "qti.bad_value", s)
			}
			return &v, nil
		}
		var qe *QTIError
		if mapLower, qe = num("lowerbound"); qe != nil {
			return in, qe
		}
		if mapUpper, qe = num("upperbound"); qe != nil {
			return in, qe
		}
		d, qe := num("defaultvalue")
		if qe != nil {
			return in, qe
		}
		if d != nil {
			mapDefault = *d
		}
	}
	rp := root.child("responseprocessing")
	template := ""
	var rules *Rules
	if rp != nil {
		template = rp.attrs["template"]
		if template == "" && len(rp.children) > 0 {
			t, score, _ := recogniseRules(rp)
			if t == "" {
				// Rules of its own: kept and run as written.
				var el string
				if rules, el = compileRules(root, rd, rp); rules == nil {
					if el == "responseProcessing" {
						return in, fail(id, el, "qti.no_score")
					}
					return in, fail(id, el, "qti.custom_processing_at", el)
				}
				t = "/match_correct"
			}
			template = t
			if score > 0 && !declaredMax && t == "/match_correct" {
				b.MaxScore = score
			}
		} else if len(rp.children) > 0 {
			return in, fail(id, "responseProcessing", "qti.custom_processing")
		}
	}
	switch {
	case template == "" || strings.HasSuffix(template, "/match_correct") || strings.HasSuffix(template, "/match_correct.xml"):
	case strings.HasSuffix(template, "/map_response") || strings.HasSuffix(template, "/map_response.xml"):
		if mapping == nil {
			return in, fail(id, "mapping", "qti.missing")
		}
	case strings.HasSuffix(template, "/map_response_point") || strings.HasSuffix(template, "/map_response_point.xml"):
		var el string
		if rules, el = pointRules(root, rd); rules == nil {
			return in, fail(id, el, "qti.custom_processing_at", el)
		}
	default:
		return in, fail(id, "responseProcessing", "qti.bad_template", template)
	}
	isMap := template != "" && strings.Contains(template, "map_response")
	// The stem: the prompt, or the item body's text outside interactions.
	// The interaction may sit directly in the body or inside a block (a
	// div with dir="rtl", a paragraph for a text entry); the stem is the
	// body's text around it (block interactions leave their prompt), with
	// a gap where a text entry stands.
	if len(asked) == 0 {
		return in, fail(id, "itemBody", "qti.no_interaction")
	}
	interaction := asked[0]
	b.Stem = markup(body)
	// A gap in a paragraph of its own (as dxhub exports) is no place in a
	// sentence: the answer box follows the stem anyway.
	var paras []string
	for _, para := range strings.Split(b.Stem, "\n\n") {
		if strings.TrimSpace(para) != gap {
			paras = append(paras, para)
		}
	}
	b.Stem = strings.TrimSpace(strings.Join(paras, "\n\n"))
	if part == nil {
		b.Stem = withStimuli(tx.stimuli(root), b.Stem)
	}
	if tx.err != nil {
		return in, tx.err
	}
	if b.Stem == "" {
		b.Stem = strings.TrimSpace(root.attrs["title"])
	}
	options := func(n *xnode, tag string) []Option {
		var out []Option
		for _, c := range n.all(tag) {
			out = append(out, Option{ID: c.attrs["identifier"], Text: strings.TrimSpace(markup(c))})
			if v := c.attrs["templateidentifier"]; v != "" && tmpl != nil {
				// An option shown (or hidden) when the variable holds
				// the option's identifier.
				tmpl.Options[c.attrs["identifier"]] = Shown{Var: v, Value: c.attrs["identifier"], Hide: c.attrs["showhide"] == "hide"}
			}
		}
		return out
	}
	switch interaction.name {
	case "choiceinteraction":
		b.Options = options(interaction, "simplechoice")
		b.Type = Multiple
		if interaction.attrs["maxchoices"] == "1" || rd.attrs["cardinality"] == "single" {
			b.Type = Single
		}
		if t := body.attrs["datadxhubtype"]; t == TrueFalse || isTrueFalse(b.Options) {
			b.Type = TrueFalse
			if !isTrueFalse(b.Options) || defaultTrueFalse(b.Options) {
				b.Options = nil // no labels of its own
			}
		}
	case "inlinechoiceinteraction":
		// A choice inside the sentence: one of its options, where the gap
		// stands in the stem.
		b.Type, b.Options = Single, options(interaction, "inlinechoice")
	case "hottextinteraction":
		// Words to pick in a passage: the passage stays in the stem with
		// each hot text numbered, and the numbered texts are the options.
		interaction.walk(func(n *xnode) {
			if n.name == "hottext" {
				id := n.attrs["identifier"]
				b.Options = append(b.Options, Option{ID: id, Text: tx.labels[id] + " " + strings.TrimSpace(markup(n))})
			}
		})
		b.Type = Multiple
		if interaction.attrs["maxchoices"] == "1" || rd.attrs["cardinality"] == "single" {
			b.Type = Single
		}
	case "gapmatchinteraction", "graphicgapmatchinteraction":
		// Texts to drop into gaps: each numbered gap of the stem is a row
		// that takes one of the texts (QTI's pairs are text then gap). On
		// a picture the gaps are its numbered areas, and images to place
		// are shown below the question lettered A, B…
		interaction.walk(func(n *xnode) {
			if n.name == "gap" {
				id := n.attrs["identifier"]
				b.Options = append(b.Options, Option{ID: id, Text: tx.labels[id]})
			}
		})
		b.Type, b.Targets = Matching, options(interaction, "gaptext")
		if interaction.name == "graphicgapmatchinteraction" {
			var legend string
			if b.Options, b.Picture = tx.picture(interaction); tx.err != nil {
				return in, tx.err
			}
			if b.Targets, legend = tx.gapImages(interaction, b.Targets); tx.err != nil {
				return in, tx.err
			}
			b.Stem = strings.TrimSpace(b.Stem + "\n\n" + legend)
		}
		if len(b.Options) == 1 && rules == nil {
			// One gap: a choice of the text that fills it (a matching
			// needs two rows); pairs "text gap" become the text.
			b.Type, b.Options, b.Targets = Single, b.Targets, nil
			for i, p := range correct {
				correct[i], _, _ = strings.Cut(strings.TrimSpace(p), " ")
			}
			one := map[string]float64{}
			for k, v := range mapping {
				t, _, _ := strings.Cut(strings.TrimSpace(k), " ")
				one[t] = v
			}
			if mapping != nil {
				mapping = one
			}
			break
		}
		var el, bad string
		if mapping, el, bad = rewritePairs(correct, mapping, func(a, b string) string { return b + " " + a }); el != "" {
			return in, fail(id, el, "qti.bad_value", bad)
		}
	case "orderinteraction":
		b.Type, b.Options = Ordering, options(interaction, "simplechoice")
	case "selectpointinteraction", "positionobjectinteraction":
		// Points marked on a picture: the interaction's own image, or the
		// stage a position object is placed on.
		holder := interaction
		if interaction.name == "positionobjectinteraction" {
			body.walk(func(n *xnode) {
				if n.name == "positionobjectstage" && slices.Contains(n.children, interaction) {
					holder = n
				}
			})
		}
		if _, b.Picture = tx.picture(holder); tx.err != nil {
			return in, tx.err
		}
		b.Type = Point
		b.MaxChoices, _ = strconv.Atoi(interaction.attrs["maxchoices"])
		b.MinChoices, _ = strconv.Atoi(interaction.attrs["minchoices"])
		if b.MaxChoices == 0 && rd.attrs["cardinality"] == "single" || interaction.attrs["maxchoices"] == "" {
			b.MaxChoices = 1
		}
		if b.MaxChoices == 0 {
			b.MaxChoices = 20 // QTI's 0: as many as the candidate likes
		}
		if rules == nil {
			var el string
			if rules, el = matchRules(root, rd, b.MaxScore); rules == nil {
				return in, fail(id, el, "qti.custom_processing_at", el)
			}
		}
	case "hotspotinteraction", "graphicorderinteraction":
		// Areas of a picture, drawn with their numbers: picked as a
		// choice's options, or put in order.
		if b.Options, b.Picture = tx.picture(interaction); tx.err != nil {
			return in, tx.err
		}
		b.Type = Ordering
		if interaction.name == "hotspotinteraction" {
			b.Type = Multiple
			if interaction.attrs["maxchoices"] == "1" || rd.attrs["cardinality"] == "single" {
				b.Type = Single
			}
		}
	case "matchinteraction":
		sets := interaction.all("simplematchset")
		if len(sets) != 2 {
			return in, fail(id, "simpleMatchSet", "qti.two_sets")
		}
		b.Type, b.Options, b.Targets = Matching, options(sets[0], "simpleassociablechoice"), options(sets[1], "simpleassociablechoice")
	case "associateinteraction", "graphicassociateinteraction":
		// Undirected pairs become a matching of the pairs' first members to
		// their second members.
		all := options(interaction, "simpleassociablechoice")
		if interaction.name == "graphicassociateinteraction" {
			// Any two areas may be joined: each area is a row that takes
			// another as its partner.
			if all, b.Picture = tx.picture(interaction); tx.err != nil {
				return in, tx.err
			}
			b.Type, b.Options = Matching, all
			for _, o := range all {
				b.Targets = append(b.Targets, Option{ID: "R-" + o.ID, Text: o.Text})
			}
			var el, bad string
			if mapping, el, bad = rewritePairs(correct, mapping, func(a, b string) string { return a + " R-" + b }); el != "" {
				return in, fail(id, el, "qti.bad_value", bad)
			}
			break
		}
		byID := map[string]Option{}
		for _, o := range all {
			byID[o.ID] = o
		}
		seenL, seenR := map[string]bool{}, map[string]bool{}
		for _, p := range correct {
			f := strings.Fields(p)
			if len(f) != 2 {
				return in, fail(id, "value", "qti.bad_value", p)
			}
			if !seenL[f[0]] {
				seenL[f[0]] = true
				b.Options = append(b.Options, byID[f[0]])
			}
			if !seenR[f[1]] {
				seenR[f[1]] = true
				t := byID[f[1]]
				b.Targets = append(b.Targets, Option{ID: "R-" + t.ID, Text: t.Text})
			}
		}
		for i, p := range correct {
			f := strings.Fields(p)
			correct[i] = f[0] + " R-" + f[1]
		}
		// Pairs are unordered: the mapping's keys are turned round the
		// same way, and pairs of choices that no correct pair places are
		// left out (the candidate cannot form them).
		assoc := map[string]float64{}
		for k, v := range mapping {
			f := strings.Fields(k)
			switch {
			case len(f) != 2:
				return in, fail(id, "mapEntry", "qti.bad_value", k)
			case seenL[f[0]] && seenR[f[1]]:
				assoc[f[0]+" R-"+f[1]] = v
			case seenL[f[1]] && seenR[f[0]]:
				assoc[f[1]+" R-"+f[0]] = v
			}
		}
		if mapping != nil {
			mapping = assoc
		}
		b.Type = Matching
	case "sliderinteraction":
		// A value picked between bounds: a number typed, the bounds said
		// in the question (markup writes them).
		b.Type = Numeric
		if rd.attrs["cardinality"] != "single" || rd.attrs["basetype"] != "integer" && rd.attrs["basetype"] != "float" {
			return in, fail(id, "responseDeclaration", "qti.bad_value", rd.attrs["basetype"])
		}
		if len(b.Correct) == 0 {
			for k := range mapping {
				b.Correct = append(b.Correct, k)
			}
			sortStrings(b.Correct)
			b.Correct = b.Correct[:min(1, len(b.Correct))]
		}
	case "textentryinteraction":
		b.Type = ShortText
		if rd.attrs["basetype"] == "float" || rd.attrs["basetype"] == "integer" {
			b.Type = Numeric
			if tol, err := strconv.ParseFloat(body.attrs["datadxhubtolerance"], 64); err == nil {
				b.Tolerance = tol
			}
		}
		b.StrictDiacritics = body.attrs["datadxhubstrictdiacritics"] == "true"
		if len(b.Correct) == 0 {
			for k := range mapping {
				b.Correct = append(b.Correct, k)
			}
			sortStrings(b.Correct)
		}
		// dxhub writes its accepted answers as case-insensitive entries all
		// worth the maximum; any other mapping is scored as QTI says.
		accepted := !someCase
		for _, v := range mapping {
			accepted = accepted && v == b.MaxScore
		}
		if b.Type == Numeric && mapping != nil && isMap && !accepted && rules == nil {
			// A number scored by a mapping (0.5 for a near value): the
			// mapping as rules, since dxhub's numbers compare within a
			// tolerance only.
			var el string
			if rules, el = mappedRules(root, rd); rules == nil {
				return in, fail(id, el, "qti.custom_processing_at", el)
			}
		}
		if rules == nil && (b.Type == Numeric || body.attrs["datadxhubtype"] == ShortText && accepted) {
			// The number with dxhub's tolerance; or dxhub's own short
			// answer, whose accepted answers (the correct value and the
			// mapping's keys) compare as dxhub compares.
			isMap = false
			for _, k := range mapKeys {
				if !slices.Contains(b.Correct, k) {
					b.Correct = append(b.Correct, k)
				}
			}
		}
	}
	if b.Type == Numeric && interaction.name == "sliderinteraction" && isMap && rules == nil {
		var el string
		if rules, el = mappedRules(root, rd); rules == nil {
			return in, fail(id, el, "qti.custom_processing_at", el)
		}
	}
	if rules != nil && b.Type == Numeric && len(b.Correct) > 1 && rules.Mapping != nil {
		// A number has one correct value: the best mapped.
		best := b.Correct[0]
		for _, c := range b.Correct {
			if rules.Mapping.Entries[c] > rules.Mapping.Entries[best] {
				best = c
			}
		}
		b.Correct = []string{best}
	}
	if tmpl != nil && rules == nil && part == nil {
		// Drawn variables reach the scoring through rules: the standard
		// template is written out as its rules.
		var el string
		if isMap {
			rules, el = mappedRules(root, rd)
		} else {
			rules, el = matchRules(root, rd, b.MaxScore)
		}
		if rules == nil {
			return in, fail(id, el, "qti.custom_processing_at", el)
		}
	}
	if rules != nil && tmpl != nil && part == nil {
		rules.Given = tmpl.Vars
		// Checked before anything draws from it (the maximum below).
		if el, ok := tmpl.check(rules); !ok {
			return in, fail(id, el, "qti.custom_processing_at", el)
		}
		b.Template = tmpl
	}
	if b.Type == Matching {
		switch interaction.name {
		case "gapmatchinteraction":
			b.QTIPairs = pairsTurned
		case "associateinteraction", "graphicassociateinteraction":
			b.QTIPairs = pairsAssociated
		case "graphicgapmatchinteraction":
			b.QTIPairs = pairsTurned
		}
	}
	if rules != nil {
		isMap = false
		b.Rules = rules
		if !declaredMax {
			b.MaxScore = rules.maximum()
			if b.Template != nil {
				// What the drawn correct responses earn (the rules alone
				// do not know it).
				b.MaxScore = 0
				for seed := range uint64(5) {
					inst := b.Instance(seed)
					b.MaxScore = max(b.MaxScore, inst.Rules.maximum())
				}
			}
		}
	}
	if b.Type == Multiple {
		// QTI's default for a hot text is one choice; for a choice, none.
		if _, ok := interaction.attrs["maxchoices"]; !ok && interaction.name == "hottextinteraction" {
			interaction.attrs["maxchoices"] = "1"
		}
		b.MaxChoices, _ = strconv.Atoi(interaction.attrs["maxchoices"])
		b.MinChoices, _ = strconv.Atoi(interaction.attrs["minchoices"])
	}
	if b.Type == Matching {
		for i, p := range b.Correct {
			b.Correct[i] = strings.Replace(strings.TrimSpace(p), " ", ":", 1)
		}
	}
	if isMap {
		b.Mode, b.Map = MapResponse, map[string]float64{}
		b.MapBounds, b.MapLower, b.MapUpper, b.MapDefault, b.MapNoCase = "qti", mapLower, mapUpper, mapDefault, noCase && b.Type == ShortText
		for k, v := range mapping {
			if b.Type == Matching {
				k = strings.Replace(strings.TrimSpace(k), " ", ":", 1)
			}
			b.Map[k] = v
		}
		if !declaredMax {
			// No maximum declared: the most the mapping can give.
			if m := b.MappedMaximum(); m > 0 {
				b.MaxScore = m
			}
		}
		if b.MapDefault == 0 && b.MapLower != nil && *b.MapLower == 0 && b.MapUpper != nil && *b.MapUpper == b.MaxScore && !b.MapNoCase {
			// Bounded to 0…maximum with nothing for unmapped values: dxhub's
			// own mapping (and what dxhub exports), scored the same.
			b.MapBounds, b.MapLower, b.MapUpper = "", nil, nil
		}
		if b.Type == ShortText {
			// The answers shown as correct are those worth the most.
			b.Correct = nil
			for k, v := range b.Map {
				if v >= b.MaxScore {
					b.Correct = append(b.Correct, k)
				}
			}
			sortStrings(b.Correct)
			if len(b.Correct) == 0 {
				for k := range b.Map {
					b.Correct = append(b.Correct, k)
				}
				sortStrings(b.Correct)
			}
		}
	}
	b.Feedback = tx.feedback(root)
	in.images = tx.pending
	b.Language, b.Media = lang, tx.media
	if part != nil {
		in.Body = b // a part: checked with its composite item
		return in, nil
	}
	if err := b.Validate(); err != nil {
		e, _ := errs.As(err)
		key := e.Key
		// Messages about dxhub's own form say it in QTI's terms here.
		switch key {
		case "items.bad_pair":
			key = "qti.bad_pair"
		case "items.correct_count", "items.answers_required":
			key = "qti.no_correct"
		}
		return in, &QTIError{File: file, Item: id, Element: interaction.name, Key: key, Args: e.Args}
	}
	in.Body = b
	return in, nil
}

// stimuli are the shared stimuli an item refers to (QTI 3's
// assessmentStimulusRef: a passage or picture several items share, in a
// file of the package), as text to put before the question; images in a
// stimulus are found beside its file.
func (q *qtiText) stimuli(root *xnode) string {
	var out []string
	for _, ref := range root.all("assessmentstimulusref") {
		href := strings.TrimSpace(ref.attrs["href"])
		p := path.Clean(path.Join(path.Dir(q.file), href))
		if strings.HasPrefix(href, "/") {
			p = path.Clean(strings.TrimPrefix(href, "/")) // from the package's root
		}
		fail := func() string {
			if q.err == nil {
				q.err = &QTIError{File: q.file, Item: q.item, Element: "assessmentStimulusRef", Key: "qti.stimulus_missing", Args: []any{href}}
			}
			return ""
		}
		if q.read == nil || href == "" || strings.Contains(href, "://") {
			return fail()
		}
		data, err := q.read(p)
		if err != nil {
			return fail()
		}
		st, err := parseXML(data)
		if err != nil || st.name != "assessmentstimulus" || st.child("stimulusbody") == nil {
			return fail()
		}
		inner := *q
		inner.file, inner.pending = p, nil
		text := inner.markup(st.child("stimulusbody"))
		q.pending = append(q.pending, inner.pending...)
		if inner.err != nil && q.err == nil {
			q.err = inner.err
		}
		if text != "" {
			out = append(out, text)
		}
	}
	return strings.Join(out, "\n\n")
}

// withStimuli puts shared stimuli before an item's own text.
func withStimuli(stimuli, stem string) string {
	if stimuli == "" {
		return stem
	}
	return strings.TrimSpace(stimuli + "\n\n" + stem)
}

// feedback is an item's modal feedback (QTI 3 holds it in a content
// body) and its inline and block feedback, kept as one text shown after
// the answer where the session allows.
func (q *qtiText) feedback(root *xnode) string {
	var fbs []string
	root.walk(func(n *xnode) {
		switch n.name {
		case "modalfeedback", "feedbackinline", "feedbackblock":
			if t := strings.TrimSpace(q.markup(n)); t != "" {
				fbs = append(fbs, t)
			}
		}
	})
	return strings.Join(fbs, "\n\n")
}

// rewritePairs writes each "a b" pair of the correct values (in place)
// and of the mapping's keys as to(a, b), and returns the mapping so
// written; or names the element and the value that is not a pair.
func rewritePairs(correct []string, mapping map[string]float64, to func(a, b string) string) (map[string]float64, string, string) {
	for i, p := range correct {
		f := strings.Fields(p)
		if len(f) != 2 {
			return mapping, "value", p
		}
		correct[i] = to(f[0], f[1])
	}
	if mapping == nil {
		return nil, "", ""
	}
	out := map[string]float64{}
	for k, v := range mapping {
		f := strings.Fields(k)
		if len(f) != 2 {
			return mapping, "mapEntry", k
		}
		out[to(f[0], f[1])] = v
	}
	return out, "", ""
}

// parseEssay reads an extended text item (a written answer) or an upload
// item (a file handed in), which an examiner marks. Its response processing, if it has any, is not run
// (QTI leaves such a score to a person, an outcome marked
// external-scored="human"); scorer rubric blocks and a declared correct
// response become the examiner's guidance.
func parseEssay(file string, root, body, interaction *xnode, in ItemInput, tx *qtiText, part bool) (ItemInput, *QTIError) {
	id := root.attrs["identifier"]
	b := Body{Type: Essay, Mode: AllOrNothing, MaxScore: 1}
	if interaction.name == "uploadinteraction" {
		b.Type = Upload // a file handed in, marked the same way
	}
	b.Stem = tx.markup(body)
	if !part {
		b.Stem = withStimuli(tx.stimuli(root), b.Stem)
	}
	if b.Stem == "" {
		b.Stem = strings.TrimSpace(root.attrs["title"])
	}
	b.Language, _, _ = strings.Cut(strings.ToLower(root.attrs["xml:lang"]), "-")
	for _, od := range root.all("outcomedeclaration") {
		if od.attrs["identifier"] == "SCORE" {
			if m, err := strconv.ParseFloat(od.attrs["normalmaximum"], 64); err == nil && m > 0 && m <= 100 {
				b.MaxScore = m
			}
		}
	}
	if b.Type == Essay {
		b.ExpectedLength, _ = strconv.Atoi(interaction.attrs["expectedlength"])
		b.ExpectedLength = min(max(b.ExpectedLength, 0), maxEssay)
	}
	var guide []string
	root.walk(func(n *xnode) {
		if n.name == "rubricblock" && strings.Contains(n.attrs["view"], "scorer") {
			if t := tx.markup(n); t != "" {
				guide = append(guide, t)
			}
		}
	})
	rid := interaction.attrs["responseidentifier"]
	for _, rd := range root.all("responsedeclaration") {
		if cr := rd.child("correctresponse"); rd.attrs["identifier"] == rid && cr != nil {
			for _, v := range cr.all("value") {
				if t := strings.TrimSpace(v.text); t != "" {
					guide = append(guide, t)
				}
			}
		}
	}
	b.Rubric = strings.Join(guide, "\n\n")
	b.Feedback = tx.feedback(root)
	if tx.err != nil {
		return in, tx.err
	}
	in.images, b.Media = tx.pending, tx.media
	in.Body = b
	if part {
		return in, nil
	}
	if err := b.Validate(); err != nil {
		e, _ := errs.As(err)
		return in, &QTIError{File: file, Item: id, Element: interaction.name, Key: e.Key, Args: e.Args}
	}
	return in, nil
}

// parseComposite reads an item of several interactions (a cloze text of
// several gaps, two questions on one passage) as a composite item: the
// body's text with each interaction numbered where it stands, and a part
// per interaction read as an item of its own would be, scored together
// by the item's response processing as written.
func parseComposite(file string, root, body *xnode, rds, asked []*xnode, in ItemInput, tx *qtiText, def QTIDefaults) (ItemInput, *QTIError) {
	id := root.attrs["identifier"]
	fail := func(el, key string, args ...any) (ItemInput, *QTIError) {
		return in, &QTIError{File: file, Item: id, Element: el, Key: key, Args: args}
	}
	if len(asked) > maxParts {
		return fail("itemBody", "items.too_many_parts", maxParts)
	}
	declared := map[string]*xnode{}
	for _, rd := range rds {
		declared[rd.attrs["identifier"]] = rd
	}
	var order []*xnode // the declarations, as the parts ask them
	for _, n := range asked {
		rid := n.attrs["responseidentifier"]
		rd := declared[rid]
		if rd == nil {
			return fail(n.name, "qti.undeclared_response", rid)
		}
		if slices.Contains(order, rd) {
			return fail(n.name, "qti.shared_response", rid)
		}
		order = append(order, rd)
	}
	for _, rd := range rds {
		if !slices.Contains(order, rd) {
			return fail("responseDeclaration", "qti.unasked_response", rd.attrs["identifier"])
		}
	}
	tx.composite = true
	b := Body{Type: Composite, Mode: AllOrNothing, MaxScore: 1}
	b.Stem = withStimuli(tx.stimuli(root), tx.markup(body))
	if tx.err != nil {
		return in, tx.err
	}
	if b.Stem == "" {
		b.Stem = strings.TrimSpace(root.attrs["title"])
	}
	b.Language, _, _ = strings.Cut(strings.ToLower(root.attrs["xml:lang"]), "-")
	declaredMax := false
	for _, od := range root.all("outcomedeclaration") {
		if od.attrs["identifier"] == "SCORE" {
			if m, err := strconv.ParseFloat(od.attrs["normalmaximum"], 64); err == nil && m > 0 {
				b.MaxScore, declaredMax = m, true
			}
		}
	}
	// Each part is read as an item holding only its interaction and its
	// response's declaration; the stem's numbers are shared with it.
	for i, n := range asked {
		one := &xnode{name: "assessmentitem", attrs: root.attrs}
		one.children = []*xnode{order[i], {name: "itembody", attrs: map[string]string{}, children: []*xnode{n}, raw: []xml.Token{xml.StartElement{Name: xml.Name{Local: n.name}}}}}
		part, qe := parseQTIRoot(file, one, def, tx.read, tx.images, &partOf{labels: tx.labels, tmpl: tx.tmpl})
		if qe != nil {
			return in, qe
		}
		in.images = append(in.images, part.images...)
		p := part.Body
		p.Stem = tx.label(n.attrs["responseidentifier"])
		if pr := n.child("prompt"); pr != nil {
			if t := tx.markup(pr); t != "" {
				p.Stem += " " + t
			}
		}
		p.Response, p.Language, p.Feedback = n.attrs["responseidentifier"], "", ""
		b.Parts = append(b.Parts, p)
	}
	in.images = append(in.images, tx.pending...)
	if tx.err != nil {
		return in, tx.err
	}
	// Scoring: the processing as written; a standard template scores
	// the response called RESPONSE as it says (the others earn nothing);
	// none at all: each part by its correct response, added up.
	rp := root.child("responseprocessing")
	var rules *Rules
	var el string
	switch {
	case rp == nil || rp.attrs["template"] == "" && len(rp.children) == 0:
	case rp.attrs["template"] != "":
		t := rp.attrs["template"]
		main := declared["RESPONSE"]
		if main == nil {
			return fail("responseProcessing", "qti.bad_template", t)
		}
		others := slices.DeleteFunc(slices.Clone(order), func(x *xnode) bool { return x == main })
		switch {
		case strings.HasSuffix(t, "/match_correct") || strings.HasSuffix(t, "/match_correct.xml"):
			rules, el = matchRules(root, main, b.MaxScore, others...)
		case strings.HasSuffix(t, "/map_response") || strings.HasSuffix(t, "/map_response.xml"):
			rules, el = mappedRules(root, main, others...)
		default:
			return fail("responseProcessing", "qti.bad_template", t)
		}
	default:
		if rules, el = compileRules(root, order[0], rp, order[1:]...); rules == nil && el == "responseProcessing" {
			return fail(el, "qti.no_score")
		}
	}
	if rp != nil && rules == nil && el != "" {
		return fail(el, "qti.custom_processing_at", el)
	}
	b.Rules = rules
	for i := range b.Parts {
		if rules == nil {
			continue
		}
		b.Parts[i].Rules = nil // the item's rules score every part
	}
	if tmpl := tx.tmpl; tmpl != nil {
		// Drawn values reach the parts' text and the scoring, which then
		// needs rules (parts added up cannot see them).
		if rules == nil {
			return fail("templateProcessing", "qti.custom_processing_at", "templateProcessing")
		}
		rules.Given = tmpl.Vars
		if el, ok := tmpl.check(rules); !ok {
			return fail(el, "qti.custom_processing_at", el)
		}
		b.Template = tmpl
	}
	if rules != nil && !declaredMax {
		b.MaxScore = rules.maximum()
		if b.Template != nil {
			b.MaxScore = 0
			for seed := range uint64(5) {
				inst := b.Instance(seed)
				b.MaxScore = max(b.MaxScore, inst.Rules.maximum())
			}
		}
	}
	b.Feedback, b.Media = tx.feedback(root), tx.media
	if err := b.Validate(); err != nil {
		e, _ := errs.As(err)
		key, el := e.Key, "itemBody"
		var k int
		if _, err := fmt.Sscanf(e.Field, "parts[%d]", &k); err == nil && k < len(asked) {
			el = asked[k].name
		}
		switch key {
		case "items.bad_pair":
			key = "qti.bad_pair"
		case "items.correct_count", "items.answers_required", "items.number_required", "items.true_false":
			key = "qti.no_correct"
		}
		return fail(el, key, e.Args...)
	}
	in.Body = b
	return in, nil
}

// defaultTrueFalse reports whether true/false options carry only the
// labels dxhub gives them anyway.
func defaultTrueFalse(opts []Option) bool {
	for _, o := range opts {
		if l := strings.ToLower(o.Text); !slices.Contains([]string{"đúng", "sai", "true", "false"}, l) {
			return false
		}
	}
	return true
}

func isTrueFalse(opts []Option) bool {
	return len(opts) == 2 && (opts[0].ID == "true" && opts[1].ID == "false" || opts[0].ID == "false" && opts[1].ID == "true")
}

// qtiText turns QTI's XHTML back into dxhub's markup, keeping what it
// can: emphasis, code, line breaks, paragraphs, quotes (as "> "), lists
// (as lines), a gap for a text entry, and images a package carries.
type qtiText struct {
	file, item string
	read       func(string) ([]byte, error)
	images     *int
	pending    []pendingImage
	err        *QTIError
	tmpl       *Template // the item's template variables, when it has some
	// labels number the hot texts and gaps of the body as the stem shows
	// them: "(1)", "(2)"…, by identifier.
	labels map[string]string
	// composite: the body holds several interactions, each numbered
	// where it stands (a gap in the sentence) and asked as a part below.
	composite bool
	// media are the videos and sounds the text plays, stored like images.
	media []MediaRef
}

// label numbers a hot text or gap the first time the stem shows it.
func (q *qtiText) label(id string) string {
	if l, ok := q.labels[id]; ok {
		return l
	}
	l := "(" + strconv.Itoa(len(q.labels)+1) + ")"
	q.labels[id] = l
	return l
}

// gap stands in the stem where a text entry is typed.
const gap = "_____"

func (q *qtiText) markup(n *xnode) string {
	var b strings.Builder
	var walk func(*xnode)
	walk = func(n *xnode) {
		ci := 0
		for _, t := range n.raw {
			switch t := t.(type) {
			case xml.CharData:
				b.WriteString(spaces.ReplaceAllString(string(t), " "))
			case xml.StartElement:
				c := n.children[ci]
				ci++
				switch c.name {
				case "strong", "b":
					b.WriteString("**")
					walk(c)
					b.WriteString("**")
				case "em", "i":
					b.WriteString("*")
					walk(c)
					b.WriteString("*")
				case "code":
					b.WriteString("`")
					walk(c)
					b.WriteString("`")
				case "br":
					b.WriteString("\n")
				case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "contentbody", "dl", "figure", "figcaption", "dd", "section", "article", "aside", "header", "footer", "address", "pre":
					walk(c)
					b.WriteString("\n\n")
				case "li", "dt":
					b.WriteString("\n")
					walk(c)
				case "hr":
					b.WriteString("\n\n")
				case "ruby":
					// Base text with its reading in brackets: 漢字 (かんじ).
					walk(c)
				case "rt":
					b.WriteString(" (")
					walk(c)
					b.WriteString(")")
				case "rp":
				case "blockquote":
					var inner qtiText = *q
					inner.pending = nil
					quoted := inner.markup(c)
					q.pending, q.err = append(q.pending, inner.pending...), inner.err
					for _, para := range strings.Split(quoted, "\n\n") {
						if para = strings.TrimSpace(para); para != "" {
							b.WriteString("\n\n> " + strings.ReplaceAll(para, "\n", " ") + "\n\n")
						}
					}
				case "prompt", "span", "sub", "sup", "u", "small", "bdo", "abbr", "acronym", "cite", "q", "dfn", "kbd", "samp", "var", "big", "tt", "label", "bdi", "mark", "s", "del", "ins", "time":
					walk(c)
				case "a":
					href := strings.TrimSpace(c.attrs["href"])
					if strings.HasPrefix(href, "https://") && !strings.ContainsAny(href, " ()") {
						b.WriteString("[")
						walk(c)
						b.WriteString("](" + href + ")")
					} else {
						walk(c)
					}
				case "rubricblock":
					// Instructions to the candidate are part of the item;
					// those for scorers or authors are not shown.
					if v := c.attrs["view"]; v == "" || strings.Contains(v, "candidate") {
						walk(c)
						b.WriteString("\n\n")
					}
				case "inlinechoiceinteraction", "textentryinteraction":
					if q.composite {
						b.WriteString(" **" + q.label(c.attrs["responseidentifier"]) + "** " + gap + " ")
						break
					}
					b.WriteString(" " + gap + " ")
				case "choiceinteraction", "orderinteraction", "matchinteraction", "associateinteraction",
					"hotspotinteraction", "graphicorderinteraction", "graphicassociateinteraction", "graphicgapmatchinteraction", "extendedtextinteraction",
					"selectpointinteraction", "uploadinteraction":
					if q.composite {
						// Asked below as a part, with its prompt.
						q.label(c.attrs["responseidentifier"])
						b.WriteString("\n\n")
						break
					}
					if p := c.child("prompt"); p != nil {
						walk(p)
						b.WriteString("\n\n")
					}
				case "positionobjectstage":
					// The stage's image is the picture the points go on;
					// the object to place is shown with the prompt.
					for _, cc := range c.children {
						if cc.name != "positionobjectinteraction" {
							continue
						}
						if q.composite {
							q.label(cc.attrs["responseidentifier"])
							b.WriteString("\n\n")
							continue
						}
						if p := cc.child("prompt"); p != nil {
							walk(p)
							b.WriteString("\n\n")
						}
						for _, o := range cc.children {
							if o.name == "img" || o.name == "object" && isImageObject(o) {
								b.WriteString(q.image(q.imageOf(o)) + "\n\n")
							}
						}
					}
				case "sliderinteraction":
					if q.composite {
						q.label(c.attrs["responseidentifier"])
						b.WriteString("\n\n")
						break
					}
					if p := c.child("prompt"); p != nil {
						walk(p)
					}
					b.WriteString(fmt.Sprintf(" (%s–%s)\n\n", c.attrs["lowerbound"], c.attrs["upperbound"]))
				case "hottextinteraction":
					// The passage is the question: it stays, hot texts
					// numbered.
					if q.composite {
						b.WriteString("**" + q.label(c.attrs["responseidentifier"]) + "**\n\n")
					}
					walk(c)
					b.WriteString("\n\n")
				case "hottext":
					b.WriteString("**" + q.label(c.attrs["identifier"]) + " ")
					walk(c)
					b.WriteString("**")
				case "gapmatchinteraction":
					// The text with its gaps numbered; the texts to place
					// are the options.
					if q.composite {
						b.WriteString("**" + q.label(c.attrs["responseidentifier"]) + "**\n\n")
					}
					if p := c.child("prompt"); p != nil {
						walk(p)
						b.WriteString("\n\n")
					}
					var inner xnode = *c
					inner.children, inner.raw = nil, nil
					ci := 0
					for _, t := range c.raw {
						if se, ok := t.(xml.StartElement); ok {
							cc := c.children[ci]
							ci++
							if cc.name == "gaptext" || cc.name == "prompt" {
								continue
							}
							inner.children = append(inner.children, cc)
							inner.raw = append(inner.raw, se)
							continue
						}
						inner.raw = append(inner.raw, t)
					}
					walk(&inner)
					b.WriteString("\n\n")
				case "gap":
					b.WriteString(" **" + q.label(c.attrs["identifier"]) + "** " + gap + " ")
				case "img":
					b.WriteString(q.image("img", c.attrs["src"], c.attrs["alt"]))
				case "printedvariable", "templateblock", "templateinline":
					v := c.attrs["identifier"]
					if c.name != "printedvariable" {
						v = c.attrs["templateidentifier"]
					}
					if q.err == nil && !q.tmpl.declares(v) {
						// Printing an outcome (a score in feedback) is not
						// supported; template variables are.
						q.err = &QTIError{File: q.file, Item: q.item, Element: c.name, Key: "qti.unsupported"}
					}
					switch c.name {
					case "printedvariable":
						f := strings.NewReplacer("⟦", "", "⟧", "", "|", "").Replace(c.attrs["format"])
						if f != "" {
							f = "|" + f
						}
						b.WriteString("⟦" + v + f + "⟧")
					default:
						mark := "?"
						if c.attrs["showhide"] == "hide" {
							mark = "!"
						}
						if c.name == "templateblock" {
							b.WriteString("\n\n")
						}
						b.WriteString("⟦" + mark + v + "=" + strings.ReplaceAll(c.attrs["identifier"], "⟧", "") + "⟧")
						walk(c)
						b.WriteString("⟦/" + mark + "⟧")
						if c.name == "templateblock" {
							b.WriteString("\n\n")
						}
					}
				case "object":
					// Only images, videos and sounds get here (checked
					// above); the object's content is its text alternative.
					if isMediaObject(c) {
						q.mediaRef("object", []string{c.attrs["data"]}, strings.TrimSpace(q.markup(c)))
						break
					}
					b.WriteString(q.image("object", c.attrs["data"], strings.TrimSpace(q.markup(c))))
				case "video", "audio":
					// Played with the question: its source, or the first of
					// its sources the package holds in a kind dxhub plays,
					// with its captions.
					q.mediaRef(c.name, sources(c), cmp.Or(c.attrs["title"], c.attrs["datadxhubalt"]))
					q.tracks(c)
				case "mediainteraction":
					// Its media is content; how often it is played is not a
					// question dxhub asks.
					for _, m := range c.children {
						switch {
						case m.name == "prompt":
							walk(m)
							b.WriteString("\n\n")
						case m.name == "object" && isMediaObject(m):
							q.mediaRef("object", []string{m.attrs["data"]}, strings.TrimSpace(q.markup(m)))
						case m.name == "video" || m.name == "audio":
							q.mediaRef(m.name, sources(m), cmp.Or(m.attrs["title"], m.attrs["datadxhubalt"]))
							q.tracks(m)
						}
					}
				case "math":
					b.WriteString(" " + mathText(c) + " ")
				case "table":
					// A table as lines of cells: "a | b | c".
					b.WriteString("\n\n")
					c.walk(func(n *xnode) {
						switch n.name {
						case "caption":
							b.WriteString(strings.TrimSpace(q.markup(n)) + "\n")
						case "tr":
							var cells []string
							for _, cell := range n.children {
								if cell.name == "td" || cell.name == "th" {
									cells = append(cells, strings.ReplaceAll(strings.TrimSpace(q.markup(cell)), "\n", " "))
								}
							}
							b.WriteString(strings.Join(cells, " | ") + "\n")
						}
					})
					b.WriteString("\n")
				}
			}
		}
	}
	walk(n)
	out := aroundNewline.ReplaceAllString(manySpaces.ReplaceAllString(b.String(), " "), "\n")
	return strings.TrimSpace(manyBreaks.ReplaceAllString(out, "\n\n"))
}

// image stores nothing yet: it takes an image the package carries and
// returns the markup that will show it once stored.
func (q *qtiText) image(element, src, alt string) string {
	src = strings.TrimSpace(src)
	alt = strings.NewReplacer("[", "", "]", "", "\n", " ").Replace(strings.TrimSpace(alt))
	if q.err != nil {
		return ""
	}
	if q.read == nil || src == "" || strings.Contains(src, "://") || strings.HasPrefix(src, "data:") {
		q.err = &QTIError{File: q.file, Item: q.item, Element: element, Key: "qti.image_missing", Args: []any{src}}
		return ""
	}
	p := path.Clean(path.Join(path.Dir(q.file), src))
	for _, im := range q.pending {
		if im.path == p {
			return "![" + alt + "](" + im.ref + ")" // shown twice, stored once
		}
	}
	data, err := q.read(p)
	if err != nil {
		q.err = &QTIError{File: q.file, Item: q.item, Element: element, Key: "qti.image_missing", Args: []any{src}}
		return ""
	}
	if !files.IsImage(data) {
		q.err = &QTIError{File: q.file, Item: q.item, Element: element, Key: "qti.image_type", Args: []any{src}}
		return ""
	}
	return "![" + alt + "](" + q.pend(path.Base(p), p, data) + ")"
}

// pend keeps a file of the package to store once the whole import reads,
// and returns the reference that stands for it until then.
func (q *qtiText) pend(name, p string, data []byte) string {
	*q.images++
	ref := fmt.Sprintf("/files/qtipending%dx", *q.images)
	q.pending = append(q.pending, pendingImage{ref: ref, name: name, path: p, data: data})
	return ref
}

// mediaRef takes the first of srcs that the package holds as a video or a
// sound dxhub plays, to store with the images.
func (q *qtiText) mediaRef(element string, srcs []string, alt string) {
	if q.err != nil {
		return
	}
	for _, src := range srcs {
		src = strings.TrimSpace(src)
		if q.read == nil || src == "" || strings.Contains(src, "://") || strings.HasPrefix(src, "data:") {
			continue
		}
		p := path.Clean(path.Join(path.Dir(q.file), src))
		data, err := q.read(p)
		if err != nil {
			continue
		}
		kind, ct := files.MediaKind(data)
		if kind == "" {
			continue
		}
		q.media = append(q.media, MediaRef{Src: q.pend(path.Base(p), p, data), Kind: kind, Type: ct, Alt: strings.Join(strings.Fields(alt), " ")})
		return
	}
	first := ""
	for _, src := range srcs {
		if first == "" {
			first = strings.TrimSpace(src)
		}
	}
	q.err = &QTIError{File: q.file, Item: q.item, Element: element, Key: "qti.media_missing", Args: []any{first}}
}

// tracks takes a video's WebVTT captions and subtitles that the package
// holds, for the media just taken.
func (q *qtiText) tracks(n *xnode) {
	if q.err != nil || len(q.media) == 0 || q.read == nil {
		return
	}
	m := &q.media[len(q.media)-1]
	for _, t := range n.all("track") {
		src := strings.TrimSpace(t.attrs["src"])
		p := path.Clean(path.Join(path.Dir(q.file), src))
		data, err := q.read(p)
		if src == "" || strings.Contains(src, "://") || err != nil || !bytes.HasPrefix(bytes.TrimPrefix(data, []byte("\ufeff")), []byte("WEBVTT")) {
			q.err = &QTIError{File: q.file, Item: q.item, Element: "track", Key: "qti.track_missing", Args: []any{src}}
			return
		}
		kind := strings.ToLower(strings.TrimSpace(t.attrs["kind"]))
		if kind == "" {
			kind = "subtitles" // HTML's default
		}
		if !slices.Contains([]string{"captions", "subtitles", "descriptions", "chapters"}, kind) {
			continue // metadata is for scripts
		}
		ref := q.pend(strings.TrimSuffix(path.Base(p), path.Ext(p))+".vtt", p, data)
		m.Tracks = append(m.Tracks, Track{Src: ref, Kind: kind, Lang: t.attrs["srclang"], Label: t.attrs["label"]})
	}
}

// sources are a video or audio element's source and its sources'.
func sources(n *xnode) []string {
	out := []string{n.attrs["src"]}
	for _, sc := range n.all("source") {
		out = append(out, sc.attrs["src"])
	}
	return out
}

// isMediaObject says whether a QTI object plays a video or a sound.
func isMediaObject(n *xnode) bool {
	t := strings.ToLower(strings.TrimSpace(n.attrs["type"]))
	return strings.HasPrefix(t, "video/") || strings.HasPrefix(t, "audio/")
}

// imageOf is the image an img or image object shows: its element's
// name, its source and its text alternative.
func (q *qtiText) imageOf(n *xnode) (element, src, alt string) {
	if n.name == "object" {
		return n.name, n.attrs["data"], strings.TrimSpace(q.markup(n))
	}
	return n.name, n.attrs["src"], n.attrs["alt"]
}

var imageRefOf = regexp.MustCompile(`\]\(([^)]*)\)$`)

// picture reads a graphic interaction's image and its areas (hotspot
// choices or associable hotspots), each numbered as the stem numbers
// gaps; the areas are also the options that name them.
func (q *qtiText) picture(n *xnode) ([]Option, *Picture) {
	var img *xnode
	for _, c := range n.children {
		if c.name == "img" || c.name == "object" && isImageObject(c) {
			img = c
			break
		}
	}
	if img == nil {
		q.err = &QTIError{File: q.file, Item: q.item, Element: n.name, Key: "qti.missing"}
		return nil, nil
	}
	_, src, alt := q.imageOf(img)
	md := q.image(img.name, src, alt)
	if q.err != nil {
		return nil, nil
	}
	p := &Picture{Alt: alt}
	if m := imageRefOf.FindStringSubmatch(md); m != nil {
		p.Src = m[1]
	}
	p.Width, _ = strconv.Atoi(strings.TrimSuffix(img.attrs["width"], "px"))
	p.Height, _ = strconv.Atoi(strings.TrimSuffix(img.attrs["height"], "px"))
	if p.Width <= 0 || p.Height <= 0 {
		// No size written: the image's own.
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(q.pending[len(q.pending)-1].data)); err == nil {
			p.Width, p.Height = cfg.Width, cfg.Height
		}
	}
	var opts []Option
	for _, c := range n.children {
		if c.name != "hotspotchoice" && c.name != "associablehotspot" {
			continue
		}
		a := Area{ID: c.attrs["identifier"], Shape: strings.ToLower(c.attrs["shape"]), Label: q.label(c.attrs["identifier"])}
		var ok bool
		if a.Coords, ok = coords(c.attrs["coords"]); !ok || len(a.Coords) == 0 {
			q.err = &QTIError{File: q.file, Item: q.item, Element: c.name, Key: "qti.bad_value", Args: []any{c.attrs["coords"]}}
			return nil, nil
		}
		if a.Shape == "default" {
			// The whole image.
			a.Shape, a.Coords = "rect", []float64{0, 0, float64(p.Width), float64(p.Height)}
		}
		text := a.Label
		if l := strings.TrimSpace(c.attrs["hotspotlabel"]); l != "" {
			text += " " + l
		}
		p.Areas = append(p.Areas, a)
		opts = append(opts, Option{ID: a.ID, Text: text})
	}
	return opts, p
}

// gapImages adds a graphic gap match's images to place to its texts:
// each lettered (A, B…) as an option, and shown with its letter in the
// legend returned for the stem.
func (q *qtiText) gapImages(n *xnode, texts []Option) ([]Option, string) {
	var legend []string
	for _, c := range n.children {
		if c.name != "gapimg" {
			continue
		}
		var img *xnode
		for _, cc := range c.children {
			if cc.name == "img" || cc.name == "object" && isImageObject(cc) {
				img = cc
			}
		}
		if img == nil {
			q.err = &QTIError{File: q.file, Item: q.item, Element: "gapImg", Key: "qti.missing"}
			return nil, ""
		}
		_, src, alt := q.imageOf(img)
		if alt == "" {
			alt = strings.TrimSpace(c.attrs["objectlabel"])
		}
		md := q.image(img.name, src, alt)
		if q.err != nil {
			return nil, ""
		}
		letter := string(rune('A' + len(legend)))
		text := letter
		if alt != "" {
			text += " " + alt
		}
		legend = append(legend, "**"+letter+"** "+md)
		texts = append(texts, Option{ID: c.attrs["identifier"], Text: text})
	}
	return texts, strings.Join(legend, " · ")
}

// recogniseRules tells which standard template response processing
// written out as rules is equivalent to ("/match_correct" with the score
// it gives a correct response, or "/map_response"), or names the element
// it cannot take.
func recogniseRules(rp *xnode) (template string, score float64, element string) {
	has := map[string]bool{}
	bad := ""
	rp.walk(func(n *xnode) {
		if n == rp {
			return
		}
		has[n.name] = true
		if !rpAllowed[n.name] && bad == "" {
			bad = n.name
		}
		switch n.name {
		case "variable", "correct", "mapresponse":
			if n.attrs["identifier"] != "RESPONSE" && bad == "" {
				bad = n.name
			}
		case "setoutcomevalue":
			if n.attrs["identifier"] != "SCORE" && n.attrs["identifier"] != "FEEDBACK" && bad == "" {
				bad = n.name
			}
		}
	})
	if bad != "" {
		return "", 0, bad
	}
	switch {
	case has["mapresponse"] && !has["match"] && !has["correct"]:
		return "/map_response", 0, ""
	case has["match"] && has["correct"] && !has["mapresponse"]:
		// The score a match sets: the first numeric value under responseIf.
		if ri := firstNode(rp, "responseif"); ri != nil {
			if bv := firstNode(ri, "basevalue"); bv != nil {
				score, _ = strconv.ParseFloat(strings.TrimSpace(bv.text), 64)
			}
		}
		return "/match_correct", score, ""
	}
	return "", 0, "responseCondition"
}

func firstNode(n *xnode, name string) *xnode {
	var out *xnode
	n.walk(func(c *xnode) {
		if out == nil && c.name == name {
			out = c
		}
	})
	return out
}

var (
	spaces        = regexp.MustCompile(`\s+`)
	aroundNewline = regexp.MustCompile(` *\n *`)
	manySpaces    = regexp.MustCompile(` {2,}`)
	manyBreaks    = regexp.MustCompile(`\n{3,}`)
)

// What a QTI package may unpack to.
const (
	maxQTIUnzipped = 64 << 20
	maxQTIFile     = 8 << 20
	maxQTIEntries  = 5000
)

// ImportQTI reads a QTI content package (zip with imsmanifest.xml) or a
// single item file, and stores every item as a draft, all or nothing.
//
// A package unpacks to at most maxQTIUnzipped in at most maxQTIEntries
// files, each at most maxQTIFile.
func (bk *Bank) ImportQTI(ctx context.Context, name string, data []byte, def QTIDefaults) ([]*Item, error) {
	if _, _, err := auth.RequireScopes(ctx, auth.AuthorContent); err != nil {
		return nil, err
	}
	type file struct {
		name string
		data []byte
	}
	var docs []file
	var readPkg func(string) ([]byte, error)
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return nil, &QTIImportError{[]*QTIError{{File: name, Item: "-", Element: "zip", Key: "qti.bad_zip"}}}
		}
		// Bounded before anything is unpacked, by the zip's headers, and
		// while reading, in case a header lies: a package unpacks to at
		// most maxQTIUnzipped, each file to at most maxQTIFile.
		var claimed uint64
		for _, f := range zr.File {
			claimed += f.UncompressedSize64
		}
		if len(zr.File) > maxQTIEntries || claimed > maxQTIUnzipped {
			return nil, &QTIImportError{[]*QTIError{{File: name, Item: "-", Element: "zip", Key: "qti.zip_too_large", Args: []any{maxQTIUnzipped >> 20, maxQTIEntries}}}}
		}
		var unpacked int64
		read := func(p string) ([]byte, error) {
			for _, f := range zr.File {
				if f.Name == p {
					if f.UncompressedSize64 > maxQTIFile {
						return nil, fmt.Errorf("too large")
					}
					rc, err := f.Open()
					if err != nil {
						return nil, err
					}
					defer rc.Close()
					b, err := io.ReadAll(io.LimitReader(rc, min(maxQTIFile, maxQTIUnzipped-unpacked)+1))
					unpacked += int64(len(b))
					if err == nil && (len(b) > maxQTIFile || unpacked > maxQTIUnzipped) {
						err = fmt.Errorf("too large")
					}
					return b, err
				}
			}
			return nil, fmt.Errorf("missing")
		}
		readPkg = read
		manifest, err := read("imsmanifest.xml")
		if err != nil {
			// A zipped folder of item files without a manifest, as
			// people pack what an exporter left on disk: every item
			// file in it, images beside them.
			for _, f := range zr.File {
				if !strings.EqualFold(path.Ext(f.Name), ".xml") {
					continue
				}
				b, err := read(f.Name)
				if err != nil {
					return nil, &QTIImportError{[]*QTIError{{File: f.Name, Item: "-", Element: "zip", Key: "qti.zip_too_large", Args: []any{maxQTIUnzipped >> 20, maxQTIEntries}}}}
				}
				if IsQTIItem(b) {
					docs = append(docs, file{f.Name, b})
				}
			}
			if len(docs) == 0 {
				return nil, &QTIImportError{[]*QTIError{{File: name, Item: "-", Element: "imsmanifest.xml", Key: "qti.no_manifest"}}}
			}
		}
		m, err := parseXML(manifest)
		if err != nil && len(docs) > 0 {
			m, err = &xnode{}, nil // no manifest: the items were found above
		}
		if err != nil {
			return nil, &QTIImportError{[]*QTIError{{File: "imsmanifest.xml", Item: "-", Element: "manifest", Key: "qti.bad_xml", Args: []any{err.Error()}}}}
		}
		var qerr QTIImportError
		m.walk(func(n *xnode) {
			if n.name != "resource" {
				return
			}
			typ := strings.ToLower(n.attrs["type"])
			if !strings.HasPrefix(typ, "imsqti_item_xmlv") {
				return // tests, stylesheets and other resources are not items
			}
			href := path.Clean(n.attrs["href"])
			b, err := read(href)
			if err != nil {
				qerr.Errors = append(qerr.Errors, &QTIError{File: href, Item: n.attrs["identifier"], Element: "resource", Key: "qti.missing_file"})
				return
			}
			docs = append(docs, file{href, b})
		})
		if len(qerr.Errors) > 0 {
			return nil, &qerr
		}
		if len(docs) == 0 {
			return nil, &QTIImportError{[]*QTIError{{File: name, Item: "-", Element: "manifest", Key: "qti.no_items"}}}
		}
	} else {
		docs = []file{{name, data}}
	}
	if len(docs) > 2000 {
		return nil, &QTIImportError{[]*QTIError{{File: name, Item: "-", Element: "manifest", Key: "qti.too_many"}}}
	}
	var qerr QTIImportError
	var inputs []ItemInput
	images := 0
	for _, f := range docs {
		in, e := parseQTIItemIn(f.name, f.data, def, readPkg, &images)
		if e != nil {
			qerr.Errors = append(qerr.Errors, e)
			continue
		}
		if _, _, err := bk.check(ctx, &in); err != nil {
			ee, _ := errs.As(err)
			el := "itemBody"
			if ee.Field != "" {
				el = ee.Field
			}
			qerr.Errors = append(qerr.Errors, &QTIError{File: f.name, Item: in.qtiID, Element: el, Key: ee.Key, Args: ee.Args})
			continue
		}
		inputs = append(inputs, in)
	}
	if len(qerr.Errors) > 0 {
		return nil, &qerr
	}
	// Every item reads: now the images they carry are stored, and their
	// references point at them.
	p := auth.FromContext(ctx)
	for i := range inputs {
		for _, im := range inputs[i].images {
			if bk.Files == nil {
				return nil, errors.New("qti import: no file store for images")
			}
			key, _, err := files.Save(ctx, bk.DB, bk.Files, files.Media, "", im.name, bytes.NewReader(im.data), p.AccountID)
			if err != nil {
				return nil, fmt.Errorf("store image %s: %w", im.name, err)
			}
			inputs[i].Body.replaceRef(im.ref, "/files/"+key)
		}
	}
	return bk.CreateMany(ctx, inputs)
}

// replaceRef points every mention of ref in the body's text at to.
func (b *Body) replaceRef(ref, to string) {
	for i := range b.Parts {
		b.Parts[i].replaceRef(ref, to)
	}
	if b.Picture != nil && b.Picture.Src == ref {
		b.Picture.Src = to
	}
	for i := range b.Media {
		if b.Media[i].Src == ref {
			b.Media[i].Src = to
		}
		for j := range b.Media[i].Tracks {
			if b.Media[i].Tracks[j].Src == ref {
				b.Media[i].Tracks[j].Src = to
			}
		}
	}
	b.Stem = strings.ReplaceAll(b.Stem, ref, to)
	b.Feedback = strings.ReplaceAll(b.Feedback, ref, to)
	for _, opts := range [][]Option{b.Options, b.Targets} {
		for i := range opts {
			opts[i].Text = strings.ReplaceAll(opts[i].Text, ref, to)
		}
	}
}

// mathText writes MathML as one line of text ("E = mc^2", "(a)/(b)",
// "√(x)"), which dxhub's markup can hold: the meaning kept, the layout
// not.
func mathText(n *xnode) string {
	var walk func(n *xnode) string
	group := func(s string) string {
		if utf8.RuneCountInString(s) <= 1 {
			return s
		}
		return "(" + s + ")"
	}
	kids := func(n *xnode) []string {
		var out []string
		for _, c := range n.children {
			out = append(out, walk(c))
		}
		return out
	}
	walk = func(n *xnode) string {
		k := kids(n)
		at := func(i int) string {
			if i < len(k) {
				return k[i]
			}
			return ""
		}
		switch n.name {
		case "mi", "mn", "mtext", "ms":
			return strings.TrimSpace(n.text)
		case "mo":
			if o := strings.TrimSpace(n.text); o == "=" || o == "+" || o == "−" || o == "-" || o == "×" || o == "÷" || o == "<" || o == ">" || o == "≤" || o == "≥" {
				return " " + o + " "
			} else {
				return o
			}
		case "mspace":
			return " "
		case "annotation", "annotationxml", "mphantom", "none", "mprescripts":
			return ""
		case "semantics":
			return at(0)
		case "msup", "mover":
			return at(0) + "^" + group(at(1))
		case "msub", "munder":
			return at(0) + "_" + group(at(1))
		case "msubsup", "munderover":
			return at(0) + "_" + group(at(1)) + "^" + group(at(2))
		case "mfrac":
			return group(at(0)) + "/" + group(at(1))
		case "msqrt":
			return "√" + group(strings.Join(k, ""))
		case "mroot":
			return group(at(0)) + "^(1/" + at(1) + ")"
		case "mfenced":
			open, close := "(", ")"
			if v, ok := n.attrs["open"]; ok {
				open = v
			}
			if v, ok := n.attrs["close"]; ok {
				close = v
			}
			return open + strings.Join(k, ", ") + close
		case "mtr":
			return strings.Join(k, ", ")
		case "mtable":
			return "[" + strings.Join(k, "; ") + "]"
		}
		return strings.Join(k, "")
	}
	return strings.Join(strings.Fields(walk(n)), " ")
}

// isImageObject says whether a QTI object shows an image (dxhub shows
// those as images; audio, video and embedded pages are not supported).
func isImageObject(n *xnode) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(n.attrs["type"])), "image/")
}

// IsQTIItem says whether an XML document's root element is a QTI 2 or 3
// assessment item (not a test, a manifest or anything else).
func IsQTIItem(b []byte) bool {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.CharsetReader = charsetReader
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return norm(se.Name.Local) == "assessmentitem"
		}
	}
}

// charsetReader reads the encodings other than UTF-8 that QTI files are
// found in: ISO-8859-1 (Latin-1, whose bytes are the first 256 code
// points) and US-ASCII.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		b, err := io.ReadAll(io.LimitReader(in, maxQTIFile+1))
		if err != nil {
			return nil, err
		}
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return strings.NewReader(string(r)), nil
	case "us-ascii", "ascii":
		return in, nil
	}
	return nil, fmt.Errorf("encoding %q is not supported (use UTF-8)", label)
}
