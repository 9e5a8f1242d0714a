package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"dxhub/internal/learning"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/files"
)

// demoCourse is one demo course: its description and the competences its
// practice quiz draws items from.
type demoCourse struct {
	in      learning.CourseInput
	text    []string // lesson titles and bodies, alternating
	video   string   // an external video link
	withPDF bool
}

var demoCourses = []demoCourse{
	{in: learning.CourseInput{Code: "KNS-CO-BAN", Title: "Kỹ năng số cơ bản cho mọi người", Summary: "Làm quen với điện thoại thông minh, máy tính và Internet: tìm kiếm thông tin, lưu trữ tài liệu và nhận biết nguồn tin đáng tin cậy.",
		Outcomes: "Tự tìm kiếm và lọc thông tin trên mạng; lưu và sắp xếp tệp; phân biệt nguồn tin chính thống với tin đồn.", Audiences: []string{"citizen", "student", "enterprise_worker"},
		Level: "basic", Competences: []string{"1.1", "1.2", "1.3"}, DurationMin: 90, Licence: "CC BY 4.0", OpenEnrol: true, PassPercent: 60},
		text:  []string{"Thiết bị số quanh ta", "Điện thoại thông minh và máy tính đều là **thiết bị số**: chúng nhận thông tin, xử lý và hiển thị kết quả.\n\nHãy bắt đầu bằng việc mở trình duyệt, gõ một câu hỏi ngắn và đọc vài kết quả đầu tiên.", "Tìm kiếm thông minh", "Dùng từ khóa ngắn, đặt cụm từ trong dấu ngoặc kép để tìm đúng cụm đó.\n\nKiểm tra tên miền của trang: các trang của cơ quan nhà nước thường kết thúc bằng *.gov.vn*."},
		video: "https://www.youtube.com/results?search_query=k%E1%BB%B9+n%C4%83ng+s%E1%BB%91+c%C6%A1+b%E1%BA%A3n"},
	{in: learning.CourseInput{Code: "AN-TOAN-MANG", Title: "An toàn khi dùng mạng và bảo vệ dữ liệu cá nhân", Summary: "Nhận diện lừa đảo trực tuyến, đặt mật khẩu mạnh, bật xác thực hai lớp và giữ kín thông tin cá nhân.",
		Outcomes: "Tạo và quản lý mật khẩu an toàn; nhận biết tin nhắn, cuộc gọi lừa đảo; biết cần làm gì khi tài khoản bị chiếm.", Audiences: []string{"citizen", "student", "civil_servant"},
		Level: "basic", Competences: []string{"4.1", "4.2"}, DurationMin: 75, Licence: "CC BY 4.0", OpenEnrol: true, PassPercent: 70},
		text:    []string{"Mật khẩu và xác thực hai lớp", "Mật khẩu tốt dài ít nhất 12 ký tự và **không dùng lại** cho nhiều tài khoản.\n\nBật xác thực hai lớp cho thư điện tử, ngân hàng và ứng dụng định danh điện tử.", "Nhận diện lừa đảo", "Kẻ gian thường giả danh cơ quan nhà nước hoặc ngân hàng, tạo cảm giác gấp gáp và xin mã OTP.\n\nKhông bao giờ đọc mã OTP cho người khác."},
		withPDF: true},
	{in: learning.CourseInput{Code: "DVC-TRUC-TUYEN", Title: "Dùng dịch vụ công trực tuyến và định danh điện tử", Summary: "Đăng ký tài khoản định danh điện tử, nộp hồ sơ và thanh toán phí trên Cổng Dịch vụ công quốc gia.",
		Outcomes: "Tự nộp một thủ tục hành chính trực tuyến từ đầu đến cuối.", Audiences: []string{"citizen", "civil_servant"},
		Level: "basic", Competences: []string{"2.3", "2.6"}, DurationMin: 60, Licence: "CC BY 4.0", OpenEnrol: true, PassPercent: 60},
		text:  []string{"Tài khoản định danh điện tử", "Tài khoản định danh điện tử giúp bạn đăng nhập nhiều dịch vụ công bằng một danh tính duy nhất.\n\nHãy giữ kín mật khẩu và mã kích hoạt.", "Nộp hồ sơ trực tuyến", "Chọn thủ tục, điền tờ khai, đính kèm bản chụp giấy tờ rồi theo dõi trạng thái hồ sơ trong mục *Quản lý hồ sơ*."},
		video: "https://www.youtube.com/results?search_query=d%E1%BB%8Bch+v%E1%BB%A5+c%C3%B4ng+tr%E1%BB%B1c+tuy%E1%BA%BFn"},
	{in: learning.CourseInput{Code: "PHOI-HOP-SO", Title: "Giao tiếp và phối hợp công việc trên môi trường số", Summary: "Thư điện tử công vụ, họp trực tuyến, chia sẻ tài liệu và ứng xử văn minh trên mạng.",
		Outcomes: "Soạn thư công vụ đúng chuẩn; tổ chức một cuộc họp trực tuyến; chia sẻ tài liệu với đúng người, đúng quyền.", Audiences: []string{"civil_servant", "teacher", "enterprise_worker"},
		Level: "intermediate", Competences: []string{"2.1", "2.2", "2.4", "2.5"}, DurationMin: 120, Licence: "CC BY 4.0", OpenEnrol: true, PassPercent: 70},
		text: []string{"Thư điện tử công vụ", "Một thư tốt có tiêu đề rõ, mở đầu ngắn, nội dung chính trong vài dòng và chữ ký đầy đủ.", "Chia sẻ tài liệu an toàn", "Chia sẻ theo **người cụ thể** thay vì \"bất kỳ ai có liên kết\"; chỉ cấp quyền sửa khi cần."}},
	{in: learning.CourseInput{Code: "NOI-DUNG-SO", Title: "Tạo nội dung số và tôn trọng bản quyền", Summary: "Soạn văn bản, bảng tính, trình chiếu; dùng ảnh và tài liệu của người khác đúng giấy phép.",
		Outcomes: "Tạo một bài trình chiếu có hình ảnh đúng giấy phép; ghi nguồn đúng cách.", Audiences: []string{"teacher", "student", "civil_servant"},
		Level: "intermediate", Competences: []string{"3.1", "3.2", "3.3"}, DurationMin: 100, Licence: "CC BY-SA 4.0", OpenEnrol: true, PassPercent: 70},
		text:  []string{"Từ ý tưởng đến nội dung", "Phác thảo dàn ý trước, chọn công cụ phù hợp sau: văn bản cho lập luận, bảng tính cho số liệu, trình chiếu cho thuyết trình.", "Giấy phép mở", "Giấy phép Creative Commons cho biết bạn được dùng lại tác phẩm thế nào; luôn ghi tên tác giả và giấy phép."},
		video: "https://www.youtube.com/results?search_query=creative+commons+gi%E1%BA%A5y+ph%C3%A9p"},
	{in: learning.CourseInput{Code: "GIAI-QUYET-VAN-DE", Title: "Tự xử lý sự cố thiết bị và chọn giải pháp số", Summary: "Khởi động lại đúng cách, cập nhật phần mềm, giải phóng bộ nhớ và chọn ứng dụng phù hợp nhu cầu.",
		Outcomes: "Tự xử lý các sự cố thường gặp; biết lúc nào cần nhờ hỗ trợ kỹ thuật.", Audiences: []string{"citizen", "enterprise_worker", "dx_staff"},
		Level: "basic", Competences: []string{"5.1", "5.2", "5.4"}, DurationMin: 60, Licence: "CC BY 4.0", OpenEnrol: true, PassPercent: 60},
		text:    []string{"Khi thiết bị chậm hoặc treo", "Lưu công việc, đóng ứng dụng không dùng, khởi động lại. Nếu vẫn chậm, kiểm tra bộ nhớ còn trống và cập nhật hệ điều hành.", "Chọn ứng dụng phù hợp", "Xác định việc cần làm trước, rồi so sánh vài ứng dụng theo chi phí, độ an toàn và khả năng dùng tiếng Việt."},
		withPDF: true},
	{in: learning.CourseInput{Code: "AI-CHO-CAN-BO", Title: "Trí tuệ nhân tạo trong công việc hằng ngày", Summary: "AI là gì, dùng trợ lý AI để soạn thảo và tóm tắt, kiểm chứng kết quả và giữ bí mật dữ liệu.",
		Outcomes: "Viết yêu cầu rõ ràng cho trợ lý AI; kiểm chứng câu trả lời; không đưa dữ liệu mật lên dịch vụ công cộng.", Audiences: []string{"civil_servant", "teacher", "dx_staff"},
		Level: "intermediate", Competences: []string{"6.1", "6.2", "6.3"}, DurationMin: 90, Licence: "CC BY 4.0", OpenEnrol: true, PassPercent: 70},
		text:  []string{"AI làm được gì", "Trợ lý AI đoán câu trả lời hợp lý nhất từ dữ liệu đã học; nó có thể sai một cách rất tự tin.", "Dùng AI có trách nhiệm", "Luôn kiểm chứng số liệu, trích dẫn nguồn gốc và **không nhập** dữ liệu cá nhân hoặc tài liệu mật."},
		video: "https://www.youtube.com/results?search_query=tr%C3%AD+tu%E1%BB%87+nh%C3%A2n+t%E1%BA%A1o+l%C3%A0+g%C3%AC"},
	{in: learning.CourseInput{Code: "CDS-CAP-XA", Title: "Chuyển đổi số cho cán bộ chuyên trách cấp xã", Summary: "Vận hành hệ thống một cửa điện tử, báo cáo số liệu định kỳ, hỗ trợ người dân dùng dịch vụ số và bảo đảm an toàn thông tin.",
		Outcomes: "Hướng dẫn người dân nộp hồ sơ trực tuyến; lập báo cáo định kỳ đúng hạn; xử lý sự cố an toàn thông tin ban đầu.", Audiences: []string{"dx_staff", "civil_servant"},
		Level: "advanced", Competences: []string{"2.3", "4.1", "5.2", "1.3"}, DurationMin: 180, Licence: "CC BY 4.0", OpenEnrol: false, PassPercent: 75},
		text:    []string{"Vai trò của cán bộ chuyên trách", "Cán bộ chuyên trách là đầu mối chuyển đổi số ở xã: theo dõi chỉ tiêu, hỗ trợ tổ công nghệ số cộng đồng và báo cáo lên tỉnh.", "Báo cáo số liệu định kỳ", "Nhập số liệu đúng kỳ, kiểm tra quy tắc (ví dụ số người đã tập huấn không lớn hơn tổng số), gửi và theo dõi phê duyệt."},
		withPDF: true},
}

