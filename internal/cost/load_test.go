package cost

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func testdata(parts ...string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(append([]string{filepath.Dir(file), "..", "..", "testdata", "cost"}, parts...)...)
}

func money(est *Estimate, t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range est.Resources {
		out[r.Address] = Dec(r.MonthlyCost).Money()
	}
	return out
}

// A workspace read with hcl/v2 alone: variables from defaults, tfvars and
// auto.tfvars, locals, count and for_each, a provider alias, a local
// module with inputs; what cannot be known is reported, never priced at 0.
func TestWorkspace(t *testing.T) {
	in, err := Load(nil, testdata("workspace"), nil)
	if err != nil {
		t.Fatal(err)
	}
	est, err := in.Estimate(Options{IncludeDataTransfer: true})
	if err != nil {
		t.Fatal(err)
	}
	got := money(est, t)
	for addr, want := range map[string]string{
		// m5.large in us-east-2 (var.region default): 730 × 0.096 = 70.08; gp3 30 GB × 0.08 = 2.40
		"aws_instance.web[0]": "72.48", "aws_instance.web[1]": "72.48",
		// gp3 500 GB × 0.08 = 40; 3,000 IOPS over the baseline × 0.005 = 15
		`aws_ebs_volume.extra["data"]`: "55.00",
		`aws_ebs_volume.extra["logs"]`: "8.00",
		// the aws.ireland provider: eu-west-1, 730 × 0.048
		"aws_nat_gateway.eu": "35.04",
		// 2 × 730 × 0.021811 + 8 × 730 × 0.002923 + 20 × 0.17 = 52.31438
		"google_compute_instance.vm": "52.31",
		// module inputs: db.m5.large Multi-AZ: 2 × 730 × 0.178 = 259.88; 2 × 100 GB × 0.115 = 23
		"module.db.aws_db_instance.this": "282.88",
		"aws_kms_key.main":               "1.00",
		"aws_route53_zone.main":          "0.50",
		"aws_s3_bucket.assets":           "0.00",
		"aws_instance.from_data":         "0.00",
	} {
		if got[addr] != want {
			t.Errorf("%s: %q, want %s", addr, got[addr], want)
		}
	}
	if len(est.Resources) != 11 {
		t.Errorf("%d resources: %v", len(est.Resources), got)
	}
	// 144.96 + 55 + 8 + 35.04 + 52.31438 + 282.88 + 1 + 0.5
	if s := Dec(est.TotalMonthlyCost).Money(); s != "579.69" {
		t.Errorf("total %s", s)
	}
	if len(est.Unpriced) != 1 || est.Unpriced[0].Address != "aws_instance.from_data" || !strings.Contains(est.Unpriced[0].Reason, "instance_type is not known until apply") {
		t.Errorf("unpriced: %+v", est.Unpriced)
	}
	if len(est.Unsupported) != 1 || est.Unsupported[0] != (TypeCount{"aws_glue_job", 1}) {
		t.Errorf("unsupported: %+v", est.Unsupported)
	}
	if len(est.Free) != 1 || est.Free[0] != (TypeCount{"aws_vpc", 1}) {
		t.Errorf("free: %+v", est.Free)
	}
	if !strings.Contains(strings.Join(est.Unresolved, "\n"), `module.remote: module source "terraform-aws-modules/vpc/aws" is not local`) {
		t.Errorf("unresolved: %q", est.Unresolved)
	}
}

// Pods priced three ways, each figure worked by hand.
func TestManifests(t *testing.T) {
	in, err := Load(nil, testdata("manifests"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mode, nodeType, region string
		web, agent, total      string
	}{
		// web: each pod reserves max(0.5+0.25, init 1) = 1 vCPU, max(1+0.5, 1) = 1.5 GiB: half an m5.large
		// (CPU-bound): 3 × 0.5 × 730 × 0.096 = 105.12; agent: 0.1/2 = 0.05 × 3 nodes × 730 × 0.096 = 10.512
		{"node", "aws:m5.large", "us-east-1", "105.12", "10.51", "115.63"},
		// web: 1 vCPU, 1.5 + 0.25 GB → the 1 vCPU / 2 GB configuration: 3 × 730 × (0.04048 + 2 × 0.004445) = 108.1203
		// agent: 0.25 vCPU, 0.5 GB: 3 × 730 × (0.25 × 0.04048 + 0.5 × 0.004445) = 27.030075
		{"eks-fargate", "", "us-east-1", "108.12", "27.03", "135.15"},
		// web: 3 × 730 × (0.0445 + 1.5 × 0.0049225) = 113.6254125
		// agent: minimums 0.25 vCPU, 0.5 GB: 3 × 730 × (0.25 × 0.0445 + 0.5 × 0.0049225) = 29.7538875
		{"gke-autopilot", "", "us-central1", "113.63", "29.75", "143.38"},
	} {
		est, err := in.Estimate(Options{DefaultRegion: tc.region, Kubernetes: KubePricing{Mode: tc.mode, NodeType: tc.nodeType, Nodes: 3}})
		if err != nil {
			t.Fatal(err)
		}
		got := money(est, t)
		if got["Deployment/prod/web"] != tc.web || got["DaemonSet/kube-system/agent"] != tc.agent || Dec(est.TotalMonthlyCost).Money() != tc.total {
			t.Errorf("%s: %v total %s, want %s %s %s", tc.mode, got, Dec(est.TotalMonthlyCost).Money(), tc.web, tc.agent, tc.total)
		}
		if len(est.Free) != 1 || est.Free[0] != (TypeCount{"kubernetes_service", 1}) {
			t.Errorf("free: %+v", est.Free)
		}
	}
}
