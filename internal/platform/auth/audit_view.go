package auth

import (
	"strings"

	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/i18n"
)

// auditRow is an audit entry as a person reads it: who, what object (with
// a link where it has a page) and the detail in words, not the log's
// "unit=66 group= q= page=1" notation.
type auditRow struct {
	audit.Entry
	Actor, Object, Href string
	Details             []string
}

// auditDetailKeys are the keys of "key=value" details that have a label.
var auditDetailKeys = map[string]bool{"unit": true, "group": true, "q": true, "page": true, "rows": true, "format": true, "created": true, "updated": true}

func readableAudit(lang i18n.Lang, entries []audit.Entry) []auditRow {
	out := make([]auditRow, 0, len(entries))
	for _, e := range entries {
		r := auditRow{Entry: e, Actor: e.ActorName}
		if e.ActorName == "system" || e.ActorName == "" {
			r.Actor = i18n.T(lang, "audit.system")
		}
		if e.ObjectType != "" {
			kind := e.ObjectType
			if k := "audit.obj." + kind; i18n.Has(k) {
				kind = i18n.T(lang, k)
			}
			switch e.ObjectType {
			case "person": // an id means nothing to a reader: the link says whose
				r.Object, r.Href = kind, "/people/"+e.ObjectID
			case "attempt":
				r.Object, r.Href = kind, "/attempts/"+e.ObjectID+"/result"
			default:
				r.Object = strings.TrimSpace(kind + " " + e.ObjectID)
			}
		}
		r.Details = readableDetail(lang, e.Detail)
		out = append(out, r)
	}
	return out
}

// readableDetail turns "unit=66 group= q=an page=1 rows=50" into labelled
// parts ("Đơn vị: 66", "Tìm: an", ...), leaving out empty values; other
// details are shown as they are (translated when the catalogue has them).
func readableDetail(lang i18n.Lang, d string) []string {
	fields := strings.Fields(d)
	var out []string
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok || !auditDetailKeys[k] {
			if k := "audit.detail." + strings.ReplaceAll(d, " ", "_"); i18n.Has(k) {
				return []string{i18n.T(lang, k)}
			}
			if d == "" {
				return nil
			}
			return []string{d}
		}
		if v != "" {
			out = append(out, i18n.T(lang, "audit.key."+k)+": "+v)
		}
	}
	return out
}
