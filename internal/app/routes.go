package app

import (
	"crypto/subtle"
	"dxhub/internal/account"
	"dxhub/internal/campaign"
	"dxhub/internal/credential"
	_ "embed"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"dxhub/internal/assessment"
	"dxhub/internal/experts"
	"dxhub/internal/learning"
	"dxhub/internal/library"
	"dxhub/internal/lrs"
	"dxhub/internal/monitor"
	"dxhub/internal/network"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/files"
	"dxhub/internal/platform/search"
	"dxhub/internal/platform/web"
	"dxhub/internal/skills"
)

var notFound = errs.E(errs.NotFound, "error.not_found")

// Route is one entry of the route table.
type Route struct {
	Pattern string
	Handler web.HandlerFunc
}

// Routes is every route dxhub serves, in one place. API routes (under
// /api/v1/) must each be described in openapi.json; a test checks it.
func (a *App) Routes() []Route {
	o := &org.HTTP{Svc: a.Org, Web: a.Web, Auth: a.Auth}
	ac := &auth.HTTP{Svc: a.Auth, Web: a.Web, Units: a.unitResolver, SSO: func() []auth.SSOProvider { return a.Account.SSO.Providers() }}
	sk := &skills.HTTP{Svc: a.Skills, Web: a.Web, Search: a.Search}
	sy := &search.HTTP{Svc: a.Search, Web: a.Web}
	it := &assessment.HTTP{Bank: a.Bank, Web: a.Web}
	ex := &assessment.ExamHTTP{X: a.Exams, Web: a.Web}
	le := &learning.HTTP{Svc: a.Learn, Web: a.Web}
	mo := &monitor.HTTP{Svc: a.Mon, Web: a.Web}
	fl := &files.HTTP{Store: a.Files, DB: a.DB, Web: a.Web, Access: map[string]files.Access{"report": a.Mon.EvidenceAccess, "library": a.Lib.FileAccess, "netteam": a.Net.PhotoAccess, "plantask": a.Net.EvidenceAccess, "expert": a.Exp.PhotoAccess, "attempt": a.Exams.FileAccess},
		Public: map[string]bool{"library": true, "expert": true}}
	lib := &library.HTTP{Svc: a.Lib, Web: a.Web, Auth: a.Auth, BaseURL: a.Cfg.BaseURL}
	su := &account.HTTP{Svc: a.Account, Web: a.Web}
	cr := &credential.HTTP{Svc: a.Cred, Web: a.Web}
	nw := &network.HTTP{Svc: a.Net, Web: a.Web}
	xp := &experts.HTTP{Svc: a.Exp, Web: a.Web}
	cp := &campaign.HTTP{Svc: a.Camp, Web: a.Web}
	return []Route{
		// Campaigns, contests and messages to target groups
		{"GET /campaigns", cp.ListPage},
		{"POST /campaigns", cp.Create},
		{"GET /campaigns/{slug}", cp.Page},
		{"POST /campaigns/{slug}/edit", cp.Update},
		{"POST /campaigns/{slug}/events", cp.AddEvent},
		{"POST /campaigns/{slug}/contests", cp.AddContest},
		{"POST /events/{id}/register", cp.Register},
		{"POST /events/{id}/attendance", cp.Attendance},
		{"GET /contests/{id}", cp.ContestPage},
		{"POST /contests/{id}/rounds/{n}/enter", cp.Enter},
		{"GET /contests/{id}/rounds/{n}", cp.RoundPage},
		{"POST /contests/{id}/rounds/{n}/publish", cp.Publish},
		{"POST /contests/{id}/rounds/{n}/decide", cp.Decide},
		{"POST /contests/{id}/rounds/{n}/prize", cp.Prize},
		{"GET /contests/{id}/rounds/{n}/certificates.csv", cp.CertificateList},
		{"GET /messages", cp.MessagesPage},
		{"POST /messages", cp.Compose},
		{"GET /messages/{id}", cp.MessagePage},
		{"POST /messages/{id}/cancel", cp.CancelMessage},
		{"GET /notices", cp.NoticesPage},
		{"POST /notices/topics", cp.SaveTopics},
		{"GET /unsubscribe", cp.UnsubscribePage},
		{"POST /unsubscribe", cp.Unsubscribe},
		{"GET /api/v1/campaigns", cp.APICampaigns},
		{"POST /api/v1/campaigns", cp.APICreate},
		{"GET /api/v1/campaigns/{slug}", cp.APICampaign},
		{"PUT /api/v1/campaigns/{slug}", cp.APIUpdate},
		{"GET /api/v1/campaigns/{slug}/figures", cp.APIFigures},
		{"POST /api/v1/campaigns/{slug}/events", cp.APIAddEvent},
		{"POST /api/v1/campaigns/{slug}/contests", cp.APIAddContest},
		{"POST /api/v1/events/{id}/register", cp.APIRegister},
		{"GET /api/v1/contests/{id}", cp.APIContest},
		{"GET /api/v1/contests/{id}/board", cp.APIOverallBoard},
		{"POST /api/v1/contests/{id}/rounds/{n}/enter", cp.APIEnter},
		{"GET /api/v1/contests/{id}/rounds/{n}/board", cp.APIRoundBoard},
		{"POST /api/v1/contests/{id}/rounds/{n}/publish", cp.APIPublish},
		{"GET /api/v1/contests/{id}/rounds/{n}/flagged", cp.APIFlagged},
		{"POST /api/v1/contests/{id}/rounds/{n}/decisions", cp.APIDecide},
		{"POST /api/v1/contests/{id}/rounds/{n}/prizes", cp.APIPrize},
		{"GET /api/v1/messages", cp.APIMessages},
		{"POST /api/v1/messages", cp.APICompose},
		{"GET /api/v1/messages/{id}", cp.APIMessage},
		{"POST /api/v1/messages/{id}/cancel", cp.APICancel},
		{"GET /api/v1/me/notices", cp.APINotices},

		{"GET /signup", su.SignUpPage},
		{"POST /signup", su.SignUp},
		{"GET /signup/sent", su.SentPage},
		{"GET /signup/confirm/{token}", su.ConfirmPage},
		{"POST /signup/confirm/{token}", su.Confirm},
		{"GET /signup/code", su.CodePage},
		{"POST /signup/code", su.Code},
		{"POST /api/v1/signup", su.APISignUp},
		{"POST /api/v1/signup/confirm", su.APIConfirm},
		{"GET /account/data", su.DataPage},
		{"GET /account/data/export", su.Export},
		{"POST /account/delete", su.DeleteForm},
		{"GET /account/deleted", su.DeletedPage},
		{"POST /account/consents", su.ConsentsForm},
		{"POST /account/contact", su.ContactForm},
		{"GET /account/contact/code", su.ContactCodePage},
		{"POST /account/contact/code", su.ContactConfirm},
		{"GET /account/contact/confirm/{token}", su.ContactConfirmPage},
		{"POST /account/contact/confirm/{token}", su.ContactConfirm},
		{"POST /api/v1/me/contact", su.APIContact},
		{"POST /api/v1/me/contact/confirm", su.APIContactConfirm},
		{"PUT /api/v1/me/consents", su.APIConsents},
		{"GET /auth/oidc/{provider}", su.StartSSO},
		{"GET /auth/oidc/{provider}/callback", su.CallbackSSO},
		{"POST /auth/oidc/link", su.ConfirmSSOLink},
		{"GET /account/sso/{provider}/link", su.LinkSSO},
		{"POST /account/sso/{provider}/unlink", su.UnlinkSSO},
		{"GET /api/v1/auth/providers", su.APIProviders},
		{"GET /library", lib.LibraryPage},
		{"GET /library/questions", lib.QuestionsPage},
		{"GET /ask", lib.AskPage},
		{"POST /ask/keep", lib.KeepQuestion},
		{"GET /library/new", lib.NewPage},
		{"POST /library/new", lib.Create},
		{"GET /library/{id}", lib.DocPage},
		{"GET /library/{id}/edit", lib.EditPage},
		{"POST /library/{id}/edit", lib.Update},
		{"POST /library/{id}/{action}", lib.Transition},
		{"GET /news.atom", lib.Feed},

		// The DX network
		{"GET /network", nw.NetworkPage},
		{"POST /network/teams", nw.CreateTeam},
		{"GET /network/teams/{id}", nw.TeamPage},
		{"POST /network/teams/{id}/edit", nw.UpdateTeam},
		{"POST /network/teams/{id}/members", nw.AddMember},
		{"GET /network/log", nw.LogPage},
		{"POST /network/log", nw.Log},
		{"GET /network/coverage", nw.CoveragePage},
		{"POST /network/villages", nw.AddVillages},
		{"POST /network/population", nw.SetPopulation},
		{"POST /network/population/import", nw.ImportPopulation},
		{"POST /api/v1/network/population/import", nw.APIImportPopulation},
		{"GET /network/import", nw.ImportPage},
		{"POST /network/import", nw.Import},
		{"GET /network/export", nw.Export},
		{"POST /api/v1/network/import", nw.APIImport},
		{"GET /api/v1/network/export", nw.Export},
		{"GET /api/v1/network/teams", nw.APITeams},
		{"POST /api/v1/network/teams", nw.APICreateTeam},
		{"GET /api/v1/network/teams/{id}", nw.APITeam},
		{"PUT /api/v1/network/teams/{id}", nw.APIUpdateTeam},
		{"POST /api/v1/network/teams/{id}/members", nw.APIAddMember},
		{"PUT /api/v1/network/teams/{id}/members/{member}", nw.APIUpdateMember},
		{"GET /api/v1/network/teams/{id}/activities", nw.APITeamActivities},
		{"POST /api/v1/network/activities", nw.APILog},
		{"GET /api/v1/network/me/teams", nw.APIMyTeams},
		{"GET /api/v1/network/villages", nw.APIVillages},
		{"POST /api/v1/network/villages", nw.APIAddVillages},
		{"PUT /api/v1/network/population", nw.APIPopulation},
		{"GET /api/v1/network/coverage", nw.APICoverage},

		// The expert network
		{"GET /experts", xp.DirectoryPage},
		{"GET /experts/me", xp.MyPage},
		{"POST /experts/me", xp.SaveMine},
		{"POST /experts/me/photo", xp.Photo},
		{"GET /experts/new", xp.NewPage},
		{"POST /experts/new", xp.Create},
		{"GET /experts/needs", xp.NeedsPage},
		{"POST /experts/needs", xp.PostNeed},
		{"GET /experts/needs/{id}", xp.NeedPage},
		{"POST /experts/needs/{id}/invite", xp.Invite},
		{"POST /experts/invitations/{id}/answer", xp.Answer},
		{"POST /experts/invitations/{id}/record", xp.RecordEngagement},
		{"GET /experts/nominations", xp.NominationsPage},
		{"POST /experts/nominations/{id}/decide", xp.Decide},
		{"GET /experts/fields", xp.FieldsPage},
		{"POST /experts/fields", xp.ChangeFields},
		{"POST /experts/weights", xp.SetWeights},
		{"GET /experts/import", xp.ImportPage},
		{"POST /experts/import", xp.Import},
		{"GET /experts/export", xp.Export},
		{"POST /api/v1/experts/import", xp.APIImport},
		{"GET /api/v1/experts/export", xp.Export},
		{"GET /experts/{id}", xp.ProfilePage},
		{"POST /experts/{id}/verify", xp.Verify},
		{"POST /experts/{id}/photo", xp.Photo},
		{"POST /experts/{id}/nominate", xp.Nominate},
		{"GET /api/v1/experts", xp.APIDirectory},
		{"POST /api/v1/experts", xp.APICreate},
		{"GET /api/v1/experts/me", xp.APIMine},
		{"PUT /api/v1/experts/me", xp.APISaveMine},
		{"GET /api/v1/experts/me/invitations", xp.APIMyInvitations},
		{"GET /api/v1/experts/fields", xp.APIFields},
		{"POST /api/v1/experts/fields", xp.APIChangeFields},
		{"PUT /api/v1/experts/weights", xp.APIWeights},
		{"GET /api/v1/experts/nominations", xp.APINominations},
		{"POST /api/v1/experts/nominations/{id}/decide", xp.APIDecide},
		{"GET /api/v1/experts/needs", xp.APINeeds},
		{"POST /api/v1/experts/needs", xp.APIPostNeed},
		{"GET /api/v1/experts/needs/{id}", xp.APINeed},
		{"GET /api/v1/experts/needs/{id}/matches", xp.APIMatches},
		{"GET /api/v1/experts/needs/{id}/invitations", xp.APINeedInvitations},
		{"POST /api/v1/experts/needs/{id}/invitations", xp.APIInvite},
		{"POST /api/v1/experts/invitations/{id}/answer", xp.APIAnswer},
		{"POST /api/v1/experts/invitations/{id}/engagement", xp.APIRecord},
		{"GET /api/v1/experts/{id}", xp.APIProfile},
		{"PUT /api/v1/experts/{id}", xp.APIUpdate},
		{"GET /api/v1/experts/similar/{id}", xp.APISimilar},
		{"POST /api/v1/experts/{id}/verify", xp.APIVerify},
		{"POST /api/v1/experts/{id}/nominations", xp.APINominate},

		// Implementation plans
		{"GET /plans", nw.PlansPage},
		{"POST /plans", nw.CreatePlan},
		{"GET /plans/mine", nw.MyTasksPage},
		{"GET /plans/{id}", nw.PlanPage},
		{"POST /plans/{id}/edit", nw.UpdatePlan},
		{"POST /plans/{id}/tasks", nw.AddTask},
		{"POST /plans/{id}/remind", nw.Remind},
		{"GET /plans/{id}/export", nw.ExportPlan},
		{"GET /plans/{id}/print", nw.PrintPage},
		{"GET /plans/{id}/tasks/{task}", nw.TaskPage},
		{"POST /plans/{id}/tasks/{task}/report", nw.ReportTask},
		{"POST /plans/{id}/tasks/{task}/cascade", nw.CascadeTask},
		{"GET /api/v1/plans", nw.APIPlans},
		{"POST /api/v1/plans", nw.APICreatePlan},
		{"GET /api/v1/plans/mine", nw.APIMyTasks},
		{"GET /api/v1/plans/{id}", nw.APIPlan},
		{"PUT /api/v1/plans/{id}", nw.APIUpdatePlan},
		{"POST /api/v1/plans/{id}/tasks", nw.APIAddTask},
		{"GET /api/v1/plans/{id}/tasks/{task}", nw.APITask},
		{"PUT /api/v1/plans/{id}/tasks/{task}", nw.APIUpdateTask},
		{"POST /api/v1/plans/{id}/tasks/{task}/reports", nw.APIReport},
		{"POST /api/v1/plans/{id}/tasks/{task}/cascade", nw.APICascade},
		{"POST /api/v1/plans/{id}/remind", nw.APIRemind},
		{"GET /sitemap.xml", lib.Sitemap},
		{"GET /achievements", cr.AchievementsPage},
		{"GET /achievements/new", cr.NewAchievementPage},
		{"POST /achievements", cr.SaveAchievement},
		{"GET /achievements/{id}", cr.AchievementPage},
		{"GET /certificates", cr.MinePage},
		{"GET /credentials/issue", cr.IssueForm},
		{"POST /credentials/issue", cr.IssueSubmit},
		{"GET /credentials/issued", cr.IssuedPage},
		{"GET /credentials/issued/export", cr.Export},
		{"GET /credentials/{id}", cr.CredentialPage},
		{"GET /credentials/{id}/download/{format}", cr.Download},
		{"POST /credentials/{id}/revoke", cr.RevokeForm},
		{"GET /verify", cr.VerifyPage},
		{"POST /verify", cr.Verify},
		{"GET /credential-status/{unit}/{list}", cr.StatusListDoc},
		{"GET /issuers/{code}/did.json", cr.DIDDocument},
		{"GET /.well-known/jwks.json", cr.JWKS},
		{"GET /api/v1/library", lib.APIList},
		{"GET /api/v1/library/questions", lib.APIQuestions},
		{"GET /api/v1/ask", lib.APIAsk},
		{"POST /api/v1/ask/keep", lib.APIKeepQuestion},
		{"POST /api/v1/library", lib.APICreate},
		{"GET /api/v1/library/topics", lib.APITopics},
		{"GET /api/v1/library/{id}", lib.APIGet},
		{"PUT /api/v1/library/{id}", lib.APIUpdate},
		{"GET /api/v1/library/{id}/versions", lib.APIVersions},
		{"POST /api/v1/library/{id}/{action}", lib.APITransition},
		{"GET /api/v1/achievements", cr.APIAchievements},
		{"POST /api/v1/achievements", cr.APISaveAchievement},
		{"GET /api/v1/achievements/{id}", cr.APIAchievement},
		{"GET /api/v1/me/credentials", cr.APIMine},
		{"POST /api/v1/credentials/verify", cr.APIVerify},
		{"POST /api/v1/credentials/issue", cr.APIIssue},
		{"GET /api/v1/credentials", cr.APIIssued},
		{"GET /api/v1/credentials/{id}/verify", cr.APIVerifyOne},
		{"POST /api/v1/credentials/{id}/revoke", cr.APIRevoke},
		{"GET /api/v1/me/identities", su.APIIdentities},
		{"DELETE /api/v1/me/identities/{provider}", su.APIUnlink},
		{"GET /people/accounts", su.PeopleAccountsPage},
		{"POST /people/accounts", su.PeopleAccounts},
		{"GET /activate", su.ActivatePage},
		{"POST /activate", su.Activate},
		{"POST /api/v1/people/accounts", su.APIPeopleAccounts},
		{"POST /api/v1/activate", su.APIActivate},
		{"GET /account/claim", su.ClaimPage},
		{"POST /account/claim", su.Claim},
		{"GET /people/claims", su.ClaimsPage},
		{"POST /people/claims/{id}/{action}", su.DecideClaim},
		{"GET /api/v1/claims", su.APIClaims},
		{"POST /api/v1/me/claim", su.APIClaim},
		{"POST /api/v1/claims/{id}/{action}", su.APIDecideClaim},
		{"GET /api/v1/me/data", su.APIData},
		{"DELETE /api/v1/me", su.APIDelete},
		{"GET /{$}", a.Home},
		{"GET /search", a.SearchPage},
		{"GET /api/v1/search", a.APISearch},
		{"GET /healthz", a.Healthz},
		{"GET /readyz", a.Readyz},
		{"GET /lang/{lang}", ac.SetLang},

		// Accounts
		{"GET /login", ac.LoginForm},
		{"POST /login", ac.Login},
		{"POST /logout", ac.Logout},
		{"GET /account", ac.AccountPage},
		{"POST /account/password", ac.ChangePassword},
		{"POST /account/time-zone", ac.SetTimeZone},
		{"POST /account/name", ac.SetName},
		{"POST /account/sessions/{id}/end", ac.EndSession},
		{"GET /api/v1/me/sessions", ac.APISessions},
		{"DELETE /api/v1/me/sessions/{id}", ac.APIEndSession},
		{"POST /account/tokens", ac.CreateToken},
		{"POST /account/tokens/{id}/revoke", ac.RevokeToken},
		{"GET /account/unlock/{token}", ac.UnlockForm},
		{"POST /account/unlock/{token}", ac.Unlock},
		{"GET /password/forgot", ac.ForgotForm},
		{"POST /password/forgot", ac.Forgot},
		{"GET /password/reset/{token}", ac.ResetForm},
		{"POST /password/reset/{token}", ac.Reset},
		{"GET /admin/roles", ac.RolesPage},
		{"POST /admin/roles", ac.GrantRole},
		{"POST /admin/roles/{id}/revoke", ac.RevokeRole},
		{"GET /admin/audit", ac.AuditPage},

		// Organisation tree and people
		{"GET /units", o.UnitsPage},
		{"GET /units/{code}", o.UnitPage},
		{"POST /units/{code}/children", o.AddChild},
		{"POST /units/{code}/changes", o.RecordChange},
		{"GET /people", o.PeoplePage},
		{"GET /people/import", o.ImportForm},
		{"POST /people/import", o.ImportSubmit},
		{"GET /people/export", o.Export},
		{"GET /people/{id}", o.PersonPage},

		// Digital Skills Standard
		{"GET /skills", sk.ListPage},
		{"GET /skills/import", sk.ImportForm},
		{"POST /skills/import", sk.ImportSubmit},
		{"GET /skills/{code}/{version}", sk.StandardPage},
		{"POST /skills/{code}/{version}/versions", sk.NewVersion},
		{"POST /skills/{code}/{version}/publish", sk.Publish},
		{"GET /skills/{code}/{version}/competences/{comp}/edit", sk.EditForm},
		{"POST /skills/{code}/{version}/competences/{comp}/edit", sk.EditSubmit},
		{"GET /skills/{code}/{version}/export/{format}", sk.Export},

		// Uploads (images for items and lessons)
		{"GET /files/upload", fl.UploadForm},
		{"POST /files", fl.Upload},
		{"GET /files/{key}", fl.Serve},

		// Item bank
		{"GET /items", it.ListPage},
		{"GET /items/new", it.NewForm},
		{"POST /items", it.Create},
		{"POST /items/bulk", it.Bulk},
		{"GET /items/qti", it.QTIForm},
		{"POST /items/qti", it.QTIImport},
		{"GET /items/qti/export", it.QTIExport},
		{"GET /items/{id}", it.ItemPage},
		{"GET /items/{id}/edit", it.EditForm},
		{"POST /items/{id}/edit", it.Update},
		{"POST /items/{id}/{action}", it.Transition},

		// Exams
		{"GET /exams", ex.MyExams},
		{"POST /exams/{id}/start", ex.Start},
		{"GET /exams/manage", ex.ManagePage},
		{"POST /blueprints", ex.CreateBlueprint},
		{"GET /blueprints/{id}", ex.BlueprintPage},
		{"POST /exam-sessions", ex.CreateSession},
		{"GET /exam-sessions/{id}/proctor", ex.ProctorPage},
		{"GET /exam-sessions/{id}/marking", ex.MarkingPage},
		{"POST /exam-sessions/{id}/marking", ex.MarkAnswer},
		{"GET /exam-sessions/{id}/stats", ex.StatsPage},
		{"GET /exam-sessions/{id}/stats/xlsx", ex.StatsXLSX},
		{"GET /attempts/{id}", ex.AttemptPage},
		{"POST /attempts/{id}/answer", ex.Answer},
		{"GET /attempts/{id}/submit", ex.ConfirmPage},
		{"POST /attempts/{id}/submit", ex.SubmitPage},
		{"GET /attempts/{id}/result", ex.ResultPage},
		{"POST /attempts/{id}/proctor/{action}", ex.ProctorAction},

		// Open online learning
		{"GET /courses", le.CataloguePage},
		{"GET /courses/manage", le.ManagePage},
		{"POST /courses", le.CreateCourse},
		{"GET /courses/{code}", le.CoursePage},
		{"POST /courses/{code}/enrol", le.Enrol},
		{"GET /courses/{code}/lessons/{lesson}", le.LessonPage},
		{"POST /courses/{code}/lessons/{lesson}/complete", le.CompleteLesson},
		{"POST /courses/{code}/lessons/{lesson}/quiz", le.SubmitQuiz},
		{"GET /courses/{code}/lessons/{lesson}/launch", le.Launch},
		{"GET /courses/{code}/edit", le.EditPage},
		{"POST /courses/{code}/edit", le.UpdateCourse},
		{"POST /courses/{code}/modules", le.AddModule},
		{"POST /courses/{code}/lessons", le.AddLesson},
		{"POST /courses/{code}/move", le.Move},
		{"POST /courses/{code}/publish", le.Publish},
		{"GET /courses/{code}/preview/{lesson}", le.PreviewPage},
		{"GET /lessons/{id}/edit", le.LessonEditPage},
		{"POST /lessons/{id}/edit", le.UpdateLesson},
		{"GET /learning", le.MyLearningPage},
		{"GET /paths", le.PathsPage},
		{"POST /paths", le.CreatePath},
		{"GET /learning/assignments", le.AssignmentsPage},
		{"POST /learning/assignments", le.Assign},
		{"GET /learning/assignments/{id}", le.CompliancePage},
		{"GET /learning/assignments/{id}/xlsx", le.ComplianceXLSX},
		{"GET /admin/lrs", le.LRSPage},
		{"POST /admin/lrs", le.CreateClient},
		{"POST /admin/lrs/{id}/revoke", le.RevokeClient},
		{"GET /admin/synonyms", sy.SynonymsPage},
		{"POST /admin/synonyms", sy.SaveSynonyms},
		{"POST /admin/synonyms/{id}", sy.SaveSynonyms},
		{"POST /admin/synonyms/{id}/delete", sy.DeleteSynonyms},

		// JSON API
		{"GET /api/v1/openapi.json", serveOpenAPI},
		{"GET /api/v1/me", ac.APIMe},
		{"GET /api/v1/audit", ac.APIAudit},
		{"GET /api/v1/synonyms", sy.APISynonyms},
		{"POST /api/v1/synonyms", sy.APISaveSynonyms},
		{"PUT /api/v1/synonyms/{id}", sy.APISaveSynonyms},
		{"DELETE /api/v1/synonyms/{id}", sy.APIDeleteSynonyms},
		{"GET /api/v1/units", o.APIUnits},
		{"GET /api/v1/units/{code}", o.APIUnit},
		{"POST /api/v1/units", o.APICreateUnit},
		{"POST /api/v1/units/{code}/changes", o.APIRecordChange},
		{"GET /api/v1/people", o.APIPeople},
		{"GET /api/v1/people/{id}", o.APIPerson},
		{"POST /api/v1/people/import", o.APIImport},
		{"GET /api/v1/items", it.APIList},
		{"POST /api/v1/items", it.APICreate},
		{"POST /api/v1/items/qti", it.APIQTIImport},
		{"GET /api/v1/items/{id}", it.APIGet},
		{"PUT /api/v1/items/{id}", it.APIUpdate},
		{"POST /api/v1/items/{id}/{action}", it.APITransition},
		{"GET /api/v1/exams", ex.APIAvailable},
		{"POST /api/v1/exams/{id}/start", ex.APIStart},
		{"GET /api/v1/attempts/{id}", ex.APIAttempt},
		{"PUT /api/v1/attempts/{id}/answers/{idx}", ex.APISave},
		{"POST /api/v1/attempts/{id}/next", ex.APINext},
		{"POST /api/v1/attempts/{id}/submit", ex.APISubmit},
		{"POST /api/v1/attempts/{id}/{action}", ex.APIProctor},
		{"POST /api/v1/blueprints", ex.APICreateBlueprint},
		{"GET /api/v1/blueprints/{id}", ex.APIBlueprint},
		{"POST /api/v1/exam-sessions", ex.APICreateSession},
		{"GET /api/v1/exam-sessions/{id}/roster", ex.APIRoster},
		{"GET /api/v1/exam-sessions/{id}/marking", ex.APIMarking},
		{"PUT /api/v1/attempts/{id}/marks/{idx}", ex.APIMark},
		{"POST /api/v1/attempts/{id}/files/{idx}", ex.APIUpload},
		{"GET /api/v1/exam-sessions/{id}/stats", ex.APIStats},
		{"GET /api/v1/courses", le.APICatalogue},
		{"POST /api/v1/courses", le.APICreateCourse},
		{"GET /api/v1/courses/{code}", le.APICourse},
		{"PUT /api/v1/courses/{code}", le.APIUpdateCourse},
		{"POST /api/v1/courses/{code}/modules", le.APIAddModule},
		{"POST /api/v1/modules/{id}/lessons", le.APIAddLesson},
		{"POST /api/v1/courses/{code}/publish", le.APIPublish},
		{"POST /api/v1/courses/{code}/enrol", le.APIEnrol},
		{"POST /api/v1/enrolments/{id}/lessons/{lesson}/complete", le.APIComplete},
		{"POST /api/v1/enrolments/{id}/lessons/{lesson}/quiz", le.APIQuiz},
		// Targets and monitoring
		{"GET /progress", mo.PublicPage},
		{"GET /monitoring", mo.Home},
		{"GET /monitoring/units/{code}", mo.DashboardPage},
		{"GET /monitoring/units/{code}/print", mo.PrintPage},
		{"GET /monitoring/units/{code}/xlsx", mo.DashboardXLSX},
		{"GET /monitoring/rankings", mo.RankingsPage},
		{"GET /monitoring/index/{code}", mo.IndexPage},
		{"GET /monitoring/setup", mo.SetupPage},
		{"POST /monitoring/indicators", mo.SaveIndicatorForm},
		{"POST /monitoring/elements", mo.SaveElementForm},
		{"POST /monitoring/datasets", mo.SaveDatasetForm},
		{"POST /monitoring/recompute", mo.Recompute},
		{"GET /monitoring/targets", mo.TargetsPage},
		{"POST /monitoring/targets", mo.SetTargetForm},
		{"POST /monitoring/targets/import", mo.ImportTargetsForm},
		{"GET /reports", mo.ReportsPage},
		{"POST /reports/import", mo.ImportValuesForm},
		{"GET /reports/export", mo.ExportValues},
		{"GET /reports/{dataset}/completeness", mo.CompletenessPage},
		{"GET /reports/{dataset}/{unit}/{period}", mo.ReportPage},
		{"POST /reports/{dataset}/{unit}/{period}", mo.SaveReportForm},
		{"POST /reports/{dataset}/{unit}/{period}/review", mo.ReviewForm},
		{"POST /reports/{dataset}/{unit}/{period}/files", mo.UploadEvidence},
		{"GET /api/v1/progress", mo.APIPublic},
		{"GET /api/v1/monitoring/elements", mo.APIElements},
		{"POST /api/v1/monitoring/elements", mo.APISaveElement},
		{"GET /api/v1/monitoring/indicators", mo.APIIndicators},
		{"POST /api/v1/monitoring/indicators", mo.APISaveIndicator},
		{"GET /api/v1/monitoring/targets", mo.APITargets},
		{"POST /api/v1/monitoring/targets", mo.APISetTarget},
		{"POST /api/v1/monitoring/targets/import", mo.APIImportTargets},
		{"GET /api/v1/monitoring/dashboard/{code}", mo.APIDashboard},
		{"GET /api/v1/monitoring/rankings", mo.APIRankings},
		{"GET /api/v1/monitoring/index/{code}", mo.APIIndex},
		{"PUT /api/v1/monitoring/index/{code}", mo.APISaveIndex},
		{"POST /api/v1/monitoring/recompute", mo.Recompute},
		{"GET /api/v1/datasets", mo.APIDatasets},
		{"POST /api/v1/datasets", mo.APISaveDataset},
		{"GET /api/v1/datasets/{dataset}/completeness", mo.APICompleteness},
		{"GET /api/v1/reports/{dataset}/{unit}/{period}", mo.APIReport},
		{"PUT /api/v1/reports/{dataset}/{unit}/{period}", mo.APISaveReport},
		{"POST /api/v1/reports/{dataset}/{unit}/{period}/review", mo.APIReview},
		{"GET /api/v1/dataValueSets", mo.ExportValues},
		{"POST /api/v1/dataValueSets", mo.APIImportValues},
		{"GET /api/v1/me/learning", le.APIMyLearning},
		{"GET /api/v1/paths", le.APIPaths},
		{"POST /api/v1/paths", le.APICreatePath},
		{"GET /api/v1/assignments", le.APIAssignments},
		{"POST /api/v1/assignments", le.APIAssign},
		{"GET /api/v1/assignments/{id}/compliance", le.APICompliance},
		{"GET /api/v1/lrs/clients", le.APILRSClients},
		{"POST /api/v1/lrs/clients", le.APICreateLRSClient},
		{"POST /api/v1/lrs/clients/{id}/revoke", le.APIRevokeLRSClient},
		{"GET /api/v1/skills", sk.APIList},
		{"GET /api/v1/skills/search", sk.APISearch},
		{"POST /api/v1/skills", sk.APIImport},
		{"GET /api/v1/skills/{code}/{version}", sk.APIGet},
		{"POST /api/v1/skills/{code}/{version}/versions", sk.APINewVersion},
		{"POST /api/v1/skills/{code}/{version}/publish", sk.APIPublish},
		{"PUT /api/v1/skills/{code}/{version}/competences/{comp}", sk.APIEditCompetence},
	}
}

