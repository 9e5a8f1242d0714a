// Package demo seeds a database with the real organisation tree and a small,
// believable set of ministries, people and accounts, so that a newcomer can
// try every capability. It uses only the rooms' exported services.
package demo

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"math/rand/v2"
	"time"

	"dxhub/internal/assessment"
	"dxhub/internal/learning"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/files"
	"dxhub/internal/skills"
)

// UnitsCSV is Vietnam's two-tier administrative tree (34 provinces, 3,321
// communes) from the MIT-licensed vietnamese-provinces-database; its LICENSE
// is kept beside it in data/vn-admin-units.
//
//go:embed data/vn-admin-units/units.csv
var UnitsCSV []byte

// MergesCSV lists the 63 provinces before 1 July 2025 and the province
// each became part of (Resolution 202/2025/QH15); see the data README.
//
//go:embed data/vn-admin-units/province-merges-2025.csv
var MergesCSV []byte

// Resolution2025 is the resolution that reorganised the provinces.
const Resolution2025 = "202/2025/QH15"

// SampleUnitsCSV is a slice of the real tree (two provinces, three
// communes) for tests that need a tree but not all of it.
const SampleUnitsCSV = `code,parent_code,level,kind,name,full_name,name_en,full_name_en
66,,province,Tỉnh,Đắk Lắk,Tỉnh Đắk Lắk,Dak Lak,Dak Lak Province
75,,province,Thành phố,Đồng Nai,Thành phố Đồng Nai,Dong Nai,Dong Nai City
24121,66,commune,Phường,Buôn Ma Thuột,Phường Buôn Ma Thuột,Buon Ma Thuot,Buon Ma Thuot Ward
24133,66,commune,Phường,Tân An,Phường Tân An,Tan An,Tan An Ward
26041,75,commune,Phường,Trấn Biên,Phường Trấn Biên,Tran Bien,Tran Bien Ward
`

// Password is the password of every demo account. It is printed at start-up
// and only ever used on demo databases.
const Password = "dxhub-demo-2026"

// Account is a demo sign-in.
type Account struct {
	Username, Name, Role, UnitCode, Note string
}

// Accounts has one account for each role.
var Accounts = []Account{
	{"admin", "Quản trị quốc gia", string(auth.NationalAdmin), org.NationCode, "whole country"},
	{"daklak.admin", "Nguyễn Thị Hoa", string(auth.UnitAdmin), "66", "Đắk Lắk province"},
	{"dongnai.admin", "Trần Văn Minh", string(auth.UnitAdmin), "75", "Đồng Nai (incl. old Bình Phước)"},
	{"author", "Lê Thu Trang", string(auth.Author), "VN", "national content author (item bank, standards)"},
	{"examadmin", "Phạm Quốc Bảo", string(auth.ExamAdmin), "66", "exam administrator, Đắk Lắk"},
	{"proctor", "Võ Thị Lan", string(auth.Proctor), "66", "proctor, Đắk Lắk"},
	{"reporter", "Đặng Văn Tùng", string(auth.Reporter), "", "reporter of the first commune of Đắk Lắk"},
	{"expert", "Bùi Minh Khoa", string(auth.Expert), "66", "DX expert"},
	{"daklak.editor", "Đinh Thị Ngọc", string(auth.Editor), "66", "library and news editor, Đắk Lắk"},
	{"learner", "Hoàng Thị Mai", "", "", "citizen learner"},
}

