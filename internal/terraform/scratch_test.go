package terraform

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/opsmcp/opsmcp/internal/fsguard"
)

// A small tree is copied whole; a monorepo whose root is a module gets
// Terraform's own files only; .terraform/ and terraform.d/ never.
func TestScratchCopies(t *testing.T) {
	write := func(p, body string) {
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	dir := t.TempDir()
	write(filepath.Join(dir, "main.tf"), "module \"m\" {\n  source = \"./modules/m\"\n}\n")
	write(filepath.Join(dir, "modules", "m", "main.tf"), "locals {}\n")
	write(filepath.Join(dir, "templates", "x.tpl"), "hi\n")
	write(filepath.Join(dir, "README.md"), "docs\n")
	write(filepath.Join(dir, "terraform.d", "plugins", "evil"), "#!/bin/sh\n")
	write(filepath.Join(dir, ".terraform", "providers", "p"), "x")
	g := fsguard.Confined([]string{dir}, 0)
	has := func(s *Scratch, rel string) bool {
		_, err := os.Stat(filepath.Join(s.Dir, rel))
		return err == nil
	}
	s, err := NewScratch(g, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]bool{"main.tf": true, "modules/m/main.tf": true, "templates/x.tpl": true, "README.md": true, "terraform.d": false, ".terraform": false} {
		if has(s, rel) != want {
			t.Errorf("small tree: %s copied %v, want %v", rel, !want, want)
		}
	}
	s.Close()
	for i := range fullCopyFiles + 10 {
		write(filepath.Join(dir, "web", fmt.Sprintf("f%d.js", i)), "x")
	}
	s, err = NewScratch(g, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for rel, want := range map[string]bool{"main.tf": true, "modules/m/main.tf": true, "templates/x.tpl": true, "README.md": false, "web": false} {
		if has(s, rel) != want {
			t.Errorf("large tree: %s copied %v, want %v", rel, !want, want)
		}
	}
}
