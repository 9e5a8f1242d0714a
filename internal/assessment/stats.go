package assessment

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/tabular"
)

// ItemStat is classical test statistics of one item in a session.
type ItemStat struct {
	Item           string         `json:"item"`
	Version        int            `json:"version"`
	Competence     string         `json:"competence"`
	Type           string         `json:"type"`
	N              int            `json:"n"`
	Facility       float64        `json:"facility"`       // mean score / max (0 hard … 1 easy)
	Discrimination float64        `json:"discrimination"` // corrected item-rest correlation
	Options        map[string]int `json:"options,omitempty"`
	Omitted        int            `json:"omitted"`
	Flag           string         `json:"flag,omitempty"` // too_hard, too_easy, low_discrimination
}

// FormStat summarises the finished attempts of a session.
type FormStat struct {
	N     int     `json:"n"`
	Mean  float64 `json:"mean_percent"`
	SD    float64 `json:"sd_percent"`
	Alpha float64 `json:"alpha"` // Cronbach's alpha
	SEM   float64 `json:"sem_percent"`
	Items int     `json:"items_per_form"`
}

// SessionStats is what the statistics page shows.
type SessionStats struct {
	Session *Session   `json:"session"`
	Form    FormStat   `json:"form"`
	Items   []ItemStat `json:"items"`
}

// Thresholds for flagging an item to its authors (with at least minN answers).
const (
	minN              = 30
	tooHard           = 0.2
	tooEasy           = 0.95
	lowDiscrimination = 0.1
)

