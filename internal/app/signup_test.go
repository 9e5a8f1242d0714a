package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"dxhub/internal/lrs"
	"dxhub/internal/platform/sms"
)

// TestSignUpByEmail: a visitor signs up with a Vietnamese name typed in
// decomposed form and a place typed without diacritics, follows the link
// (which only shows a button), confirms, is signed in; the link works
// once; the password signs in; a second sign-up with the same address
// answers the same and mails its owner a note, not a link.
func TestSignUpByEmail(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	visitor := ta.client("")
	nfd := "Nguye\u0302\u0303n Thi\u0323 Hoa"
	fb, k, v := form(url.Values{"name": {nfd}, "contact": {"  Hoa.Nguyen@Example.VN "}, "password": {"trời xanh mây trắng"}, "birth_year": {"1990"}, "place": {"tan an"}, "group": {"teacher"}, "terms": {"1"}})
	s, body, h := ta.do(visitor, "POST", "/signup", fb, k, v)
	if s != 303 || h.Get("Location") != "/signup/sent?kind=email" {
		t.Fatalf("sign-up: %d %s %.300s", s, h.Get("Location"), body)
	}
	mails := ta.Mail.Sent()
	last := mails[len(mails)-1]
	link := regexp.MustCompile(`http://dxhub.test(/signup/confirm/[0-9a-f]+)`).FindStringSubmatch(last.Body)
	if last.To != "hoa.nguyen@example.vn" || link == nil {
		t.Fatalf("mail to %s: %s", last.To, last.Body)
	}
	if s, page, _ := ta.do(visitor, "GET", link[1], nil); s != 200 || !strings.Contains(page, `id="confirm"`) {
		t.Fatalf("following the link: %d", s)
	}
	s, _, h = ta.do(visitor, "POST", link[1], strings.NewReader(""), "Content-Type", "application/x-www-form-urlencoded")
	if s != 303 || !strings.HasPrefix(h.Get("Location"), "/courses") {
		t.Fatalf("confirm: %d %s", s, h.Get("Location"))
	}
	_, me, _ := ta.do(visitor, "GET", "/api/v1/me", nil)
	if !strings.Contains(me, `"username":"hoa.nguyen@example.vn"`) || !strings.Contains(me, `"display_name":"Nguyễn Thị Hoa"`) {
		t.Fatalf("signed in as %s", me)
	}
	var unit string
	ta.App.DB.R.QueryRow(`SELECT u.code FROM profiles p JOIN units u ON u.id = p.unit_id`).Scan(&unit)
	if unit != "24133" {
		t.Fatalf("the place typed as 'tan an' is %q", unit)
	}
	if s, page, _ := ta.do(ta.client(""), "POST", link[1], strings.NewReader(""), "Content-Type", "application/x-www-form-urlencoded"); s != 400 || !strings.Contains(page, "không còn dùng được") {
		t.Fatalf("the link used twice: %d", s)
	}
	fresh := ta.client("")
	fb, k, v = form(url.Values{"username": {"HOA.NGUYEN@example.vn"}, "password": {"trời xanh mây trắng"}})
	if s, _, _ := ta.do(fresh, "POST", "/login", fb, k, v); s != 303 {
		t.Fatalf("sign in with the new password: %d", s)
	}
	// The same address again: the same answer; its owner is told.
	before := len(ta.Mail.Sent())
	fb, k, v = form(url.Values{"name": {"Kẻ Khác"}, "contact": {"hoa.nguyen@example.vn"}, "password": {"mot mat khau khac"}, "terms": {"1"}})
	if s, _, h := ta.do(ta.client(""), "POST", "/signup", fb, k, v); s != 303 || h.Get("Location") != "/signup/sent?kind=email" {
		t.Fatalf("a taken address answers %d %s", s, h.Get("Location"))
	}
	note := ta.Mail.Sent()[before]
	if strings.Contains(note.Body, "/signup/confirm/") || !strings.Contains(note.Body, "/password/forgot") {
		t.Fatalf("a taken address was sent %q", note.Body)
	}
}

