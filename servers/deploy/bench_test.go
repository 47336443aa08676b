package deploy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/terraform"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

// BenchmarkPlan200 times apply_terraform's plan step on a workspace of 200
// terraform_data resources against running `terraform plan -out` and
// `terraform show -json` directly on the same workspace, interleaved in the
// same run (target: ratio <= 1.2).
func BenchmarkPlan200(b *testing.B) {
	tf := testenv.Terraform(b)
	ws := filepath.Join(b.TempDir(), "ws")
	os.MkdirAll(ws, 0o755)
	var src strings.Builder
	for i := range 200 {
		fmt.Fprintf(&src, "resource \"terraform_data\" \"r%03d\" {\n  input = \"value-%d\"\n}\n\n", i, i)
	}
	os.WriteFile(filepath.Join(ws, "main.tf"), []byte(src.String()), 0o644)
	env := terraform.Env()
	runTF := func(args ...string) {
		cmd := exec.Command(tf, args...)
		cmd.Dir, cmd.Env = ws, env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("terraform %v: %v\n%s", args, err, out)
		}
	}
	runTF("init", "-input=false")

	cfg := config.Default()
	cfg.Mode = config.ModePlan
	cfg.Memory = filepath.Join(b.TempDir(), "memory.db")
	cfg.Terraform.Workspaces = []string{ws}
	store, err := memory.Open(context.Background(), cfg.Memory)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	h := mcpkit.NewHost(deploy.New(), &mcpkit.Runtime{Config: cfg, Memory: store, Log: slog.New(slog.DiscardHandler)})
	args, _ := json.Marshal(map[string]any{"workspace": ws})
	planFile := filepath.Join(b.TempDir(), "direct.tfplan")

	var ours, direct time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		out := h.Call(context.Background(), "apply_terraform", args, nil)
		ours += time.Since(start)
		if out.IsError {
			b.Fatal(out.Text)
		}
		start = time.Now()
		runTF("plan", "-input=false", "-out="+planFile)
		runTF("show", "-json", planFile)
		direct += time.Since(start)
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(ours.Milliseconds())/n, "opsmcp-ms/plan")
	b.ReportMetric(float64(direct.Milliseconds())/n, "terraform-ms/plan")
	b.ReportMetric(float64(ours)/float64(direct), "ratio")
}
