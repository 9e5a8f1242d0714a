package auth

import (
	"context"
	"dxhub/internal/platform/i18n"
	"strings"
	"time"

	"dxhub/internal/platform/errs"
)

// Role is what an account may do, granted on a unit and applying to the
// unit's whole subtree. Learner is every account's implicit role.
type Role string

const (
	Learner       Role = "learner"
	Author        Role = "author"
	ExamAdmin     Role = "exam_admin"
	Proctor       Role = "proctor"
	Reporter      Role = "reporter"
	UnitAdmin     Role = "unit_admin"
	NationalAdmin Role = "national_admin"
	Expert        Role = "expert"
	Editor        Role = "editor"
)

// GrantableRoles are the roles granted on a unit, in display order.
var GrantableRoles = []Role{Author, Editor, ExamAdmin, Proctor, Reporter, UnitAdmin, NationalAdmin, Expert}

// ValidRole reports whether r can be granted.
func ValidRole(r string) bool {
	for _, x := range GrantableRoles {
		if string(x) == r {
			return true
		}
	}
	return false
}

// Action is something a principal may do on an object in a unit's subtree.
type Action string

const (
	ViewPeople     Action = "people.view"
	EditPeople     Action = "people.edit"
	ImportPeople   Action = "people.import"
	ExportPeople   Action = "people.export"
	EditUnits      Action = "units.edit"
	ManageRoles    Action = "roles.manage"
	ViewAudit      Action = "audit.view"
	AuthorContent  Action = "content.author"
	ManageExams    Action = "exams.manage"
	ProctorExams   Action = "exams.proctor"
	SubmitReports  Action = "reports.submit"
	ApproveReports Action = "reports.approve"
	ManageExpert   Action = "expert.profile"
	AssignLearning Action = "learning.assign"
	ViewLearning   Action = "learning.report"
	ManageLRS      Action = "lrs.manage"
	ViewMonitoring Action = "monitoring.view"
	ManageTargets  Action = "monitoring.manage"
	// ManageSearch is editing the synonyms every search uses.
	ManageSearch Action = "search.manage"
	// DefineAchievements is defining what certificates can be earned,
	// issued in the unit's name.
	DefineAchievements Action = "credentials.define"
	// IssueCredentials is issuing certificates from a list, revoking them
	// and exporting the list of those issued.
	IssueCredentials Action = "credentials.issue"
	// EditLibrary is writing the library's documents (news, guides, legal
	// documents, material, FAQ) as drafts in the unit's name.
	EditLibrary Action = "library.edit"
	// PublishLibrary is publishing, scheduling, unpublishing and archiving
	// them, and changing a published one.
	PublishLibrary Action = "library.publish"
	// ManageNetwork: keep a unit's DX network (villages, committees and
	// community teams, their members, population figures).
	ManageNetwork Action = "network.manage"
	// ViewNetwork: see the network of a subtree and its coverage.
	ViewNetwork Action = "network.view"
	// ManagePlans: write a unit's implementation plans and their tasks,
	// cascade tasks and remind late lead units.
	ManagePlans Action = "plans.manage"
	// ReportTasks: report progress on the tasks a unit leads (and see the
	// plans of the subtree).
	ReportTasks Action = "plans.report"
	// VerifyExperts: keep the expert profiles of a subtree (verify them,
	// read their private fields, nominate and select experts), and the
	// taxonomy of fields on the nation.
	VerifyExperts Action = "experts.verify"
	// PostNeeds: post a unit's needs for experts, invite experts and
	// record engagements.
	PostNeeds Action = "experts.need"
	// ManageCampaigns: run a unit's campaigns, events and contests (rules,
	// rounds, fair-play review, prizes, publishing results) and send
	// messages to the people of its subtree.
	ManageCampaigns Action = "campaigns.manage"
)

// roleActions is the whole permission table: one place to read who may do
// what. Every check in dxhub goes through Principal.Can with it.
var roleActions = map[Role][]Action{
	NationalAdmin: {ViewPeople, EditPeople, ImportPeople, ExportPeople, EditUnits, ManageRoles, ViewAudit, AuthorContent, ManageExams, ProctorExams, SubmitReports, ApproveReports, AssignLearning, ViewLearning, ManageLRS, ViewMonitoring, ManageTargets, DefineAchievements, IssueCredentials, ManageSearch, EditLibrary, PublishLibrary, ManageNetwork, ViewNetwork, ManagePlans, ReportTasks, VerifyExperts, PostNeeds, ManageCampaigns},
	UnitAdmin:     {ViewPeople, EditPeople, ImportPeople, ExportPeople, EditUnits, ManageRoles, ViewAudit, ApproveReports, AssignLearning, ViewLearning, ManageLRS, ViewMonitoring, ManageTargets, DefineAchievements, IssueCredentials, EditLibrary, PublishLibrary, ManageNetwork, ViewNetwork, ManagePlans, ReportTasks, VerifyExperts, PostNeeds, ManageCampaigns},
	ExamAdmin:     {ViewPeople, ManageExams, ProctorExams},
	Proctor:       {ProctorExams},
	Author:        {AuthorContent, DefineAchievements},
	Reporter:      {SubmitReports, ViewMonitoring, ViewNetwork, ReportTasks},
	Expert:        {ManageExpert},
	Editor:        {EditLibrary},
}

