package app

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"dxhub/internal/experts"
)

func profileOf(t *testing.T, body string) experts.Profile {
	t.Helper()
	var p experts.Profile
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// An expert keeps a profile, the province's office verifies it, the
// public sees its public fields only (and cannot find it by a private
// one), a changed verified field goes back to review; another province's
// office neither reads nor verifies it.
func TestExpertProfilesVerificationPrivacy(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	addAccount(t, ta, "chuyengia", "expert@66")
	body := `{"full_name":"Nguyễn Minh Trí","position":"Giảng viên","org_name":"Trường Đại học Tây Nguyên","origin":"domestic","province":"66",
		"languages":["vi","en"],"fields":["ai","data"],"skills":[{"competence":"2.1","level":3}],"orcid":"0000-0002-1825-0097",
		"publications":[{"title":"Học máy cho dịch vụ công trực tuyến","year":2023,"url":"https://example.org/p1"}],
		"hours_per_month":20,"remote":true,"email":"tri@example.vn","contact_pref":"email","public":true,"private":["contact","publications"],"submit":true}`
	for field, bad := range map[string]string{
		"orcid":                `"orcid":"0000-0002-1825-0098"`,
		"skills[0].competence": `"skills":[{"competence":"9.9","level":1}]`,
		"skills[0].level":      `"skills":[{"competence":"2.1","level":7}]`,
		"fields[0]":            `"fields":["astrology"]`,
		"publications[0].url":  `"publications":[{"title":"X","url":"javascript:alert(1)"}]`,
	} {
		key := strings.SplitN(bad, ":", 2)[0]
		b := body
		if i := strings.Index(b, key+":"); i >= 0 {
			j := i + len(key) + 1
			depth, k := 0, j
			for ; k < len(b); k++ {
				c := b[k]
				if c == '[' || c == '{' {
					depth++
				} else if c == ']' || c == '}' {
					depth--
				}
				if depth == 0 && (c == ',' || c == '}') && k > j {
					if c == ']' || c == '}' {
						k++
					}
					break
				}
			}
			b = b[:i] + bad + b[k:]
		}
		if out := apiJSON(t, ta, "chuyengia", "PUT", "/api/v1/experts/me", b, 400); !strings.Contains(out, `"`+field+`"`) {
			t.Errorf("bad %s not named: %s", field, out)
		}
	}
	pr := profileOf(t, apiJSON(t, ta, "chuyengia", "PUT", "/api/v1/experts/me", body, 200))
	if pr.Status != experts.Submitted || pr.UnitCode != "66" {
		t.Fatalf("saved: %+v", pr)
	}
	var dir experts.Result
	json.Unmarshal([]byte(apiJSON(t, ta, "", "GET", "/api/v1/experts?q=nguyen+minh+tri", "", 200)), &dir)
	if dir.Total != 0 {
		t.Fatalf("an unverified profile is public: %+v", dir)
	}
	apiJSON(t, ta, "dongnai", "GET", "/api/v1/experts/"+pr.ID, "", 404)
	apiJSON(t, ta, "dongnai", "POST", "/api/v1/experts/"+pr.ID+"/verify", `{"note":"x"}`, 403)
	apiJSON(t, ta, "chuyengia", "POST", "/api/v1/experts/"+pr.ID+"/verify", `{"note":"x"}`, 403)
	apiJSON(t, ta, "daklak", "POST", "/api/v1/experts/"+pr.ID+"/verify", `{"note":""}`, 400)
	pr = profileOf(t, apiJSON(t, ta, "daklak", "POST", "/api/v1/experts/"+pr.ID+"/verify", `{"note":"Đối chiếu quyết định bổ nhiệm và hồ sơ ORCID"}`, 200))
	if pr.Status != experts.Verified || pr.Verified["fields"].Note == "" {
		t.Fatalf("verified: %+v", pr)
	}

	// The public: found by name typed without marks, not by a private
	// publication; private fields absent from the profile.
	json.Unmarshal([]byte(apiJSON(t, ta, "", "GET", "/api/v1/experts?q=nguyen+minh+tri", "", 200)), &dir)
	if dir.Total != 1 || dir.Experts[0].ID != pr.ID {
		t.Fatalf("the public directory: %+v", dir)
	}
	// The one search box finds the public profile too, as the public
	// sees it.
	if all := apiJSON(t, ta, "", "GET", "/api/v1/search?q=nguyen+minh+tri", "", 200); !strings.Contains(all, pr.ID) || strings.Contains(all, "tri@example.vn") {
		t.Fatalf("the one search box: %s", all)
	}
	// An exact name comes first among similar names.
	addAccount(t, ta, "chuyengia2", "expert@66")
	near := profileOf(t, apiJSON(t, ta, "chuyengia2", "PUT", "/api/v1/experts/me", `{"full_name":"Nguyễn Minh Trí Dũng","fields":["ai"],"public":true}`, 200))
	apiJSON(t, ta, "daklak", "POST", "/api/v1/experts/"+near.ID+"/verify", `{"note":"Hồ sơ"}`, 200)
	json.Unmarshal([]byte(apiJSON(t, ta, "", "GET", "/api/v1/experts?q=Nguy%E1%BB%85n+Minh+Tr%C3%AD", "", 200)), &dir)
	if dir.Total != 2 || dir.Experts[0].ID != pr.ID {
		t.Fatalf("the exact name is not first: %+v", dir.Experts)
	}
	json.Unmarshal([]byte(apiJSON(t, ta, "", "GET", "/api/v1/experts?q=hoc+may+dich+vu+cong", "", 200)), &dir)
	if dir.Total != 0 {
		t.Fatalf("found by a private publication: %+v", dir.Experts)
	}
	public := apiJSON(t, ta, "", "GET", "/api/v1/experts/"+pr.ID, "", 200)
	if strings.Contains(public, "tri@example.vn") || strings.Contains(public, "Học máy") || !strings.Contains(public, `"redacted":true`) {
		t.Fatalf("the public profile shows private fields: %s", public)
	}
	if other := apiJSON(t, ta, "dongnai", "GET", "/api/v1/experts/"+pr.ID, "", 200); strings.Contains(other, "tri@example.vn") || strings.Contains(other, "Học máy") {
		t.Fatalf("another province's office reads the private fields: %s", other)
	}
	if office := apiJSON(t, ta, "daklak", "GET", "/api/v1/experts/"+pr.ID, "", 200); !strings.Contains(office, "tri@example.vn") || !strings.Contains(office, "Học máy") {
		t.Fatalf("the office does not see the private fields: %s", office)
	}
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "GET", "/api/v1/experts?all=1&q=hoc+may", "", 200)), &dir)
	if dir.Total != 1 {
		t.Fatalf("the office's directory does not find the publication: %+v", dir)
	}
	apiJSON(t, ta, "dongnai", "GET", "/api/v1/experts?all=1&unit=66", "", 403)
	json.Unmarshal([]byte(apiJSON(t, ta, "dongnai", "GET", "/api/v1/experts?all=1&q=hoc+may", "", 200)), &dir)
	if dir.Total != 0 {
		t.Fatalf("another province's office finds a private field: %+v", dir)
	}

	// A photo: seen by the public on a public profile, not once private.
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
	photoBody, ct := formWithFile(t, nil, "photo", "anh.png", png)
	if code, _, _ := ta.do(ta.as("chuyengia"), "POST", "/experts/me/photo", photoBody, "Content-Type", ct); code != 303 {
		t.Fatalf("photo upload: %d", code)
	}
	notPhoto, ct2 := formWithFile(t, nil, "photo", "x.png", []byte("%PDF-1.4\n"))
	if code, _, _ := ta.do(ta.as("chuyengia"), "POST", "/experts/me/photo", notPhoto, "Content-Type", ct2); code != 400 {
		t.Fatalf("a PDF as a photo: %d", code)
	}
	withPhoto := profileOf(t, apiJSON(t, ta, "", "GET", "/api/v1/experts/"+pr.ID, "", 200))
	if withPhoto.PhotoID == "" {
		t.Fatal("the public profile has no photo")
	}
	if code, _, h := ta.do(ta.client(""), "GET", "/files/"+withPhoto.PhotoID, nil); code != 200 || h.Get("Content-Type") != "image/png" {
		t.Fatalf("the public photo: %d %s", code, h.Get("Content-Type"))
	}
	hidden := strings.Replace(body, `"private":["contact","publications"]`, `"private":["contact","publications","photo"]`, 1)
	apiJSON(t, ta, "chuyengia", "PUT", "/api/v1/experts/me", hidden, 200)
	if code, _, _ := ta.do(ta.client(""), "GET", "/files/"+withPhoto.PhotoID, nil); code == 200 {
		t.Fatal("a private photo is served to the public")
	}
	if code, _, _ := ta.do(ta.as("daklak"), "GET", "/files/"+withPhoto.PhotoID, nil); code != 200 {
		t.Fatalf("the office's view of a private photo: %d", code)
	}
	apiJSON(t, ta, "chuyengia", "PUT", "/api/v1/experts/me", body, 200)

	// A changed verified field goes back to review, and off the public
	// directory until checked again.
	changed := strings.Replace(body, `"fields":["ai","data"]`, `"fields":["ai","data","cloud"]`, 1)
	pr = profileOf(t, apiJSON(t, ta, "chuyengia", "PUT", "/api/v1/experts/me", changed, 200))
	if pr.Status != experts.Changed {
		t.Fatalf("after a change: %s", pr.Status)
	}
	json.Unmarshal([]byte(apiJSON(t, ta, "", "GET", "/api/v1/experts?q=nguyen+minh+tri", "", 200)), &dir)
	for _, e := range dir.Experts {
		if e.ID == pr.ID {
			t.Fatal("a changed profile stays public before review")
		}
	}
}

