package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/testenv"
)

// prices refresh against a Price List stub writes the cache that opsmcp
// cost then prefers; without credentials each provider is skipped with
// the reason and nothing is written.
func TestPricesRefresh(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "prices.json")
	cfg := filepath.Join(dir, "opsmcp.yaml")
	write(t, cfg, "memory: "+filepath.Join(dir, "memory.db")+"\ncost:\n  price_cache: "+cache+"\ncloud:\n  aws:\n    regions: [eu-west-1]\n")
	t.Setenv("OPSMCP_CONFIG", cfg)
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(dir, "none.json"))

	code, _, errs := run(t, "prices", "refresh")
	if code != 1 || !strings.Contains(errs, "skipped aws: ") || !strings.Contains(errs, "no AWS credentials") || !strings.Contains(errs, "skipped gcp: ") {
		t.Fatalf("no credentials: exit %d %q", code, errs)
	}
	if _, err := os.Stat(cache); err == nil {
		t.Fatal("a cache was written with nothing refreshed")
	}
	if code, _, _ := run(t, "prices", "refresh", "--provider", "azure"); code != 2 {
		t.Errorf("--provider azure: exit %d", code)
	}

	stub := testenv.NewPriceListStub(t, [][]string{{testenv.EC2Product("S1", "m5.large", "eu-west-1", "Linux", "0.1111")}}, 0)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_ENDPOINT_URL_PRICING", stub.URL)
	code, out, errs := run(t, "prices", "refresh", "--provider", "aws")
	if code != 0 || !strings.Contains(out, "1 live prices (aws 1)") {
		t.Fatalf("refresh: exit %d %q %q", code, out, errs)
	}
	inline := filepath.Join(dir, "infra.json")
	write(t, inline, `{"resources":[{"type":"aws_instance","region":"eu-west-1","attributes":{"instance_type":"m5.large","root_block_device":[{"volume_size":8,"volume_type":"gp2"}]}}]}`)
	code, out, _ = run(t, "cost", "--format", "json", inline)
	today := time.Now().UTC().Format(time.DateOnly)
	// 730 × 0.1111 (live) + 8 GB gp2 × 0.11 (embedded eu-west-1) = 81.103 + 0.88
	if code != 0 || !strings.Contains(out, `"total_monthly_cost": "81.98"`) || !strings.Contains(out, `"price_source": "AWS Price List (AmazonEC2 on-demand, effective 2026-11-01)"`) ||
		!strings.Contains(out, `"price_date": "`+today+`"`) || !strings.Contains(out, `"live_date": "`+today+`"`) {
		t.Errorf("cost with live prices: exit %d\n%s", code, out)
	}

	// A rate the catalog lacks (Windows) is looked up live once, with the
	// environment's credentials, and kept in the cache: the next estimate
	// asks nothing.
	old := testenv.NewPriceListStub(t, [][]string{{testenv.EC2Product("S2", "x2gd.medium", "eu-west-1", "Windows", "0.073")}}, 0)
	t.Setenv("AWS_ENDPOINT_URL_PRICING", old.URL)
	write(t, inline, `{"resources":[{"address":"aws_instance.w","type":"aws_instance","region":"eu-west-1","attributes":{"instance_type":"x2gd.medium","root_block_device":[{"volume_size":8,"volume_type":"gp2"}]}}]}`)
	usage := filepath.Join(t.TempDir(), "usage.yml")
	write(t, usage, "version: 0.1\nresource_usage:\n  aws_instance.w:\n    operating_system: windows\n")
	for i := 0; i < 2; i++ {
		code, out, errs = run(t, "cost", "--format", "json", "--usage", usage, inline)
		// 730 × 0.073 + 8 × 0.11
		if code != 0 || !strings.Contains(out, `"total_monthly_cost": "54.17"`) || !strings.Contains(out, "looked up live") {
			t.Fatalf("live lookup %d: exit %d\n%s\n%s", i, code, out, errs)
		}
		if old.Requests() != 1 {
			t.Errorf("run %d: %d Price List requests, want 1 in all", i, old.Requests())
		}
	}
	data, _ := os.ReadFile(cache)
	if !strings.Contains(string(data), `"aws/ec2/eu-west-1/x2gd.medium/windows"`) || !strings.Contains(string(data), `"aws/ec2/eu-west-1/m5.large"`) {
		t.Errorf("the cache keeps the refreshed and the looked-up prices:\n%s", data)
	}
}
