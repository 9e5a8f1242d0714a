package lrs

import (
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Statements arrive as JSON objects decoded with UseNumber, so numbers keep
// their exact text when the statement is stored and returned. The checks
// below follow the xAPI 1.0.3 data model: every property has one type, no
// property is unknown, and identifiers have their required forms.

// obj is a decoded JSON object.
type obj = map[string]any

// ValidationError says which property of a statement is wrong and why.
type ValidationError struct {
	Path   string
	Reason string
}

func (e *ValidationError) Error() string { return e.Path + ": " + e.Reason }

func bad(path, format string, args ...any) error {
	return &ValidationError{Path: path, Reason: fmt.Sprintf(format, args...)}
}

var (
	uuidRe      = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`)
	sha1Re      = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)
	langTagRe   = regexp.MustCompile(`^(?i:[a-z]{2,3}(-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})(?i:-[a-z]{4})?(?i:-([a-z]{2}|[0-9]{3}))?(?i:-([a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*(?i:-[0-9a-wy-z](-[a-z0-9]{2,8})+)*(?i:-x(-[a-z0-9]{1,8})+)?$|^(?i:x(-[a-z0-9]{1,8})+)$`)
	timestampRe = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d|[+-]\d\d)?$`)
	durationRe  = regexp.MustCompile(`^P(\d+(\.\d+)?W|(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?D)?(T(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?)$`)
	mimeRe      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;.*)?$`)
	versionRe   = regexp.MustCompile(`^1\.0(\.\d+)?$`)
)

// VerbVoided is the verb that voids the statement it refers to.
const VerbVoided = "http://adlnet.gov/expapi/verbs/voided"

func isUUID(s string) bool { return uuidRe.MatchString(s) }

func isIRI(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\n\r<>\"{}|\\^`") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && (u.Opaque != "" || u.Host != "" || u.Path != "")
}

func isIRL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && isIRI(s) && (u.Host != "" || u.Opaque != "")
}

func validTimestamp(s string) bool {
	if !timestampRe.MatchString(s) || strings.HasSuffix(s, "-00:00") || strings.HasSuffix(s, "-0000") || strings.HasSuffix(s, "-00") {
		return false
	}
	_, err := parseTimestamp(s)
	return err == nil
}

// parseTimestamp reads the ISO 8601 forms validTimestamp admits.
func parseTimestamp(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999Z07", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad timestamp %q", s)
}

// keys refuses properties outside allowed and returns o.
func keys(path string, v any, allowed ...string) (obj, error) {
	o, ok := v.(obj)
	if !ok {
		return nil, bad(path, "must be an object")
	}
outer:
	for k := range o {
		for _, a := range allowed {
			if k == a {
				continue outer
			}
		}
		return nil, bad(path+"."+k, "is not a property of this object")
	}
	return o, nil
}

func str(o obj, path, k string, required bool) (string, bool, error) {
	v, present := o[k]
	if !present {
		if required {
			return "", false, bad(path+"."+k, "is required")
		}
		return "", false, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", true, bad(path+"."+k, "must be a string")
	}
	return s, true, nil
}

func iri(o obj, path, k string, required bool) (string, error) {
	s, present, err := str(o, path, k, required)
	if err != nil || !present {
		return s, err
	}
	if !isIRI(s) {
		return s, bad(path+"."+k, "must be an IRI")
	}
	return s, nil
}

func langMap(path string, v any) error {
	o, ok := v.(obj)
	if !ok {
		return bad(path, "must be a language map")
	}
	for k, val := range o {
		if !langTagRe.MatchString(k) {
			return bad(path, "%q is not a language tag", k)
		}
		if _, ok := val.(string); !ok {
			return bad(path+"."+k, "must be a string")
		}
	}
	return nil
}

func extensions(path string, v any) error {
	o, ok := v.(obj)
	if !ok {
		return bad(path, "must be an object")
	}
	for k := range o {
		if !isIRI(k) {
			return bad(path, "key %q must be an IRI", k)
		}
	}
	return nil
}

