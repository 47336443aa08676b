package deploy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/validate"
)

// ValidateDeploymentInput is the input of validate_deployment.
type ValidateDeploymentInput struct {
	Type              string           `json:"type,omitempty" enum:"auto|kubernetes|helm|kustomize|docker|terraform" default:"\"auto\""`
	ConfigPath        string           `json:"config_path"`
	Strict            bool             `json:"strict,omitempty" default:"true"`
	KubernetesVersion string           `json:"kubernetes_version,omitempty"`
	Cluster           bool             `json:"cluster,omitempty"`
	Rules             validate.RuleSet `json:"rules,omitempty"`
	// Helm charts: helm template's inputs.
	Values map[string]any `json:"values,omitempty"`
	// (Bounded by the handler and by Helm's name checks, not in the
	// schema: every byte of tools/list is an agent's context.)
	ValuesFiles []string `json:"values_files,omitempty"`
	Set         []string `json:"set,omitempty"`
	ReleaseName string   `json:"release_name,omitempty"`
	Namespace   string   `json:"namespace,omitempty"`
	// CRDs are files or directories of CRDs for custom resources.
	CRDs []string `json:"crds,omitempty"`
}

// ValidateDeploymentResult is the result of validate_deployment.
type ValidateDeploymentResult struct {
	Type       string `json:"type"`
	ConfigPath string `json:"config_path"`
	validate.Report
	// FindingsOmitted counts findings left out past maxFindings (the counts
	// of errors and warnings stay exact; opsmcp validate writes them all).
	FindingsOmitted int `json:"findings_omitted,omitempty"`
}

// maxListArg bounds each list argument.
const maxListArg = 100

// maxFindings keeps a result token-frugal and its encoding small: errors
// are kept before warnings, then in report order.
const maxFindings = 500

func (r ValidateDeploymentResult) SummaryText() string {
	s := strings.TrimRight(validate.Text(&r.Report, false), "\n")
	if r.FindingsOmitted > 0 {
		s += fmt.Sprintf("\n(%d more findings not listed; opsmcp validate lists them all)", r.FindingsOmitted)
	}
	return s
}

var validateDeployment = mcpkit.NewTool(mcpkit.Def{
	Name:        "validate_deployment",
	Toolset:     "validate",
	Description: "Validate K8s (Helm, kustomize, CRs), Docker, Terraform: findings with rule, line, fix.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.Yes},
	// terraform init may download providers.
	Timeout: 10 * time.Minute,
	Heavy:   true,
}, func(ctx context.Context, c *mcpkit.Call, in ValidateDeploymentInput) (ValidateDeploymentResult, error) {
	if len(in.ValuesFiles) > maxListArg || len(in.CRDs) > maxListArg || len(in.Set) > maxListArg {
		return ValidateDeploymentResult{}, fmt.Errorf("values_files, crds and set take at most %d entries each", maxListArg)
	}
	opts := validateOptions(c, validate.Options{Type: in.Type, Strict: in.Strict, KubernetesVersion: in.KubernetesVersion, Rules: in.Rules,
		Chart: validate.ChartOptions{Values: in.Values, ValuesFiles: in.ValuesFiles, Set: in.Set, ReleaseName: in.ReleaseName, Namespace: in.Namespace}})
	opts.CRDs = append(opts.CRDs, in.CRDs...)
	if in.Cluster {
		cl, err := kube.Connect(c.Runtime.Config.Kubernetes, "")
		if err != nil {
			return ValidateDeploymentResult{}, err
		}
		opts.Cluster, opts.ClusterCRDs = cl.DryRunCreate, cl.CRDs
	}
	rep, err := validate.Run(ctx, []string{in.ConfigPath}, opts)
	if err != nil {
		return ValidateDeploymentResult{}, err
	}
	res := ValidateDeploymentResult{Type: in.Type, ConfigPath: in.ConfigPath, Report: *rep}
	if n := len(res.Findings); n > maxFindings {
		res.Findings, res.FindingsOmitted = capFindings(res.Findings, maxFindings), n-maxFindings
	}
	return res, nil
})

// capFindings keeps max findings, errors first, then warnings, then the
// rest, in report order.
func capFindings(all []validate.Finding, max int) []validate.Finding {
	keep := make([]bool, len(all))
	n := 0
	for _, sev := range []validate.Severity{validate.SeverityError, validate.SeverityWarning, ""} {
		for i, f := range all {
			if n == max {
				break
			}
			if !keep[i] && (sev == "" || f.Severity == sev) {
				keep[i] = true
				n++
			}
		}
	}
	out := make([]validate.Finding, 0, n)
	for i, f := range all {
		if keep[i] {
			out = append(out, f)
		}
	}
	return out
}

// validateOptions adds what the server decides to a validation: the
// read_paths rule, the terraform binary and the provider mirror.
func validateOptions(c *mcpkit.Call, o validate.Options) validate.Options {
	o.Files = c.Files()
	o.TerraformBinary = c.Runtime.Config.Terraform.Binary
	o.TerraformMirror = c.Runtime.Config.Terraform.ProviderMirror
	o.Unsuppressible = c.Runtime.Config.Validate.Unsuppressible
	o.CRDs = c.Runtime.Config.Validate.CRDs
	// The policies are loaded once for the whole validation, not per
	// object; one that does not load is each object's error finding.
	if set, err := gatePolicies(c); err != nil {
		o.Policy = func(context.Context, any) ([]validate.Finding, error) { return nil, err }
	} else if set != nil {
		o.Policy = set.Check(nil)
	}
	return o
}
