package account

import (
	"strings"
	"testing"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/textfold"
)

// FuzzIdentityOf: whatever a provider says of a person (claims are
// outside input, even signed), the account made for them has a sign-in
// name auth accepts, an address only when verified and well formed, and a
// name fit to show.
func FuzzIdentityOf(f *testing.F) {
	f.Add("sub-1", "Hoa@Tinh.Gov.VN", "true", "Lê Thị Hoa", "", "")
	f.Add("x", "a b@c.vn", "false", "", "Hoa", "Lê Thị")
	f.Add("", "<script>@x.vn", "1", "<b>", "\x00", "  ")
	f.Add("s", strings.Repeat("a", 70)+"@example.vn", "true", "Nguye\u0302\u0303n", "", "")
	f.Fuzz(func(t *testing.T, sub, email, verified, name, given, family string) {
		c := &Claims{Subject: sub, Email: email, Name: name, GivenName: given, FamilyName: family}
		if verified == "true" {
			c.EmailVerified = true
		} else {
			c.EmailVerified = verified
		}
		gotEmail, username, shown := identityOf("gov", c)
		n := auth.NewAccount{Username: username, Email: gotEmail, DisplayName: shown, PasswordHash: auth.NoPassword}
		if err := n.Validate(); err != nil {
			t.Fatalf("account for %+v refused: %v", c, err)
		}
		if gotEmail != "" && (!c.verified() || gotEmail != strings.ToLower(gotEmail) || !emailRe.MatchString(gotEmail)) {
			t.Fatalf("address %q kept from %+v", gotEmail, c)
		}
		if shown != textfold.NFC(shown) || strings.ContainsAny(shown, "<>") {
			t.Fatalf("name %q shown", shown)
		}
	})
}
