package deploy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/terraform"
)

// ValidateDeploymentInput is the input of validate_deployment.
type ValidateDeploymentInput struct {
	Type       string `json:"type" enum:"terraform"`
	ConfigPath string `json:"config_path" desc:"directory"`
	Strict     bool   `json:"strict,omitempty" default:"true" desc:"warnings make it invalid"`
}

// Diagnostic is one validation finding.
type Diagnostic struct {
	Severity string `json:"severity" enum:"error|warning"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
}

// ValidateDeploymentResult is the result of validate_deployment.
type ValidateDeploymentResult struct {
	Valid        bool         `json:"valid"`
	Type         string       `json:"type"`
	ConfigPath   string       `json:"config_path"`
	ErrorCount   int          `json:"error_count"`
	WarningCount int          `json:"warning_count"`
	Diagnostics  []Diagnostic `json:"diagnostics"`
	Version      string       `json:"terraform_version,omitempty"`
}

func (r ValidateDeploymentResult) SummaryText() string {
	var b strings.Builder
	verdict := "valid"
	if !r.Valid {
		verdict = "INVALID"
	}
	fmt.Fprintf(&b, "%s: %s (%d errors, %d warnings)", r.ConfigPath, verdict, r.ErrorCount, r.WarningCount)
	for _, d := range r.Diagnostics {
		loc := ""
		if d.File != "" {
			loc = d.File
			if d.Line > 0 {
				loc += fmt.Sprintf(":%d", d.Line)
			}
			loc += ": "
		}
		fmt.Fprintf(&b, "\n  %s: %s%s", d.Severity, loc, d.Summary)
		if d.Detail != "" {
			fmt.Fprintf(&b, " — %s", d.Detail)
		}
	}
	return b.String()
}

var validateDeployment = mcpkit.NewTool(mcpkit.Def{
	Name:        "validate_deployment",
	Description: "Validate Terraform configuration (terraform validate, fmt -check): diagnostics with file and line.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.Yes},
	// init may download providers.
	Timeout: 10 * time.Minute,
}, func(ctx context.Context, c *mcpkit.Call, in ValidateDeploymentInput) (ValidateDeploymentResult, error) {
	res := ValidateDeploymentResult{Type: in.Type, ConfigPath: in.ConfigPath, Diagnostics: []Diagnostic{}}
	dir, err := filepath.Abs(in.ConfigPath)
	if err != nil {
		return res, err
	}
	st, err := os.Stat(dir)
	switch {
	case os.IsNotExist(err):
		return res, fmt.Errorf("config_path %s does not exist", in.ConfigPath)
	case err != nil:
		return res, fmt.Errorf("config_path %s: %w", in.ConfigPath, err)
	case !st.IsDir():
		return res, fmt.Errorf("config_path %s is a file; give the directory that holds the .tf files", in.ConfigPath)
	case !terraform.HasConfig(dir):
		return res, fmt.Errorf("config_path %s has no Terraform configuration (*.tf files)", in.ConfigPath)
	}
	bin, err := terraform.Locate(ctx, c.Runtime.Config.Terraform.Binary)
	if err != nil {
		return res, err
	}
	res.Version = bin.Version
	run, err := terraform.NewRunner(bin, dir)
	if err != nil {
		return res, err
	}
	if err := run.Init(ctx, false); err != nil {
		// A configuration that cannot even initialise is invalid, not a failed call.
		res.Diagnostics = append(res.Diagnostics, Diagnostic{Severity: "error", Summary: err.Error()})
	} else {
		out, err := run.Validate(ctx)
		if err != nil {
			return res, err
		}
		for _, d := range out.Diagnostics {
			res.Diagnostics = append(res.Diagnostics, diagnostic(dir, d))
		}
	}
	files, err := run.FormatCheck(ctx)
	if err != nil {
		return res, err
	}
	for _, f := range files {
		rel, rerr := filepath.Rel(dir, f)
		if rerr != nil || !filepath.IsAbs(f) {
			rel = f
		}
		res.Diagnostics = append(res.Diagnostics, Diagnostic{Severity: "warning", Summary: "file is not in canonical format; run terraform fmt", File: rel})
	}
	sort.SliceStable(res.Diagnostics, func(i, j int) bool {
		a, b := res.Diagnostics[i], res.Diagnostics[j]
		if a.Severity != b.Severity {
			return a.Severity == "error"
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	for _, d := range res.Diagnostics {
		if d.Severity == "error" {
			res.ErrorCount++
		} else {
			res.WarningCount++
		}
	}
	res.Valid = res.ErrorCount == 0 && (!in.Strict || res.WarningCount == 0)
	return res, nil
})

func diagnostic(dir string, d tfjson.Diagnostic) Diagnostic {
	out := Diagnostic{Severity: string(d.Severity), Summary: d.Summary, Detail: strings.Join(strings.Fields(d.Detail), " ")}
	if out.Severity != "error" {
		out.Severity = "warning"
	}
	if d.Range != nil {
		out.File, out.Line = d.Range.Filename, d.Range.Start.Line
	}
	return out
}
