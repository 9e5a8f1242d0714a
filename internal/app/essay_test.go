package app

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"dxhub/internal/assessment"
	"dxhub/internal/learning"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
)

// An essay (1EdTech's extended text example, in a package with its
// postcard) sits in an exam beside a choice: submitting leaves the result
// waiting for an examiner, the candidate is told so and no other room
// hears of it; only an examiner of the session's unit sees the answer
// (numbered, not named) and marks it, with bad marks refused by field;
// the last mark makes the result final and tells the other rooms, after
// which marks cannot change.
func TestEssayMarking(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	essay := interopDoc(t, "qti30/ims3_extended_text.xml")
	ctx := context.Background()
	a1 := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "author"))
	var pic bytes.Buffer
	png.Encode(&pic, image.NewGray(image.Rect(0, 0, 40, 30)))
	var essayID string
	for _, id := range importApproved(t, ta, map[string][]byte{"essay.xml": essay, "images/postcard.png": pic.Bytes(), "choice.xml": []byte(qtiGood)}) {
		it, _ := ta.App.Bank.Get(a1, id)
		if it.Body.Type == assessment.Essay {
			essayID = id
			if it.Body.ExpectedLength != 200 || it.Body.MaxScore != 1 {
				t.Fatalf("essay read as %+v", it.Body)
			}
		}
	}
	if essayID == "" {
		t.Fatal("no essay imported")
	}
	// A quiz is scored at once: it cannot hold an essay.
	if _, err := ta.App.Learn.CreateCourse(a1, learning.CourseInput{Code: "Q-ESSAY", Title: "Viết", Summary: "x", Audiences: []string{"citizen"}, OpenEnrol: true, PassPercent: 40}); err != nil {
		t.Fatal(err)
	}
	m, err := ta.App.Learn.AddModule(a1, "Q-ESSAY", "Chương 1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ta.App.Learn.AddLesson(a1, m.ID, learning.LessonInput{Kind: learning.KindQuiz, Title: "Q", Items: []string{essayID}})
	if e, _ := errs.As(err); e == nil || e.Field != "items" || e.Key != "learning.item_marked" {
		t.Fatalf("a quiz took an essay: %v", err)
	}

	s := oneItemSession(t, ta, "Viết bưu thiếp", assessment.ReviewAnswers)
	bp, _ := ta.App.Exams.Blueprint(auth.WithPrincipal(ctx, mustPrincipal(t, ta, "examiner")), s.BlueprintID)
	bp.Rules[0].Count = 2
	if err := ta.App.Exams.SaveBlueprint(auth.WithPrincipal(ctx, mustPrincipal(t, ta, "examiner")), bp); err != nil {
		t.Fatal(err)
	}
	learner := ta.client("learner")
	status, _, h := ta.do(learner, "POST", "/exams/"+s.ID+"/start", strings.NewReader(""), "Content-Type", "application/x-www-form-urlencoded")
	if status != 303 {
		t.Fatalf("start: %d", status)
	}
	attempt := strings.TrimPrefix(h.Get("Location"), "/attempts/")
	lc := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "learner"))
	at, _ := ta.App.Exams.Attempt(lc, attempt)
	items, _ := ta.App.Exams.AttemptItems(lc, at)
	essayIdx, choiceIdx := 0, 1
	if items[1].View.Type == assessment.Essay {
		essayIdx, choiceIdx = 1, 0
	}
	_, page, _ := ta.do(learner, "GET", "/attempts/"+attempt+"?q="+string(rune('1'+essayIdx)), nil)
	if !strings.Contains(page, `<textarea name="r"`) || !strings.Contains(page, "200") {
		t.Fatal("the exam page does not ask for a written answer")
	}
	text := "Chào Sam, thị trấn của mình nhỏ, đẹp nhất là bờ sông; buổi tối mình đi dạo chợ đêm."
	fb, k, v := form(url.Values{"idx": {string(rune('0' + essayIdx))}, "go": {"stay"}, "r": {text}})
	if s, _, _ := ta.do(learner, "POST", "/attempts/"+attempt+"/answer", fb, k, v); s != 303 {
		t.Fatalf("save the essay: %d", s)
	}
	apiJSON(t, ta, "learner", "PUT", "/api/v1/attempts/"+attempt+"/answers/"+string(rune('0'+choiceIdx)), `{"response":["A"]}`, 200)
	done, err := ta.App.Exams.Submit(lc, attempt)
	if err != nil {
		t.Fatal(err)
	}
	if done.AwaitingMarks != 1 || done.Passed {
		t.Fatalf("submitted: awaiting %d, passed %v", done.AwaitingMarks, done.Passed)
	}
	finished := func() int {
		var n int
		ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM events WHERE topic = $1 AND payload LIKE $2`, assessment.TopicAttemptFinished, "%"+attempt+"%").Scan(&n)
		return n
	}
	if finished() != 0 {
		t.Fatal("other rooms heard of a result that waits for marks")
	}
	_, page, _ = ta.do(learner, "GET", "/attempts/"+attempt+"/result", nil)
	if !strings.Contains(page, `id="awaiting-marks"`) || strings.Contains(page, `id="verdict"`) {
		t.Fatal("the result page does not say the essay waits for an examiner")
	}

	// Only the session's examiners mark.
	for _, who := range []string{"learner", "dongnai", "author"} {
		if s, _, _ := ta.do(ta.client(who), "GET", "/exam-sessions/"+s.ID+"/marking", nil); s != 403 && s != 404 {
			t.Errorf("%s reads the marking page: %d", who, s)
		}
		if s, _, _ := ta.do(ta.client(who), "PUT", "/api/v1/attempts/"+attempt+"/marks/"+string(rune('0'+essayIdx)), strings.NewReader(`{"points":1}`), "Content-Type", "application/json"); s != 403 && s != 404 {
			t.Errorf("%s marks: %d", who, s)
		}
	}
	examiner := ta.client("examiner")
	_, page, _ = ta.do(examiner, "GET", "/exam-sessions/"+s.ID+"/marking?lang=en", nil)
	if !strings.Contains(page, "Candidate 1") || !strings.Contains(page, "bờ sông") || strings.Contains(page, mustPrincipal(t, ta, "learner").Username) {
		t.Fatal("the marking page does not show the numbered answer (or names the candidate)")
	}
	out := apiJSON(t, ta, "examiner", "GET", "/api/v1/exam-sessions/"+s.ID+"/marking", "", 200)
	if !strings.Contains(out, `"attempts_awaiting":1`) || !strings.Contains(out, `"max_score":1`) {
		t.Fatalf("marking list: %s", out)
	}
	markURL := "/api/v1/attempts/" + attempt + "/marks/"
	for _, bad := range []struct{ idx, body, field string }{
		{string(rune('0' + essayIdx)), `{"points":2}`, "points"},
		{string(rune('0' + essayIdx)), `{"points":-0.5}`, "points"},
		{string(rune('0' + essayIdx)), `{"comment":"no points"}`, "points"},
		{string(rune('0' + choiceIdx)), `{"points":1}`, "index"},
		{"9", `{"points":1}`, "index"},
	} {
		if out := apiJSON(t, ta, "examiner", "PUT", markURL+bad.idx, bad.body, 400); !strings.Contains(out, `"field":"`+bad.field+`"`) {
			t.Errorf("%s %s: %s", bad.idx, bad.body, out)
		}
	}
	fb, k, v = form(url.Values{"attempt": {attempt}, "index": {string(rune('0' + essayIdx))}, "points": {"0,75"}, "comment": {"Đủ ý, thiếu lời chào cuối."}})
	if s, _, h := ta.do(examiner, "POST", "/exam-sessions/"+s.ID+"/marking", fb, k, v); s != 303 || !strings.Contains(h.Get("Location"), "saved=1") {
		t.Fatalf("mark from the page: %d", s)
	}
	final, _ := ta.App.Exams.Attempt(lc, attempt)
	if final.AwaitingMarks != 0 || final.Score != 1.75 || final.MaxScore != 2 || !final.Passed {
		t.Fatalf("after the mark: awaiting %d, %g of %g, passed %v", final.AwaitingMarks, final.Score, final.MaxScore, final.Passed)
	}
	if finished() != 1 {
		t.Fatal("the final result was not told to other rooms")
	}
	apiJSON(t, ta, "examiner", "PUT", markURL+string(rune('0'+essayIdx)), `{"points":0}`, 409)
	_, page, _ = ta.do(learner, "GET", "/attempts/"+attempt+"/result", nil)
	if !strings.Contains(page, `id="verdict"`) || !strings.Contains(page, "thiếu lời chào cuối") {
		t.Fatal("the result page lacks the verdict or the examiner's comment")
	}
	var logged int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM exam_events WHERE attempt_id = $1 AND kind = 'mark'`, attempt).Scan(&logged)
	if logged != 1 {
		t.Fatalf("%d marks logged", logged)
	}
}

