package files

import (
	"bytes"
	"context"
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
		"files.title":     {"Tải tệp lên", "Upload a file"},
		"files.help":      {"Ảnh PNG, JPEG, GIF hoặc WebP tối đa 5 MB (chép đoạn mã bên dưới vào nội dung câu hỏi hoặc bài học); video MP4/WebM hoặc tài liệu PDF, DOCX, XLSX, PPTX tối đa 200 MB (dán mã tệp vào bài học).", "A PNG, JPEG, GIF or WebP image of at most 5 MB (copy the snippet below into an item or a lesson); an MP4/WebM video or a PDF, DOCX, XLSX or PPTX document of at most 200 MB (paste the file key into a lesson)."},
		"files.done":      {"Đã tải lên. Chép đoạn sau vào nội dung:", "Uploaded. Copy this into the text:"},
		"files.bad_type":  {"chỉ nhận ảnh PNG, JPEG, GIF, WebP, video MP4/WebM hoặc tài liệu PDF, DOCX, XLSX, PPTX", "only PNG, JPEG, GIF, WebP images, MP4/WebM videos or PDF, DOCX, XLSX, PPTX documents are accepted"},
		"files.too_large": {"ảnh lớn hơn 5 MB hoặc tệp lớn hơn 200 MB", "the image is larger than 5 MB or the file larger than 200 MB"},
		"files.key":       {"Mã tệp", "File key"},
		"files.upload":    {"Tải lên", "Upload"},
		"files.alt":       {"Mô tả ảnh (cho người dùng trình đọc màn hình)", "Image description (for screen-reader users)"},
	})
}

const maxImage = 5 << 20

const maxFile = 200 << 20

var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// fileType is the content type an accepted upload is served with ("" when
// it is not accepted): images, videos and documents for lessons. Office
// documents are ZIP archives, told apart by their extension.
func fileType(sniffed, name string) string {
	switch {
	case imageTypes[sniffed], sniffed == "video/mp4", sniffed == "video/webm", sniffed == "application/pdf":
		return sniffed
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

// Save stores a file and its record; it returns the key lessons and
// items refer to.
func Save(ctx context.Context, d *db.DB, st Store, name, contentType string, r io.Reader, by string) (string, error) {
	key, size, sum, err := st.Put(ctx, r)
	if err != nil {
		return "", err
	}
	_, err = d.W.ExecContext(ctx, `INSERT INTO files (id, name, content_type, size, sha256, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		key, filepath.Base(name), contentType, size, sum, by, db.Now())
	return key, err
}

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
	r.Body = http.MaxBytesReader(w, r.Body, maxFile+1<<20)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return h.Web.Render(w, r, http.StatusBadRequest, "files/upload", "files.title", map[string]any{"Error": errs.Field("file", "files.too_large")})
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	ct := fileType(http.DetectContentType(head), hdr.Filename)
	limit := int64(maxFile)
	if imageTypes[ct] {
		limit = maxImage
	}
	var formErr *errs.Error
	switch {
	case ct == "":
		formErr = errs.Field("file", "files.bad_type")
	case hdr.Size > limit:
		formErr = errs.Field("file", "files.too_large")
	}
	if formErr != nil {
		return h.Web.Render(w, r, http.StatusBadRequest, "files/upload", "files.title", map[string]any{"Error": formErr})
	}
	key, err := Save(r.Context(), h.DB, h.Store, hdr.Filename, ct, io.LimitReader(io.MultiReader(bytes.NewReader(head), f), limit), p.AccountID)
	if err != nil {
		return err
	}
	if !imageTypes[ct] {
		return h.Web.Render(w, r, http.StatusOK, "files/upload", "files.title", map[string]any{"Key": key})
	}
	alt := strings.NewReplacer("[", "", "]", "").Replace(strings.TrimSpace(r.FormValue("alt")))
	return h.Web.Render(w, r, http.StatusOK, "files/upload", "files.title", map[string]any{"Snippet": "![" + alt + "](/files/" + key + ")", "Key": key})
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
