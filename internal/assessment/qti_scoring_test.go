package assessment

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// interop is the folder of real QTI items written by others (shared/,
// beside the repository).
func interop(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "interop", "examples", rel))
	if err != nil {
		t.Skipf("shared interop examples not found: %v", err)
	}
	return b
}

// TestQTIScoringTable scores real items written by others as the QTI
// standard says: for each, responses and the score and maximum that the
// item's own response processing gives them.
func TestQTIScoringTable(t *testing.T) {
	type want struct {
		resp  []string
		score float64
	}
	for _, tc := range []struct {
		file  string
		max   float64
		cases []want
	}{
		// map_response, default-value -2 for unmapped, bounds 0…2.
		{"qti30/ims3_choice_multiple.xml", 2, []want{
			{[]string{"H", "O"}, 2}, {[]string{"H"}, 1}, {[]string{"H", "O", "Cl"}, 1},
			{[]string{"H", "O", "N"}, 0}, {[]string{"H", "O", "Cl", "N", "C", "He"}, 0}, {nil, 0},
		}},
		// The same in QTI 2.1.
		{"qti21/sdk21_choice_multiple.xml", 2, []want{
			{[]string{"H", "O"}, 2}, {[]string{"H", "O", "Cl", "N", "C", "He"}, 0},
		}},
		// No maximum declared and no upper bound: the maximum is what the
		// mapping can give (1 + 0.5 + 0.5 + 1 = 3).
		{"qti30/ims3_match.xml", 3, []want{
			{[]string{"C:R"}, 1}, {[]string{"C:R", "D:M", "L:M", "P:T"}, 3}, {[]string{"C:M"}, 0}, {[]string{"D:M", "L:M"}, 1},
		}},
		// Text entry by the mapping: York 1, york 0.5, anything else 0.
		{"qti30/ims3_text_entry.xml", 1, []want{
			{[]string{"York"}, 1}, {[]string{"york"}, 0.5}, {[]string{"YORK"}, 0}, {[]string{"London"}, 0},
		}},
		{"qti30/cito_example-text-entry.xml", 1, []want{{[]string{"York"}, 1}, {[]string{"york"}, 0.5}}},
		// Mapped values 1, 2, 5, -1, -2, -5, bounds 0…6.
		{"qti30/cito_map-response-identifier.xml", 6, []want{
			{[]string{"choice_a", "choice_b"}, 3}, {[]string{"choice_a", "choice_b", "choice_c"}, 6}, {[]string{"choice_c", "choice_d"}, 4},
			{[]string{"choice_d", "choice_e"}, 0}, {[]string{"choice_f", "choice_c"}, 0},
		}},
		// Hot text: one of the numbered words of the passage.
		{"qti21/sdk21_hottext.xml", 1, []want{{[]string{"B"}, 1}, {[]string{"A"}, 0}}},
		{"qti30/ims3_hottext.xml", 1, []want{{[]string{"B"}, 1}, {[]string{"E"}, 0}}},
		// Gap match: W into G1 is 1, Su into G2 is 2, any other pair -1,
		// bounded below by 0; dxhub writes a pair as gap:text.
		{"qti21/sdk21_gap_match.xml", 3, []want{
			{[]string{"G1:W", "G2:Su"}, 3}, {[]string{"G1:W"}, 1}, {[]string{"G1:W", "G2:Sp"}, 0}, {[]string{"G1:Su", "G2:Su"}, 1}, {[]string{"G1:A"}, 0},
		}},
		// Rules of the item's own, run as written. Full marks (2) for the
		// right order, 1 for one near order, else 0; the maximum is what
		// the correct order earns.
		{"qti30/ims3_order_partial_scoring.xml", 2, []want{
			{[]string{"DriverC", "DriverA", "DriverB"}, 2}, {[]string{"DriverC", "DriverB", "DriverA"}, 1}, {[]string{"DriverA", "DriverB", "DriverC"}, 0}, {nil, 0},
		}},
		// Two sets of steps are each right (no correct response declared).
		{"qti30/ims3_choice_multiple_chocolade.xml", 1, []want{
			{[]string{"C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "C10"}, 1},
			{[]string{"C10", "C09", "C08", "C07", "C06", "C05", "C04", "C03", "C02", "C01"}, 1},
			{[]string{"C11", "C05", "C06", "C07", "C08", "C12", "C13", "C14"}, 1},
			{[]string{"C01", "C02"}, 0}, {[]string{"C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "C11"}, 0},
		}},
		// QTI 2.1's version writes each set as one value with spaces.
		{"qti21/sdk21_choice_multiple_chocolade.xml", 1, []want{
			{[]string{"C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "C10"}, 1}, {[]string{"C01"}, 0},
		}},
		// SCORE set from the outcome MAXSCORE (10) when the answer is right.
		{"qti21/sdk21_modalFeedback.xml", 10, []want{{[]string{"true"}, 10}, {[]string{"false"}, 0}}},
		// The mapping first (2 each for A and B, -2 for the others, bounds
		// 0…5), then 5 when the set is exactly right.
		{"qti21/qw_stomp_chc_mulS.xml", 5, []want{
			{[]string{"ChoiceA", "ChoiceB"}, 5}, {[]string{"ChoiceA"}, 2}, {[]string{"ChoiceA", "ChoiceC"}, 0}, {[]string{"ChoiceA", "ChoiceB", "ChoiceC"}, 2},
		}},
		// match_correct: all or nothing.
		{"qti30/cito_match-correct-identifier.xml", 1, []want{{[]string{"choice_a"}, 1}, {[]string{"choice_b"}, 0}}},
		// Composite items: several interactions scored together by their
		// rules. A choice, an inline choice, a text entry and a gap match
		// (pairs as QTI writes them: text, gap), each worth 1, the text
		// entry 0.5 for "bad king" and 0.2 for any other king.
		{"qti21/sdk21_multi-input.xml", 4, []want{
			{[]string{"0:ChoiceA", "1:A2", "2:wicked king", "3:G1:F", "3:G2:C", "3:G3:H"}, 4},
			{[]string{"0:ChoiceA", "1:A2", "2:evil king", "3:G1:F", "3:G2:C", "3:G3:H"}, 3.5},
			{[]string{"0:ChoiceB", "1:A2", "2:the King"}, 1.2},
			{[]string{"3:G1:F", "3:G2:C", "3:G3:S"}, 0},
			{nil, 0},
		}},
		// A mapped choice (6 for the best, 3 for the next) and an inline
		// choice worth 1, added up.
		{"qti21/sdkc_multiple_interactions.xml", 7, []want{
			{[]string{"0:Choice_3", "1:Choice_1"}, 7}, {[]string{"0:Choice_4", "1:Choice_1"}, 4}, {[]string{"0:Choice_5", "1:Choice_2"}, 0}, {[]string{"1:Choice_1"}, 1},
		}},
		// Six gaps, one point each, compared exactly as QTI's match does.
		{"qti21/qw_language_habenprompt.xml", 6, []want{
			{[]string{"0:habe", "1:hast", "2:hat", "3:haben", "4:haben", "5:haben"}, 6},
			{[]string{"0:habe", "1:hast", "2:Hat", "3:haben"}, 3},
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			in, qe := parseQTIItem(tc.file, interop(t, tc.file), QTIDefaults{Competence: "1.1", Level: 1})
			if qe != nil {
				t.Fatalf("refused: %v", qe)
			}
			if in.Body.MaxScore != tc.max {
				t.Errorf("maximum %v, want %v", in.Body.MaxScore, tc.max)
			}
			for _, c := range tc.cases {
				if got := in.Body.Score(c.resp); math.Abs(got-c.score) > 1e-9 {
					t.Errorf("%v scores %v, want %v", c.resp, got, c.score)
				}
			}
			// dxhub's export of the item scores the same when read again.
			doc := QTIItem(&Item{ID: "x", Body: in.Body})
			back, qe := parseQTIItem("x.xml", []byte(doc), QTIDefaults{Competence: "1.1", Level: 1})
			if qe != nil {
				t.Fatalf("its export is refused: %v\n%s", qe, doc)
			}
			if back.Body.MaxScore != tc.max {
				t.Errorf("exported: maximum %v, want %v", back.Body.MaxScore, tc.max)
			}
			for _, c := range tc.cases {
				if got := back.Body.Score(c.resp); math.Abs(got-c.score) > 1e-9 {
					t.Errorf("exported: %v scores %v, want %v\n%s", c.resp, got, c.score, doc)
				}
			}
		})
	}
}

// max-choices and min-choices are kept and enforced.
func TestQTIChoiceBounds(t *testing.T) {
	in, qe := parseQTIItem("min_max.xml", interop(t, "qti21/sdkc_choice_min_max.xml"), QTIDefaults{Competence: "1.1", Level: 1})
	if qe != nil {
		t.Fatalf("refused: %v", qe)
	}
	b := in.Body
	if b.MaxChoices == 0 && b.MinChoices == 0 {
		t.Fatalf("bounds dropped: %+v", b)
	}
	var ids []string
	for _, o := range b.Options {
		ids = append(ids, o.ID)
	}
	if b.MaxChoices > 0 && b.CheckResponse(ids[:b.MaxChoices]) != nil {
		t.Errorf("%d choices refused", b.MaxChoices)
	}
	if b.MaxChoices > 0 && b.MaxChoices < len(ids) && b.CheckResponse(ids[:b.MaxChoices+1]) == nil {
		t.Errorf("%d choices accepted, max %d", b.MaxChoices+1, b.MaxChoices)
	}
	if b.MinChoices > 1 && b.CheckResponse(ids[:1]) == nil {
		t.Errorf("1 choice accepted, min %d", b.MinChoices)
	}
}

// The standard templates written out as rules, as exporters commonly do
// (the rules of 1EdTech's match_correct.xml and map_response.xml), are
// taken as the templates; other rules are refused naming the element.
func TestQTIExplicitTemplates(t *testing.T) {
	matchRules := `<responseProcessing><responseCondition><responseIf><match><variable identifier="RESPONSE"/><correct identifier="RESPONSE"/></match>
		<setOutcomeValue identifier="SCORE"><baseValue baseType="float">2</baseValue></setOutcomeValue></responseIf>
		<responseElse><setOutcomeValue identifier="SCORE"><baseValue baseType="float">0</baseValue></setOutcomeValue></responseElse></responseCondition></responseProcessing>`
	mapRules := `<responseProcessing><responseCondition><responseIf><isNull><variable identifier="RESPONSE"/></isNull>
		<setOutcomeValue identifier="SCORE"><baseValue baseType="float">0.0</baseValue></setOutcomeValue></responseIf>
		<responseElse><setOutcomeValue identifier="SCORE"><mapResponse identifier="RESPONSE"/></setOutcomeValue></responseElse></responseCondition></responseProcessing>`
	tmpl := `<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>`
	in, qe := parseQTIItem("m.xml", []byte(strings.Replace(qti21, tmpl, matchRules, 1)), QTIDefaults{Competence: "1.1", Level: 1})
	if qe != nil || in.Body.MaxScore != 2 || in.Body.Score([]string{"ChoiceB"}) != 2 || in.Body.Score([]string{"ChoiceA"}) != 0 {
		t.Fatalf("match_correct as rules: %+v %v", in.Body, qe)
	}
	multi := interop(t, "qti21/sdk21_choice_multiple.xml")
	doc := regexp.MustCompile(`(?s)<responseProcessing[^>]*/>`).ReplaceAllString(string(multi), mapRules)
	in, qe = parseQTIItem("mr.xml", []byte(doc), QTIDefaults{Competence: "1.1", Level: 1})
	if qe != nil || in.Body.Score([]string{"H", "O"}) != 2 || in.Body.Score([]string{"H", "O", "Cl", "N", "C", "He"}) != 0 {
		t.Fatalf("map_response as rules: %+v %v", in.Body, qe)
	}
	_, qe = parseQTIItem("x.xml", []byte(strings.Replace(qti21, tmpl, strings.Replace(matchRules, `identifier="SCORE"`, `identifier="MARK"`, 1), 1)), QTIDefaults{Competence: "1.1", Level: 1})
	if qe == nil || qe.Element != "setoutcomevalue" {
		t.Fatalf("other rules: %v", qe)
	}
}

// What dxhub exports reads as others expect: line breaks as <br/>, one
// correct value for a single response, modal feedback in a content body
// with the FEEDBACK outcome set, a plain title cut at a word, the item's
// language, True/False labels in it, QTI mapping bounds kept; and a real
// item exported and imported back scores the same.
func TestQTIExportForOthers(t *testing.T) {
	it := sample()[0]
	it.Body.Stem = "**Mật khẩu** nào an toàn nhất cho tài khoản ngân hàng điện tử của bạn trong năm 2026 này?\ndòng hai"
	doc := QTIItem(it)
	for _, want := range []string{"<br/>", `<qti-modal-feedback outcome-identifier="FEEDBACK" identifier="EXPLANATION" show-hide="show"><qti-content-body><p>Vì b đúng.</p></qti-content-body>`,
		`<qti-set-outcome-value identifier="FEEDBACK"><qti-base-value base-type="identifier">EXPLANATION</qti-base-value>`,
		`title="Mật khẩu nào an toàn nhất cho tài khoản ngân hàng điện tử của bạn trong năm…"`, `xml:lang="vi"`} {
		if !strings.Contains(doc, want) {
			t.Errorf("export lacks %s:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, "&#xA;") {
		t.Errorf("line break written as &#xA;:\n%s", doc)
	}
	in, qe := parseQTIItem("x.xml", []byte(doc), QTIDefaults{})
	if qe != nil || in.Body.Feedback != "Vì b đúng." || in.Body.Score([]string{"B"}) != 1 {
		t.Fatalf("feedback form read back: %+v %v", in.Body, qe)
	}
	short := sample()[5]
	if doc := QTIItem(short); strings.Count(doc, "<qti-value>") != 1 {
		t.Errorf("single cardinality with %d correct values", strings.Count(doc, "<qti-value>"))
	}
	tf := &Item{ID: "tf", Body: Body{Type: TrueFalse, Stem: "Is a password a secret?", Correct: []string{"true"}}}
	tf.Body.Validate()
	if doc := QTIItem(tf); !strings.Contains(doc, `identifier="true">True<`) || !strings.Contains(doc, `xml:lang="en"`) {
		t.Errorf("English true/false:\n%s", doc)
	}
	for _, file := range []string{"qti30/ims3_choice_multiple.xml", "qti30/ims3_text_entry.xml", "qti30/cito_map-response-identifier.xml", "qti30/ims3_match.xml"} {
		orig, qe := parseQTIItem(file, interop(t, file), QTIDefaults{Competence: "1.1", Level: 1})
		if qe != nil {
			t.Fatalf("%s: %v", file, qe)
		}
		back, qe := parseQTIItem(file, []byte(QTIItem(&Item{ID: "x", Body: orig.Body})), QTIDefaults{Competence: "1.1", Level: 1})
		if qe != nil {
			t.Fatalf("%s exported: %v", file, qe)
		}
		for _, resp := range [][]string{orig.Body.Correct, {"york"}, {"H", "O", "Cl", "N"}, {"choice_c", "choice_d"}, {"C:R", "D:M"}} {
			if a, b := orig.Body.Score(resp), back.Body.Score(resp); a != b {
				t.Errorf("%s %v: %v before export, %v after", file, resp, a, b)
			}
		}
		if orig.Body.MaxScore != back.Body.MaxScore {
			t.Errorf("%s: maximum %v before, %v after", file, orig.Body.MaxScore, back.Body.MaxScore)
		}
	}
}

// An inline choice scores as a single choice, its gap kept in the
// sentence; rubric blocks for the candidate stay, accessibility metadata
// is left out.
func TestQTIInlineChoiceAndRubric(t *testing.T) {
	in, qe := parseQTIItem("ic.xml", interop(t, "qti30/ims3_inline_choice.xml"), QTIDefaults{Competence: "1.1", Level: 1})
	if qe != nil {
		t.Fatalf("refused: %v", qe)
	}
	if in.Body.Type != Single || !strings.Contains(in.Body.Stem, gap) || in.Body.Score(in.Body.Correct) != in.Body.MaxScore || len(in.Body.Options) < 2 {
		t.Fatalf("%+v", in.Body)
	}
}

// Associate interactions (1EdTech's example) score their pairs by the
// mapping, in either order.
func TestQTIAssociate(t *testing.T) {
	in, qe := parseQTIItem("a.xml", interop(t, "qti30/ims3_associate.xml"), QTIDefaults{Competence: "1.1", Level: 1})
	if qe != nil {
		t.Fatalf("refused: %v", qe)
	}
	if in.Body.MaxScore != 4 || in.Body.Score([]string{"A:R-P"}) != 2 || in.Body.Score([]string{"A:R-P", "C:R-M", "D:R-L"}) != 4 || in.Body.Score([]string{"C:R-P"}) != 0 {
		t.Fatalf("%+v", in.Body)
	}
}

// An item with template processing (qtiworks' UPMC addition: two numbers
// drawn per attempt, the answer their sum to two places, worth 10) draws
// afresh for each seed and the same for the same seed, prints the numbers
// in the question and its feedback, scores each draw's own sum full marks
// and a near miss nothing, and travels out and back in QTI 3 drawing the
// same numbers.
func TestQTITemplateAddition(t *testing.T) {
	in, qe := parseQTIItem("addition.xml", interop(t, "qti21/qw_upmc_addition.xml"), QTIDefaults{Competence: "1.1", Level: 1})
	if qe != nil {
		t.Fatal(qe)
	}
	b := in.Body
	if b.Template == nil || b.Rules == nil || b.MaxScore != 10 || b.Validate() != nil {
		t.Fatalf("%+v", b)
	}
	sum := regexp.MustCompile(`Compute: ([\d.]+) \+ ([\d.]+) =`)
	stems := map[string]bool{}
	for seed := range uint64(20) {
		inst := b.Instance(seed)
		if again := b.Instance(seed); again.Stem != inst.Stem {
			t.Fatalf("seed %d drew twice differently: %q %q", seed, inst.Stem, again.Stem)
		}
		m := sum.FindStringSubmatch(inst.Stem)
		if m == nil || strings.Contains(inst.Stem+inst.Feedback, "⟦") {
			t.Fatalf("seed %d: stem %q feedback %q", seed, inst.Stem, inst.Feedback)
		}
		stems[inst.Stem] = true
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		right := strconv.FormatFloat(x+y, 'f', 2, 64)
		if got := inst.Score([]string{right}); got != 10 {
			t.Fatalf("seed %d: %s + %s = %s scores %g", seed, m[1], m[2], right, got)
		}
		if got := inst.Score([]string{strconv.FormatFloat(x+y+0.01, 'f', 2, 64)}); got != 0 {
			t.Fatalf("seed %d: a near miss scores %g", seed, got)
		}
		if !strings.Contains(inst.Feedback, right) && !strings.Contains(inst.Feedback, strconv.FormatFloat(x+y, 'g', 6, 64)) {
			t.Fatalf("seed %d: feedback %q does not give the sum %s", seed, inst.Feedback, right)
		}
		if b.Template == nil || strings.Contains(b.Stem, m[1]+" +") {
			t.Fatal("drawing changed the stored item")
		}
	}
	if len(stems) < 15 {
		t.Fatalf("20 draws gave %d different questions", len(stems))
	}
	out := QTIItem(&Item{ID: "t1", Body: b, Competence: "1.1", Level: 1})
	for _, want := range []string{"<qti-template-declaration identifier=\"a\"", "<qti-template-processing><qti-set-template-value", "<qti-random-float", "<qti-printed-variable identifier=\"a\"/>", "<qti-set-correct-response identifier=\"RESPONSE\">"} {
		if !strings.Contains(out, want) {
			t.Fatalf("export lacks %s:\n%s", want, out)
		}
	}
	back, qe := parseQTIItem("t1.xml", []byte(out), QTIDefaults{Competence: "1.1", Level: 1})
	if qe != nil {
		t.Fatalf("%v\n%s", qe, out)
	}
	for seed := range uint64(5) {
		if x, y := b.Instance(seed), back.Body.Instance(seed); x.Stem != y.Stem || x.Score(x.Correct) != y.Score(x.Correct) {
			t.Fatalf("seed %d after the round trip: %q / %q", seed, x.Stem, y.Stem)
		}
	}
}

// A choice item whose template hides options and sets the correct one
// (oat-sa's mc_calc3): each draw's correct option earns the item's
// declared 2 points and the others nothing.
func TestQTITemplateChoice(t *testing.T) {
	in, qe := parseQTIItem("calc3.xml", interop(t, "qti21/sdk21_mc_calc3.xml"), QTIDefaults{Competence: "1.1", Level: 1})
	if qe != nil {
		t.Fatal(qe)
	}
	b := in.Body
	if b.Template == nil || b.MaxScore != 2 {
		t.Fatalf("%+v", b)
	}
	for seed := range uint64(10) {
		inst := b.Instance(seed)
		if len(inst.Correct) != 1 || inst.Score(inst.Correct) != 2 || strings.Contains(inst.Stem, "⟦") {
			t.Fatalf("seed %d: correct %v scores %g; stem %q", seed, inst.Correct, inst.Score(inst.Correct), inst.Stem)
		}
		for _, o := range inst.Options {
			if o.ID != inst.Correct[0] && inst.Score([]string{o.ID}) != 0 {
				t.Fatalf("seed %d: wrong option %s scores", seed, o.ID)
			}
		}
	}
}
