package config

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/opsmcp/opsmcp/internal/fsguard"
)

// Role is one entry of http.roles. A role only narrows the file: its mode
// may not exceed the file's, its tools.allow intersects the file's, its
// tools.deny adds to the file's, and its allowlists, when given, replace
// the file's and must lie within them.
type Role struct {
	Mode  Mode  `json:"mode"`
	Tools Tools `json:"tools"`
	// Workspaces, Namespaces, Repos and ReadPaths replace
	// terraform.workspaces, kubernetes.namespaces, github.repos and
	// read_paths for the role; each must lie within the file's own.
	Workspaces []string `json:"workspaces,omitempty"`
	Namespaces []string `json:"namespaces,omitempty"`
	Repos      []string `json:"repos,omitempty"`
	ReadPaths  []string `json:"read_paths,omitempty"`
	// Approve lets the role's principals approve and reject others' changes.
	Approve bool `json:"approve,omitempty"`
}

// modeRank orders modes by what they allow.
var modeRank = map[Mode]int{ModeReadOnly: 0, ModePlan: 1, ModeApply: 2}

// ForRole is the configuration a role's principals work under: the file's,
// narrowed by the role, never widened.
func (c *Config) ForRole(r Role) *Config {
	out := *c
	if r.Mode != "" && modeRank[r.Mode] < modeRank[c.Mode] {
		out.Mode = r.Mode
	}
	// The file's tools: stay; the role's are checked as well (ToolDenied).
	out.RoleTools = &r.Tools
	out.Role = &r
	if r.Workspaces != nil {
		out.Terraform.Workspaces = r.Workspaces
	}
	if r.Namespaces != nil {
		out.Kubernetes.Namespaces = r.Namespaces
	}
	if r.Repos != nil {
		out.GitHub.Repos = r.Repos
	}
	out.ReadPaths = c.ReadRoots()
	if r.ReadPaths != nil {
		out.ReadPaths = r.ReadPaths
	}
	return &out
}

// ToolDenied says why the file's tools: (and a role's) do not permit a
// tool, or "" when they do: a tool must pass both lists of both.
func (c *Config) ToolDenied(name string) string {
	check := func(t Tools, deny, allow string) string {
		if slices.Contains(t.Deny, name) {
			return fmt.Sprintf("tool %s is denied by %s", name, deny)
		}
		if len(t.Allow) > 0 && !slices.Contains(t.Allow, name) {
			return fmt.Sprintf("tool %s is not in %s", name, allow)
		}
		return ""
	}
	if why := check(c.Tools, "tools.deny in opsmcp.yaml", "tools.allow of opsmcp.yaml"); why != "" {
		return why
	}
	if c.RoleTools != nil {
		return check(*c.RoleTools, "the role's tools.deny (http.roles in opsmcp.yaml)", "the role's tools.allow (http.roles in opsmcp.yaml)")
	}
	return ""
}

// ScopeVisible says whether what memory holds under a scope (a plan, an
// apply, a note) may be shown under this configuration: a role that
// narrows workspaces, repos or namespaces sees only the scopes within its
// own lists (absolute paths are workspaces, owner/name repos, a bare name
// a namespace). Without a role every scope is visible.
func (c *Config) ScopeVisible(scope string) bool {
	r := c.Role
	if r == nil || scope == "" {
		return true
	}
	switch {
	case filepath.IsAbs(scope):
		return r.Workspaces == nil || slices.ContainsFunc(r.Workspaces, func(w string) bool { return fsguard.Under(scope, w) })
	case strings.Count(scope, "/") == 1 && !strings.Contains(scope, ":"):
		return r.Repos == nil || slices.Contains(r.Repos, scope)
	case strings.Contains(scope, ":") || strings.Contains(scope, "/"):
		return true // kube:CONTEXT and other qualified scopes
	default:
		return r.Namespaces == nil || slices.Contains(r.Namespaces, scope)
	}
}

// checkRoles: a role may narrow the file's allowlists, never widen them.
func (c *Config) checkRoles() error {
	within := func(role, key string, narrowed, own []string, under func(p, root string) bool) error {
		for _, n := range narrowed {
			if !slices.ContainsFunc(own, func(o string) bool { return under(n, o) }) {
				return fmt.Errorf("http.roles.%s.%s: %s is not within %s", role, key, n, strings.Join(own, ", "))
			}
		}
		return nil
	}
	same := func(a, b string) bool { return a == b }
	for name, r := range c.HTTP.Roles {
		for i, w := range r.Workspaces {
			r.Workspaces[i] = resolve(c.Dir(), w)
		}
		if err := within(name, "workspaces", r.Workspaces, c.Terraform.Workspaces, fsguard.Under); err != nil {
			return err
		}
		// An empty kubernetes.namespaces allows every namespace.
		if len(c.Kubernetes.Namespaces) > 0 {
			if err := within(name, "namespaces", r.Namespaces, c.Kubernetes.Namespaces, same); err != nil {
				return err
			}
		}
		if err := within(name, "repos", r.Repos, c.GitHub.Repos, same); err != nil {
			return err
		}
		for i, p := range r.ReadPaths {
			r.ReadPaths[i] = resolve(c.Dir(), p)
		}
		if err := within(name, "read_paths", r.ReadPaths, c.ReadRoots(), fsguard.Under); err != nil {
			return err
		}
		if r.Mode != "" && modeRank[r.Mode] > modeRank[c.Mode] {
			return fmt.Errorf("http.roles.%s.mode: %s would exceed the file's mode %s; a role only narrows", name, r.Mode, c.Mode)
		}
	}
	return nil
}
