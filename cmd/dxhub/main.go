// Command dxhub runs the dxhub platform: the web server and its
// maintenance subcommands. Every flag can also be set by a DXHUB_*
// environment variable (flag --smtp-addr is DXHUB_SMTP_ADDR).
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"dxhub/internal/account"
	"dxhub/internal/app"
	"dxhub/internal/campaign"
	"dxhub/internal/demo"
	"dxhub/internal/library"
	"dxhub/internal/network"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/files"
)

const usage = `dxhub — platform for Vietnam's national digital-skills and DX scheme

Usage: dxhub <command> [flags]

Commands:
  serve      run the web server (migrations run at start-up)
  demo       run the web server on a database seeded with demo data
  migrate    apply database migrations and exit
  import     import units or people: dxhub import units|people FILE
  user       manage accounts: dxhub user add --username NAME [--role ROLE --unit CODE]
  lrs-client issue xAPI credentials: dxhub lrs-client add --unit CODE --name NAME
  credential-key  rotate or reseal certificate signing keys: dxhub credential-key rotate --unit CODE | reseal
  backup     copy a SQLite database while it runs: dxhub backup --to FILE
  restore    put a backup in place of a stopped SQLite database: dxhub restore --from FILE [--replace]
  bench      benchmarks on loopback: dxhub bench org|search|exam|lrs|monitoring|accounts|credentials
  eval       measure search against expected answers (dxhub eval search FILE), or QTI import against real items (dxhub eval qti DIR...)

Run "dxhub <command> --help" for a command's flags.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	// dxhub keeps little on its heap (tens of megabytes) and allocates
	// fast under load: collecting when the heap has grown fourfold rather
	// than twofold leaves the cores to requests (the collector took 7% of
	// the CPU in the LRS benchmark). GOGC, when set, decides instead.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel()}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "serve":
		err = serve(ctx, log, args, false)
	case "demo":
		err = serve(ctx, log, args, true)
	case "migrate":
		err = migrate(ctx, log, args)
	case "import":
		err = importCmd(ctx, log, args)
	case "user":
		err = userCmd(ctx, log, args)
	case "lrs-client":
		err = lrsClientCmd(ctx, log, args)
	case "credential-key":
		err = credentialKeyCmd(ctx, log, args)
	case "backup":
		err = backup(ctx, args)
	case "restore":
		err = restore(ctx, args)
	case "bench":
		err = bench(ctx, log, args)
	case "eval":
		err = evalCmd(ctx, args)
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "dxhub: unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "dxhub:", err)
		os.Exit(1)
	}
}

func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(env("LOG_LEVEL", "info"))); err != nil {
		return slog.LevelInfo
	}
	return l
}

// env reads DXHUB_<name>.
func env(name, def string) string {
	if v, ok := os.LookupEnv("DXHUB_" + name); ok {
		return v
	}
	return def
}

// envInt reads DXHUB_<name> as a whole number (def when unset or not one).
func envInt(name string, def int) int {
	n, err := strconv.Atoi(env(name, ""))
	if err != nil {
		return def
	}
	return n
}

// configFlags declares the flags every server-side command shares.
func configFlags(fs *flag.FlagSet, dbDefault string) *app.Config {
	c := &app.Config{}
	fs.StringVar(&c.DB, "db", env("DB", dbDefault), "database URL: sqlite:PATH or postgres://... (DXHUB_DB)")
	fs.StringVar(&c.Addr, "addr", env("ADDR", "127.0.0.1:8080"), "listen address HOST:PORT (DXHUB_ADDR)")
	fs.StringVar(&c.BaseURL, "base-url", env("BASE_URL", ""), "public URL used in e-mailed links; default http://ADDR (DXHUB_BASE_URL)")
	fs.StringVar(&c.FilesDir, "files", env("FILES", "dxhub-files"), "folder for uploaded files, or s3://BUCKET[/PREFIX] for an S3-compatible object store (DXHUB_S3_ENDPOINT, _REGION, _ACCESS_KEY, _SECRET_KEY); shared by all nodes (DXHUB_FILES)")
	c.S3 = files.S3Config{Endpoint: env("S3_ENDPOINT", ""), Region: env("S3_REGION", ""), AccessKey: env("S3_ACCESS_KEY", ""), SecretKey: env("S3_SECRET_KEY", "")}
	fs.StringVar(&c.SMTPAddr, "smtp-addr", env("SMTP_ADDR", ""), "SMTP server HOST:PORT; empty logs e-mails instead (DXHUB_SMTP_ADDR)")
	fs.StringVar(&c.SMTPFrom, "smtp-from", env("SMTP_FROM", "dxhub@localhost"), "sender address (DXHUB_SMTP_FROM)")
	fs.StringVar(&c.SMTPUser, "smtp-user", env("SMTP_USER", ""), "SMTP user (DXHUB_SMTP_USER)")
	c.SMTPPassword = env("SMTP_PASSWORD", "") // never a flag: flags show in process lists
	fs.BoolVar(&c.SecureCookies, "secure-cookies", env("SECURE_COOKIES", "") == "true", "mark cookies Secure (behind HTTPS) (DXHUB_SECURE_COOKIES=true)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", env("TRUST_PROXY", "") == "true", "take client addresses from X-Forwarded-For (DXHUB_TRUST_PROXY=true)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("METRICS_ADDR", ""), "serve Prometheus metrics on this separate address HOST:PORT (DXHUB_METRICS_ADDR)")
	c.MetricsToken = env("METRICS_TOKEN", "") // never a flag: /metrics on the main address asks for it as a bearer token
	fs.StringVar(&c.SMSURL, "sms-url", env("SMS_URL", ""), "HTTP gateway text messages are posted to as JSON {\"to\",\"text\"}; empty writes them to the log (DXHUB_SMS_URL)")
	c.SMSToken = env("SMS_TOKEN", "") // never a flag: the gateway's bearer token
	// Never a flag either: it unseals every issuing unit's signing key.
	c.CredentialKey = env("CREDENTIAL_KEY", "")
	fs.StringVar(&c.AssistantURL, "assistant-url", env("ASSISTANT_URL", ""), "base URL of an OpenAI-compatible chat-completions server the library assistant may have write its answers from the passages it found, e.g. http://10.0.0.5:11434/v1; empty answers by extraction only (DXHUB_ASSISTANT_URL)")
	fs.StringVar(&c.AssistantModel, "assistant-model", env("ASSISTANT_MODEL", ""), "model name sent to the assistant's server (DXHUB_ASSISTANT_MODEL)")
	fs.DurationVar(&c.AssistantTimeout, "assistant-timeout", 15*time.Second, "longest wait for the assistant's server before answering by extraction")
	c.AssistantToken = env("ASSISTANT_TOKEN", "") // never a flag: the server's bearer token
	fs.IntVar(&c.MailRate, "mail-rate", envInt("MAIL_RATE", 50), "messages to target groups e-mailed a second at most, 0 for no bound (DXHUB_MAIL_RATE)")
	fs.IntVar(&c.SMSRate, "sms-rate", envInt("SMS_RATE", 20), "messages to target groups sent by SMS a second at most, 0 for no bound (DXHUB_SMS_RATE)")
	fs.StringVar(&c.TimeZone, "time-zone", env("TIME_ZONE", "Asia/Ho_Chi_Minh"), "time zone in which times are shown and typed, unless a person chooses their own (DXHUB_TIME_ZONE)")
	return c
}

func parse(fs *flag.FlagSet, args []string, help string) error {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "%s\n\nFlags:\n", help)
		fs.PrintDefaults()
	}
	return fs.Parse(args)
}

func serve(ctx context.Context, log *slog.Logger, args []string, isDemo bool) error {
	name, help := "serve", "dxhub serve [flags]: run the web server."
	dbDefault := "sqlite:dxhub.db"
	if isDemo {
		name, help = "demo", "dxhub demo [flags]: run the web server on a database seeded with demo data\n(a fresh SQLite database in a temporary folder unless --db is given)."
		dbDefault = ""
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	cfg := configFlags(fs, dbDefault)
	people := 0
	if isDemo {
		fs.IntVar(&people, "people", 2000, "number of generated demo people")
	}
	var oidcSpecs []string
	fs.Func("oidc", "an OpenID provider people may sign in with: 'id=ID,issuer=URL,client=CLIENT_ID,name=NAME'; repeat for several; the client secret comes from the environment only, DXHUB_OIDC_SECRET_<ID> (DXHUB_OIDC: providers separated by ;)", func(v string) error {
		oidcSpecs = append(oidcSpecs, v)
		return nil
	})
	keep := fs.String("keep-in-memory", env("KEEP_IN_MEMORY", "0"), "keep a SQLite database in memory up to this share of the memory the process may use (the machine's or its container's), in percent (0: off, at most 90) (DXHUB_KEEP_IN_MEMORY)")
	if err := parse(fs, args, help); err != nil {
		return err
	}
	spec := strings.Join(oidcSpecs, ";")
	if len(oidcSpecs) == 0 {
		spec = env("OIDC", "")
	}
	providers, err := account.ParseProviders(spec, func(id string) string { return os.Getenv(account.SecretEnv(id)) })
	if err != nil {
		return fmt.Errorf("--oidc (DXHUB_OIDC): %w", err)
	}
	cfg.OIDC = providers
	keepPercent, err := percent(*keep, 90)
	if err != nil {
		return fmt.Errorf("--keep-in-memory (DXHUB_KEEP_IN_MEMORY): %w", err)
	}
	if isDemo && cfg.DB == "" {
		dir, err := os.MkdirTemp("", "dxhub-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.DB = "sqlite:" + filepath.Join(dir, "demo.db")
		if !flagSet(fs, "files") {
			cfg.FilesDir = filepath.Join(dir, "files")
		}
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + cfg.Addr
	}
	if cfg.CredentialKey == "" {
		if isDemo {
			// The demo's database is thrown away with its key.
			b := make([]byte, 32)
			rand.Read(b)
			cfg.CredentialKey = hex.EncodeToString(b)
		} else {
			log.Warn("DXHUB_CREDENTIAL_KEY is not set: certificates wait to be issued until it is (it seals the issuing units' signing keys)")
		}
	}
	cfg.Background = true
	a, err := app.New(ctx, *cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if isDemo {
		if _, err := a.Org.UnitByCode(ctx, "66"); err != nil {
			fmt.Fprintln(os.Stderr, "Seeding demo data (organisation tree, people, accounts)...")
			if err := demo.Seed(ctx, demo.Services{Org: a.Org, Auth: a.Auth, Skills: a.Skills, Bank: a.Bank, Exams: a.Exams, Learn: a.Learn, Files: a.Files}, people); err != nil {
				return fmt.Errorf("seed demo: %w", err)
			}
		}
		if achs, err := a.Cred.Achievements(ctx); err == nil && len(achs) == 0 {
			fmt.Fprintln(os.Stderr, "Seeding demo certificates (achievements, the demo learner's certificates)...")
			if err := seedCredentials(ctx, a); err != nil {
				return fmt.Errorf("seed certificates: %w", err)
			}
		}
		if docs, err := a.Lib.List(ctx, library.Filter{Limit: 1}); err == nil && len(docs) == 0 {
			fmt.Fprintln(os.Stderr, "Seeding the demo library (legal documents, guides, FAQ, news)...")
			if _, err := demo.SeedLibrary(ctx, a.Lib, principalOf(ctx, a)); err != nil {
				return fmt.Errorf("seed library: %w", err)
			}
		}
		if ts, err := a.Net.Teams(auth.WithPrincipal(ctx, auth.System()), network.Filter{Limit: 1}); err == nil && len(ts) == 0 {
			fmt.Fprintln(os.Stderr, "Seeding the demo DX network (villages, committees and teams of Đắk Lắk communes, a month of help, the province's plan)...")
			if err := demo.SeedNetwork(ctx, a.Net, a.Org, a.Auth, "66", time.Now()); err != nil {
				return fmt.Errorf("seed network: %w", err)
			}
			if err := demo.SeedPlans(ctx, a.Net, a.Org, "66", time.Now()); err != nil {
				return fmt.Errorf("seed plans: %w", err)
			}
		}
		var experts int
		if err := a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM exp_profiles`).Scan(&experts); err == nil && experts == 0 {
			fmt.Fprintln(os.Stderr, "Seeding the demo expert network (300 profiles, needs, an engagement)...")
			if err := demo.SeedExperts(ctx, a.Exp, a.Org, principalOf(ctx, a), 300); err != nil {
				return fmt.Errorf("seed experts: %w", err)
			}
		}
		if cs, err := a.Camp.Campaigns(ctx, campaign.CampaignFilter{Limit: 1}); err == nil && len(cs) == 0 {
			fmt.Fprintln(os.Stderr, "Seeding the demo campaign (DX month, two events, a two-round contest open now, a message to Đắk Lắk's civil servants)...")
			std, err := a.Skills.Latest(ctx, "VN-DSF")
			if err != nil {
				return err
			}
			if err := demo.SeedCampaigns(ctx, a.Camp, a.Exams, std, principalOf(ctx, a), time.Now()); err != nil {
				return fmt.Errorf("seed campaigns: %w", err)
			}
		}
		if sets, err := a.Mon.Datasets(ctx); err == nil && len(sets) == 0 {
			fmt.Fprintln(os.Stderr, "Seeding demo monitoring (indicators, targets, monthly reports of Đắk Lắk communes)...")
			if err := demo.SeedMonitoring(ctx, a.Mon, "66", time.Now()); err != nil {
				return fmt.Errorf("seed monitoring: %w", err)
			}
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	a.RegisterMetrics()
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute, WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute}
	if isDemo {
		printDemo(os.Stdout, "http://"+ln.Addr().String())
	}
	log.Info("listening", "addr", ln.Addr().String(), "db", string(a.DB.Dialect))
	a.Mon.WarmTrend(ctx)
	a.LRS.WarmInBackground(ctx)
	a.DB.KeepInMemory(keepPercent)
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		msrv := &http.Server{Handler: a.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second}
		defer msrv.Close()
		log.Info("metrics", "addr", mln.Addr().String())
		go func() { errc <- msrv.Serve(mln) }()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// principalOf finds an account's principal by its sign-in name (the demo
