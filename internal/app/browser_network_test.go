package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"dxhub/internal/network"
	"dxhub/internal/platform/auth"
)

// scripts turns the page's JavaScript off or on.
func scripts(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	})
}

// TestBrowserNetworkLog: a team member logs help from a phone-sized
// window with JavaScript off, and the commune's coverage page counts the
// help. (A resend of the same form is tested through the API.)
func TestBrowserNetworkLog(t *testing.T) {
	ctx := browser(t)
	axe := axeScript(t)
	ta := newTestApp(t)
	da := auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "daklak"))
	vs, err := ta.App.Net.AddVillages(da, "24121", []network.Village{{Name: "Buôn Ko Tam"}})
	if err != nil {
		t.Fatal(err)
	}
	team, err := ta.App.Net.CreateTeam(da, network.TeamInput{Kind: network.CommunityTeam, UnitCode: "24121", Name: "Tổ công nghệ số Buôn Ko Tam", Villages: []string{vs[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := ta.App.Net.AddMember(da, team.ID, network.MemberInput{PersonKey: "A1", Role: network.Member, JoinedOn: "2026-01-05"})
	if err != nil {
		t.Fatal(err)
	}
	addMemberAccount(t, ta, "thanhvien", m.PersonID)

	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(phoneWidth, 800),
		signIn(t, ta, "thanhvien"),
		scripts(false),
		chromedp.Navigate(ta.Srv.URL+"/network/log"),
		chromedp.WaitVisible(chromedp.ID("log-form")),
		chromedp.Click(chromedp.CSS(`input[name=kind][value=vneid]`)),
		chromedp.SetValue(chromedp.ID("l-people"), "7"),
		chromedp.SetValue(chromedp.ID("l-village"), vs[0].ID),
		chromedp.SendKeys(chromedp.ID("l-note"), "Kích hoạt VNeID mức 2 tại nhà văn hóa buôn"),
		chromedp.Click(chromedp.CSS(`#log-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("logged")),
	)
	if err != nil {
		t.Fatalf("logging without JavaScript: %v", err)
	}
	if err := chromedp.Do(ctx, scripts(true)); err != nil {
		t.Fatal(err)
	}
	acts, err := ta.App.Net.Activities(da, team.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(acts) != 1 || acts[0].People != 7 || acts[0].Kind != "vneid" || acts[0].VillageID != vs[0].ID || acts[0].MemberID != m.ID {
		t.Fatalf("stored: %+v (%d entries)", acts, len(acts))
	}
	phoneCheck(t, ctx, axe, "the activity log on a phone")

	// The commune's coverage page shows it.
	office := browser(t)
	err = chromedp.Do(office,
		chromedp.EmulateViewport(phoneWidth, 800),
		signIn(t, ta, "daklak"),
		chromedp.Navigate(ta.Srv.URL+"/network/coverage?unit=24121"),
		chromedp.WaitVisible(chromedp.ID("total-helped")),
	)
	if err != nil {
		t.Fatal(err)
	}
	helped, _ := chromedp.Run(office, chromedp.Text(chromedp.ID("total-helped")))
	teams, _ := chromedp.Run(office, chromedp.Text(chromedp.ID("unit-teams")))
	if strings.TrimSpace(helped) != "7" || !strings.Contains(teams, "Buôn Ko Tam") {
		t.Fatalf("coverage: helped %q, teams %q", helped, teams)
	}
	phoneCheck(t, office, axe, "a commune's coverage on a phone")
}

// TestBrowserPlanLateTask: a commune's reporter reports progress on a task
// whose due day has passed; the province's office sees it late on the
// plan's overview and sends a reminder, which reaches the commune.
func TestBrowserPlanLateTask(t *testing.T) {
	ctx := browser(t)
	axe := axeScript(t)
	ta := newTestApp(t)
	addAccount(t, ta, "xa24121", "reporter@24121")
	da := auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "daklak"))
	pl, err := ta.App.Net.CreatePlan(da, network.PlanInput{UnitCode: "66", Title: "Kế hoạch chuyển đổi số năm 2026", DecisionRef: "146/QĐ-TTg"})
	if err != nil {
		t.Fatal(err)
	}
	task, err := ta.App.Net.AddTask(da, pl.ID, network.TaskInput{Title: "Lập tổ công nghệ số ở mọi thôn", LeadUnitCode: "24121", DueOn: time.Now().AddDate(0, 0, -5).Format(time.DateOnly)})
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(phoneWidth, 800),
		signIn(t, ta, "xa24121"),
		chromedp.Navigate(ta.Srv.URL+"/plans/mine"),
		chromedp.WaitVisible(chromedp.CSS(`#my-tasks a`)),
		chromedp.Click(chromedp.CSS(`#my-tasks a`)),
		chromedp.WaitVisible(chromedp.ID("report-form")),
		chromedp.Click(chromedp.CSS(`input[name=status][value=in_progress]`)),
		chromedp.SetValue(chromedp.ID("r-percent"), "35"),
		chromedp.SendKeys(chromedp.ID("r-note"), "Đã lập 5 trên 14 tổ"),
		chromedp.Click(chromedp.CSS(`#report-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("notice")),
	)
	if err != nil {
		t.Fatalf("reporting: %v", err)
	}
	if st, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("task-state"))); !strings.Contains(st, "Chậm tiến độ") || !strings.Contains(st, "35%") {
		t.Fatalf("after the report the task reads %q", st)
	}
	phoneCheck(t, ctx, axe, "a task's report on a phone")

	office := browser(t)
	before := len(ta.Mail.Sent())
	err = chromedp.Do(office,
		chromedp.EmulateViewport(phoneWidth, 800),
		signIn(t, ta, "daklak"),
		chromedp.Navigate(ta.Srv.URL+"/plans/"+pl.ID),
		chromedp.WaitVisible(chromedp.ID("n-late")),
	)
	if err != nil {
		t.Fatal(err)
	}
	late, _ := chromedp.Run(office, chromedp.Text(chromedp.ID("n-late")))
	row, _ := chromedp.Run(office, chromedp.Text(chromedp.CSS(`#task-list tr.st-late`)))
	if strings.TrimSpace(late) != "1" || !strings.Contains(row, "Lập tổ công nghệ số") || !strings.Contains(row, "35%") {
		t.Fatalf("the overview: late %q, row %q", late, row)
	}
	phoneCheck(t, office, axe, "a plan's overview on a phone")
	err = chromedp.Do(office,
		chromedp.Click(chromedp.CSS(`#remind-form button`)),
		chromedp.WaitVisible(chromedp.ID("notice")),
	)
	if err != nil {
		t.Fatal(err)
	}
	sent := ta.Mail.Sent()[before:]
	if len(sent) != 1 || sent[0].To != "xa24121@example.vn" || !strings.Contains(sent[0].Body, task.Title) {
		t.Fatalf("the reminder: %+v", sent)
	}
}
