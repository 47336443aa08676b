package validate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/terraform"
	"github.com/opsmcp/opsmcp/internal/validate/kubeschema"
)

// Types validate_deployment and opsmcp validate accept.
var Types = []string{"auto", "kubernetes", "helm", "kustomize", "docker", "terraform"}

// Options say what to validate and how.
type Options struct {
	Type   string // auto (per file), kubernetes, docker, terraform
	Strict bool   // warnings make it invalid; unknown Kubernetes fields are errors
	// KubernetesVersion to validate against; "" is the embedded one.
	KubernetesVersion string
	Rules             RuleSet
	// TerraformBinary is the terraform (or tofu) to run; "" finds one.
	TerraformBinary string
	// TerraformMirror is where providers come from besides the registry
	// (terraform.provider_mirror): a directory or an https:// mirror.
	TerraformMirror string
	// Cluster, when set, also server-side dry-runs Kubernetes objects.
	Cluster ClusterDryRun
	// Policy, when set, runs policies as code on each Kubernetes object and
	// Terraform plan JSON document (decoded JSON): its findings are named
	// policy/<package>.<rule>; its error (a policy that fails to evaluate)
	// is a policy-error finding.
	Policy PolicyCheck
	// Files is the rule every path is read under (nil: any regular file,
	// at most 16 MiB). A pipe is read only when the rule allows it.
	Files *fsguard.Guard
	// Unsuppressible are rule ids whose errors no annotation, comment or
	// baseline hides (validate.unsuppressible).
	Unsuppressible []string
	// Baseline, when set, suppresses the findings it holds.
	Baseline *Baseline
	// Chart is how Helm charts are rendered (helm template's flags).
	Chart ChartOptions
	// CRDs are files or directories of CustomResourceDefinitions whose
	// schemas check custom resources (besides those in the validated set).
	CRDs []string
	// ClusterCRDs, when set, reads the cluster's CustomResourceDefinitions.
	ClusterCRDs ClusterCRDs
}

// PolicyCheck evaluates policies on one input; the findings it returns
// carry rule, severity and message, the caller places them.
type PolicyCheck func(ctx context.Context, input any) ([]Finding, error)

// ClusterDryRun asks a live cluster about an object (server-side dry run);
// it returns the apiserver's refusal, or nil.
type ClusterDryRun func(ctx context.Context, obj map[string]any) error

// ClusterCRDs reads a live cluster's CustomResourceDefinitions.
type ClusterCRDs func(ctx context.Context) ([]map[string]any, error)

