package tabular

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// A date cell is read as its date, whatever format shows it: Excel's
// built-in date formats, custom month-first and day-first ones, month
// names, and workbooks on the 1904 date system.
func TestReadXLSXDateCellsByValue(t *testing.T) {
	want := time.Date(1990, 3, 5, 0, 0, 0, 0, time.UTC)
	for _, date1904 := range []bool{false, true} {
		x := excelize.NewFile()
		if date1904 {
			if err := x.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: ptr(true)}); err != nil {
				t.Fatal(err)
			}
		}
		x.SetSheetRow("Sheet1", "A1", &[]any{"format", "birth_date"})
		formats := []struct {
			name   string
			id     int
			custom string
		}{
			{"short date (14)", 14, ""}, {"d-mmm-yy (15)", 15, ""}, {"d-mmm (16)", 16, ""}, {"mmm-yy (17)", 17, ""}, {"m/d/yy h:mm (22)", 22, ""},
			{"m/d/yyyy", 0, "m/d/yyyy"}, {"mm/dd/yyyy", 0, "mm/dd/yyyy"}, {"dd/mm/yyyy", 0, "dd/mm/yyyy"}, {"d mmmm yyyy", 0, "d mmmm yyyy"},
			{"[$-409]mmmm d, yyyy", 0, "[$-409]mmmm d, yyyy"}, {"yyyy-mm-dd", 0, "yyyy-mm-dd"}, {"dd.mm.yyyy", 0, "dd.mm.yyyy"},
		}
		for i, f := range formats {
			st := &excelize.Style{NumFmt: f.id}
			if f.custom != "" {
				st = &excelize.Style{CustomNumFmt: ptr(f.custom)}
			}
			style, err := x.NewStyle(st)
			if err != nil {
				t.Fatal(err)
			}
			cell, _ := excelize.CoordinatesToCellName(2, i+2)
			x.SetCellStr("Sheet1", "A"+cell[1:], f.name)
			if err := x.SetCellValue("Sheet1", cell, want); err != nil {
				t.Fatal(err)
			}
			x.SetCellStyle("Sheet1", cell, cell, style)
		}
		var buf bytes.Buffer
		if err := x.Write(&buf); err != nil {
			t.Fatal(err)
		}
		tb, err := Read(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range tb.Rows {
			// Formats without a day or a year cannot show the whole date,
			// but the cell still holds it.
			if r[1] != "1990-03-05" {
				t.Errorf("1904=%v %s: read %q, want 1990-03-05", date1904, formats[i].name, r[1])
			}
		}
	}
}

// Dates typed as text are read only in forms that cannot be misread.
func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"1990-03-05": "1990-03-05", "05/03/1990": "1990-03-05", "5/3/1990": "1990-03-05", "05-03-1990": "1990-03-05", "05.03.1990": "1990-03-05",
		" 05 / 03 / 1990 ": "1990-03-05",
		"3/5/90":           "", "1990/03/05": "", "31/02/1990": "", "13/13/1990": "", "05/03-1990": "", "March 5, 1990": "", "33000": "",
	} {
		d, ok := ParseDate(in)
		got := ""
		if ok {
			got = d.Format("2006-01-02")
		}
		if got != want {
			t.Errorf("ParseDate(%q) = %q, want %q", in, got, want)
		}
	}
}

