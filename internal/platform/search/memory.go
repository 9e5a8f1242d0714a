package search

import (
	"math/bits"
	"sort"
	"strings"
)

// Memory is an index held in memory, for domains small enough that every
// node keeps them (the unit tree: a few thousand things searched on every
// keystroke). It is built once and read by any number of goroutines.
type Memory struct {
	docs   []analyzed
	post   map[string][]int32 // folded word → the docs holding it, ascending
	sorted []string           // the folded words in byte order, for prefixes
	vocab  *Vocab
}

// NewMemory indexes docs.
func NewMemory(docs []Doc) *Memory {
	m := &Memory{docs: make([]analyzed, len(docs)), post: map[string][]int32{}}
	for i, d := range docs {
		m.docs[i] = analyze(d)
		for _, f := range m.docs[i].folds() {
			m.post[f] = append(m.post[f], int32(i))
		}
	}
	m.sorted = make([]string, 0, len(m.post))
	for w := range m.post {
		m.sorted = append(m.sorted, w)
	}
	sort.Strings(m.sorted)
	m.vocab = NewVocab(m.sorted)
	return m
}

// Len is the number of things indexed.
func (m *Memory) Len() int { return len(m.docs) }

// Search finds q, best first, with the synonyms syn (nil: none), in the
// passes plan describes.
func (m *Memory) Search(q Query, syn *Synonyms) ([]Hit, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	var hits []Hit
	for pass := passKnown; pass <= passRelaxed; pass++ {
		slots, err := plan(q.Text, syn, m.vocab, pass)
		if err != nil || len(slots) == 0 {
			return nil, err
		}
		hits = m.run(slots, q.Scopes)
		if len(hits) >= min(limit, enough) || (pass == passTypos && len(hits) > 0) {
			break
		}
	}
	sortHits(hits)
	return hits[:min(limit, len(hits))], nil
}

func (m *Memory) run(slots []slot, scopes []string) []Hit {
	words := (len(m.docs) + 63) / 64
	var all []uint64
	for _, sl := range slots {
		set := make([]uint64, words)
		for _, al := range sl.alts {
			var as []uint64
			for _, t := range al {
				ts := m.postings(t, words)
				if as == nil {
					as = ts
					continue
				}
				for i := range as {
					as[i] &= ts[i]
				}
			}
			for i := range set {
				set[i] |= as[i]
			}
		}
		if all == nil {
			all = set
			continue
		}
		for i := range all {
			all[i] &= set[i]
		}
	}
	var hits []Hit
	for i, word := range all {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &^= 1 << b
			d := &m.docs[i*64+b]
			if len(scopes) > 0 && !anyOf(d.scopes, scopes) {
				continue
			}
			if s, ok := d.score(slots); ok {
				hits = append(hits, Hit{ID: d.id, Score: s, Boost: d.boost, key: d.key})
			}
		}
	}
	return hits
}

// postings is the set of docs holding t's folded word (or a word it
// starts, for a prefix term).
func (m *Memory) postings(t term, words int) []uint64 {
	set := make([]uint64, words)
	add := func(w string) {
		for _, d := range m.post[w] {
			set[d/64] |= 1 << (d % 64)
		}
	}
	if !t.prefix {
		add(t.word.Fold)
		return set
	}
	i := sort.SearchStrings(m.sorted, t.word.Fold)
	for ; i < len(m.sorted) && strings.HasPrefix(m.sorted[i], t.word.Fold); i++ {
		add(m.sorted[i])
	}
	return set
}

func anyOf(have, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}
