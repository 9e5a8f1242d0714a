// Command oidc-provider runs an OpenID provider on loopback for trying
// dxhub's single sign-on without an outside one: zitadel/oidc's op
// package with its example storage (internal/testoidc), the provider the
// tests sign in through. Its people and passwords are printed at start;
// it is for a developer's machine, never for real sign-ins.
package main

import (
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"strings"

	"dxhub/internal/testoidc"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9998", "listen address of the provider")
	dxhub := flag.String("dxhub", "http://127.0.0.1:8080", "dxhub's public URL (its --base-url), to which the provider sends people back")
	flag.Parse()
	users := []testoidc.User{
		{ID: "u1", Username: "hoa", Password: "mat-khau-cua-hoa", GivenName: "Lê Thị Hoa", Email: "hoa@example.vn", EmailVerified: true},
		{ID: "u2", Username: "minh", Password: "mat-khau-cua-minh", GivenName: "Trần Quang Minh", Email: "minh@example.vn", EmailVerified: true},
	}
	secret := "demo-secret"
	p, err := testoidc.Start(*addr, users, []testoidc.Client{{ID: "dxhub", Secret: secret, RedirectURIs: []string{strings.TrimRight(*dxhub, "/") + "/auth/oidc/demo/callback"}}},
		slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	fmt.Printf("OpenID provider for trying dxhub at %s\n\nStart dxhub with it:\n\n  DXHUB_OIDC_SECRET_DEMO=%s go run ./cmd/dxhub demo --oidc 'id=demo,issuer=%s,client=dxhub,name=Nhà cung cấp thử'\n\nPeople who can sign in there:\n", p.Issuer, secret, p.Issuer)
	for _, u := range users {
		fmt.Printf("  %-6s password %-18s %s\n", u.Username, u.Password, u.Email)
	}
	fmt.Println("\nPress Ctrl+C to stop.")
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	<-stop
}
