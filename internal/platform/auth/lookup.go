package auth

import (
	"context"

	"dxhub/internal/platform/db"
)

// Other rooms keep an account's id with their records; these answer what
// they show or send about accounts, so that no room reads the accounts
// table itself.

type accountRef struct{ id, value string }

func scanRef(r db.Scanner) (accountRef, error) {
	var a accountRef
	err := r.Scan(&a.id, &a.value)
	return a, err
}

// lookup runs a two-column query (account id, value) over ids, a
// thousand ids a query.
func (s *Service) lookup(ctx context.Context, query string, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), 1000)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		refs, err := db.Query(ctx, s.DB.R, scanRef, query+` IN (`+db.Numbered(1, n)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, r := range refs {
			out[r.id] = r.value
		}
		ids = ids[n:]
	}
	return out, nil
}

// DisplayNames maps account ids to the names they show.
func (s *Service) DisplayNames(ctx context.Context, ids []string) (map[string]string, error) {
	return s.lookup(ctx, `SELECT id, display_name FROM accounts WHERE id`, ids)
}

// Usernames maps account ids to their user names.
func (s *Service) Usernames(ctx context.Context, ids []string) (map[string]string, error) {
	return s.lookup(ctx, `SELECT id, username FROM accounts WHERE id`, ids)
}

// PersonsOf maps account ids to the person records they are linked to
// (accounts without one are left out).
func (s *Service) PersonsOf(ctx context.Context, ids []string) (map[string]string, error) {
	return s.lookup(ctx, `SELECT id, person_id FROM accounts WHERE person_id IS NOT NULL AND id`, ids)
}

// EmailOf is an account's e-mail address, empty when it has none.
func (s *Service) EmailOf(ctx context.Context, accountID string) (string, error) {
	m, err := s.lookup(ctx, `SELECT id, email FROM accounts WHERE email <> '' AND id`, []string{accountID})
	return m[accountID], err
}

// EmailOfPerson is the e-mail address reminders may be sent to for a
// person record: that of an account linked to it, unless the account has
// withdrawn its consent to reminders; empty when there is none.
func (s *Service) EmailOfPerson(ctx context.Context, personID string) (string, error) {
	m, err := s.lookup(ctx, `SELECT person_id, email FROM accounts WHERE email <> ''
		AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.account_id = accounts.id AND c.kind = 'reminders' AND c.granted = 0) AND person_id`, []string{personID})
	return m[personID], err
}

// AllAccountsOfPersons lists every account linked to each person record
// (a person may have several: signed up, then activated by the office).
func (s *Service) AllAccountsOfPersons(ctx context.Context, personIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	for len(personIDs) > 0 {
		n := min(len(personIDs), 1000)
		args := make([]any, n)
		for i, id := range personIDs[:n] {
			args[i] = id
		}
		refs, err := db.Query(ctx, s.DB.R, scanRef, `SELECT person_id, id FROM accounts WHERE person_id IN (`+db.Numbered(1, n)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, r := range refs {
			out[r.id] = append(out[r.id], r.value)
		}
		personIDs = personIDs[n:]
	}
	return out, nil
}

// PerPerson adds up, for each person record, what count finds for the
// accounts linked to it (a room counting its own records of accounts:
// courses completed, certificates held). People without an account are
// left out.
func (s *Service) PerPerson(ctx context.Context, personIDs []string, count func(accountIDs []string) (map[string]int, error)) (map[string]int, error) {
	accounts, err := s.AllAccountsOfPersons(ctx, personIDs)
	if err != nil {
		return nil, err
	}
	personOf := map[string]string{}
	var ids []string
	for person, list := range accounts {
		for _, a := range list {
			personOf[a] = person
			ids = append(ids, a)
		}
	}
	out := map[string]int{}
	if len(ids) == 0 {
		return out, nil
	}
	byAccount, err := count(ids)
	for a, n := range byAccount {
		out[personOf[a]] += n
	}
	return out, err
}

// AccountsOfPersons maps person records to the accounts linked to them
// (people without one are left out).
func (s *Service) AccountsOfPersons(ctx context.Context, personIDs []string) (map[string]string, error) {
	return s.lookup(ctx, `SELECT person_id, id FROM accounts WHERE person_id`, personIDs)
}

// SignUpsBetween counts the accounts made in [from, to) (a nation-wide
// campaign's figure).
func (s *Service) SignUpsBetween(ctx context.Context, from, to int64) (int, error) {
	var n int
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts WHERE created_at >= $1 AND created_at < $2`, from, to).Scan(&n)
	return n, err
}
