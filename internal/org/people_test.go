package org_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/tabular"
)

const goodPeople = `key,full_name,birth_date,unit_code,position,groups,email,phone
CB001,Nguyễn Văn An,15/03/1985,24121,Chuyên viên,civil_servant;dx_staff,an@example.vn,0912345678
CB002,Trần Thị Bình,1990-07-01,24133,Giáo viên,Giáo viên,,
CB003,Y Blốk Êban,,66,Trưởng phòng,lãnh đạo; công chức,,
`

func provinceAdmin(t *testing.T, s *org.Service, code string) context.Context {
	u := mustUnit(t, s, code)
	return auth.WithPrincipal(context.Background(), &auth.Principal{AccountID: "acct-" + code, Username: "admin" + code,
		Grants: []auth.Grant{{Role: auth.UnitAdmin, UnitPath: u.Path, UnitID: u.ID}}})
}

func countPeople(t *testing.T, s *org.Service) int {
	n, err := s.PeopleCount(context.Background(), mustUnit(t, s, "VN"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportPeopleCSV(t *testing.T) {
	s, _ := newService(t)
	ctx := provinceAdmin(t, s, "66")
	res, err := s.ImportPeople(ctx, strings.NewReader(goodPeople), "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 3 || res.Updated != 0 {
		t.Fatalf("result %+v", res)
	}
	page, err := s.ListPeople(ctx, org.PeopleFilter{Q: "nguyen van an"}, "127.0.0.1")
	if err != nil || len(page.People) != 1 {
		t.Fatalf("search without diacritics: %+v %v", page, err)
	}
	p := page.People[0]
	if p.BirthDate != "1985-03-15" || p.UnitCode != "24121" || strings.Join(p.Groups, ",") != "civil_servant,dx_staff" {
		t.Fatalf("stored person %+v", p)
	}
	t.Run("Vietnamese group labels are understood", func(t *testing.T) {
		page, _ := s.ListPeople(ctx, org.PeopleFilter{Group: org.GroupLeader}, "")
		if len(page.People) != 1 || page.People[0].Key != "CB003" {
			t.Fatalf("leaders %+v", page.People)
		}
	})
	t.Run("re-import updates by key instead of duplicating", func(t *testing.T) {
		changed := strings.Replace(goodPeople, "Chuyên viên", "Phó trưởng phòng", 1)
		res, err := s.ImportPeople(ctx, strings.NewReader(changed), "")
		if err != nil || res.Created != 0 || res.Updated != 3 {
			t.Fatalf("re-import %+v %v", res, err)
		}
		if n := countPeople(t, s); n != 3 {
			t.Fatalf("%d people after re-import, want 3", n)
		}
		page, _ := s.ListPeople(ctx, org.PeopleFilter{Q: "CB001"}, "")
		if page.People[0].Position != "Phó trưởng phòng" {
			t.Fatalf("position not updated: %+v", page.People[0])
		}
	})
}

func TestImportPeopleRefusesWholeFile(t *testing.T) {
	s, _ := newService(t)
	ctx := provinceAdmin(t, s, "66")
	bad := goodPeople + `CB004,,31/02/1990,99999,,wizard,not-an-email,abc
CB001,Lặp Lại,,24121,,,,
CB005,Người Đồng Nai,,26041,,,,
`
	_, err := s.ImportPeople(ctx, strings.NewReader(bad), "")
	ie, ok := err.(*tabular.ImportError)
	if !ok {
		t.Fatalf("want an import error, got %v", err)
	}
	msgs := strings.Join(ie.Messages(i18n.VI), "\n")
	for _, want := range []string{
		"Dòng 5, cột full_name: không được để trống",
		"Dòng 5, cột birth_date",
		"Dòng 5, cột unit_code: không có đơn vị mã 99999",
		"Dòng 5, cột groups: nhóm \"wizard\" không hợp lệ",
		"Dòng 5, cột email",
		"Dòng 5, cột phone",
		"Dòng 6, cột key: trùng khóa với dòng 2",
		"Dòng 7, cột unit_code: bạn không quản lý đơn vị 26041",
	} {
		if !strings.Contains(msgs, want) {
			t.Errorf("messages lack %q:\n%s", want, msgs)
		}
	}
	if en := strings.Join(ie.Messages(i18n.EN), "\n"); !strings.Contains(en, "Row 7, column unit_code: you do not manage unit 26041") {
		t.Errorf("English messages:\n%s", en)
	}
	if n := countPeople(t, s); n != 0 {
		t.Fatalf("%d people written by a refused import", n)
	}
	t.Run("missing columns are named", func(t *testing.T) {
		_, err := s.ImportPeople(ctx, strings.NewReader("key,name\nA,B\n"), "")
		ie, ok := err.(*tabular.ImportError)
		if !ok || !strings.Contains(strings.Join(ie.Messages(i18n.EN), ";"), "column unit_code: required column missing") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a key owned by another province is not taken over", func(t *testing.T) {
		dn := provinceAdmin(t, s, "75")
		if _, err := s.ImportPeople(dn, strings.NewReader("key,full_name,unit_code\nDN1,Lê Văn C,26041\n"), ""); err != nil {
			t.Fatal(err)
		}
		_, err := s.ImportPeople(ctx, strings.NewReader("key,full_name,unit_code\nDN1,Lê Văn C,24121\n"), "")
		ie, ok := err.(*tabular.ImportError)
		if !ok || !strings.Contains(strings.Join(ie.Messages(i18n.EN), ";"), "Row 2, column key: key DN1 cannot be used; check it") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("no import right", func(t *testing.T) {
		learner := auth.WithPrincipal(context.Background(), &auth.Principal{AccountID: "l"})
		if _, err := s.ImportPeople(learner, strings.NewReader(goodPeople), ""); errs.Code(err) != errs.Forbidden {
			t.Fatalf("learner import: %v", err)
		}
	})
}

func TestImportPeopleXLSXAndExportRoundTrip(t *testing.T) {
	s, _ := newService(t)
	ctx := provinceAdmin(t, s, "66")
	x := excelize.NewFile()
	rows := [][]any{
		{"Mã định danh", "Họ và tên", "Ngày sinh", "Mã đơn vị", "Chức vụ", "Nhóm", "Thư điện tử", "Điện thoại"},
		{"GV01", "Hồ Thị Thu", "02/09/1980", "24121", "Giáo viên", "teacher", "", ""},
		{"GV02", "Đinh Văn Đức", "", "24133", "", "citizen", "", ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		x.SetSheetRow("Sheet1", cell, &r)
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	res, err := s.ImportPeople(ctx, bytes.NewReader(buf.Bytes()), "")
	if err != nil || res.Created != 2 {
		t.Fatalf("xlsx import %+v %v", res, err)
	}
	for _, f := range []tabular.Format{tabular.CSV, tabular.XLSX} {
		var out bytes.Buffer
		if err := s.ExportPeople(ctx, &out, f, org.PeopleFilter{}, i18n.VI, ""); err != nil {
			t.Fatal(err)
		}
		res, err := s.ImportPeople(ctx, bytes.NewReader(out.Bytes()), "")
		if err != nil || res.Created != 0 || res.Updated != 2 {
			t.Fatalf("re-import of %s export: %+v %v", f, res, err)
		}
	}
	page, _ := s.ListPeople(ctx, org.PeopleFilter{Q: "ho thi thu"}, "")
	if len(page.People) != 1 || page.People[0].BirthDate != "1980-09-02" || page.People[0].Position != "Giáo viên" {
		t.Fatalf("after round trips: %+v", page.People)
	}
}

func TestPeopleScope(t *testing.T) {
	s, _ := newService(t)
	sys := auth.WithPrincipal(context.Background(), auth.System())
	if _, err := s.ImportPeople(sys, strings.NewReader("key,full_name,unit_code\nA1,Người A,24121\nB1,Người B,26041\n"), ""); err != nil {
		t.Fatal(err)
	}
	dl := provinceAdmin(t, s, "66")
	page, err := s.ListPeople(dl, org.PeopleFilter{}, "")
	if err != nil || len(page.People) != 1 || page.People[0].Key != "A1" {
		t.Fatalf("Đắk Lắk admin sees %+v %v", page, err)
	}
	if _, err := s.ListPeople(dl, org.PeopleFilter{UnitCode: "75"}, ""); errs.Code(err) != errs.Forbidden {
		t.Fatalf("filter on another province: %v", err)
	}
	all, _ := s.ListPeople(sys, org.PeopleFilter{Q: "B1"}, "")
	if _, err := s.Person(dl, all.People[0].ID, ""); errs.Code(err) != errs.Forbidden {
		t.Fatalf("read person of another province: %v", err)
	}
	var out bytes.Buffer
	if err := s.ExportPeople(dl, &out, tabular.CSV, org.PeopleFilter{}, i18n.EN, ""); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "B1") || !strings.Contains(out.String(), "A1") {
		t.Fatalf("export crosses scope:\n%s", out.String())
	}
	if _, err := s.ListPeople(context.Background(), org.PeopleFilter{}, ""); errs.Code(err) != errs.Unauthorized {
		t.Fatalf("anonymous list: %v", err)
	}
}

// FuzzImportPeople feeds arbitrary files to the people importer: it must
// never panic, and a refused file must leave the database unchanged.
func FuzzImportPeople(f *testing.F) {
	f.Add([]byte(goodPeople))
	f.Add([]byte("key;full_name;unit_code\nA;B;24121\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte("\xef\xbb\xbfkey,full_name,unit_code\n\"unterminated,x,24121\n"))
	f.Add([]byte("key,full_name,unit_code,birth_date\nK,N,24121,45000\n"))
	s, _ := newService(f)
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	f.Fuzz(func(t *testing.T, data []byte) {
		before, _ := s.PeopleCount(context.Background(), mustUnit(t, s, "VN"))
		_, err := s.ImportPeople(ctx, bytes.NewReader(data), "")
		after, _ := s.PeopleCount(context.Background(), mustUnit(t, s, "VN"))
		if err != nil && after != before {
			t.Fatalf("refused import changed the count from %d to %d", before, after)
		}
		if err != nil && errs.Code(err) == errs.Internal {
			t.Fatalf("internal error on outside input: %v", err)
		}
	})
}
