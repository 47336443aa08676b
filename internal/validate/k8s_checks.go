package validate

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"

	crdvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"

	"github.com/robfig/cron/v3"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

// The apiserver's own checks that a schema cannot express. Each mirrors a
// refusal of kube-apiserver's validation (its message is in the corpus
// test's expectations), so offline "valid" means the apiserver accepts it.
func init() {
	registerType("kubernetes", SeverityError,
		&Rule{ID: "invalid-name", Summary: "metadata.name or another name is not a valid DNS name for its kind."},
		&Rule{ID: "invalid-label", Summary: "A label or selector key or value is not valid."},
		&Rule{ID: "invalid-annotation", Summary: "An annotation key is not valid, or annotations exceed 256 KiB."},
		&Rule{ID: "selector-mismatch", Summary: "A workload's selector is empty or does not match its pod template's labels."},
		&Rule{ID: "invalid-port", Summary: "A port number, port name or target port is out of range or malformed."},
		&Rule{ID: "invalid-resources", Summary: "A resource request exceeds its limit, or a resource name is invalid."},
		&Rule{ID: "invalid-container", Summary: "A container has no name or image, or two containers share a name."},
		&Rule{ID: "invalid-probe", Summary: "A probe has no handler or more than one, or invalid thresholds."},
		&Rule{ID: "invalid-volume", Summary: "A volume is unnamed, duplicated, has no source, or a mount names no volume."},
		&Rule{ID: "invalid-restart-policy", Summary: "A restartPolicy the workload kind does not allow."},
		&Rule{ID: "invalid-replicas", Summary: "Negative replicas or other counts."},
		&Rule{ID: "invalid-schedule", Summary: "A CronJob schedule that is not a valid cron expression."},
		&Rule{ID: "invalid-autoscaler", Summary: "A HorizontalPodAutoscaler whose minReplicas exceeds maxReplicas, or maxReplicas below 1."},
		&Rule{ID: "invalid-pdb", Summary: "A PodDisruptionBudget with both minAvailable and maxUnavailable."},
		&Rule{ID: "invalid-data-key", Summary: "A ConfigMap or Secret key that is not a valid file name."},
		&Rule{ID: "invalid-service", Summary: "A Service without ports, with unnamed or duplicate port names, or a nodePort outside 30000-32767."},
		&Rule{ID: "invalid-env", Summary: "An environment variable with an invalid name or more than one value source."},
		&Rule{ID: "invalid-strategy", Summary: "A rolling update with both maxSurge and maxUnavailable zero."},
	)
}

// decodeAs converts a checked document to a typed object, once per type
// (the apiserver checks and the rules both want it).
func decodeAs[T any](d *kubeDoc) (*T, bool) {
	key := reflect.TypeFor[T]()
	if v, ok := d.typed[key]; ok {
		t, _ := v.(*T)
		return t, t != nil
	}
	if d.typed == nil {
		d.typed = map[reflect.Type]any{}
	}
	var v T
	b, err := json.Marshal(d.obj)
	if err == nil {
		err = json.Unmarshal(b, &v)
	}
	if err != nil {
		d.typed[key] = (*T)(nil)
		return nil, false
	}
	d.typed[key] = &v
	return &v, true
}

func p(parts ...string) []string { return parts }

