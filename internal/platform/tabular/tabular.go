// Package tabular reads and writes the spreadsheets offices keep their lists
// in (CSV and XLSX) and carries import errors that name the row and column.
package tabular

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/textfold"
)

// Limits on what is read, so that one upload cannot exhaust the server.
const (
	MaxBytes = 32 << 20
	MaxRows  = 500000
	MaxCols  = 64
	MaxCells = 4000000
)

// Table is a sheet: a header and the data rows with their sheet row numbers
// (the header is row 1).
type Table struct {
	Header []string
	Rows   [][]string
	Lines  []int

	cells int
}

// Format is csv or xlsx.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// Detect picks the format from the file's first bytes (XLSX is a zip).
func Detect(head []byte) Format {
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return XLSX
	}
	return CSV
}

// Read reads the first sheet of a CSV or XLSX file.
func Read(r io.Reader) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBytes {
		return nil, errs.E(errs.Invalid, "error.too_large", MaxBytes>>20)
	}
	if Detect(data) == XLSX {
		return readXLSX(data)
	}
	return readCSV(data)
}

func readCSV(data []byte) (*Table, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, errs.E(errs.Invalid, "import.not_utf8")
	}
	first, _, _ := bufio.NewReader(bytes.NewReader(data)).ReadLine()
	cr := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';' // spreadsheets set to a Vietnamese locale export with ';'
	}
	cr.FieldsPerRecord = -1
	t := &Table{}
	line := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line++
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &ImportError{Errors: []RowError{{Row: pe.Line, Key: "import.csv_syntax", Args: []any{pe.Err.Error()}}}}
			}
			return nil, err
		}
		if err := t.add(rec, line); err != nil {
			return nil, err
		}
	}
	return t.done()
}

// What an XLSX may expand to, checked on the zip's headers before anything
// is unpacked (a 0.3 MB file can claim hundreds of MB): the whole, and the
// shared strings, which the reader keeps in memory (sheets above 16 MB go
// to a temporary file and are read as a stream). The reader itself stops
// at the same limit if a header lies.
const (
	maxUnzipped      = 100 << 20
	maxSharedStrings = 24 << 20
	maxZipEntries    = 1000
)

func readXLSX(data []byte) (*Table, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(zr.File) > maxZipEntries {
		return nil, errs.E(errs.Invalid, "import.bad_xlsx")
	}
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if zf.UncompressedSize64 > maxUnzipped || total > maxUnzipped ||
			(strings.EqualFold(path.Base(zf.Name), "sharedStrings.xml") && zf.UncompressedSize64 > maxSharedStrings) {
			return nil, errs.E(errs.Invalid, "import.xlsx_too_large", maxUnzipped>>20)
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, errs.E(errs.Invalid, "import.bad_xlsx")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errs.E(errs.Invalid, "import.bad_xlsx")
	}
	// Each row is read twice in step: as shown (the cell's format applied)
	// and as stored. A date cell is stored as a day count, whatever format
	// shows it (m/d/yyyy, d/m/yyyy, a month name...): it is read as that
	// date, in ISO form, so that no display format can swap day and month.
	shown, err := f.Rows(sheets[0])
	if err != nil {
		return nil, errs.E(errs.Invalid, "import.bad_xlsx")
	}
	defer shown.Close()
	stored, err := f.Rows(sheets[0])
	if err != nil {
		return nil, errs.E(errs.Invalid, "import.bad_xlsx")
	}
	defer stored.Close()
	props, _ := f.GetWorkbookProps()
	date1904 := props.Date1904 != nil && *props.Date1904
	t := &Table{}
	line := 0
	for shown.Next() {
		line++
		if !stored.Next() {
			return nil, errs.E(errs.Invalid, "import.bad_xlsx")
		}
		rec, err := shown.Columns()
		if err != nil {
			return nil, errs.E(errs.Invalid, "import.bad_xlsx")
		}
		raw, err := stored.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, errs.E(errs.Invalid, "import.bad_xlsx")
		}
		for i := range rec {
			if i < len(raw) {
				rec[i] = dateCell(rec[i], raw[i], date1904)
			}
		}
		if err := t.add(rec, line); err != nil {
			return nil, err
		}
	}
	return t.done()
}

// looksLikeDate is a cell shown as a date: day, month and year (or two of
// them) with separators, or a month's name.
var looksLikeDate = regexp.MustCompile(`(?i)^\D{0,12}\d{1,4}\s*[/.\-]\s*\d{1,2}(\s*[/.\-]\s*\d{1,4})?|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|th[aá]ng`)

// dateCell returns a date cell's value as YYYY-MM-DD (with " HH:MM" when
// it has a time of day), given how it is shown and the day count stored;
// any other cell is returned as shown.
func dateCell(shown, raw string, date1904 bool) string {
	if shown == raw || !looksLikeDate.MatchString(shown) {
		return shown
	}
	serial, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || serial < 1 || serial > 2958465 {
		return shown
	}
	d, err := excelize.ExcelDateToTime(serial, date1904)
	if err != nil {
		return shown
	}
	if serial != math.Trunc(serial) {
		return d.Format("2006-01-02 15:04")
	}
	return d.Format("2006-01-02")
}

