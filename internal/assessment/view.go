package assessment

import (
	"html/template"
	"math/rand/v2"

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
}

// CandidateView prepares an item for display. Ordering items are always
// shuffled (the written order is the answer); rng decides the order so that
// a candidate's form can be rebuilt identically.
func CandidateView(b *Body, rng *rand.Rand) View {
	v := View{Type: b.Type, Stem: richtext.Render(b.Stem), Options: append([]Option(nil), b.Options...), Targets: append([]Option(nil), b.Targets...), MinChoices: b.MinChoices, MaxChoices: b.MaxChoices}
	if b.Type == Ordering || b.Type == Matching {
		rng.Shuffle(len(v.Options), func(i, j int) { v.Options[i], v.Options[j] = v.Options[j], v.Options[i] })
		rng.Shuffle(len(v.Targets), func(i, j int) { v.Targets[i], v.Targets[j] = v.Targets[j], v.Targets[i] })
	}
	for i := range v.Options {
		v.Slots = append(v.Slots, i+1)
	}
	return v
}

// ViewInOrder prepares an item for a candidate with the option and target
// order stored in their form.
func ViewInOrder(b *Body, stem template.HTML, order, targets []string) View {
	v := View{Type: b.Type, Stem: stem, MinChoices: b.MinChoices, MaxChoices: b.MaxChoices}
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
	for i := range v.Options {
		v.Slots = append(v.Slots, i+1)
	}
	return v
}