// apiserverChecks runs the checks of d's kind. Only called when d passed
// its schema (types are right).
func (k *kubeChecker) apiserverChecks(d *kubeDoc) {
	k.checkMeta(d)
	switch d.gvk.GroupKind().String() {
	case "Pod":
		if o, ok := decodeAs[corev1.Pod](d); ok {
			k.checkPodSpec(d, &o.Spec, p("spec"), "")
		}
	case "Deployment.apps":
		if o, ok := decodeAs[appsv1.Deployment](d); ok {
			k.checkReplicas(d, o.Spec.Replicas)
			k.checkDeploymentTiming(d, &o.Spec)
			k.checkWorkloadSelector(d, o.Spec.Selector, o.Spec.Template.Labels, true)
			k.checkPodTemplate(d, &o.Spec.Template, "Always")
			if ru := o.Spec.Strategy.RollingUpdate; ru != nil && o.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
				if isZero(ru.MaxSurge) && isZero(ru.MaxUnavailable) {
					k.finding(d, "invalid-strategy", p("spec", "strategy", "rollingUpdate"), "spec.strategy.rollingUpdate: maxSurge and maxUnavailable may not both be 0", "let one of them be at least 1")
				}
			}
		}
	case "ReplicaSet.apps":
		if o, ok := decodeAs[appsv1.ReplicaSet](d); ok {
			k.checkReplicas(d, o.Spec.Replicas)
			k.checkWorkloadSelector(d, o.Spec.Selector, o.Spec.Template.Labels, true)
			k.checkPodTemplate(d, &o.Spec.Template, "Always")
		}
	case "StatefulSet.apps":
		if o, ok := decodeAs[appsv1.StatefulSet](d); ok {
			k.checkReplicas(d, o.Spec.Replicas)
			k.checkWorkloadSelector(d, o.Spec.Selector, o.Spec.Template.Labels, true)
			// The controller adds a volume per claim template to every pod,
			// so mounts may name them (as the apiserver's validation does).
			var claims []string
			for i, c := range o.Spec.VolumeClaimTemplates {
				claims = append(claims, c.Name)
				k.checkClaim(d, &c.Spec, append(idx(p("spec"), "volumeClaimTemplates", i), "spec"))
			}
			k.checkPodTemplate(d, &o.Spec.Template, "Always", claims...)
		}
	case "DaemonSet.apps":
		if o, ok := decodeAs[appsv1.DaemonSet](d); ok {
			k.checkWorkloadSelector(d, o.Spec.Selector, o.Spec.Template.Labels, true)
			k.checkPodTemplate(d, &o.Spec.Template, "Always")
		}
	case "Job.batch":
		if o, ok := decodeAs[batchv1.Job](d); ok {
			k.checkJobCounts(d, &o.Spec, p("spec"))
			k.checkJobTemplate(d, &o.Spec, p("spec"))
		}
	case "CronJob.batch":
		if o, ok := decodeAs[batchv1.CronJob](d); ok {
			if _, err := cron.ParseStandard(o.Spec.Schedule); err != nil || strings.Contains(o.Spec.Schedule, "TZ") {
				k.finding(d, "invalid-schedule", p("spec", "schedule"), "spec.schedule is not a valid cron expression", "five fields: minute hour day-of-month month day-of-week, e.g. \"*/5 * * * *\"")
			}
			k.checkCronJobName(d)
			k.checkJobCounts(d, &o.Spec.JobTemplate.Spec, p("spec", "jobTemplate", "spec"))
			k.checkJobTemplate(d, &o.Spec.JobTemplate.Spec, p("spec", "jobTemplate", "spec"))
		}
	case "CustomResourceDefinition.apiextensions.k8s.io":
		if crd, err := decodeCRD(d.obj); err == nil {
			for _, e := range crdvalidation.ValidateCustomResourceDefinition(context.Background(), crd) {
				k.finding(d, "invalid-crd", fieldSegments(e.Field), e.Error(), "")
			}
		}
	case "Ingress.networking.k8s.io":
		if o, ok := decodeAs[networkingv1.Ingress](d); ok {
			k.checkIngress(d, o)
		}
	case "PersistentVolumeClaim":
		if o, ok := decodeAs[corev1.PersistentVolumeClaim](d); ok {
			k.checkClaim(d, &o.Spec, p("spec"))
		}
	case "NetworkPolicy.networking.k8s.io":
		if o, ok := decodeAs[networkingv1.NetworkPolicy](d); ok {
			k.checkNetworkPolicy(d, o)
		}
	case "Service":
		if o, ok := decodeAs[corev1.Service](d); ok {
			k.checkExternalName(d, o)
			k.checkService(d, o)
		}
	case "ConfigMap", "Secret":
		for _, field := range []string{"data", "binaryData", "stringData"} {
			m, _ := d.obj[field].(map[string]any)
			for key := range m {
				for _, msg := range validation.IsConfigMapKey(key) {
					k.finding(d, "invalid-data-key", p(field, key), fmt.Sprintf("%s key %q: %s", field, key, msg), "keys are file names: letters, digits, '-', '_' and '.'")
				}
			}
		}
	case "HorizontalPodAutoscaler.autoscaling":
		if d.gvk.Version == "v2" {
			if o, ok := decodeAs[autoscalingv2.HorizontalPodAutoscaler](d); ok {
				min := int32(1)
				if o.Spec.MinReplicas != nil {
					min = *o.Spec.MinReplicas
					if min < 1 {
						k.finding(d, "invalid-autoscaler", p("spec", "minReplicas"), "spec.minReplicas must be at least 1", "")
					}
				}
				if o.Spec.MaxReplicas < 1 {
					k.finding(d, "invalid-autoscaler", p("spec", "maxReplicas"), "spec.maxReplicas must be at least 1", "")
				} else if min > o.Spec.MaxReplicas {
					k.finding(d, "invalid-autoscaler", p("spec", "maxReplicas"), fmt.Sprintf("spec.maxReplicas %d is less than minReplicas %d", o.Spec.MaxReplicas, min), "raise maxReplicas or lower minReplicas")
				}
			}
		}
	case "PodDisruptionBudget.policy":
		if o, ok := decodeAs[policyv1.PodDisruptionBudget](d); ok {
			if o.Spec.MinAvailable != nil && o.Spec.MaxUnavailable != nil {
				k.finding(d, "invalid-pdb", p("spec", "maxUnavailable"), "spec: minAvailable and maxUnavailable cannot both be set", "keep one of them")
			}
			k.checkSelectorLabels(d, o.Spec.Selector, p("spec", "selector"))
		}
	}
}

