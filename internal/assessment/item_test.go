package assessment

import (
	"encoding/json"
	"math"
	"net/url"
	"strings"
	"testing"

	"dxhub/internal/platform/errs"
)

func opts(texts ...string) []Option {
	var out []Option
	for i, t := range texts {
		out = append(out, Option{ID: string(rune('A' + i)), Text: t})
	}
	return out
}

func TestScoring(t *testing.T) {
	single := Body{Type: Single, Stem: "Mật khẩu nào mạnh nhất?", Options: opts("123456", "matkhau", "T7#qz!9Lm@2"), Correct: []string{"C"}}
	multiple := Body{Type: Multiple, Stem: "Dấu hiệu lừa đảo?", Options: opts("Yêu cầu mã OTP", "Khẩn cấp bất thường", "Tên miền chính thức"), Correct: []string{"A", "B"}}
	partial := multiple
	partial.Mode, partial.Map, partial.MaxScore = MapResponse, map[string]float64{"A": 1, "B": 1, "C": -1}, 2
	tf := Body{Type: TrueFalse, Stem: "Có thể chia sẻ mã OTP cho nhân viên ngân hàng.", Correct: []string{"false"}}
	order := Body{Type: Ordering, Stem: "Sắp xếp các bước nộp hồ sơ trực tuyến", Options: opts("Đăng nhập", "Điền tờ khai", "Nộp lệ phí")}
	match := Body{Type: Matching, Stem: "Ghép phần mềm với công dụng", Options: opts("Bảng tính", "Trình chiếu"),
		Targets: []Option{{"R1", "Tính toán số liệu"}, {"R2", "Thuyết trình"}}, Correct: []string{"A:R1", "B:R2"}}
	text := Body{Type: ShortText, Stem: "Tên cổng dịch vụ công quốc gia?", Correct: []string{"Dịch vụ công", "DVC"}}
	strict := text
	strict.StrictDiacritics = true
	num := Body{Type: Numeric, Stem: "=SUM(2;3;4) cho kết quả?", Correct: []string{"9"}, Tolerance: 0}
	approx := Body{Type: Numeric, Stem: "π gần bằng?", Correct: []string{"3,14"}, Tolerance: 0.01}
	for _, b := range []*Body{&single, &multiple, &partial, &tf, &order, &match, &text, &strict, &num, &approx} {
		if err := b.Validate(); err != nil {
			t.Fatalf("%s: %v", b.Type, err)
		}
	}
	for _, c := range []struct {
		name string
		b    *Body
		resp []string
		want float64
	}{
		{"single right", &single, []string{"C"}, 1},
		{"single wrong", &single, []string{"A"}, 0},
		{"single two answers", &single, []string{"C", "A"}, 0},
		{"no answer", &single, nil, 0},
		{"multiple all right in any order", &multiple, []string{"B", "A"}, 1},
		{"multiple missing one", &multiple, []string{"A"}, 0},
		{"multiple with a wrong one", &multiple, []string{"A", "B", "C"}, 0},
		{"partial credit", &partial, []string{"A"}, 1},
		{"partial credit full", &partial, []string{"A", "B"}, 2},
		{"partial credit penalty", &partial, []string{"A", "C"}, 0},
		{"partial never below zero", &partial, []string{"C"}, 0},
		{"partial counts a choice once", &partial, []string{"A", "A", "A"}, 1},
		{"true/false", &tf, []string{"false"}, 1},
		{"ordering right", &order, []string{"A", "B", "C"}, 1},
		{"ordering wrong", &order, []string{"B", "A", "C"}, 0},
		{"matching right", &match, []string{"B:R2", "A:R1"}, 1},
		{"matching wrong", &match, []string{"A:R2", "B:R1"}, 0},
		{"short text without diacritics", &text, []string{"  dich VU cong "}, 1},
		{"short text đ folds to d", &text, []string{"Dịch vụ công"}, 1},
		{"short text other accepted answer", &text, []string{"dvc"}, 1},
		{"short text wrong", &text, []string{"cổng thông tin"}, 0},
		{"strict diacritics refuses unaccented", &strict, []string{"dich vu cong"}, 0},
		{"strict diacritics accepts exact", &strict, []string{"dịch VỤ công"}, 1},
		{"numeric exact", &num, []string{"9"}, 1},
		{"numeric wrong", &num, []string{"9.5"}, 0},
		{"numeric not a number", &num, []string{"chín"}, 0},
		{"numeric tolerance with comma", &approx, []string{"3,145"}, 1},
		{"numeric outside tolerance", &approx, []string{"3.2"}, 0},
	} {
		if got := c.b.Score(c.resp); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: score %v, want %v", c.name, got, c.want)
		}
	}
}

