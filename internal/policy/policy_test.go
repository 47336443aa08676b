package policy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/opsmcp/opsmcp/internal/policy"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

func policies(t *testing.T, dir string) string {
	return filepath.Join(testenv.RepoRoot(t), "testdata", "policies", dir)
}

// conftest runs conftest 0.71.1 (built from the module proxy) and returns
// its verdicts as "namespace kind msg" lines, sorted.
func conftest(t *testing.T, regoVersion, policyDir, input string) []string {
	t.Helper()
	bin := testenv.GoTool(t, "github.com/open-policy-agent/conftest", "v0.71.1", "conftest")
	cmd := exec.Command(bin, "test", "--no-color", "--all-namespaces", "--rego-version", regoVersion, "-o", "json", "-p", policyDir, input)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Run() // exit 1 when something fails: the JSON says what
	var results []struct {
		Namespace string `json:"namespace"`
		Failures  []struct {
			Msg string `json:"msg"`
		} `json:"failures"`
		Warnings []struct {
			Msg string `json:"msg"`
		} `json:"warnings"`
	}
	if err := json.Unmarshal(out.Bytes(), &results); err != nil {
		t.Fatalf("conftest output: %v\n%s", err, out.String())
	}
	var lines []string
	for _, r := range results {
		for _, f := range r.Failures {
			lines = append(lines, r.Namespace+" deny "+f.Msg)
		}
		for _, w := range r.Warnings {
			lines = append(lines, r.Namespace+" warn "+w.Msg)
		}
	}
	slices.Sort(lines)
	return lines
}

func ours(t *testing.T, set *policy.Set, inputs []any) []string {
	t.Helper()
	var lines []string
	for _, in := range inputs {
		vs, err := set.Eval(context.Background(), in, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			lines = append(lines, v.Package+" "+v.Kind+" "+v.Message)
		}
	}
	slices.Sort(lines)
	return lines
}

// A conftest policy directory (Rego v0: deny[msg], violation objects, two
// packages) on a multi-document manifest gives exactly conftest's messages.
func TestKubernetesPoliciesAgreeWithConftest(t *testing.T) {
	dir := policies(t, "kubernetes")
	input := policies(t, "inputs/web.yaml")
	set, err := policy.Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(input)
	var docs []any
	for _, doc := range strings.Split(string(data), "\n---\n") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, obj)
	}
	got, want := ours(t, set, docs), conftest(t, "v0", dir, input)
	if len(want) != 3 || !slices.Equal(got, want) {
		t.Fatalf("opsmcp:\n  %s\nconftest:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// A Rego v1 policy on real plans (terraform show -json): a plan that
// destroys is denied, one that creates many is warned, as conftest says;
// the cost estimate opsmcp adds under data.opsmcp denies an expensive one.
func TestPlanPoliciesAgreeWithConftest(t *testing.T) {
	dir := policies(t, "plan")
	set, err := policy.Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	ws := testenv.CopyWorkspace(t, "basic")
	tf := testenv.Terraform(t)
	run := func(args ...string) []byte {
		cmd := exec.Command(tf, args...)
		cmd.Dir = ws
		cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("terraform %v: %v", args, err)
		}
		return out
	}
	planJSON := func(name string, vars ...string) string {
		run(append([]string{"plan", "-input=false", "-out", name + ".tfplan"}, vars...)...)
		p := filepath.Join(t.TempDir(), name+".json")
		os.WriteFile(p, run("show", "-json", name+".tfplan"), 0o644)
		return p
	}
	creates := planJSON("creates", "-var", "size=4")
	run("apply", "-input=false", "-auto-approve", "-var", "size=4")
	destroys := planJSON("destroys", "-var", "size=1")
	for _, input := range []string{creates, destroys} {
		var plan any
		b, _ := os.ReadFile(input)
		json.Unmarshal(b, &plan)
		got, want := ours(t, set, []any{plan}), conftest(t, "v1", dir, input)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Fatalf("%s:\nopsmcp:\n  %s\nconftest:\n  %s", filepath.Base(input), strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
		if input == destroys && !slices.Contains(got, "main deny terraform_data.item[3] would be destroyed") {
			t.Fatalf("the destroy plan: %v", got)
		}
		vs, _ := set.Eval(context.Background(), plan, map[string]any{"cost": map[string]any{"monthly_cost_change": 812.5}})
		if !slices.Contains(policy.Denied(vs), "the plan adds $812.5 a month") {
			t.Fatalf("the cost estimate under data.opsmcp: %v", vs)
		}
	}
}

// A policy that does not parse names its file and line; one that fails
// to evaluate is an error, never a pass.
func TestBrokenPoliciesFailClosed(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bad.rego"), []byte("package main\n\ndeny contains msg if {\n\tmsg := \n}\n"), 0o644)
	_, err := policy.Load([]string{dir})
	var le *policy.LoadError
	if !errors.As(err, &le) || le.File != filepath.Join(dir, "bad.rego") || le.Line != 5 {
		t.Fatalf("a policy that does not parse: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "bad.rego"), []byte("package main\n\ndeny contains msg if {\n\tx := 1 / input.zero\n\tmsg := sprintf(\"%v\", [x])\n}\n"), 0o644)
	set, err := policy.Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var ee *policy.EvalError
	if _, err := set.Eval(context.Background(), map[string]any{"zero": 0}, nil); !errors.As(err, &ee) || !strings.Contains(err.Error(), "main.deny") {
		t.Fatalf("a policy that fails to evaluate: %v", err)
	}
}

// The policies' own Rego tests run, and a failing one says so.
func TestPolicyTests(t *testing.T) {
	res, err := policy.Test(context.Background(), []string{policies(t, "plan")})
	if err != nil || len(res) != 2 {
		t.Fatalf("%v %v", res, err)
	}
	for _, r := range res {
		if !r.Passed || !strings.HasSuffix(r.File, "destroy_test.rego") {
			t.Fatalf("%+v", r)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "p_test.rego"), []byte("package main\n\ntest_fails if {\n\t1 == 2\n}\n"), 0o644)
	res, err = policy.Test(context.Background(), []string{dir})
	if err != nil || len(res) != 1 || res[0].Passed || res[0].Line != 3 {
		t.Fatalf("a failing test: %+v %v", res, err)
	}
}
