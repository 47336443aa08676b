package cli

import (
	"debug/buildinfo"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"slices"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/opsmcp/opsmcp/internal/cli/validatecmd"
	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/policy"
	"github.com/opsmcp/opsmcp/internal/validate"
)

// validateBinary is the validators alone (cmd/opsmcp-validate).
const validateBinary = "opsmcp-validate"

func newValidateCmd(g *globals) *cobra.Command {
	return validatecmd.New(g, "validate PATH...", validatecmd.Hooks{
		Before: handOffValidate,
		Cluster: func(cfg config.Kubernetes) (validate.ClusterDryRun, validate.ClusterCRDs, error) {
			cl, err := kube.Connect(cfg, "")
			if err != nil {
				return nil, nil, err
			}
			return cl.DryRunCreate, cl.CRDs, nil
		},
		Policy: func(paths []string) (validate.PolicyCheck, error) {
			set, err := policy.Load(paths)
			if err != nil {
				return nil, err
			}
			return set.Check(nil), nil
		},
	})
}

// handOffValidate replaces this process with opsmcp-validate when it sits
// beside this binary and comes from the same build, with the same flags.
// opsmcp links every server (AWS, Kubernetes and GitHub clients) and starts
// at about 40 MB; opsmcp-validate at about 22 MB, which on a CI run of
// thousands of manifests is the difference between kubeconform's memory and
// half again as much. --cluster stays here: it needs the Kubernetes client.
// Any doubt (no sibling, another build, exec refused) validates in-process,
// with the same result.
func handOffValidate(cmd *cobra.Command, o *validatecmd.Options, paths []string) error {
	if o.Cluster || len(o.Policy) > 0 {
		return nil
	}
	self, err := os.Executable()
	if err != nil {
		return nil
	}
	sibling := filepath.Join(filepath.Dir(self), validateBinary)
	if !sameBuild(sibling) {
		return nil
	}
	args := []string{"opsmcp"}
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if s, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range s.GetSlice() {
				args = append(args, "--"+f.Name+"="+v)
			}
			return
		}
		args = append(args, "--"+f.Name+"="+f.Value.String())
	})
	args = append(args, "--")
	args = append(args, paths...)
	// Only returns when the exec failed; then this process validates.
	syscall.Exec(sibling, args, os.Environ())
	return nil
}

// sameBuild reports whether the binary at path was built from the same
// module version, revision and dependencies as the running one, so that the
// hand-over can never run another version's rules.
func sameBuild(file string) bool {
	mine, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	theirs, err := buildinfo.ReadFile(file)
	if err != nil || theirs.GoVersion != mine.GoVersion || theirs.Main != mine.Main || theirs.Path != path.Dir(mine.Path)+"/"+validateBinary {
		return false
	}
	// Build settings (flags, ldflags, VCS revision and state) are the same
	// for binaries built together.
	if !slices.Equal(theirs.Settings, mine.Settings) {
		return false
	}
	versions := map[string]string{}
	for _, d := range mine.Deps {
		versions[d.Path] = d.Version + d.Sum
	}
	for _, d := range theirs.Deps {
		if v, ok := versions[d.Path]; !ok || v != d.Version+d.Sum {
			return false
		}
	}
	return true
}
