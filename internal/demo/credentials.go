package demo

import (
	"context"
	"fmt"
	"strings"

	"dxhub/internal/assessment"
	"dxhub/internal/credential"
	"dxhub/internal/platform/auth"
)

// iuModules are the modules of the standard of ICT use skills (Circular
// 03/2014/TT-BTTTT): IU01–IU06 make the basic certificate, the basic one
// and any three of IU07–IU15 the advanced one.
var iuModules = []struct{ code, name string }{
	{"IU01", "Hiểu biết về công nghệ thông tin cơ bản"},
	{"IU02", "Sử dụng máy tính cơ bản"},
	{"IU03", "Xử lý văn bản cơ bản"},
	{"IU04", "Sử dụng bảng tính cơ bản"},
	{"IU05", "Sử dụng trình chiếu cơ bản"},
	{"IU06", "Sử dụng Internet cơ bản"},
	{"IU07", "Xử lý văn bản nâng cao"},
	{"IU08", "Sử dụng bảng tính nâng cao"},
	{"IU09", "Sử dụng trình chiếu nâng cao"},
	{"IU10", "Sử dụng hệ quản trị cơ sở dữ liệu"},
	{"IU11", "Thiết kế đồ họa hai chiều"},
	{"IU12", "Biên tập ảnh"},
	{"IU13", "Biên tập trang thông tin điện tử"},
	{"IU14", "An toàn, bảo mật thông tin"},
	{"IU15", "Sử dụng phần mềm kế hoạch dự án"},
}

// SeedCredentials defines the demo's achievements (the open exam
// session's certificate, one per demo course, the IU modules and the
// basic and advanced IU certificates), issued by the Ministry of Science
// and Technology, and gives the demo learner some: six IU modules from
// paper (which earn the basic certificate at once), a course certificate
// and one revoked.
func SeedCredentials(ctx context.Context, c *credential.Service, x *assessment.Exams, admin *auth.Principal) error {
	ctx = auth.WithPrincipal(ctx, admin)
	const issuer = "BKHCN"
	sessions, err := x.ManagedSessions(ctx)
	if err != nil {
		return err
	}
	define := func(a *credential.Achievement) error {
		a.UnitCode = issuer
		if err := c.SaveAchievement(ctx, a); err != nil {
			return fmt.Errorf("achievement %s: %w", a.Code, err)
		}
		return nil
	}
	for _, s := range sessions {
		if s.Name == "Ca thi thử mở cho mọi người" {
			err := define(&credential.Achievement{Code: "KNS-SAT-HACH", Name: "Chứng nhận đạt sát hạch kỹ năng số cơ bản", NameEN: "Basic digital skills test passed",
				Criteria: "Đạt từ 50% số điểm trở lên trong kỳ sát hạch kỹ năng số cơ bản (30 câu, 6 lĩnh vực của Khung năng lực số).", CriteriaEN: "At least 50% in the basic digital skills test (30 questions, the 6 areas of the digital competence framework).",
				Rule: credential.RuleSession, RuleRef: s.ID, ValidYears: 3,
				Alignments: []credential.AlignmentRef{{Standard: "VN-DSF", Version: 1, Competence: "1.1", Name: "Duyệt, tìm kiếm và lọc dữ liệu"}, {Standard: "VN-DSF", Version: 1, Competence: "4.1", Name: "Bảo vệ thiết bị"}}})
			if err != nil {
				return err
			}
		}
	}
	for code, name := range map[string]string{"KNS-CO-BAN": "Kỹ năng số cơ bản cho mọi người", "AN-TOAN-MANG": "An toàn khi dùng mạng và bảo vệ dữ liệu cá nhân", "DVC-TRUC-TUYEN": "Dùng dịch vụ công trực tuyến và định danh điện tử"} {
		if err := define(&credential.Achievement{Code: "KH-" + code, Kind: "Course", Name: "Hoàn thành khóa học: " + name, Criteria: "Hoàn thành mọi bài bắt buộc của khóa học " + name + ".",
			Rule: credential.RuleCourse, RuleRef: code}); err != nil {
			return err
		}
	}
	var basic, advanced []string
	for i, m := range iuModules {
		if err := define(&credential.Achievement{Code: m.code, Kind: "Competency", Name: "Mô-đun " + m.code + ": " + m.name, Criteria: "Đạt bài thi mô-đun " + m.code + " theo chuẩn kỹ năng sử dụng công nghệ thông tin.", Rule: credential.RuleManual}); err != nil {
			return err
		}
		if i < 6 {
			basic = append(basic, m.code)
		} else {
			advanced = append(advanced, m.code)
		}
	}
	if err := define(&credential.Achievement{Code: "IU-CO-BAN", Name: "Chứng chỉ ứng dụng công nghệ thông tin cơ bản", NameEN: "Basic ICT use certificate",
		Criteria: "Đạt đủ sáu mô-đun IU01–IU06.", Rule: credential.RuleModules, All: basic}); err != nil {
		return err
	}
	if err := define(&credential.Achievement{Code: "IU-NANG-CAO", Name: "Chứng chỉ ứng dụng công nghệ thông tin nâng cao", NameEN: "Advanced ICT use certificate",
		Criteria: "Có chứng chỉ cơ bản và đạt ba trong chín mô-đun IU07–IU15.", Rule: credential.RuleModules, All: []string{"IU-CO-BAN"}, Any: advanced, AnyN: 3}); err != nil {
		return err
	}
	var list strings.Builder
	list.WriteString("achievement,username,number,issued_on\n")
	for i, m := range basic {
		fmt.Fprintf(&list, "%s,learner,GIAY-%s-2023-%03d,%02d/0%d/2023\n", m, m, 17+i, 10+i, 3+i)
	}
	list.WriteString("KH-KNS-CO-BAN,learner,,\nKH-AN-TOAN-MANG,learner,,\n")
	if _, err := c.IssueList(ctx, strings.NewReader(list.String()), ""); err != nil {
		return fmt.Errorf("demo certificates: %w", err)
	}
	mine, err := c.Issued(ctx, credential.IssuedFilter{})
	if err != nil {
		return err
	}
	for _, cr := range mine {
		if strings.HasPrefix(cr.Achievement, "Hoàn thành khóa học: An toàn") {
			if _, err := c.Revoke(ctx, cr.ID, "issued_in_error", ""); err != nil {
				return err
			}
		}
	}
	return nil
}