// SeedCourses adds the demo courses (published, with text, video-link,
// file and quiz lessons over all six areas), one learning path and an
// assignment for Đắk Lắk's dedicated DX staff.
func SeedCourses(ctx context.Context, l *learning.Service, st files.Store, author, admin *auth.Principal) error {
	actx := auth.WithPrincipal(ctx, author)
	items := map[string][]string{}
	err := db.Each(ctx, l.DB.R, func(r db.Scanner) error {
		var id, comp string
		err := r.Scan(&id, &comp)
		items[comp] = append(items[comp], id)
		return err
	}, `SELECT id, competence FROM items WHERE status = 'approved' ORDER BY id`)
	if err != nil {
		return err
	}
	pdf, _, err := files.Save(ctx, l.DB, st, files.Media, "", "huong-dan.pdf", bytes.NewReader(demoPDF), author.AccountID)
	if err != nil {
		return err
	}
	for _, dc := range demoCourses {
		dc.in.UnitCode = org.NationCode
		if _, err := l.CreateCourse(actx, dc.in); err != nil {
			return fmt.Errorf("course %s: %w", dc.in.Code, err)
		}
		m1, err := l.AddModule(actx, dc.in.Code, "Chương 1. Kiến thức")
		if err != nil {
			return err
		}
		for i := 0; i+1 < len(dc.text); i += 2 {
			if _, err := l.AddLesson(actx, m1.ID, learning.LessonInput{Kind: learning.KindText, Title: dc.text[i], Body: dc.text[i+1], Required: true, DurationMin: 15}); err != nil {
				return fmt.Errorf("course %s lesson: %w", dc.in.Code, err)
			}
		}
		if dc.video != "" {
			if _, err := l.AddLesson(actx, m1.ID, learning.LessonInput{Kind: learning.KindVideo, Title: "Video minh họa", URL: dc.video, Body: "Xem video trên trang lưu trữ bên ngoài (không tự phát).", Required: false, DurationMin: 10}); err != nil {
				return err
			}
		}
		if dc.withPDF {
			if _, err := l.AddLesson(actx, m1.ID, learning.LessonInput{Kind: learning.KindFile, Title: "Tài liệu hướng dẫn (PDF)", FileKey: pdf, Body: "Tải về để đọc khi không có mạng.", Required: false, DurationMin: 10}); err != nil {
				return err
			}
		}
		m2, err := l.AddModule(actx, dc.in.Code, "Chương 2. Luyện tập và kiểm tra")
		if err != nil {
			return err
		}
		var practice, final []string
		for _, c := range dc.in.Competences {
			ids := items[c]
			if len(ids) > 0 {
				practice = append(practice, ids[0])
			}
			if len(ids) > 1 {
				final = append(final, ids[1])
			}
		}
		if len(practice) > 0 {
			if _, err := l.AddLesson(actx, m2.ID, learning.LessonInput{Kind: learning.KindQuiz, Title: "Luyện tập", Items: practice, Body: "Trả lời và xem gợi ý ngay.", Required: false, DurationMin: 10}); err != nil {
				return err
			}
		}
		if len(final) == 0 {
			final = practice
		}
		if len(final) > 0 {
			if _, err := l.AddLesson(actx, m2.ID, learning.LessonInput{Kind: learning.KindQuiz, Title: "Bài kiểm tra cuối khóa", Items: final, Required: true, Final: true, DurationMin: 15}); err != nil {
				return err
			}
		}
		if _, err := l.Publish(actx, dc.in.Code); err != nil {
			return fmt.Errorf("publish %s: %w", dc.in.Code, err)
		}
	}
	if _, err := l.CreatePath(actx, learning.PathInput{Code: "CB-XA-CO-BAN", Title: "Kỹ năng số cơ bản cho cán bộ cấp xã",
		Summary: "Ba khóa học theo thứ tự giúp cán bộ xã làm chủ công việc hằng ngày trên môi trường số.", Courses: []string{"KNS-CO-BAN", "AN-TOAN-MANG", "CDS-CAP-XA"}}); err != nil {
		return err
	}
	due := time.Now().In(time.FixedZone("ICT", 7*3600)).AddDate(0, 0, 30).Format("2006-01-02")
	adctx := auth.WithPrincipal(ctx, admin)
	if _, err := l.Assign(adctx, learning.AssignInput{UnitCode: "66", Kind: "path", Code: "CB-XA-CO-BAN", Groups: []string{org.GroupDXStaff}, Due: due}); err != nil {
		return fmt.Errorf("demo assignment: %w", err)
	}
	if _, err := l.Assign(adctx, learning.AssignInput{UnitCode: "66", Kind: "course", Code: "AN-TOAN-MANG", Groups: []string{org.GroupCivilServant}, Due: due}); err != nil {
		return fmt.Errorf("demo assignment: %w", err)
	}
	return nil
}

// demoPDF is a one-page PDF for the demo's download lessons.
var demoPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n" +
	"4 0 obj<</Length 60>>stream\nBT /F1 18 Tf 72 760 Td (dxhub - tai lieu huong dan) Tj ET\nendstream endobj\n" +
	"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
