package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dxhub/internal/demo"
	"dxhub/internal/monitor"
	"dxhub/internal/platform/auth"
)

// dhis2Example is one of DHIS2's own dataValueSets examples with its
// identifiers replaced by dxhub's codes (DHIS2 uids mean nothing here).
func dhis2Example(t *testing.T, name string, ids map[string]string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "interop", "examples", "dhis2", name))
	if err != nil {
		t.Skipf("shared interop examples not found: %v", err)
	}
	s := string(b)
	for from, to := range ids {
		s = strings.ReplaceAll(s, `"`+from+`"`, `"`+to+`"`)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// DHIS2's semantics on its own examples: values as numbers, a value sent
// with deleted=true deletes the stored one, comments stay with their
// values, a missing data set, a computed element and an attribute option
// combo are each refused by name, and the answer carries DHIS2's import
// summary.
func TestDHIS2DataValueSets(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	monFixture(t, ta)
	per := monitor.PeriodOf(monitor.Monthly, time.Now()).Prev().ID
	ids := map[string]string{"pBOMPrpg1QX": demo.MonthlyDataset, "DiszpKrYNg8": "24121", "201401": per, "2014-02-03": "",
		"f7n9E0hX8qk": "working_age", "Ix2HsbDMLea": "using_online_services", "eY5ehpbEsB7": "dx_team_members"}
	post := func(v any, want int) map[string]any {
		t.Helper()
		out := apiJSON(t, ta, "rep1", "POST", "/api/v1/dataValueSets?lang=en", jsonOf(t, v), want)
		var m map[string]any
		json.Unmarshal([]byte(out), &m)
		return m
	}
	set := dhis2Example(t, "docs_sending_data_values.json", ids)
	// A JSON number is a value as well as a string.
	set["dataValues"].([]any)[0].(map[string]any)["value"] = 1
	res := post(set, 200)
	count := res["importCount"].(map[string]any)
	if res["status"] != "SUCCESS" || count["imported"] != 3.0 || count["updated"] != 0.0 {
		t.Fatalf("summary: %v", res)
	}
	// Sent again: updated, not imported.
	res = post(set, 200)
	if c := res["importCount"].(map[string]any); c["updated"] != 3.0 || c["imported"] != 0.0 {
		t.Fatalf("second import: %v", res)
	}
	// deleted=true deletes the stored value; it is never imported.
	del := dhis2Example(t, "docs_sending_data_values.json", ids)
	del["dataValues"] = []any{map[string]any{"dataElement": "dx_team_members", "value": "3", "deleted": true}}
	res = post(del, 200)
	if c := res["importCount"].(map[string]any); c["deleted"] != 1.0 {
		t.Fatalf("delete: %v", res)
	}
	rep, err := ta.App.Mon.Report(sysCtx(t, ta, "rep1"), demo.MonthlyDataset, "24121", per)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rep.Values["dx_team_members"]; ok || rep.Values["working_age"] != 1 || rep.Values["using_online_services"] != 2 {
		t.Fatalf("values after delete: %v", rep.Values)
	}
	// Comments stay with their values, and come back with them.
	gen := dhis2Example(t, "docs_generic_format.json", map[string]string{"dataSetID": demo.MonthlyDataset, "date": "", "period": per, "orgUnitID": "24121", "aocID": "default", "cocID": "default"})
	vals := gen["dataValues"].([]any)
	for i, el := range []string{"working_age", "using_online_services", "trainings_held"} {
		vals[i].(map[string]any)["dataElement"] = el
	}
	gen["period"] = per
	post(gen, 200)
	out := apiJSON(t, ta, "rep1", "GET", "/api/v1/dataValueSets?dataSet="+demo.MonthlyDataset+"&period="+per+"&orgUnit=24121", "", 200)
	for _, want := range []string{`"dataElement":"working_age","period":"` + per + `","orgUnit":"24121","value":"1","comment":"comment1"`, `"value":"3","comment":"comment3"`} {
		if !strings.Contains(out, want) {
			t.Fatalf("export lacks %s: %s", want, out)
		}
	}
	// Refusals, each named, in dxhub's shape and DHIS2's.
	bulk := dhis2Example(t, "docs_sending_bulks.json", ids)
	res = post(bulk, 422)
	if res["status"] != "ERROR" || !strings.Contains(jsonOf(t, res["rows"]), "data set (dataSet) is missing") || len(res["conflicts"].([]any)) != 4 {
		t.Fatalf("missing data set: %v", res)
	}
	aoc := dhis2Example(t, "docs_generic_format.json", map[string]string{"dataSetID": demo.MonthlyDataset, "period": per, "orgUnitID": "24121", "dataElementID": "working_age", "cocID": "default"})
	aoc["period"] = per
	if res = post(aoc, 422); !strings.Contains(jsonOf(t, res["rows"]), `attributeOptionCombo \"aocID\"`) {
		t.Fatalf("attribute option combo: %v", res)
	}
	set["dataValues"] = []any{map[string]any{"dataElement": "trained", "value": "5"}, map[string]any{"dataElement": "schools_total_x", "value": "1"}}
	if res = post(set, 422); !strings.Contains(jsonOf(t, res["rows"]), "computed by dxhub") {
		t.Fatalf("computed element: %v", res)
	}
}

// sysCtx is a context acting as user.
func sysCtx(t *testing.T, ta *testApp, user string) context.Context {
	return auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, user))
}
