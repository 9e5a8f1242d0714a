package credential

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"time"

	"codeberg.org/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"

	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/textfold"
)

// Noto Sans (SIL Open Font License 1.1, fonts/COPYRIGHT-noto.txt): every
// Vietnamese letter with its tone marks; the PDF embeds only the glyphs it
// uses.
var (
	//go:embed fonts/NotoSans-Regular.ttf
	fontRegular []byte
	//go:embed fonts/NotoSans-Bold.ttf
	fontBold []byte
)

// PDF draws a credential's certificate: A4 landscape, the holder's name,
// the achievement, the issuer, the date and number, and a QR code that
// opens the credential's verification page. The printed certificate is
// the holder's own copy: it names them whatever the credential shows.
func (s *Service) PDF(ctx context.Context, c *Credential) ([]byte, error) {
	acct, _, err := s.Auth.AccountByID(ctx, c.AccountID)
	if err != nil {
		return nil, err
	}
	holder := "—"
	if acct != nil {
		holder = acct.DisplayName
	}
	a, err := s.AchievementByID(ctx, c.AchievementID)
	if err != nil {
		return nil, err
	}
	u, err := s.Org.UnitByID(ctx, c.UnitID)
	if err != nil {
		return nil, err
	}
	link := s.BaseURL + "/credentials/" + c.ID
	nfc := textfold.NFC

	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetTitle(nfc(a.Name), true)
	pdf.SetCreator("dxhub", true)
	pdf.AddUTF8FontFromBytes("Noto", "", fontRegular)
	pdf.AddUTF8FontFromBytes("Noto", "B", fontBold)
	pdf.SetMargins(20, 18, 20)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddPage()
	w, h := pdf.GetPageSize()
	// A double frame in the scheme's colours.
	pdf.SetDrawColor(0x9e, 0x1b, 0x14)
	pdf.SetLineWidth(2)
	pdf.Rect(8, 8, w-16, h-16, "D")
	pdf.SetDrawColor(0xf2, 0xc2, 0x30)
	pdf.SetLineWidth(0.8)
	pdf.Rect(12, 12, w-24, h-24, "D")

	center := func(size float64, style, text string, lineH float64) {
		pdf.SetFont("Noto", style, size)
		pdf.MultiCell(0, lineH, nfc(text), "", "C", false)
	}
	pdf.SetTextColor(0x33, 0x33, 0x33)
	pdf.SetY(24)
	center(13, "B", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 7)
	center(11, "", "Độc lập - Tự do - Hạnh phúc", 6)
	pdf.Ln(6)
	center(12, "B", u.FullName(i18n.VI), 7)
	pdf.Ln(4)
	pdf.SetTextColor(0x9e, 0x1b, 0x14)
	title := "CHỨNG NHẬN"
	if a.Kind == "Badge" {
		title = "HUY HIỆU"
	}
	center(30, "B", title, 14)
	pdf.SetTextColor(0x33, 0x33, 0x33)
	pdf.Ln(2)
	center(12, "", "Chứng nhận Ông/Bà", 7)
	center(24, "B", holder, 12)
	pdf.Ln(1)
	center(12, "", "đã đạt", 7)
	center(17, "B", a.Name, 9)
	if c.Result != "" {
		center(11, "", "Kết quả: "+c.Result, 6)
	}
	at := time.UnixMilli(c.IssuedAt).In(i18n.DefaultZone)
	pdf.Ln(4)
	center(11, "", fmt.Sprintf("Ngày cấp: %02d/%02d/%d    Số: %s", at.Day(), int(at.Month()), at.Year(), c.Number), 6)
	if c.ValidUntil != 0 {
		until := time.UnixMilli(c.ValidUntil).In(i18n.DefaultZone)
		center(10, "", fmt.Sprintf("Có giá trị đến: %02d/%02d/%d", until.Day(), int(until.Month()), until.Year()), 5)
	}
	if c.Legacy {
		center(9, "", "Cấp lại từ chứng nhận giấy", 5)
	}
	// The QR code, drawn as squares: crisp at any size, a few hundred bytes.
	q, err := qrcode.New(link, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	side := 34.0
	cell := side / float64(len(bm))
	x0, y0 := w-20-side, h-20-side
	pdf.SetFillColor(0, 0, 0)
	for y, row := range bm {
		for x, on := range row {
			if on {
				pdf.Rect(x0+float64(x)*cell, y0+float64(y)*cell, cell, cell, "F")
			}
		}
	}
	pdf.SetXY(20, h-34)
	pdf.SetFont("Noto", "", 8)
	pdf.MultiCell(w-80, 4, nfc("Xác minh chứng nhận này (chữ ký số Open Badges 3.0): quét mã QR hoặc mở "+link), "", "L", false)
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