func isZero(v *intstr.IntOrString) bool {
	if v == nil {
		return false
	}
	if v.Type == intstr.Int {
		return v.IntVal == 0
	}
	return v.StrVal == "0%" || v.StrVal == "0"
}

// nameRules: which DNS rule a kind's metadata.name follows.
// (Service names are DNS-1123 labels since Kubernetes 1.34, no longer DNS-1035.)
var dns1123LabelKinds = map[string]bool{"Namespace": true, "Service": true}

func (k *kubeChecker) checkMeta(d *kubeDoc) {
	meta, _ := d.obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	generate, _ := meta["generateName"].(string)
	kind := d.gvk.Kind
	switch {
	case name == "" && generate == "":
		k.finding(d, "invalid-name", p("metadata"), "metadata.name is required", "")
	case name != "":
		var msgs []string
		switch {
		case dns1123LabelKinds[kind] && d.gvk.Group == "":
			msgs = validation.IsDNS1123Label(name)
		case d.gvk.Group == "rbac.authorization.k8s.io":
			if strings.Contains(name, "/") || strings.Contains(name, "%") || name == "." || name == ".." {
				msgs = []string{"may not contain '/' or '%' and may not be '.' or '..'"}
			}
		default:
			msgs = validation.IsDNS1123Subdomain(name)
		}
		for _, m := range msgs {
			k.finding(d, "invalid-name", p("metadata", "name"), fmt.Sprintf("metadata.name %q: %s", name, m), "lowercase letters, digits and '-', starting and ending with a letter or digit")
		}
	}
	if ns, _ := meta["namespace"].(string); ns != "" {
		for _, m := range validation.IsDNS1123Label(ns) {
			k.finding(d, "invalid-name", p("metadata", "namespace"), fmt.Sprintf("metadata.namespace %q: %s", ns, m), "")
		}
	}
	k.checkLabels(d, meta["labels"], p("metadata", "labels"))
	if ann, ok := meta["annotations"].(map[string]any); ok {
		total := 0
		for key, v := range ann {
			s, _ := v.(string)
			total += len(key) + len(s)
			for _, m := range validation.IsQualifiedName(strings.ToLower(key)) {
				k.finding(d, "invalid-annotation", p("metadata", "annotations", key), fmt.Sprintf("annotation key %q: %s", key, m), "")
			}
		}
		if total > 256*1024 {
			k.finding(d, "invalid-annotation", p("metadata", "annotations"), fmt.Sprintf("annotations total %d bytes; the limit is 262144", total), "")
		}
	}
}

