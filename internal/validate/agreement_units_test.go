package validate_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/helmchart"
	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/internal/validate"
)

// objectsOf splits YAML into objects, as kubectl reads them (YAML to
// JSON with sigs.k8s.io/yaml; a List's items); empty documents are skipped.
func objectsOf(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	objs, err := readObjects(data)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func readObjects(data []byte) ([]map[string]any, error) {
	var out []map[string]any
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, err
		}
		if s := strings.TrimSpace(string(j)); s == "null" || s == "{}" {
			continue
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(j); err != nil {
			return nil, err
		}
		if !u.IsList() {
			out = append(out, u.Object)
			continue
		}
		list, err := u.ToList()
		if err != nil {
			return nil, err
		}
		for i := range list.Items {
			out = append(out, list.Items[i].Object)
		}
	}
}

// resourceName is Kind/namespace/name, as findings name objects.
func resourceName(obj map[string]any) string {
	u := unstructured.Unstructured{Object: obj}
	if ns := u.GetNamespace(); ns != "" {
		return u.GetKind() + "/" + ns + "/" + u.GetName()
	}
	return u.GetKind() + "/" + u.GetName()
}

// installCRDs creates the CRDs of dir on the cluster and waits until
// they are served.
func installCRDs(t *testing.T, cl *kube.Cluster, dir string) {
	t.Helper()
	ctx := context.Background()
	gvr := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		for _, obj := range objectsOf(t, data) {
			u := &unstructured.Unstructured{Object: obj}
			if _, err := cl.Dynamic.Resource(gvr).Create(ctx, u, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
				t.Fatal(err)
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				got, err := cl.Dynamic.Resource(gvr).Get(ctx, u.GetName(), metav1.GetOptions{})
				established := false
				if err == nil {
					conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
					for _, c := range conds {
						m, _ := c.(map[string]any)
						established = established || (m["type"] == "Established" && m["status"] == "True")
					}
				}
				if established {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("CRD %s not established", u.GetName())
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
	cl.Discovery().Invalidate()
	cl.Mapper.Reset()
}

// Charts rendered, overlays built and custom resources checked against
// their CRDs get, object by object, the same verdict offline as from the
// real apiserver (with the CRDs installed). The objects sent to the
// apiserver are rendered here with Helm's and kustomize's own libraries,
// apart from opsmcp's validation path.
func TestAgreementOnChartsOverlaysAndCustomResources(t *testing.T) {
	k := testenv.SharedKubesim(t)
	cl, err := kube.Connect(config.Kubernetes{Kubeconfig: k.Kubeconfig}, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	root := filepath.Join(testenv.RepoRoot(t), "testdata", "validate")
	crds := filepath.Join(root, "crds", "definitions")
	installCRDs(t, cl, crds)
	cs := k.Clientset(t)
	for _, ns := range []string{"shop-staging", "shop-prod"} {
		if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
	}
	g := fsguard.CommandLine(16 << 20)

	type unit struct {
		name    string
		path    string
		opts    validate.Options
		objects []map[string]any
	}
	var units []unit
	chart := func(dir string, valuesFiles ...string) {
		path := filepath.Join(root, "helm", dir)
		ch, err := helmchart.Load(g, path)
		if err != nil {
			t.Fatal(err)
		}
		vals, err := helmchart.Values(g, valuesFiles, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		ms, err := helmchart.Render(ch, helmchart.RenderOptions{Values: vals})
		if err != nil {
			t.Fatal(err)
		}
		var objs []map[string]any
		for _, m := range ms {
			objs = append(objs, objectsOf(t, []byte(m.Content))...)
		}
		units = append(units, unit{"chart " + dir + " " + strings.Join(valuesFiles, " "), path,
			validate.Options{Chart: validate.ChartOptions{ValuesFiles: valuesFiles}}, objs})
	}
	chart("shop")
	chart("shop", filepath.Join(root, "helm", "shop", "ci", "bad-ingress-host.yaml"))
	chart("broken")
	chart("strict")
	for _, overlay := range []string{"base", "overlays/staging", "overlays/prod"} {
		path := filepath.Join(root, "kustomize", "shop", overlay)
		opts := krusty.MakeDefaultOptions()
		opts.LoadRestrictions = types.LoadRestrictionsNone
		res, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), path)
		if err != nil {
			t.Fatal(err)
		}
		yml, err := res.AsYaml()
		if err != nil {
			t.Fatal(err)
		}
		units = append(units, unit{"kustomize " + overlay, path, validate.Options{}, objectsOf(t, yml)})
	}
	crs, _ := filepath.Glob(filepath.Join(root, "crds", "resources", "*.yaml"))
	for _, f := range crs {
		data, _ := os.ReadFile(f)
		units = append(units, unit{"custom resource " + filepath.Base(f), f, validate.Options{CRDs: []string{crds}}, objectsOf(t, data)})
	}

	var disagree []string
	accepted, refused := 0, 0
	for _, u := range units {
		if len(u.objects) == 0 {
			t.Fatalf("%s renders no objects", u.name)
		}
		u.opts.Type, u.opts.Strict = "auto", true
		rep, err := validate.Run(ctx, []string{u.path}, u.opts)
		if err != nil {
			t.Fatalf("%s: %v", u.name, err)
		}
		offline := map[string][]string{}
		for _, f := range rep.Findings {
			if f.Severity == validate.SeverityError {
				offline[f.Resource] = append(offline[f.Resource], f.Rule+": "+f.Message)
			}
		}
		names := map[string]bool{}
		for _, obj := range u.objects {
			name := resourceName(obj)
			names[name] = true
			serverErr := cl.DryRunCreate(ctx, obj)
			if serverErr == nil {
				accepted++
			} else {
				refused++
			}
			if (serverErr == nil) != (len(offline[name]) == 0) {
				disagree = append(disagree, u.name+" "+name+": offline "+strings.Join(offline[name], "; ")+" | apiserver: "+errString(serverErr))
			}
		}
		for name, msgs := range offline {
			if !names[name] {
				disagree = append(disagree, u.name+": an error on no rendered object: "+name+" "+strings.Join(msgs, "; "))
			}
		}
	}
	sort.Strings(disagree)
	t.Logf("%d units, %d objects: the apiserver accepts %d and refuses %d", len(units), accepted+refused, accepted, refused)
	if refused < 10 || accepted < 10 {
		t.Fatalf("the corpus needs both verdicts: %d accepted, %d refused", accepted, refused)
	}
	if len(disagree) > 0 {
		t.Fatalf("%d disagreements:\n%s", len(disagree), strings.Join(slices.Compact(disagree), "\n"))
	}

	// --cluster: the cluster's CRDs check custom resources without --crds.
	cel := filepath.Join(root, "crds", "resources", "i-widget-cel.yaml")
	rep, err := validate.Run(ctx, []string{cel}, validate.Options{Strict: true})
	if err != nil || rep.Errors != 0 || rep.Warnings != 1 || rep.Findings[0].Rule != "unknown-kind" || !strings.Contains(rep.Findings[0].Hint, "--crds") {
		t.Fatalf("without a CRD, a custom resource is a warning saying how to supply one: %v\n%s", err, validate.Text(rep, false))
	}
	rep, err = validate.Run(ctx, []string{cel}, validate.Options{Strict: true, ClusterCRDs: cl.CRDs})
	if err != nil || rep.Errors != 1 || rep.Findings[0].Rule != "crd-rule" || !strings.Contains(rep.Findings[0].Message, "minReplicas must not exceed maxReplicas") {
		t.Fatalf("with the cluster's CRDs: %v\n%s", err, validate.Text(rep, false))
	}
}
