package experts

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// The rules expert names what the gathered context shows: a plan that
// destroys, a pending plan, a failed apply, a stuck rollout, pods not
// ready, failing checks and PRs touching infrastructure; and what could
// not be gathered.
func TestRulesExpert(t *testing.T) {
	g := Gathered{Results: map[string]json.RawMessage{
		"deploy": json.RawMessage(`{"mode":"plan","workspaces":[{"path":"/infra/prod","last_apply":{"plan_id":"p-1111111111111111","at":"2026-11-22T09:00:00Z","applied":false,"error":"Error: creating EC2 Instance: InsufficientInstanceCapacity"}}],
			"pending_plans":[{"plan_id":"p-aaaaaaaaaaaaaaaa","workspace":"/infra/prod","expires_at":"2026-11-22T12:00:00Z","summary":{"add":1,"change":0,"destroy":2,"replace":0},"monthly_cost_change":"-20.00"},
			                  {"plan_id":"p-bbbbbbbbbbbbbbbb","workspace":"/infra/staging","expires_at":"2026-11-22T12:00:00Z","summary":{"add":3,"change":1,"destroy":0,"replace":0},"monthly_cost_change":"153.41"}],
			"validation":{"config_path":"k8s/","valid":false,"errors":2,"warnings":5,"findings":[{"rule":"selector-mismatch","file":"k8s/web.yaml","line":9,"message":"selector does not match the template's labels"}]}}`),
		"kube": json.RawMessage(`{"context":"prod","unhealthy_workloads":[{"kind":"Deployment","namespace":"prod","name":"web","desired":3,"available":1,"updated":3}],
			"not_ready_pods":[{"namespace":"prod","name":"web-7d9-abc","status":"Pending","reasons":["Unschedulable: 0/3 nodes are available"]}],"not_ready_count":2}`),
		"github": json.RawMessage(`{"repo":"acme/infra","default_branch":"main","infra_pull_requests":[{"number":7,"title":"Bigger nodes","files":[{"path":"infra/main.tf"}]}],
			"failing_checks":[{"name":"plan","conclusion":"failure"}],
			"pull_request":{"number":7,"title":"Bigger nodes","head_sha":"h3h3h3h","failing_checks":[{"name":"tfsec","conclusion":"failure"}]}}`),
		"cloud": json.RawMessage(`{"aws":{"month_to_date":"1234.50"}}`),
		"memory": json.RawMessage(`{"kubernetes_applies":[
			{"operation_id":"k-2222","at":"2026-11-21T08:00:00Z","context":"prod","applied":true,"rollouts":[{"kind":"Deployment","namespace":"prod","name":"web","done":true}]},
			{"operation_id":"k-1111","at":"2026-11-20T08:00:00Z","context":"prod","applied":true,"rollouts":[{"kind":"Deployment","namespace":"prod","name":"web","done":false}]}]}`),
	}, Errors: map[string]string{"experts": "timed out after 5s"}}
	ans := Rules("is it safe to roll out web v2 to prod?", g, RulesOptions{CostIncrease: 100})
	var titles []string
	for _, r := range ans.Recommendations {
		titles = append(titles, r.Severity+": "+r.Title)
	}
	got := strings.Join(titles, "\n")
	for _, want := range []string{
		"high: The pending plan p-aaaaaaaaaaaa of /infra/prod destroys 2 resources",
		"high: The last apply of /infra/prod failed",
		"high: Deployment prod/web has not rolled out",
		"high: Deployment prod/web has drifted from its last apply",
		"high: Check plan fails on main",
		"high: Check tfsec fails on PR #7",
		"high: Validation finds 2 errors in k8s/",
		"high: The pending plan p-bbbbbbbbbbbb of /infra/staging adds $153.41 a month",
		"medium: Review the pending plan p-bbbbbbbbbbbb of /infra/staging",
		"medium: 2 pods are not ready",
		"low: PR #7 changes infrastructure",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if !strings.HasPrefix(titles[0], "high") || !strings.HasPrefix(titles[len(titles)-1], "low") {
		t.Errorf("not ranked by severity:\n%s", got)
	}
	if !strings.HasPrefix(ans.Assessment, "Not yet: 8 risks") || !strings.Contains(ans.Assessment, "$1234.50") ||
		ans.Risks[len(ans.Risks)-1] != "no context from experts: timed out after 5s" {
		t.Errorf("assessment %q risks %q", ans.Assessment, ans.Risks)
	}
	actions := map[string]*Action{}
	for _, r := range ans.Recommendations {
		actions[r.Title] = r.Action
	}
	if roll := actions["Deployment prod/web has not rolled out"]; roll == nil || roll.Tool != "rollout_status" || roll.Arguments["kind"] != "deployment" {
		t.Errorf("rollout action: %+v", roll)
	}
	if est := actions["The pending plan p-bbbbbbbbbbbb of /infra/staging adds $153.41 a month"]; est == nil || est.Tool != "estimate_costs" || est.Arguments["infrastructure"] != "p-bbbbbbbbbbbbbbbb" {
		t.Errorf("cost action: %+v", est)
	}
	// Below the threshold, or with the rule off, no cost risk.
	for _, threshold := range []float64{200, 0} {
		for _, r := range Rules("q", g, RulesOptions{CostIncrease: threshold}).Recommendations {
			if strings.Contains(r.Title, "a month") {
				t.Errorf("threshold %v: %s", threshold, r.Title)
			}
		}
	}
	// Quiet context: nothing argues against it.
	quiet := Rules("ok?", Gathered{Results: map[string]json.RawMessage{"kube": json.RawMessage(`{"context":"prod"}`)}}, RulesOptions{CostIncrease: 100})
	if len(quiet.Recommendations) != 0 || quiet.Assessment != "Nothing in the context of kube argues against it." {
		t.Errorf("quiet: %+v", quiet)
	}
}

// A drifted target is named, and the restoring step proposed is a plan
// (apply_terraform without plan_id), never an apply; a target in sync is
// not mentioned.
func TestRulesNameDrift(t *testing.T) {
	g := Gathered{Results: map[string]json.RawMessage{"deploy": json.RawMessage(`{"mode":"apply","workspaces":[],"pending_plans":[],"drift":[
		{"kind":"terraform","target":"/infra/prod","status":"drifted","checked_at":"2026-12-06T10:00:00Z","resources":["aws_s3_bucket.logs","aws_iam_role.ci"],"count":2},
		{"kind":"terraform","target":"/infra/dev","status":"in_sync","checked_at":"2026-12-06T10:00:00Z"},
		{"kind":"kubernetes","target":"k8s/web, k8s/api","status":"drifted","checked_at":"2026-12-06T10:00:00Z","resources":["deployment/web -n prod"],"count":1}]}`)}}
	ans := Rules("anything wrong?", g, RulesOptions{})
	var drifted []Recommendation
	for _, r := range ans.Recommendations {
		if strings.Contains(r.Title, "drifted") {
			drifted = append(drifted, r)
		}
	}
	if len(drifted) != 2 || drifted[0].Title != "/infra/prod has drifted: 2 changed outside opsmcp" || !strings.Contains(drifted[0].Rationale, "aws_s3_bucket.logs, aws_iam_role.ci") {
		t.Fatalf("%+v", ans.Recommendations)
	}
	if k := drifted[1].Action; k == nil || k.Tool != "deploy_kubernetes" || k.Arguments["dry_run"] != true || fmt.Sprint(k.Arguments["manifests"]) != "[k8s/web k8s/api]" {
		t.Errorf("manifests drifted: the proposed step must be their dry run: %+v", k)
	}
	a := drifted[0].Action
	if a == nil || a.Tool != "apply_terraform" || a.Arguments["workspace"] != "/infra/prod" || a.Arguments["plan_id"] != nil || a.Arguments["auto_approve"] != nil {
		t.Errorf("the proposed step must be a plan: %+v", a)
	}
}
