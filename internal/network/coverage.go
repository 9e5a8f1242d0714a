package network

import (
	"context"
	"fmt"
	"strings"
	"time"

	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/i18n"
)

// Figures are the network's coverage in one unit's subtree.
type Figures struct {
	UnitID   string `json:"-"`
	UnitCode string `json:"unit_code"`
	UnitName string `json:"unit_name"`
	// Communes in the subtree, and those with a steering committee.
	Communes              int `json:"communes"`
	CommunesWithCommittee int `json:"communes_with_committee"`
	Villages              int `json:"villages"`
	VillagesCovered       int `json:"villages_covered"`
	Committees            int `json:"committees"`
	Teams                 int `json:"teams"`
	Members               int `json:"members"`
	// Population is the sum of the populations recorded in the subtree.
	Population int64 `json:"population"`
	// Months are activities and people helped per month, oldest first.
	Months []Month `json:"months"`
}

// Month is one month's help.
type Month struct {
	Month      string `json:"month"` // YYYY-MM
	Activities int    `json:"activities"`
	People     int    `json:"people"`
}

// CommitteeShare is the percentage of communes with a committee (-1: no
// communes).
func (f *Figures) CommitteeShare() float64 { return share(f.CommunesWithCommittee, f.Communes) }

// VillageShare is the percentage of villages a team covers (-1: none
// recorded).
func (f *Figures) VillageShare() float64 { return share(f.VillagesCovered, f.Villages) }

// PerThousand is members per 1,000 residents (-1: no population).
func (f *Figures) PerThousand() float64 {
	if f.Population <= 0 {
		return -1
	}
	return float64(f.Members) * 1000 / float64(f.Population)
}

// Helped is the people helped over the months shown.
func (f *Figures) Helped() (n int) {
	for _, m := range f.Months {
		n += m.People
	}
	return n
}

func share(a, b int) float64 {
	if b == 0 {
		return -1
	}
	return float64(a) * 100 / float64(b)
}

// Coverage is a unit's figures and those of each unit below it.
type Coverage struct {
	Unit  *org.Unit  `json:"-"`
	Total *Figures   `json:"total"`
	Rows  []*Figures `json:"rows"`
	// Teams are the unit's own teams, for a unit with no units below.
	Teams []*Team `json:"teams,omitempty"`
}

// coverageMonths is how many months the figures cover.
const coverageMonths = 12

// Coverage computes the network's coverage of a unit and of each unit
// directly below it, from the roll-ups: the stock of every unit with a
// network under it, and the help of the last twelve months.
func (s *Service) Coverage(ctx context.Context, unitCode string) (*Coverage, error) {
	u, err := s.unit(ctx, "unit", unitCode)
	if err != nil {
		return nil, err
	}
	if _, err := auth.Authorize(ctx, auth.ViewNetwork, u.Path); err != nil {
		return nil, err
	}
	kids, err := s.Org.Children(ctx, u.ID, "")
	if err != nil {
		return nil, err
	}
	c := &Coverage{Unit: u, Total: &Figures{UnitID: u.ID, UnitCode: u.Code, UnitName: u.NameVI}}
	byPath := map[string]*Figures{}
	var ids []string
	for _, k := range kids {
		if !k.Live() {
			continue
		}
		f := &Figures{UnitID: k.ID, UnitCode: k.Code, UnitName: k.NameVI}
		c.Rows = append(c.Rows, f)
		byPath[k.Path] = f
		ids = append(ids, k.ID)
	}
	// rowOf is the row of the child a path lies under.
	rowOf := func(path string) *Figures {
		if len(path) <= len(u.Path) {
			return nil
		}
		rest := path[len(u.Path):]
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			return nil
		}
		return byPath[u.Path+rest[:i+1]]
	}
	isCommune, err := s.Org.PathsOfTypes(ctx, u.Path, []string{org.TypeCommune})
	if err != nil {
		return nil, err
	}
	for _, path := range isCommune {
		c.Total.Communes++
		if f := rowOf(path); f != nil {
			f.Communes++
		}
	}
	err = db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var id, path string
		var committees, teams, members, villages, covered int
		var population int64
		if err := r.Scan(&id, &path, &committees, &teams, &members, &villages, &covered, &population); err != nil {
			return err
		}
		for _, f := range []*Figures{c.Total, rowOf(path)} {
			if f == nil {
				continue
			}
			f.Committees += committees
			f.Teams += teams
			f.Members += members
			f.Villages += villages
			f.VillagesCovered += covered
			f.Population += population
			if _, commune := isCommune[id]; committees > 0 && commune {
				f.CommunesWithCommittee++
			}
		}
		return nil
	}, `SELECT unit_id, unit_path, committees, teams, members, villages, villages_covered, population FROM net_unit_stats WHERE unit_path >= $1 AND unit_path < $2`, u.Path, pathEnd(u.Path))
	if err != nil {
		return nil, fmt.Errorf("coverage %s: %w", u.Code, err)
	}
	if err := s.months(ctx, c, append(ids, u.ID)); err != nil {
		return nil, err
	}
	if len(c.Rows) == 0 {
		if c.Teams, err = s.teamsUnder(ctx, []string{u.Path}, Filter{Limit: 500}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// months fills in the last months' help of the total and the rows.
func (s *Service) months(ctx context.Context, c *Coverage, ids []string) error {
	now := s.clock().In(i18n.DefaultZone)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, i18n.DefaultZone).AddDate(0, 1-coverageMonths, 0)
	var keys []string
	for i := range coverageMonths {
		keys = append(keys, first.AddDate(0, i, 0).Format("2006-01"))
	}
	byID := map[string]*Figures{c.Total.UnitID: c.Total}
	for _, f := range append([]*Figures{c.Total}, c.Rows...) {
		byID[f.UnitID] = f
		f.Months = make([]Month, len(keys))
		for i, k := range keys {
			f.Months[i].Month = k
		}
	}
	args := []any{keys[0]}
	marks := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		marks[i] = fmt.Sprintf("$%d", i+2)
	}
	return db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var id, month string
		var n, people int
		if err := r.Scan(&id, &month, &n, &people); err != nil {
			return err
		}
		if f := byID[id]; f != nil {
			for i := range f.Months {
				if f.Months[i].Month == month {
					f.Months[i].Activities, f.Months[i].People = n, people
				}
			}
		}
		return nil
	}, `SELECT unit_id, month, activities, people FROM net_months WHERE month >= $1 AND unit_id IN (`+strings.Join(marks, ",")+`)`, args...)
}

