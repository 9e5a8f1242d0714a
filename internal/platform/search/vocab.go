package search

import (
	"sort"
	"sync"
	"unicode/utf8"
)

// Vocab is the set of folded words an index holds: typos are corrected to
// words that exist, and a run of letters is split only into real words.
// One-edit neighbours are found through each word's one-letter deletions
// (symmetric deletion, as SymSpell does); two-edit ones by a scan of the
// words of about the same length, asked for long words only.
type Vocab struct {
	mu      sync.RWMutex // words are added while searches read
	words   map[string]bool
	deletes map[string][]string // a word with one letter deleted → the words
	byLen   map[int][]string
}

// NewVocab indexes words (folded, any order, duplicates allowed); words
// with digits are left out (see lettersOnly).
func NewVocab(words []string) *Vocab {
	v := &Vocab{words: map[string]bool{}, deletes: map[string][]string{}, byLen: map[int][]string{}}
	for _, w := range words {
		if lettersOnly(w) {
			v.add(w)
		}
	}
	return v
}

// lettersOnly says whether a folded word is made of letters only. Codes
// and keys ("dx0001234", "24121") are not typo-corrected to — a key
// mistyped is another person's — and would make the vocabulary as large
// as the domain (a key per person).
func lettersOnly(w string) bool {
	for _, r := range w {
		if r >= '0' && r <= '9' {
			return false
		}
	}
	return w != ""
}

// Add adds words as they are indexed, so that this node corrects typos to
// them at once (other nodes read them within refreshEvery).
func (v *Vocab) Add(words ...string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, w := range words {
		v.add(w)
	}
}

func (v *Vocab) add(w string) {
	if w == "" || v.words[w] {
		return
	}
	v.words[w] = true
	n := utf8.RuneCountInString(w)
	v.byLen[n] = append(v.byLen[n], w)
	for _, d := range deletions(w) {
		v.deletes[d] = append(v.deletes[d], w)
	}
}

// Len is the number of words.
func (v *Vocab) Len() int {
	if v == nil {
		return 0
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.words)
}

func (v *Vocab) has(w string) bool {
	if v == nil {
		return false
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.words[w]
}

func deletions(w string) []string {
	r := []rune(w)
	if len(r) < 2 {
		return nil
	}
	out := make([]string, 0, len(r))
	for i := range r {
		out = append(out, string(r[:i])+string(r[i+1:]))
	}
	return out
}

type neighbour struct {
	word string
	dist int
}

// near returns the words of the vocabulary at most k edits from w (w
// itself left out), nearest first, then in byte order.
func (v *Vocab) near(w string, k int) []neighbour {
	if v == nil || k <= 0 {
		return nil
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	seen := map[string]bool{w: true}
	var out []neighbour
	consider := func(c string) {
		if seen[c] {
			return
		}
		seen[c] = true
		if d := distance(w, c, k); d <= k {
			out = append(out, neighbour{c, d})
		}
	}
	// One edit: w with a letter deleted is a word, a word with a letter
	// deleted is w, or both with one deleted meet (a change or a swap).
	ds := deletions(w)
	for _, d := range ds {
		if v.words[d] {
			consider(d)
		}
	}
	for _, c := range v.deletes[w] {
		consider(c)
	}
	for _, d := range ds {
		for _, c := range v.deletes[d] {
			consider(c)
		}
	}
	if k >= 2 {
		n := utf8.RuneCountInString(w)
		for l := n - 2; l <= n+2; l++ {
			for _, c := range v.byLen[l] {
				consider(c)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].dist != out[j].dist {
			return out[i].dist < out[j].dist
		}
		return out[i].word < out[j].word
	})
	const maxNeighbours = 24
	if len(out) > maxNeighbours {
		out = out[:maxNeighbours]
	}
	return out
}

// splits returns the ways w cuts into two or three words of the
// vocabulary ("daklak" → "dak lak"; "hochiminh" → "ho chi minh").
func (v *Vocab) splits(w string) [][]string {
	if v == nil || len(w) < 4 || len(w) > 40 {
		return nil
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	var out [][]string
	for i := 1; i < len(w); i++ {
		a, rest := w[:i], w[i:]
		if !v.words[a] {
			continue
		}
		if v.words[rest] {
			out = append(out, []string{a, rest})
		}
		for j := 1; j < len(rest); j++ {
			if v.words[rest[:j]] && v.words[rest[j:]] {
				out = append(out, []string{a, rest[:j], rest[j:]})
			}
		}
	}
	const maxSplits = 4
	if len(out) > maxSplits {
		// Fewer, longer parts are likelier what was meant.
		sort.SliceStable(out, func(i, j int) bool { return len(out[i]) < len(out[j]) })
		out = out[:maxSplits]
	}
	return out
}

// distance is the optimal string alignment distance between a and b
// (insertions, deletions, changes and swaps of neighbours), or k+1 once
// it is sure to exceed k.
func distance(a, b string, k int) int {
	if a == b {
		return 0
	}
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > k || -d > k {
		return k + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			c := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				c = min(c, prev2[j-2]+1)
			}
			cur[j] = c
			best = min(best, c)
		}
		if best > k {
			return k + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
