package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"dxhub/internal/experts"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
)

// The demo expert network: twenty written profiles (the anchors of the
// matching evaluation, four themes of five), and generated ones around
// them across the provinces — 300 in all, some foreign, some not yet
// verified, some with private fields — then needs of the demo provinces
// and engagements with feedback.

type anchor struct {
	name, unit, org, position, origin, province string
	langs, fields                               []string
	skills                                      []experts.Skill
	hours                                       int
	remote, onSite                              bool
	travel                                      []string
}

func sk(pairs ...any) []experts.Skill {
	var out []experts.Skill
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, experts.Skill{Competence: pairs[i].(string), Level: pairs[i+1].(int)})
	}
	return out
}

// anchors are written profiles in four themes: cybersecurity on site in
// the Central Highlands, data and AI in English remotely, digital
// government services in the South-East, digital skills teaching for
// communes.
var anchors = []anchor{
	{"Nguyễn Hữu Phong", "66", "Công an tỉnh Đắk Lắk", "Trưởng phòng an ninh mạng", experts.Domestic, "66", []string{"vi"}, []string{"cybersecurity"}, sk("4.1", 4, "4.2", 4), 20, false, true, []string{"66", "52"}},
	{"Trần Thị Hạnh", "66", "Trường Đại học Tây Nguyên", "Giảng viên an toàn thông tin", experts.Domestic, "66", []string{"vi", "en"}, []string{"cybersecurity", "education"}, sk("4.1", 4, "4.2", 3), 15, true, true, []string{"66"}},
	{"Y Blin Niê", "66", "Sở Khoa học và Công nghệ tỉnh Đắk Lắk", "Chuyên viên an toàn thông tin", experts.Domestic, "66", []string{"vi"}, []string{"cybersecurity", "e_government"}, sk("4.1", 3, "4.2", 4), 20, false, true, []string{"66"}},
	{"Lê Quang Vinh", "52", "Viettel Gia Lai", "Kỹ sư bảo mật", experts.Domestic, "52", []string{"vi", "en"}, []string{"cybersecurity", "cloud"}, sk("4.1", 4, "4.2", 4), 10, true, true, []string{"52", "66"}},
	{"Phạm Ngọc Ánh", "66", "VNPT Đắk Lắk", "Chuyên gia giám sát an toàn mạng", experts.Domestic, "66", []string{"vi"}, []string{"cybersecurity"}, sk("4.1", 3, "4.2", 3), 25, false, true, []string{"66"}},

	{"Đỗ Minh Tuấn", "VN", "Viện Trí tuệ nhân tạo", "Nghiên cứu viên chính", experts.Domestic, "01", []string{"vi", "en"}, []string{"ai", "data"}, sk("2.1", 4, "3.4", 4), 10, true, false, nil},
	{"Sarah Thompson", "VN", "University of Melbourne", "Associate Professor of Data Science", experts.Foreign, "", []string{"en"}, []string{"data", "ai"}, sk("2.1", 4, "3.4", 3), 8, true, false, nil},
	{"Kenji Watanabe", "VN", "Tokyo Institute of Technology", "Professor, machine learning", experts.Foreign, "", []string{"en", "ja"}, []string{"ai"}, sk("3.4", 4, "2.1", 3), 6, true, false, nil},
	{"Vũ Thu Trang", "79", "Đại học Quốc gia TP. Hồ Chí Minh", "Giảng viên khoa học dữ liệu", experts.Domestic, "79", []string{"vi", "en"}, []string{"data", "ai", "education"}, sk("2.1", 4, "3.4", 3), 12, true, true, []string{"79"}},
	{"Hoàng Gia Bảo", "01", "Công ty Cổ phần FPT", "Kiến trúc sư dữ liệu", experts.Domestic, "01", []string{"vi", "en"}, []string{"data", "cloud"}, sk("2.1", 4, "3.4", 4), 16, true, false, nil},

	{"Ngô Thanh Hải", "75", "Sở Khoa học và Công nghệ Đồng Nai", "Phó trưởng phòng chuyển đổi số", experts.Domestic, "75", []string{"vi"}, []string{"e_government"}, sk("2.3", 4, "6.1", 4), 20, false, true, []string{"75", "79"}},
	{"Lâm Thị Mỹ Dung", "79", "Trung tâm Chuyển đổi số TP. Hồ Chí Minh", "Chuyên gia dịch vụ công", experts.Domestic, "79", []string{"vi", "en"}, []string{"e_government", "smart_city"}, sk("2.3", 4, "6.1", 3), 15, true, true, []string{"79", "75"}},
	{"Trịnh Văn Lộc", "75", "UBND phường Trấn Biên", "Công chức văn phòng", experts.Domestic, "75", []string{"vi"}, []string{"e_government"}, sk("2.3", 3, "6.1", 4), 10, false, true, []string{"75"}},
	{"Đặng Quốc Khánh", "VN", "Cục Chuyển đổi số quốc gia", "Chuyên viên chính", experts.Domestic, "01", []string{"vi", "en"}, []string{"e_government", "data"}, sk("2.3", 4, "6.1", 4), 8, true, true, []string{"75", "79", "01"}},
	{"Bùi Thị Thu Hà", "79", "Sở Nội vụ TP. Hồ Chí Minh", "Chuyên viên cải cách hành chính", experts.Domestic, "79", []string{"vi"}, []string{"e_government"}, sk("2.3", 3, "6.1", 3), 12, false, true, []string{"79", "75"}},

	{"Nguyễn Thị Lan", "66", "Trường Cao đẳng Đắk Lắk", "Giảng viên tin học", experts.Domestic, "66", []string{"vi"}, []string{"digital_skills", "education"}, sk("1.1", 4, "5.2", 4), 30, false, true, []string{"66"}},
	{"H'Yim Kđoh", "66", "Hội Liên hiệp Phụ nữ tỉnh Đắk Lắk", "Cán bộ hướng dẫn kỹ năng số", experts.Domestic, "66", []string{"vi"}, []string{"digital_skills", "digital_society"}, sk("1.1", 3, "5.2", 4), 30, false, true, []string{"66"}},
	{"Phan Văn Đức", "66", "Trung tâm Giáo dục thường xuyên tỉnh", "Giáo viên", experts.Domestic, "66", []string{"vi"}, []string{"digital_skills"}, sk("1.1", 4, "5.2", 3), 25, false, true, []string{"66", "52"}},
	{"Mai Xuân Trường", "52", "Đoàn Thanh niên tỉnh Gia Lai", "Điều phối tình nguyện viên số", experts.Domestic, "52", []string{"vi"}, []string{"digital_skills", "digital_society"}, sk("1.1", 4, "5.2", 4), 20, true, true, []string{"52", "66"}},
	{"Đinh Thị Hồng", "66", "Bưu điện tỉnh Đắk Lắk", "Chuyên viên hỗ trợ người dân", experts.Domestic, "66", []string{"vi"}, []string{"digital_skills", "finance"}, sk("1.1", 3, "5.2", 3), 20, false, true, []string{"66"}},
}

