package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"dxhub/internal/network"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/i18n"
)

// NetworkAccount is the demo's community team leader: a person of the
// tree with an account, who logs help from /network/log.
var NetworkAccount = Account{"totruong", "Y Phương Niê", "", "", "leader of a community digital technology team (logs help from /network/log)"}

// demoVillages are names of villages and residential groups as Đắk Lắk's
// communes have them (thôn, buôn, tổ dân phố).
var demoVillages = [][]string{
	{"Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố 3", "Buôn Ko Tam", "Buôn Akõ Dhông"},
	{"Thôn 1", "Thôn 2", "Thôn 3", "Buôn Cuôr Đăng", "Buôn Ea Kmar"},
	{"Thôn Tân Lập", "Thôn Tân Hòa", "Thôn Đoàn Kết", "Buôn Ea Nao"},
	{"Thôn 4", "Thôn 5", "Thôn 6", "Thôn 7"},
}

var demoMembers = []string{"Y Phương Niê", "H'Linh Byă", "Nguyễn Văn Hùng", "Trần Thị Thu", "Lê Văn Bình", "Phạm Thị Hằng", "Y Khoa Ksor", "H'Nga Mlô", "Đỗ Văn Lực", "Vũ Thị Nhung", "Ngô Văn Sơn", "H'Mai Êban"}

var demoServices = []string{"Đăng ký khai sinh trực tuyến", "Cấp đổi giấy phép lái xe", "Đăng ký thường trú", "Nộp thuế đất trực tuyến", "Cấp phiếu lý lịch tư pháp"}

// SeedNetwork gives the first communes of a province villages, a
// steering committee and community teams with members, a population, a
// month of help logged, and an account for the first team's leader.
func SeedNetwork(ctx context.Context, n *network.Service, o *org.Service, a *auth.Service, provinceCode string, now time.Time) error {
	sys := auth.WithPrincipal(ctx, auth.System())
	province, err := o.UnitByCode(ctx, provinceCode)
	if err != nil {
		return err
	}
	communes, err := o.Children(ctx, province.ID, "")
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(66, 2026))
	today := now.In(i18n.DefaultZone)
	var leaderPerson string
	for ci, names := range demoVillages {
		if ci >= len(communes) {
			break
		}
		c := communes[ci]
		var vs []network.Village
		for _, name := range names {
			kind := "village"
			if name[:3] == "Tổ" {
				kind = "residential_group"
			}
			vs = append(vs, network.Village{Name: name, Kind: kind})
		}
		vs, err := n.AddVillages(sys, c.Code, vs)
		if err != nil {
			return fmt.Errorf("villages of %s: %w", c.Code, err)
		}
		if err := n.SetPopulation(sys, c.Code, int64(18000+rng.IntN(30000)), today.AddDate(0, -6, 0).Format(time.DateOnly)); err != nil {
			return err
		}
		if ci < 3 {
			if _, err := n.CreateTeam(sys, network.TeamInput{Kind: network.Committee, UnitCode: c.Code, Name: "Ban chỉ đạo chuyển đổi số " + c.NameVI, FoundedOn: "2025-07-01"}); err != nil {
				return err
			}
		}
		// One team per two villages, leaving the last village uncovered
		// in every other commune (coverage below 100%).
		covered := len(vs)
		if ci%2 == 1 {
			covered--
		}
		for ti := 0; ti*2 < covered; ti++ {
			ids := []string{vs[ti*2].ID}
			if ti*2+1 < covered {
				ids = append(ids, vs[ti*2+1].ID)
			}
			team, err := n.CreateTeam(sys, network.TeamInput{Kind: network.CommunityTeam, UnitCode: c.Code, Name: "Tổ công nghệ số cộng đồng " + vs[ti*2].Name, FoundedOn: "2025-08-15", Villages: ids})
			if err != nil {
				return err
			}
			var mems []*network.Mem
			for k := range 3 + rng.IntN(3) {
				role := network.Member
				if k == 0 {
					role = network.Leader
				}
				name := demoMembers[(ci*7+ti*3+k)%len(demoMembers)]
				m, err := n.AddMember(sys, team.ID, network.MemberInput{FullName: name, Role: role, JoinedOn: "2025-08-15", Phone: fmt.Sprintf("09%08d", rng.IntN(100000000))})
				if err != nil {
					return err
				}
				mems = append(mems, m)
				if leaderPerson == "" {
					leaderPerson = m.PersonID
				}
			}
			for d := range 30 {
				if rng.IntN(3) != 0 {
					continue
				}
				kind := network.ActivityKinds[rng.IntN(len(network.ActivityKinds))]
				act := network.Activity{TeamID: team.ID, VillageID: ids[rng.IntN(len(ids))], DoneOn: today.AddDate(0, 0, -d).Format(time.DateOnly), Kind: kind,
					People: 1 + rng.IntN(12), MemberID: mems[rng.IntN(len(mems))].ID, ClientKey: fmt.Sprintf("demo-%s-%d", team.ID, d)}
				if kind == "public_service" {
					act.Service = demoServices[rng.IntN(len(demoServices))]
				}
				if kind == "skills_session" {
					act.People = 10 + rng.IntN(30)
				}
				if _, err := n.LogActivity(sys, act); err != nil {
					return fmt.Errorf("activity: %w", err)
				}
			}
		}
	}
	if leaderPerson == "" {
		return nil
	}
	_, err = a.CreateAccount(sys, auth.NewAccount{Username: NetworkAccount.Username, DisplayName: NetworkAccount.Name, Email: NetworkAccount.Username + "@demo.dxhub.vn", Password: Password, PersonID: leaderPerson})
	return err
}

