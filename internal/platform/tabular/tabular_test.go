package tabular

import (
	"bytes"
	"strings"
	"testing"

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
