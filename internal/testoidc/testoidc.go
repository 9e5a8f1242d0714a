// Package testoidc runs a real OpenID provider on loopback for tests and
// for trying single sign-on in the demo: zitadel/oidc's op package with
// that module's in-memory storage and username/password page. Nothing in
// it is a fake of the protocol: discovery, the authorization code flow
// with PKCE, signed ID tokens, keys and user info are the library's.
//
// Tamper, when set, rewrites the ID token in the token endpoint's answer,
// as a hostile network or provider would, so that tests can show dxhub
// refusing what it must refuse.
package testoidc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
)

// User is a person the provider knows.
type User struct {
	ID, Username, Password string
	// GivenName and FamilyName make the name the provider gives ("given
	// family"); for Vietnamese names put the whole name in GivenName.
	GivenName, FamilyName string
	Email                 string
	EmailVerified         bool
}

// Client is an application registered at the provider.
type Client struct {
	ID, Secret   string
	RedirectURIs []string
}

// Provider is a running provider.
type Provider struct {
	Issuer string
	srv    *http.Server

	mu           sync.Mutex
	tamper       func(idToken string) string
	tamperClient string
}

type users map[string]*storage.User

func (u users) GetUserByID(id string) *storage.User { return u[id] }
func (u users) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}
func (u users) ExampleClientID() string { return "service" }

// Start runs a provider on addr ("127.0.0.1:0" for any port). The
// example server logs each request to slog's default logger, which it
// replaces with log when log is not nil.
func Start(addr string, us []User, cs []Client, log *slog.Logger) (*Provider, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	issuer := "http://" + ln.Addr().String()
	store := users{}
	for _, u := range us {
		store[u.ID] = &storage.User{ID: u.ID, Username: u.Username, Password: u.Password, FirstName: u.GivenName, LastName: u.FamilyName, Email: u.Email, EmailVerified: u.EmailVerified}
	}
	clients := map[string]*storage.Client{}
	for _, c := range cs {
		clients[c.ID] = storage.WebClient(c.ID, c.Secret, c.RedirectURIs...)
	}
	p := &Provider{Issuer: issuer}
	router := exampleop.SetupServer(issuer, storage.NewStorageWithClients(store, clients), log, false)
	p.srv = &http.Server{Handler: p.intercept(router)}
	go p.srv.Serve(ln)
	return p, nil
}

// Close stops the provider: sign-ins through it then fail.
func (p *Provider) Close() { p.srv.Close() }

// Tamper sets (nil: clears) the rewriting of ID tokens the token
// endpoint returns to client.
func (p *Provider) Tamper(client string, f func(idToken string) string) {
	p.mu.Lock()
	p.tamper, p.tamperClient = f, client
	p.mu.Unlock()
}

// clientOf names the client a token request authenticates as.
func clientOf(r *http.Request) string {
	if id, _, ok := r.BasicAuth(); ok {
		if u, err := url.QueryUnescape(id); err == nil {
			return u
		}
		return id
	}
	return r.PostFormValue("client_id")
}

func (p *Provider) intercept(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		f, client := p.tamper, p.tamperClient
		p.mu.Unlock()
		if f == nil || r.URL.Path != "/oauth/token" || clientOf(r) != client {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body map[string]any
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
			copyResponse(w, rec.Code, rec.Header(), rec.Body.Bytes())
			return
		}
		if t, ok := body["id_token"].(string); ok {
			body["id_token"] = f(t)
		}
		b, _ := json.Marshal(body)
		rec.Header().Del("Content-Length")
		copyResponse(w, http.StatusOK, rec.Header(), b)
	})
}

func copyResponse(w http.ResponseWriter, code int, h http.Header, body []byte) {
	for k, v := range h {
		w.Header()[k] = v
	}
	w.WriteHeader(code)
	w.Write(body)
}

// SignIn completes the provider's sign-in page for a person: c has just
// been sent to loginURL (the provider's page, after the authorization
// request); it posts the username and password and follows redirects
// until one leaves the provider, which it returns unfollowed.
func (p *Provider) SignIn(ctx context.Context, c *http.Client, loginURL, username, password string) (*url.URL, error) {
	u, err := url.Parse(loginURL)
	if err != nil {
		return nil, err
	}
	id := u.Query().Get("authRequestID")
	if id == "" {
		return nil, fmt.Errorf("not the provider's sign-in page: %s", loginURL)
	}
	form := url.Values{"id": {id}, "username": {username}, "password": {password}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.Issuer+"/login/username", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for {
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		loc, err := resp.Location()
		if err != nil {
			return nil, fmt.Errorf("provider answered %d without a redirect", resp.StatusCode)
		}
		if !strings.HasPrefix(loc.String(), p.Issuer+"/") {
			return loc, nil
		}
		req, _ = http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil)
	}
}

// IDToken signs a person in as another client (the whole code flow, as
// that client would, asking for nonce) and returns the ID token the
// provider issued to it: a genuine token whose audience is that client.
func (p *Provider) IDToken(ctx context.Context, client Client, username, password, nonce string) (string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{"client_id": {client.ID}, "redirect_uri": {client.RedirectURIs[0]}, "response_type": {"code"}, "scope": {"openid email profile"}, "state": {"s"}, "nonce": {nonce}}
	resp, err := c.Get(p.Issuer + "/auth?" + q.Encode())
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		return "", fmt.Errorf("authorize answered %d", resp.StatusCode)
	}
	back, err := p.SignIn(ctx, c, p.Issuer+loc.RequestURI(), username, password)
	if err != nil {
		return "", err
	}
	code := back.Query().Get("code")
	if code == "" {
		return "", errors.New("no code in " + back.String())
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {client.RedirectURIs[0]}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.Issuer+"/oauth/token", bytes.NewReader([]byte(form.Encode())))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(client.ID), url.QueryEscape(client.Secret))
	resp, err = c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		IDToken string `json:"id_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.IDToken == "" {
		return "", fmt.Errorf("token endpoint answered %d without an ID token", resp.StatusCode)
	}
	return out.IDToken, nil
}
