package assessment

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"

	"dxhub/internal/platform/errs"
)

// Picture is a graphic interaction's image with the areas on it that a
// candidate picks, orders, pairs or fills (QTI's hotspots): each area is
// drawn on the image with its number, and the item's options (or rows)
// name the areas by those numbers.
type Picture struct {
	Src    string `json:"src"` // the stored image: /files/…
	Alt    string `json:"alt,omitempty"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Areas  []Area `json:"areas"`
}

// Area is one hotspot: QTI's shape and coordinates, in the image's
// pixels, and the label drawn on it ("(1)").
type Area struct {
	ID     string    `json:"id"`
	Shape  string    `json:"shape"` // circle, rect, ellipse, poly
	Coords []float64 `json:"coords"`
	Label  string    `json:"label"`
}

// check refuses a picture that cannot be drawn, naming the field.
func (p *Picture) check(ids map[string]bool, noAreas bool) error {
	if !strings.HasPrefix(p.Src, "/files/") || strings.ContainsAny(p.Src, "\"'<> ") {
		return errs.Field("picture", "items.bad_picture")
	}
	if p.Width < 1 || p.Height < 1 || p.Width > 4000 || p.Height > 4000 {
		return errs.Field("picture", "items.bad_picture")
	}
	if len(p.Areas) == 0 && !noAreas || len(p.Areas) > 26 {
		return errs.Field("picture", "items.bad_picture")
	}
	for i, a := range p.Areas {
		field := fmt.Sprintf("picture[%d]", i)
		switch {
		case !ids[a.ID]:
			return errs.Field(field, "items.unknown_option", a.ID)
		case !validShape(a.Shape, a.Coords):
			return errs.Field(field, "items.bad_picture")
		case len(a.Label) > 40:
			return errs.Field(field, "items.bad_picture")
		}
		for _, c := range a.Coords {
			if math.IsNaN(c) || math.IsInf(c, 0) || c < -10000 || c > 10000 {
				return errs.Field(field, "items.bad_picture")
			}
		}
	}
	return nil
}

// svg draws the picture: the image, each area outlined, its label at its
// centre. Everything written is a number or escaped.
func (p *Picture) svg() template.HTML {
	if p == nil {
		return ""
	}
	n := func(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }
	var b strings.Builder
	fmt.Fprintf(&b, `<figure class="picture"><svg viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`, p.Width, p.Height, p.Width, p.Height, html.EscapeString(p.Alt))
	fmt.Fprintf(&b, `<image href="%s" x="0" y="0" width="%d" height="%d"/>`, html.EscapeString(p.Src), p.Width, p.Height)
	for _, a := range p.Areas {
		c := a.Coords
		switch a.Shape {
		case "circle":
			fmt.Fprintf(&b, `<circle class="area" cx="%s" cy="%s" r="%s"/>`, n(c[0]), n(c[1]), n(c[2]))
		case "ellipse":
			fmt.Fprintf(&b, `<ellipse class="area" cx="%s" cy="%s" rx="%s" ry="%s"/>`, n(c[0]), n(c[1]), n(c[2]), n(c[3]))
		case "rect":
			x0, y0, x1, y1 := min(c[0], c[2]), min(c[1], c[3]), max(c[0], c[2]), max(c[1], c[3])
			fmt.Fprintf(&b, `<rect class="area" x="%s" y="%s" width="%s" height="%s"/>`, n(x0), n(y0), n(x1-x0), n(y1-y0))
		case "poly":
			var pts []string
			for i := 0; i+1 < len(c); i += 2 {
				pts = append(pts, n(c[i])+","+n(c[i+1]))
			}
			fmt.Fprintf(&b, `<polygon class="area" points="%s"/>`, strings.Join(pts, " "))
		}
		cx, cy, _ := centre(a.Shape, c)
		fmt.Fprintf(&b, `<text class="area-label" x="%s" y="%s" text-anchor="middle" dominant-baseline="central">%s</text>`, n(cx), n(cy), html.EscapeString(strings.Trim(a.Label, "()")))
	}
	b.WriteString(`</svg></figure>`)
	return template.HTML(b.String())
}

// AreaMap is a point response's area mapping (QTI's areaMapping): each
// area the response's points fall in adds its value once, points in no
// area add the default, and the sum is bounded when bounds are given.
type AreaMap struct {
	Entries []AreaValue `json:"entries"`
	Default float64     `json:"default,omitempty"`
	Lower   *float64    `json:"lower,omitempty"`
	Upper   *float64    `json:"upper,omitempty"`
}

// AreaValue is one area of an area mapping and what it is worth.
type AreaValue struct {
	Shape  string    `json:"shape"`
	Coords []float64 `json:"coords"`
	Value  float64   `json:"value"`
}

// apply is what the points earn (QTI's mapResponsePoint).
func (m *AreaMap) apply(points []string) float64 {
	if m == nil || len(points) == 0 {
		return 0
	}
	sum := 0.0
	counted := make([]bool, len(m.Entries))
	for _, s := range points {
		x, y, ok := parsePoint(s)
		if !ok {
			continue
		}
		hit := false
		for i, e := range m.Entries {
			if inside(e.Shape, e.Coords, x, y) {
				hit = true
				if !counted[i] {
					counted[i] = true
					sum += e.Value
				}
			}
		}
		if !hit {
			sum += m.Default
		}
	}
	if m.Lower != nil {
		sum = math.Max(*m.Lower, sum)
	}
	if m.Upper != nil {
		sum = math.Min(*m.Upper, sum)
	}
	return sum
}

// best is the most the mapping can give: every area with a positive
// value, within the bounds.
func (m *AreaMap) best() float64 {
	sum := 0.0
	for _, e := range m.Entries {
		sum += max(e.Value, 0)
	}
	if m.Upper != nil {
		sum = math.Min(sum, *m.Upper)
	}
	return sum
}

// parsePoint reads a QTI point, "x y" in the image's pixels.
func parsePoint(s string) (x, y float64, ok bool) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0, 0, false
	}
	x, err1 := strconv.ParseFloat(f[0], 64)
	y, err2 := strconv.ParseFloat(f[1], 64)
	if err1 != nil || err2 != nil || math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return 0, 0, false
	}
	return x, y, true
}

// inside says whether a point is in a QTI shape (circle x,y,r; rect
// x1,y1,x2,y2; ellipse x,y,rx,ry; poly x1,y1,x2,y2,…; default: anywhere).
func inside(shape string, c []float64, x, y float64) bool {
	switch shape {
	case "default":
		return true
	case "circle":
		return len(c) == 3 && math.Hypot(x-c[0], y-c[1]) <= c[2]
	case "rect":
		return len(c) == 4 && x >= min(c[0], c[2]) && x <= max(c[0], c[2]) && y >= min(c[1], c[3]) && y <= max(c[1], c[3])
	case "ellipse":
		if len(c) != 4 || c[2] <= 0 || c[3] <= 0 {
			return false
		}
		dx, dy := (x-c[0])/c[2], (y-c[1])/c[3]
		return dx*dx+dy*dy <= 1
	case "poly":
		// Even-odd rule over the polygon's edges (a closing point equal to
		// the first is allowed).
		n := len(c) / 2
		if n < 3 || len(c)%2 != 0 {
			return false
		}
		in := false
		for i, j := 0, n-1; i < n; j, i = i, i+1 {
			xi, yi, xj, yj := c[2*i], c[2*i+1], c[2*j], c[2*j+1]
			if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
				in = !in
			}
		}
		return in
	}
	return false
}

// readAreaMap reads a response declaration's areaMapping, or names the
// element it cannot read.
func readAreaMap(am *xnode) (*AreaMap, string) {
	m := &AreaMap{}
	f := func(attr string) (*float64, bool) {
		s := strings.TrimSpace(am.attrs[attr])
		if s == "" {
			return nil, true
		}
		v, err := strconv.ParseFloat(s, 64)
		return &v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
	}
	var ok bool
	if m.Lower, ok = f("lowerbound"); !ok {
		return nil, "areaMapping"
	}
	if m.Upper, ok = f("upperbound"); !ok {
		return nil, "areaMapping"
	}
	d, ok := f("defaultvalue")
	if !ok {
		return nil, "areaMapping"
	}
	if d != nil {
		m.Default = *d
	}
	for _, e := range am.all("areamapentry") {
		v, err := strconv.ParseFloat(strings.TrimSpace(e.attrs["mappedvalue"]), 64)
		cs, okc := coords(e.attrs["coords"])
		shape := strings.ToLower(strings.TrimSpace(e.attrs["shape"]))
		if err != nil || !okc || math.IsNaN(v) || math.IsInf(v, 0) || (shape != "default" && !validShape(shape, cs)) {
			return nil, "areaMapEntry"
		}
		m.Entries = append(m.Entries, AreaValue{Shape: shape, Coords: cs, Value: v})
	}
	if len(m.Entries) > 100 {
		return nil, "areaMapping"
	}
	return m, ""
}

// coords reads QTI's comma-separated coordinates.
func coords(s string) ([]float64, bool) {
	var out []float64
	if strings.TrimSpace(s) == "" {
		return nil, true
	}
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f), "%")), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
		out = append(out, v)
	}
	return out, len(out) <= 200
}

// validShape says whether coordinates fit a shape.
func validShape(shape string, c []float64) bool {
	switch shape {
	case "circle":
		return len(c) == 3
	case "rect", "ellipse":
		return len(c) == 4
	case "poly":
		return len(c) >= 6 && len(c)%2 == 0 && len(c) <= 200
	}
	return false
}

// centre is a point inside a shape: a circle's or ellipse's centre, a
// rectangle's middle, a polygon's vertices averaged (inside any convex
// one).
func centre(shape string, c []float64) (x, y float64, ok bool) {
	switch {
	case (shape == "circle" || shape == "ellipse") && len(c) >= 2:
		return c[0], c[1], true
	case shape == "rect" && len(c) == 4:
		return (c[0] + c[2]) / 2, (c[1] + c[3]) / 2, true
	case shape == "poly" && len(c) >= 6:
		n := len(c) / 2
		for i := 0; i < n; i++ {
			x, y = x+c[2*i], y+c[2*i+1]
		}
		return x / float64(n), y / float64(n), true
	}
	return 0, 0, false
}

// MediaRef is a video or a sound an item plays with its question (QTI's
// object, video and audio, and a media interaction's media).
type MediaRef struct {
	Src    string  `json:"src"`  // the stored file: /files/…
	Kind   string  `json:"kind"` // video, audio
	Type   string  `json:"type"` // its content type, as its bytes say
	Alt    string  `json:"alt,omitempty"`
	Tracks []Track `json:"tracks,omitempty"`
}

// Track is a video's captions or subtitles (WebVTT).
type Track struct {
	Src   string `json:"src"`  // the stored file: /files/…
	Kind  string `json:"kind"` // captions, subtitles, descriptions, chapters
	Lang  string `json:"lang,omitempty"`
	Label string `json:"label,omitempty"`
}

// checkMedia refuses media that cannot be played safely, naming the field.
func checkMedia(ms []MediaRef) error {
	if len(ms) > 5 {
		return errs.Field("media", "items.bad_media")
	}
	stored := func(src string) bool { return strings.HasPrefix(src, "/files/") && !strings.ContainsAny(src, "\"'<> ") }
	for i, m := range ms {
		if !stored(m.Src) || (m.Kind != "video" && m.Kind != "audio") ||
			!strings.HasPrefix(m.Type, m.Kind+"/") || strings.ContainsAny(m.Type, "\"'<> ") || len(m.Alt) > 500 || len(m.Tracks) > 10 {
			return errs.Field(fmt.Sprintf("media[%d]", i), "items.bad_media")
		}
		for _, t := range m.Tracks {
			if !stored(t.Src) || !slices.Contains([]string{"captions", "subtitles", "descriptions", "chapters"}, t.Kind) || len(t.Lang) > 12 || len(t.Label) > 100 {
				return errs.Field(fmt.Sprintf("media[%d]", i), "items.bad_media")
			}
		}
	}
	return nil
}

// mediaHTML plays an item's media, each with its controls.
func mediaHTML(ms []MediaRef) template.HTML {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, `<figure class="media"><%s controls preload="metadata" src="%s" aria-label="%s">`, m.Kind, html.EscapeString(m.Src), html.EscapeString(m.Alt))
		for _, t := range m.Tracks {
			fmt.Fprintf(&b, `<track kind="%s" src="%s" srclang="%s" label="%s">`, html.EscapeString(t.Kind), html.EscapeString(t.Src), html.EscapeString(t.Lang), html.EscapeString(t.Label))
		}
		fmt.Fprintf(&b, `</%s>`, m.Kind)
		if m.Alt != "" {
			fmt.Fprintf(&b, `<figcaption>%s</figcaption>`, html.EscapeString(m.Alt))
		}
		b.WriteString(`</figure>`)
	}
	return template.HTML(b.String())
}