// Stats computes item and form statistics over a session's submitted and
// expired attempts, and records each item's latest figures and flag in the
// bank. Forms are drawn per candidate, so alpha treats the drawn forms as
// parallel: k/(k-1)·(1 − k·mean item variance / total variance).
func (x *Exams) Stats(ctx context.Context, sessionID string) (*SessionStats, error) {
	s, err := x.Session(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	if _, err := auth.Authorize(ctx, auth.ManageExams, s.UnitPath); err != nil {
		return nil, err
	}
	forms := map[string][]FormEntry{}
	err = db.Each(ctx, x.Bank.DB.R, func(r db.Scanner) error {
		var id, form string
		if err := r.Scan(&id, &form); err != nil {
			return err
		}
		var f []FormEntry
		if err := json.Unmarshal([]byte(form), &f); err != nil {
			return fmt.Errorf("attempt %s: form: %w", id, err)
		}
		forms[id] = f
		return nil
	}, `SELECT id, form FROM attempts WHERE session_id = $1 AND status IN ('submitted', 'expired') AND awaiting_marks = 0`, sessionID)
	if err != nil {
		return nil, err
	}
	resps := map[string]map[int][]string{}
	err = db.Each(ctx, x.Bank.DB.R, func(r db.Scanner) error {
		var id, resp string
		var idx int
		if err := r.Scan(&id, &idx, &resp); err != nil {
			return err
		}
		var v []string
		if err := json.Unmarshal([]byte(resp), &v); err != nil {
			return fmt.Errorf("attempt %s: response %d: %w", id, idx, err)
		}
		if resps[id] == nil {
			resps[id] = map[int][]string{}
		}
		resps[id][idx] = v
		return nil
	}, `SELECT st.attempt_id, st.idx, st.response FROM attempt_steps st JOIN attempts a ON a.id = st.attempt_id
		WHERE a.session_id = $1 AND a.status IN ('submitted', 'expired') ORDER BY st.seq`, sessionID)
	if err != nil {
		return nil, err
	}

	// Essays count with their examiners' points (attempts still waiting
	// for marks are left out above).
	marks := map[string]map[int]float64{}
	err = db.Each(ctx, x.Bank.DB.R, func(r db.Scanner) error {
		var id string
		var idx int
		var pts float64
		if err := r.Scan(&id, &idx, &pts); err != nil {
			return err
		}
		if marks[id] == nil {
			marks[id] = map[int]float64{}
		}
		marks[id][idx] = pts
		return nil
	}, `SELECT m.attempt_id, m.idx, m.points FROM exam_marks m JOIN attempts a ON a.id = m.attempt_id WHERE a.session_id = $1`, sessionID)
	if err != nil {
		return nil, err
	}
	type obs struct{ item, rest float64 }
	type acc struct {
		stat   *ItemStat
		obs    []obs
		scores []float64
	}
	items := map[string]*acc{}
	var totals []float64
	k := 0
	for id, form := range forms {
		type one struct {
			key        string
			score, max float64
		}
		var ones []one
		var total, maxTotal float64
		for i, fe := range form {
			m, err := x.engine.metaIn(ctx, fe)
			if err != nil {
				return nil, err
			}
			r := resps[id][i]
			sc := m.body.Score(r)
			if m.body.Marked() {
				sc = marks[id][i]
			}
			key := fe.Item
			a := items[key]
			if a == nil {
				a = &acc{stat: &ItemStat{Item: fe.Item, Version: fe.Version, Competence: m.competence, Type: m.body.Type, Options: map[string]int{}}}
				items[key] = a
			}
			if len(r) == 0 {
				a.stat.Omitted++
			}
			if m.body.Type == Single || m.body.Type == Multiple || m.body.Type == TrueFalse {
				for _, c := range r {
					a.stat.Options[c]++
				}
			}
			ones = append(ones, one{key, sc, m.body.MaxScore})
			total += sc
			maxTotal += m.body.MaxScore
		}
		k = max(k, len(form))
		for _, o := range ones {
			a := items[o.key]
			a.stat.N++
			rel := o.score / math.Max(o.max, 1e-9)
			a.scores = append(a.scores, rel)
			a.obs = append(a.obs, obs{o.score, total - o.score})
		}
		if maxTotal > 0 {
			totals = append(totals, 100*total/maxTotal)
		}
	}
	out := &SessionStats{Session: s}
	var itemVar float64
	for _, a := range items {
		st := a.stat
		st.Facility = mean(a.scores)
		xs, ys := make([]float64, len(a.obs)), make([]float64, len(a.obs))
		for i, o := range a.obs {
			xs[i], ys[i] = o.item, o.rest
		}
		st.Discrimination = pearson(xs, ys)
		itemVar += variance(a.scores)
		if st.N >= minN {
			switch {
			case st.Facility < tooHard:
				st.Flag = "too_hard"
			case st.Facility > tooEasy:
				st.Flag = "too_easy"
			case st.Discrimination < lowDiscrimination:
				st.Flag = "low_discrimination"
			}
		}
		out.Items = append(out.Items, *st)
	}
	sort.Slice(out.Items, func(i, j int) bool { return out.Items[i].Item < out.Items[j].Item })
	f := FormStat{N: len(totals), Mean: mean(totals), SD: math.Sqrt(variance(totals)), Items: k}
	if len(items) > 0 && k > 1 && f.SD > 0 {
		// Item variances are of relative scores (0–1); the total is in
		// percent, so scale them to the same units: each item is 100/k %.
		meanItemVar := itemVar / float64(len(items)) * math.Pow(100/float64(k), 2)
		f.Alpha = float64(k) / float64(k-1) * (1 - float64(k)*meanItemVar/(f.SD*f.SD))
		f.SEM = f.SD * math.Sqrt(math.Max(0, 1-f.Alpha))
	}
	out.Form = f
	// Record the figures on the items so the bank flags them to authors.
	err = x.Bank.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, st := range out.Items {
			if _, err := tx.ExecContext(ctx, `UPDATE items SET stats_n = $1, facility = $2, discrimination = $3, stats_flag = $4 WHERE id = $5`,
				st.N, st.Facility, st.Discrimination, st.Flag, st.Item); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func variance(v []float64) float64 {
	if len(v) < 2 {
		return 0
	}
	m := mean(v)
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return s / float64(len(v)-1)
}

func pearson(x, y []float64) float64 {
	if len(x) < 3 {
		return 0
	}
	mx, my := mean(x), mean(y)
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}

// ExportStats writes the item statistics of a session as XLSX.
func (x *Exams) ExportStats(ctx context.Context, w io.Writer, sessionID string) error {
	st, err := x.Stats(ctx, sessionID)
	if err != nil {
		return err
	}
	header := []string{"item", "version", "competence", "type", "n", "facility", "discrimination", "omitted", "flag", "options"}
	var rows [][]string
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
	for _, it := range st.Items {
		var opts []string
		for k, n := range it.Options {
			opts = append(opts, k+"="+strconv.Itoa(n))
		}
		sort.Strings(opts)
		rows = append(rows, []string{it.Item, strconv.Itoa(it.Version), it.Competence, it.Type, strconv.Itoa(it.N), f(it.Facility), f(it.Discrimination),
			strconv.Itoa(it.Omitted), it.Flag, strings.Join(opts, " ")})
	}
	rows = append(rows, []string{}, []string{"form", "n=" + strconv.Itoa(st.Form.N), "mean%=" + f(st.Form.Mean), "sd%=" + f(st.Form.SD), "alpha=" + f(st.Form.Alpha), "sem%=" + f(st.Form.SEM)})
	return tabular.Write(w, tabular.XLSX, "items", header, rows, tabular.Numbers(1, 4, 5, 6, 7))
}
