package lrs

import (
	"context"
	"strings"
	"testing"

	"dxhub/internal/platform/db/dbtest"
)

// A query sees only statements stored by clients within its scope, with
// and without filters (the filtered form walks the key indexes), and a
// unit's path being the start of another's ("/1/" and "/12/") does not
// mix them; on both engines.
func TestFindKeepsToScope(t *testing.T) {
	ctx := context.Background()
	s := testStore(t, dbtest.Open(t))
	const activity = "https://lms.example.vn/activities/scope"
	ids := map[string]string{}
	for _, unit := range []string{"/1/", "/12/", "/1/5/"} {
		st := mustDecode(t, `{"actor":{"mbox":"mailto:an@example.vn"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"`+activity+`"}}`)
		got, err := s.Save(ctx, &Client{ID: "c" + unit, UnitPath: unit, Name: "t", Key: "k" + unit}, []obj{st})
		if err != nil {
			t.Fatal(err)
		}
		ids[unit] = got[0]
	}
	for _, c := range []struct {
		scope string
		want  []string
	}{
		{"/1/", []string{"/1/5/", "/1/"}},
		{"/12/", []string{"/12/"}},
		{"/1/5/", []string{"/1/5/"}},
		{"/", []string{"/1/5/", "/12/", "/1/"}},
		{"/2/", nil},
	} {
		for _, q := range []Query{
			{Scope: c.scope, Limit: 10},
			{Scope: c.scope, Activity: activity, Limit: 10},
			{Scope: c.scope, Agent: "mbox:mailto:an@example.vn", Limit: 10},
		} {
			page, err := s.Find(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, st := range page.Statements {
				for unit, id := range ids {
					if strings.Contains(string(st), id) {
						got = append(got, unit)
					}
				}
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("scope %s, activity %q, agent %q: statements of %v, want %v", c.scope, q.Activity, q.Agent, got, c.want)
			}
		}
		_, err := s.One(ctx, c.scope, ids["/12/"], false)
		if found := err == nil; found != (c.scope == "/12/" || c.scope == "/") {
			t.Errorf("scope %s: statement of /12/ by id: %v", c.scope, err)
		}
	}
}
