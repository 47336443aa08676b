// Package policy runs policies as code: Rego (OPA's Go SDK) over a
// Terraform plan as `terraform show -json` prints it, or over one
// Kubernetes object, the way conftest does — rules named deny, violation
// and warn (or starting deny_, violation_, warn_) in any package, giving
// strings or objects with a msg — so a conftest policy directory works
// unchanged and gives the same messages. What a policy may also read
// (the plan's cost estimate) is under data.opsmcp. A policy that does not
// parse or fails to evaluate is an error naming file and line: callers
// fail closed.
package policy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/opsmcp/opsmcp/internal/validate"
)

// Set is a compiled set of policies.
type Set struct {
	compiler *ast.Compiler
	rules    []rule // every deny/violation/warn rule, by package then name
	// prepared are the rules' queries prepared once, for inputs that come
	// without data (Kubernetes objects: one evaluation per object).
	prepOnce sync.Once
	prepared []rego.PreparedEvalQuery
	prepErr  error
	// Files are the policy files, for messages.
	Files []string
}

type rule struct {
	pkg  string // "main"
	name string // "deny", "warn_public"
}

// Kind is what a rule's messages mean.
func (r rule) kind() string {
	switch {
	case strings.HasPrefix(r.name, "warn"):
		return Warn
	}
	return Deny
}

// Kinds of verdict.
const (
	Deny = "deny" // deny and violation rules: blocks
	Warn = "warn" // shown
)

// ruleName is conftest's rule naming.
var ruleName = regexp.MustCompile(`^(deny|violation|warn)(_[a-zA-Z0-9_]+)*$`)

// LoadError is a policy that does not load: file and line.
type LoadError struct {
	File string
	Line int
	Err  string
}

func (e *LoadError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("policy %s:%d: %s", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("policy %s: %s", e.File, e.Err)
}

// Load reads every .rego file (tests aside) under paths, files or
// directories, and compiles them. Each file is Rego v1, or the older v0
// (deny[msg] { ... }) when it only parses as that.
func Load(paths []string) (*Set, error) {
	var files []string
	for _, p := range paths {
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".rego") && !strings.HasSuffix(path, "_test.rego") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("policies: %w", err)
		}
	}
	sort.Strings(files)
	modules := map[string]*ast.Module{}
	for _, f := range files {
		m, err := parseFile(f)
		if err != nil {
			return nil, err
		}
		modules[f] = m
	}
	c := ast.NewCompiler()
	if c.Compile(modules); c.Failed() {
		return nil, loadError(c.Errors)
	}
	s := &Set{compiler: c, Files: files}
	seen := map[rule]bool{}
	for _, f := range files {
		m := modules[f]
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		for _, r := range m.Rules {
			name := r.Head.Name.String()
			if name == "" && len(r.Head.Reference) > 0 {
				name = r.Head.Reference[0].Value.String()
			}
			rr := rule{pkg: pkg, name: name}
			if ruleName.MatchString(name) && !seen[rr] {
				seen[rr] = true
				s.rules = append(s.rules, rr)
			}
		}
	}
	sort.Slice(s.rules, func(i, j int) bool {
		if s.rules[i].pkg != s.rules[j].pkg {
			return s.rules[i].pkg < s.rules[j].pkg
		}
		return s.rules[i].name < s.rules[j].name
	})
	return s, nil
}

