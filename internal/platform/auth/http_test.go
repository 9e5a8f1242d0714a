package auth

import (
	"net/url"
	"strings"
	"testing"
)

// The values are as r.URL.Query and r.PostForm give them: decoded.
func TestSafeNextStaysOnSite(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "/",
		"/people?unit=66":       "/people?unit=66",
		"/units/66#children":    "/units/66#children",
		"/courses/an toàn?x=1":  "/courses/an%20to%C3%A0n?x=1",
		"/\t/evil.example/":     "/",
		"/\n/evil.example":      "/",
		"/\r/evil.example":      "/",
		"//evil.example/":       "/",
		"///evil.example":       "/",
		"/\\evil.example":       "/",
		"/\\/evil.example":      "/",
		"https://evil.example/": "/",
		"javascript:alert(1)":   "/",
		"evil.example":          "/",
		"/%2F%2Fevil.example":   "/",
		"/a@evil.example":       "/a@evil.example",
	} {
		if got := SafeNext(in); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/%09/evil.example/", "//x", "/\\x", "https://x", "/a?b#c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SafeNext(s)
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n") {
			t.Fatalf("SafeNext(%q) = %q leaves the site", s, got)
		}
	})
}
