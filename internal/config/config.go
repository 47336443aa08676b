// Package config loads opsmcp.yaml: the policy every server and the CLI obey.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// Mode decides what mutating tools may do.
type Mode string

const (
	ModeReadOnly Mode = "read-only" // only read tools are listed
	ModePlan     Mode = "plan"      // mutating tools plan or dry-run
	ModeApply    Mode = "apply"     // mutations allowed inside the allowlists
)

// ParseMode checks a mode name.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.TrimSpace(s)); m {
	case ModeReadOnly, ModePlan, ModeApply:
		return m, nil
	}
	return "", fmt.Errorf("mode %q is not one of read-only, plan, apply", s)
}

// Duration is a time.Duration written as "1h", "30m" in YAML.
type Duration time.Duration

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration must be a string such as \"1h\" or \"30m\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("duration %q: want a duration such as \"1h\" or \"30m\"", s)
	}
	*d = Duration(v)
	return nil
}

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// Config is the whole of opsmcp.yaml. Keys are an interface users depend on.
type Config struct {
	Mode   Mode   `json:"mode,omitempty"`
	Memory string `json:"memory,omitempty"`
	// MemoryMaxEntryBytes refuses memory entries with more data (default 256 KiB).
	MemoryMaxEntryBytes int        `json:"memory_max_entry_bytes,omitempty"`
	Terraform           Terraform  `json:"terraform"`
	Kubernetes          Kubernetes `json:"kubernetes"`
	Tools               Tools      `json:"tools"`
	Cache               Cache      `json:"cache"`
	Cost                Cost       `json:"cost"`
	Cloud               Cloud      `json:"cloud"`
	GitHub              GitHub     `json:"github"`
	// Experts are the models the orchestrator consults beside the built-in
	// rules expert.
	Experts []Expert `json:"experts,omitempty"`
	HTTP    HTTP     `json:"http"`
	Gate    Gate     `json:"gate"`
	// ReadPaths are the roots every path a tool reads must lie under
	// (after symlink resolution); default: the config file's directory and
	// every terraform workspace.
	ReadPaths []string `json:"read_paths,omitempty"`
	Limits    Limits   `json:"limits"`
	Validate  Validate `json:"validate"`
	Drift     Drift    `json:"drift"`

	// Path is the file the config was read from ("" for built-in defaults).
	Path string `json:"-"`
	// RoleTools are the tool lists of the HTTP role a principal works
	// under, checked after the file's (ForRole sets them).
	RoleTools *Tools `json:"-"`
	// Role is the role this configuration was narrowed to (nil: the file's).
	Role *Role `json:"-"`
}

// Default returns the built-in configuration used when no file is given.
func Default() *Config {
	return &Config{Mode: ModePlan, Memory: DefaultMemoryPath(), Terraform: Terraform{PlanTTL: Duration(DefaultPlanTTL)}, Gate: Gate{Confirm: ConfirmElicit}}
}

// DefaultMemoryPath is $XDG_STATE_HOME/opsmcp/memory.db (~/.local/state/...).
func DefaultMemoryPath() string {
	state := os.Getenv("XDG_STATE_HOME")
	if state == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = os.TempDir()
		}
		state = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(state, "opsmcp", "memory.db")
}

// Load reads the config: path if given, else $OPSMCP_CONFIG, else
// ./opsmcp.yaml if it exists, else the defaults. Environment overrides
// (OPSMCP_MODE, OPSMCP_MEMORY, OPSMCP_TERRAFORM) apply in every case.
func Load(path string) (*Config, error) {
	if path == "" {
		path = os.Getenv("OPSMCP_CONFIG")
	}
	if path == "" {
		if _, err := os.Stat("opsmcp.yaml"); err == nil {
			path = "opsmcp.yaml"
		}
	}
	cfg := Default()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := yaml.UnmarshalStrict(b, cfg); err != nil {
			return nil, fmt.Errorf("config %s: %s", path, strings.TrimPrefix(err.Error(), "error unmarshaling JSON: while decoding JSON: "))
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		cfg.Path = abs
	}
	if err := cfg.finish(); err != nil {
		if cfg.Path != "" {
			return nil, fmt.Errorf("config %s: %w", cfg.Path, err)
		}
		return nil, err
	}
	return cfg, nil
}

// finish applies env overrides and defaults, and resolves relative paths
// against the config file's directory (or the working directory), section
// by section.
func (c *Config) finish() error {
	if v := os.Getenv("OPSMCP_MODE"); v != "" {
		c.Mode = Mode(v)
	}
	if c.Mode == "" {
		c.Mode = ModePlan
	}
	if _, err := ParseMode(string(c.Mode)); err != nil {
		return err
	}
	if v := os.Getenv("OPSMCP_MEMORY"); v != "" {
		c.Memory = v
	}
	if c.Memory == "" {
		c.Memory = DefaultMemoryPath()
	}
	if c.MemoryMaxEntryBytes < 0 {
		return errors.New("memory_max_entry_bytes must be positive")
	}
	base := c.Dir()
	if !strings.Contains(c.Memory, "://") {
		c.Memory = resolve(base, c.Memory)
	}
	for i, p := range c.ReadPaths {
		if strings.TrimSpace(p) == "" {
			return errors.New("read_paths has an empty entry")
		}
		c.ReadPaths[i] = resolve(base, p)
	}
	for _, section := range []func() error{
		func() error { return c.Terraform.finish(base) },
		c.Cache.finish,
		c.Tools.finish,
		func() error { return c.HTTP.finish(base) },
		func() error { return checkExperts(c.Experts) },
		func() error { return c.Cost.finish(base) },
		c.Cloud.finish,
		c.GitHub.finish,
		c.Limits.finish,
		func() error { return c.Gate.finish(base) },
		func() error { return c.Kubernetes.finish(base) },
		func() error { return c.Validate.finish(base) },
		c.Drift.finish,
		c.checkRoles,
	} {
		if err := section(); err != nil {
			return err
		}
	}
	return nil
}

// Dir is the directory relative paths in the config are resolved against.
func (c *Config) Dir() string {
	if c.Path != "" {
		return filepath.Dir(c.Path)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}

func resolve(base, p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[1:])
		}
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	return filepath.Clean(p)
}