// accounts that write demo content).
func principalOf(ctx context.Context, a *app.App) func(string) (*auth.Principal, error) {
	return func(name string) (*auth.Principal, error) {
		acct, err := a.Auth.AccountByUsername(ctx, name)
		if err != nil {
			return nil, err
		}
		return a.Auth.Principal(ctx, acct.ID)
	}
}

// seedCredentials gives the demo its certificates, as its national
// administrator.
func seedCredentials(ctx context.Context, a *app.App) error {
	p, err := principalOf(ctx, a)("admin")
	if err != nil {
		return err
	}
	return demo.SeedCredentials(ctx, a.Cred, a.Exams, p)
}

// percent reads a whole percentage from 0 to most.
func percent(s string, most int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if err != nil || n < 0 || n > most {
		return 0, fmt.Errorf("want a whole percentage from 0 to %d, got %q", most, s)
	}
	return n, nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

func printDemo(w io.Writer, url string) {
	fmt.Fprintf(w, "\ndxhub demo is running at %s\n\nDemo accounts (password %q for all):\n", url, demo.Password)
	for _, a := range append(demo.Accounts, demo.NetworkAccount) {
		role := a.Role
		if role == "" {
			role = "learner"
		}
		fmt.Fprintf(w, "  %-14s %-15s %s\n", a.Username, role, a.Note)
	}
	fmt.Fprintln(w, "\nPress Ctrl+C to stop.")
}

func migrate(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", "sqlite:dxhub.db"), "database URL (DXHUB_DB)")
	if err := parse(fs, args, "dxhub migrate [--db URL]: apply pending migrations."); err != nil {
		return err
	}
	d, err := db.Open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Migrate(ctx); err != nil {
		return err
	}
	fmt.Println("migrations applied")
	return nil
}

func importCmd(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", "sqlite:dxhub.db"), "database URL (DXHUB_DB)")
	help := "dxhub import units|people FILE [--db URL]: import a CSV (units: the format of\nshared/data/vn-admin-units/units.csv) or a CSV/XLSX people list, all or nothing."
	if len(args) < 2 || (args[0] != "units" && args[0] != "people") {
		parse(fs, []string{"-h"}, help)
		return errors.New("want: import units|people FILE")
	}
	kind, file := args[0], args[1]
	if err := parse(fs, args[2:], help); err != nil {
		return err
	}
	a, err := app.New(ctx, app.Config{DB: *dbURL}, log)
	if err != nil {
		return err
	}
	defer a.Close()
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	ctx = auth.WithPrincipal(ctx, auth.System())
	var created, updated int
	if kind == "units" {
		res, err := a.Org.ImportUnits(ctx, f)
		if err != nil {
			return err
		}
		created, updated = res.Created, res.Updated
	} else {
		res, err := a.Org.ImportPeople(ctx, f, "cli")
		if err != nil {
			return err
		}
		created, updated = res.Created, res.Updated
	}
	fmt.Printf("imported %s: %d created, %d updated\n", kind, created, updated)
	return nil
}

func userCmd(ctx context.Context, log *slog.Logger, args []string) error {
	if len(args) < 1 || args[0] != "add" {
		return errors.New("want: user add --username NAME [--password P] [--email E] [--name N] [--role ROLE --unit CODE]")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", "sqlite:dxhub.db"), "database URL (DXHUB_DB)")
	username := fs.String("username", "", "user name")
	password := fs.String("password", "", "password; default DXHUB_PASSWORD, else read from standard input")
	email := fs.String("email", "", "e-mail address (for password resets)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "role to grant: "+roleList())
	unit := fs.String("unit", "", "code of the unit the role is granted on (VN for the nation)")
	person := fs.String("person", "", "key of the person record this account belongs to (optional)")
	if err := parse(fs, args[1:], "dxhub user add [flags]: create an account, optionally with a role on a unit."); err != nil {
		return err
	}
	pw := *password
	if pw == "" {
		pw = os.Getenv("DXHUB_PASSWORD")
	}
	if pw == "" {
		fmt.Fprint(os.Stderr, "password: ")
		b, _ := io.ReadAll(io.LimitReader(os.Stdin, 1024))
		pw = strings.TrimSpace(string(b))
	}
	if (*role == "") != (*unit == "") {
		return errors.New("--role and --unit go together")
	}
	a, err := app.New(ctx, app.Config{DB: *dbURL}, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx = auth.WithPrincipal(ctx, auth.System())
	var personID string
	if *person != "" {
		if personID, err = a.Org.PersonIDByKey(ctx, *person); err != nil {
			return err
		}
	}
	if _, err := a.Auth.CreateAccount(ctx, auth.NewAccount{Username: *username, Email: *email, DisplayName: *name, Password: pw, PersonID: personID}); err != nil {
		return err
	}
	if *role != "" {
		u, err := a.Org.UnitByCode(ctx, *unit)
		if err != nil {
			return err
		}
		if _, err := a.Auth.GrantRole(ctx, *username, auth.Role(*role), u.ID, u.Path, "cli"); err != nil {
			return err
		}
	}
	fmt.Printf("account %s created\n", *username)
	return nil
}

func lrsClientCmd(ctx context.Context, log *slog.Logger, args []string) error {
	if len(args) < 1 || args[0] != "add" {
		return errors.New("want: lrs-client add --unit CODE --name NAME")
	}
	fs := flag.NewFlagSet("lrs-client add", flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", "sqlite:dxhub.db"), "database URL (DXHUB_DB)")
	unit := fs.String("unit", "", "code of the unit the client writes and reads for (VN for the nation)")
	name := fs.String("name", "", "name of the platform the credentials are for")
	if err := parse(fs, args[1:], "dxhub lrs-client add [flags]: issue HTTP Basic credentials for the xAPI endpoint /xapi/ and print the key and the secret."); err != nil {
		return err
	}
	if *unit == "" || *name == "" {
		return errors.New("--unit and --name are required")
	}
	a, err := app.New(ctx, app.Config{DB: *dbURL}, log)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Org.UnitByCode(auth.WithPrincipal(ctx, auth.System()), *unit)
	if err != nil {
		return err
	}
	c, secret, err := a.LRS.CreateClient(ctx, u.ID, u.Path, *name, "cli")
	if err != nil {
		return err
	}
	if err := a.Audit.Record(ctx, audit.Entry{ActorName: "command line", Action: "lrs.client.create", ObjectType: "lrs_client", ObjectID: c.ID, UnitPath: u.Path, Detail: *name}); err != nil {
		return err
	}
	fmt.Printf("key: %s\nsecret: %s\n", c.Key, secret)
	return nil
}

func roleList() string {
	var s []string
	for _, r := range auth.GrantableRoles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

func restore(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", "sqlite:dxhub.db"), "database URL (DXHUB_DB)")
	from := fs.String("from", "", "the copy written by dxhub backup")
	replace := fs.Bool("replace", false, "replace an existing database (stop dxhub first); it is kept beside, renamed")
	if err := parse(fs, args, "dxhub restore --from FILE [--db URL] [--replace]: put a copy made by dxhub backup in place of a SQLite\ndatabase, checked and migrated first. Stop dxhub before. For PostgreSQL use pg_restore (docs/operations.md)."); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("--from FILE is required")
	}
	path, ok := strings.CutPrefix(*dbURL, "sqlite:")
	if !ok {
		return errors.New("restore: use pg_restore for PostgreSQL (docs/operations.md)")
	}
	kept, err := db.Restore(ctx, *from, path, *replace)
	if err != nil {
		return err
	}
	if kept != "" {
		fmt.Printf("the database that was there is kept as %s\n", kept)
	}
	fmt.Printf("restored %s from %s\n", path, *from)
	return nil
}

func backup(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", "sqlite:dxhub.db"), "database URL (DXHUB_DB)")
	to := fs.String("to", "", "file to write the copy to (must not exist)")
	if err := parse(fs, args, "dxhub backup --to FILE [--db URL]: consistent copy of a SQLite database while dxhub runs.\nFor PostgreSQL use pg_dump (see README)."); err != nil {
		return err
	}
	if *to == "" {
		return errors.New("--to FILE is required")
	}
	d, err := db.Open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Backup(ctx, *to); err != nil {
		return err
	}
	fmt.Printf("backup written to %s\n", *to)
	return nil
}
