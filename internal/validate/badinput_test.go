package validate_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/validate"
)

// run validates path with a deadline: bad input must end, not hang.
func run(t *testing.T, path, typ string) *validate.Report {
	t.Helper()
	done := make(chan *validate.Report, 1)
	errc := make(chan error, 1)
	go func() {
		// The command line's rule: a pipe given by name is read.
		rep, err := validate.Run(context.Background(), []string{path}, validate.Options{Type: typ, Strict: true, Files: fsguard.CommandLine(0)})
		if err != nil {
			errc <- err
			return
		}
		done <- rep
	}()
	select {
	case rep := <-done:
		return rep
	case err := <-errc:
		t.Fatalf("%s: %v", path, err)
	case <-time.After(30 * time.Second):
		t.Fatalf("%s: validation did not finish in 30 s", path)
	}
	return nil
}

func wantFinding(t *testing.T, rep *validate.Report, rule, text string) {
	t.Helper()
	for _, f := range rep.Findings {
		if f.Rule == rule && strings.Contains(f.Message, text) {
			if rep.Valid && f.Severity == validate.SeverityError {
				t.Fatalf("an error finding but the report is valid")
			}
			return
		}
	}
	t.Fatalf("no %s finding containing %q:\n%s", rule, text, validate.Text(rep, false))
}

func TestBadInputGetsClearFindings(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	wantFinding(t, run(t, write("empty.yaml", nil), "kubernetes"), "empty-file", "no Kubernetes objects")

	binary := make([]byte, 4096)
	for i := range binary {
		binary[i] = byte(i*7 + 0x80)
	}
	rep := run(t, write("binary.yaml", binary), "kubernetes")
	wantFinding(t, rep, "yaml-syntax", "not valid UTF-8")
	if rep.Valid {
		t.Fatal("binary data passed")
	}

	rep = run(t, write("latin1.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n")), "kubernetes")
	wantFinding(t, rep, "yaml-syntax", "not valid UTF-8")
	if rep.Findings[0].Line != 4 {
		t.Fatalf("invalid UTF-8 reported at line %d, want 4", rep.Findings[0].Line)
	}

	// Billion laughs: nine levels of ten aliases each.
	var bomb strings.Builder
	bomb.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&bomb, "x%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rep = run(t, write("bomb.yaml", []byte(bomb.String())), "kubernetes")
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	wantFinding(t, rep, "k8s-object", "expands (through aliases)")
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 512<<20 {
		t.Fatalf("an alias bomb grew the heap by %d MB", grew>>20)
	}

	deep := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  a: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n"
	rep = run(t, write("deep.yaml", []byte(deep)), "kubernetes")
	if rep.Valid || rep.Errors == 0 {
		t.Fatalf("5,000 levels of nesting passed:\n%s", validate.Text(rep, false))
	}

	// 50 MB: refused without being read whole.
	big := filepath.Join(dir, "big.yaml")
	f, _ := os.Create(big)
	line := bytes.Repeat([]byte("# padding padding padding padding padding padding padding padding\n"), 1024)
	for written := 0; written < 50<<20; written += len(line) {
		f.Write(line)
	}
	f.Close()
	runtime.GC()
	runtime.ReadMemStats(&before)
	rep = run(t, big, "kubernetes")
	runtime.ReadMemStats(&after)
	wantFinding(t, rep, "yaml-syntax", "files over 16 MB are not validated")
	if after.TotalAlloc-before.TotalAlloc > 8<<20 {
		t.Fatalf("refusing a 50 MB file allocated %d MB", (after.TotalAlloc-before.TotalAlloc)>>20)
	}

	// A directory with a symlink loop and a link to itself is walked once.
	tree := filepath.Join(dir, "tree")
	os.MkdirAll(filepath.Join(tree, "sub"), 0o755)
	os.WriteFile(filepath.Join(tree, "sub", "cm.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n  namespace: x\n"), 0o644)
	os.Symlink(tree, filepath.Join(tree, "sub", "loop"))
	os.Symlink(filepath.Join(tree, "a.yaml"), filepath.Join(tree, "b.yaml"))
	os.Symlink(filepath.Join(tree, "b.yaml"), filepath.Join(tree, "a.yaml"))
	rep = run(t, tree, "auto")
	if rep.Resources != 1 || !rep.Valid {
		t.Fatalf("tree with loops: %d resources\n%s", rep.Resources, validate.Text(rep, false))
	}

	// A named pipe in a tree is passed over (opening it would wait for a
	// writer forever); given by name, as /dev/stdin or <(helm template)
	// are, it is read once and reported under its own name.
	if err := syscall.Mkfifo(filepath.Join(tree, "sub", "pipe.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	if rep = run(t, tree, "auto"); rep.Resources != 1 || !rep.Valid {
		t.Fatalf("tree with a pipe: %d resources\n%s", rep.Resources, validate.Text(rep, false))
	}
	pipe := filepath.Join(tree, "sub", "pipe.yaml")
	go func() {
		w, err := os.OpenFile(pipe, os.O_WRONLY, 0)
		if err == nil {
			w.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: x\n")
			w.Close()
		}
	}()
	rep = run(t, pipe, "auto")
	if rep.Resources != 1 || rep.Valid || len(rep.Findings) == 0 || rep.Findings[0].File != pipe {
		t.Fatalf("a pipe given by name: %d resources\n%s", rep.Resources, validate.Text(rep, false))
	}

	// Not a manifest, not a directory: clear errors.
	if _, err := validate.Run(context.Background(), []string{filepath.Join(dir, "nope")}, validate.Options{}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing path: %v", err)
	}
	if _, err := validate.Run(context.Background(), []string{dir}, validate.Options{Type: "ansible"}); err == nil || !strings.Contains(err.Error(), "not one of") {
		t.Fatalf("bad type: %v", err)
	}
	if _, err := validate.Run(context.Background(), []string{dir}, validate.Options{Type: "helm"}); err == nil || !strings.Contains(err.Error(), "holds no Helm chart") {
		t.Fatalf("--type helm on a directory without a chart: %v", err)
	}
	if _, err := validate.Run(context.Background(), []string{dir}, validate.Options{Rules: validate.RuleSet{Disable: []string{"yaml-syntax"}}}); err == nil || !strings.Contains(err.Error(), "cannot be disabled") {
		t.Fatalf("disabling a parse rule: %v", err)
	}
}

