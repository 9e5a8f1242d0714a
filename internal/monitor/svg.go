package monitor

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"

	"dxhub/internal/platform/i18n"
)

// Charts are drawn on the server as small SVG so that dashboards load on a
// cheap phone with JavaScript off. Every chart is named in words for screen
// readers (its text alternative reads out its figures); the numbers are
// also in the table beside it.

var statusColour = map[string]string{OnTrack: "#1a7f37", AtRisk: "#9a6700", OffTrack: "#cf222e", NoData: "#6e7781", NoTarget: "#6e7781", Check: "#8250df"}

// Sparkline draws a trend as one column per year, so that a single year
// with a value reads as one column among empty years rather than a lone
// dot; a year without a value is a short grey mark. Its text alternative
// lists every year's figure.
func Sparkline(points []Point, name string, lang i18n.Lang, fig func(i18n.Lang, float64) string) template.HTML {
	const w, h, pad = 120.0, 32.0, 2.0
	hi := 0.0
	var words []string
	for _, p := range points {
		if p.Has {
			hi = math.Max(hi, p.Value)
			words = append(words, strconv.Itoa(p.Year)+": "+fig(lang, p.Value))
		} else {
			words = append(words, strconv.Itoa(p.Year)+": "+i18n.T(lang, "monitor.no_value"))
		}
	}
	if hi <= 0 {
		hi = 1
	}
	label := i18n.T(lang, "monitor.trend_of", name, strings.Join(words, "; "))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h, w, h, template.HTMLEscapeString(label))
	if len(points) == 0 {
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	slot := (w - 2*pad) / float64(len(points))
	for i, p := range points {
		x := pad + float64(i)*slot + slot*0.15
		if !p.Has {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="2" fill="#8c959f"/>`, x, h-pad-2, slot*0.7)
			continue
		}
		bh := math.Max(2, (h-2*pad)*math.Max(p.Value, 0)/hi)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#0969da"/>`, x, h-pad-bh, slot*0.7, bh)
	}
	b.WriteString(`</svg>`)
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

// Bars draws a bar per unit, coloured by status, with the target as a
// black tick, a legend and a scale. Each unit's name sits on its own line
// above its bar, so the drawing is narrow (360 units) and its text stays
// legible when a phone shows it at full width.
func Bars(bars []Bar, title string, lang i18n.Lang, fig func(i18n.Lang, float64) string) template.HTML {
	const w, rowH, left, right, top = 360.0, 34.0, 4.0, 64.0, 30.0
	hi := 0.0
	for _, b := range bars {
		hi = math.Max(hi, math.Max(b.Value, b.Target))
	}
	if hi <= 0 {
		hi = 1
	}
	span := w - left - right
	h := top + rowH*float64(len(bars)) + 22
	var words []string
	for _, b := range bars {
		v := i18n.T(lang, "monitor.no_value")
		if b.Has {
			v = fig(lang, b.Value)
		}
		if b.Target > 0 {
			v += " (" + i18n.T(lang, "monitor.target_is", fig(lang, b.Target)) + ")"
		}
		words = append(words, b.Label+": "+v)
	}
	label := i18n.T(lang, "monitor.bars_of", title, strings.Join(words, "; "))
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="bars" width="100%%" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h, template.HTMLEscapeString(label))
	// Legend: the bar is the value, the tick the target.
	fmt.Fprintf(&s, `<rect x="%.0f" y="8" width="14" height="10" fill="#0969da"/><text x="%.0f" y="17" font-size="12">%s</text>`, left, left+18, template.HTMLEscapeString(i18n.T(lang, "monitor.legend_value")))
	fmt.Fprintf(&s, `<line x1="%.0f" x2="%.0f" y1="6" y2="20" stroke="#24292f" stroke-width="2"/><text x="%.0f" y="17" font-size="12">%s</text>`, left+150, left+150, left+156, template.HTMLEscapeString(i18n.T(lang, "monitor.legend_target")))
	for i, b := range bars {
		y := top + float64(i)*rowH
		name := []rune(b.Label)
		if len(name) > 48 {
			name = append(name[:47], '…')
		}
		fmt.Fprintf(&s, `<text x="%.0f" y="%.1f" font-size="12">%s</text>`, left, y+11, template.HTMLEscapeString(string(name)))
		if b.Has {
			bw := math.Max(1, span*math.Max(b.Value, 0)/hi)
			colour := statusColour[b.Status]
			if colour == "" {
				colour = "#0969da"
			}
			fmt.Fprintf(&s, `<rect x="%.0f" y="%.1f" width="%.1f" height="12" fill="%s"/>`, left, y+15, bw, colour)
			fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" font-size="12">%s</text>`, left+bw+4, y+25, template.HTMLEscapeString(fig(lang, b.Value)))
		} else {
			fmt.Fprintf(&s, `<text x="%.0f" y="%.1f" font-size="12" fill="#57606a">%s</text>`, left, y+25, template.HTMLEscapeString(i18n.T(lang, "monitor.no_value")))
		}
		if b.Target > 0 {
			tx := left + span*b.Target/hi
			fmt.Fprintf(&s, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#24292f" stroke-width="2"/>`, tx, tx, y+12, y+30)
		}
	}
	// Scale: 0 and the largest figure.
	ay := top + rowH*float64(len(bars)) + 2
	fmt.Fprintf(&s, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#57606a"/>`, left, left+span, ay, ay)
	fmt.Fprintf(&s, `<text x="%.0f" y="%.1f" font-size="11" fill="#57606a">0</text><text x="%.0f" y="%.1f" font-size="11" fill="#57606a" text-anchor="end">%s</text>`, left, ay+14, left+span, ay+14, template.HTMLEscapeString(fig(lang, hi)))
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}
