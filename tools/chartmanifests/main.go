// Command chartmanifests writes deploy/kubernetes/opsmcp.yaml from the Helm
// chart deploy/helm/opsmcp (make manifests).
package main

import (
	"fmt"
	"os"

	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/helmchart"
)

func main() {
	out, err := render()
	if err == nil {
		err = os.WriteFile("deploy/kubernetes/opsmcp.yaml", out, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "chartmanifests:", err)
		os.Exit(1)
	}
}

// render is the chart with its default values as release opsmcp in
// namespace opsmcp.
func render() ([]byte, error) {
	ch, err := helmchart.Load(fsguard.CommandLine(16<<20), "deploy/helm/opsmcp")
	if err != nil {
		return nil, err
	}
	m, err := helmchart.Render(ch, helmchart.RenderOptions{ReleaseName: "opsmcp", Namespace: "opsmcp", KubeVersion: "v1.36.0"})
	if err != nil {
		return nil, err
	}
	return helmchart.RawManifests(m, "opsmcp", "opsmcp")
}