// ExpertEval is a need with the five experts a person chose for it from
// the demo directory: the matching's evaluation set.
type ExpertEval struct {
	Need     experts.NeedInput
	Expected []string // names
}

// ExpertEvalSet are the needs of the evaluation, one per theme and a few
// across themes, each with the experts chosen for it by reading the demo
// profiles.
var ExpertEvalSet = []ExpertEval{
	{experts.NeedInput{UnitCode: "66", Title: "Rà soát an toàn thông tin cổng dịch vụ công của tỉnh", Fields: []string{"cybersecurity"}, Skills: sk("4.1", 3, "4.2", 3), Place: "66", Hours: 10},
		[]string{"Nguyễn Hữu Phong", "Trần Thị Hạnh", "Y Blin Niê", "Lê Quang Vinh", "Phạm Ngọc Ánh"}},
	{experts.NeedInput{UnitCode: "66", Title: "Diễn tập ứng cứu sự cố mạng cho các sở", Fields: []string{"cybersecurity"}, Skills: sk("4.2", 3), Place: "66", Hours: 15},
		[]string{"Nguyễn Hữu Phong", "Trần Thị Hạnh", "Y Blin Niê", "Lê Quang Vinh", "Phạm Ngọc Ánh"}},
	{experts.NeedInput{UnitCode: "VN", Title: "Mô hình dự báo nhu cầu dịch vụ công bằng học máy", Fields: []string{"ai", "data"}, Skills: sk("3.4", 3, "2.1", 3), Languages: []string{"en"}, Place: "remote", Hours: 6},
		[]string{"Đỗ Minh Tuấn", "Sarah Thompson", "Kenji Watanabe", "Vũ Thu Trang", "Hoàng Gia Bảo"}},
	{experts.NeedInput{UnitCode: "75", Title: "Kho dữ liệu mở của thành phố", Fields: []string{"data"}, Skills: sk("2.1", 4), Languages: []string{"en"}, Place: "remote", Hours: 8},
		[]string{"Đỗ Minh Tuấn", "Sarah Thompson", "Vũ Thu Trang", "Hoàng Gia Bảo", "Kenji Watanabe"}},
	{experts.NeedInput{UnitCode: "75", Title: "Tái thiết kế quy trình thủ tục hành chính trực tuyến cấp xã", Fields: []string{"e_government"}, Skills: sk("2.3", 3, "6.1", 3), Place: "75", Hours: 10},
		[]string{"Ngô Thanh Hải", "Lâm Thị Mỹ Dung", "Trịnh Văn Lộc", "Đặng Quốc Khánh", "Bùi Thị Thu Hà"}},
	{experts.NeedInput{UnitCode: "79", Title: "Đánh giá mức độ hài lòng với dịch vụ công trực tuyến", Fields: []string{"e_government"}, Skills: sk("6.1", 3), Place: "79", Hours: 8},
		[]string{"Lâm Thị Mỹ Dung", "Ngô Thanh Hải", "Đặng Quốc Khánh", "Bùi Thị Thu Hà", "Trịnh Văn Lộc"}},
	{experts.NeedInput{UnitCode: "66", Title: "Tập huấn tổ công nghệ số cộng đồng ở các buôn", Fields: []string{"digital_skills"}, Skills: sk("1.1", 3, "5.2", 3), Place: "66", Hours: 20},
		[]string{"Nguyễn Thị Lan", "H'Yim Kđoh", "Phan Văn Đức", "Mai Xuân Trường", "Đinh Thị Hồng"}},
	{experts.NeedInput{UnitCode: "66", Title: "Hướng dẫn người cao tuổi dùng VNeID và thanh toán số", Fields: []string{"digital_skills", "digital_society"}, Skills: sk("5.2", 3), Place: "66", Hours: 20},
		[]string{"H'Yim Kđoh", "Nguyễn Thị Lan", "Mai Xuân Trường", "Phan Văn Đức", "Đinh Thị Hồng"}},
	{experts.NeedInput{UnitCode: "66", Title: "Bảo mật dữ liệu dân cư trong kho dữ liệu của tỉnh", Fields: []string{"cybersecurity"}, Skills: sk("4.1", 4), Place: "66", Hours: 10},
		[]string{"Nguyễn Hữu Phong", "Lê Quang Vinh", "Trần Thị Hạnh", "Y Blin Niê", "Phạm Ngọc Ánh"}},
	{experts.NeedInput{UnitCode: "VN", Title: "Trợ lý ảo trả lời câu hỏi về thủ tục hành chính", Fields: []string{"ai"}, Skills: sk("3.4", 4), Languages: []string{"en"}, Place: "remote", Hours: 6},
		[]string{"Kenji Watanabe", "Đỗ Minh Tuấn", "Hoàng Gia Bảo", "Sarah Thompson", "Vũ Thu Trang"}},
}

