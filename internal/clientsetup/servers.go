package clientsetup

import (
	"fmt"
	"os"
	"path/filepath"
)

// Options say how a client starts opsmcp's servers.
type Options struct {
	ConfigPath string // opsmcp.yaml, absolute
	// Absolute names binaries and opsmcp.yaml by absolute path in a
	// project file too (files outside the project always are).
	Absolute bool
	Self     string                       // the running opsmcp binary, absolute
	LookPath func(string) (string, error) // exec.LookPath
}

// Servers is how the client starts each named server (deploy, kube...):
// in a project file by command name, found on PATH, with the config as
// ConfigRef, so the file holds nothing of one machine; elsewhere by
// absolute path. Warnings say what a person must fix for the file to work.
func (c Client) Servers(names []string, o Options) (servers []Server, warnings []string) {
	portable := c.Project && !o.Absolute
	config := o.ConfigPath
	if portable {
		config = c.ConfigRef
	}
	for _, n := range names {
		bin := "opsmcp-" + n
		s := Server{Name: bin, Command: bin, Args: []string{"--config", config}}
		switch {
		case portable:
			if _, err := o.LookPath(bin); err == nil {
				break
			}
			if _, err := o.LookPath("opsmcp"); err == nil {
				s.Command, s.Args = "opsmcp", []string{"serve", n, "--config", config}
				break
			}
			warnings = append(warnings, fmt.Sprintf("%s is not on PATH: the file names it by name, so put opsmcp's binaries on PATH (or use --absolute)", bin))
		case executable(filepath.Join(filepath.Dir(o.Self), bin)):
			s.Command = filepath.Join(filepath.Dir(o.Self), bin)
		default:
			if p, err := o.LookPath(bin); err == nil {
				if abs, err := filepath.Abs(p); err == nil {
					s.Command = abs
					break
				}
			}
			s.Command, s.Args = o.Self, []string{"serve", n, "--config", config}
		}
		servers = append(servers, s)
	}
	return servers, warnings
}

func executable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}
