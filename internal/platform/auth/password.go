package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (OWASP's second recommended set: 19 MiB, 2 passes).
// They are written into every hash, so raising them later keeps old hashes
// verifiable.
const (
	argonThreads = 1
	argonKeyLen  = 32
)

var argonTime, argonMemory = argonCost(testing.Testing())

// argonCost is OWASP's set, except in test binaries: the suite creates and
// signs in thousands of accounts, and the cost of a hash is not what it
// tests. A hash made in a test says its own cheap parameters, so it could
// never pass for one made by dxhub itself.
func argonCost(test bool) (time, memory uint32) {
	if test {
		return 1, 64
	}
	return 2, 19 * 1024
}

// hashSlots bounds the hashes computed at once to the cores: a rush of
// sign-ins then queues for a slot instead of holding 19 MiB each and
// sharing the cores ever more thinly.
var hashSlots = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

// HashPassword returns an Argon2id hash in the PHC string format.
func HashPassword(password string) string {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPassword reports whether password matches hash, in constant time.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || t == 0 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	hashSlots <- struct{}{}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	<-hashSlots
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when the account does not exist, so that a
// missing account takes as long as a wrong password.
var dummyHash = HashPassword("no such account")
