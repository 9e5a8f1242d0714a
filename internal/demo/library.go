package demo

import (
	"context"
	"fmt"

	"dxhub/internal/library"
	"dxhub/internal/platform/auth"
)

// The demo library: real public facts about the scheme, the laws and
// decisions it rests on, and the skills it teaches, written for dxhub in
// its own words; a few news items of the demo provinces; FAQ entries.

type demoDoc struct {
	by string // account that writes and publishes it
	in library.Input
}

// In is what the document says.
func (d demoDoc) In() library.Input { return d.in }

func legal(unit, number, docType, issuer, signed, effective, status, title, titleEN, summary string, topics []string, rels ...library.RelationInput) demoDoc {
	by := "admin"
	if unit == "66" {
		by = "daklak.admin"
	}
	return demoDoc{by, library.Input{Kind: library.Legal, UnitCode: unit, Number: number, DocType: docType, Issuer: issuer, SignedOn: signed, EffectiveOn: effective,
		LegalStatus: status, TitleVI: title, TitleEN: titleEN, SummaryVI: summary, Topics: topics, Audiences: []string{"civil_servant", "dx_staff"}, Relations: rels}}
}

func doc(by, kind, unit, title, titleEN, summary, body string, topics, audiences, comps []string) demoDoc {
	return demoDoc{by, library.Input{Kind: kind, UnitCode: unit, TitleVI: title, TitleEN: titleEN, SummaryVI: summary, BodyVI: body, Topics: topics, Audiences: audiences, Competences: comps}}
}

var (
	everyone  = []string{"citizen", "civil_servant", "teacher", "student", "business"}
	citizens  = []string{"citizen"}
	officials = []string{"civil_servant", "dx_staff"}
	implement = func(n string) library.RelationInput { return library.RelationInput{Kind: "implements", Target: n} }
)

