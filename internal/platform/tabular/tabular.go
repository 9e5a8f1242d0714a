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
	"path"
	"regexp"
	"strings"
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
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, errs.E(errs.Invalid, "import.bad_xlsx")
	}
	defer rows.Close()
	t := &Table{}
	line := 0
	for rows.Next() {
		line++
		rec, err := rows.Columns()
		if err != nil {
			return nil, errs.E(errs.Invalid, "import.bad_xlsx")
		}
		if err := t.add(rec, line); err != nil {
			return nil, err
		}
	}
	return t.done()
}

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
func (t *Table) Columns(fields []Field) (map[string]int, error) {
	idx := map[string]int{}
	for i, h := range t.Header {
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
			e.Errors = append(e.Errors, RowError{Row: 1, Column: f.Name, Key: "import.missing_column"})
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

// Messages renders every error in lang.
func (e *ImportError) Messages(lang i18n.Lang) []string {
	out := make([]string, len(e.Errors))
	for i, r := range e.Errors {
		out[i] = r.Message(lang)
	}
	return out
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

// Write writes header and rows as CSV (with a BOM so that Excel reads UTF-8)
// or as an XLSX workbook with one sheet.
func Write(w io.Writer, f Format, sheet string, header []string, rows [][]string) error {
	if f == XLSX {
		x := excelize.NewFile()
		defer x.Close()
		x.SetSheetName("Sheet1", sheet)
		sw, err := x.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		write := func(r int, vals []string) error {
			cells := make([]any, len(vals))
			for i, v := range vals {
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
