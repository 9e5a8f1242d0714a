package auth

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// TestHashesCarryTheirParameters: test binaries hash cheaply, and a hash
// made with the server's parameters still verifies, because every hash
// carries its own.
func TestHashesCarryTheirParameters(t *testing.T) {
	h := HashPassword("correct horse battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("a test binary's hash: %s", h)
	}
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("correct horse battery"), salt, 2, 19*1024, 1, 32)
	b64 := base64.RawStdEncoding
	server := fmt.Sprintf("$argon2id$v=19$m=%d,t=2,p=1$%s$%s", 19*1024, b64.EncodeToString(salt), b64.EncodeToString(key))
	if !CheckPassword(server, "correct horse battery") || CheckPassword(server, "correct horse batterY") {
		t.Fatal("a hash with the server's parameters does not verify as it should")
	}
}
