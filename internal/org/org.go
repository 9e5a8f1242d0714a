// Package org is the organisation tree (cây tổ chức) and the people in it.
// Units change by resolution (merge, split, rename, re-code) with effective
// dates; data recorded against an old unit keeps rolling up into its
// successor because a dissolved unit hangs under it in the roll-up path.
// Other domains read units and people only through Service.
package org

import (
	"log/slog"
	"strings"

	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/search"
)

// Unit types.
const (
	TypeNation         = "nation"
	TypeMinistry       = "ministry"
	TypeMinistryAgency = "ministry_agency"
	TypeProvince       = "province"
	TypeCommune        = "commune"
	TypeDepartment     = "department"
	TypeEnterprise     = "state_enterprise"
	TypeUniversity     = "university"
	TypeSchool         = "school"
	TypeOther          = "other"
)

// UnitTypes lists the types in display order.
var UnitTypes = []string{TypeNation, TypeMinistry, TypeMinistryAgency, TypeProvince, TypeCommune, TypeDepartment, TypeEnterprise, TypeUniversity, TypeSchool, TypeOther}

// NationCode is the code of the root unit.
const NationCode = "VN"

// Unit is a node of the organisation tree (đơn vị).
type Unit struct {
	ID          string   `json:"id"`
	Code        string   `json:"code"`
	Type        string   `json:"type"`
	NameVI      string   `json:"name_vi"`
	NameEN      string   `json:"name_en"`
	FullNameVI  string   `json:"full_name_vi"`
	FullNameEN  string   `json:"full_name_en"`
	ParentID    string   `json:"parent_id,omitempty"`
	ParentCode  string   `json:"parent_code,omitempty"`
	Path        string   `json:"-"`
	Depth       int      `json:"depth"`
	ValidFrom   string   `json:"valid_from,omitempty"`
	ValidTo     string   `json:"valid_to,omitempty"`
	SuccessorID string   `json:"successor_id,omitempty"`
	Classes     []string `json:"classes,omitempty"`
	// Formerly is set on a search result found by a name it no longer
	// has: the dissolved unit's or its name before a rename.
	Formerly string `json:"formerly,omitempty"`
}

// Live reports whether the unit still exists.
func (u *Unit) Live() bool { return u.ValidTo == "" }

// Kind is what the unit calls itself ("Phường", "Xã", "Đặc khu",
// "Ward"): its full name without its short name, or the label of its type.
func (u *Unit) Kind(lang i18n.Lang) string {
	full, name := u.FullNameVI, u.NameVI
	if lang == i18n.EN {
		full, name = u.FullNameEN, u.NameEN
	}
	if k := strings.TrimSpace(strings.TrimSuffix(full, name)); k != "" && k != full {
		return k
	}
	if k := strings.TrimSpace(strings.TrimPrefix(full, name)); k != "" && k != full {
		return k
	}
	return i18n.T(lang, "type."+u.Type)
}

// Name returns the unit's short name in lang.
func (u *Unit) Name(lang i18n.Lang) string {
	if lang == i18n.EN && u.NameEN != "" {
		return u.NameEN
	}
	return u.NameVI
}

// FullName returns the unit's full name in lang.
func (u *Unit) FullName(lang i18n.Lang) string {
	if lang == i18n.EN && u.FullNameEN != "" {
		return u.FullNameEN
	}
	if u.FullNameVI != "" {
		return u.FullNameVI
	}
	return u.Name(lang)
}

// ScopePath is the path permission checks compare against.
func (u *Unit) ScopePath() string { return u.Path }

// Event is a change by resolution.
type Event struct {
	ID         string      `json:"id"`
	Kind       string      `json:"kind"`
	Effective  string      `json:"effective"`
	Resolution string      `json:"resolution"`
	Note       string      `json:"note,omitempty"`
	Parts      []EventPart `json:"parts"`
}

// Describe says in lang what the event did, one line per part.
func (e Event) Describe(lang i18n.Lang) []string {
	out := make([]string, len(e.Parts))
	for i, p := range e.Parts {
		switch e.Kind {
		case EventRename:
			out[i] = i18n.T(lang, "event.rename", p.OldName, p.NewName)
		case EventRecode:
			out[i] = i18n.T(lang, "event.recode", p.OldCode, p.NewCode)
		default:
			out[i] = i18n.T(lang, "event."+e.Kind, p.FromName+" ("+p.FromCode+")", p.ToName+" ("+p.ToCode+")")
		}
	}
	return out
}

// EventPart links a unit before the event to a unit after it.
type EventPart struct {
	FromID   string `json:"from_id"`
	FromCode string `json:"from_code"`
	FromName string `json:"from_name"`
	ToID     string `json:"to_id"`
	ToCode   string `json:"to_code"`
	ToName   string `json:"to_name"`
	OldCode  string `json:"old_code,omitempty"`
	NewCode  string `json:"new_code,omitempty"`
	OldName  string `json:"old_name,omitempty"`
	NewName  string `json:"new_name,omitempty"`
}

// Event kinds.
const (
	EventMerge  = "merge"
	EventSplit  = "split"
	EventRename = "rename"
	EventRecode = "recode"
)

// Groups a person may belong to (nhóm đối tượng).
const (
	GroupLeader         = "leader"
	GroupCivilServant   = "civil_servant"
	GroupPublicEmployee = "public_employee"
	GroupDXStaff        = "dx_staff"
	GroupTeacher        = "teacher"
	GroupStudent        = "student"
	GroupWorker         = "enterprise_worker"
	GroupCitizen        = "citizen"
	// GroupCommunityTech: members of a community digital technology team
	// (kept by the network room), so that learning can be assigned to them.
	GroupCommunityTech = "community_tech"
)

// Groups lists the person groups in display order.
var Groups = []string{GroupLeader, GroupCivilServant, GroupPublicEmployee, GroupDXStaff, GroupTeacher, GroupStudent, GroupWorker, GroupCitizen, GroupCommunityTech}

// Person is a person record (hồ sơ cá nhân): personal data, so every read
// of another person's record is checked and audited.
type Person struct {
	ID        string   `json:"id"`
	Key       string   `json:"key"`
	FullName  string   `json:"full_name"`
	BirthDate string   `json:"birth_date,omitempty"`
	UnitID    string   `json:"unit_id"`
	UnitCode  string   `json:"unit_code"`
	UnitName  string   `json:"unit_name"`
	UnitPath  string   `json:"-"`
	Position  string   `json:"position,omitempty"`
	Groups    []string `json:"groups"`
	Email     string   `json:"email,omitempty"`
	Phone     string   `json:"phone,omitempty"`
	UpdatedAt int64    `json:"updated_at"`
}

// GroupList parses the stored comma list.
func splitGroups(s string) []string {
	if s == "" {
		return []string{} // "groups": [] in JSON, as the API says
	}
	return strings.Split(s, ",")
}

// Service is the organisation room's API.
type Service struct {
	DB    *db.DB
	Audit *audit.Log
	Log   *slog.Logger
	// Search gives unit search its synonyms and people search its index.
	Search *search.Service

	searchIndex unitIndex
}