// ParseDate reads a date typed as text, in the forms that cannot be
// misread: YYYY-MM-DD, or day first as Vietnamese offices write it
// (DD/MM/YYYY, D/M/YYYY, with "/", "-" or "."), with a four-digit year.
// Anything else, two-digit years and month-first forms included, is not a
// date. Dates read from XLSX date cells arrive as YYYY-MM-DD.
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, true
	}
	m := dayFirst.FindStringSubmatch(s)
	if m == nil || m[2] != m[4] {
		return time.Time{}, false
	}
	d, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[3])
	y, _ := strconv.Atoi(m[5])
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != mo {
		return time.Time{}, false // 31/02, 13th month
	}
	return t, true
}

var dayFirst = regexp.MustCompile(`^(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*([/.\-])\s*(\d{4})$`)

func (t *Table) add(rec []string, line int) error {
	if len(rec) > MaxCols {
		rec = rec[:MaxCols]
	}
	empty := true
	for i := range rec {
		rec[i] = undefuse(textfold.NFC(strings.TrimSpace(rec[i])))
		if rec[i] != "" {
			empty = false
		}
	}
	if empty {
		return nil
	}
	if t.Header == nil {
		t.Header = rec
		return nil
	}
	if len(t.Rows) >= MaxRows {
		return errs.E(errs.Invalid, "import.too_many_rows", MaxRows)
	}
	if t.cells += len(rec); t.cells > MaxCells {
		return errs.E(errs.Invalid, "import.too_many_cells", MaxCells)
	}
	t.Rows = append(t.Rows, rec)
	t.Lines = append(t.Lines, line)
	return nil
}

func (t *Table) done() (*Table, error) {
	if t.Header == nil {
		return nil, errs.E(errs.Invalid, "import.empty")
	}
	return t, nil
}

// Columns maps each wanted field to its column index, matching header
// names by folded text against the field's aliases. Missing required
// fields are reported together.
//
// Offices often put a title row or two above the header ("BÁO CÁO SỐ
// LIỆU…", a date line): when the first row lacks required columns, the
// next few rows are tried as the header, and the rows above the one that
// has them all are dropped.
func (t *Table) Columns(fields []Field) (map[string]int, error) {
	idx, err := columnsOf(t.Header, fields, 1)
	for k := 0; err != nil && k < maxTitleRows && k < len(t.Rows); k++ {
		if alt, e := columnsOf(t.Rows[k], fields, t.Lines[k]); e == nil {
			t.Header, t.Rows, t.Lines = t.Rows[k], t.Rows[k+1:], t.Lines[k+1:]
			return alt, nil
		}
	}
	return idx, err
}

// maxTitleRows is how many rows above the header Columns looks past.
const maxTitleRows = 5

func columnsOf(header []string, fields []Field, line int) (map[string]int, error) {
	idx := map[string]int{}
	for i, h := range header {
		fh := textfold.Fold(h)
		for _, f := range fields {
			for _, a := range append([]string{f.Name}, f.Aliases...) {
				if textfold.Fold(a) == fh {
					if _, dup := idx[f.Name]; !dup {
						idx[f.Name] = i
					}
				}
			}
		}
	}
	var e ImportError
	for _, f := range fields {
		if _, ok := idx[f.Name]; !ok && f.Required {
			e.Errors = append(e.Errors, RowError{Row: line, Column: f.Name, Key: "import.missing_column"})
		}
	}
	if len(e.Errors) > 0 {
		return nil, &e
	}
	return idx, nil
}

// Cell returns the value of field in row i ("" when the column is absent).
func (t *Table) Cell(cols map[string]int, i int, field string) string {
	c, ok := cols[field]
	if !ok || c >= len(t.Rows[i]) {
		return ""
	}
	return t.Rows[i][c]
}

// Field is a column an importer understands.
type Field struct {
	Name     string
	Aliases  []string // other headers accepted, e.g. the Vietnamese one
	Required bool
}

// RowError is one problem in an import, in a sheet row and column.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"`
	Key    string `json:"-"`
	Args   []any  `json:"-"`
}

// Message renders the error in lang.
func (e RowError) Message(lang i18n.Lang) string {
	reason := i18n.T(lang, e.Key, e.Args...)
	if e.Column == "" {
		return i18n.T(lang, "import.at_row", e.Row, reason)
	}
	return i18n.T(lang, "import.at_cell", e.Row, e.Column, reason)
}

// MaxReported caps how many errors an import reports.
const MaxReported = 200

// ImportError is an import refused as a whole, with every problem found.
type ImportError struct {
	Errors    []RowError
	Truncated bool
}

func (e *ImportError) Error() string {
	var b strings.Builder
	for i, r := range e.Errors {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "row %d %s: %s", r.Row, r.Column, i18n.T(i18n.EN, r.Key, r.Args...))
	}
	return "import refused: " + b.String()
}

// ErrorCode makes an import error an "invalid" error for the error page.
func (e *ImportError) ErrorCode() string { return errs.Invalid }

