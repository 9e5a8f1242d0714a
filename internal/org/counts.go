package org

import (
	"bytes"
	"cmp"
	"context"
	"dxhub/internal/platform/db"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"

	"dxhub/internal/platform/errs"
)

// UnitCount is how many people of a unit (and of one group, "" for all)
// something counts. Monitoring reads its computed values as these.
type UnitCount struct {
	UnitID string
	Group  string
	N      int64
}

// PeopleCounts returns the number of people per unit, in total and per
// group, reading the (unit_id, groups) index in order.
func (s *Service) PeopleCounts(ctx context.Context) ([]UnitCount, error) {
	t := NewTally()
	err := db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var unit, groups string
		var n int64
		if err := r.Scan(&unit, &groups, &n); err != nil {
			return err
		}
		t.addPlaced(unit, groups, n)
		return nil
	}, `SELECT unit_id, groups, COUNT(*) FROM people GROUP BY unit_id, groups`)
	if err != nil {
		return nil, fmt.Errorf("people counts: %w", err)
	}
	return t.Counts(), nil
}

// Tally counts distinct people per unit, in total and per group, from
// records that carry where their person sat (unit id and comma-separated
// groups) when they were made. A person counts once however many records
// they have; records without a unit (accounts without a person) are not
// counted: monitoring counts people.
type Tally struct {
	seen   byteSet
	placed byteSet // unit + "\x00" + groups
	n      []int64 // people per placement, in the order placed holds them
	key    []byte
}

// NewTally returns an empty tally.
func NewTally() *Tally { return &Tally{} }

// Add counts the person behind who (an account or person id) at unit with
// groups, unless they were already counted. The byte slices may be reused
// by the caller afterwards (sql.RawBytes).
func (t *Tally) Add(who, unit, groups []byte) {
	if len(unit) == 0 {
		return
	}
	if _, fresh := t.seen.add(who); !fresh {
		return
	}
	t.key = append(append(append(t.key[:0], unit...), 0), groups...)
	t.addKey(1)
}

// addKey adds n people at the placement in t.key; looking it up does not
// copy the key, only a new placement does.
func (t *Tally) addKey(n int64) {
	if i, fresh := t.placed.add(t.key); fresh {
		t.n = append(t.n, n)
	} else {
		t.n[i] += n
	}
}

// byteSet is a set of short byte strings kept in one arena, for the
// millions of ids a recompute meets: no allocation per key, as a Go map of
// strings would make.
type byteSet struct {
	seed  maphash.Seed
	arena []byte
	ends  []uint32 // key i is arena[ends[i-1]:ends[i]]
	slots []uint64 // open addressing: 0 empty, else hash's top 32 bits, key index + 1
}

func (s *byteSet) key(i uint32) []byte {
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	return s.arena[start:s.ends[i]]
}

// add puts k in the set: its index (in the order keys came), and whether
// it was not there before.
func (s *byteSet) add(k []byte) (uint32, bool) {
	if 2*(len(s.ends)+1) > len(s.slots) {
		s.grow()
	}
	h := maphash.Bytes(s.seed, k)
	top, mask := h&^0xffffffff, uint64(len(s.slots)-1)
	for i := h & mask; ; i = (i + 1) & mask {
		v := s.slots[i]
		if v == 0 {
			s.arena = append(s.arena, k...)
			s.ends = append(s.ends, uint32(len(s.arena)))
			s.slots[i] = top | uint64(len(s.ends))
			return uint32(len(s.ends) - 1), true
		}
		if v&^0xffffffff == top && bytes.Equal(s.key(uint32(v)-1), k) {
			return uint32(v) - 1, false
		}
	}
}

func (s *byteSet) grow() {
	if len(s.slots) == 0 {
		s.seed = maphash.MakeSeed()
	}
	slots := make([]uint64, max(1<<16, 2*len(s.slots)))
	mask := uint64(len(slots) - 1)
	for k := range s.ends {
		h := maphash.Bytes(s.seed, s.key(uint32(k)))
		i := h & mask
		for slots[i] != 0 {
			i = (i + 1) & mask
		}
		slots[i] = h&^0xffffffff | uint64(k+1)
	}
	s.slots = slots
}

