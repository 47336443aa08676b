package cost

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/testenv"
)

// planJSON writes a plan JSON of n resource changes across priced, free
// and unsupported types, half of them updates with a prior state.
func planJSON(b *testing.B, n int) string {
	kinds := []struct {
		typ   string
		attrs map[string]any
	}{
		{"aws_instance", map[string]any{"instance_type": "m5.large", "root_block_device": []any{map[string]any{"volume_type": "gp3", "volume_size": 20}}}},
		{"aws_ebs_volume", map[string]any{"type": "gp3", "size": 100, "iops": 4000}},
		{"aws_db_instance", map[string]any{"engine": "postgres", "instance_class": "db.m5.large", "allocated_storage": 100, "multi_az": true}},
		{"aws_nat_gateway", map[string]any{}},
		{"aws_s3_bucket", map[string]any{"bucket": "b"}},
		{"aws_security_group", map[string]any{"name": "sg"}},
		{"aws_glue_job", map[string]any{"name": "j"}},
		{"aws_lambda_function", map[string]any{"memory_size": 256}},
	}
	var changes []map[string]any
	for i := range n {
		k := kinds[i%len(kinds)]
		rc := map[string]any{"address": fmt.Sprintf("%s.r%d", k.typ, i), "mode": "managed", "type": k.typ, "name": fmt.Sprintf("r%d", i),
			"provider_name": "registry.terraform.io/hashicorp/aws"}
		change := map[string]any{"actions": []string{"create"}, "before": nil, "after": k.attrs, "after_unknown": map[string]any{"id": true}}
		if i%2 == 0 {
			change["actions"] = []string{"update"}
			change["before"] = k.attrs
		}
		rc["change"] = change
		changes = append(changes, rc)
	}
	plan := map[string]any{"format_version": "1.2", "terraform_version": "1.11.4", "resource_changes": changes,
		"configuration": map[string]any{"provider_config": map[string]any{"aws": map[string]any{"name": "aws", "expressions": map[string]any{"region": map[string]any{"constant_value": "us-east-1"}}}}}}
	data, _ := json.Marshal(plan)
	path := filepath.Join(b.TempDir(), "plan.json")
	os.WriteFile(path, data, 0o644)
	return path
}

// BenchmarkPlan10k loads and estimates a 10,000-resource plan JSON.
func BenchmarkPlan10k(b *testing.B) {
	path := planJSON(b, 10_000)
	b.ReportAllocs()
	for b.Loop() {
		in, err := Load(nil, path, nil)
		if err != nil {
			b.Fatal(err)
		}
		est, err := in.Estimate(Options{IncludeDataTransfer: true})
		if err != nil || len(est.Resources) != 7500 {
			b.Fatalf("%v: %d resources", err, len(est.Resources))
		}
	}
}

// BenchmarkWorkspace1000 reads and estimates a 1,000-resource HCL workspace.
func BenchmarkWorkspace1000(b *testing.B) {
	dir := b.TempDir()
	var src strings.Builder
	src.WriteString("provider \"aws\" {\n  region = var.region\n}\nvariable \"region\" {\n  default = \"us-east-1\"\n}\nlocals {\n  sizes = { a = 10, b = 20, c = 30, d = 40, e = 50 }\n}\n")
	for i := range 100 {
		fmt.Fprintf(&src, "resource \"aws_instance\" \"web%d\" {\n  count = 5\n  ami = \"ami-1\"\n  instance_type = \"m5.large\"\n  tags = { Name = \"web-${count.index}\" }\n  root_block_device {\n    volume_type = \"gp3\"\n    volume_size = 20 + count.index\n  }\n}\n", i)
		fmt.Fprintf(&src, "resource \"aws_ebs_volume\" \"v%d\" {\n  for_each = local.sizes\n  availability_zone = \"us-east-1a\"\n  type = \"gp3\"\n  size = each.value\n}\n", i)
	}
	os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src.String()), 0o644)
	b.ReportAllocs()
	for b.Loop() {
		in, err := Load(nil, dir, nil)
		if err != nil {
			b.Fatal(err)
		}
		est, err := in.Estimate(Options{})
		if err != nil || len(est.Resources) != 1000 {
			b.Fatalf("%v: %d resources", err, len(est.Resources))
		}
	}
}

// BenchmarkPlan10kCLI is `opsmcp cost plan.json --format json` on the same
// plan, as a process: wall time and peak RSS.
func BenchmarkPlan10kCLI(b *testing.B) {
	path := planJSON(b, 10_000)
	ops := filepath.Join(testenv.Binaries(b), "opsmcp")
	dir := b.TempDir()
	cfg := filepath.Join(dir, "opsmcp.yaml")
	os.WriteFile(cfg, []byte("memory: "+filepath.Join(dir, "memory.db")+"\ncost:\n  price_cache: "+filepath.Join(dir, "prices.json")+"\n"), 0o644)
	var wall time.Duration
	var peaks []int64
	for b.Loop() {
		m := testenv.PeakRSS(b, ops, "--config", cfg, "cost", path, "--format", "json", "--output", filepath.Join(dir, "out.json"))
		if m.ExitCode != 0 {
			b.Fatalf("exit %d: %s", m.ExitCode, m.Output)
		}
		wall += m.Wall
		peaks = append(peaks, m.PeakRSS)
	}
	slices.Sort(peaks)
	b.ReportMetric(float64(wall.Milliseconds())/float64(len(peaks)), "ms/run")
	b.ReportMetric(float64(peaks[len(peaks)/2])/(1<<20), "peak-MB-median")
	b.ReportMetric(float64(peaks[len(peaks)-1])/(1<<20), "peak-MB-max")
}

// BenchmarkEstimateOneResource is the floor of every estimate: what a call
// on a one-resource workspace costs beyond the resource itself.
func BenchmarkEstimateOneResource(b *testing.B) {
	rs := []Resource{{Address: "aws_instance.web", Type: "aws_instance", Region: "us-east-1", Attributes: map[string]any{"instance_type": "m5.large"}}}
	b.ReportAllocs()
	for b.Loop() {
		est, err := EstimateResources(rs, nil, nil, Options{})
		if err != nil || len(est.Resources) != 1 {
			b.Fatalf("%v: %d resources", err, len(est.Resources))
		}
	}
}
