package validate

// The apiserver's checks of an Ingress that its schema cannot express.

import (
	"fmt"
	"net/netip"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

func init() {
	registerType("kubernetes", SeverityError,
		&Rule{ID: "invalid-ingress", Summary: "An Ingress host that is not a DNS name (or is an IP), a path that is not absolute, or a backend without exactly one target."},
	)
}

func (k *kubeChecker) checkIngress(d *kubeDoc, ing *networkingv1.Ingress) {
	if b := ing.Spec.DefaultBackend; b != nil {
		k.checkIngressBackend(d, b, p("spec", "defaultBackend"))
	}
	for i, rule := range ing.Spec.Rules {
		rp := idx(p("spec"), "rules", i)
		if rule.Host != "" {
			k.checkIngressHost(d, rule.Host, append(rp, "host"))
		}
		if rule.HTTP == nil {
			continue
		}
		for j, path := range rule.HTTP.Paths {
			pp := idx(append(rp, "http"), "paths", j)
			if pt := path.PathType; pt != nil && (*pt == networkingv1.PathTypeExact || *pt == networkingv1.PathTypePrefix) {
				if !strings.HasPrefix(path.Path, "/") {
					k.finding(d, "invalid-ingress", append(pp, "path"), fmt.Sprintf("path %q must be an absolute path for pathType %s", path.Path, *pt), "start it with /")
				}
				for _, bad := range []string{"//", "/./", "/../", "%2f", "%2F"} {
					if strings.Contains(path.Path, bad) {
						k.finding(d, "invalid-ingress", append(pp, "path"), fmt.Sprintf("path %q must not contain %q", path.Path, bad), "")
					}
				}
			}
			k.checkIngressBackend(d, &path.Backend, append(pp, "backend"))
		}
	}
	for i, tls := range ing.Spec.TLS {
		for j, h := range tls.Hosts {
			k.checkIngressHost(d, h, idx(idx(p("spec"), "tls", i), "hosts", j))
		}
	}
}

// checkIngressHost: a DNS name, a leading "*." wildcard allowed, never an
// IP address.
func (k *kubeChecker) checkIngressHost(d *kubeDoc, host string, path []string) {
	if _, err := netip.ParseAddr(host); err == nil {
		k.finding(d, "invalid-ingress", path, fmt.Sprintf("host %q must be a DNS name, not an IP address", host), "")
		return
	}
	check := validation.IsDNS1123Subdomain
	if strings.Contains(host, "*") {
		check = validation.IsWildcardDNS1123Subdomain
	}
	for _, msg := range check(host) {
		k.finding(d, "invalid-ingress", path, fmt.Sprintf("host %q: %s", host, msg), "lower-case letters, digits, '-' and '.'; a wildcard only as the first label (*.example.com)")
	}
}

func (k *kubeChecker) checkIngressBackend(d *kubeDoc, b *networkingv1.IngressBackend, path []string) {
	switch {
	case b.Service != nil && b.Resource != nil:
		k.finding(d, "invalid-ingress", path, "a backend takes a service or a resource, not both", "")
	case b.Service == nil && b.Resource == nil:
		k.finding(d, "invalid-ingress", path, "a backend needs a service or a resource", "")
	case b.Service != nil:
		sp := append(path, "service")
		for _, msg := range validation.IsDNS1035Label(b.Service.Name) {
			k.finding(d, "invalid-ingress", append(sp, "name"), fmt.Sprintf("service name %q: %s", b.Service.Name, msg), "")
		}
		port := b.Service.Port
		switch {
		case port.Name != "" && port.Number != 0:
			k.finding(d, "invalid-ingress", append(sp, "port"), "a service port takes a name or a number, not both", "")
		case port.Name == "" && port.Number == 0:
			k.finding(d, "invalid-ingress", append(sp, "port"), "a service port needs a name or a number", "")
		case port.Name != "":
			for _, msg := range validation.IsValidPortName(port.Name) {
				k.finding(d, "invalid-ingress", append(sp, "port", "name"), fmt.Sprintf("port name %q: %s", port.Name, msg), "")
			}
		default:
			for _, msg := range validation.IsValidPortNum(int(port.Number)) {
				k.finding(d, "invalid-ingress", append(sp, "port", "number"), fmt.Sprintf("port %d: %s", port.Number, msg), "")
			}
		}
	}
}
