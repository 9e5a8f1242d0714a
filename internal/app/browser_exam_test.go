package app

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dxhub/internal/assessment"
	"dxhub/internal/platform/auth"

	"github.com/chromedp/chromedp"
)

func signIn(t *testing.T, ta *testApp, user string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(ta.Srv.URL+"/login"),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitNotPresent(chromedp.ID("password")),
		// The account link shows at every width; the menu is folded on phones.
		chromedp.WaitVisible(chromedp.CSS(`.who a[href="/account"]`)),
	)
}

// TestBrowserCandidateJourney: sign in, start, answer, reload (answers and
// timer survive), submit, see the result.
func TestBrowserCandidateJourney(t *testing.T) {
	ctx := browser(t)
	ta := newTestApp(t)
	examFixture(t, ta, "")
	err := chromedp.Do(ctx,
		signIn(t, ta, "learner"),
		chromedp.Navigate(ta.Srv.URL+"/exams"),
		chromedp.Click(chromedp.CSS(`button.start`)),
		chromedp.WaitVisible(chromedp.ID("timer")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Answer the first item with whatever control it has; the script saves it.
	if err := chromedp.Do(ctx, answerFirst()); err != nil {
		t.Fatal(err)
	}
	var saved string
	for i := 0; i < 50 && saved == ""; i++ {
		time.Sleep(100 * time.Millisecond)
		saved, _ = chromedp.Run(ctx, chromedp.Text(chromedp.ID("save-state")))
	}
	if !strings.Contains(saved, "Đã lưu") {
		t.Fatalf("autosave state %q", saved)
	}
	timerBefore, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("timer")))
	err = chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("timer")))
	if err != nil {
		t.Fatal(err)
	}
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){
		var f = document.getElementById("answer");
		if (f.querySelector("input:checked")) return true;
		var tx = f.querySelector("input[type=text]");
		if (tx && tx.value !== "") return true;
		var ss = f.querySelectorAll("select");
		for (var i = 0; i < ss.length; i++) if (ss[i].value !== "") return true;
		return false;
	})()`))
	if err != nil || !kept {
		t.Fatalf("the answer did not survive the reload (%v)", err)
	}
	timerAfter, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("timer")))
	if !strings.HasPrefix(timerAfter, "19:") && !strings.HasPrefix(timerAfter, "20:") {
		t.Fatalf("timer after reload %q (before %q): the deadline was reset or lost", timerAfter, timerBefore)
	}
	// Submitting asks first, in a dialog that counts the blank questions;
	// going back to the exam closes it.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("submit-exam")),
		chromedp.WaitVisible(chromedp.ID("confirm-yes")),
		chromedp.Click(chromedp.ID("confirm-cancel")),
		chromedp.WaitNotVisible(chromedp.ID("confirm-yes")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if result := submitConfirmed(t, ctx, 11); !strings.Contains(result, "Điểm") {
		t.Fatalf("result %q", result)
	}
}

// answerFirst answers the question on screen with whatever control it has
// (items are shuffled, so its type is not known in advance).
func answerFirst() chromedp.Action[chromedp.Void] {
	answer := chromedp.Evaluate[bool](`(function(){
		var f = document.getElementById("answer");
		var c = f.querySelector("input[type=radio], input[type=checkbox]");
		if (c) { c.click(); return true; }
		var tx = f.querySelector("input[type=text]");
		if (tx) { tx.value = "42"; tx.dispatchEvent(new Event("input", {bubbles: true})); tx.dispatchEvent(new Event("change", {bubbles: true})); return true; }
		var ss = f.querySelectorAll("select");
		for (var i = 0; i < ss.length; i++) { ss[i].selectedIndex = Math.min(i + 1, ss[i].options.length - 1); ss[i].dispatchEvent(new Event("change", {bubbles: true})); }
		return true;
	})()`)
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := answer(ctx, t)
		return err
	})
}

// submitConfirmed taps "Nộp bài…", checks that the dialog counts blank
// questions, confirms, and returns the result's text.
func submitConfirmed(t *testing.T, ctx context.Context, blank int) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("submit-exam")), chromedp.WaitVisible(chromedp.ID("confirm-yes"))); err != nil {
		t.Fatal(err)
	}
	if count, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("confirm-count"))); !strings.Contains(count, fmt.Sprintf("Còn %d câu chưa trả lời", blank)) {
		t.Fatalf("the confirmation says %q, want %d blank", count, blank)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("confirm-yes")), chromedp.WaitVisible(chromedp.ID("verdict"))); err != nil {
		t.Fatal(err)
	}
	result, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result")))
	return result
}

// TestBrowserAuthorJourney: an author writes an item, previews it, sends it
// to review, and a second account approves it.
func TestBrowserAuthorJourney(t *testing.T) {
	ctx := browser(t)
	ta := newTestApp(t)
	err := chromedp.Do(ctx,
		signIn(t, ta, "author"),
		chromedp.Navigate(ta.Srv.URL+"/items/new"),
		chromedp.SetValue(chromedp.ID("type"), "single"),
		chromedp.SendKeys(chromedp.ID("stem"), "Khi nhận được tin nhắn trúng thưởng yêu cầu **chuyển phí nhận quà**, bạn nên làm gì?"),
		chromedp.SendKeys(chromedp.ID("options"), "Chuyển phí ngay\n*Bỏ qua và báo cho cơ quan chức năng\nGửi thông tin cá nhân để xác minh"),
		chromedp.Click(chromedp.ID("save-item")),
		chromedp.WaitVisible(chromedp.ID("submit-review")),
	)
	if err != nil {
		t.Fatal(err)
	}
	preview, _ := chromedp.Run(ctx, chromedp.InnerHTML(chromedp.CSS(".question")))
	if !strings.Contains(preview, "<strong>chuyển phí nhận quà</strong>") || !strings.Contains(preview, `type="radio"`) {
		t.Fatalf("preview %q", preview)
	}
	itemURL, _ := chromedp.Run(ctx, chromedp.Location())
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("submit-review"))); err != nil {
		t.Fatal(err)
	}
	if status := waitText(t, ctx, "item-status", "Chờ duyệt"); status != "Chờ duyệt" {
		t.Fatalf("status after sending to review: %q", status)
	}
	// A second author approves it in a fresh browser session.
	ctx2 := browser(t)
	err = chromedp.Do(ctx2,
		signIn(t, ta, "author2"),
		chromedp.Navigate(itemURL),
		chromedp.WaitVisible(chromedp.ID("approve")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx2, chromedp.Click(chromedp.ID("approve"))); err != nil {
		t.Fatal(err)
	}
	if status := waitText(t, ctx2, "item-status", "Đã duyệt"); status != "Đã duyệt" {
		t.Fatalf("status after approval: %q", status)
	}
}

// waitText polls an element's text until it reads want (or 5 s pass) and
// returns the last text read: clicks that post a form navigate later.
func waitText(t *testing.T, ctx context.Context, id, want string) string {
	t.Helper()
	var got string
	for i := 0; i < 50; i++ {
		got, _ = chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
		if got == want {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return got
}

// TestBrowserCompositeItem: a candidate answers the four parts of a
// composite item (a choice, an inline choice, a typed gap, a gap match)
// on a phone-wide page; the script saves them as one response, the page
// passes axe-core, and the submitted attempt is scored by the item's rules.
func TestBrowserCompositeItem(t *testing.T) {
	ctx := browser(t)
	axe := axeScript(t)
	ta := newTestApp(t)
	_, s := compositeExam(t, ta)
	err := chromedp.Do(ctx,
		signIn(t, ta, "learner"),
		chromedp.Navigate(ta.Srv.URL+"/exams"),
		chromedp.Click(chromedp.CSS(`button.start`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-part="3"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	phoneCheck(t, ctx, axe, "composite item on the exam page")
	answer := chromedp.Evaluate[bool](`(function(){
		document.querySelector("input[name='p0-r'][value='ChoiceA']").click();
		document.querySelector("input[name='p1-r'][value='A2']").click();
		var pick = {"p3-match-G1": "F", "p3-match-G2": "C", "p3-match-G3": "S"};
		for (var n in pick) {
			var sel = document.querySelector("select[name='" + n + "']");
			sel.value = pick[n];
			sel.dispatchEvent(new Event("change", {bubbles: true}));
		}
		var tx = document.querySelector("input[name='p2-r']");
		tx.value = "bad king";
		tx.dispatchEvent(new Event("input", {bubbles: true}));
		return true;
	})()`)
	if _, err := chromedp.Run(ctx, answer); err != nil {
		t.Fatal(err)
	}
	// The typed gap saves after a pause; then the stored response holds
	// every part.
	c := auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, "learner"))
	var stored []string
	for i := 0; i < 60; i++ {
		time.Sleep(100 * time.Millisecond)
		as, _ := ta.App.Exams.MyAttempts(c)
		for _, a := range as {
			if a.SessionID == s.ID {
				items, _ := ta.App.Exams.AttemptItems(c, a)
				stored = items[0].Response
			}
		}
		if len(stored) == 6 {
			break
		}
	}
	// (A matching's rows come in the candidate's own order.)
	stored = slices.Sorted(slices.Values(stored))
	want := []string{"0:ChoiceA", "1:A2", "2:bad king", "3:G1:F", "3:G2:C", "3:G3:S"}
	if strings.Join(stored, "|") != strings.Join(want, "|") {
		t.Fatalf("stored %q, want %q", stored, want)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("submit-exam")), chromedp.WaitVisible(chromedp.ID("confirm-yes")),
		chromedp.Click(chromedp.ID("confirm-yes")), chromedp.WaitVisible(chromedp.ID("verdict"))); err != nil {
		t.Fatal(err)
	}
	result, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result")))
	// 0.5 for "bad king", 1 and 1 for the choices, 0 for the gaps: 2.5
	// of 4, 62.5 %.
	if !strings.Contains(result, "62,5") {
		t.Fatalf("result %q", result)
	}
}

// TestBrowserPointOnPicture: a candidate taps a map on a phone-wide page;
// the script turns the tap into the picture's own pixels whatever the
// page's scale, marks it, saves it, and the item's area mapping scores it.
func TestBrowserPointOnPicture(t *testing.T) {
	ctx := browser(t)
	axe := axeScript(t)
	ta := newTestApp(t)
	img := image.NewRGBA(image.Rect(0, 0, 400, 300))
	var pic bytes.Buffer
	png.Encode(&pic, img)
	item := `<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="p" title="Điểm" adaptive="false" timeDependent="false">
