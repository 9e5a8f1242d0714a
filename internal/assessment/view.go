package assessment

import (
	"html/template"
	"math/rand/v2"
	"strconv"
	"strings"

	"dxhub/internal/platform/richtext"
)

// View is an item as a candidate sees it: no correct answers, options in
// the order this candidate gets them.
type View struct {
	Type    string
	Stem    template.HTML
	Options []Option
	Targets []Option
	Slots   []int // ordering: positions 1..n to choose from
	// MinChoices and MaxChoices bound a multiple choice (0: none).
	MinChoices, MaxChoices int
	// Parts of a composite item, each asked below the stem; Index is a
	// part's place and Name the prefix of its form fields ("p0-"), empty
	// for a whole item.
	Parts []View
	Index int
	Name  string
	// Picture: a graphic item's image with its numbered areas; Media its
	// videos and sounds.
	Picture, Media template.HTML
	// ExpectedLength: an essay's expected length in characters (a hint).
	ExpectedLength int
	// PointSlots: a point item's boxes, 1…MaxChoices.
	PointSlots []int
}

// CandidateView prepares an item for display. Ordering items are always
// shuffled (the written order is the answer); rng decides the order so that
// a candidate's form can be rebuilt identically.
func CandidateView(b *Body, rng *rand.Rand) View {
	order, targets := formOrder(b, rng, false)
	return ViewInOrder(b, richtext.Render(b.Stem), order, targets)
}

// formOrder is the order of an item's options and targets for one
// candidate: shuffled when shuffle says so, and always for ordering and
// matching (the written order is the answer). A composite item's are its
// parts', each written "k:id" with k the part's index.
func formOrder(b *Body, rng *rand.Rand, shuffle bool) (order, targets []string) {
	if b.Type == Composite {
		for k := range b.Parts {
			o, t := formOrder(&b.Parts[k], rng, shuffle)
			pre := strconv.Itoa(k) + ":"
			for _, id := range o {
				order = append(order, pre+id)
			}
			for _, id := range t {
				targets = append(targets, pre+id)
			}
		}
		return order, targets
	}
	for _, o := range b.Options {
		order = append(order, o.ID)
	}
	for _, o := range b.Targets {
		targets = append(targets, o.ID)
	}
	if shuffle || b.Type == Ordering || b.Type == Matching {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		rng.Shuffle(len(targets), func(i, j int) { targets[i], targets[j] = targets[j], targets[i] })
	}
	return order, targets
}

// ViewInOrder prepares an item for a candidate with the option and target
// order stored in their form.
func ViewInOrder(b *Body, stem template.HTML, order, targets []string) View {
	v := View{Type: b.Type, Stem: stem, MinChoices: b.MinChoices, MaxChoices: b.MaxChoices, Picture: b.Picture.svg(), Media: mediaHTML(b.Media), ExpectedLength: b.ExpectedLength}
	if b.Type == Composite {
		for k := range b.Parts {
			pre := strconv.Itoa(k) + ":"
			of := func(ids []string) []string {
				var out []string
				for _, id := range ids {
					if rest, ok := strings.CutPrefix(id, pre); ok {
						out = append(out, rest)
					}
				}
				return out
			}
			p := ViewInOrder(&b.Parts[k], richtext.Render(b.Parts[k].Stem), of(order), of(targets))
			p.Index, p.Name = k, "p"+strconv.Itoa(k)+"-"
			v.Parts = append(v.Parts, p)
		}
		return v
	}
	pick := func(opts []Option, ids []string) []Option {
		byID := map[string]Option{}
		for _, o := range opts {
			byID[o.ID] = o
		}
		out := make([]Option, 0, len(opts))
		for _, id := range ids {
			if o, ok := byID[id]; ok {
				out = append(out, o)
			}
		}
		if len(out) != len(opts) {
			return append([]Option(nil), opts...)
		}
		return out
	}
	v.Options, v.Targets = pick(b.Options, order), pick(b.Targets, targets)
	if b.Type == Point {
		for i := range max(b.MaxChoices, 1) {
			v.PointSlots = append(v.PointSlots, i+1)
		}
	}
	for i := range v.Options {
		v.Slots = append(v.Slots, i+1)
	}
	return v
}