func (k *kubeChecker) checkLabels(d *kubeDoc, v any, path []string) {
	m, _ := v.(map[string]any)
	for key, val := range m {
		for _, msg := range validation.IsQualifiedName(key) {
			k.finding(d, "invalid-label", append(path, key), fmt.Sprintf("label key %q: %s", key, msg), "")
		}
		s, _ := val.(string)
		for _, msg := range validation.IsValidLabelValue(s) {
			k.finding(d, "invalid-label", append(path, key), fmt.Sprintf("label %s: value %s", key, msg), "at most 63 characters: letters, digits, '-', '_' and '.', starting and ending with a letter or digit")
		}
	}
}

func (k *kubeChecker) checkSelectorLabels(d *kubeDoc, sel *metav1.LabelSelector, path []string) {
	if sel == nil {
		return
	}
	for key, val := range sel.MatchLabels {
		for _, msg := range append(validation.IsQualifiedName(key), validation.IsValidLabelValue(val)...) {
			k.finding(d, "invalid-label", append(path, "matchLabels", key), fmt.Sprintf("selector %s: value %s", key, msg), "")
		}
	}
	for i, e := range sel.MatchExpressions {
		if _, err := metav1.LabelSelectorAsSelector(&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{e}}); err != nil {
			k.finding(d, "invalid-label", append(path, "matchExpressions", "["+strconv.Itoa(i)+"]"), fmt.Sprintf("selector expression: %v", err), "")
		}
	}
}

func (k *kubeChecker) checkReplicas(d *kubeDoc, r *int32) {
	if r != nil && *r < 0 {
		k.finding(d, "invalid-replicas", p("spec", "replicas"), fmt.Sprintf("spec.replicas %d must be greater than or equal to 0", *r), "")
	}
}

func (k *kubeChecker) checkWorkloadSelector(d *kubeDoc, sel *metav1.LabelSelector, tmplLabels map[string]string, required bool) {
	path := p("spec", "selector")
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		if required {
			k.finding(d, "selector-mismatch", path, "spec.selector is required and may not be empty", "select the pod template's labels, e.g. matchLabels: {app: NAME}")
		}
		return
	}
	k.checkSelectorLabels(d, sel, path)
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return
	}
	if !s.Matches(labels.Set(tmplLabels)) {
		k.finding(d, "selector-mismatch", path, fmt.Sprintf("spec.selector %q does not match the template labels %v", s.String(), tmplLabels),
			"make spec.template.metadata.labels include every matchLabels pair")
	}
}

// checkPodTemplate checks a workload's pod template; claims are volumes
// the controller adds to each pod (a StatefulSet's volumeClaimTemplates).
func (k *kubeChecker) checkPodTemplate(d *kubeDoc, t *corev1.PodTemplateSpec, restart string, claims ...string) {
	base := p("spec", "template")
	k.checkLabels(d, asAny(t.Labels), append(base, "metadata", "labels"))
	k.checkPodSpec(d, &t.Spec, append(base, "spec"), restart, claims...)
}

func (k *kubeChecker) checkJobTemplate(d *kubeDoc, spec *batchv1.JobSpec, base []string) {
	tmpl := append(base, "template")
	k.checkLabels(d, asAny(spec.Template.Labels), append(tmpl, "metadata", "labels"))
	rp := spec.Template.Spec.RestartPolicy
	if rp != corev1.RestartPolicyOnFailure && rp != corev1.RestartPolicyNever {
		k.finding(d, "invalid-restart-policy", append(tmpl, "spec", "restartPolicy"), "a Job's pod template needs restartPolicy OnFailure or Never", "set restartPolicy: OnFailure (or Never)")
	}
	k.checkPodSpec(d, &spec.Template.Spec, append(tmpl, "spec"), "")
}

