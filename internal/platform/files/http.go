package files

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/web"
)

//go:embed templates
var templates embed.FS

// Templates returns the upload page.
func Templates() fs.FS { t, _ := fs.Sub(templates, "templates"); return t }

func init() {
	i18n.Add(map[string][2]string{
		"files.title":     {"Tải tệp lên", "Upload a file"},
		"files.help":      {"Ảnh PNG, JPEG, GIF hoặc WebP tối đa 5 MB (chép đoạn mã bên dưới vào nội dung câu hỏi hoặc bài học); video MP4/WebM, âm thanh MP3/Ogg/WAV hoặc tài liệu PDF, DOCX, XLSX, PPTX tối đa 200 MB (dán mã tệp vào bài học).", "A PNG, JPEG, GIF or WebP image of at most 5 MB (copy the snippet below into an item or a lesson); an MP4/WebM video, an MP3/Ogg/WAV sound or a PDF, DOCX, XLSX or PPTX document of at most 200 MB (paste the file key into a lesson)."},
		"files.done":      {"Đã tải lên. Chép đoạn sau vào nội dung:", "Uploaded. Copy this into the text:"},
		"files.bad_type":  {"chỉ nhận ảnh PNG, JPEG, GIF, WebP, video MP4/WebM, âm thanh MP3/Ogg/WAV hoặc tài liệu PDF, DOCX, XLSX, PPTX", "only PNG, JPEG, GIF, WebP images, MP4/WebM videos, MP3/Ogg/WAV sounds or PDF, DOCX, XLSX, PPTX documents are accepted"},
		"files.too_large": {"ảnh lớn hơn 5 MB hoặc tệp lớn hơn 200 MB", "the image is larger than 5 MB or the file larger than 200 MB"},
		"files.key":       {"Mã tệp", "File key"},
		"files.upload":    {"Tải lên", "Upload"},
		"files.alt":       {"Mô tả ảnh (cho người dùng trình đọc màn hình)", "Image description (for screen-reader users)"},
	})
}

const maxImage = 5 << 20

const maxFile = 200 << 20

var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// MediaKind says whether data is a video or a sound dxhub plays ("video",
// "audio"; "" otherwise), by its bytes, and its content type.
func MediaKind(data []byte) (kind, contentType string) {
	ct := fileType(Media, http.DetectContentType(data), "")
	switch {
	case strings.HasPrefix(ct, "video/"):
		return "video", ct
	case strings.HasPrefix(ct, "audio/"):
		return "audio", ct
	}
	return "", ""
}

// IsImage reports whether data is an image dxhub shows (PNG, JPEG, GIF,
// WebP), by its bytes.
func IsImage(data []byte) bool { return imageTypes[http.DetectContentType(data)] }

// Kind says what an upload is for, and so which types it accepts.
type Kind int

const (
	// Media is images, videos and documents for items and lessons.
	Media Kind = iota
	// Evidence is a report's supporting document: images, PDF, Office.
	Evidence
)

// fileType is the content type an accepted upload is stored and served
// with ("" when it is not accepted). It is decided from the bytes, never
// from what the uploader's browser claimed: images, videos (media only),
// PDF, and Office documents, which are ZIP archives told apart by their
// extension. HTML, scripts, SVG and everything else are refused.
func fileType(kind Kind, sniffed, name string) string {
	switch {
	case imageTypes[sniffed], sniffed == "application/pdf":
		return sniffed
	case sniffed == "video/mp4", sniffed == "video/webm", sniffed == "audio/mpeg", sniffed == "audio/wave":
		if kind == Media {
			return sniffed
		}
	case sniffed == "application/ogg":
		if kind == Media {
			return "audio/ogg" // Ogg Vorbis or Opus, as items and lessons use it
		}
	case strings.HasPrefix(sniffed, "text/plain") && strings.EqualFold(filepath.Ext(name), ".vtt"):
		if kind == Media {
			return "text/vtt" // a video's captions
		}
	case sniffed == "application/zip":
		switch strings.ToLower(filepath.Ext(name)) {
		case ".docx":
			return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		case ".xlsx":
			return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		case ".pptx":
			return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
		}
	}
	return ""
}

