// Package richtext renders the small, safe markup authors use in item stems
// and lessons: paragraphs, quoted paragraphs ("> "), line breaks, **bold**, *italic*, `code`, links to
// https pages and images from dxhub's own file store. Everything else is
// shown as typed text: no HTML from authors ever reaches a page.
package richtext

import (
	"html"
	"html/template"
	"regexp"
	"strings"
)

var (
	image  = regexp.MustCompile(`!\[([^\]]*)\]\((/files/[A-Za-z0-9_-]+)\)`)
	link   = regexp.MustCompile(`\[([^\]]+)\]\((https://[^\s()<>"]+)\)`)
	bold   = regexp.MustCompile(`\*\*([^*]+)\*\*`)
	italic = regexp.MustCompile(`\*([^*]+)\*`)
	code   = regexp.MustCompile("`([^`]+)`")
)

// Render turns markup into HTML that is safe to put in a page.
func Render(src string) template.HTML {
	var out strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		quote := false
		if rest, ok := strings.CutPrefix(para, "> "); ok {
			quote, para = true, rest
		}
		s := html.EscapeString(para)
		// Escaping leaves [ ] ( ) * ` / intact, so the patterns still match,
		// and what they capture is already escaped.
		s = image.ReplaceAllString(s, `<img src="$2" alt="$1" loading="lazy">`)
		s = link.ReplaceAllString(s, `<a href="$2" rel="noopener noreferrer">$1</a>`)
		s = bold.ReplaceAllString(s, `<strong>$1</strong>`)
		s = italic.ReplaceAllString(s, `<em>$1</em>`)
		s = code.ReplaceAllString(s, `<code>$1</code>`)
		s = strings.ReplaceAll(s, "\n", "<br>")
		if quote {
			out.WriteString("<blockquote><p>" + s + "</p></blockquote>")
			continue
		}
		out.WriteString("<p>" + s + "</p>")
	}
	return template.HTML(out.String())
}

// Plain is the text of markup without its marks, on one line and cut at
// a word to at most max runes (with "…"): for lists and titles, where
// "**bold**" must read as "bold". max 0 means no limit.
func Plain(src string, max int) string {
	s := image.ReplaceAllString(src, "$1")
	s = link.ReplaceAllString(s, "$1")
	s = bold.ReplaceAllString(s, "$1")
	s = italic.ReplaceAllString(s, "$1")
	s = code.ReplaceAllString(s, "$1")
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "> ", " ")), " ")
	r := []rune(s)
	if max <= 0 || len(r) <= max {
		return s
	}
	cut := max - 1
	for i := cut; i > max/2; i-- {
		if r[i] == ' ' {
			cut = i
			break
		}
	}
	return strings.TrimRight(string(r[:cut]), " ,.;:") + "…"
}

// Patterns of the markup, for converters to and from other formats.
var (
	Bold   = bold
	Italic = italic
	Code   = code
)