// extraUnits are non-territorial units: ministries, a provincial
// department, a university, a school and a state enterprise.
var extraUnits = []org.NewUnit{
	{Code: "BKHCN", Type: org.TypeMinistry, NameVI: "Bộ Khoa học và Công nghệ", NameEN: "Ministry of Science and Technology", ParentCode: org.NationCode},
	{Code: "BGDDT", Type: org.TypeMinistry, NameVI: "Bộ Giáo dục và Đào tạo", NameEN: "Ministry of Education and Training", ParentCode: org.NationCode},
	{Code: "BVHTTDL", Type: org.TypeMinistry, NameVI: "Bộ Văn hóa, Thể thao và Du lịch", NameEN: "Ministry of Culture, Sports and Tourism", ParentCode: org.NationCode},
	{Code: "BNV", Type: org.TypeMinistry, NameVI: "Bộ Nội vụ", NameEN: "Ministry of Home Affairs", ParentCode: org.NationCode},
	{Code: "NHNN", Type: org.TypeMinistryAgency, NameVI: "Ngân hàng Nhà nước Việt Nam", NameEN: "State Bank of Vietnam", ParentCode: org.NationCode},
	{Code: "66-SKHCN", Type: org.TypeDepartment, NameVI: "Sở Khoa học và Công nghệ tỉnh Đắk Lắk", NameEN: "Dak Lak Department of Science and Technology", ParentCode: "66"},
	{Code: "66-SGDDT", Type: org.TypeDepartment, NameVI: "Sở Giáo dục và Đào tạo tỉnh Đắk Lắk", NameEN: "Dak Lak Department of Education and Training", ParentCode: "66"},
	{Code: "DHTN", Type: org.TypeUniversity, NameVI: "Trường Đại học Tây Nguyên", NameEN: "Tay Nguyen University", ParentCode: "BGDDT", Classes: []string{"public_university"}},
	{Code: "66-THPT-BMT", Type: org.TypeSchool, NameVI: "Trường THPT Buôn Ma Thuột", NameEN: "Buon Ma Thuot Upper Secondary School", ParentCode: "66-SGDDT", Classes: []string{"upper_secondary"}},
	{Code: "VNPT", Type: org.TypeEnterprise, NameVI: "Tập đoàn Bưu chính Viễn thông Việt Nam", NameEN: "VNPT Group", ParentCode: org.NationCode, Classes: []string{"state_enterprise"}},
}

// Services are the rooms the demo fills.
type Services struct {
	Org    *org.Service
	Auth   *auth.Service
	Skills *skills.Service
	Bank   *assessment.Bank
	Exams  *assessment.Exams
	Learn  *learning.Service
	Files  files.Store
}

// Seed loads the tree, the extra units, the 2025 merges, people, one
// account per role and an item bank. It is meant for an empty database.
func Seed(ctx context.Context, svc Services, people int) error {
	o, a := svc.Org, svc.Auth
	ctx = auth.WithPrincipal(ctx, auth.System())
	if _, err := o.ImportUnits(ctx, bytes.NewReader(UnitsCSV)); err != nil {
		return fmt.Errorf("import units: %w", err)
	}
	for _, u := range extraUnits {
		if _, err := o.CreateUnit(ctx, u); err != nil {
			return fmt.Errorf("unit %s: %w", u.Code, err)
		}
	}
	// The whole 2025 reorganisation of provinces: old names find their
	// successors and old targets (targets-146.csv) still read.
	if _, err := o.RecordReorganisation(ctx, bytes.NewReader(MergesCSV), Resolution2025); err != nil {
		return fmt.Errorf("2025 reorganisation: %w", err)
	}
	if err := SeedPeople(ctx, o, people, 1); err != nil {
		return err
	}
	daklak, err := o.UnitByCode(ctx, "66")
	if err != nil {
		return err
	}
	communes, err := o.Children(ctx, daklak.ID, "")
	if err != nil {
		return err
	}
	for _, acc := range Accounts {
		unit := acc.UnitCode
		if acc.Role == string(auth.Reporter) {
			unit = communes[0].Code
		}
		if _, err := a.CreateAccount(ctx, auth.NewAccount{Username: acc.Username, DisplayName: acc.Name, Email: acc.Username + "@demo.dxhub.vn", Password: Password}); err != nil {
			return err
		}
		if acc.Role != "" {
			u, err := o.UnitByCode(ctx, unit)
			if err != nil {
				return err
			}
			if _, err := a.GrantRole(ctx, acc.Username, auth.Role(acc.Role), u.ID, u.Path, ""); err != nil {
				return fmt.Errorf("grant %s: %w", acc.Username, err)
			}
		}
	}
	if svc.Bank == nil {
		return nil
	}
	principal := func(username string) (*auth.Principal, error) {
		acc, err := a.AccountByUsername(ctx, username)
		if err != nil {
			return nil, err
		}
		return a.Principal(ctx, acc.ID)
	}
	author, err := principal("author")
	if err != nil {
		return err
	}
	reviewer, err := principal("admin")
	if err != nil {
		return err
	}
	std, err := svc.Skills.Latest(ctx, "VN-DSF")
	if err != nil {
		return err
	}
	if _, err = SeedItems(ctx, svc.Bank, std, author, reviewer); err != nil {
		return err
	}
	if svc.Exams == nil {
		return nil
	}
	// An open practice session any signed-in account can take at once.
	examiner := auth.WithPrincipal(ctx, reviewer)
	b := &assessment.Blueprint{Name: "Sát hạch kỹ năng số cơ bản (30 câu)", StandardCode: std.Code, StandardVersion: std.Version, TimeLimitMin: 30,
		PassPercent: 50, ShuffleItems: true, ShuffleOptions: true, Navigation: assessment.Free}
	for _, a := range std.Areas {
		b.Rules = append(b.Rules, assessment.Rule{Area: a.Code, Count: 5})
	}
	if err := svc.Exams.SaveBlueprint(examiner, b); err != nil {
		return fmt.Errorf("demo blueprint: %w", err)
	}
	now := time.Now()
	s := &assessment.Session{BlueprintID: b.ID, Name: "Ca thi thử mở cho mọi người", OpensAt: now.Add(-time.Hour).UnixMilli(), ClosesAt: now.Add(30 * 24 * time.Hour).UnixMilli(),
		Eligibility: assessment.EligibleOpen, ReviewPolicy: assessment.ReviewAnswers}
	if err := svc.Exams.SaveSession(examiner, s); err != nil {
		return fmt.Errorf("demo session: %w", err)
	}
	if svc.Learn == nil {
		return nil
	}
	return SeedCourses(ctx, svc.Learn, svc.Files, author, reviewer)
}

