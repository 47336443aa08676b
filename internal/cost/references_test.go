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
	p, err := ParsePlan([]byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	est, err := EstimateResources(p.Planned, nil, p.Actions, Options{})
	if err != nil {
		t.Fatal(err)
	}
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

// Auto Scaling groups run desired_capacity (else min_size) instances of
// what their launch configuration or template declares. Prices: us-east-1
// list (t2.medium $0.0464, t2.large $0.0928 an hour; gp2 $0.10, io1 $0.125
// a GB and $0.065 an IOPS; a CloudWatch metric $0.30).
func TestAutoscalingGroups(t *testing.T) {
	est := estimateHCL(t, `
provider "aws" { region = "us-east-1" }

resource "aws_launch_template" "lt" {
  instance_type = "t2.medium"
  block_device_mappings {
    device_name = "xvdf"
    ebs { volume_size = 10 }
  }
  block_device_mappings {
    device_name = "xvfa"
    ebs {
      volume_size = 20
      volume_type = "io1"
      iops        = 200
    }
  }
  monitoring { enabled = true }
}

resource "aws_autoscaling_group" "lt" {
  launch_template { id = aws_launch_template.lt.id }
  desired_capacity = 2
  max_size         = 3
  min_size         = 1
}

resource "aws_autoscaling_group" "min" {
  launch_template { id = aws_launch_template.lt.id }
  max_size = 3
  min_size = 2
}

resource "aws_autoscaling_group" "zero" {
  launch_template { id = aws_launch_template.lt.id }
  desired_capacity = 0
  max_size         = 3
  min_size         = 0
}

resource "aws_launch_template" "plain" { instance_type = "t3.large" }

resource "aws_autoscaling_group" "mixed" {
  desired_capacity = 6
  max_size         = 10
  min_size         = 1
  mixed_instances_policy {
    launch_template {
      launch_template_specification { launch_template_id = aws_launch_template.plain.id }
      override {
        instance_type     = "t2.large"
        weighted_capacity = "2"
      }
      override {
        instance_type     = "t2.xlarge"
        weighted_capacity = "4"
      }
    }
    instances_distribution {
      on_demand_base_capacity                  = 1
      on_demand_percentage_above_base_capacity = 50
    }
  }
}

resource "aws_launch_configuration" "on_host" {
  image_id          = "ami-0123"
  instance_type     = "m5.large"
  placement_tenancy = "host"
  enable_monitoring = false
}

resource "aws_autoscaling_group" "on_host" {
  launch_configuration = aws_launch_configuration.on_host.name
  desired_capacity     = 1
  max_size             = 1
  min_size             = 1
}

resource "aws_autoscaling_group" "orphan" {
  launch_configuration = "made-elsewhere"
  desired_capacity     = 1
  max_size             = 1
  min_size             = 1
}
`, map[string]any{"aws_autoscaling_group.min": map[string]any{"instances": 3}})
	expectMonthly(t, est, map[string]string{
		// 2 × 730 × 0.0464 = 67.744; detailed monitoring 2 × 7 × 0.30 = 4.20;
		// gp2 2 × 10 × 0.10 = 2; io1 2 × 20 × 0.125 = 5 and 2 × 200 × 0.065 = 26
		"aws_autoscaling_group.lt": "104.94",
		// usage instances = 3: 101.616 + 6.30 + 3 + 7.50 + 39
		"aws_autoscaling_group.min":  "157.42",
		"aws_autoscaling_group.zero": "0.00",
		// the first override: capacity 6 at weight 2 = 3 × t2.large:
		// 3 × 730 × 0.0928 = 203.232; the AMI's 8 GB gp2 on each: 3 × 8 × 0.10 = 2.40
		"aws_autoscaling_group.mixed": "205.63",
		// on a Dedicated Host: no instance hours, the 8 GB gp2 root volume
		"aws_autoscaling_group.on_host": "0.80",
	})
	if n := noteOf(est, "aws_autoscaling_group.mixed"); !strings.Contains(n, "1 of 3 instances are spot") || !strings.Contains(n, "priced as the first override, t2.large (weight 2)") {
		t.Errorf("mixed notes: %s", n)
	}
	if n := noteOf(est, "aws_autoscaling_group.min"); strings.Contains(n, "min_size") {
		t.Errorf("usage instances given, yet: %s", n)
	}
	if len(est.Unpriced) != 1 || est.Unpriced[0].Address != "aws_autoscaling_group.orphan" || !strings.Contains(est.Unpriced[0].Reason, "the instance type is not known") {
		t.Errorf("unpriced: %+v", est.Unpriced)
	}
}

// DynamoDB: auto scaling targets found by the table they name (an id known
// only after apply) or by a literal id, their usage capacity; a global
// table's replicas. Prices: us-east-2 and us-west-2 list (WCU $0.00065 and
// RCU $0.00013 an hour, 1M write request units $0.625, storage $0.25 and
// PITR $0.20 a GB-month).
func TestDynamoDBScalingAndReplicas(t *testing.T) {
	est := estimateHCL(t, `
provider "aws" { region = "us-east-2" }

resource "aws_dynamodb_table" "global" {
  name           = "global"
  billing_mode   = "PROVISIONED"
  write_capacity = 20
  read_capacity  = 30
  hash_key       = "id"
  replica { region_name = "us-east-2" }
  replica { region_name = "us-west-2" }
}

resource "aws_dynamodb_table" "ondemand" {
  name         = "ondemand"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  replica { region_name = "us-west-2" }
}

resource "aws_dynamodb_table" "scaled" {
  name           = "scaled"
  write_capacity = 20
  read_capacity  = 30
  hash_key       = "id"
}

resource "aws_appautoscaling_target" "scaled_write" {
  min_capacity       = 6
  max_capacity       = 99
  resource_id        = "table/${aws_dynamodb_table.scaled.name}"
  scalable_dimension = "dynamodb:table:WriteCapacityUnits"
  service_namespace  = "dynamodb"
}

resource "aws_appautoscaling_target" "scaled_read" {
  min_capacity       = 5
  max_capacity       = 100
  resource_id        = "table/${aws_dynamodb_table.scaled.name}"
  scalable_dimension = "dynamodb:table:ReadCapacityUnits"
  service_namespace  = "dynamodb"
}

resource "aws_dynamodb_table" "busy" {
  name           = "busy"
  write_capacity = 20
  read_capacity  = 30
  hash_key       = "id"
}

resource "aws_appautoscaling_target" "busy_write" {
  min_capacity       = 7
  max_capacity       = 98
  resource_id        = "table/${aws_dynamodb_table.busy.name}"
  scalable_dimension = "dynamodb:table:WriteCapacityUnits"
  service_namespace  = "dynamodb"
}

resource "aws_appautoscaling_target" "busy_read" {
  min_capacity       = 8
  max_capacity       = 97
  resource_id        = "table/${aws_dynamodb_table.busy.name}"
  scalable_dimension = "dynamodb:table:ReadCapacityUnits"
  service_namespace  = "dynamodb"
}

resource "aws_dynamodb_table" "literal" {
  name           = "LiteralTableRef"
  write_capacity = 20
  read_capacity  = 30
  hash_key       = "id"
}

resource "aws_appautoscaling_target" "literal" {
  min_capacity       = 56
  max_capacity       = 72
  resource_id        = "table/LiteralTableRef"
  scalable_dimension = "dynamodb:table:ReadCapacityUnits"
  service_namespace  = "dynamodb"
}
`, map[string]any{
		"aws_dynamodb_table.ondemand":          map[string]any{"monthly_write_request_units": 3_000_000, "storage_gb": 230, "pitr_backup_storage_gb": 100},
		"aws_appautoscaling_target.busy_write": map[string]any{"capacity": 77},
		"aws_appautoscaling_target.busy_read":  map[string]any{"capacity": 76},
	})
	expectMonthly(t, est, map[string]string{
		// 20 × 730 × 0.00065 = 9.49 and 30 × 730 × 0.00013 = 2.847; the us-west-2
		// replica's 20 rWCU: 9.49 (the us-east-2 "replica" is the table)
		"aws_dynamodb_table.global": "21.83",
		// 3M × 0.625 = 1.875 here and replicated in us-west-2; 230 GB × 0.25 = 57.50
		// in each region; PITR 100 GB × 0.20 = 20 (usage gives it)
		"aws_dynamodb_table.ondemand": "138.75",
		// the targets' minimums: 6 × 730 × 0.00065 = 2.847; 5 × 730 × 0.00013 = 0.4745
		"aws_dynamodb_table.scaled": "3.32",
		// the targets' usage capacity: 77 × 730 × 0.00065 = 36.5365; 76 × 730 × 0.00013 = 7.2124
		"aws_dynamodb_table.busy": "43.75",
		// writes as declared, 9.49; reads at the literal target's 56: 5.3144
		"aws_dynamodb_table.literal": "14.80",
	})
}

// ElastiCache replication groups: the older attributes and block, and
// auto scaling targets on shards and replicas. cache.m5.large is $0.156
// an hour in us-east-1.
func TestElastiCacheReplicationGroupScaling(t *testing.T) {
	est := estimateHCL(t, `
provider "aws" { region = "us-east-1" }

resource "aws_elasticache_replication_group" "old_block" {
  replication_group_id = "old-block"
  node_type            = "cache.m5.large"
  cluster_mode {
    num_node_groups         = 4
    replicas_per_node_group = 3
  }
}

resource "aws_elasticache_replication_group" "old_count" {
  replication_group_id  = "old-count"
  node_type             = "cache.m5.large"
  number_cache_clusters = 3
}

resource "aws_elasticache_replication_group" "scaled" {
  replication_group_id    = "scaled"
  node_type               = "cache.m5.large"
  num_node_groups         = 4
  replicas_per_node_group = 3
}

resource "aws_appautoscaling_target" "shards" {
  min_capacity       = 8
  max_capacity       = 13
  resource_id        = "replication-group/${aws_elasticache_replication_group.scaled.replication_group_id}"
  scalable_dimension = "elasticache:replication-group:NodeGroups"
  service_namespace  = "elasticache"
}

resource "aws_appautoscaling_target" "replicas" {
  min_capacity       = 5
  max_capacity       = 17
  resource_id        = "replication-group/${aws_elasticache_replication_group.scaled.replication_group_id}"
  scalable_dimension = "elasticache:replication-group:Replicas"
  service_namespace  = "elasticache"
}

resource "aws_elasticache_replication_group" "scaled_usage" {
  replication_group_id    = "scaled-usage"
  node_type               = "cache.m5.large"
  num_node_groups         = 4
  replicas_per_node_group = 3
}

resource "aws_appautoscaling_target" "shards_usage" {
  min_capacity       = 1
  max_capacity       = 20
  resource_id        = "replication-group/scaled-usage"
  scalable_dimension = "elasticache:replication-group:NodeGroups"
  service_namespace  = "elasticache"
}
`, map[string]any{"aws_appautoscaling_target.shards_usage": map[string]any{"capacity": 10}})
	expectMonthly(t, est, map[string]string{
		// 4 shards × (1 + 3) = 16 nodes × 730 × 0.156
		"aws_elasticache_replication_group.old_block": "1822.08",
		"aws_elasticache_replication_group.old_count": "341.64",
		// the targets' minimums: 8 × (1 + 5) = 48 nodes
		"aws_elasticache_replication_group.scaled": "5466.24",
		// the shards target's usage capacity, 10 × (1 + 3) = 40 nodes
		"aws_elasticache_replication_group.scaled_usage": "4555.20",
	})
}

// GKE: a node pool spans its cluster's zones (found by the reference in
// cluster), inline node pools replace the default pool, a default pool
// without initial_node_count has GKE's 3 nodes a zone, and node GPUs are
// billed per node. us-central1 list: e2-medium $0.033503 an hour,
// pd-balanced $0.10 a GB-month, T4 $0.35 a GPU-hour, the cluster fee $0.10
// an hour.
func TestGKEPoolsTakeTheirClustersZones(t *testing.T) {
	est := estimateHCL(t, `
provider "google" { region = "us-central1" }

resource "google_container_cluster" "regional" {
  name     = "regional"
  location = "us-central1"
  remove_default_node_pool = true
  initial_node_count       = 1
}

resource "google_container_cluster" "two_zones" {
  name           = "two-zones"
  location       = "us-central1-a"
  node_locations = ["us-central1-a", "us-central1-b"]
}

resource "google_container_cluster" "inline" {
  name     = "inline"
  location = "us-central1-a"
  node_pool {
    name       = "big"
    node_count = 2
  }
  node_pool {
    name = "scaled"
    autoscaling {
      min_node_count = 1
      max_node_count = 5
    }
  }
}

resource "google_container_node_pool" "in_regional" {
  name       = "in-regional"
  cluster    = google_container_cluster.regional.id
  node_count = 2
}

resource "google_container_node_pool" "gpu" {
  name       = "gpu"
  cluster    = google_container_cluster.regional.name
  location   = "us-central1-a"
  node_count = 1
  node_config {
    machine_type = "e2-medium"
    guest_accelerator {
      type  = "nvidia-tesla-t4"
      count = 2
    }
  }
}
`, map[string]any{"google_container_cluster.inline": map[string]any{"node_pool[1]": map[string]any{"nodes": 4}}})
	expectMonthly(t, est, map[string]string{
		// the fee alone: its default pool is removed
		"google_container_cluster.regional": "73.00",
		// 73 + the default pool: 3 nodes × 2 zones = 6 × (730 × 0.033503 + 100 GB × 0.10) = 146.74278 + 60
		"google_container_cluster.two_zones": "279.74",
		// 73 + 2 nodes (48.91438 + 20) + usage's 4 nodes for the second pool (97.82876 + 40)
		"google_container_cluster.inline": "279.74",
		// 2 nodes a zone in the regional cluster's 3 zones: 6 × (24.45719 + 10)
		"google_container_node_pool.in_regional": "206.74",
		// its own zone: 1 node, 24.45719 + 10 + 2 T4s × 730 × 0.35 = 511
		"google_container_node_pool.gpu": "545.46",
	})
}

// A bucket is priced where its location is: a multi-region class or a
// dual-region the catalog has no list price for is not priced, saying so,
// rather than priced at the provider region's regional rate.
func TestGCSBucketsArePricedWhereTheyAre(t *testing.T) {
	var rs []Resource
	for name, attrs := range map[string]map[string]any{
		"asia_coldline": {"location": "ASIA", "storage_class": "COLDLINE"},
		"nam4":          {"location": "NAM4"},
		"east":          {"location": "us-east1"},
	} {
		rs = append(rs, Resource{Address: "google_storage_bucket." + name, Type: "google_storage_bucket", Region: "us-central1", Attributes: attrs})
	}
	usage, err := UsageFrom(map[string]any{"google_storage_bucket.*": map[string]any{"storage_gb": 100}})
	if err != nil {
		t.Fatal(err)
	}
	est, err := EstimateResources(rs, nil, nil, Options{Usage: usage})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, u := range est.Unpriced {
		reasons[u.Address] = u.Reason
	}
	if r := reasons["google_storage_bucket.asia_coldline"]; !strings.Contains(r, "coldline, multi-region ASIA") {
		t.Errorf("ASIA coldline: %q", r)
	}
	if r := reasons["google_storage_bucket.nam4"]; !strings.Contains(r, "dual-region NAM4") {
		t.Errorf("NAM4: %q", r)
	}
	// us-east1's own list price, not the provider region's: 100 × 0.02
	expectMonthly(t, est, map[string]string{"google_storage_bucket.east": "2.00"})
}

// An ECS service's task definition is found by the reference in
// task_definition (its ARN is known only after apply).
func TestECSServiceFindsItsTaskDefinition(t *testing.T) {
	est := estimateHCL(t, `
provider "aws" { region = "us-east-1" }

resource "aws_ecs_task_definition" "app" {
  family                   = "app"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  container_definitions    = "[]"
}

resource "aws_ecs_service" "app" {
  name            = "app"
  launch_type     = "FARGATE"
  desired_count   = 4
  task_definition = aws_ecs_task_definition.app.arn
}

resource "aws_ecs_service" "on_ec2" {
  name            = "on-ec2"
  desired_count   = 4
  task_definition = aws_ecs_task_definition.app.arn
}
`, nil)
	expectMonthly(t, est, map[string]string{
		// 4 × 730 × (0.25 × 0.04048 + 0.5 × 0.004445) = 29.5504 + 6.4897
		"aws_ecs_service.app":    "36.04",
		"aws_ecs_service.on_ec2": "0.00",
	})
	if n := noteOf(est, "aws_ecs_service.on_ec2"); !strings.Contains(n, "EC2 capacity") {
		t.Errorf("on_ec2 notes: %s", n)
	}
}

// A disk without a size takes its image's or snapshot's, followed through
// images made from images and snapshots of disks; a blank one gcloud's
// default. us-central1: pd-standard $0.04, pd-ssd $0.17 a GB-month.
func TestDiskSizesFromImagesAndSnapshots(t *testing.T) {
	est := estimateHCL(t, `
provider "google" { region = "us-central1" }

resource "google_compute_disk" "blank" { name = "blank" }
resource "google_compute_disk" "blank_ssd" {
  name = "blank-ssd"
  type = "pd-ssd"
}
resource "google_compute_image" "base" {
  name         = "base"
  disk_size_gb = 30
}
resource "google_compute_image" "derived" {
  name         = "derived"
  source_image = google_compute_image.base.self_link
}
resource "google_compute_disk" "from_derived" {
  name  = "from-derived"
  image = google_compute_image.derived.self_link
}
resource "google_compute_disk" "sized" {
  name = "sized"
  size = 20
}
resource "google_compute_snapshot" "snap" {
  name        = "snap"
  source_disk = google_compute_disk.sized.name
}
resource "google_compute_image" "from_snap" {
  name            = "from-snap"
  source_snapshot = google_compute_snapshot.snap.self_link
}
resource "google_compute_disk" "from_snap_image" {
  name  = "from-snap-image"
  image = google_compute_image.from_snap.self_link
}
resource "google_compute_disk" "from_snapshot" {
  name     = "from-snapshot"
  snapshot = google_compute_snapshot.snap.self_link
}
resource "google_compute_disk" "public_image" {
  name  = "public-image"
  image = "debian-cloud/debian-12"
}
`, nil)
	expectMonthly(t, est, map[string]string{
		"google_compute_disk.blank":           "20.00", // 500 GB × 0.04
		"google_compute_disk.blank_ssd":       "17.00", // 100 GB × 0.17
		"google_compute_disk.from_derived":    "1.20",  // the base image's 30 GB
		"google_compute_disk.from_snap_image": "0.80",  // the snapshotted disk's 20 GB
		"google_compute_disk.from_snapshot":   "0.80",
	})
	var reason string
	for _, u := range est.Unpriced {
		if u.Address == "google_compute_disk.public_image" {
			reason = u.Reason
		}
	}
	if !strings.Contains(reason, "its image or snapshot is not among the resources estimated") {
		t.Errorf("public image: %q (unpriced %+v)", reason, est.Unpriced)
	}
}

// A spot pool of a cluster does not take the sustained use discount away
// from the cluster's other pools, whichever comes first. us-central1 N1:
// $0.031611 a vCPU-hour and $0.004237 a GB-hour; 30% off for a whole month.
func TestGKESpotPoolLeavesOthersDiscounted(t *testing.T) {
	est := estimateHCL(t, `
provider "google" { region = "us-central1" }

resource "google_container_cluster" "mixed" {
  name     = "mixed"
  location = "us-central1-a"
  node_pool {
    node_count = 1
    node_config {
      machine_type = "n1-standard-4"
      spot         = true
    }
  }
  node_pool {
    node_count = 1
    node_config { machine_type = "n1-standard-4" }
  }
}
`, nil)
	// fee 73; each node 730 × (4 × 0.031611 + 15 × 0.004237) = 138.700 (4 vCPUs, 15 GB);
	// the second 30% less: 97.090; 100 GB pd-balanced each: 2 × 10
	expectMonthly(t, est, map[string]string{"google_container_cluster.mixed": "328.79"})
}

// A managed instance group runs its autoscaler's minimum (found by the
// reference in the autoscaler's target) of what its template declares.
// us-central1: e2-standard-2 is 730 × 0.067006 = 48.91438 a month; T4
// $0.35 an hour; pd-standard $0.04 a GB-month.
func TestInstanceGroupsAndTheirAutoscalers(t *testing.T) {
	est := estimateHCL(t, `
provider "google" { region = "us-central1" }

resource "google_compute_instance_template" "gpu" {
  name_prefix  = "gpu-"
  machine_type = "e2-standard-2"
  disk {
    boot         = true
    source_image = "debian-cloud/debian-12"
    disk_size_gb = 50
  }
  guest_accelerator {
    type  = "nvidia-tesla-t4"
    count = 1
  }
}

resource "google_compute_instance_group_manager" "gpu" {
  name               = "gpu"
  zone               = "us-central1-a"
  base_instance_name = "gpu"
  target_size        = 10
  version { instance_template = google_compute_instance_template.gpu.id }
}

resource "google_compute_autoscaler" "gpu" {
  name   = "gpu"
  zone   = "us-central1-a"
  target = google_compute_instance_group_manager.gpu.id
  autoscaling_policy {
    min_replicas = 2
    max_replicas = 8
  }
}

resource "google_compute_region_instance_group_manager" "missing" {
  name               = "missing"
  region             = "us-central1"
  base_instance_name = "m"
  target_size        = 2
  version { instance_template = "projects/p/global/instanceTemplates/made-elsewhere" }
}
`, nil)
	// the autoscaler's minimum, 2: 2 × 48.91438; 2 T4s × 730 × 0.35 = 511; 2 × 50 GB × 0.04 = 4
	expectMonthly(t, est, map[string]string{"google_compute_instance_group_manager.gpu": "612.83"})
	if n := noteOf(est, "google_compute_instance_group_manager.gpu"); !strings.Contains(n, "autoscaled by google_compute_autoscaler.gpu between 2 and 8") {
		t.Errorf("notes: %s", n)
	}
	if len(est.Unpriced) != 1 || !strings.Contains(est.Unpriced[0].Reason, "its instance template is not among the resources estimated") {
		t.Errorf("unpriced: %+v", est.Unpriced)
	}
}
