package assessment

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

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

func FuzzQTIItem(f *testing.F) {
	for _, it := range sample() {
		f.Add([]byte(QTIItem(it)))
	}
	f.Add([]byte(qti21))
	f.Add([]byte(qti21Text))
	f.Add([]byte("<assessmentItem><itemBody>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := parseQTIItem("f.xml", data, QTIDefaults{Competence: "1.1", Level: 1})
		if err == nil {
			if in.Body.Validate() != nil {
				t.Fatalf("accepted an invalid item: %+v", in.Body)
			}
			b := in.Body
			s := b.Score(b.Correct)
			switch {
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
