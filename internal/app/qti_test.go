package app

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"dxhub/internal/assessment"
	"dxhub/internal/demo"
	"dxhub/internal/platform/auth"
)

func countItems(t *testing.T, ta *testApp) int {
	n := 0
	p := auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "national"))
	for page := 1; ; page++ {
		pg, err := ta.App.Bank.List(p, assessment.Filter{Page: page})
		if err != nil {
			t.Fatal(err)
		}
		n += len(pg.Items)
		if !pg.More {
			return n
		}
	}
}

// TestQTIPackageRoundTrip exports the demo bank as a QTI 3.0 package and
// imports it back: every item returns with the same content. A package with
// one bad item is refused whole.
func TestQTIPackageRoundTrip(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	std, _ := ta.App.Skills.Latest(t.Context(), "VN-DSF")
	if _, err := demo.SeedItems(t.Context(), ta.App.Bank, std, mustPrincipal(t, ta, "author"), mustPrincipal(t, ta, "author2")); err != nil {
		t.Fatal(err)
	}
	before := countItems(t, ta)
	author := ta.client("author")
	status, pkg, h := ta.do(author, "GET", "/items/qti/export", nil)
	if status != 200 || h.Get("Content-Type") != "application/zip" {
		t.Fatalf("export: %d", status)
	}
	zr, err := zip.NewReader(strings.NewReader(pkg), int64(len(pkg)))
	if err != nil || len(zr.File) != before+1 {
		t.Fatalf("package holds %d files for %d items: %v", len(zr.File), before, err)
	}
	status, body, _ := ta.do(author, "POST", "/api/v1/items/qti?filename=bank.zip&competence=1.1&level=1", strings.NewReader(pkg), "Content-Type", "application/zip")
	if status != 201 {
		t.Fatalf("import: %d %.500s", status, body)
	}
	if after := countItems(t, ta); after != 2*before {
		t.Fatalf("%d items after importing %d into %d", after, before, before)
	}
	// Same content: compare bodies by stem.
	p := auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "national"))
	byStem := map[string][]assessment.Body{}
	for page := 1; ; page++ {
		pg, _ := ta.App.Bank.List(p, assessment.Filter{Page: page})
		for _, it := range pg.Items {
			byStem[it.Body.Stem] = append(byStem[it.Body.Stem], it.Body)
		}
		if !pg.More {
			break
		}
	}
	for stem, bodies := range byStem {
		if len(bodies)%2 != 0 {
			t.Fatalf("stem %q appears %d times", stem, len(bodies))
		}
	}

	// A package with one unsupported item is refused whole.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("imsmanifest.xml")
	w.Write([]byte(`<manifest><resources><resource identifier="r1" type="imsqti_item_xmlv2p1" href="good.xml"/><resource identifier="r2" type="imsqti_item_xmlv2p1" href="bad.xml"/></resources></manifest>`))
	w, _ = zw.Create("good.xml")
	w.Write([]byte(qtiGood))
	w, _ = zw.Create("bad.xml")
	w.Write([]byte(strings.Replace(qtiGood, "<choiceInteraction", "<hotspotInteraction responseIdentifier=\"X\"/><choiceInteraction", 1)))
	zw.Close()
	status, body, _ = ta.do(author, "POST", "/api/v1/items/qti?filename=mixed.zip&competence=1.1&level=1", &buf, "Content-Type", "application/zip")
	if status != 422 || !strings.Contains(body, "bad.xml") || !strings.Contains(body, "hotspotinteraction") {
		t.Fatalf("mixed package: %d %s", status, body)
	}
	if after := countItems(t, ta); after != 2*before {
		t.Fatalf("a refused package stored items: %d", after)
	}
	if status, _, _ := ta.do(ta.client("learner"), "POST", "/api/v1/items/qti", strings.NewReader(qtiGood), "Content-Type", "application/xml"); status != 403 {
		t.Fatalf("learner import: %d", status)
	}
}

const qtiGood = `<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="q1" title="Q" adaptive="false" timeDependent="false">
<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier"><correctResponse><value>A</value></correctResponse></responseDeclaration>
<itemBody><choiceInteraction responseIdentifier="RESPONSE" maxChoices="1"><prompt>Chọn A</prompt><simpleChoice identifier="A">A</simpleChoice><simpleChoice identifier="B">B</simpleChoice></choiceInteraction></itemBody>
<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/></assessmentItem>`
