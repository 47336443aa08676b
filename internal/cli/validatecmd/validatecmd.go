// Package validatecmd is the validate command, shared by `opsmcp validate`
// and the opsmcp-validate binary. It links the validators and nothing of
// the servers, so opsmcp-validate starts at a third of opsmcp's memory.
package validatecmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/atomicfile"
	"github.com/opsmcp/opsmcp/internal/cli/clibase"
	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/validate"
)

// Options are the command's flags.
type Options struct {
	Type, Format, Output, FailOn string
	Cluster, Strict, ListRules   bool
	Enable, Disable              []string
	Policy                       []string
	// Baseline reports only findings not in this file; WriteBaseline
	// writes the run's findings to one.
	Baseline, WriteBaseline string
	// Helm charts: helm template's flags.
	ValuesFiles, Set       []string
	ReleaseName, Namespace string
	// CRDs are files or directories of CustomResourceDefinitions.
	CRDs []string
}

// Hooks let the opsmcp command add what this package must not link.
type Hooks struct {
	// Before runs once the flags are parsed, before anything is validated;
	// opsmcp hands the run over to opsmcp-validate here.
	Before func(cmd *cobra.Command, o *Options, paths []string) error
	// Cluster connects to the configured cluster for --cluster (dry runs,
	// and the CRDs it serves); without it --cluster is refused with a
	// pointer to opsmcp validate.
	Cluster func(cfg config.Kubernetes) (validate.ClusterDryRun, validate.ClusterCRDs, error)
	// Policy loads --policy's Rego policies; without it --policy is
	// refused with a pointer to opsmcp validate.
	Policy func(paths []string) (validate.PolicyCheck, error)
}

// New is the validate command; use is its usage line ("validate PATH...").
func New(g *clibase.Globals, use string, h Hooks) *cobra.Command {
	o := &Options{}
	cmd := &cobra.Command{
		Use:   use,
		Short: "Validate Kubernetes manifests, Dockerfiles, compose files and Terraform (for CI)",
		Long: "Validate Kubernetes manifests, Dockerfiles, compose files and Terraform.\n" +
			"Directories are walked recursively; --type auto decides per file.\n" +
			"Exit 0 when no finding is at or above --fail-on, 1 otherwise, 2 on a usage error.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.ListRules {
				for _, r := range validate.Rules() {
					fmt.Fprintf(g.Stdout, "%-28s %-10s %-8s %s\n", r.ID, r.Type, r.Severity, r.Summary)
				}
				return nil
			}
			if len(args) == 0 {
				return clibase.UsageErr("give at least one file or directory to validate")
			}
			if err := checkOptions(o); err != nil {
				return err
			}
			if h.Before != nil {
				if err := h.Before(cmd, o, args); err != nil {
					return err
				}
			}
			return run(cmd.Context(), g, o, h, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Type, "type", "auto", "auto, kubernetes, helm, kustomize, docker or terraform")
	f.StringArrayVarP(&o.ValuesFiles, "values", "f", nil, "Helm charts: a values file (repeatable; later files win)")
	f.StringArrayVar(&o.Set, "set", nil, "Helm charts: a value, as helm --set takes it (a.b=c; repeatable)")
	f.StringVar(&o.ReleaseName, "release-name", "", "Helm charts: the release name (default: the chart's name)")
	f.StringVarP(&o.Namespace, "namespace", "n", "", "Helm charts: the release namespace (default: default)")
	f.StringArrayVar(&o.CRDs, "crds", nil, "a file or directory of CustomResourceDefinitions whose schemas check custom resources (repeatable; adds to validate.crds)")
	f.StringVar(&o.Format, "format", "text", "text, json, sarif or junit")
	f.StringVar(&o.Output, "output", "", "write the report to this file (default stdout)")
	f.StringVar(&o.FailOn, "fail-on", "error", "exit 1 when a finding is at least: error, warning, or never")
	f.BoolVar(&o.Cluster, "cluster", false, "also ask the live cluster (server-side dry run) about Kubernetes objects")
	f.BoolVar(&o.Strict, "strict", true, "unknown Kubernetes fields are errors, and warnings make the report invalid")
	f.StringSliceVar(&o.Enable, "enable", nil, "rules to turn on (comma-separated ids)")
	f.StringSliceVar(&o.Disable, "disable", nil, "rules to turn off (comma-separated ids)")
	f.BoolVar(&o.ListRules, "list-rules", false, "list every rule and exit")
	f.StringVar(&o.Baseline, "baseline", "", "report only findings not in this baseline file (the others are counted as suppressed)")
	f.StringVar(&o.WriteBaseline, "write-baseline", "", "write the findings of this run to a baseline file (they are then suppressed)")
	f.StringArrayVar(&o.Policy, "policy", nil, "also run the Rego policies in this file or directory (conftest's deny/warn rules); repeatable")
	return cmd
}

