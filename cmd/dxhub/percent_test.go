package main

import (
	"strings"
	"testing"
)

func TestPercent(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "50": 50, " 90 ": 90, "25%": 25} {
		if got, err := percent(in, 90); err != nil || got != want {
			t.Errorf("percent(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "-1", "91", "12.5", "50%%"} {
		if _, err := percent(in, 90); err == nil || !strings.Contains(err.Error(), "from 0 to 90") {
			t.Errorf("percent(%q): error %v, want one naming the range", in, err)
		}
	}
}

// A bad --keep-in-memory stops the server before it opens anything, and
// the error names the flag.
func TestServeRefusesABadKeepInMemory(t *testing.T) {
	err := serve(t.Context(), nil, []string{"--keep-in-memory", "200", "--db", "sqlite:" + t.TempDir() + "/x.db"}, false)
	if err == nil || !strings.Contains(err.Error(), "--keep-in-memory") {
		t.Fatalf("serve with --keep-in-memory 200: %v", err)
	}
}
