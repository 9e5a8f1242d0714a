package web

import (
	"fmt"
	"html/template"
	"net/url"

	"dxhub/internal/platform/richtext"
)

// funcs are pure helpers; nothing per-request is bound here, so templates
// are parsed once and never cloned per request.
var funcs = template.FuncMap{
	"add": func(a, b int) int { return a + b },
	// richtext renders authors' safe markup (lessons, stems).
	"richtext": richtext.Render,
	// plain is markup as one line of text without its marks, cut at a word.
	"plain": richtext.Plain,
	// dict passes several values to a nested template: dict "K" v "K2" v2.
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"sub": func(a, b int) int { return a - b },
	// query rebuilds the current query string with one parameter changed.
	"query": func(base url.Values, kv ...any) template.URL {
		v := url.Values{}
		for k, vs := range base {
			v[k] = append([]string(nil), vs...)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			k := fmt.Sprint(kv[i])
			if s := fmt.Sprint(kv[i+1]); s != "" {
				v.Set(k, s)
			} else {
				v.Del(k)
			}
		}
		return template.URL("?" + v.Encode())
	},
	// pagerOf gives the "pager" block the page (for its T) and the list state.
	"pagerOf": func(p *Page, m map[string]any) map[string]any {
		out := map[string]any{"Page": p}
		for k, v := range m {
			out[k] = v
		}
		return out
	},
	"contains": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
}
