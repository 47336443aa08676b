package config

import (
	"errors"
	"runtime"
)

// Limits is the limits: section: what one call may cost.
type Limits struct {
	// MaxInputBytes bounds every file a tool reads (default 16 MiB).
	MaxInputBytes int64 `json:"max_input_bytes,omitempty"`
	// HeavyCalls is how many heavy calls (validation, estimates) run at
	// once in a process (default: the number of CPUs).
	HeavyCalls int `json:"heavy_calls,omitempty"`
}

// DefaultMaxInputBytes is limits.max_input_bytes' default.
const DefaultMaxInputBytes = 16 << 20

// ReadRoots are the roots tools may read under: read_paths, else the
// config file's directory and every workspace.
func (c *Config) ReadRoots() []string {
	if c.ReadPaths != nil {
		return c.ReadPaths
	}
	return append([]string{c.Dir()}, c.Terraform.Workspaces...)
}

// finish fills in the limits' defaults.
func (l *Limits) finish() error {
	if l.MaxInputBytes < 0 || l.HeavyCalls < 0 {
		return errors.New("limits.max_input_bytes and limits.heavy_calls must be positive")
	}
	if l.MaxInputBytes == 0 {
		l.MaxInputBytes = DefaultMaxInputBytes
	}
	if l.HeavyCalls == 0 {
		l.HeavyCalls = runtime.NumCPU()
	}
	return nil
}
