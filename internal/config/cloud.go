package config

import (
	"errors"
	"fmt"
	"strings"
)

// Cloud is the cloud: section (the cloud server's allowlists).
type Cloud struct {
	AWS CloudAWS `json:"aws"`
	GCP CloudGCP `json:"gcp"`
}

// CloudAWS: which regions and profiles AWS tools may use.
type CloudAWS struct {
	// Regions allowed; empty allows the credential chain's default region only.
	Regions []string `json:"regions,omitempty"`
	// Profiles a call may name; empty allows the default credential chain only.
	Profiles []string `json:"profiles,omitempty"`
	// Endpoint replaces every AWS endpoint (LocalStack, moto).
	Endpoint string `json:"endpoint,omitempty"`
}

// CloudGCP: which projects GCP tools may read.
type CloudGCP struct {
	// Projects allowed; empty allows none.
	Projects []string `json:"projects,omitempty"`
	// Endpoints replace the APIs' (emulators): compute, storage, billing.
	Endpoints map[string]string `json:"endpoints,omitempty"`
}

// finish refuses empty allowlist entries and unknown endpoints.
func (c *Cloud) finish() error {
	for _, list := range [][]string{c.AWS.Regions, c.AWS.Profiles, c.GCP.Projects} {
		for _, v := range list {
			if strings.TrimSpace(v) == "" {
				return errors.New("cloud.aws.regions, cloud.aws.profiles and cloud.gcp.projects may not have empty entries")
			}
		}
	}
	for k := range c.GCP.Endpoints {
		switch k {
		case "compute", "storage", "billing":
		default:
			return fmt.Errorf("cloud.gcp.endpoints.%s: only compute, storage and billing can be set", k)
		}
	}
	return nil
}
