package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/testenv"
)

// costConfig points OPSMCP_CONFIG at a config pricing in us-east-1 with
// its own memory and price cache; it returns the directory.
func costConfig(t *testing.T) string {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "opsmcp.yaml")
	write(t, cfg, "memory: "+filepath.Join(dir, "memory.db")+"\ncost:\n  region: us-east-1\n  price_cache: "+filepath.Join(dir, "prices.json")+"\n")
	t.Setenv("OPSMCP_CONFIG", cfg)
	return dir
}

func TestCostCommand(t *testing.T) {
	ws := filepath.Join(testenv.RepoRoot(t), "testdata", "cost", "workspace")
	dir := costConfig(t)

	code, out, errs := run(t, "cost", ws)
	if code != 0 || !strings.Contains(out, "TOTAL") || !strings.Contains(out, "$579.69") || !strings.Contains(out, "unsupported, not in the total: aws_glue_job × 1") {
		t.Fatalf("table: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = run(t, "cost", "--format", "json", ws)
	var est struct {
		Total     string `json:"total_monthly_cost"`
		Resources []struct {
			Components []struct {
				UnitPrice   string `json:"unit_price"`
				PriceSource string `json:"price_source"`
				PriceDate   string `json:"price_date"`
			} `json:"components"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(out), &est); err != nil || code != 0 || est.Total != "579.69" || len(est.Resources) != 11 {
		t.Fatalf("json: exit %d %v\n%.400s", code, err, out)
	}
	if c := est.Resources[0].Components[0]; c.UnitPrice == "" || c.PriceSource == "" || c.PriceDate != "2026-11-01" {
		t.Errorf("component: %+v", c)
	}
	md := filepath.Join(dir, "cost.md")
	if code, _, errs := run(t, "cost", "--format", "markdown", "--output", md, ws); code != 0 {
		t.Fatalf("markdown: exit %d %s", code, errs)
	}
	data, _ := os.ReadFile(md)
	if !strings.HasPrefix(string(data), "**Estimated cost: $579.69 per month**") || !strings.Contains(string(data), "| `module.db.aws_db_instance.this` | $282.88 |") {
		t.Errorf("markdown:\n%s", data)
	}
	// Kubernetes manifests use cost.region and the default node pricing.
	if code, out, _ := run(t, "cost", filepath.Join(testenv.RepoRoot(t), "testdata", "cost", "manifests")); code != 0 || !strings.Contains(out, "$115.63") {
		t.Errorf("manifests: exit %d\n%s", code, out)
	}
	// A week, not a month.
	if code, out, _ := run(t, "cost", "--hours", "168", "--format", "json", filepath.Join(testenv.RepoRoot(t), "testdata", "cost", "manifests")); code != 0 || !strings.Contains(out, `"duration_hours": 168`) {
		t.Errorf("--hours: exit %d\n%.300s", code, out)
	}
	for _, bad := range [][]string{
		{"cost", "--format", "xml", ws},
		{"cost", "--hours", "0", ws},
		{"cost"},
	} {
		if code, _, errs := run(t, bad...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d %q", bad, code, errs)
		}
	}
	if code, _, errs := run(t, "cost", filepath.Join(dir, "missing")); code != 1 || !strings.Contains(errs, "missing") {
		t.Errorf("missing path: exit %d %q", code, errs)
	}
}

// --sync-usage-file writes every usage key the resources take, keeps what
// the file gives, and the file it writes is read back by the next run.
func TestCostSyncUsageFile(t *testing.T) {
	ws := filepath.Join(testenv.RepoRoot(t), "testdata", "cost", "workspace")
	dir := costConfig(t)
	usage := filepath.Join(dir, "usage.yml")
	write(t, usage, "version: 0.1\nresource_usage:\n  aws_s3_bucket.assets:\n    storage_gb: 500 # set by the team\n    objects: 12\n  aws_instance.*:\n    monthly_data_transfer_out_gb: 20\n")
	code, _, errs := run(t, "cost", "--sync-usage-file", "--usage", usage, ws)
	if code != 0 || !strings.Contains(errs, "synced "+usage) {
		t.Fatalf("sync: exit %d %s", code, errs)
	}
	data, _ := os.ReadFile(usage)
	text := string(data)
	for _, want := range []string{
		"version: 0.1",
		"storage_gb: 500",               // a value given is kept
		"objects: 12",                   // a key opsmcp does not read is kept
		"monthly_tier_1_requests: 0 # ", // a key not given is added, with what it is
		"aws_route53_zone.main:\n    monthly_queries: 0 # Standard queries: queries per month",
		"aws_instance.*:\n    monthly_data_transfer_out_gb: 20",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("synced file lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "aws_instance.web[0]:\n    monthly_data_transfer_out_gb") {
		t.Errorf("a key given through aws_instance.* is not repeated per instance:\n%s", text)
	}
	if !strings.Contains(text, `reserved_instance_term: "" # reservation term: 1_year or 3_year`) {
		t.Errorf("a string key is written unset:\n%s", text)
	}
	// The next run reads it, and a second sync changes nothing.
	if code, _, errs := run(t, "cost", "--sync-usage-file", "--usage", usage, ws); code != 0 {
		t.Fatalf("second sync: %d %s", code, errs)
	}
	again, _ := os.ReadFile(usage)
	if string(again) != text {
		t.Fatalf("a second sync changed the file:\n%s\n---\n%s", text, again)
	}
}
