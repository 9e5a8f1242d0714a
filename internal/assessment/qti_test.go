package assessment

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
)

func sample() []*Item {
	bodies := []Body{
		{Type: Single, Stem: "Chọn **một**:\n\ndòng hai", Options: opts("a", "b", "c"), Correct: []string{"B"}, Feedback: "Vì b đúng."},
		{Type: Multiple, Stem: "Chọn *nhiều*", Options: opts("a", "b", "c"), Correct: []string{"A", "C"}, Mode: MapResponse, Map: map[string]float64{"A": 1, "C": 1, "B": -1}, MaxScore: 2},
		{Type: TrueFalse, Stem: "Đúng hay sai?", Correct: []string{"false"}},
		{Type: Ordering, Stem: "Xếp `thứ tự`", Options: opts("một", "hai", "ba")},
		{Type: Matching, Stem: "Ghép", Options: opts("Word", "Excel"), Targets: []Option{{"R1", "văn bản"}, {"R2", "bảng tính"}}, Correct: []string{"A:R1", "B:R2"}},
		{Type: ShortText, Stem: "Thủ đô?", Correct: []string{"Hà Nội", "HN"}, StrictDiacritics: true},
		{Type: Numeric, Stem: "Bao nhiêu?", Correct: []string{"2.5"}, Tolerance: 0.1, MaxScore: 3},
	}
	var out []*Item
	for i := range bodies {
		bodies[i].Validate()
		out = append(out, &Item{ID: "it" + string(rune('a'+i)), StandardCode: "VN-DSF", StandardVersion: 1, Competence: "4.2", Level: 3, Body: bodies[i]})
	}
	return out
}

func TestQTIRoundTrip(t *testing.T) {
	for _, it := range sample() {
		doc := QTIItem(it)
		in, qerr := parseQTIItem("x.xml", []byte(doc), QTIDefaults{})
		if qerr != nil {
			t.Fatalf("%s: %v\n%s", it.Body.Type, qerr, doc)
		}
		// The export names the language; the import keeps it.
		if in.Body.Language != "vi" {
			t.Errorf("%s: language %q", it.Body.Type, in.Body.Language)
		}
		in.Body.Language = ""
		a, _ := json.Marshal(it.Body)
		b, _ := json.Marshal(in.Body)
		if string(a) != string(b) || in.Competence != "4.2" || in.Level != 3 || in.StandardCode != "VN-DSF" || in.StandardVersion != 1 {
			t.Errorf("%s round trip:\n%s\n%s\n%s", it.Body.Type, a, b, doc)
		}
	}
}

const qti21 = `<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="choice21" title="Choice" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
    <correctResponse><value>ChoiceB</value></correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    <p>Which is a <b>strong</b> password?</p>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="1">
      <simpleChoice identifier="ChoiceA">123456</simpleChoice>
      <simpleChoice identifier="ChoiceB">Tr0ng!Mây#9</simpleChoice>
    </choiceInteraction>
  </itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>
</assessmentItem>`

const qti21Text = `<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="text21" title="T" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="string">
    <correctResponse><value>Ctrl+C</value></correctResponse>
    <mapping defaultValue="0"><mapEntry mapKey="Ctrl+C" mappedValue="1"/><mapEntry mapKey="Ctrl C" mappedValue="1"/></mapping>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody><p>Copy shortcut: <textEntryInteraction responseIdentifier="RESPONSE" expectedLength="10"/></p></itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"/>
</assessmentItem>`

