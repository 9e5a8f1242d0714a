package app

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"time"

	"bytes"
	"compress/gzip"
	"dxhub/internal/credential"
	"dxhub/internal/learning"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"dxhub/internal/campaign"
	"dxhub/internal/experts"
	"dxhub/internal/library"
	"dxhub/internal/network"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/i18n"
)

// pageCase is one page of the app, opened as user (a key of pageClients).
type pageCase struct{ user, url, template string }

// everyPage makes the records every page needs (an item, a blueprint and
// session, attempts in progress and finished, a course, a path and an
// assignment, monitoring data) and lists one or more URLs of every page.
func everyPage(t *testing.T, ta *testApp) []pageCase {
	a1 := ta.personID("A1")
	admin := ta.client("national")
	if _, err := ta.App.Skills.NewVersion(auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "national")), "VN-DSF", 1); err != nil {
		t.Fatal(err)
	}
	status, body, _ := ta.do(admin, "POST", "/api/v1/items", strings.NewReader(itemJSON), "Content-Type", "application/json")
	if status != 201 {
		t.Fatalf("item: %d %s", status, body)
	}
	itemID := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(body)[1]
	bpID, sessionID := examFixture(t, ta, "")
	lc := ta.client("learner")
	_, abody, _ := ta.do(lc, "POST", "/api/v1/exams/"+sessionID+"/start", nil)
	attemptID := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(abody)[1]
	ac := ta.client("author")
	_, abody, _ = ta.do(ac, "POST", "/api/v1/exams/"+sessionID+"/start", nil)
	doneID := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(abody)[1]
	ta.do(ac, "POST", "/api/v1/attempts/"+doneID+"/submit", nil)
	learnCourse(t, ta)
	nctx := auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "national"))
	enr, err := ta.App.Learn.Enrol(nctx, "KNS-TEST")
	if err != nil {
		t.Fatal(err)
	}
	outline, _ := ta.App.Learn.Published(nctx, enr.CourseID, 1)
	lessonID, quizID := outline.Lessons()[0].ID, outline.Lessons()[1].ID
	if _, err := ta.App.Learn.CreatePath(nctx, learning.PathInput{Code: "P-1", Title: "Lộ trình", Courses: []string{"KNS-TEST"}}); err != nil {
		t.Fatal(err)
	}
	monFixture(t, ta)
	asg, err := ta.App.Learn.Assign(nctx, learning.AssignInput{UnitCode: "66", Kind: "path", Code: "P-1", Due: time.Now().AddDate(0, 1, 0).Format("2006-01-02")})
	if err != nil {
		t.Fatal(err)
	}
	ach := &credential.Achievement{Code: "KNS-TEST-CN", UnitCode: "66", Name: "Chứng nhận kỹ năng số", NameEN: "Digital skills certificate", Criteria: "Hoàn thành khóa học", Rule: credential.RuleCourse, RuleRef: "KNS-TEST", ValidYears: 2,
		Alignments: []credential.AlignmentRef{{Standard: "VN-DSF", Version: 1, Competence: "1.1", Name: "Duyệt dữ liệu"}}}
	if err := ta.App.Cred.SaveAchievement(nctx, ach); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Cred.IssueList(nctx, strings.NewReader("achievement,username,number,issued_on\nKNS-TEST-CN,learner,GIAY-01,15/03/2024\n"), ""); err != nil {
		t.Fatal(err)
	}
	var credID string
	if err := ta.App.DB.R.QueryRow(`SELECT id FROM credentials`).Scan(&credID); err != nil {
		t.Fatal(err)
	}
	law, err := ta.App.Lib.Create(nctx, library.Input{Kind: library.Legal, UnitCode: "VN", TitleVI: "Phê duyệt Đề án nâng cao nhận thức, phổ cập kỹ năng số", Number: "146/QĐ-TTg",
		DocType: "decision", Issuer: "Thủ tướng Chính phủ", SignedOn: "2022-01-28", Topics: []string{"scheme"}})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := ta.App.Lib.Create(nctx, library.Input{Kind: library.Legal, UnitCode: "66", TitleVI: "Kế hoạch thực hiện Đề án của tỉnh", Number: "123/KH-UBND",
		DocType: "plan", Issuer: "UBND tỉnh Đắk Lắk", SignedOn: "2022-06-20", Relations: []library.RelationInput{{Kind: "implements", Target: "146/QĐ-TTg"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{law.ID, plan.ID} {
		if _, err := ta.App.Lib.Publish(nctx, id, 0); err != nil {
			t.Fatal(err)
		}
	}
	draft, err := ta.App.Lib.Create(nctx, library.Input{Kind: library.News, UnitCode: "66", TitleVI: "Tin nháp", BodyVI: "Nội dung **nháp**."})
	if err != nil {
		t.Fatal(err)
	}
	vs, err := ta.App.Net.AddVillages(nctx, "24121", []network.Village{{Name: "Thôn 1"}, {Name: "Tổ dân phố 2", Kind: "residential_group"}})
	if err != nil {
		t.Fatal(err)
	}
	team, err := ta.App.Net.CreateTeam(nctx, network.TeamInput{Kind: network.CommunityTeam, UnitCode: "24121", Name: "Tổ công nghệ số Thôn 1", Villages: []string{vs[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Net.AddMember(nctx, team.ID, network.MemberInput{PersonKey: "A1", Role: network.Leader, JoinedOn: "2026-01-05", Phone: "0901234567"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Net.LogActivity(nctx, network.Activity{TeamID: team.ID, VillageID: vs[0].ID, DoneOn: time.Now().Format(time.DateOnly), Kind: "public_service", Service: "Cấp đổi CCCD", People: 3, Campaign: "dx_day", ClientKey: "pages"}); err != nil {
		t.Fatal(err)
	}
	netPlan, err := ta.App.Net.CreatePlan(nctx, network.PlanInput{UnitCode: "66", Title: "Kế hoạch thực hiện Đề án năm 2026", Number: "45/KH-UBND", DecisionRef: "146/QĐ-TTg", SignedOn: "2026-02-10", Summary: "Phổ cập kỹ năng số."})
	if err != nil {
		t.Fatal(err)
	}
	task, err := ta.App.Net.AddTask(nctx, netPlan.ID, network.TaskInput{Title: "Thành lập tổ công nghệ số", LeadUnitCode: "66", Coordinating: []string{"24133"}, DueOn: time.Now().AddDate(0, 0, -2).Format(time.DateOnly), Output: "Quyết định", Indicator: "teams", Budget: "Ngân sách tỉnh"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Net.Cascade(nctx, netPlan.ID, task.ID, []string{"24121"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Net.Remind(nctx, netPlan.ID); err != nil {
		t.Fatal(err)
	}
	// The expert network: the learner is also an expert of Đắk Lắk, with a
	// verified profile, an invitation accepted and a nomination.
	u66, err := ta.App.Org.UnitByCode(t.Context(), "66")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Auth.GrantRole(auth.WithPrincipal(t.Context(), auth.System()), "learner", auth.Expert, u66.ID, u66.Path, ""); err != nil {
		t.Fatal(err)
	}
	lctx := auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "learner"))
	exp, err := ta.App.Exp.SaveMine(lctx, experts.Input{FullName: "Hoàng Thị Mai", Details: experts.Details{Position: "Kỹ sư dữ liệu", Languages: []string{"vi", "en"}, Fields: []string{"data", "ai"},
		Skills: []experts.Skill{{Competence: "2.1", Level: 3}}, Works: []experts.Work{{Title: "Dữ liệu mở", Year: 2024, URL: "https://example.org/a"}}, ORCID: "0000-0002-1825-0097",
		Hours: 10, Remote: true, Public: true, Private: []string{"contact"}, Email: "mai@example.vn"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Exp.Verify(nctx, exp.ID, "Hồ sơ gốc"); err != nil {
		t.Fatal(err)
	}
	need, err := ta.App.Exp.PostNeed(nctx, experts.NeedInput{UnitCode: "66", Title: "Kho dữ liệu của tỉnh", Fields: []string{"data"}, Skills: []experts.Skill{{Competence: "2.1", Level: 2}}, Languages: []string{"en"}, Place: "remote", Hours: 5})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := ta.App.Exp.Invite(nctx, need.ID, exp.ID, "Mời chị")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Exp.Answer(lctx, inv.ID, true, "Đồng ý"); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Exp.Nominate(nctx, exp.ID, experts.National, "66", ""); err != nil {
		t.Fatal(err)
	}
	// Campaigns: a published campaign with an event, a two-round contest
	// open now and a message.
	now := time.Now()
	cmp, err := ta.App.Camp.SaveCampaign(nctx, "", campaign.CampaignInput{Slug: "thang-cds", NameVI: "Tháng chuyển đổi số", NameEN: "DX month", GoalVI: "Phổ cập kỹ năng số", UnitCode: "66",
		StartsOn: now.Format(time.DateOnly), EndsOn: now.AddDate(0, 1, 0).Format(time.DateOnly), Links: []campaign.Link{{Title: "Khoá học", URL: "/courses"}}, Published: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Camp.AddEvent(nctx, cmp.ID, campaign.EventInput{Kind: "livestream", Title: "Hỏi đáp trực tuyến", StartsAt: now.Add(24 * time.Hour).UnixMilli(), Link: "https://example.vn/live"}); err != nil {
		t.Fatal(err)
	}
	contest, err := ta.App.Camp.AddContest(nctx, cmp.ID, campaign.ContestInput{Name: "Tìm hiểu chuyển đổi số", Rules: "Mỗi người một lượt.", BlueprintID: bpID, TimeLimitMin: 15, Prediction: "Bao nhiêu người đúng hết?",
		Rounds: []campaign.RoundInput{{OpensAt: now.Add(-time.Minute).UnixMilli(), ClosesAt: now.Add(time.Hour).UnixMilli()}, {OpensAt: now.Add(2 * time.Hour).UnixMilli(), ClosesAt: now.Add(3 * time.Hour).UnixMilli()}}})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := ta.App.Camp.Compose(nctx, campaign.MessageInput{UnitCode: "66", SubjectVI: "Mời dự thi", BodyVI: "Vòng 1 đang mở.", Channels: []string{"notice", "email"}})
	if err != nil {
		t.Fatal(err)
	}
	unsubscribe := ta.App.Camp.UnsubscribeURL(t.Context(), ta.personID("A1"), "contests")
	unsubscribe = unsubscribe[strings.Index(unsubscribe, "/unsubscribe"):]
	return []pageCase{
		{"", "/campaigns", "campaign/list"},
		{"national", "/campaigns", "campaign/list"},
		{"", "/campaigns/thang-cds", "campaign/campaign"},
		{"national", "/campaigns/thang-cds", "campaign/campaign"},
		{"learner", "/contests/" + contest.ID, "campaign/contest"},
		{"", "/contests/" + contest.ID + "/rounds/1", "campaign/round"},
		{"national", "/contests/" + contest.ID + "/rounds/1", "campaign/round"},
		{"national", "/messages", "campaign/messages"},
		{"national", "/messages/" + msg.ID, "campaign/message"},
		{"learner", "/notices", "campaign/notices"},
		{"", unsubscribe, "campaign/unsubscribe"},
		{"", "/experts", "experts/directory"},
		{"", "/experts?q=hoang+thi+mai&field=data", "experts/directory"},
		{"national", "/experts?all=1", "experts/directory"},
		{"", "/experts/" + exp.ID, "experts/profile"},
		{"national", "/experts/" + exp.ID, "experts/profile"},
		{"learner", "/experts/me", "experts/me"},
		{"national", "/experts/new", "experts/form"},
		{"national", "/experts/import", "experts/import"},
		{"national", "/experts/needs", "experts/needs"},
		{"national", "/experts/needs/" + need.ID, "experts/need"},
		{"national", "/experts/nominations", "experts/nominations"},
		{"national", "/experts/fields", "experts/fields"},
		{"national", "/plans", "network/plans"},
		{"national", "/plans/mine", "network/my_tasks"},
		{"national", "/plans/" + netPlan.ID, "network/plan"},
		{"national", "/plans/" + netPlan.ID + "?reminded=1", "network/plan"},
		{"national", "/plans/" + netPlan.ID + "/print", "network/plan_print"},
		{"national", "/plans/" + netPlan.ID + "/tasks/" + task.ID, "network/task"},
		{"national", "/network", "network/network"},
		{"national", "/network/import", "network/import"},
		{"national", "/network/teams/" + team.ID, "network/team"},
		{"national", "/network/log", "network/log"},
		{"national", "/network/coverage", "network/coverage"},
		{"national", "/network/coverage?unit=66", "network/coverage"},
		{"national", "/network/coverage?unit=24121", "network/coverage"},
		{"", "/library", "library/library"},
		{"", "/ask", "library/ask"},
		{"", "/ask?q=Ph%C3%AA+duy%E1%BB%87t+%C4%90%E1%BB%81+%C3%A1n+n%C3%A2ng+cao+nh%E1%BA%ADn+th%E1%BB%A9c", "library/ask"},
		{"", "/ask?q=gi%C3%A1+v%C3%A0ng+h%C3%B4m+nay&kept=1", "library/ask"},
		{"national", "/library/questions", "library/questions"},
		{"", "/search?q=ke+hoach", "app/search"},
		{"", "/search", "app/search"},
		{"learner", "/search?q=khong+co+gi+ca+xyzw", "app/search"},
		{"", "/library?q=ke+hoach&kind=legal", "library/library"},
		{"national", "/library?mine=1", "library/library"},
		{"", "/library/" + law.ID, "library/doc"},
		{"national", "/library/" + plan.ID, "library/doc"},
		{"national", "/library/" + draft.ID, "library/doc"},
		{"national", "/library/new?kind=legal", "library/doc_form"},
		{"national", "/library/" + plan.ID + "/edit", "library/doc_form"},
		{"", "/achievements", "credential/achievements"},
		{"", "/achievements/" + ach.ID, "credential/achievement"},
		{"national", "/achievements/new?code=KNS-TEST-CN", "credential/achievement_form"},
		{"learner", "/certificates", "credential/mine"},
		{"", "/credentials/" + credID, "credential/credential"},
		{"learner", "/credentials/" + credID, "credential/credential"},
		{"national", "/credentials/" + credID, "credential/credential"},
		{"", "/verify", "credential/verify"},
		{"national", "/credentials/issue", "credential/issue"},
		{"national", "/credentials/issued", "credential/issued"},
		{"", "/courses", "learning/courses"},
		{"", "/courses?q=ky+nang&level=basic&sort=popular", "learning/courses"},
		{"", "/courses/KNS-TEST", "learning/course"},
		{"national", "/courses/KNS-TEST", "learning/course"},
		{"national", "/courses/KNS-TEST/lessons/" + lessonID, "learning/lesson"},
		{"national", "/courses/KNS-TEST/lessons/" + quizID, "learning/lesson"},
		{"national", "/courses/KNS-TEST/preview/" + quizID, "learning/lesson"},
		{"national", "/learning", "learning/learning"},
		{"", "/paths", "learning/paths"},
		{"national", "/courses/manage", "learning/manage"},
		{"national", "/courses/KNS-TEST/edit", "learning/edit"},
		{"national", "/lessons/" + lessonID + "/edit", "learning/lesson_form"},
		{"national", "/learning/assignments", "learning/assignments"},
		{"national", "/learning/assignments/" + asg.ID + "?people=1", "learning/compliance"},
		{"national", "/admin/lrs", "learning/lrs"},
		{"national", "/admin/synonyms", "search/synonyms"},
		{"national", "/monitoring/units/66", "monitor/dashboard"},
		{"national", "/monitoring/units/75?year=2025&indicator=population_using_online_services", "monitor/dashboard"},
		{"national", "/monitoring/units/66/print", "monitor/print"},
		{"national", "/monitoring/rankings", "monitor/rankings"},
		{"national", "/monitoring/rankings?indicator=working_age_using_online_services&year=2025", "monitor/rankings"},
		{"national", "/monitoring/index/DTI-KNS", "monitor/index"},
		{"", "/progress", "monitor/public"},
		{"national", "/monitoring/setup", "monitor/setup"},
		{"national", "/monitoring/targets", "monitor/targets"},
		{"national", "/reports", "monitor/reports"},
		{"national", "/reports/BC-CDS-XA/25000/202505", "monitor/report"},
		{"national", "/reports/BC-CDS-XA/completeness?unit=75&period=202505", "monitor/completeness"},
		{"", "/", "app/home"},
		{"", "/units", "org/units"},
		{"", "/units?q=tan+an", "org/units"},
		{"", "/units/66", "org/unit"},
		{"", "/units/66?as_of=2025-01-01", "org/unit"},
		{"", "/login", "auth/login"},
		{"", "/signup", "account/signup"},
		{"", "/signup/confirm/abc", "account/confirm"},
		{"", "/signup/code?contact=0912345678", "account/code"},
		{"", "/signup/sent?kind=phone", "account/sent"},
		{"", "/account/deleted", "account/deleted"},
		{"learner", "/account/data", "account/mydata"},
		{"learner", "/account/contact/code", "account/contact"},
		{"learner", "/account/contact/confirm/abc", "account/contact"},
		{"national", "/people/accounts?unit=66", "account/people_accounts"},
		{"", "/activate", "account/activate"},
		{"learner", "/account/claim?key=A1", "account/claim"},
		{"national", "/people/claims", "account/claims"},
		{"", "/password/forgot", "auth/forgot"},
		{"", "/password/reset/abc", "auth/reset"},
		{"", "/account/unlock/abc", "auth/unlock"},
		{"", "/units/00000", "shell/error"},
		{"national", "/people", "org/people"},
		{"national", "/people/" + a1, "org/person"},
		{"national", "/people/import", "org/import"},
		{"national", "/account", "auth/account"},
		{"national", "/admin/roles", "auth/roles"},
		{"national", "/admin/audit", "auth/audit"},
		{"", "/skills", "skills/list"},
		{"", "/skills?q=an+toan+thong+tin", "skills/list"},
		{"", "/skills/VN-DSF/1", "skills/standard"},
		{"", "/skills/VN-IU/1", "skills/standard"},
		{"national", "/skills/VN-DSF/2", "skills/standard"},
		{"national", "/skills/import", "skills/import"},
		{"national", "/skills/VN-DSF/2/competences/4.2/edit", "skills/edit"},
		{"national", "/exams", "assessment/exams"},
		{"national", "/exams/manage", "assessment/manage"},
		{"national", "/blueprints/" + bpID, "assessment/blueprint"},
		{"national", "/exam-sessions/" + sessionID + "/proctor", "assessment/proctor"},
		{"national", "/exam-sessions/" + sessionID + "/marking", "assessment/marking"},
		{"national", "/exam-sessions/" + sessionID + "/stats", "assessment/stats"},
		{"learner", "/attempts/" + attemptID, "assessment/attempt"},
		{"learner", "/attempts/" + attemptID + "/submit", "assessment/confirm"},
		{"author", "/attempts/" + doneID + "/result", "assessment/result"},
		{"national", "/items", "assessment/items"},
		{"national", "/items/new", "assessment/item_form"},
		{"national", "/items/qti", "assessment/qti"},
		{"national", "/files/upload", "files/upload"},
		{"national", "/items/" + itemID + "", "assessment/item"},
		{"national", "/items/" + itemID + "/edit", "assessment/item_form"},
	}
}

// TestEveryPageRendersInBothLanguages opens each page in Vietnamese and
// English and checks that no message is missing from the catalogue.
func TestEveryPageRendersInBothLanguages(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	pages := everyPage(t, ta)
	admin, anon, lc, ac := ta.client("national"), ta.client(""), ta.client("learner"), ta.client("author")
	rendered := map[string]bool{}
	for _, lang := range []string{"vi", "en"} {
		for _, p := range pages {
			c := anon
			switch p.user {
			case "national":
				c = admin
			case "learner":
				c = lc
			case "author":
				c = ac
			}
			sep := "?"
			if strings.Contains(p.url, "?") {
				sep = "&"
			}
			status, body, _ := ta.do(c, "GET", p.url+sep+"lang="+lang, nil)
			if want := map[bool]int{true: 404, false: 200}[p.template == "shell/error"]; status != want {
				t.Errorf("%s (%s): status %d, want %d", p.url, lang, status, want)
			}
			if i := strings.Index(body, "⟦"); i >= 0 {
				t.Errorf("%s (%s) misses a message: %s", p.url, lang, body[i:min(i+60, len(body))])
			}
			if !strings.Contains(body, `data-page="`+p.template+`"`) {
				t.Errorf("%s (%s): page %s did not render (another page answered)", p.url, lang, p.template)
			}
			if !strings.Contains(body, `<html lang="`+lang+`">`) {
				t.Errorf("%s (%s) is not marked as %s", p.url, lang, lang)
			}
			if len(body) > 100_000 {
				t.Errorf("%s weighs %d bytes", p.url, len(body))
			}
			rendered[p.template] = true
		}
	}
	// The sheet of activation codes answers only the POST that makes them
	// (codes are shown once).
	for _, lang := range []string{"vi", "en"} {
		fb, k, v := form(url.Values{"unit_code": {"75"}})
		s, body, _ := ta.do(admin, "POST", "/people/accounts?lang="+lang, fb, k, v)
		if s != 200 || !strings.Contains(body, `data-page="account/codes"`) || strings.Contains(body, "⟦") {
			t.Errorf("the sheet of codes (%s): %d", lang, s)
		}
		rendered["account/codes"] = true
	}
	// Single sign-on's pages answer a provider's callback and a link's
	// password: a cancelled sign-in, and a wrong password for a link
	// waiting for it.
	tok := sha256.Sum256([]byte("pages-link"))
	if _, err := ta.App.DB.W.Exec(`INSERT INTO oidc_pending (token_hash, provider, subject, email, account_id, next, expires_at) VALUES ($1, 'gov', 's', 'learner@example.vn', $2, '/', $3)`,
		hex.EncodeToString(tok[:]), mustPrincipal(t, ta, "learner").AccountID, time.Now().Add(time.Hour).UnixMilli()); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"vi", "en"} {
		s, body, _ := ta.do(anon, "GET", "/auth/oidc/gov/callback?error=access_denied&lang="+lang, nil)
		if s != 400 || !strings.Contains(body, `data-page="account/sso_error"`) || strings.Contains(body, "⟦") {
			t.Errorf("a cancelled sign-in (%s): %d", lang, s)
		}
		fb, k, v := form(url.Values{"token": {"pages-link"}, "password": {"wrong"}})
		s, body, _ = ta.do(anon, "POST", "/auth/oidc/link?lang="+lang, fb, k, v)
		if s != 400 || !strings.Contains(body, `data-page="account/sso_link"`) || strings.Contains(body, "⟦") {
			t.Errorf("a link's wrong password (%s): %d", lang, s)
		}
		rendered["account/sso_error"], rendered["account/sso_link"] = true, true
	}
	for _, name := range ta.App.Web.PageNames() {
		if !rendered[name] {
			t.Errorf("page %s is never rendered by this test", name)
		}
	}
}

func TestCatalogueIsComplete(t *testing.T) {
	t.Parallel()
	for _, k := range i18n.Keys() {
		vi, en := i18n.T(i18n.VI, k), i18n.T(i18n.EN, k)
		if strings.TrimSpace(vi) == "" || strings.TrimSpace(en) == "" {
			t.Errorf("message %s lacks a language", k)
		}
	}
}

// TestPageWeight checks that the home page and a unit's page, with their
// CSS and script, stay under 100 KB over the wire on first load, counted
// as a browser receives them (gzip) and also uncompressed.
func TestPageWeight(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	// What a page loads is read from the page itself: its stylesheet and
	// its own scripts.
	assets := regexp.MustCompile(`(?:href|src)="(/static/[^"]+\.(?:css|js))"`)
	for _, page := range []string{"/", "/units/66", "/units?q=dak", "/signup"} {
		wire, plain := 0, 0
		req, _ := http.NewRequest("GET", ta.Srv.URL+page, nil)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		html, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		paths := []string{page}
		for _, m := range assets.FindAllStringSubmatch(string(html), -1) {
			paths = append(paths, m[1])
		}
		if len(paths) < 2 {
			t.Fatalf("%s loads no stylesheet", page)
		}
		if strings.Contains(string(html), "htmx") {
			t.Errorf("%s still loads htmx", page)
		}
		for _, path := range paths {
			req, _ := http.NewRequest("GET", ta.Srv.URL+path, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("%s: status %d, encoding %q", path, resp.StatusCode, resp.Header.Get("Content-Encoding"))
			}
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			unz, _ := io.ReadAll(zr)
			wire += len(raw)
			plain += len(unz)
		}
		if page == "/signup" && wire > 30_000 {
			t.Errorf("the sign-up page weighs %d bytes over the wire, more than 30 KB", wire)
		}
		if wire > 100_000 || plain > 200_000 {
			t.Errorf("%s weighs %d bytes over the wire, %d uncompressed", page, wire, plain)
		}
		t.Logf("%s with %v: %d bytes over the wire (gzip), %d uncompressed", page, paths[1:], wire, plain)
	}
}

// TestMessageKeysExist reads every room's source and templates for the
// catalogue keys they pass to error constructors, import errors and
// translations, and checks each is in the catalogue, so that no user ever
// reads a raw key. Keys built at run time (printf "monitor.st.%s") are
// checked by the pages that render them.
func TestMessageKeysExist(t *testing.T) {
	t.Parallel()
	callers := regexp.MustCompile(`errs\.(?:E|Field)\(|\.Add\(|i18n\.(?:T|Both)\(|web\.T\(|\bT\(r,`)
	key := regexp.MustCompile(`"([a-z][a-z0-9]*\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)"`)
	inTemplate := regexp.MustCompile(`\.T "([a-z][a-z0-9]*\.[a-z0-9_.]+)"`)
	found, rooms := 0, map[string]bool{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".html")) {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(src), "\n") {
			var ms [][]string
			if strings.HasSuffix(path, ".html") {
				ms = inTemplate.FindAllStringSubmatch(line, -1)
			} else if callers.MatchString(line) && !strings.Contains(line, "Action = ") {
				ms = key.FindAllStringSubmatch(line, -1)
			}
			for _, m := range ms {
				if strings.HasSuffix(m[1], ".") || strings.HasSuffix(m[1], "_") {
					continue // a prefix completed at run time
				}
				found++
				rooms[strings.Split(filepath.ToSlash(path), "/")[1]] = true
				if !i18n.Has(m[1]) {
					t.Errorf("%s: key %q is not in the catalogue", path, m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, room := range []string{"org", "skills", "assessment", "learning", "monitor", "platform", "app"} {
		if !rooms[room] {
			t.Errorf("no key found in %s: the patterns no longer match its code", room)
		}
	}
	if found < 500 {
		t.Fatalf("found only %d keys: the patterns no longer match the code", found)
	}
}