// Grant is one role on one unit.
type Grant struct {
	ID       string `json:"id"`
	Role     Role   `json:"role"`
	UnitID   string `json:"unit_id"`
	UnitPath string `json:"-"`
	UnitCode string `json:"unit_code"`
	UnitName string `json:"unit_name"`
}

// Principal is who is making a request: an account and its grants.
type Principal struct {
	AccountID   string  `json:"account_id"`
	Username    string  `json:"username"`
	DisplayName string  `json:"display_name"`
	PersonID    string  `json:"person_id,omitempty"`
	Grants      []Grant `json:"grants"`
	ViaToken    bool    `json:"via_token"`
	// TimeZone is the zone the person chose (IANA name), empty for the
	// installation's.
	TimeZone string `json:"time_zone,omitempty"`
}

// Zone is where p reads and types times: their own zone or the
// installation's.
func (p *Principal) Zone() *time.Location {
	if p == nil {
		return i18n.DefaultZone
	}
	return i18n.Zone(p.TimeZone)
}

// Can reports whether p may do a on an object whose unit path is path.
func (p *Principal) Can(a Action, path string) bool {
	if p == nil || path == "" {
		return false
	}
	for _, g := range p.Grants {
		if strings.HasPrefix(path, g.UnitPath) && roleAllows(g.Role, a) {
			return true
		}
	}
	return false
}

// CanAnywhere reports whether p may do a somewhere; navigation uses it.
func (p *Principal) CanAnywhere(a Action) bool { return len(p.Scopes(a)) > 0 }

// Has reports whether p holds role r anywhere.
func (p *Principal) Has(r Role) bool {
	if p == nil {
		return false
	}
	for _, g := range p.Grants {
		if g.Role == r {
			return true
		}
	}
	return false
}

// Scopes returns the unit paths under which p may do a, with paths inside
// another returned path removed: list queries filter on these prefixes.
func (p *Principal) Scopes(a Action) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, g := range p.Grants {
		if roleAllows(g.Role, a) {
			out = append(out, g.UnitPath)
		}
	}
	return Minimal(out)
}

// Minimal drops every path that lies inside another path of the list.
func Minimal(paths []string) []string {
	var out []string
	for i, p := range paths {
		covered := false
		for j, q := range paths {
			if i != j && strings.HasPrefix(p, q) && (p != q || j < i) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	return out
}

func roleAllows(r Role, a Action) bool {
	for _, x := range roleActions[r] {
		if x == a {
			return true
		}
	}
	return false
}

// Authorize is the one check every page and API call makes: may the
// principal in ctx do a on an object in the unit at path? It returns
// unauthorized when nobody is signed in and forbidden otherwise.
func Authorize(ctx context.Context, a Action, path string) (*Principal, error) {
	p := FromContext(ctx)
	if p == nil {
		return nil, anonymous(ctx)
	}
	if !p.Can(a, path) {
		return p, errs.E(errs.Forbidden, "error.forbidden")
	}
	return p, nil
}

// RequireScopes returns the principal in ctx and its scopes for a, or
// unauthorized / forbidden when it has none.
func RequireScopes(ctx context.Context, a Action) (*Principal, []string, error) {
	p := FromContext(ctx)
	if p == nil {
		return nil, nil, anonymous(ctx)
	}
	s := p.Scopes(a)
	if len(s) == 0 {
		return p, nil, errs.E(errs.Forbidden, "error.forbidden")
	}
	return p, s, nil
}

// RequireUser returns the signed-in principal or unauthorized.
func RequireUser(ctx context.Context) (*Principal, error) {
	p := FromContext(ctx)
	if p == nil {
		return nil, anonymous(ctx)
	}
	return p, nil
}

type ctxKey struct{}

// lookupErrKey carries why a request's session or token could not be
// looked up (the database could not be reached): such a request is not
// anonymous, and must not be told to sign in.
type lookupErrKey struct{}

// anonymous is the error for a request without a principal: the lookup's
// own failure when there was one, else "sign in".
func anonymous(ctx context.Context) error {
	if err, ok := ctx.Value(lookupErrKey{}).(error); ok {
		return err
	}
	return errs.E(errs.Unauthorized, "error.unauthorized")
}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal of the request, nil when anonymous.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}

// System is the principal of trusted command-line work (imports, demo
// seeding): a national administrator over the whole tree, with no account.
func System() *Principal {
	return &Principal{Username: "system", DisplayName: "system", Grants: []Grant{{Role: NationalAdmin, UnitPath: "/"}}}
}
