package monitor

import (
	"fmt"
	"testing"

	"dxhub/internal/org"
)

// TestRankRowsByKind: provinces and ministries are ranked apart, equal
// figures share a rank and are marked tied, units without a figure are
// not ranked and come last in their group.
func TestRankRowsByKind(t *testing.T) {
	row := func(code, typ string, v float64, has bool) ChildRow {
		return ChildRow{Unit: &org.Unit{Code: code, Type: typ}, Code: code, Row: Row{Value: v, HasValue: has}}
	}
	rows := []ChildRow{
		row("B01", org.TypeMinistry, 90, true),
		row("66", org.TypeProvince, 40, true),
		row("75", org.TypeProvince, 70, true),
		row("01", org.TypeProvince, 40, true),
		row("B02", org.TypeMinistry, 0, false),
		row("79", org.TypeProvince, 0, false),
		row("B03", org.TypeMinistry, 95, true),
	}
	rankRows(rows, func(r ChildRow) (float64, bool) { return r.Row.Value, r.Row.HasValue })
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s:%s:%d:%v", r.Group, r.Code, r.Rank, r.Tied))
	}
	want := []string{
		"territorial:75:1:false", "territorial:01:2:true", "territorial:66:2:true", "territorial:79:0:false",
		"sectoral:B03:1:false", "sectoral:B01:2:false", "sectoral:B02:0:false",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ranks\n got %v\nwant %v", got, want)
	}
}

// TestImplausible: a share above 100 %, a negative count or an achievement
// of many times the target cannot be right.
func TestImplausible(t *testing.T) {
	pct := &Indicator{Measure: "percent"}
	count := &Indicator{Measure: "count"}
	for _, c := range []struct {
		r    Row
		want bool
	}{
		{Row{Indicator: pct, Value: 77.1, HasValue: true, Target: 90, HasTarget: true, Achievement: 85.7}, false},
		{Row{Indicator: pct, Value: 150, HasValue: true}, true},
		{Row{Indicator: pct, Value: 50, HasValue: true, Target: 4500, HasTarget: true}, true},
		{Row{Indicator: count, Value: -3, HasValue: true}, true},
		{Row{Indicator: count, Value: 455, HasValue: true, Target: 1, HasTarget: true, Achievement: 45500}, true},
		{Row{Indicator: count, Value: 12, HasValue: true, Target: 10, HasTarget: true, Achievement: 120}, false},
	} {
		if got := implausible(c.r); got != c.want {
			t.Errorf("%+v: implausible %v, want %v", c.r, got, c.want)
		}
	}
}
