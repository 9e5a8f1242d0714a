package network

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
)

const teamCols = `t.id, t.kind, t.unit_id, t.unit_path, t.name, t.founded_on, t.dissolved_on, t.updated_at`

func scanTeam(r db.Scanner) (*Team, error) {
	t := &Team{Villages: []Village{}}
	err := r.Scan(&t.ID, &t.Kind, &t.UnitID, &t.UnitPath, &t.Name, &t.FoundedOn, &t.DissolvedOn, &t.UpdatedAt)
	return t, err
}

// rowQuerier reads one row: the database's readers or a transaction.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Service) team(ctx context.Context, q rowQuerier, id string) (*Team, error) {
	t, err := scanTeam(q.QueryRowContext(ctx, `SELECT `+teamCols+` FROM net_teams t WHERE t.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("team %s: %w", id, err)
	}
	return t, nil
}

// name fills in the team's unit code and name.
func (s *Service) name(ctx context.Context, ts ...*Team) error {
	ids := map[string]bool{}
	var list []string
	for _, t := range ts {
		if !ids[t.UnitID] {
			ids[t.UnitID] = true
			list = append(list, t.UnitID)
		}
	}
	us, err := s.Org.UnitsByID(ctx, list)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if u := us[t.UnitID]; u != nil {
			t.UnitCode, t.UnitName = u.Code, u.NameVI
		}
	}
	return nil
}

// teamsUnder lists the teams under any of the paths, by unit then name.
func (s *Service) teamsUnder(ctx context.Context, paths []string, f Filter) ([]*Team, error) {
	var where []string
	var args []any
	for _, p := range paths {
		args = append(args, p, pathEnd(p))
		where = append(where, fmt.Sprintf("(t.unit_path >= $%d AND t.unit_path < $%d)", len(args)-1, len(args)))
	}
	q := `SELECT ` + teamCols + ` FROM net_teams t WHERE (` + strings.Join(where, " OR ") + `)`
	if f.Kind != "" {
		args = append(args, f.Kind)
		q += fmt.Sprintf(" AND t.kind = $%d", len(args))
	}
	args = append(args, f.Limit, f.Offset)
	q += fmt.Sprintf(" ORDER BY t.unit_path, t.name, t.id LIMIT $%d OFFSET $%d", len(args)-1, len(args))
	ts, err := db.Query(ctx, s.DB.R, scanTeam, q, args...)
	if err != nil {
		return nil, err
	}
	return ts, s.name(ctx, ts...)
}

// pathEnd is the first path after every path starting with p ('/' + 1 is
// '0'): a range an index reads, where LIKE would not be.
func pathEnd(p string) string { return strings.TrimSuffix(p, "/") + "0" }

func scanVillage(r db.Scanner) (Village, error) {
	var v Village
	err := r.Scan(&v.ID, &v.UnitID, &v.Name, &v.Kind)
	return v, err
}

func (s *Service) villagesOf(ctx context.Context, q db.Querier, unitID string) ([]Village, error) {
	return db.Query(ctx, q, scanVillage, `SELECT id, unit_id, name, kind FROM net_villages WHERE unit_id = $1 ORDER BY name`, unitID)
}

func (s *Service) teamVillages(ctx context.Context, teamID string) ([]Village, error) {
	vs, err := db.Query(ctx, s.DB.R, scanVillage, `SELECT v.id, v.unit_id, v.name, v.kind FROM net_team_villages tv JOIN net_villages v ON v.id = tv.village_id WHERE tv.team_id = $1 ORDER BY v.name`, teamID)
	if vs == nil {
		vs = []Village{}
	}
	return vs, err
}

func setTeamVillages(ctx context.Context, tx *sql.Tx, teamID string, ids []string) error {
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO net_team_villages (team_id, village_id) VALUES ($1, $2)`, teamID, id); err != nil {
			return err
		}
	}
	return nil
}

const memberCols = `id, team_id, person_id, role, joined_on, left_on, phone, skills`

func scanMember(r db.Scanner) (*Mem, error) {
	m := &Mem{}
	err := r.Scan(&m.ID, &m.TeamID, &m.PersonID, &m.Role, &m.JoinedOn, &m.LeftOn, &m.Phone, &m.Skills)
	return m, err
}

