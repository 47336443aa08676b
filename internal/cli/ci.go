package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/atomicfile"
	"github.com/opsmcp/opsmcp/internal/ci"
	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/fsguard"
	igh "github.com/opsmcp/opsmcp/internal/github"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/terraform"
	"github.com/opsmcp/opsmcp/internal/validate"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

type ciOptions struct {
	plan, cost, comment   bool
	format, sarif, failOn string
	output                string
}

func newCICmd(g *globals) *cobra.Command {
	o := &ciOptions{}
	cmd := &cobra.Command{
		Use:   "ci [PATH...]",
		Short: "Validate, plan (never apply) and estimate the cost change, as one report or sticky PR comment",
		Long: "Validate every PATH (default .), with --plan plan each PATH that is a Terraform workspace (through\n" +
			"apply_terraform: plan only, within terraform.workspaces), with --cost estimate the cost (the change, with\n" +
			"--plan), and write one markdown report (or --format json). --comment posts it as, or updates, the sticky\n" +
			"comment of the pull request of a GitHub Actions run (GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_TOKEN).\n" +
			"Exit 1 when a finding is at least --fail-on (default error) or a step failed; 2 on a usage error.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains([]string{"markdown", "json"}, o.format) {
				return usageErr("--format %q is not one of markdown, json", o.format)
			}
			if !slices.Contains([]string{"error", "warning", "never"}, o.failOn) {
				return usageErr("--fail-on %q is not one of error, warning, never", o.failOn)
			}
			if len(args) == 0 {
				args = []string{"."}
			}
			return runCI(cmd.Context(), g, o, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.plan, "plan", false, "plan the Terraform workspaces among the paths (never apply)")
	f.BoolVar(&o.cost, "cost", false, "estimate the cost (the change, with --plan)")
	f.StringVar(&o.format, "format", "markdown", "markdown or json")
	f.StringVar(&o.output, "output", "", "write the report to this file (default stdout)")
	f.StringVar(&o.sarif, "sarif", "", "also write the findings as SARIF to this file")
	f.BoolVar(&o.comment, "comment", false, "post or update the sticky comment on the pull request (GitHub Actions)")
	f.StringVar(&o.failOn, "fail-on", "error", "exit 1 when a finding is at least: error, warning, or never")
	return cmd
}

