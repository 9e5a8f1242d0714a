package db

import (
	"crypto/md5"
	"database/sql/driver"
	"encoding/binary"
	"fmt"

	"modernc.org/sqlite"
)

// Hash64 is a 64-bit hash of s: the first eight bytes of its MD5 digest
// read as a signed big-endian integer. An index over such a hash holds a
// long text key (an xAPI agent or activity IRI) in a few bytes, so it stays
// in memory where the text index would not; the query still compares the
// text, so a collision costs a row read, never a wrong answer.
//
// SQL computes the same value as hash64(s) on SQLite (a function dxhub
// registers) and as ('x' || substr(md5(s), 1, 16))::bit(64)::bigint on
// PostgreSQL, for migrations that fill hash columns.
func Hash64(s string) int64 {
	sum := md5.Sum([]byte(s))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

func init() {
	err := sqlite.RegisterDeterministicScalarFunction("hash64", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return Hash64(v), nil
		case []byte:
			return Hash64(string(v)), nil
		case nil:
			return nil, nil
		default:
			return nil, fmt.Errorf("hash64: want text, got %T", v)
		}
	})
	if err != nil {
		panic(err)
	}
}