// anonymousWrites are the only requests other than reads that someone
// not signed in may make.
var anonymousWrites = map[string]bool{
	"POST /login":                     true,
	"POST /logout":                    true,
	"POST /password/forgot":           true,
	"POST /password/reset/{token}":    true,
	"POST /account/unlock/{token}":    true,
	"POST /signup":                    true,
	"POST /signup/confirm/{token}":    true,
	"POST /signup/code":               true,
	"POST /api/v1/signup":             true,
	"POST /api/v1/signup/confirm":     true,
	"POST /activate":                  true,
	"POST /api/v1/activate":           true,
	"POST /auth/oidc/link":            true,
	"POST /verify":                    true,
	"POST /api/v1/credentials/verify": true,
	"POST /ask/keep":                  true,
	"POST /unsubscribe":               true,
	"POST /api/v1/ask/keep":           true,
}

// signedIn refuses a request from nobody before its handler reads a byte
// of the body, so that every write answers "sign in" the same way and
// no handler has to remember to check first.
func signedIn(h web.HandlerFunc) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, err := auth.RequireUser(r.Context()); err != nil {
			return err
		}
		return h(w, r)
	}
}

// Handler is the whole HTTP surface with its middleware.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range a.Routes() {
		h := rt.Handler
		if !strings.HasPrefix(rt.Pattern, "GET ") && !anonymousWrites[rt.Pattern] {
			h = signedIn(h)
		}
		mux.Handle(rt.Pattern, a.Web.Handle(h))
	}
	mux.Handle("GET /static/", web.Static())
	mux.HandleFunc("GET /favicon.ico", web.Favicon)
	mux.HandleFunc("GET /icons/{file}", web.Icon)
	mux.HandleFunc("GET /manifest.webmanifest", web.Manifest)
	mux.Handle("GET /metrics", a.tokenMetrics())
	mux.Handle("/xapi/", &lrs.Handler{Store: a.LRS})
	mux.Handle("/", a.Web.Handle(func(w http.ResponseWriter, r *http.Request) error { return notFound }))
	return a.Web.Middleware(a.Auth.Middleware(mux))
}

// MetricsHandler is Prometheus's metrics, for the separate metrics
// address.
func (a *App) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.Handler())
	return mux
}

// tokenMetrics serves /metrics on the main address only to a scraper that
// sends the configured bearer token; with none configured, to nobody (the
// figures say how the service is used and where it hurts).
func (a *App) tokenMetrics() http.Handler {
	h := promhttp.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if a.Cfg.MetricsToken == "" || !ok || subtle.ConstantTimeCompare([]byte(got), []byte(a.Cfg.MetricsToken)) != 1 {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

//go:embed openapi.json
var openAPI []byte

func serveOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPI)
	return err
}
