package app

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"
)

func TestSkillsStandardByPageAndAPI(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	anon, nat, dl := ta.client(""), ta.client("national"), ta.client("daklak")

	status, body, _ := ta.do(anon, "GET", "/api/v1/skills", nil)
	if status != 200 || !strings.Contains(body, `"code":"VN-DSF"`) || !strings.Contains(body, `"code":"VN-IU"`) {
		t.Fatalf("list: %d %s", status, body)
	}
	status, body, _ = ta.do(anon, "GET", "/api/v1/skills/VN-DSF/1", nil)
	var st struct {
		Areas []struct {
			Competences []struct{ Code string } `json:"competences"`
		} `json:"areas"`
	}
	json.Unmarshal([]byte(body), &st)
	n := 0
	for _, a := range st.Areas {
		n += len(a.Competences)
	}
	if status != 200 || len(st.Areas) != 6 || n != 24 {
		t.Fatalf("standard: %d, %d areas, %d competences", status, len(st.Areas), n)
	}
	if status, _, _ := ta.do(dl, "POST", "/api/v1/skills/VN-DSF/1/versions", nil); status != 403 {
		t.Fatalf("province admin made a version: %d", status)
	}
	if status, _, _ := ta.do(anon, "POST", "/api/v1/skills/VN-DSF/1/versions", nil); status != 401 {
		t.Fatalf("anonymous made a version: %d", status)
	}
	status, body, _ = ta.do(nat, "POST", "/api/v1/skills/VN-DSF/1/versions", nil)
	if status != 201 || !strings.Contains(body, `"version":2`) || !strings.Contains(body, `"status":"draft"`) {
		t.Fatalf("new version: %d %.200s", status, body)
	}
	if status, _, _ := ta.do(anon, "GET", "/skills/VN-DSF/2", nil); status != 404 {
		t.Fatalf("draft visible to the public: %d", status)
	}
	status, _, _ = ta.do(nat, "PUT", "/api/v1/skills/VN-DSF/2/competences/6.2", strings.NewReader(`{"name_vi":"Sử dụng AI tạo sinh","name_en":"Using generative AI"}`), "Content-Type", "application/json")
	if status != 204 {
		t.Fatalf("edit: %d", status)
	}
	fb, k, v := form(url.Values{"name_vi": {"Sử dụng AI"}, "tier_vi": {"a", "b"}})
	if status, page, _ := ta.do(nat, "POST", "/skills/VN-DSF/2/competences/6.2/edit", fb, k, v); status != 400 || !strings.Contains(page, "cần mô tả đủ 4 mức") {
		t.Fatalf("edit with two tiers: %d", status)
	}
	if status, _, _ := ta.do(nat, "POST", "/skills/VN-DSF/2/publish", nil); status != 303 {
		t.Fatalf("publish: %d", status)
	}
	status, page, _ := ta.do(anon, "GET", "/skills/VN-DSF/2?lang=en", nil)
	if status != 200 || !strings.Contains(page, "Using generative AI") {
		t.Fatalf("published page: %d", status)
	}
	status, csv, _ := ta.do(anon, "GET", "/skills/VN-IU/1/export/csv", nil)
	if status != 200 || !strings.Contains(csv, "IU15") {
		t.Fatalf("export: %d", status)
	}

	// Import the CSV export back through the page as a new standard.
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	fw, _ := w.CreateFormFile("file", "iu.csv")
	fw.Write([]byte(csv))
	for k, v := range map[string]string{"code": "IU-COPY", "version": "1", "kind": "modules", "name_vi": "Bản sao IU", "advanced_choose": "3"} {
		w.WriteField(k, v)
	}
	w.Close()
	status, _, h := ta.do(nat, "POST", "/skills/import", &mp, "Content-Type", w.FormDataContentType())
	if status != 303 || h.Get("Location") != "/skills/IU-COPY/1" {
		t.Fatalf("import: %d %s", status, h.Get("Location"))
	}
}
