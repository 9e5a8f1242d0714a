package files

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"time"
)

// PDF text is extracted by poppler's pdftotext (Debian's poppler-utils)
// in a process of its own, so that a hostile file can neither hang nor
// crash the server: bounded in time (a context deadline), in memory and
// CPU (prlimit, when util-linux has it), in pages and in the text kept.
const (
	pdfTimeout  = 20 * time.Second
	pdfMemory   = "536870912" // address space, bytes
	pdfCPU      = "20"        // seconds
	pdfPages    = "500"
	maxFileText = 2 << 20 // bytes of text kept per file
)

// PDFText turns a PDF into its text, or "" when it has none.
type PDFText func(ctx context.Context, pdf []byte) (string, error)

// NewPDFText finds pdftotext on the PATH; nil when it is not installed
// (uploads are then found by their names only).
func NewPDFText() PDFText {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		return nil
	}
	prlimit, _ := exec.LookPath("prlimit")
	return func(ctx context.Context, pdf []byte) (string, error) {
		f, err := os.CreateTemp("", "dxhub-pdf-*.pdf")
		if err != nil {
			return "", err
		}
		defer os.Remove(f.Name())
		if _, err := f.Write(pdf); err != nil {
			f.Close()
			return "", err
		}
		f.Close()
		ctx, cancel := context.WithTimeout(ctx, pdfTimeout)
		defer cancel()
		args := []string{"-q", "-l", pdfPages, "-enc", "UTF-8", f.Name(), "-"}
		name := bin
		if prlimit != "" {
			args = append([]string{"--as=" + pdfMemory, "--cpu=" + pdfCPU, "--", bin}, args...)
			name = prlimit
		}
		cmd := exec.CommandContext(ctx, name, args...)
		var out bytes.Buffer
		cmd.Stdout = &limitedWriter{w: &out, left: maxFileText}
		err = cmd.Run()
		if ctx.Err() != nil {
			return "", errors.New("pdftotext: took too long")
		}
		if err != nil {
			// A file pdftotext cannot read has no text to find.
			return "", nil
		}
		// The cut at maxFileText may split a character: its bytes become a
		// space.
		return strings.TrimSpace(strings.ToValidUTF8(out.String(), " ")), nil
	}
}

// limitedWriter keeps the first left bytes and drops the rest.
type limitedWriter struct {
	w    *bytes.Buffer
	left int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	n := len(p)
	if l.left > 0 {
		k := min(n, l.left)
		l.w.Write(p[:k])
		l.left -= k
	}
	return n, nil
}