// SeedPlans writes the province's implementation plan of the scheme with
// tasks at several states: done, on time, late, not started, and one
// cascaded to communes.
func SeedPlans(ctx context.Context, n *network.Service, o *org.Service, provinceCode string, now time.Time) error {
	sys := auth.WithPrincipal(ctx, auth.System())
	province, err := o.UnitByCode(ctx, provinceCode)
	if err != nil {
		return err
	}
	communes, err := o.Children(ctx, province.ID, "")
	if err != nil {
		return err
	}
	var cs []string
	for _, c := range communes {
		if c.Type == org.TypeCommune && len(cs) < 3 {
			cs = append(cs, c.Code)
		}
	}
	if len(cs) < 3 {
		return nil
	}
	year := now.In(i18n.DefaultZone).Year()
	day := func(d int) string { return now.In(i18n.DefaultZone).AddDate(0, 0, d).Format(time.DateOnly) }
	pl, err := n.CreatePlan(sys, network.PlanInput{UnitCode: provinceCode, Title: fmt.Sprintf("Kế hoạch thực hiện Đề án nâng cao nhận thức, phổ cập kỹ năng số năm %d", year),
		Number: "112/KH-UBND", DecisionRef: "146/QĐ-TTg", SignedOn: fmt.Sprintf("%d-01-20", year),
		Summary: "Các nhiệm vụ của tỉnh để phổ cập kỹ năng số cho người dân, cán bộ và học sinh, và xây dựng mạng lưới tổ công nghệ số cộng đồng đến từng thôn."})
	if err != nil {
		return err
	}
	type spec struct {
		task   network.TaskInput
		report *network.ReportInput
	}
	specs := []spec{
		{network.TaskInput{Title: "Thành lập tổ công nghệ số cộng đồng ở tất cả thôn, buôn, tổ dân phố", LeadUnitCode: cs[0], Coordinating: []string{"66-SKHCN"}, StartOn: fmt.Sprintf("%d-02-01", year), DueOn: day(-20), Output: "Quyết định thành lập tổ; danh sách thành viên", Indicator: "villages_with_team", Budget: "Ngân sách xã"},
			&network.ReportInput{Status: network.InProgress, Percent: 60, Note: "Đã thành lập 9/15 tổ; còn các buôn vùng sâu."}},
		{network.TaskInput{Title: "Tập huấn kỹ năng số cơ bản cho thành viên tổ công nghệ số", LeadUnitCode: "66-SKHCN", StartOn: fmt.Sprintf("%d-03-01", year), DueOn: day(45), Output: "Thành viên tổ được tập huấn, có chứng nhận", Indicator: "trained_members", Budget: "Kinh phí Đề án 146"},
			&network.ReportInput{Status: network.InProgress, Percent: 40, Note: "Đã mở 4 lớp."}},
		{network.TaskInput{Title: "Đưa nội dung kỹ năng số vào hoạt động ngoại khóa của trường trung học", LeadUnitCode: "66-SGDDT", StartOn: fmt.Sprintf("%d-01-15", year), DueOn: day(-60), Output: "Kế hoạch của các trường", Budget: "Ngân sách ngành giáo dục"},
			&network.ReportInput{Status: network.Done, Percent: 100, Note: "Tất cả trường THPT đã triển khai."}},
		{network.TaskInput{Title: "Tổ chức Ngày Chuyển đổi số của tỉnh (10/10)", LeadUnitCode: provinceCode, Coordinating: []string{"66-SKHCN", "66-SGDDT"}, DueOn: day(120), Output: "Chuỗi hoạt động hướng dẫn người dân tại mọi xã"}, nil},
	}
	var ids []string
	for _, sp := range specs {
		t, err := n.AddTask(sys, pl.ID, sp.task)
		if err != nil {
			return err
		}
		ids = append(ids, t.ID)
		if sp.report != nil {
			if _, err := n.Report(sys, pl.ID, t.ID, *sp.report); err != nil {
				return err
			}
		}
	}
	// The DX day is handed to the communes; the first reports progress.
	kids, err := n.Cascade(sys, pl.ID, ids[3], cs)
	if err != nil {
		return err
	}
	_, err = n.Report(sys, pl.ID, kids[0].ID, network.ReportInput{Status: network.InProgress, Percent: 30, Note: "Đã lên danh sách điểm hướng dẫn."})
	return err
}
