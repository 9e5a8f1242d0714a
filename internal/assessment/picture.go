package assessment

import (
	"fmt"
	"html"
	"html/template"
	"math"
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
func (p *Picture) check(ids map[string]bool) error {
	if !strings.HasPrefix(p.Src, "/files/") || strings.ContainsAny(p.Src, "\"'<> ") {
		return errs.Field("picture", "items.bad_picture")
	}
	if p.Width < 1 || p.Height < 1 || p.Width > 4000 || p.Height > 4000 {
		return errs.Field("picture", "items.bad_picture")
	}
	if len(p.Areas) == 0 || len(p.Areas) > 26 {
		return errs.Field("picture", "items.bad_picture")
	}
	for i, a := range p.Areas {
		field := fmt.Sprintf("picture[%d]", i)
		want := map[string]int{"circle": 3, "rect": 4, "ellipse": 4}[a.Shape]
		switch {
		case !ids[a.ID]:
			return errs.Field(field, "items.unknown_option", a.ID)
		case a.Shape == "poly" && (len(a.Coords) < 6 || len(a.Coords)%2 != 0 || len(a.Coords) > 200):
			return errs.Field(field, "items.bad_picture")
		case a.Shape != "poly" && (want == 0 || len(a.Coords) != want):
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
		var cx, cy float64
		switch a.Shape {
		case "circle":
			cx, cy = c[0], c[1]
			fmt.Fprintf(&b, `<circle class="area" cx="%s" cy="%s" r="%s"/>`, n(c[0]), n(c[1]), n(c[2]))
		case "ellipse":
			cx, cy = c[0], c[1]
			fmt.Fprintf(&b, `<ellipse class="area" cx="%s" cy="%s" rx="%s" ry="%s"/>`, n(c[0]), n(c[1]), n(c[2]), n(c[3]))
		case "rect":
			x0, y0, x1, y1 := min(c[0], c[2]), min(c[1], c[3]), max(c[0], c[2]), max(c[1], c[3])
			cx, cy = (x0+x1)/2, (y0+y1)/2
			fmt.Fprintf(&b, `<rect class="area" x="%s" y="%s" width="%s" height="%s"/>`, n(x0), n(y0), n(x1-x0), n(y1-y0))
		case "poly":
			var pts []string
			for i := 0; i+1 < len(c); i += 2 {
				pts = append(pts, n(c[i])+","+n(c[i+1]))
				cx, cy = cx+c[i], cy+c[i+1]
			}
			cx, cy = cx/float64(len(c)/2), cy/float64(len(c)/2)
			fmt.Fprintf(&b, `<polygon class="area" points="%s"/>`, strings.Join(pts, " "))
		}
		fmt.Fprintf(&b, `<text class="area-label" x="%s" y="%s" text-anchor="middle" dominant-baseline="central">%s</text>`, n(cx), n(cy), html.EscapeString(strings.Trim(a.Label, "()")))
	}
	b.WriteString(`</svg></figure>`)
	return template.HTML(b.String())
}