// members are a team's memberships, current first, with names.
func (s *Service) members(ctx context.Context, teamID string) ([]*Mem, error) {
	ms, err := db.Query(ctx, s.DB.R, scanMember, `SELECT `+memberCols+` FROM net_members WHERE team_id = $1 ORDER BY left_on <> '', role, joined_on, id`, teamID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.PersonID)
	}
	names, err := s.Org.PersonNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		m.Name = names[m.PersonID]
	}
	return ms, nil
}

// memberships are a person's current memberships.
func (s *Service) memberships(ctx context.Context, personID string) ([]*Mem, error) {
	today := s.today()
	return db.Query(ctx, s.DB.R, scanMember, `SELECT `+memberCols+` FROM net_members WHERE person_id = $1 AND joined_on <= $2 AND (left_on = '' OR left_on > $2) ORDER BY joined_on`, personID, today)
}

// restat recounts the network's stock of one unit into net_unit_stats.
func restat(ctx context.Context, tx *sql.Tx, unitID, path string) error {
	today := time.Now().Format(time.DateOnly)
	_, err := tx.ExecContext(ctx, `INSERT INTO net_unit_stats (unit_id, unit_path, committees, teams, members, villages, villages_covered, population)
		SELECT $1, $2,
			(SELECT COUNT(*) FROM net_teams WHERE unit_id = $1 AND kind = 'committee' AND (dissolved_on = '' OR dissolved_on > $3)),
			(SELECT COUNT(*) FROM net_teams WHERE unit_id = $1 AND kind = 'community_team' AND (dissolved_on = '' OR dissolved_on > $3)),
			(SELECT COUNT(DISTINCT m.person_id) FROM net_members m JOIN net_teams t ON t.id = m.team_id
				WHERE t.unit_id = $1 AND (t.dissolved_on = '' OR t.dissolved_on > $3) AND (m.left_on = '' OR m.left_on > $3)),
			(SELECT COUNT(*) FROM net_villages WHERE unit_id = $1),
			(SELECT COUNT(DISTINCT tv.village_id) FROM net_team_villages tv JOIN net_teams t ON t.id = tv.team_id
				WHERE t.unit_id = $1 AND (t.dissolved_on = '' OR t.dissolved_on > $3)),
			COALESCE((SELECT population FROM net_population WHERE unit_id = $1), 0)
		ON CONFLICT (unit_id) DO UPDATE SET committees = excluded.committees, teams = excluded.teams, members = excluded.members,
			villages = excluded.villages, villages_covered = excluded.villages_covered, population = excluded.population`, unitID, path, today)
	return err
}

// pendingLog is one activity waiting for the writer; dup is set to the
// stored entry's id when the client key was seen before.
type pendingLog struct {
	a    *Activity
	path string
	dup  string
}

func (s *Service) writer() *db.GroupCommit[*pendingLog] {
	s.once.Do(func() { s.log = db.NewGroupCommit(s.DB, 512, s.writeLogs).Named("network") })
	return s.log
}

