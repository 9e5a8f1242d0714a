package app

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dxhub/internal/demo"
	"dxhub/internal/monitor"
)

// TestBrowserReportApproveDashboard: a commune reporter submits a monthly
// report with a value that breaks a rule and reads the error, corrects it
// and submits; the province approves; the national dashboard shows the new
// value and the province's status.
func TestBrowserReportApproveDashboard(t *testing.T) {
	ctx := browser(t)
	ta := newTestApp(t)
	monFixture(t, ta)
	per := monitor.PeriodOf(monitor.Monthly, time.Now()).Prev().ID
	form := ta.Srv.URL + "/reports/" + demo.MonthlyDataset + "/24121/" + per
	var errText, saved string
	err := chromedp.Do(ctx,
		signIn(t, ta, "rep1"),
		chromedp.Navigate(ta.Srv.URL+"/reports"),
		chromedp.WaitVisible(chromedp.CSS(`#to-enter a[href="/reports/`+demo.MonthlyDataset+`/24121/`+per+`"]`)),
		chromedp.Click(chromedp.CSS(`#to-enter a[href="/reports/`+demo.MonthlyDataset+`/24121/`+per+`"]`)),
		chromedp.WaitVisible(chromedp.ID("c-working_age")),
		chromedp.SendKeys(chromedp.ID("c-working_age"), "100"),
		chromedp.SendKeys(chromedp.ID("c-using_online_services"), "150"),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("form-errors")),
	)
	if err != nil {
		t.Fatal(err)
	}
	errText, _ = chromedp.Run(ctx, chromedp.Text(chromedp.ID("form-errors")))
	if !strings.Contains(errText, "không được lớn hơn số người trong độ tuổi lao động (150 so với 100)") {
		t.Fatalf("error shown: %q", errText)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("c-using_online_services"), "80"),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("saved")),
	)
	if err != nil {
		t.Fatal(err)
	}
	saved, _ = chromedp.Run(ctx, chromedp.Text(chromedp.ID("report-status")))
	if !strings.Contains(saved, "Đã nộp") {
		t.Fatalf("status after submitting: %q", saved)
	}
	// The province approves.
	pctx := browser(t)
	var approved string
	err = chromedp.Do(pctx,
		signIn(t, ta, "daklak"),
		chromedp.Navigate(ta.Srv.URL+"/reports"),
		chromedp.WaitVisible(chromedp.CSS(`#to-review a[href="/reports/`+demo.MonthlyDataset+`/24121/`+per+`"]`)),
		chromedp.Navigate(form),
		chromedp.WaitVisible(chromedp.ID("approve")),
		chromedp.Click(chromedp.ID("approve")),
		chromedp.WaitVisible(chromedp.ID("saved")),
	)
	if err != nil {
		t.Fatal(err)
	}
	approved, _ = chromedp.Run(pctx, chromedp.Text(chromedp.ID("report-status")))
	if !strings.Contains(approved, "Đã phê duyệt") {
		t.Fatalf("status after approval: %q", approved)
	}
	// The national dashboard shows the value and Đắk Lắk's status.
	nctx := browser(t)
	var value, row string
	err = chromedp.Do(nctx,
		signIn(t, ta, "national"),
		chromedp.Navigate(ta.Srv.URL+"/monitoring"),
		chromedp.WaitVisible(chromedp.ID("indicators")),
	)
	if err != nil {
		t.Fatal(err)
	}
	value, _ = chromedp.Run(nctx, chromedp.Text(chromedp.CSS(`#ind-working_age_using_online_services .value`)))
	err = chromedp.Do(nctx,
		chromedp.Click(chromedp.CSS(`#ind-working_age_using_online_services a`)),
		chromedp.WaitVisible(chromedp.ID("children-table")),
	)
	if err != nil {
		t.Fatal(err)
	}
	row, _ = chromedp.Run(nctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#children-table tr')].map(r => r.innerText).find(t => t.includes('Đắk Lắk')) || ''`))
	if strings.TrimSpace(value) != "80 %" || !strings.Contains(row, "80 %") || !strings.Contains(row, "Đúng tiến độ") {
		t.Fatalf("national dashboard: value %q, Đắk Lắk row %q", value, row)
	}
}
