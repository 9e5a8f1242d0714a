package library

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"dxhub/internal/platform/i18n"
)

// Generator is the assistant's optional generative backend: a server
// speaking the OpenAI-compatible chat-completions protocol (a provincial
// Ollama, vLLM or llama.cpp server). It is given the question and the
// passages the retrieval chose, nothing else of the library, and must
// cite them by number; an answer citing a passage it was not given, or
// none, is thrown away and the extractive answer stands. So does any
// failure: a backend that is down, slow or talking nonsense never stops
// the assistant from answering.
type Generator struct {
	// URL is the API's base, e.g. http://10.0.0.5:11434/v1; the request
	// goes to URL + "/chat/completions".
	URL   string
	Model string
	// Token is sent as a bearer token when set.
	Token string
	// Timeout bounds one answer (default 15 s).
	Timeout time.Duration
	// Client is the HTTP client (default: a plain one).
	Client *http.Client
	// downUntil is when to try a backend that failed again (Unix ms):
	// without it every question would wait out the timeout of a backend
	// that is down.
	downUntil atomic.Int64
}

// How long a failed backend is left alone, and bounds of what it gets
// and gives.
const (
	genRetryAfter = 30 * time.Second
	genPassages   = 5
	genMaxAnswer  = 1500 // characters
	genMaxBody    = 1 << 20
)

// errGenUnknown is the backend saying the passages do not answer.
var errGenUnknown = errors.New("the backend says the passages do not answer the question")

var citeMark = regexp.MustCompile(`\[(\d{1,2})\]`)

// generated is a usable answer of the backend: its text with citation
// marks renumbered in the order they first appear, and which of the given
// passages each number is.
type generated struct {
	text  string
	cited []int // indexes into the passages given
}

func (g *Generator) prompt(question string, lang i18n.Lang, passages []passage) []map[string]string {
	var sys string
	if lang == i18n.EN {
		sys = "You answer questions about Vietnam's digital transformation programme and the dxhub platform. " +
			"Use only the numbered passages you are given, never other knowledge. Answer in English in at most four sentences. " +
			"After each sentence put the numbers of the passages it rests on in square brackets, like [1] or [2][3]. " +
			"If the passages do not answer the question, reply with exactly the word UNKNOWN."
	} else {
		sys = "Bạn trả lời câu hỏi về chuyển đổi số ở Việt Nam và nền tảng dxhub. " +
			"Chỉ dùng các đoạn văn được đánh số dưới đây, không dùng hiểu biết nào khác. Trả lời bằng tiếng Việt, nhiều nhất bốn câu. " +
			"Sau mỗi câu ghi số của các đoạn làm căn cứ trong ngoặc vuông, như [1] hoặc [2][3]. " +
			"Nếu các đoạn không trả lời được câu hỏi, chỉ trả lời đúng một từ UNKNOWN."
	}
	var b strings.Builder
	for i, p := range passages {
		fmt.Fprintf(&b, "[%d] %s: %s\n\n", i+1, p.doc.Title(lang), p.text)
	}
	b.WriteString("Question: " + question)
	return []map[string]string{{"role": "system", "content": sys}, {"role": "user", "content": b.String()}}
}

// answer asks the backend; any error means the extractive answer stands.
// Only a backend that cannot be reached or fails is left alone for a
// while; one whose answer was refused is asked again next time.
func (g *Generator) answer(ctx context.Context, question string, lang i18n.Lang, passages []passage) (*generated, error) {
	if time.Now().UnixMilli() < g.downUntil.Load() {
		return nil, errors.New("the backend failed recently")
	}
	content, err := g.call(ctx, question, lang, passages)
	if err != nil {
		if ctx.Err() == nil {
			g.downUntil.Store(time.Now().Add(genRetryAfter).UnixMilli())
		}
		return nil, err
	}
	return checkGenerated(content, len(passages))
}

// call sends one chat-completions request and returns the message.
func (g *Generator) call(ctx context.Context, question string, lang i18n.Lang, passages []passage) (string, error) {
	timeout := g.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, _ := json.Marshal(map[string]any{
		"model": g.Model, "messages": g.prompt(question, lang, passages),
		"temperature": 0, "max_tokens": 400, "stream": false,
	})
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(g.URL, "/")+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if g.Token != "" {
		req.Header.Set("Authorization", "Bearer "+g.Token)
	}
	client := g.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, genMaxBody))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("backend answered %s", resp.Status)
	}
	var r struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return "", fmt.Errorf("backend answer is not chat-completions JSON: %w", err)
	}
	if len(r.Choices) == 0 {
		return "", errors.New("backend answer has no choices")
	}
	return r.Choices[0].Message.Content, nil
}

// checkGenerated keeps an answer only if every citation mark names one of
// the n passages given and there is at least one.
func checkGenerated(text string, n int) (*generated, error) {
	text = strings.TrimSpace(text)
	if strings.Trim(text, ".* ") == "UNKNOWN" {
		return nil, errGenUnknown
	}
	if text == "" || utf8.RuneCountInString(text) > genMaxAnswer {
		return nil, fmt.Errorf("backend answer is empty or longer than %d characters", genMaxAnswer)
	}
	g := &generated{}
	number := map[int]int{} // passage index → number in the answer
	var bad error
	text = citeMark.ReplaceAllStringFunc(text, func(m string) string {
		k, _ := strconv.Atoi(m[1 : len(m)-1])
		if k < 1 || k > n {
			bad = fmt.Errorf("backend cited passage %d of %d", k, n)
			return m
		}
		if _, ok := number[k-1]; !ok {
			g.cited = append(g.cited, k-1)
			number[k-1] = len(g.cited)
		}
		return "[" + strconv.Itoa(number[k-1]) + "]"
	})
	if bad != nil {
		return nil, bad
	}
	if len(g.cited) == 0 {
		return nil, errors.New("backend answer cites no passage")
	}
	g.text = text
	return g, nil
}
