package kube_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	repo "helm.sh/helm/v4/pkg/repo/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

func webChart() string { return filepath.Join(testenv.RepoRoot(nil), "testdata", "charts", "web") }

func objectActions(res map[string]any) map[string]string {
	out := map[string]string{}
	for _, o := range res["objects"].([]any) {
		m := o.(map[string]any)
		changed, _ := m["changed"].([]any)
		out[strings.ToLower(fmt.Sprint(m["kind"]))+"/"+fmt.Sprint(m["name"])] = fmt.Sprint(m["action"]) + fmt.Sprint(changed)
	}
	return out
}

// A chart from testdata installed, upgraded with a broken value (the
// release fails), and rolled back, with the real Helm SDK against kubesim;
// dry runs change nothing and name what would change; values under
// secret-looking keys never leave masked.
func TestHelmInstallUpgradeRollback(t *testing.T) {
	e := newEnv(t, config.ModeApply, nil)
	ns := e.Namespace()
	ctx := context.Background()
	const password = "hunter2-helm-db-password"
	install := map[string]any{"release": "shop", "chart": webChart(), "namespace": ns, "values": map[string]any{"db": map[string]any{"password": password}}}

	dry := map[string]any{"dry_run": true}
	for k, v := range install {
		dry[k] = v
	}
	res := e.MustOK(e.Call("helm_upgrade", dry))
	if got := objectActions(res); fmt.Sprint(got) != "map[configmap/shop-config:created[] deployment/shop:created[] service/shop:created[]]" || res["installed"] != true {
		t.Fatalf("install dry run: %v", got)
	}
	if _, err := e.CS.AppsV1().Deployments(ns).Get(ctx, "shop", metav1.GetOptions{}); err == nil {
		t.Fatal("the dry run created the deployment")
	}
	if list := e.MustOK(e.Call("helm_list", map[string]any{"namespace": ns})); len(list["releases"].([]any)) != 0 {
		t.Fatalf("the dry run recorded a release: %v", list)
	}

	out := e.Call("helm_upgrade", install)
	res = e.MustOK(out)
	rel := res["release"].(map[string]any)
	if rel["status"] != "deployed" || rel["revision"].(float64) != 1 || rel["chart"] != "web-0.1.0" || res["installed"] != true {
		t.Fatalf("install: %s", out.Text)
	}
	out = e.Call("helm_list", map[string]any{"namespace": ns})
	if list := e.MustOK(out); len(list["releases"].([]any)) != 1 || !strings.Contains(out.Text, "shop") || !strings.Contains(out.Text, "deployed") {
		t.Fatalf("helm_list:\n%s", out.Text)
	}
	out = e.Call("helm_status", map[string]any{"release": "shop", "namespace": ns})
	if st := e.MustOK(out); len(st["objects"].([]any)) != 3 || !strings.Contains(out.Text, "3 of 3 objects ready") {
		t.Fatalf("helm_status:\n%s", out.Text)
	}

	// The dry run of an upgrade names the changed paths per object.
	upgrade := map[string]any{"release": "shop", "chart": webChart(), "namespace": ns, "dry_run": true,
		"values": map[string]any{"image": map[string]any{"tag": "1.28"}, "db": map[string]any{"password": password}}}
	res = e.MustOK(e.Call("helm_upgrade", upgrade))
	got := objectActions(res)
	if got["deployment/shop"] != "configured[spec.template.spec.containers[web].image]" || got["configmap/shop-config"] != "unchanged[]" {
		t.Fatalf("upgrade dry run: %v", got)
	}

	broken := map[string]any{"release": "shop", "chart": webChart(), "namespace": ns, "values": map[string]any{"replicaCount": "many"}, "timeout_seconds": 60}
	out = e.Call("helm_upgrade", broken)
	if !out.IsError {
		t.Fatalf("a broken upgrade succeeded: %s", out.Text)
	}
	out = e.Call("helm_history", map[string]any{"release": "shop", "namespace": ns})
	hist := e.MustOK(out)["revisions"].([]any)
	if len(hist) != 2 || hist[0].(map[string]any)["status"] != "failed" || hist[1].(map[string]any)["status"] != "superseded" && hist[1].(map[string]any)["status"] != "deployed" {
		t.Fatalf("history after the broken upgrade:\n%s", out.Text)
	}

	scoped := newEnv(t, config.ModeReadOnly, func(k *config.Kubernetes) { k.Namespaces = []string{ns} })
	if out := scoped.Call("gather_context", map[string]any{}); !strings.Contains(out.Text, "helm release "+ns+"/shop revision 2 failed (web-0.1.0)") {
		t.Fatalf("gather_context does not show the failed release:\n%s", out.Text)
	}

	res = e.MustOK(e.Call("helm_rollback", map[string]any{"release": "shop", "namespace": ns, "revision": 1, "dry_run": true}))
	if res["from"].(float64) != 2 || res["to"].(float64) != 1 || !strings.Contains(fmt.Sprint(res["changed"]), "deployment/shop -n ") && !strings.Contains(fmt.Sprint(res["changed"]), "deployment/shop: spec.replicas") {
		t.Fatalf("rollback dry run: %v", res)
	}
	out = e.Call("helm_rollback", map[string]any{"release": "shop", "namespace": ns, "revision": 1})
	res = e.MustOK(out)
	if rel := res["release"].(map[string]any); rel["revision"].(float64) != 3 || rel["status"] != "deployed" {
		t.Fatalf("rollback: %s", out.Text)
	}
	d, err := e.CS.AppsV1().Deployments(ns).Get(ctx, "shop", metav1.GetOptions{})
	if err != nil || *d.Spec.Replicas != 2 {
		t.Fatalf("after the rollback: %v %v", d, err)
	}

	vals := e.Call("helm_values", map[string]any{"release": "shop", "namespace": ns, "revision": 1})
	if v := e.MustOK(vals); fmt.Sprint(v["values"]) != "map[db:map[password:(sensitive)]]" {
		t.Fatalf("helm_values: %v", v["values"])
	}
	if all := e.Everything(vals); strings.Contains(all, password) {
		t.Fatal("a secret value left the process")
	}
	ops, _ := e.Store.List(ctx, memory.Filter{Kind: memory.KindOperation})
	if len(ops.Entries) < 3 {
		t.Fatalf("%d release changes recorded in memory, want install, failed upgrade and rollback", len(ops.Entries))
	}

	e.MustFail(e.Call("helm_status", map[string]any{"release": "nope", "namespace": ns}), `no release "nope" in namespace `+ns)
	fenced := newEnv(t, config.ModeApply, func(k *config.Kubernetes) { k.Namespaces = []string{"default"} })
	fenced.MustFail(fenced.Call("helm_list", map[string]any{"namespace": ns}), `namespace "`+ns+`" is not allowed`)
	fenced.MustFail(fenced.Call("helm_list", map[string]any{"all_namespaces": true}), "all_namespaces: kubernetes.namespaces in opsmcp.yaml allows only default")
	restricted := newEnv(t, config.ModeApply, func(k *config.Kubernetes) {
		k.Contexts = []string{testenv.KubesimContext, testenv.KubesimRestrictedContext}
	})
	restricted.MustFail(restricted.Call("helm_list", map[string]any{"namespace": ns, "context": testenv.KubesimRestrictedContext}),
		`forbidden: user "restricted" (context kubesim-restricted) may not list helm releases (secrets) in namespace `+ns)
	outside := newEnv(t, config.ModeApply, func(k *config.Kubernetes) {})
	outside.Cfg.ReadPaths = []string{t.TempDir()}
	outside.MustFail(outside.Call("helm_upgrade", install), "not allowed")
}