func TestValidateNamesTheField(t *testing.T) {
	for _, c := range []struct {
		name  string
		b     Body
		field string
	}{
		{"empty stem", Body{Type: Single, Options: opts("a", "b"), Correct: []string{"A"}}, "stem"},
		{"one option", Body{Type: Single, Stem: "x", Options: opts("a"), Correct: []string{"A"}}, "options"},
		{"no correct", Body{Type: Single, Stem: "x", Options: opts("a", "b")}, "correct"},
		{"two correct for single", Body{Type: Single, Stem: "x", Options: opts("a", "b"), Correct: []string{"A", "B"}}, "correct"},
		{"unknown correct", Body{Type: Multiple, Stem: "x", Options: opts("a", "b"), Correct: []string{"Z"}}, "correct"},
		{"bad type", Body{Type: "drawing", Stem: "x"}, "type"},
		{"essay too long to expect", Body{Type: Essay, Stem: "x", ExpectedLength: 20000}, "expected_length"},
		{"essay with a map", Body{Type: Essay, Stem: "x", Mode: MapResponse}, "mode"},
		{"order misses one", Body{Type: Ordering, Stem: "x", Options: opts("a", "b", "c"), Correct: []string{"A", "B"}}, "correct"},
		{"pair to nowhere", Body{Type: Matching, Stem: "x", Options: opts("a", "b"), Targets: []Option{{"R1", "1"}, {"R2", "2"}}, Correct: []string{"A:R9"}}, "correct"},
		{"no accepted answer", Body{Type: ShortText, Stem: "x", Correct: []string{" "}}, "correct"},
		{"numeric not a number", Body{Type: Numeric, Stem: "x", Correct: []string{"abc"}}, "correct"},
		{"map on numeric", Body{Type: Numeric, Stem: "x", Correct: []string{"1"}, Mode: MapResponse}, "mode"},
		{"map to unknown option", Body{Type: Multiple, Stem: "x", Options: opts("a", "b"), Correct: []string{"A"}, Mode: MapResponse, Map: map[string]float64{"Q": 1}}, "map"},
	} {
		err := c.b.Validate()
		e, ok := errs.As(err)
		if !ok || e.Field != c.field {
			t.Errorf("%s: %v, want an error on %s", c.name, err, c.field)
		}
	}
}

func TestFormRoundTrip(t *testing.T) {
	for _, v := range []url.Values{
		{"type": {Single}, "level": {"2"}, "competence": {"4.1"}, "stem": {"Chọn"}, "options": {"a\n*b\nc"}, "mode": {AllOrNothing}},
		{"type": {Multiple}, "level": {"3"}, "competence": {"4.1"}, "stem": {"Chọn"}, "options": {"*a\n*b\nc"}, "mode": {MapResponse}, "map": {"A = 1\nB = 1\nC = -0,5"}, "max_score": {"2"}},
		{"type": {Ordering}, "level": {"1"}, "competence": {"1.1"}, "stem": {"Xếp"}, "options": {"một\nhai\nba"}},
		{"type": {Matching}, "level": {"1"}, "competence": {"1.1"}, "stem": {"Ghép"}, "pairs": {"Word => văn bản\nExcel => bảng tính\nCalc => bảng tính"}},
		{"type": {ShortText}, "level": {"1"}, "competence": {"1.1"}, "stem": {"?"}, "answers": {"Hà Nội\nHN"}, "strict_diacritics": {"1"}},
		{"type": {Numeric}, "level": {"1"}, "competence": {"1.1"}, "stem": {"?"}, "number": {"2,5"}, "tolerance": {"0.1"}},
		{"type": {TrueFalse}, "level": {"1"}, "competence": {"1.1"}, "stem": {"?"}, "true_false": {"true"}},
	} {
		in, err := FormOf(v).Input("VN-DSF", 1)
		if err != nil {
			t.Fatalf("%s: %v", v.Get("type"), err)
		}
		if err := in.Body.Validate(); err != nil {
			t.Fatalf("%s: %v", v.Get("type"), err)
		}
		again, err := FormFor(&Item{Competence: in.Competence, Level: in.Level, Body: in.Body}).Input("VN-DSF", 1)
		if err != nil {
			t.Fatal(err)
		}
		again.Body.Validate()
		a, _ := json.Marshal(in)
		b, _ := json.Marshal(again)
		if string(a) != string(b) {
			t.Errorf("%s: form round trip\n%s\n%s", v.Get("type"), a, b)
		}
	}
	if _, err := FormOf(url.Values{"type": {Matching}, "level": {"1"}, "pairs": {"no arrow here"}}).Input("VN-DSF", 1); err == nil || !strings.Contains(err.Error(), "items.bad_pair") {
		t.Fatalf("pair without arrow: %v", err)
	}
}