func runCI(ctx context.Context, g *globals, o *ciOptions, paths []string) error {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return usageErr("%v", err)
		}
	}
	rt, err := mcpkit.Bootstrap(ctx, g.ConfigPath, g.Stderr, slog.LevelWarn)
	if err != nil {
		return failErr("%v", err)
	}
	defer rt.Close()
	// The paths named here are the pipeline's own: any path, bounded.
	rt.Files = fsguard.CommandLine(rt.Config.Limits.MaxInputBytes)
	host := mcpkit.NewHost(deploy.New(), rt)
	rep := &ci.Report{}
	val, err := validate.Run(ctx, paths, validate.Options{Type: "auto", Strict: true, TerraformBinary: rt.Config.Terraform.Binary,
		TerraformMirror: rt.Config.Terraform.ProviderMirror, Files: fsguard.CommandLine(rt.Config.Limits.MaxInputBytes),
		CRDs: rt.Config.Validate.CRDs, Unsuppressible: rt.Config.Validate.Unsuppressible})
	if err != nil {
		return failErr("validate: %v", err)
	}
	rep.Validation = val
	if o.sarif != "" {
		if err := atomicfile.Write(o.sarif, func(w io.Writer) error { return validate.Write(w, val, "sarif", false) }); err != nil {
			return failErr("--sarif: %v", err)
		}
	}
	var workspaces []string
	for _, p := range paths {
		if terraform.HasConfig(p) {
			workspaces = append(workspaces, p)
		}
	}
	call := func(tool string, args map[string]any, into any) error {
		raw, _ := json.Marshal(args)
		out := host.Call(ctx, tool, raw, nil)
		if out.IsError {
			return fmt.Errorf("%s", out.Text)
		}
		return out.Decode(into)
	}
	var estimates []*cost.Estimate
	if o.plan {
		for _, ws := range workspaces {
			var res deploy.ApplyTerraformResult
			p := ci.Plan{Workspace: ws, Changes: []ci.Change{}}
			if err := call("apply_terraform", map[string]any{"workspace": ws}, &res); err != nil {
				p.Error = err.Error()
				rep.Errors = append(rep.Errors, fmt.Sprintf("plan of %s: %v", ws, err))
				rep.Plans = append(rep.Plans, p)
				continue
			}
			p.PlanID, p.Add, p.Change, p.Destroy, p.Replace = res.PlanID, res.Summary.Add, res.Summary.Change, res.Summary.Destroy, res.Summary.Replace
			p.Policy = res.Policy
			for _, c := range res.Changes {
				p.Changes = append(p.Changes, ci.Change{Address: c.Address, Action: c.Action})
			}
			rep.Plans = append(rep.Plans, p)
			if o.cost && p.PlanID != "" {
				var est deploy.EstimateCostsResult
				if err := call("estimate_costs", map[string]any{"infrastructure": p.PlanID}, &est); err != nil {
					rep.Errors = append(rep.Errors, fmt.Sprintf("cost of %s: %v", ws, err))
				} else {
					estimates = append(estimates, &est.Estimate)
				}
			}
		}
	}
	if o.cost {
		for _, p := range paths {
			if o.plan && slices.Contains(workspaces, p) {
				continue // priced from its plan above
			}
			if !cost.Priceable(rt.Files, p) {
				continue // a Dockerfile, a chart's README: nothing to price
			}
			var est deploy.EstimateCostsResult
			if err := call("estimate_costs", map[string]any{"infrastructure": p}, &est); err != nil {
				rep.Errors = append(rep.Errors, fmt.Sprintf("cost of %s: %v", p, err))
				continue
			}
			estimates = append(estimates, &est.Estimate)
		}
	}
	if len(estimates) > 0 {
		rep.Cost = cost.Merge(estimates...)
	}
	var out []byte
	if o.format == "json" {
		out, _ = json.MarshalIndent(rep, "", "  ")
		out = append(out, '\n')
	} else {
		out = []byte(rep.Markdown())
	}
	if o.output != "" {
		if err := atomicfile.WriteBytes(o.output, out); err != nil {
			return failErr("--output: %v", err)
		}
	} else if _, err := g.Stdout.Write(out); err != nil {
		return err
	}
	if o.comment {
		url, err := postComment(ctx, rt, rep.Markdown())
		if err != nil {
			return failErr("--comment: %v", err)
		}
		fmt.Fprintln(g.Stderr, "comment: "+url)
	}
	if worst := val.Worst(); o.failOn != "never" && worst != "" && worst.AtLeast(validate.Severity(o.failOn)) {
		return failErr("%s (--fail-on %s)", rep.Summary(), o.failOn)
	}
	if len(rep.Errors) > 0 {
		return failErr("%s", strings.Join(rep.Errors, "; "))
	}
	if denied := rep.Denied(); len(denied) > 0 && o.failOn != "never" {
		return failErr("denied by policy: %s", strings.Join(denied, "; "))
	}
	return nil
}

// postComment writes the report as the sticky comment of the pull request
// this GitHub Actions run is for. The run's own repository may be
// commented on whatever github.repos says: that is what the step is for.
func postComment(ctx context.Context, rt *mcpkit.Runtime, body string) (string, error) {
	repo := os.Getenv("GITHUB_REPOSITORY")
	eventPath := os.Getenv("GITHUB_EVENT_PATH")
	if repo == "" || eventPath == "" {
		return "", fmt.Errorf("not a GitHub Actions run: GITHUB_REPOSITORY and GITHUB_EVENT_PATH are not set")
	}
	data, err := os.ReadFile(eventPath)
	if err != nil {
		return "", fmt.Errorf("GITHUB_EVENT_PATH: %w", err)
	}
	var event struct {
		Number      int `json:"number"`
		PullRequest struct {
			Number int `json:"number"`
		} `json:"pull_request"`
	}
	if err := json.Unmarshal(data, &event); err != nil {
		return "", fmt.Errorf("GITHUB_EVENT_PATH: %w", err)
	}
	number := event.PullRequest.Number
	if number == 0 {
		number = event.Number
	}
	if number == 0 {
		return "", fmt.Errorf("the event in GITHUB_EVENT_PATH is not a pull request")
	}
	policy := rt.Config.GitHub
	policy.Repos = append(slices.Clone(policy.Repos), repo)
	if policy.BaseURL == "" {
		if api := os.Getenv("GITHUB_API_URL"); api != "" && api != "https://api.github.com" {
			policy.BaseURL = api
		}
	}
	cl, err := igh.New(policy, igh.Options{})
	if err != nil {
		return "", err
	}
	c, err := cl.CommentPullRequest(ctx, repo, number, body, true)
	if err != nil {
		return "", err
	}
	return c.URL, nil
}
