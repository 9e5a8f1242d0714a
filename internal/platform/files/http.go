package files

import (
	"bytes"
	"database/sql"
	"embed"
	"errors"
	"io"
	"io/fs"
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
		"files.title":     {"Tải ảnh lên", "Upload an image"},
		"files.help":      {"Ảnh PNG, JPEG, GIF hoặc WebP, tối đa 5 MB. Sau khi tải lên, chép đoạn mã bên dưới vào nội dung câu hỏi hoặc bài học.", "A PNG, JPEG, GIF or WebP image of at most 5 MB. After uploading, copy the snippet below into an item or a lesson."},
		"files.done":      {"Đã tải lên. Chép đoạn sau vào nội dung:", "Uploaded. Copy this into the text:"},
		"files.bad_type":  {"chỉ nhận ảnh PNG, JPEG, GIF hoặc WebP", "only PNG, JPEG, GIF or WebP images are accepted"},
		"files.too_large": {"ảnh lớn hơn 5 MB", "the image is larger than 5 MB"},
		"files.upload":    {"Tải lên", "Upload"},
		"files.alt":       {"Mô tả ảnh (cho người dùng trình đọc màn hình)", "Image description (for screen-reader users)"},
	})
}

const maxImage = 5 << 20

var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// HTTP serves uploads: content authors upload images for items and
// lessons; signed-in users read them.
type HTTP struct {
	Store Store
	DB    *db.DB
	Web   *web.Web
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
	r.Body = http.MaxBytesReader(w, r.Body, maxImage+1<<20)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return h.Web.Render(w, r, http.StatusBadRequest, "files/upload", "files.title", map[string]any{"Error": errs.Field("file", "files.too_large")})
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxImage+1))
	if err != nil {
		return err
	}
	ct := http.DetectContentType(data)
	var formErr *errs.Error
	switch {
	case len(data) > maxImage:
		formErr = errs.Field("file", "files.too_large")
	case !imageTypes[ct]:
		formErr = errs.Field("file", "files.bad_type")
	}
	if formErr != nil {
		return h.Web.Render(w, r, http.StatusBadRequest, "files/upload", "files.title", map[string]any{"Error": formErr})
	}
	key, size, sum, err := h.Store.Put(r.Context(), bytes.NewReader(data))
	if err != nil {
		return err
	}
	name := filepath.Base(hdr.Filename)
	if _, err := h.DB.W.ExecContext(r.Context(), `INSERT INTO files (id, name, content_type, size, sha256, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		key, name, ct, size, sum, p.AccountID, db.Now()); err != nil {
		return err
	}
	alt := strings.NewReplacer("[", "", "]", "").Replace(strings.TrimSpace(r.FormValue("alt")))
	return h.Web.Render(w, r, http.StatusOK, "files/upload", "files.title", map[string]any{"Snippet": "![" + alt + "](/files/" + key + ")"})
}

// Serve sends a stored file (with range requests) to signed-in users.
func (h *HTTP) Serve(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	key := r.PathValue("key")
	var name, ct string
	var created int64
	err := h.DB.R.QueryRowContext(r.Context(), `SELECT name, content_type, created_at FROM files WHERE id = $1`, key).Scan(&name, &ct, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return err
	}
	rc, err := h.Store.Open(r.Context(), key)
	if errors.Is(err, ErrNotFound) {
		return errs.E(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "private, max-age=86400")
	http.ServeContent(w, r, name, time.UnixMilli(created), rc)
	return nil
}