// Add records one problem, keeping at most MaxReported.
func (e *ImportError) Add(row int, column, key string, args ...any) {
	if len(e.Errors) >= MaxReported {
		e.Truncated = true
		return
	}
	e.Errors = append(e.Errors, RowError{Row: row, Column: column, Key: key, Args: args})
}

// Err returns e when it holds errors, else nil.
func (e *ImportError) Err() error {
	if len(e.Errors) == 0 {
		return nil
	}
	return e
}

// AsImportError finds an *ImportError through any wrapping.
func AsImportError(err error) (*ImportError, bool) {
	var ie *ImportError
	ok := errors.As(err, &ie)
	return ie, ok
}

// Messages renders every error in lang.
func (e *ImportError) Messages(lang i18n.Lang) []string {
	out := make([]string, len(e.Errors))
	for i, r := range e.Errors {
		out[i] = r.Message(lang)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// sheetName fits a name to what spreadsheets allow: at most 31
// characters, none of : \\ / ? * [ ].
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	if strings.TrimSpace(s) == "" {
		s = "data"
	}
	return s
}

// plainNumber is a cell that starts like a formula but is a number or a
// phone number ("-5", "+84 912 345 678"), which is left as it is.
var plainNumber = regexp.MustCompile(`^[+-]?[0-9][0-9 .,()-]*$`)

// Defuse makes a cell that a spreadsheet would take for a formula
// ("=HYPERLINK(...)", "+cmd", "@SUM") plain text by putting an apostrophe
// before it, as OWASP advises for CSV injection; Read takes it off again.
func Defuse(v string) string {
	if v == "" || !strings.ContainsRune("=+-@\t\r", rune(v[0])) || plainNumber.MatchString(v) {
		return v
	}
	return "'" + v
}

// undefuse reverses Defuse on a cell read back.
func undefuse(v string) string {
	if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@", rune(v[1])) {
		return v[1:]
	}
	return v
}

// WriteOption changes how Write lays a sheet out.
type WriteOption func(*writeOptions)

type writeOptions struct{ dates, numbers map[int]bool }

// Numbers marks columns (from 0) holding numbers written the Go way
// ("77.1", "306441"): in XLSX they are number cells, which a spreadsheet
// shows in its own locale (77,1 in Vietnamese); text that is not a
// number ("—") stays text. In CSV they stay as typed, for programs.
func Numbers(cols ...int) WriteOption {
	return func(o *writeOptions) {
		for _, c := range cols {
			o.numbers[c] = true
		}
	}
}

// Day writes a moment (Unix milliseconds) as the day a Dates column
// holds, in the installation's zone; 0 is an empty cell.
func Day(ms int64) string {
	if ms == 0 {
		return ""
	}
	return time.UnixMilli(ms).In(i18n.DefaultZone).Format("2006-01-02")
}

// Dates marks columns (from 0) holding YYYY-MM-DD dates: in XLSX they are
// written as date cells shown day first (dd/mm/yyyy), which any
// spreadsheet then reads as dates; in CSV they stay as typed.
func Dates(cols ...int) WriteOption {
	return func(o *writeOptions) {
		for _, c := range cols {
			o.dates[c] = true
		}
	}
}

// Write writes header and rows as CSV (with a BOM so that Excel reads UTF-8)
// or as an XLSX workbook with one sheet named sheet.
func Write(w io.Writer, f Format, sheet string, header []string, rows [][]string, opts ...WriteOption) error {
	o := writeOptions{dates: map[int]bool{}, numbers: map[int]bool{}}
	for _, fn := range opts {
		fn(&o)
	}
	if f == XLSX {
		x := excelize.NewFile()
		defer x.Close()
		sheet = sheetName(sheet)
		x.SetSheetName("Sheet1", sheet)
		sw, err := x.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		dateStyle, err := x.NewStyle(&excelize.Style{CustomNumFmt: ptr("dd/mm/yyyy")})
		if err != nil {
			return err
		}
		header = append([]string(nil), header...)
		write := func(r int, vals []string) error {
			cells := make([]any, len(vals))
			for i, v := range vals {
				if d, err := time.Parse("2006-01-02", v); err == nil && o.dates[i] && r > 1 {
					cells[i] = excelize.Cell{Value: d, StyleID: dateStyle}
					continue
				}
				if n, err := strconv.ParseFloat(v, 64); err == nil && o.numbers[i] && r > 1 && !math.IsInf(n, 0) && !math.IsNaN(n) {
					cells[i] = excelize.Cell{Value: n}
					continue
				}
				cells[i] = excelize.Cell{Value: Defuse(v)}
			}
			name, _ := excelize.CoordinatesToCellName(1, r)
			return sw.SetRow(name, cells)
		}
		if err := write(1, header); err != nil {
			return err
		}
		for i, r := range rows {
			if err := write(i+2, r); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return x.Write(w)
	}
	if _, err := w.Write([]byte("\xef\xbb\xbf")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, 0, len(header))
	for _, r := range rows {
		rec = rec[:0]
		for _, v := range r {
			rec = append(rec, Defuse(v))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
