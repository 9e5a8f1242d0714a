package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// quickRuns are the benchmarks at a reduced scale: each takes well under
// a minute on a small machine and still exercises every shared piece of
// plumbing (SQLite's writer and readers, group commits, the HTTP stack).
var quickRuns = []struct {
	name string
	args []string
}{
	{"org", []string{"org", "--people", "20000", "--duration", "3s"}},
	{"exam", []string{"exam", "--candidates", "2000", "--start-window", "4s", "--submit-window", "8s", "--think-min", "200ms", "--think-max", "600ms"}},
	{"lrs", []string{"lrs", "--stored", "200000", "--warmup", "2s", "--duration", "5s", "--queries", "4000"}},
	{"monitoring", []string{"monitoring", "--people", "100000", "--records", "200000", "--requests", "100"}},
	{"accounts", []string{"accounts", "--signups", "500", "--window", "5s"}},
}

// benchAll runs every benchmark at the quick scale, one after the other,
// and compares each RESULT line with the one recorded in
// docs/performance.md ("quick baseline"): a figure worse by more than the
// tolerance, or any error, lost save or unscored attempt, is flagged.
func benchAll(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench all", flag.ContinueOnError)
	quick := fs.Bool("quick", false, "run at the reduced scale (the only scale bench all has)")
	baseline := fs.String("baseline", "docs/performance.md", "file whose quick-baseline block holds the RESULT lines to compare with")
	tolerance := fs.Float64("tolerance", 0.5, "how much worse a figure may be before it is flagged (0.5: 50 %); docs/performance.md says why this default")
	only := fs.String("only", "", "run only these benchmarks (comma-separated: org,exam,lrs,monitoring,accounts)")
	if err := parse(fs, args, "dxhub bench all --quick [flags]: run every benchmark at a reduced scale (a few minutes in all)\nand compare their RESULT lines with the quick baseline in docs/performance.md."); err != nil {
		return err
	}
	if !*quick {
		return errors.New("bench all runs only at the quick scale: give --quick")
	}
	want, err := readBaseline(*baseline)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var report []string
	worse := 0
	for _, run := range quickRuns {
		if *only != "" && !strings.Contains(","+*only+",", ","+run.name+",") {
			continue
		}
		fmt.Printf("== bench %s\n", strings.Join(run.args, " "))
		start := time.Now()
		line, err := runBench(ctx, self, run.args, os.Stdout)
		if err != nil {
			return fmt.Errorf("bench %s: %w", run.name, err)
		}
		got := parseResult(line)
		lines, n := compareResult(run.name, got, want[run.name], *tolerance)
		worse += n
		report = append(report, lines...)
		fmt.Printf("== bench %s took %s\n\n", run.name, time.Since(start).Round(time.Second))
	}
	fmt.Println("Compared with the quick baseline in " + *baseline + ":")
	for _, l := range report {
		fmt.Println("  " + l)
	}
	fmt.Printf("RESULT bench=all worse=%d tolerance=%.0f%%\n", worse, 100**tolerance)
	if worse > 0 {
		return fmt.Errorf("%d figures worse than the baseline", worse)
	}
	return nil
}

// runBench runs "dxhub bench ARGS" as a child process (each benchmark
// owns its process: its memory, its GC, its database), copies its output
// to out and returns its RESULT line.
func runBench(ctx context.Context, self string, args []string, out io.Writer) (string, error) {
	cmd := exec.CommandContext(ctx, self, append([]string{"bench"}, args...)...)
	cmd.Stderr = os.Stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	var result string
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		fmt.Fprintln(out, sc.Text())
		if strings.HasPrefix(sc.Text(), "RESULT ") {
			result = sc.Text()
		}
	}
	if err := cmd.Wait(); err != nil {
		return "", err
	}
	if result == "" {
		return "", errors.New("no RESULT line")
	}
	return result, nil
}

// parseResult reads "RESULT k=v k=v" into its numeric figures.
func parseResult(line string) map[string]float64 {
	out := map[string]float64{}
	for _, f := range strings.Fields(strings.TrimPrefix(line, "RESULT")) {
		k, v, ok := strings.Cut(f, "=")
		if n, err := strconv.ParseFloat(v, 64); ok && err == nil {
			out[k] = n
		}
	}
	return out
}

// readBaseline reads the quick baseline: the RESULT lines of a fenced
// block headed "quick baseline" in file, each prefixed with the
// benchmark's name ("org RESULT ...").
func readBaseline(file string) (map[string]map[string]float64, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w (run from the repository, or give --baseline)", err)
	}
	out := map[string]map[string]float64{}
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "```quick-baseline"):
			in = true
		case in && strings.HasPrefix(line, "```"):
			in = false
		case in:
			name, rest, ok := strings.Cut(strings.TrimSpace(line), " ")
			if ok && strings.HasPrefix(rest, "RESULT ") {
				out[name] = parseResult(rest)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no quick-baseline block", file)
	}
	return out, nil
}

// compareResult says, figure by figure, how a run compares with its
// baseline. Times (_ms) are worse when higher, rates (_per_s, _rps) when
// lower; errors, lost saves and unscored attempts must be 0.
func compareResult(name string, got, base map[string]float64, tol float64) ([]string, int) {
	var lines []string
	worse := 0
	for _, k := range sortedKeys(got) {
		v := got[k]
		old, known := base[k]
		verdict := "ok"
		switch {
		case k == "errors" || k == "lost" || k == "unscored":
			if v != 0 {
				verdict = "WORSE (must be 0)"
			}
		case !known:
			continue
		case strings.HasSuffix(k, "_ms"):
			if v > old*(1+tol) && v-old > 1 { // a millisecond is noise
				verdict = "WORSE"
			}
		case strings.HasSuffix(k, "_per_s") || strings.HasSuffix(k, "_rps"):
			if v < old*(1-tol) {
				verdict = "WORSE"
			}
		default:
			continue // sizes and settings, not figures
		}
		if verdict != "ok" {
			worse++
		}
		lines = append(lines, fmt.Sprintf("%-10s %-22s %10.1f (baseline %10.1f)  %s", name, k, v, old, verdict))
	}
	return lines, worse
}

func sortedKeys(m map[string]float64) []string { return slices.Sorted(maps.Keys(m)) }
