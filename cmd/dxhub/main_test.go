package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"dxhub/internal/app"
	"dxhub/internal/platform/auth"
)

// The command-line tools run on SQLite files; PostgreSQL is covered by the
// same services' tests.
func TestImportUserAddAndBackup(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := t.TempDir()
	dbURL := "sqlite:" + filepath.Join(dir, "dxhub.db")
	units := filepath.Join(dir, "units.csv")
	os.WriteFile(units, []byte("code,parent_code,level,kind,name,full_name,name_en,full_name_en\n66,,province,Tỉnh,Đắk Lắk,Tỉnh Đắk Lắk,Dak Lak,Dak Lak Province\n24121,66,commune,Phường,Buôn Ma Thuột,Phường Buôn Ma Thuột,Buon Ma Thuot,Buon Ma Thuot Ward\n"), 0o644)
	people := filepath.Join(dir, "people.csv")
	os.WriteFile(people, []byte("key,full_name,unit_code\nP1,Nguyễn Văn Một,24121\n"), 0o644)

	if err := migrate(ctx, log, []string{"--db", dbURL}); err != nil {
		t.Fatal(err)
	}
	if err := importCmd(ctx, log, []string{"units", units, "--db", dbURL}); err != nil {
		t.Fatal(err)
	}
	if err := importCmd(ctx, log, []string{"people", people, "--db", dbURL}); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("key,full_name,unit_code\nP2,,24121\n"), 0o644)
	if err := importCmd(ctx, log, []string{"people", bad, "--db", dbURL}); err == nil {
		t.Fatal("bad people file imported")
	}
	if err := userCmd(ctx, log, []string{"add", "--db", dbURL, "--username", "boss", "--password", "long enough pw", "--role", "unit_admin", "--unit", "66"}); err != nil {
		t.Fatal(err)
	}
	if err := userCmd(ctx, log, []string{"add", "--db", dbURL, "--username", "one", "--password", "long enough pw", "--person", "P1"}); err != nil {
		t.Fatal(err)
	}
	if err := userCmd(ctx, log, []string{"add", "--db", dbURL, "--username", "two", "--password", "long enough pw", "--person", "P404"}); err == nil {
		t.Fatal("account linked to an unknown person")
	}
	if err := userCmd(ctx, log, []string{"add", "--db", dbURL, "--username", "x", "--password", "long enough pw", "--role", "unit_admin", "--unit", "nope"}); err == nil {
		t.Fatal("role on an unknown unit accepted")
	}
	// Issuing xAPI credentials from the command line is an administrative
	// act, audited under the unit.
	if err := lrsClientCmd(ctx, log, []string{"add", "--db", dbURL, "--unit", "66", "--name", "LMS tỉnh"}); err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(dir, "copy.db")
	if err := backup(ctx, []string{"--db", dbURL, "--to", copyPath}); err != nil {
		t.Fatal(err)
	}
	if err := backup(ctx, []string{"--db", dbURL, "--to", copyPath}); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
	a, err := app.New(ctx, app.Config{DB: "sqlite:" + copyPath, FilesDir: dir}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	u, err := a.Org.UnitByCode(ctx, "66")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := a.Org.PeopleCount(ctx, u); n != 1 {
		t.Fatalf("backup holds %d people, want 1", n)
	}
	p, err := a.Auth.AccountByUsername(ctx, "boss")
	if err != nil {
		t.Fatal(err)
	}
	pr, _ := a.Auth.Principal(ctx, p.ID)
	if len(pr.Grants) != 1 || pr.Grants[0].UnitCode != "66" {
		t.Fatalf("grants in backup: %+v", pr.Grants)
	}
	var audited int
	a.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'lrs.client.create' AND unit_path = $1 AND detail = 'LMS tỉnh'`, u.Path).Scan(&audited)
	if audited != 1 {
		t.Fatalf("lrs-client add audited %d times", audited)
	}
	one, _ := a.Auth.AccountByUsername(ctx, "one")
	onePr, _ := a.Auth.Principal(ctx, one.ID)
	// A learner reads their own person record, and only it.
	own, err := a.Org.Person(auth.WithPrincipal(ctx, onePr), one.PersonID, "")
	if err != nil || own.Key != "P1" {
		t.Fatalf("own record: %+v %v", own, err)
	}
}
