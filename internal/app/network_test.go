package app

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dxhub/internal/credential"
	"dxhub/internal/network"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
)

// addMemberAccount makes an account for the person with key.
func addMemberAccount(t *testing.T, ta *testApp, name, personID string) {
	t.Helper()
	sys := auth.WithPrincipal(t.Context(), auth.System())
	if _, err := ta.App.Auth.CreateAccount(sys, auth.NewAccount{Username: name, Email: name + "@example.vn", Password: testPassword, PersonID: personID}); err != nil {
		t.Fatal(err)
	}
}

func teamOf(t *testing.T, body string) network.Team {
	t.Helper()
	var tm network.Team
	if err := json.Unmarshal([]byte(body), &tm); err != nil {
		t.Fatal(err)
	}
	return tm
}

// A commune's network: villages, a committee and a team with members; a
// member logs for their own team only, a resend stores nothing, the
// leader logs for a member; another province neither reads nor changes
// any of it; the coverage of the province counts it all.
func TestNetworkTeamsMembersActivities(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	today := time.Now().In(time.FixedZone("ICT", 7*3600)).Format(time.DateOnly)
	var vs struct{ Villages []network.Village }
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "POST", "/api/v1/network/villages", `{"unit_code":"24121","villages":[{"name":"Thôn 1"},{"name":"Tổ dân phố 5","kind":"residential_group"}]}`, 201)), &vs)
	if len(vs.Villages) != 2 {
		t.Fatalf("villages: %+v", vs)
	}
	// All or none: a name already there refuses the whole list.
	apiJSON(t, ta, "daklak", "POST", "/api/v1/network/villages", `{"unit_code":"24121","villages":[{"name":"Thôn 9"},{"name":"thôn 1"}]}`, 400)
	apiJSON(t, ta, "dongnai", "POST", "/api/v1/network/villages", `{"unit_code":"24121","villages":[{"name":"Thôn 8"}]}`, 403)
	var after struct{ Villages []network.Village }
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "GET", "/api/v1/network/villages?unit=24121", "", 200)), &after)
	if len(after.Villages) != 2 {
		t.Fatalf("a refused list changed the villages: %+v", after)
	}

	team := teamOf(t, apiJSON(t, ta, "daklak", "POST", "/api/v1/network/teams", `{"kind":"community_team","unit_code":"24121","name":"Tổ công nghệ số Thôn 1","founded_on":"2026-01-02","villages":["`+vs.Villages[0].ID+`"]}`, 201))
	other := teamOf(t, apiJSON(t, ta, "daklak", "POST", "/api/v1/network/teams", `{"kind":"community_team","unit_code":"24133","name":"Tổ Tân An"}`, 201))
	apiJSON(t, ta, "daklak", "POST", "/api/v1/network/teams", `{"kind":"committee","unit_code":"24121","name":"Ban chỉ đạo phường"}`, 201)
	// A committee covers no villages; a team only its own unit's.
	apiJSON(t, ta, "daklak", "POST", "/api/v1/network/teams", `{"kind":"committee","unit_code":"24121","name":"X","villages":["`+vs.Villages[0].ID+`"]}`, 400)
	if out := apiJSON(t, ta, "daklak", "POST", "/api/v1/network/teams", `{"kind":"community_team","unit_code":"24133","name":"X","villages":["`+vs.Villages[0].ID+`"]}`, 400); !strings.Contains(out, "villages[0]") {
		t.Fatalf("a foreign village, not named: %s", out)
	}
	apiJSON(t, ta, "dongnai", "POST", "/api/v1/network/teams", `{"kind":"community_team","unit_code":"24121","name":"X"}`, 403)
	apiJSON(t, ta, "dongnai", "GET", "/api/v1/network/teams/"+team.ID, "", 403)

	leader := apiJSON(t, ta, "daklak", "POST", "/api/v1/network/teams/"+team.ID+"/members", `{"person_key":"A1","role":"leader","joined_on":"2026-01-05","phone":"0901234567"}`, 201)
	var m2 network.Mem
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "POST", "/api/v1/network/teams/"+team.ID+"/members", `{"full_name":"Trần Văn Bé","role":"member","joined_on":"2026-01-05","phone":"0912345678"}`, 201)), &m2)
	apiJSON(t, ta, "daklak", "POST", "/api/v1/network/teams/"+team.ID+"/members", `{"person_key":"A1","role":"member","joined_on":"2026-02-05"}`, 400)
	apiJSON(t, ta, "daklak", "POST", "/api/v1/network/teams/"+team.ID+"/members", `{"person_key":"NOBODY","role":"member","joined_on":"2026-02-05"}`, 400)
	apiJSON(t, ta, "dongnai", "POST", "/api/v1/network/teams/"+team.ID+"/members", `{"full_name":"X","role":"member","joined_on":"2026-02-05"}`, 403)
	var m1 network.Mem
	json.Unmarshal([]byte(leader), &m1)
	addMemberAccount(t, ta, "tolead", m1.PersonID)
	addMemberAccount(t, ta, "tomem", m2.PersonID)

	// A member sees the team, names but no contacts.
	seen := teamOf(t, apiJSON(t, ta, "tomem", "GET", "/api/v1/network/teams/"+team.ID, "", 200))
	if len(seen.Members) != 2 || strings.Contains(apiJSON(t, ta, "tomem", "GET", "/api/v1/network/teams/"+team.ID, "", 200), "0901234567") {
		t.Fatalf("a member's view: %+v", seen)
	}
	if !strings.Contains(apiJSON(t, ta, "daklak", "GET", "/api/v1/network/teams/"+team.ID, "", 200), "0901234567") {
		t.Fatal("the office does not see the contacts")
	}
	apiJSON(t, ta, "tomem", "GET", "/api/v1/network/teams/"+other.ID, "", 403)

	// Logging: for one's own team, once per client key.
	entry := `{"team_id":"` + team.ID + `","village_id":"` + vs.Villages[0].ID + `","done_on":"` + today + `","kind":"public_service","service":"Đăng ký khai sinh","people":3,"client_key":"k1"}`
	var first, again network.Activity
	json.Unmarshal([]byte(apiJSON(t, ta, "tomem", "POST", "/api/v1/network/activities", entry, 201)), &first)
	json.Unmarshal([]byte(apiJSON(t, ta, "tomem", "POST", "/api/v1/network/activities", entry, 200)), &again)
	if first.ID == "" || again.ID != first.ID || !again.Duplicate || first.MemberID != m2.ID {
		t.Fatalf("resend: %+v then %+v", first, again)
	}
	apiJSON(t, ta, "tomem", "POST", "/api/v1/network/activities", `{"team_id":"`+other.ID+`","done_on":"`+today+`","kind":"vneid","people":1,"client_key":"k2"}`, 403)
	apiJSON(t, ta, "tomem", "POST", "/api/v1/network/activities", `{"team_id":"`+team.ID+`","done_on":"`+today+`","kind":"vneid","people":1,"member_id":"`+m1.ID+`","client_key":"k3"}`, 400)
	apiJSON(t, ta, "tolead", "POST", "/api/v1/network/activities", `{"team_id":"`+team.ID+`","done_on":"`+today+`","kind":"scam_warning","people":20,"member_id":"`+m2.ID+`","campaign":"dx_day","client_key":"k1"}`, 201)
	apiJSON(t, ta, "dongnai", "POST", "/api/v1/network/activities", `{"team_id":"`+team.ID+`","done_on":"`+today+`","kind":"vneid","people":1,"client_key":"k4"}`, 403)
	for field, body := range map[string]string{
		"people":     `{"team_id":"` + team.ID + `","done_on":"` + today + `","kind":"vneid","people":0,"client_key":"b1"}`,
		"done_on":    `{"team_id":"` + team.ID + `","done_on":"2099-01-01","kind":"vneid","people":1,"client_key":"b2"}`,
		"kind":       `{"team_id":"` + team.ID + `","done_on":"` + today + `","kind":"magic","people":1,"client_key":"b3"}`,
		"service":    `{"team_id":"` + team.ID + `","done_on":"` + today + `","kind":"public_service","people":1,"client_key":"b4"}`,
		"client_key": `{"team_id":"` + team.ID + `","done_on":"` + today + `","kind":"vneid","people":1}`,
		"village_id": `{"team_id":"` + team.ID + `","village_id":"` + vs.Villages[1].ID + `","done_on":"` + today + `","kind":"vneid","people":1,"client_key":"b5"}`,
	} {
		if out := apiJSON(t, ta, "tomem", "POST", "/api/v1/network/activities", body, 400); !strings.Contains(out, `"`+field+`"`) {
			t.Errorf("bad %s not named: %s", field, out)
		}
	}
	// The phone form: the same form sent twice is recorded once, and the
	// page says so.
	form := "team_id=" + team.ID + "&done_on=" + today + "&kind=e_payment&people=2&client_key=form1"
	for i, want := range []string{"done=1", "dup=1"} {
		code, _, h := ta.do(ta.as("tomem"), "POST", "/network/log", strings.NewReader(form), "Content-Type", "application/x-www-form-urlencoded")
		if code != 303 || !strings.Contains(h.Get("Location"), want) {
			t.Fatalf("form sent %d times: %d %s", i+1, code, h.Get("Location"))
		}
	}
	if code, page, _ := ta.do(ta.as("tomem"), "POST", "/network/log", strings.NewReader("team_id="+team.ID+"&done_on="+today+"&kind=vneid&people=abc&client_key=form2"), "Content-Type", "application/x-www-form-urlencoded"); code != 400 || !strings.Contains(page, `id="log-form"`) || !strings.Contains(page, "role=\"alert\"") {
		t.Fatalf("a bad form: %d", code)
	}
	var acts struct{ Activities []network.Activity }
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "GET", "/api/v1/network/teams/"+team.ID+"/activities", "", 200)), &acts)
	if len(acts.Activities) != 3 {
		t.Fatalf("activities: %+v", acts)
	}

	// Coverage of the province: one of two communes with a committee, one
	// of two villages with a team, two members, 25 people helped.
	apiJSON(t, ta, "daklak", "PUT", "/api/v1/network/population", `{"unit_code":"24121","population":40000,"as_of":"2026-01-01"}`, 200)
	var c network.Coverage
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "GET", "/api/v1/network/coverage?unit=66", "", 200)), &c)
	tot := c.Total
	if tot.Communes != 2 || tot.CommunesWithCommittee != 1 || tot.Villages != 2 || tot.VillagesCovered != 1 || tot.Teams != 2 || tot.Members != 2 || tot.Population != 40000 || tot.Helped() != 25 {
		t.Fatalf("coverage: %+v", tot)
	}
	if len(c.Rows) != 2 || c.Rows[0].UnitCode != "24121" || c.Rows[0].Helped() != 25 || c.Rows[1].Helped() != 0 {
		t.Fatalf("rows: %+v %+v", c.Rows[0], c.Rows[1])
	}
	var nation network.Coverage
	json.Unmarshal([]byte(apiJSON(t, ta, "national", "GET", "/api/v1/network/coverage", "", 200)), &nation)
	if nation.Total.Helped() != 25 || nation.Total.Communes != 3 {
		t.Fatalf("nation: %+v", nation.Total)
	}
	apiJSON(t, ta, "dongnai", "GET", "/api/v1/network/coverage?unit=66", "", 403)
	apiJSON(t, ta, "dongnai", "GET", "/api/v1/network/coverage?unit=VN", "", 403)
	var own network.Coverage
	json.Unmarshal([]byte(apiJSON(t, ta, "dongnai", "GET", "/api/v1/network/coverage", "", 200)), &own)
	if own.Total.UnitCode != "75" {
		t.Fatalf("Đồng Nai's default coverage is of %s", own.Total.UnitCode)
	}

	// The figures are computed data elements of monitoring: indicators on
	// the network are tracked like the others.
	for code, src := range map[string]string{"net_villages": network.SourceVillages, "net_covered": network.SourceVillagesCovered, "net_helped": network.SourceHelped, "net_committees": network.SourceCommittees} {
		apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/elements", `{"code":"`+code+`","name_vi":"`+code+`","source":"`+src+`"}`, 200)
	}
	apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/indicators", `{"code":"villages_with_team","name_vi":"Tỷ lệ thôn có tổ công nghệ số","measure":"percent","numerator":"{net_covered}","denominator":"{net_villages}"}`, 200)
	apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/indicators", `{"code":"people_helped","name_vi":"Số người được tổ hỗ trợ","measure":"count","numerator":"{net_helped}"}`, 200)
	apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/indicators", `{"code":"communes_with_committee","name_vi":"Số xã có ban chỉ đạo","measure":"count","numerator":"{net_committees}"}`, 200)
	apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/recompute", "", 200)
	d := dashboard(t, ta, "daklak", "66", "")
	if r := indicatorRow(t, d, "villages_with_team"); !r.HasValue || r.Value != 50 || r.Sources[0] != "computed" {
		t.Fatalf("villages with a team in monitoring: %+v", r)
	}
	if r := indicatorRow(t, d, "people_helped"); r.Value != 25 {
		t.Fatalf("people helped in monitoring: %+v", r)
	}
	if r := indicatorRow(t, dashboard(t, ta, "national", "VN", ""), "communes_with_committee"); r.Value != 1 {
		t.Fatalf("communes with a committee in monitoring: %+v", r)
	}

	// A member who left logs no more; a dissolved team takes no entries.
	apiJSON(t, ta, "daklak", "PUT", "/api/v1/network/teams/"+team.ID+"/members/"+m2.ID, `{"role":"member","joined_on":"2026-01-05","left_on":"`+today+`"}`, 200)
	apiJSON(t, ta, "tomem", "POST", "/api/v1/network/activities", `{"team_id":"`+team.ID+`","done_on":"`+today+`","kind":"vneid","people":1,"client_key":"k9"}`, 403)
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "GET", "/api/v1/network/coverage?unit=66", "", 200)), &c)
	if c.Total.Members != 1 {
		t.Fatalf("members after one left: %d", c.Total.Members)
	}
}