func TestQTI21Import(t *testing.T) {
	in, err := parseQTIItem("choice.xml", []byte(qti21), QTIDefaults{Competence: "4.1", Level: 2})
	if err != nil {
		t.Fatal(err)
	}
	if in.Body.Type != Single || in.Body.Stem != "Which is a **strong** password?" || in.Body.Score([]string{"ChoiceB"}) != 1 || in.Competence != "4.1" {
		t.Fatalf("%+v", in)
	}
	in, err = parseQTIItem("text.xml", []byte(qti21Text), QTIDefaults{Competence: "5.1", Level: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Map keys are case-sensitive unless an entry says otherwise.
	if in.Body.Type != ShortText || in.Body.Score([]string{"Ctrl C"}) != 1 || in.Body.Score([]string{"ctrl c"}) != 0 {
		t.Fatalf("%+v", in.Body)
	}
}

func TestQTIRejectsUnsupported(t *testing.T) {
	for name, c := range map[string]struct{ doc, element string }{
		"extended text": {strings.Replace(qti21, "<choiceInteraction", "<extendedTextInteraction responseIdentifier=\"R2\"/><choiceInteraction", 1), "extendedtextinteraction"},
		"image":         {strings.Replace(qti21, "<b>strong</b>", "<img src=\"a.png\" alt=\"\"/>", 1), "img"},
		"custom rp":     {strings.Replace(qti21, `<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>`, `<responseProcessing><responseCondition/></responseProcessing>`, 1), "responsecondition"},
		"no answer":     {strings.Replace(qti21, "<value>ChoiceB</value>", "", 1), "choiceinteraction"},
		"audio object":  {strings.Replace(qti21, "<b>strong</b>", `<object type="audio/ogg" data="a.ogg">sound</object>`, 1), "object"},
		"image object":  {strings.Replace(qti21, "<b>strong</b>", `<object type="image/png" data="a.png">a sign</object>`, 1), "object"},
		"text only":     {regexp.MustCompile(`(?s)<responseDeclaration.*</responseDeclaration>|<choiceInteraction.*</choiceInteraction>`).ReplaceAllString(qti21, ""), "itemBody"},
	} {
		_, err := parseQTIItem("bad.xml", []byte(c.doc), QTIDefaults{Competence: "4.1", Level: 2})
		if err == nil || !strings.EqualFold(err.Element, c.element) && !strings.Contains(strings.ToLower(err.Element), c.element) {
			t.Errorf("%s: %v (want element %s)", name, err, c.element)
			continue
		}
		if msg := err.Message(i18n.EN); !strings.Contains(msg, "bad.xml") || !strings.Contains(msg, "choice21") {
			t.Errorf("%s: message %q does not name the file and item", name, msg)
		}
	}
}

// Files in Latin-1 (qtiworks' samples hold some) read as their
// characters; an encoding dxhub does not read is named.
func TestQTILatin1(t *testing.T) {
	doc := strings.Replace(strings.Replace(qti21, "Which is", "Caf\xe9: which is", 1), "<assessmentItem", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<assessmentItem", 1)
	in, err := parseQTIItem("latin1.xml", []byte(doc), QTIDefaults{Competence: "4.1", Level: 2})
	if err != nil || !strings.HasPrefix(in.Body.Stem, "Café: which is") {
		t.Fatalf("%v %q", err, in.Body.Stem)
	}
	if !IsQTIItem([]byte(doc)) || IsQTIItem([]byte(`<assessmentTest><assessmentItemRef/></assessmentTest>`)) {
		t.Fatal("IsQTIItem judges by the root element")
	}
	_, err = parseQTIItem("koi.xml", []byte(strings.Replace(doc, "ISO-8859-1", "KOI8-R", 1)), QTIDefaults{Competence: "4.1", Level: 2})
	if err == nil || !strings.Contains(err.Message(i18n.EN), "KOI8-R") {
		t.Fatalf("unknown encoding: %v", err)
	}
}

// qti21Template is a small item with template processing: a number
// drawn, printed in the question and in its correct response.
const qti21Template = `<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="tpl21" title="Double" adaptive="false" timeDependent="false">
<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="integer"/>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<templateDeclaration identifier="N" cardinality="single" baseType="integer"/>
<templateProcessing><setTemplateValue identifier="N"><randomInteger min="2" max="9"/></setTemplateValue>
<setCorrectResponse identifier="RESPONSE"><product><variable identifier="N"/><baseValue baseType="integer">2</baseValue></product></setCorrectResponse></templateProcessing>
<itemBody><p>Twice <printedVariable identifier="N" format="%d"/> is <textEntryInteraction responseIdentifier="RESPONSE"/>.</p><templateBlock templateIdentifier="N" identifier="2" showHide="show"><p>Hint: 2 + 2.</p></templateBlock></itemBody>
<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/></assessmentItem>`

// qti21Composite asks two questions in one item: a choice and a gap,
// scored together by rules that add up a point for each.
const qti21Composite = `<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="two" title="Two" adaptive="false" timeDependent="false">
<responseDeclaration identifier="R1" cardinality="single" baseType="identifier"><correctResponse><value>A</value></correctResponse></responseDeclaration>
<responseDeclaration identifier="R2" cardinality="single" baseType="string"><correctResponse><value>Hà Nội</value></correctResponse></responseDeclaration>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<itemBody><choiceInteraction responseIdentifier="R1" maxChoices="1"><prompt>Thủ đô?</prompt><simpleChoice identifier="A">Hà Nội</simpleChoice><simpleChoice identifier="B">Huế</simpleChoice></choiceInteraction>
<p>Viết lại: <textEntryInteraction responseIdentifier="R2"/></p></itemBody>
<responseProcessing>
<responseCondition><responseIf><match><variable identifier="R1"/><correct identifier="R1"/></match><setOutcomeValue identifier="SCORE"><sum><variable identifier="SCORE"/><baseValue baseType="float">1</baseValue></sum></setOutcomeValue></responseIf></responseCondition>
<responseCondition><responseIf><match><variable identifier="R2"/><correct identifier="R2"/></match><setOutcomeValue identifier="SCORE"><sum><variable identifier="SCORE"/><baseValue baseType="float">1</baseValue></sum></setOutcomeValue></responseIf></responseCondition>
</responseProcessing></assessmentItem>`

// qti21Graphic asks for two areas of a picture and a point on it.
const qti21Graphic = `<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="g" title="G" adaptive="false" timeDependent="false">
<responseDeclaration identifier="R1" cardinality="multiple" baseType="identifier"><correctResponse><value>A</value><value>C</value></correctResponse></responseDeclaration>
<responseDeclaration identifier="R2" cardinality="single" baseType="point"><areaMapping defaultValue="0"><areaMapEntry shape="poly" coords="0,0,20,0,10,20" mappedValue="1"/></areaMapping></responseDeclaration>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<assessmentStimulusRef identifier="s" href="s.xml"/>
<itemBody><hotspotInteraction responseIdentifier="R1" maxChoices="2"><object type="image/png" data="m.png" width="40" height="30">m</object>
<hotspotChoice identifier="A" shape="circle" coords="5,5,3"/><hotspotChoice identifier="B" shape="rect" coords="10,10,20,20"/><hotspotChoice identifier="C" shape="ellipse" coords="30,20,4,3"/></hotspotInteraction>
<selectPointInteraction responseIdentifier="R2" maxChoices="1"><img src="m.png" alt="m" width="40" height="30"/></selectPointInteraction></itemBody>
<responseProcessing><responseCondition><responseIf><match><variable identifier="R1"/><correct identifier="R1"/></match><setOutcomeValue identifier="SCORE"><baseValue baseType="float">1</baseValue></setOutcomeValue></responseIf></responseCondition>
<setOutcomeValue identifier="SCORE"><sum><variable identifier="SCORE"/><mapResponsePoint identifier="R2"/></sum></setOutcomeValue></responseProcessing></assessmentItem>`

func FuzzQTIItem(f *testing.F) {
	for _, it := range sample() {
		f.Add([]byte(QTIItem(it)))
	}
	f.Add([]byte(qti21))
	f.Add([]byte(qti21Text))
	f.Add([]byte(qti21Rules))
	f.Add([]byte("<assessmentItem><itemBody>"))
	f.Add([]byte(qti21Template))
	f.Add([]byte(qti21Composite))
	f.Add([]byte(qti21Graphic))
	// The package holds an image for any picture and a stimulus for any
	// reference, so that graphic items and stimuli are read too.
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
	read := func(p string) ([]byte, error) {
		switch {
		case strings.HasSuffix(p, ".xml"):
			return []byte(`<assessmentStimulus identifier="s"><stimulusBody><p>Đoạn văn <img src="a.png" alt="a"/></p></stimulusBody></assessmentStimulus>`), nil
		case strings.HasSuffix(p, ".webm"):
			return []byte("\x1a\x45\xdf\xa3\x00\x00\x00\x00"), nil
		case strings.HasSuffix(p, ".vtt"):
			return []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nxin chào\n"), nil
		}
		return png, nil
	}
	f.Add([]byte(`<assessmentItem identifier="v"><responseDeclaration identifier="R" cardinality="single" baseType="identifier"><correctResponse><value>A</value></correctResponse></responseDeclaration>
<itemBody><video><source src="v.webm"/><track kind="captions" src="v.vtt" srclang="vi"/></video><object type="audio/ogg" data="a.webm">x</object>
<choiceInteraction responseIdentifier="R" maxChoices="1"><simpleChoice identifier="A">a</simpleChoice><simpleChoice identifier="B">b</simpleChoice></choiceInteraction></itemBody></assessmentItem>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		images := 0
		in, err := parseQTIItemIn("f.xml", data, QTIDefaults{Competence: "1.1", Level: 1}, read, &images)
		if err == nil {
			if in.Body.Validate() != nil {
				t.Fatalf("accepted an invalid item: %+v", in.Body)
			}
			// An item with a template is scored as a draw of it.
			b := in.Body.Instance(7)
			// A single response holds one value: of several accepted
			// answers, the first (two at once is no answer).
			first := func(b *Body) []string {
				if (b.Type == Single || b.Type == ShortText || b.Type == Numeric) && len(b.Correct) > 1 {
					return b.Correct[:1]
				}
				return b.Correct
			}
			right := first(&b)
			if b.Type == Composite {
				parts := make([][]string, len(b.Parts))
				for i := range b.Parts {
					parts[i] = first(&b.Parts[i])
				}
				right = JoinParts(parts)
			}
			s := b.Score(right)
			var all []string
			for _, o := range b.Options {
				all = append(all, o.ID)
			}
			for _, resp := range [][]string{nil, all, {"", "x y"}} {
				if v := b.Score(resp); math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%v scores %v", resp, v)
				}
			}
			switch {
			case b.Rules != nil, b.Type == Composite:
				// An item's own rules may give any score QTI allows; a
				// composite item's parts are bounded as items are.
			case b.MapBounds == "" && (s < 0 || s > b.MaxScore):
				t.Fatalf("score %v outside 0…%v", s, b.MaxScore)
			case b.MapLower != nil && s < *b.MapLower, b.MapUpper != nil && s > *b.MapUpper:
				t.Fatalf("score %v outside the mapping's bounds", s)
			case math.IsNaN(s):
				t.Fatal("score NaN")
			}
		}
	})
}

// qti21Rules is a numeric item scored by rules of its own: within 0.5 of
// 3 earns 2, within 1 earns 1, nothing typed earns -1 and ends there.
const qti21Rules = `<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="rules21" title="R" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="ANS" cardinality="single" baseType="float"><correctResponse><value>3</value></correctResponse></responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"><defaultValue><value>0</value></defaultValue></outcomeDeclaration>
  <outcomeDeclaration identifier="NEAR" cardinality="single" baseType="float"><defaultValue><value>1</value></defaultValue></outcomeDeclaration>
  <itemBody><p>How many? <textEntryInteraction responseIdentifier="ANS"/></p></itemBody>
  <responseProcessing>
    <responseCondition><responseIf><isNull><variable identifier="ANS"/></isNull>
      <setOutcomeValue identifier="SCORE"><baseValue baseType="float">-1</baseValue></setOutcomeValue><exitResponse/></responseIf></responseCondition>
    <responseCondition>
      <responseIf><equal toleranceMode="absolute" tolerance="0.5"><variable identifier="ANS"/><correct identifier="ANS"/></equal>
        <setOutcomeValue identifier="SCORE"><sum><variable identifier="NEAR"/><baseValue baseType="float">1</baseValue></sum></setOutcomeValue></responseIf>
      <responseElseIf><and><gte><variable identifier="ANS"/><baseValue baseType="float">2</baseValue></gte><not><gt><variable identifier="ANS"/><baseValue baseType="float">4</baseValue></gt></not></and>
        <setOutcomeValue identifier="SCORE"><variable identifier="NEAR"/></setOutcomeValue></responseElseIf>
      <responseElse><setOutcomeValue identifier="SCORE"><baseValue baseType="float">0</baseValue></setOutcomeValue></responseElse>
    </responseCondition>
    <responseCondition><responseIf><patternMatch pattern="[0-9]+\.0+"><variable identifier="ANS"/></patternMatch>
      <setOutcomeValue identifier="SCORE"><product><variable identifier="SCORE"/><baseValue baseType="float">0.5</baseValue></product></setOutcomeValue></responseIf></responseCondition>
  </responseProcessing>
</assessmentItem>`

// Rules of an item's own run as QTI says: conditions in order, exit,
// tolerance, comparisons, arithmetic, patterns, outcomes' defaults; an
// export reads back the same. Rules dxhub cannot run are refused naming
// the element.
func TestQTIRules(t *testing.T) {
	in, qe := parseQTIItem("r.xml", []byte(qti21Rules), QTIDefaults{Competence: "1.1", Level: 1})
	if qe != nil {
		t.Fatal(qe)
	}
	b := in.Body
	if b.Rules == nil || b.MaxScore != 2 || b.Type != Numeric {
		t.Fatalf("%+v", b)
	}
	for _, tc := range []struct {
		resp  []string
		score float64
	}{{[]string{"3"}, 2}, {[]string{"3,4"}, 2}, {[]string{"3.6"}, 1}, {[]string{"2"}, 1}, {[]string{"4.01"}, 0}, {nil, -1}, {[]string{""}, -1}, {[]string{"3.00"}, 1}, {[]string{"abc"}, 0}} {
		if got := b.Score(tc.resp); got != tc.score {
			t.Errorf("%q scores %v, want %v", tc.resp, got, tc.score)
		}
	}
	back, qe := parseQTIItem("x.xml", []byte(QTIItem(&Item{ID: "x", Body: b})), QTIDefaults{Competence: "1.1", Level: 1})
	if qe != nil || back.Body.Score([]string{"3.6"}) != 1 || back.Body.Score(nil) != -1 {
		t.Fatalf("exported: %v %+v", qe, back.Body)
	}
	for name, c := range map[string]struct{ from, to, element, key string }{
		"custom operator":  {`<sum><variable identifier="NEAR"/>`, `<sum><customOperator class="x"/>`, "customoperator", "qti.custom_processing_at"},
		"undeclared":       {`<variable identifier="NEAR"/><baseValue`, `<variable identifier="OTHER"/><baseValue`, "variable", "qti.custom_processing_at"},
		"else first":       {`<responseCondition><responseIf><isNull>`, `<responseCondition><responseElse/><responseIf><isNull>`, "responseelse", "qti.custom_processing_at"},
		"never sets SCORE": {`identifier="SCORE"><`, `identifier="NEAR"><`, "responseProcessing", "qti.no_score"},
		"bad pattern":      {`pattern="[0-9]+`, `pattern="(`, "patternmatch", "qti.custom_processing_at"},
	} {
		doc := strings.ReplaceAll(qti21Rules, c.from, c.to)
		if doc == qti21Rules {
			t.Fatalf("%s: the case changes nothing", name)
		}
		_, qe := parseQTIItem("r.xml", []byte(doc), QTIDefaults{Competence: "1.1", Level: 1})
		if qe == nil || qe.Element != c.element || qe.Key != c.key {
			t.Errorf("%s: %+v, want <%s> %s", name, qe, c.element, c.key)
		}
	}
	// Rules sent to the API are checked as an import's are.
	bad := b
	bad.Rules = &Rules{Response: "ANS", Cardinality: "single", BaseType: "float", Outcomes: []Outcome{{ID: "SCORE", Cardinality: "single", BaseType: "float"}},
		Program: []RPNode{{Op: "setoutcomevalue", Attrs: map[string]string{"identifier": "SCORE"}, Kids: []RPNode{{Op: "customoperator"}}}}}
	if e, ok := errs.As(bad.Validate()); !ok || e.Field != "rules" {
		t.Errorf("a body with rules dxhub cannot run: %+v", e)
	}
}

// qti21Slider is a slider scored by a mapping of integer values (written
// for dxhub after the QTI 2.1 specification's slider example).
const qti21Slider = `<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="slider21" title="Mục tiêu" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="integer">
    <correctResponse><value>90</value></correctResponse>
    <mapping defaultValue="0"><mapEntry mapKey="90" mappedValue="1"/><mapEntry mapKey="85" mappedValue="0.5"/><mapEntry mapKey="95" mappedValue="0.5"/></mapping>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    <p>Đề án 146 đặt mục tiêu cho năm 2030.</p>
    <sliderInteraction responseIdentifier="RESPONSE" lowerBound="0" upperBound="100" step="5">
      <prompt>Bao nhiêu phần trăm người trong độ tuổi lao động biết dịch vụ công trực tuyến?</prompt>
    </sliderInteraction>
  </itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"/>
</assessmentItem>`

// A slider becomes a number typed between its bounds, and a number scored
// by a mapping is scored by it (0.5 for a near value), as QTI says; both
// read back the same from dxhub's export.
func TestQTISliderAndNumericMapping(t *testing.T) {
	numeric := strings.NewReplacer(`<sliderInteraction responseIdentifier="RESPONSE" lowerBound="0" upperBound="100" step="5">`, `<p>Số phần trăm: <textEntryInteraction responseIdentifier="RESPONSE"/></p>`,
		`</sliderInteraction>`, ``, `<prompt>`, `<p>`, `</prompt>`, `</p>`).Replace(qti21Slider)
	for name, doc := range map[string]string{"slider": qti21Slider, "numeric text entry": numeric} {
		in, qe := parseQTIItem("s.xml", []byte(doc), QTIDefaults{Competence: "1.1", Level: 1})
		if qe != nil {
			t.Fatalf("%s: %v", name, qe)
		}
		if in.Body.Type != Numeric || in.Body.MaxScore != 1 {
			t.Fatalf("%s: %+v", name, in.Body)
		}
		if name == "slider" && !strings.Contains(in.Body.Stem, "(0–100)") {
			t.Errorf("the slider's bounds are not said: %q", in.Body.Stem)
		}
		back, qe := parseQTIItem("x.xml", []byte(QTIItem(&Item{ID: "x", Body: in.Body})), QTIDefaults{Competence: "1.1", Level: 1})
		if qe != nil {
			t.Fatalf("%s exported: %v", name, qe)
		}
		for resp, want := range map[string]float64{"90": 1, "90.0": 1, "85": 0.5, "95,0": 0.5, "50": 0, "abc": 0} {
			for _, b := range []Body{in.Body, back.Body} {
				if got := b.Score([]string{resp}); got != want {
					t.Errorf("%s: %q scores %v, want %v", name, resp, got, want)
				}
			}
		}
	}
}

// MathML is kept as one line of text: 1EdTech's E = mc² example, and
// fractions, roots, sub- and superscripts.
func TestQTIMathAsText(t *testing.T) {
	in, qe := parseQTIItem("m.xml", interop(t, "qti30/ims3_math.xml"), QTIDefaults{Competence: "1.1", Level: 1})
	if qe != nil {
		t.Fatal(qe)
	}
	if !strings.Contains(in.Body.Stem, "E = mc^2") {
		t.Fatalf("stem %q", in.Body.Stem)
	}
	root, err := parseXML([]byte(`<math xmlns="http://www.w3.org/1998/Math/MathML"><mfrac><mi>a</mi><mrow><mi>b</mi><mo>+</mo><mn>1</mn></mrow></mfrac><mo>=</mo><msqrt><mi>x</mi></msqrt><msub><mi>y</mi><mn>2</mn></msub><semantics><mi>z</mi><annotation encoding="latex">z</annotation></semantics></math>`))
	if err != nil {
		t.Fatal(err)
	}
	if got := mathText(root); got != "a/(b + 1) = √xy_2z" {
		t.Fatalf("%q", got)
	}
}

// A table in the question is kept as lines of cells.
func TestQTITableAsLines(t *testing.T) {
	doc := strings.Replace(qti21, "<p>Which is a <b>strong</b> password?</p>", "<table><caption>Mật khẩu</caption><thead><tr><th>Loại</th><th>Ví dụ</th></tr></thead><tbody><tr><td>Yếu</td><td>123456</td></tr></tbody></table><p>Which is strong?</p>", 1)
	in, qe := parseQTIItem("t.xml", []byte(doc), QTIDefaults{Competence: "4.1", Level: 2})
	if qe != nil {
		t.Fatal(qe)
	}
	for _, want := range []string{"Mật khẩu", "Loại | Ví dụ", "Yếu | 123456", "Which is strong?"} {
		if !strings.Contains(in.Body.Stem, want) {
			t.Errorf("stem %q lacks %q", in.Body.Stem, want)
		}
	}
}

// The small template item: each draw prints its number, shows the hint
// only when the number is 2, and scores twice the number right.
func TestQTITemplateSmall(t *testing.T) {
	in, err := parseQTIItem("tpl.xml", []byte(qti21Template), QTIDefaults{Competence: "1.1", Level: 1})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for seed := range uint64(60) {
		b := in.Body.Instance(seed)
		m := regexp.MustCompile(`^Twice (\d) is _____ ?\.`).FindStringSubmatch(b.Stem)
		if m == nil {
			t.Fatalf("seed %d: %q", seed, b.Stem)
		}
		seen[m[1]] = true
		n, _ := strconv.Atoi(m[1])
		if hint := strings.Contains(b.Stem, "Hint"); hint != (n == 2) {
			t.Fatalf("seed %d: N=%d, hint shown %v: %q", seed, n, hint, b.Stem)
		}
		if b.Score([]string{strconv.Itoa(2 * n)}) != 1 || b.Score([]string{strconv.Itoa(2*n + 1)}) != 0 || len(b.Correct) != 1 || b.Correct[0] != strconv.Itoa(2*n) {
			t.Fatalf("seed %d: N=%d scores wrong (correct %v)", seed, n, b.Correct)
		}
	}
	if len(seen) != 8 {
		t.Fatalf("60 draws of 2…9 gave %d different numbers", len(seen))
	}
}

// A gap match with one gap (as TAO writes one) is a choice of the text
// that fills it, scored as its pair says.
func TestQTIOneGap(t *testing.T) {
	doc := `<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p2" identifier="gap1" title="Gap" adaptive="false" timeDependent="false">
<responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="directedPair"><correctResponse><value>choice_2 gap_1</value></correctResponse></responseDeclaration>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<itemBody><gapMatchInteraction responseIdentifier="RESPONSE" shuffle="false"><gapText identifier="choice_1" matchMax="1">tường lửa</gapText><gapText identifier="choice_2" matchMax="1">mật khẩu</gapText><gapText identifier="choice_3" matchMax="1">trình duyệt</gapText>
<p>Đừng chia sẻ <gap identifier="gap_1"/> với ai.</p></gapMatchInteraction></itemBody>
<responseProcessing template="http://www.imsglobal.org/question/qti_v2p2/rptemplates/match_correct"/></assessmentItem>`
	in, err := parseQTIItem("gap1.xml", []byte(doc), QTIDefaults{Competence: "4.1", Level: 1})
	if err != nil {
		t.Fatal(err)
	}
	b := in.Body
	if b.Type != Single || len(b.Options) != 3 || b.Score([]string{"choice_2"}) != 1 || b.Score([]string{"choice_1"}) != 0 || !strings.Contains(b.Stem, "Đừng chia sẻ **(1)** _____ với ai.") {
		t.Fatalf("%+v", b)
	}
}

// Nested repeats cannot multiply a container without bound: a template
// that tries reads in bounded time and draws nothing from it.
func TestQTIRepeatBounded(t *testing.T) {
	expr := `<baseValue baseType="integer">1</baseValue>`
	for range 10 {
		expr = `<repeat numberRepeats="100">` + expr + `</repeat>`
	}
	doc := strings.Replace(qti21Template, `<setCorrectResponse identifier="RESPONSE">`, `<setTemplateValue identifier="N">`+expr+`</setTemplateValue><setCorrectResponse identifier="RESPONSE">`, 1)
	in, err := parseQTIItem("rep.xml", []byte(doc), QTIDefaults{Competence: "1.1", Level: 1})
	if err != nil {
		t.Fatal(err)
	}
	// 100^10 values unbounded; bounded, the repeat gives nothing and N,
	// set from it after its draw, prints empty.
	if b := in.Body.Instance(1); !regexp.MustCompile(`^Twice +is`).MatchString(b.Stem) {
		t.Fatalf("%q", b.Stem)
	}
}

// A composite item with a template: two gaps about the same drawn
// numbers, each part's correct answer set by the template; each draw's
// own answers earn full marks, and the parts print the draw.
func TestQTITemplateComposite(t *testing.T) {
	doc := `<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="sumprod" title="Tổng và tích" adaptive="false" timeDependent="false">
<responseDeclaration identifier="SUM" cardinality="single" baseType="integer"/>
<responseDeclaration identifier="PROD" cardinality="single" baseType="integer"/>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<templateDeclaration identifier="A" cardinality="single" baseType="integer" mathVariable="true"/>
<templateDeclaration identifier="B" cardinality="single" baseType="integer" mathVariable="true"/>
<templateProcessing>
<setTemplateValue identifier="A"><randomInteger min="2" max="9"/></setTemplateValue>
<setTemplateValue identifier="B"><randomInteger min="2" max="9"/></setTemplateValue>
<setCorrectResponse identifier="SUM"><sum><variable identifier="A"/><variable identifier="B"/></sum></setCorrectResponse>
<setCorrectResponse identifier="PROD"><product><variable identifier="A"/><variable identifier="B"/></product></setCorrectResponse>
</templateProcessing>
<itemBody><p>Với a = <printedVariable identifier="A"/> và b = <printedVariable identifier="B"/>:</p>
<p>a + b = <textEntryInteraction responseIdentifier="SUM"/></p>
<p>a × b = <textEntryInteraction responseIdentifier="PROD"/></p></itemBody>
<responseProcessing>
<responseCondition><responseIf><match><variable identifier="SUM"/><correct identifier="SUM"/></match><setOutcomeValue identifier="SCORE"><sum><variable identifier="SCORE"/><baseValue baseType="float">1</baseValue></sum></setOutcomeValue></responseIf></responseCondition>
<responseCondition><responseIf><match><variable identifier="PROD"/><correct identifier="PROD"/></match><setOutcomeValue identifier="SCORE"><sum><variable identifier="SCORE"/><baseValue baseType="float">1</baseValue></sum></setOutcomeValue></responseIf></responseCondition>
</responseProcessing></assessmentItem>`
	in, qe := parseQTIItem("sumprod.xml", []byte(doc), QTIDefaults{Competence: "1.1", Level: 1})
	if qe != nil {
		t.Fatal(qe)
	}
	b := in.Body
	if b.Type != Composite || len(b.Parts) != 2 || b.Template == nil || b.MaxScore != 2 {
		t.Fatalf("type %s, %d parts, template %v, maximum %v", b.Type, len(b.Parts), b.Template != nil, b.MaxScore)
	}
	nums := regexp.MustCompile(`a = (\d) và b = (\d)`)
	for seed := range uint64(8) {
		inst := b.Instance(seed)
		m := nums.FindStringSubmatch(inst.Stem)
		if m == nil {
			t.Fatalf("draw %d prints no numbers: %q", seed, inst.Stem)
		}
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		sum, prod := strconv.Itoa(x+y), strconv.Itoa(x*y)
		if got := inst.CorrectResponse(); strings.Join(got, "|") != "0:"+sum+"|1:"+prod {
			t.Fatalf("draw %d (%d, %d): correct %q", seed, x, y, got)
		}
		if s := inst.Score([]string{"0:" + sum, "1:" + prod}); s != 2 {
			t.Fatalf("draw %d: its own answers score %v", seed, s)
		}
		if s := inst.Score([]string{"0:" + sum, "1:" + sum}); (x*y == x+y) != (s == 2) {
			t.Fatalf("draw %d: the sum twice scores %v", seed, s)
		}
	}
}

// A shared stimulus (QTI 3's assessmentStimulusRef: a passage in a file
// of its own, with its picture beside it) comes before the question; one
// the package lacks is refused naming it.
func TestQTIStimulusRef(t *testing.T) {
	item := `<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="s1" title="Đọc hiểu" adaptive="false" time-dependent="false">
<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier"><qti-correct-response><qti-value>A</qti-value></qti-correct-response></qti-response-declaration>
<qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
<qti-assessment-stimulus-ref identifier="S" href="../stimuli/passage.xml" title="Đoạn văn"/>
<qti-item-body><qti-choice-interaction response-identifier="RESPONSE" max-choices="1"><qti-prompt>Ai dậy sớm?</qti-prompt>
<qti-simple-choice identifier="A">Lan</qti-simple-choice><qti-simple-choice identifier="B">Minh</qti-simple-choice></qti-choice-interaction></qti-item-body>
<qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"/></qti-assessment-item>`
	stimulus := `<qti-assessment-stimulus xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="S" title="Đoạn văn">
<qti-stimulus-body><p>Lan dậy sớm tưới cây.</p><img src="img/cay.png" alt="cây"/></qti-stimulus-body></qti-assessment-stimulus>`
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
	files := map[string][]byte{"stimuli/passage.xml": []byte(stimulus), "stimuli/img/cay.png": png}
	read := func(p string) ([]byte, error) {
		if b, ok := files[p]; ok {
			return b, nil
		}
		return nil, errs.E(errs.NotFound, "x")
	}
	images := 0
	in, qe := parseQTIItemIn("items/s1.xml", []byte(item), QTIDefaults{Competence: "1.1", Level: 1}, read, &images)
	if qe != nil {
		t.Fatal(qe)
	}
	if !strings.HasPrefix(in.Body.Stem, "Lan dậy sớm tưới cây.") || !strings.Contains(in.Body.Stem, "![cây](/files/qtipending") || !strings.HasSuffix(in.Body.Stem, "Ai dậy sớm?") || len(in.images) != 1 {
		t.Fatalf("stem %q, %d images", in.Body.Stem, len(in.images))
	}
	delete(files, "stimuli/passage.xml")
	_, qe = parseQTIItemIn("items/s1.xml", []byte(item), QTIDefaults{Competence: "1.1", Level: 1}, read, &images)
	if qe == nil || qe.Key != "qti.stimulus_missing" || qe.Element != "assessmentStimulusRef" || qe.Args[0] != "../stimuli/passage.xml" {
		t.Fatalf("missing stimulus: %v", qe)
	}
}

// statsOperator as QTI defines it, over 2, 4, 4, 4, 5, 5, 7, 9: mean 5,
// population variance 4 (SD 2), sample variance 32/7; one value has no
// sample variance; an unknown statistic is refused.
func TestQTIStatsOperator(t *testing.T) {
	vals := []RPNode{}
	for _, v := range []string{"2", "4", "4", "4", "5", "5", "7", "9"} {
		vals = append(vals, RPNode{Op: "basevalue", Attrs: map[string]string{"basetype": "integer"}, Text: v})
	}
	run := func(name string, kids []RPNode) (float64, bool) {
		r := &Rules{Response: "RESPONSE", Cardinality: "single", BaseType: "identifier", Outcomes: []Outcome{{ID: "SCORE", Cardinality: "single", BaseType: "float"}},
			Program: []RPNode{{Op: "setoutcomevalue", Attrs: map[string]string{"identifier": "SCORE"}, Kids: []RPNode{{Op: "statsoperator", Attrs: map[string]string{"name": name},
				Kids: []RPNode{{Op: "ordered", Kids: kids}}}}}}}
		if _, ok := r.check(); !ok {
			return 0, false
		}
		return r.score(nil), true
	}
	for name, want := range map[string]float64{"mean": 5, "popVariance": 4, "popSD": 2, "sampleVariance": 32.0 / 7, "sampleSD": math.Sqrt(32.0 / 7)} {
		if got, ok := run(name, vals); !ok || math.Abs(got-want) > 1e-12 {
			t.Errorf("%s = %v (%v), want %v", name, got, ok, want)
		}
	}
	if got, _ := run("sampleVariance", vals[:1]); got != 0 {
		t.Errorf("sample variance of one value: %v, want null (SCORE 0)", got)
	}
	if _, ok := run("median", vals); ok {
		t.Error("an unknown statistic was accepted")
	}
}

// The fuzz target's graphic seed reads as the fuzzer sees it: a hotspot
// and a point in one item, after a shared stimulus, scored by its rules.
func TestQTIGraphicSeed(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
	read := func(p string) ([]byte, error) {
		if strings.HasSuffix(p, ".xml") {
			return []byte(`<assessmentStimulus identifier="s"><stimulusBody><p>Đoạn văn</p></stimulusBody></assessmentStimulus>`), nil
		}
		return png, nil
	}
	images := 0
	in, qe := parseQTIItemIn("g.xml", []byte(qti21Graphic), QTIDefaults{Competence: "1.1", Level: 1}, read, &images)
	if qe != nil {
		t.Fatal(qe)
	}
	b := in.Body
	if b.Type != Composite || len(b.Parts) != 2 || b.Parts[0].Type != Multiple || b.Parts[1].Type != Point || !strings.HasPrefix(b.Stem, "Đoạn văn") || b.MaxScore != 2 {
		t.Fatalf("read as %s, %d parts, stem %q, max %v", b.Type, len(b.Parts), b.Stem, b.MaxScore)
	}
	for _, c := range []struct {
		resp []string
		want float64
	}{{[]string{"0:A", "0:C", "1:10 5"}, 2}, {[]string{"0:A", "1:30 25"}, 0}, {[]string{"1:10 5"}, 1}} {
		if got := b.Score(c.resp); got != c.want {
			t.Errorf("%q scores %v, want %v", c.resp, got, c.want)
		}
	}
}
