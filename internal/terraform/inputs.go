package terraform

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/opsmcp/opsmcp/internal/fsguard"
)

// ResolveVarFiles resolves var files relative to the workspace and checks
// them against the workspace allowlist (roots) like the workspace itself;
// outside it the answer is the same whether the file exists or not. Nil
// files give nil (not given, so not checked against a plan).
func ResolveVarFiles(roots []string, maxBytes int64, ws string, files []string) ([]string, error) {
	if files == nil {
		return nil, nil
	}
	g := fsguard.Confined(roots, maxBytes)
	out := make([]string, 0, len(files))
	for _, f := range files {
		p := f
		if !filepath.IsAbs(p) {
			p = filepath.Join(ws, p)
		}
		real, st, err := g.Resolve(p)
		var outside *fsguard.NotAllowedError
		switch {
		case errors.As(err, &outside):
			return nil, fmt.Errorf("var file %s is outside the allowed workspaces (terraform.workspaces in opsmcp.yaml: %s)", f, strings.Join(roots, ", "))
		case errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("var file %s does not exist", f)
		case err != nil:
			return nil, fmt.Errorf("var file %s: %w", f, err)
		case st.IsDir():
			return nil, fmt.Errorf("var file %s is not a file", f)
		}
		out = append(out, real)
	}
	return out, nil
}

// CheckModules refuses a workspace that calls a local module from outside
// the guard's roots: the allowlist says which code may change
// infrastructure, wherever the workspace is.
func CheckModules(g *fsguard.Guard, ws string) error {
	mods, err := LocalModules(g, ws)
	if err != nil {
		return err
	}
	for _, m := range mods {
		if !g.Allowed(m.Dir) {
			return &ModuleOutsideError{Module: m, Where: "terraform.workspaces"}
		}
	}
	return nil
}
