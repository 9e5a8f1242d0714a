package app

import (
	"archive/zip"
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"regexp"
	"strings"
	"testing"

	"dxhub/internal/assessment"
	"dxhub/internal/demo"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
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

// A zipped folder of item files without a manifest, as people pack what
// an exporter left on disk: its items are read with the images they
// point at (by <img> and by an image <object>, up a folder), a test file
// beside them is not an item, and a zip with no item is refused by name.
func TestQTIFolderZipWithImages(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
	item := strings.Replace(qtiGood, "<prompt>Chọn A</prompt>",
		`<prompt>Chọn A <img src="../img/a.png" alt="biển báo"/> <object type="image/png" data="../img/a.png">sơ đồ</object></prompt>`, 1)
	pkg := zipOf(map[string][]byte{"items/q1.xml": []byte(item), "img/a.png": png,
		"items/test.xml": []byte(`<assessmentTest identifier="t"><testPart><assessmentSection><assessmentItemRef identifier="q1" href="q1.xml"/></assessmentSection></testPart></assessmentTest>`)})
	author := ta.client("author")
	status, body, _ := ta.do(author, "POST", "/api/v1/items/qti?filename=folder.zip&competence=1.1&level=1", pkg, "Content-Type", "application/zip")
	if status != 201 {
		t.Fatalf("import: %d %.500s", status, body)
	}
	refs := regexp.MustCompile(`!\[([^\]]*)\]\(/files/([0-9a-z-]+)\)`).FindAllStringSubmatch(body, -1)
	if len(refs) != 2 || refs[0][1] != "biển báo" || refs[1][1] != "sơ đồ" {
		t.Fatalf("stem does not show both images: %.500s", body)
	}
	s, got, h := ta.do(ta.client("learner"), "GET", "/files/"+refs[1][2], nil)
	if s != 200 || h.Get("Content-Type") != "image/png" || got != string(png) {
		t.Fatalf("stored image: %d %s", s, h.Get("Content-Type"))
	}
	// The export carries the image once, shown where it was, and imports
	// back with it.
	status, exported, _ := ta.do(author, "GET", "/items/qti/export", nil)
	if all := zipText(t, exported); status != 200 || strings.Count(all, string(png)) != 1 || !strings.Contains(all, `<img src="../media/`) || !strings.Contains(all, `alt="sơ đồ"`) {
		t.Fatalf("export: %d, image packed %d times", status, strings.Count(all, string(png)))
	}
	ta2 := newTestApp(t)
	if status, body, _ := ta2.do(ta2.client("author"), "POST", "/api/v1/items/qti?filename=export.zip&competence=1.1&level=1", strings.NewReader(exported), "Content-Type", "application/zip"); status != 201 || len(regexp.MustCompile(`!\[[^\]]*\]\(/files/`).FindAllString(body, -1)) != 2 {
		t.Fatalf("import of the export: %d %.500s", status, body)
	}
	status, body, _ = ta.do(author, "POST", "/api/v1/items/qti?filename=empty.zip&competence=1.1&level=1", zipOf(map[string][]byte{"img/a.png": png}), "Content-Type", "application/zip")
	if status != 422 || !strings.Contains(body, "imsmanifest.xml") {
		t.Fatalf("zip without items: %d %s", status, body)
	}
	status, body, _ = ta.do(author, "POST", "/api/v1/items/qti?filename=noimage.zip&competence=1.1&level=1", zipOf(map[string][]byte{"items/q1.xml": []byte(item)}), "Content-Type", "application/zip")
	if status != 422 || !strings.Contains(body, "../img/a.png") || !strings.Contains(body, "q1.xml") {
		t.Fatalf("zip without its image: %d %s", status, body)
	}
}

// Graphic interactions: 1EdTech's hotspot example, and a graphic order
// and graphic associate written the same way, travel in a package with
// their map (a drawn stand-in of the right size). The picture is shown
// with each area outlined and numbered, the areas are the options, and
// scoring follows QTI (pairs unordered); the export carries the image
// and the hotspots, and imports back to the same scores.
func TestQTIGraphicItems(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	hotspot := interopDoc(t, "qti21/sdk21_hotspot.xml")
	img := image.NewRGBA(image.Rect(0, 0, 206, 280))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		t.Fatal(err)
	}
	areas := `<object type="image/png" data="images/ukair.png">UK Map</object>
<%[1]s shape="circle" coords="77,115,8" identifier="A"%[2]s/><%[1]s shape="circle" coords="118,184,8" identifier="B"%[2]s/>
<%[1]s shape="rect" coords="140,225,160,245" identifier="C"%[2]s/><%[1]s shape="poly" coords="90,108,102,108,96,120" identifier="D"%[2]s/>`
	order := `<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="graphicOrder" title="Lộ trình" adaptive="false" timeDependent="false">
<responseDeclaration identifier="RESPONSE" cardinality="ordered" baseType="identifier"><correctResponse><value>C</value><value>B</value><value>D</value><value>A</value></correctResponse></responseDeclaration>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<itemBody><graphicOrderInteraction responseIdentifier="RESPONSE"><prompt>Xếp các sân bay từ nam lên bắc.</prompt>` + fmt.Sprintf(areas, "hotspotChoice", "") + `</graphicOrderInteraction></itemBody>
<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/></assessmentItem>`
	assoc := `<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="graphicAssociate" title="Đường bay" adaptive="false" timeDependent="false">
<responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="pair"><correctResponse><value>C B</value><value>C D</value></correctResponse>
<mapping lowerBound="0" defaultValue="-1"><mapEntry mapKey="C B" mappedValue="1"/><mapEntry mapKey="C D" mappedValue="1"/></mapping></responseDeclaration>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<itemBody><graphicAssociateInteraction responseIdentifier="RESPONSE" maxAssociations="3"><prompt>Nối các đường bay mới.</prompt>` + fmt.Sprintf(areas, "associableHotspot", ` matchMax="3"`) + `</graphicAssociateInteraction></itemBody>
<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"/></assessmentItem>`
	// Select point as 1EdTech's example writes it: Edinburgh within 16
	// pixels earns the point; two points may be given, within bounds 0…1.
	point := `<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="selectPoint" title="Edinburgh" adaptive="false" timeDependent="false">
<responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="point"><correctResponse><value>102 113</value></correctResponse>
<areaMapping defaultValue="-0.5" lowerBound="0" upperBound="1"><areaMapEntry shape="circle" coords="102,113,16" mappedValue="1"/><areaMapEntry shape="poly" coords="10,10,60,10,35,50" mappedValue="0.5"/></areaMapping></responseDeclaration>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<itemBody><selectPointInteraction responseIdentifier="RESPONSE" maxChoices="2"><prompt>Đánh dấu Edinburgh trên bản đồ.</prompt><object type="image/png" width="206" height="280" data="images/ukair.png">UK Map</object></selectPointInteraction></itemBody>
<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response_point"/></assessmentItem>`
	buf := zipOf(map[string][]byte{"hotspot.xml": hotspot, "order.xml": []byte(order), "assoc.xml": []byte(assoc), "point.xml": []byte(point), "images/ukair.png": pngBuf.Bytes()})
	author := ta.client("author")
	status, body, _ := ta.do(author, "POST", "/api/v1/items/qti?filename=graphic.zip&competence=1.1&level=1", buf, "Content-Type", "application/zip")
	if status != 201 {
		t.Fatalf("import: %d %.500s", status, body)
	}
	bodies := map[string]assessment.Body{}
	for id, it := range itemsOf(t, ta) {
		bodies[it.Body.Type] = it.Body
		wants := map[string][]string{
			assessment.Single:   {`<svg viewBox="0 0 206 280"`, `<circle class="area" cx="77" cy="115" r="8"/>`, `>1</text>`, `name="r" value="A"`, `<image href="/files/`},
			assessment.Ordering: {`<rect class="area" x="140" y="225" width="20" height="20"/>`, `<polygon class="area" points="90,108 102,108 96,120"/>`, `name="pos-C"`},
			assessment.Point:    {`class="point-pick" data-max="2"`, `<input type="text" name="r" value="" size="9"`, `<svg viewBox="0 0 206 280"`},
		}[it.Body.Type]
		_, page, _ := ta.do(author, "GET", "/items/"+id, nil)
		for _, want := range wants {
			if !strings.Contains(page, want) {
				t.Fatalf("%s page lacks %q", it.Body.Type, want)
			}
		}
	}
	checks := func(bodies map[string]assessment.Body, when string) {
		t.Helper()
		for _, c := range []struct {
			typ  string
			resp []string
			want float64
		}{
			{assessment.Single, []string{"A"}, 1}, {assessment.Single, []string{"D"}, 0},
			{assessment.Ordering, []string{"C", "B", "D", "A"}, 1}, {assessment.Ordering, []string{"B", "C", "D", "A"}, 0},
			// Pairs either way round; a wrong pair costs 1, floored at 0.
			{assessment.Matching, []string{"B:R-C", "C:R-D"}, 2}, {assessment.Matching, []string{"D:R-C"}, 1},
			{assessment.Matching, []string{"D:R-C", "A:R-B"}, 0},
			// Inside the circle; in both areas (bounded at 1); in the
			// triangle alone; outside both (−0.5, floored at 0).
			{assessment.Point, []string{"110 120"}, 1}, {assessment.Point, []string{"110 120", "35 20"}, 1},
			{assessment.Point, []string{"35 20"}, 0.5}, {assessment.Point, []string{"35 20", "200 270"}, 0}, {assessment.Point, []string{"150 150"}, 0},
		} {
			b, ok := bodies[c.typ]
			if !ok || b.Picture == nil {
				t.Fatalf("%s: no %s item with a picture", when, c.typ)
			}
			if got := b.Score(c.resp); got != c.want {
				t.Errorf("%s: %s %q scores %v, want %v", when, c.typ, c.resp, got, c.want)
			}
		}
	}
	checks(bodies, "imported")
	pt := bodies[assessment.Point]
	for _, bad := range [][]string{{"300 20"}, {"a b"}, {"1 1", "2 2", "3 3"}} {
		if e, _ := errs.As(pt.CheckResponse(bad)); e == nil || e.Field != "response" {
			t.Errorf("point response %q: %v", bad, e)
		}
	}

	status, pkg, _ := ta.do(author, "GET", "/items/qti/export", nil)
	if status != 200 {
		t.Fatalf("export: %d", status)
	}
	for _, want := range []string{"<qti-select-point-interaction", `<qti-area-map-entry shape="circle" coords="102,113,16" mapped-value="1"/>`, "<qti-hotspot-interaction", `<qti-hotspot-choice identifier="C" shape="rect" coords="140,225,160,245"/>`, "<qti-graphic-order-interaction", "<qti-graphic-associate-interaction", `src="../media/`} {
		if !strings.Contains(zipText(t, pkg), want) {
			t.Fatalf("export lacks %q", want)
		}
	}
	ta2 := newTestApp(t)
	status, body, _ = ta2.do(ta2.client("author"), "POST", "/api/v1/items/qti?filename=export.zip&competence=1.1&level=1", strings.NewReader(pkg), "Content-Type", "application/zip")
	if status != 201 {
		t.Fatalf("import of the export: %d %.500s", status, body)
	}
	back := map[string]assessment.Body{}
	for _, it := range itemsOf(t, ta2) {
		back[it.Body.Type] = it.Body
	}
	checks(back, "exported and imported again")
}

