package experts

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/tabular"
	"dxhub/internal/platform/textfold"
)

// sheetFields are the columns of a sheet of experts; the first alias is
// the Vietnamese header exports write. Lists are separated by ";", skills
// written "2.1:3", works "title | year | link".
var sheetFields = []tabular.Field{
	{Name: "id", Aliases: []string{"Mã hồ sơ"}},
	{Name: "full_name", Aliases: []string{"Họ và tên", "ho ten", "name"}, Required: true},
	{Name: "unit_code", Aliases: []string{"Mã đơn vị", "unit"}, Required: true},
	{Name: "org_name", Aliases: []string{"Cơ quan, tổ chức", "to chuc", "organisation"}},
	{Name: "position", Aliases: []string{"Chức danh"}},
	{Name: "origin", Aliases: []string{"Trong nước / nước ngoài", "quoc tich"}},
	{Name: "province", Aliases: []string{"Tỉnh, thành"}},
	{Name: "languages", Aliases: []string{"Ngôn ngữ"}},
	{Name: "fields", Aliases: []string{"Lĩnh vực"}},
	{Name: "skills", Aliases: []string{"Năng lực"}},
	{Name: "publications", Aliases: []string{"Công trình"}},
	{Name: "orcid", Aliases: []string{"ORCID"}},
	{Name: "hours_per_month", Aliases: []string{"Số giờ mỗi tháng", "so gio"}},
	{Name: "remote", Aliases: []string{"Từ xa"}},
	{Name: "on_site", Aliases: []string{"Tại chỗ"}},
	{Name: "provinces", Aliases: []string{"Tỉnh có thể đến"}},
	{Name: "email", Aliases: []string{"Thư điện tử", "e-mail"}},
	{Name: "phone", Aliases: []string{"Điện thoại"}},
	{Name: "public", Aliases: []string{"Công khai"}},
	{Name: "private", Aliases: []string{"Thông tin riêng"}},
}

const maxSheetRows = 20000

// yes reads a yes/no cell ("có", "x", "1", "yes", "true"); ok is false
// for anything else that is not empty.
func yes(v string) (bool, bool) {
	switch textfold.Fold(strings.TrimSpace(v)) {
	case "", "khong", "no", "0", "false", "-":
		return false, true
	case "co", "x", "yes", "1", "true":
		return true, true
	}
	return false, false
}

func semi(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ";") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// column maps an input error's field ("skills[0].level") to its column.
func column(field string) string {
	field, _, _ = strings.Cut(field, "[")
	if field == "" {
		return "full_name"
	}
	return field
}

