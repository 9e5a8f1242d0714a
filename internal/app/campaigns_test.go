package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"dxhub/internal/campaign"
	"dxhub/internal/credential"
	"dxhub/internal/learning"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/mail"
)

// contestJSON is what the contest API answers, as far as tests read it.
type contestJSON struct {
	ID     string `json:"id"`
	Rounds []struct {
		ID    string `json:"id"`
		Num   int    `json:"num"`
		State string `json:"state"`
		Mine  *struct {
			TriesUsed int `json:"tries_used"`
			TriesLeft int `json:"tries_left"`
			Place     int `json:"place"`
		} `json:"mine"`
	} `json:"rounds"`
}

type boardJSON struct {
	Entrants int  `json:"entrants"`
	Official bool `json:"official"`
	Rows     []struct {
		Place int     `json:"place"`
		Name  string  `json:"name"`
		Score float64 `json:"score"`
		Prize string  `json:"prize"`
	} `json:"rows"`
}

// enterAndSubmit enters a round through the API, answers right the first
// `right` items (fast, as a bot would) and submits.
func enterAndSubmit(t *testing.T, ta *testApp, c *http.Client, user, contest string, round, right int, body string) string {
	t.Helper()
	status, out, _ := ta.do(c, "POST", fmt.Sprintf("/api/v1/contests/%s/rounds/%d/enter", contest, round), strings.NewReader(body), "Content-Type", "application/json")
	if status != 200 {
		t.Fatalf("%s enters: %d %s", user, status, out)
	}
	var e struct {
		AttemptID string `json:"attempt_id"`
	}
	json.Unmarshal([]byte(out), &e)
	if right > 0 {
		ctx := auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, user))
		a, err := ta.App.Exams.Attempt(ctx, e.AttemptID)
		if err != nil {
			t.Fatal(err)
		}
		for idx := range right {
			resp, _, err := ta.App.Exams.Correct(ctx, a, idx)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(map[string]any{"response": resp})
			if status, out, _ := ta.do(c, "PUT", fmt.Sprintf("/api/v1/attempts/%s/answers/%d", e.AttemptID, idx), strings.NewReader(string(b)), "Content-Type", "application/json"); status != 200 {
				t.Fatalf("answer: %d %s", status, out)
			}
		}
	}
	if status, out, _ := ta.do(c, "POST", "/api/v1/attempts/"+e.AttemptID+"/submit", nil); status != 200 {
		t.Fatalf("submit: %d %s", status, out)
	}
	return e.AttemptID
}

