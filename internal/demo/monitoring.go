package demo

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"time"

	"dxhub/internal/monitor"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
)

//go:embed data/targets/targets-146.csv
var targetsCSV []byte

// MonthlyDataset is the demo's monthly commune report.
const MonthlyDataset = "BC-CDS-XA"

// monitoringElements are the scheme's data elements: four computed from
// dxhub's own records, the rest reported by communes.
var monitoringElements = []monitor.Element{
	{Code: "people", NameVI: "Số người theo nhóm", NameEN: "People by group", Source: monitor.SourcePeople, UnitVI: "người", UnitEN: "people"},
	{Code: "trained", NameVI: "Số người hoàn thành khóa học trong năm", NameEN: "People who completed a course this year", Source: monitor.SourceTrained, UnitVI: "người", UnitEN: "people"},
	{Code: "assessed", NameVI: "Số người được sát hạch trực tuyến trong năm", NameEN: "People assessed online this year", Source: monitor.SourceAssessed, UnitVI: "người", UnitEN: "people"},
	{Code: "passed", NameVI: "Số người đạt sát hạch trong năm", NameEN: "People who passed an exam this year", Source: monitor.SourcePassed, UnitVI: "người", UnitEN: "people"},
	{Code: "working_age", NameVI: "Số người trong độ tuổi lao động", NameEN: "Working-age people", Aggregation: monitor.AggLast, ValueType: monitor.TypeInteger, UnitVI: "người", UnitEN: "people"},
	{Code: "using_online_services", NameVI: "Số người biết sử dụng dịch vụ công trực tuyến", NameEN: "People who can use online public services", Aggregation: monitor.AggLast, ValueType: monitor.TypeInteger, UnitVI: "người", UnitEN: "people"},
	{Code: "dx_team_members", NameVI: "Thành viên Tổ công nghệ số cộng đồng", NameEN: "Community digital technology team members", Aggregation: monitor.AggLast, ValueType: monitor.TypeInteger, UnitVI: "người", UnitEN: "people"},
	{Code: "trainings_held", NameVI: "Số lớp tập huấn kỹ năng số đã tổ chức", NameEN: "Digital-skills trainings held", Aggregation: monitor.AggSum, ValueType: monitor.TypeInteger, UnitVI: "lớp", UnitEN: "trainings"},
	{Code: "dx_experts", NameVI: "Số chuyên gia chuyển đổi số", NameEN: "DX experts", Aggregation: monitor.AggLast, ValueType: monitor.TypeInteger, UnitVI: "người", UnitEN: "people"},
	{Code: "schools_total", NameVI: "Số cơ sở giáo dục phổ thông", NameEN: "Schools", Aggregation: monitor.AggLast, ValueType: monitor.TypeInteger, UnitVI: "trường", UnitEN: "schools"},
	{Code: "schools_stem", NameVI: "Số trường có giáo dục STEM/STEAM và kỹ năng số", NameEN: "Schools running STEM/STEAM and digital-skills education", Aggregation: monitor.AggLast, ValueType: monitor.TypeInteger, UnitVI: "trường", UnitEN: "schools"},
	{Code: "campaigns", NameVI: "Số chiến dịch truyền thông về chuyển đổi số", NameEN: "DX awareness campaigns", Aggregation: monitor.AggSum, ValueType: monitor.TypeInteger, UnitVI: "chiến dịch", UnitEN: "campaigns"},
}