<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="point"><areaMapping defaultValue="0"><areaMapEntry shape="rect" coords="300,200,380,280" mappedValue="1"/></areaMapping></responseDeclaration>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<itemBody><selectPointInteraction responseIdentifier="RESPONSE" maxChoices="1"><prompt>Chạm vào góc dưới bên phải.</prompt><img src="m.png" alt="Hình vuông" width="400" height="300"/></selectPointInteraction></itemBody>
<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response_point"/></assessmentItem>`
	importApproved(t, ta, map[string][]byte{"p.xml": []byte(item), "m.png": pic.Bytes()})
	s := oneItemSession(t, ta, "Chỉ điểm", assessment.ReviewScore)
	err := chromedp.Do(ctx,
		signIn(t, ta, "learner"),
		chromedp.Navigate(ta.Srv.URL+"/exams"),
		chromedp.Click(chromedp.CSS(`button.start`)),
		chromedp.WaitVisible(chromedp.CSS(`.point-pick`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	phoneCheck(t, ctx, axe, "point item on the exam page")
	// A tap at the picture's (340, 240), wherever the page drew it.
	tap := chromedp.Evaluate[bool](`(function(){
		var svg = document.querySelector(".picture svg"), r = svg.getBoundingClientRect();
		var x = r.left + r.width * 340 / 400, y = r.top + r.height * 240 / 300;
		svg.dispatchEvent(new MouseEvent("click", {clientX: x, clientY: y, bubbles: true}));
		return document.querySelectorAll(".picture circle.mark").length === 1;
	})()`)
	if marked, err := chromedp.Run(ctx, tap); err != nil || !marked {
		t.Fatalf("the tap left no mark (%v)", err)
	}
	c := auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, "learner"))
	var stored []string
	for i := 0; i < 50 && len(stored) == 0; i++ {
		time.Sleep(100 * time.Millisecond)
		a, _ := ta.App.Exams.MyAttemptIn(c, s.ID)
		if a != nil {
			items, _ := ta.App.Exams.AttemptItems(c, a)
			stored = items[0].Response
		}
	}
	var x, y int
	if len(stored) != 1 {
		t.Fatalf("stored %q", stored)
	}
	fmt.Sscanf(stored[0], "%d %d", &x, &y)
	if x < 338 || x > 342 || y < 238 || y > 242 {
		t.Fatalf("the tap was stored as %q, want about 340 240", stored[0])
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("submit-exam")), chromedp.WaitVisible(chromedp.ID("confirm-yes")),
		chromedp.Click(chromedp.ID("confirm-yes")), chromedp.WaitVisible(chromedp.ID("verdict"))); err != nil {
		t.Fatal(err)
	}
	if result, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result"))); !strings.Contains(result, "100") {
		t.Fatalf("result %q", result)
	}
}

