package app

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"dxhub/internal/experts"
	"dxhub/internal/learning"
	"dxhub/internal/library"
	"dxhub/internal/network"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/search"
	"dxhub/internal/platform/web"
)

func init() {
	i18n.Add(map[string][2]string{
		"home.lead":          {"Học kỹ năng số miễn phí, làm bài sát hạch để nhận chứng nhận, đọc hướng dẫn và theo dõi tiến độ chuyển đổi số của cả nước.", "Learn digital skills for free, take the test for a certificate, read the guides and follow the country's progress in digital transformation."},
		"home.search_all":    {"Tìm khóa học, tài liệu, tin tức, đơn vị", "Find courses, documents, news, units"},
		"home.next":          {"Việc tiếp theo của bạn", "Your next step"},
		"home.continue":      {"Học tiếp: %s (%d%%)", "Continue: %s (%d%%)"},
		"home.assigned":      {"Được giao: %s, hạn %s", "Assigned: %s, due %s"},
		"home.exam_open":     {"Kỳ sát hạch đang mở: %s", "Exam open to you: %s"},
		"home.invited":       {"Lời mời chuyên gia chờ bạn trả lời: %s (%s)", "An invitation waiting for your answer: %s (%s)"},
		"home.answered":      {"%s %s lời mời cho “%s”", "%s %s your invitation for “%s”"},
		"home.log_help":      {"Ghi hoạt động hỗ trợ người dân của tổ", "Log the help your team gave residents"},
		"home.task_late":     {"Nhiệm vụ chậm tiến độ: %s (hạn %s)", "A late task: %s (due %s)"},
		"home.report_due":    {"Báo cáo cần nhập: %s – %s, hạn %s", "Report to enter: %s – %s, due %s"},
		"home.nothing_next":  {"Bạn chưa có việc nào đang chờ. Hãy chọn một khóa học dưới đây.", "Nothing is waiting for you. Choose a course below."},
		"home.courses":       {"Học kỹ năng số miễn phí", "Learn digital skills for free"},
		"home.all_courses":   {"Tất cả khóa học", "All courses"},
		"home.start":         {"Bắt đầu học", "Start"},
		"home.minutes":       {"%d phút", "%d min"},
		"home.test":          {"Làm bài sát hạch kỹ năng số", "Take the digital skills test"},
		"home.test_text":     {"Bài sát hạch theo khung kỹ năng số quốc gia; đạt yêu cầu, bạn nhận chứng nhận có chữ ký số mà ai cũng xác minh được.", "A test on the national digital skills standard; pass it and get a digitally signed certificate anyone can verify."},
		"home.test_go":       {"Vào kỳ sát hạch", "Go to the tests"},
		"home.news":          {"Tin tức mới", "Latest news"},
		"home.all_news":      {"Tất cả tin tức", "All news"},
		"home.ask":           {"Hỏi đáp", "Questions and answers"},
		"home.ask_text":      {"Gõ câu hỏi của bạn; dxhub trả lời từ thư viện, kèm nguồn.", "Type your question; dxhub answers from its library, with the sources."},
		"home.ask_label":     {"Câu hỏi của bạn", "Your question"},
		"home.ask_go":        {"Tìm câu trả lời", "Find the answer"},
		"home.progress":      {"Tiến độ cả nước", "The country's progress"},
		"home.all_progress":  {"Xem tất cả chỉ tiêu", "See every target"},
		"home.join":          {"Tham gia dxhub", "Join dxhub"},
		"home.join_text":     {"Tạo tài khoản bằng thư điện tử hoặc số điện thoại để lưu tiến độ học và nhận chứng nhận.", "Create an account with an e-mail address or phone number to keep your progress and receive certificates."},
		"home.signup":        {"Đăng ký", "Sign up"},
		"home.signin":        {"Đăng nhập", "Sign in"},
		"search.title":       {"Tìm kiếm", "Search"},
		"search.label":       {"Tìm khóa học, tài liệu, tin tức, đơn vị", "Find courses, documents, news, units"},
		"search.courses":     {"Khóa học", "Courses"},
		"search.library":     {"Thư viện và tin tức", "Library and news"},
		"search.units":       {"Đơn vị hành chính và cơ quan", "Administrative units and bodies"},
		"search.experts":     {"Chuyên gia", "Experts"},
		"search.more":        {"Xem thêm", "More"},
		"search.nothing":     {"Không tìm thấy kết quả nào cho “%s”.", "Nothing found for “%s”."},
		"search.nothing_in":  {"Không có kết quả.", "No result."},
		"search.intro_empty": {"Gõ vài từ, có dấu hay không dấu đều được.", "Type a few words, with or without diacritics."},
	})
}

