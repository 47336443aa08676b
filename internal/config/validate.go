package config

import (
	"errors"
	"strings"
)

// Validate is the validate: section: what every validation run (opsmcp
// validate, validate_deployment, CI) takes from the project.
type Validate struct {
	// CRDs are files or directories of CustomResourceDefinitions whose
	// schemas check custom resources offline.
	CRDs []string `json:"crds,omitempty"`
	// Unsuppressible are rule ids whose errors no annotation, comment or
	// baseline may hide.
	Unsuppressible []string `json:"unsuppressible,omitempty"`
}

func (v *Validate) finish(base string) error {
	for i, p := range v.CRDs {
		if strings.TrimSpace(p) == "" {
			return errors.New("validate.crds: an entry is empty")
		}
		v.CRDs[i] = resolve(base, p)
	}
	for _, id := range v.Unsuppressible {
		if strings.TrimSpace(id) == "" {
			return errors.New("validate.unsuppressible: an entry is empty")
		}
	}
	return nil
}
