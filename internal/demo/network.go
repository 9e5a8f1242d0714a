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
