package validate

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/opsmcp/opsmcp/internal/fsguard"
)

func init() {
	registerType("kustomize", SeverityError,
		&Rule{ID: "kustomize-build", Always: true, Summary: "A kustomization does not build (a missing file, a patch that matches nothing, a conflict).", Rationale: "kubectl apply -k would fail the same way."},
		&Rule{ID: "kustomize-remote", Severity: SeverityWarning, Always: true, Summary: "A kustomization takes a remote base or resource; opsmcp does not fetch it, so the overlay is not built or validated.", Rationale: "Fetching code while validating would run with the network and the repository's trust; vendor the base, or validate where it is fetched."},
	)
}

// kustomizationFiles are the names kustomize recognises.
var kustomizationFiles = konfig.RecognizedKustomizationFileNames()

// buildKustomization builds an overlay as kustomize build does, in
// process, and queues each object it produces, named by the file it came
// from (kustomize's origin annotation) and the overlay. Remote bases are
// reported, not fetched; every file is read through g.
func buildKustomization(g *fsguard.Guard, dir string, kube *kubeSources, add func(Finding)) {
	via := "kustomize " + dir
	top := kustomizationIn(g, dir)
	if remote := remoteEntries(g, dir, map[string]bool{}); len(remote) > 0 {
		add(Finding{Rule: "kustomize-remote", Severity: SeverityWarning, File: top, Via: via,
			Message: "not built: it takes remote " + strings.Join(remote, ", ") + ", which opsmcp does not fetch",
			Hint:    "vendor the remote base into the repository, or validate the output of kustomize build"})
		return
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		add(Finding{Rule: "kustomize-build", Severity: SeverityError, File: top, Via: via, Message: err.Error()})
		return
	}
	opts := krusty.MakeDefaultOptions()
	// Bases outside the overlay's directory (../base) are the common case;
	// the guard, not kustomize, decides what may be read.
	opts.LoadRestrictions = types.LoadRestrictionsNone
	fs := &guardedFS{FileSystem: filesys.MakeFsOnDisk(), g: g, top: filepath.Join(abs, filepath.Base(top))}
	res, err := krusty.MakeKustomizer(opts).Run(fs, abs)
	if err != nil {
		add(Finding{Rule: "kustomize-build", Severity: SeverityError, File: top, Via: via, Message: "kustomize build: " + err.Error()})
		return
	}
	for _, r := range res.Resources() {
		file := top
		if o, err := r.GetOrigin(); err == nil && o != nil && o.Path != "" && o.Repo == "" {
			file = filepath.Join(dir, filepath.FromSlash(o.Path))
		}
		if err := r.SetOrigin(nil); err != nil {
			continue
		}
		data, err := r.AsYAML()
		if err != nil {
			add(Finding{Rule: "kustomize-build", Severity: SeverityError, File: file, Via: via, Message: err.Error()})
			continue
		}
		kube.addRendered(file, via, data)
	}
}

// kustomizationIn is dir's kustomization file.
func kustomizationIn(g *fsguard.Guard, dir string) string {
	for _, name := range kustomizationFiles {
		p := filepath.Join(dir, name)
		if _, st, err := g.Resolve(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return filepath.Join(dir, kustomizationFiles[0])
}

// remoteEntries lists the remote resources, bases and components of a
// kustomization and of the local ones it includes.
func remoteEntries(g *fsguard.Guard, dir string, seen map[string]bool) []string {
	if seen[dir] {
		return nil
	}
	seen[dir] = true
	data, err := g.ReadFile(kustomizationIn(g, dir))
	if err != nil {
		return nil
	}
	var k struct {
		Resources  []string `json:"resources"`
		Bases      []string `json:"bases"`
		Components []string `json:"components"`
	}
	if yaml.Unmarshal(data, &k) != nil {
		return nil // kustomize build reports it
	}
	var out []string
	for _, e := range slices.Concat(k.Resources, k.Bases, k.Components) {
		if isRemote(e) {
			out = append(out, e)
			continue
		}
		sub := filepath.Join(dir, e)
		if _, st, err := g.Resolve(sub); err == nil && st.IsDir() {
			out = append(out, remoteEntries(g, sub, seen)...)
		}
	}
	return out
}

// isRemote: a URL, or a go-getter style repository ("github.com/org/repo//path?ref=v1").
func isRemote(entry string) bool {
	e := strings.ToLower(entry)
	if strings.Contains(e, "://") || strings.HasPrefix(e, "git@") || strings.Contains(e, "?ref=") || strings.Contains(e, ".git//") {
		return true
	}
	for _, host := range []string{"github.com/", "gitlab.com/", "bitbucket.org/", "dev.azure.com/"} {
		if strings.HasPrefix(e, host) {
			return true
		}
	}
	return false
}

// guardedFS lets kustomize read only what g allows, write nothing, and
// asks it to record each object's origin in the top kustomization.
type guardedFS struct {
	filesys.FileSystem
	g   *fsguard.Guard
	top string
}

var errReadOnly = errors.New("opsmcp builds kustomizations read-only")

func (f *guardedFS) allowed(p string) error {
	if !f.g.Allowed(p) {
		return &fsguard.NotAllowedError{Path: p}
	}
	return nil
}

func (f *guardedFS) ReadFile(p string) ([]byte, error) {
	data, err := f.g.ReadFile(p)
	if err != nil || p != f.top {
		return data, err
	}
	var k map[string]any
	if yaml.Unmarshal(data, &k) != nil || k == nil {
		return data, nil
	}
	meta, _ := k["buildMetadata"].([]any)
	if !slices.Contains(meta, any(types.OriginAnnotations)) {
		k["buildMetadata"] = append(meta, types.OriginAnnotations)
	}
	return yaml.Marshal(k)
}

func (f *guardedFS) Open(p string) (filesys.File, error) {
	if err := f.allowed(p); err != nil {
		return nil, err
	}
	return f.FileSystem.Open(p)
}

func (f *guardedFS) IsDir(p string) bool { return f.allowed(p) == nil && f.FileSystem.IsDir(p) }
func (f *guardedFS) Exists(p string) bool {
	return f.allowed(p) == nil && f.FileSystem.Exists(p)
}

func (f *guardedFS) ReadDir(p string) ([]string, error) {
	if err := f.allowed(p); err != nil {
		return nil, err
	}
	return f.FileSystem.ReadDir(p)
}

func (f *guardedFS) Glob(pattern string) ([]string, error) {
	matches, err := f.FileSystem.Glob(pattern)
	return slices.DeleteFunc(matches, func(m string) bool { return f.allowed(m) != nil }), err
}

func (f *guardedFS) Walk(p string, fn filepath.WalkFunc) error {
	if err := f.allowed(p); err != nil {
		return err
	}
	return f.FileSystem.Walk(p, func(path string, info os.FileInfo, err error) error {
		if f.allowed(path) != nil {
			return nil
		}
		return fn(path, info, err)
	})
}

func (f *guardedFS) Create(string) (filesys.File, error) { return nil, errReadOnly }
func (f *guardedFS) Mkdir(string) error                  { return errReadOnly }
func (f *guardedFS) MkdirAll(string) error               { return errReadOnly }
func (f *guardedFS) RemoveAll(string) error              { return errReadOnly }
func (f *guardedFS) WriteFile(string, []byte) error      { return errReadOnly }