func (t *Tally) addPlaced(unit, groups string, n int64) {
	t.key = append(append(append(t.key[:0], unit...), 0), groups...)
	t.addKey(n)
}

// Counts returns the tally per unit ("" group: everyone) and per group.
func (t *Tally) Counts() []UnitCount {
	sum := map[[2]string]int64{}
	for i, n := range t.n {
		unit, groups, _ := strings.Cut(string(t.placed.key(uint32(i))), "\x00")
		sum[[2]string{unit, ""}] += n
		for _, g := range splitGroups(groups) {
			sum[[2]string{unit, g}] += n
		}
	}
	out := make([]UnitCount, 0, len(sum))
	for k, n := range sum {
		out = append(out, UnitCount{UnitID: k[0], Group: k[1], N: n})
	}
	slices.SortFunc(out, func(a, b UnitCount) int {
		return cmp.Or(strings.Compare(a.UnitID, b.UnitID), strings.Compare(a.Group, b.Group))
	})
	return out
}

// LeafID is the id of the unit a path ends at ("/a/b/" → "b").
func LeafID(path string) string {
	path = strings.TrimSuffix(path, "/")
	return path[strings.LastIndexByte(path, '/')+1:]
}

// AllUnits returns every unit, live and dissolved, in path order.
func (s *Service) AllUnits(ctx context.Context) ([]*Unit, error) {
	return s.queryUnits(ctx, s.DB.R, `SELECT `+unitCols+` FROM units u ORDER BY u.path`)
}

// UnitsOfTypes returns the live units of the given types inside the
// subtree at path.
func (s *Service) UnitsOfTypes(ctx context.Context, path string, types []string) ([]*Unit, error) {
	args := []any{s.DB.Dialect.PrefixPattern(path)}
	for _, t := range types {
		args = append(args, t)
	}
	return s.queryUnits(ctx, s.DB.R, `SELECT `+unitCols+` FROM units u WHERE `+s.DB.Dialect.PrefixMatch("u.path", 1)+
		` AND u.valid_to = '' AND u.type IN (`+db.Numbered(2, len(types))+`) ORDER BY u.path`, args...)
}

// PathsOfTypes maps the live units of the given types inside the subtree
// at path to their paths: UnitsOfTypes without the rest of each unit, for
// counting units under each part of a subtree.
func (s *Service) PathsOfTypes(ctx context.Context, path string, types []string) (map[string]string, error) {
	args := []any{s.DB.Dialect.PrefixPattern(path)}
	for _, t := range types {
		args = append(args, t)
	}
	out := map[string]string{}
	err := db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var id, p string
		if err := r.Scan(&id, &p); err != nil {
			return err
		}
		out[id] = p
		return nil
	}, `SELECT u.id, u.path FROM units u WHERE `+s.DB.Dialect.PrefixMatch("u.path", 1)+` AND u.valid_to = '' AND u.type IN (`+db.Numbered(2, len(types))+`)`, args...)
	return out, err
}

// ParentsAsOf maps every unit to the unit its data rolled up into on date
// (YYYY-MM-DD): its parent then if it existed, its successor if it had been
// dissolved by then, its current parent otherwise.
func (s *Service) ParentsAsOf(ctx context.Context, date string) (map[string]string, error) {
	if !validDate(date) {
		return nil, errs.Field("as_of", "org.bad_date", date)
	}
	out := map[string]string{}
	err := db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var id, parent, from, to, succ string
		if err := r.Scan(&id, &parent, &from, &to, &succ); err != nil {
			return err
		}
		if to != "" && to <= date && succ != "" {
			parent = succ
		}
		out[id] = parent
		return nil
	}, `SELECT id, COALESCE(parent_id, ''), valid_from, valid_to, COALESCE(successor_id, '') FROM units`)
	if err != nil {
		return nil, err
	}
	err = db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var id, parent string
		if err := r.Scan(&id, &parent); err != nil {
			return err
		}
		out[id] = parent
		return nil
	}, `SELECT l.unit_id, l.parent_id FROM unit_links l JOIN units u ON u.id = l.unit_id
		WHERE l.valid_from <= $1 AND (l.valid_to = '' OR l.valid_to > $1) AND (u.valid_to = '' OR u.valid_to > $1)`, date)
	return out, err
}
