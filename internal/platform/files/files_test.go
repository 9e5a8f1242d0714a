package files

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestLocalStore(t *testing.T) {
	ctx := context.Background()
	s := &Local{Dir: t.TempDir()}
	key, n, sum, err := s.Put(ctx, strings.NewReader("biên bản"))
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len("biên bản")) || len(sum) != 64 {
		t.Fatalf("size %d sum %q", n, sum)
	}
	f, err := s.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	f.Seek(5, io.SeekStart)
	rest, _ := io.ReadAll(f)
	f.Close()
	if string(rest) != " bản" {
		t.Fatalf("read after seek = %q", rest)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("open deleted: %v", err)
	}
	if _, err := s.Open(ctx, "../../etc/passwd"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("path escape not refused: %v", err)
	}
}