// ParseFile parses one policy or test file: v1, else v0.
func parseFile(path string) (*ast.Module, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	m, err := ast.ParseModuleWithOpts(path, string(b), ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err == nil {
		return m, nil
	}
	if m0, err0 := ast.ParseModuleWithOpts(path, string(b), ast.ParserOptions{RegoVersion: ast.RegoV0}); err0 == nil {
		return m0, nil
	}
	return nil, loadError(err)
}

func loadError(err error) error {
	var errs ast.Errors
	if errors.As(err, &errs) && len(errs) > 0 {
		e := errs[0]
		le := &LoadError{Err: e.Message}
		if e.Location != nil {
			le.File, le.Line = e.Location.File, e.Location.Row
		}
		return le
	}
	return fmt.Errorf("policies: %w", err)
}

// Verdict is one message of one rule.
type Verdict struct {
	Kind    string `json:"kind" enum:"deny|warn"`
	Package string `json:"package"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
	// Subject is the input judged when it is one of several (a
	// Kubernetes object: "deployment/web -n prod"); the caller sets it.
	Subject string `json:"subject,omitempty"`
}

// ID is the verdict's rule as findings name it: policy/<package>.<rule>.
func (v Verdict) ID() string { return "policy/" + v.Package + "." + v.Rule }

// Denied are the deny verdicts' messages.
func Denied(vs []Verdict) []string {
	var out []string
	for _, v := range vs {
		if v.Kind == Deny {
			out = append(out, v.Message)
		}
	}
	return out
}

// EvalError is a policy that fails to evaluate on an input.
type EvalError struct {
	Rule string
	Err  string
}

func (e *EvalError) Error() string {
	return fmt.Sprintf("policy %s failed to evaluate: %s", e.Rule, e.Err)
}

// Eval runs every rule on input (decoded JSON) with data under
// data.opsmcp, and returns the verdicts: denies first, in rule order.
func (s *Set) Eval(ctx context.Context, input any, data map[string]any) ([]Verdict, error) {
	if s == nil || len(s.rules) == 0 {
		return nil, nil
	}
	var out []Verdict
	add := func(r rule, rs rego.ResultSet) {
		for _, res := range rs {
			for _, e := range res.Expressions {
				for _, msg := range messages(e.Value) {
					out = append(out, Verdict{Kind: r.kind(), Package: r.pkg, Rule: r.name, Message: msg})
				}
			}
		}
	}
	if len(data) == 0 {
		s.prepOnce.Do(s.prepare)
		if s.prepErr != nil {
			return nil, s.prepErr
		}
		for i, r := range s.rules {
			rs, err := s.prepared[i].Eval(ctx, rego.EvalInput(input))
			if err != nil {
				return nil, &EvalError{Rule: r.pkg + "." + r.name, Err: firstLine(err.Error())}
			}
			add(r, rs)
		}
	} else {
		store := inmem.NewFromObject(map[string]any{"opsmcp": data})
		for _, r := range s.rules {
			rs, err := rego.New(append(r.options(s.compiler, store), rego.Input(input))...).Eval(ctx)
			if err != nil {
				return nil, &EvalError{Rule: r.pkg + "." + r.name, Err: firstLine(err.Error())}
			}
			add(r, rs)
		}
	}
	slices.SortStableFunc(out, func(a, b Verdict) int {
		if a.Kind == b.Kind {
			return 0
		}
		if a.Kind == Deny {
			return -1
		}
		return 1
	})
	return out, nil
}

// options are what evaluates a rule: its query over the compiled set.
func (r rule) options(c *ast.Compiler, store storage.Store) []func(*rego.Rego) {
	return []func(*rego.Rego){rego.Compiler(c), rego.Store(store), rego.Query("data." + r.pkg + "." + r.name), rego.StrictBuiltinErrors(true)}
}

// prepare prepares every rule's query against empty data.
func (s *Set) prepare() {
	store := inmem.NewFromObject(map[string]any{"opsmcp": map[string]any{}})
	for _, r := range s.rules {
		pq, err := rego.New(r.options(s.compiler, store)...).PrepareForEval(context.Background())
		if err != nil {
			s.prepErr = &EvalError{Rule: r.pkg + "." + r.name, Err: firstLine(err.Error())}
			return
		}
		s.prepared = append(s.prepared, pq)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// messages are a rule's value as conftest reads it: a set or array of
// strings or of objects with msg, a single string, or true (a boolean
// deny with no message).
func messages(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case bool:
		if t {
			return []string{""}
		}
	case []any:
		var out []string
		for _, x := range t {
			switch m := x.(type) {
			case string:
				out = append(out, m)
			case map[string]any:
				if s, ok := m["msg"].(string); ok {
					out = append(out, s)
				}
			}
		}
		sort.Strings(out)
		return out
	}
	return nil
}

// Check is the set as validation's policy check: deny verdicts are error
// findings, warn verdicts warnings, named policy/<package>.<rule>.
func (s *Set) Check(data map[string]any) validate.PolicyCheck {
	return func(ctx context.Context, input any) ([]validate.Finding, error) {
		vs, err := s.Eval(ctx, input, data)
		if err != nil {
			return nil, err
		}
		out := make([]validate.Finding, 0, len(vs))
		for _, v := range vs {
			sev := validate.SeverityError
			if v.Kind == Warn {
				sev = validate.SeverityWarning
			}
			out = append(out, validate.Finding{Rule: v.ID(), Severity: sev, Message: v.Message})
		}
		return out, nil
	}
}
