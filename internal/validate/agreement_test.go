package validate_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/internal/validate"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopSharedKubesim()
	os.Exit(code)
}

// apiserverVerdict sends every object of a file through the path kubectl
// takes (YAML to JSON with sigs.k8s.io/yaml, then a create) as a server-side
// dry run with strict field validation; nil means the apiserver accepts all.
func apiserverVerdict(ctx context.Context, cl *kube.Cluster, data []byte) error {
	objs, err := readObjects(data)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if err := cl.DryRunCreate(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

// Every manifest of the corpus gets the same verdict offline as from the
// real apiserver; none the apiserver refuses passes offline.
func TestAgreementWithTheAPIServer(t *testing.T) {
	k := testenv.SharedKubesim(t)
	cl, err := kube.Connect(config.Kubernetes{Kubeconfig: k.Kubeconfig}, "")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(testenv.RepoRoot(t), "testdata", "validate", "kubernetes", "corpus")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if len(names) < 60 {
		t.Fatalf("the corpus has %d manifests; it needs at least 60", len(names))
	}
	ctx := context.Background()
	var disagree []string
	accepted, refused := 0, 0
	for _, name := range names {
		path := filepath.Join(dir, name)
		data, _ := os.ReadFile(path)
		serverErr := apiserverVerdict(ctx, cl, data)
		rep, err := validate.Run(ctx, []string{path}, validate.Options{Type: "kubernetes", Strict: true})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		offlineOK := rep.Errors == 0
		if serverErr == nil {
			accepted++
		} else {
			refused++
		}
		// The file name says what the corpus author meant; both must agree with it too.
		wantOK := strings.HasPrefix(name, "v")
		switch {
		case (serverErr == nil) != wantOK:
			disagree = append(disagree, name+": the apiserver's verdict differs from the corpus label: "+errString(serverErr))
		case offlineOK != (serverErr == nil):
			var msgs []string
			for _, f := range rep.Findings {
				if f.Severity == validate.SeverityError {
					msgs = append(msgs, f.Rule+": "+f.Message)
				}
			}
			disagree = append(disagree, name+": offline valid="+boolString(offlineOK)+" "+strings.Join(msgs, "; ")+" | apiserver: "+errString(serverErr))
		}
	}
	t.Logf("%d manifests: the apiserver accepts %d and refuses %d", len(names), accepted, refused)
	if len(disagree) > 0 {
		t.Fatalf("%d disagreements:\n%s", len(disagree), strings.Join(disagree, "\n"))
	}
}

func errString(err error) string {
	if err == nil {
		return "accepted"
	}
	return err.Error()
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// cluster: true asks the live cluster too: what only it can know (a
// namespace that does not exist, a kind it does not serve) becomes a
// cluster-dry-run error; what it accepts adds nothing.
func TestClusterDryRun(t *testing.T) {
	k := testenv.SharedKubesim(t)
	cl, err := kube.Connect(config.Kubernetes{Kubeconfig: k.Kubeconfig}, "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	opts := validate.Options{Type: "kubernetes", Strict: true, Cluster: cl.DryRunCreate}
	ctx := context.Background()
	ok := write("ok.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n  namespace: default\n")
	rep, err := validate.Run(ctx, []string{ok}, opts)
	if err != nil || rep.Errors != 0 {
		t.Fatalf("accepted object: %v\n%s", err, validate.Text(rep, false))
	}
	for file, want := range map[string]string{
		write("nsless.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lost\n  namespace: no-such-namespace\n"): `namespaces "no-such-namespace" not found`,
		write("crd.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: default\n"):        "no matches for kind",
	} {
		rep, err := validate.Run(ctx, []string{file}, opts)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range rep.Findings {
			found = found || (f.Rule == "cluster-dry-run" && f.Severity == validate.SeverityError && strings.Contains(f.Message, want))
		}
		if !found || rep.Valid {
			t.Fatalf("%s: want a cluster-dry-run error containing %q:\n%s", filepath.Base(file), want, validate.Text(rep, false))
		}
	}
}
