package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Cost is the cost: section (estimate_costs, opsmcp cost).
type Cost struct {
	// Region prices resources that name none, and Kubernetes pods.
	Region string `json:"region,omitempty"`
	// UsageFile holds usage assumptions (requests, GB...) per resource.
	UsageFile string `json:"usage_file,omitempty"`
	// PriceCache is where `opsmcp prices refresh` writes live prices, which
	// estimates prefer; default $XDG_CACHE_HOME/opsmcp/prices.json.
	PriceCache string         `json:"price_cache,omitempty"`
	Kubernetes CostKubernetes `json:"kubernetes"`
	// IncreaseThreshold: a pending plan that raises the monthly cost by
	// more than this many dollars is a risk the rules expert names
	// (default 100; 0 keeps the default, a negative value turns it off).
	IncreaseThreshold float64 `json:"increase_threshold,omitempty"`
}

// CostKubernetes says how Kubernetes workloads are priced.
type CostKubernetes struct {
	// Pricing is node (default), eks-fargate or gke-autopilot.
	Pricing string `json:"pricing,omitempty"`
	// NodeType is the node pods pay a share of: aws:m5.large (default), gcp:n2-standard-4.
	NodeType string `json:"node_type,omitempty"`
	// Nodes runs one pod of each DaemonSet (default 3).
	Nodes int `json:"nodes,omitempty"`
}

// DefaultPriceCache is $XDG_CACHE_HOME/opsmcp/prices.json (~/.cache/...).
func DefaultPriceCache() string { return filepath.Join(CacheDir(), "prices.json") }

// CacheDir is $XDG_CACHE_HOME/opsmcp: what can be fetched again (prices,
// Helm charts from repositories).
func CacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "opsmcp")
}

// DefaultCostIncreaseThreshold is cost.increase_threshold's default, in
// dollars a month.
const DefaultCostIncreaseThreshold = 100

// finish fills in the cost section's defaults, checks how pods are priced
// and resolves its files.
func (c *Cost) finish(base string) error {
	if c.IncreaseThreshold == 0 {
		c.IncreaseThreshold = DefaultCostIncreaseThreshold
	}
	k := &c.Kubernetes
	if k.Pricing == "" {
		k.Pricing = "node"
	}
	switch k.Pricing {
	case "node", "eks-fargate", "gke-autopilot":
	default:
		return fmt.Errorf("cost.kubernetes.pricing %q is not one of node, eks-fargate, gke-autopilot", k.Pricing)
	}
	if k.NodeType == "" {
		k.NodeType = "aws:m5.large"
	}
	if p, _, _ := strings.Cut(k.NodeType, ":"); (p != "aws" && p != "gcp") || !strings.Contains(k.NodeType, ":") {
		return fmt.Errorf("cost.kubernetes.node_type %q: want aws:TYPE or gcp:MACHINE_TYPE, such as aws:m5.large", k.NodeType)
	}
	if k.Nodes < 0 {
		return errors.New("cost.kubernetes.nodes must be positive")
	}
	if k.Nodes == 0 {
		k.Nodes = 3
	}
	if c.PriceCache == "" {
		c.PriceCache = DefaultPriceCache()
	}
	c.PriceCache = resolve(base, c.PriceCache)
	if c.UsageFile != "" {
		c.UsageFile = resolve(base, c.UsageFile)
	}
	return nil
}