func TestReportsAreStable(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "validate", "kubernetes", "corpus")
	var outs [3]string
	for i := range outs {
		rep := run(t, dir, "kubernetes")
		var b bytes.Buffer
		if err := validate.Write(&b, rep, "json", false); err != nil {
			t.Fatal(err)
		}
		outs[i] = b.String()
	}
	if outs[0] != outs[1] || outs[1] != outs[2] {
		t.Fatal("the same input gave different reports")
	}
}

// A compose file is validated as committed: a required variable
// (${VAR:?message}) does not fail the load, a default is used, and neither
// stands for a literal secret; a literal default that looks secret does.
func TestComposeVariables(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "compose.yaml")
	os.WriteFile(f, []byte("services:\n  app:\n    image: nginx:${TAG:-1.27.3}\n    healthcheck: {test: [CMD, \"true\"]}\n    environment:\n"+
		"      API_TOKEN: ${API_TOKEN:?set API_TOKEN}\n      DB_URL: postgres://app:${DB_PASSWORD:?set it}@db/app\n"), 0o644)
	if rep := run(t, f, "docker"); !rep.Valid || len(rep.Findings) != 0 {
		t.Fatalf("required variables:\n%s", validate.Text(rep, false))
	}
	os.WriteFile(f, []byte("services:\n  app:\n    image: nginx:1.27.3\n    healthcheck: {test: [CMD, \"true\"]}\n    environment:\n      API_TOKEN: ${API_TOKEN:-s3cr3t-default}\n"), 0o644)
	wantFinding(t, run(t, f, "docker"), "compose-secret-in-env", "API_TOKEN holds a literal secret-looking value")
}