// FuzzBody feeds arbitrary item bodies and responses to validation and
// scoring: no panic, and an accepted item's score always stays in 0…max.
func FuzzBody(f *testing.F) {
	f.Add(`{"type":"single","stem":"x","options":[{"id":"A","text":"a"},{"id":"B","text":"b"}],"correct":["A"]}`, "A")
	f.Add(`{"type":"multiple","stem":"x","options":[{"id":"A","text":"a"},{"id":"B","text":"b"}],"correct":["A"],"mode":"map","map":{"A":5,"B":-2},"max_score":3}`, "A,B")
	f.Add(`{"type":"numeric","stem":"x","correct":["1e308"],"tolerance":1e308}`, "-1e308")
	f.Add(`{"type":"short_text","stem":"x","correct":["Đ"]}`, "d")
	f.Fuzz(func(t *testing.T, body, resp string) {
		var b Body
		if json.Unmarshal([]byte(body), &b) != nil || b.Validate() != nil {
			return
		}
		s := b.Score(strings.Split(resp, ","))
		if s < 0 || s > b.MaxScore || math.IsNaN(s) {
			t.Fatalf("score %v outside 0…%v", s, b.MaxScore)
		}
	})
}

// A composite item made through the API, without rules of its own: each
// part scores as an item of its type and the item adds them up; bad
// parts are named.
func TestCompositeBody(t *testing.T) {
	b := Body{Type: Composite, Stem: "Điền vào chỗ trống: **(1)** _____ là thủ đô; chọn **(2)**.", Parts: []Body{
		{Type: ShortText, Stem: "(1)", Correct: []string{"Hà Nội"}},
		{Type: Multiple, Stem: "(2) Các thành phố trực thuộc trung ương", Options: []Option{{ID: "A", Text: "Huế"}, {ID: "B", Text: "Đà Nẵng"}, {ID: "C", Text: "Nha Trang"}}, Correct: []string{"A", "B"}, MaxScore: 2, MaxChoices: 2},
	}}
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	if b.MaxScore != 3 {
		t.Fatalf("maximum %v, want the parts' 1 + 2", b.MaxScore)
	}
	for _, c := range []struct {
		resp []string
		want float64
	}{
		{[]string{"0:ha noi", "1:A", "1:B"}, 3},
		{[]string{"1:B", "1:A"}, 2},
		{[]string{"0:Hà Nội", "1:A"}, 1},
		{[]string{"A", "01:A", "2:x", "-1:y", "0:Huế"}, 0}, // no part named, or a wrong answer
		{nil, 0},
	} {
		if got := b.Score(c.resp); got != c.want {
			t.Errorf("%q scores %v, want %v", c.resp, got, c.want)
		}
	}
	if got := b.CorrectResponse(); strings.Join(got, "|") != "0:Hà Nội|1:A|1:B" {
		t.Errorf("correct response %q", got)
	}
	err := b.CheckResponse([]string{"1:A", "1:B", "1:C"})
	if e, _ := errs.As(err); e == nil || e.Field != "response[1]" || e.Key != "items.too_many_choices" {
		t.Errorf("three choices where two are allowed: %v", err)
	}
	for _, bad := range []struct {
		edit  func(*Body)
		field string
	}{
		{func(b *Body) { b.Parts = b.Parts[:1] }, "parts"},
		{func(b *Body) { b.Parts[1].Type = Composite }, "parts[1]"},
		{func(b *Body) { b.Parts[0].Correct = nil }, "parts[0].correct"},
		{func(b *Body) { b.Parts[1].Options[0].ID = "" }, "parts[1].options"},
		{func(b *Body) { b.Parts[0].Response, b.Parts[1].Response = "R", "R" }, "parts[1]"},
		{func(b *Body) {
			b.Type = Single
			b.Options = []Option{{ID: "A", Text: "x"}, {ID: "B", Text: "y"}}
			b.Correct = []string{"A"}
		}, "parts"},
	} {
		c := b
		c.Parts = append([]Body(nil), b.Parts...)
		for i := range c.Parts {
			c.Parts[i].Options = append([]Option(nil), b.Parts[i].Options...)
		}
		bad.edit(&c)
		err := c.Validate()
		if e, _ := errs.As(err); e == nil || e.Field != bad.field {
			t.Errorf("want an error on %s, got %v", bad.field, err)
		}
	}
}

