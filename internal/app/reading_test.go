package app

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"dxhub/internal/demo"
	"dxhub/internal/monitor"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
)

// TestTimesInLocalZone: a session typed as 08:00 is 08:00 Vietnam time
// (01:00 UTC), shown so, and shown as 10:00 to a person who chose Tokyo.
func TestTimesInLocalZone(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	bp, _ := examFixture(t, ta, "")
	nat := ta.client("national")
	fb, k, v := form(url.Values{"blueprint_id": {bp}, "name": {"Ca giờ địa phương"}, "unit_code": {"66"}, "opens_at": {"2026-12-20T08:00"}, "closes_at": {"2026-12-21T17:30"}, "eligibility": {"open"}})
	if s, body, _ := ta.do(nat, "POST", "/exam-sessions", fb, k, v); s != 303 {
		t.Fatalf("session form: %d %s", s, body)
	}
	var opens int64
	if err := ta.App.DB.R.QueryRow(`SELECT opens_at FROM exam_sessions WHERE name = $1`, "Ca giờ địa phương").Scan(&opens); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 20, 1, 0, 0, 0, time.UTC).UnixMilli(); opens != want {
		t.Fatalf("08:00 typed in Vietnam stored as %v, want %v", time.UnixMilli(opens).UTC(), time.UnixMilli(want).UTC())
	}
	_, page, _ := ta.do(nat, "GET", "/exams/manage", nil)
	if !strings.Contains(page, "20/12/2026 08:00") || !strings.Contains(page, "21/12/2026 17:30") || strings.Contains(page, "UTC") || !strings.Contains(page, "Mở lúc (giờ Việt Nam)") {
		t.Fatal("the manage page does not show the session in Vietnam time as dd/mm/yyyy")
	}
	_, page, _ = ta.do(nat, "GET", "/exams/manage?lang=en", nil)
	if !strings.Contains(page, "20 Dec 2026, 08:00") {
		t.Fatal("English dates are not written the English way")
	}
	fb, k, v = form(url.Values{"time_zone": {"Asia/Tokyo"}})
	if s, _, _ := ta.do(nat, "POST", "/account/time-zone", fb, k, v); s != 303 {
		t.Fatalf("time zone form: %d", s)
	}
	_, page, _ = ta.do(nat, "GET", "/exams/manage", nil)
	if !strings.Contains(page, "20/12/2026 10:00") {
		t.Fatal("a person in Tokyo does not see the session in Tokyo time")
	}
	fb, k, v = form(url.Values{"time_zone": {"Mars/Olympus"}})
	if s, body, _ := ta.do(nat, "POST", "/account/time-zone", fb, k, v); s != 400 || !strings.Contains(body, "Múi giờ không có trong danh sách") {
		t.Fatalf("an unknown zone: %d", s)
	}
}