// agent checks an Agent; group is false when members are being checked.
func agent(path string, v any) error {
	o, err := keys(path, v, "objectType", "name", "mbox", "mbox_sha1sum", "openid", "account")
	if err != nil {
		return err
	}
	if t, present, err := str(o, path, "objectType", false); err != nil {
		return err
	} else if present && t != "Agent" {
		return bad(path+".objectType", "must be Agent")
	}
	if _, _, err := str(o, path, "name", false); err != nil {
		return err
	}
	n, err := ifi(path, o)
	if err != nil {
		return err
	}
	if n != 1 {
		return bad(path, "an agent must have exactly one identifier (mbox, mbox_sha1sum, openid or account)")
	}
	return nil
}

// ifi checks the inverse functional identifiers present and counts them.
func ifi(path string, o obj) (int, error) {
	n := 0
	if s, present, err := str(o, path, "mbox", false); err != nil {
		return 0, err
	} else if present {
		n++
		addr, ok := strings.CutPrefix(s, "mailto:")
		if !ok {
			return 0, bad(path+".mbox", "must be a mailto: IRI")
		}
		if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
			return 0, bad(path+".mbox", "is not an e-mail address")
		}
	}
	if s, present, err := str(o, path, "mbox_sha1sum", false); err != nil {
		return 0, err
	} else if present {
		n++
		if !sha1Re.MatchString(s) {
			return 0, bad(path+".mbox_sha1sum", "must be a SHA-1 hex digest")
		}
	}
	if _, present := o["openid"]; present {
		n++
		if _, err := iri(o, path, "openid", true); err != nil {
			return 0, err
		}
	}
	if v, present := o["account"]; present {
		n++
		a, err := keys(path+".account", v, "homePage", "name")
		if err != nil {
			return 0, err
		}
		hp, _, err := str(a, path+".account", "homePage", true)
		if err != nil {
			return 0, err
		}
		if !isIRL(hp) {
			return 0, bad(path+".account.homePage", "must be an IRL")
		}
		if _, _, err := str(a, path+".account", "name", true); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func group(path string, v any) error {
	o, err := keys(path, v, "objectType", "name", "member", "mbox", "mbox_sha1sum", "openid", "account")
	if err != nil {
		return err
	}
	if t, _, err := str(o, path, "objectType", true); err != nil {
		return err
	} else if t != "Group" {
		return bad(path+".objectType", "must be Group")
	}
	if _, _, err := str(o, path, "name", false); err != nil {
		return err
	}
	n, err := ifi(path, o)
	if err != nil {
		return err
	}
	if n > 1 {
		return bad(path, "a group has at most one identifier")
	}
	m, present := o["member"]
	if !present {
		if n == 0 {
			return bad(path+".member", "an anonymous group must list its members")
		}
		return nil
	}
	list, ok := m.([]any)
	if !ok {
		return bad(path+".member", "must be an array")
	}
	if n == 0 && len(list) == 0 {
		return bad(path+".member", "an anonymous group must list its members")
	}
	for i, mv := range list {
		if err := agent(fmt.Sprintf("%s.member[%d]", path, i), mv); err != nil {
			return err
		}
	}
	return nil
}

// actor checks an Agent or a Group.
func actor(path string, v any) error {
	o, ok := v.(obj)
	if !ok {
		return bad(path, "must be an object")
	}
	if t, _ := o["objectType"].(string); t == "Group" {
		return group(path, v)
	}
	return agent(path, v)
}

var interactionTypes = map[string][]string{
	"true-false": nil, "choice": {"choices"}, "fill-in": nil, "long-fill-in": nil,
	"matching": {"source", "target"}, "performance": {"steps"}, "sequencing": {"choices"},
	"likert": {"scale"}, "numeric": nil, "other": nil,
}

func definition(path string, v any) error {
	o, err := keys(path, v, "name", "description", "type", "moreInfo", "extensions", "interactionType",
		"correctResponsesPattern", "choices", "scale", "source", "target", "steps")
	if err != nil {
		return err
	}
	for _, k := range []string{"name", "description"} {
		if lm, ok := o[k]; ok {
			if err := langMap(path+"."+k, lm); err != nil {
				return err
			}
		}
	}
	if _, err := iri(o, path, "type", false); err != nil {
		return err
	}
	if s, present, err := str(o, path, "moreInfo", false); err != nil {
		return err
	} else if present && !isIRL(s) {
		return bad(path+".moreInfo", "must be an IRL")
	}
	if e, ok := o["extensions"]; ok {
		if err := extensions(path+".extensions", e); err != nil {
			return err
		}
	}
	it, hasType, err := str(o, path, "interactionType", false)
	if err != nil {
		return err
	}
	allowed, known := interactionTypes[it]
	if hasType && !known {
		return bad(path+".interactionType", "%q is not an interaction type", it)
	}
	if crp, ok := o["correctResponsesPattern"]; ok {
		if !hasType {
			return bad(path+".correctResponsesPattern", "needs an interactionType")
		}
		list, ok := crp.([]any)
		if !ok {
			return bad(path+".correctResponsesPattern", "must be an array of strings")
		}
		for _, s := range list {
			if _, ok := s.(string); !ok {
				return bad(path+".correctResponsesPattern", "must be an array of strings")
			}
		}
	}
	for _, k := range []string{"choices", "scale", "source", "target", "steps"} {
		cv, ok := o[k]
		if !ok {
			continue
		}
		if !hasType || !contains(allowed, k) {
			return bad(path+"."+k, "is not allowed for interaction type %q", it)
		}
		list, ok := cv.([]any)
		if !ok {
			return bad(path+"."+k, "must be an array")
		}
		seen := map[string]bool{}
		for i, c := range list {
			cp := fmt.Sprintf("%s.%s[%d]", path, k, i)
			co, err := keys(cp, c, "id", "description")
			if err != nil {
				return err
			}
			id, _, err := str(co, cp, "id", true)
			if err != nil {
				return err
			}
			if seen[id] {
				return bad(cp+".id", "repeats %q", id)
			}
			seen[id] = true
			if d, ok := co["description"]; ok {
				if err := langMap(cp+".description", d); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func activity(path string, v any) error {
	o, err := keys(path, v, "objectType", "id", "definition")
	if err != nil {
		return err
	}
	if t, present, err := str(o, path, "objectType", false); err != nil {
		return err
	} else if present && t != "Activity" {
		return bad(path+".objectType", "must be Activity")
	}
	if _, err := iri(o, path, "id", true); err != nil {
		return err
	}
	if d, ok := o["definition"]; ok {
		return definition(path+".definition", d)
	}
	return nil
}

func statementRef(path string, v any) error {
	o, err := keys(path, v, "objectType", "id")
	if err != nil {
		return err
	}
	if t, _, err := str(o, path, "objectType", true); err != nil {
		return err
	} else if t != "StatementRef" {
		return bad(path+".objectType", "must be StatementRef")
	}
	id, _, err := str(o, path, "id", true)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return bad(path+".id", "must be a UUID")
	}
	return nil
}

// object checks a statement's object; sub is true inside a SubStatement.
func object(path string, v any, sub bool) (string, error) {
	o, ok := v.(obj)
	if !ok {
		return "", bad(path, "must be an object")
	}
	t := "Activity"
	if tv, present := o["objectType"]; present {
		s, ok := tv.(string)
		if !ok {
			return "", bad(path+".objectType", "must be a string")
		}
		t = s
	}
	switch t {
	case "Activity":
		return t, activity(path, v)
	case "Agent":
		return t, agent(path, v)
	case "Group":
		return t, group(path, v)
	case "StatementRef":
		return t, statementRef(path, v)
	case "SubStatement":
		if sub {
			return t, bad(path, "a SubStatement cannot contain another SubStatement")
		}
		return t, statement(path, v, true)
	}
	return t, bad(path+".objectType", "%q is not an object type", t)
}

func result(path string, v any) error {
	o, err := keys(path, v, "score", "success", "completion", "response", "duration", "extensions")
	if err != nil {
		return err
	}
	if sv, ok := o["score"]; ok {
		s, err := keys(path+".score", sv, "scaled", "raw", "min", "max")
		if err != nil {
			return err
		}
		nums := map[string]float64{}
		for k, x := range s {
			n, ok := x.(json.Number)
			if !ok {
				return bad(path+".score."+k, "must be a number")
			}
			f, err := n.Float64()
			if err != nil || math.IsInf(f, 0) {
				return bad(path+".score."+k, "must be a number")
			}
			nums[k] = f
		}
		if sc, ok := nums["scaled"]; ok && (sc < -1 || sc > 1) {
			return bad(path+".score.scaled", "must be between -1 and 1")
		}
		mn, hasMin := nums["min"]
		mx, hasMax := nums["max"]
		raw, hasRaw := nums["raw"]
		if hasMin && hasMax && mn >= mx {
			return bad(path+".score.min", "must be less than max")
		}
		if hasRaw && hasMin && raw < mn {
			return bad(path+".score.raw", "must not be less than min")
		}
		if hasRaw && hasMax && raw > mx {
			return bad(path+".score.raw", "must not be more than max")
		}
	}
	for _, k := range []string{"success", "completion"} {
		if x, ok := o[k]; ok {
			if _, ok := x.(bool); !ok {
				return bad(path+"."+k, "must be true or false")
			}
		}
	}
	if _, _, err := str(o, path, "response", false); err != nil {
		return err
	}
	if d, present, err := str(o, path, "duration", false); err != nil {
		return err
	} else if present && (!durationRe.MatchString(d) || d == "P" || strings.HasSuffix(d, "T")) {
		return bad(path+".duration", "must be an ISO 8601 duration")
	}
	if e, ok := o["extensions"]; ok {
		return extensions(path+".extensions", e)
	}
	return nil
}

func contextProp(path string, v any, objectType string) error {
	o, err := keys(path, v, "registration", "instructor", "team", "contextActivities", "revision", "platform", "language", "statement", "extensions")
	if err != nil {
		return err
	}
	if r, present, err := str(o, path, "registration", false); err != nil {
		return err
	} else if present && !isUUID(r) {
		return bad(path+".registration", "must be a UUID")
	}
	if i, ok := o["instructor"]; ok {
		if err := actor(path+".instructor", i); err != nil {
			return err
		}
	}
	if t, ok := o["team"]; ok {
		if err := group(path+".team", t); err != nil {
			return err
		}
	}
	if ca, ok := o["contextActivities"]; ok {
		c, err := keys(path+".contextActivities", ca, "parent", "grouping", "category", "other")
		if err != nil {
			return err
		}
		for k, x := range c {
			cp := path + ".contextActivities." + k
			if list, ok := x.([]any); ok {
				for i, a := range list {
					if err := activity(fmt.Sprintf("%s[%d]", cp, i), a); err != nil {
						return err
					}
				}
			} else if err := activity(cp, x); err != nil {
				return err
			}
		}
	}
	for _, k := range []string{"revision", "platform"} {
		if _, present, err := str(o, path, k, false); err != nil {
			return err
		} else if present && objectType != "Activity" {
			return bad(path+"."+k, "is allowed only when the object is an Activity")
		}
	}
	if l, present, err := str(o, path, "language", false); err != nil {
		return err
	} else if present && !langTagRe.MatchString(l) {
		return bad(path+".language", "must be a language tag")
	}
	if s, ok := o["statement"]; ok {
		if err := statementRef(path+".statement", s); err != nil {
			return err
		}
	}
	if e, ok := o["extensions"]; ok {
		return extensions(path+".extensions", e)
	}
	return nil
}

func attachments(path string, v any) error {
	list, ok := v.([]any)
	if !ok {
		return bad(path, "must be an array")
	}
	for i, a := range list {
		ap := fmt.Sprintf("%s[%d]", path, i)
		o, err := keys(ap, a, "usageType", "display", "description", "contentType", "length", "sha2", "fileUrl")
		if err != nil {
			return err
		}
		if _, err := iri(o, ap, "usageType", true); err != nil {
			return err
		}
		d, ok := o["display"]
		if !ok {
			return bad(ap+".display", "is required")
		}
		if err := langMap(ap+".display", d); err != nil {
			return err
		}
		if d, ok := o["description"]; ok {
			if err := langMap(ap+".description", d); err != nil {
				return err
			}
		}
		ct, _, err := str(o, ap, "contentType", true)
		if err != nil {
			return err
		}
		if !mimeRe.MatchString(ct) {
			return bad(ap+".contentType", "must be an Internet media type")
		}
		n, ok := o["length"].(json.Number)
		if !ok {
			return bad(ap+".length", "is required and must be an integer")
		}
		if l, err := n.Int64(); err != nil || l < 0 {
			return bad(ap+".length", "must be a whole number")
		}
		if _, _, err := str(o, ap, "sha2", true); err != nil {
			return err
		}
		if s, present, err := str(o, ap, "fileUrl", false); err != nil {
			return err
		} else if present && !isIRL(s) {
			return bad(ap+".fileUrl", "must be an IRL")
		}
	}
	return nil
}

// statement checks a statement (sub: a SubStatement inside one).
func statement(path string, v any, sub bool) error {
	allowed := []string{"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version", "attachments"}
	if sub {
		allowed = []string{"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
	}
	o, err := keys(path, v, allowed...)
	if err != nil {
		return err
	}
	if id, present, err := str(o, path, "id", false); err != nil {
		return err
	} else if present && !isUUID(id) {
		return bad(path+".id", "must be a UUID")
	}
	av, ok := o["actor"]
	if !ok {
		return bad(path+".actor", "is required")
	}
	if err := actor(path+".actor", av); err != nil {
		return err
	}
	vv, ok := o["verb"]
	if !ok {
		return bad(path+".verb", "is required")
	}
	vo, err := keys(path+".verb", vv, "id", "display")
	if err != nil {
		return err
	}
	verbID, err := iri(vo, path+".verb", "id", true)
	if err != nil {
		return err
	}
	if d, ok := vo["display"]; ok {
		if err := langMap(path+".verb.display", d); err != nil {
			return err
		}
	}
	ov, ok := o["object"]
	if !ok {
		return bad(path+".object", "is required")
	}
	ot, err := object(path+".object", ov, sub)
	if err != nil {
		return err
	}
	if verbID == VerbVoided && ot != "StatementRef" {
		return bad(path+".object", "a voiding statement's object must be a StatementRef")
	}
	if r, ok := o["result"]; ok {
		if err := result(path+".result", r); err != nil {
			return err
		}
	}
	if c, ok := o["context"]; ok {
		if err := contextProp(path+".context", c, ot); err != nil {
			return err
		}
	}
	for _, k := range []string{"timestamp", "stored"} {
		if ts, present, err := str(o, path, k, false); err != nil {
			return err
		} else if present && !validTimestamp(ts) {
			return bad(path+"."+k, "must be an ISO 8601 date and time")
		}
	}
	if a, ok := o["authority"]; ok {
		if err := actor(path+".authority", a); err != nil {
			return err
		}
		if ao := a.(obj); ao["objectType"] == "Group" {
			m, _ := ao["member"].([]any)
			if len(m) != 2 || AgentKey(ao) != "" {
				return bad(path+".authority", "a group authority must be an anonymous group of exactly two agents")
			}
		}
	}
	if ver, present, err := str(o, path, "version", false); err != nil {
		return err
	} else if present && !versionRe.MatchString(ver) {
		return bad(path+".version", "must be 1.0.x")
	}
	if a, ok := o["attachments"]; ok {
		if err := attachments(path+".attachments", a); err != nil {
			return err
		}
	}
	if sub {
		if t, _ := o["objectType"].(string); t != "SubStatement" {
			return bad(path+".objectType", "must be SubStatement")
		}
	}
	return nil
}

// Validate checks one statement as a client sent it.
func Validate(v any) error { return statement("statement", v, false) }
