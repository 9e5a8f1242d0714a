package auth

import (
	"context"
	"net/http"
	"strings"

	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/web"
)

// SessionRow is one of a person's open sessions, as they see it.
type SessionRow struct {
	// ID is the first 16 characters of the session's hash: enough to name
	// it, nothing to sign in with.
	ID        string `json:"id"`
	CreatedAt int64  `json:"created_at"`
	ExpiresAt int64  `json:"expires_at"`
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
	Current   bool   `json:"current"`
}

// MySessions lists p's open sessions, the current one (token) marked.
func (s *Service) MySessions(ctx context.Context, p *Principal, token string) ([]SessionRow, error) {
	current := hashSecret(token)
	rows, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (SessionRow, error) {
		var x SessionRow
		var h string
		err := r.Scan(&h, &x.CreatedAt, &x.ExpiresAt, &x.IP, &x.UserAgent)
		x.ID, x.Current = h[:16], h == current
		return x, err
	}, `SELECT id_hash, created_at, expires_at, ip, user_agent FROM sessions WHERE account_id = $1 AND expires_at > $2 ORDER BY created_at DESC`, p.AccountID, s.now().UnixMilli())
	if rows == nil {
		rows = []SessionRow{}
	}
	return rows, err
}

// EndSessions signs p out of the session named id, or of every session
// but the current one (token) when id is "others".
func (s *Service) EndSessions(ctx context.Context, p *Principal, id, token, ip string) error {
	var err error
	if id == "others" {
		_, err = s.DB.W.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = $1 AND id_hash <> $2`, p.AccountID, hashSecret(token))
	} else {
		if len(id) != 16 || strings.Trim(id, "0123456789abcdef") != "" {
			return errs.Field("id", "sessions.not_found")
		}
		var res interface{ RowsAffected() (int64, error) }
		res, err = s.DB.W.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = $1 AND id_hash LIKE $2`, p.AccountID, id+"%")
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return errs.E(errs.NotFound, "sessions.not_found")
			}
		}
	}
	if err != nil {
		return err
	}
	s.forget(p.AccountID)
	s.audit(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.Username, Action: "sessions_ended", ObjectType: "account", ObjectID: p.AccountID, Detail: id, IP: ip})
	return nil
}

// sessionToken is the caller's session token, empty for API tokens.
func sessionToken(r *http.Request) string {
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// EndSession handles the account page's buttons: one session, or all
// others.
func (h *HTTP) EndSession(w http.ResponseWriter, r *http.Request) error {
	p, err := RequireUser(r.Context())
	if err != nil {
		return err
	}
	if err := h.Svc.EndSessions(r.Context(), p, r.PathValue("id"), sessionToken(r), h.Svc.ClientIP(r)); err != nil {
		return err
	}
	http.Redirect(w, r, "/account#sessions", http.StatusSeeOther)
	return nil
}

// APISessions is GET /api/v1/me/sessions.
func (h *HTTP) APISessions(w http.ResponseWriter, r *http.Request) error {
	p, err := RequireUser(r.Context())
	if err != nil {
		return err
	}
	list, err := h.Svc.MySessions(r.Context(), p, sessionToken(r))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"sessions": list})
}

// APIEndSession is DELETE /api/v1/me/sessions/{id} ("others": all but
// this one).
func (h *HTTP) APIEndSession(w http.ResponseWriter, r *http.Request) error {
	p, err := RequireUser(r.Context())
	if err != nil {
		return err
	}
	if err := h.Svc.EndSessions(r.Context(), p, r.PathValue("id"), sessionToken(r), h.Svc.ClientIP(r)); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"ended": true})
}
