package demo

import (
	"context"
	"fmt"
	"time"

	"dxhub/internal/assessment"
	"dxhub/internal/campaign"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/skills"
)

// SeedCampaigns adds the national digital-transformation month: a
// published campaign with two events, a two-round knowledge contest whose
// first round is open now, and a message from Đắk Lắk to its civil
// servants (sent by the background sender).
func SeedCampaigns(ctx context.Context, c *campaign.Service, x *assessment.Exams, std *skills.Standard, principal func(string) (*auth.Principal, error), now time.Time) error {
	admin, err := principal("admin")
	if err != nil {
		return err
	}
	actx := auth.WithPrincipal(ctx, admin)
	b := &assessment.Blueprint{Name: "Cuộc thi tìm hiểu chuyển đổi số (10 câu)", StandardCode: std.Code, StandardVersion: std.Version, TimeLimitMin: 15,
		PassPercent: 50, ShuffleItems: true, ShuffleOptions: true, Navigation: assessment.Free}
	for _, a := range std.Areas[:min(5, len(std.Areas))] {
		b.Rules = append(b.Rules, assessment.Rule{Area: a.Code, Count: 2})
	}
	if err := x.SaveBlueprint(actx, b); err != nil {
		return fmt.Errorf("contest blueprint: %w", err)
	}
	day := now.Format(time.DateOnly)
	cmp, err := c.SaveCampaign(actx, "", campaign.CampaignInput{Slug: "thang-chuyen-doi-so", NameVI: "Tháng chuyển đổi số quốc gia", NameEN: "National digital transformation month",
		GoalVI:   "Mỗi người dân biết dùng ít nhất một dịch vụ công trực tuyến và nhận biết các chiêu lừa đảo trên mạng; mỗi cán bộ hoàn thành khóa kỹ năng số cơ bản.",
		GoalEN:   "Every resident uses at least one online public service and recognises online scams; every civil servant completes the basic digital skills course.",
		UnitCode: org.NationCode, StartsOn: day, EndsOn: now.AddDate(0, 0, 30).Format(time.DateOnly),
		Links:     []campaign.Link{{Title: "Khóa học kỹ năng số cho mọi người", URL: "/courses"}, {Title: "Thư viện văn bản, hướng dẫn", URL: "/library"}, {Title: "Sát hạch kỹ năng số", URL: "/exams"}},
		Published: true})
	if err != nil {
		return fmt.Errorf("demo campaign: %w", err)
	}
	for _, e := range []campaign.EventInput{
		{Kind: "livestream", Title: "Hỏi đáp trực tuyến: dùng VNeID và dịch vụ công an toàn", StartsAt: now.Add(3 * 24 * time.Hour).Truncate(time.Hour).UnixMilli(), Link: "https://example.vn/truc-tuyen", Capacity: 0},
		{Kind: "training_day", Title: "Ngày tập huấn kỹ năng số cho tổ công nghệ số cộng đồng", StartsAt: now.Add(5 * 24 * time.Hour).Truncate(time.Hour).UnixMilli(), Place: "Hội trường UBND tỉnh Đắk Lắk", Capacity: 200},
	} {
		if _, err := c.AddEvent(actx, cmp.ID, e); err != nil {
			return fmt.Errorf("demo event: %w", err)
		}
	}
	if _, err := c.AddContest(actx, cmp.ID, campaign.ContestInput{Name: "Cuộc thi tìm hiểu về chuyển đổi số", BlueprintID: b.ID, Eligibility: campaign.OpenToAll, Tries: 2, TimeLimitMin: 15,
		Rules:      "Mỗi vòng mở một tuần. Mỗi người được thi 2 lượt mỗi vòng, tính lượt có điểm cao nhất; bằng điểm thì xét câu dự đoán, rồi thời gian làm bài.",
		Prediction: "Có bao nhiêu người trả lời đúng tất cả câu hỏi của vòng này?",
		Rounds: []campaign.RoundInput{{OpensAt: now.Add(-24 * time.Hour).UnixMilli(), ClosesAt: now.Add(6 * 24 * time.Hour).UnixMilli()},
			{OpensAt: now.Add(7 * 24 * time.Hour).UnixMilli(), ClosesAt: now.Add(14 * 24 * time.Hour).UnixMilli()}}}); err != nil {
		return fmt.Errorf("demo contest: %w", err)
	}
	dl, err := principal("daklak.admin")
	if err != nil {
		return err
	}
	if _, err := c.Compose(auth.WithPrincipal(ctx, dl), campaign.MessageInput{CampaignID: cmp.ID, UnitCode: "66", Topic: "campaigns", Groups: []string{org.GroupCivilServant},
		SubjectVI: "Mời tham gia Tháng chuyển đổi số", SubjectEN: "Join the digital transformation month",
		BodyVI:   "Tháng chuyển đổi số đã bắt đầu. Mời anh chị dự vòng 1 cuộc thi tìm hiểu về chuyển đổi số và hoàn thành khóa kỹ năng số cơ bản trong tháng.",
		BodyEN:   "The digital transformation month has begun. Join round 1 of the contest and complete the basic digital skills course this month.",
		Channels: []string{campaign.Notice, campaign.Email}}); err != nil {
		return fmt.Errorf("demo message: %w", err)
	}
	return nil
}
