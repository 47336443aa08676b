package validate

import (
	"context"
	"errors"
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
// fmt -check on a scratch copy of one directory: nothing in the directory
// is executed (no provider from its terraform.d/ or .terraform/) and
// nothing is written to it. Findings name the original files.
func validateTerraform(ctx context.Context, dir string, opts Options, add func(Finding)) error {
	emit := func(f Finding) {
		if r := registry[f.Rule]; r != nil && opts.Rules.on(r) {
			add(f)
		}
	}
	terraformRules(opts.Files, dir, emit)
	bin, err := terraform.Locate(ctx, opts.TerraformBinary)
	if err != nil {
		return err
	}
	scratch, err := terraform.NewScratch(opts.Files, dir, opts.TerraformMirror)
	var outside *terraform.ModuleOutsideError
	if errors.As(err, &outside) {
		emit(Finding{Rule: "terraform-init", Severity: SeverityError, File: dir, Resource: outside.Module.Address,
			Message: "the configuration cannot be initialised: " + outside.Error()})
		return nil
	}
	if err != nil {
		return err
	}
	defer scratch.Close()
	run, err := terraform.NewScratchRunner(bin, scratch)
	if err != nil {
		return err
	}
	if err := run.Init(ctx, false); err != nil {
		// A configuration that cannot even initialise is invalid, not a
		// failed run; the checks that need no provider still run.
		emit(Finding{Rule: "terraform-init", Severity: SeverityError, File: dir, Message: scratch.Hide(err.Error()),
			Hint: "providers come only from the registry or terraform.provider_mirror in opsmcp.yaml"})
	} else {
		out, err := run.Validate(ctx)
		if err != nil {
			return errors.New(scratch.Hide(err.Error()))
		}
		for _, d := range out.Diagnostics {
			f := terraformFinding(dir, d)
			f.Message = scratch.Hide(f.Message)
			emit(f)
		}
		// Saved plans in the workspace (terraform plan -out=NAME.tfplan).
		plans, _ := filepath.Glob(filepath.Join(scratch.Dir, "*.tfplan"))
		for _, p := range plans {
			if plan, err := run.ShowPlan(ctx, p); err == nil {
				planFindings(scratch.Original(p), plan, emit)
			}
		}
	}
	files, err := run.FormatCheck(ctx)
	if err != nil {
		return errors.New(scratch.Hide(err.Error()))
	}
	for _, f := range files {
		emit(Finding{Rule: "terraform-fmt", Severity: SeverityWarning, File: relativeTo(dir, scratch, f), Message: "file is not in canonical format", Hint: "run terraform fmt"})
	}
	return nil
}

// relativeTo names a file terraform reported in the scratch copy as the
// user named its directory.
func relativeTo(dir string, s *terraform.Scratch, f string) string {
	orig := s.Original(f)
	abs, err := filepath.Abs(dir)
	if err != nil {
		return orig
	}
	if real := terraform.CanonicalPath(abs); real != "" {
		if r, err := filepath.Rel(real, orig); err == nil {
			return filepath.Join(dir, r)
		}
	}
	return orig
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
