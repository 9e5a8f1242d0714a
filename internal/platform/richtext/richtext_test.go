package richtext

import (
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	for in, want := range map[string]string{
		"Chọn **một** đáp án":                  "<p>Chọn <strong>một</strong> đáp án</p>",
		"a\nb\n\nc":                            "<p>a<br>b</p><p>c</p>",
		"<script>alert(1)</script>":            "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
		"> Trích dẫn *này*":                    "<blockquote><p>Trích dẫn <em>này</em></p></blockquote>",
		"![sơ đồ](/files/abc123)":              `<p><img src="/files/abc123" alt="sơ đồ" loading="lazy"></p>`,
		"![x](javascript:alert(1))":            "<p>![x](javascript:alert(1))</p>",
		"[cổng](https://dichvucong.gov.vn)":    `<p><a href="https://dichvucong.gov.vn" rel="noopener noreferrer">cổng</a></p>`,
		`[x](https://a.vn" onclick="alert(1))`: `<p>[x](https://a.vn&#34; onclick=&#34;alert(1))</p>`,
		"dùng `Ctrl+C` để *sao chép*":          "<p>dùng <code>Ctrl+C</code> để <em>sao chép</em></p>",
	} {
		if got := string(Render(in)); got != want {
			t.Errorf("Render(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{"**a**", "![a](/files/x)", "[a](https://b)", "<b>", "`x`"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := string(Render(s))
		low := strings.ToLower(out)
		for _, bad := range []string{"<script", "javascript:", " on", "<iframe", "<style"} {
			if strings.Contains(low, bad) && !strings.Contains(strings.ToLower(s), strings.TrimSpace(bad)) {
				t.Fatalf("Render(%q) produced %q", s, out)
			}
		}
		if strings.Contains(low, "<script") {
			t.Fatalf("Render(%q) produced a script tag: %q", s, out)
		}
	})
}

func TestPlain(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"Which is a **strong** password?", 0, "Which is a strong password?"},
		{"Xem [trang](https://example.vn) và `Ctrl C`,\n\n> *trích dẫn*", 0, "Xem trang và Ctrl C, trích dẫn"},
		{"Mật khẩu mạnh gồm chữ hoa, chữ thường, chữ số và ký tự đặc biệt", 20, "Mật khẩu mạnh gồm…"},
		{"Ảnh ![sơ đồ](/files/abc) ở đây", 0, "Ảnh sơ đồ ở đây"},
	} {
		if got := Plain(c.in, c.max); got != c.want {
			t.Errorf("Plain(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}
