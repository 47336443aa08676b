package validate

// Checks of ports, resources and Services.

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

func (k *kubeChecker) checkTargetPort(d *kubeDoc, port intstr.IntOrString, path []string) {
	if port.Type == intstr.Int {
		if port.IntVal < 1 || port.IntVal > 65535 {
			k.finding(d, "invalid-port", path, fmt.Sprintf("port %d must be between 1 and 65535", port.IntVal), "")
		}
		return
	}
	for _, m := range validation.IsValidPortName(port.StrVal) {
		k.finding(d, "invalid-port", path, fmt.Sprintf("port %q: %s", port.StrVal, m), "a number 1-65535 or the name of a container port")
	}
}

func (k *kubeChecker) checkResources(d *kubeDoc, c *corev1.Container, path []string) {
	for name, req := range c.Resources.Requests {
		if lim, ok := c.Resources.Limits[name]; ok && req.Cmp(lim) > 0 {
			k.finding(d, "invalid-resources", append(path, "requests", string(name)), fmt.Sprintf("container %q: %s request %s is more than its limit %s", c.Name, name, req.String(), lim.String()), "requests must be at most the limits")
		}
	}
	for _, list := range []struct {
		field string
		rl    corev1.ResourceList
	}{{"requests", c.Resources.Requests}, {"limits", c.Resources.Limits}} {
		for name, q := range list.rl {
			if q.Sign() < 0 {
				k.finding(d, "invalid-resources", append(path, list.field, string(name)), fmt.Sprintf("container %q: %s %s must not be negative", c.Name, list.field, name), "")
			}
			if !strings.Contains(string(name), "/") {
				switch name {
				case corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage:
				default:
					if !strings.HasPrefix(string(name), "hugepages-") {
						k.finding(d, "invalid-resources", append(path, list.field, string(name)), fmt.Sprintf("container %q: %q is not a resource name (cpu, memory, ephemeral-storage, hugepages-*, or a domain-qualified extended resource)", c.Name, name), "")
					}
				}
			}
		}
	}
}

func (k *kubeChecker) checkService(d *kubeDoc, s *corev1.Service) {
	base := p("spec")
	if s.Spec.Type != corev1.ServiceTypeExternalName && len(s.Spec.Ports) == 0 && s.Spec.ClusterIP != corev1.ClusterIPNone {
		k.finding(d, "invalid-service", append(base, "ports"), "spec.ports: a Service needs at least one port", "")
	}
	names := map[string]bool{}
	for i, port := range s.Spec.Ports {
		pp := idx(base, "ports", i)
		if port.Port < 1 || port.Port > 65535 {
			k.finding(d, "invalid-port", append(pp, "port"), fmt.Sprintf("port %d must be between 1 and 65535", port.Port), "")
		}
		if len(s.Spec.Ports) > 1 && port.Name == "" {
			k.finding(d, "invalid-service", pp, "a Service with more than one port must name each port", "")
		}
		if port.Name != "" {
			for _, m := range validation.IsDNS1123Label(port.Name) {
				k.finding(d, "invalid-service", append(pp, "name"), fmt.Sprintf("port name %q: %s", port.Name, m), "")
			}
			if names[port.Name] {
				k.finding(d, "invalid-service", append(pp, "name"), fmt.Sprintf("port name %q is used twice", port.Name), "")
			}
			names[port.Name] = true
		}
		if port.TargetPort.Type == intstr.Int && port.TargetPort.IntVal == 0 && port.TargetPort.StrVal == "" {
			// unset: defaults to port
		} else {
			k.checkTargetPort(d, port.TargetPort, append(pp, "targetPort"))
		}
		if port.NodePort != 0 {
			if s.Spec.Type != corev1.ServiceTypeNodePort && s.Spec.Type != corev1.ServiceTypeLoadBalancer {
				k.finding(d, "invalid-service", append(pp, "nodePort"), "nodePort may only be set on NodePort and LoadBalancer services", "")
			} else if port.NodePort < 30000 || port.NodePort > 32767 {
				// The range is the cluster's --service-node-port-range: only a warning offline.
				k.finding(d, "node-port-range", append(pp, "nodePort"), fmt.Sprintf("nodePort %d is outside the default range 30000-32767", port.NodePort), "pick a port in the cluster's --service-node-port-range, or leave nodePort unset")
			}
		}
	}
	k.checkLabels(d, asAny(s.Spec.Selector), append(base, "selector"))
}