// LibreOffice writes the dates of a CSV it read in the en-US locale
// (month first) and in the Vietnamese one (day first) as date cells;
// both files read as the same dates.
func TestReadLibreOfficeDates(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("DXHUB_LIBREOFFICE") == "required" {
			t.Fatal("soffice (libreoffice-calc-nogui) is required and missing")
		}
		t.Skip("LibreOffice not installed")
	}
	dir := t.TempDir()
	for _, c := range []struct {
		locale, csv string
	}{
		{"1033", "key,birth_date\nA1,03/05/1990\nA2,12/31/1985\n"}, // en-US: month first
		{"1066", "key,birth_date\nA1,05/03/1990\nA2,31/12/1985\n"}, // vi-VN: day first
	} {
		src := filepath.Join(dir, "p"+c.locale+".csv")
		os.WriteFile(src, []byte(c.csv), 0o644)
		cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "lo-profile"),
			"--infilter=CSV:44,34,76,1,,"+c.locale, "--convert-to", "xlsx", "--outdir", dir, src)
		cmd.Env = append(os.Environ(), "HOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("soffice: %v %s", err, out)
		}
		data, err := os.ReadFile(strings.TrimSuffix(src, ".csv") + ".xlsx")
		if err != nil {
			t.Fatal(err)
		}
		tb, err := Read(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if got := tb.Rows[0][1] + " " + tb.Rows[1][1]; got != "1990-03-05 1985-12-31" {
			t.Errorf("locale %s: read %q", c.locale, got)
		}
	}
}

// A title row or two above the header are skipped, and rows keep their
// sheet numbers.
func TestColumnsAfterTitleRows(t *testing.T) {
	csv := "BÁO CÁO DANH SÁCH CÁN BỘ,,\nNgày 05/03/2026,,\nMã định danh,Họ và tên,Mã đơn vị\nA1,Nguyễn Văn A,24121\n"
	tb, err := Read(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	cols, err := tb.Columns([]Field{{Name: "key", Aliases: []string{"Mã định danh"}, Required: true}, {Name: "full_name", Aliases: []string{"Họ và tên"}, Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Rows) != 1 || tb.Cell(cols, 0, "key") != "A1" || tb.Lines[0] != 4 {
		t.Fatalf("rows %v lines %v", tb.Rows, tb.Lines)
	}
}

// Exported date columns are date cells that read back as the same date.
func TestWriteDateCells(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, XLSX, "Danh sách người", []string{"key", "birth_date"}, [][]string{{"A1", "1990-03-05"}}, Dates(1)); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if x.GetSheetName(0) != "Danh sách người" {
		t.Errorf("sheet %q", x.GetSheetName(0))
	}
	shown, _ := x.GetCellValue("Danh sách người", "B2")
	raw, _ := x.GetCellValue("Danh sách người", "B2", excelize.Options{RawCellValue: true})
	if shown != "05/03/1990" || raw != "32937" {
		t.Errorf("date cell shown %q stored %q", shown, raw)
	}
	tb, _ := Read(bytes.NewReader(buf.Bytes()))
	if tb.Rows[0][1] != "1990-03-05" {
		t.Errorf("read back %q", tb.Rows[0][1])
	}
}

// TestWriteNumbersAsNumbers: columns marked Numbers are number cells in
// XLSX (a spreadsheet shows them in its locale: 77,1 in Vietnamese), text
// that is not a number stays text, other columns stay text, and CSV keeps
// the digits as written.
func TestWriteNumbersAsNumbers(t *testing.T) {
	var buf bytes.Buffer
	rows := [][]string{{"66", "77.1", "—"}, {"75", "306441", "12"}}
	if err := Write(&buf, XLSX, "s", []string{"unit", "value", "target"}, rows, Numbers(1, 2)); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for cell, want := range map[string]excelize.CellType{"A2": excelize.CellTypeSharedString, "B2": excelize.CellTypeUnset, "C2": excelize.CellTypeSharedString, "B3": excelize.CellTypeUnset, "C3": excelize.CellTypeUnset} {
		got, err := x.GetCellType("s", cell)
		if err != nil || (got != want && !(want == excelize.CellTypeSharedString && got == excelize.CellTypeInlineString)) {
			t.Errorf("%s: cell type %v, want %v (%v)", cell, got, want, err)
		}
	}
	if v, _ := x.GetCellValue("s", "B3"); v != "306441" {
		t.Errorf("B3 reads %q", v)
	}
	buf.Reset()
	Write(&buf, CSV, "s", []string{"unit", "value"}, [][]string{{"66", "77.1"}}, Numbers(1))
	if !strings.Contains(buf.String(), "66,77.1") {
		t.Errorf("CSV: %q", buf.String())
	}
}
