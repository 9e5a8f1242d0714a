package web

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// The mark: a red roundel ringed in gold with a gold five-pointed star, in
// a 32-unit square (the same drawing as static/mark-1.svg).
var (
	markRed  = color.NRGBA{0x9e, 0x1b, 0x14, 0xff}
	markGold = color.NRGBA{0xf2, 0xc2, 0x30, 0xff}
	markStar = [][2]float64{{16, 6}, {18.6, 13.1}, {26.1, 13.1}, {20.1, 17.6}, {22.4, 24.8}, {16, 20.4}, {9.6, 24.8}, {11.9, 17.6}, {5.9, 13.1}, {13.4, 13.1}}
)

// markAt is the mark's colour at (x, y) in its 32-unit square, and whether
// it paints there.
func markAt(x, y float64) (color.NRGBA, bool) {
	d2 := (x-16)*(x-16) + (y-16)*(y-16)
	switch {
	case d2 > 16*16:
		return color.NRGBA{}, false
	case d2 > 14*14:
		return markGold, true
	}
	in := false
	for i, j := 0, len(markStar)-1; i < len(markStar); j, i = i, i+1 {
		a, b := markStar[i], markStar[j]
		if (a[1] > y) != (b[1] > y) && x < (b[0]-a[0])*(y-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	if in {
		return markGold, true
	}
	return markRed, true
}

// MarkPNG draws the mark as a size×size PNG, four samples a side per pixel
// for smooth edges.
func MarkPNG(size int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const n = 4
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a int
			for sy := 0; sy < n; sy++ {
				for sx := 0; sx < n; sx++ {
					x := (float64(px) + (float64(sx)+.5)/n) * 32 / float64(size)
					y := (float64(py) + (float64(sy)+.5)/n) * 32 / float64(size)
					if c, ok := markAt(x, y); ok {
						r, g, b, a = r+int(c.R), g+int(c.G), b+int(c.B), a+1
					}
				}
			}
			if a > 0 {
				img.SetNRGBA(px, py, color.NRGBA{uint8(r / a), uint8(g / a), uint8(b / a), uint8(255 * a / (n * n))})
			}
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

// markICO wraps a 32-pixel PNG in the ICO container browsers ask for at
// /favicon.ico (an ICO may hold a PNG as it is).
func markICO() []byte {
	p := MarkPNG(32)
	var buf bytes.Buffer
	binary.Write(&buf, binary.LittleEndian, [3]uint16{0, 1, 1})                // reserved, type icon, one image
	buf.Write([]byte{32, 32, 0, 0})                                            // width, height, no palette, reserved
	binary.Write(&buf, binary.LittleEndian, [2]uint16{1, 32})                  // planes, bits per pixel
	binary.Write(&buf, binary.LittleEndian, [2]uint32{uint32(len(p)), 6 + 16}) // size, offset
	buf.Write(p)
	return buf.Bytes()
}

var icons = sync.OnceValue(func() map[string][]byte {
	return map[string][]byte{"ico": markICO(), "192": MarkPNG(192), "512": MarkPNG(512)}
})

// Favicon serves /favicon.ico.
func Favicon(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/x-icon")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(icons()["ico"])
}

// Icon serves /icons/{file}, 192.png and 512.png, for the app manifest (192 and 512).
func Icon(w http.ResponseWriter, r *http.Request) {
	size, _ := strings.CutSuffix(r.PathValue("file"), ".png")
	b, ok := icons()[size]
	if !ok || size == "ico" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(b)
}

// Manifest serves the web app manifest in the visitor's language, so that
// a phone can keep dxhub on its home screen with its name and mark.
func Manifest(w http.ResponseWriter, r *http.Request) {
	lang := LangOf(r)
	name := T(r, "app.full_name")
	w.Header().Set("Content-Type", "application/manifest+json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write([]byte(`{"name":` + strconv.Quote(name) + `,"short_name":"dxhub","lang":"` + string(lang) + `","start_url":"/","scope":"/","display":"standalone",` +
		`"background_color":"#ffffff","theme_color":"#9e1b14","icons":[{"src":"/static/mark-1.svg","sizes":"any","type":"image/svg+xml"},` +
		`{"src":"/icons/192.png","sizes":"192x192","type":"image/png"},{"src":"/icons/512.png","sizes":"512x512","type":"image/png"}]}` + "\n"))
}
