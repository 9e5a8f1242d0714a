package credential

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"html"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
)

// Baking puts a credential inside its badge image (Open Badges 3.0,
// "Baking"): in a PNG an iTXt chunk with the keyword openbadgecredential,
// in an SVG an openbadges:credential element holding the JSON.

const bakeKeyword = "openbadgecredential"

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// badgePNG draws the plain round badge a credential is baked into.
func badgePNG() []byte {
	const size = 256
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	red, gold := color.RGBA{0x9e, 0x1b, 0x14, 0xff}, color.RGBA{0xf2, 0xc2, 0x30, 0xff}
	c := float64(size) / 2
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			d := math.Hypot(float64(x)-c+0.5, float64(y)-c+0.5)
			switch {
			case d < c-14:
				img.Set(x, y, red)
			case d < c-2:
				img.Set(x, y, gold)
			}
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

var plainBadge = badgePNG()

// BakePNG returns the badge image with credential (JSON or a VC-JWT)
// baked in.
func BakePNG(credential []byte) []byte {
	var chunk bytes.Buffer
	chunk.WriteString(bakeKeyword)
	chunk.Write([]byte{0, 0, 0, 0, 0}) // keyword end, uncompressed, method, no language, no translation
	chunk.Write(credential)
	// Before IEND, the last chunk (12 bytes).
	out := append([]byte{}, plainBadge[:len(plainBadge)-12]...)
	out = appendChunk(out, "iTXt", chunk.Bytes())
	return append(out, plainBadge[len(plainBadge)-12:]...)
}

func appendChunk(out []byte, typ string, data []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc.Sum32())
}

// BakeSVG returns an SVG badge with credential (the JSON document) baked
// in, titled with the achievement's name.
func BakeSVG(credential []byte, title string) []byte {
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" viewBox="0 0 256 256" width="256" height="256">`)
	b.WriteString(`<openbadges:credential><![CDATA[`)
	b.WriteString(strings.ReplaceAll(string(credential), "]]>", "]]]]><![CDATA[>"))
	b.WriteString(`]]></openbadges:credential>`)
	b.WriteString(`<title>` + html.EscapeString(title) + `</title>`)
	b.WriteString(`<circle cx="128" cy="128" r="126" fill="#f2c230"/><circle cx="128" cy="128" r="114" fill="#9e1b14"/>`)
	b.WriteString(`<path fill="#f2c230" d="M128 58l16 44h46l-37 28 14 45-39-27-39 27 14-45-37-28h46z"/></svg>`)
	return []byte(b.String())
}

// unbake returns the credential baked in a PNG or SVG image, if input is
// one with a credential in it.
func unbake(input []byte) ([]byte, bool) {
	if bytes.HasPrefix(input, pngMagic) {
		p := input[len(pngMagic):]
		for len(p) >= 12 {
			n := binary.BigEndian.Uint32(p)
			if uint64(n) > uint64(len(p)-12) {
				return nil, false
			}
			typ, data := string(p[4:8]), p[8:8+n]
			if typ == "iTXt" && bytes.HasPrefix(data, []byte(bakeKeyword+"\x00")) {
				rest := data[len(bakeKeyword)+1:]
				if len(rest) < 2 || rest[0] != 0 {
					return nil, false // compressed: not how credentials are baked
				}
				rest = rest[2:]
				// Language tag and translated keyword, each ending in 0.
				for i := 0; i < 2; i++ {
					j := bytes.IndexByte(rest, 0)
					if j < 0 {
						return nil, false
					}
					rest = rest[j+1:]
				}
				return rest, true
			}
			p = p[12+n:]
		}
		return nil, false
	}
	s := string(input)
	if !strings.Contains(s[:min(len(s), 512)], "<svg") {
		return nil, false
	}
	i := strings.Index(s, "<openbadges:credential")
	if i < 0 {
		return nil, false
	}
	rest := s[i:]
	if j := strings.Index(rest, `verify="`); j >= 0 && j < strings.Index(rest, ">") {
		v := rest[j+len(`verify="`):]
		if k := strings.IndexByte(v, '"'); k >= 0 {
			return []byte(v[:k]), true
		}
	}
	start := strings.Index(rest, ">")
	end := strings.Index(rest, "</openbadges:credential>")
	if start < 0 || end < start {
		return nil, false
	}
	body := rest[start+1 : end]
	body = strings.ReplaceAll(body, "]]]]><![CDATA[>", "]]>")
	body = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(body), "<![CDATA["), "]]>")
	return []byte(body), true
}