// A picture's areas are drawn as SVG with their numbers; a picture that
// cannot be drawn (an image not stored, a size out of bounds, a shape
// with the wrong number of coordinates, an area naming no option) is
// refused naming the field.
func TestPictureCheckAndDrawing(t *testing.T) {
	b := Body{Type: Single, Stem: "Chọn Hà Nội trên bản đồ", Options: []Option{{ID: "A", Text: "(1)"}, {ID: "B", Text: "(2)"}}, Correct: []string{"A"},
		Picture: &Picture{Src: "/files/abc-1", Alt: "Bản đồ <Việt Nam>", Width: 200, Height: 400, Areas: []Area{
			{ID: "A", Shape: "circle", Coords: []float64{100, 80, 10}, Label: "(1)"},
			{ID: "B", Shape: "poly", Coords: []float64{10, 10, 30, 10, 20, 40}, Label: "(2)"},
		}}}
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	svg := string(b.Picture.svg())
	for _, want := range []string{`viewBox="0 0 200 400"`, `aria-label="Bản đồ &lt;Việt Nam&gt;"`, `<circle class="area" cx="100" cy="80" r="10"/>`,
		`<polygon class="area" points="10,10 30,10 20,40"/>`, `x="20" y="20" text-anchor="middle" dominant-baseline="central">2</text>`} {
		if !strings.Contains(svg, want) {
			t.Errorf("drawing lacks %q:\n%s", want, svg)
		}
	}
	for _, bad := range []struct {
		edit  func(*Picture)
		field string
	}{
		{func(p *Picture) { p.Src = "https://elsewhere.example/x.png" }, "picture"},
		{func(p *Picture) { p.Src = `/files/x" onload="alert(1)` }, "picture"},
		{func(p *Picture) { p.Width = 0 }, "picture"},
		{func(p *Picture) { p.Areas[0].Coords = []float64{1, 2} }, "picture[0]"},
		{func(p *Picture) { p.Areas[1].Shape = "star" }, "picture[1]"},
		{func(p *Picture) { p.Areas[1].ID = "Z" }, "picture[1]"},
		{func(p *Picture) { p.Areas[0].Coords[0] = math.NaN() }, "picture[0]"},
	} {
		c := b
		pic := *b.Picture
		pic.Areas = append([]Area(nil), b.Picture.Areas...)
		for i := range pic.Areas {
			pic.Areas[i].Coords = append([]float64(nil), b.Picture.Areas[i].Coords...)
		}
		c.Picture = &pic
		bad.edit(c.Picture)
		if e, _ := errs.As(c.Validate()); e == nil || e.Field != bad.field || e.Key != "items.bad_picture" && e.Key != "items.unknown_option" {
			t.Errorf("want an error on %s, got %v", bad.field, e)
		}
	}
}
