package library

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"math"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/richtext"
	"dxhub/internal/platform/search"
)

// The question-answering assistant answers from the library only, by
// extraction: it finds the documents that share the question's words,
// cuts them into passages (an FAQ's question, a summary, a paragraph or a
// list item), scores each passage by how much of the question it covers
// (rare words counting more than common ones), and answers with the best
// passages, citing each. When no passage covers enough of the question it
// says it does not know and points to the nearest documents: a wrong
// answer given with confidence is worse than none.

// Answer is what the assistant says.
type Answer struct {
	Question  string     `json:"question"`
	Answered  bool       `json:"answered"`
	Text      string     `json:"text,omitempty"`
	Citations []Citation `json:"citations"`
	// Related are the nearest documents when there is no answer (and
	// further reading when there is).
	Related []Citation `json:"related"`
	// Confidence is the share of the question the best passage covers
	// (0…1).
	Confidence float64 `json:"confidence"`
	// Generated says the text was written by the generative backend from
	// the cited passages (the citation marks [n] number Citations);
	// otherwise it is the passages' own sentences.
	Generated bool `json:"generated"`
}

// Citation is a passage of a document the answer used.
type Citation struct {
	DocID   string `json:"doc_id"`
	Title   string `json:"title"`
	Number  string `json:"number,omitempty"`
	Kind    string `json:"kind"`
	Passage string `json:"passage,omitempty"`
	// Href opens the document at the passage (a text fragment link).
	Href string `json:"href"`
}

// Bounds of the assistant.
const (
	maxQuestion   = 300
	maxQueryWords = 10
	candidateDocs = 20
	// answerAt is how much of the question the best passage must cover
	// to be given as an answer; seeAlsoAt, for a second passage to be
	// cited beside it. Tuned on the evaluation set (dxhub eval qa) for
	// wrong answers first.
	answerAt  = 0.66
	seeAlsoAt = 0.8
	// unknownAt is answerAt for a question holding a word no candidate
	// document holds ("thủ tục kết hôn" against a library without
	// marriage): only a passage covering nearly all the rest answers it.
	unknownAt = 0.85
)

// Stopwords are words of questions that say nothing of their subject.
// A word typed with marks is compared with marks ("đăng ký" stays, "đang"
// goes); one typed without marks only with the few that cannot be read
// as a content word ("dang" may be "đăng", "tai" "tài", "de" "đề").
var (
	stopToned   = map[string]bool{}
	stopPlainVI = map[string]bool{}
	stopPlainEN = map[string]bool{}
)

func init() {
	for _, w := range search.Words(`là của và có cho các những được trong với để khi thì này đó một làm thế nào gì sao bao nhiêu
		tôi bạn không ở tại về từ đến như nếu hay hoặc đã đang sẽ cần phải mình chúng ta rằng vậy à ơi nhé ạ đây kia ấy
		người muốn biết hỏi xin vui lòng giúp cách ra vào lên xuống cũng còn nữa hơn nhất rất do ai bị thể nên bằng hãy đâu
		lại mấy gồm thì sao trên`) {
		stopToned[w.Tone] = true
	}
	for _, w := range strings.Fields(`la cua va cac nhung duoc trong voi khi thi nay mot nao gi sao nhieu khong nhu neu hay hoac
		phai rang vay oi nhe day kia ay muon biet xin giup cach bang hay dau ai`) {
		stopPlainVI[w] = true
	}
	for _, w := range strings.Fields(`the a an of to in on for and or how what who when where why do does did i my me can could
		is are was be it this that with at by from about please tell which there someone anyone get`) {
		stopPlainEN[w] = true
	}
}

// isStop says whether a question word is a stopword in lang.
func isStop(w search.Word, raw string, lang i18n.Lang) bool {
	if w.Exact != w.Fold {
		return stopToned[w.Tone]
	}
	if w.Fold == "ai" && strings.Contains(raw, "AI") {
		return false // "AI", artificial intelligence, not "who"
	}
	return stopPlainVI[w.Fold] || lang == i18n.EN && stopPlainEN[w.Fold]
}

// questionWords are the words of a question that carry its subject, each
// once, in order.
func questionWords(q string, lang i18n.Lang) []search.Word {
	var out []search.Word
	seen := map[string]bool{}
	for _, raw := range strings.Fields(q) {
		for _, w := range search.Words(raw) {
			if seen[w.Fold] || isStop(w, raw, lang) {
				continue
			}
			seen[w.Fold] = true
			out = append(out, w)
		}
	}
	if len(out) > maxQueryWords {
		out = out[:maxQueryWords]
	}
	return out
}

// passage is a piece of a document the assistant may quote.
type passage struct {
	doc   *Doc
	text  string // as shown
	words map[string]bool
	title bool // the document's title (an FAQ's question)
}

