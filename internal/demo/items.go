package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"dxhub/internal/assessment"
	"dxhub/internal/platform/auth"
	"dxhub/internal/skills"
)

// handItems are practical items written for the demo.
var handItems = []assessment.ItemInput{
	{Competence: "4.2", Level: 1, Body: assessment.Body{Type: assessment.Single, Stem: "Một người gọi điện xưng là nhân viên ngân hàng và xin **mã OTP** vừa gửi đến điện thoại của bạn. Bạn nên làm gì?",
		Options: []assessment.Option{{ID: "A", Text: "Đọc mã cho họ để xác minh tài khoản"}, {ID: "B", Text: "Không cung cấp, gác máy và gọi lại số tổng đài chính thức của ngân hàng"}, {ID: "C", Text: "Gửi mã qua tin nhắn thay vì đọc"}},
		Correct: []string{"B"}, Feedback: "Ngân hàng không bao giờ hỏi mã OTP."}},
	{Competence: "4.1", Level: 2, Body: assessment.Body{Type: assessment.Multiple, Stem: "Những dấu hiệu nào cho thấy một thư điện tử có thể là lừa đảo?",
		Options: []assessment.Option{{ID: "A", Text: "Giục bạn làm ngay kẻo mất tài khoản"}, {ID: "B", Text: "Địa chỉ gửi gần giống tên miền thật"}, {ID: "C", Text: "Có chữ ký và số điện thoại của cơ quan"}, {ID: "D", Text: "Đề nghị bấm liên kết để nhập mật khẩu"}},
		Correct: []string{"A", "B", "D"}, Mode: assessment.MapResponse, Map: map[string]float64{"A": 1, "B": 1, "D": 1, "C": -1}, MaxScore: 3}},
	{Competence: "4.1", Level: 1, Body: assessment.Body{Type: assessment.Single, Stem: "Mật khẩu nào mạnh nhất?",
		Options: []assessment.Option{{ID: "A", Text: "12345678"}, {ID: "B", Text: "ngaysinh1990"}, {ID: "C", Text: "Mây-Trắng!Bay_7Núi"}}, Correct: []string{"C"}}},
	{Competence: "2.3", Level: 2, Body: assessment.Body{Type: assessment.Ordering, Stem: "Sắp xếp các bước nộp hồ sơ trên Cổng dịch vụ công theo đúng thứ tự.",
		Options: []assessment.Option{{ID: "A", Text: "Đăng nhập bằng tài khoản định danh điện tử"}, {ID: "B", Text: "Chọn thủ tục cần làm"}, {ID: "C", Text: "Điền tờ khai và đính kèm giấy tờ"}, {ID: "D", Text: "Nộp lệ phí trực tuyến và theo dõi kết quả"}}}},
	{Competence: "3.1", Level: 1, Body: assessment.Body{Type: assessment.Matching, Stem: "Ghép mỗi việc với phần mềm phù hợp.",
		Options: []assessment.Option{{ID: "A", Text: "Soạn công văn"}, {ID: "B", Text: "Lập bảng lương"}, {ID: "C", Text: "Trình bày báo cáo trước hội nghị"}},
		Targets: []assessment.Option{{ID: "R1", Text: "Trình soạn thảo văn bản"}, {ID: "R2", Text: "Bảng tính"}, {ID: "R3", Text: "Phần mềm trình chiếu"}},
		Correct: []string{"A:R1", "B:R2", "C:R3"}}},
	{Competence: "3.4", Level: 3, Body: assessment.Body{Type: assessment.Numeric, Stem: "Ô A1 = 4, A2 = 6, A3 = 5. Công thức `=AVERAGE(A1:A3)` cho kết quả bao nhiêu?", Correct: []string{"5"}}},
	{Competence: "5.1", Level: 1, Body: assessment.Body{Type: assessment.ShortText, Stem: "Tổ hợp phím thường dùng để **sao chép** trên máy tính Windows là gì? (ví dụ: Ctrl+V)", Correct: []string{"Ctrl+C", "Ctrl C"}}},
	{Competence: "6.3", Level: 2, Body: assessment.Body{Type: assessment.TrueFalse, Stem: "Câu trả lời của trợ lý trí tuệ nhân tạo luôn chính xác nên không cần kiểm chứng.", Correct: []string{"false"}}},
	{Competence: "2.6", Level: 2, Body: assessment.Body{Type: assessment.ShortText, Stem: "Ứng dụng định danh điện tử quốc gia có tên là gì?", Correct: []string{"VNeID"}}},
	{Competence: "1.2", Level: 3, Body: assessment.Body{Type: assessment.Multiple, Stem: "Trước khi chia sẻ một tin \"nóng\" trên mạng xã hội, bạn nên kiểm tra gì?",
		Options: []assessment.Option{{ID: "A", Text: "Nguồn đăng tin"}, {ID: "B", Text: "Ngày đăng"}, {ID: "C", Text: "Số lượt thích"}, {ID: "D", Text: "Tin có được nguồn chính thống đưa không"}}, Correct: []string{"A", "B", "D"}}},
}