// TestSignUpByPhone: the code goes through a real HTTP gateway; a wrong
// code is named, five spend the sign-up, a fresh one confirms once; codes
// expire; the fourth sign-up to one number in an hour sends nothing.
func TestSignUpByPhone(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	texts := smsGateway(t, ta)
	code := func() string {
		got := texts()
		return regexp.MustCompile(`\d{6}`).FindString(got[len(got)-1].Text)
	}
	signup := func() {
		t.Helper()
		s, body, _ := ta.do(ta.client(""), "POST", "/api/v1/signup", strings.NewReader(`{"name":"Trần Văn Bình","contact":"+84 912.345.678","password":"bình minh trên núi","terms":true}`), "Content-Type", "application/json")
		if s != 202 || !strings.Contains(body, `"sent":"phone"`) {
			t.Fatalf("sign-up: %d %s", s, body)
		}
	}
	confirm := func(c string) (int, string) {
		t.Helper()
		s, body, _ := ta.do(ta.client(""), "POST", "/api/v1/signup/confirm", strings.NewReader(`{"contact":"0912345678","code":"`+c+`"}`), "Content-Type", "application/json")
		return s, body
	}
	signup()
	if got := texts(); got[0].To != "0912345678" || code() == "" {
		t.Fatalf("the gateway got %+v", got)
	}
	wrong := "000000"
	if code() == wrong {
		wrong = "111111"
	}
	if s, body := confirm(wrong); s != 400 || !strings.Contains(body, `"field":"code"`) {
		t.Fatalf("a wrong code: %d %s", s, body)
	}
	for range 4 {
		confirm(wrong)
	}
	if s, body := confirm(code()); s != 400 || !strings.Contains(body, "không còn dùng được") {
		t.Fatalf("the right code after five wrong ones: %d %s", s, body)
	}
	signup()
	right := code()
	ta.App.Account.SetClock(func() time.Time { return time.Now().Add(31 * time.Minute) })
	if s, _ := confirm(right); s != 400 {
		t.Fatalf("an expired code: %d", s)
	}
	ta.App.Account.SetClock(nil)
	if s, body := confirm(right); s != 201 || !strings.Contains(body, `"username":"0912345678"`) {
		t.Fatalf("the right code: %d %s", s, body)
	}
	if s, _ := confirm(right); s != 400 {
		t.Fatalf("a code used twice: %d", s)
	}
	// Two sign-ups this hour already: the third is the last one sent.
	n := len(texts())
	ta.do(ta.client(""), "POST", "/api/v1/signup", strings.NewReader(`{"name":"Lê Thị Cúc","contact":"0987654321","password":"một câu dài đủ rồi","terms":true}`), "Content-Type", "application/json")
	for range 3 {
		ta.do(ta.client(""), "POST", "/api/v1/signup", strings.NewReader(`{"name":"Lê Thị Cúc","contact":"0987654321","password":"một câu dài đủ rồi","terms":true}`), "Content-Type", "application/json")
	}
	if sent := len(texts()) - n; sent != 3 {
		t.Fatalf("%d messages to one number in an hour, want 3", sent)
	}
}

