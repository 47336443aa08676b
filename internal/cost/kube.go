package cost

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/opsmcp/opsmcp/internal/redact"
)

// KubePricing says how Kubernetes workloads are priced: on nodes of a type
// (a pod pays its share of a node), or at EKS Fargate or GKE Autopilot pod
// rates.
type KubePricing struct {
	// Mode is node, eks-fargate or gke-autopilot.
	Mode string `json:"mode" yaml:"mode"`
	// NodeType is "aws:m5.large" or "gcp:n2-standard-4" (mode node).
	NodeType string `json:"node_type" yaml:"node_type"`
	// Nodes is how many nodes run a DaemonSet's pods.
	Nodes int `json:"nodes" yaml:"nodes"`
}

// KubeModes are the pricing modes.
var KubeModes = []string{"node", "eks-fargate", "gke-autopilot"}

// kubeType is the resource type Kubernetes workloads are reported under.
const kubeType = "kubernetes_workload"

// ParseManifests reads Kubernetes objects from multi-document YAML or
// JSON. Each Deployment, StatefulSet, ReplicaSet, DaemonSet, Job, CronJob
// and Pod becomes a kubernetes_workload with its pods' requests and
// replicas; any other kind is a free kubernetes_<kind> (Services,
// ConfigMaps...). file names the source in errors.
func ParseManifests(data []byte, file string) ([]Resource, error) {
	var out []Resource
	add := func(obj map[string]any) error {
		kind, _ := obj["kind"].(string)
		if kind == "" {
			return nil
		}
		r, isWorkload, err := workload(obj, file)
		if err != nil {
			return err
		}
		if !isWorkload {
			r = Resource{Address: kind, Type: "kubernetes_" + strings.ToLower(kind), Count: 1}
		}
		out = append(out, r)
		return nil
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for i := 1; ; i++ {
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("%s: document %d: %s", file, i, redact.ParserError(err))
		}
		if doc["kind"] == "List" {
			items, _ := doc["items"].([]any)
			for _, it := range items {
				if m, ok := it.(map[string]any); ok {
					if err := add(m); err != nil {
						return nil, err
					}
				}
			}
			continue
		}
		if err := add(doc); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// workload reads one object's pod template, replicas and requests.
func workload(obj map[string]any, file string) (Resource, bool, error) {
	kind, _ := obj["kind"].(string)
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	ns, _ := meta["namespace"].(string)
	if ns == "" {
		ns = "default"
	}
	spec, _ := obj["spec"].(map[string]any)
	var podSpec any
	replicas := int64(1)
	switch kind {
	case "Deployment", "StatefulSet", "ReplicaSet":
		podSpec = nested(spec, "template", "spec")
		if v, ok := spec["replicas"]; ok {
			n, ok := numOf(v, Int(1))
			if !ok {
				return Resource{}, false, fmt.Errorf("%s: %s/%s: spec.replicas is not a number", file, kind, name)
			}
			replicas, _ = strconv.ParseInt(n.String(), 10, 64)
		}
	case "DaemonSet":
		podSpec = nested(spec, "template", "spec")
		replicas = -1 // one per node
	case "Job":
		podSpec = nested(spec, "template", "spec")
		if v, ok := spec["parallelism"]; ok {
			n, _ := numOf(v, Int(1))
			replicas, _ = strconv.ParseInt(n.String(), 10, 64)
		}
	case "CronJob":
		podSpec = nested(spec, "jobTemplate", "spec", "template", "spec")
	case "Pod":
		podSpec = spec
	default:
		return Resource{}, false, nil
	}
	if replicas < -1 {
		return Resource{}, false, fmt.Errorf("%s: %s/%s: replicas %d is negative", file, kind, name, replicas)
	}
	var ps corev1.PodSpec
	raw, _ := yaml.Marshal(podSpec)
	if err := yaml.Unmarshal(raw, &ps); err != nil {
		return Resource{}, false, fmt.Errorf("%s: %s/%s: pod template: %s", file, kind, name, redact.ParserError(err))
	}
	cpu, mem, err := podRequests(&ps)
	if err != nil {
		return Resource{}, false, fmt.Errorf("%s: %s/%s: %w", file, kind, name, err)
	}
	return Resource{Address: kind + "/" + ns + "/" + name, Type: kubeType, Count: 1, Attributes: map[string]any{
		"kind": kind, "replicas": replicas, "cpu": cpu, "memory_gb": mem,
	}}, true, nil
}

// nested is the value at a path of maps, or nil.
func nested(m map[string]any, path ...string) any {
	v, _, _ := unstructured.NestedFieldNoCopy(m, path...)
	return v
}

// podRequests is what the scheduler reserves for a pod: the larger of the
// containers' sum and the largest init container, where a request missing
// but a limit set takes the limit (as the apiserver defaults it).
func podRequests(ps *corev1.PodSpec) (cpu, memGB Dec, err error) {
	req := func(c corev1.Container, name corev1.ResourceName) resource.Quantity {
		if q, ok := c.Resources.Requests[name]; ok {
			return q
		}
		return c.Resources.Limits[name]
	}
	var sumCPU, sumMem, initCPU, initMem int64
	for _, c := range ps.Containers {
		q, m := req(c, corev1.ResourceCPU), req(c, corev1.ResourceMemory)
		sumCPU += q.MilliValue()
		sumMem += m.Value()
	}
	for _, c := range ps.InitContainers {
		q, m := req(c, corev1.ResourceCPU), req(c, corev1.ResourceMemory)
		initCPU = max(initCPU, q.MilliValue())
		initMem = max(initMem, m.Value())
	}
	return Int(max(sumCPU, initCPU)).Div(thousand), Int(max(sumMem, initMem)).Div(Int(1 << 30)), nil
}

// ec2Shape is the vCPUs and memory (GB) of an EC2 instance type in the
// catalog's families.
func ec2Shape(typ string) (vcpu, mem Dec, ok bool) {
	fam, size, found := strings.Cut(typ, ".")
	if !found {
		return
	}
	if strings.HasPrefix(fam, "t") {
		shapes := map[string][2]string{"nano": {"2", "0.5"}, "micro": {"2", "1"}, "small": {"2", "2"}, "medium": {"2", "4"},
			"large": {"2", "8"}, "xlarge": {"4", "16"}, "2xlarge": {"8", "32"}}
		s, ok := shapes[size]
		if !ok {
			return vcpu, mem, false
		}
		return D(s[0]), D(s[1]), true
	}
	perVCPU := map[byte]string{'m': "4", 'c': "2", 'r': "8"}[fam[0]]
	vcpus := map[string]string{"medium": "1", "large": "2", "xlarge": "4", "2xlarge": "8", "4xlarge": "16", "8xlarge": "32",
		"12xlarge": "48", "16xlarge": "64", "24xlarge": "96"}[size]
	if perVCPU == "" || vcpus == "" {
		return vcpu, mem, false
	}
	return D(vcpus), D(vcpus).Mul(D(perVCPU)), true
}

// kubeWorkload prices a workload's pods for the duration.
func kubeWorkload(c *costing) {
	kp := c.e.opts.Kubernetes
	if c.r.Region == "" {
		c.fail("no region to price the pods in: set cost.region in opsmcp.yaml")
		return
	}
	kind, _ := c.attr("kind").(string)
	cpu, _ := c.num("cpu", Dec{})
	mem, _ := c.num("memory_gb", Dec{})
	replicas, _ := c.num("replicas", Int(1))
	if replicas.Sign() < 0 { // a DaemonSet: a pod per node
		replicas = Int(int64(max(kp.Nodes, 1)))
		c.note("DaemonSet: one pod on each of %s nodes (cost.kubernetes.nodes)", replicas)
	}
	if replicas.IsZero() {
		c.note("0 replicas")
		return
	}
	if kind == "CronJob" || kind == "Job" {
		c.note("%s pods priced as running the whole period; the real cost is a fraction of it", kind)
	}
	if cpu.IsZero() && mem.IsZero() {
		c.note("no CPU or memory requests: the pods reserve nothing, so nothing is priced; set requests")
		return
	}
	pods := fmt.Sprintf("%s pods × %s vCPU, %s GB", replicas, cpu, mem.Round(2))
	switch kp.Mode {
	case "", "node":
		provider, typ, _ := strings.Cut(kp.NodeType, ":")
		var vcpu, nodeMem Dec
		var ok bool
		var key string
		switch provider {
		case "aws":
			vcpu, nodeMem, ok = ec2Shape(typ)
			key = c.key("aws", "ec2", typ)
		case "gcp":
			m, err := parseMachine(typ)
			ok = err == nil && m.shared == ""
			vcpu, nodeMem = m.vcpus, m.memGB
		}
		if !ok {
			c.fail("node type %q is not one the catalog knows the shape of (aws:m5.large, gcp:n2-standard-4 ...)", kp.NodeType)
			return
		}
		share := cpu.Div(vcpu).Max(mem.Div(nodeMem))
		bound := "CPU"
		if mem.Div(nodeMem).Cmp(cpu.Div(vcpu)) > 0 {
			bound = "memory"
		}
		name := fmt.Sprintf("Node share (%s; each pod %s of a %s by %s)", pods, share.Round(4), typ, bound)
		if provider == "gcp" {
			m, _ := parseMachine(typ)
			c.hourly(name+", vCPUs", c.key("gcp", "compute", m.family+"-vcpu"), replicas.Mul(share).Mul(m.vcpus))
			c.hourly(name+", memory", c.key("gcp", "compute", m.family+"-ram"), replicas.Mul(share).Mul(m.memGB))
			return
		}
		c.hourly(name, key, replicas.Mul(share))
	case "eks-fargate":
		fcpu, fmem := fargateSize(cpu, mem)
		c.note("Fargate sizes each pod at %s vCPU and %s GB (requests rounded up to a Fargate configuration, with 0.25 GB for the kubelet)", fcpu, fmem)
		c.hourly(fmt.Sprintf("Fargate vCPU (%s)", pods), c.key("aws", "fargate", "vcpu-hour"), replicas.Mul(fcpu))
		c.hourly(fmt.Sprintf("Fargate memory (%s)", pods), c.key("aws", "fargate", "gb-hour"), replicas.Mul(fmem))
	case "gke-autopilot":
		acpu, amem := autopilotSize(cpu, mem)
		if acpu.Cmp(cpu) != 0 || amem.Cmp(mem) != 0 {
			c.note("Autopilot bills each pod at %s vCPU and %s GB (its minimums and 1:1 to 1:6.5 vCPU:memory ratio)", acpu, amem.Round(3))
		}
		c.hourly(fmt.Sprintf("Autopilot vCPU (%s)", pods), c.key("gcp", "autopilot", "vcpu-hour"), replicas.Mul(acpu))
		c.hourly(fmt.Sprintf("Autopilot memory (%s)", pods), c.key("gcp", "autopilot", "gb-hour"), replicas.Mul(amem))
	default:
		c.fail("kubernetes pricing %q is not one of %s", kp.Mode, strings.Join(KubeModes, ", "))
	}
}

// fargateSize rounds a pod up to the smallest Fargate configuration that
// holds its requests plus 0.25 GB for Kubernetes components.
func fargateSize(cpu, mem Dec) (Dec, Dec) {
	need := mem.Add(D("0.25"))
	configs := []struct {
		cpu      string
		memories []string
	}{
		{"0.25", []string{"0.5", "1", "2"}},
		{"0.5", []string{"1", "2", "3", "4"}},
		{"1", []string{"2", "3", "4", "5", "6", "7", "8"}},
		{"2", seq(4, 16)},
		{"4", seq(8, 30)},
		{"8", seq(16, 60)},
		{"16", seq(32, 120)},
	}
	for _, cfg := range configs {
		if D(cfg.cpu).Cmp(cpu) < 0 {
			continue
		}
		for _, m := range cfg.memories {
			if D(m).Cmp(need) >= 0 {
				return D(cfg.cpu), D(m)
			}
		}
	}
	return cpu, need // larger than any configuration: priced as asked
}

func seq(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

// autopilotSize applies Autopilot's general-purpose minimums (0.25 vCPU,
// 0.5 GB) and its 1:1 to 1:6.5 vCPU-to-GB ratio.
func autopilotSize(cpu, mem Dec) (Dec, Dec) {
	cpu, mem = cpu.Max(D("0.25")), mem.Max(D("0.5"))
	if mem.Cmp(cpu) < 0 {
		mem = cpu
	}
	if mem.Cmp(cpu.Mul(D("6.5"))) > 0 {
		cpu = mem.Div(D("6.5"))
	}
	return cpu, mem
}
