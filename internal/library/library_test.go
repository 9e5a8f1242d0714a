package library

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"dxhub/internal/platform/i18n"
)

// The question parser and the passage cutter take anything a visitor
// types or an editor writes: they never panic, keep their bounds, and a
// quoted answer is text of the passage.
func FuzzQuestion(f *testing.F) {
	for _, s := range []string{"Học trên dxhub có mất phí không?", "hoc tren dxhub co mat phi khong", "Quyết định 146/QĐ-TTg là gì?", "AI là gì?", "70% là bao nhiêu", "", "\xff\xfe", strings.Repeat("a ", 400)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		ws := questionWords(q, i18n.VI)
		if len(ws) > maxQueryWords {
			t.Fatalf("%d words", len(ws))
		}
		d := &Doc{Kind: Legal, TitleVI: q, BodyVI: q + "\n\n- " + q, Number: "1/QĐ", DocType: "decision", LegalStatus: "in_force", SignedOn: "2022-01-28"}
		for _, p := range passagesOf(d, i18n.VI) {
			s := firstSentences(p.text, 2)
			if !utf8.ValidString(p.text) && utf8.ValidString(s) {
				continue
			}
			if utf8.RuneCountInString(s) > 501 {
				t.Fatalf("an answer of %d characters", utf8.RuneCountInString(s))
			}
		}
	})
}

// A document as the API receives it: Validate never panics, and what it
// accepts keeps the bounds it promises.
func FuzzInput(f *testing.F) {
	f.Add(`{"kind":"legal","unit_code":"VN","title_vi":"X","number":"146/QĐ-TTg","doc_type":"decision","issuer":"Thủ tướng","signed_on":"2022-01-28","relations":[{"kind":"implements","target":"749/QĐ-TTg"}]}`)
	f.Add(`{"kind":"news","unit_code":"66","title_vi":"Tin","body_vi":"Nội dung","topics":["safety"],"audiences":["citizen"],"competences":["4.1"]}`)
	f.Add(`{"kind":"material","title_vi":"V","link":"https://example.vn/v"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in Input
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		if in.Validate(map[string]bool{"safety": true}) != nil {
			return
		}
		if in.TitleVI == "" || len(in.TitleVI) > maxTitle || len(in.BodyVI) > maxBody || len(in.Topics) > maxList {
			t.Fatalf("accepted %+v", in)
		}
		if in.Kind == Legal && (!numberPattern.MatchString(in.Number) || in.Issuer == "") {
			t.Fatalf("accepted a legal document without its fields: %+v", in)
		}
		if in.Link != "" && !strings.HasPrefix(in.Link, "https://") {
			t.Fatalf("accepted link %q", in.Link)
		}
	})
}

// Stopwords are compared with their marks: "đăng ký" and "chứng nhận"
// keep their words, "đang" and "chúng" go.
func TestQuestionWords(t *testing.T) {
	for q, want := range map[string]string{
		"Đăng ký bằng số điện thoại được không?": "đăng ký số điện thoại",
		"Khi nào thì được cấp chứng nhận?":       "cấp chứng nhận",
		"Tôi đang làm gì?":                       "",
		"AI là gì?":                              "ai",
		"ai được học":                            "học",
		"How do I sign up?":                      "how do i sign up",
	} {
		var got []string
		for _, w := range questionWords(q, i18n.VI) {
			got = append(got, w.Exact)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%q: %q, want %q", q, strings.Join(got, " "), want)
		}
	}
	var en []string
	for _, w := range questionWords("How do I sign up?", i18n.EN) {
		en = append(en, w.Exact)
	}
	if strings.Join(en, " ") != "sign up" {
		t.Errorf("in English: %q", en)
	}
}

// A generative backend's reply is outside input: checkGenerated never
// panics, and an answer it keeps cites at least one passage, only passages
// it was given, numbered from 1 in the order they are first cited.
func FuzzGenerated(f *testing.F) {
	for _, s := range []string{"Miễn phí [1].", "A [2][1]. B [3].", "UNKNOWN", "A [9].", "[0]", "", "[1]" + strings.Repeat("x", 2000), "\xff[1]"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, reply string, n int) {
		n = n%8 + 1
		if n < 1 {
			n += 8
		}
		g, err := checkGenerated(reply, n)
		if err != nil {
			return
		}
		if len(g.cited) == 0 || utf8.RuneCountInString(g.text) > genMaxAnswer {
			t.Fatalf("kept %+v", g)
		}
		for _, m := range citeMark.FindAllStringSubmatch(g.text, -1) {
			k, _ := strconv.Atoi(m[1])
			if k < 1 || k > len(g.cited) {
				t.Fatalf("mark %s of %d cited: %q", m[0], len(g.cited), g.text)
			}
		}
		for _, i := range g.cited {
			if i < 0 || i >= n {
				t.Fatalf("cited passage %d of %d", i, n)
			}
		}
	})
}