// Run validates every path (files, or directories walked recursively).
func Run(ctx context.Context, paths []string, opts Options) (*Report, error) {
	if opts.Type == "" {
		opts.Type = "auto"
	}
	if !slices.Contains(Types, opts.Type) {
		return nil, fmt.Errorf("type %q is not one of %s", opts.Type, strings.Join(Types, ", "))
	}
	if err := opts.Rules.check(); err != nil {
		return nil, err
	}
	for _, id := range opts.Unsuppressible {
		if _, ok := registry[id]; !ok && !strings.HasPrefix(id, "policy/") {
			return nil, &UnknownRuleError{ID: id}
		}
	}
	if len(paths) == 0 {
		return nil, errors.New("nothing to validate: give a file or a directory")
	}
	cat, err := kubeschema.Load()
	if err != nil {
		return nil, err
	}
	if v := opts.KubernetesVersion; v != "" && !strings.HasPrefix(strings.TrimPrefix(cat.Version, "v"), strings.TrimPrefix(v, "v")) {
		return nil, fmt.Errorf("kubernetes_version %s: this opsmcp embeds the schemas of Kubernetes %s only", v, cat.Version)
	}
	for _, p := range opts.CRDs {
		if _, _, err := opts.Files.Resolve(p); err != nil {
			return nil, fmt.Errorf("crds: %w", err)
		}
	}
	rep := &Report{}
	sup := newSuppressions()
	add := func(f Finding) {
		if r := registry[f.Rule]; r != nil && !opts.Rules.on(r) {
			return
		}
		rep.Findings = append(rep.Findings, f)
	}
	var kube kubeSources
	var tfDirs []string
	// Pipes (/dev/stdin, <(helm template .)) can be read only once, and
	// detecting a file's type reads it before validating does: each is
	// spooled to a temporary file, named by its own path in the report.
	spooled := map[string]string{}
	defer func() {
		for tmp := range spooled {
			os.RemoveAll(filepath.Dir(tmp))
		}
	}()
	g := opts.Files
	for _, root := range paths {
		if root, err = spoolPipe(g, root, spooled); err != nil {
			return nil, err
		}
		files, err := collect(g, root, opts.Type)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			rep.Files++
			switch f.kind {
			case "kubernetes":
				kube.files = append(kube.files, kubeSource{file: f.path})
			case "chart":
				renderChart(g, f.path, opts, &kube, add)
			case "kustomize":
				buildKustomization(g, f.path, &kube, add)
			case "docker":
				if data, ok := readBounded(g, f.path, add); ok {
					sup.scanComments(f.path, data, add)
					validateDockerfile(f.path, data, add)
				}
			case "tfplan":
				if data, ok := readBounded(g, f.path, add); ok {
					planRules(f.path, data, add)
					if opts.Policy != nil {
						var input any
						if json.Unmarshal(data, &input) == nil {
							runPolicy(ctx, opts.Policy, input, Finding{File: f.path}, add)
						}
					}
				}
			case "compose":
				if data, ok := readBounded(g, f.path, add); ok {
					sup.scanComments(f.path, data, add)
					validateCompose(ctx, f.path, data, add)
				}
			case "terraform":
				if !slices.Contains(tfDirs, f.path) {
					tfDirs = append(tfDirs, f.path)
				}
			}
		}
	}
	crds := loadCRDs(ctx, g, opts.CRDs, opts.ClusterCRDs, add)
	rep.Resources = validateKubeFiles(ctx, kube.files, opts, cat, crds, sup, add)
	for _, dir := range tfDirs {
		if err := validateTerraform(ctx, dir, opts, add); err != nil {
			return nil, err
		}
	}
	sup.apply(rep, g, opts.Unsuppressible, add)
	for i, f := range rep.Findings {
		if orig, ok := spooled[f.File]; ok {
			rep.Findings[i].File = orig
		}
		if shown, ok := kube.shown[f.File]; ok {
			// Lines of rendered output are not lines of the template or
			// source file the finding names: it names the object instead.
			rep.Findings[i].File, rep.Findings[i].Via, rep.Findings[i].Line, rep.Findings[i].Column = shown.file, shown.via, 0, 0
		}
	}
	if opts.Baseline != nil {
		opts.Baseline.apply(rep, opts.Unsuppressible)
	}
	rep.finish(opts.Strict)
	return rep, nil
}

