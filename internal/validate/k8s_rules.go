package validate

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/opsmcp/opsmcp/internal/redact"
)

// Best-practice rules, modelled on kube-linter's and kube-score's defaults.
func init() {
	rules := []*Rule{
		{ID: "latest-tag", Summary: "An image without a tag or with :latest.", Rationale: "The image can change under a running workload; rollbacks and audits cannot tell which build ran."},
		{ID: "missing-requests", Summary: "A container without CPU and memory requests.", Rationale: "The scheduler places pods by requests; without them nodes are overcommitted and pods evicted first."},
		{ID: "missing-limits", Summary: "A container without a memory limit.", Rationale: "A leaking container takes its node's memory and other pods with it."},
		{ID: "missing-readiness-probe", Summary: "A workload container without a readiness probe.", Rationale: "Traffic reaches pods before they can serve, and rollouts cannot tell a broken version."},
		{ID: "missing-liveness-probe", Summary: "A workload container without a liveness probe.", Rationale: "A hung process is never restarted."},
		{ID: "privileged", Summary: "A privileged container.", Rationale: "It has every capability and the host's devices: a breakout is a host compromise."},
		{ID: "privilege-escalation", Summary: "allowPrivilegeEscalation is not false.", Rationale: "setuid binaries can gain more privileges than the container started with."},
		{ID: "run-as-non-root", Summary: "runAsNonRoot is not true (pod or container).", Rationale: "Root in a container is root on the host after a breakout."},
		{ID: "read-only-root-fs", Summary: "readOnlyRootFilesystem is not true.", Rationale: "A writable root lets an attacker drop tools and persist; write to volumes instead."},
		{ID: "host-network", Summary: "hostNetwork: true.", Rationale: "The pod sees every interface of the node and bypasses network policy."},
		{ID: "host-pid", Summary: "hostPID: true.", Rationale: "The pod sees (and can signal) every process on the node."},
		{ID: "host-ipc", Summary: "hostIPC: true.", Rationale: "The pod shares the node's IPC namespace with every other process."},
		{ID: "host-path", Summary: "A hostPath volume.", Rationale: "Node files are exposed to the pod; writes survive it and can change the node."},
		{ID: "docker-sock", Summary: "The container runtime socket is mounted.", Rationale: "Whoever talks to the runtime socket controls every container on the node."},
		{ID: "host-port", Summary: "A container port bound to a hostPort.", Rationale: "It limits scheduling to one such pod per node and exposes the pod on the node's address."},
		{ID: "dangerous-capabilities", Summary: "Added capabilities such as SYS_ADMIN, NET_ADMIN or ALL.", Rationale: "They give powers close to privileged."},
		{ID: "duplicate-env", Summary: "An environment variable set twice in one container.", Rationale: "The later value silently wins; the apiserver only warns."},
		{ID: "secret-in-env", Summary: "A secret-looking literal value in env.", Rationale: "Pod specs are readable by many; use a Secret and valueFrom.secretKeyRef."},
		{ID: "node-port-range", Summary: "A nodePort outside the default range 30000-32767.", Rationale: "Most clusters refuse it; the range is the apiserver's --service-node-port-range."},
		{ID: "node-port", Summary: "A Service of type NodePort.", Rationale: "It opens a port on every node; prefer a LoadBalancer or an Ingress."},
		{ID: "service-selects-nothing", Summary: "A Service whose selector matches no workload in the validated set.", Rationale: "It has no endpoints: a typo in a label, usually."},
		{ID: "missing-pdb", Summary: "A workload with more than one replica and no PodDisruptionBudget selecting it.", Rationale: "Node drains may take all replicas down at once."},
		{ID: "missing-namespace", Severity: SeverityInfo, Summary: "A namespaced object without metadata.namespace.", Rationale: "It lands in whatever namespace the client's context points at."},
		{ID: "cluster-dry-run", Severity: SeverityError, Summary: "The live cluster refused the object in a server-side dry run (cluster: true)."},
	}
	registerType("kubernetes", SeverityWarning, rules...)
}

