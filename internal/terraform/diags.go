package terraform

import (
	"context"
	"errors"

	tfjson "github.com/hashicorp/terraform-json"
)

// DiagError is a terraform run that failed with error diagnostics, kept as
// terraform gave them.
type DiagError struct {
	Op          string
	Diagnostics []tfjson.Diagnostic
	msg         string
}

func (e *DiagError) Error() string { return e.msg }

// initDiagnostics are terraform's own diagnostics (by summary: its
// diagnostics carry no code) that mean `terraform init` must run first.
var initDiagnostics = map[string]bool{
	"Module not installed":                                             true,
	"Module source has changed":                                        true,
	"Module version requirements have changed":                         true,
	"Missing required provider":                                        true,
	"Required plugins are not installed":                               true,
	"Inconsistent dependency lock file":                                true,
	"Backend initialization required":                                  true,
	"Provider requirements cannot be satisfied by locked dependencies": true,
}

func needsInit(diags []tfjson.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfjson.DiagnosticSeverityError && initDiagnostics[d.Summary] {
			return true
		}
	}
	return false
}

// NeedsInit says whether a failed run (err) failed because the workspace
// needs `terraform init`: from the run's own diagnostics when it streamed
// them, else from `terraform validate -json`'s (no refresh, no network).
func (r *Runner) NeedsInit(ctx context.Context, err error) bool {
	var de *DiagError
	if errors.As(err, &de) && needsInit(de.Diagnostics) {
		return true
	}
	v, verr := r.tf.Validate(ctx)
	return verr == nil && needsInit(v.Diagnostics)
}
