package helm

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/opsmcp/opsmcp/internal/helmchart"

	"helm.sh/helm/v4/pkg/action"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/cli"
	helmkube "helm.sh/helm/v4/pkg/kube"
	release "helm.sh/helm/v4/pkg/release/v1"

	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/kube"
)

// FieldManager is the field manager of a release's objects: helm's own,
// so the helm CLI and opsmcp upgrade the same release without conflicts.
const FieldManager = "helm"

var setManager sync.Once

// UpgradeRequest is helm upgrade --install.
type UpgradeRequest struct {
	Release string
	// Chart is a chart directory or .tgz (read through Files), or with
	// Repo the chart's name in that repository.
	Chart, Repo, Version string
	Values               map[string]any
	ValuesFiles          []string
	Files                *fsguard.Guard
	DryRun, Wait         bool
	Timeout              time.Duration
	// CacheDir holds charts downloaded from repositories.
	CacheDir string
}

// UpgradeResult is what an upgrade did or, in a dry run, would do.
type UpgradeResult struct {
	Release   Release `json:"release"`
	Installed bool    `json:"installed"` // a first install
	// Objects are the rendered objects as a server-side dry run applies
	// them: created, configured (with the changed paths) or unchanged.
	Objects []kube.ObjectResult `json:"objects,omitempty"`
	Secrets []string            `json:"-"`
}

// Upgrade installs or upgrades a release. In a dry run it renders the
// chart and dry-runs every object on the server.
func (c *Client) Upgrade(ctx context.Context, req UpgradeRequest) (*UpgradeResult, error) {
	setManager.Do(func() { helmkube.ManagedFieldsManager = FieldManager })
	ch, err := c.chartOf(req)
	if err != nil {
		return nil, err
	}
	if err := helmchart.ExternalSchemaRefs(ch); err != nil {
		return nil, fmt.Errorf("chart %s: %w", req.Chart, err)
	}
	vals, err := helmchart.Values(req.Files, req.ValuesFiles, req.Values, nil)
	if err != nil {
		return nil, err
	}
	res := &UpgradeResult{Secrets: SecretValues(vals)}
	_, err = c.History(req.Release, 1)
	res.Installed = errors.Is(err, ErrNotFound)
	if err != nil && !res.Installed {
		return nil, err
	}
	strategy := action.DryRunNone
	if req.DryRun {
		strategy = action.DryRunServer
	}
	wait := helmkube.HookOnlyStrategy
	if req.Wait {
		wait = helmkube.StatusWatcherStrategy
	}
	var rel *release.Release
	if res.Installed {
		in := action.NewInstall(c.cfg)
		in.ReleaseName, in.Namespace, in.DryRunStrategy, in.WaitStrategy, in.Timeout = req.Release, c.namespace, strategy, wait, req.Timeout
		in.ServerSideApply = true
		r, ierr := in.RunWithContext(ctx, ch, vals)
		rel, err = asRelease(r), ierr
	} else {
		up := action.NewUpgrade(c.cfg)
		up.Namespace, up.DryRunStrategy, up.WaitStrategy, up.Timeout = c.namespace, strategy, wait, req.Timeout
		r, uerr := up.RunWithContext(ctx, req.Release, ch, vals)
		rel, err = asRelease(r), uerr
	}
	if rel != nil {
		res.Release = summarize(rel)
	}
	if err != nil {
		return res, c.explain(err, "upgrade", req.Release)
	}
	if req.DryRun {
		if res.Objects, err = c.dryRunObjects(ctx, req.Release, rel.Manifest); err != nil {
			return res, err
		}
	}
	return res, nil
}

func asRelease(r any) *release.Release {
	rel, _ := r.(*release.Release)
	return rel
}

// dryRunObjects applies a rendered manifest in a server-side dry run as
// helm's field manager, as deploy_kubernetes' dry run reports it.
func (c *Client) dryRunObjects(ctx context.Context, name, manifest string) ([]kube.ObjectResult, error) {
	if manifest == "" {
		return []kube.ObjectResult{}, nil
	}
	docs, err := kube.ReadManifests(nil, []string{manifest})
	if err != nil {
		return nil, fmt.Errorf("the rendered chart: %w", err)
	}
	// The ownership metadata helm adds to every object it applies.
	for _, d := range docs {
		labels, annotations := d.Object.GetLabels(), d.Object.GetAnnotations()
		if labels == nil {
			labels = map[string]string{}
		}
		if annotations == nil {
			annotations = map[string]string{}
		}
		labels["app.kubernetes.io/managed-by"] = "Helm"
		annotations["meta.helm.sh/release-name"] = name
		annotations["meta.helm.sh/release-namespace"] = c.namespace
		d.Object.SetLabels(labels)
		d.Object.SetAnnotations(annotations)
	}
	plan, err := c.cluster.Plan(docs, c.namespace)
	if err != nil {
		return nil, err
	}
	return c.cluster.Apply(ctx, plan, kube.ApplyOptions{DryRun: true, FieldManager: FieldManager})
}

