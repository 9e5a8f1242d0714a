package campaign_test

import (
	"bytes"
	"strings"
	"testing"

	"dxhub/internal/campaign"
	"dxhub/internal/platform/tabular"
)

func TestParseInvited(t *testing.T) {
	names, rows, err := campaign.ParseInvited(strings.NewReader("Tên đăng nhập\nLearner\n an.nguyen \n"))
	if err != nil || strings.Join(names, ",") != "learner,an.nguyen" || rows[0] != 2 || rows[1] != 3 {
		t.Fatalf("%v %v %v", names, rows, err)
	}
	_, _, err = campaign.ParseInvited(strings.NewReader("username\nan\nAN\n"))
	ie, ok := tabular.AsImportError(err)
	if !ok || len(ie.Errors) != 1 || ie.Errors[0].Row != 3 {
		t.Fatalf("a repeated name: %v", err)
	}
	if _, _, err := campaign.ParseInvited(strings.NewReader("name\nan\n")); err == nil {
		t.Fatal("a list without the user name column is accepted")
	}
}

func TestInitials(t *testing.T) {
	for in, want := range map[string]string{"Nguyễn Văn An": "N. V. A.", "Đặng Ánh": "Đ. Á.", "": ""} {
		if got := campaign.Initials(in); got != want {
			t.Errorf("Initials(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseInvited: whatever the file, the list is read or refused with
// an error, never half: names are unique, non-empty, lower-case.
func FuzzParseInvited(f *testing.F) {
	f.Add([]byte("username\nlearner\nan\n"))
	f.Add([]byte("Tên đăng nhập\n\n\"a,b\"\nA\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte("\xef\xbb\xbfusername;x\nx;y\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		names, rows, err := campaign.ParseInvited(bytes.NewReader(data))
		if err != nil {
			if names != nil || rows != nil {
				t.Fatal("an error with names")
			}
			return
		}
		if len(names) == 0 || len(names) != len(rows) {
			t.Fatalf("%d names, %d rows", len(names), len(rows))
		}
		seen := map[string]bool{}
		for _, n := range names {
			if n == "" || seen[n] || n != strings.ToLower(n) {
				t.Fatalf("name %q", n)
			}
			seen[n] = true
		}
	})
}