// A file handed in (QTI's upload interaction, as qti-sdk's sample writes
// it): sent through the API or the page's form, kept only when it is an
// image, PDF or Office document, readable by its candidate and the
// session's examiners only, and marked like an essay.
func TestUploadAnswer(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	item := `<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p2" identifier="upload" title="Bảng tính" adaptive="false" timeDependent="false">
<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="file"/>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float" normalMaximum="4"/>
<itemBody><p>Lập bảng tính chi tiêu tháng, có cột tổng.</p><uploadInteraction responseIdentifier="RESPONSE"><prompt>Nộp tệp bảng tính của bạn.</prompt></uploadInteraction></itemBody>
</assessmentItem>`
	importApproved(t, ta, map[string][]byte{"upload.xml": []byte(item)})
	s := oneItemSession(t, ta, "Thực hành bảng tính", assessment.ReviewAnswers)
	ctx := context.Background()
	lc := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "learner"))
	a, err := ta.App.Exams.StartAttempt(lc, s.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	var pic bytes.Buffer
	png.Encode(&pic, image.NewGray(image.Rect(0, 0, 8, 8)))
	send := func(user, name string, data []byte) (int, string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		w, _ := mw.CreateFormFile("file", name)
		w.Write(data)
		mw.Close()
		status, out, _ := ta.do(ta.client(user), "POST", "/api/v1/attempts/"+a.ID+"/files/0", &body, "Content-Type", mw.FormDataContentType())
		return status, out
	}
	if status, out := send("learner", "bang-tinh.html", []byte("<html><script>alert(1)</script>")); status != 400 || !strings.Contains(out, `"field":"file"`) {
		t.Fatalf("an HTML file: %d %s", status, out)
	}
	if status, _ := send("author", "x.png", pic.Bytes()); status != 404 {
		t.Fatalf("another account sends into the attempt: %d", status)
	}
	status, out := send("learner", "bang-tinh.png", pic.Bytes())
	if status != 200 {
		t.Fatalf("upload: %d %s", status, out)
	}
	key := regexp.MustCompile(`file:([0-9a-f-]+)`).FindStringSubmatch(out)[1]
	_, page, _ := ta.do(ta.client("learner"), "GET", "/attempts/"+a.ID, nil)
	if !strings.Contains(page, `enctype="multipart/form-data"`) || !strings.Contains(page, `<a href="/files/`+key+`">bang-tinh.png</a>`) {
		t.Fatal("the exam page does not name the file handed in")
	}
	for user, want := range map[string]int{"learner": 200, "examiner": 200, "author": 403, "dongnai": 403} {
		if status, _, _ := ta.do(ta.client(user), "GET", "/files/"+key, nil); status != want && !(want == 403 && status == 404) {
			t.Errorf("%s reads the file handed in: %d, want %d", user, status, want)
		}
	}
	// The page's own form replaces it (a PDF this time).
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("idx", "0")
	mw.WriteField("go", "stay")
	w, _ := mw.CreateFormFile("file", "bai-lam.pdf")
	w.Write([]byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
	mw.Close()
	if status, _, _ := ta.do(ta.client("learner"), "POST", "/attempts/"+a.ID+"/answer", &body, "Content-Type", mw.FormDataContentType()); status != 303 {
		t.Fatalf("form upload: %d", status)
	}
	again, _ := ta.App.Exams.Attempt(lc, a.ID) // a is the fresh one: no answers read
	items, _ := ta.App.Exams.AttemptItems(lc, again)
	if len(items[0].Response) != 1 || items[0].Response[0] == "file:"+key {
		t.Fatalf("the form's file did not replace the first: %q", items[0].Response)
	}
	done, err := ta.App.Exams.Submit(lc, a.ID)
	if err != nil || done.AwaitingMarks != 1 {
		t.Fatalf("submit: %v, awaiting %d", err, done.AwaitingMarks)
	}
	if status, _ := send("learner", "late.png", pic.Bytes()); status != 409 {
		t.Fatalf("a file after submitting: %d", status)
	}
	var files int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM files WHERE owner = $1`, "attempt:"+a.ID).Scan(&files)
	if files != 2 {
		t.Fatalf("%d files kept for the attempt, want the two handed in (the late one not kept)", files)
	}
	_, page, _ = ta.do(ta.client("examiner"), "GET", "/exam-sessions/"+s.ID+"/marking", nil)
	if !strings.Contains(page, "bai-lam.pdf") {
		t.Fatal("the marking page does not link the file")
	}
	apiJSON(t, ta, "examiner", "PUT", "/api/v1/attempts/"+a.ID+"/marks/0", `{"points":3,"comment":"Thiếu cột tổng."}`, 200)
	final, _ := ta.App.Exams.Attempt(lc, a.ID)
	if final.AwaitingMarks != 0 || final.Score != 0.75 || !final.Passed {
		t.Fatalf("after marking: %+v", final)
	}
	// A deleted account's files handed in go; its result stays.
	if err := ta.App.Exams.ForgetCandidate(ctx, mustPrincipal(t, ta, "learner").AccountID); err != nil {
		t.Fatal(err)
	}
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM files WHERE owner = $1`, "attempt:"+a.ID).Scan(&files)
	var score float64
	ta.App.DB.R.QueryRow(`SELECT score FROM attempts WHERE id = $1`, a.ID).Scan(&score)
	if files != 0 || score != 0.75 {
		t.Fatalf("after forgetting: %d files, score %g", files, score)
	}
}