var (
	familyNames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "H'", "Y", "Đinh", "Trịnh"}
	middleNames = []string{"Văn", "Thị", "Minh", "Ngọc", "Quốc", "Thanh", "Hữu", "Đức", "Thu", "Hoài", "Xuân", "Kim"}
	givenNames  = []string{"An", "Bình", "Châu", "Dũng", "Đạt", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hòa", "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Phương", "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Tuấn", "Uyên", "Vy", "Yến"}
	positions   = []string{"Chuyên viên", "Trưởng phòng", "Phó Chủ tịch UBND", "Công chức văn phòng - thống kê", "Giáo viên", "Kế toán", "Cán bộ địa chính", ""}
	groupSets   = [][]string{{org.GroupCivilServant}, {org.GroupCivilServant, org.GroupLeader}, {org.GroupPublicEmployee}, {org.GroupCivilServant, org.GroupDXStaff}, {org.GroupTeacher, org.GroupPublicEmployee}, {org.GroupStudent}, {org.GroupCitizen}, {org.GroupWorker}}
)

// SeedPeople spreads n generated people over the communes, most in Đắk Lắk
// and Đồng Nai, deterministically for a given seed; their keys are
// DX0000001 to n.
func SeedPeople(ctx context.Context, o *org.Service, n int, seed uint64) error {
	return SeedMorePeople(ctx, o, 0, n, seed)
}

// SeedMorePeople is SeedPeople for a database that holds after people of
// it already: keys go on from after+1 (a benchmark grows its data set).
func SeedMorePeople(ctx context.Context, o *org.Service, after, n int, seed uint64) error {
	if n <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, 146))
	var units []*org.Unit
	nation, err := o.Nation(ctx)
	if err != nil {
		return err
	}
	provinces, err := o.Children(ctx, nation.ID, "")
	if err != nil {
		return err
	}
	weight := map[string]int{"66": 8, "75": 4}
	for _, p := range provinces {
		kids, err := o.Children(ctx, p.ID, "")
		if err != nil {
			return err
		}
		if len(kids) == 0 {
			kids = []*org.Unit{p}
		}
		for w := 0; w < max(weight[p.Code], 1); w++ {
			units = append(units, kids...)
		}
	}
	const batch = 5000
	people := make([]org.Person, 0, batch)
	for i := 0; i < n; i++ {
		u := units[rng.IntN(len(units))]
		name := familyNames[rng.IntN(len(familyNames))] + " " + middleNames[rng.IntN(len(middleNames))] + " " + givenNames[rng.IntN(len(givenNames))]
		people = append(people, org.Person{
			Key: fmt.Sprintf("DX%07d", after+i+1), FullName: name, UnitID: u.ID,
			BirthDate: fmt.Sprintf("%04d-%02d-%02d", 1965+rng.IntN(40), 1+rng.IntN(12), 1+rng.IntN(28)),
			Position:  positions[rng.IntN(len(positions))], Groups: groupSets[rng.IntN(len(groupSets))],
		})
		if len(people) == batch || i == n-1 {
			if err := o.SavePeople(ctx, people); err != nil {
				return err
			}
			people = people[:0]
		}
	}
	return nil
}
