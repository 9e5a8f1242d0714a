package monitor

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Charts are drawn on the server as small SVG so that dashboards load on a
// cheap phone with JavaScript off. Every chart carries a text title for
// screen readers; the numbers are also in the table beside it.

var statusColour = map[string]string{OnTrack: "#1a7f37", AtRisk: "#9a6700", OffTrack: "#cf222e", NoData: "#6e7781", NoTarget: "#6e7781"}

// Sparkline draws a trend: a line over the years with values, the last
// point marked.
func Sparkline(points []Point, title string) template.HTML {
	const w, h, pad = 120.0, 32.0, 3.0
	var vals []float64
	for _, p := range points {
		if p.Has {
			vals = append(vals, p.Value)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h, w, h, template.HTMLEscapeString(title))
	if len(vals) == 0 || len(points) < 2 {
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	lo = math.Min(lo, 0)
	if hi == lo {
		hi = lo + 1
	}
	x := func(i int) float64 { return pad + float64(i)*(w-2*pad)/float64(len(points)-1) }
	y := func(v float64) float64 { return h - pad - (v-lo)/(hi-lo)*(h-2*pad) }
	var path strings.Builder
	last := -1
	for i, p := range points {
		if !p.Has {
			continue
		}
		cmd := "L"
		if last < 0 {
			cmd = "M"
		}
		fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, x(i), y(p.Value))
		last = i
	}
	fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="#0969da" stroke-width="1.5"/>`, strings.TrimSpace(path.String()))
	fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="#0969da"/></svg>`, x(last), y(points[last].Value))
	return template.HTML(b.String())
}

// Bar is one bar of a bar chart.
type Bar struct {
	Label  string
	Value  float64
	Has    bool
	Target float64 // drawn as a tick when > 0
	Status string
}

// Bars draws a horizontal bar per unit, coloured by status, with the
// target as a tick.
func Bars(bars []Bar, title string) template.HTML {
	const w, rowH, labelW = 640.0, 18.0, 180.0
	h := rowH*float64(len(bars)) + 4
	hi := 0.0
	for _, b := range bars {
		hi = math.Max(hi, math.Max(b.Value, b.Target))
	}
	if hi == 0 {
		hi = 1
	}
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="bars" width="100%%" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h, template.HTMLEscapeString(title))
	for i, b := range bars {
		y := 2 + float64(i)*rowH
		label := []rune(b.Label)
		if len(label) > 26 {
			label = append(label[:25], '…')
		}
		fmt.Fprintf(&s, `<text x="%.0f" y="%.1f" font-size="11" text-anchor="end">%s</text>`, labelW-4, y+12, template.HTMLEscapeString(string(label)))
		if b.Has {
			bw := (w - labelW - 50) * b.Value / hi
			colour := statusColour[b.Status]
			if colour == "" {
				colour = "#0969da"
			}
			fmt.Fprintf(&s, `<rect x="%.0f" y="%.1f" width="%.1f" height="%.0f" fill="%s"/>`, labelW, y+2, bw, rowH-5, colour)
			fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" font-size="10">%s</text>`, labelW+bw+3, y+12, fmtShort(b.Value))
		}
		if b.Target > 0 {
			tx := labelW + (w-labelW-50)*b.Target/hi
			fmt.Fprintf(&s, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#24292f" stroke-width="2"/>`, tx, tx, y, y+rowH-1)
		}
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

// fmtShort prints a figure with at most one decimal.
func fmtShort(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}