// helm_upgrade installs from a packaged chart and from a chart repository
// (served on loopback, as a repository serves index.yaml and the .tgz),
// with values files merged under the inline values.
func TestHelmUpgradeFromAPackageAndARepository(t *testing.T) {
	e := newEnv(t, config.ModeApply, nil)
	ns := e.Namespace()
	ctx := context.Background()
	ch, err := loader.LoadDir(webChart())
	if err != nil {
		t.Fatal(err)
	}
	repoDir := t.TempDir()
	tgz, err := chartutil.Save(ch, repoDir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(repoDir)))
	defer srv.Close()
	index, err := repo.IndexDirectory(repoDir, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := index.WriteFile(filepath.Join(repoDir, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	valuesFile := filepath.Join(t.TempDir(), "prod.yaml")
	os.WriteFile(valuesFile, []byte("replicaCount: 3\nlogLevel: warn\n"), 0o644)

	res := e.MustOK(e.Call("helm_upgrade", map[string]any{"release": "packaged", "chart": tgz, "namespace": ns,
		"values_files": []string{valuesFile}, "values": map[string]any{"logLevel": "debug"}}))
	if res["release"].(map[string]any)["status"] != "deployed" {
		t.Fatalf("from the package: %v", res)
	}
	d, err := e.CS.AppsV1().Deployments(ns).Get(ctx, "packaged", metav1.GetOptions{})
	cm, _ := e.CS.CoreV1().ConfigMaps(ns).Get(ctx, "packaged-config", metav1.GetOptions{})
	if err != nil || *d.Spec.Replicas != 3 || cm.Data["LOG_LEVEL"] != "debug" {
		t.Fatalf("values files under inline values: %v replicas, LOG_LEVEL %q", d, cm.Data["LOG_LEVEL"])
	}

	res = e.MustOK(e.Call("helm_upgrade", map[string]any{"release": "fetched", "chart": "web", "repo": srv.URL, "version": "0.1.0", "namespace": ns}))
	if rel := res["release"].(map[string]any); rel["status"] != "deployed" || rel["chart"] != "web-0.1.0" {
		t.Fatalf("from the repository: %v", res)
	}
	e.MustFail(e.Call("helm_upgrade", map[string]any{"release": "fetched", "chart": "web", "repo": srv.URL, "version": "9.9.9", "namespace": ns}), "9.9.9")
	e.MustFail(e.Call("helm_upgrade", map[string]any{"release": "x", "chart": webChart(), "version": "1.0.0", "namespace": ns}), "version applies to a repository chart")

	// A values schema pointing at a local file is refused: Helm's validator
	// would read it from anywhere on the machine.
	ch.Schema = []byte(`{"type":"object","properties":{"logLevel":{"$ref":"file:///etc/passwd"}}}`)
	leaky, err := chartutil.Save(ch, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e.MustFail(e.Call("helm_upgrade", map[string]any{"release": "leaky", "chart": leaky, "namespace": ns, "dry_run": true}), "file:///etc/passwd outside itself")
}
