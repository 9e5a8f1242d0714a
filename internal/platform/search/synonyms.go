package search

import (
	"sort"
	"strings"
)

// Synonyms are groups of phrases that mean the same thing to whoever
// types them ("tp", "thành phố"; "hcm", "hồ chí minh", "sài gòn"), kept
// folded. A query phrase found in a group may be met by any phrase of it.
type Synonyms struct {
	groups [][]string          // folded phrases
	first  map[string][]phrase // a phrase's first word → the phrases starting with it
}

type phrase struct {
	words []string
	group int
}

// NewSynonyms builds the lookup from groups of phrases as an
// administrator wrote them (any case, marks and punctuation).
func NewSynonyms(groups [][]string) *Synonyms {
	s := &Synonyms{first: map[string][]phrase{}}
	for _, g := range groups {
		var folded []string
		seen := map[string]bool{}
		for _, p := range g {
			if f := Folded(p); f != "" && !seen[f] {
				seen[f] = true
				folded = append(folded, f)
			}
		}
		if len(folded) < 2 {
			continue
		}
		gi := len(s.groups)
		s.groups = append(s.groups, folded)
		for _, f := range folded {
			w := strings.Fields(f)
			s.first[w[0]] = append(s.first[w[0]], phrase{words: w, group: gi})
		}
	}
	// Longest phrases first, so that "tp hcm" is taken whole before "tp".
	for k, ps := range s.first {
		sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].words) > len(ps[j].words) })
		s.first[k] = ps
	}
	return s
}

// longest returns how many of ws the longest phrase starting at ws[0]
// covers, and that phrase's group (0, nil: none).
func (s *Synonyms) longest(ws []Word) (int, []string) {
	if s == nil || len(ws) == 0 {
		return 0, nil
	}
	for _, p := range s.first[ws[0].Fold] {
		if len(p.words) > len(ws) {
			continue
		}
		ok := true
		for i, w := range p.words {
			if ws[i].Fold != w {
				ok = false
				break
			}
		}
		if ok {
			return len(p.words), s.groups[p.group]
		}
	}
	return 0, nil
}