// monitoringIndicators give formulas to the indicators of targets-146.csv
// that dxhub can measure; the others keep their targets and wait for one.
var monitoringIndicators = []monitor.Indicator{
	{Code: "working_age_using_online_services", NameVI: "Tỷ lệ người trong độ tuổi lao động biết sử dụng dịch vụ công trực tuyến", NameEN: "Share of working-age people who can use online public services",
		Measure: "percent", Numerator: "{using_online_services}", Denominator: "{working_age}", Seq: 1, Public: true},
	{Code: "leaders_trained_yearly", NameVI: "Tỷ lệ cán bộ lãnh đạo được tập huấn về chuyển đổi số trong năm", NameEN: "Share of leaders trained in DX this year",
		Measure: "percent", Numerator: "{trained.leader}", Denominator: "{people.leader}", Seq: 2, Public: true},
	{Code: "officials_trained_yearly", NameVI: "Tỷ lệ cán bộ, công chức, viên chức được tập huấn về chuyển đổi số trong năm", NameEN: "Share of civil servants and public employees trained in DX this year",
		Measure: "percent", Numerator: "{trained.civil_servant} + {trained.public_employee}", Denominator: "{people.civil_servant} + {people.public_employee}", Seq: 3, Public: true},
	{Code: "dx_staff_assessed_online", NameVI: "Tỷ lệ cán bộ chuyên trách CĐS/CNTT được đánh giá trực tuyến", NameEN: "Share of dedicated DX/IT staff assessed online",
		Measure: "percent", Numerator: "{assessed.dx_staff}", Denominator: "{people.dx_staff}", Seq: 4, Public: true},
	{Code: "teachers_trained_assessed", NameVI: "Tỷ lệ giáo viên được đánh giá kỹ năng số trực tuyến", NameEN: "Share of teachers assessed online for digital skills",
		Measure: "percent", Numerator: "{assessed.teacher}", Denominator: "{people.teacher}", Seq: 5, Public: true},
	{Code: "graduates_assessed_online", NameVI: "Tỷ lệ sinh viên được đánh giá kỹ năng số trực tuyến", NameEN: "Share of students assessed online for digital skills",
		Measure: "percent", Numerator: "{assessed.student}", Denominator: "{people.student}", Seq: 6, Public: true},
	{Code: "dx_experts_trained", NameVI: "Số chuyên gia chuyển đổi số", NameEN: "Number of DX experts", Measure: "count", Numerator: "{dx_experts}", Seq: 7, Public: true},
	{Code: "schools_with_stem_digital", NameVI: "Tỷ lệ cơ sở giáo dục phổ thông có giáo dục STEM/STEAM và kỹ năng số", NameEN: "Share of schools running STEM/STEAM and digital-skills education",
		Measure: "percent", Numerator: "{schools_stem}", Denominator: "{schools_total}", Seq: 8, Public: true},
	{Code: "awareness_campaigns_yearly", NameVI: "Số chiến dịch truyền thông về chuyển đổi số trong năm", NameEN: "DX awareness campaigns this year", Measure: "count", Numerator: "{campaigns}", Seq: 9, Public: true},
	{Code: "population_using_online_services", NameVI: "Tỷ lệ dân số biết sử dụng dịch vụ công trực tuyến", NameEN: "Share of population who can use online public services",
		Measure: "percent", Numerator: "{using_online_services}", Denominator: "{working_age}", Seq: 10},
}

// DXIndex is the example composite index: pillars → indices → components.
var DXIndex = []*monitor.IndexNode{
	{Code: "AWARE", NameVI: "Nhận thức số", NameEN: "Digital awareness", Points: 30, Children: []*monitor.IndexNode{
		{Code: "AWARE-SVC", NameVI: "Sử dụng dịch vụ công trực tuyến", NameEN: "Use of online public services", Points: 20, Indicator: "working_age_using_online_services"},
		{Code: "AWARE-CAMP", NameVI: "Truyền thông", NameEN: "Campaigns", Points: 10, Indicator: "awareness_campaigns_yearly"},
	}},
	{Code: "SKILLS", NameVI: "Kỹ năng số", NameEN: "Digital skills", Points: 40, Children: []*monitor.IndexNode{
		{Code: "SKILLS-OFF", NameVI: "Cán bộ được tập huấn", NameEN: "Officials trained", Points: 15, Indicator: "officials_trained_yearly"},
		{Code: "SKILLS-LEAD", NameVI: "Lãnh đạo được tập huấn", NameEN: "Leaders trained", Points: 10, Indicator: "leaders_trained_yearly"},
		{Code: "SKILLS-SCH", NameVI: "Trường học có giáo dục kỹ năng số", NameEN: "Schools teaching digital skills", Points: 15, Indicator: "schools_with_stem_digital"},
	}},
	{Code: "HR", NameVI: "Nhân lực chuyển đổi số", NameEN: "DX human resources", Points: 30, Children: []*monitor.IndexNode{
		{Code: "HR-STAFF", NameVI: "Chuyên trách được đánh giá", NameEN: "Dedicated staff assessed", Points: 15, Indicator: "dx_staff_assessed_online"},
		{Code: "HR-EXP", NameVI: "Chuyên gia", NameEN: "Experts", Points: 15, Indicator: "dx_experts_trained"},
	}},
}

