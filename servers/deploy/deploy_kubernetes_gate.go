package deploy

import (
	"context"
	"fmt"
	"strings"

	"github.com/opsmcp/opsmcp/internal/gate"
	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/policy"
)

// What the gate shows of a deploy_kubernetes apply: the server-side dry
// run of the manifests, named by its change_id, which the apply must
// render again unchanged.

// ChangeMismatchError: the objects render differently than the change
// reviewed.
type ChangeMismatchError struct{ Want, Got string }

func (e *ChangeMismatchError) Error() string {
	return fmt.Sprintf("the objects as the server renders them now (change %s) differ from change %s: nothing was applied; dry-run again and review", e.Got, e.Want)
}

func sameChange(want, got string) error {
	if want != "" && want != got {
		return &ChangeMismatchError{Want: want, Got: got}
	}
	return nil
}

// Change dry-runs the manifests and describes what applying them does
// (mcpkit.Changer).
func (in DeployKubernetesInput) Change(ctx context.Context, c *mcpkit.Call) (*gate.Change, error) {
	docs, err := kube.ReadManifests(c.Files(), in.Manifests)
	if err != nil {
		return nil, err
	}
	c.Secrets.Add(kube.SecretValues(docs)...)
	cl, err := kube.Connect(c.Runtime.Config.Kubernetes, in.Context)
	if err != nil {
		return nil, err
	}
	if in.Namespace != "" {
		if err := cl.AllowNamespace(in.Namespace); err != nil {
			return nil, err
		}
	}
	plan, err := cl.Plan(docs, in.Namespace)
	if err != nil {
		return nil, err
	}
	dry, err := cl.Apply(ctx, plan, kube.ApplyOptions{DryRun: true})
	if err != nil {
		return nil, err
	}
	id := kube.ChangeID(cl.Context, dry)
	if err := sameChange(in.ChangeID, id); err != nil {
		return nil, err
	}
	var lines []string
	namespaces := map[string]bool{}
	for _, o := range dry {
		line := o.Ref() + " " + o.Action
		if o.Namespace != "" {
			namespaces[o.Namespace] = true
		}
		if len(o.Changed) > 0 {
			line += ": " + strings.Join(o.Changed, ", ")
		}
		lines = append(lines, line)
	}
	scope := "context " + cl.Context
	if len(namespaces) == 1 {
		for ns := range namespaces {
			scope = "namespace " + ns + " (" + scope + ")"
		}
	}
	ch := &gate.Change{ID: id, Tool: "deploy_kubernetes", Scope: scope, Proposer: c.Principal, Detail: strings.Join(lines, "\n")}
	// The policies judge the objects at the moment of apply, as written.
	vs, err := objectVerdicts(ctx, c, docs)
	if err != nil {
		return nil, fmt.Errorf("gate.policies could not judge the objects, so nothing is applied: %w", err)
	}
	ch.Verdicts, ch.Denied, ch.Judged = verdictLines(vs), policy.Denied(vs), len(c.Runtime.Config.Gate.Policies) > 0
	return ch, nil
}