// Sources of monitoring's computed elements that the network gives, each
// counted in the unit that holds it (monitoring adds units up the tree).
const (
	SourceCommittees      = "network.committee_communes" // communes with a steering committee (stock)
	SourceTeams           = "network.teams"              // community teams (stock)
	SourceMembers         = "network.members"            // current members (stock)
	SourceVillages        = "network.villages"           // villages recorded (stock)
	SourceVillagesCovered = "network.villages_covered"   // villages a team covers (stock)
	SourcePopulation      = "network.population"         // population recorded (stock)
	SourceActivities      = "network.activities"         // help logged in the year (flow)
	SourceHelped          = "network.helped"             // people helped in the year (flow)
)

// MonitorCounts are the network's figures of a year for monitoring: the
// stock as it stands and the help logged in the year, per unit (the total
// only: no categories).
func (s *Service) MonitorCounts(ctx context.Context, year int) (map[string][]org.UnitCount, error) {
	out := map[string][]org.UnitCount{}
	add := func(src, unit string, n int64) {
		if n != 0 {
			out[src] = append(out[src], org.UnitCount{UnitID: unit, N: n})
		}
	}
	communes, err := s.communeIDs(ctx)
	if err != nil {
		return nil, err
	}
	err = db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var id string
		var committees, teams, members, villages, covered, population int64
		if err := r.Scan(&id, &committees, &teams, &members, &villages, &covered, &population); err != nil {
			return err
		}
		if committees > 0 && communes[id] {
			add(SourceCommittees, id, 1)
		}
		add(SourceTeams, id, teams)
		add(SourceMembers, id, members)
		add(SourceVillages, id, villages)
		add(SourceVillagesCovered, id, covered)
		add(SourcePopulation, id, population)
		return nil
	}, `SELECT unit_id, committees, teams, members, villages, villages_covered, population FROM net_unit_stats`)
	if err != nil {
		return nil, err
	}
	err = db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var id string
		var n, people int64
		if err := r.Scan(&id, &n, &people); err != nil {
			return err
		}
		add(SourceActivities, id, n)
		add(SourceHelped, id, people)
		return nil
	}, `SELECT unit_id, SUM(activities), SUM(people) FROM net_months_own WHERE month >= $1 AND month <= $2 GROUP BY unit_id`, fmt.Sprintf("%04d-01", year), fmt.Sprintf("%04d-12", year))
	return out, err
}

// communeIDs are the ids of the live communes.
func (s *Service) communeIDs(ctx context.Context) (map[string]bool, error) {
	nation, err := s.Org.Nation(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := s.Org.PathsOfTypes(ctx, nation.Path, []string{org.TypeCommune})
	out := make(map[string]bool, len(cs))
	for id := range cs {
		out[id] = true
	}
	return out, err
}
