package org

import (
	"context"

	"dxhub/internal/platform/db"
	"dxhub/internal/platform/search"
)

// People are found through the shared search index (domain "people"): by
// full name (rank 0) and key (rank 1), scoped by the units above them, so
// that a district's officer searching a common name among millions only
// ever reaches their own subtree in the index itself.

func personDoc(per *Person) search.Doc {
	return search.Doc{ID: per.ID, Fields: []search.Field{{Text: per.FullName, Rank: 0}, {Text: per.Key, Rank: 1, Plain: true}}, Scopes: search.PathScopes(per.UnitPath)}
}

func (s *Service) peopleIndex() *search.Store { return s.Search.Store("people") }

// indexPeople puts people (their ID and UnitPath set) in the index, in the
// transaction that saved them.
func (s *Service) indexPeople(ctx context.Context, tx search.Execer, people []Person) error {
	if s.Search == nil {
		return nil
	}
	docs := make([]search.Doc, len(people))
	for i := range people {
		docs[i] = personDoc(&people[i])
	}
	return s.peopleIndex().Put(ctx, tx, docs...)
}

// reindexPeopleUnder indexes again everyone whose path starts with path,
// after a merge moved them (their scopes changed).
func (s *Service) reindexPeopleUnder(ctx context.Context, tx querier, path string) error {
	if s.Search == nil {
		return nil
	}
	d := s.DB.Dialect
	people, err := db.Query(ctx, tx, func(r db.Scanner) (Person, error) {
		var p Person
		err := r.Scan(&p.ID, &p.FullName, &p.Key, &p.UnitPath)
		return p, err
	}, `SELECT id, full_name, ext_key, unit_path FROM people WHERE `+d.PrefixMatch("unit_path", 1), d.PrefixPattern(path))
	if err != nil {
		return err
	}
	return s.indexPeople(ctx, tx, people)
}

// ReindexPeople fills the people index when it is empty and people exist
// (a database from before search); it reports how many it indexed.
func (s *Service) ReindexPeople(ctx context.Context) (int, error) {
	if s.Search == nil {
		return 0, nil
	}
	return s.peopleIndex().Fill(ctx, func(after string) ([]search.Doc, error) {
		return db.Query(ctx, s.DB.R, func(r db.Scanner) (search.Doc, error) {
			var p Person
			err := r.Scan(&p.ID, &p.FullName, &p.Key, &p.UnitPath)
			return personDoc(&p), err
		}, `SELECT id, full_name, ext_key, unit_path FROM people WHERE id > $1 ORDER BY id LIMIT $2`, after, search.FillBatch)
	})
}

// searchPeople returns the ids of the people q finds among the scopes
// (unit paths), best first, at most max.
func (s *Service) searchPeople(ctx context.Context, q string, scopes []string, max int) ([]string, error) {
	hits, err := s.peopleIndex().Search(ctx, search.Query{Text: q, Scopes: search.ScopesOf(scopes), Limit: max})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out, nil
}
