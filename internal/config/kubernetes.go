package config

import (
	"errors"
	"strings"
)

// Kubernetes is the kubernetes: section.
type Kubernetes struct {
	// Kubeconfig is the file to read; empty: $KUBECONFIG, else in-cluster.
	Kubeconfig string `json:"kubeconfig,omitempty"`
	// Contexts allowed; empty allows the kubeconfig's current context only.
	Contexts []string `json:"contexts,omitempty"`
	// Namespaces allowed; empty allows all.
	Namespaces []string `json:"namespaces,omitempty"`
	// ClusterReads lets a namespace allowlist read every cluster-scoped
	// kind (and sum all namespaces' pods per node); without it only Nodes,
	// Namespaces, StorageClasses, PriorityClasses and CRDs are readable.
	ClusterReads bool `json:"cluster_reads,omitempty"`
}

// finish resolves the kubeconfig and refuses empty allowlist entries.
func (k *Kubernetes) finish(base string) error {
	if k.Kubeconfig != "" {
		k.Kubeconfig = resolve(base, k.Kubeconfig)
	}
	for _, list := range [][]string{k.Contexts, k.Namespaces} {
		for _, v := range list {
			if strings.TrimSpace(v) == "" {
				return errors.New("kubernetes.contexts and kubernetes.namespaces may not have empty entries")
			}
		}
	}
	return nil
}
