// Package skills is the Digital Skills Standard (Chuẩn kỹ năng số): versioned
// competence frameworks (area → competence → level) and the older module
// standard (IU01–IU15). Items, courses and results point at a competence of
// a standard version. It reads no other room's tables.
package skills

import (
	"context"
	"log/slog"
	"strings"

	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
)

// Kinds of standard.
const (
	KindFramework = "framework" // areas, competences, 8 levels in 4 tiers
	KindModules   = "modules"   // IU modules: basic all required, advanced = basic + N
)

// Statuses of a standard version.
const (
	Draft     = "draft"
	Published = "published"
)

// Tiers of proficiency; levels 1–8 map two to a tier.
var Tiers = []string{"basic", "intermediate", "advanced", "specialised"}

// TierOfLevel returns the tier (0–3) of a level 1–8.
func TierOfLevel(level int) int {
	if level < 1 {
		return 0
	}
	return min((level-1)/2, 3)
}

// Standard is one version of a skills standard.
type Standard struct {
	ID             string `json:"-"`
	Code           string `json:"code"`
	Version        int    `json:"version"`
	Kind           string `json:"kind"`
	NameVI         string `json:"name_vi"`
	NameEN         string `json:"name_en"`
	DescriptionVI  string `json:"description_vi,omitempty"`
	DescriptionEN  string `json:"description_en,omitempty"`
	Status         string `json:"status,omitempty"`
	AdvancedChoose int    `json:"advanced_choose,omitempty"`
	BasedOn        string `json:"based_on,omitempty"`
	CreatedAt      int64  `json:"-"`
	PublishedAt    int64  `json:"-"`
	Areas          []Area `json:"areas"`
}

// Area is a competence area (miền năng lực), or a group of modules.
type Area struct {
	ID            string       `json:"-"`
	Code          string       `json:"code"`
	NameVI        string       `json:"name_vi"`
	NameEN        string       `json:"name_en"`
	DescriptionVI string       `json:"description_vi,omitempty"`
	DescriptionEN string       `json:"description_en,omitempty"`
	Competences   []Competence `json:"competences"`
}

// Competence is a competence (năng lực thành phần) or a module, with what
// each tier looks like.
type Competence struct {
	ID            string   `json:"-"`
	AreaCode      string   `json:"-"`
	Code          string   `json:"code"`
	NameVI        string   `json:"name_vi"`
	NameEN        string   `json:"name_en"`
	DescriptionVI string   `json:"description_vi,omitempty"`
	DescriptionEN string   `json:"description_en,omitempty"`
	TiersVI       []string `json:"tiers_vi,omitempty"`
	TiersEN       []string `json:"tiers_en,omitempty"`
	Required      bool     `json:"required,omitempty"`
}

// Name returns the standard's name in lang.
func (s *Standard) Name(lang i18n.Lang) string { return pick(lang, s.NameVI, s.NameEN) }

// Description returns the standard's description in lang.
func (s *Standard) Description(lang i18n.Lang) string {
	return pick(lang, s.DescriptionVI, s.DescriptionEN)
}

// Ref is how URLs name a version: CODE/VERSION.
func (s *Standard) Ref() string { return s.Code + "/" + itoa(s.Version) }

// Name returns the area's name in lang.
func (a *Area) Name(lang i18n.Lang) string { return pick(lang, a.NameVI, a.NameEN) }

// Description returns the area's description in lang.
func (a *Area) Description(lang i18n.Lang) string {
	return pick(lang, a.DescriptionVI, a.DescriptionEN)
}

// Name returns the competence's name in lang.
func (c *Competence) Name(lang i18n.Lang) string { return pick(lang, c.NameVI, c.NameEN) }

// Description returns the competence's description in lang.
func (c *Competence) Description(lang i18n.Lang) string {
	return pick(lang, c.DescriptionVI, c.DescriptionEN)
}

// Tiers returns what each tier looks like, in lang.
func (c *Competence) Tiers(lang i18n.Lang) []string {
	if lang == i18n.EN && len(c.TiersEN) > 0 {
		return c.TiersEN
	}
	return c.TiersVI
}

