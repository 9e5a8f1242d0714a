package monitor

import (
	"strings"

	"dxhub/internal/platform/errs"
)

// maxRuleLines bounds the rules a data set form may carry.
const maxRuleLines = 100

// ParseRules reads validation rules as the setup page writes them, one per
// line: "left op right | message in Vietnamese | message in English", for
// example "{using_online_services} <= {working_age} | Không vượt quá số
// người | Cannot exceed the people". Blank lines are skipped; a line that
// does not read is refused, naming its number. The formulas themselves are
// checked when the data set is saved.
func ParseRules(text string) ([]Rule, error) {
	var out []Rule
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if len(out) == maxRuleLines {
			return nil, errs.Field("rules", "monitor.rules_too_many", maxRuleLines)
		}
		parts := strings.Split(line, "|")
		if len(parts) < 2 || len(parts) > 3 {
			return nil, errs.Field("rules", "monitor.rule_line_invalid", i+1)
		}
		cond := parts[0]
		op, at := "", -1
		for _, o := range []string{"<=", ">=", "==", "!=", "<", ">"} { // longest first
			if k := strings.Index(cond, o); k >= 0 && (at < 0 || k < at) {
				op, at = o, k
			}
		}
		if at < 0 {
			return nil, errs.Field("rules", "monitor.rule_line_invalid", i+1)
		}
		r := Rule{Left: strings.TrimSpace(cond[:at]), Op: op, Right: strings.TrimSpace(cond[at+len(op):]), MessageVI: strings.TrimSpace(parts[1])}
		if len(parts) == 3 {
			r.MessageEN = strings.TrimSpace(parts[2])
		}
		if r.Left == "" || r.Right == "" || r.MessageVI == "" {
			return nil, errs.Field("rules", "monitor.rule_line_invalid", i+1)
		}
		out = append(out, r)
	}
	return out, nil
}

// FormatRules writes rules as ParseRules reads them, one per line.
func FormatRules(rules []Rule) string {
	lines := make([]string, len(rules))
	for i, r := range rules {
		lines[i] = r.Left + " " + r.Op + " " + r.Right + " | " + r.MessageVI
		if r.MessageEN != "" {
			lines[i] += " | " + r.MessageEN
		}
	}
	return strings.Join(lines, "\n")
}
