package lrs

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"dxhub/internal/platform/db"
	"dxhub/internal/platform/db/dbtest"
)

// A learner's statements in one unit are found page by page, in both
// orders, when hundreds of the learner's newer (or older) statements in
// another unit come first among the candidates: the query goes on past
// them round after round. Statements referring to one of the learner's
// (the one that voids it among them) are found too, and the voided one is
// not. On both engines.
func TestFindGoesOnPastCandidatesThatFail(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	s := testStore(t, d)
	statement := func(verb, object string) obj {
		return mustDecode(t, `{"actor":{"mbox":"mailto:hoa@example.vn"},"verb":{"id":"`+verb+`"},"object":`+object+`}`)
	}
	completed := func(n int) []obj {
		var list []obj
		for i := range n {
			list = append(list, statement("http://adlnet.gov/expapi/verbs/completed", fmt.Sprintf(`{"id":"https://lms.example.vn/activities/%d"}`, i)))
		}
		return list
	}
	mine := &Client{ID: "mine", UnitPath: "/1/", Name: "t", Key: "k1"}
	other := &Client{ID: "other", UnitPath: "/2/", Name: "t", Key: "k2"}
	save := func(c *Client, list []obj) []string {
		t.Helper()
		ids, err := s.Save(ctx, c, list)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	save(other, completed(300))
	want := save(mine, completed(3)) // oldest first
	voided := want[1]
	voiding := save(mine, []obj{statement("http://adlnet.gov/expapi/verbs/voided", `{"objectType":"StatementRef","id":"`+voided+`"}`)})
	ref := save(mine, []obj{statement("http://adlnet.gov/expapi/verbs/attempted", `{"objectType":"StatementRef","id":"`+want[0]+`"}`)})
	save(other, completed(300))
	want = []string{want[0], want[2], voiding[0], ref[0]}
	if d.Dialect == db.SQLite {
		if err := s.flushAllKeys(ctx); err != nil {
			t.Fatal(err)
		}
	}
	save(other, completed(200)) // waiting in memory on SQLite

	for _, asc := range []bool{true, false} {
		for _, limit := range []int{1, 2, 10} {
			q := Query{Scope: "/1/", Agent: "mbox:mailto:hoa@example.vn", Verb: "http://adlnet.gov/expapi/verbs/completed", Ascending: asc, Limit: limit}
			got := findAll(t, s, q)
			w := slices.Clone(want)
			if !asc {
				slices.Reverse(w)
			}
			if fmt.Sprint(got) != fmt.Sprint(w) {
				t.Errorf("ascending %v, limit %d:\n got %v\nwant %v", asc, limit, got, w)
			}
		}
	}
}