// SeedItems fills the bank with approved items for every competence and
// tier of the standard: hand-written ones, and for each competence and tier
// an item asking which description fits the tier, plus one true/false item
// per competence. It returns how many items it wrote.
func SeedItems(ctx context.Context, bank *assessment.Bank, std *skills.Standard, author, reviewer *auth.Principal) (int, error) {
	rng := rand.New(rand.NewPCG(2025, 146))
	var inputs []assessment.ItemInput
	for _, h := range handItems {
		h.StandardCode, h.StandardVersion = std.Code, std.Version
		inputs = append(inputs, h)
	}
	tierNames := []string{"cơ bản", "trung cấp", "nâng cao", "chuyên sâu"}
	for ai, a := range std.Areas {
		for _, c := range a.Competences {
			if len(c.TiersVI) != len(tierNames) {
				continue
			}
			for t := range tierNames {
				opts := make([]assessment.Option, len(c.TiersVI))
				order := rng.Perm(len(c.TiersVI))
				correct := ""
				for i, k := range order {
					opts[i] = assessment.Option{ID: string(rune('A' + i)), Text: c.TiersVI[k]}
					if k == t {
						correct = opts[i].ID
					}
				}
				inputs = append(inputs, assessment.ItemInput{StandardCode: std.Code, StandardVersion: std.Version, Competence: c.Code, Level: 2*t + 1 + rng.IntN(2),
					Body: assessment.Body{Type: assessment.Single, Stem: fmt.Sprintf("Với năng lực **%s %s**, mô tả nào phù hợp nhất với người ở mức **%s**?", c.Code, c.NameVI, tierNames[t]),
						Options: opts, Correct: []string{correct}}})
			}
			other := std.Areas[(ai+1)%len(std.Areas)]
			claim, truth := a, "true"
			if rng.IntN(2) == 0 {
				claim, truth = other, "false"
			}
			inputs = append(inputs, assessment.ItemInput{StandardCode: std.Code, StandardVersion: std.Version, Competence: c.Code, Level: 1 + rng.IntN(2),
				Body: assessment.Body{Type: assessment.TrueFalse, Stem: fmt.Sprintf("Năng lực \"%s\" thuộc miền \"%s\".", c.NameVI, claim.NameVI), Correct: []string{truth}}})
		}
	}
	actx, rctx := auth.WithPrincipal(ctx, author), auth.WithPrincipal(ctx, reviewer)
	for _, in := range inputs {
		it, err := bank.Create(actx, in)
		if err != nil {
			return 0, fmt.Errorf("demo item %s: %w", in.Competence, err)
		}
		if _, err := bank.Transition(actx, it.ID, assessment.ActionSubmit, ""); err != nil {
			return 0, err
		}
		if _, err := bank.Transition(rctx, it.ID, assessment.ActionApprove, ""); err != nil {
			return 0, err
		}
	}
	return len(inputs), nil
}