// homeLimit bounds each block of the front page: it is read on cheap
// phones.
const homeLimit = 4

// nextStep is one thing a signed-in person should do now.
type nextStep struct {
	Text string
	Href string
}

// Home is the front door: for everyone, in the order a citizen on a phone
// needs them, a free course, the test, the news, questions, the
// country's progress, signing in; a signed-in person's next steps first.
func (a *App) Home(w http.ResponseWriter, r *http.Request) error {
	if r.URL.Path != "/" {
		return notFound
	}
	ctx := r.Context()
	lang := web.LangOf(r)
	p := auth.FromContext(ctx)
	data := map[string]any{"P": p}
	courses, err := a.Learn.Catalogue(ctx, learning.Filter{Sort: "popular"})
	if err != nil {
		return err
	}
	data["Courses"] = courses[:min(homeLimit, len(courses))]
	if data["News"], err = a.Lib.List(ctx, library.Filter{Kind: library.News, Limit: 3}); err != nil {
		return err
	}
	if data["FAQ"], err = a.Lib.List(ctx, library.Filter{Kind: library.FAQ, Limit: 3}); err != nil {
		return err
	}
	// The country's progress: the first indicators of the public page.
	if d, err := a.Mon.Public(ctx, 0); err == nil {
		data["Progress"] = d.Rows[:min(3, len(d.Rows))]
	} else if e, ok := errs.As(err); !ok || e.Code != errs.NotFound {
		return err
	}
	stats, err := a.Org.Stats(ctx)
	if err != nil {
		return err
	}
	data["Provinces"], data["Communes"] = stats[org.TypeProvince], stats[org.TypeCommune]
	if p != nil {
		steps, err := a.nextSteps(r, p, lang)
		if err != nil {
			return err
		}
		data["Next"] = steps
	}
	return a.Web.Render(w, r, http.StatusOK, "app/home", "home.title", data)
}