func TestCampaignContestAndMessages(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	bp, _ := examFixture(t, ta, "")
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	if _, err := ta.App.Org.ImportPeople(ctx, strings.NewReader("key,full_name,unit_code,groups,email,phone\nC1,Lê Thị Cúc,24133,citizen,cuc@example.vn,0912345678\nC2,Phạm Văn Dũng,24121,civil_servant,,\n"), ""); err != nil {
		t.Fatal(err)
	}
	if err := ta.App.Auth.LinkPerson(ctx, mustPrincipal(t, ta, "learner").AccountID, ta.personID("C1")); err != nil {
		t.Fatal(err)
	}
	clients := map[string]*http.Client{}
	as := func(user string) *http.Client {
		if clients[user] == nil {
			clients[user] = ta.client(user)
		}
		return clients[user]
	}
	dl, dn := as("daklak"), as("dongnai")

	t.Run("a campaign is refused with the field named, then made", func(t *testing.T) {
		status, out, _ := ta.do(dl, "POST", "/api/v1/campaigns", strings.NewReader(`{"slug":"A","name_vi":"x","unit_code":"66","starts_on":"2026-12-01","ends_on":"2026-12-31"}`), "Content-Type", "application/json")
		if status != 400 || !strings.Contains(out, `"slug"`) {
			t.Fatalf("bad slug: %d %s", status, out)
		}
		status, out, _ = ta.do(dl, "POST", "/api/v1/campaigns", strings.NewReader(`{"slug":"thang-cds-66","name_vi":"x","unit_code":"66","starts_on":"2026-12-31","ends_on":"2026-12-01"}`), "Content-Type", "application/json")
		if status != 400 || !strings.Contains(out, `"ends_on"`) {
			t.Fatalf("bad period: %d %s", status, out)
		}
		status, out, _ = ta.do(dn, "POST", "/api/v1/campaigns", strings.NewReader(`{"slug":"thang-cds-66","name_vi":"Tháng chuyển đổi số","unit_code":"66","starts_on":"2026-12-01","ends_on":"2026-12-31"}`), "Content-Type", "application/json")
		if status != 403 {
			t.Fatalf("another province's office: %d %s", status, out)
		}
		status, out, _ = ta.do(dl, "POST", "/api/v1/campaigns", strings.NewReader(`{"slug":"thang-cds-66","name_vi":"Tháng chuyển đổi số Đắk Lắk","name_en":"Dak Lak DX month","goal_vi":"Mọi người dân biết dùng dịch vụ công trực tuyến","unit_code":"66","starts_on":"2026-12-01","ends_on":"2026-12-31","links":[{"title":"Khoá học kỹ năng số","url":"/courses"}],"published":true}`), "Content-Type", "application/json")
		if status != 201 {
			t.Fatalf("campaign: %d %s", status, out)
		}
		if status, out, _ := ta.do(dn, "PUT", "/api/v1/campaigns/thang-cds-66", strings.NewReader(`{"slug":"thang-cds-66","name_vi":"Đổi tên","unit_code":"66","starts_on":"2026-12-01","ends_on":"2026-12-31"}`), "Content-Type", "application/json"); status != 403 {
			t.Fatalf("another province edits: %d %s", status, out)
		}
	})

	t.Run("an event takes registrations and counts page views", func(t *testing.T) {
		at := time.Now().Add(48 * time.Hour).UnixMilli()
		status, out, _ := ta.do(dl, "POST", "/api/v1/campaigns/thang-cds-66/events", strings.NewReader(fmt.Sprintf(`{"kind":"livestream","title":"Hỏi đáp về VNeID","starts_at":%d,"link":"https://example.vn/live","capacity":1}`, at)), "Content-Type", "application/json")
		if status != 201 {
			t.Fatalf("event: %d %s", status, out)
		}
		var e struct{ ID string }
		json.Unmarshal([]byte(out), &e)
		if status, out, _ := ta.do(as("learner"), "POST", "/api/v1/events/"+e.ID+"/register", nil); status != 200 || !strings.Contains(out, `"registered":1`) {
			t.Fatalf("register: %d %s", status, out)
		}
		if status, out, _ := ta.do(as("author"), "POST", "/api/v1/events/"+e.ID+"/register", nil); status != 409 {
			t.Fatalf("a full event: %d %s", status, out)
		}
		for range 2 {
			if status, page, _ := ta.do(as(""), "GET", "/campaigns/thang-cds-66", nil); status != 200 || !strings.Contains(page, "Hỏi đáp về VNeID") {
				t.Fatalf("public page: %d", status)
			}
		}
		if err := ta.App.Camp.FlushVisits(t.Context()); err != nil {
			t.Fatal(err)
		}
		if _, out, _ := ta.do(dl, "GET", "/api/v1/campaigns/thang-cds-66", nil); !strings.Contains(out, `"visits":2`) {
			t.Fatalf("visits: %s", out)
		}
	})

	now := time.Now()
	var k contestJSON
	t.Run("a contest's rounds are exam sessions not listed among exams", func(t *testing.T) {
		body := fmt.Sprintf(`{"name":"Tìm hiểu chuyển đổi số","rules":"Mỗi vòng 2 lượt, tính lượt cao nhất.","blueprint_id":%q,"eligibility":"open","tries":2,"time_limit_min":20,
			"prediction":"Bao nhiêu người trả lời đúng tất cả?","rounds":[{"opens_at":%d,"closes_at":%d},{"opens_at":%d,"closes_at":%d}]}`,
			bp, now.Add(-time.Minute).UnixMilli(), now.Add(time.Hour).UnixMilli(), now.Add(2*time.Hour).UnixMilli(), now.Add(3*time.Hour).UnixMilli())
		if status, out, _ := ta.do(dl, "POST", "/api/v1/campaigns/thang-cds-66/contests", strings.NewReader(strings.Replace(body, `"tries":2`, `"tries":9`, 1)), "Content-Type", "application/json"); status != 400 || !strings.Contains(out, `"tries"`) {
			t.Fatalf("nine tries: %d %s", status, out)
		}
		status, out, _ := ta.do(dl, "POST", "/api/v1/campaigns/thang-cds-66/contests", strings.NewReader(body), "Content-Type", "application/json")
		if status != 201 {
			t.Fatalf("contest: %d %s", status, out)
		}
		json.Unmarshal([]byte(out), &k)
		if _, page, _ := ta.do(as("learner"), "GET", "/exams", nil); strings.Contains(page, "Tìm hiểu chuyển đổi số") {
			t.Fatal("a contest's session is listed among the learner's exams")
		}
	})

	t.Run("entrants enter, try again, and run out of tries", func(t *testing.T) {
		if status, out, _ := ta.do(as("learner"), "POST", "/api/v1/contests/"+k.ID+"/rounds/1/enter", strings.NewReader(`{"consent":true}`), "Content-Type", "application/json"); status != 400 || !strings.Contains(out, "prediction") {
			t.Fatalf("no prediction: %d %s", status, out)
		}
		if status, _, _ := ta.do(as("learner"), "POST", "/api/v1/contests/"+k.ID+"/rounds/2/enter", strings.NewReader(`{"prediction":1}`), "Content-Type", "application/json"); status != 409 {
			t.Fatalf("round 2 before it opens: %d", status)
		}
		enterAndSubmit(t, ta, as("learner"), "learner", k.ID, 1, 2, `{"prediction":1,"consent":true}`)
		enterAndSubmit(t, ta, as("learner"), "learner", k.ID, 1, 6, `{"prediction":5,"consent":true}`)
		if status, out, _ := ta.do(as("learner"), "POST", "/api/v1/contests/"+k.ID+"/rounds/1/enter", strings.NewReader(`{"prediction":1}`), "Content-Type", "application/json"); status != 409 {
			t.Fatalf("a third try: %d %s", status, out)
		}
		enterAndSubmit(t, ta, as("author"), "author", k.ID, 1, 3, `{"prediction":0}`)
		enterAndSubmit(t, ta, as("author2"), "author2", k.ID, 1, 0, `{"prediction":0}`)
		if err := ta.App.Events.RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("the leaderboard keeps the best try, names only with consent", func(t *testing.T) {
		var b boardJSON
		_, out, _ := ta.do(as(""), "GET", "/api/v1/contests/"+k.ID+"/rounds/1/board", nil)
		json.Unmarshal([]byte(out), &b)
		if b.Entrants != 3 || len(b.Rows) != 3 || b.Rows[0].Name != "learner" || b.Rows[1].Name == "author" || b.Rows[0].Score <= b.Rows[1].Score || b.Official {
			t.Fatalf("board: %s", out)
		}
		var kk contestJSON
		_, out, _ = ta.do(as("learner"), "GET", "/api/v1/contests/"+k.ID, nil)
		json.Unmarshal([]byte(out), &kk)
		if m := kk.Rounds[0].Mine; m == nil || m.TriesUsed != 2 || m.TriesLeft != 0 || m.Place != 1 {
			t.Fatalf("learner's entry: %s", out)
		}
		if status, out, _ := ta.do(as(""), "GET", "/api/v1/contests/"+k.ID+"/rounds/1/board?unit=NOPE", nil); status != 400 || !strings.Contains(out, "unit") {
			t.Fatalf("an unknown unit: %d %s", status, out)
		}
	})

	t.Run("answers faster than a person reads are flagged, and decided on", func(t *testing.T) {
		status, out, _ := ta.do(dl, "GET", "/api/v1/contests/"+k.ID+"/rounds/1/flagged", nil)
		if status != 200 || !strings.Contains(out, `"flag":"fast"`) {
			t.Fatalf("flagged: %d %s", status, out)
		}
		if status, _, _ := ta.do(dn, "GET", "/api/v1/contests/"+k.ID+"/rounds/1/flagged", nil); status != 403 {
			t.Fatalf("another province reads the flags: %d", status)
		}
		if status, _, _ := ta.do(as("learner"), "GET", "/api/v1/contests/"+k.ID+"/rounds/1/flagged", nil); status != 403 {
			t.Fatalf("an entrant reads the flags: %d", status)
		}
		var fl struct {
			Entries []struct {
				Entrant, Name string
			} `json:"entries"`
		}
		json.Unmarshal([]byte(out), &fl)
		var authorID string
		for _, e := range fl.Entries {
			if e.Name == "author" {
				authorID = e.Entrant
			}
		}
		if status, out, _ := ta.do(dl, "POST", "/api/v1/contests/"+k.ID+"/rounds/1/decisions", strings.NewReader(`{"entrant":"`+authorID+`","decision":"disqualified","reason":""}`), "Content-Type", "application/json"); status != 400 || !strings.Contains(out, "reason") {
			t.Fatalf("no reason: %d %s", status, out)
		}
		if status, out, _ := ta.do(dl, "POST", "/api/v1/contests/"+k.ID+"/rounds/1/decisions", strings.NewReader(`{"entrant":"`+authorID+`","decision":"disqualified","reason":"Bot"}`), "Content-Type", "application/json"); status != 200 {
			t.Fatalf("decide: %d %s", status, out)
		}
		var b boardJSON
		_, out, _ = ta.do(as(""), "GET", "/api/v1/contests/"+k.ID+"/rounds/1/board", nil)
		json.Unmarshal([]byte(out), &b)
		if b.Entrants != 2 {
			t.Fatalf("the disqualified entry stays on the board: %s", out)
		}
	})

	t.Run("results are published after the round closes, with prizes", func(t *testing.T) {
		if status, out, _ := ta.do(dl, "POST", "/api/v1/contests/"+k.ID+"/rounds/1/publish", nil); status != 409 {
			t.Fatalf("publish while open: %d %s", status, out)
		}
		ta.App.Exams.SetClock(func() time.Time { return now.Add(90 * time.Minute) })
		t.Cleanup(func() { ta.App.Exams.SetClock(time.Now) })
		if status, out, _ := ta.do(dl, "POST", "/api/v1/contests/"+k.ID+"/rounds/1/publish", nil); status != 200 || !strings.Contains(out, `"full_marks"`) {
			t.Fatalf("publish: %d %s", status, out)
		}
		var b boardJSON
		_, out, _ := ta.do(as(""), "GET", "/api/v1/contests/"+k.ID+"/rounds/1/board", nil)
		json.Unmarshal([]byte(out), &b)
		if !b.Official || b.Rows[0].Name != "learner" {
			t.Fatalf("official board: %s", out)
		}
		learnerID := mustPrincipal(t, ta, "learner").AccountID
		if status, out, _ := ta.do(dl, "POST", "/api/v1/contests/"+k.ID+"/rounds/1/prizes", strings.NewReader(`{"entrant":"`+learnerID+`","prize":"Giải Nhất"}`), "Content-Type", "application/json"); status != 200 {
			t.Fatalf("prize: %d %s", status, out)
		}
		if _, page, _ := ta.do(as("learner"), "GET", "/contests/"+k.ID+"/rounds/1", nil); !strings.Contains(page, "Giải Nhất") || !strings.Contains(page, "xếp thứ 1") {
			t.Fatal("the round's page does not show the entrant's place and prize")
		}
		// The prize winners' list goes to the certificates system as it is.
		ach := &credential.Achievement{Code: "CT-66", UnitCode: "66", Name: "Giải cuộc thi tìm hiểu chuyển đổi số", Criteria: "Đạt giải", Rule: credential.RuleManual}
		dctx := auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, "daklak"))
		if err := ta.App.Cred.SaveAchievement(dctx, ach); err != nil {
			t.Fatal(err)
		}
		if status, _, _ := ta.do(dl, "GET", "/contests/"+k.ID+"/rounds/1/certificates.csv?achievement=CT%2066", nil); status != 400 {
			t.Fatalf("a bad achievement code: %d", status)
		}
		status, list, _ := ta.do(dl, "GET", "/contests/"+k.ID+"/rounds/1/certificates.csv?achievement=CT-66&prizes=1", nil)
		if status != 200 || list != "achievement,username\nCT-66,learner\n" {
			t.Fatalf("prize list: %d %q", status, list)
		}
		if res, err := ta.App.Cred.IssueList(dctx, strings.NewReader(list), ""); err != nil || res.Issued != 1 {
			t.Fatalf("issuing the prize list: %+v %v", res, err)
		}
		if _, all, _ := ta.do(dl, "GET", "/contests/"+k.ID+"/rounds/1/certificates.csv?achievement=CT-66", nil); strings.Count(all, "CT-66,") != 2 {
			t.Fatalf("participation list (the disqualified entrant left out): %q", all)
		}
	})

	t.Run("the campaign's figures for its organisers", func(t *testing.T) {
		out := apiJSON(t, ta, "daklak", "GET", "/api/v1/campaigns/thang-cds-66/figures", "", 200)
		for _, want := range []string{`"visits":2`, `"registrations":1`, `"entrants":2`, `"entries":2`, `"nation":false`} {
			if !strings.Contains(out, want) {
				t.Fatalf("figures lack %s: %s", want, out)
			}
		}
		apiJSON(t, ta, "dongnai", "GET", "/api/v1/campaigns/thang-cds-66/figures", "", 403)
	})

	t.Run("participation figures are computed data elements of monitoring", func(t *testing.T) {
		for code, src := range map[string]string{"cmp_entries": campaign.SourceEntries, "cmp_regs": campaign.SourceRegistrations, "cmp_visits": campaign.SourceVisits} {
			apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/elements", `{"code":"`+code+`","name_vi":"`+code+`","source":"`+src+`"}`, 200)
			apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/indicators", `{"code":"i_`+code+`","name_vi":"`+code+`","measure":"count","numerator":"{`+code+`}"}`, 200)
		}
		apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/recompute", "", 200)
		d := dashboard(t, ta, "daklak", "66", "")
		// Only the learner's entry has a person in the tree (in Tân An).
		for code, want := range map[string]float64{"i_cmp_entries": 1, "i_cmp_regs": 1, "i_cmp_visits": 2} {
			if r := indicatorRow(t, d, code); r.Value != want {
				t.Fatalf("%s of Đắk Lắk in monitoring: %+v, want %v", code, r, want)
			}
		}
	})

	var msgID string
	t.Run("a message reaches those who entered, by notice and mail, once", func(t *testing.T) {
		round1 := k.Rounds[0].ID
		body := `{"unit_code":"66","topic":"contests","subject_vi":"Vòng 2 sắp mở","subject_en":"Round 2 opens soon","body_vi":"Mời bạn dự vòng 2.","body_en":"Join round 2.","channels":["notice","email"],"behaviour":"entered_round","behaviour_ref":"` + round1 + `"}`
		if status, out, _ := ta.do(dl, "POST", "/api/v1/messages", strings.NewReader(strings.Replace(body, `"channels":["notice","email"]`, `"channels":["fax"]`, 1)), "Content-Type", "application/json"); status != 400 || !strings.Contains(out, "channels") {
			t.Fatalf("a bad channel: %d %s", status, out)
		}
		if status, out, _ := ta.do(dn, "POST", "/api/v1/messages", strings.NewReader(strings.Replace(body, `"unit_code":"66"`, `"unit_code":"75"`, 1)), "Content-Type", "application/json"); status != 400 || !strings.Contains(out, "behaviour_ref") {
			t.Fatalf("another province names our round: %d %s", status, out)
		}
		status, out, _ := ta.do(dl, "POST", "/api/v1/messages", strings.NewReader(body), "Content-Type", "application/json")
		if status != 201 {
			t.Fatalf("compose: %d %s", status, out)
		}
		var m struct{ ID string }
		json.Unmarshal([]byte(out), &m)
		msgID = m.ID
		if _, home, _ := ta.do(as("learner"), "GET", "/", nil); strings.Contains(home, "thông báo mới") {
			t.Fatal("a notice before the message is sent")
		}
		n, err := ta.App.Camp.SendDue(t.Context())
		if err != nil || n != 2 {
			t.Fatalf("send: %d %v", n, err)
		}
		if n, err := ta.App.Camp.SendDue(t.Context()); err != nil || n != 0 {
			t.Fatalf("sent again: %d %v", n, err)
		}
		if _, home, _ := ta.do(as("learner"), "GET", "/", nil); !strings.Contains(home, "1 thông báo mới") {
			t.Fatal("the home page does not tell of the new notice")
		}
		if _, out, _ := ta.do(as("learner"), "GET", "/api/v1/me/notices", nil); !strings.Contains(out, "Vòng 2 sắp mở") {
			t.Fatalf("notices: %s", out)
		}
		if _, out, _ := ta.do(as("author"), "GET", "/api/v1/me/notices", nil); strings.Contains(out, "Vòng 2") {
			t.Fatalf("someone outside the audience has the notice: %s", out)
		}
		_, out, _ = ta.do(dl, "GET", "/api/v1/messages/"+m.ID, nil)
		if !strings.Contains(out, `"recipients":1`) || !strings.Contains(out, `"notice":{"opened":1}`) || !strings.Contains(out, `"email":{"sent":1}`) {
			t.Fatalf("delivery: %s", out)
		}
		if status, _, _ := ta.do(dn, "GET", "/api/v1/messages/"+m.ID, nil); status != 403 {
			t.Fatalf("another province reads the message: %d", status)
		}
	})

	t.Run("one click unsubscribes a topic from mail, not from notices", func(t *testing.T) {
		sent := ta.Mail.Sent()
		last := sent[len(sent)-1]
		if last.To != "cuc@example.vn" || last.Unsubscribe == "" || !strings.Contains(last.Body, last.Unsubscribe) {
			t.Fatalf("mail: %+v", last)
		}
		u, _ := url.Parse(last.Unsubscribe)
		bad := u.Query()
		bad.Set("t", "general")
		if status, _, _ := ta.do(as(""), "POST", "/unsubscribe?"+bad.Encode(), strings.NewReader("List-Unsubscribe=One-Click"), "Content-Type", "application/x-www-form-urlencoded"); status != 400 {
			t.Fatalf("a link changed to another topic: %d", status)
		}
		if status, page, _ := ta.do(as(""), "POST", "/unsubscribe?"+u.RawQuery, strings.NewReader("List-Unsubscribe=One-Click"), "Content-Type", "application/x-www-form-urlencoded"); status != 200 || !strings.Contains(page, "Đã hủy nhận") {
			t.Fatalf("one click: %d", status)
		}
		status, out, _ := ta.do(dl, "POST", "/api/v1/messages", strings.NewReader(`{"unit_code":"66","topic":"contests","subject_vi":"Nhắc lần hai","body_vi":"Còn một ngày.","channels":["notice","email","sms"]}`), "Content-Type", "application/json")
		if status != 201 {
			t.Fatalf("compose: %d %s", status, out)
		}
		var m struct{ ID string }
		json.Unmarshal([]byte(out), &m)
		if _, err := ta.App.Camp.SendDue(t.Context()); err != nil {
			t.Fatal(err)
		}
		_, out, _ = ta.do(dl, "GET", "/api/v1/messages/"+m.ID, nil)
		for _, want := range []string{`"recipients":3`, `"unsubscribed":1`, `"no_address":`, `"notice":{"sent":3}`} {
			if !strings.Contains(out, want) {
				t.Fatalf("delivery lacks %s: %s", want, out)
			}
		}
	})
	_ = msgID
}