var (
	foreignName = []string{"Anna Müller", "David Chen", "Marie Dubois", "Park Ji-hoon", "Olga Ivanova", "Carlos García", "Emily Clarke", "Tanaka Yui"}
	orgsVN      = []string{"Sở Khoa học và Công nghệ", "Trung tâm Chuyển đổi số", "Trường Đại học", "Viettel", "VNPT", "Công ty phần mềm", "Bệnh viện đa khoa", "Ngân hàng thương mại"}
	expertRoles = []string{"Chuyên viên", "Giảng viên", "Kỹ sư", "Trưởng phòng", "Nghiên cứu viên", "Giám đốc kỹ thuật"}
)

// SeedExperts writes the demo expert network: the anchors, generated
// profiles up to n, the demo expert account's own profile, needs of the
// demo provinces, and engagements with feedback.
func SeedExperts(ctx context.Context, x *experts.Service, o *org.Service, principal func(string) (*auth.Principal, error), n int) error {
	sys := auth.WithPrincipal(ctx, auth.System())
	nation, err := o.Nation(ctx)
	if err != nil {
		return err
	}
	provs, err := o.UnitsOfTypes(ctx, nation.Path, []string{org.TypeProvince})
	if err != nil {
		return err
	}
	var codes []string
	for _, p := range provs {
		codes = append(codes, p.Code)
	}
	have := map[string]bool{}
	for _, c := range codes {
		have[c] = true
	}
	unitOf := func(c string) string {
		if c == "VN" || have[c] {
			return c
		}
		return "VN"
	}
	provOf := func(c string) string {
		if have[c] {
			return c
		}
		return ""
	}
	save := func(in experts.Input, verify bool) (*experts.Profile, error) {
		pr, err := x.Create(sys, in)
		if err != nil {
			return nil, fmt.Errorf("expert %s: %w", in.FullName, err)
		}
		if verify {
			return x.Verify(sys, pr.ID, "Đối chiếu hồ sơ gốc (dữ liệu minh họa)")
		}
		return pr, nil
	}
	var travel []string
	for _, a := range anchors {
		travel = travel[:0]
		for _, t := range a.travel {
			if p := provOf(t); p != "" {
				travel = append(travel, p)
			}
		}
		in := experts.Input{FullName: a.name, UnitCode: unitOf(a.unit), Details: experts.Details{OrgName: a.org, Position: a.position, Origin: a.origin, Province: provOf(a.province),
			Languages: a.langs, Fields: a.fields, Skills: a.skills, Hours: a.hours, Remote: a.remote, OnSite: a.onSite, Provinces: append([]string{}, travel...), Public: true,
			Works: []experts.Work{{Title: "Báo cáo chuyên đề về " + a.fields[0], Year: 2024}}}}
		if _, err := save(in, true); err != nil {
			return err
		}
	}
	rng := rand.New(rand.NewPCG(300, 2026))
	fieldsAll := []string{"e_government", "digital_economy", "digital_society", "cybersecurity", "data", "ai", "cloud", "iot", "health", "education", "agriculture", "finance", "transport", "tourism", "smart_city", "digital_skills"}
	comps := []string{"1.1", "1.2", "2.1", "2.2", "2.3", "3.1", "3.4", "4.1", "4.2", "5.1", "5.2", "6.1"}
	langs := []string{"en", "fr", "ja", "ko", "zh"}
	for i := len(anchors); i < n; i++ {
		prov := codes[rng.IntN(len(codes))]
		if i%9 == 0 {
			prov = "66" // Đắk Lắk builds its core of at least 30
		}
		in := experts.Input{UnitCode: prov, Details: experts.Details{Origin: experts.Domestic, Province: prov, Languages: []string{"vi"}, Hours: 5 * rng.IntN(7),
			Remote: rng.IntN(2) == 0, OnSite: rng.IntN(3) > 0, Public: rng.IntN(10) > 0}}
		if i%10 == 3 {
			in.FullName, in.Origin, in.Province, in.UnitCode, in.Languages = foreignName[rng.IntN(len(foreignName))]+fmt.Sprintf(" %d", i), experts.Foreign, "", "VN", []string{"en"}
		} else {
			in.FullName = familyNames[rng.IntN(len(familyNames))] + " " + middleNames[rng.IntN(len(middleNames))] + " " + givenNames[rng.IntN(len(givenNames))]
		}
		in.OrgName = orgsVN[rng.IntN(len(orgsVN))]
		in.Position = expertRoles[rng.IntN(len(expertRoles))]
		if rng.IntN(3) == 0 {
			in.Languages = append(in.Languages, langs[rng.IntN(len(langs))])
		}
		for _, f := range rng.Perm(len(fieldsAll))[:1+rng.IntN(3)] {
			in.Fields = append(in.Fields, fieldsAll[f])
		}
		// Generated experts know the competences up to level 2: the
		// anchors are the ones a person would choose for the demanding
		// needs of the evaluation.
		for _, c := range rng.Perm(len(comps))[:1+rng.IntN(3)] {
			in.Skills = append(in.Skills, experts.Skill{Competence: comps[c], Level: 1 + rng.IntN(2)})
		}
		if rng.IntN(4) == 0 {
			in.Private = []string{"contact", "publications"}
			in.Email = fmt.Sprintf("chuyengia%d@example.vn", i)
		}
		in.Works = []experts.Work{{Title: fmt.Sprintf("Nghiên cứu ứng dụng %s", in.Fields[0]), Year: 2018 + rng.IntN(7)}}
		if _, err := save(in, rng.IntN(7) > 0); err != nil {
			return err
		}
	}
	// The demo expert account keeps its own profile.
	if p, err := principal("expert"); err == nil {
		ectx := auth.WithPrincipal(ctx, p)
		pr, err := x.SaveMine(ectx, experts.Input{FullName: "Bùi Minh Khoa", Details: experts.Details{OrgName: "Sở Khoa học và Công nghệ tỉnh Đắk Lắk", Position: "Chuyên gia chuyển đổi số",
			Origin: experts.Domestic, Province: provOf("66"), Languages: []string{"vi", "en"}, Fields: []string{"e_government", "data"}, Skills: sk("2.1", 3, "2.3", 3),
			ORCID: "0000-0002-1825-0097", Hours: 15, Remote: true, OnSite: true, Public: true, Email: "khoa@demo.dxhub.vn", ContactPref: "email", Private: []string{"contact"}}})
		if err != nil {
			return err
		}
		if _, err := x.Verify(sys, pr.ID, "Đối chiếu quyết định bổ nhiệm"); err != nil {
			return err
		}
		// A need of Đắk Lắk he is invited to, accepted and rated.
		need, err := x.PostNeed(sys, experts.NeedInput{UnitCode: "66", Title: "Tư vấn kiến trúc dữ liệu dùng chung của tỉnh", Fields: []string{"data", "e_government"}, Skills: sk("2.1", 2), Place: "66", Hours: 10})
		if err != nil {
			return err
		}
		inv, err := x.Invite(sys, need.ID, pr.ID, "Mời anh tư vấn cho tỉnh")
		if err != nil {
			return err
		}
		if _, err := x.Answer(ectx, inv.ID, true, "Sẵn sàng"); err != nil {
			return err
		}
		today := time.Now().Format(time.DateOnly)
		if _, err := x.Record(sys, inv.ID, experts.EngagementInput{StartOn: today, Hours: 12, Outcome: "Bản đề xuất kiến trúc dữ liệu", Done: true, Rating: 5, Comment: "Đúng hạn, rõ ràng"}); err != nil {
			return err
		}
		if _, err := x.Record(ectx, inv.ID, experts.EngagementInput{Rating: 5, Comment: "Tổ chức chuẩn bị tốt"}); err != nil {
			return err
		}
		if _, err := x.Nominate(sys, pr.ID, experts.Provincial, "66", "Đề cử vào đội ngũ nòng cốt của tỉnh"); err != nil {
			return err
		}
	}
	// Needs of the demo provinces waiting for invitations.
	for _, e := range ExpertEvalSet[:3] {
		if _, err := x.PostNeed(sys, e.Need); err != nil {
			return err
		}
	}
	return nil
}