// An organisation posts a need, sees ranked matches with reasons, invites
// an expert who accepts; the engagement is recorded and rated, and the
// expert's load and rating follow. Nominations: the province selects its
// core, the nation the national one. Another province sees none of it.
func TestExpertNeedsMatchingEngagements(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	addAccount(t, ta, "cg1", "expert@66")
	addAccount(t, ta, "cg2", "expert@66")
	mk := func(user, name, fields, skills, langs string, remote bool) experts.Profile {
		t.Helper()
		r := "false"
		if remote {
			r = "true"
		}
		pr := profileOf(t, apiJSON(t, ta, user, "PUT", "/api/v1/experts/me", `{"full_name":"`+name+`","origin":"domestic","fields":`+fields+`,"skills":`+skills+`,"languages":`+langs+`,"hours_per_month":10,"remote":`+r+`,"public":true}`, 200))
		return profileOf(t, apiJSON(t, ta, "daklak", "POST", "/api/v1/experts/"+pr.ID+"/verify", `{"note":"Hồ sơ gốc"}`, 200))
	}
	a := mk("cg1", "Lê Thị An", `["ai","data"]`, `[{"competence":"2.1","level":4}]`, `["vi","en"]`, true)
	b := mk("cg2", "Trần Văn Bình", `["cybersecurity"]`, `[{"competence":"4.1","level":3}]`, `["vi"]`, false)
	var need experts.Need
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "POST", "/api/v1/experts/needs", `{"unit_code":"66","title":"Xây dựng kho dữ liệu dùng chung của tỉnh","fields":["data","ai"],"skills":[{"competence":"2.1","level":3}],"languages":["en"],"place":"remote","hours_per_month":8}`, 201)), &need)
	apiJSON(t, ta, "daklak", "POST", "/api/v1/experts/needs", `{"unit_code":"66","title":"X"}`, 400)
	apiJSON(t, ta, "dongnai", "GET", "/api/v1/experts/needs/"+need.ID, "", 403)
	var ms struct {
		Matches []struct {
			Expert  experts.Profile
			Score   float64
			Reasons []struct{ Key, Text string }
		}
	}
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "GET", "/api/v1/experts/needs/"+need.ID+"/matches", "", 200)), &ms)
	if len(ms.Matches) != 1 || ms.Matches[0].Expert.ID != a.ID || ms.Matches[0].Score < 90 {
		t.Fatalf("matches: %+v", ms.Matches)
	}
	reasons := ""
	for _, r := range ms.Matches[0].Reasons {
		reasons += r.Text + "; "
	}
	if !strings.Contains(reasons, "Cùng lĩnh vực: data, ai") || !strings.Contains(reasons, "2.1 (4/3)") || !strings.Contains(reasons, "từ xa") || !strings.Contains(reasons, "Chưa có việc nào") {
		t.Fatalf("reasons: %s", reasons)
	}
	apiJSON(t, ta, "dongnai", "POST", "/api/v1/experts/needs/"+need.ID+"/invitations", `{"profile_id":"`+a.ID+`"}`, 403)
	var inv experts.Invitation
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "POST", "/api/v1/experts/needs/"+need.ID+"/invitations", `{"profile_id":"`+a.ID+`","message":"Mời anh chị tham gia"}`, 201)), &inv)
	apiJSON(t, ta, "daklak", "POST", "/api/v1/experts/needs/"+need.ID+"/invitations", `{"profile_id":"`+a.ID+`"}`, 409)
	if sent := ta.Mail.Sent(); !strings.Contains(sent[len(sent)-1].Subject, "Xây dựng kho dữ liệu") || sent[len(sent)-1].To != "cg1@example.vn" {
		t.Fatalf("the invitation's mail: %+v", sent[len(sent)-1])
	}
	if _, home, _ := ta.do(ta.as("cg1"), "GET", "/", nil); !strings.Contains(home, "Lời mời chuyên gia chờ bạn trả lời") {
		t.Fatal("the expert's home page does not show the invitation")
	}
	var mine struct{ Invitations []experts.Invitation }
	json.Unmarshal([]byte(apiJSON(t, ta, "cg1", "GET", "/api/v1/experts/me/invitations", "", 200)), &mine)
	if len(mine.Invitations) != 1 || mine.Invitations[0].Status != experts.Invited {
		t.Fatalf("the expert's invitations: %+v", mine)
	}
	apiJSON(t, ta, "cg2", "POST", "/api/v1/experts/invitations/"+inv.ID+"/answer", `{"accept":true}`, 404)
	json.Unmarshal([]byte(apiJSON(t, ta, "cg1", "POST", "/api/v1/experts/invitations/"+inv.ID+"/answer", `{"accept":true}`, 200)), &inv)
	if sent := ta.Mail.Sent(); sent[len(sent)-1].To != "daklak@example.vn" || !strings.Contains(sent[len(sent)-1].Body, "Lê Thị An — đã nhận lời mời") {
		t.Fatalf("the organisation is not told of the answer: %+v", sent[len(sent)-1])
	}
	if _, home, _ := ta.do(ta.as("daklak"), "GET", "/", nil); !strings.Contains(home, "Lê Thị An đã nhận lời mời") {
		t.Fatal("the home page of the need's poster does not show the answer")
	}
	if inv.Status != experts.Accepted || inv.Engagement == nil {
		t.Fatalf("accepted: %+v", inv)
	}
	apiJSON(t, ta, "cg1", "POST", "/api/v1/experts/invitations/"+inv.ID+"/answer", `{"accept":false}`, 409)
	if got := profileOf(t, apiJSON(t, ta, "daklak", "GET", "/api/v1/experts/"+a.ID, "", 200)); got.Load != 1 {
		t.Fatalf("load after accepting: %d", got.Load)
	}
	apiJSON(t, ta, "daklak", "POST", "/api/v1/experts/invitations/"+inv.ID+"/engagement", `{"rating":9}`, 400)
	apiJSON(t, ta, "daklak", "POST", "/api/v1/experts/invitations/"+inv.ID+"/engagement", `{"start_on":"2026-10-01","end_on":"2026-11-30","hours":40,"outcome":"Kho dữ liệu mở của tỉnh","done":true,"rating":5,"comment":"Rất tốt"}`, 200)
	json.Unmarshal([]byte(apiJSON(t, ta, "cg1", "POST", "/api/v1/experts/invitations/"+inv.ID+"/engagement", `{"rating":4,"comment":"Tổ chức tốt"}`, 200)), &inv)
	if e := inv.Engagement; e.Status != "done" || e.OrgRating != 5 || e.ExpertRating != 4 || e.Hours != 40 {
		t.Fatalf("engagement: %+v", e)
	}
	if got := profileOf(t, apiJSON(t, ta, "daklak", "GET", "/api/v1/experts/"+a.ID, "", 200)); got.Load != 0 || got.Rating != 5 || got.Ratings != 1 {
		t.Fatalf("after the work: load %d rating %v (%d)", got.Load, got.Rating, got.Ratings)
	}

	// Nomination and selection.
	var nom experts.Nomination
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "POST", "/api/v1/experts/"+b.ID+"/nominations", `{"level":"provincial","unit_code":"66"}`, 201)), &nom)
	apiJSON(t, ta, "dongnai", "POST", "/api/v1/experts/nominations/"+nom.ID+"/decide", `{"selected":true,"decision_ref":"1/QĐ"}`, 403)
	apiJSON(t, ta, "daklak", "POST", "/api/v1/experts/nominations/"+nom.ID+"/decide", `{"selected":true}`, 400)
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "POST", "/api/v1/experts/nominations/"+nom.ID+"/decide", `{"selected":true,"decision_ref":"2145/QĐ-UBND"}`, 200)), &nom)
	if nom.Status != "selected" || nom.DecisionRef != "2145/QĐ-UBND" {
		t.Fatalf("provincial selection: %+v", nom)
	}
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "POST", "/api/v1/experts/"+a.ID+"/nominations", `{"level":"national","unit_code":"66"}`, 201)), &nom)
	apiJSON(t, ta, "daklak", "POST", "/api/v1/experts/nominations/"+nom.ID+"/decide", `{"selected":true,"decision_ref":"9/QĐ"}`, 403)
	apiJSON(t, ta, "national", "POST", "/api/v1/experts/nominations/"+nom.ID+"/decide", `{"selected":true,"decision_ref":"1234/QĐ-BKHCN"}`, 200)

	// The counts are computed data elements of monitoring.
	for code, src := range map[string]string{"exp_verified": experts.SourceVerified, "exp_national": experts.SourceNational, "exp_provincial": experts.SourceProvincial, "exp_engaged": experts.SourceEngaged} {
		apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/elements", `{"code":"`+code+`","name_vi":"`+code+`","source":"`+src+`","categories":["ai","data","cybersecurity"]}`, 200)
	}
	apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/indicators", `{"code":"cyber_experts","name_vi":"Chuyên gia an toàn thông tin đã xác minh","measure":"count","numerator":"{exp_verified.cybersecurity}"}`, 200)
	apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/indicators", `{"code":"national_experts","name_vi":"Chuyên gia quốc gia","measure":"count","numerator":"{exp_national}"}`, 200)
	apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/indicators", `{"code":"verified_experts","name_vi":"Chuyên gia đã xác minh","measure":"count","numerator":"{exp_verified}"}`, 200)
	apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/recompute", "", 200)
	d := dashboard(t, ta, "national", "VN", "")
	if r := indicatorRow(t, d, "national_experts"); r.Value != 1 {
		t.Fatalf("national experts in monitoring: %+v", r)
	}
	if r := indicatorRow(t, dashboard(t, ta, "daklak", "66", ""), "verified_experts"); r.Value != 2 {
		t.Fatalf("verified experts of Đắk Lắk in monitoring: %+v", r)
	}
	if r := indicatorRow(t, dashboard(t, ta, "daklak", "66", ""), "cyber_experts"); r.Value != 1 {
		t.Fatalf("verified cybersecurity experts of Đắk Lắk in monitoring: %+v", r)
	}

	// Similar experts: the other expert shares nothing; an office's
	// outside expert in data does.
	c := profileOf(t, apiJSON(t, ta, "daklak", "POST", "/api/v1/experts", `{"full_name":"John Smith","unit_code":"66","origin":"foreign","org_name":"University of Example","fields":["data"],"languages":["en"],"public":true}`, 201))
	apiJSON(t, ta, "daklak", "POST", "/api/v1/experts/"+c.ID+"/verify", `{"note":"Hộ chiếu, thư giới thiệu"}`, 200)
	var sim struct{ Experts []experts.Profile }
	json.Unmarshal([]byte(apiJSON(t, ta, "", "GET", "/api/v1/experts/similar/"+a.ID, "", 200)), &sim)
	if len(sim.Experts) != 1 || sim.Experts[0].ID != c.ID {
		t.Fatalf("similar: %+v", sim.Experts)
	}
}

