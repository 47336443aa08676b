package terraform

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/opsmcp/opsmcp/internal/contract/planrec"
)

// PlanStore keeps saved plans: their records (shared by replicas through
// the database that keeps them) and their files and workspace locks (in a
// local directory of its own, beside the memory store by default).
type PlanStore struct {
	Records planrec.Records
	// Dir holds the plan files; LocksDir the cross-process workspace locks.
	Dir, LocksDir string
	// TTL is how long a plan may wait to be applied.
	TTL time.Duration
}

// NewPlanStore keeps files in dir/plans and locks in dir/locks.
func NewPlanStore(records planrec.Records, dir string, ttl time.Duration) *PlanStore {
	return &PlanStore{Records: records, Dir: filepath.Join(dir, "plans"), LocksDir: filepath.Join(dir, "locks"), TTL: ttl}
}

// ShortPlanID is a plan id as messages show it.
func ShortPlanID(id string) string {
	if len(id) > 14 {
		return id[:14] + "…"
	}
	return id
}

// home names where this process keeps plan files: replicas sharing a
// database share plan records, but a plan file stays on the replica that
// made it unless they share the directory.
func (s *PlanStore) home() string {
	host, _ := os.Hostname()
	return host + ":" + s.Dir
}

// LocalFile is where this process keeps a recorded plan's file. When
// another replica, not sharing this one's directory, made the plan, the
// file is not here, and the error says so.
func (s *PlanStore) LocalFile(p *planrec.Plan) (string, error) {
	path := filepath.Join(s.Dir, p.ID+".tfplan")
	if _, err := os.Stat(path); err == nil || p.MadeOn == "" || p.MadeOn == s.home() {
		return path, nil
	}
	return "", fmt.Errorf("plan %s was made on %s and its plan file is not on this replica (%s): plan files stay where they were made, so give the replicas one shared state directory (a ReadWriteMany volume at $XDG_STATE_HOME/opsmcp) or plan again here", ShortPlanID(p.ID), p.MadeOn, s.home())
}

// pruneExpiredFiles removes plan files older than the TTL: an unapplied
// plan holds sensitive values and must not linger.
func (s *PlanStore) pruneExpiredFiles() {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return
	}
	cutoff := time.Now().Add(-s.TTL - time.Minute)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
			os.Remove(filepath.Join(s.Dir, e.Name()))
		}
	}
}

// tempFile creates a private (0600) file in dir holding data and returns
// its path.
func tempFile(dir, pattern string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	_, werr := f.Write(data)
	if err := f.Close(); werr == nil {
		werr = err
	}
	if werr != nil {
		os.Remove(f.Name())
		return "", werr
	}
	return f.Name(), nil
}
