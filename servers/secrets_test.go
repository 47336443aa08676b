package servers_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers"
)

// Known secrets planted where opsmcp's tools can see them: a Terraform
// sensitive variable and output, a Kubernetes Secret, a container's env
// var, and the AWS secret key the cloud server signs with. Every tool that
// can see them runs (against real terraform, kubesim and moto); none of the
// strings, nor their base64, is in any result, log line, memory entry,
// audit record, plan record or metric.
func TestNoPlantedSecretLeaks(t *testing.T) {
	const (
		tfSecret  = "tf-Pl4nted-S3cret-0x5eed"
		k8sSecret = "k8s-Pl4nted-S3cret-0xcafe"
		envSecret = "env-Pl4nted-S3cret-0xbeef"
		awsSecret = "awsPl4ntedS3cretKey0123456789abcdefghijkl"
	)
	k := testenv.SharedKubesim(t)
	moto := testenv.SharedMoto(t)
	moto.Reset(t)
	ns := k.Namespace(t)
	ws := testenv.CopyWorkspace(t, "demo")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAPLANTED000000001")
	t.Setenv("AWS_SECRET_ACCESS_KEY", awsSecret)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")

	cfg := k.Config(config.ModeApply)
	cfg.Terraform.Workspaces = []string{ws}
	cfg.Cloud.AWS = config.CloudAWS{Regions: []string{"us-east-1"}, Endpoint: moto.URL}
	cfg.Memory = filepath.Join(t.TempDir(), "memory.db")
	cfg.ReadPaths = testenv.TestReadPaths(t)
	store, err := memory.Open(context.Background(), cfg.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var logs bytes.Buffer
	cache := mcpkit.NewCache(0)
	rt := &mcpkit.Runtime{Config: cfg, Memory: store, Log: slog.New(mcpkit.NewLogHandler(&logs, slog.LevelDebug)), Principal: "leak-test", Cache: cache, Metrics: mcpkit.NewMetrics(cache)}
	hosts := map[string]*mcpkit.Host{}
	for _, s := range servers.All() {
		hosts[s.Name] = mcpkit.NewHost(s, rt)
	}
	var seen bytes.Buffer
	call := func(server, tool string, args map[string]any) map[string]any {
		t.Helper()
		raw, _ := json.Marshal(args)
		out := hosts[server].Call(context.Background(), tool, raw, nil)
		seen.Write(out.Structured)
		seen.WriteString(out.Text)
		var res map[string]any
		json.Unmarshal(out.Structured, &res)
		return res
	}

	// Terraform: a plan and apply of a workspace whose sensitive variable is
	// the planted secret and whose sensitive output carries it.
	plan := call("deploy", "apply_terraform", map[string]any{"workspace": ws, "variables": map[string]any{"db_password": tfSecret}})
	id, _ := plan["plan_id"].(string)
	if id == "" {
		t.Fatalf("no plan: %s", seen.String())
	}
	call("deploy", "estimate_costs", map[string]any{"infrastructure": id})
	if res := call("deploy", "apply_terraform", map[string]any{"workspace": ws, "plan_id": id, "auto_approve": true}); res["applied"] != true {
		t.Fatalf("apply: %v", res)
	}
	call("deploy", "gather_context", map[string]any{"workspace": ws})

	// Kubernetes: a Secret and a Deployment with a literal env secret.
	manifests := filepath.Join(t.TempDir(), "app.yaml")
	os.WriteFile(manifests, []byte(fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata: {name: app-db, namespace: %[1]s}
stringData: {password: %[2]s}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: %[1]s}
spec:
  replicas: 1
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
        - name: app
          image: nginx:1.27
          env:
            - {name: API_TOKEN, value: %[3]s}
            - name: DB_PASSWORD
              valueFrom: {secretKeyRef: {name: app-db, key: password}}
`, ns, k8sSecret, envSecret)), 0o644)
	if res := call("deploy", "deploy_kubernetes", map[string]any{"manifests": []string{manifests}, "timeout_seconds": 60}); res["rolled_out"] != true {
		t.Fatalf("deploy_kubernetes: %s", seen.String())
	}
	call("deploy", "validate_deployment", map[string]any{"config_path": manifests})
	call("deploy", "validate_deployment", map[string]any{"config_path": manifests, "cluster": true})
	call("deploy", "estimate_costs", map[string]any{"infrastructure": manifests})
	for tool, args := range map[string]map[string]any{
		"get_pods": {"namespace": ns}, "list_deployments": {"namespace": ns}, "get_events": {"namespace": ns},
		"rollout_status": {"namespace": ns, "name": "app"}, "gather_context": {},
	} {
		call("kube", tool, args)
	}

	// AWS: every call signed with the planted secret key.
	for _, tool := range []string{"aws_whoami", "aws_list_instances", "aws_list_buckets", "aws_list_databases", "gather_context"} {
		call("cloud", tool, map[string]any{})
	}

	// The orchestrator sees everything the servers return.
	call("experts", "gather_context", map[string]any{"scope": map[string]any{"workspace": ws}})
	call("experts", "consult_experts", map[string]any{"question": "is it safe to apply " + ws + "?", "scope": map[string]any{"workspace": ws}})

	rec := httptest.NewRecorder()
	rt.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	var stored bytes.Buffer
	entries, _ := store.List(context.Background(), memory.Filter{})
	audit, _ := store.ListAudit(context.Background(), 0)
	plans, _ := store.ListPlans(context.Background(), memory.PlanFilter{})
	for _, v := range []any{entries.Entries, audit, plans} {
		b, _ := json.Marshal(v)
		stored.Write(b)
	}
	if len(entries.Entries) < 3 || len(audit) < 3 {
		t.Fatalf("the tools recorded too little to judge: %d entries, %d audit records", len(entries.Entries), len(audit))
	}
	for where, text := range map[string]string{"results": seen.String(), "logs": logs.String(), "memory": stored.String(), "metrics": rec.Body.String()} {
		for _, s := range []string{tfSecret, k8sSecret, envSecret, awsSecret} {
			if strings.Contains(text, s) {
				t.Errorf("%s holds the planted secret %s", where, s)
			}
			if b64 := b64(s); strings.Contains(text, b64) {
				t.Errorf("%s holds the planted secret %s in base64", where, s)
			}
		}
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