// TestSignUpBadInput: every refused field is named, in the visitor's
// language, and nothing is stored.
func TestSignUpBadInput(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	for _, c := range []struct{ body, field, says string }{
		{`{"name":"A","contact":"a@example.vn","password":"đủ dài rồi đấy","terms":true}`, "name", "Họ và tên"},
		{`{"name":"Ánh","contact":"0123","password":"đủ dài rồi đấy","terms":true}`, "contact", "10 chữ số"},
		{`{"name":"Ánh","contact":"a@b","password":"đủ dài rồi đấy","terms":true}`, "contact", "thư điện tử"},
		{`{"name":"Ánh","contact":"a@example.vn","password":"ngắn","terms":true}`, "password", "10"},
		{`{"name":"Ánh","contact":"a@example.vn","password":"a@example.vn","terms":true}`, "password", "trùng"},
		{`{"name":"Ánh","contact":"a@example.vn","password":"đủ dài rồi đấy","birth_year":1850,"terms":true}`, "birth_year", "Năm sinh"},
		{`{"name":"Ánh","contact":"a@example.vn","password":"đủ dài rồi đấy","group":"king","terms":true}`, "group", "danh sách"},
		{`{"name":"Ánh","contact":"a@example.vn","password":"đủ dài rồi đấy","unit_code":"66","terms":true}`, "unit_code", "66"},
		{`{"name":"Ánh","contact":"a@example.vn","password":"đủ dài rồi đấy"}`, "terms", "điều khoản"},
	} {
		s, body, _ := ta.do(ta.client(""), "POST", "/api/v1/signup", strings.NewReader(c.body), "Content-Type", "application/json")
		if s != 400 || !strings.Contains(body, `"field":"`+c.field+`"`) || !strings.Contains(body, c.says) {
			t.Errorf("%s: %d %s", c.body, s, body)
		}
	}
	var n int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM signups`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d sign-ups stored from bad input", n)
	}
	// A place that is no commune comes back on the form, named.
	fb, k, v := form(url.Values{"name": {"Ánh"}, "contact": {"a@example.vn"}, "password": {"đủ dài rồi đấy"}, "place": {"khong co noi nay"}, "terms": {"1"}})
	if s, page, _ := ta.do(ta.client(""), "POST", "/signup", fb, k, v); s != 400 || !strings.Contains(page, "Không tìm thấy xã, phường") {
		t.Fatalf("an unknown place: %d", s)
	}
}

// haSHA1 is the mbox_sha1sum of mailto:ha@example.vn.
const haSHA1 = "d21c476c7cb8bd5a20429f86b8d5effe2713c180"

// TestMyDataAndDeletion: a self-registered learner downloads their data
// (JSON and XLSX, both audited), then deletes the account: a wrong
// password is refused, the right one ends the account, signing in fails,
// the name is gone everywhere, and the enrolment stays, anonymous.
func TestMyDataAndDeletion(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	learnFixture(t, ta)
	visitor := ta.client("")
	fb, k, v := form(url.Values{"name": {"Phạm Thu Hà"}, "contact": {"ha@example.vn"}, "password": {"một câu dài đủ rồi"}, "birth_year": {"2001"}, "group": {"student"}, "terms": {"1"}})
	ta.do(visitor, "POST", "/signup", fb, k, v)
	link := regexp.MustCompile(`/signup/confirm/[0-9a-f]+`).FindString(ta.Mail.Sent()[len(ta.Mail.Sent())-1].Body)
	if s, _, _ := ta.do(visitor, "POST", link, strings.NewReader(""), "Content-Type", "application/x-www-form-urlencoded"); s != 303 {
		t.Fatalf("confirm: %d", s)
	}
	if s, body, _ := ta.do(visitor, "POST", "/api/v1/courses/KNS-TEST/enrol", nil); s != 200 {
		t.Fatalf("enrol: %d %s", s, body)
	}
	s, data, _ := ta.do(visitor, "GET", "/api/v1/me/data", nil)
	if s != 200 || !strings.Contains(data, `"display_name":"Phạm Thu Hà"`) || !strings.Contains(data, `"course_code":"KNS-TEST"`) || !strings.Contains(data, `"birth_year":2001`) ||
		!strings.Contains(data, `"learning_records":[{`) || !strings.Contains(data, "registered") {
		t.Fatalf("my data: %d %s", s, data)
	}
	s, xlsx, h := ta.do(visitor, "GET", "/account/data/export?format=xlsx", nil)
	if s != 200 || h.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || !strings.HasPrefix(xlsx, "PK") {
		t.Fatalf("XLSX export: %d %s", s, h.Get("Content-Type"))
	}
	var exports int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'my_data_export'`).Scan(&exports)
	if exports != 2 {
		t.Fatalf("%d reads of one's own data audited, want 2", exports)
	}
	if s, body, _ := ta.do(visitor, "DELETE", "/api/v1/me", strings.NewReader(`{"password":"sai mật khẩu"}`), "Content-Type", "application/json"); s != 400 || !strings.Contains(body, `"field":"password"`) {
		t.Fatalf("delete with a wrong password: %d %s", s, body)
	}
	var id string
	ta.App.DB.R.QueryRow(`SELECT id FROM accounts WHERE username = 'ha@example.vn'`).Scan(&id)
	// Another platform's statement naming her by her address.
	var st map[string]any
	json.Unmarshal([]byte(`{"actor":{"mbox":"mailto:ha@example.vn","name":"Phạm Thu Hà"},"verb":{"id":"http://adlnet.gov/expapi/verbs/experienced"},"object":{"id":"https://lms.example.vn/a/1"}}`), &st)
	var hashed map[string]any
	json.Unmarshal([]byte(`{"actor":{"mbox_sha1sum":"`+haSHA1+`","name":"Phạm Thu Hà"},"verb":{"id":"http://adlnet.gov/expapi/verbs/experienced"},"object":{"id":"https://lms.example.vn/a/2"}}`), &hashed)
	if _, err := ta.App.LRS.Save(context.Background(), &lrs.Client{ID: "other-lms", UnitPath: "/", Name: "LMS", Key: "k"}, []map[string]any{st, hashed}); err != nil {
		t.Fatal(err)
	}
	fb, k, v = form(url.Values{"password": {"một câu dài đủ rồi"}})
	if s, _, h := ta.do(visitor, "POST", "/account/delete", fb, k, v); s != 303 || h.Get("Location") != "/account/deleted" {
		t.Fatalf("delete: %d %s", s, h.Get("Location"))
	}
	if s, _, _ := ta.do(visitor, "GET", "/api/v1/me", nil); s != 401 {
		t.Fatalf("the deleted account's session still works: %d", s)
	}
	fb, k, v = form(url.Values{"username": {"ha@example.vn"}, "password": {"một câu dài đủ rồi"}})
	if s, _, h := ta.do(ta.client(""), "POST", "/login", fb, k, v); s == 303 && h.Get("Location") == "/" {
		t.Fatal("the deleted account signed in")
	}
	var names, enrolments, profiles int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM accounts WHERE display_name = 'Phạm Thu Hà' OR email = 'ha@example.vn' OR username = 'ha@example.vn'`).Scan(&names)
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM enrolments e JOIN accounts a ON a.id = e.account_id WHERE a.username LIKE 'deleted-%'`).Scan(&enrolments)
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM profiles`).Scan(&profiles)
	if names != 0 || enrolments != 1 || profiles != 0 {
		t.Fatalf("after deletion: %d accounts with the name, %d anonymous enrolments, %d profiles", names, enrolments, profiles)
	}
	// The learning records stay, counted, without the name.
	page, err := ta.App.LRS.Find(context.Background(), lrs.Query{Agent: ta.App.Learn.AgentFor(id), Limit: 100})
	if err != nil || len(page.Statements) == 0 {
		t.Fatalf("the records about the deleted account: %d, %v", len(page.Statements), err)
	}
	for _, st := range page.Statements {
		if strings.Contains(string(st), "Phạm Thu Hà") || !strings.Contains(string(st), id) {
			t.Fatalf("a record after deletion: %s", st)
		}
	}
	for _, agent := range []string{"mbox:mailto:ha@example.vn", "sha1:" + haSHA1} {
		page, err = ta.App.LRS.Find(context.Background(), lrs.Query{Agent: agent, Limit: 10})
		if err != nil || len(page.Statements) != 1 || strings.Contains(string(page.Statements[0]), "Phạm Thu Hà") {
			t.Fatalf("another platform's record about %s after deletion: %q, %v", agent, page.Statements, err)
		}
	}
}

// TestSessionsListedAndEnded: a person signed in twice sees both sessions
// on the account page, the current one marked, and signs the other out.
func TestSessionsListedAndEnded(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	phone, laptop := ta.client("learner"), ta.client("learner")
	_, body, _ := ta.do(phone, "GET", "/api/v1/me/sessions", nil)
	var list struct {
		Sessions []struct {
			ID      string `json:"id"`
			Current bool   `json:"current"`
		} `json:"sessions"`
	}
	json.Unmarshal([]byte(body), &list)
	if len(list.Sessions) != 2 {
		t.Fatalf("sessions: %s", body)
	}
	_, page, _ := ta.do(phone, "GET", "/account", nil)
	if !strings.Contains(page, `id="end-others"`) || !strings.Contains(page, "Phiên này") {
		t.Fatal("the account page does not list the sessions")
	}
	if s, _, _ := ta.do(phone, "POST", "/account/sessions/others/end", strings.NewReader(""), "Content-Type", "application/x-www-form-urlencoded"); s != 303 {
		t.Fatalf("end the others: %d", s)
	}
	if s, _, _ := ta.do(laptop, "GET", "/api/v1/me", nil); s != 401 {
		t.Fatalf("the other session still works: %d", s)
	}
	if s, _, _ := ta.do(phone, "GET", "/api/v1/me", nil); s != 200 {
		t.Fatalf("this session ended too: %d", s)
	}
	// The name the account shows, changed by its owner (NFC, one space).
	fb, k, v := form(url.Values{"display_name": {"  Hoàng   Thị Mai "}})
	if s, _, _ := ta.do(phone, "POST", "/account/name", fb, k, v); s != 303 {
		t.Fatalf("change name: %d", s)
	}
	if _, me, _ := ta.do(phone, "GET", "/api/v1/me", nil); !strings.Contains(me, `"display_name":"Hoàng Thị Mai"`) {
		t.Fatalf("name after change: %s", me)
	}
	var other string
	for _, x := range list.Sessions {
		if !x.Current {
			other = x.ID
		}
	}
	if s, _, _ := ta.do(phone, "DELETE", "/api/v1/me/sessions/"+other, nil); s != 404 {
		t.Fatalf("ending an ended session: %d", s)
	}
}

// TestActivationSheet: Đắk Lắk's administrator makes accounts for the
// province's people who have none (once: a second run makes none), gets
// one code each; Đồng Nai's administrator is refused Đắk Lắk; a code
// activates once, with the password the person chooses; a wrong code is
// named.
func TestActivationSheet(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	if s, body, _ := ta.do(ta.client("dongnai"), "POST", "/api/v1/people/accounts", strings.NewReader(`{"unit_code":"66"}`), "Content-Type", "application/json"); s != 403 {
		t.Fatalf("another province's administrator: %d %s", s, body)
	}
	dl := ta.client("daklak")
	s, body, _ := ta.do(dl, "POST", "/api/v1/people/accounts", strings.NewReader(`{"unit_code":"66"}`), "Content-Type", "application/json")
	var out struct {
		Activations []struct{ Name, Username, Code string } `json:"activations"`
	}
	json.Unmarshal([]byte(body), &out)
	if s != 201 || len(out.Activations) != 1 || out.Activations[0].Name != "Nguyễn Văn Ánh" || len(out.Activations[0].Code) != 11 {
		t.Fatalf("accounts for Đắk Lắk: %d %s", s, body)
	}
	if _, again, _ := ta.do(dl, "POST", "/api/v1/people/accounts", strings.NewReader(`{"unit_code":"66"}`), "Content-Type", "application/json"); !strings.Contains(again, `"activations":[]`) {
		t.Fatalf("a second run: %s", again)
	}
	a := out.Activations[0]
	activate := func(code string) (int, string) {
		s, body, _ := ta.do(ta.client(""), "POST", "/api/v1/activate", strings.NewReader(`{"username":"`+a.Username+`","code":"`+code+`","password":"hoa sen trong đầm"}`), "Content-Type", "application/json")
		return s, body
	}
	if s, body := activate("AAAAA-BBBBB"); s != 400 || !strings.Contains(body, `"field":"code"`) {
		t.Fatalf("a wrong code: %d %s", s, body)
	}
	if s, body := activate(strings.ToLower(strings.ReplaceAll(a.Code, "-", ""))); s != 200 {
		t.Fatalf("the code typed in lower case without its dash: %d %s", s, body)
	}
	if s, _ := activate(a.Code); s != 400 {
		t.Fatalf("a code used twice: %d", s)
	}
	fb, k, v := form(url.Values{"username": {a.Username}, "password": {"hoa sen trong đầm"}})
	if s, _, _ := ta.do(ta.client(""), "POST", "/login", fb, k, v); s != 303 {
		t.Fatalf("sign in with the chosen password: %d", s)
	}
	var person string
	ta.App.DB.R.QueryRow(`SELECT person_id FROM accounts WHERE username = $1`, a.Username).Scan(&person)
	if person != ta.personID("A1") {
		t.Fatal("the account is not linked to the person's record")
	}
}

// TestClaimRecord: a learner finds their office record by the employee
// code they were given and claims it; a record that does not match them
// cannot be claimed; Đồng Nai's administrator cannot decide a Đắk Lắk
// claim; Đắk Lắk's approves and the account is linked to the record.
func TestClaimRecord(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	me := ta.client("learner")
	_, page, _ := ta.do(me, "GET", "/account/claim?key=A1", nil)
	if !strings.Contains(page, "Hồ sơ mã A1") || !strings.Contains(page, "khớp mã nhân sự") || strings.Contains(page, "Nguyễn Văn Ánh") {
		t.Fatal("the record of the code typed is not offered, or it shows a name a code alone should not reveal")
	}
	if s, body, _ := ta.do(me, "POST", "/api/v1/me/claim", strings.NewReader(`{"person_id":"`+ta.personID("B1")+`"}`), "Content-Type", "application/json"); s != 400 || !strings.Contains(body, `"field":"person_id"`) {
		t.Fatalf("claiming a record that does not match: %d %s", s, body)
	}
	s, body, _ := ta.do(me, "POST", "/api/v1/me/claim", strings.NewReader(`{"person_id":"`+ta.personID("A1")+`","key":"A1"}`), "Content-Type", "application/json")
	if s != 201 || !strings.Contains(body, `"status":"pending"`) {
		t.Fatalf("claim: %d %s", s, body)
	}
	id := between(body, `"id":"`, `"`)
	if s, _, _ := ta.do(ta.client("dongnai"), "POST", "/api/v1/claims/"+id+"/approve", nil); s != 403 {
		t.Fatalf("another province's administrator decided: %d", s)
	}
	dl := ta.client("daklak")
	if _, list, _ := ta.do(dl, "GET", "/api/v1/claims", nil); !strings.Contains(list, id) {
		t.Fatalf("Đắk Lắk's waiting claims: %s", list)
	}
	if s, body, _ := ta.do(dl, "POST", "/api/v1/claims/"+id+"/approve", nil); s != 200 || !strings.Contains(body, "approved") {
		t.Fatalf("approve: %d %s", s, body)
	}
	if _, me2, _ := ta.do(me, "GET", "/api/v1/me", nil); !strings.Contains(me2, `"person_id":"`+ta.personID("A1")+`"`) {
		t.Fatalf("the account is not linked: %s", me2)
	}
	if s, _, _ := ta.do(dl, "POST", "/api/v1/claims/"+id+"/refuse", nil); s != 409 {
		t.Fatalf("deciding twice: %d", s)
	}
}

// TestContactChange: a person moves their sign-in from an address to a
// new one by link and then to a number by code; the link does nothing
// for another account or twice; a taken address answers the same and
// its owner is told; the old name no longer signs in, the new one does.
func TestContactChange(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	texts := smsGateway(t, ta)
	signUp := func(name, contact string) *http.Client {
		t.Helper()
		c := ta.client("")
		fb, k, v := form(url.Values{"name": {name}, "contact": {contact}, "password": {"một câu dài đủ rồi"}, "terms": {"1"}})
		ta.do(c, "POST", "/signup", fb, k, v)
		link := regexp.MustCompile(`/signup/confirm/[0-9a-f]+`).FindString(ta.Mail.Sent()[len(ta.Mail.Sent())-1].Body)
		if s, _, _ := ta.do(c, "POST", link, strings.NewReader(""), "Content-Type", "application/x-www-form-urlencoded"); s != 303 {
			t.Fatalf("sign-up of %s: %d", contact, s)
		}
		return c
	}
	lan := signUp("Võ Thị Lan", "lan@example.vn")
	other := signUp("Đỗ Văn Minh", "minh@example.vn")

	fb, k, v := form(url.Values{"contact": {"khong-phai-dia-chi"}})
	if s, page, _ := ta.do(lan, "POST", "/account/contact", fb, k, v); s != 400 || !strings.Contains(page, `id="contact-error"`) {
		t.Fatalf("a contact that is neither: %d", s)
	}
	fb, k, v = form(url.Values{"contact": {" Lan.Vo@Example.VN "}})
	if s, _, h := ta.do(lan, "POST", "/account/contact", fb, k, v); s != 303 || !strings.Contains(h.Get("Location"), "contact=sent") {
		t.Fatalf("start by address: %d %s", s, h.Get("Location"))
	}
	mail := ta.Mail.Sent()[len(ta.Mail.Sent())-1]
	link := regexp.MustCompile(`/account/contact/confirm/[0-9a-f]+`).FindString(mail.Body)
	if mail.To != "lan.vo@example.vn" || link == "" {
		t.Fatalf("mail to %s: %s", mail.To, mail.Body)
	}
	if s, page, _ := ta.do(other, "POST", link, strings.NewReader(""), "Content-Type", "application/x-www-form-urlencoded"); s != 400 || !strings.Contains(page, "không còn dùng được") {
		t.Fatalf("another account follows the link: %d", s)
	}
	if s, page, _ := ta.do(lan, "GET", link, nil); s != 200 || !strings.Contains(page, `id="contact-confirm"`) {
		t.Fatalf("following the link: %d", s)
	}
	if s, _, h := ta.do(lan, "POST", link, strings.NewReader(""), "Content-Type", "application/x-www-form-urlencoded"); s != 303 || !strings.Contains(h.Get("Location"), "contact=changed") {
		t.Fatalf("confirm: %d %s", s, h.Get("Location"))
	}
	if s, _, _ := ta.do(lan, "POST", link, strings.NewReader(""), "Content-Type", "application/x-www-form-urlencoded"); s != 400 {
		t.Fatalf("the link used twice: %d", s)
	}
	if _, me, _ := ta.do(lan, "GET", "/api/v1/me", nil); !strings.Contains(me, `"username":"lan.vo@example.vn"`) {
		t.Fatalf("after the change: %s", me)
	}
	var email string
	ta.App.DB.R.QueryRow(`SELECT email FROM accounts WHERE username = 'lan.vo@example.vn'`).Scan(&email)
	if email != "lan.vo@example.vn" {
		t.Fatalf("mail goes to %q", email)
	}

	// Minh's address: the same answer, and Minh is told, not linked.
	before := len(ta.Mail.Sent())
	if s, body, _ := ta.do(lan, "POST", "/api/v1/me/contact", strings.NewReader(`{"contact":"minh@example.vn"}`), "Content-Type", "application/json"); s != 202 || !strings.Contains(body, `"sent_to":"email"`) {
		t.Fatalf("a taken address: %d %s", s, body)
	}
	if note := ta.Mail.Sent()[before]; note.To != "minh@example.vn" || strings.Contains(note.Body, "/account/contact/confirm/") {
		t.Fatalf("a taken address was sent %q", note.Body)
	}

	// A number, by code over the API: a wrong code is named, the right one works.
	if s, body, _ := ta.do(lan, "POST", "/api/v1/me/contact", strings.NewReader(`{"contact":"0903 111 222"}`), "Content-Type", "application/json"); s != 202 || !strings.Contains(body, `"sent_to":"phone"`) {
		t.Fatalf("start by number: %d %s", s, body)
	}
	last := texts()[len(texts())-1]
	code, to := regexp.MustCompile(`\d{6}`).FindString(last.Text), last.To
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if s, body, _ := ta.do(lan, "POST", "/api/v1/me/contact/confirm", strings.NewReader(`{"code":"`+wrong+`"}`), "Content-Type", "application/json"); s != 400 || !strings.Contains(body, `"field":"code"`) {
		t.Fatalf("a wrong code: %d %s", s, body)
	}
	if s, _, _ := ta.do(other, "POST", "/api/v1/me/contact/confirm", strings.NewReader(`{"code":"`+code+`"}`), "Content-Type", "application/json"); s != 400 {
		t.Fatalf("another account's code: %d", s)
	}
	if s, body, _ := ta.do(lan, "POST", "/api/v1/me/contact/confirm", strings.NewReader(`{"code":"`+code+`"}`), "Content-Type", "application/json"); to != "0903111222" || s != 200 || !strings.Contains(body, `"username":"0903111222"`) {
		t.Fatalf("the right code (sent to %s): %d %s", to, s, body)
	}
	fb, k, v = form(url.Values{"username": {"lan@example.vn"}, "password": {"một câu dài đủ rồi"}})
	if s, _, h := ta.do(ta.client(""), "POST", "/login", fb, k, v); s == 303 && h.Get("Location") == "/" {
		t.Fatal("the old address still signs in")
	}
	fb, k, v = form(url.Values{"username": {"0903111222"}, "password": {"một câu dài đủ rồi"}})
	if s, _, _ := ta.do(ta.client(""), "POST", "/login", fb, k, v); s != 303 {
		t.Fatalf("the new number does not sign in: %d", s)
	}
	var audited int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'contact_changed'`).Scan(&audited)
	if audited != 2 {
		t.Fatalf("%d changes audited, want 2", audited)
	}
	if s, _, _ := ta.do(ta.client(""), "POST", "/api/v1/me/contact", strings.NewReader(`{"contact":"x@example.vn"}`), "Content-Type", "application/json"); s != 401 {
		t.Fatalf("a visitor: %d", s)
	}
}

