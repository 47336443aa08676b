// Package helmchart reads and renders Helm charts with Helm's Go SDK, as
// `helm template` does, without a cluster: the Helm tools install what it
// loads, and validation checks what it renders. It links no Kubernetes
// client beyond what Helm's template engine needs, so opsmcp-validate stays
// small. Every file is read through the caller's path guard.
package helmchart

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/ignore"

	"github.com/opsmcp/opsmcp/internal/fsguard"
)

// Load reads a chart directory or packaged chart (.tgz) through g:
// every file is read by the guard (a symlink out of read_paths is not
// followed into the chart), and .helmignore is honoured as helm does.
func Load(g *fsguard.Guard, path string) (*chart.Chart, error) {
	_, st, err := g.Resolve(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		f, err := g.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		ch, err := loader.LoadArchive(f)
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", path, err)
		}
		return ch, nil
	}
	rules := ignore.Empty()
	if data, err := g.ReadFile(filepath.Join(path, ignore.HelmIgnore)); err == nil {
		if rules, err = ignore.Parse(bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("chart %s: .helmignore: %w", path, err)
		}
	}
	rules.AddDefaults()
	var files []*archive.BufferedFile
	var total int64
	err = g.WalkFiles(path, nil, func(p string) error {
		rel, err := filepath.Rel(path, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		st, err := os.Lstat(p)
		if err != nil {
			return nil
		}
		if rules.Ignore(rel, st) || ignoredDir(rules, path, rel) {
			return nil
		}
		data, err := g.ReadFile(p)
		if err != nil {
			return fmt.Errorf("chart %s: %w", path, err)
		}
		if total += int64(len(data)); total > g.MaxBytes() {
			return fmt.Errorf("chart %s is larger than %d bytes", path, g.MaxBytes())
		}
		files = append(files, &archive.BufferedFile{Name: rel, ModTime: st.ModTime(), Data: data})
		return nil
	})
	if err != nil {
		return nil, err
	}
	ch, err := loader.LoadFiles(files)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", path, err)
	}
	return ch, nil
}

// ignoredDir: .helmignore rules naming a directory ("ci/") drop what is
// under it; the walk visits files only, so each parent is asked.
func ignoredDir(rules *ignore.Rules, root, rel string) bool {
	parts := strings.Split(rel, "/")
	for i := 1; i < len(parts); i++ {
		dir := strings.Join(parts[:i], "/")
		if st, err := os.Stat(filepath.Join(root, dir)); err == nil && st.IsDir() && rules.Ignore(dir, st) {
			return true
		}
	}
	return false
}
