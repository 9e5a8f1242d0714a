// Package files stores uploaded bytes (evidence, media, attachments) behind
// one small interface. The default is a local folder; several nodes need a
// folder they all share (NFS) or another Store over object storage.
package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"dxhub/internal/platform/db"
)

// Store keeps blobs by key.
type Store interface {
	// Put stores r and returns its key, size and SHA-256.
	Put(ctx context.Context, r io.Reader) (key string, size int64, sum string, err error)
	// Open returns the blob for reading (seekable, for range requests).
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	Delete(ctx context.Context, key string) error
}

// Local stores blobs as files under Dir, two levels of folders deep.
type Local struct{ Dir string }

// ErrNotFound is returned for a key with no blob.
var ErrNotFound = errors.New("file not found")

func (l *Local) path(key string) (string, error) {
	if len(key) < 4 || strings.ContainsAny(key, `/\.`) {
		return "", fmt.Errorf("bad file key %q", key)
	}
	return filepath.Join(l.Dir, key[:2], key), nil
}

func (l *Local) Put(ctx context.Context, r io.Reader) (string, int64, string, error) {
	key := db.NewID() + db.Token(4)
	p, _ := l.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return "", 0, "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return "", 0, "", err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, "", err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return "", 0, "", err
	}
	return key, n, hex.EncodeToString(h.Sum(nil)), nil
}

func (l *Local) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, ErrNotFound
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}

func (l *Local) Delete(ctx context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return ErrNotFound
	}
	if err := os.Remove(p); errors.Is(err, os.ErrNotExist) {
		return ErrNotFound
	} else {
		return err
	}
}
