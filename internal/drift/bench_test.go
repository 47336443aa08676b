package drift

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/terraform"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// BenchmarkTerraformDrift200 is a drift check of a 200-resource workspace
// (one resource drifted) against terraform plan -refresh-only run
// directly, in the same run: what opsmcp adds is showing the plan as
// JSON and reading it.
func BenchmarkTerraformDrift200(b *testing.B) {
	ws := b.TempDir()
	objects := testenv.DriftWorkspace(b, ws, `
resource "drifttest_object" "o" {
  count   = 200
  name    = "o${count.index}"
  content = "v1"
}
`)
	os.WriteFile(filepath.Join(objects, "o7.json"), []byte(`{"content":"by hand"}`), 0o644)
	ctx := context.Background()
	bin, err := terraform.Locate(ctx, "")
	if err != nil {
		b.Fatal(err)
	}
	var direct, ours time.Duration
	for b.Loop() {
		start := time.Now()
		cmd := exec.Command(bin.Path, "plan", "-refresh-only", "-input=false", "-no-color", "-out", filepath.Join(b.TempDir(), "p"))
		cmd.Dir, cmd.Env = ws, append(os.Environ(), "CHECKPOINT_DISABLE=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
		direct += time.Since(start)
		start = time.Now()
		t := Terraform(ctx, bin, ws, b.TempDir())
		ours += time.Since(start)
		if t.Status != Drifted || len(t.Resources) != 1 {
			b.Fatalf("%+v", t)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(ours.Milliseconds())/n, "ms/detect")
	b.ReportMetric(float64(direct.Milliseconds())/n, "ms/refresh-only")
	b.ReportMetric(float64(ours)/float64(direct), "ratio")
}
