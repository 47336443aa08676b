package validate

// More of the apiserver's checks a schema cannot express: counts,
// durations, names with kind-specific limits, claims and network policies.

import (
	"fmt"
	"net/netip"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

func init() {
	registerType("kubernetes", SeverityError,
		&Rule{ID: "invalid-claim", Summary: "A PersistentVolumeClaim (or claim template) without an access mode or a storage request."},
		&Rule{ID: "invalid-network-policy", Summary: "A NetworkPolicy ipBlock whose CIDR is malformed, or whose except entries are not inside it."},
	)
}

// nonNegative reports counts the apiserver requires to be >= 0.
func (k *kubeChecker) nonNegative(d *kubeDoc, base []string, counts map[string]*int32) {
	for field, v := range counts {
		if v != nil && *v < 0 {
			k.finding(d, "invalid-replicas", append(base, field), fmt.Sprintf("%s must be greater than or equal to 0, is %d", field, *v), "")
		}
	}
}

func (k *kubeChecker) checkDeploymentTiming(d *kubeDoc, spec *appsv1.DeploymentSpec) {
	k.nonNegative(d, p("spec"), map[string]*int32{"minReadySeconds": &spec.MinReadySeconds, "revisionHistoryLimit": spec.RevisionHistoryLimit})
	if pd := spec.ProgressDeadlineSeconds; pd != nil && *pd <= spec.MinReadySeconds {
		k.finding(d, "invalid-replicas", p("spec", "progressDeadlineSeconds"), fmt.Sprintf("progressDeadlineSeconds %d must be greater than minReadySeconds %d", *pd, spec.MinReadySeconds), "")
	}
}

func (k *kubeChecker) checkJobCounts(d *kubeDoc, spec *batchv1.JobSpec, base []string) {
	k.nonNegative(d, base, map[string]*int32{"parallelism": spec.Parallelism, "completions": spec.Completions, "backoffLimit": spec.BackoffLimit, "ttlSecondsAfterFinished": spec.TTLSecondsAfterFinished})
	if a := spec.ActiveDeadlineSeconds; a != nil && *a < 0 {
		k.finding(d, "invalid-replicas", append(base, "activeDeadlineSeconds"), fmt.Sprintf("activeDeadlineSeconds must be greater than or equal to 0, is %d", *a), "")
	}
	if m := spec.CompletionMode; m != nil && *m == batchv1.IndexedCompletion && spec.Completions == nil {
		k.finding(d, "invalid-replicas", base, "completions is required when completionMode is Indexed", "set spec.completions")
	}
}

// checkCronJobName: the controller appends an 11-character suffix to each
// Job's name, so a CronJob's name may have at most 52 characters.
func (k *kubeChecker) checkCronJobName(d *kubeDoc) {
	if n := d.name(); len(n) > 52 {
		k.finding(d, "invalid-name", p("metadata", "name"), fmt.Sprintf("a CronJob's name may have at most 52 characters, %q has %d", n, len(n)), "")
	}
}

func (k *kubeChecker) checkExternalName(d *kubeDoc, s *corev1.Service) {
	if s.Spec.Type != corev1.ServiceTypeExternalName {
		return
	}
	if s.Spec.ExternalName == "" {
		k.finding(d, "invalid-service", p("spec", "externalName"), "a Service of type ExternalName needs spec.externalName", "")
		return
	}
	for _, msg := range validation.IsDNS1123Subdomain(s.Spec.ExternalName) {
		k.finding(d, "invalid-service", p("spec", "externalName"), fmt.Sprintf("externalName %q: %s", s.Spec.ExternalName, msg), "")
	}
}

// checkClaim checks a claim's spec (a PVC's, or a StatefulSet's claim template's).
func (k *kubeChecker) checkClaim(d *kubeDoc, spec *corev1.PersistentVolumeClaimSpec, base []string) {
	if len(spec.AccessModes) == 0 {
		k.finding(d, "invalid-claim", append(base, "accessModes"), "at least one access mode is required", "accessModes: [ReadWriteOnce]")
	}
	if _, ok := spec.Resources.Requests[corev1.ResourceStorage]; !ok {
		k.finding(d, "invalid-claim", append(base, "resources"), "resources.requests.storage is required", "resources: {requests: {storage: 1Gi}}")
	}
}

func (k *kubeChecker) checkNetworkPolicy(d *kubeDoc, np *networkingv1.NetworkPolicy) {
	check := func(b *networkingv1.IPBlock, path []string) {
		if b == nil {
			return
		}
		cidr, err := netip.ParsePrefix(b.CIDR)
		if err != nil {
			k.finding(d, "invalid-network-policy", append(path, "cidr"), fmt.Sprintf("ipBlock.cidr %q is not a CIDR", b.CIDR), "e.g. 10.0.0.0/16")
			return
		}
		for i, e := range b.Except {
			ex, err := netip.ParsePrefix(e)
			switch {
			case err != nil:
				k.finding(d, "invalid-network-policy", idx(path, "except", i), fmt.Sprintf("ipBlock.except %q is not a CIDR", e), "")
			case !cidr.Contains(ex.Addr()) || ex.Bits() <= cidr.Bits():
				k.finding(d, "invalid-network-policy", idx(path, "except", i), fmt.Sprintf("ipBlock.except %q must be strictly within cidr %s", e, b.CIDR), "")
			}
		}
	}
	for i, r := range np.Spec.Ingress {
		for j, peer := range r.From {
			check(peer.IPBlock, append(idx(idx(p("spec"), "ingress", i), "from", j), "ipBlock"))
		}
	}
	for i, r := range np.Spec.Egress {
		for j, peer := range r.To {
			check(peer.IPBlock, append(idx(idx(p("spec"), "egress", i), "to", j), "ipBlock"))
		}
	}
}
