package helmchart

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// RawManifests writes a chart's rendering for one release in one
// namespace as `kubectl apply -f` takes it: a Namespace first, then every
// object in the order Helm installs kinds, each under a comment naming its
// template. deploy/kubernetes is made this way from the chart, so there is
// one source.
func RawManifests(manifests []Manifest, release, namespace string) ([]byte, error) {
	type doc struct{ kind, source, body string }
	var docs []doc
	for _, m := range manifests {
		for _, part := range strings.Split(m.Content, "\n---") {
			body := strings.TrimSpace(strings.TrimPrefix(part, "---"))
			var head struct{ Kind string }
			if err := yaml.Unmarshal([]byte(body), &head); err != nil {
				return nil, fmt.Errorf("%s: %w", m.Template, err)
			}
			if head.Kind == "" {
				continue
			}
			docs = append(docs, doc{kind: head.Kind, source: m.Template, body: body})
		}
	}
	rank := map[string]int{"Namespace": 0, "NetworkPolicy": 1, "ServiceAccount": 2, "Secret": 3, "ConfigMap": 4, "ClusterRole": 5,
		"ClusterRoleBinding": 6, "Role": 7, "RoleBinding": 8, "Service": 9, "Deployment": 10, "HorizontalPodAutoscaler": 11,
		"PodDisruptionBudget": 12, "Ingress": 13}
	sort.SliceStable(docs, func(i, j int) bool { return rank[docs[i].kind] < rank[docs[j].kind] })
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Generated from the Helm chart deploy/helm/opsmcp (release %s, namespace %s, default values)\n"+
		"# by `make manifests`: edit the chart, not this file.\n", release, namespace)
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n", namespace)
	for _, d := range docs {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", d.source, d.body)
	}
	return b.Bytes(), nil
}
