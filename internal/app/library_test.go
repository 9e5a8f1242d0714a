package app

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"dxhub/internal/library"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
)

// addAccount makes an account with one role ("editor@66"), or none.
func addAccount(t *testing.T, ta *testApp, name, grant string) {
	t.Helper()
	sys := auth.WithPrincipal(t.Context(), auth.System())
	if _, err := ta.App.Auth.CreateAccount(sys, auth.NewAccount{Username: name, Email: name + "@example.vn", Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	if grant == "" {
		return
	}
	role, code, _ := strings.Cut(grant, "@")
	u, err := ta.App.Org.UnitByCode(t.Context(), code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Auth.GrantRole(sys, name, auth.Role(role), u.ID, u.Path, ""); err != nil {
		t.Fatal(err)
	}
}

func docOf(t *testing.T, body string) library.Doc {
	t.Helper()
	var d library.Doc
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return d
}

// The editorial workflow, by role and scope: a province's editor drafts,
// its administrator publishes (now or at a time); nobody else sees a
// draft or a scheduled document, another province's editor and
// administrator can do nothing with them, a stale save is refused, and a
// published document is found without diacritics.
func TestLibraryWorkflow(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	addAccount(t, ta, "ed66", "editor@66")
	addAccount(t, ta, "ed75", "editor@75")
	now := time.Now()
	ta.App.Lib.SetClock(func() time.Time { return now })

	draft := `{"kind":"guide","unit_code":"66","title_vi":"Bảo đảm an toàn thông tin khi dùng mạng xã hội","summary_vi":"Năm thói quen an toàn.","body_vi":"Đặt mật khẩu mạnh, bật xác thực hai lớp.","topics":["safety"],"audiences":["citizen"],"competences":["4.1"]}`
	// Another province's editor cannot write for Đắk Lắk.
	apiJSON(t, ta, "ed75", "POST", "/api/v1/library", draft, 403)
	d := docOf(t, apiJSON(t, ta, "ed66", "POST", "/api/v1/library", draft, 201))
	if d.Status != library.Draft || d.Version != 1 || d.UnitCode != "66" {
		t.Fatalf("created: %+v", d)
	}
	// A draft is seen by its unit's editors only.
	apiJSON(t, ta, "", "GET", "/api/v1/library/"+d.ID, "", 401)
	apiJSON(t, ta, "learner", "GET", "/api/v1/library/"+d.ID, "", 404)
	apiJSON(t, ta, "ed75", "GET", "/api/v1/library/"+d.ID, "", 404)
	apiJSON(t, ta, "dongnai", "PUT", "/api/v1/library/"+d.ID, draft, 404)
	if out := apiJSON(t, ta, "", "GET", "/api/v1/library?q=an+toan+thong+tin", "", 200); strings.Contains(out, d.ID) {
		t.Fatal("a draft is listed publicly")
	}
	// The editor cannot publish; neither can another province's administrator.
	apiJSON(t, ta, "ed66", "POST", "/api/v1/library/"+d.ID+"/publish", "", 403)
	apiJSON(t, ta, "dongnai", "POST", "/api/v1/library/"+d.ID+"/publish", "", 404)
	// A second version; a save from the first is stale.
	v2 := strings.Replace(draft, `"kind"`, `"version":1,"kind"`, 1)
	if d2 := docOf(t, apiJSON(t, ta, "ed66", "PUT", "/api/v1/library/"+d.ID, v2, 200)); d2.Version != 2 {
		t.Fatalf("second version: %+v", d2)
	}
	apiJSON(t, ta, "ed66", "PUT", "/api/v1/library/"+d.ID, v2, 409)
	// Scheduled for tomorrow: still private.
	at := now.Add(24 * time.Hour).UnixMilli()
	if s := docOf(t, apiJSON(t, ta, "daklak", "POST", "/api/v1/library/"+d.ID+"/publish", `{"publish_at":`+jsonInt(at)+`}`, 200)); s.Status != library.Published || s.PublishAt != at {
		t.Fatalf("scheduled: %+v", s)
	}
	apiJSON(t, ta, "", "GET", "/api/v1/library/"+d.ID, "", 401)
	if _, page, _ := ta.do(ta.as("ed66"), "GET", "/library/"+d.ID+"?lang=en", nil); !strings.Contains(page, `id="doc-status">Scheduled`) {
		t.Fatal("the editor's page does not say the document is scheduled")
	}
	// An editor no longer changes it: it is published.
	apiJSON(t, ta, "ed66", "PUT", "/api/v1/library/"+d.ID, strings.Replace(draft, `"kind"`, `"version":2,"kind"`, 1), 403)
	// Its time comes.
	now = now.Add(25 * time.Hour)
	out := apiJSON(t, ta, "", "GET", "/api/v1/library/"+d.ID, "", 200)
	if !strings.Contains(out, "Đặt mật khẩu mạnh") {
		t.Fatalf("public: %s", out)
	}
	for _, q := range []string{"an toan thong tin", "AN TOÀN THÔNG TIN", "mang xa hoi", "xac thuc hai lop"} {
		var list struct{ Documents []library.Doc }
		json.Unmarshal([]byte(apiJSON(t, ta, "", "GET", "/api/v1/library?q="+strings.ReplaceAll(q, " ", "+"), "", 200)), &list)
		if len(list.Documents) == 0 || list.Documents[0].ID != d.ID {
			t.Errorf("%q finds %+v", q, list.Documents)
		}
	}
	if _, page, _ := ta.do(ta.client(""), "GET", "/library?q=an+toan+thong+tin&topic=safety&audience=citizen", nil); !strings.Contains(page, "/library/"+d.ID) {
		t.Fatal("the library page does not list it with its filters")
	}
	if _, page, _ := ta.do(ta.client(""), "GET", "/library?topic=ai", nil); strings.Contains(page, "/library/"+d.ID) {
		t.Fatal("the topic filter does not filter")
	}
	var vs struct{ Versions []library.Version }
	json.Unmarshal([]byte(apiJSON(t, ta, "ed66", "GET", "/api/v1/library/"+d.ID+"/versions", "", 200)), &vs)
	if len(vs.Versions) != 2 || vs.Versions[0].Version != 2 {
		t.Fatalf("versions: %+v", vs)
	}
	apiJSON(t, ta, "learner", "GET", "/api/v1/library/"+d.ID+"/versions", "", 403)
	// Archived: gone from the public.
	apiJSON(t, ta, "daklak", "POST", "/api/v1/library/"+d.ID+"/archive", "", 200)
	apiJSON(t, ta, "learner", "GET", "/api/v1/library/"+d.ID, "", 404)
	// Every act is in the audit log.
	var n int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE object_id = $1 AND action LIKE 'library_%'`, d.ID).Scan(&n)
	if n != 4 {
		t.Fatalf("%d audit entries, want 4 (created, updated, published, archived)", n)
	}
}

func jsonInt(v int64) string { b, _ := json.Marshal(v); return string(b) }

// Bad input is refused naming the field, and changes nothing.
func TestLibraryBadInput(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	for _, c := range []struct{ body, field string }{
		{`{"kind":"poem","unit_code":"66","title_vi":"X","body_vi":"Y"}`, "kind"},
		{`{"kind":"news","unit_code":"66","title_vi":"","body_vi":"Y"}`, "title_vi"},
		{`{"kind":"material","unit_code":"66","title_vi":"X","link":"http://example.vn/v"}`, "link"},
		{`{"kind":"news","unit_code":"66","title_vi":"X","body_vi":"Y","topics":["cooking"]}`, "topics"},
		{`{"kind":"legal","unit_code":"VN","title_vi":"X","number":"146/QĐ-TTg","doc_type":"decision","issuer":"Thủ tướng","signed_on":"28/01/2022"}`, "signed_on"},
		{`{"kind":"legal","unit_code":"VN","title_vi":"X","number":"","doc_type":"decision","issuer":"Thủ tướng","signed_on":"2022-01-28"}`, "number"},
		{`{"kind":"legal","unit_code":"VN","title_vi":"X","number":"1/QĐ","doc_type":"decision","issuer":"Thủ tướng","signed_on":"2022-01-28","relations":[{"kind":"implements","target":"999/QĐ-TTg"}]}`, "relations"},
		{`{"kind":"news","unit_code":"NOPE","title_vi":"X","body_vi":"Y"}`, "unit_code"},
	} {
		out := apiJSON(t, ta, "national", "POST", "/api/v1/library", c.body, 400)
		if !strings.Contains(out, `"field":"`+c.field+`"`) {
			t.Errorf("%s: %s (want field %s)", c.body, out, c.field)
		}
	}
	var n int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM lib_docs`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d documents stored from bad input", n)
	}
	apiJSON(t, ta, "", "GET", "/api/v1/library?kind=poem", "", 400)
	apiJSON(t, ta, "", "GET", "/api/v1/library?year=20x6", "", 200) // not a number: no filter
}

// Legal documents: official fields, relations shown both ways by number,
// one document per number; the Atom feed and sitemap read as XML; an
// attachment of a public document is served to anyone, in ranges.
func TestLibraryLegalFeedAndFiles(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	law := docOf(t, apiJSON(t, ta, "national", "POST", "/api/v1/library", `{"kind":"legal","unit_code":"VN","title_vi":"Phê duyệt Đề án nâng cao nhận thức, phổ cập kỹ năng số","number":"146/QĐ-TTg","doc_type":"decision","issuer":"Thủ tướng Chính phủ","signed_on":"2022-01-28","effective_on":"2022-01-28"}`, 201))
	apiJSON(t, ta, "national", "POST", "/api/v1/library/"+law.ID+"/publish", "", 200)
	plan := docOf(t, apiJSON(t, ta, "daklak", "POST", "/api/v1/library", `{"kind":"legal","unit_code":"66","title_vi":"Kế hoạch thực hiện Đề án trên địa bàn tỉnh","number":"1250/KH-UBND","doc_type":"plan","issuer":"UBND tỉnh Đắk Lắk","signed_on":"2022-06-20","relations":[{"kind":"implements","target":"146/QĐ-TTg"}]}`, 201))
	apiJSON(t, ta, "national", "POST", "/api/v1/library", `{"kind":"legal","unit_code":"VN","title_vi":"Trùng số","number":"146/QĐ-TTg","doc_type":"decision","issuer":"Thủ tướng Chính phủ","signed_on":"2022-01-28"}`, 400)
	apiJSON(t, ta, "daklak", "POST", "/api/v1/library/"+plan.ID+"/publish", "", 200)
	got := docOf(t, apiJSON(t, ta, "", "GET", "/api/v1/library/"+law.ID, "", 200))
	if len(got.Relations) != 1 || got.Relations[0].Kind != "implemented_by" || got.Relations[0].DocID != plan.ID {
		t.Fatalf("the law's relations: %+v", got.Relations)
	}
	if _, page, _ := ta.do(ta.client(""), "GET", "/library/"+plan.ID+"?lang=en", nil); !strings.Contains(page, "Implements: <a href=\"/library/"+law.ID) || !strings.Contains(page, "UBND tỉnh Đắk Lắk") {
		t.Fatal("the plan's page does not show its official fields and relation")
	}
	var list struct{ Documents []library.Doc }
	json.Unmarshal([]byte(apiJSON(t, ta, "", "GET", "/api/v1/library?kind=legal&year=2022&issuer=Th%E1%BB%A7+t%C6%B0%E1%BB%9Bng+Ch%C3%ADnh+ph%E1%BB%A7", "", 200)), &list)
	if len(list.Documents) != 1 || list.Documents[0].ID != law.ID {
		t.Fatalf("issuer and year filters: %+v", list.Documents)
	}
	// News in the feed.
	news := docOf(t, apiJSON(t, ta, "daklak", "POST", "/api/v1/library", `{"kind":"news","unit_code":"66","title_vi":"Đắk Lắk ra mắt tổ công nghệ số cộng đồng","title_en":"Dak Lak launches community digital teams","body_vi":"Nội dung tin."}`, 201))
	apiJSON(t, ta, "daklak", "POST", "/api/v1/library/"+news.ID+"/publish", "", 200)
	_, feed, h := ta.do(ta.client(""), "GET", "/news.atom?lang=en", nil)
	var atom struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		Entries []struct {
			Title string `xml:"title"`
			ID    string `xml:"id"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(feed), &atom); err != nil || !strings.HasPrefix(h.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("feed: %v %s", err, feed)
	}
	if len(atom.Entries) != 1 || atom.Entries[0].Title != "Dak Lak launches community digital teams" || !strings.HasSuffix(atom.Entries[0].ID, "/library/"+news.ID) {
		t.Fatalf("feed entries: %+v", atom.Entries)
	}
	_, sm, _ := ta.do(ta.client(""), "GET", "/sitemap.xml", nil)
	var set struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(sm), &set); err != nil || !strings.Contains(sm, "/library/"+law.ID) || len(set.URLs) < 8 {
		t.Fatalf("sitemap: %v %s", err, sm)
	}
	// An attachment: anyone reads it once the document is public, in ranges.
	pdf := "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
	body, ct := multipartFile(t, "file", "quyet-dinh-146.pdf", "application/pdf", []byte(pdf))
	if code, out, _ := ta.do(ta.as("national"), "POST", "/library/"+law.ID+"/files", body, "Content-Type", ct); code != 303 {
		t.Fatalf("attach: %d %.300s", code, out)
	}
	got = docOf(t, apiJSON(t, ta, "", "GET", "/api/v1/library/"+law.ID, "", 200))
	if len(got.Files) != 1 || got.Files[0].Type != "application/pdf" {
		t.Fatalf("files: %+v", got.Files)
	}
	code, part, hh := ta.do(ta.client(""), "GET", "/files/"+got.Files[0].ID, nil, "Range", "bytes=0-7")
	if code != 206 || part != "%PDF-1.4" || hh.Get("Content-Type") != "application/pdf" {
		t.Fatalf("range: %d %q %v", code, part, hh)
	}
	// A script is not an attachment.
	body, ct = multipartFile(t, "file", "x.html", "text/html", []byte("<script>alert(1)</script>"))
	if code, _, _ := ta.do(ta.as("national"), "POST", "/library/"+law.ID+"/files", body, "Content-Type", ct); code != 400 {
		t.Fatalf("an HTML upload: %d", code)
	}
	// A draft's files stay private.
	drafted := docOf(t, apiJSON(t, ta, "daklak", "POST", "/api/v1/library", `{"kind":"guide","unit_code":"66","title_vi":"Nháp","body_vi":"x"}`, 201))
	body, ct = multipartFile(t, "file", "nhap.pdf", "application/pdf", []byte(pdf))
	ta.do(ta.as("daklak"), "POST", "/library/"+drafted.ID+"/files", body, "Content-Type", ct)
	drafted = docOf(t, apiJSON(t, ta, "daklak", "GET", "/api/v1/library/"+drafted.ID, "", 200))
	if len(drafted.Files) != 1 {
		t.Fatalf("draft files: %+v", drafted.Files)
	}
	if code, _, h := ta.do(ta.client(""), "GET", "/files/"+drafted.Files[0].ID, nil); code != 401 && !(code == 303 && strings.HasPrefix(h.Get("Location"), "/login")) {
		t.Fatalf("a draft's file, anonymous: %d", code)
	}
	if code, _, _ := ta.do(ta.as("dongnai"), "GET", "/files/"+drafted.Files[0].ID, nil); code != 404 {
		t.Fatalf("a draft's file, another province: %d", code)
	}
}

// The assistant answers from the public library with citations that
// open the passage, says it does not know otherwise, and keeps a question
// for the editors only with the asker's consent.
func TestLibraryAssistant(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	faq := docOf(t, apiJSON(t, ta, "national", "POST", "/api/v1/library", `{"kind":"faq","unit_code":"VN","title_vi":"Học trên dxhub có mất phí không?","body_vi":"Không. Các khóa kỹ năng số cho người dân trên dxhub đều miễn phí."}`, 201))
	draft := docOf(t, apiJSON(t, ta, "national", "POST", "/api/v1/library", `{"kind":"faq","unit_code":"VN","title_vi":"Giá vàng hôm nay bao nhiêu?","body_vi":"Giá vàng hôm nay là bí mật của bản nháp."}`, 201))
	apiJSON(t, ta, "national", "POST", "/api/v1/library/"+faq.ID+"/publish", "", 200)
	var ans library.Answer
	json.Unmarshal([]byte(apiJSON(t, ta, "", "GET", "/api/v1/ask?q=hoc+tren+dxhub+co+mat+phi+khong", "", 200)), &ans)
	if !ans.Answered || len(ans.Citations) != 1 || ans.Citations[0].DocID != faq.ID || !strings.Contains(ans.Text, "miễn phí") || !strings.Contains(ans.Citations[0].Href, "#:~:text=") {
		t.Fatalf("answer: %+v", ans)
	}
	// A draft is never a source.
	json.Unmarshal([]byte(apiJSON(t, ta, "", "GET", "/api/v1/ask?q=Gi%C3%A1+v%C3%A0ng+h%C3%B4m+nay", "", 200)), &ans)
	if ans.Answered || strings.Contains(fmt.Sprint(ans), draft.ID) {
		t.Fatalf("answered from a draft: %+v", ans)
	}
	if _, page, _ := ta.do(ta.client(""), "GET", "/ask?q=Gi%C3%A1+v%C3%A0ng+h%C3%B4m+nay&lang=en", nil); !strings.Contains(page, "dxhub does not know yet") || !strings.Contains(page, `id="keep-form"`) {
		t.Fatal("the page does not say it does not know, nor offer to ask a person")
	}
	apiJSON(t, ta, "", "GET", "/api/v1/ask?q=", "", 400)
	apiJSON(t, ta, "", "GET", "/api/v1/ask?q="+strings.Repeat("a", 301), "", 400)
	// Kept only with consent.
	apiJSON(t, ta, "", "POST", "/api/v1/ask/keep", `{"question":"Giá vàng hôm nay?","consent":false}`, 400)
	apiJSON(t, ta, "", "POST", "/api/v1/ask/keep", `{"question":"Giá vàng hôm nay?","consent":true}`, 201)
	if code, _, h := ta.do(ta.client(""), "POST", "/ask/keep", strings.NewReader("q=L%C3%A0m+sao+%C4%91%C4%83ng+k%C3%BD&answered=1&helpful=no&consent=1"), "Content-Type", "application/x-www-form-urlencoded"); code != 303 || !strings.Contains(h.Get("Location"), "kept=1") {
		t.Fatalf("keep from the page: %d %v", code, h)
	}
	var qs struct{ Questions []library.Question }
	json.Unmarshal([]byte(apiJSON(t, ta, "national", "GET", "/api/v1/library/questions", "", 200)), &qs)
	if len(qs.Questions) != 2 || qs.Questions[0].Helpful == nil || *qs.Questions[0].Helpful {
		t.Fatalf("kept questions: %+v", qs.Questions)
	}
	apiJSON(t, ta, "learner", "GET", "/api/v1/library/questions", "", 403)
	if _, page, _ := ta.do(ta.as("national"), "GET", "/library/questions", nil); !strings.Contains(page, "/library/new?kind=faq&amp;title_vi=") {
		t.Fatal("the questions page does not offer to answer with an FAQ entry")
	}
}

// A word met only deep in a long body finds the document, after those
// whose title or summary holds it; a document changed later is found by
// its new words only (the index forgets by row on SQLite). Load stores
// a batch whole or, when one document is bad, not at all.
func TestLibraryLongBodiesAndLoad(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	nat := auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "national"))
	long := strings.Repeat("Đoạn văn dài về chuyển đổi số ở địa phương. ", 80) + "\n\nCuối cùng nói về khinh khí cầu."
	deep, err := ta.App.Lib.Create(nat, library.Input{Kind: library.Guide, UnitCode: "VN", TitleVI: "Hướng dẫn dài", BodyVI: long})
	if err != nil {
		t.Fatal(err)
	}
	top, err := ta.App.Lib.Create(nat, library.Input{Kind: library.Guide, UnitCode: "VN", TitleVI: "Khinh khí cầu bay thế nào", BodyVI: "Ngắn."})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{deep.ID, top.ID} {
		if _, err := ta.App.Lib.Publish(nat, id, 0); err != nil {
			t.Fatal(err)
		}
	}
	list, err := ta.App.Lib.List(t.Context(), library.Filter{Q: "khinh khi cau"})
	if err != nil || len(list) != 2 || list[0].ID != top.ID || list[1].ID != deep.ID {
		t.Fatalf("found %v %v", list, err)
	}
	changed := strings.Replace(long, "khinh khí cầu", "tàu ngầm", 1)
	if _, err := ta.App.Lib.Update(nat, deep.ID, library.Input{Kind: library.Guide, UnitCode: "VN", TitleVI: "Hướng dẫn dài", BodyVI: changed}); err != nil {
		t.Fatal(err)
	}
	if list, _ := ta.App.Lib.List(t.Context(), library.Filter{Q: "khinh khi cau"}); len(list) != 1 || list[0].ID != top.ID {
		t.Fatalf("after the change, the old words find %v", list)
	}
	if list, _ := ta.App.Lib.List(t.Context(), library.Filter{Q: "tau ngam"}); len(list) != 1 || list[0].ID != deep.ID {
		t.Fatalf("after the change, the new words find %v", list)
	}
	var before int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM lib_docs`).Scan(&before)
	err = ta.App.Lib.Load(nat, []*library.Doc{{Kind: library.News, UnitCode: "66", TitleVI: "Tin một", BodyVI: "Nội dung."}, {Kind: library.News, UnitCode: "66", TitleVI: "", BodyVI: "Không tiêu đề."}})
	if e, ok := errs.As(err); !ok || e.Field != "title_vi" || !strings.Contains(err.Error(), "document 2") {
		t.Fatalf("a bad batch: %v", err)
	}
	var after int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM lib_docs`).Scan(&after)
	if after != before {
		t.Fatalf("a bad batch stored %d documents", after-before)
	}
	if err := ta.App.Lib.Load(auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "dongnai")), []*library.Doc{{Kind: library.News, UnitCode: "66", TitleVI: "Tin", BodyVI: "x"}}); err == nil {
		t.Fatal("another province loaded documents in Đắk Lắk's name")
	}
	if err := ta.App.Lib.Load(nat, []*library.Doc{{Kind: library.News, UnitCode: "66", TitleVI: "Tin tải vào", BodyVI: "Nội dung."}}); err != nil {
		t.Fatal(err)
	}
	if list, _ := ta.App.Lib.List(t.Context(), library.Filter{Q: "tin tai vao"}); len(list) != 1 {
		t.Fatalf("a loaded document is not found: %v", list)
	}
}

// An attached PDF's text is extracted (by pdftotext, in a bounded
// process) and finds the document; a PDF it cannot read is kept without
// text, found by its name.
func TestLibraryPDFText(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	if ta.App.Lib.PDFText == nil {
		t.Skip("pdftotext is not installed (the test command installs poppler-utils)")
	}
	d := docOf(t, apiJSON(t, ta, "national", "POST", "/api/v1/library", `{"kind":"material","unit_code":"VN","title_vi":"Tài liệu tập huấn","summary_vi":"Bản PDF."}`, 201))
	apiJSON(t, ta, "national", "POST", "/api/v1/library/"+d.ID+"/publish", "", 200)
	pdf := "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
		"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n" +
		"4 0 obj<</Length 52>>stream\nBT /F1 18 Tf 20 80 Td (Huong dan khinh khi cau) Tj ET\nendstream endobj\n" +
		"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
	for name, content := range map[string]string{"tap-huan.pdf": pdf, "hong-nang.pdf": "%PDF-1.4 not really a PDF at all"} {
		body, ct := multipartFile(t, "file", name, "application/pdf", []byte(content))
		if code, out, _ := ta.do(ta.as("national"), "POST", "/library/"+d.ID+"/files", body, "Content-Type", ct); code != 303 {
			t.Fatalf("attach %s: %d %.300s", name, code, out)
		}
	}
	for _, q := range []string{"khinh khi cau", "hong nang"} {
		if list, err := ta.App.Lib.List(t.Context(), library.Filter{Q: q}); err != nil || len(list) != 1 || list[0].ID != d.ID {
			t.Errorf("%q finds %v %v", q, list, err)
		}
	}
}

// A relation never shows a document its reader may not see: another
// province's draft cannot be named as a target, and a draft that
// implements a public decision is not listed on the decision's page.
func TestLibraryRelationsHideDrafts(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	law := docOf(t, apiJSON(t, ta, "national", "POST", "/api/v1/library", `{"kind":"legal","unit_code":"VN","title_vi":"Quyết định công khai","number":"146/QĐ-TTg","doc_type":"decision","issuer":"Thủ tướng Chính phủ","signed_on":"2022-01-28"}`, 201))
	apiJSON(t, ta, "national", "POST", "/api/v1/library/"+law.ID+"/publish", "", 200)
	// Đồng Nai's draft plan implements the decision.
	apiJSON(t, ta, "dongnai", "POST", "/api/v1/library", `{"kind":"legal","unit_code":"75","title_vi":"Dự thảo MAT75SECRET","number":"9/KH-UBND","doc_type":"plan","issuer":"UBND tỉnh Đồng Nai","signed_on":"2026-01-02","relations":[{"kind":"implements","target":"146/QĐ-TTg"}]}`, 201)
	if out := apiJSON(t, ta, "daklak", "GET", "/api/v1/library/"+law.ID, "", 200); strings.Contains(out, "MAT75SECRET") {
		t.Fatalf("the decision lists another province's draft: %s", out)
	}
	if out := apiJSON(t, ta, "dongnai", "GET", "/api/v1/library/"+law.ID, "", 200); !strings.Contains(out, "MAT75SECRET") {
		t.Fatalf("the draft's own editors do not see it among the relations: %s", out)
	}
	// Đắk Lắk cannot name it.
	out := apiJSON(t, ta, "daklak", "POST", "/api/v1/library", `{"kind":"legal","unit_code":"66","title_vi":"Kế hoạch","number":"10/KH-UBND","doc_type":"plan","issuer":"UBND tỉnh Đắk Lắk","signed_on":"2026-01-03","relations":[{"kind":"replaces","target":"9/KH-UBND"}]}`, 400)
	if !strings.Contains(out, `"field":"relations"`) {
		t.Fatalf("naming another province's draft: %s", out)
	}
}

// The generative backend is given only the passages the retrieval chose,
// and its answer is used only when every citation is one of them; when it
// refuses, cites what it was not given, fails or is slow, the extractive
// answer stands, and a backend that failed is left alone for a while.
// No language model can be run on a test machine, so the backend is a
// server speaking the chat-completions protocol whose replies the test
// chooses: what is tested is dxhub's side of the exchange.
func TestLibraryAssistantGenerative(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	faq := docOf(t, apiJSON(t, ta, "national", "POST", "/api/v1/library", `{"kind":"faq","unit_code":"VN","title_vi":"Học trên dxhub có mất phí không?","body_vi":"Không. Các khóa kỹ năng số cho người dân trên dxhub đều miễn phí."}`, 201))
	other := docOf(t, apiJSON(t, ta, "national", "POST", "/api/v1/library", `{"kind":"guide","unit_code":"VN","title_vi":"Cách đặt mật khẩu mạnh","body_vi":"Mật khẩu mạnh dài ít nhất mười hai ký tự và không dùng lại ở nơi khác."}`, 201))
	apiJSON(t, ta, "national", "POST", "/api/v1/library/"+faq.ID+"/publish", "", 200)
	apiJSON(t, ta, "national", "POST", "/api/v1/library/"+other.ID+"/publish", "", 200)

	var mu sync.Mutex
	reply, status, delay, calls := "", 200, time.Duration(0), 0
	var asked []string
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model    string
			Messages []struct{ Role, Content string }
		}
		json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		calls++
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer s3cret" || req.Model != "qwen" || len(req.Messages) != 2 {
			t.Errorf("request: %s %q %q %d", r.URL.Path, r.Header.Get("Authorization"), req.Model, len(req.Messages))
		}
		for _, m := range req.Messages {
			asked = append(asked, m.Content)
		}
		rep, st, d := reply, status, delay
		mu.Unlock()
		time.Sleep(d)
		w.WriteHeader(st)
		json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"index": 0, "message": map[string]string{"role": "assistant", "content": rep}}}})
	}))
	defer backend.Close()
	ta.App.Lib.Gen = &library.Generator{URL: backend.URL + "/v1", Model: "qwen", Token: "s3cret", Timeout: 500 * time.Millisecond}
	set := func(r string, st int, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		reply, status, delay, asked = r, st, d, nil
	}
	ask := func() library.Answer {
		var ans library.Answer
		json.Unmarshal([]byte(apiJSON(t, ta, "", "GET", "/api/v1/ask?q=hoc+tren+dxhub+co+mat+phi+khong", "", 200)), &ans)
		if !ans.Answered || len(ans.Citations) == 0 || ans.Citations[0].DocID != faq.ID {
			t.Fatalf("answer: %+v", ans)
		}
		return ans
	}

	set("Học trên dxhub không mất phí: các khóa kỹ năng số cho người dân đều miễn phí [1].", 200, 0)
	if ans := ask(); !ans.Generated || ans.Text != "Học trên dxhub không mất phí: các khóa kỹ năng số cho người dân đều miễn phí [1]." || len(ans.Citations) != 1 || ans.Citations[0].Passage == "" {
		t.Fatalf("generated answer: %+v", ans)
	}
	mu.Lock()
	prompt := strings.Join(asked, "\n")
	mu.Unlock()
	if !strings.Contains(prompt, "đều miễn phí") || strings.Contains(prompt, "mười hai ký tự") || !strings.Contains(prompt, "hoc tren dxhub") {
		t.Fatalf("the backend was not given the retrieved passage alone: %s", prompt)
	}
	if _, page, _ := ta.do(ta.client(""), "GET", "/ask?q=hoc+tren+dxhub+co+mat+phi+khong", nil); !strings.Contains(page, "mô hình ngôn ngữ") {
		t.Fatal("the page does not say a model wrote the answer")
	}
	// Refusals of the backend's answer: the extraction stands.
	for _, bad := range []string{"UNKNOWN", "Miễn phí [2].", "Miễn phí, theo Bộ Tài chính.", ""} {
		set(bad, 200, 0)
		if ans := ask(); ans.Generated || !strings.Contains(ans.Text, "đều miễn phí") {
			t.Fatalf("answer %q used: %+v", bad, ans)
		}
	}
	// A slow backend is waited for no longer than the timeout, then left
	// alone: the next question does not call it.
	set("Miễn phí [1].", 200, 2*time.Second)
	if ans := ask(); ans.Generated {
		t.Fatalf("a late answer was used: %+v", ans)
	}
	mu.Lock()
	before := calls
	mu.Unlock()
	set("Miễn phí [1].", 200, 0)
	if ans := ask(); ans.Generated {
		t.Fatalf("a backend that just failed was asked again: %+v", ans)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != before {
		t.Fatalf("calls %d, then %d", before, calls)
	}
}