// Save checks an upload against what kind accepts, stores it and its
// record, and returns the key lessons, items and reports refer to, and the
// content type it was found to be. owner
// names what the file belongs to ("" for media); Serve asks the owner's
// room whether a viewer may read it. A refused type is an invalid error
// on field "file".
func Save(ctx context.Context, d *db.DB, st Store, kind Kind, owner, name string, r io.Reader, by string) (string, string, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", "", err
	}
	head = head[:n]
	ct := fileType(kind, http.DetectContentType(head), name)
	if ct == "" {
		return "", "", errs.Field("file", "files.bad_type")
	}
	limit := int64(maxFile)
	if imageTypes[ct] {
		limit = maxImage
	}
	body := io.MultiReader(bytes.NewReader(head), r)
	key, size, sum, err := st.Put(ctx, io.LimitReader(body, limit+1))
	if err != nil {
		return "", "", err
	}
	if size > limit {
		st.Delete(ctx, key)
		return "", "", errs.Field("file", "files.too_large")
	}
	_, err = d.W.ExecContext(ctx, `INSERT INTO files (id, name, content_type, size, sha256, created_by, created_at, owner) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		key, filepath.Base(name), ct, size, sum, by, db.Now(), owner)
	return key, ct, err
}

// Access decides whether the viewer in ctx may read a file owned by
// ownerID (what follows "kind:" in the owner), returning forbidden or not
// found when not.
type Access func(ctx context.Context, ownerID string) error

// HTTP serves uploads: content authors upload images for items and
// lessons; signed-in users read them.
type HTTP struct {
	Store Store
	DB    *db.DB
	Web   *web.Web
	// Public are the owner kinds whose check decides for anonymous
	// readers too (a published library document's attachments); the
	// files of other kinds are read only when signed in.
	Public map[string]bool
	// Access has, per owner kind ("report"), the owning room's check; a
	// file of a kind without one is served to nobody.
	Access map[string]Access
}

// UploadForm shows the upload page.
func (h *HTTP) UploadForm(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.AuthorContent); err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "files/upload", "files.title", map[string]any{})
}

// Upload stores an image and shows the markup that shows it.
func (h *HTTP) Upload(w http.ResponseWriter, r *http.Request) error {
	p, _, err := auth.RequireScopes(r.Context(), auth.AuthorContent)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFile+1<<20)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return h.Web.Render(w, r, http.StatusBadRequest, "files/upload", "files.title", map[string]any{"Error": errs.Field("file", "files.too_large")})
	}
	defer f.Close()
	key, ct, err := Save(r.Context(), h.DB, h.Store, Media, "", hdr.Filename, f, p.AccountID)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.Web.Render(w, r, http.StatusBadRequest, "files/upload", "files.title", map[string]any{"Error": e})
	}
	if err != nil {
		return err
	}
	if !imageTypes[ct] {
		return h.Web.Render(w, r, http.StatusOK, "files/upload", "files.title", map[string]any{"Key": key})
	}
	alt := strings.NewReplacer("[", "", "]", "").Replace(strings.TrimSpace(r.FormValue("alt")))
	return h.Web.Render(w, r, http.StatusOK, "files/upload", "files.title", map[string]any{"Snippet": "![" + alt + "](/files/" + key + ")", "Key": key})
}

// Serve sends a stored file (with range requests) to signed-in users who
// may read what it belongs to. Uploads are never active content on this
// origin: the type is sniffed again from the bytes (files stored before
// uploads were checked keep whatever the uploader claimed), anything not
// an image, video or PDF is a download, and a sandboxing policy stops a
// document from running scripts even if a browser were to render it.
func (h *HTTP) Serve(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	var name, owner string
	var created int64
	err := h.DB.R.QueryRowContext(r.Context(), `SELECT name, owner, created_at FROM files WHERE id = $1`, key).Scan(&name, &owner, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return err
	}
	kind, _, _ := strings.Cut(owner, ":")
	if !h.Public[kind] {
		if _, err := auth.RequireUser(r.Context()); err != nil {
			return err
		}
	}
	if owner != "" {
		kind, id, _ := strings.Cut(owner, ":")
		check := h.Access[kind]
		if check == nil {
			return errs.E(errs.NotFound, "error.not_found")
		}
		if err := check(r.Context(), id); err != nil {
			return err
		}
	}
	rc, err := h.Store.Open(r.Context(), key)
	if errors.Is(err, ErrNotFound) {
		return errs.E(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(rc, head)
	if _, err := rc.Seek(0, io.SeekStart); err != nil {
		return err
	}
	ct := fileType(Media, http.DetectContentType(head[:n]), name)
	disposition := "inline"
	if ct == "" || !(imageTypes[ct] || ct == "application/pdf" || strings.HasPrefix(ct, "video/") || strings.HasPrefix(ct, "audio/")) {
		disposition = "attachment"
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	hd := w.Header()
	hd.Set("Content-Type", ct)
	hd.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": name}))
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("Cache-Control", "private, max-age=86400")
	http.ServeContent(w, r, "", time.UnixMilli(created), rc)
	return nil
}
