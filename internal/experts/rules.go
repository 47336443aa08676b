package experts

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/contract/cloudctx"
	"github.com/opsmcp/opsmcp/internal/contract/deployctx"
	"github.com/opsmcp/opsmcp/internal/contract/gather"
	"github.com/opsmcp/opsmcp/internal/contract/githubctx"
	"github.com/opsmcp/opsmcp/internal/contract/kubectx"
	"github.com/opsmcp/opsmcp/internal/cost"
)

// Gathered is every server's gather_context result (the contract's type).
type Gathered = gather.Gathered

// RulesOptions are the rules expert's thresholds.
type RulesOptions struct {
	// CostIncrease: a pending plan raising the monthly cost by more than
	// this many dollars is a risk; 0 or less turns the rule off.
	CostIncrease float64
}

// Rules is the built-in expert: offline, deterministic, always present. It
// turns the gathered context into recommendations about what is stuck,
// failing, waiting or risky.
func Rules(question string, g Gathered, opts RulesOptions) Answer {
	var recs []Recommendation
	add := func(r Recommendation) { recs = append(recs, r) }
	var d deployctx.DeployContext
	if decode(g, "deploy", &d) {
		for _, p := range d.PendingPlans {
			s := p.Summary
			change := fmt.Sprintf("%d to add, %d to change, %d to destroy, %d to replace", s.Add, s.Change, s.Destroy, s.Replace)
			r := Recommendation{Title: fmt.Sprintf("Review the pending plan %s of %s", short(p.PlanID), p.Workspace), Severity: "medium", Confidence: 0.8,
				Rationale: fmt.Sprintf("a plan waits to be applied (%s); it expires at %s", change, p.ExpiresAt.UTC().Format(time.RFC3339)),
				Action:    &Action{Server: "deploy", Tool: "apply_terraform", Arguments: map[string]any{"workspace": p.Workspace}}}
			if s.Destroy+s.Replace > 0 {
				r.Title = fmt.Sprintf("The pending plan %s of %s destroys %d resources", short(p.PlanID), p.Workspace, s.Destroy+s.Replace)
				r.Severity, r.Confidence = "high", 0.9
			}
			add(r)
			if p.MonthlyCostChange == nil {
				continue
			}
			money := cost.Dec(*p.MonthlyCostChange).Money()
			if change, err := strconv.ParseFloat(money, 64); err == nil && opts.CostIncrease > 0 && change > opts.CostIncrease {
				add(Recommendation{Title: fmt.Sprintf("The pending plan %s of %s adds $%s a month", short(p.PlanID), p.Workspace, money),
					Severity: "high", Confidence: 0.8,
					Rationale: fmt.Sprintf("its estimated monthly cost change, +$%s, is over the threshold of $%g (cost.increase_threshold)", money, opts.CostIncrease),
					Action:    &Action{Server: "deploy", Tool: "estimate_costs", Arguments: map[string]any{"infrastructure": p.PlanID}}})
			}
		}
		if v := d.Validation; v != nil && v.Errors > 0 {
			var first []string
			for i, f := range v.Findings {
				if i == 3 {
					break
				}
				first = append(first, fmt.Sprintf("%s:%d %s [%s]", f.File, f.Line, f.Message, f.Rule))
			}
			add(Recommendation{Title: fmt.Sprintf("Validation finds %d errors in %s", v.Errors, v.ConfigPath), Severity: "high", Confidence: 0.95,
				Rationale: strings.Join(first, "; "),
				Action:    &Action{Server: "deploy", Tool: "validate_deployment", Arguments: map[string]any{"config_path": v.ConfigPath}}})
		}
		for _, dr := range d.Drift {
			if dr.Status != "drifted" {
				continue
			}
			r := Recommendation{Title: fmt.Sprintf("%s has drifted: %d changed outside opsmcp", dr.Target, dr.Count), Severity: "high", Confidence: 0.9,
				Rationale: fmt.Sprintf("the drift check at %s found %s changed or deleted since the last apply; plan to restore them and review before applying",
					dr.CheckedAt.UTC().Format(time.RFC3339), strings.Join(dr.Resources, ", "))}
			switch {
			case dr.Kind == "terraform": // a plan (apply_terraform without plan_id applies nothing)
				r.Action = &Action{Server: "deploy", Tool: "apply_terraform", Arguments: map[string]any{"workspace": dr.Target}}
			case manifestsTarget(dr.Target): // manifests: their server-side dry run
				r.Action = &Action{Server: "deploy", Tool: "deploy_kubernetes", Arguments: map[string]any{"manifests": strings.Split(dr.Target, ", "), "dry_run": true}}
			default: // a recorded set or a release: the check again, naming what a re-apply takes back
				r.Action = &Action{Server: "deploy", Tool: "detect_drift", Arguments: map[string]any{}}
			}
			add(r)
		}
		for _, w := range d.Workspaces {
			if a := w.LastApply; a != nil && !a.Applied && a.Error != "" {
				add(Recommendation{Title: fmt.Sprintf("The last apply of %s failed", w.Path), Severity: "high", Confidence: 0.9,
					Rationale: fmt.Sprintf("apply of %s at %s: %s", short(a.PlanID), a.At.UTC().Format(time.RFC3339), a.Error),
					Action:    &Action{Server: "deploy", Tool: "apply_terraform", Arguments: map[string]any{"workspace": w.Path}}})
			}
		}
	}
	var mem struct {
		KubernetesApplies []kubeApply `json:"kubernetes_applies"`
	}
	decode(g, "memory", &mem)
	var k kubectx.KubeContext
	if decode(g, "kube", &k) {
		for _, u := range k.Unhealthy {
			// Drift: the newest apply that rolled this workload out.
			if op, ok := rolledOutBy(mem.KubernetesApplies, u.Kind, u.Namespace, u.Name); ok {
				add(Recommendation{Title: fmt.Sprintf("%s %s/%s has drifted from its last apply", u.Kind, u.Namespace, u.Name), Severity: "high", Confidence: 0.85,
					Rationale: fmt.Sprintf("it rolled out when opsmcp applied it (%s at %s, context %s); now %d of %d replicas are available",
						op.OperationID, op.At.UTC().Format(time.RFC3339), op.Context, u.Available, u.Desired),
					Action: &Action{Server: "kube", Tool: "get_events", Arguments: map[string]any{
						"namespace": u.Namespace, "object": u.Kind + "/" + u.Name}}})
			}
			add(Recommendation{Title: fmt.Sprintf("%s %s/%s has not rolled out", u.Kind, u.Namespace, u.Name), Severity: "high", Confidence: 0.9,
				Rationale: fmt.Sprintf("%d of %d replicas available, %d updated", u.Available, u.Desired, u.Updated),
				Action: &Action{Server: "kube", Tool: "rollout_status", Arguments: map[string]any{
					"kind": strings.ToLower(u.Kind), "namespace": u.Namespace, "name": u.Name}}})
		}
		if k.NotReadyCount > 0 {
			var why []string
			for i, p := range k.NotReadyPods {
				if i == 3 {
					break
				}
				why = append(why, fmt.Sprintf("%s/%s %s %s", p.Namespace, p.Name, p.Status, strings.Join(p.Reasons, "; ")))
			}
			add(Recommendation{Title: fmt.Sprintf("%d pods are not ready", k.NotReadyCount), Severity: "medium", Confidence: 0.8,
				Rationale: strings.Join(why, "; ")})
		}
	}
	var gh githubctx.RepoContext
	if decode(g, "github", &gh) {
		for _, c := range gh.FailingChecks {
			add(Recommendation{Title: fmt.Sprintf("Check %s fails on %s", c.Name, gh.DefaultBranch), Severity: "high", Confidence: 0.9,
				Rationale: fmt.Sprintf("%s concluded %s on the default branch of %s", c.Name, c.Conclusion, gh.Repo),
				Action:    &Action{Server: "github", Tool: "get_check_runs", Arguments: map[string]any{"repo": gh.Repo, "ref": gh.DefaultBranch}}})
		}
		if pr := gh.PullRequest; pr != nil {
			for _, c := range pr.FailingChecks {
				add(Recommendation{Title: fmt.Sprintf("Check %s fails on PR #%d", c.Name, pr.Number), Severity: "high", Confidence: 0.9,
					Rationale: fmt.Sprintf("%s concluded %s at %s, the head of %q", c.Name, c.Conclusion, short(pr.HeadSHA), pr.Title),
					Action:    &Action{Server: "github", Tool: "get_check_runs", Arguments: map[string]any{"repo": gh.Repo, "ref": pr.HeadSHA}}})
			}
		}
		for _, p := range gh.InfraPRs {
			var files []string
			for _, f := range p.Files {
				files = append(files, f.Path)
			}
			add(Recommendation{Title: fmt.Sprintf("PR #%d changes infrastructure", p.Number), Severity: "low", Confidence: 0.7,
				Rationale: fmt.Sprintf("%q changes %s", p.Title, strings.Join(files, ", ")),
				Action:    &Action{Server: "github", Tool: "get_pull_request", Arguments: map[string]any{"repo": gh.Repo, "number": p.Number}}})
		}
	}
	var cl cloudctx.CloudContext
	decode(g, "cloud", &cl)
	sort.SliceStable(recs, func(i, j int) bool { return rank(recs[i].Severity) < rank(recs[j].Severity) })
	ans := Answer{Recommendations: recs, Risks: []string{}}
	if ans.Recommendations == nil {
		ans.Recommendations = []Recommendation{}
	}
	for _, r := range recs {
		if r.Severity == "high" || r.Severity == "critical" {
			ans.Risks = append(ans.Risks, r.Title)
		}
	}
	var servers []string
	for s := range g.Results {
		servers = append(servers, s)
	}
	sort.Strings(servers)
	switch {
	case len(ans.Risks) > 0:
		ans.Assessment = fmt.Sprintf("Not yet: %d risks in the live state (%s).", len(ans.Risks), strings.Join(ans.Risks, "; "))
	case len(recs) > 0:
		ans.Assessment = fmt.Sprintf("No blocking risk in the context of %s; %d things to review first.", strings.Join(servers, ", "), len(recs))
	case len(servers) == 0:
		ans.Assessment = "No server answered: nothing is known about the live state."
	default:
		ans.Assessment = fmt.Sprintf("Nothing in the context of %s argues against it.", strings.Join(servers, ", "))
	}
	if cl.AWS != nil && cl.AWS.MonthToDate != "" {
		ans.Assessment += fmt.Sprintf(" AWS spend this month so far: $%s.", cl.AWS.MonthToDate)
	}
	var failed []string
	for s, e := range g.Errors {
		failed = append(failed, s+": "+e)
	}
	sort.Strings(failed)
	for _, f := range failed {
		ans.Risks = append(ans.Risks, "no context from "+f)
	}
	return ans
}

// rolledOutBy finds the newest recorded apply (applies are newest first)
// that rolled the workload out.
func rolledOutBy(applies []kubeApply, kind, ns, name string) (kubeApply, bool) {
	for _, op := range applies {
		for _, r := range op.Rollouts {
			if strings.EqualFold(r.Kind, kind) && r.Namespace == ns && r.Name == name {
				return op, op.Applied && r.Done
			}
		}
	}
	return kubeApply{}, false
}

func decode(g Gathered, server string, into any) bool {
	raw, ok := g.Results[server]
	return ok && json.Unmarshal(raw, into) == nil
}

func short(id string) string {
	if len(id) > 14 {
		return id[:14]
	}
	return id
}

// manifestsTarget tells a drift target of manifest paths from a recorded
// set ("CONTEXT k-ID") or a Helm release ("helm NS/NAME (CONTEXT)").
func manifestsTarget(target string) bool {
	if strings.HasPrefix(target, "helm ") {
		return false
	}
	_, id, found := strings.Cut(target, " ")
	return !found || !strings.HasPrefix(id, "k-")
}
