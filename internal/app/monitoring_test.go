package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"dxhub/internal/demo"
	"dxhub/internal/monitor"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
)

// monFixture adds old Bình Phước (70) with a commune that reported in May
// 2025, merges 70 into Đồng Nai (75) on 2025-07-01, defines the demo's
// elements, indicators, targets (targets-146.csv) and a monthly commune
// data set over the whole country, and two commune reporters in Đắk Lắk.
func monFixture(t *testing.T, ta *testApp) {
	t.Helper()
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	o := ta.App.Org
	if _, err := o.CreateUnit(ctx, org.NewUnit{Code: "70", Type: org.TypeProvince, NameVI: "Bình Phước", NameEN: "Binh Phuoc", ParentCode: org.NationCode}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.CreateUnit(ctx, org.NewUnit{Code: "25000", Type: org.TypeCommune, NameVI: "Đồng Xoài", NameEN: "Dong Xoai", ParentCode: "70"}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.ApplyChange(ctx, org.Change{Kind: org.EventMerge, From: []string{"70"}, Into: []string{"75"}, Effective: "2025-07-01", Resolution: "202/2025/QH15"}); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedMonitoringDefinitions(ctx, ta.App.Mon, org.NationCode); err != nil {
		t.Fatal(err)
	}
	// May 2025, before the merger, the commune of old 70 reported.
	if _, _, err := ta.App.Mon.SaveReport(ctx, demo.MonthlyDataset, "25000", "202505", monitor.Entry{Values: map[string]string{"working_age": "1000", "using_online_services": "600"}, Submit: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Mon.Review(ctx, demo.MonthlyDataset, "25000", "202505", monitor.ActApprove, ""); err != nil {
		t.Fatal(err)
	}
	for name, code := range map[string]string{"rep1": "24121", "rep2": "24133"} {
		if _, err := ta.App.Auth.CreateAccount(ctx, auth.NewAccount{Username: name, Email: name + "@example.vn", Password: testPassword}); err != nil {
			t.Fatal(err)
		}
		u, _ := o.UnitByCode(ctx, code)
		if _, err := ta.App.Auth.GrantRole(ctx, name, auth.Reporter, u.ID, u.Path, ""); err != nil {
			t.Fatal(err)
		}
	}
}

func dashboard(t *testing.T, ta *testApp, user, code, query string) monitor.Dashboard {
	t.Helper()
	var d monitor.Dashboard
	out := apiJSON(t, ta, user, "GET", "/api/v1/monitoring/dashboard/"+code+"?"+query, "", 200)
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func indicatorRow(t *testing.T, d monitor.Dashboard, code string) monitor.Row {
	t.Helper()
	for _, r := range d.Rows {
		if r.Indicator.Code == code {
			return r
		}
	}
	t.Fatalf("no indicator %s in %s", code, d.UnitCode)
	return monitor.Row{}
}

// TestMonitoringRollUpThroughMerge: data a commune of old Bình Phước
// reported before the merger counts in old 70 as of before it, and in
// Đồng Nai after; 70's own targets stay visible on Đồng Nai's page.
func TestMonitoringRollUpThroughMerge(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	monFixture(t, ta)
	const ind = "working_age_using_online_services"
	before := dashboard(t, ta, "national", "70", "year=2025&as_of=2025-06-30")
	if r := indicatorRow(t, before, ind); !r.HasValue || r.Value != 60 {
		t.Fatalf("70 before the merger: %+v", r)
	}
	dn := dashboard(t, ta, "national", "75", "year=2025&as_of=2025-06-30")
	if r := indicatorRow(t, dn, ind); r.HasValue {
		t.Fatalf("75 before the merger already has 70's data: %+v", r)
	}
	after := dashboard(t, ta, "dongnai", "75", "year=2025")
	if r := indicatorRow(t, after, ind); !r.HasValue || r.Value != 60 {
		t.Fatalf("75 after the merger: %+v", r)
	}
	nation := dashboard(t, ta, "national", "VN", "year=2025")
	if r := indicatorRow(t, nation, ind); !r.HasValue || r.Value != 60 || r.Target != 70 || r.TargetYear != 2025 || r.Status != monitor.AtRisk {
		t.Fatalf("nation: %+v", r)
	}
	// Old 70's targets ("70-old" in targets-146.csv) are shown on 75's page.
	var merged []string
	for _, m := range after.Merged {
		merged = append(merged, m.Code+":"+m.Row.Indicator.Code)
	}
	if !strings.Contains(strings.Join(merged, ","), "70:population_using_online_services") {
		t.Fatalf("merged targets: %v", merged)
	}
	// The page shows them too, and the children of 75 include the commune.
	_, page, _ := ta.do(ta.as("dongnai"), "GET", "/monitoring/units/75?year=2025&lang=en", nil)
	if !strings.Contains(page, "Targets of merged units") || !strings.Contains(page, "Dong Xoai") {
		t.Fatalf("75 page lacks merged targets or the commune")
	}
}

// TestMonitoringFormulaChange: an indicator's formula changes and its
// values follow at once, with no stored value touched.
func TestMonitoringFormulaChange(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	monFixture(t, ta)
	var before int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM mon_values`).Scan(&before)
	r := indicatorRow(t, dashboard(t, ta, "national", "75", "year=2025"), "population_using_online_services")
	if r.Value != 60 {
		t.Fatalf("before: %+v", r)
	}
	apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/indicators", `{"code":"population_using_online_services","name_vi":"Tỷ lệ dân số dùng DVCTT","measure":"percent","numerator":"{using_online_services}","denominator":"{working_age} * 2","factor":100}`, 200)
	r = indicatorRow(t, dashboard(t, ta, "national", "75", "year=2025"), "population_using_online_services")
	if r.Value != 30 {
		t.Fatalf("after the formula change: %+v", r)
	}
	var after int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM mon_values`).Scan(&after)
	if after != before {
		t.Fatalf("stored values changed: %d → %d", before, after)
	}
	// A bad formula is refused, naming the field and the position.
	out := apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/indicators", `{"code":"x","name_vi":"X","numerator":"{nope} +","factor":1}`, 400)
	if !strings.Contains(out, `"field":"numerator"`) {
		t.Fatalf("bad formula: %s", out)
	}
	// Only national administrators define indicators.
	apiJSON(t, ta, "daklak", "POST", "/api/v1/monitoring/indicators", `{"code":"y","name_vi":"Y","numerator":"{working_age}"}`, 403)
}

// TestMonitoringReporterIsolation: a commune reporter sees and enters only
// their own commune.
func TestMonitoringReporterIsolation(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	monFixture(t, ta)
	per := monitor.PeriodOf(monitor.Monthly, time.Now()).Prev().ID
	base := "/api/v1/reports/" + demo.MonthlyDataset + "/"
	apiJSON(t, ta, "rep1", "GET", base+"24121/"+per, "", 200)
	apiJSON(t, ta, "rep1", "GET", base+"24133/"+per, "", 403)
	apiJSON(t, ta, "rep1", "PUT", base+"24133/"+per, `{"values":{"working_age":"10"}}`, 403)
	apiJSON(t, ta, "rep1", "GET", "/api/v1/monitoring/dashboard/66", "", 403)
	apiJSON(t, ta, "rep1", "GET", "/api/v1/monitoring/dashboard/24121", "", 200)
	apiJSON(t, ta, "rep1", "GET", "/api/v1/dataValueSets?dataset="+demo.MonthlyDataset+"&period=202505&unit=75", "", 403)
	apiJSON(t, ta, "dongnai", "GET", "/api/v1/monitoring/dashboard/66", "", 403)
	// An import naming another commune is refused whole.
	body := fmt.Sprintf(`{"dataSet":"%s","period":"%s","dataValues":[{"dataElement":"working_age","orgUnit":"24121","value":"10"},{"dataElement":"working_age","orgUnit":"24133","value":"10"}]}`, demo.MonthlyDataset, per)
	out := apiJSON(t, ta, "rep1", "POST", "/api/v1/dataValueSets", body, 422)
	if !strings.Contains(out, `"row":2`) {
		t.Fatalf("import: %s", out)
	}
	out = apiJSON(t, ta, "rep1", "GET", base+"24121/"+per, "", 200)
	if strings.Contains(out, `"working_age"`) {
		t.Fatalf("a refused import stored values: %s", out)
	}
	// The people page stays closed to reporters.
	if s, _, _ := ta.do(ta.as("rep1"), "GET", "/api/v1/people?unit=24121", nil); s != 403 {
		t.Fatalf("reporter lists people: %d", s)
	}
}

// TestMonitoringApprovalLocks: entry, bad values, rules, submission,
// return, approval that locks, un-approval; every step logged.
func TestMonitoringApprovalLocks(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	monFixture(t, ta)
	per := monitor.PeriodOf(monitor.Monthly, time.Now()).Prev().ID
	url := "/api/v1/reports/" + demo.MonthlyDataset + "/24121/" + per
	out := apiJSON(t, ta, "rep1", "PUT", url, `{"values":{"working_age":"12a","schools_total":"-3"},"submit":true}`, 422)
	if !strings.Contains(out, `"working_age":"\"12a\" không phải là số."`) || !strings.Contains(out, `"schools_total"`) {
		t.Fatalf("bad values: %s", out)
	}
	out = apiJSON(t, ta, "rep1", "PUT", url, `{"values":{"working_age":"100","using_online_services":"150"},"submit":true}`, 422)
	if !strings.Contains(out, "không được lớn hơn số người trong độ tuổi lao động (150 so với 100)") {
		t.Fatalf("rule: %s", out)
	}
	// A draft keeps the broken rule as a warning.
	out = apiJSON(t, ta, "rep1", "PUT", url, `{"values":{"working_age":"100","using_online_services":"150"}}`, 200)
	if !strings.Contains(out, `"status":"draft"`) || !strings.Contains(out, "không được lớn hơn") {
		t.Fatalf("draft: %s", out)
	}
	apiJSON(t, ta, "rep1", "PUT", url, `{"values":{"working_age":"100","using_online_services":"80"},"submit":true}`, 200)
	apiJSON(t, ta, "rep1", "PUT", url, `{"values":{"working_age":"101"}}`, 409)
	// The reporter cannot approve their own; the province returns it.
	apiJSON(t, ta, "rep1", "POST", url+"/review", `{"action":"approve"}`, 403)
	apiJSON(t, ta, "daklak", "POST", url+"/review", `{"action":"return"}`, 400)
	apiJSON(t, ta, "daklak", "POST", url+"/review", `{"action":"return","comment":"Kiểm tra lại số người"}`, 200)
	apiJSON(t, ta, "rep1", "PUT", url, `{"values":{"working_age":"120","using_online_services":"80"},"submit":true}`, 200)
	out = apiJSON(t, ta, "daklak", "POST", url+"/review", `{"action":"approve"}`, 200)
	if !strings.Contains(out, `"status":"approved"`) {
		t.Fatalf("approve: %s", out)
	}
	// Approved data is locked until un-approved.
	out = apiJSON(t, ta, "rep1", "PUT", url, `{"values":{"working_age":"1"}}`, 409)
	if !strings.Contains(out, "bị khóa") {
		t.Fatalf("lock: %s", out)
	}
	apiJSON(t, ta, "rep1", "POST", "/api/v1/dataValueSets", fmt.Sprintf(`{"dataSet":"%s","period":"%s","orgUnit":"24121","dataValues":[{"dataElement":"working_age","value":"5"}]}`, demo.MonthlyDataset, per), 422)
	apiJSON(t, ta, "daklak", "POST", url+"/review", `{"action":"unapprove","comment":"Mở lại"}`, 200)
	apiJSON(t, ta, "daklak", "POST", url+"/review", `{"action":"return","comment":"Sửa"}`, 200)
	apiJSON(t, ta, "rep1", "PUT", url, `{"values":{"working_age":"130","using_online_services":"80"}}`, 200)
	out = apiJSON(t, ta, "rep1", "GET", url, "", 200)
	var r monitor.Report
	json.Unmarshal([]byte(out), &r)
	var steps []string
	for _, l := range r.Log {
		steps = append(steps, l.Action)
	}
	if got := strings.Join(steps, ","); got != "save,submit,return,submit,approve,unapprove,return,save" {
		t.Fatalf("log: %s", got)
	}
	// Only approved data counts unless pending is asked for.
	if r := indicatorRow(t, dashboard(t, ta, "daklak", "66", ""), "working_age_using_online_services"); r.HasValue {
		t.Fatalf("a draft counts: %+v", r)
	}
	apiJSON(t, ta, "rep1", "PUT", url, `{"values":{"working_age":"200","using_online_services":"50"},"submit":true}`, 200)
	if r := indicatorRow(t, dashboard(t, ta, "daklak", "66", "pending=1"), "working_age_using_online_services"); r.Value != 25 {
		t.Fatalf("pending: %+v", r)
	}
	if r := indicatorRow(t, dashboard(t, ta, "daklak", "66", ""), "working_age_using_online_services"); r.HasValue {
		t.Fatalf("submitted data counts as approved: %+v", r)
	}
}

// TestMonitoringCompletenessAndReminders: on time, late and missing per
// unit; reminders to reporters, then to the administrator above, once.
func TestMonitoringCompletenessAndReminders(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	monFixture(t, ta)
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	daklak, _ := ta.App.Org.UnitByCode(ctx, "66")
	if _, err := ta.App.Auth.GrantRole(ctx, "daklak", auth.UnitAdmin, daklak.ID, daklak.Path, ""); err == nil {
		t.Log("grant repeated")
	}
	per := monitor.PeriodOf(monitor.Monthly, time.Now()).Prev()
	apiJSON(t, ta, "rep1", "PUT", "/api/v1/reports/"+demo.MonthlyDataset+"/24121/"+per.ID, `{"values":{"working_age":"10"},"submit":true}`, 200)
	out := apiJSON(t, ta, "daklak", "GET", "/api/v1/datasets/"+demo.MonthlyDataset+"/completeness?unit=66&period="+per.ID, "", 200)
	var c monitor.Completeness
	json.Unmarshal([]byte(out), &c)
	if c.Expected != 2 || c.OnTime+c.Late != 1 {
		t.Fatalf("completeness: %s", out)
	}
	// Ten days after the due day, 24133 is missing: its reporter and the
	// province's administrator hear of it, once.
	due, _ := time.Parse("2006-01-02", per.DayAfterEnd(5))
	n, err := ta.App.Mon.Remind(context.Background(), due.AddDate(0, 0, 10))
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, m := range ta.Mail.Sent() {
		if strings.Contains(m.Subject, "quá hạn") || strings.Contains(m.Subject, "Quá hạn") {
			to = append(to, m.To)
			// In both languages, the due day written each one's way.
			if !strings.Contains(m.Subject, "is overdue") || !strings.Contains(m.Body, due.Format("02/01/2006")) || !strings.Contains(m.Body, strconv.Itoa(due.Day())+" "+due.Format("Jan 2006")) {
				t.Fatalf("reminder %q:\n%s", m.Subject, m.Body)
			}
		}
	}
	joined := strings.Join(to, ",")
	if n == 0 || !strings.Contains(joined, "rep2@example.vn") || !strings.Contains(joined, "daklak@example.vn") || strings.Contains(joined, "rep1@example.vn") {
		t.Fatalf("reminders %d to %v", n, to)
	}
	if n2, _ := ta.App.Mon.Remind(context.Background(), due.AddDate(0, 0, 10)); n2 != 0 {
		t.Fatalf("reminders sent twice: %d", n2)
	}
}

// TestMonitoringComputedAndIncremental: computed indicators read people
// from the tree and completions from learning; an incremental recompute
// adds a new completion.
func TestMonitoringComputedAndIncremental(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	answers := learnFixture(t, ta)
	monFixture(t, ta)
	apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/indicators", `{"code":"dx_staff_trained","name_vi":"Tỷ lệ chuyên trách được đào tạo","measure":"percent","numerator":"{trained.dx_staff}","denominator":"{people.dx_staff}"}`, 200)
	apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/recompute", "", 200)
	apiJSON(t, ta, "daklak", "POST", "/api/v1/monitoring/recompute", "", 403)
	r := indicatorRow(t, dashboard(t, ta, "daklak", "66", ""), "dx_staff_trained")
	if !r.HasValue || r.Value != 0 {
		t.Fatalf("before: %+v", r)
	}
	completeTestCourse(t, ta, answers)
	out := apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/recompute?incremental=1", "", 200)
	if !strings.Contains(out, `"incremental":true`) {
		t.Fatalf("recompute: %s", out)
	}
	r = indicatorRow(t, dashboard(t, ta, "daklak", "66", ""), "dx_staff_trained")
	if r.Value != 100 || r.Sources[0] != "computed" {
		t.Fatalf("after: %+v", r)
	}
	// A full recompute gives the same.
	apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/recompute", "", 200)
	if r := indicatorRow(t, dashboard(t, ta, "daklak", "66", ""), "dx_staff_trained"); r.Value != 100 {
		t.Fatalf("full: %+v", r)
	}
	// Đồng Nai has a teacher, no dx_staff: no value rather than 0/0.
	if r := indicatorRow(t, dashboard(t, ta, "dongnai", "75", ""), "dx_staff_trained"); r.HasValue {
		t.Fatalf("0/0 gave a value: %+v", r)
	}
	// The learner moves to a commune of Đồng Nai: the completion stays where
	// it was made (Đắk Lắk, now without dx_staff: no value), the person
	// counts in Đồng Nai, untrained there (0 %).
	sys := auth.WithPrincipal(context.Background(), auth.System())
	if _, err := ta.App.Org.ImportPeople(sys, strings.NewReader("key,full_name,unit_code,groups\nA1,Nguyễn Văn Ánh,26041,dx_staff\n"), ""); err != nil {
		t.Fatal(err)
	}
	apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/recompute", "", 200)
	if r := indicatorRow(t, dashboard(t, ta, "daklak", "66", ""), "dx_staff_trained"); r.HasValue {
		t.Fatalf("Đắk Lắk after the move: %+v", r)
	}
	if r := indicatorRow(t, dashboard(t, ta, "dongnai", "75", ""), "dx_staff_trained"); !r.HasValue || r.Value != 0 {
		t.Fatalf("Đồng Nai after the move: %+v", r)
	}
	if r := indicatorRow(t, dashboard(t, ta, "national", "VN", ""), "dx_staff_trained"); r.Value != 100 {
		t.Fatalf("nation after the move: %+v", r)
	}
}

// TestMonitoringImports: targets and values, all or nothing with row
// errors; export in both shapes.
func TestMonitoringImports(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	monFixture(t, ta)
	real, err := os.ReadFile("../demo/data/targets/targets-146.csv")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM mon_targets`).Scan(&n)
	if n < 30 {
		t.Fatalf("targets stored: %d", n)
	}
	bad := strings.Replace(string(real), "leaders_trained_yearly,nation,VN", "leaders_trained_yearly,nation,XX", 1)
	bad = strings.Replace(bad, ",percent,60,,001", ",percent,sixty,,001", 1)
	status, out, _ := ta.do(ta.as("national"), "POST", "/api/v1/monitoring/targets/import", strings.NewReader(bad), "Content-Type", "text/csv", "Accept-Language", "en")
	if status != 422 || !strings.Contains(out, `"row":4,"column":"scope_code"`) || !strings.Contains(out, `"column":"target_2025"`) {
		t.Fatalf("bad targets: %d %s", status, out)
	}
	var m int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM mon_targets`).Scan(&m)
	if m != n {
		t.Fatalf("a refused import changed targets: %d → %d", n, m)
	}
	// A province administrator sets targets only in their province.
	apiJSON(t, ta, "daklak", "POST", "/api/v1/monitoring/targets", `{"indicator":"dx_experts_trained","unit_code":"66","year":2030,"value":60}`, 200)
	apiJSON(t, ta, "daklak", "POST", "/api/v1/monitoring/targets", `{"indicator":"dx_experts_trained","unit_code":"75","year":2030,"value":60}`, 403)
	// Values: CSV with a bad row refuses all; a good one is exported back.
	csv := "dataset,period,org_unit,data_element,category,value\n" + demo.MonthlyDataset + ",202505,25000,working_age,,1200\n" + demo.MonthlyDataset + ",202505,25000,schools_total,,x\n"
	status, out, _ = ta.do(ta.as("national"), "POST", "/api/v1/dataValueSets", strings.NewReader(csv), "Content-Type", "text/csv", "Accept-Language", "en")
	if status != 422 || !strings.Contains(out, `"row":3`) {
		t.Fatalf("bad values: %d %s", status, out)
	}
	// The approved May report is locked against import.
	status, out, _ = ta.do(ta.as("national"), "POST", "/api/v1/dataValueSets", strings.NewReader(csv[:strings.LastIndex(strings.TrimSpace(csv), "\n")+1]), "Content-Type", "text/csv", "Accept-Language", "en")
	if status != 422 || !strings.Contains(out, "bị khóa") {
		t.Fatalf("locked import: %d %s", status, out)
	}
	set := `{"dataSet":"` + demo.MonthlyDataset + `","period":"202506","orgUnit":"24121","dataValues":[{"dataElement":"working_age","value":"300"},{"dataElement":"using_online_services","categoryOptionCombo":"default","value":"120"}]}`
	out = apiJSON(t, ta, "national", "POST", "/api/v1/dataValueSets?submit=1", set, 200)
	if !strings.Contains(out, `"values":2`) {
		t.Fatalf("import: %s", out)
	}
	out = apiJSON(t, ta, "daklak", "GET", "/api/v1/dataValueSets?dataSet="+demo.MonthlyDataset+"&period=202506&orgUnit=66", "", 200)
	var back monitor.DataValueSet
	json.Unmarshal([]byte(out), &back)
	if len(back.DataValues) != 2 || back.DataValues[0].OrgUnit != "24121" {
		t.Fatalf("export: %s", out)
	}
	status, body, _ := ta.do(ta.as("daklak"), "GET", "/reports/export?dataset="+demo.MonthlyDataset+"&period=202506&unit=66&format=csv", nil)
	if status != 200 || !bytes.Contains([]byte(body), []byte("24121,working_age,,300")) {
		t.Fatalf("csv export: %d %s", status, body)
	}
}

// TestMonitoringRankingsIndexPublic: rankings, the DX index and the
// public page.
func TestMonitoringRankingsIndexPublic(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	monFixture(t, ta)
	out := apiJSON(t, ta, "national", "GET", "/api/v1/monitoring/rankings?year=2025&indicator=working_age_using_online_services", "", 200)
	var rk monitor.Ranking
	json.Unmarshal([]byte(out), &rk)
	if len(rk.Rows) == 0 || rk.Rows[0].Code != "75" || rk.Rows[0].Rank != 1 {
		t.Fatalf("ranking: %s", out)
	}
	out = apiJSON(t, ta, "national", "GET", "/api/v1/monitoring/index/DTI-KNS?year=2025", "", 200)
	var x monitor.IndexResult
	json.Unmarshal([]byte(out), &x)
	if len(x.Pillars) != 3 || len(x.Rows) == 0 || x.Rows[0].Score <= 0 || x.Rows[0].Score > 1 {
		t.Fatalf("index: %s", out)
	}
	apiJSON(t, ta, "national", "PUT", "/api/v1/monitoring/index/BAD", `{"pillars":[{"code":"P","name_vi":"P","points":-1,"indicator":"dx_experts_trained"}]}`, 400)
	status, page, _ := ta.do(ta.client(""), "GET", "/progress?lang=en", nil)
	if status != 200 || !strings.Contains(page, "Share of working-age people") {
		t.Fatalf("public page: %d", status)
	}
	status, _, _ = ta.do(ta.client(""), "GET", "/monitoring/units/VN", nil)
	if status != 303 {
		t.Fatalf("dashboard open to anonymous: %d", status)
	}
}

// TestMonitoringCachedLayersMatchFresh: after reports are saved, submitted,
// approved and un-approved, imported, and computed values are added, the
// dashboards read from the patched caches are those a fresh service reads
// from the database.
func TestMonitoringCachedLayersMatchFresh(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	answers := learnFixture(t, ta)
	monFixture(t, ta)
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	m := ta.App.Mon
	fresh := func() *monitor.Service {
		return &monitor.Service{DB: m.DB, Log: m.Log, Audit: m.Audit, Org: m.Org, Auth: m.Auth, Learn: m.Learn, Exams: m.Exams, Mail: m.Mail, Files: m.Files}
	}
	same := func(step string) {
		t.Helper()
		for _, code := range []string{"VN", "66", "24121", "75"} {
			for _, pending := range []bool{false, true} {
				a, err := m.Dashboard(ctx, code, monitor.Options{Pending: pending})
				if err != nil {
					t.Fatal(err)
				}
				b, err := fresh().Dashboard(ctx, code, monitor.Options{Pending: pending})
				if err != nil {
					t.Fatal(err)
				}
				ja, _ := json.Marshal(a)
				jb, _ := json.Marshal(b)
				if !bytes.Equal(ja, jb) {
					t.Fatalf("%s: %s pending=%v: cached and fresh differ\ncached %s\nfresh  %s", step, code, pending, ja, jb)
				}
			}
		}
	}
	apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/recompute", "", 200)
	same("start") // the caches are filled here
	per := monitor.PeriodOf(monitor.Monthly, time.Now()).Prev().ID
	url := "/api/v1/reports/" + demo.MonthlyDataset + "/24121/" + per
	apiJSON(t, ta, "rep1", "PUT", url, `{"values":{"working_age":"100","using_online_services":"80"},"submit":true}`, 200)
	same("submitted")
	apiJSON(t, ta, "daklak", "POST", url+"/review", `{"action":"approve"}`, 200)
	same("approved")
	apiJSON(t, ta, "rep2", "POST", "/api/v1/dataValueSets?submit=1", fmt.Sprintf(`{"dataSet":"%s","period":"%s","orgUnit":"24133","dataValues":[{"dataElement":"working_age","value":"50"},{"dataElement":"using_online_services","value":"10"}]}`, demo.MonthlyDataset, per), 200)
	same("imported")
	apiJSON(t, ta, "daklak", "POST", url+"/review", `{"action":"unapprove","comment":"Mở lại"}`, 200)
	same("unapproved")
	completeTestCourse(t, ta, answers)
	apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/recompute?incremental=1", "", 200)
	same("incremental")
	// Both reports are submitted now: (80+10)/(100+50) with pending ones.
	if r := indicatorRow(t, dashboard(t, ta, "daklak", "66", "pending=1"), "working_age_using_online_services"); r.Value != 60 {
		t.Fatalf("pending after the steps: %+v", r)
	}
}

// TestMonitoringDatasetForm: a national administrator defines a data set
// on the setup page; a rule line that does not read and a bad number are
// refused naming them, and nothing is saved; the saved set can be edited
// with the form filled in; a province administrator cannot.
func TestMonitoringDatasetForm(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	monFixture(t, ta)
	c := ta.client("national")
	post := func(c *http.Client, v url.Values) (int, string) {
		body, k, h := form(v)
		code, out, _ := ta.do(c, "POST", "/monitoring/datasets", body, k, h)
		return code, out
	}
	v := url.Values{"code": {"BC-TINH-NAM"}, "name_vi": {"Báo cáo năm của tỉnh"}, "name_en": {"Yearly province report"}, "period_type": {"year"},
		"unit_types": {"province"}, "due_days": {"15"}, "close_days": {"60"}, "elements": {"working_age", "using_online_services"},
		"rules": {"{using_online_services} <= {working_age} | Không vượt quá số người trong độ tuổi lao động | Cannot exceed the working-age people\n{working_age} 0 | thiếu phép so sánh"}}
	code, out := post(c, v)
	if code != 400 || !strings.Contains(out, "Dòng 2 của quy tắc kiểm tra") {
		t.Fatalf("bad rule line: %d %s", code, out)
	}
	v.Set("rules", "{using_online_services} <= {working_age} | Không vượt quá số người trong độ tuổi lao động | Cannot exceed the working-age people")
	v.Set("due_days", "mười lăm")
	if code, out := post(c, v); code != 400 || !strings.Contains(out, "(due_days)") {
		t.Fatalf("bad due days: %d %s", code, out)
	}
	if _, err := ta.App.Mon.Dataset(context.Background(), "BC-TINH-NAM"); err == nil {
		t.Fatal("a refused form saved the data set")
	}
	v.Set("due_days", "15")
	if code, out := post(ta.client("daklak"), v); code != 403 {
		t.Fatalf("province admin: %d %s", code, out)
	}
	if code, out := post(c, v); code != 200 || !strings.Contains(out, "BC-TINH-NAM") {
		t.Fatalf("save: %d %s", code, out)
	}
	d, err := ta.App.Mon.Dataset(context.Background(), "BC-TINH-NAM")
	if err != nil || d.PeriodType != "year" || len(d.Rules) != 1 || d.Rules[0].MessageEN != "Cannot exceed the working-age people" || d.DueDays != 15 || d.CloseDays != 60 {
		t.Fatalf("saved: %+v %v", d, err)
	}
	// The edit link fills the form in; English page too.
	_, page, _ := ta.do(c, "GET", "/monitoring/setup?dataset=BC-TINH-NAM&lang=en", nil)
	for _, want := range []string{`name="code" required value="BC-TINH-NAM"`, `value="province" checked`, `value="working_age" checked`, `Cannot exceed the working-age people</textarea>`, "Add or change a data set"} {
		if !strings.Contains(page, want) {
			t.Fatalf("edit form lacks %q", want)
		}
	}
	// A change keeps the code and replaces the rest.
	v.Set("due_days", "20")
	v.Set("rules", "")
	if code, out := post(c, v); code != 200 {
		t.Fatalf("change: %d %s", code, out)
	}
	if d, _ := ta.App.Mon.Dataset(context.Background(), "BC-TINH-NAM"); d.DueDays != 20 || len(d.Rules) != 0 {
		t.Fatalf("changed: %+v", d)
	}
}