// nextSteps: courses to continue, assignments due, exams open now,
// reports to enter; a few of each, soonest first.
func (a *App) nextSteps(r *http.Request, p *auth.Principal, lang i18n.Lang) ([]nextStep, error) {
	ctx := r.Context()
	var out []nextStep
	enrs, err := a.Learn.MyEnrolments(ctx)
	if err != nil {
		return nil, err
	}
	completed := map[string]bool{}
	for _, e := range enrs {
		completed[e.CourseID] = e.Status == "completed" || completed[e.CourseID]
		if e.Status != "completed" && len(out) < 2 {
			out = append(out, nextStep{i18n.T(lang, "home.continue", e.CourseTitle, e.Progress), "/courses/" + e.CourseCode})
		}
	}
	asgs, err := a.Learn.MyAssignments(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(asgs, func(x, y *learning.Assignment) int { return int(x.DueAt - y.DueAt) })
	now := time.Now().UnixMilli()
	n := 0
	for _, as := range asgs {
		if as.DueAt < now || n == 2 {
			continue
		}
		done := len(as.CourseIDs) > 0
		for _, id := range as.CourseIDs {
			done = done && completed[id]
		}
		if done {
			continue
		}
		href := "/courses/" + as.Code
		if as.Kind == "path" {
			href = "/learning"
		}
		out = append(out, nextStep{i18n.T(lang, "home.assigned", as.Title, i18n.Date(lang, time.UnixMilli(as.DueAt).In(p.Zone()))), href})
		n++
	}
	sessions, err := a.Exams.AvailableSessions(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range sessions[:min(2, len(sessions))] {
		out = append(out, nextStep{i18n.T(lang, "home.exam_open", s.Name), "/exams"})
	}
	// An invitation waiting for the expert's answer; help to log for a
	// team member; a plan's task the person's unit leads, late first.
	invs, err := a.Exp.MyInvitations(ctx)
	if err != nil {
		return nil, err
	}
	for _, inv := range invs {
		if inv.Status == experts.Invited && len(out) < 8 {
			out = append(out, nextStep{i18n.T(lang, "home.invited", inv.NeedTitle, inv.UnitName), "/experts/me#invitations"})
		}
	}
	if p.CanAnywhere(auth.PostNeeds) {
		answers, err := a.Exp.RecentAnswers(ctx)
		if err != nil {
			return nil, err
		}
		for _, inv := range answers[:min(2, len(answers))] {
			out = append(out, nextStep{i18n.T(lang, "home.answered", inv.Expert, i18n.T(lang, "experts.answer_"+inv.Status), inv.NeedTitle), "/experts/needs/" + inv.NeedID + "#invitations"})
		}
	}
	if n, err := a.Camp.Unread(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		out = append(out, nextStep{i18n.T(lang, "home.notices", n), "/notices"})
	}
	rounds, err := a.Camp.OpenRounds(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range rounds[:min(1, len(rounds))] {
		out = append(out, nextStep{i18n.T(lang, "home.contest_open", o.Contest, o.Num), "/contests/" + o.ContestID})
	}
	if in, err := a.Net.InAnyTeam(ctx, p); err != nil {
		return nil, err
	} else if in {
		out = append(out, nextStep{i18n.T(lang, "home.log_help"), "/network/log"})
	}
	if p.CanAnywhere(auth.ReportTasks) {
		tasks, err := a.Net.MyTasks(ctx)
		if err != nil {
			return nil, err
		}
		n := 0
		for _, t := range tasks {
			if t.State == network.Late && n < 2 {
				out = append(out, nextStep{i18n.T(lang, "home.task_late", t.Title, i18n.Day(lang, t.DueOn)), "/plans/" + t.PlanID + "/tasks/" + t.ID})
				n++
			}
		}
	}
	if p.CanAnywhere(auth.SubmitReports) {
		enter, _, err := a.Mon.MyTasks(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range enter[:min(2, len(enter))] {
			out = append(out, nextStep{i18n.T(lang, "home.report_due", t.Dataset.Name(lang == i18n.EN), t.UnitName, i18n.Day(lang, t.Due)),
				"/reports/" + t.DatasetKey + "/" + t.UnitCode + "/" + t.Period.ID})
		}
	}
	return out, nil
}

// SearchPage is the one search box for everything a visitor may see:
// courses, the library and news, units; grouped by kind (/search?q=).
func (a *App) SearchPage(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	res, err := a.searchAll(r, q)
	if err != nil {
		return err
	}
	return a.Web.Render(w, r, http.StatusOK, "app/search", "search.title", res)
}

// APISearch is the same, as JSON (GET /api/v1/search?q=).
func (a *App) APISearch(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		return errs.Field("q", "error.param", "q", "")
	}
	res, err := a.searchAll(r, q)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"query": q, "courses": res["Courses"], "documents": res["Docs"], "units": res["Units"], "experts": res["Experts"]})
}

func (a *App) searchAll(r *http.Request, q string) (map[string]any, error) {
	ctx := r.Context()
	out := map[string]any{"Q": q, "Courses": []*learning.Course{}, "Docs": []*library.Doc{}, "Units": []*org.Unit{}, "Experts": []*experts.Profile{}}
	if q == "" {
		return out, nil
	}
	if len(q) > search.MaxQuery {
		return nil, errs.Field("q", "search.too_long", search.MaxQuery)
	}
	courses, err := a.Learn.Catalogue(ctx, learning.Filter{Q: q})
	if err != nil {
		return nil, err
	}
	if courses == nil {
		courses = []*learning.Course{}
	}
	out["Courses"] = courses[:min(5, len(courses))]
	out["MoreCourses"] = len(courses) > 5
	docs, err := a.Lib.List(ctx, library.Filter{Q: q, Limit: 9})
	if err != nil {
		return nil, err
	}
	out["Docs"] = docs[:min(8, len(docs))]
	out["MoreDocs"] = len(docs) > 8
	units, err := a.Org.SearchUnits(ctx, q, 9)
	if err != nil {
		return nil, err
	}
	if units == nil {
		units = []*org.Unit{}
	}
	out["Units"] = units[:min(8, len(units))]
	out["MoreUnits"] = len(units) > 8
	// Public expert profiles, as the public sees them.
	exps, err := a.Exp.Directory(auth.WithPrincipal(ctx, nil), experts.Filter{Q: q, Limit: 9})
	if err != nil {
		return nil, err
	}
	out["Experts"] = exps.Experts[:min(8, len(exps.Experts))]
	out["MoreExperts"] = exps.Total > 8
	out["None"] = len(courses)+len(docs)+len(units)+exps.Total == 0
	return out, nil
}
