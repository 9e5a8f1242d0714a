package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"dxhub/internal/assessment"
	"dxhub/internal/demo"
	"dxhub/internal/platform/auth"
)

// evalQTICmd imports every QTI item file and package under the folders
// given, one at a time, into a fresh dxhub and says how many are taken,
// why the others are refused, and whether each taken item gives its own
// correct response full marks: dxhub eval qti DIR...
func evalQTICmd(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("eval qti", flag.ContinueOnError)
	dbURL := fset.String("db", "", "database URL; default a fresh SQLite file in a temporary folder")
	verbose := fset.Bool("v", false, "print every file, not only the refused ones")
	exportDir := fset.String("export-dir", "", "write each imported item's QTI 3.0 export into this folder (to validate against the QTI 3.0 schema)")
	if err := parse(fset, args, "dxhub eval qti [flags] DIR...: import every QTI item file (.xml whose root is an\nassessment item) and package (.zip) under the folders, one at a time and each counted once\n(same bytes, same file), into a fresh dxhub with the demo skills standard. Prints each refusal\n(file, item, element, reason), the refusals grouped by element and reason, taken items whose own\ncorrect response does not earn full marks (items scored by a template), and a last line RESULT files=… imported=… percent=… full_marks_wrong=… marked_by_examiner=… (essays, which an examiner marks) scorable_as_published=… (files not refused for lacking a correct response or scoring processing, their images, or a question) percent_of_scorable=…"); err != nil {
		return err
	}
	if fset.NArg() == 0 {
		return errors.New("want: eval qti DIR...")
	}
	var paths []string
	seen := map[[32]byte]bool{}
	for _, dir := range fset.Args() {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			ext := strings.ToLower(filepath.Ext(p))
			if ext != ".xml" && ext != ".zip" {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if ext == ".xml" && !assessment.IsQTIItem(b) {
				return nil // manifests, tests, schemas
			}
			if h := sha256.Sum256(b); !seen[h] {
				seen[h] = true
				paths = append(paths, p)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	sort.Strings(paths)
	a, closeApp, err := benchApp(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer closeApp()
	sys := auth.WithPrincipal(ctx, auth.System())
	if err := demo.Seed(ctx, demo.Services{Org: a.Org, Auth: a.Auth, Skills: a.Skills, Bank: a.Bank, Exams: a.Exams, Learn: a.Learn, Files: a.Files}, 0); err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	std, err := a.Skills.Latest(ctx, "VN-DSF")
	if err != nil {
		return err
	}
	def := assessment.QTIDefaults{StandardCode: std.Code, StandardVersion: std.Version, Competence: "1.1", Level: 1, UnitCode: "VN"}
	reasons := map[string]int{}
	imported, wrongMarks, marked, notScorable := 0, 0, 0, 0
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.EqualFold(filepath.Ext(p), ".xml") {
			if b, err = withResources(p, b); err != nil {
				return err
			}
		}
		items, err := a.Bank.ImportQTI(sys, filepath.Base(p), b, def)
		if err != nil {
			var qe *assessment.QTIImportError
			if !errors.As(err, &qe) || len(qe.Errors) == 0 {
				return fmt.Errorf("%s: %w", p, err)
			}
			e := qe.Errors[0]
			if unscorable[e.Key] {
				notScorable++
			}
			reasons[fmt.Sprintf("<%s> %s", e.Element, e.Message0())]++
			fmt.Printf("refused  %s: %s\n", p, e.Error())
			continue
		}
		imported++
		for _, it := range items {
			if *exportDir != "" {
				name := filepath.Join(*exportDir, fmt.Sprintf("%04d-%s.xml", imported, strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))))
				if err := os.WriteFile(name, []byte(assessment.QTIItem(it)), 0o644); err != nil {
					return err
				}
			}
			body := it.Body
			if body.Marked() {
				marked++ // an examiner marks it: no correct response to check
				continue
			}
			if body.Template != nil {
				// Drawn afresh per attempt: each of a few draws must give
				// the correct response it sets full marks.
				for seed := range uint64(5) {
					inst := body.Instance(seed)
					right := inst.CorrectResponse()
					if len(right) > 0 && math.Abs(inst.Score(right)-inst.MaxScore) > 1e-9 {
						wrongMarks++
						fmt.Printf("marks    %s: item %s, draw %d: its correct response %q earns %g of %g\n", p, it.ID, seed, right, inst.Score(right), inst.MaxScore)
						break
					}
				}
				continue
			}
			// An item's own rules need not give their declared correct
			// response full marks; the templates must.
			if right := body.CorrectResponse(); body.Rules == nil && body.Mode == assessment.AllOrNothing && math.Abs(body.Score(right)-body.MaxScore) > 1e-9 {
				wrongMarks++
				fmt.Printf("marks    %s: item %s: its correct response %q earns %g of %g\n", p, it.ID, right, body.Score(right), body.MaxScore)
			}
		}
		if *verbose {
			fmt.Printf("imported %s (%d items)\n", p, len(items))
		}
	}
	type kv struct {
		k string
		n int
	}
	var rs []kv
	for k, n := range reasons {
		rs = append(rs, kv{k, n})
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].n > rs[j].n || rs[i].n == rs[j].n && rs[i].k < rs[j].k })
	fmt.Printf("\nrefusals by element and reason:\n")
	for _, r := range rs {
		fmt.Printf("%5d  %s\n", r.n, r.k)
	}
	pct := 0.0
	if len(paths) > 0 {
		pct = 100 * float64(imported) / float64(len(paths))
	}
	// Items that as published lack what any system needs to score them
	// (a correct response or processing that sets SCORE, the images they
	// show, a question): the share of the others taken says how much of
	// what can be scored dxhub scores.
	scorable, pctScorable := len(paths)-notScorable, 0.0
	if scorable > 0 {
		pctScorable = 100 * float64(imported) / float64(scorable)
	}
	fmt.Printf("RESULT files=%d imported=%d percent=%.1f full_marks_wrong=%d marked_by_examiner=%d scorable_as_published=%d percent_of_scorable=%.1f\n",
		len(paths), imported, pct, wrongMarks, marked, scorable, pctScorable)
	return nil
}

