package config

import (
	"fmt"
	"regexp"
	"time"
)

// Drift is the drift: section: scheduled drift detection under opsmcp
// serve.
type Drift struct {
	// Interval runs detect_drift for every allowed workspace and recorded
	// object set this often (0: never on a schedule).
	Interval Duration `json:"interval,omitempty"`
	// GitHubIssue is owner/repo: a drifted target gets one issue there,
	// kept up to date and closed when back in sync (mode apply, repo
	// allowlisted).
	GitHubIssue string `json:"github_issue,omitempty"`
}

// MinDriftInterval keeps a schedule from refreshing every workspace
// continuously.
const MinDriftInterval = time.Minute

var ownerRepo = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

func (d *Drift) finish() error {
	if d.Interval != 0 && time.Duration(d.Interval) < MinDriftInterval {
		return fmt.Errorf("drift.interval %s: at least %s", time.Duration(d.Interval), MinDriftInterval)
	}
	if d.GitHubIssue != "" && !ownerRepo.MatchString(d.GitHubIssue) {
		return fmt.Errorf("drift.github_issue %q: want owner/repo", d.GitHubIssue)
	}
	return nil
}