// podSpec returns the pod spec of a pod-bearing object and its path; long
// reports whether the pods are long-running (probes make sense).
func podSpec(d *kubeDoc) (spec *corev1.PodSpec, path []string, long bool, replicas int32, tmplLabels map[string]string) {
	switch d.gvk.GroupKind().String() {
	case "Pod":
		if o, ok := decodeAs[corev1.Pod](d); ok {
			return &o.Spec, p("spec"), false, 1, o.Labels
		}
	case "Deployment.apps":
		if o, ok := decodeAs[appsv1.Deployment](d); ok {
			return &o.Spec.Template.Spec, p("spec", "template", "spec"), true, replicasOf(o.Spec.Replicas), o.Spec.Template.Labels
		}
	case "StatefulSet.apps":
		if o, ok := decodeAs[appsv1.StatefulSet](d); ok {
			return &o.Spec.Template.Spec, p("spec", "template", "spec"), true, replicasOf(o.Spec.Replicas), o.Spec.Template.Labels
		}
	case "ReplicaSet.apps":
		if o, ok := decodeAs[appsv1.ReplicaSet](d); ok {
			return &o.Spec.Template.Spec, p("spec", "template", "spec"), true, replicasOf(o.Spec.Replicas), o.Spec.Template.Labels
		}
	case "DaemonSet.apps":
		if o, ok := decodeAs[appsv1.DaemonSet](d); ok {
			return &o.Spec.Template.Spec, p("spec", "template", "spec"), true, 1, o.Spec.Template.Labels
		}
	case "Job.batch":
		if o, ok := decodeAs[batchv1.Job](d); ok {
			return &o.Spec.Template.Spec, p("spec", "template", "spec"), false, 1, o.Spec.Template.Labels
		}
	case "CronJob.batch":
		if o, ok := decodeAs[batchv1.CronJob](d); ok {
			return &o.Spec.JobTemplate.Spec.Template.Spec, p("spec", "jobTemplate", "spec", "template", "spec"), false, 1, o.Spec.JobTemplate.Spec.Template.Labels
		}
	}
	return nil, nil, false, 0, nil
}

func replicasOf(r *int32) int32 {
	if r == nil {
		return 1
	}
	return *r
}

// clusterScoped kinds need no namespace.
var clusterScoped = map[string]bool{"Namespace": true, "Node": true, "PersistentVolume": true, "ClusterRole": true,
	"ClusterRoleBinding": true, "CustomResourceDefinition": true, "StorageClass": true, "PriorityClass": true,
	"IngressClass": true, "ValidatingWebhookConfiguration": true, "MutatingWebhookConfiguration": true,
	"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true, "APIService": true, "CSIDriver": true,
	"CSINode": true, "RuntimeClass": true, "VolumeAttachment": true, "FlowSchema": true, "PriorityLevelConfiguration": true,
	"DeviceClass": true, "CertificateSigningRequest": true}

// crossInfo is what the cross-file rules need of one object, so its
// document can be dropped once checked.
type crossInfo struct {
	file, resource, kind, namespace, name string
	line, column                          int // where cross-file findings about it point
	workload                              bool
	replicas                              int32
	labels                                labels.Set
	selector                              labels.Set            // a Service's selector
	pdbSelector                           *metav1.LabelSelector // a PodDisruptionBudget's
}

// crossFile reports whether any cross-file rule looks at the object.
func (o crossInfo) crossFile() bool { return o.workload || o.selector != nil || o.pdbSelector != nil }

