// Package app wires the rooms together: it builds every service from the
// configuration and lists every route in one place (routes.go).
package app

import (
	"cmp"
	"context"
	"dxhub/internal/account"
	"dxhub/internal/platform/events"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/search"
	"dxhub/internal/platform/sms"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"dxhub/internal/assessment"
	"dxhub/internal/campaign"
	"dxhub/internal/credential"
	"dxhub/internal/experts"
	"dxhub/internal/learning"
	"dxhub/internal/library"
	"dxhub/internal/lrs"
	"dxhub/internal/monitor"
	"dxhub/internal/network"
	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/files"
	"dxhub/internal/platform/mail"
	"dxhub/internal/platform/web"
	"dxhub/internal/skills"
)

// Config is everything dxhub is configured with (flags and DXHUB_*
// environment variables; see cmd/dxhub).
type Config struct {
	Addr     string
	DB       string
	BaseURL  string
	FilesDir string // a folder, or s3://BUCKET[/PREFIX] for an object store
	// S3 is where the object store is and its keys (DXHUB_S3_*), when
	// FilesDir names a bucket.
	S3            files.S3Config
	SMTPAddr      string
	SMTPFrom      string
	SMTPUser      string
	SMTPPassword  string
	SecureCookies bool
	TrustProxy    bool
	// Background starts the periodic work of a running server: closing
	// attempts at their deadline, e-mail reminders. Only serve and demo
	// set it; imports and other commands leave the live database alone.
	Background bool
	// MetricsToken, when set, is the bearer token /metrics on the main
	// address asks for; without it /metrics is served there to nobody.
	MetricsToken string
	// MetricsAddr, when set, is a separate address serving /metrics to
	// whoever reaches it (a monitoring network, loopback).
	MetricsAddr string
	// TimeZone is the installation's zone (an IANA name) in which times
	// are shown and typed by people who have not chosen their own; times
	// are stored in UTC. Empty is Asia/Ho_Chi_Minh.
	TimeZone string
	// SMSURL is the HTTP gateway text messages are posted to (JSON
	// {"to","text"}); empty writes them to the log. SMSToken is its bearer
	// token (environment only).
	SMSURL, SMSToken string
	// OIDC are the OpenID providers people may sign in with.
	OIDC []account.ProviderConfig
	// CredentialKey seals the issuing units' signing keys in the
	// database (environment only); without it no certificate is signed.
	CredentialKey string
	// Assistant is the library assistant's optional generative backend
	// (an OpenAI-compatible chat-completions server); empty URL: the
	// assistant answers by extraction only. AssistantToken comes from the
	// environment only.
	AssistantURL, AssistantModel, AssistantToken string
	AssistantTimeout                             time.Duration
	// MailRate and SMSRate bound the messages to target groups sent a
	// second on each channel (0: unbounded), to stay within what the
	// mail server and the SMS gateway accept.
	MailRate, SMSRate int
}

func sweepEvery(cfg Config) time.Duration {
	if cfg.Background {
		return 2 * time.Second
	}
	return 0
}

// App is a running dxhub: its database, services and handler.
type App struct {
	Cfg    Config
	Log    *slog.Logger
	DB     *db.DB
	Web    *web.Web
	Audit  *audit.Log
	Auth   *auth.Service
	Org    *org.Service
	Search *search.Service
	Skills *skills.Service
	Bank   *assessment.Bank
	Exams  *assessment.Exams
	// Events carries changes between rooms (the outbox); its consumers
	// run in serve and demo (Config.Background) and in tests.
	Events *events.Bus
	LRS    *lrs.Store
	Learn  *learning.Service
	Mon    *monitor.Service
	Files  files.Store
	Mail   mail.Sender
	SMS    sms.Sender
	// Account is self-registration: sign-ups and their confirmation.
	Account *account.Service
	// Cred is certificates: achievements, issuing, verification.
	Cred *credential.Service
	// Lib is the library: news, guides, legal documents, material, FAQ.
	Lib *library.Service
	Net *network.Service
	Exp *experts.Service
	// Camp is campaigns, contests and messages to target groups.
	Camp *campaign.Service

	stop context.CancelFunc
}

//go:embed templates
var templates embed.FS

