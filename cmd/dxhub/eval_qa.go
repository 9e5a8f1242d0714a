package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"dxhub/internal/demo"
	"dxhub/internal/library"
	"dxhub/internal/platform/i18n"
)

// evalQACmd asks the library's assistant the questions of a file over the
// demo library and says which answers are right: dxhub eval qa FILE.
func evalQACmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("eval qa", flag.ContinueOnError)
	dbURL := fs.String("db", "", "database URL; default a fresh SQLite file in a temporary folder")
	verbose := fs.Bool("v", false, "print every answer, not only the ones that are not right")
	genURL := fs.String("assistant-url", env("ASSISTANT_URL", ""), "evaluate the answers of this OpenAI-compatible chat-completions server (see dxhub serve -h) instead of extraction alone")
	genModel := fs.String("assistant-model", env("ASSISTANT_MODEL", ""), "model name sent to that server")
	if err := parse(fs, args, "dxhub eval qa [flags] FILE: ask the library's assistant the questions of FILE (CSV: lang,question,expect)\nover the demo library. expect lists the documents that answer the question, separated by | (a legal\nnumber or a document's Vietnamese title), or - for a question the library cannot answer. Prints each\nquestion with the answer and its citations, then a last line\nRESULT answered_correct=… cited_correct=… refused_correct=… wrong=… (percentages of the answerable\nquestions answered from a right document, of the answers whose every citation is right, of the\nunanswerable ones refused; and the count of wrong answers given)"); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("want: eval qa FILE")
	}
	qs, err := readQAQuestions(fs.Arg(0))
	if err != nil {
		return err
	}
	a, closeApp, err := benchApp(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer closeApp()
	if *genURL != "" {
		a.Lib.Gen = &library.Generator{URL: *genURL, Model: *genModel, Token: env("ASSISTANT_TOKEN", "")}
	}
	if _, err := a.Org.UnitByCode(ctx, "66"); err != nil {
		if err := demo.Seed(ctx, demo.Services{Org: a.Org, Auth: a.Auth}, 0); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	if docs, err := a.Lib.List(ctx, library.Filter{Limit: 1}); err != nil {
		return err
	} else if len(docs) == 0 {
		if _, err := demo.SeedLibrary(ctx, a.Lib, principalOf(ctx, a)); err != nil {
			return fmt.Errorf("demo library: %w", err)
		}
	}
	var answerable, unanswerable, answeredRight, answeredAll, citedRight, refusedRight, wrong, missed int
	for _, q := range qs {
		ans, err := a.Lib.Ask(ctx, q.question, q.lang)
		if err != nil {
			return fmt.Errorf("line %d: %w", q.line, err)
		}
		right := func(c library.Citation) bool {
			d, err := a.Lib.Get(ctx, c.DocID)
			if err != nil {
				return false
			}
			for _, e := range q.expect {
				if e == d.Number && d.Number != "" || e == d.TitleVI {
					return true
				}
			}
			return false
		}
		verdict := ""
		switch {
		case len(q.expect) == 0 && !ans.Answered:
			unanswerable++
			refusedRight++
			verdict = "ok, refused"
		case len(q.expect) == 0:
			unanswerable++
			wrong++
			verdict = "WRONG: answered what the library cannot answer"
		case !ans.Answered:
			answerable++
			missed++
			verdict = "missed: refused"
		default:
			answerable++
			answeredAll++
			if right(ans.Citations[0]) {
				answeredRight++
				verdict = "ok"
				all := true
				for _, c := range ans.Citations {
					all = all && right(c)
				}
				if all {
					citedRight++
				} else {
					verdict = "ok, a second citation is off"
				}
			} else {
				wrong++
				verdict = "WRONG document"
			}
		}
		if *verbose || verdict != "ok" && verdict != "ok, refused" {
			var cites []string
			for _, c := range ans.Citations {
				cites = append(cites, strings.TrimSpace(c.Number+" "+c.Title))
			}
			fmt.Printf("%-48s line %d [%s] %q (confidence %.2f)\n  answer: %.160s\n  cited: %s\n", verdict, q.line, q.lang, q.question, ans.Confidence, ans.Text, strings.Join(cites, " | "))
		}
	}
	pct := func(n, d int) float64 {
		if d == 0 {
			return 0
		}
		return 100 * float64(n) / float64(d)
	}
	fmt.Printf("%d questions: %d answerable (%d answered from a right document, %d refused), %d unanswerable (%d refused); %d wrong answers\n",
		len(qs), answerable, answeredRight, missed, unanswerable, refusedRight, wrong)
	fmt.Printf("RESULT answered_correct=%.1f cited_correct=%.1f refused_correct=%.1f wrong=%d\n",
		pct(answeredRight, answerable), pct(citedRight, answeredAll), pct(refusedRight, unanswerable), wrong)
	return nil
}

type qaQuestion struct {
	line     int
	lang     i18n.Lang
	question string
	expect   []string
}

func readQAQuestions(file string) ([]qaQuestion, error) {
	rows, err := readEvalCSV(file, 3)
	if err != nil {
		return nil, err
	}
	var out []qaQuestion
	for i, row := range rows {
		if i == 0 && row[0] == "lang" {
			continue
		}
		q := qaQuestion{line: i + 1, question: row[1]}
		switch row[0] {
		case "vi":
			q.lang = i18n.VI
		case "en":
			q.lang = i18n.EN
		default:
			return nil, fmt.Errorf("%s row %d: lang must be vi or en, not %q", file, i+1, row[0])
		}
		if strings.TrimSpace(row[1]) == "" {
			return nil, fmt.Errorf("%s row %d: no question", file, i+1)
		}
		if e := strings.TrimSpace(row[2]); e != "-" {
			q.expect = strings.Split(e, "|")
		}
		out = append(out, q)
	}
	return out, nil
}