// ImportSheet reads a sheet of experts and writes it all or nothing: a
// row with an id (as exports write) updates that profile, one without
// creates a profile waiting for verification. Every wrong cell is named by
// row and column. The importer keeps the experts of every row's unit.
func (s *Service) ImportSheet(ctx context.Context, r io.Reader) (created, updated int, err error) {
	p, _, err := auth.RequireScopes(ctx, auth.VerifyExperts)
	if err != nil {
		return 0, 0, err
	}
	t, err := tabular.Read(r)
	if err != nil {
		return 0, 0, err
	}
	cols, err := t.Columns(sheetFields)
	if err != nil {
		return 0, 0, err
	}
	if len(t.Rows) > maxSheetRows {
		return 0, 0, errs.Field("file", "experts.sheet_too_big", maxSheetRows)
	}
	fields, err := s.taxonomySet(ctx)
	if err != nil {
		return 0, 0, err
	}
	comps, err := s.competences(ctx)
	if err != nil {
		return 0, 0, err
	}
	var bad tabular.ImportError
	type row struct {
		in Input
		pr *Profile
	}
	var rows []row
	for i := range t.Rows {
		line := t.Lines[i]
		cell := func(f string) string { return strings.TrimSpace(t.Cell(cols, i, f)) }
		in := Input{FullName: cell("full_name"), UnitCode: cell("unit_code"), Details: Details{OrgName: cell("org_name"), Position: cell("position"),
			Origin: strings.ToLower(cell("origin")), Province: cell("province"), Languages: semi(cell("languages")), Fields: semi(cell("fields")),
			Skills: skillsOf(strings.ReplaceAll(cell("skills"), ";", ",")), ORCID: cell("orcid"), Provinces: semi(cell("provinces")),
			Email: cell("email"), Phone: cell("phone"), Private: semi(cell("private"))}}
		for _, w := range semi(cell("publications")) {
			in.Works = append(in.Works, worksOf(w)...)
		}
		switch textfold.Fold(in.Origin) {
		case "trong nuoc", "chuyen gia trong nuoc":
			in.Origin = Domestic
		case "nuoc ngoai", "chuyen gia nuoc ngoai":
			in.Origin = Foreign
		}
		if v := cell("hours_per_month"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				bad.Add(line, "hours_per_month", "experts.bad_hours")
			}
			in.Hours = n
		}
		for _, b := range []struct {
			col string
			to  *bool
		}{{"remote", &in.Remote}, {"on_site", &in.OnSite}, {"public", &in.Public}} {
			v, ok := yes(cell(b.col))
			if !ok {
				bad.Add(line, b.col, "experts.bad_yes_no", cell(b.col))
			}
			*b.to = v
		}
		if err := in.validate(fields, comps); err != nil {
			if e, ok := errs.As(err); ok {
				bad.Add(line, column(e.Field), e.Key, e.Args...)
			}
			continue
		}
		u, err := s.Org.UnitByCode(ctx, in.UnitCode)
		switch {
		case err != nil:
			bad.Add(line, "unit_code", "experts.bad_unit", in.UnitCode)
			continue
		case !p.Can(auth.VerifyExperts, u.Path):
			bad.Add(line, "unit_code", "experts.unit_not_yours", in.UnitCode)
			continue
		}
		var pr *Profile
		if id := cell("id"); id != "" {
			pr, err = s.profile(ctx, s.DB.R, id)
			if err != nil || !p.Can(auth.VerifyExperts, pr.UnitPath) {
				bad.Add(line, "id", "experts.bad_expert", id)
				continue
			}
		}
		rows = append(rows, row{in, pr})
	}
	if err := bad.Err(); err != nil {
		return 0, 0, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			u, err := s.Org.UnitByCode(ctx, r.in.UnitCode)
			if err != nil {
				return err
			}
			insert := r.pr == nil
			pr := r.pr
			if insert {
				pr = &Profile{ID: db.NewID(), Status: Submitted, Verified: map[string]Check{}}
				created++
			} else {
				updated++
			}
			pr.UnitID, pr.UnitPath, pr.UnitCode, pr.UnitName = u.ID, u.Path, u.Code, u.NameVI
			apply(pr, r.in)
			for f, c := range pr.Verified {
				if pr.digest(f) != c.Digest {
					delete(pr.Verified, f)
					if pr.Status == Verified {
						pr.Status = Changed
					}
				}
			}
			if err := s.write(ctx, tx, pr, insert); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return created, updated, s.record(ctx, p, "experts_imported", "", p.Scopes(auth.VerifyExperts)[0], fmt.Sprintf("%d created, %d updated", created, updated))
}

// ExportSheet writes the experts of a unit's subtree, private fields
// included (the export is audited), in the columns ImportSheet reads.
func (s *Service) ExportSheet(ctx context.Context, w io.Writer, unitCode string, f tabular.Format, lang i18n.Lang) error {
	u, err := s.unit(ctx, "unit", unitCode)
	if err != nil {
		return err
	}
	p, err := auth.Authorize(ctx, auth.VerifyExperts, u.Path)
	if err != nil {
		return err
	}
	header := make([]string, len(sheetFields))
	for i, fl := range sheetFields {
		header[i] = fl.Aliases[0]
		if lang == i18n.EN {
			header[i] = fl.Name
		}
	}
	prs, err := db.Query(ctx, s.DB.R, scanProfile, `SELECT `+profileCols+` FROM exp_profiles WHERE unit_path >= $1 AND unit_path < $2 ORDER BY unit_path, full_name, id LIMIT 100000`, u.Path, strings.TrimSuffix(u.Path, "/")+"0")
	if err != nil {
		return err
	}
	if err := s.name(ctx, prs...); err != nil {
		return err
	}
	yn := func(b bool) string {
		if b {
			return "x"
		}
		return ""
	}
	var rows [][]string
	for _, pr := range prs {
		var works []string
		for _, w := range pr.Works {
			works = append(works, strings.TrimSpace(strings.ReplaceAll(textOf([]Work{w}), "\n", "")))
		}
		rows = append(rows, []string{pr.ID, pr.FullName, pr.UnitCode, pr.OrgName, pr.Position, pr.Origin, pr.Province, strings.Join(pr.Languages, "; "),
			strings.Join(pr.Fields, "; "), strings.ReplaceAll(skillsText(pr.Skills), ",", ";"), strings.Join(works, "; "), pr.ORCID, strconv.Itoa(pr.Hours),
			yn(pr.Remote), yn(pr.OnSite), strings.Join(pr.Provinces, "; "), pr.Email, pr.Phone, yn(pr.Public), strings.Join(pr.Private, "; ")})
	}
	if err := tabular.Write(w, f, i18n.T(lang, "experts.sheet"), header, rows, tabular.Numbers(12)); err != nil {
		return err
	}
	return s.record(ctx, p, "experts_exported", u.ID, u.Path, strconv.Itoa(len(rows)))
}
