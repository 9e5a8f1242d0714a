package app

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const itemJSON = `{"standard_code":"VN-DSF","standard_version":1,"competence":"4.2","level":2,
 "body":{"type":"single","stem":"Ai được phép biết mã OTP của bạn?","options":[{"id":"A","text":"Nhân viên ngân hàng"},{"id":"B","text":"Không ai cả"}],"correct":["B"]}}`

func TestItemWorkflowByAPI(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	author, author2, dlauthor, learner := ta.client("author"), ta.client("author2"), ta.client("dlauthor"), ta.client("learner")
	status, body, _ := ta.do(author, "POST", "/api/v1/items", strings.NewReader(itemJSON), "Content-Type", "application/json")
	if status != 201 {
		t.Fatalf("create: %d %s", status, body)
	}
	var it struct {
		ID      string `json:"id"`
		Status  string `json:"status"`
		Version int    `json:"version"`
		Area    string `json:"area"`
	}
	json.Unmarshal([]byte(body), &it)
	if it.Status != "draft" || it.Version != 1 || it.Area != "4" {
		t.Fatalf("new item %+v", it)
	}
	post := func(c string, who, action, note string) (int, string) {
		client := author
		switch who {
		case "author2":
			client = author2
		case "dlauthor":
			client = dlauthor
		case "learner":
			client = learner
		}
		status, body, _ := ta.do(client, "POST", "/api/v1/items/"+c+"/"+action, strings.NewReader(`{"note":"`+note+`"}`), "Content-Type", "application/json")
		return status, body
	}
	if s, _ := post(it.ID, "author", "approve", ""); s != 409 {
		t.Fatalf("approve a draft: %d", s)
	}
	if s, _ := post(it.ID, "author", "submit", ""); s != 200 {
		t.Fatalf("submit: %d", s)
	}
	if s, b := post(it.ID, "author", "approve", ""); s != 403 || !strings.Contains(b, "không được tự duyệt") {
		t.Fatalf("self-approval: %d %s", s, b)
	}
	if s, _ := post(it.ID, "dlauthor", "approve", ""); s != 403 {
		t.Fatalf("province author approves a national item: %d", s)
	}
	if s, _ := post(it.ID, "learner", "approve", ""); s != 403 {
		t.Fatalf("learner approves: %d", s)
	}
	if s, b := post(it.ID, "author2", "return", ""); s != 400 || !strings.Contains(b, `"field":"note"`) {
		t.Fatalf("return without a note: %d %s", s, b)
	}
	if s, _ := post(it.ID, "author2", "return", "Thêm lựa chọn gây nhiễu"); s != 200 {
		t.Fatalf("return: %d", s)
	}
	// The author edits: a new version, back in draft.
	edited := strings.Replace(itemJSON, `{"id":"B","text":"Không ai cả"}`, `{"id":"B","text":"Không ai cả"},{"id":"C","text":"Người thân"}`, 1)
	status, body, _ = ta.do(author, "PUT", "/api/v1/items/"+it.ID, strings.NewReader(edited), "Content-Type", "application/json")
	if status != 200 || !strings.Contains(body, `"version":2`) || !strings.Contains(body, `"status":"draft"`) {
		t.Fatalf("edit: %d %s", status, body)
	}
	post(it.ID, "author", "submit", "")
	if s, b := post(it.ID, "author2", "approve", ""); s != 200 || !strings.Contains(b, `"status":"approved"`) {
		t.Fatalf("approve: %d %s", s, b)
	}
	// Version 1 is kept as it was shown.
	v1, err := ta.App.Bank.Version(t.Context(), it.ID, 1)
	if err != nil || len(v1.Body.Options) != 2 {
		t.Fatalf("version 1: %+v %v", v1, err)
	}
	if status, _, _ := ta.do(dlauthor, "GET", "/api/v1/items/"+it.ID, nil); status != 403 {
		t.Fatalf("province author reads a national item: %d", status)
	}
	if status, _, _ := ta.do(learner, "GET", "/api/v1/items", nil); status != 403 {
		t.Fatalf("learner lists items: %d", status)
	}
	status, body, _ = ta.do(author2, "GET", "/api/v1/items?status=approved&competence=4.2", nil)
	if status != 200 || !strings.Contains(body, it.ID) {
		t.Fatalf("list: %d %s", status, body)
	}
	bad := strings.Replace(itemJSON, `"competence":"4.2"`, `"competence":"9.9"`, 1)
	if status, body, _ := ta.do(author, "POST", "/api/v1/items", strings.NewReader(bad), "Content-Type", "application/json"); status != 400 || !strings.Contains(body, `"field":"competence"`) {
		t.Fatalf("unknown competence: %d %s", status, body)
	}
	dl := strings.Replace(itemJSON, `"standard_code"`, `"unit_code":"66","standard_code"`, 1)
	if status, _, _ := ta.do(dlauthor, "POST", "/api/v1/items", strings.NewReader(dl), "Content-Type", "application/json"); status != 201 {
		t.Fatalf("province author writes a provincial item: %d", status)
	}
	if status, _, _ := ta.do(dlauthor, "POST", "/api/v1/items", strings.NewReader(itemJSON), "Content-Type", "application/json"); status != 403 {
		t.Fatalf("province author writes a national item: %d", status)
	}
}

func TestItemAuthoringPages(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	author, author2 := ta.client("author"), ta.client("author2")
	fb, k, v := form(url.Values{"standard": {"VN-DSF/1"}, "competence": {"6.3"}, "level": {"3"}, "type": {"multiple"},
		"stem": {"Dấu hiệu nào cho thấy **ảnh do AI tạo**?"}, "options": {"*Bàn tay có sáu ngón\n*Chữ trên biển hiệu vô nghĩa\nẢnh có độ phân giải cao"}, "mode": {"all_or_nothing"}, "max_score": {"1"}})
	status, _, h := ta.do(author, "POST", "/items", fb, k, v)
	if status != 303 {
		t.Fatalf("create: %d", status)
	}
	path := h.Get("Location")
	_, page, _ := ta.do(author, "GET", path, nil)
	if !strings.Contains(page, "<strong>ảnh do AI tạo</strong>") || !strings.Contains(page, `type="checkbox"`) || strings.Contains(page, `id="approve"`) {
		t.Fatalf("preview page wrong")
	}
	fb, k, v = form(url.Values{"standard": {"VN-DSF/1"}, "competence": {"6.3"}, "level": {"3"}, "type": {"single"}, "stem": {"x"}, "options": {"a\nb"}})
	if status, page, _ := ta.do(author, "POST", "/items", fb, k, v); status != 400 || !strings.Contains(page, "chưa đánh dấu đáp án đúng") {
		t.Fatalf("no correct answer: %d", status)
	}
	ta.do(author, "POST", path+"/submit", nil)
	_, page, _ = ta.do(author2, "GET", path, nil)
	if !strings.Contains(page, `id="approve"`) {
		t.Fatal("reviewer sees no approve button")
	}
	ta.do(author2, "POST", path+"/approve", nil)
	_, page, _ = ta.do(author2, "GET", path+"?lang=en", nil)
	if !regexp.MustCompile(`id="item-status">Approved<`).MatchString(page) {
		t.Fatal("item not approved")
	}
	_, page, _ = ta.do(author, "GET", path+"/edit", nil)
	if !strings.Contains(page, "*Bàn tay có sáu ngón") {
		t.Fatal("edit form lost the correct marks")
	}
	_, list, _ := ta.do(author, "GET", "/items?competence=6.3", nil)
	if !strings.Contains(list, "Dấu hiệu nào") {
		t.Fatal("list lacks the item")
	}
}
