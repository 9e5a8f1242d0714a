// Package audit records who signed in, who changed roles, who imported what
// and who viewed or exported other people's personal data, and lets
// administrators read the entries within their subtree.
package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"dxhub/internal/platform/db"
)

// Actions recorded.
const (
	SignIn          = "sign_in"
	SignInFailed    = "sign_in_failed"
	SignOut         = "sign_out"
	AccountLocked   = "account_locked"
	AccountUnlocked = "account_unlocked"
	PasswordChange  = "password_change"
	PasswordReset   = "password_reset"
	RoleGrant       = "role_grant"
	RoleRevoke      = "role_revoke"
	TokenCreate     = "token_create"
	TokenRevoke     = "token_revoke"
	Import          = "import"
	ViewPerson      = "view_person"
	ListPeople      = "list_people"
	ExportPeople    = "export_people"
	AccountCreate   = "account_create"
)

// Entry is one line of the log. UnitPath places it in the tree so that a
// unit administrator reads the entries of their subtree only.
type Entry struct {
	ID         string `json:"id"`
	At         int64  `json:"at"`
	ActorID    string `json:"actor_id"`
	ActorName  string `json:"actor_name"`
	Action     string `json:"action"`
	ObjectType string `json:"object_type"`
	ObjectID   string `json:"object_id"`
	UnitPath   string `json:"-"`
	Detail     string `json:"detail"`
	IP         string `json:"ip"`
	RequestID  string `json:"request_id"`
}

// Log writes audit entries. Entries from concurrent requests are committed
// together (group commit): listing people audits every request, and one
// commit per request would make the audit log the bottleneck.
type Log struct {
	DB    *db.DB
	once  sync.Once
	group *db.GroupCommit[Entry]
}

// Record writes e and returns once it is committed. An audit write that
// fails fails the request that caused it: access to personal data that
// cannot be logged is not given.
func (l *Log) Record(ctx context.Context, e Entry) error {
	if e.ID == "" {
		e.ID = db.NewID()
	}
	if e.At == 0 {
		e.At = db.Now()
	}
	l.once.Do(func() { l.group = db.NewGroupCommit(l.DB, 256, insertEntries).Named("audit") })
	if err := l.group.Do(ctx, e); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// Close stops the writer.
func (l *Log) Close() {
	l.once.Do(func() {})
	if l.group != nil {
		l.group.Close()
	}
}

func insertEntries(ctx context.Context, tx *sql.Tx, entries []Entry) error {
	for _, e := range entries {
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (id, at, actor_id, actor_name, action, object_type, object_id, unit_path, detail, ip, request_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			e.ID, e.At, e.ActorID, e.ActorName, e.Action, e.ObjectType, e.ObjectID, e.UnitPath, e.Detail, e.IP, e.RequestID); err != nil {
			return err
		}
	}
	return nil
}

// Filter narrows a listing.
type Filter struct {
	Scopes []string // unit paths the reader may see; entries with no unit are national
	Action string
	Actor  string
	Limit  int
	Offset int
}

// List returns entries newest first within the filter's scopes. Entries
// without a unit (for example a failed sign-in for an unknown name) are
// visible only to readers whose scope is the whole nation (path depth 1).
func (l *Log) List(ctx context.Context, f Filter) ([]Entry, error) {
	if len(f.Scopes) == 0 {
		return nil, nil
	}
	var conds []string
	var args []any
	var scope []string
	national := false
	for _, s := range f.Scopes {
		if strings.Count(s, "/") == 2 {
			national = true
		}
		args = append(args, l.DB.Dialect.PrefixPattern(s))
		scope = append(scope, l.DB.Dialect.PrefixMatch("unit_path", len(args)))
	}
	if national {
		scope = append(scope, "unit_path = ''")
	}
	conds = append(conds, "("+strings.Join(scope, " OR ")+")")
	if f.Action != "" {
		args = append(args, f.Action)
		conds = append(conds, fmt.Sprintf("action = $%d", len(args)))
	}
	if f.Actor != "" {
		args = append(args, f.Actor)
		conds = append(conds, fmt.Sprintf("actor_name = $%d", len(args)))
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	args = append(args, f.Limit, f.Offset)
	q := `SELECT id, at, actor_id, actor_name, action, object_type, object_id, unit_path, detail, ip, request_id
		FROM audit_log WHERE ` + strings.Join(conds, " AND ") + fmt.Sprintf(` ORDER BY at DESC, id DESC LIMIT $%d OFFSET $%d`, len(args)-1, len(args))
	out, err := db.Query(ctx, l.DB.R, func(r db.Scanner) (Entry, error) {
		var e Entry
		err := r.Scan(&e.ID, &e.At, &e.ActorID, &e.ActorName, &e.Action, &e.ObjectType, &e.ObjectID, &e.UnitPath, &e.Detail, &e.IP, &e.RequestID)
		return e, err
	}, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return out, nil
}