// smsGateway starts an HTTP text-message gateway that keeps what it is
// sent (refusing calls without the token) and points ta's accounts at it.
func smsGateway(t *testing.T, ta *testApp) (sent func() []sms.Message) {
	var mu sync.Mutex
	var got []sms.Message
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m sms.Message
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("Authorization") != "Bearer gw-secret" || json.Unmarshal(b, &m) != nil {
			w.WriteHeader(401)
			return
		}
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
		w.WriteHeader(202)
	}))
	t.Cleanup(gw.Close)
	ta.App.Account.SMS = &sms.Gateway{URL: gw.URL, Token: "gw-secret"}
	return func() []sms.Message {
		mu.Lock()
		defer mu.Unlock()
		return append([]sms.Message(nil), got...)
	}
}

// TestActivationByMail: with invite, a person whose record has an address
// gets the code by mail (the sheet shows where it went, not the code),
// and the mailed link's page is filled with their sign-in name.
func TestActivationByMail(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	if _, err := ta.App.DB.W.Exec(`UPDATE people SET email = 'Anh.Nguyen@Example.VN' WHERE id = $1`, ta.personID("A1")); err != nil {
		t.Fatal(err)
	}
	before := len(ta.Mail.Sent())
	s, body, _ := ta.do(ta.client("daklak"), "POST", "/api/v1/people/accounts?lang=en", strings.NewReader(`{"unit_code":"66","invite":true}`), "Content-Type", "application/json")
	if s != 201 || !strings.Contains(body, `"mailed_to":"anh.nguyen@example.vn"`) || strings.Contains(body, `"code"`) {
		t.Fatalf("accounts with invitations: %d %s", s, body)
	}
	sent := ta.Mail.Sent()
	if len(sent) != before+1 {
		t.Fatalf("%d mails sent, want 1", len(sent)-before)
	}
	m := sent[before]
	code := regexp.MustCompile(`[2-9A-Z]{5}-[2-9A-Z]{5}`).FindString(m.Body)
	link := regexp.MustCompile(`http://dxhub.test(/activate\?username=\S+)`).FindStringSubmatch(m.Body)
	if m.To != "anh.nguyen@example.vn" || code == "" || link == nil || !strings.Contains(m.Body, "Nguyễn Văn Ánh") || !strings.Contains(m.Body, "Sign-in name") {
		t.Fatalf("the invitation: to %s: %s", m.To, m.Body)
	}
	if s, page, _ := ta.do(ta.client(""), "GET", link[1], nil); s != 200 || !strings.Contains(page, `value="anh.nguyen@example.vn"`) {
		t.Fatalf("the invitation's page: %d", s)
	}
	if s, body, _ := ta.do(ta.client(""), "POST", "/api/v1/activate", strings.NewReader(`{"username":"anh.nguyen@example.vn","code":"`+code+`","password":"hoa sen trong đầm"}`), "Content-Type", "application/json"); s != 200 {
		t.Fatalf("activating with the mailed code: %d %s", s, body)
	}
	var detail string
	ta.App.DB.R.QueryRow(`SELECT detail FROM audit_log WHERE action = 'accounts_created'`).Scan(&detail)
	if detail != "created=1 mailed=1" {
		t.Fatalf("audited as %q", detail)
	}
}
