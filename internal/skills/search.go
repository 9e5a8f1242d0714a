package skills

import (
	"context"
	"strings"

	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/search"
)

// Found is a competence a search found, with its standard and area.
type Found struct {
	StandardCode    string `json:"standard_code"`
	StandardVersion int    `json:"standard_version"`
	StandardNameVI  string `json:"standard_name_vi"`
	StandardNameEN  string `json:"standard_name_en"`
	AreaCode        string `json:"area_code"`
	AreaNameVI      string `json:"area_name_vi"`
	AreaNameEN      string `json:"area_name_en"`
	Competence
}

// SearchCompetences finds competences of the latest published version of
// every standard by their names in both languages and code (rank 0),
// their description (1), their area's name (1) and what their tiers ask
// (2), as internal/platform/search matches and ranks. Standards hold a few
// hundred competences, so the index is built per search from the
// standards themselves and is never stale.
func (s *Service) SearchCompetences(ctx context.Context, q string, syn *search.Synonyms, limit int) ([]Found, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return []Found{}, nil
	}
	if len(q) > search.MaxQuery {
		return nil, errs.Field("q", "search.too_long", search.MaxQuery)
	}
	list, err := s.List(ctx, false)
	if err != nil {
		return nil, err
	}
	latest := map[string]Standard{}
	for _, st := range list {
		if st.Status == Published && st.Version > latest[st.Code].Version {
			latest[st.Code] = st
		}
	}
	var docs []search.Doc
	byID := map[string]Found{}
	for _, meta := range latest {
		st, err := s.Get(ctx, meta.Code, meta.Version)
		if err != nil {
			return nil, err
		}
		for _, a := range st.Areas {
			for _, c := range a.Competences {
				id := st.Code + "/" + c.Code
				byID[id] = Found{StandardCode: st.Code, StandardVersion: st.Version, StandardNameVI: st.NameVI, StandardNameEN: st.NameEN,
					AreaCode: a.Code, AreaNameVI: a.NameVI, AreaNameEN: a.NameEN, Competence: c}
				d := search.Doc{ID: id, Fields: []search.Field{{Text: c.NameVI}, {Text: c.NameEN, Plain: true}, {Text: c.Code, Plain: true},
					{Text: c.DescriptionVI, Rank: 1}, {Text: c.DescriptionEN, Rank: 1, Plain: true}, {Text: a.NameVI + " " + a.NameEN, Rank: 1}}}
				for _, t := range c.TiersVI {
					d.Fields = append(d.Fields, search.Field{Text: t, Rank: 2})
				}
				docs = append(docs, d)
			}
		}
	}
	hits, err := search.NewMemory(docs).Search(search.Query{Text: q, Limit: limit}, syn)
	if err != nil {
		return nil, err
	}
	out := make([]Found, len(hits))
	for i, h := range hits {
		out[i] = byID[h.ID]
	}
	return out, nil
}
