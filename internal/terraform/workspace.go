// Package terraform runs the terraform (or tofu) binary for opsmcp: it
// resolves and checks workspaces, fingerprints configuration, keeps saved
// plans in a store outside the workspace, and locks a workspace across
// processes while it is applied.
package terraform

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ResolveWorkspace returns the real path of a workspace directory after
// symlink resolution, and refuses anything outside the allowed roots.
func ResolveWorkspace(path string, roots []string) (string, error) {
	if strings.TrimSpace(path) == "" {
		return "", errors.New("workspace is empty; give the path of a Terraform configuration directory")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("workspace %s does not exist", path)
		}
		return "", fmt.Errorf("workspace %s: %w", path, err)
	}
	st, err := os.Stat(real)
	if err != nil {
		return "", fmt.Errorf("workspace %s: %w", path, err)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("workspace %s is a file, not a directory; give the directory that holds the .tf files", path)
	}
	if err := CheckAllowed(real, roots); err != nil {
		if real != abs {
			return "", fmt.Errorf("workspace %s resolves to %s, which %s", path, real, err)
		}
		return "", fmt.Errorf("workspace %s %s", path, err)
	}
	return real, nil
}

// CanonicalPath is p made absolute with symlinks resolved, as far as it
// exists: the form workspaces are recorded and scoped under.
func CanonicalPath(p string) string {
	if p == "" {
		return ""
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	return abs
}

// CheckAllowed checks that a resolved path is inside one of the roots
// (themselves resolved); the error completes the sentence "X ...".
func CheckAllowed(real string, roots []string) error {
	if len(roots) == 0 {
		return errors.New("is not allowed: no workspaces are allowlisted (add it to terraform.workspaces in opsmcp.yaml, or run `opsmcp init`)")
	}
	for _, r := range roots {
		rr, err := filepath.EvalSymlinks(r)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(rr, real); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil
		}
	}
	return fmt.Errorf("is outside the allowed workspaces (terraform.workspaces in opsmcp.yaml: %s)", strings.Join(roots, ", "))
}

// HasConfig reports whether dir holds Terraform configuration files.
func HasConfig(dir string) bool {
	for _, pat := range []string{"*.tf", "*.tf.json", "*.tofu"} {
		if m, _ := filepath.Glob(filepath.Join(dir, pat)); len(m) > 0 {
			return true
		}
	}
	return false
}

// Fingerprint is the sha256 of every file that decides what a plan does.
type Fingerprint struct {
	Files map[string]string // relative path (or "var-file:PATH") -> sha256
	Hash  string            // over all of Files
}

func isConfigFile(name string) bool {
	for _, suf := range []string{".tf", ".tf.json", ".tofu", ".tfvars", ".tfvars.json"} {
		if strings.HasSuffix(name, suf) {
			return true
		}
	}
	return name == ".terraform.lock.hcl"
}

// FingerprintConfig hashes the workspace's configuration, variable files and
// dependency lock file, recursively (local modules live in subdirectories),
// plus any extra var files outside it.
func FingerprintConfig(dir string, varFiles []string) (*Fingerprint, error) {
	fp := &Fingerprint{Files: map[string]string{}}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && (d.Name() == ".terraform" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !isConfigFile(d.Name()) {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		h, err := HashFile(p)
		if err != nil {
			return err
		}
		fp.Files[rel] = h
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fingerprint %s: %w", dir, err)
	}
	for _, vf := range varFiles {
		h, err := HashFile(vf)
		if err != nil {
			return nil, fmt.Errorf("var file %s: %w", vf, err)
		}
		fp.Files["var-file:"+vf] = h
	}
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(fp.Files)) {
		fmt.Fprintf(h, "%s\x00%s\n", k, fp.Files[k])
	}
	fp.Hash = hex.EncodeToString(h.Sum(nil))
	return fp, nil
}

// Changed names the first difference between a planned and a current
// fingerprint, e.g. "main.tf changed", or "" when they are equal.
func Changed(planned, now map[string]string) string {
	union := map[string]string{}
	maps.Copy(union, planned)
	maps.Copy(union, now)
	for _, k := range slices.Sorted(maps.Keys(union)) {
		a, inA := planned[k]
		b, inB := now[k]
		name := strings.TrimPrefix(k, "var-file:")
		switch {
		case inA && !inB:
			return name + " was removed"
		case !inA && inB:
			return name + " was added"
		case a != b:
			return name + " changed"
		}
	}
	return ""
}

// HashVariables is the sha256 of the variables' canonical JSON.
func HashVariables(vars map[string]any) string {
	if vars == nil {
		vars = map[string]any{}
	}
	b, _ := json.Marshal(vars) // map keys are sorted by encoding/json
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// HashFile is the hex sha256 of a file's contents.
func HashFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// maxWorkspaceDepth bounds how deep FindWorkspaces looks under a root.
const maxWorkspaceDepth = 4

// FindWorkspaces lists the workspaces in use under the roots: directories
// with configuration that terraform has run in (a state, an init or a
// lock file), down to a few levels — modules alone are not workspaces.
func FindWorkspaces(roots []string) []string {
	var out []string
	for _, root := range roots {
		root = CanonicalPath(root)
		base := strings.Count(root, string(filepath.Separator))
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			switch d.Name() {
			case ".terraform", ".git", "node_modules", "terraform.d":
				return filepath.SkipDir
			}
			if strings.Count(p, string(filepath.Separator))-base > maxWorkspaceDepth {
				return filepath.SkipDir
			}
			if HasConfig(p) && inUse(p) {
				out = append(out, p)
			}
			return nil
		})
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func inUse(dir string) bool {
	for _, name := range []string{"terraform.tfstate", ".terraform", ".terraform.lock.hcl"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}