func checkOptions(o *Options) error {
	if !slices.Contains(validate.Formats, o.Format) {
		return clibase.UsageErr("--format %q is not one of %s", o.Format, strings.Join(validate.Formats, ", "))
	}
	if !slices.Contains([]string{"error", "warning", "never"}, o.FailOn) {
		return clibase.UsageErr("--fail-on %q is not one of error, warning, never", o.FailOn)
	}
	if !slices.Contains(validate.Types, o.Type) {
		return clibase.UsageErr("--type %q is not one of %s", o.Type, strings.Join(validate.Types, ", "))
	}
	return nil
}

func run(ctx context.Context, g *clibase.Globals, o *Options, h Hooks, paths []string) error {
	cfg, err := config.Load(g.ConfigPath)
	if err != nil {
		return clibase.UsageErr("%v", err)
	}
	// A batch run keeps its heap near what it holds (the findings) instead
	// of letting it double between collections: a soft limit, never an
	// out-of-memory error. GOMEMLIMIT, when set, wins.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(48 << 20)
	}
	// The paths named here are the user's own: any path (a pipe too),
	// bounded, nothing in them executed.
	opts := validate.Options{Type: o.Type, Strict: o.Strict, TerraformBinary: cfg.Terraform.Binary,
		TerraformMirror: cfg.Terraform.ProviderMirror, Files: fsguard.CommandLine(cfg.Limits.MaxInputBytes),
		Rules: validate.RuleSet{Enable: o.Enable, Disable: o.Disable}, Unsuppressible: cfg.Validate.Unsuppressible,
		Chart: validate.ChartOptions{ValuesFiles: o.ValuesFiles, Set: o.Set, ReleaseName: o.ReleaseName, Namespace: o.Namespace},
		CRDs:  append(slices.Clone(cfg.Validate.CRDs), o.CRDs...)}
	if o.Baseline != "" {
		b, err := validate.LoadBaseline(o.Baseline)
		if err != nil {
			return clibase.UsageErr("--baseline: %v", err)
		}
		opts.Baseline = b
	}
	if o.Cluster {
		if h.Cluster == nil {
			return clibase.UsageErr("--cluster needs a connection to the cluster: run opsmcp validate --cluster")
		}
		dry, crds, err := h.Cluster(cfg.Kubernetes)
		if err != nil {
			return clibase.FailErr("--cluster: %v", err)
		}
		opts.Cluster, opts.ClusterCRDs = dry, crds
	}
	if len(o.Policy) > 0 {
		if h.Policy == nil {
			return clibase.UsageErr("--policy needs the policy engine: run opsmcp validate --policy")
		}
		check, err := h.Policy(o.Policy)
		if err != nil {
			return clibase.FailErr("--policy: %v", err)
		}
		opts.Policy = check
	}
	rep, err := validate.Run(ctx, paths, opts)
	if err != nil {
		var missing *fsguard.NotExistError
		var unknown *validate.UnknownRuleError
		if errors.As(err, &unknown) || errors.As(err, &missing) {
			return clibase.UsageErr("%v", err)
		}
		return clibase.FailErr("%v", err)
	}
	if o.WriteBaseline != "" {
		b, err := validate.NewBaseline(o.WriteBaseline)
		if err != nil {
			return clibase.FailErr("--write-baseline: %v", err)
		}
		b.Accept(rep, opts.Unsuppressible)
		if err := b.Write(); err != nil {
			return clibase.FailErr("--write-baseline: %v", err)
		}
		rep.ApplyBaseline(b, opts.Unsuppressible)
		fmt.Fprintf(g.Stderr, "wrote %d findings to the baseline %s\n", len(b.Findings), o.WriteBaseline)
	}
	color := o.Output == "" && o.Format == "text" && clibase.IsTerminal(g.Stdout)
	if o.Output != "" {
		// Streamed into a temp file renamed at the end: no copy of a large
		// report in memory, and never half a report on disk.
		if err := atomicfile.Write(o.Output, func(w io.Writer) error { return validate.Write(w, rep, o.Format, false) }); err != nil {
			return clibase.FailErr("--output: %v", err)
		}
	} else {
		w := bufio.NewWriter(g.Stdout)
		if err := validate.Write(w, rep, o.Format, color); err != nil {
			return clibase.FailErr("%v", err)
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	if worst := rep.Worst(); o.FailOn != "never" && worst != "" && worst.AtLeast(validate.Severity(o.FailOn)) {
		return clibase.FailErr("%d errors, %d warnings (--fail-on %s)", rep.Errors, rep.Warnings, o.FailOn)
	}
	return nil
}