func pick(lang i18n.Lang, vi, en string) string {
	if lang == i18n.EN && en != "" {
		return en
	}
	return vi
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// Competence returns the competence with code, if any.
func (s *Standard) Competence(code string) (*Competence, bool) {
	for i := range s.Areas {
		for j := range s.Areas[i].Competences {
			if s.Areas[i].Competences[j].Code == code {
				return &s.Areas[i].Competences[j], true
			}
		}
	}
	return nil, false
}

// CountCompetences counts the competences of all areas.
func (s *Standard) CountCompetences() int {
	n := 0
	for _, a := range s.Areas {
		n += len(a.Competences)
	}
	return n
}

// ModuleResult applies a module standard's rule to the modules a person
// passed: basic needs every required module; advanced needs basic plus
// AdvancedChoose of the others.
func (s *Standard) ModuleResult(passed []string) (basic, advanced bool) {
	has := map[string]bool{}
	for _, p := range passed {
		has[strings.ToUpper(strings.TrimSpace(p))] = true
	}
	basic = true
	others := 0
	for _, a := range s.Areas {
		for _, c := range a.Competences {
			switch {
			case c.Required && !has[c.Code]:
				basic = false
			case !c.Required && has[c.Code]:
				others++
			}
		}
	}
	return basic, basic && s.Kind == KindModules && others >= s.AdvancedChoose
}

// Validate checks a standard before it is stored; errors name the field by
// its JSON path (areas[2].competences[0].code).
func (s *Standard) Validate() error {
	s.Code = strings.TrimSpace(s.Code)
	if s.Code == "" || len(s.Code) > 32 || strings.ContainsAny(s.Code, " /\\?#") {
		return errs.Field("code", "skills.bad_code", s.Code)
	}
	if s.Version < 1 || s.Version > 9999 {
		return errs.Field("version", "skills.bad_version", s.Version)
	}
	if s.Kind != KindFramework && s.Kind != KindModules {
		return errs.Field("kind", "skills.bad_kind", s.Kind)
	}
	if strings.TrimSpace(s.NameVI) == "" {
		return errs.Field("name_vi", "skills.name_required")
	}
	if len(s.Areas) == 0 {
		return errs.Field("areas", "skills.no_areas")
	}
	if s.Kind == KindModules && s.AdvancedChoose < 0 {
		return errs.Field("advanced_choose", "skills.bad_version", s.AdvancedChoose)
	}
	areaCodes, compCodes := map[string]bool{}, map[string]bool{}
	for i, a := range s.Areas {
		p := "areas[" + itoa(i) + "]"
		if a.Code == "" || areaCodes[a.Code] {
			return errs.Field(p+".code", "skills.dup_code", a.Code)
		}
		areaCodes[a.Code] = true
		if strings.TrimSpace(a.NameVI) == "" {
			return errs.Field(p+".name_vi", "skills.name_required")
		}
		if len(a.Competences) == 0 {
			return errs.Field(p+".competences", "skills.no_competences")
		}
		for j, c := range a.Competences {
			q := p + ".competences[" + itoa(j) + "]"
			if c.Code == "" || compCodes[c.Code] || len(c.Code) > 32 {
				return errs.Field(q+".code", "skills.dup_code", c.Code)
			}
			compCodes[c.Code] = true
			if strings.TrimSpace(c.NameVI) == "" {
				return errs.Field(q+".name_vi", "skills.name_required")
			}
			for _, t := range [][]string{c.TiersVI, c.TiersEN} {
				if len(t) != 0 && len(t) != len(Tiers) {
					return errs.Field(q+".tiers_vi", "skills.bad_tiers", len(Tiers))
				}
			}
		}
	}
	return nil
}

// Service stores and serves standards.
type Service struct {
	DB  *db.DB
	Log *slog.Logger
	// Scope returns the unit path whose AuthorContent right lets a person
	// edit national standards (the nation's path); the app wires it to the
	// organisation room.
	Scope func(ctx context.Context) (string, error)
}
