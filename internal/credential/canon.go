package credential

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/piprate/json-gold/ld"
)

// Canonicalizing a credential with JSON-LD costs some 1.7 ms, nearly all
// of it in processing the two contexts; the RDF canonicalization proper
// costs a tenth of that. Every credential dxhub issues has one of a few
// shapes, so each shape is turned into RDF once, with a unique token in
// place of every value, and a credential's RDF is that template with its
// values put back: the same dataset JSON-LD would give (tested against it,
// and checked again for each shape the first time it is met), canonicalized
// by the same algorithm.

type slotKind int

const (
	literal slotKind = iota
	iri
)

type slot struct {
	kind  slotKind
	value func(c *Content) string
}

type canonTemplate struct {
	quads []*ld.Quad // the dataset, tokens for values
	slots []slot
	ok    bool // false: the shape has no template; use JSON-LD
	// checked: a credential of the shape gave the same through the
	// template as through JSON-LD (until then each is made both ways).
	mu      sync.Mutex
	checked bool
}

var (
	templatesMu    sync.Mutex
	canonTemplates = map[string]*canonTemplate{}
)

// shapeOf names the structure of a credential: which optional parts it
// has and how many alignments.
func shapeOf(c *Content) string {
	var b strings.Builder
	for _, on := range []bool{c.Issuer.URL != "", c.Issuer.Image != "", c.Achievement.Type != "", c.Subject.Name != "", c.Result != "", !c.ValidUntil.IsZero(), c.Evidence != ""} {
		if on {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	for _, a := range c.Achievement.Alignments {
		b.WriteByte('a')
		if a.Code != "" {
			b.WriteByte('c')
		}
		if a.Framework != "" {
			b.WriteByte('f')
		}
	}
	return b.String()
}

// tokens give each value of a Content a place in the template.
func tokenized(c *Content) (*Content, []slot) {
	var slots []slot
	lit := func(get func(*Content) string) string {
		slots = append(slots, slot{literal, get})
		return "dxhubslot" + strconv.Itoa(len(slots)-1) + "x"
	}
	ref := func(get func(*Content) string) string {
		slots = append(slots, slot{iri, get})
		return "urn:dxhubslot:" + strconv.Itoa(len(slots)-1)
	}
	t := &Content{}
	t.ID = ref(func(c *Content) string { return c.ID })
	t.Number = lit(func(c *Content) string { return c.Number })
	t.Issuer.DID = ref(func(c *Content) string { return c.Issuer.DID })
	t.Issuer.Name = lit(func(c *Content) string { return c.Issuer.Name })
	if c.Issuer.URL != "" {
		t.Issuer.URL = ref(func(c *Content) string { return c.Issuer.URL })
	}
	if c.Issuer.Image != "" {
		t.Issuer.Image = ref(func(c *Content) string { return c.Issuer.Image })
	}
	t.Subject.HashedID = lit(func(c *Content) string { return c.Subject.HashedID })
	t.Subject.Salt = lit(func(c *Content) string { return c.Subject.Salt })
	t.Subject.IDType = lit(func(c *Content) string { return c.Subject.IDType })
	if c.Subject.Name != "" {
		t.Subject.Name = lit(func(c *Content) string { return c.Subject.Name })
	}
	t.Achievement.ID = ref(func(c *Content) string { return c.Achievement.ID })
	t.Achievement.Name = lit(func(c *Content) string { return c.Achievement.Name })
	t.Achievement.Description = lit(func(c *Content) string { return c.Achievement.Description })
	t.Achievement.Criteria = lit(func(c *Content) string { return c.Achievement.Criteria })
	if c.Achievement.Type != "" {
		t.Achievement.Type = lit(func(c *Content) string { return c.Achievement.Type })
	}
	for i, a := range c.Achievement.Alignments {
		var ta Alignment
		ta.Name = lit(func(c *Content) string { return c.Achievement.Alignments[i].Name })
		ta.URL = ref(func(c *Content) string { return c.Achievement.Alignments[i].URL })
		if a.Code != "" {
			ta.Code = lit(func(c *Content) string { return c.Achievement.Alignments[i].Code })
		}
		if a.Framework != "" {
			ta.Framework = lit(func(c *Content) string { return c.Achievement.Alignments[i].Framework })
		}
		t.Achievement.Alignments = append(t.Achievement.Alignments, ta)
	}
	if c.Result != "" {
		t.Result = lit(func(c *Content) string { return c.Result })
	}
	if c.Evidence != "" {
		t.Evidence = lit(func(c *Content) string { return c.Evidence })
	}
	t.Status.ListURL = ref(func(c *Content) string { return c.Status.ListURL })
	// Dates and the status index are written by document(): tokens
	// stand for what it writes.
	t.validFromText = lit(func(c *Content) string { return c.ValidFrom.UTC().Format(time.RFC3339) })
	if !c.ValidUntil.IsZero() {
		t.validUntilText = lit(func(c *Content) string { return c.ValidUntil.UTC().Format(time.RFC3339) })
	}
	t.statusText = lit(func(c *Content) string { return strconv.Itoa(c.Status.Index) })
	t.statusIDText = ref(func(c *Content) string { return c.Status.ListURL + "#" + strconv.Itoa(c.Status.Index) })
	return t, slots
}

// canonizeContent is canonize(c.document()), by the shape's template when
// it has one.
func canonizeContent(c *Content) ([]byte, error) {
	t := templateFor(c)
	if !t.ok {
		return canonize(c.document())
	}
	out, err := t.canonize(c)
	if err != nil {
		return canonize(c.document()) // a text the template cannot carry
	}
	t.mu.Lock()
	checked := t.checked
	t.mu.Unlock()
	if checked {
		return out, nil
	}
	want, err := canonize(c.document())
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.checked, t.ok = true, bytes.Equal(out, want)
	t.mu.Unlock()
	return want, nil
}

// templateFor returns the template of c's shape, made on first use.
func templateFor(c *Content) *canonTemplate {
	key := shapeOf(c)
	templatesMu.Lock()
	t, ok := canonTemplates[key]
	templatesMu.Unlock()
	if !ok {
		t = buildTemplate(c)
		templatesMu.Lock()
		canonTemplates[key] = t
		templatesMu.Unlock()
	}
	return t
}

func buildTemplate(c *Content) *canonTemplate {
	tc, slots := tokenized(c)
	// The dataset as JSON-LD makes it, blank nodes labelled in the order
	// it makes them: the filled template is the very input the JSON-LD
	// path gives the canonicalization.
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = loader
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.SafeMode = true
	out, err := ld.NewJsonLdProcessor().ToRDF(tc.document(), opts)
	ds, ok := out.(*ld.RDFDataset)
	if err != nil || !ok || len(ds.Graphs) != 1 {
		return &canonTemplate{}
	}
	t := &canonTemplate{quads: ds.Graphs["@default"], slots: slots, ok: true}
	// Every token must be in the dataset.
	found := make([]bool, len(slots))
	for _, q := range t.quads {
		for _, n := range []ld.Node{q.Subject, q.Object} {
			if i, ok := slotOf(n); ok && i < len(found) {
				found[i] = true
			}
		}
	}
	for _, f := range found {
		if !f {
			return &canonTemplate{}
		}
	}
	return t
}

// slotOf says which slot's token a node holds.
func slotOf(n ld.Node) (int, bool) {
	v := ""
	switch x := n.(type) {
	case ld.IRI:
		v = x.Value
	case ld.Literal:
		v = x.Value
	default:
		return 0, false
	}
	var digits string
	switch {
	case strings.HasPrefix(v, "urn:dxhubslot:"):
		digits = v[len("urn:dxhubslot:"):]
	case strings.HasPrefix(v, "dxhubslot") && strings.HasSuffix(v, "x"):
		digits = v[len("dxhubslot") : len(v)-1]
	default:
		return 0, false
	}
	i, err := strconv.Atoi(digits)
	return i, err == nil
}

// canonize fills the template with c's values and canonicalizes the
// dataset.
func (t *canonTemplate) canonize(c *Content) ([]byte, error) {
	values := make([]string, len(t.slots))
	for i, s := range t.slots {
		values[i] = s.value(c)
		if s.kind == iri && !absoluteIRI(values[i]) {
			return nil, fmt.Errorf("value %q is not an IRI", values[i])
		}
	}
	fill := func(n ld.Node) ld.Node {
		i, ok := slotOf(n)
		if !ok || i >= len(values) {
			return n
		}
		switch x := n.(type) {
		case ld.IRI:
			return ld.NewIRI(values[i])
		case ld.Literal:
			return ld.NewLiteral(values[i], x.Datatype, x.Language)
		}
		return n
	}
	ds := ld.NewRDFDataset()
	quads := make([]*ld.Quad, len(t.quads))
	for i, q := range t.quads {
		quads[i] = &ld.Quad{Subject: fill(q.Subject), Predicate: q.Predicate, Object: fill(q.Object), Graph: q.Graph}
	}
	ds.Graphs["@default"] = quads
	opts := ld.NewJsonLdOptions("")
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	out, err := ld.NewJsonLdApi().Normalize(ds, opts)
	if err != nil {
		return nil, err
	}
	str, _ := out.(string)
	return []byte(str), nil
}

// contentOf reads a credential document back into the Content that
// makes it, when it is exactly what dxhub writes (so that its canonical
// form can come from a template); false otherwise.
func contentOf(doc map[string]any) (*Content, bool) {
	c := &Content{ID: str(doc["id"])}
	iss, _ := doc["issuer"].(map[string]any)
	cs, _ := doc["credentialSubject"].(map[string]any)
	st, _ := doc["credentialStatus"].(map[string]any)
	if iss == nil || cs == nil || st == nil {
		return nil, false
	}
	c.Issuer = Issuer{DID: str(iss["id"]), Name: str(iss["name"]), URL: str(iss["url"])}
	if img, ok := iss["image"].(map[string]any); ok {
		c.Issuer.Image = str(img["id"])
	}
	ids, _ := cs["identifier"].([]any)
	for _, x := range ids {
		m, _ := x.(map[string]any)
		if m["hashed"] == true {
			c.Subject.HashedID, c.Subject.Salt, c.Subject.IDType = str(m["identityHash"]), str(m["salt"]), str(m["identityType"])
		} else {
			c.Subject.Name = str(m["identityHash"])
		}
	}
	ach, _ := cs["achievement"].(map[string]any)
	if ach == nil {
		return nil, false
	}
	crit, _ := ach["criteria"].(map[string]any)
	c.Achievement = AchievementDoc{ID: str(ach["id"]), Name: str(ach["name"]), Description: str(ach["description"]), Criteria: str(crit["narrative"]), Type: str(ach["achievementType"])}
	als, _ := ach["alignment"].([]any)
	for _, x := range als {
		m, _ := x.(map[string]any)
		c.Achievement.Alignments = append(c.Achievement.Alignments, Alignment{Name: str(m["targetName"]), URL: str(m["targetUrl"]), Code: str(m["targetCode"]), Framework: str(m["targetFramework"])})
	}
	if rs, ok := cs["result"].([]any); ok && len(rs) > 0 {
		m, _ := rs[0].(map[string]any)
		c.Result = str(m["value"])
	}
	if ev, ok := doc["evidence"].([]any); ok && len(ev) > 0 {
		m, _ := ev[0].(map[string]any)
		c.Number, c.Evidence = str(m["name"]), str(m["narrative"])
	}
	var err error
	if c.ValidFrom, err = time.Parse(time.RFC3339, str(doc["validFrom"])); err != nil {
		return nil, false
	}
	if u := str(doc["validUntil"]); u != "" {
		if c.ValidUntil, err = time.Parse(time.RFC3339, u); err != nil {
			return nil, false
		}
	}
	c.Status.ListURL = str(st["statusListCredential"])
	if c.Status.Index, err = strconv.Atoi(str(st["statusListIndex"])); err != nil {
		return nil, false
	}
	// Exactly what dxhub writes, or not at all.
	unsigned := make(map[string]any, len(doc))
	for k, v := range doc {
		if k != "proof" {
			unsigned[k] = v
		}
	}
	a, _ := json.Marshal(unsigned)
	b, _ := json.Marshal(c.document())
	return c, bytes.Equal(a, b)
}