// spoolPipe copies a pipe the rule lets it read (the CLI's /dev/stdin,
// <(helm template .)) into a temporary file of the same name (at most one
// byte over the size limit, which readBounded then reports) and returns
// that file; other paths are returned as they are, for collect to check.
func spoolPipe(g *fsguard.Guard, path string, spooled map[string]string) (string, error) {
	_, st, err := g.Resolve(path)
	if err != nil || st.Mode().IsRegular() || st.IsDir() {
		return path, nil
	}
	in, err := g.Open(path)
	if err != nil {
		return "", err
	}
	defer in.Close()
	dir, err := os.MkdirTemp("", "opsmcp-validate-")
	if err != nil {
		return "", err
	}
	tmp := filepath.Join(dir, filepath.Base(path))
	out, err := os.Create(tmp)
	if err == nil {
		_, err = io.Copy(out, io.LimitReader(in, g.MaxBytes()+1))
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	spooled[tmp] = path
	return tmp, nil
}

type input struct{ path, kind string }

// skipDirs are never walked into.
var skipDirs = map[string]bool{".git": true, ".terraform": true, "node_modules": true, ".cache": true, "vendor": true}

// collect lists what to validate under root, under g's rule: links out of
// the roots, pipes and devices in a tree are passed over (opening one could
// wait forever), and symlinked directories are not followed. A Helm chart
// or a kustomization is one input, validated as a whole: the walk does not
// enter it (its templates are not YAML, its files are built by it).
func collect(g *fsguard.Guard, root, typ string) ([]input, error) {
	_, st, err := g.Resolve(root)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		if typ == "helm" || (typ == "auto" && isPackagedChart(g, root)) {
			return []input{{root, "chart"}}, nil
		}
		kind := detect(g, root, typ)
		if kind == "" {
			if typ != "auto" {
				return nil, fmt.Errorf("%s is not a %s file", root, typ)
			}
			return nil, fmt.Errorf("%s is not a Kubernetes manifest, Dockerfile, compose file or Terraform file", root)
		}
		if kind == "terraform" {
			return []input{{filepath.Dir(root), kind}}, nil
		}
		return []input{{root, kind}}, nil
	}
	if unit := unitOf(g, root, typ); unit != "" {
		return []input{{root, unit}}, nil
	}
	unitsOnly := typ == "helm" || typ == "kustomize"
	var out []input
	err = g.WalkFiles(root, func(dir string) bool {
		if skipDirs[filepath.Base(dir)] {
			return true
		}
		if unit := unitOf(g, dir, typ); unit != "" {
			out = append(out, input{dir, unit})
			return true
		}
		return false
	}, func(path string) error {
		if unitsOnly {
			return nil
		}
		switch kind := detect(g, path, typ); kind {
		case "":
		case "terraform":
			out = append(out, input{filepath.Dir(path), kind})
		default:
			out = append(out, input{path, kind})
		}
		return nil
	})
	if err == nil && unitsOnly && len(out) == 0 {
		err = fmt.Errorf("%s holds no %s", root, map[string]string{"helm": "Helm chart (Chart.yaml)", "kustomize": "kustomization (kustomization.yaml)"}[typ])
	}
	return out, err
}

// detect says how a file is validated under the requested type.
func detect(g *fsguard.Guard, path, typ string) string {
	base := strings.ToLower(filepath.Base(path))
	ext := filepath.Ext(base)
	switch {
	case isComposeFile(base):
		if typ == "auto" || typ == "docker" {
			return "compose"
		}
	case isDockerfile(base):
		if typ == "auto" || typ == "docker" {
			return "docker"
		}
	case ext == ".tf":
		if typ == "auto" || typ == "terraform" {
			return "terraform"
		}
	case ext == ".yaml" || ext == ".yml" || ext == ".json":
		switch typ {
		case "kubernetes":
			return "kubernetes"
		case "auto":
			if looksLikeKubernetes(g, path) {
				return "kubernetes"
			}
			if ext == ".json" && looksLikePlan(g, path) {
				return "tfplan"
			}
		case "terraform":
			if ext == ".json" && looksLikePlan(g, path) {
				return "tfplan"
			}
		}
	}
	return ""
}

// looksLikeKubernetes peeks at a file for apiVersion and kind.
func looksLikeKubernetes(g *fsguard.Guard, path string) bool {
	head := peek(g, path)
	return strings.Contains(head, "apiVersion") && strings.Contains(head, "kind")
}

// looksLikePlan peeks at a JSON file for a Terraform plan.
func looksLikePlan(g *fsguard.Guard, path string) bool {
	return terraform.IsPlanJSON([]byte(peek(g, path)))
}

func peek(g *fsguard.Guard, path string) string {
	head, _ := g.Peek(path, 64<<10)
	return string(head)
}

// readBounded reads a file under g's rule; a refusal (too large, not
// allowed) is a finding.
func readBounded(g *fsguard.Guard, path string, add func(Finding)) ([]byte, bool) {
	data, err := g.ReadFile(path)
	if err != nil {
		msg := err.Error()
		var tl *fsguard.TooLargeError
		if errors.As(err, &tl) {
			msg = fmt.Sprintf("the file is larger than %d MB; files over %d MB are not validated", tl.Limit>>20, tl.Limit>>20)
		}
		add(Finding{Rule: "yaml-syntax", Severity: SeverityError, File: path, Message: msg})
		return nil, false
	}
	return data, true
}