// unscorable are the refusals of items that, as published, no system can
// score as QTI says: no correct response and no processing that scores,
// processing that never sets SCORE, images the authors did not publish,
// no question at all.
var unscorable = map[string]bool{"qti.no_correct": true, "qti.no_score": true, "qti.image_missing": true, "qti.text_only": true}

// withResources packs an item file that refers to files beside it on
// disk (images: src="…", data="…") into a zip with them, as a person packs
// an exporter's folder, so that the item is judged with its images; it
// returns the file unchanged when it refers to none that exist.
func withResources(p string, b []byte) ([]byte, error) {
	var refs []string
	// The item's references, and those of the stimulus files it names
	// (a shared passage with its own pictures), a few levels deep.
	scan := []struct {
		file string
		data []byte
	}{{p, b}}
	for depth := 0; depth < 3 && len(scan) > 0; depth++ {
		var next []struct {
			file string
			data []byte
		}
		for _, sc := range scan {
			for _, m := range resourceRef.FindAllSubmatch(sc.data, -1) {
				ref := string(m[1])
				if strings.Contains(ref, "://") || strings.HasPrefix(ref, "data:") || strings.HasPrefix(ref, "#") {
					continue
				}
				full := filepath.Join(filepath.Dir(sc.file), filepath.FromSlash(ref))
				if strings.HasPrefix(ref, "/") {
					// From the package's root: a folder above the file.
					full = ""
					for d := filepath.Dir(sc.file); d != filepath.Dir(d) && full == ""; d = filepath.Dir(d) {
						if st, err := os.Stat(filepath.Join(d, filepath.FromSlash(ref))); err == nil && st.Mode().IsRegular() {
							full = filepath.Join(d, filepath.FromSlash(ref))
						}
					}
				}
				st, err := os.Stat(full)
				if full == "" || err != nil || !st.Mode().IsRegular() || full == p || slices.Contains(refs, full) {
					continue
				}
				refs = append(refs, full)
				if strings.EqualFold(filepath.Ext(full), ".xml") {
					if data, err := os.ReadFile(full); err == nil {
						next = append(next, struct {
							file string
							data []byte
						}{full, data})
					}
				}
			}
		}
		scan = next
	}
	if len(refs) == 0 {
		return b, nil
	}
	// The zip's root is the folder above every file it holds.
	root := filepath.Dir(p)
	for _, r := range refs {
		for rel, err := filepath.Rel(root, r); err != nil || strings.HasPrefix(rel, ".."); rel, err = filepath.Rel(root, r) {
			root = filepath.Dir(root)
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range append([]string{p}, refs...) {
		rel, _ := filepath.Rel(root, f)
		data := b
		if f != p {
			var err error
			if data, err = os.ReadFile(f); err != nil {
				return nil, err
			}
		}
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return nil, err
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var resourceRef = regexp.MustCompile(`\b(?:src|data|href)\s*=\s*"([^"]+)"`)