func (k *kubeChecker) bestPractices(d *kubeDoc) crossInfo {
	info := crossInfo{file: d.file, resource: d.resource(), kind: d.gvk.Kind, namespace: d.namespace(), name: d.name()}
	switch {
	case d.gvk.Kind == "Service" && d.gvk.Group == "":
		if sel, ok := nested(d.obj, "spec", "selector").(map[string]any); ok && len(sel) > 0 {
			info.selector = labels.Set{}
			for key, v := range sel {
				info.selector[key] = fmt.Sprint(v)
			}
		}
		info.line, info.column = d.at(p("spec", "selector"))
	case d.gvk.Kind == "PodDisruptionBudget":
		if ls, ok := nested(d.obj, "spec", "selector").(map[string]any); ok {
			if sel, ok := decodeSelector(ls); ok {
				info.pdbSelector = &sel
			}
		}
	}
	if d.namespace() == "" && !clusterScoped[d.gvk.Kind] && k.catalog.For(d.gvk) != nil {
		k.finding(d, "missing-namespace", p("metadata"), "no metadata.namespace", "set metadata.namespace, so it does not depend on the client's context")
	}
	if d.gvk.Kind == "Service" && d.gvk.Group == "" {
		if t, _ := nested(d.obj, "spec", "type").(string); t == "NodePort" {
			k.finding(d, "node-port", p("spec", "type"), "Service type NodePort opens a port on every node", "use type: ClusterIP behind an Ingress, or a LoadBalancer")
		}
	}
	spec, base, long, replicas, tmplLabels := podSpec(d)
	if spec == nil {
		return info
	}
	info.workload, info.replicas, info.labels = true, replicas, labels.Set(tmplLabels)
	info.line, info.column = d.at(p("spec", "replicas"))
	for field, on := range map[string]bool{"hostNetwork": spec.HostNetwork, "hostPID": spec.HostPID, "hostIPC": spec.HostIPC} {
		if on {
			k.finding(d, "host-"+strings.ToLower(strings.TrimPrefix(field, "host")), append(base, field), field+": true shares the node's namespace with the pod", "remove it unless this is a node agent")
		}
	}
	for i, v := range spec.Volumes {
		if v.HostPath == nil {
			continue
		}
		vp := idx(base, "volumes", i)
		if strings.HasSuffix(v.HostPath.Path, "docker.sock") || strings.HasSuffix(v.HostPath.Path, "containerd.sock") || strings.HasSuffix(v.HostPath.Path, "crio.sock") {
			k.finding(d, "docker-sock", append(vp, "hostPath", "path"), fmt.Sprintf("volume %q mounts the container runtime socket %s", v.Name, v.HostPath.Path), "")
		} else {
			k.finding(d, "host-path", append(vp, "hostPath"), fmt.Sprintf("volume %q is a hostPath (%s)", v.Name, v.HostPath.Path), "use a persistentVolumeClaim, configMap or emptyDir")
		}
	}
	podNonRoot := spec.SecurityContext != nil && spec.SecurityContext.RunAsNonRoot != nil && *spec.SecurityContext.RunAsNonRoot
	for i := range spec.Containers {
		c := &spec.Containers[i]
		cp := idx(base, "containers", i)
		k.containerPractices(d, c, cp, podNonRoot, long)
	}
	return info
}

func (k *kubeChecker) containerPractices(d *kubeDoc, c *corev1.Container, cp []string, podNonRoot, long bool) {
	if c.Image != "" {
		ref := c.Image
		if i := strings.Index(ref, "@"); i >= 0 {
			ref = "" // pinned by digest
		}
		last := ref[strings.LastIndex(ref, "/")+1:]
		if ref != "" && (!strings.Contains(last, ":") || strings.HasSuffix(last, ":latest")) {
			k.finding(d, "latest-tag", append(cp, "image"), fmt.Sprintf("container %q image has no fixed tag", c.Name), "pin a version tag or a digest")
		}
	}
	req, lim := c.Resources.Requests, c.Resources.Limits
	if _, ok := req[corev1.ResourceCPU]; !ok {
		k.finding(d, "missing-requests", append(cp, "resources"), fmt.Sprintf("container %q has no CPU request", c.Name), "set resources.requests.cpu")
	} else if _, ok := req[corev1.ResourceMemory]; !ok {
		k.finding(d, "missing-requests", append(cp, "resources"), fmt.Sprintf("container %q has no memory request", c.Name), "set resources.requests.memory")
	}
	if _, ok := lim[corev1.ResourceMemory]; !ok {
		k.finding(d, "missing-limits", append(cp, "resources"), fmt.Sprintf("container %q has no memory limit", c.Name), "set resources.limits.memory")
	}
	if long {
		if c.ReadinessProbe == nil {
			k.finding(d, "missing-readiness-probe", cp, fmt.Sprintf("container %q has no readiness probe", c.Name), "add readinessProbe (httpGet, tcpSocket, grpc or exec)")
		}
		if c.LivenessProbe == nil {
			k.finding(d, "missing-liveness-probe", cp, fmt.Sprintf("container %q has no liveness probe", c.Name), "add livenessProbe")
		}
	}
	sc := c.SecurityContext
	if sc != nil && sc.Privileged != nil && *sc.Privileged {
		k.finding(d, "privileged", append(cp, "securityContext", "privileged"), fmt.Sprintf("container %q is privileged", c.Name), "drop privileged; add only the capabilities it needs")
	}
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		k.finding(d, "privilege-escalation", append(cp, "securityContext"), fmt.Sprintf("container %q does not set allowPrivilegeEscalation: false", c.Name), "securityContext.allowPrivilegeEscalation: false")
	}
	if !podNonRoot && (sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot) {
		k.finding(d, "run-as-non-root", append(cp, "securityContext"), fmt.Sprintf("container %q may run as root", c.Name), "securityContext.runAsNonRoot: true (pod or container)")
	}
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		k.finding(d, "read-only-root-fs", append(cp, "securityContext"), fmt.Sprintf("container %q has a writable root filesystem", c.Name), "securityContext.readOnlyRootFilesystem: true, with emptyDir volumes where it writes")
	}
	if sc != nil && sc.Capabilities != nil {
		for _, capability := range sc.Capabilities.Add {
			switch strings.ToUpper(string(capability)) {
			case "ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH", "NET_RAW", "BPF":
				k.finding(d, "dangerous-capabilities", append(cp, "securityContext", "capabilities", "add"), fmt.Sprintf("container %q adds capability %s", c.Name, capability), "")
			}
		}
	}
	for i, port := range c.Ports {
		if port.HostPort != 0 {
			k.finding(d, "host-port", append(idx(cp, "ports", i), "hostPort"), fmt.Sprintf("container %q binds hostPort %d", c.Name, port.HostPort), "expose it through a Service instead")
		}
	}
	seen := map[string]bool{}
	for i, e := range c.Env {
		ep := idx(cp, "env", i)
		if seen[e.Name] {
			k.finding(d, "duplicate-env", append(ep, "name"), fmt.Sprintf("container %q sets env %s twice; the last one wins", c.Name, e.Name), "")
		}
		seen[e.Name] = true
		if e.Value != "" && (redact.SecretNamed(e.Name) || redact.LooksSecret(e.Value)) {
			k.finding(d, "secret-in-env", append(ep, "value"), fmt.Sprintf("container %q env %s holds a literal secret-looking value", c.Name, e.Name), "move it to a Secret and use valueFrom.secretKeyRef")
		}
	}
}