func asAny(m map[string]string) any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func idx(path []string, field string, i int) []string {
	return append(append(path[:len(path):len(path)], field), "["+strconv.Itoa(i)+"]")
}

func (k *kubeChecker) checkPodSpec(d *kubeDoc, ps *corev1.PodSpec, base []string, restart string, claims ...string) {
	if restart != "" && ps.RestartPolicy != "" && string(ps.RestartPolicy) != restart {
		k.finding(d, "invalid-restart-policy", append(base, "restartPolicy"), fmt.Sprintf("restartPolicy is not allowed here; only %q", restart), "remove restartPolicy or set it to "+restart)
	}
	if len(ps.Containers) == 0 {
		k.finding(d, "invalid-container", base, "spec.containers: at least one container is required", "")
	}
	volumes := map[string]bool{}
	for i, v := range ps.Volumes {
		path := idx(base, "volumes", i)
		for _, m := range validation.IsDNS1123Label(v.Name) {
			k.finding(d, "invalid-volume", append(path, "name"), fmt.Sprintf("volume name %q: %s", v.Name, m), "")
		}
		if volumes[v.Name] {
			k.finding(d, "invalid-volume", append(path, "name"), fmt.Sprintf("volume %q is defined twice", v.Name), "")
		}
		volumes[v.Name] = true
		if n := countSources(v.VolumeSource); n != 1 {
			k.finding(d, "invalid-volume", path, fmt.Sprintf("volume %q must have exactly one source (emptyDir, configMap, secret, persistentVolumeClaim...), has %d", v.Name, n), "")
		}
	}
	for _, c := range claims {
		volumes[c] = true
	}
	names := map[string]bool{}
	check := func(field string, cs []corev1.Container) {
		for i := range cs {
			k.checkContainer(d, &cs[i], idx(base, field, i), names, volumes, field == "containers")
		}
	}
	check("initContainers", ps.InitContainers)
	check("containers", ps.Containers)
}

func countSources(v corev1.VolumeSource) int {
	b, _ := json.Marshal(v)
	var m map[string]any
	json.Unmarshal(b, &m)
	return len(m)
}