// itemsOf is every item of the bank, by id, as the author reads it.
func itemsOf(t *testing.T, ta *testApp) map[string]*assessment.Item {
	t.Helper()
	p := auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "author"))
	ids, err := db.Strings(t.Context(), ta.App.DB.R, `SELECT id FROM items`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*assessment.Item{}
	for _, id := range ids {
		it, err := ta.App.Bank.Get(p, id)
		if err != nil {
			t.Fatal(err)
		}
		out[id] = it
	}
	return out
}

// zipText is every file of a zip package, one after another.
func zipText(t *testing.T, pkg string) string {
	t.Helper()
	zr, err := zip.NewReader(strings.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range zr.File {
		rc, _ := f.Open()
		io.Copy(&b, rc)
		rc.Close()
	}
	return b.String()
}

// Videos and sounds play with the question: an object of a video type, an
// audio element with a source the package holds (the first it lacks is
// passed over), and a media interaction whose play count is no question.
// They are stored and served as what their bytes are, shown with their
// controls, exported in the package and read back.
func TestQTIMedia(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	webm := append([]byte("\x1a\x45\xdf\xa3"), bytes.Repeat([]byte{0}, 60)...)
	mp3 := append([]byte("ID3\x03\x00\x00\x00\x00\x00\x00"), bytes.Repeat([]byte{0}, 60)...)
	vtt := "WEBVTT\n\n00:00.000 --> 00:02.000\nNgựa được tập giữ bình tĩnh.\n"
	item := `<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p2" identifier="m1" title="Xem và nghe" adaptive="false" timeDependent="false">
<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier"><correctResponse><value>A</value></correctResponse></responseDeclaration>
<responseDeclaration identifier="PLAYS" cardinality="single" baseType="integer"/>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<itemBody><p>Xem đoạn phim và nghe lời dặn.</p>
<mediaInteraction responseIdentifier="PLAYS" autostart="false" minPlays="0" maxPlays="2"><object type="video/webm" data="media/ngua.webm">Ngựa được huấn luyện</object></mediaInteraction>
<video title="Có phụ đề"><source src="media/ngua.webm" type="video/webm"/><track kind="captions" src="media/ngua.vi.vtt" srclang="vi" label="Tiếng Việt"/></video>
<audio controls="controls" title="Lời dặn"><source src="media/loi-dan.ogg" type="audio/ogg"/><source src="media/loi-dan.mp3" type="audio/mpeg"/></audio>
<choiceInteraction responseIdentifier="RESPONSE" maxChoices="1"><prompt>Ngựa được tập để làm gì?</prompt><simpleChoice identifier="A">Giữ bình tĩnh</simpleChoice><simpleChoice identifier="B">Chạy nhanh</simpleChoice></choiceInteraction></itemBody>
<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/></assessmentItem>`
	author := ta.client("author")
	status, body, _ := ta.do(author, "POST", "/api/v1/items/qti?filename=media.zip&competence=1.1&level=1",
		zipOf(map[string][]byte{"m1.xml": []byte(item), "media/ngua.webm": webm, "media/loi-dan.mp3": mp3, "media/ngua.vi.vtt": []byte(vtt)}), "Content-Type", "application/zip")
	if status != 201 {
		t.Fatalf("import: %d %.500s", status, body)
	}
	var it *assessment.Item
	for _, x := range itemsOf(t, ta) {
		it = x
	}
	md := it.Body.Media
	if it.Body.Type != assessment.Single || len(md) != 3 || md[0].Type != "video/webm" || md[2].Type != "audio/mpeg" || md[2].Alt != "Lời dặn" || len(md[1].Tracks) != 1 || md[1].Tracks[0].Lang != "vi" {
		t.Fatalf("read as %s with media %+v", it.Body.Type, md)
	}
	_, page, _ := ta.do(author, "GET", "/items/"+it.ID, nil)
	for _, want := range []string{`<video controls preload="metadata" src="` + md[0].Src + `"`, `<audio controls preload="metadata" src="` + md[2].Src + `" aria-label="Lời dặn">`,
		`<track kind="captions" src="` + md[1].Tracks[0].Src + `" srclang="vi" label="Tiếng Việt">`} {
		if !strings.Contains(page, want) {
			t.Fatalf("item page lacks %q", want)
		}
	}
	if s, got, h := ta.do(ta.client("learner"), "GET", md[1].Tracks[0].Src, nil); s != 200 || h.Get("Content-Type") != "text/vtt" || got != vtt {
		t.Fatalf("captions served as %d %s", s, h.Get("Content-Type"))
	}
	for i, ct := range map[int]string{0: "video/webm", 2: "audio/mpeg"} {
		if s, _, h := ta.do(ta.client("learner"), "GET", it.Body.Media[i].Src, nil); s != 200 || h.Get("Content-Type") != ct || !strings.HasPrefix(h.Get("Content-Disposition"), "inline") {
			t.Fatalf("%s served as %d %s %s", it.Body.Media[i].Src, s, h.Get("Content-Type"), h.Get("Content-Disposition"))
		}
	}
	_, pkg, _ := ta.do(author, "GET", "/items/qti/export", nil)
	if all := zipText(t, pkg); !strings.Contains(all, `<video controls="true" data-dxhub-alt="Ngựa được huấn luyện"><source src="../media/`) || !strings.Contains(all, `type="audio/mpeg"`) ||
		!strings.Contains(all, `<track kind="captions" src="../media/`) || !strings.Contains(all, "Ngựa được tập giữ bình tĩnh.") {
		t.Fatal("the export does not carry the media and their captions")
	}
	ta2 := newTestApp(t)
	if status, body, _ := ta2.do(ta2.client("author"), "POST", "/api/v1/items/qti?filename=export.zip&competence=1.1&level=1", strings.NewReader(pkg), "Content-Type", "application/zip"); status != 201 {
		t.Fatalf("import of the export: %d %.400s", status, body)
	}
	for _, back := range itemsOf(t, ta2) {
		if len(back.Body.Media) != 3 || len(back.Body.Media[1].Tracks) != 1 || back.Body.Media[2].Alt != "Lời dặn" || back.Body.Score([]string{"A"}) != 1 {
			t.Fatalf("read back with media %+v", back.Body.Media)
		}
	}
	// A sound the package lacks in every form is refused by name, and so
	// are captions it lacks.
	status, body, _ = ta.do(author, "POST", "/api/v1/items/qti?filename=novtt.zip&competence=1.1&level=1",
		zipOf(map[string][]byte{"m1.xml": []byte(item), "media/ngua.webm": webm, "media/loi-dan.mp3": mp3}), "Content-Type", "application/zip")
	if status != 422 || !strings.Contains(body, "media/ngua.vi.vtt") {
		t.Fatalf("missing captions: %d %s", status, body)
	}
	status, body, _ = ta.do(author, "POST", "/api/v1/items/qti?filename=nomedia.zip&competence=1.1&level=1",
		zipOf(map[string][]byte{"m1.xml": []byte(item), "media/ngua.webm": webm, "media/ngua.vi.vtt": []byte(vtt)}), "Content-Type", "application/zip")
	if status != 422 || !strings.Contains(body, "media/loi-dan.ogg") {
		t.Fatalf("missing sound: %d %s", status, body)
	}
}