// crossChecks look across every object of the run.
func (k *kubeChecker) crossChecks(objs []crossInfo) {
	emit := func(o crossInfo, rule, msg, hint string) {
		if r := registry[rule]; k.opts.Rules.on(r) {
			k.add(Finding{Rule: rule, Severity: r.Severity, Message: msg, Hint: hint, File: o.file, Line: o.line, Column: o.column, Resource: o.resource})
		}
	}
	// By namespace, with PDB selectors parsed once: the checks stay linear
	// in practice on runs of thousands of resources.
	var workloads []crossInfo
	byNS := map[string][]labels.Set{}
	pdbs := map[string][]labels.Selector{}
	for _, o := range objs {
		if o.workload {
			workloads = append(workloads, o)
			byNS[o.namespace] = append(byNS[o.namespace], o.labels)
		}
		if o.pdbSelector != nil {
			if s, err := metav1.LabelSelectorAsSelector(o.pdbSelector); err == nil && !s.Empty() {
				pdbs[o.namespace] = append(pdbs[o.namespace], s)
			}
		}
	}
	for _, o := range objs {
		if o.selector == nil || len(workloads) == 0 {
			continue // no selector by design, or nothing to compare with
		}
		sel := labels.SelectorFromSet(o.selector)
		matched := false
		for _, l := range byNS[o.namespace] {
			if sel.Matches(l) {
				matched = true
				break
			}
		}
		if !matched {
			emit(o, "service-selects-nothing", fmt.Sprintf("Service %s selects %s, which no workload in the validated files has", o.name, o.selector.String()), "check the labels of the pod template")
		}
	}
	for _, w := range workloads {
		if w.replicas < 2 {
			continue
		}
		covered := false
		for _, s := range pdbs[w.namespace] {
			if s.Matches(w.labels) {
				covered = true
				break
			}
		}
		if !covered {
			emit(w, "missing-pdb", fmt.Sprintf("%s has %d replicas and no PodDisruptionBudget selects its pods", w.resource, w.replicas), "add a PodDisruptionBudget with maxUnavailable: 1")
		}
	}
}

func decodeSelector(m map[string]any) (metav1.LabelSelector, bool) {
	var sel metav1.LabelSelector
	err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &sel)
	return sel, err == nil
}
