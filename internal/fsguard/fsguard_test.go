package fsguard

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestConfinedRule(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret"), []byte("s3cret"), 0o600)
	os.WriteFile(filepath.Join(root, "ok.yaml"), []byte("a: 1\n"), 0o644)
	os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "link"))
	os.Symlink(filepath.Join(outside, "missing"), filepath.Join(root, "dangling"))
	os.Symlink("/dev/stdin", filepath.Join(root, "stdin"))
	syscall.Mkfifo(filepath.Join(root, "fifo"), 0o600)
	g := Confined([]string{root}, 8)

	if b, err := g.ReadFile(filepath.Join(root, "ok.yaml")); err != nil || string(b) != "a: 1\n" {
		t.Fatalf("a file in the root: %q %v", b, err)
	}
	// Outside: one answer, whether the file exists, is missing, is reached
	// through a link, or sits below a file.
	for _, p := range []string{filepath.Join(outside, "secret"), filepath.Join(outside, "missing"), filepath.Join(root, "link"),
		filepath.Join(root, "dangling"), filepath.Join(outside, "secret", "x"), "/dev/zero", "/dev/stdin", filepath.Join(root, "stdin"), root + "/../" + filepath.Base(outside)} {
		_, err := g.ReadFile(p)
		var na *NotAllowedError
		if !errors.As(err, &na) || err.Error() != p+" is not allowed: only paths under read_paths (opsmcp.yaml) may be read" {
			t.Errorf("%s: %v", p, err)
		}
	}
	var nr *NotRegularError
	if _, err := g.ReadFile(filepath.Join(root, "fifo")); !errors.As(err, &nr) {
		t.Errorf("a FIFO: %v", err)
	}
	if _, err := g.ReadFile(filepath.Join(root, "nope")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing in the root: %v", err)
	}
	os.WriteFile(filepath.Join(root, "big"), []byte("123456789"), 0o644)
	var tl *TooLargeError
	if _, err := g.ReadFile(filepath.Join(root, "big")); !errors.As(err, &tl) || !strings.Contains(err.Error(), "input limit of 8 bytes") {
		t.Errorf("over the limit: %v", err)
	}
	var walked []string
	g.WalkFiles(root, nil, func(p string) error { walked = append(walked, filepath.Base(p)); return nil })
	if strings.Join(walked, ",") != "big,ok.yaml" {
		t.Errorf("walked %v: links out, FIFOs and devices are passed over", walked)
	}
	if _, err := Confined(nil, 0).ReadFile(filepath.Join(root, "ok.yaml")); err == nil {
		t.Error("no roots allow nothing")
	}
}

func TestCommandLineReadsAPipeItWasGiven(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	syscall.Mkfifo(fifo, 0o600)
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			w.WriteString("0123456789")
			w.Close()
		}
	}()
	if b, err := CommandLine(100).ReadFile(fifo); err != nil || string(b) != "0123456789" {
		t.Fatalf("%q %v", b, err)
	}
}