// validateKubeFiles checks Kubernetes files on every CPU, one file at a
// time per worker. Findings go straight into the report (the report is
// sorted at the end, so arrival order does not matter) and only the small
// records the cross-file rules need are kept: memory grows with findings,
// not with resources. It returns the number of resources.
func validateKubeFiles(ctx context.Context, files []kubeSource, opts Options, cat *kubeschema.Catalog, crds *crdSchemas, sup *suppressions, add func(Finding)) int {
	var mu sync.Mutex
	var cross []crossInfo
	// later holds the documents no embedded schema knows: only custom
	// resources and removed APIs, so memory still grows with them, not
	// with the run.
	type pendingDoc struct {
		k *kubeChecker
		d *kubeDoc
	}
	var later []pendingDoc
	resources := 0
	locked := func(f Finding) {
		mu.Lock()
		add(f)
		mu.Unlock()
	}
	work := make(chan kubeSource)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(files), 1)) {
		wg.Go(func() {
			for src := range work {
				file, data, ok := src.file, src.data, true
				if data == nil {
					if data, ok = readBounded(opts.Files, file, locked); !ok {
						continue
					}
				}
				sup.scanComments(file, data, locked)
				k := &kubeChecker{opts: opts, catalog: cat, crds: crds, add: locked}
				if len(src.drop) > 0 {
					k.add = func(f Finding) {
						if !slices.Contains(src.drop, f.Rule) {
							locked(f)
						}
					}
				}
				parseKube(file, data, k.add, func(d *kubeDoc) {
					sup.addObject(d, locked)
					if d.gvk.GroupKind() == crdKind {
						crds.add(d.obj) // a CRD the apiserver refuses is reported by its own check
					}
					if cat.For(d.gvk) == nil {
						// A custom resource (or an API no longer served) is
						// checked once every file is read: its CRD may come later.
						mu.Lock()
						resources++
						later = append(later, pendingDoc{k, d})
						mu.Unlock()
						return
					}
					info := k.check(ctx, d)
					mu.Lock()
					resources++
					if info.crossFile() {
						cross = append(cross, info)
					}
					mu.Unlock()
				})
			}
		})
	}
	for _, f := range files {
		work <- f
	}
	close(work)
	wg.Wait()
	for _, p := range later {
		if info := p.k.check(ctx, p.d); info.crossFile() {
			cross = append(cross, info)
		}
	}
	(&kubeChecker{opts: opts, catalog: cat, crds: crds, add: add}).crossChecks(cross)
	return resources
}

// check runs every per-document check: schema, then (when the schema
// passed) the apiserver's own checks, then best-practice rules; with a
// cluster, a server-side dry run too. It returns what cross-file rules need.
func (k *kubeChecker) check(ctx context.Context, d *kubeDoc) crossInfo {
	if k.schemaCheck(d) {
		k.apiserverChecks(d)
	}
	info := k.bestPractices(d)
	if k.opts.Cluster != nil {
		if err := k.opts.Cluster(ctx, d.obj); err != nil {
			k.finding(d, "cluster-dry-run", nil, "the cluster refused it: "+err.Error(), "")
		}
	}
	if k.opts.Policy != nil {
		line, col := d.at(nil)
		runPolicy(ctx, k.opts.Policy, d.obj, Finding{File: d.file, Line: line, Column: col, Resource: d.resource()}, k.add)
	}
	return info
}

// runPolicy adds a policy's findings placed at where; a policy that fails
// to evaluate is an error finding (it blocks, as the gate does).
func runPolicy(ctx context.Context, check PolicyCheck, input any, where Finding, add func(Finding)) {
	fs, err := check(ctx, input)
	if err != nil {
		f := where
		f.Rule, f.Severity, f.Message = "policy-error", SeverityError, err.Error()
		add(f)
		return
	}
	for _, p := range fs {
		f := where
		f.Rule, f.Severity, f.Message, f.Hint = p.Rule, p.Severity, p.Message, p.Hint
		add(f)
	}
}
