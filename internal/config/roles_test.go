package config

import (
	"slices"
	"testing"
)

// A role only narrows, in every combination of the file's and the role's
// tool lists and modes.
func TestRolesOnlyNarrow(t *testing.T) {
	tools := []string{"a", "b", "c"}
	lists := [][]string{nil, {"a", "b"}, {"b", "c"}, {"c"}}
	permits := func(allow, deny []string, name string) bool {
		return !slices.Contains(deny, name) && (len(allow) == 0 || slices.Contains(allow, name))
	}
	for _, fa := range lists {
		for _, fd := range lists {
			for _, ra := range lists {
				for _, rd := range lists {
					file := &Config{Mode: ModeApply, Tools: Tools{Allow: fa, Deny: fd}}
					role := file.ForRole(Role{Mode: ModePlan, Tools: Tools{Allow: ra, Deny: rd}})
					for _, name := range tools {
						got := role.ToolDenied(name) == ""
						want := permits(fa, fd, name) && permits(ra, rd, name)
						if got != want {
							t.Errorf("file allow %v deny %v, role allow %v deny %v: %s permitted %v, want %v", fa, fd, ra, rd, name, got, want)
						}
						if got && file.ToolDenied(name) != "" {
							t.Errorf("the role permits %s, which the file denies", name)
						}
					}
				}
			}
		}
	}
	modes := []Mode{ModeReadOnly, ModePlan, ModeApply}
	for fi, fm := range modes {
		for ri, rm := range modes {
			c := &Config{Mode: fm, HTTP: HTTP{Roles: map[string]Role{"r": {Mode: rm}}}}
			err := c.checkRoles()
			if (err != nil) != (ri > fi) {
				t.Errorf("file mode %s, role mode %s: %v", fm, rm, err)
			}
			if got := c.ForRole(Role{Mode: rm}).Mode; modeRank[got] > modeRank[fm] {
				t.Errorf("file mode %s, role mode %s: the role works in %s", fm, rm, got)
			}
		}
	}
}

func TestScopeVisible(t *testing.T) {
	file := &Config{Terraform: Terraform{Workspaces: []string{"/r/a", "/r/b"}}, GitHub: GitHub{Repos: []string{"o/x", "o/y"}},
		Kubernetes: Kubernetes{Namespaces: []string{"prod", "staging"}}}
	narrow := file.ForRole(Role{Mode: ModePlan, Workspaces: []string{"/r/a"}, Repos: []string{"o/x"}, Namespaces: []string{"staging"}})
	for scope, want := range map[string]bool{
		"/r/a": true, "/r/a/sub": true, "/r/b": false, "/r/ab": false, "/elsewhere": false,
		"o/x": true, "o/y": false, "staging": true, "prod": false, "kube:ctx": true, "": true,
	} {
		if got := narrow.ScopeVisible(scope); got != want {
			t.Errorf("%q: visible %v, want %v", scope, got, want)
		}
		if !file.ScopeVisible(scope) {
			t.Errorf("without a role %q is hidden", scope)
		}
	}
	wide := file.ForRole(Role{Mode: ModePlan})
	for _, scope := range []string{"/r/b", "o/y", "prod"} {
		if !wide.ScopeVisible(scope) {
			t.Errorf("a role that narrows nothing hides %q", scope)
		}
	}
}
