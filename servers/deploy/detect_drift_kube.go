package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/opsmcp/opsmcp/internal/drift"
	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
)

// maxRecordedSets bounds how many recorded deploys a call checks.
const maxRecordedSets = 50

// kubernetesDrift checks the manifests given, else each set of objects
// deploy_kubernetes applied (the newest apply of each object).
func kubernetesDrift(ctx context.Context, c *mcpkit.Call, in DetectDriftInput, rep *drift.Report) error {
	if len(in.Manifests) > 0 {
		target := strings.Join(in.Manifests, ", ")
		docs, err := kube.ReadManifests(c.Files(), in.Manifests)
		if err != nil {
			return err
		}
		c.Secrets.Add(kube.SecretValues(docs)...)
		rep.Add(checkObjects(ctx, c, in.Context, in.Namespace, target, docs, false, nil))
		return nil
	}
	page, err := c.Runtime.Memory.List(ctx, memory.Filter{Server: Name, Kind: memory.KindOperation, Tags: []string{"kubernetes"}, Limit: 200})
	if err != nil {
		return err
	}
	seen := map[string]bool{} // context + object: checked with a newer set
	sets := 0
	for _, e := range page.Entries { // newest first
		var op struct {
			Context string           `json:"context"`
			By      string           `json:"by"`
			Objects []map[string]any `json:"applied_objects"`
		}
		if json.Unmarshal(e.Data, &op) != nil || len(op.Objects) == 0 || !c.Runtime.Config.ScopeVisible(e.Scope) {
			continue
		}
		var fresh []map[string]any
		for _, o := range op.Objects {
			k := op.Context + "\x00" + objectKey(o)
			if !seen[k] {
				seen[k] = true
				fresh = append(fresh, o)
			}
		}
		if len(fresh) == 0 {
			continue
		}
		if sets++; sets > maxRecordedSets {
			break
		}
		target := fmt.Sprintf("%s %s", op.Context, e.Key)
		rep.Add(checkObjects(ctx, c, op.Context, "", target, kube.RecordedDocuments(fresh, e.Key), true, &drift.Apply{ID: e.Key, At: e.CreatedAt, By: op.By}))
	}
	return helmDrift(ctx, c, rep)
}

// releaseDocs are the objects a release's deployed revision applied.
func releaseDocs(ctx context.Context, c *mcpkit.Call, kubeContext, ns, name string) ([]kube.Document, error) {
	cl, err := kube.Connect(c.Runtime.Config.Kubernetes, kubeContext)
	if err != nil {
		return nil, err
	}
	manifest, _, err := cl.ReleaseManifest(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	return kube.ReadManifests(nil, []string{manifest})
}

// helmDrift checks each Helm release opsmcp installed or upgraded (the
// kube server's records): its deployed revision's manifest, read from
// Helm's storage, against the live objects.
func helmDrift(ctx context.Context, c *mcpkit.Call, rep *drift.Report) error {
	page, err := c.Runtime.Memory.List(ctx, memory.Filter{Server: "kube", Kind: memory.KindOperation, Tags: []string{"helm"}, Limit: 200})
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, e := range page.Entries { // newest first
		var op struct {
			Context   string `json:"context"`
			Namespace string `json:"namespace"`
			Applied   bool   `json:"applied"`
			Release   struct {
				Name string `json:"name"`
			} `json:"release"`
		}
		if json.Unmarshal(e.Data, &op) != nil || op.Release.Name == "" || !c.Runtime.Config.ScopeVisible(e.Scope) {
			continue
		}
		target := fmt.Sprintf("helm %s/%s (%s)", op.Namespace, op.Release.Name, op.Context)
		if seen[target] {
			continue
		}
		seen[target] = true
		if len(seen) > maxRecordedSets {
			break
		}
		last := &drift.Apply{ID: e.Key, At: e.CreatedAt}
		docs, err := releaseDocs(ctx, c, op.Context, op.Namespace, op.Release.Name)
		if err != nil {
			t := drift.Failed("kubernetes", target, err)
			t.LastApply = last
			rep.Add(t)
			continue
		}
		c.Secrets.Add(kube.SecretValues(docs)...)
		rep.Add(checkObjects(ctx, c, op.Context, op.Namespace, target, docs, false, last))
	}
	return nil
}

func objectKey(o map[string]any) string {
	meta, _ := o["metadata"].(map[string]any)
	return fmt.Sprint(o["apiVersion"], "/", o["kind"], "/", meta["namespace"], "/", meta["name"])
}

// checkObjects re-applies docs as a dry run on a context and reports
// what drifted.
func checkObjects(ctx context.Context, c *mcpkit.Call, kubeContext, namespace, target string, docs []kube.Document, recorded bool, last *drift.Apply) drift.Target {
	fail := func(err error) drift.Target {
		t := drift.Failed("kubernetes", target, err)
		t.LastApply = last
		return t
	}
	cl, err := kube.Connect(c.Runtime.Config.Kubernetes, kubeContext)
	if err != nil {
		return fail(err)
	}
	if namespace != "" {
		if err := cl.AllowNamespace(namespace); err != nil {
			return fail(err)
		}
	}
	plan, err := cl.Plan(docs, namespace)
	if err != nil {
		return fail(err)
	}
	objs, err := cl.Drift(ctx, plan, recorded)
	if err != nil {
		return fail(err)
	}
	var res []drift.Resource
	for _, o := range objs {
		r := drift.Resource{Address: o.Ref(), Type: o.Kind, Change: drift.Changed, Paths: o.Paths, Managers: o.Managers}
		if o.Deleted {
			r.Change = drift.Deleted
		}
		res = append(res, r)
	}
	sort.Slice(res, func(i, j int) bool { return res[i].Address < res[j].Address })
	t := drift.Of("kubernetes", target, res)
	t.LastApply = last
	return t
}
