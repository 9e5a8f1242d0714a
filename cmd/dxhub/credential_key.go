package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"dxhub/internal/app"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
)

// credentialKeyCmd manages the issuing units' signing keys:
//
//	rotate --unit CODE   retire the unit's key; the next certificate makes a new one
//	reseal               seal every key again under a new DXHUB_CREDENTIAL_KEY
//	                     (the old one in DXHUB_CREDENTIAL_KEY_OLD)
func credentialKeyCmd(ctx context.Context, log *slog.Logger, args []string) error {
	if len(args) < 1 || (args[0] != "rotate" && args[0] != "reseal") {
		return errors.New("want: credential-key rotate --unit CODE | credential-key reseal")
	}
	fs := flag.NewFlagSet("credential-key "+args[0], flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", "sqlite:dxhub.db"), "database URL (DXHUB_DB)")
	unit := fs.String("unit", "", "code of the issuing unit whose key is rotated")
	help := "dxhub credential-key rotate --unit CODE: retire the unit's signing key (it stays published, so what it signed still verifies); the next certificate makes a new one.\n" +
		"dxhub credential-key reseal: seal every signing key again under DXHUB_CREDENTIAL_KEY, reading them with DXHUB_CREDENTIAL_KEY_OLD."
	if err := parse(fs, args[1:], help); err != nil {
		return err
	}
	key := env("CREDENTIAL_KEY", "")
	if key == "" {
		return errors.New("DXHUB_CREDENTIAL_KEY is not set")
	}
	a, err := app.New(ctx, app.Config{DB: *dbURL, CredentialKey: key}, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if args[0] == "reseal" {
		old := os.Getenv("DXHUB_CREDENTIAL_KEY_OLD")
		if old == "" {
			return errors.New("DXHUB_CREDENTIAL_KEY_OLD (the key the signing keys are sealed with now) is not set")
		}
		n, err := a.Cred.Keys.Reseal(ctx, old)
		if err != nil {
			return err
		}
		fmt.Printf("resealed %d signing keys\n", n)
		return a.Audit.Record(ctx, audit.Entry{ActorName: "command line", Action: "credential_keys_resealed", ObjectType: "issuer_key", Detail: fmt.Sprint(n)})
	}
	if *unit == "" {
		return errors.New("--unit is required")
	}
	u, err := a.Org.UnitByCode(auth.WithPrincipal(ctx, auth.System()), *unit)
	if err != nil {
		return err
	}
	if err := a.Cred.Keys.Rotate(ctx, u.ID); err != nil {
		return err
	}
	fmt.Printf("the signing key of %s is retired; the next certificate it issues makes a new one\n", u.Code)
	return a.Audit.Record(ctx, audit.Entry{ActorName: "command line", Action: "credential_key_rotated", ObjectType: "issuer_key", ObjectID: u.ID, UnitPath: u.Path})
}
