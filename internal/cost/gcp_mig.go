package cost

import (
	"fmt"
	"strings"
)

// gcpInstanceGroupManager prices a managed instance group, zonal or
// regional: target_size instances (an autoscaler's min_replicas when one
// scales the group; usage instances overrides both) as the instance
// template its version names declares them — machine type, GPUs, disks,
// spot — found by the reference in instance_template or by name.
func gcpInstanceGroupManager(c *costing) {
	n, given, ok := c.usageNumber("instances", "instances running on average")
	if !ok || !given {
		// An autoscaler sets the size (target_size is then known only
		// after apply): priced at its minimum.
		var sized bool
		if as := c.e.autoscalerOf(c.r.Address); as != nil {
			policy := firstBlock(as.Attributes["autoscaling_policy"])
			if lo, known := numOf(policy["min_replicas"], Dec{}); known {
				hi, _ := numOf(policy["max_replicas"], Dec{})
				c.note("autoscaled by %s between %s and %s instances: priced at the minimum, %s (usage instances sets the average)", as.Address, lo, hi, lo)
				n, sized = lo, true
			}
		}
		if !sized {
			if n, ok = c.num("target_size", Dec{}); !ok {
				c.fail("target_size is not known")
				return
			}
		}
	}
	versions := blocks(c.attr("version"))
	if len(versions) == 0 {
		c.fail("no version names an instance template")
		return
	}
	if len(versions) > 1 {
		c.note("%d versions: priced as the first one's instance template", len(versions))
	}
	ref := versions[0]["instance_template"]
	if s, ok := ref.(string); ok {
		ref = s[strings.LastIndexByte(s, '/')+1:] // a self link ends with the template's name
	}
	var tmpl *Resource
	for _, typ := range []string{"google_compute_instance_template", "google_compute_region_instance_template"} {
		var guessed bool
		if tmpl, guessed = c.referencedOrOnly(typ, ref); tmpl != nil {
			if guessed {
				c.note("its instance template is named through a local or variable: %s, the only one in its module, assumed", tmpl.Address)
			}
			break
		}
	}
	if tmpl == nil {
		c.fail("its instance template is not among the resources estimated: its machine type is not known")
		return
	}
	t := tmpl.Attributes
	mt, _ := t["machine_type"].(string)
	if mt == "" {
		c.fail("%s: machine_type is not known", tmpl.Address)
		return
	}
	c.note("machine type, GPUs and disks as %s declares them", tmpl.Address)
	if s := firstBlock(t["scheduling"]); s["preemptible"] == true || s["provisioning_model"] == "SPOT" {
		c.note("spot/preemptible: priced at the on-demand rate, the most it can cost, without sustained use discounts")
		c.spot = true
	}
	c.vm("Instances", mt, n)
	if !c.gpus("GPUs", t["guest_accelerator"], n) {
		return
	}
	for i, d := range blocks(t["disk"]) {
		label := fmt.Sprintf("Disk %d", i+1)
		if d["boot"] == true {
			label = "Boot disk"
		}
		if d["type"] == "SCRATCH" || d["disk_type"] == "local-ssd" {
			gb, _ := numOf(d["disk_size_gb"], Int(375))
			c.monthly(fmt.Sprintf("Local SSD (%s GB × %s)", gb, n), c.key("gcp", "disk", "local-ssd"), gb.Mul(n))
			continue
		}
		typ, _ := d["disk_type"].(string)
		if typ == "" {
			typ = "pd-standard" // the provider's default for a template's disk
		}
		gb, ok := numOf(d["disk_size_gb"], Dec{})
		if !ok || gb.IsZero() {
			gb = Int(10)
			c.note("%s: no disk_size_gb, 10 GB assumed (the image decides)", strings.ToLower(label))
		}
		c.pd(fmt.Sprintf("%s × %s", label, n), typ, gb.Mul(n))
	}
}

// autoscalerOf is the autoscaler (zonal or regional) whose target is the
// instance group manager at addr, when one is among the resources; the
// autoscalers are indexed by target once a pass.
func (e *engine) autoscalerOf(addr string) *Resource {
	if e.autoscalers == nil {
		e.autoscalers = map[string]*Resource{}
		for _, r := range e.resources {
			if r.Type != "google_compute_autoscaler" && r.Type != "google_compute_region_autoscaler" {
				continue
			}
			if u, ok := r.Attributes["target"].(Unknown); ok && u.Ref != "" {
				e.autoscalers[u.Ref] = r
			}
		}
	}
	return e.autoscalers[addr]
}
