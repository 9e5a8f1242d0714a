package tabular

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
)

func TestReadCSVDelimitersAndBOM(t *testing.T) {
	for name, in := range map[string]string{
		"comma":      "a,b\n1,2\n",
		"semicolon":  "a;b\n1;2\n",
		"bom":        "\xef\xbb\xbfa,b\n1,2\n",
		"blank rows": "a,b\n\n1,2\n,\n",
	} {
		tb, err := Read(strings.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(tb.Header) != 2 || tb.Header[0] != "a" || len(tb.Rows) != 1 || tb.Rows[0][1] != "2" {
			t.Fatalf("%s: %+v", name, tb)
		}
	}
}

func TestReadCSVErrorsNameTheRow(t *testing.T) {
	_, err := Read(strings.NewReader("a,b\n1,2\n\"open,3\n"))
	ie, ok := err.(*ImportError)
	if !ok || ie.Errors[0].Row != 3 {
		t.Fatalf("got %v", err)
	}
	if m := ie.Messages(i18n.EN)[0]; !strings.HasPrefix(m, "Row 3: CSV syntax error") {
		t.Fatalf("message %q", m)
	}
	if _, err := Read(strings.NewReader("a,b\n\xff\xfe,1\n")); err == nil {
		t.Fatal("invalid UTF-8 accepted")
	}
}

func TestWriteThenRead(t *testing.T) {
	for _, f := range []Format{CSV, XLSX} {
		var buf bytes.Buffer
		if err := Write(&buf, f, "people", []string{"Họ và tên", "Mã"}, [][]string{{"Đỗ Thị Ánh", "A1"}, {"Lê, Văn \"B\"", "B2"}}); err != nil {
			t.Fatal(err)
		}
		tb, err := Read(&buf)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if tb.Header[0] != "Họ và tên" || tb.Rows[1][0] != "Lê, Văn \"B\"" || tb.Lines[1] != 3 {
			t.Fatalf("%s round trip: %+v", f, tb)
		}
	}
}

func FuzzRead(f *testing.F) {
	var x bytes.Buffer
	Write(&x, XLSX, "s", []string{"a", "b"}, [][]string{{"1", "2"}})
	f.Add(x.Bytes())
	f.Add([]byte("a,b\n1,2\n"))
	f.Add([]byte("a;b\n\"1;2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := Read(bytes.NewReader(data))
		if err == nil && (tb.Header == nil || len(tb.Rows) != len(tb.Lines)) {
			t.Fatalf("inconsistent table %+v", tb)
		}
	})
}

// bombXLSX is a minimal workbook whose part name expands to size bytes of
// XML from a small file, the way a zip bomb does.
func bombXLSX(t *testing.T, part string, size int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	add("[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`)
	add("xl/workbook.xml", `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="S" sheetId="1"/></sheets></workbook>`)
	w, err := zw.Create(part)
	if err != nil {
		t.Fatal(err)
	}
	row := []byte(`<row><c t="inlineStr"><is><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></is></c></row>`)
	for n := 0; n < size; n += len(row) {
		w.Write(row)
	}
	zw.Close()
	return buf.Bytes()
}

// An XLSX that unpacks to far more than it weighs is refused from its
// headers, before it is unpacked.
func TestReadXLSXRefusesZipBombs(t *testing.T) {
	for _, part := range []string{"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"} {
		data := bombXLSX(t, part, 110<<20)
		if len(data) > 2<<20 {
			t.Fatalf("the bomb weighs %d bytes", len(data))
		}
		_, err := Read(bytes.NewReader(data))
		e, ok := errs.As(err)
		if !ok || e.Key != "import.xlsx_too_large" {
			t.Fatalf("%s: %v", part, err)
		}
		if msg := i18n.T(i18n.VI, e.Key, e.Args...); !strings.Contains(msg, "100 MB") {
			t.Fatalf("message %q", msg)
		}
	}
	// Shared strings have a lower bound of their own.
	if _, err := Read(bytes.NewReader(bombXLSX(t, "xl/sharedStrings.xml", 30<<20))); err == nil {
		t.Fatal("30 MB of shared strings accepted")
	}
}

// Rows times columns is bounded as well as rows.
func TestReadCountsCells(t *testing.T) {
	var b strings.Builder
	b.WriteString(strings.Repeat("c,", MaxCols-1) + "c\n")
	line := strings.Repeat("1,", MaxCols-1) + "1\n"
	for i := 0; i <= MaxCells/MaxCols; i++ {
		b.WriteString(line)
	}
	if b.Len() > MaxBytes {
		t.Skip("the cell limit is above the byte limit")
	}
	_, err := Read(strings.NewReader(b.String()))
	if e, ok := errs.As(err); !ok || e.Key != "import.too_many_cells" {
		t.Fatalf("%v", err)
	}
}

// Cells a spreadsheet would run as formulas are written as text, numbers
// and phone numbers are left alone, and reading undoes it.
func TestWriteDefusesFormulas(t *testing.T) {
	rows := [][]string{{`=HYPERLINK("https://evil.example","bấm")`, "-5", "+84 912 345 678", "@SUM(A1)", "+cmd|' /C calc'!A0", "Nguyễn"}}
	for _, f := range []Format{CSV, XLSX} {
		var buf bytes.Buffer
		if err := Write(&buf, f, "s", []string{"a", "b", "c", "d", "e", "g"}, rows); err != nil {
			t.Fatal(err)
		}
		if f == CSV {
			out := buf.String()
			for _, want := range []string{`"'=HYPERLINK(""https://evil.example"",""bấm"")"`, ",-5,", ",+84 912 345 678,", ",'@SUM(A1),", ",'+cmd|"} {
				if !strings.Contains(out, want) {
					t.Errorf("CSV lacks %q:\n%s", want, out)
				}
			}
		}
		tb, err := Read(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(tb.Rows[0], "|") != strings.Join(rows[0], "|") {
			t.Errorf("%s read back %q", f, tb.Rows[0])
		}
	}
}
