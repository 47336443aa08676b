package policy

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestResult is one Rego test of a policy directory.
type TestResult struct {
	Package string `json:"package"`
	Name    string `json:"name"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Passed  bool   `json:"passed"`
	Skipped bool   `json:"skipped,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Test runs the policies' own Rego tests (test_ rules, in *_test.rego or
// beside the rules), as opa test does.
func Test(ctx context.Context, paths []string) ([]TestResult, error) {
	modules := map[string]*ast.Module{}
	for _, p := range paths {
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(path, ".rego") {
				return nil
			}
			m, err := parseFile(path)
			if err != nil {
				return err
			}
			modules[path] = m
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if len(modules) == 0 {
		return nil, fmt.Errorf("no .rego files under %s", strings.Join(paths, ", "))
	}
	ch, err := tester.NewRunner().SetCompiler(ast.NewCompiler()).SetModules(modules).RunTests(ctx, nil)
	if err != nil {
		return nil, loadError(err)
	}
	var out []TestResult
	for r := range ch {
		tr := TestResult{Package: strings.TrimPrefix(r.Package, "data."), Name: r.Name, Passed: r.Pass(), Skipped: r.Skip}
		if r.Location != nil {
			tr.File, tr.Line = r.Location.File, r.Location.Row
		}
		if r.Error != nil {
			tr.Error = r.Error.Error()
		}
		out = append(out, tr)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out, nil
}
