package cost

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// estimateHCL estimates a workspace of one main.tf with usage by address.
func estimateHCL(t *testing.T, src string, usage map[string]any) *Estimate {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := Load(nil, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := UsageFrom(usage)
	if err != nil {
		t.Fatal(err)
	}
	est, err := in.Estimate(Options{Usage: u})
	if err != nil {
		t.Fatal(err)
	}
	return est
}

// estimatePlan estimates the planned resources of a plan JSON.
func estimatePlan(t *testing.T, plan string) *Estimate {
	t.Helper()
	p, err := ParsePlan([]byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	est, err := EstimateResources(p.Planned, nil, p.Actions, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return est
}

// expectMonthly checks each resource's monthly cost, showing its notes
// when it is not the one worked by hand.
func expectMonthly(t *testing.T, est *Estimate, want map[string]string) {
	t.Helper()
	got := money(est, t)
	for addr, w := range want {
		if got[addr] != w {
			t.Errorf("%s: %s, want %s (notes: %s)", addr, got[addr], w, noteOf(est, addr))
		}
	}
}

func noteOf(est *Estimate, addr string) string {
	for _, r := range est.Resources {
		if r.Address == addr {
			return strings.Join(r.Notes, "; ")
		}
	}
	return ""
}

// Node groups and instances take their instance type, volumes and CPU
// credits from the launch template they name, found by id or by name, in
// a workspace read from HCL. Prices: us-east-1 list (m5.xlarge $0.192,
// t3.large $0.0832, t3.medium $0.0416 an hour; gp3 $0.08, gp2 $0.10 a GB).
func TestLaunchTemplatesInAWorkspace(t *testing.T) {
	est := estimateHCL(t, `
provider "aws" { region = "us-east-1" }

resource "aws_launch_template" "big" {
  name          = "big"
  instance_type = "m5.xlarge"
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size = 50
      volume_type = "gp3"
    }
  }
}

resource "aws_launch_template" "burst" {
  name = "burst"
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs { volume_size = 20 }
  }
  block_device_mappings {
    device_name  = "/dev/sdb"
    virtual_name = "ephemeral0"
  }
  credit_specification { cpu_credits = "standard" }
}

resource "aws_eks_node_group" "by_id" {
  cluster_name = "c"
  scaling_config {
    desired_size = 3
    min_size     = 1
    max_size     = 5
  }
  launch_template {
    id      = aws_launch_template.big.id
    version = "$Latest"
  }
}

resource "aws_eks_node_group" "by_name" {
  cluster_name   = "c"
  instance_types = ["t3.large"]
  scaling_config {
    desired_size = 2
    min_size     = 1
    max_size     = 2
  }
  launch_template {
    name    = aws_launch_template.burst.name
    version = "1"
  }
}

resource "aws_eks_node_group" "elsewhere" {
  cluster_name = "c"
  scaling_config {
    desired_size = 1
    min_size     = 1
    max_size     = 1
  }
  launch_template {
    id      = "lt-0123456789abcdef0"
    version = "1"
  }
}

resource "aws_instance" "from_template" {
  launch_template { id = aws_launch_template.big.id }
}
`, nil)
	expectMonthly(t, est, map[string]string{
		// 3 × 730 × 0.192 = 420.48; the template's gp3 50 GB on each: 3 × 50 × 0.08 = 12
		"aws_eks_node_group.by_id": "432.48",
		// the node group's t3.large: 2 × 730 × 0.0832 = 121.472; the template's
		// 20 GB (gp2, EC2's default) on each: 2 × 20 × 0.10 = 4; the instance store is free
		"aws_eks_node_group.by_name": "125.47",
		// a template not in the workspace: t3.medium 730 × 0.0416 = 30.368, 20 GB gp2 = 2
		"aws_eks_node_group.elsewhere": "32.37",
		// the template's m5.xlarge: 730 × 0.192 = 140.16; gp3 50 GB = 4
		"aws_instance.from_template": "144.16",
	})
	if n := noteOf(est, "aws_eks_node_group.by_id"); !strings.Contains(n, "as launch template aws_launch_template.big declares them") {
		t.Errorf("by_id notes: %s", n)
	}
	if n := noteOf(est, "aws_eks_node_group.elsewhere"); !strings.Contains(n, "its launch template is not among the resources estimated") {
		t.Errorf("elsewhere notes: %s", n)
	}
	if len(est.Unpriced) != 0 {
		t.Errorf("unpriced: %+v", est.Unpriced)
	}
}

// In a plan the template's id is unknown until apply: the configuration's
// references say which template it is, also inside a module and with
// count; a name known at plan time finds its template by name.
func TestLaunchTemplatesInAPlan(t *testing.T) {
	plan := `{
  "format_version": "1.2", "terraform_version": "1.11.4",
  "resource_changes": [
    {"address": "module.eks.aws_launch_template.this[0]", "module_address": "module.eks", "mode": "managed",
     "type": "aws_launch_template", "name": "this", "index": 0, "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {"name": "big", "instance_type": "m5.xlarge",
                 "block_device_mappings": [{"device_name": "/dev/xvda", "ebs": [{"volume_size": 50, "volume_type": "gp3", "iops": 4000}]}]},
       "after_unknown": {"id": true, "arn": true}}},
    {"address": "module.eks.aws_eks_node_group.this", "module_address": "module.eks", "mode": "managed",
     "type": "aws_eks_node_group", "name": "this", "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {"cluster_name": "c", "scaling_config": [{"desired_size": 2, "max_size": 3, "min_size": 1}],
                 "launch_template": [{"version": "1"}]},
       "after_unknown": {"id": true, "instance_types": true, "launch_template": [{"id": true, "name": true}]}}},
    {"address": "aws_launch_template.small", "mode": "managed", "type": "aws_launch_template", "name": "small",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {"name": "small", "instance_type": "t3.medium"}, "after_unknown": {"id": true}}},
    {"address": "aws_eks_node_group.named", "mode": "managed", "type": "aws_eks_node_group", "name": "named",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {"cluster_name": "c", "scaling_config": [{"desired_size": 1, "max_size": 1, "min_size": 1}],
                 "launch_template": [{"name": "small", "version": "1"}]},
       "after_unknown": {"id": true, "launch_template": [{"id": true}]}}}
  ],
  "configuration": {
    "provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}},
    "root_module": {
      "resources": [
        {"address": "aws_launch_template.small", "mode": "managed", "type": "aws_launch_template", "name": "small",
         "provider_config_key": "aws", "expressions": {"name": {"constant_value": "small"}}},
        {"address": "aws_eks_node_group.named", "mode": "managed", "type": "aws_eks_node_group", "name": "named",
         "provider_config_key": "aws",
         "expressions": {"launch_template": [{"name": {"references": ["aws_launch_template.small.name", "aws_launch_template.small"]}}]}}
      ],
      "module_calls": {"eks": {"source": "./eks", "module": {"resources": [
        {"address": "aws_launch_template.this", "mode": "managed", "type": "aws_launch_template", "name": "this",
         "provider_config_key": "aws", "expressions": {"name": {"constant_value": "big"}}, "count_expression": {"constant_value": 1}},
        {"address": "aws_eks_node_group.this", "mode": "managed", "type": "aws_eks_node_group", "name": "this",
         "provider_config_key": "aws",
         "expressions": {"launch_template": [{"id": {"references": ["aws_launch_template.this[0].id", "aws_launch_template.this[0]", "aws_launch_template.this"]},
                                              "version": {"constant_value": "1"}}]}}
      ]}}}
    }
  }
}`
	est := estimatePlan(t, plan)
	expectMonthly(t, est, map[string]string{
		// 2 × 730 × 0.192 = 280.32; gp3 50 GB on each: 2 × 50 × 0.08 = 8; 1,000 IOPS
		// over the baseline on each: 2 × 1000 × 0.005 = 10
		"module.eks.aws_eks_node_group.this": "298.32",
		// by name: t3.medium 730 × 0.0416 = 30.368; no mapping: the AMI's 20 GB gp2 = 2
		"aws_eks_node_group.named": "32.37",
	})
}

func TestRefFromPlan(t *testing.T) {
	for _, tc := range []struct {
		refs   []string
		prefix string
		want   string
	}{
		{[]string{"aws_launch_template.lt.id", "aws_launch_template.lt"}, "", "aws_launch_template.lt"},
		{[]string{"aws_launch_template.lt[0].id", "aws_launch_template.lt[0]", "aws_launch_template.lt"}, "module.m.", "module.m.aws_launch_template.lt[0]"},
		{[]string{`aws_launch_template.lt["a.b"].id`, `aws_launch_template.lt["a.b"]`, "aws_launch_template.lt"}, "", `aws_launch_template.lt["a.b"]`},
		{[]string{"var.template_id"}, "", ""},
		{[]string{"data.aws_launch_template.x.id", "data.aws_launch_template.x"}, "", ""},
		{[]string{"module.lt.id", "module.lt"}, "", ""},
	} {
		if got := refFromPlan(tc.refs, tc.prefix); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.refs, got, tc.want)
		}
	}
}
