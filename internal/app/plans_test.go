package app

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dxhub/internal/network"
)

func planOf(t *testing.T, body string) network.Plan {
	t.Helper()
	var p network.Plan
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// A province's plan: tasks led by its communes, progress reported by a
// commune's reporter, a late task seen late and its lead unit reminded
// once, a task cascaded to a commune, the plan exported; another province
// neither reads nor writes it.
func TestPlansTasksProgress(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	addAccount(t, ta, "rep24121", "reporter@24121")
	addAccount(t, ta, "rep24133", "reporter@24133")
	day := func(d int) string { return time.Now().AddDate(0, 0, d).Format(time.DateOnly) }
	pl := planOf(t, apiJSON(t, ta, "daklak", "POST", "/api/v1/plans", `{"unit_code":"66","title":"Kế hoạch thực hiện Đề án 06 năm 2026","number":"45/KH-UBND","decision_ref":"146/QĐ-TTg","signed_on":"2026-02-10"}`, 201))
	apiJSON(t, ta, "dongnai", "POST", "/api/v1/plans", `{"unit_code":"66","title":"X"}`, 403)
	apiJSON(t, ta, "daklak", "POST", "/api/v1/plans", `{"unit_code":"66","title":"","signed_on":"2026-02-30"}`, 400)
	var late, onTime network.Task
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "POST", "/api/v1/plans/"+pl.ID+"/tasks", `{"title":"Thành lập tổ công nghệ số ở mọi thôn","lead_unit_code":"24121","coordinating":["24133"],"start_on":"2026-02-15","due_on":"`+day(-3)+`","output":"Quyết định thành lập tổ","indicator":"teams_per_village","budget":"Ngân sách xã"}`, 201)), &late)
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "POST", "/api/v1/plans/"+pl.ID+"/tasks", `{"title":"Tập huấn kỹ năng số cho tổ","lead_unit_code":"24133","due_on":"`+day(60)+`"}`, 201)), &onTime)
	for field, body := range map[string]string{
		"lead_unit_code":  `{"title":"X","lead_unit_code":"26041","due_on":"` + day(5) + `"}`,
		"due_on":          `{"title":"X","lead_unit_code":"24121","start_on":"2026-05-01","due_on":"2026-04-01"}`,
		"coordinating[0]": `{"title":"X","lead_unit_code":"24121","coordinating":["NOPE"],"due_on":"` + day(5) + `"}`,
	} {
		if out := apiJSON(t, ta, "daklak", "POST", "/api/v1/plans/"+pl.ID+"/tasks", body, 400); !strings.Contains(out, `"`+field+`"`) {
			t.Errorf("bad %s not named: %s", field, out)
		}
	}
	apiJSON(t, ta, "dongnai", "GET", "/api/v1/plans/"+pl.ID, "", 403)
	apiJSON(t, ta, "dongnai", "POST", "/api/v1/plans/"+pl.ID+"/tasks", `{"title":"X","lead_unit_code":"24121","due_on":"`+day(5)+`"}`, 403)

	// The lead commune sees its task and reports; the other commune may
	// not report on it.
	var mine struct{ Tasks []network.Task }
	json.Unmarshal([]byte(apiJSON(t, ta, "rep24121", "GET", "/api/v1/plans/mine", "", 200)), &mine)
	if len(mine.Tasks) != 1 || mine.Tasks[0].ID != late.ID || mine.Tasks[0].State != network.Late {
		t.Fatalf("the commune's tasks: %+v", mine.Tasks)
	}
	apiJSON(t, ta, "rep24121", "GET", "/api/v1/plans/"+pl.ID, "", 200)
	apiJSON(t, ta, "rep24133", "POST", "/api/v1/plans/"+pl.ID+"/tasks/"+late.ID+"/reports", `{"status":"in_progress","percent":10}`, 403)
	apiJSON(t, ta, "rep24121", "POST", "/api/v1/plans/"+pl.ID+"/tasks/"+late.ID+"/reports", `{"status":"done","percent":40}`, 400)
	apiJSON(t, ta, "rep24121", "POST", "/api/v1/plans/"+pl.ID+"/tasks/"+late.ID+"/reports", `{"status":"in_progress","percent":40,"note":"Đã lập 3 trên 7 tổ"}`, 201)
	apiJSON(t, ta, "rep24121", "PUT", "/api/v1/plans/"+pl.ID+"/tasks/"+late.ID, `{"title":"X","lead_unit_code":"24121","due_on":"`+day(30)+`"}`, 403)

	// The office sees it late and reminds its lead unit, once a day.
	got := planOf(t, apiJSON(t, ta, "daklak", "GET", "/api/v1/plans/"+pl.ID, "", 200))
	if pr := got.Progress; pr.Total != 2 || pr.Late != 1 || pr.OnTime != 1 || pr.Done != 0 || len(pr.ByLead) != 2 || pr.ByLead[0].Late != 1 {
		t.Fatalf("progress: %+v", got.Progress)
	}
	if got.Tasks[0].Percent != 40 || got.Tasks[0].State != network.Late {
		t.Fatalf("the late task: %+v", got.Tasks[0])
	}
	before := len(ta.Mail.Sent())
	var rem struct{ Reminded int }
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "POST", "/api/v1/plans/"+pl.ID+"/remind", "", 200)), &rem)
	sent := ta.Mail.Sent()[before:]
	if rem.Reminded != 1 || len(sent) != 1 || sent[0].To != "rep24121@example.vn" || !strings.Contains(sent[0].Body, "Thành lập tổ công nghệ số") {
		t.Fatalf("reminders: %d, mails %+v", rem.Reminded, sent)
	}
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "POST", "/api/v1/plans/"+pl.ID+"/remind", "", 200)), &rem)
	if rem.Reminded != 0 {
		t.Fatal("reminded twice the same day")
	}
	apiJSON(t, ta, "rep24121", "POST", "/api/v1/plans/"+pl.ID+"/remind", "", 403)

	// Cascade: the on-time task handed down is reported through its child.
	var casc struct{ Tasks []network.Task }
	apiJSON(t, ta, "daklak", "POST", "/api/v1/plans/"+pl.ID+"/tasks/"+onTime.ID+"/cascade", `{"units":["24121"]}`, 400) // not below its lead unit
	apiJSON(t, ta, "daklak", "PUT", "/api/v1/plans/"+pl.ID+"/tasks/"+onTime.ID, `{"title":"Tập huấn kỹ năng số cho tổ","lead_unit_code":"66","due_on":"`+day(60)+`"}`, 200)
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "POST", "/api/v1/plans/"+pl.ID+"/tasks/"+onTime.ID+"/cascade", `{"units":["24121","24133"]}`, 201)), &casc)
	if len(casc.Tasks) != 2 || casc.Tasks[0].ParentID != onTime.ID {
		t.Fatalf("cascaded: %+v", casc.Tasks)
	}
	apiJSON(t, ta, "daklak", "POST", "/api/v1/plans/"+pl.ID+"/tasks/"+onTime.ID+"/reports", `{"status":"in_progress","percent":50}`, 400)
	apiJSON(t, ta, "rep24133", "POST", "/api/v1/plans/"+pl.ID+"/tasks/"+casc.Tasks[1].ID+"/reports", `{"status":"done","percent":100}`, 201)
	parent := planOf(t, apiJSON(t, ta, "daklak", "GET", "/api/v1/plans/"+pl.ID, "", 200)).Tasks
	for _, tk := range parent {
		if tk.ID == onTime.ID && (tk.Percent != 50 || tk.Status != network.InProgress) {
			t.Fatalf("the cascaded task stands at %d%% %s", tk.Percent, tk.Status)
		}
	}

	// Export: the plan as a spreadsheet with its standing.
	code, body, h := ta.do(ta.as("daklak"), "GET", "/plans/"+pl.ID+"/export", nil)
	if code != 200 || !strings.Contains(h.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("export: %d %s", code, h.Get("Content-Type"))
	}
	x, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows(x.GetSheetName(0))
	if err != nil || len(rows) != 5 || rows[1][1] != "Thành lập tổ công nghệ số ở mọi thôn" || rows[1][10] != "Chậm tiến độ" {
		t.Fatalf("exported rows: %q %v", rows, err)
	}
	if code, _, _ := ta.do(ta.as("dongnai"), "GET", "/plans/"+pl.ID+"/export", nil); code != 403 {
		t.Fatalf("another province's export: %d", code)
	}
}