// chartOf loads the chart: a path through the guard, or a repository
// chart downloaded into the cache.
func (c *Client) chartOf(req UpgradeRequest) (*chart.Chart, error) {
	if req.Repo == "" {
		if req.Version != "" {
			return nil, errors.New("version applies to a repository chart: give repo too, or drop version for a chart path")
		}
		return helmchart.Load(req.Files, req.Chart)
	}
	settings := cli.New()
	settings.RepositoryCache = filepath.Join(req.CacheDir, "repository")
	settings.RepositoryConfig = filepath.Join(req.CacheDir, "repositories.yaml")
	opts := action.ChartPathOptions{RepoURL: req.Repo, Version: req.Version}
	if err := os.MkdirAll(settings.RepositoryCache, 0o700); err != nil {
		return nil, err
	}
	path, err := opts.LocateChart(req.Chart, settings)
	if err != nil {
		return nil, fmt.Errorf("chart %s %s from %s: %w", req.Chart, req.Version, req.Repo, err)
	}
	ch, err := loader.Load(path)
	if err != nil {
		return nil, fmt.Errorf("chart %s from %s: %w", req.Chart, req.Repo, err)
	}
	return ch, nil
}

// RollbackRequest is helm rollback.
type RollbackRequest struct {
	Release      string
	Revision     int // 0: the previous
	DryRun, Wait bool
	Timeout      time.Duration
}

// RollbackResult is what a rollback did or would do.
type RollbackResult struct {
	From int `json:"from"`
	To   int `json:"to"`
	// Changed are the objects whose rendered form differs between the
	// two revisions: "deployment/web: spec.template.spec.containers[web].image".
	Changed []string `json:"changed"`
	Release Release  `json:"release"`
}

// Rollback rolls a release back to a revision, as helm rollback does.
func (c *Client) Rollback(ctx context.Context, req RollbackRequest) (*RollbackResult, error) {
	setManager.Do(func() { helmkube.ManagedFieldsManager = FieldManager })
	cur, err := c.Get(req.Release, 0)
	if err != nil {
		return nil, err
	}
	res := &RollbackResult{From: cur.Version, To: req.Revision}
	if res.To == 0 {
		res.To = cur.Version - 1
	}
	if res.To < 1 {
		return nil, fmt.Errorf("release %s has no revision before %d to roll back to", req.Release, cur.Version)
	}
	target, err := c.Get(req.Release, res.To)
	if err != nil {
		return nil, err
	}
	if res.Changed, err = ManifestChanges(cur.Manifest, target.Manifest); err != nil {
		return nil, err
	}
	if req.DryRun {
		res.Release = summarize(cur)
		return res, nil
	}
	rb := action.NewRollback(c.cfg)
	rb.Version, rb.Timeout = res.To, req.Timeout
	rb.WaitStrategy = helmkube.HookOnlyStrategy
	if req.Wait {
		rb.WaitStrategy = helmkube.StatusWatcherStrategy
	}
	rb.ServerSideApply = "true"
	if err := rb.Run(req.Release); err != nil {
		return res, c.explain(err, "roll back", req.Release)
	}
	after, err := c.Get(req.Release, 0)
	if err != nil {
		return res, err
	}
	res.Release = summarize(after)
	return res, nil
}

// ManifestChanges compares two rendered manifests object by object.
func ManifestChanges(from, to string) ([]string, error) {
	objects := func(manifest string) (map[string]map[string]any, error) {
		out := map[string]map[string]any{}
		if manifest == "" {
			return out, nil
		}
		docs, err := kube.ReadManifests(nil, []string{manifest})
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			out[kube.Ref(d.Object.GetKind(), d.Object.GetName(), d.Object.GetNamespace())] = d.Object.Object
		}
		return out, nil
	}
	a, err := objects(from)
	if err != nil {
		return nil, err
	}
	b, err := objects(to)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, ref := range sortedKeys(a, b) {
		switch {
		case a[ref] == nil:
			out = append(out, ref+": created")
		case b[ref] == nil:
			out = append(out, ref+": deleted")
		default:
			for _, p := range kube.ChangedPaths(a[ref], b[ref]) {
				out = append(out, ref+": "+p)
			}
		}
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

func sortedKeys(ms ...map[string]map[string]any) []string {
	seen := map[string]bool{}
	for _, m := range ms {
		for k := range m {
			seen[k] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}