// libreOfficeXLSX has LibreOffice write csv (read in the Vietnamese locale:
// dates day first) as an XLSX workbook.
func libreOfficeXLSX(t *testing.T, csv string) []byte {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("DXHUB_LIBREOFFICE") == "required" {
			t.Fatal("soffice (libreoffice-calc-nogui) is required and missing")
		}
		t.Skip("LibreOffice not installed")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "sheet.csv")
	os.WriteFile(src, []byte(csv), 0o644)
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "lo-profile"),
		"--infilter=CSV:44,34,76,1,,1066", "--convert-to", "xlsx", "--outdir", dir, src)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v %s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "sheet.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Teams and members come in from a sheet as a province office keeps it
// (written by LibreOffice, a title row, Vietnamese headers and labels,
// dates day first), all or nothing; the export goes back in unchanged.
func TestNetworkImportExport(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	sheet := "DANH SÁCH TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG PHƯỜNG BUÔN MA THUỘT,,,,,,,,,\n" +
		"Mã đơn vị,Loại,Tên tổ,\"Thôn, tổ dân phố phụ trách\",Mã người,Họ và tên,Vai trò,Ngày tham gia,Ngày rời,Điện thoại\n" +
		"24121,Tổ công nghệ số cộng đồng,Tổ Buôn Ko Tam,Buôn Ko Tam; Buôn Akõ Dhông,A1,,Tổ trưởng,15/08/2025,,0901234567\n" +
		"24121,Tổ công nghệ số cộng đồng,Tổ Buôn Ko Tam,,,Y Khoa Ksor,Thành viên,15/08/2025,,0912345678\n" +
		"24121,Tổ công nghệ số cộng đồng,Tổ Buôn Ko Tam,,,H'Linh Byă,Thành viên,01/09/2025,31/03/2026,\n" +
		"24121,Ban chỉ đạo chuyển đổi số,Ban chỉ đạo phường,,,,,,,\n" +
		"24133,Tổ công nghệ số cộng đồng,Tổ Thôn 1,Thôn 1,,Lê Văn Bình,leader,2025-09-02,,\n"
	xlsx := libreOfficeXLSX(t, sheet)
	post := func(user string, body []byte, want int) string {
		t.Helper()
		code, out, _ := ta.do(ta.as(user), "POST", "/api/v1/network/import", bytes.NewReader(body), "Content-Type", "application/octet-stream", "Accept-Language", "en")
		if code != want {
			t.Fatalf("import as %s: %d, want %d: %s", user, code, want, out)
		}
		return out
	}
	var res network.ImportResult
	json.Unmarshal([]byte(post("daklak", xlsx, 200)), &res)
	if res.Rows != 5 || res.Teams != 3 || res.Villages != 3 || res.Members != 4 || res.People != 3 {
		t.Fatalf("first import: %+v", res)
	}
	var c network.Coverage
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "GET", "/api/v1/network/coverage?unit=66", "", 200)), &c)
	if c.Total.Teams != 2 || c.Total.Committees != 1 || c.Total.Members != 3 || c.Total.VillagesCovered != 3 {
		t.Fatalf("coverage after the import (H'Linh left): %+v", c.Total)
	}
	// The same sheet again: nothing new.
	json.Unmarshal([]byte(post("daklak", xlsx, 200)), &res)
	if res.Teams != 0 || res.Villages != 0 || res.Members != 0 || res.People != 0 || res.Updated != 4 {
		t.Fatalf("the same sheet again: %+v", res)
	}
	// A wrong sheet: every fault named by row and column, nothing written.
	wrong := "Mã đơn vị,Loại,Tên tổ,Mã người,Họ và tên,Vai trò,Ngày tham gia\n" +
		"24121,Tổ công nghệ số cộng đồng,Tổ mới,,Trần Văn Mới,Tổ trưởng,15/08/2025\n" +
		"26041,Tổ công nghệ số cộng đồng,Tổ Đồng Nai,,X,Thành viên,15/08/2025\n" +
		"24121,Tổ công nghệ số cộng đồng,Tổ mới,NOBODY,,Thành viên,15/08/2025\n" +
		"24121,Tổ công nghệ số cộng đồng,Tổ mới,,Y,Phó tổ,32/13/2025\n"
	out := post("daklak", []byte(wrong), 422)
	for _, want := range []string{`"row":3`, `"column":"unit_code"`, `"row":4`, `"column":"person_key"`, `"row":5`, `"column":"role"`, `"column":"joined_on"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the refusal does not say %s: %s", want, out)
		}
	}
	var teams struct{ Teams []network.Team }
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "GET", "/api/v1/network/teams?unit=24121", "", 200)), &teams)
	if len(teams.Teams) != 2 {
		t.Fatalf("a refused sheet wrote teams: %+v", teams.Teams)
	}
	post("dongnai", xlsx, 422)
	post("learner", xlsx, 403)

	// Populations from a sheet: all or none, named by row and column.
	pops := libreOfficeXLSX(t, "Mã đơn vị,Dân số,Tính đến ngày\n24121,\"45.210\",01/07/2025\n24133,30000,01/07/2025\n")
	code, out, _ := ta.do(ta.as("daklak"), "POST", "/api/v1/network/population/import", bytes.NewReader(pops), "Content-Type", "application/octet-stream")
	if code != 200 || !strings.Contains(out, `"units":2`) {
		t.Fatalf("populations: %d %s", code, out)
	}
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "GET", "/api/v1/network/coverage?unit=66", "", 200)), &c)
	if c.Total.Population != 75210 {
		t.Fatalf("population after the import: %d", c.Total.Population)
	}
	code, out, _ = ta.do(ta.as("daklak"), "POST", "/api/v1/network/population/import", strings.NewReader("unit_code,population\n24121,1000\n26041,5\n24133,-3\n"), "Content-Type", "text/csv", "Accept-Language", "en")
	if code != 422 || !strings.Contains(out, `"row":3`) || !strings.Contains(out, `"row":4`) {
		t.Fatalf("a wrong population sheet: %d %s", code, out)
	}
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "GET", "/api/v1/network/coverage?unit=66", "", 200)), &c)
	if c.Total.Population != 75210 {
		t.Fatalf("a refused sheet changed the population: %d", c.Total.Population)
	}

	// The export goes back in: nothing new, every member matched.
	code, body, _ := ta.do(ta.as("daklak"), "GET", "/network/export?unit=66", nil)
	if code != 200 {
		t.Fatalf("export: %d", code)
	}
	x, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows(x.GetSheetName(0))
	if len(rows) != 6 || rows[0][2] != "Tên tổ" {
		t.Fatalf("exported: %q", rows)
	}
	json.Unmarshal([]byte(post("daklak", []byte(body), 200)), &res)
	if res.Teams != 0 || res.Members != 0 || res.People != 0 || res.Updated != 4 {
		t.Fatalf("the export imported back: %+v", res)
	}
	if code, _, _ := ta.do(ta.as("dongnai"), "GET", "/network/export?unit=66", nil); code != 403 {
		t.Fatalf("another province's export: %d", code)
	}
}

// Members are trained through learning assignments: a current member is
// in the tree's community-team group (which assignments target), and the
// team's page counts the members who completed a course; one who leaves
// the team leaves the group.
func TestNetworkTrainingCoverage(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	answers := learnFixture(t, ta) // the account "staff" is Nguyễn Văn Ánh's (A1)
	team := teamOf(t, apiJSON(t, ta, "daklak", "POST", "/api/v1/network/teams", `{"kind":"community_team","unit_code":"24121","name":"Tổ học"}`, 201))
	var m network.Mem
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "POST", "/api/v1/network/teams/"+team.ID+"/members", `{"person_key":"A1","role":"leader","joined_on":"2026-01-05"}`, 201)), &m)
	inGroup := func() bool {
		out := apiJSON(t, ta, "daklak", "GET", "/api/v1/people/"+m.PersonID, "", 200)
		return strings.Contains(out, `"`+org.GroupCommunityTech+`"`)
	}
	if !inGroup() {
		t.Fatal("a member is not in the community-team group")
	}
	apiJSON(t, ta, "daklak", "POST", "/api/v1/assignments", `{"unit_code":"66","kind":"course","code":"KNS-TEST","groups":["community_tech"],"due":"2027-06-30"}`, 201)
	got := teamOf(t, apiJSON(t, ta, "daklak", "GET", "/api/v1/network/teams/"+team.ID, "", 200))
	if got.Current != 1 || got.Trained != 0 {
		t.Fatalf("before the course: %d of %d trained", got.Trained, got.Current)
	}
	completeTestCourse(t, ta, answers)
	got = teamOf(t, apiJSON(t, ta, "daklak", "GET", "/api/v1/network/teams/"+team.ID, "", 200))
	if got.Trained != 1 || got.Members[0].Courses != 1 {
		t.Fatalf("after the course: %d trained, member %+v", got.Trained, got.Members[0])
	}
	// A certificate the member holds shows on the team's page too.
	da := auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "daklak"))
	ach := &credential.Achievement{Code: "TO-CNS", UnitCode: "66", Name: "Thành viên tổ công nghệ số đã tập huấn", Criteria: "Theo danh sách", Rule: credential.RuleManual}
	if err := ta.App.Cred.SaveAchievement(da, ach); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Cred.IssueList(da, strings.NewReader("achievement,username\nTO-CNS,staff\n"), ""); err != nil {
		t.Fatal(err)
	}
	if got = teamOf(t, apiJSON(t, ta, "daklak", "GET", "/api/v1/network/teams/"+team.ID, "", 200)); got.Members[0].Credentials != 1 {
		t.Fatalf("the member's certificates: %+v", got.Members[0])
	}
	if _, page, _ := ta.do(ta.as("daklak"), "GET", "/network/teams/"+team.ID, nil); !strings.Contains(page, `id="trained"`) {
		t.Fatal("the team's page does not show its training coverage")
	}
	apiJSON(t, ta, "daklak", "PUT", "/api/v1/network/teams/"+team.ID+"/members/"+m.ID, `{"role":"leader","joined_on":"2026-01-05","left_on":"2026-02-01"}`, 200)
	if inGroup() {
		t.Fatal("a member who left is still in the group")
	}
}

// formWithFile is a multipart form: fields and one file.
func formWithFile(t *testing.T, fields map[string]string, field, name string, content []byte) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if field != "" {
		w, err := mw.CreateFormFile(field, name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// A member's photo goes with the entry, is seen by those who see the team,
// is not stored twice when the form is sent twice, and must be an image; a
// lead unit's evidence goes with its report and is seen by those who see
// the plan.
func TestNetworkPhotoAndEvidence(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	addAccount(t, ta, "rep24121", "reporter@24121")
	team := teamOf(t, apiJSON(t, ta, "daklak", "POST", "/api/v1/network/teams", `{"kind":"community_team","unit_code":"24121","name":"Tổ ảnh"}`, 201))
	var m network.Mem
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "POST", "/api/v1/network/teams/"+team.ID+"/members", `{"person_key":"A1","role":"member","joined_on":"2026-01-05"}`, 201)), &m)
	addMemberAccount(t, ta, "anh", m.PersonID)
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
	fields := map[string]string{"team_id": team.ID, "done_on": time.Now().Format(time.DateOnly), "kind": "skills_session", "people": "12", "client_key": "photo1"}
	for i, want := range []string{"done=1", "dup=1"} {
		body, ct := formWithFile(t, fields, "photo", "lop-hoc.png", png)
		if code, _, h := ta.do(ta.as("anh"), "POST", "/network/log", body, "Content-Type", ct); code != 303 || !strings.Contains(h.Get("Location"), want) {
			t.Fatalf("photo form %d: %d %s", i+1, code, h.Get("Location"))
		}
	}
	var acts struct{ Activities []network.Activity }
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "GET", "/api/v1/network/teams/"+team.ID+"/activities", "", 200)), &acts)
	if len(acts.Activities) != 1 || acts.Activities[0].PhotoID == "" {
		t.Fatalf("activities: %+v", acts.Activities)
	}
	var stored int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM files WHERE owner = $1`, "netteam:"+team.ID).Scan(&stored)
	if stored != 1 {
		t.Fatalf("the photo was stored %d times", stored)
	}
	photo := "/files/" + acts.Activities[0].PhotoID
	for user, want := range map[string]int{"anh": 200, "daklak": 200, "dongnai": 403, "learner": 403} {
		if code, _, h := ta.do(ta.as(user), "GET", photo, nil); code != want || (code == 200 && h.Get("Content-Type") != "image/png") {
			t.Errorf("the photo as %s: %d %s", user, code, h.Get("Content-Type"))
		}
	}
	fields["client_key"] = "photo2"
	body, ct := formWithFile(t, fields, "photo", "not-a-photo.png", []byte("%PDF-1.4\n1 0 obj<<>>endobj\n"))
	if code, page, _ := ta.do(ta.as("anh"), "POST", "/network/log", body, "Content-Type", ct); code != 400 || !strings.Contains(page, "JPEG, PNG") {
		t.Fatalf("a PDF as a photo: %d", code)
	}
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM files WHERE owner = $1`, "netteam:"+team.ID).Scan(&stored)
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "GET", "/api/v1/network/teams/"+team.ID+"/activities", "", 200)), &acts)
	if stored != 1 || len(acts.Activities) != 1 {
		t.Fatalf("a refused form stored %d files, %d entries", stored, len(acts.Activities))
	}

	// Evidence of a task's progress.
	pl := planOf(t, apiJSON(t, ta, "daklak", "POST", "/api/v1/plans", `{"unit_code":"66","title":"Kế hoạch"}`, 201))
	var task network.Task
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "POST", "/api/v1/plans/"+pl.ID+"/tasks", `{"title":"Lập tổ","lead_unit_code":"24121","due_on":"2027-01-01"}`, 201)), &task)
	body, ct = formWithFile(t, map[string]string{"status": "in_progress", "percent": "50"}, "file", "bien-ban.pdf", []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
	if code, _, h := ta.do(ta.as("rep24121"), "POST", "/plans/"+pl.ID+"/tasks/"+task.ID+"/report", body, "Content-Type", ct); code != 303 {
		t.Fatalf("report with evidence: %d %v", code, h)
	}
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "GET", "/api/v1/plans/"+pl.ID+"/tasks/"+task.ID, "", 200)), &task)
	if len(task.Reports) != 1 || len(task.Reports[0].Files) != 1 || task.Reports[0].Files[0].Name != "bien-ban.pdf" {
		t.Fatalf("reports: %+v", task.Reports)
	}
	evidence := "/files/" + task.Reports[0].Files[0].ID
	for user, want := range map[string]int{"rep24121": 200, "daklak": 200, "dongnai": 403} {
		if code, _, _ := ta.do(ta.as(user), "GET", evidence, nil); code != want {
			t.Errorf("the evidence as %s: %d", user, code)
		}
	}
	// A report refused stores no file.
	body, ct = formWithFile(t, map[string]string{"status": "done", "percent": "50"}, "file", "x.pdf", []byte("%PDF-1.4\n"))
	if code, _, _ := ta.do(ta.as("rep24121"), "POST", "/plans/"+pl.ID+"/tasks/"+task.ID+"/report", body, "Content-Type", ct); code != 400 {
		t.Fatalf("a wrong report: %d", code)
	}
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM files WHERE owner = $1`, "plantask:"+task.ID).Scan(&stored)
	if stored != 1 {
		t.Fatalf("%d evidence files after a refused report", stored)
	}
}