// TestMonitoringReadsTrue: Vietnamese numbers, coverage, a figure that
// cannot be right flagged, ranking by kind with ties, breadcrumbs a
// reporter may follow, report errors named by label, last period shown.
func TestMonitoringReadsTrue(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	monFixture(t, ta)
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	if _, err := ta.App.Org.CreateUnit(ctx, org.NewUnit{Code: "B01", Type: org.TypeMinistry, NameVI: "Bộ Thử nghiệm", ParentCode: org.NationCode}); err != nil {
		t.Fatal(err)
	}
	report := func(unit, period, working, using string) {
		t.Helper()
		if _, _, err := ta.App.Mon.SaveReport(ctx, demo.MonthlyDataset, unit, period, monitor.Entry{Values: map[string]string{"working_age": working, "using_online_services": using}, Submit: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := ta.App.Mon.Review(ctx, demo.MonthlyDataset, unit, period, monitor.ActApprove, ""); err != nil {
			t.Fatal(err)
		}
	}
	year := time.Now().In(time.FixedZone("ICT", 7*3600)).Year()
	report("24121", strconv.Itoa(year)+"01", "1000", "771")
	report("24133", strconv.Itoa(year)+"01", "1000", "600")
	// A target typed as 0.1 instead of 10 %: 60 % against it would be 60,000 %.
	if err := ta.App.Mon.SetTarget(ctx, monitor.Target{Indicator: "working_age_using_online_services", UnitCode: "24133", Year: year, Kind: "target", Value: 0.1}); err != nil {
		t.Fatal(err)
	}
	nat := ta.client("national")
	q := "?year=" + strconv.Itoa(year) + "&indicator=working_age_using_online_services"

	_, page, _ := ta.do(nat, "GET", "/monitoring/units/24121"+q, nil)
	if !strings.Contains(page, "77,1 %") {
		t.Fatal("a share is not written the Vietnamese way (77,1 %)")
	}
	_, page, _ = ta.do(nat, "GET", "/monitoring/units/24121"+q+"&lang=en", nil)
	if !strings.Contains(page, "77.1%") {
		t.Fatal("a share is not written the English way (77.1%)")
	}
	_, page, _ = ta.do(nat, "GET", "/monitoring/units/24133"+q, nil)
	if !strings.Contains(page, "st-check") || !strings.Contains(page, "Cần kiểm tra số liệu") {
		t.Fatal("an achievement of 60,000 % is not flagged")
	}
	_, page, _ = ta.do(nat, "GET", "/monitoring/units/66"+q, nil)
	if !strings.Contains(page, "Số liệu của 2/2 xã, phường, đặc khu") {
		t.Fatalf("the province's figure does not say what it covers")
	}
	if !strings.Contains(page, `aria-label="Biểu đồ Tỷ lệ người trong độ tuổi lao động`) || !strings.Contains(page, "Xu hướng 5 năm của Tỷ lệ") {
		t.Fatal("charts are not named in words")
	}
	_, page, _ = ta.do(nat, "GET", "/monitoring/rankings?year="+strconv.Itoa(year), nil)
	if !strings.Contains(page, "Bộ, ngành và cơ quan, đơn vị") || !strings.Contains(page, "Tỉnh, thành phố và xã, phường") {
		t.Fatal("ministries are ranked with provinces")
	}
	terr := page[strings.Index(page, "Tỉnh, thành phố và xã, phường"):strings.Index(page, "Bộ, ngành và cơ quan, đơn vị")]
	if strings.Contains(terr, "Bộ Thử nghiệm") {
		t.Fatal("the ministry is listed among the provinces")
	}

	rep := ta.client("rep1")
	_, page, _ = ta.do(rep, "GET", "/monitoring/units/24121", nil)
	if strings.Contains(page, `href="/monitoring/units/VN`) || strings.Contains(page, `href="/monitoring/units/66`) {
		t.Fatal("a commune's reporter is offered breadcrumbs they may not open")
	}
	if s, _, _ := ta.do(rep, "GET", "/reports/"+demo.MonthlyDataset+"/completeness", nil); s != 200 {
		t.Fatalf("the completeness link answers %d to a reporter", s)
	}
	per := strconv.Itoa(year) + "02"
	fb, k, v := form(url.Values{"v:working_age": {"abc"}, "action": {"draft"}})
	s, page, _ := ta.do(rep, "POST", "/reports/"+demo.MonthlyDataset+"/24121/"+per, fb, k, v)
	if s != 422 || !strings.Contains(page, "Số người trong độ tuổi lao động: ") || strings.Contains(page, "working_age:") {
		t.Fatalf("a bad value is not named by its label (%d)", s)
	}
	if !strings.Contains(page, "Kỳ trước (") || !strings.Contains(page, "1.000 người") {
		t.Fatal("the form does not show last period's figure with its unit")
	}
}

// TestPagesForPeople: the audit log in words, item lists without markup,
// the unit page paged with each unit's own kind and one spelling of tone
// marks, the site's mark and manifest.
func TestPagesForPeople(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	nat := ta.client("national")
	ta.do(nat, "GET", "/people?unit=66&q=an", nil)
	_, page, _ := ta.do(nat, "GET", "/admin/audit", nil)
	if strings.Contains(page, "group= q=") || !strings.Contains(page, "Tìm: an") || !strings.Contains(page, "Đơn vị: 66") {
		t.Fatal("the audit log shows debug strings")
	}
	if s, body, _ := ta.do(nat, "POST", "/api/v1/items", strings.NewReader(itemJSON), "Content-Type", "application/json"); s != 201 {
		t.Fatalf("item: %d %s", s, body)
	}
	_, page, _ = ta.do(nat, "GET", "/items", nil)
	if strings.Contains(page, "**") {
		t.Fatal("the item list shows raw markup")
	}
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	if _, err := ta.App.Org.CreateUnit(ctx, org.NewUnit{Code: "56", Type: org.TypeProvince, NameVI: "Khánh Hoà", FullNameVI: "Tỉnh Khánh Hoà", ParentCode: org.NationCode}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 45; i++ {
		if _, err := ta.App.Org.CreateUnit(ctx, org.NewUnit{Code: "5600" + strconv.Itoa(2000 + i)[2:], Type: org.TypeCommune, NameVI: "Hoà " + strconv.Itoa(2000 + i)[2:], FullNameVI: "Xã Hoà " + strconv.Itoa(2000 + i)[2:], ParentCode: "56"}); err != nil {
			t.Fatal(err)
		}
	}
	_, page, _ = ta.do(nat, "GET", "/units/56", nil)
	if !strings.Contains(page, "Tỉnh Khánh Hòa") || strings.Contains(page, "Hoà") {
		t.Fatal("unit names keep the other placement of tone marks")
	}
	if strings.Count(page, `<li><a href="/units/5600`) != 40 || !strings.Contains(page, `rel="next"`) || !strings.Contains(page, `<span class="muted">Xã · 560000`) {
		t.Fatal("the unit page does not list 40 units at a time with their own kind")
	}
	if strings.Contains(page, ">English<") {
		t.Fatal("a Vietnamese page has a row labelled English")
	}
	_, page, _ = ta.do(nat, "GET", "/units/56?page=2", nil)
	if strings.Count(page, `<li><a href="/units/5600`) != 5 {
		t.Fatal("the second page does not hold the last 5 units")
	}
	if s, body, h := ta.do(ta.client(""), "GET", "/favicon.ico", nil); s != 200 || h.Get("Content-Type") != "image/x-icon" || !strings.Contains(body[22:30], "PNG") {
		t.Fatalf("favicon: %d %s", s, h.Get("Content-Type"))
	}
	if s, body, _ := ta.do(ta.client(""), "GET", "/manifest.webmanifest", nil); s != 200 || !strings.Contains(body, `"/icons/192.png"`) {
		t.Fatalf("manifest: %d %s", s, body)
	}
	if s, _, h := ta.do(ta.client(""), "GET", "/icons/512.png", nil); s != 200 || h.Get("Content-Type") != "image/png" {
		t.Fatalf("icon: %d", s)
	}
}

// TestExamCountsQuestions: an exam is out of its number of questions even
// when an item's own mapping is worth 3 (the "1/32" of a 30-question
// exam); that item answered two-thirds right earns two-thirds of a point.
func TestExamCountsQuestions(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	examFixture(t, ta, "")
	var n int
	if err := ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM items WHERE competence = '4.1' AND status = 'approved'`).Scan(&n); err != nil || n < 2 {
		t.Fatalf("approved 4.1 items: %d %v", n, err)
	}
	nat := ta.client("national")
	status, body, _ := ta.do(nat, "POST", "/api/v1/blueprints", strings.NewReader(`{"name":"Mọi câu 4.1","standard_code":"VN-DSF","standard_version":1,"time_limit_min":20,"pass_percent":50,
		"rules":[{"competence":"4.1","count":`+strconv.Itoa(n)+`}],"shuffle_items":false,"shuffle_options":false,"navigation":"free"}`), "Content-Type", "application/json")
	if status != 201 {
		t.Fatalf("blueprint: %d %s", status, body)
	}
	bpID := between(body, `"id":"`, `"`)
	now := time.Now().UnixMilli()
	status, body, _ = ta.do(nat, "POST", "/api/v1/exam-sessions", strings.NewReader(`{"blueprint_id":"`+bpID+`","name":"Ca 4.1","opens_at":`+strconv.FormatInt(now-60000, 10)+`,"closes_at":`+strconv.FormatInt(now+3600000, 10)+`,"eligibility":"open","review_policy":"answers"}`), "Content-Type", "application/json")
	if status != 201 {
		t.Fatalf("session: %d %s", status, body)
	}
	sid := between(body, `"id":"`, `"`)
	learner := ta.client("learner")
	_, body, _ = ta.do(learner, "POST", "/api/v1/exams/"+sid+"/start", nil)
	attempt := between(body, `"id":"`, `"`)
	at, err := ta.App.Exams.Attempt(auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "learner")), attempt)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for i := range at.Form {
		correct, _, _ := ta.App.Exams.Correct(t.Context(), at, i)
		if strings.Join(correct, ",") == "A,B,D" { // the phishing-signs item, worth 3 by its mapping
			found = true
			if s, b, _ := ta.do(learner, "PUT", "/api/v1/attempts/"+attempt+"/answers/"+strconv.Itoa(i), strings.NewReader(`{"response":["A","B"]}`), "Content-Type", "application/json"); s != 200 {
				t.Fatalf("save: %d %s", s, b)
			}
		}
	}
	if !found {
		t.Fatal("the form lacks the item worth 3")
	}
	_, body, _ = ta.do(learner, "POST", "/api/v1/attempts/"+attempt+"/submit", nil)
	if !strings.Contains(body, `"max_score":`+strconv.Itoa(n)+`,`) || !strings.Contains(body, `"score":0.666666`) {
		t.Fatalf("an exam of %d questions scored %s", n, body)
	}
	_, page, _ := ta.do(learner, "GET", "/attempts/"+attempt+"/result", nil)
	if !strings.Contains(page, "Điểm: 0,7/"+strconv.Itoa(n)+" câu") || !strings.Contains(page, "Đúng một phần") || !strings.Contains(page, "Không trả lời") {
		t.Fatal("the result page does not count questions or say what was answered")
	}
}

func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(rest, to)
	return v
}
