package terraform_test

import (
	"context"
	"errors"
	"testing"

	"github.com/opsmcp/opsmcp/internal/terraform"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// "Needs init" comes from terraform's own diagnostics, on the real binary:
// a module not installed says so; a workspace of built-in providers does
// not need it, and neither does an unrelated failure.
func TestNeedsInitFromTerraformsDiagnostics(t *testing.T) {
	ctx := context.Background()
	bin, err := terraform.Locate(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"withmodule": true, "basic": false} {
		run, err := terraform.NewRunner(bin, testenv.CopyWorkspace(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := run.NeedsInit(ctx, errors.New("some failure")); got != want {
			t.Errorf("%s: needs init %v, want %v", name, got, want)
		}
	}
}
