package drift

import (
	"context"
	"os"
	"path/filepath"

	"github.com/opsmcp/opsmcp/internal/terraform"
)

// Terraform checks a workspace with a refresh-only plan (initialising it
// first when the configuration needs it): the plan file is written in
// scratch and removed; the state is read, never written.
func Terraform(ctx context.Context, bin *terraform.Binary, workspace, scratch string) Target {
	run, err := terraform.NewRunner(bin, workspace)
	if err != nil {
		return Failed("terraform", workspace, err)
	}
	tmp, err := os.CreateTemp(scratch, ".drift-*.tfplan")
	if err != nil {
		return Failed("terraform", workspace, err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	opts := terraform.PlanOptions{Out: tmp.Name(), RefreshOnly: true}
	err = run.Plan(ctx, opts, nil)
	if err != nil && ctx.Err() == nil && run.NeedsInit(ctx, err) {
		if err = run.Init(ctx, true); err == nil {
			err = run.Plan(ctx, opts, nil)
		}
	}
	if err != nil {
		return Failed("terraform", workspace, err)
	}
	plan, err := run.ShowPlan(ctx, tmp.Name())
	if err != nil {
		return Failed("terraform", workspace, err)
	}
	return Of("terraform", filepath.Clean(workspace), FromPlan(plan))
}
