package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// bench lrs on a small store: it fills the store, POSTs, queries and ends
// with its RESULT line, without errors.
func TestBenchLRSEndsWithResult(t *testing.T) {
	// Each phase ends at its count (40 batches, 200 queries), long before
	// --duration on any machine, also under the race detector's slowdown.
	out, err := printedBy(t, func() error {
		return benchLRS(context.Background(), []string{"--db", "sqlite:" + filepath.Join(t.TempDir(), "lrs.db"),
			"--stored", "3000", "--warmup", "0", "--duration", "60s", "--batches", "40", "--queries", "200", "--agents", "50", "--activities", "20"})
	})
	printed := []byte(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, printed)
	}
	m := regexp.MustCompile(`(?m)^RESULT db=sqlite statements_per_s=(\d+) batch_p50_ms=[\d.]+ batch_p99_ms=[\d.]+ query_p50_ms=[\d.]+ query_p99_ms=[\d.]+ errors=(\d+) stored=(\d+)\n\z`).FindSubmatch(printed)
	if m == nil {
		t.Fatalf("no RESULT line at the end:\n%s", printed)
	}
	if string(m[2]) != "0" {
		t.Errorf("errors=%s:\n%s", m[2], printed)
	}
	// 3,000 filled, then up to 40 batches of 50 POSTed.
	if stored, _ := strconv.Atoi(string(m[3])); stored <= 3000 || stored > 5000 {
		t.Errorf("stored=%d, want 3,001 to 5,000", stored)
	}
	for _, phase := range []string{"agent       100 ok       0 errors", "activity     100 ok       0 errors"} {
		if !bytes.Contains(printed, []byte(phase)) {
			t.Errorf("no line %q:\n%s", phase, printed)
		}
	}
}
