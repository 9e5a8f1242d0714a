package app

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/tabular"
)

// TestSessionStatistics: candidates of two clearly different abilities sit
// a session; the statistics must show discriminating items, a reliable
// test, and export as XLSX.
func TestSessionStatistics(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	_, sid := examFixture(t, ta, "")
	ctx := t.Context()
	var accounts []auth.NewAccount
	for i := 0; i < 40; i++ {
		accounts = append(accounts, auth.NewAccount{Username: fmt.Sprintf("cand%02d", i)})
	}
	ids, err := ta.App.Auth.ProvisionAccounts(ctx, accounts, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i, id := range ids {
		p, _ := ta.App.Auth.Principal(ctx, id)
		pc := auth.WithPrincipal(ctx, p)
		a, err := ta.App.Exams.StartAttempt(pc, sid, "")
		if err != nil {
			t.Fatal(err)
		}
		ability := 0.15
		if i%2 == 0 {
			ability = 0.9
		}
		for k := 0; k < a.Items; k++ {
			resp := []string{"zzz"}
			if rng.Float64() < ability {
				resp, _, _ = ta.App.Exams.Correct(ctx, a, k)
			}
			if _, err := ta.App.Exams.SaveAnswer(pc, a.ID, k, resp); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := ta.App.Exams.Submit(pc, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	nat := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "national"))
	st, err := ta.App.Exams.Stats(nat, sid)
	if err != nil {
		t.Fatal(err)
	}
	if st.Form.N != 40 || st.Form.Items != 12 {
		t.Fatalf("form stats %+v", st.Form)
	}
	if st.Form.Alpha < 0.6 || st.Form.Alpha > 1 || st.Form.SEM >= st.Form.SD {
		t.Fatalf("alpha %.2f, SEM %.1f, SD %.1f", st.Form.Alpha, st.Form.SEM, st.Form.SD)
	}
	var disc float64
	n := 0
	for _, it := range st.Items {
		if it.Facility < 0 || it.Facility > 1 {
			t.Fatalf("facility %v", it.Facility)
		}
		if it.N >= 5 {
			disc += it.Discrimination
			n++
		}
	}
	if n == 0 || disc/float64(n) < 0.3 {
		t.Fatalf("mean discrimination %.2f over %d items", disc/float64(max(n, 1)), n)
	}
	var buf bytes.Buffer
	if err := ta.App.Exams.ExportStats(nat, &buf, sid); err != nil {
		t.Fatal(err)
	}
	tb, err := tabular.Read(&buf)
	if err != nil || tb.Header[5] != "facility" || len(tb.Rows) < len(st.Items) {
		t.Fatalf("xlsx: %v %+v", err, tb)
	}
	if _, err := ta.App.Exams.Stats(auth.WithPrincipal(ctx, mustPrincipal(t, ta, "learner")), sid); err == nil {
		t.Fatal("a learner read the statistics")
	}
	_, page, _ := ta.do(ta.client("national"), "GET", "/exam-sessions/"+sid+"/stats", nil)
	if !strings.Contains(page, `id="form-stats"`) {
		t.Fatal("stats page")
	}
}
