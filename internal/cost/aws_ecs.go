package cost

import (
	"fmt"
	"strings"
)

// awsECSService prices an ECS service's tasks on Fargate: desired_count
// tasks of the vCPUs and memory its task definition (found by the
// reference in task_definition, or by family) gives, at the x86 or Arm
// rate, with ephemeral storage beyond the free 20 GB. Tasks on EC2 capacity
// are billed as those instances, priced on their own resources.
func awsECSService(c *costing) {
	fargate, spot := c.attr("launch_type") == "FARGATE", false
	for _, s := range blocks(c.attr("capacity_provider_strategy")) {
		switch s["capacity_provider"] {
		case "FARGATE":
			fargate = true
		case "FARGATE_SPOT":
			fargate, spot = true, true
		}
	}
	if !fargate {
		c.note("runs on the cluster's EC2 capacity: the instances are priced on their own resources")
		return
	}
	if spot {
		c.note("Fargate Spot: priced at the on-demand rate, the most it can cost")
	}
	tasks, ok := c.usageOr("desired_count", "tasks running on average", "desired_count", Dec{})
	if !ok {
		return
	}
	ref := c.attr("task_definition")
	if s, ok := ref.(string); ok {
		// "family", "family:3" or its ARN name the family.
		s = s[strings.LastIndexByte(s, '/')+1:]
		ref, _, _ = strings.Cut(s, ":")
	}
	td, guessed := c.referencedOrOnly("aws_ecs_task_definition", ref)
	if guessed {
		c.note("its task definition is named through a local or variable: %s, the only one in its module, assumed", td.Address)
	}
	if td == nil {
		c.fail("its task definition is not among the resources estimated: its vCPUs and memory are not known")
		return
	}
	cpu, ok1 := taskSize(td.Attributes["cpu"], "vcpu", 1024)
	mem, ok2 := taskSize(td.Attributes["memory"], "gb", 1024)
	if !ok1 || !ok2 {
		c.fail("%s: the task's cpu and memory must be known (Fargate needs both)", td.Address)
		return
	}
	platform := firstBlock(td.Attributes["runtime_platform"])
	if os, _ := platform["operating_system_family"].(string); os != "" && os != "LINUX" {
		c.fail("%s: %s tasks are not in the catalog (Linux only)", td.Address, os)
		return
	}
	arch, prefix := "x86", ""
	if platform["cpu_architecture"] == "ARM64" {
		arch, prefix = "Arm", "arm-"
	}
	hours := c.e.hours.Mul(c.count).Mul(tasks)
	c.add(fmt.Sprintf("Fargate vCPU (%s tasks × %s vCPU, %s)", tasks, cpu, arch), c.key("aws", "fargate", prefix+"vcpu-hour"), hours.Mul(cpu), false, "")
	c.add(fmt.Sprintf("Fargate memory (%s tasks × %s GB, %s)", tasks, mem, arch), c.key("aws", "fargate", prefix+"gb-hour"), hours.Mul(mem), false, "")
	if gb, _ := numOf(firstBlock(td.Attributes["ephemeral_storage"])["size_in_gib"], Int(20)); gb.Cmp(Int(20)) > 0 {
		over := gb.Sub(Int(20))
		c.add(fmt.Sprintf("Fargate ephemeral storage (%s tasks × %s GB beyond the free 20)", tasks, over), c.key("aws", "fargate", "ephemeral-gb-hour"), hours.Mul(over), false, "")
	}
}

// taskSize reads a task's cpu ("256", "1 vCPU") or memory ("512",
// "2 GB") as vCPUs or GB: a bare number is CPU units or MiB (per of them
// make one).
func taskSize(v any, unit string, per int64) (Dec, bool) {
	s, ok := v.(string)
	if !ok {
		d, ok := numOf(v, Dec{})
		return d.Div(Int(per)), ok && d.Sign() > 0
	}
	s = strings.ToLower(strings.TrimSpace(s))
	if rest, found := strings.CutSuffix(s, unit); found {
		d, err := ParseDec(strings.TrimSpace(rest))
		return d, err == nil && d.Sign() > 0
	}
	d, err := ParseDec(s)
	return d.Div(Int(per)), err == nil && d.Sign() > 0
}
