package config

import (
	"errors"
	"os"
	"strings"
	"time"
)

// Terraform is the terraform: section.
type Terraform struct {
	Binary     string   `json:"binary,omitempty"`
	Workspaces []string `json:"workspaces,omitempty"`
	PlanTTL    Duration `json:"plan_ttl,omitempty"`
	// ProviderMirror is where terraform runs on directories that are not
	// ours (validation, saved plans given by path) install providers from
	// instead of the registry: a directory (filesystem mirror) or an
	// https:// network mirror. Implicit local mirrors are never used.
	ProviderMirror string `json:"provider_mirror,omitempty"`
	// PlansDir is where saved plan files (plans/) and the cross-process
	// workspace locks (locks/) live; beside the memory store when unset.
	// Replicas that apply each other's plans share it.
	PlansDir string `json:"plans_dir,omitempty"`
}

// DefaultPlanTTL is how long a saved plan may wait to be applied.
const DefaultPlanTTL = time.Hour

// finish takes the binary from OPSMCP_TERRAFORM when the file names none,
// fills in the plan TTL and resolves the workspaces and the mirror.
func (t *Terraform) finish(base string) error {
	if t.Binary == "" {
		t.Binary = os.Getenv("OPSMCP_TERRAFORM")
	}
	if t.PlanTTL == 0 {
		t.PlanTTL = Duration(DefaultPlanTTL)
	}
	for i, w := range t.Workspaces {
		if strings.TrimSpace(w) == "" {
			return errors.New("terraform.workspaces has an empty entry")
		}
		t.Workspaces[i] = resolve(base, w)
	}
	if t.PlansDir != "" {
		t.PlansDir = resolve(base, t.PlansDir)
	}
	if m := t.ProviderMirror; m != "" && !strings.HasPrefix(m, "https://") {
		t.ProviderMirror = resolve(base, m)
	}
	return nil
}
