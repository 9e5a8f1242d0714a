package files

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

func TestLocalStore(t *testing.T) { testStore(t, &Local{Dir: t.TempDir()}) }

// TestS3Store runs the same checks on the object store, against an
// S3-compatible server (gofakes3, an independent implementation of the
// S3 protocol, on a loopback port) through minio-go, the client dxhub uses.
func TestS3Store(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	if _, err := NewS3(ctx, S3Config{Endpoint: srv.URL, Region: "us-east-1", AccessKey: "dxhub", SecretKey: "test-secret", Bucket: "uploads"}); err == nil {
		t.Fatal("a bucket that does not exist was accepted")
	}
	if _, err := NewS3(ctx, S3Config{Endpoint: "ftp://x", Bucket: "uploads"}); err == nil {
		t.Fatal("an endpoint that is not http(s) was accepted")
	}
	admin, err := minio.New(strings.TrimPrefix(srv.URL, "http://"), &minio.Options{Creds: credentials.NewStaticV4("dxhub", "test-secret", ""), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.MakeBucket(ctx, "uploads", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	s, err := NewS3(ctx, S3Config{Endpoint: srv.URL, Region: "us-east-1", AccessKey: "dxhub", SecretKey: "test-secret", Bucket: "uploads", Prefix: "node-test/"})
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, s)
	// A larger blob read back whole and from the middle, as range
	// requests do.
	big := strings.Repeat("0123456789", 200_000)
	key, n, _, err := s.Put(ctx, strings.NewReader(big))
	if err != nil || n != int64(len(big)) {
		t.Fatalf("put 2 MB: %d %v", n, err)
	}
	f, err := s.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Seek(1_000_005, io.SeekStart)
	part := make([]byte, 10)
	if _, err := io.ReadFull(f, part); err != nil || string(part) != "5678901234" {
		t.Fatalf("ranged read: %q %v", part, err)
	}
	if info, err := admin.StatObject(ctx, "uploads", "node-test/"+key[:2]+"/"+key, minio.StatObjectOptions{}); err != nil || info.Size != int64(len(big)) {
		t.Fatalf("the object in the bucket: %+v %v", info, err)
	}
	for _, v := range []struct {
		in             string
		bucket, prefix string
		ok             bool
	}{{"s3://uploads", "uploads", "", true}, {"s3://uploads/dxhub/files/", "uploads", "dxhub/files/", true}, {"s3://", "", "", false}, {"/var/dxhub", "", "", false}} {
		b, p, ok := ParseS3(v.in)
		if b != v.bucket || p != v.prefix || ok != v.ok {
			t.Errorf("ParseS3(%q) = %q %q %v", v.in, b, p, ok)
		}
	}
}

// testStore checks the contract every store keeps.
func testStore(t *testing.T, s Store) {
	t.Helper()
	ctx := context.Background()
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
