package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"dxhub/internal/platform/db"
)

// S3 stores blobs in a bucket of an S3-compatible object store, so that
// several nodes share one store of uploads: the same keys and the same
// contract as Local.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string // "" or "folder/"
}

// S3Config says where the bucket is. Endpoint is a URL: its scheme
// chooses TLS (https) or not (http, for a store on a private network).
type S3Config struct {
	Endpoint, Region, AccessKey, SecretKey string
	Bucket, Prefix                         string
}

// ParseS3 reads "s3://BUCKET[/PREFIX]" (the --files value that chooses
// object storage); ok is false for anything else (a folder).
func ParseS3(v string) (bucket, prefix string, ok bool) {
	rest, ok := strings.CutPrefix(v, "s3://")
	if !ok {
		return "", "", false
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	return bucket, prefix, bucket != ""
}

// NewS3 connects to the store and checks that the bucket exists.
func NewS3(ctx context.Context, c S3Config) (*S3, error) {
	u, err := url.Parse(c.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("object store endpoint %q: want http://HOST:PORT or https://HOST", c.Endpoint)
	}
	client, err := minio.New(u.Host, &minio.Options{
		Creds:  credentials.NewStaticV4(c.AccessKey, c.SecretKey, ""),
		Secure: u.Scheme == "https",
		Region: c.Region,
	})
	if err != nil {
		return nil, err
	}
	ok, err := client.BucketExists(ctx, c.Bucket)
	if err != nil {
		return nil, fmt.Errorf("object store %s: %w", c.Endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("object store %s: no bucket %q", c.Endpoint, c.Bucket)
	}
	return &S3{client: client, bucket: c.Bucket, prefix: c.Prefix}, nil
}

func (s *S3) name(key string) (string, error) {
	if len(key) < 4 || strings.ContainsAny(key, `/\.`) {
		return "", fmt.Errorf("bad file key %q", key)
	}
	return s.prefix + key[:2] + "/" + key, nil
}

// Put spools the upload to a temporary file first: its size and SHA-256
// are known before the object is written, in one request, and a failed
// upload leaves no object behind.
func (s *S3) Put(ctx context.Context, r io.Reader) (string, int64, string, error) {
	tmp, err := os.CreateTemp("", "dxhub-upload-*")
	if err != nil {
		return "", 0, "", err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err != nil {
		return "", 0, "", err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return "", 0, "", err
	}
	key := db.NewID() + db.Token(4)
	name, _ := s.name(key)
	if _, err := s.client.PutObject(ctx, s.bucket, name, tmp, n, minio.PutObjectOptions{ContentType: "application/octet-stream"}); err != nil {
		return "", 0, "", err
	}
	return key, n, hex.EncodeToString(h.Sum(nil)), nil
}

// Open returns the object; reads and seeks become ranged requests.
func (s *S3) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	name, err := s.name(key)
	if err != nil {
		return nil, ErrNotFound
	}
	obj, err := s.client.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, notFound(err)
	}
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		return nil, notFound(err)
	}
	return obj, nil
}

// Delete removes the object; ErrNotFound when there is none (an object
// store deletes a missing key without complaint, Local does not).
func (s *S3) Delete(ctx context.Context, key string) error {
	name, err := s.name(key)
	if err != nil {
		return ErrNotFound
	}
	if _, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{}); err != nil {
		return notFound(err)
	}
	return s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{})
}

func notFound(err error) error {
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey || minio.ToErrorResponse(err).StatusCode == 404 {
		return ErrNotFound
	}
	return err
}

// compile-time checks
var (
	_ Store = (*Local)(nil)
	_ Store = (*S3)(nil)
)
