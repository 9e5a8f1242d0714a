package auth

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	h := HashPassword("mật khẩu dài đủ")
	if tm, m := argonCost(false); tm != 2 || m != 19456 {
		t.Fatalf("the server hashes with t=%d, m=%d; OWASP's set is t=2, m=19456", tm, m)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if !CheckPassword(h, "mật khẩu dài đủ") {
		t.Fatal("right password refused")
	}
	if CheckPassword(h, "mật khẩu dài đu") {
		t.Fatal("wrong password accepted")
	}
	if HashPassword("x") == HashPassword("x") {
		t.Fatal("no salt")
	}
	for _, bad := range []string{"", "$argon2id$", "$argon2id$v=19$m=0,t=0,p=0$$", "$bcrypt$x$y$z$w"} {
		if CheckPassword(bad, "x") {
			t.Fatalf("malformed hash %q accepted", bad)
		}
	}
}

func TestScopes(t *testing.T) {
	p := &Principal{Grants: []Grant{
		{Role: UnitAdmin, UnitPath: "/vn/66/"},
		{Role: UnitAdmin, UnitPath: "/vn/66/24121/"},
		{Role: Reporter, UnitPath: "/vn/75/"},
	}}
	if got := p.Scopes(ViewPeople); len(got) != 1 || got[0] != "/vn/66/" {
		t.Fatalf("scopes %v", got)
	}
	if !p.Can(ViewPeople, "/vn/66/24133/") || p.Can(ViewPeople, "/vn/75/26041/") || p.Can(ViewPeople, "/vn/660/") {
		t.Fatal("subtree check wrong")
	}
	if !p.Can(SubmitReports, "/vn/75/26041/") || p.Can(SubmitReports, "/vn/66/") {
		t.Fatal("reporter scope wrong")
	}
	var anon *Principal
	if anon.Can(ViewPeople, "/vn/") || len(anon.Scopes(ViewPeople)) != 0 {
		t.Fatal("anonymous has rights")
	}
}