// LibraryDocs are the demo library's documents, in the order they are
// written (a relation names a document written before it).
var LibraryDocs = []demoDoc{
	// Legal documents.
	legal("VN", "749/QĐ-TTg", "decision", "Thủ tướng Chính phủ", "2020-06-03", "2020-06-03", "in_force",
		"Phê duyệt Chương trình Chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030", "National Digital Transformation Programme to 2025, orientation to 2030",
		"Chương trình đặt nền móng cho chuyển đổi số ở Việt Nam trên ba trụ cột: chính phủ số, kinh tế số và xã hội số, với mục tiêu kép vừa phát triển chính phủ số, kinh tế số, doanh nghiệp công nghệ số, vừa hình thành các doanh nghiệp công nghệ số có năng lực đi ra toàn cầu.",
		[]string{"scheme", "digital-government", "digital-economy", "digital-society"}),
	legal("VN", "146/QĐ-TTg", "decision", "Thủ tướng Chính phủ", "2022-01-28", "2022-01-28", "in_force",
		"Phê duyệt Đề án nâng cao nhận thức, phổ cập kỹ năng và phát triển nguồn nhân lực chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030", "Scheme for raising awareness, popularising skills and developing human resources for national digital transformation to 2025, orientation to 2030",
		"Đề án giao Bộ Thông tin và Truyền thông (nay là Bộ Khoa học và Công nghệ) chủ trì ba nhóm nhiệm vụ: nâng cao nhận thức, phổ cập kỹ năng số và phát triển nguồn nhân lực chuyển đổi số. Đến năm 2025, 70% người trong độ tuổi lao động biết đến dịch vụ công trực tuyến và nắm được cách dùng; đến năm 2030 là 90%. Đề án đặt ra nền tảng học trực tuyến mở đại trà miễn phí về kỹ năng số, mạng lưới 1.000 chuyên gia chuyển đổi số, mô hình đại học số và giáo dục STEM/STEAM.",
		[]string{"scheme", "digital-skills"}, implement("749/QĐ-TTg")),
	legal("VN", "411/QĐ-TTg", "decision", "Thủ tướng Chính phủ", "2022-03-31", "2022-03-31", "in_force",
		"Phê duyệt Chiến lược quốc gia phát triển kinh tế số và xã hội số đến năm 2025, định hướng đến năm 2030", "National strategy for the digital economy and digital society to 2025, orientation to 2030",
		"Chiến lược đặt mục tiêu kinh tế số chiếm 20% GDP vào năm 2025 và 30% vào năm 2030, cùng các mục tiêu về kỹ năng số của người dân và doanh nghiệp.",
		[]string{"digital-economy", "digital-society"}, implement("749/QĐ-TTg")),
	legal("VN", "06/QĐ-TTg", "decision", "Thủ tướng Chính phủ", "2022-01-06", "2022-01-06", "in_force",
		"Phê duyệt Đề án phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử phục vụ chuyển đổi số quốc gia giai đoạn 2022–2025, tầm nhìn đến năm 2030", "Project on population data, electronic identification and authentication for national digital transformation, 2022–2025, vision to 2030",
		"Đề án 06 đưa cơ sở dữ liệu quốc gia về dân cư và tài khoản định danh điện tử VNeID vào giải quyết thủ tục hành chính, phát triển kinh tế – xã hội, công dân số và chỉ đạo, điều hành.",
		[]string{"digital-government", "public-services", "data"}),
	legal("VN", "505/QĐ-TTg", "decision", "Thủ tướng Chính phủ", "2022-04-22", "2022-04-22", "in_force",
		"Về Ngày Chuyển đổi số quốc gia", "On National Digital Transformation Day",
		"Ngày 10 tháng 10 hằng năm là Ngày Chuyển đổi số quốc gia, để nâng cao nhận thức của toàn xã hội về lợi ích của chuyển đổi số.",
		[]string{"scheme", "digital-society"}),
	legal("VN", "86/2015/QH13", "law", "Quốc hội", "2015-11-19", "2016-07-01", "in_force",
		"Luật An toàn thông tin mạng", "Law on Network Information Security",
		"Luật quy định hoạt động an toàn thông tin mạng, quyền và trách nhiệm của cơ quan, tổ chức, cá nhân trong bảo đảm an toàn thông tin mạng, bảo vệ thông tin cá nhân và phân loại hệ thống thông tin theo cấp độ.",
		[]string{"safety"}),
	legal("VN", "24/2018/QH14", "law", "Quốc hội", "2018-06-12", "2019-01-01", "in_force",
		"Luật An ninh mạng", "Law on Cybersecurity",
		"Luật quy định hoạt động bảo vệ an ninh quốc gia và bảo đảm trật tự, an toàn xã hội trên không gian mạng, trách nhiệm của cơ quan, tổ chức, cá nhân có liên quan.",
		[]string{"safety"}),
	legal("VN", "51/2005/QH11", "law", "Quốc hội", "2005-11-29", "2006-03-01", "replaced",
		"Luật Giao dịch điện tử (2005)", "Law on Electronic Transactions (2005)",
		"Luật đầu tiên về giao dịch điện tử ở Việt Nam, công nhận giá trị pháp lý của thông điệp dữ liệu và chữ ký điện tử; đã được thay thế bởi Luật Giao dịch điện tử năm 2023.",
		[]string{"digital-government", "digital-economy"}),
	legal("VN", "20/2023/QH15", "law", "Quốc hội", "2023-06-22", "2024-07-01", "in_force",
		"Luật Giao dịch điện tử (2023)", "Law on Electronic Transactions (2023)",
		"Luật mở rộng phạm vi giao dịch điện tử sang hầu hết các lĩnh vực, quy định chữ ký điện tử, chứng thư điện tử, hợp đồng điện tử và hệ thống thông tin phục vụ giao dịch điện tử.",
		[]string{"digital-government", "digital-economy"}, library.RelationInput{Kind: "replaces", Target: "51/2005/QH11"}),
	legal("VN", "13/2023/NĐ-CP", "decree", "Chính phủ", "2023-04-17", "2023-07-01", "in_force",
		"Nghị định về bảo vệ dữ liệu cá nhân", "Decree on personal data protection",
		"Nghị định quy định dữ liệu cá nhân cơ bản và nhạy cảm, sự đồng ý của chủ thể dữ liệu, quyền của chủ thể dữ liệu và nghĩa vụ của bên xử lý dữ liệu.",
		[]string{"data", "safety"}),
	legal("VN", "42/2022/NĐ-CP", "decree", "Chính phủ", "2022-06-24", "2022-06-24", "in_force",
		"Nghị định quy định về việc cung cấp thông tin và dịch vụ công trực tuyến của cơ quan nhà nước trên môi trường mạng", "Decree on information and online public services of state agencies",
		"Nghị định quy định dịch vụ công trực tuyến toàn trình và một phần, trách nhiệm của cơ quan nhà nước khi cung cấp thông tin và dịch vụ công trên môi trường mạng.",
		[]string{"public-services", "digital-government"}),
	legal("VN", "60/2024/QH15", "law", "Quốc hội", "2024-11-30", "2025-07-01", "in_force",
		"Luật Dữ liệu", "Law on Data",
		"Luật quy định về dữ liệu số, xây dựng, phát triển, bảo vệ, quản trị, xử lý, sử dụng dữ liệu số và Trung tâm dữ liệu quốc gia.",
		[]string{"data"}),
	legal("VN", "57-NQ/TW", "resolution", "Bộ Chính trị", "2024-12-22", "2024-12-22", "in_force",
		"Nghị quyết về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia", "Resolution on breakthroughs in science, technology, innovation and national digital transformation",
		"Nghị quyết xác định phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số là đột phá quan trọng hàng đầu, trong đó có phổ cập kỹ năng số cho toàn dân.",
		[]string{"scheme", "digital-skills"}),
	legal("BVHTTDL", "2400/QĐ-BVHTTDL", "decision", "Bộ Văn hóa, Thể thao và Du lịch", "2022-09-29", "2022-09-29", "in_force",
		"Kế hoạch triển khai Quyết định 146/QĐ-TTg của Bộ Văn hóa, Thể thao và Du lịch", "The Ministry of Culture, Sports and Tourism's plan implementing Decision 146/QĐ-TTg",
		"Kế hoạch của một bộ với vai trò đơn vị thực hiện Đề án: bồi dưỡng kỹ năng số cho cán bộ, công chức của Bộ và các đơn vị trực thuộc, truyền thông về chuyển đổi số trong ngành.",
		[]string{"scheme"}, implement("146/QĐ-TTg")),

	// Guides.
	doc("admin", library.Guide, "VN", "Đăng ký tài khoản và bắt đầu học miễn phí trên dxhub", "Sign up and start learning for free on dxhub",
		"Chỉ cần thư điện tử hoặc số điện thoại để có tài khoản và học ngay các khóa kỹ năng số miễn phí.",
		"Mở trang Đăng ký, nhập họ tên, thư điện tử hoặc số điện thoại di động và đặt mật khẩu đủ dài.\n\nNếu dùng thư điện tử, bấm vào liên kết xác nhận trong thư; nếu dùng số điện thoại, nhập mã sáu số nhận qua tin nhắn. Mã có hiệu lực trong 30 phút.\n\nSau khi xác nhận, vào mục Khóa học, chọn một khóa và bấm Đăng ký học. Mọi khóa kỹ năng số cho người dân đều miễn phí.",
		[]string{"platform", "digital-skills"}, everyone, nil),
	doc("admin", library.Guide, "VN", "Làm bài sát hạch kỹ năng số và nhận chứng nhận", "Take the digital skills test and get your certificate",
		"Bài sát hạch đo kỹ năng số theo khung năng lực quốc gia; đạt yêu cầu thì chứng nhận có chữ ký số được cấp tự động.",
		"Vào mục Kỳ sát hạch và chọn ca thi đang mở. Bài làm được lưu sau mỗi câu trả lời, nên mất mạng hay tải lại trang vẫn không mất bài.\n\nĐồng hồ hiển thị thời gian còn lại; trước khi nộp, trang cho biết còn bao nhiêu câu chưa trả lời.\n\nKhi đạt điểm yêu cầu, chứng nhận được cấp ngay, có chữ ký số của đơn vị cấp. Ai cũng xác minh được chứng nhận tại trang Xác minh chứng nhận mà không cần hỏi dxhub.",
		[]string{"platform", "digital-skills"}, everyone, nil),
	doc("admin", library.Guide, "VN", "Đặt mật khẩu mạnh và dễ nhớ", "Choose a strong password you can remember",
		"Mật khẩu mạnh là một câu dài mà chỉ bạn nhớ, không dùng lại ở nơi khác.",
		"Mật khẩu càng dài càng khó đoán: một câu từ bốn từ trở lên, ví dụ ghép các từ không liên quan, mạnh hơn một từ ngắn có ký tự đặc biệt.\n\nKhông dùng ngày sinh, số điện thoại hay tên người thân. Không dùng lại một mật khẩu cho nhiều tài khoản: khi một trang bị lộ, kẻ gian sẽ thử mật khẩu đó ở ngân hàng và thư điện tử của bạn.\n\nNên dùng trình quản lý mật khẩu và bật xác thực hai lớp cho thư điện tử và tài khoản ngân hàng.",
		[]string{"safety"}, everyone, []string{"4.1", "4.2"}),
	doc("admin", library.Guide, "VN", "Không bao giờ đọc mã OTP cho người khác", "Never tell anyone your OTP code",
		"Ngân hàng, công an hay nhà mạng không bao giờ gọi điện xin mã OTP.",
		"Mã OTP là chìa khóa một lần để xác nhận giao dịch. Ai có mã này có thể chuyển tiền khỏi tài khoản của bạn.\n\nKẻ lừa đảo thường xưng là nhân viên ngân hàng, công an hoặc nhân viên giao hàng, tạo tình huống gấp để bạn đọc mã. Hãy cúp máy và gọi lại số tổng đài chính thức in trên thẻ hoặc trang web của ngân hàng.\n\nNếu lỡ đọc mã, gọi ngay cho ngân hàng để khóa tài khoản và báo cho cơ quan công an nơi gần nhất.",
		[]string{"safety"}, citizens, []string{"4.1"}),
	doc("admin", library.Guide, "VN", "Nhận biết thư điện tử lừa đảo", "Spot a phishing e-mail",
		"Năm dấu hiệu giúp bạn nhận ra thư điện tử (email) giả mạo trước khi bấm vào liên kết.",
		"- Địa chỉ người gửi gần giống tên tổ chức thật nhưng sai một vài ký tự.\n- Lời lẽ thúc giục: tài khoản sắp bị khóa, phải xác minh ngay trong 24 giờ.\n- Liên kết dẫn tới tên miền lạ; rê chuột lên liên kết để xem địa chỉ thật.\n- Tệp đính kèm bất ngờ, nhất là tệp nén hoặc tệp có đuôi lạ.\n- Yêu cầu mật khẩu, mã OTP hay số thẻ: tổ chức thật không bao giờ hỏi qua thư.\n\nKhi nghi ngờ, đừng trả lời thư; hãy tự mở trang web chính thức bằng cách gõ địa chỉ.",
		[]string{"safety"}, everyone, []string{"4.1", "2.1"}),
	doc("admin", library.Guide, "VN", "Bật xác thực hai lớp cho tài khoản quan trọng", "Turn on two-step verification for important accounts",
		"Thêm một lớp bảo vệ ngoài mật khẩu: mã trên điện thoại hoặc ứng dụng xác thực.",
		"Xác thực hai lớp yêu cầu thêm một bằng chứng ngoài mật khẩu, thường là mã sinh trên ứng dụng xác thực hoặc gửi qua tin nhắn. Khi mật khẩu bị lộ, kẻ gian vẫn không đăng nhập được.\n\nHãy bật cho thư điện tử trước tiên, vì thư điện tử dùng để đặt lại mật khẩu mọi tài khoản khác; sau đó là mạng xã hội và ví điện tử. Lưu các mã dự phòng ở nơi an toàn.",
		[]string{"safety"}, everyone, []string{"4.1"}),
	doc("admin", library.Guide, "VN", "Kích hoạt tài khoản định danh điện tử VNeID mức 2", "Activate your level-2 VNeID electronic identity",
		"Tài khoản VNeID mức 2 dùng thay giấy tờ trong nhiều thủ tục và để đăng nhập Cổng Dịch vụ công quốc gia.",
		"Đăng ký tài khoản định danh điện tử mức 2 tại công an cấp xã nơi cư trú, mang theo thẻ căn cước có gắn chip. Cán bộ thu nhận ảnh chân dung và vân tay.\n\nKhi nhận được tin nhắn kích hoạt, tải ứng dụng VNeID từ kho ứng dụng chính thức, nhập số định danh cá nhân, số điện thoại và mã kích hoạt, rồi đặt mật khẩu và mã bảo vệ.\n\nChỉ cài ứng dụng từ kho chính thức; không cài theo đường dẫn người lạ gửi.",
		[]string{"public-services", "digital-government"}, citizens, []string{"2.6"}),
	doc("admin", library.Guide, "VN", "Nộp hồ sơ trên Cổng Dịch vụ công quốc gia", "File an application on the National Public Service Portal",
		"Các bước tìm thủ tục, điền tờ khai, nộp hồ sơ và theo dõi kết quả trực tuyến.",
		"Đăng nhập Cổng Dịch vụ công quốc gia bằng tài khoản VNeID.\n\nTìm thủ tục theo tên hoặc theo cơ quan giải quyết, đọc kỹ thành phần hồ sơ, điền tờ khai trực tuyến và đính kèm bản điện tử của giấy tờ.\n\nThanh toán phí, lệ phí trực tuyến nếu có, rồi nộp hồ sơ. Mã hồ sơ được gửi qua thư điện tử hoặc tin nhắn để bạn tra cứu tiến độ và nhận kết quả.",
		[]string{"public-services"}, citizens, []string{"2.6", "2.1"}),
	doc("admin", library.Guide, "VN", "Kiểm chứng tin tức trước khi chia sẻ", "Check the news before you share it",
		"Ba câu hỏi giúp nhận ra tin giả trên mạng trước khi bấm nút chia sẻ một tin nóng.",
		"Ai đưa tin? Tìm nguồn gốc: trang báo chính thống hay tài khoản vô danh.\n\nTin có ở nơi khác không? Một sự kiện lớn thật sẽ được nhiều cơ quan báo chí đưa; tìm thêm bằng công cụ tìm kiếm.\n\nẢnh có thật không? Dùng tìm kiếm bằng hình ảnh để xem ảnh đã xuất hiện từ trước chưa.\n\nKhông chắc thì không chia sẻ. Chia sẻ tin sai có thể bị xử phạt và làm tổn hại người khác.",
		[]string{"digital-society", "safety"}, everyone, []string{"1.2", "2.5"}),
	doc("admin", library.Guide, "VN", "Bảo vệ dữ liệu cá nhân của bạn trên mạng", "Protect your personal data online",
		"Những thông tin không nên đăng công khai và cách kiểm soát quyền riêng tư.",
		"Không đăng ảnh căn cước, thẻ ngân hàng, vé máy bay có mã vạch hay biển số xe kèm địa chỉ nhà.\n\nXem lại cài đặt quyền riêng tư của mạng xã hội: ai thấy bài đăng, số điện thoại, danh sách bạn bè.\n\nChỉ cấp cho ứng dụng quyền thực sự cần: ứng dụng đèn pin không cần danh bạ. Khi một tổ chức xin dữ liệu của bạn, bạn có quyền biết họ dùng để làm gì và yêu cầu xóa.",
		[]string{"data", "safety"}, everyone, []string{"4.2"}),
	doc("admin", library.Guide, "VN", "Dùng trợ lý trí tuệ nhân tạo một cách có trách nhiệm", "Use AI assistants responsibly",
		"Trợ lý AI giúp viết và tra cứu nhanh, nhưng có thể sai: luôn kiểm chứng.",
		"Câu trả lời của trợ lý trí tuệ nhân tạo nghe rất tự tin nhưng có thể sai hoặc bịa nguồn. Với thông tin quan trọng về sức khỏe, pháp luật, tài chính, hãy đối chiếu với nguồn chính thức.\n\nKhông nhập dữ liệu cá nhân, tài liệu mật của cơ quan hay thông tin khách hàng vào công cụ AI công cộng.\n\nKhi dùng AI để soạn văn bản, bạn vẫn chịu trách nhiệm về nội dung cuối cùng.",
		[]string{"ai", "digital-skills"}, everyone, []string{"6.3"}),
	doc("admin", library.Guide, "VN", "Thanh toán không dùng tiền mặt an toàn", "Pay without cash, safely",
		"Chuyển khoản và quét mã QR an toàn: kiểm tra tên người nhận trước khi xác nhận.",
		"Trước khi xác nhận chuyển khoản hay quét mã QR, kiểm tra tên người nhận hiện trên màn hình có đúng không.\n\nĐặt hạn mức giao dịch trong ngày phù hợp với nhu cầu và bật thông báo biến động số dư.\n\nCẩn thận với mã QR dán đè lên mã của cửa hàng, và với tin nhắn báo chuyển nhầm tiền rồi đòi lại qua một tài khoản khác.",
		[]string{"safety", "digital-economy"}, citizens, []string{"2.2"}),
	doc("admin", library.Guide, "VN", "Giữ an toàn cho trẻ em khi dùng Internet", "Keep children safe online",
		"Đồng hành cùng con: thời gian, nội dung và những người con trò chuyện trên mạng.",
		"Thỏa thuận với con về thời gian dùng thiết bị và đặt thiết bị ở không gian chung của gia đình.\n\nBật chế độ dành cho trẻ em trên ứng dụng xem video và chế độ tìm kiếm an toàn.\n\nDạy con không gửi ảnh, địa chỉ, tên trường cho người lạ và kể với cha mẹ khi gặp điều khiến con sợ hãi. Người lớn lạ làm quen và xin giữ bí mật là dấu hiệu cần báo ngay.",
		[]string{"safety", "digital-society"}, []string{"citizen", "teacher"}, []string{"4.3"}),
	doc("admin", library.Guide, "VN", "Làm quen với bảng tính: công thức và hàm cơ bản", "Getting started with spreadsheets: formulas and basic functions",
		"Tính tổng, trung bình và đếm bằng các hàm SUM, AVERAGE, COUNT trong bảng tính như Excel hoặc LibreOffice Calc.",
		"Mỗi ô có địa chỉ theo cột và hàng, ví dụ A1. Công thức bắt đầu bằng dấu bằng.\n\n- `=SUM(A1:A10)` cộng các ô từ A1 đến A10.\n- `=AVERAGE(A1:A10)` tính trung bình.\n- `=COUNT(A1:A10)` đếm các ô có số.\n\nKhi sao chép công thức sang ô khác, địa chỉ ô thay đổi theo; thêm dấu $ (ví dụ `$A$1`) để giữ cố định.",
		[]string{"digital-skills"}, []string{"civil_servant", "student", "teacher"}, []string{"3.4"}),
	doc("admin", library.Guide, "VN", "Họp trực tuyến hiệu quả", "Run a good online meeting",
		"Chuẩn bị đường truyền, tắt tiếng khi không nói và chia sẻ tài liệu trước.",
		"Gửi chương trình họp và tài liệu trước. Kiểm tra micro, camera và đường truyền trước giờ họp.\n\nTắt micro khi không phát biểu; dùng chức năng giơ tay để xin nói. Người chủ trì nhắc thời gian và chốt kết luận bằng văn bản sau cuộc họp.\n\nKhông chia sẻ đường dẫn phòng họp công khai trên mạng xã hội.",
		[]string{"digital-skills", "digital-government"}, officials, []string{"2.4"}),
	doc("admin", library.Guide, "VN", "Sử dụng chữ ký số trong văn bản điện tử", "Using digital signatures on electronic documents",
		"Chữ ký số bảo đảm văn bản điện tử đúng người ký và không bị sửa.",
		"Chữ ký số dùng cặp khóa: khóa bí mật để ký, khóa công khai trong chứng thư số để người nhận kiểm tra.\n\nVăn bản đã ký số nếu bị sửa dù một ký tự sẽ không còn chữ ký hợp lệ. Theo Luật Giao dịch điện tử, chữ ký số có giá trị pháp lý như chữ ký tay khi đáp ứng điều kiện luật định.\n\nGiữ thiết bị ký số và mã PIN như giữ con dấu.",
		[]string{"digital-government", "safety"}, officials, []string{"4.1"}),
	doc("admin", library.Guide, "VN", "Cách dùng dxhub trên điện thoại", "Using dxhub on a phone",
		"Mọi trang của dxhub dùng được trên điện thoại, kể cả khi làm bài sát hạch.",
		"Mở dxhub bằng trình duyệt trên điện thoại; có thể thêm vào màn hình chính để mở như ứng dụng.\n\nBài học và bài sát hạch hiển thị vừa màn hình; câu trả lời được lưu ngay sau mỗi câu.\n\nNếu mạng chập chờn, dxhub lưu lại khi có mạng trở lại; không cần làm lại bài.",
		[]string{"platform"}, everyone, nil),

	// Learning material.
	{"admin", library.Input{Kind: library.Material, UnitCode: "VN", TitleVI: "Cổng Dịch vụ công quốc gia", TitleEN: "The National Public Service Portal",
		SummaryVI: "Trang chính thức để tra cứu và nộp hồ sơ thủ tục hành chính trực tuyến.", Link: "https://dichvucong.gov.vn",
		Topics: []string{"public-services"}, Audiences: citizens, Competences: []string{"2.6"}}},
	{"admin", library.Input{Kind: library.Material, UnitCode: "VN", TitleVI: "Cổng thông tin điện tử Chính phủ", TitleEN: "The Government's web portal",
		SummaryVI: "Văn bản quy phạm pháp luật và thông tin chính thức của Chính phủ.", Link: "https://chinhphu.vn",
		Topics: []string{"digital-government", "scheme"}, Audiences: everyone}},
	{"admin", library.Input{Kind: library.Material, UnitCode: "VN", TitleVI: "Cơ sở dữ liệu quốc gia về văn bản pháp luật", TitleEN: "The national database of legal documents",
		SummaryVI: "Tra cứu toàn văn luật, nghị định, quyết định và tình trạng hiệu lực.", Link: "https://vbpl.vn",
		Topics: []string{"scheme"}, Audiences: officials}},

	// FAQ.
	doc("admin", library.FAQ, "VN", "Học trên dxhub có mất phí không?", "Does learning on dxhub cost anything?", "",
		"Không. Các khóa kỹ năng số cho người dân trên dxhub đều miễn phí, theo Đề án 146/QĐ-TTg về nền tảng học trực tuyến mở đại trà. Một số khóa do cơ quan giao cho cán bộ cũng miễn phí cho người học.",
		[]string{"platform", "scheme"}, everyone, nil),
	doc("admin", library.FAQ, "VN", "Ai được học và thi trên dxhub?", "Who may learn and take tests on dxhub?", "",
		"Mọi người dân đều tự đăng ký tài khoản để học và làm bài sát hạch kỹ năng số. Cán bộ, công chức, giáo viên và học sinh, sinh viên còn được cơ quan, trường giao khóa học và kỳ sát hạch hằng năm.",
		[]string{"platform"}, everyone, nil),
	doc("admin", library.FAQ, "VN", "Tôi quên mật khẩu thì làm thế nào?", "I forgot my password. What do I do?", "",
		"Trên trang Đăng nhập, chọn Quên mật khẩu và nhập thư điện tử hoặc số điện thoại đã đăng ký. Bạn sẽ nhận liên kết hoặc mã để đặt mật khẩu mới. Nếu tài khoản do cơ quan tạo, hãy hỏi quản trị viên của đơn vị.",
		[]string{"platform"}, everyone, nil),
	doc("admin", library.FAQ, "VN", "Chứng nhận kỹ năng số có giá trị thế nào và xác minh ở đâu?", "What is the digital skills certificate worth, and where is it verified?", "",
		"Chứng nhận được ký số bởi đơn vị cấp theo chuẩn Open Badges 3.0. Bất kỳ ai, như nhà tuyển dụng, cũng xác minh được tại trang Xác minh chứng nhận bằng cách tải tệp chứng nhận hoặc quét mã QR in trên bản PDF, không cần hỏi dxhub.",
		[]string{"platform", "digital-skills"}, everyone, nil),
	doc("admin", library.FAQ, "VN", "Mục tiêu đến năm 2025 của Đề án 146 là gì?", "What are the 2025 targets of the 146 scheme?", "",
		"Một số mục tiêu chính đến năm 2025: 70% người trong độ tuổi lao động biết đến dịch vụ công trực tuyến và nắm được cách sử dụng; 80% tỉnh, thành phố xây dựng mạng lưới chuyển đổi số đến cấp xã cho ít nhất 60% số xã; 100% cán bộ lãnh đạo và 60% cán bộ, công chức, viên chức được tập huấn về chuyển đổi số hằng năm; 60% sinh viên tốt nghiệp các ngành liên quan được đánh giá trực tuyến kỹ năng số.",
		[]string{"scheme"}, everyone, nil),
	doc("admin", library.FAQ, "VN", "Mục tiêu đến năm 2030 của Đề án 146 là gì?", "What are the 2030 targets of the 146 scheme?", "",
		"Đến năm 2030, các chỉ tiêu cơ bản của Đề án đạt từ 80% đến 100%; trong đó 90% người trong độ tuổi lao động biết đến dịch vụ công trực tuyến và các dịch vụ số thiết yếu về y tế, giáo dục, giao thông, du lịch, ngân hàng và thành thạo cách sử dụng khi có nhu cầu.",
		[]string{"scheme"}, everyone, nil),
	doc("admin", library.FAQ, "VN", "Khung kỹ năng số quốc gia gồm những gì?", "What does the national digital skills standard cover?", "",
		"Khung chia kỹ năng số thành các miền năng lực: khai thác dữ liệu và thông tin, giao tiếp và hợp tác, sáng tạo nội dung số, an toàn, giải quyết vấn đề và sử dụng trí tuệ nhân tạo, mỗi miền có các năng lực và mức độ thành thạo. Bài sát hạch và khóa học trên dxhub gắn với từng năng lực của khung.",
		[]string{"digital-skills"}, everyone, nil),
	doc("admin", library.FAQ, "VN", "Mạng lưới chuyển đổi số cấp xã là gì?", "What is the commune-level digital transformation network?", "",
		"Là đội ngũ ở mỗi tỉnh, từ tỉnh đến xã và thôn, giúp người dân làm quen dịch vụ số: tổ công nghệ số cộng đồng ở thôn, tổ dân phố hướng dẫn cài ứng dụng, dùng dịch vụ công trực tuyến và thanh toán số. Thành viên được đào tạo, cập nhật kỹ năng thường xuyên.",
		[]string{"scheme", "digital-society"}, everyone, nil),
	doc("admin", library.FAQ, "VN", "Tôi có thể học trên điện thoại không?", "Can I learn on a phone?", "",
		"Có. dxhub dùng được trên điện thoại thông thường qua trình duyệt, kể cả xem bài học và làm bài sát hạch; bài làm được lưu sau mỗi câu.",
		[]string{"platform"}, everyone, nil),
	doc("admin", library.FAQ, "VN", "Mất mạng khi đang làm bài sát hạch thì sao?", "What if I lose the connection during a test?", "",
		"Những câu đã trả lời được lưu ngay khi bạn chọn. Khi có mạng lại, mở lại trang: bài làm và thời gian còn lại vẫn giữ nguyên. Thời gian vẫn tính trong lúc mất mạng, nên hãy vào lại sớm.",
		[]string{"platform"}, everyone, nil),
	doc("admin", library.FAQ, "VN", "Dịch vụ công trực tuyến toàn trình là gì?", "What is an end-to-end online public service?", "",
		"Là dịch vụ mà toàn bộ quá trình, từ nộp hồ sơ, thanh toán phí đến nhận kết quả, đều thực hiện trên môi trường mạng, không phải đến cơ quan nhà nước. Dịch vụ công trực tuyến một phần thì còn một số bước phải làm trực tiếp.",
		[]string{"public-services"}, citizens, nil),
	doc("admin", library.FAQ, "VN", "Ngày Chuyển đổi số quốc gia là ngày nào?", "When is National Digital Transformation Day?", "",
		"Ngày 10 tháng 10 hằng năm, theo Quyết định 505/QĐ-TTg năm 2022.",
		[]string{"scheme"}, everyone, nil),
	doc("admin", library.FAQ, "VN", "Cơ quan nào chủ trì Đề án 146?", "Which body leads the 146 scheme?", "",
		"Quyết định 146/QĐ-TTg giao Bộ Thông tin và Truyền thông chủ trì; từ năm 2025, sau khi hợp nhất, nhiệm vụ này do Bộ Khoa học và Công nghệ đảm nhận. Các bộ, ngành và tỉnh, thành phố xây dựng kế hoạch thực hiện của mình.",
		[]string{"scheme"}, everyone, nil),
	doc("admin", library.FAQ, "VN", "Làm sao báo cáo một cuộc gọi hoặc tin nhắn lừa đảo?", "How do I report a scam call or message?", "",
		"Không làm theo yêu cầu của người gọi. Ghi lại số điện thoại, nội dung tin nhắn, rồi báo cho nhà mạng và cơ quan công an nơi gần nhất; nếu đã chuyển tiền, gọi ngay cho ngân hàng để yêu cầu phong tỏa giao dịch.",
		[]string{"safety"}, citizens, nil),
	doc("admin", library.FAQ, "VN", "Tài khoản của tôi do cơ quan tạo, làm sao kích hoạt?", "My office created my account. How do I activate it?", "",
		"Quản trị viên của đơn vị phát cho bạn tờ mã kích hoạt dùng một lần hoặc gửi thư mời. Mở trang Kích hoạt tài khoản, nhập tên đăng nhập và mã, rồi đặt mật khẩu của bạn.",
		[]string{"platform"}, officials, nil),

	doc("admin", library.FAQ, "VN", "VNeID là gì?", "What is VNeID?", "",
		"VNeID là ứng dụng định danh điện tử quốc gia do Bộ Công an phát triển. Tài khoản định danh điện tử mức 2 dùng thay căn cước và nhiều giấy tờ khác khi làm thủ tục, và để đăng nhập Cổng Dịch vụ công quốc gia.",
		[]string{"public-services", "digital-government"}, citizens, nil),
	doc("admin", library.FAQ, "VN", "Tổ công nghệ số cộng đồng làm những việc gì?", "What do community digital technology teams do?", "",
		"Tổ công nghệ số cộng đồng ở thôn, tổ dân phố hướng dẫn người dân cài và dùng ứng dụng, nộp hồ sơ dịch vụ công trực tuyến, thanh toán không dùng tiền mặt và nhận biết lừa đảo trên mạng. Đây là cánh tay nối dài của mạng lưới chuyển đổi số đến cấp xã.",
		[]string{"digital-society", "scheme"}, everyone, nil),
	doc("admin", library.FAQ, "VN", "Làm sao đổi thư điện tử hoặc số điện thoại của tài khoản?", "How do I change my account's e-mail or phone number?", "",
		"Vào trang Tài khoản và chọn đổi thư điện tử hoặc số điện thoại. dxhub gửi mã xác nhận đến địa chỉ mới; thay đổi có hiệu lực khi bạn nhập đúng mã, và địa chỉ cũ nhận được thông báo.",
		[]string{"platform"}, everyone, nil),
	doc("admin", library.FAQ, "VN", "Làm sao tải dữ liệu của tôi hoặc xóa tài khoản?", "How do I download my data or delete my account?", "",
		"Trang Dữ liệu của tôi cho bạn tải toàn bộ dữ liệu dxhub giữ về bạn (hồ sơ, khóa học, kết quả, chứng nhận, các lần đồng ý) và yêu cầu xóa tài khoản. Các chứng nhận đã cấp vẫn xác minh được theo chuẩn.",
		[]string{"platform", "data"}, everyone, nil),
	doc("admin", library.FAQ, "VN", "Tôi có in được chứng nhận không?", "Can I print my certificate?", "",
		"Có. Mỗi chứng nhận có bản PDF để in, kèm mã QR dẫn tới trang xác minh. Bản điện tử có chữ ký số vẫn là bản gốc để xác minh.",
		[]string{"platform"}, everyone, nil),

	// News of the demo provinces.
	doc("daklak.admin", library.News, "66", "Đắk Lắk ra mắt tổ công nghệ số cộng đồng ở các thôn, buôn", "Dak Lak launches community digital technology teams in its villages",
		"Các tổ giúp người dân cài VNeID, nộp hồ sơ trực tuyến và thanh toán không dùng tiền mặt.",
		"Các xã, phường của tỉnh Đắk Lắk đã thành lập tổ công nghệ số cộng đồng tại thôn, buôn, tổ dân phố. Thành viên là cán bộ thôn, đoàn viên thanh niên và giáo viên, được tập huấn kỹ năng hướng dẫn người dân dùng dịch vụ số.\n\nTổ đến từng hộ để hướng dẫn cài ứng dụng VNeID, tra cứu và nộp hồ sơ trên Cổng Dịch vụ công, nhận biết cuộc gọi lừa đảo.",
		[]string{"digital-society", "scheme"}, citizens, nil),
	doc("daklak.admin", library.News, "66", "Đắk Lắk tập huấn kỹ năng số cho cán bộ cấp xã sau sắp xếp đơn vị hành chính", "Dak Lak trains commune officials in digital skills after the reorganisation",
		"Cán bộ các xã, phường mới được bồi dưỡng về dịch vụ công trực tuyến và an toàn thông tin.",
		"Sau khi sắp xếp đơn vị hành chính năm 2025, tỉnh tổ chức các lớp bồi dưỡng kỹ năng số cho cán bộ, công chức cấp xã: tiếp nhận hồ sơ trực tuyến, ký số văn bản, bảo vệ tài khoản và dữ liệu cá nhân của người dân.\n\nHọc viên hoàn thành khóa học và đạt bài sát hạch trên dxhub được cấp chứng nhận có chữ ký số.",
		[]string{"digital-skills", "digital-government"}, officials, nil),
	doc("daklak.admin", library.News, "66", "Học sinh Đắk Lắk tham gia tuần lễ kỹ năng số", "Dak Lak pupils take part in a digital skills week",
		"Các trường tổ chức hoạt động an toàn trên mạng và lập trình cơ bản cho học sinh.",
		"Nhiều trường trung học trên địa bàn tỉnh tổ chức tuần lễ kỹ năng số với các hoạt động nhận biết tin giả, đặt mật khẩu mạnh và làm quen lập trình qua trò chơi. Học sinh làm bài kiểm tra kỹ năng số trực tuyến để biết mình cần học thêm những gì.",
		[]string{"digital-skills", "safety"}, []string{"student", "teacher"}, nil),
	doc("dongnai.admin", library.News, "75", "Đồng Nai hướng dẫn người dân khu vực Bình Phước cũ dùng dịch vụ công trực tuyến", "Dong Nai helps people of the former Binh Phuoc province use online public services",
		"Các điểm hỗ trợ tại bộ phận một cửa giúp người dân nộp hồ sơ trực tuyến sau hợp nhất tỉnh.",
		"Sau khi tỉnh Bình Phước hợp nhất vào tỉnh Đồng Nai từ ngày 1/7/2025, bộ phận một cửa các xã, phường ở khu vực này bố trí người hướng dẫn người dân nộp hồ sơ trực tuyến, tra cứu kết quả và cập nhật thông tin trên tài khoản VNeID.",
		[]string{"public-services"}, citizens, nil),
	doc("dongnai.admin", library.News, "75", "Đồng Nai phát động cuộc thi tìm hiểu về chuyển đổi số", "Dong Nai launches a quiz on digital transformation",
		"Cuộc thi trực tuyến dành cho cán bộ, đoàn viên và người dân trong tỉnh.",
		"Cuộc thi gồm các câu hỏi về chủ trương chuyển đổi số, dịch vụ công trực tuyến và an toàn thông tin. Người dự thi làm bài trên điện thoại hoặc máy tính; kết quả được công bố vào dịp Ngày Chuyển đổi số quốc gia 10/10.",
		[]string{"digital-society", "scheme"}, everyone, nil),
	doc("admin", library.News, "VN", "Ra mắt nền tảng học kỹ năng số miễn phí cho mọi người dân", "A free digital skills platform for everyone",
		"Người dân tự đăng ký, học các khóa kỹ năng số và làm bài sát hạch để nhận chứng nhận.",
		"Nền tảng học trực tuyến mở đại trà về kỹ năng số, một nhiệm vụ của Đề án 146/QĐ-TTg, cho phép người dân tự học miễn phí theo khung kỹ năng số quốc gia. Cán bộ, công chức, giáo viên và học sinh được giao khóa học và kỳ sát hạch hằng năm; các tỉnh theo dõi tiến độ đến từng xã.",
		[]string{"scheme", "platform", "digital-skills"}, everyone, nil),
	doc("admin", library.News, "VN", "Hưởng ứng Ngày Chuyển đổi số quốc gia 10/10", "Marking National Digital Transformation Day, 10 October",
		"Các bộ, ngành, địa phương tổ chức hoạt động hướng dẫn người dân dùng dịch vụ số.",
		"Nhân Ngày Chuyển đổi số quốc gia, các địa phương tổ chức ngày hội hướng dẫn người dân cài đặt ứng dụng, thanh toán số và dùng dịch vụ công trực tuyến; các cơ quan tổ chức tập huấn kỹ năng số cho cán bộ.",
		[]string{"scheme", "digital-society"}, everyone, nil),
	doc("admin", library.News, "VN", "Cảnh báo thủ đoạn giả danh cơ quan nhà nước gọi điện đề nghị cập nhật VNeID", "Warning: callers posing as officials ask you to 'update' VNeID",
		"Không cài ứng dụng theo đường dẫn lạ và không đọc mã OTP cho người gọi.",
		"Thời gian gần đây xuất hiện các cuộc gọi giả danh cán bộ công an, yêu cầu người dân cập nhật tài khoản định danh điện tử qua đường dẫn lạ. Ứng dụng giả sẽ chiếm quyền điều khiển điện thoại và tài khoản ngân hàng.\n\nCơ quan nhà nước không yêu cầu cập nhật VNeID qua điện thoại. Chỉ cài VNeID từ kho ứng dụng chính thức.",
		[]string{"safety"}, citizens, []string{"4.1"}),
}

// SeedLibrary writes and publishes the demo library, each document by
// the account that stands for its unit.
func SeedLibrary(ctx context.Context, l *library.Service, principal func(string) (*auth.Principal, error)) (int, error) {
	for i, d := range LibraryDocs {
		p, err := principal(d.by)
		if err != nil {
			return i, err
		}
		pctx := auth.WithPrincipal(ctx, p)
		doc, err := l.Create(pctx, d.in)
		if err != nil {
			return i, fmt.Errorf("library document %d (%s): %w", i+1, d.in.TitleVI, err)
		}
		if _, err := l.Publish(pctx, doc.ID, 0); err != nil {
			return i, err
		}
	}
	return len(LibraryDocs), nil
}
