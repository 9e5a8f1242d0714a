package lrs

import (
	"context"
	"fmt"
)

// ForgetName takes the name out of the statements whose actor (or whose
// object, as an agent) is the agent with key, when the person behind it
// deletes their account. xAPI treats statements as immutable, but a
// person's right to have their data erased comes first; the identifier
// stays (dxhub's own is an opaque account id, anonymous once the account
// is gone) so the statements still count in reports. Voided statements,
// which no query returns, are left as they are. It answers how many
// statements changed.
func (s *Store) ForgetName(ctx context.Context, key string) (int, error) {
	if key == "" {
		return 0, nil
	}
	var ids []string
	q := Query{Agent: key, Limit: MaxLimit, Ascending: true}
	for {
		page, err := s.Find(ctx, q)
		if err != nil {
			return 0, err
		}
		for _, raw := range page.Statements {
			var st obj
			if err := decode(raw, &st); err != nil {
				return 0, err
			}
			if id, _ := st["id"].(string); id != "" {
				ids = append(ids, id)
			}
		}
		if page.Next == 0 {
			break
		}
		q.After = page.Next
	}
	n := 0
	for _, id := range ids {
		changed, err := s.forgetNameIn(ctx, id, key)
		if err != nil {
			return n, fmt.Errorf("statement %s: %w", id, err)
		}
		if changed {
			n++
		}
	}
	return n, nil
}

// forgetNameIn rewrites one stored statement (as stored, not as a query
// formats it) without the agent's name.
func (s *Store) forgetNameIn(ctx context.Context, id, key string) (bool, error) {
	var body string
	var packed []byte
	if err := s.DB.R.QueryRowContext(ctx, `SELECT body, bodyz FROM xapi_statements WHERE id = $1`, id).Scan(&body, &packed); err != nil {
		return false, err
	}
	raw, err := storedJSON(body, packed)
	if err != nil {
		return false, err
	}
	var st obj
	if err := decode(raw, &st); err != nil {
		return false, err
	}
	changed := false
	for _, field := range []string{"actor", "object"} {
		if a, ok := st[field].(obj); ok && AgentKey(a) == key {
			if _, named := a["name"]; named {
				delete(a, "name")
				changed = true
			}
		}
	}
	if !changed {
		return false, nil
	}
	out, err := marshal(st)
	if err != nil {
		return false, err
	}
	_, err = s.DB.W.ExecContext(ctx, `UPDATE xapi_statements SET body = '', bodyz = $1 WHERE id = $2`, pack(out), id)
	return err == nil, err
}