// writeLogs stores a batch of activities and adds them to the monthly
// roll-ups of their unit and its ancestors.
func (s *Service) writeLogs(ctx context.Context, tx *sql.Tx, batch []*pendingLog) error {
	sums, own := map[monthKey][2]int64{}, map[monthKey][2]int64{}
	for _, b := range batch {
		a := b.a
		res, err := tx.ExecContext(ctx, `INSERT INTO net_activities (id, team_id, unit_path, village_id, done_on, kind, service, people, note, photo_id, campaign, member_id, logged_by, client_key, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (logged_by, client_key) DO NOTHING`,
			a.ID, a.TeamID, b.path, a.VillageID, a.DoneOn, a.Kind, a.Service, a.People, a.Note, a.PhotoID, a.Campaign, a.MemberID, a.LoggedBy, a.ClientKey, a.CreatedAt)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if err := tx.QueryRowContext(ctx, `SELECT id FROM net_activities WHERE logged_by = $1 AND client_key = $2`, a.LoggedBy, a.ClientKey).Scan(&b.dup); err != nil {
				return err
			}
			continue
		}
		addMonths(sums, own, b.path, a.DoneOn[:7], 1, int64(a.People))
	}
	for _, m := range []struct {
		table string
		sums  map[monthKey][2]int64
	}{{"net_months", sums}, {"net_months_own", own}} {
		for k, v := range m.sums {
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+m.table+` (unit_id, month, activities, people) VALUES ($1, $2, $3, $4)
				ON CONFLICT (unit_id, month) DO UPDATE SET activities = `+m.table+`.activities + excluded.activities, people = `+m.table+`.people + excluded.people`, k.unit, k.month, v[0], v[1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// monthKey is a unit's month in the roll-ups.
type monthKey struct{ unit, month string }

// addMonths adds activities and people helped in a unit (by its path) to
// the month of the unit and each of its ancestors (sums), and of the unit
// alone (own).
func addMonths(sums, own map[monthKey][2]int64, path, month string, n, people int64) {
	ids := strings.Split(strings.Trim(path, "/"), "/")
	for _, u := range ids {
		v := sums[monthKey{u, month}]
		sums[monthKey{u, month}] = [2]int64{v[0] + n, v[1] + people}
	}
	k := monthKey{ids[len(ids)-1], month}
	v := own[k]
	own[k] = [2]int64{v[0] + n, v[1] + people}
}

func scanActivity(r db.Scanner) (*Activity, error) {
	a := &Activity{}
	err := r.Scan(&a.ID, &a.TeamID, &a.VillageID, &a.DoneOn, &a.Kind, &a.Service, &a.People, &a.Note, &a.PhotoID, &a.Campaign, &a.MemberID, &a.ClientKey, &a.CreatedAt)
	return a, err
}

func (s *Service) activitiesOf(ctx context.Context, teamID string, limit int) ([]*Activity, error) {
	return db.Query(ctx, s.DB.R, scanActivity, `SELECT id, team_id, village_id, done_on, kind, service, people, note, photo_id, campaign, member_id, client_key, created_at
		FROM net_activities WHERE team_id = $1 ORDER BY done_on DESC, created_at DESC LIMIT $2`, teamID, limit)
}

// Rebuild recounts every roll-up from the rows: the stock of each unit
// that has teams, villages or a population, and the help per unit and
// month. For bulk loads (a benchmark's data, a restore) that wrote rows
// without them; the national administrator's act.
func (s *Service) Rebuild(ctx context.Context) error {
	nation, err := s.Org.Nation(ctx)
	if err != nil {
		return err
	}
	if _, err := auth.Authorize(ctx, auth.ManageNetwork, nation.Path); err != nil {
		return err
	}
	type unitRef struct{ id, path string }
	units, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (unitRef, error) {
		var u unitRef
		return u, r.Scan(&u.id, &u.path)
	}, `SELECT unit_id, MIN(unit_path) FROM (SELECT unit_id, unit_path FROM net_teams UNION ALL SELECT unit_id, unit_path FROM net_villages) x GROUP BY unit_id`)
	if err != nil {
		return err
	}
	sums, own := map[monthKey][2]int64{}, map[monthKey][2]int64{}
	err = db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var path, month string
		var n, people int64
		if err := r.Scan(&path, &month, &n, &people); err != nil {
			return err
		}
		addMonths(sums, own, path, month, n, people)
		return nil
	}, `SELECT unit_path, substr(done_on, 1, 7), COUNT(*), SUM(people) FROM net_activities GROUP BY unit_path, substr(done_on, 1, 7)`)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM net_unit_stats`, `DELETE FROM net_months`, `DELETE FROM net_months_own`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		for _, u := range units {
			if err := restat(ctx, tx, u.id, u.path); err != nil {
				return err
			}
		}
		for _, m := range []struct {
			table string
			sums  map[monthKey][2]int64
		}{{"net_months", sums}, {"net_months_own", own}} {
			for k, v := range m.sums {
				if _, err := tx.ExecContext(ctx, `INSERT INTO `+m.table+` (unit_id, month, activities, people) VALUES ($1, $2, $3, $4)`, k.unit, k.month, v[0], v[1]); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