// Experts come in from a sheet an office keeps (LibreOffice, Vietnamese
// headers), all or nothing with every fault named; the export goes back
// in as updates; another province's office can import none of it.
func TestExpertImportExport(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	sheet := libreOfficeXLSX(t, "DANH SÁCH CHUYÊN GIA CHUYỂN ĐỔI SỐ TỈNH ĐẮK LẮK,,,,,,,\n"+
		"Họ và tên,Mã đơn vị,\"Cơ quan, tổ chức\",Lĩnh vực,Năng lực,Ngôn ngữ,ORCID,Số giờ mỗi tháng,Từ xa,Công khai,Thông tin riêng,Công trình\n"+
		"Nguyễn Văn Sơn,66,Sở Khoa học và Công nghệ,data; ai,2.1:3; 3.4:2,vi; en,0000-0002-1825-0097,10,x,x,publications,Dữ liệu mở | 2024 | https://example.org/a\n"+
		"Anna Müller,66,TU München,cybersecurity,4.1:4,en; de,,5,có,có,,\n")
	post := func(user string, body []byte, want int) string {
		t.Helper()
		code, out, _ := ta.do(ta.as(user), "POST", "/api/v1/experts/import", bytes.NewReader(body), "Content-Type", "application/octet-stream", "Accept-Language", "en")
		if code != want {
			t.Fatalf("import as %s: %d, want %d: %s", user, code, want, out)
		}
		return out
	}
	if out := post("daklak", sheet, 200); !strings.Contains(out, `"created":2`) {
		t.Fatalf("import: %s", out)
	}
	var dir experts.Result
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "GET", "/api/v1/experts?all=1&q=nguyen+van+son", "", 200)), &dir)
	if dir.Total != 1 || dir.Experts[0].Status != experts.Submitted || len(dir.Experts[0].Skills) != 2 {
		t.Fatalf("imported: %+v", dir.Experts)
	}
	if son := profileOf(t, apiJSON(t, ta, "daklak", "GET", "/api/v1/experts/"+dir.Experts[0].ID, "", 200)); len(son.Works) != 1 || son.Works[0].Year != 2024 {
		t.Fatalf("the imported publication: %+v", son.Works)
	}
	wrong := "full_name,unit_code,fields,skills,orcid,remote\n" +
		"Đúng,66,data,2.1:2,,x\n" +
		"Sai ORCID,66,data,,0000-0002-1825-0098,\n" +
		"Sai lĩnh vực,66,astrology,,,\n" +
		"Tỉnh khác,75,data,,,\n" +
		"Sai có không,66,data,,,maybe\n"
	out := post("daklak", []byte(wrong), 422)
	for _, want := range []string{`"row":3`, `"column":"orcid"`, `"row":4`, `"column":"fields"`, `"row":5`, `"column":"unit_code"`, `"row":6`, `"column":"remote"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the refusal does not say %s: %s", want, out)
		}
	}
	json.Unmarshal([]byte(apiJSON(t, ta, "daklak", "GET", "/api/v1/experts?all=1&q=dung", "", 200)), &dir)
	if dir.Total != 0 {
		t.Fatal("a refused sheet wrote a profile")
	}
	post("dongnai", sheet, 422)
	post("learner", sheet, 403)

	// The export imports back as updates of the same profiles.
	code, body, _ := ta.do(ta.as("daklak"), "GET", "/api/v1/experts/export?unit=66&format=csv", nil)
	if code != 200 || !strings.Contains(body, "Dữ liệu mở | 2024 | https://example.org/a") {
		t.Fatalf("export: %d %s", code, body)
	}
	if out := post("daklak", []byte(body), 200); !strings.Contains(out, `"created":0,"updated":2`) {
		t.Fatalf("the export imported back: %s", out)
	}
	if code, _, _ := ta.do(ta.as("dongnai"), "GET", "/api/v1/experts/export?unit=66", nil); code != 403 {
		t.Fatalf("another province's export: %d", code)
	}
}