// New opens the database, migrates it and builds the services.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	if cfg.TimeZone != "" {
		loc, err := time.LoadLocation(cfg.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("time zone %q (DXHUB_TIME_ZONE): %w", cfg.TimeZone, err)
		}
		i18n.DefaultZone = loc
	}
	d, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	d.SetLogger(log)
	warnings, err := d.DurabilityWarnings(ctx)
	if err != nil {
		d.Close()
		return nil, err
	}
	for _, w := range warnings {
		log.Warn(w)
	}
	a, err := Build(cfg, log, d)
	if err != nil {
		d.Close()
		return nil, err
	}
	if err := a.Init(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// Init stores what every installation ships with (the default skills
// standards); it is idempotent.
func (a *App) Init(ctx context.Context) error {
	if _, err := a.Org.RespellNames(ctx); err != nil {
		return err
	}
	// Search indexes a database from before search had none of.
	if _, err := a.Org.ReindexPeople(ctx); err != nil {
		return err
	}
	if err := a.Learn.ReindexCourses(ctx); err != nil {
		return err
	}
	if err := a.Bank.ReindexItems(ctx); err != nil {
		return err
	}
	if err := a.Lib.Reindex(ctx); err != nil {
		return err
	}
	if err := a.Exp.EnsureTaxonomy(ctx); err != nil {
		return err
	}
	return a.Skills.EnsureDefaults(ctx)
}

// Build makes the services over an open, migrated database.
func Build(cfg Config, log *slog.Logger, d *db.DB) (*App, error) {
	a := &App{Cfg: cfg, Log: log, DB: d}
	a.Audit = &audit.Log{DB: d}
	if cfg.SMTPAddr != "" {
		a.Mail = &mail.SMTP{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, User: cfg.SMTPUser, Password: cfg.SMTPPassword}
	} else {
		a.Mail = &mail.LogSender{Log: log}
	}
	if cfg.FilesDir == "" {
		cfg.FilesDir = "dxhub-files"
	}
	if bucket, prefix, ok := files.ParseS3(cfg.FilesDir); ok {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c := cfg.S3
		c.Bucket, c.Prefix = bucket, prefix
		s3, err := files.NewS3(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("--files %s: %w", cfg.FilesDir, err)
		}
		a.Files = s3
	} else {
		a.Files = &files.Local{Dir: cfg.FilesDir}
	}
	a.Auth = &auth.Service{DB: d, Audit: a.Audit, Mail: a.Mail, Log: log, BaseURL: cfg.BaseURL, Secure: cfg.SecureCookies, TrustProxy: cfg.TrustProxy}
	a.Search = &search.Service{DB: d, Audit: a.Audit}
	a.Org = &org.Service{DB: d, Audit: a.Audit, Log: log, Search: a.Search}
	if cfg.SMSURL != "" {
		a.SMS = &sms.Gateway{URL: cfg.SMSURL, Token: cfg.SMSToken}
	} else {
		a.SMS = &sms.LogSender{Log: log}
	}
	a.Account = &account.Service{DB: d, Log: log, Auth: a.Auth, Org: a.Org, Audit: a.Audit, Mail: a.Mail, SMS: a.SMS, BaseURL: cfg.BaseURL, SSO: account.NewSSO(cfg.OIDC, cfg.BaseURL)}
	a.Skills = &skills.Service{DB: d, Log: log, Scope: a.nationPath}
	a.Bank = &assessment.Bank{DB: d, Log: log, Audit: a.Audit, Org: a.Org, Skills: a.Skills, Files: a.Files, Auth: a.Auth, Search: a.Search}
	a.Events = &events.Bus{DB: d, Log: log}
	a.Exams = &assessment.Exams{Bank: a.Bank, Events: a.Events}
	a.Exams.Start(sweepEvery(cfg))
	a.LRS = &lrs.Store{DB: d, Log: log, BaseURL: cfg.BaseURL}
	a.Learn = &learning.Service{DB: d, Log: log, Audit: a.Audit, Org: a.Org, Skills: a.Skills, Bank: a.Bank, Exams: a.Exams, Auth: a.Auth, LRS: a.LRS, Mail: a.Mail, Events: a.Events, Search: a.Search}
	a.Learn.Subscribe(a.Events)
	a.Account.Learn, a.Account.Exams = a.Learn, a.Exams
	a.Cred = &credential.Service{DB: d, Log: log, Audit: a.Audit, Auth: a.Auth, Org: a.Org, Exams: a.Exams, Keys: credential.NewKeys(d, cfg.CredentialKey), BaseURL: cfg.BaseURL, LRS: a.LRS}
	a.Cred.Subscribe(a.Events)
	a.Account.Certificates = a.Cred.Mine
	a.Lib = &library.Service{DB: d, Log: log, Audit: a.Audit, Org: a.Org, Search: a.Search, Files: a.Files, PDFText: files.NewPDFText()}
	a.Net = &network.Service{DB: d, Log: log, Audit: a.Audit, Org: a.Org, Auth: a.Auth, Mail: a.Mail, BaseURL: cfg.BaseURL, Learn: a.Learn, Creds: a.Cred, Files: a.Files}
	if cfg.AssistantURL != "" {
		a.Lib.Gen = &library.Generator{URL: cfg.AssistantURL, Model: cfg.AssistantModel, Token: cfg.AssistantToken, Timeout: cfg.AssistantTimeout}
	}
	var stopCtx context.Context
	stopCtx, a.stop = context.WithCancel(context.Background())
	if cfg.Background {
		a.Learn.Start(stopCtx, time.Hour)
	}
	a.Exp = &experts.Service{DB: d, Log: log, Audit: a.Audit, Org: a.Org, Search: a.Search, Auth: a.Auth, Mail: a.Mail, BaseURL: cfg.BaseURL, Learn: a.Learn, Creds: a.Cred, Skills: a.skillLevels, Files: a.Files}
	a.Camp = &campaign.Service{DB: d, Log: log, Audit: a.Audit, Org: a.Org, Auth: a.Auth, Exams: a.Exams, Mail: a.Mail, SMS: a.SMS, BaseURL: cfg.BaseURL,
		Rates: map[string]int{campaign.Email: cfg.MailRate, campaign.SMS: cfg.SMSRate}, Learn: a.Learn}
	a.Camp.Subscribe(a.Events)
	if cfg.Background {
		go a.Camp.Run(stopCtx, time.Second)
	}
	a.Mon = &monitor.Service{DB: d, Log: log, Audit: a.Audit, Org: a.Org, Auth: a.Auth, Learn: a.Learn, Exams: a.Exams, Mail: a.Mail, Files: a.Files, BaseURL: cfg.BaseURL, Net: a.Net, Experts: a.Exp, Campaigns: a.Camp}
	if cfg.Background {
		a.Mon.Start(stopCtx, time.Hour)
		a.Events.Start(stopCtx)
	}
	// What other nodes change reaches this node's caches at once.
	a.Auth.WatchChanges()
	a.LRS.WatchChanges()
	a.Mon.WatchChanges()
	a.Cred.WatchChanges()
	shell, _ := fs.Sub(templates, "templates")
	w, err := web.New(log, map[string]fs.FS{"app": shell, "org": org.Templates(), "auth": auth.Templates(), "skills": skills.Templates(), "assessment": assessment.Templates(), "learning": learning.Templates(), "monitor": monitor.Templates(), "files": files.Templates(), "account": account.Templates(), "credential": credential.Templates(), "search": search.Templates(), "library": library.Templates(), "network": network.Templates(), "experts": experts.Templates(), "campaign": campaign.Templates()})
	if err != nil {
		return nil, err
	}
	w.ShellFor = a.shellFor
	w.Unavailable = db.IsUnavailable
	a.Web = w
	return a, nil
}

// Close releases the database.
func (a *App) Close() error {
	a.stop()
	a.Events.Close()
	a.LRS.Close()
	a.Exams.Close()
	a.Net.Close()
	a.Camp.Close()
	a.Audit.Close()
	return a.DB.Close()
}

// shellFor builds the navigation a viewer may use.
func (a *App) shellFor(r *http.Request) web.Shell {
	p := auth.FromContext(r.Context())
	if p == nil {
		return web.Shell{}
	}
	s := web.Shell{SignedIn: true, Name: p.DisplayName, Zone: p.TimeZone, Nav: []web.NavItem{{Href: "/learning", Key: "nav.learning"}, {Href: "/courses", Key: "nav.courses"}, {Href: "/exams", Key: "nav.exams"}, {Href: "/certificates", Key: "nav.certificates"}, {Href: "/library", Key: "nav.library"}}}
	if p.CanAnywhere(auth.ViewPeople) {
		s.Nav = append(s.Nav, web.NavItem{Href: "/people", Key: "nav.people"})
	}
	if p.CanAnywhere(auth.AuthorContent) {
		s.Nav = append(s.Nav, web.NavItem{Href: "/items", Key: "nav.items"})
	}
	if p.CanAnywhere(auth.ViewLearning) {
		s.Nav = append(s.Nav, web.NavItem{Href: "/learning/assignments", Key: "nav.assignments"})
	}
	if p.CanAnywhere(auth.ViewMonitoring) {
		s.Nav = append(s.Nav, web.NavItem{Href: "/monitoring", Key: "nav.monitoring"}, web.NavItem{Href: "/reports", Key: "nav.reports"})
	}
	if p.CanAnywhere(auth.EditLibrary) {
		s.Nav = append(s.Nav, web.NavItem{Href: "/library/questions", Key: "nav.questions"})
	}
	s.Nav = append(s.Nav, web.NavItem{Href: "/experts", Key: "nav.experts"}, web.NavItem{Href: "/campaigns", Key: "nav.campaigns"}, web.NavItem{Href: "/notices", Key: "nav.notices"})
	if p.CanAnywhere(auth.ViewNetwork) || p.CanAnywhere(auth.ReportTasks) {
		s.Nav = append(s.Nav, web.NavItem{Href: "/plans", Key: "nav.plans"})
	}
	if p.CanAnywhere(auth.ViewNetwork) {
		s.Nav = append(s.Nav, web.NavItem{Href: "/network", Key: "nav.network"})
	} else if in, _ := a.Net.InAnyTeam(r.Context(), p); in {
		s.Nav = append(s.Nav, web.NavItem{Href: "/network/log", Key: "nav.network"})
	}
	if p.CanAnywhere(auth.ManageSearch) {
		s.Nav = append(s.Nav, web.NavItem{Href: "/admin/synonyms", Key: "nav.synonyms"})
	}
	if p.CanAnywhere(auth.ManageLRS) {
		s.Nav = append(s.Nav, web.NavItem{Href: "/admin/lrs", Key: "nav.lrs"})
	}
	if p.CanAnywhere(auth.IssueCredentials) {
		s.Nav = append(s.Nav, web.NavItem{Href: "/credentials/issued", Key: "nav.credentials_issued"})
	} else if p.CanAnywhere(auth.DefineAchievements) {
		s.Nav = append(s.Nav, web.NavItem{Href: "/achievements", Key: "nav.achievements"})
	}
	if p.CanAnywhere(auth.ManageRoles) {
		s.Nav = append(s.Nav, web.NavItem{Href: "/admin/roles", Key: "nav.roles"})
	}
	if p.CanAnywhere(auth.ViewAudit) {
		s.Nav = append(s.Nav, web.NavItem{Href: "/admin/audit", Key: "nav.audit"})
	}
	return s
}

// Healthz says the process is up.
func (a *App) Healthz(w http.ResponseWriter, r *http.Request) error {
	return web.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// Readyz says the database answers.
func (a *App) Readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.DB.Ping(ctx); err != nil {
		a.Log.Error("readyz", "err", err)
		return web.JSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
	}
	return web.JSON(w, http.StatusOK, map[string]string{"status": "ready", "database": string(a.DB.Dialect)})
}

// nationPath is the scope of national content (standards, item banks).
func (a *App) nationPath(ctx context.Context) (string, error) {
	n, err := a.Org.Nation(ctx)
	if err != nil {
		return "", err
	}
	return n.Path, nil
}

// unitResolver lets the roles page name a unit by code.
func (a *App) unitResolver(r *http.Request, code string) (string, string, error) {
	u, err := a.Org.UnitByCode(r.Context(), code)
	if err != nil {
		return "", "", err
	}
	return u.ID, u.Path, nil
}

// skillLevels maps the competences of the latest Digital Skills Standard
// to their highest level (its number of tiers, 8 when it lists none): what
// expert profiles and needs may name.
func (a *App) skillLevels(ctx context.Context) (map[string]int, error) {
	std, err := a.Skills.Latest(ctx, "VN-DSF")
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return map[string]int{}, nil
		}
		return nil, err
	}
	out := map[string]int{}
	for _, ar := range std.Areas {
		for _, c := range ar.Competences {
			out[c.Code] = cmp.Or(len(c.TiersVI), 8)
		}
	}
	return out, nil
}