// TestMessageSentOnceByManyNodes: several nodes run the sender over one
// database; each person gets the message once, and a node that stopped
// mid-batch leaves its claimed deliveries marked unknown, not sent again.
func TestMessageSentOnceByManyNodes(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	var csv strings.Builder
	csv.WriteString("key,full_name,unit_code,groups,email\n")
	for i := range 300 {
		fmt.Fprintf(&csv, "M%03d,Người Nhận %d,24121,civil_servant,m%03d@example.vn\n", i, i, i)
	}
	sys := auth.WithPrincipal(context.Background(), auth.System())
	if _, err := ta.App.Org.ImportPeople(sys, strings.NewReader(csv.String()), ""); err != nil {
		t.Fatal(err)
	}
	dl := auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, "daklak"))
	m, err := ta.App.Camp.Compose(dl, campaign.MessageInput{UnitCode: "24121", Groups: []string{"civil_servant"}, SubjectVI: "Tập huấn", BodyVI: "Mời dự tập huấn.", Channels: []string{campaign.Email}})
	if err != nil {
		t.Fatal(err)
	}
	nodes := make([]*campaign.Service, 3)
	senders := make([]*mail.LogSender, 3)
	for i := range nodes {
		senders[i] = &mail.LogSender{Log: slog.New(slog.DiscardHandler)}
		nodes[i] = &campaign.Service{DB: ta.App.DB, Org: ta.App.Org, Auth: ta.App.Auth, Exams: ta.App.Exams, Mail: senders[i], SMS: ta.App.SMS, BaseURL: "http://dxhub.test"}
	}
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := n.SendDue(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// Each node's log sender keeps its last hundred mails: the one that
	// held the lease sent them all, the others none.
	busy := 0
	for _, s := range senders {
		if n := len(s.Sent()); n > 0 {
			busy++
			seen := map[string]bool{}
			for _, sent := range s.Sent() {
				if seen[sent.To] {
					t.Fatalf("%s got the message twice", sent.To)
				}
				seen[sent.To] = true
			}
		}
	}
	if busy != 1 {
		t.Fatalf("%d nodes sent the message, want one", busy)
	}
	var sent int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM cmp_deliveries WHERE message_id = $1 AND status = 'sent'`, m.ID).Scan(&sent)
	if sent != 300 {
		t.Fatalf("%d sent, want 300", sent)
	}

	// A node took a message, claimed a batch and stopped: its lease runs
	// out, another node takes over.
	m2, err := ta.App.Camp.Compose(dl, campaign.MessageInput{UnitCode: "24121", Groups: []string{"civil_servant"}, SubjectVI: "Lần hai", BodyVI: "Nhắc lại.", Channels: []string{campaign.Email}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.DB.W.Exec(`UPDATE cmp_messages SET status = 'sending', lease_until = 1, expanded = 1 WHERE id = $1`, m2.ID); err != nil {
		t.Fatal(err)
	}
	rows := []string{}
	for i := range 300 {
		st := "pending"
		if i < 40 {
			st = "sending" // claimed by the stopped node, maybe sent
		}
		rows = append(rows, fmt.Sprintf("('%s', '%s', 'email', '%s')", m2.ID, ta.personID(fmt.Sprintf("M%03d", i)), st))
	}
	if _, err := ta.App.DB.W.Exec(`INSERT INTO cmp_deliveries (message_id, person_id, channel, status) VALUES ` + strings.Join(rows, ",")); err != nil {
		t.Fatal(err)
	}
	if n, err := nodes[1].SendDue(context.Background()); err != nil || n != 260 {
		t.Fatalf("takeover sent %d (%v), want 260", n, err)
	}
	var unknown, sent2 int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM cmp_deliveries WHERE message_id = $1 AND status = 'unknown'`, m2.ID).Scan(&unknown)
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM cmp_deliveries WHERE message_id = $1 AND status = 'sent'`, m2.ID).Scan(&sent2)
	if unknown != 40 || sent2 != 260 {
		t.Fatalf("after the takeover: %d unknown, %d sent; want 40 and 260", unknown, sent2)
	}
}

// TestContestInvitationList: a contest open only to those on a list the
// office keeps in LibreOffice; a list with a repeated or unknown name is
// refused whole with the rows named; those not on it cannot enter.
func TestContestInvitationList(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	bp, _ := examFixture(t, ta, "")
	dl := auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, "daklak"))
	now := time.Now()
	c, err := ta.App.Camp.SaveCampaign(dl, "", campaign.CampaignInput{Slug: "cuoc-thi-moi", NameVI: "Cuộc thi theo danh sách", UnitCode: "66", StartsOn: now.Format(time.DateOnly), EndsOn: now.Format(time.DateOnly), Published: true})
	if err != nil {
		t.Fatal(err)
	}
	post := func(list []byte) (int, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range map[string]string{"name": "Cuộc thi cán bộ", "blueprint_id": bp, "eligibility": "list", "time_limit_min": "15", "tries": "1",
			"first_opens": now.Add(-time.Minute).In(i18n.DefaultZone).Format("2006-01-02T15:04"), "rounds": "1", "length_hours": "2", "every_days": "7"} {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("invited_file", "danh-sach.xlsx")
		fw.Write(list)
		mw.Close()
		status, body, _ := ta.do(ta.client("daklak"), "POST", "/campaigns/cuoc-thi-moi/contests", &buf, "Content-Type", mw.FormDataContentType())
		return status, body
	}
	for list, want := range map[string]string{"Tên đăng nhập\nlearner\nauthor\nLEARNER\n": "Dòng 4, cột username: Tên đăng nhập “learner” đã có ở dòng 2", "Tên đăng nhập\nlearner\nnobody\n": "Dòng 3, cột username: Không có tài khoản “nobody”"} {
		if status, body := post(libreOfficeXLSX(t, list)); status != 400 || !strings.Contains(body, want) {
			i := strings.Index(body, `role="alert"`)
			t.Fatalf("a bad list: %d %s", status, body[max(0, i):min(len(body), i+600)])
		}
	}
	if got, _ := ta.App.Camp.Campaign(dl, c.ID); len(got.Contests) != 0 {
		t.Fatal("a refused list made a contest")
	}
	if status, _ := post(libreOfficeXLSX(t, "Tên đăng nhập\nlearner\nauthor\n")); status != 303 {
		t.Fatalf("the list: %d", status)
	}
	got, _ := ta.App.Camp.Campaign(dl, c.ID)
	k := got.Contests[0]
	if status, out, _ := ta.do(ta.client("author2"), "POST", "/api/v1/contests/"+k.ID+"/rounds/1/enter", strings.NewReader(`{}`), "Content-Type", "application/json"); status != 403 {
		t.Fatalf("someone not invited enters: %d %s", status, out)
	}
	if status, out, _ := ta.do(ta.client("learner"), "POST", "/api/v1/contests/"+k.ID+"/rounds/1/enter", strings.NewReader(`{}`), "Content-Type", "application/json"); status != 200 {
		t.Fatalf("an invited entrant: %d %s", status, out)
	}
}

// TestContestIdenticalSheets: three entrants hand in the same answers to
// the same items (shown in different orders) and are flagged for review,
// not dropped; a fourth with other answers is not.
func TestContestIdenticalSheets(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	examFixture(t, ta, "")
	var comp string
	var n int
	if err := ta.App.DB.R.QueryRow(`SELECT competence, COUNT(*) FROM items WHERE status = 'approved' GROUP BY competence HAVING COUNT(*) >= 6 ORDER BY COUNT(*), competence LIMIT 1`).Scan(&comp, &n); err != nil {
		t.Fatal(err)
	}
	// Every form holds all the competence's items: the sheets can match.
	out := apiJSON(t, ta, "national", "POST", "/api/v1/blueprints", fmt.Sprintf(`{"name":"Đủ câu","standard_code":"VN-DSF","standard_version":1,"time_limit_min":20,"pass_percent":50,
		"rules":[{"competence":%q,"count":%d}],"shuffle_items":true,"shuffle_options":true,"navigation":"free"}`, comp, n), 201)
	var bp struct {
		Blueprint struct{ ID string } `json:"blueprint"`
	}
	json.Unmarshal([]byte(out), &bp)
	nat := auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, "national"))
	now := time.Now()
	c, err := ta.App.Camp.SaveCampaign(nat, "", campaign.CampaignInput{Slug: "giong-nhau", NameVI: "Cuộc thi", UnitCode: "VN", StartsOn: now.Format(time.DateOnly), EndsOn: now.Format(time.DateOnly), Published: true})
	if err != nil {
		t.Fatal(err)
	}
	k, err := ta.App.Camp.AddContest(nat, c.ID, campaign.ContestInput{Name: "Cuộc thi", BlueprintID: bp.Blueprint.ID, TimeLimitMin: 20,
		Rounds: []campaign.RoundInput{{OpensAt: now.Add(-time.Minute).UnixMilli(), ClosesAt: now.Add(time.Hour).UnixMilli()}}})
	if err != nil {
		t.Fatal(err)
	}
	var skip string // the item the copied sheets leave blank; the fourth leaves another
	other := ""
	for i, user := range []string{"learner", "author", "author2", "dlauthor"} {
		ctx := auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, user))
		a, err := ta.App.Camp.Enter(ctx, k, k.Rounds[0], campaign.EnterInput{})
		if err != nil {
			t.Fatal(err)
		}
		if skip == "" {
			skip = slices.Min(slices.Collect(func(yield func(string) bool) {
				for _, f := range a.Form {
					yield(f.Item)
				}
			}))
		}
		for _, f := range a.Form {
			if other == "" && f.Item != skip {
				other = f.Item
			}
		}
		for idx, f := range a.Form {
			if (i < 3 && f.Item == skip) || (i == 3 && f.Item == other) {
				continue
			}
			resp, _, err := ta.App.Exams.Correct(ctx, a, idx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ta.App.Exams.SaveAnswer(ctx, a.ID, idx, resp); err != nil {
				t.Fatal(err)
			}
		}
	}
	// They hand in a minute later, as a person would.
	ta.App.Exams.SetClock(func() time.Time { return now.Add(time.Minute) })
	t.Cleanup(func() { ta.App.Exams.SetClock(time.Now) })
	for _, user := range []string{"learner", "author", "author2", "dlauthor"} {
		ctx := auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, user))
		a, err := ta.App.Exams.MyAttemptIn(ctx, k.Rounds[0].Sessions[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ta.App.Exams.Submit(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := ta.App.Events.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	rows, err := ta.App.Camp.Flagged(nat, c, k.Rounds[0])
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rows {
		if r.Flag != campaign.FlagIdentical {
			t.Fatalf("flag %q", r.Flag)
		}
		names = append(names, r.Name)
	}
	slices.Sort(names)
	if strings.Join(names, ",") != "author,author2,learner" {
		t.Fatalf("flagged %v, want the three copied sheets", names)
	}
	var b boardJSON
	json.Unmarshal([]byte(apiJSON(t, ta, "", "GET", "/api/v1/contests/"+k.ID+"/rounds/1/board", "", 200)), &b)
	if b.Entrants != 4 {
		t.Fatalf("flagged entries left the board: %+v", b)
	}
}

// TestMessageToThoseNotStarted: a message to the people a learning
// assignment covers who have begun none of its courses.
func TestMessageToThoseNotStarted(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	sys := auth.WithPrincipal(context.Background(), auth.System())
	if _, err := ta.App.Org.ImportPeople(sys, strings.NewReader("key,full_name,unit_code,groups\nC1,Lê Thị Cúc,24133,citizen\nC2,Phạm Văn Dũng,24121,civil_servant\n"), ""); err != nil {
		t.Fatal(err)
	}
	dl := auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, "daklak"))
	author := auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, "dlauthor"))
	mustCourse(t, ta, author, learning.CourseInput{Code: "DL-KH", UnitCode: "66", Title: "Khóa học ngắn", Summary: "x", Audiences: []string{"citizen"}, OpenEnrol: true, PassPercent: 50},
		learning.LessonInput{Kind: learning.KindText, Title: "Bài 1", Body: "Nội dung", Required: true})
	asg, err := ta.App.Learn.Assign(dl, learning.AssignInput{UnitCode: "24121", Kind: "course", Code: "DL-KH", Due: time.Now().AddDate(0, 1, 0).Format(time.DateOnly)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Camp.Compose(dl, campaign.MessageInput{UnitCode: "66", SubjectVI: "Nhắc học", BodyVI: "x", Channels: []string{campaign.Notice}, Behaviour: campaign.CourseNotBegun, BehaviourRef: "nope"}); err == nil {
		t.Fatal("an unknown assignment is accepted")
	}
	m, err := ta.App.Camp.Compose(dl, campaign.MessageInput{UnitCode: "66", SubjectVI: "Nhắc học", BodyVI: "Mời bắt đầu khóa học.", Channels: []string{campaign.Notice}, Behaviour: campaign.CourseNotBegun, BehaviourRef: asg.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Camp.SendDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := ta.App.Camp.Message(dl, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The two people of Buôn Ma Thuột (A1 and C2), not C1 of Tân An.
	if got.Recipients != 2 {
		t.Fatalf("%d recipients, want 2", got.Recipients)
	}
}
