package validate_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/internal/validate"
)

// testedElsewhere are rules whose examples need a live cluster.
var testedElsewhere = map[string]bool{"cluster-dry-run": true}

// Every rule has a failing example (bad.yaml reports it) and a passing one
// (good.yaml does not) under testdata/validate/<type>/rules/<rule-id>.
func TestEveryRuleHasAFailingAndAPassingExample(t *testing.T) {
	root := filepath.Join(testenv.RepoRoot(t), "testdata", "validate")
	for _, r := range validate.Rules() {
		if testedElsewhere[r.ID] {
			continue
		}
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join(root, r.Type, "rules", r.ID)
			var bad, good string
			for _, e := range []string{"bad", "good"} {
				matches, _ := filepath.Glob(filepath.Join(dir, e+"*"))
				if len(matches) != 1 {
					t.Fatalf("want one %s example in %s, found %v", e, dir, matches)
				}
				if e == "bad" {
					bad = matches[0]
				} else {
					good = matches[0]
				}
			}
			if r.Type == "terraform" {
				// terraform init writes .terraform: work on copies.
				bad, good = copyDir(t, bad), copyDir(t, good)
			}
			has := func(path string) (bool, string) {
				rep, err := validate.Run(context.Background(), []string{path}, validate.Options{Type: typeOf(r.Type), Strict: true})
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				for _, f := range rep.Findings {
					if f.Rule == r.ID {
						if f.Line == 0 && r.Type == "kubernetes" && r.ID != "k8s-object" {
							t.Errorf("%s: finding without a line: %+v", path, f)
						}
						return true, validate.Text(rep, false)
					}
				}
				return false, validate.Text(rep, false)
			}
			if ok, text := has(bad); !ok {
				t.Errorf("%s does not report %s:\n%s", bad, r.ID, text)
			}
			if ok, text := has(good); ok {
				t.Errorf("%s reports %s:\n%s", good, r.ID, text)
			}
			if r.Always {
				return
			}
			// Disabling the rule silences it.
			rep, err := validate.Run(context.Background(), []string{bad}, validate.Options{Type: typeOf(r.Type), Strict: true, Rules: validate.RuleSet{Disable: []string{r.ID}}})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Findings {
				if f.Rule == r.ID {
					t.Errorf("disabled rule %s still reported", r.ID)
				}
			}
		})
	}
	// No example directory without its rule (a renamed rule leaves one behind).
	for _, typ := range []string{"kubernetes", "docker", "compose", "terraform"} {
		entries, _ := os.ReadDir(filepath.Join(root, typ, "rules"))
		for _, e := range entries {
			found := false
			for _, r := range validate.Rules() {
				found = found || (r.ID == e.Name() && r.Type == typ)
			}
			if !found && !strings.HasPrefix(e.Name(), ".") {
				t.Errorf("testdata/validate/%s/rules/%s names no rule", typ, e.Name())
			}
		}
	}
}

func typeOf(ruleType string) string {
	switch ruleType {
	case "compose":
		return "docker"
	case "any":
		return "auto"
	}
	return ruleType
}

func copyDir(t *testing.T, src string) string {
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// A workspace with a saved plan that replaces a resource gets the
// tf-plan-destroys warning from the plan itself.
func TestSavedPlanInAWorkspace(t *testing.T) {
	tf := testenv.Terraform(t)
	ws := testenv.CopyWorkspace(t, "demo")
	run := func(args ...string) {
		cmd := exec.Command(tf, args...)
		cmd.Dir = ws
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform %v: %v\n%s", args, err, out)
		}
	}
	run("init", "-input=false")
	run("apply", "-input=false", "-auto-approve")
	run("plan", "-input=false", "-destroy", "-out=teardown.tfplan")
	rep, err := validate.Run(context.Background(), []string{ws}, validate.Options{Type: "terraform", Strict: false})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		if f.Rule == "tf-plan-destroys" && strings.HasSuffix(f.File, "teardown.tfplan") && strings.Contains(f.Message, "(destroyed)") {
			return
		}
	}
	t.Fatalf("no tf-plan-destroys finding for the saved plan:\n%s", validate.Text(rep, false))
}