// SeedMonitoringDefinitions stores the elements, indicators, targets
// (targets-146.csv), the DX index example and the monthly commune data set
// of province prov.
func SeedMonitoringDefinitions(ctx context.Context, m *monitor.Service, prov string) error {
	ctx = auth.WithPrincipal(ctx, auth.System())
	for _, e := range monitoringElements {
		if _, err := m.SaveElement(ctx, e); err != nil {
			return fmt.Errorf("element %s: %w", e.Code, err)
		}
	}
	for _, i := range monitoringIndicators {
		if _, err := m.SaveIndicator(ctx, i); err != nil {
			return fmt.Errorf("indicator %s: %w", i.Code, err)
		}
	}
	if _, err := m.ImportTargets(ctx, bytes.NewReader(targetsCSV)); err != nil {
		return fmt.Errorf("targets: %w", err)
	}
	if err := m.SaveIndex(ctx, "DTI-KNS", DXIndex); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	_, err := m.SaveDataset(ctx, monitor.Dataset{Code: MonthlyDataset, NameVI: "Báo cáo tháng về chuyển đổi số cấp xã", NameEN: "Monthly commune DX report",
		PeriodType: monitor.Monthly, UnitTypes: []string{org.TypeCommune}, ScopeCode: prov, DueDays: 5,
		Elements: []string{"working_age", "using_online_services", "dx_team_members", "trainings_held", "dx_experts", "schools_total", "schools_stem", "campaigns"},
		Rules: []monitor.Rule{
			{Left: "{using_online_services}", Op: "<=", Right: "{working_age}", MessageVI: "Số người biết dùng dịch vụ công trực tuyến không được lớn hơn số người trong độ tuổi lao động", MessageEN: "People using online services cannot exceed working-age people"},
			{Left: "{schools_stem}", Op: "<=", Right: "{schools_total}", MessageVI: "Số trường có giáo dục STEM không được lớn hơn tổng số trường", MessageEN: "Schools with STEM cannot exceed all schools"},
		}})
	return err
}

// SeedMonitoring adds to the definitions the reports of prov's communes
// for the months of this year so far: most on time, some late, some
// missing; all but the last month approved by the province. Then it
// computes this year's values from the demo's own records.
func SeedMonitoring(ctx context.Context, m *monitor.Service, prov string, now time.Time) error {
	if err := SeedMonitoringDefinitions(ctx, m, prov); err != nil {
		return err
	}
	ctx = auth.WithPrincipal(ctx, auth.System())
	p, err := m.Org.UnitByCode(ctx, prov)
	if err != nil {
		return err
	}
	communes, err := m.Org.UnitsOfTypes(ctx, p.Path, []string{org.TypeCommune})
	if err != nil {
		return err
	}
	defer func() { m.Now = nil }()
	last := monitor.PeriodOf(monitor.Monthly, now).Prev()
	for month := 1; month <= int(now.Month())-1; month++ {
		per, err := monitor.ParsePeriod("period", monitor.Monthly, fmt.Sprintf("%04d%02d", now.Year(), month))
		if err != nil {
			return err
		}
		due, _ := time.ParseInLocation("2006-01-02", per.DayAfterEnd(5), time.Local)
		for i, c := range communes {
			if i%9 == 8 {
				continue // missing
			}
			at := due.Add(-48 * time.Hour)
			if i%6 == 5 {
				at = due.Add(72 * time.Hour) // late
			}
			m.Now = func() time.Time { return at }
			work := 2500 + (i*137)%4000
			share := 0.40 + 0.03*float64(month) + 0.02*float64(i%8)
			v := map[string]string{
				"working_age":           strconv.Itoa(work),
				"using_online_services": strconv.Itoa(int(float64(work) * min(share, 0.95))),
				"dx_team_members":       strconv.Itoa(5 + i%4),
				"trainings_held":        strconv.Itoa(1 + (i+month)%3),
				"dx_experts":            strconv.Itoa(i % 2),
				"schools_total":         strconv.Itoa(6 + i%5),
				"schools_stem":          strconv.Itoa(2 + (i+month/3)%4),
				"campaigns":             strconv.Itoa((i + month) % 2),
			}
			if _, _, err := m.SaveReport(ctx, MonthlyDataset, c.Code, per.ID, monitor.Entry{Values: v, Submit: true}); err != nil {
				return fmt.Errorf("report %s %s: %w", c.Code, per.ID, err)
			}
			if per.ID != last.ID {
				m.Now = func() time.Time { return at.Add(24 * time.Hour) }
				if _, err := m.Review(ctx, MonthlyDataset, c.Code, per.ID, monitor.ActApprove, ""); err != nil {
					return fmt.Errorf("approve %s %s: %w", c.Code, per.ID, err)
				}
			}
		}
	}
	m.Now = nil
	_, err = m.Recompute(ctx, now.Year())
	return err
}