// has says whether a passage holds a question word: as typed (tones
// placed either way) when the question marked it, else without marks, so
// that "giả" does not meet "quốc gia" nor "hôn" "hơn".
func (p passage) has(w search.Word) bool {
	if w.Exact != w.Fold {
		return p.words["t:"+w.Tone]
	}
	return p.words[w.Fold]
}

var sentenceEnd = regexp.MustCompile(`([.!?…])\s+`)

// passagesOf cuts a document into passages in lang: its title, its
// summary, each paragraph and list item of its body.
func passagesOf(d *Doc, lang i18n.Lang) []passage {
	mk := func(text string, title bool) passage {
		ws := map[string]bool{}
		words := search.Words(text)
		for i, w := range words {
			ws[w.Fold], ws["t:"+w.Tone] = true, true
			if i > 0 {
				ws["p:"+words[i-1].Fold+" "+w.Fold] = true
			}
		}
		if strings.Contains(text, "%") {
			// "70%" is read "bảy mươi phần trăm", "seventy percent".
			for _, w := range search.Words("phần trăm percent") {
				ws[w.Fold], ws["t:"+w.Tone] = true, true
			}
		}
		return passage{doc: d, text: text, words: ws, title: title}
	}
	out := []passage{mk(d.Title(lang)+" "+d.Number, true)}
	summary, body := d.SummaryVI, d.BodyVI
	if lang == i18n.EN && (d.SummaryEN != "" || d.BodyEN != "") {
		summary, body = d.SummaryEN, d.BodyEN
	}
	if d.Kind == Legal {
		// The official facts, said as a sentence: "when was it signed",
		// "is it still in force" are answered by them.
		out = append(out, mk(i18n.T(lang, "library.qa_legal_facts", i18n.T(lang, "library.dt_"+d.DocType), d.Number, d.Issuer,
			i18n.Day(lang, d.SignedOn), i18n.Day(lang, cmp.Or(d.EffectiveOn, d.SignedOn)), i18n.T(lang, "library.ls_"+d.LegalStatus)), false))
	}
	if summary != "" {
		out = append(out, mk(summary, false))
	}
	for _, para := range strings.Split(body, "\n") {
		para = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(para), "- "))
		if para = richtext.Plain(para, 0); utf8.RuneCountInString(para) >= 20 {
			out = append(out, mk(para, false))
		}
	}
	return out
}

