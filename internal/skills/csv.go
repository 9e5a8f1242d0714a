package skills

import (
	"context"
	"io"
	"strings"

	"dxhub/internal/platform/tabular"
)

// csvColumns are the columns of a standard as a spreadsheet: one row per
// competence, its area repeated on each row.
var csvColumns = []string{"area_code", "area_name_vi", "area_name_en", "area_description_vi", "area_description_en", "code", "name_vi", "name_en", "description_vi", "description_en",
	"tier1_vi", "tier2_vi", "tier3_vi", "tier4_vi", "tier1_en", "tier2_en", "tier3_en", "tier4_en", "required"}

// ExportCSV writes a version as CSV (or XLSX), one row per competence.
func (s *Service) ExportCSV(ctx context.Context, w io.Writer, f tabular.Format, code string, version int) error {
	st, err := s.Get(ctx, code, version)
	if err != nil {
		return err
	}
	var rows [][]string
	for _, a := range st.Areas {
		for _, c := range a.Competences {
			row := []string{a.Code, a.NameVI, a.NameEN, a.DescriptionVI, a.DescriptionEN, c.Code, c.NameVI, c.NameEN, c.DescriptionVI, c.DescriptionEN}
			for _, t := range [][]string{c.TiersVI, c.TiersEN} {
				for i := range len(Tiers) {
					if i < len(t) {
						row = append(row, t[i])
					} else {
						row = append(row, "")
					}
				}
			}
			req := ""
			if c.Required {
				req = "yes"
			}
			rows = append(rows, append(row, req))
		}
	}
	return tabular.Write(w, f, "standard", csvColumns, rows)
}

// ImportCSV reads a spreadsheet in the ExportCSV format into a new draft
// version whose code, version, kind and names come from meta. Every row
// error is reported together and nothing is stored when there is one.
func (s *Service) ImportCSV(ctx context.Context, r io.Reader, meta Standard) (*Standard, error) {
	p, err := s.authorize(ctx)
	if err != nil {
		return nil, err
	}
	t, err := tabular.Read(r)
	if err != nil {
		return nil, err
	}
	fields := make([]tabular.Field, len(csvColumns))
	for i, c := range csvColumns {
		fields[i] = tabular.Field{Name: c, Required: c == "area_code" || c == "code" || c == "name_vi"}
	}
	cols, err := t.Columns(fields)
	if err != nil {
		return nil, err
	}
	st := meta
	st.Areas = nil
	var bad tabular.ImportError
	areaIdx := map[string]int{}
	seen := map[string]int{}
	for i := range t.Rows {
		line := t.Lines[i]
		cell := func(f string) string { return t.Cell(cols, i, f) }
		ac, code := cell("area_code"), cell("code")
		if ac == "" {
			bad.Add(line, "area_code", "import.required")
		}
		if code == "" {
			bad.Add(line, "code", "import.required")
		} else if prev, dup := seen[code]; dup {
			bad.Add(line, "code", "import.duplicate_key", prev)
		}
		seen[code] = line
		if cell("name_vi") == "" {
			bad.Add(line, "name_vi", "import.required")
		}
		tiers := func(lang string) []string {
			var out []string
			for k := 1; k <= len(Tiers); k++ {
				out = append(out, cell("tier"+itoa(k)+"_"+lang))
			}
			if strings.Join(out, "") == "" {
				return nil
			}
			for k, x := range out {
				if x == "" {
					bad.Add(line, "tier"+itoa(k+1)+"_"+lang, "import.required")
				}
			}
			return out
		}
		c := Competence{Code: code, NameVI: cell("name_vi"), NameEN: cell("name_en"), DescriptionVI: cell("description_vi"), DescriptionEN: cell("description_en"),
			TiersVI: tiers("vi"), TiersEN: tiers("en")}
		switch strings.ToLower(cell("required")) {
		case "", "no", "0", "false", "khong", "không":
		case "yes", "1", "true", "co", "có", "x":
			c.Required = true
		default:
			bad.Add(line, "required", "skills.bad_required", cell("required"))
		}
		k, ok := areaIdx[ac]
		if !ok {
			k = len(st.Areas)
			areaIdx[ac] = k
			st.Areas = append(st.Areas, Area{Code: ac, NameVI: cell("area_name_vi"), NameEN: cell("area_name_en"),
				DescriptionVI: cell("area_description_vi"), DescriptionEN: cell("area_description_en")})
			if cell("area_name_vi") == "" {
				bad.Add(line, "area_name_vi", "import.required")
			}
		}
		st.Areas[k].Competences = append(st.Areas[k].Competences, c)
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	st.Status = Draft
	if err := s.insert(ctx, &st, p.AccountID); err != nil {
		return nil, err
	}
	return &st, nil
}