func (k *kubeChecker) checkContainer(d *kubeDoc, c *corev1.Container, path []string, names, volumes map[string]bool, main bool) {
	switch {
	case c.Name == "":
		k.finding(d, "invalid-container", path, "container name is required", "")
	case names[c.Name]:
		k.finding(d, "invalid-container", append(path, "name"), fmt.Sprintf("container name %q is used twice in the pod", c.Name), "give each container (and init container) its own name")
	default:
		for _, m := range validation.IsDNS1123Label(c.Name) {
			k.finding(d, "invalid-container", append(path, "name"), fmt.Sprintf("container name %q: %s", c.Name, m), "")
		}
	}
	names[c.Name] = true
	if c.Image == "" {
		k.finding(d, "invalid-container", path, fmt.Sprintf("container %q has no image", c.Name), "")
	} else if strings.TrimSpace(c.Image) != c.Image {
		k.finding(d, "invalid-container", append(path, "image"), fmt.Sprintf("container %q: image may not have leading or trailing whitespace", c.Name), "")
	}
	portNames := map[string]bool{}
	for i, port := range c.Ports {
		pp := idx(path, "ports", i)
		if port.ContainerPort < 1 || port.ContainerPort > 65535 {
			k.finding(d, "invalid-port", append(pp, "containerPort"), fmt.Sprintf("containerPort %d must be between 1 and 65535", port.ContainerPort), "")
		}
		if port.HostPort < 0 || port.HostPort > 65535 {
			k.finding(d, "invalid-port", append(pp, "hostPort"), fmt.Sprintf("hostPort %d must be between 0 and 65535", port.HostPort), "")
		}
		if port.Name != "" {
			for _, m := range validation.IsValidPortName(port.Name) {
				k.finding(d, "invalid-port", append(pp, "name"), fmt.Sprintf("port name %q: %s", port.Name, m), "at most 15 lowercase letters, digits and '-', with at least one letter")
			}
			if portNames[port.Name] {
				k.finding(d, "invalid-port", append(pp, "name"), fmt.Sprintf("port name %q is used twice in container %q", port.Name, c.Name), "")
			}
			portNames[port.Name] = true
		}
	}
	for i, e := range c.Env {
		ep := idx(path, "env", i)
		if e.Name == "" {
			k.finding(d, "invalid-env", ep, "env var name is required", "")
		} else {
			for _, m := range validation.IsRelaxedEnvVarName(e.Name) {
				k.finding(d, "invalid-env", append(ep, "name"), fmt.Sprintf("env var %q: %s", e.Name, m), "")
			}
		}
		if e.ValueFrom != nil {
			if e.Value != "" {
				k.finding(d, "invalid-env", ep, fmt.Sprintf("env var %q has both value and valueFrom", e.Name), "keep one")
			}
			if n := countRefs(e.ValueFrom); n != 1 {
				k.finding(d, "invalid-env", append(ep, "valueFrom"), fmt.Sprintf("env var %q: valueFrom needs exactly one source, has %d", e.Name, n), "")
			}
		}
	}
	mounted := map[string]bool{}
	for i, m := range c.VolumeMounts {
		mp := idx(path, "volumeMounts", i)
		if !volumes[m.Name] {
			k.finding(d, "invalid-volume", append(mp, "name"), fmt.Sprintf("volume mount %q names no volume of the pod", m.Name), "add it under spec.volumes")
		}
		if m.MountPath == "" {
			k.finding(d, "invalid-volume", mp, fmt.Sprintf("volume mount %q has no mountPath", m.Name), "")
		} else if mounted[m.MountPath] {
			k.finding(d, "invalid-volume", append(mp, "mountPath"), fmt.Sprintf("mountPath %q is used twice in container %q", m.MountPath, c.Name), "each mount needs its own path")
		}
		mounted[m.MountPath] = true
		if sp := m.SubPath; sp != "" && (strings.HasPrefix(sp, "/") || slices.Contains(strings.Split(sp, "/"), "..")) {
			k.finding(d, "invalid-volume", append(mp, "subPath"), fmt.Sprintf("subPath %q must be a relative path without '..'", sp), "")
		}
	}
	k.checkResources(d, c, append(path, "resources"))
	for _, pr := range []struct {
		field string
		probe *corev1.Probe
	}{{"livenessProbe", c.LivenessProbe}, {"readinessProbe", c.ReadinessProbe}, {"startupProbe", c.StartupProbe}} {
		if pr.probe == nil {
			continue
		}
		if !main {
			continue
		}
		pp := append(path, pr.field)
		h := pr.probe.ProbeHandler
		n := 0
		for _, set := range []bool{h.Exec != nil, h.HTTPGet != nil, h.TCPSocket != nil, h.GRPC != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			k.finding(d, "invalid-probe", pp, fmt.Sprintf("container %q %s must specify exactly one handler (exec, httpGet, tcpSocket or grpc), has %d", c.Name, pr.field, n), "")
		}
		if (pr.field == "livenessProbe" || pr.field == "startupProbe") && pr.probe.SuccessThreshold > 1 {
			k.finding(d, "invalid-probe", append(pp, "successThreshold"), fmt.Sprintf("container %q %s: successThreshold must be 1", c.Name, pr.field), "")
		}
		if h.HTTPGet != nil {
			k.checkTargetPort(d, h.HTTPGet.Port, append(pp, "httpGet", "port"))
		}
		if h.TCPSocket != nil {
			k.checkTargetPort(d, h.TCPSocket.Port, append(pp, "tcpSocket", "port"))
		}
	}
}

func countRefs(v *corev1.EnvVarSource) int {
	b, _ := json.Marshal(v)
	var m map[string]any
	json.Unmarshal(b, &m)
	return len(m)
}
