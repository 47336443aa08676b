package cost

// Resources priced from what other resources declare or set: Auto Scaling
// groups, scaling targets, ECS task definitions, snapshots of volumes.

import (
	"strings"
	"testing"
)

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

// A snapshot without usage holds at most its volume's size, found by the
// reference in volume_id; without either, usage is needed.
func TestSnapshotOfAVolume(t *testing.T) {
	est := estimateHCL(t, `
provider "aws" { region = "us-east-1" }

resource "aws_ebs_volume" "data" {
  availability_zone = "us-east-1a"
  size              = 10
}

resource "aws_ebs_snapshot" "data" { volume_id = aws_ebs_volume.data.id }
resource "aws_ebs_snapshot" "elsewhere" { volume_id = "vol-0123" }
`, nil)
	// 10 GB × 0.05; the other 0 GB until usage says
	expectMonthly(t, est, map[string]string{"aws_ebs_snapshot.data": "0.50", "aws_ebs_snapshot.elsewhere": "0.00"})
}

// In a plan, an Auto Scaling group whose configuration leaves out
// desired_capacity has it known only after apply: min_size stands for it;
// launch_configuration is null, not a reference.
func TestAutoscalingGroupInAPlan(t *testing.T) {
	est := estimatePlan(t, `{
  "format_version": "1.2", "terraform_version": "1.11.4",
  "resource_changes": [
    {"address": "aws_launch_template.web", "mode": "managed", "type": "aws_launch_template", "name": "web",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null, "after": {"instance_type": "t2.large", "name_prefix": "web-"}, "after_unknown": {"id": true, "name": true}}},
    {"address": "aws_autoscaling_group.web", "mode": "managed", "type": "aws_autoscaling_group", "name": "web",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {"launch_configuration": null, "max_size": 6, "min_size": 2, "mixed_instances_policy": [], "launch_template": [{"version": "$Latest"}]},
       "after_unknown": {"desired_capacity": true, "launch_template": [{"id": true, "name": true}]}}}
  ],
  "configuration": {
    "provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}},
    "root_module": {"resources": [
      {"address": "aws_autoscaling_group.web", "mode": "managed", "type": "aws_autoscaling_group", "name": "web", "provider_config_key": "aws",
       "expressions": {"launch_template": [{"id": {"references": ["aws_launch_template.web.id", "aws_launch_template.web"]}}]}}
    ]}
  }
}`)
	// 2 × 730 × 0.0928 = 135.488; the AMI's 8 GB gp2 on each: 2 × 0.80
	expectMonthly(t, est, map[string]string{"aws_autoscaling_group.web": "137.09"})
	if n := noteOf(est, "aws_autoscaling_group.web"); !strings.Contains(n, "min_size, 2") {
		t.Errorf("notes: %s", n)
	}
}

// A module that names its launch template through a local (as the
// community modules do) leaves the plan's references at the local: the
// module's only launch template stands for it, and says so; with two,
// none is guessed.
func TestLaunchTemplateThroughALocal(t *testing.T) {
	change := func(addr, module, typ string, after string) string {
		return `{"address": "` + addr + `", "module_address": "` + module + `", "mode": "managed", "type": "` + typ + `", "name": "this", "index": 0,
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null, "after": ` + after + `, "after_unknown": {"id": true, "launch_template": [{"id": true}]}}}`
	}
	asg := `{"min_size": 1, "max_size": 3, "desired_capacity": 2, "launch_configuration": null, "launch_template": [{"version": "$Latest"}]}`
	plan := `{"format_version": "1.2", "terraform_version": "1.11.4", "resource_changes": [` +
		change(`module.one.aws_launch_template.this[0]`, "module.one", "aws_launch_template", `{"instance_type": "t2.large"}`) + `,` +
		change(`module.one.aws_autoscaling_group.this[0]`, "module.one", "aws_autoscaling_group", asg) + `,` +
		change(`module.two.aws_launch_template.this[0]`, "module.two", "aws_launch_template", `{"instance_type": "t2.large"}`) + `,` +
		strings.Replace(change(`module.two.aws_launch_template.other[0]`, "module.two", "aws_launch_template", `{"instance_type": "m5.large"}`), `"name": "this"`, `"name": "other"`, 1) + `,` +
		change(`module.two.aws_autoscaling_group.this[0]`, "module.two", "aws_autoscaling_group", asg) + `],
  "configuration": {"provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}},
    "root_module": {"module_calls": {
      "one": {"source": "./asg", "module": {"resources": [{"address": "aws_autoscaling_group.this", "mode": "managed", "type": "aws_autoscaling_group", "name": "this",
        "expressions": {"launch_template": [{"id": {"references": ["local.launch_template_id"]}}]}}]}},
      "two": {"source": "./asg", "module": {"resources": [{"address": "aws_autoscaling_group.this", "mode": "managed", "type": "aws_autoscaling_group", "name": "this",
        "expressions": {"launch_template": [{"id": {"references": ["local.launch_template_id"]}}]}}]}}}}}}`
	est := estimatePlan(t, plan)
	// 2 × 730 × 0.0928 = 135.488 + 2 × 8 GB × 0.10
	expectMonthly(t, est, map[string]string{"module.one.aws_autoscaling_group.this[0]": "137.09"})
	if n := noteOf(est, "module.one.aws_autoscaling_group.this[0]"); !strings.Contains(n, "module.one.aws_launch_template.this[0], the only one in its module, assumed") {
		t.Errorf("notes: %s", n)
	}
	var reason string
	for _, u := range est.Unpriced {
		if u.Address == "module.two.aws_autoscaling_group.this[0]" {
			reason = u.Reason
		}
	}
	if !strings.Contains(reason, "the instance type is not known") {
		t.Errorf("two templates in the module: %q", reason)
	}
}

// An ECS service whose task definition comes through a local finds the
// workspace's only task definition, and says so.
func TestECSTaskDefinitionThroughALocal(t *testing.T) {
	est := estimateHCL(t, `
provider "aws" { region = "us-east-1" }

locals { td = aws_ecs_task_definition.app.arn }

resource "aws_ecs_task_definition" "app" {
  family = "app"
  cpu    = 256
  memory = 512
}

resource "aws_ecs_service" "app" {
  name            = "app"
  launch_type     = "FARGATE"
  desired_count   = 4
  task_definition = local.td
}
`, nil)
	expectMonthly(t, est, map[string]string{"aws_ecs_service.app": "36.04"})
	if n := noteOf(est, "aws_ecs_service.app"); !strings.Contains(n, "aws_ecs_task_definition.app, the only one in its module, assumed") {
		t.Errorf("notes: %s", n)
	}
}
