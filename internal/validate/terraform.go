package validate

import (
	"context"
	"path/filepath"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/opsmcp/opsmcp/internal/terraform"
)

func init() {
	register(
		&Rule{ID: "terraform-validate", Type: "terraform", Severity: SeverityError, Summary: "terraform validate reports a problem (its own severity)."},
		&Rule{ID: "terraform-init", Type: "terraform", Severity: SeverityError, Always: true, Summary: "The configuration cannot be initialised (modules or providers cannot be resolved)."},
		&Rule{ID: "terraform-fmt", Type: "terraform", Severity: SeverityWarning, Summary: "A file is not in canonical format (terraform fmt -check).", Rationale: "Diffs of unformatted files hide real changes."},
	)
}

// validateTerraform runs terraform init (no backend), validate -json and
// fmt -check on one directory.
func validateTerraform(ctx context.Context, dir string, opts Options, add func(Finding)) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	bin, err := terraform.Locate(ctx, opts.TerraformBinary)
	if err != nil {
		return err
	}
	run, err := terraform.NewRunner(bin, abs)
	if err != nil {
		return err
	}
	emit := func(f Finding) {
		if r := registry[f.Rule]; r != nil && opts.Rules.on(r) {
			add(f)
		}
	}
	if err := run.Init(ctx, false); err != nil {
		// A configuration that cannot even initialise is invalid, not a failed run.
		emit(Finding{Rule: "terraform-init", Severity: SeverityError, File: dir, Message: err.Error()})
	} else {
		out, err := run.Validate(ctx)
		if err != nil {
			return err
		}
		for _, d := range out.Diagnostics {
			emit(terraformFinding(dir, d))
		}
	}
	terraformRules(dir, emit)
	// Saved plans in the workspace (terraform plan -out=NAME.tfplan).
	plans, _ := filepath.Glob(filepath.Join(dir, "*.tfplan"))
	for _, p := range plans {
		if plan, err := run.ShowPlan(ctx, p); err == nil {
			planFindings(p, plan, emit)
		}
	}
	files, err := run.FormatCheck(ctx)
	if err != nil {
		return err
	}
	for _, f := range files {
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		} else if rel, err := filepath.Rel(abs, f); err == nil {
			f = filepath.Join(dir, rel)
		}
		emit(Finding{Rule: "terraform-fmt", Severity: SeverityWarning, File: f, Message: "file is not in canonical format", Hint: "run terraform fmt"})
	}
	return nil
}

func terraformFinding(dir string, d tfjson.Diagnostic) Finding {
	f := Finding{Rule: "terraform-validate", Severity: SeverityWarning, Message: d.Summary}
	if d.Severity == tfjson.DiagnosticSeverityError {
		f.Severity = SeverityError
	}
	if detail := strings.Join(strings.Fields(d.Detail), " "); detail != "" {
		f.Message += ": " + detail
	}
	if d.Range != nil {
		f.File = filepath.Join(dir, d.Range.Filename)
		f.Line, f.Column = d.Range.Start.Line, d.Range.Start.Column
	} else {
		f.File = dir
	}
	if d.Snippet != nil && d.Snippet.Context != nil {
		f.Resource = *d.Snippet.Context
	}
	return f
}
