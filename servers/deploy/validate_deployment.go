package deploy

import (
	"context"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/validate"
)

// ValidateDeploymentInput is the input of validate_deployment.
type ValidateDeploymentInput struct {
	Type              string           `json:"type,omitempty" enum:"auto|kubernetes|docker|terraform" default:"\"auto\""`
	ConfigPath        string           `json:"config_path"`
	Strict            bool             `json:"strict,omitempty" default:"true"`
	KubernetesVersion string           `json:"kubernetes_version,omitempty"`
	Cluster           bool             `json:"cluster,omitempty"`
	Rules             validate.RuleSet `json:"rules,omitempty"`
}

// ValidateDeploymentResult is the result of validate_deployment.
type ValidateDeploymentResult struct {
	Type       string `json:"type"`
	ConfigPath string `json:"config_path"`
	validate.Report
}

func (r ValidateDeploymentResult) SummaryText() string {
	return strings.TrimRight(validate.Text(&r.Report, false), "\n")
}

var validateDeployment = mcpkit.NewTool(mcpkit.Def{
	Name:        "validate_deployment",
	Description: "Validate Kubernetes, Docker, Terraform files or dirs: findings with rule, line, fix.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.Yes},
	// terraform init may download providers.
	Timeout: 10 * time.Minute,
	Heavy:   true,
}, func(ctx context.Context, c *mcpkit.Call, in ValidateDeploymentInput) (ValidateDeploymentResult, error) {
	opts := validateOptions(c, validate.Options{Type: in.Type, Strict: in.Strict, KubernetesVersion: in.KubernetesVersion, Rules: in.Rules})
	if in.Cluster {
		cl, err := kube.Connect(c.Runtime.Config.Kubernetes, "")
		if err != nil {
			return ValidateDeploymentResult{}, err
		}
		opts.Cluster = cl.DryRunCreate
	}
	rep, err := validate.Run(ctx, []string{in.ConfigPath}, opts)
	if err != nil {
		return ValidateDeploymentResult{}, err
	}
	return ValidateDeploymentResult{Type: in.Type, ConfigPath: in.ConfigPath, Report: *rep}, nil
})

// validateOptions adds what the server decides to a validation: the
// read_paths rule, the terraform binary and the provider mirror.
func validateOptions(c *mcpkit.Call, o validate.Options) validate.Options {
	o.Files = c.Files()
	o.TerraformBinary = c.Runtime.Config.Terraform.Binary
	o.TerraformMirror = c.Runtime.Config.Terraform.ProviderMirror
	return o
}