// Ask answers a question from the public library.
func (s *Service) Ask(ctx context.Context, question string, lang i18n.Lang) (*Answer, error) {
	question = strings.TrimSpace(question)
	if question == "" {
		return nil, errs.Field("q", "library.ask_empty")
	}
	if len(question) > maxQuestion {
		return nil, errs.Field("q", "library.ask_too_long", maxQuestion)
	}
	ans := &Answer{Question: question, Citations: []Citation{}, Related: []Citation{}}
	qw := questionWords(question, lang)
	if len(qw) == 0 {
		return ans, nil
	}
	docs, err := s.candidates(ctx, qw)
	if err != nil || len(docs) == 0 {
		return ans, err
	}
	// Rarer words weigh more: inverse document frequency over the
	// candidates' passages.
	var ps []passage
	titleOf := map[*Doc]passage{}
	for _, d := range docs {
		dp := passagesOf(d, lang)
		titleOf[d] = dp[0]
		ps = append(ps, dp...)
	}
	weight := map[string]float64{}
	total := 0.0
	for _, w := range qw {
		df := 0
		for _, p := range ps {
			if p.has(w) {
				df++
			}
		}
		weight[w.Fold] = math.Log(1 + float64(len(ps)+1)/float64(df+1))
		total += weight[w.Fold]
	}
	// A word no candidate holds means the question is (at least partly)
	// about something the library does not cover.
	unknown := false
	for _, w := range qw {
		seen := false
		for _, p := range ps {
			seen = seen || p.has(w)
		}
		unknown = unknown || !seen
	}
	// A legal number in the question names its document.
	numbers := map[string]bool{}
	for _, raw := range strings.Fields(question) {
		if n := strings.Trim(raw, ",.?!;:()\"'"); strings.Contains(n, "/") && numberPattern.MatchString(n) {
			numbers[strings.ToLower(n)] = true
		}
	}
	// Words side by side in the question ("chuyển tiền", "tài khoản
	// mới") count again when side by side in a passage: a passage holding
	// the words scattered ("chuyển đổi số", "tiền mặt") answers less.
	type pair struct {
		key string
		w   float64
	}
	var pairs []pair
	pairTotal := 0.0
	for i := 1; i < len(qw); i++ {
		w := (weight[qw[i-1].Fold] + weight[qw[i].Fold]) / 2
		pairs = append(pairs, pair{"p:" + qw[i-1].Fold + " " + qw[i].Fold, w})
		pairTotal += w
	}
	coverOf := func(ps ...passage) float64 {
		got := 0.0
		for _, w := range qw {
			for _, p := range ps {
				if p.has(w) {
					got += weight[w.Fold]
					break
				}
			}
		}
		if len(pairs) == 0 {
			return got / total
		}
		pgot := 0.0
		for _, pr := range pairs {
			for _, p := range ps {
				if p.words[pr.key] {
					pgot += pr.w
					break
				}
			}
		}
		return 0.85*got/total + 0.15*pgot/pairTotal
	}
	type scored struct {
		p           passage
		cover, own  float64 // with its document's title; alone
		title, rank float64
	}
	var best []scored
	// How well a document's title fits the question: how much of the
	// question it covers, and how much of it the question says ("Luật
	// Dữ liệu" fits "luật dữ liệu có hiệu lực khi nào" better than "Cơ sở
	// dữ liệu quốc gia về văn bản pháp luật").
	titles, precise := map[*Doc]float64{}, map[*Doc]float64{}
	asked := map[string]bool{}
	for _, w := range qw {
		asked[w.Fold] = true
	}
	for _, p := range ps {
		if p.title {
			titles[p.doc] = coverOf(p)
			n, in := 0, 0
			for _, w := range search.Words(p.doc.Title(lang)) {
				if !isStop(w, w.Exact, lang) {
					n++
					if asked[w.Fold] {
						in++
					}
				}
			}
			if n > 0 {
				precise[p.doc] = float64(in) / float64(n)
			}
		}
	}
	for _, p := range ps {
		own := coverOf(p)
		cover := own
		// A passage read together with its document's title: "how much
		// does this cost" is answered by the FAQ whose question says
		// what "this" is.
		if !p.title {
			cover = max(own, 0.9*coverOf(p, titleOf[p.doc]))
		}
		// Ranked by what it covers, then by how well its document's title
		// fits the question (the guide named for the question before a
		// news item that mentions it), a body passage before a title.
		rank := cover + 0.2*titles[p.doc] + 0.1*precise[p.doc]
		if p.title {
			rank -= 0.01
		}
		if numbers[strings.ToLower(p.doc.Number)] {
			rank++
		}
		best = append(best, scored{p, cover, own, titles[p.doc], rank})
	}
	sort.SliceStable(best, func(i, j int) bool { return best[i].rank > best[j].rank })
	ans.Confidence = math.Round(best[0].cover*100) / 100
	cite := func(p passage) Citation {
		c := Citation{DocID: p.doc.ID, Title: p.doc.Title(lang), Number: p.doc.Number, Kind: p.doc.Kind, Href: "/library/" + p.doc.ID}
		if !p.title {
			c.Passage = p.text
			words := strings.Fields(p.text)
			c.Href += "#:~:text=" + url.PathEscape(strings.Join(words[:min(6, len(words))], " "))
		}
		return c
	}
	need := answerAt
	if unknown {
		need = unknownAt
	}
	if best[0].cover >= need {
		top := best[0].p
		if top.title {
			// The title matched: the answer is what the document says
			// first (an FAQ's answer, a document's summary).
			if more := passagesOf(top.doc, lang); len(more) > 1 {
				top = more[1]
			}
		}
		ans.Answered = true
		ans.Text = firstSentences(top.text, 3)
		ans.Citations = append(ans.Citations, cite(top))
		for _, b := range best[1:] {
			if b.p.doc != top.doc && !b.p.title && b.own >= seeAlsoAt && b.own >= best[0].cover && b.title >= 0.5 && len(ans.Citations) < 2 {
				ans.Text += " " + firstSentences(b.p.text, 2)
				ans.Citations = append(ans.Citations, cite(b.p))
			}
		}
		// The generative backend writes the answer only where the
		// extraction answers: it never turns a refusal into an answer.
		if s.Gen != nil {
			given := []passage{top}
			for _, b := range best[1:] {
				if len(given) < genPassages && !b.p.title && b.cover >= 0.5 && b.p.text != top.text {
					given = append(given, b.p)
				}
			}
			g, err := s.Gen.answer(ctx, question, lang, given)
			if err == nil {
				ans.Text, ans.Generated, ans.Citations = g.text, true, ans.Citations[:0]
				for _, i := range g.cited {
					ans.Citations = append(ans.Citations, cite(given[i]))
				}
			} else if !errors.Is(err, errGenUnknown) {
				s.Log.Warn("assistant: generative backend not used", "err", err)
			}
		}
	}
	seen := map[string]bool{}
	for _, c := range ans.Citations {
		seen[c.DocID] = true
	}
	for _, b := range best {
		if !seen[b.p.doc.ID] && len(ans.Related) < 3 && b.cover > 0 {
			seen[b.p.doc.ID] = true
			c := cite(b.p)
			c.Passage, c.Href = "", "/library/"+b.p.doc.ID
			ans.Related = append(ans.Related, c)
		}
	}
	return ans, nil
}