// TestBrowserUploadAnswer: choosing a file on an upload item sends it at
// once; the page names the file handed in, and the answer is stored.
func TestBrowserUploadAnswer(t *testing.T) {
	ctx := browser(t)
	ta := newTestApp(t)
	item := `<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p2" identifier="up" title="Tệp" adaptive="false" timeDependent="false">
<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="file"/><outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<itemBody><uploadInteraction responseIdentifier="RESPONSE"><prompt>Nộp ảnh chụp màn hình.</prompt></uploadInteraction></itemBody></assessmentItem>`
	importApproved(t, ta, map[string][]byte{"up.xml": []byte(item)})
	s := oneItemSession(t, ta, "Nộp tệp", assessment.ReviewScore)
	file := filepath.Join(t.TempDir(), "man-hinh.png")
	var pic bytes.Buffer
	png.Encode(&pic, image.NewGray(image.Rect(0, 0, 8, 8)))
	os.WriteFile(file, pic.Bytes(), 0o644)
	page := filepath.Join(t.TempDir(), "trang.html")
	os.WriteFile(page, []byte("<html><script>alert(1)</script></html>"), 0o644)
	err := chromedp.Do(ctx,
		signIn(t, ta, "learner"),
		chromedp.Navigate(ta.Srv.URL+"/exams"),
		chromedp.Click(chromedp.CSS(`button.start`)),
		chromedp.WaitVisible(chromedp.CSS(`input[type=file]`)),
		chromedp.SetUploadFiles(`input[type=file]`, []string{page}),
	)
	if err != nil {
		t.Fatal(err)
	}
	// A page is refused, and the page says why.
	var got string
	for i := 0; i < 50 && !strings.Contains(got, "PNG"); i++ {
		time.Sleep(100 * time.Millisecond)
		got, _ = chromedp.Run(ctx, chromedp.Text(chromedp.ID("save-state")))
	}
	if !strings.Contains(got, "PNG") {
		t.Fatalf("save state %q", got)
	}
	err = chromedp.Do(ctx,
		chromedp.SetUploadFiles(`input[type=file]`, []string{file}),
		chromedp.WaitVisible(chromedp.CSS(`.upload-current a`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if name, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.upload-current a`))); name != "man-hinh.png" {
		t.Fatalf("the page names %q", name)
	}
	c := auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, "learner"))
	a, _ := ta.App.Exams.MyAttemptIn(c, s.ID)
	items, _ := ta.App.Exams.AttemptItems(c, a)
	if len(items[0].Response) != 1 || !strings.HasPrefix(items[0].Response[0], assessment.UploadPrefix) {
		t.Fatalf("stored %q", items[0].Response)
	}
}
