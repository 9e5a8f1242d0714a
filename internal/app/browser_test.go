package app

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser starts headless Chromium for a user-journey test. The test command
// sets DXHUB_BROWSER=required, so that a missing browser fails there; plain
// "go test" skips these tests when DXHUB_BROWSER is unset.
func browser(t *testing.T) context.Context {
	t.Helper()
	mode := os.Getenv("DXHUB_BROWSER")
	if mode == "" {
		t.Skip("browser tests run with DXHUB_BROWSER=1 (the test command sets it)")
	}
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium not found: %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		// Chromium makes its lock and socket folders in TMPDIR and leaves
		// them there when killed at the test's end.
		chromedp.Env("TMPDIR="+t.TempDir()),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// TestBrowserImportJourney: sign in, find a commune without diacritics,
// import a people list with one bad row and see the row named and nothing
// imported, fix it, import again and find the people listed.
func TestBrowserImportJourney(t *testing.T) {
	ctx := browser(t)
	ta := newTestApp(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "can-bo-bad.csv")
	good := filepath.Join(dir, "can-bo.csv")
	os.WriteFile(bad, []byte("Mã định danh,Họ và tên,Ngày sinh,Mã đơn vị,Nhóm\nTA01,Lê Thị Thanh,12/05/1988,24133,công chức\nTA02,Phan Văn Quý,31/13/1990,24133,công chức\n"), 0o644)
	os.WriteFile(good, []byte("Mã định danh,Họ và tên,Ngày sinh,Mã đơn vị,Nhóm\nTA01,Lê Thị Thanh,12/05/1988,24133,công chức\nTA02,Phan Văn Quý,13/10/1990,24133,công chức\n"), 0o644)

	err := chromedp.Do(ctx,
		chromedp.Navigate(ta.Srv.URL+"/login"),
		chromedp.SendKeys(chromedp.ID("username"), "daklak"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/people"]`)),

		chromedp.Navigate(ta.Srv.URL+"/units"),
		chromedp.SendKeys(chromedp.ID("q"), "tan an"),
		chromedp.Submit(chromedp.ID("q")),
		chromedp.WaitVisible(chromedp.CSS(`#results a[href="/units/24133"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	results, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("results")))
	if err != nil || !strings.Contains(results, "Phường Tân An") {
		t.Fatalf("search results: %q %v", results, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#results a[href="/units/24133"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.crumbs`)),
		chromedp.Navigate(ta.Srv.URL+"/people/import"),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{bad}),
		chromedp.Submit(chromedp.ID("file")),
		chromedp.WaitVisible(chromedp.ID("import-errors")),
	)
	if err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("import-errors")))
	if err != nil || !strings.Contains(text, "Dòng 3, cột birth_date") {
		t.Fatalf("error does not name the row: %q %v", text, err)
	}
	if n := countPeopleIn(t, ta, "24133"); n != 0 {
		t.Fatalf("%d people written by a refused import", n)
	}

	err = chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{good}),
		chromedp.Submit(chromedp.ID("file")),
		chromedp.WaitVisible(chromedp.ID("import-result")),
		chromedp.Navigate(ta.Srv.URL+"/people?unit=24133"),
		chromedp.WaitVisible(chromedp.ID("people")),
	)
	if err != nil {
		t.Fatal(err)
	}
	listed, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("people")))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Lê Thị Thanh", "Phan Văn Quý"} {
		if !strings.Contains(listed, name) {
			t.Errorf("people list lacks %s: %q", name, listed)
		}
	}
}

func countPeopleIn(t *testing.T, ta *testApp, code string) int {
	u, err := ta.App.Org.UnitByCode(t.Context(), code)
	if err != nil {
		t.Fatal(err)
	}
	n, err := ta.App.Org.PeopleCount(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