// firstSentences is the start of a passage, at most n sentences and 500
// characters, cut at a sentence's end.
func firstSentences(text string, n int) string {
	idx := sentenceEnd.FindAllStringIndex(text, -1)
	if len(idx) >= n {
		text = text[:idx[n-1][0]+1]
	}
	if utf8.RuneCountInString(text) > 500 {
		return richtext.Plain(text, 500)
	}
	return text
}

// candidates are the public documents sharing the question's words: those
// holding them all first, then those holding the most of them one by one.
func (s *Service) candidates(ctx context.Context, qw []search.Word) ([]*Doc, error) {
	st := s.Search.Store("library")
	count := map[string]int{}
	var order []string
	add := func(hits []search.Hit, n int) {
		for _, h := range hits {
			if _, ok := count[h.ID]; !ok {
				order = append(order, h.ID)
			}
			count[h.ID] += n
		}
	}
	search1 := func(ws []search.Word, n int) error {
		exact := make([]string, len(ws))
		for i, w := range ws {
			exact[i] = w.Exact
		}
		hits, err := st.Search(ctx, search.Query{Text: strings.Join(exact, " "), Limit: candidateDocs, Whole: true, FirstPass: true})
		add(hits, n)
		return err
	}
	// Those holding every word first, then, when they are few, the
	// engine's most related to any of them (ranking every document that
	// holds a common word costs more than the rest of the answer).
	if err := search1(qw, len(qw)); err != nil {
		return nil, err
	}
	if len(qw) > 1 && len(order) < candidateDocs/2 {
		words := make([]string, len(qw))
		for i, w := range qw {
			words[i] = w.Exact
		}
		refs, err := st.Related(ctx, strings.Join(words, " "), candidateDocs)
		if err != nil {
			return nil, err
		}
		for _, id := range refs {
			if _, ok := count[id]; !ok {
				order = append(order, id)
				count[id] = 0
			}
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return count[order[i]] > count[order[j]] })
	order = order[:min(candidateDocs, len(order))]
	if len(order) == 0 {
		return nil, nil
	}
	all, err := s.byIDs(ctx, order)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	var ds []*Doc
	for _, d := range all {
		if d.Public(now) {
			ds = append(ds, d)
		}
	}
	pos := map[string]int{}
	for i, id := range order {
		pos[id] = i
	}
	slices.SortFunc(ds, func(a, b *Doc) int { return pos[a.ID] - pos[b.ID] })
	return ds, nil
}

// Question is one kept question: unanswered, or rated unhelpful, kept
// with the asker's consent so that editors see what the library lacks.
type Question struct {
	ID       string `json:"id"`
	Text     string `json:"question"`
	Lang     string `json:"lang"`
	Answered bool   `json:"answered"`
	Helpful  *bool  `json:"helpful,omitempty"`
	At       int64  `json:"at"`
}

// Keep stores a question the assistant could not answer, or whose answer
// the asker found unhelpful, when the asker agrees. Nothing else about
// the asker is kept.
func (s *Service) Keep(ctx context.Context, question string, lang i18n.Lang, answered bool, helpful *bool, consent bool) error {
	question = strings.TrimSpace(question)
	if !consent {
		return errs.Field("consent", "library.keep_consent")
	}
	if question == "" || len(question) > maxQuestion {
		return errs.Field("q", "library.ask_too_long", maxQuestion)
	}
	var h sql.NullBool
	if helpful != nil {
		h = sql.NullBool{Bool: *helpful, Valid: true}
	}
	_, err := s.DB.W.ExecContext(ctx, `INSERT INTO lib_questions (id, question, lang, answered, helpful, at) VALUES ($1, $2, $3, $4, $5, $6)`,
		db.NewID(), question, string(lang), answered, h, s.clock())
	return err
}

// Questions lists kept questions, newest first, to those who edit the
// library anywhere (questions are not tied to a unit).
func (s *Service) Questions(ctx context.Context) ([]Question, error) {
	if _, _, err := auth.RequireScopes(ctx, auth.EditLibrary); err != nil {
		return nil, err
	}
	qs, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (Question, error) {
		var q Question
		var h sql.NullBool
		err := r.Scan(&q.ID, &q.Text, &q.Lang, &q.Answered, &h, &q.At)
		if h.Valid {
			q.Helpful = &h.Bool
		}
		return q, err
	}, `SELECT id, question, lang, answered, helpful, at FROM lib_questions ORDER BY at DESC, id DESC LIMIT 500`)
	if err != nil {
		return nil, err
	}
	if qs == nil {
		qs = []Question{}
	}
	return qs, err
}
