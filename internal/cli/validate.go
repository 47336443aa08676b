package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/atomicfile"
	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/validate"
)

type validateOptions struct {
	typ, format, output, failOn string
	cluster, strict, listRules  bool
	enable, disable             []string
}

func newValidateCmd(g *globals) *cobra.Command {
	o := &validateOptions{}
	cmd := &cobra.Command{
		Use:   "validate PATH...",
		Short: "Validate Kubernetes manifests, Dockerfiles, compose files and Terraform (for CI)",
		Long: "Validate Kubernetes manifests, Dockerfiles, compose files and Terraform.\n" +
			"Directories are walked recursively; --type auto decides per file.\n" +
			"Exit 0 when no finding is at or above --fail-on, 1 otherwise, 2 on a usage error.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.listRules {
				for _, r := range validate.Rules() {
					fmt.Fprintf(g.stdout, "%-28s %-10s %-8s %s\n", r.ID, r.Type, r.Severity, r.Summary)
				}
				return nil
			}
			if len(args) == 0 {
				return usageErr("give at least one file or directory to validate")
			}
			return runValidate(cmd, g, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.typ, "type", "auto", "auto, kubernetes, docker or terraform")
	f.StringVar(&o.format, "format", "text", "text, json, sarif or junit")
	f.StringVar(&o.output, "output", "", "write the report to this file (default stdout)")
	f.StringVar(&o.failOn, "fail-on", "error", "exit 1 when a finding is at least: error, warning, or never")
	f.BoolVar(&o.cluster, "cluster", false, "also ask the live cluster (server-side dry run) about Kubernetes objects")
	f.BoolVar(&o.strict, "strict", true, "unknown Kubernetes fields are errors, and warnings make the report invalid")
	f.StringSliceVar(&o.enable, "enable", nil, "rules to turn on (comma-separated ids)")
	f.StringSliceVar(&o.disable, "disable", nil, "rules to turn off (comma-separated ids)")
	f.BoolVar(&o.listRules, "list-rules", false, "list every rule and exit")
	return cmd
}

func runValidate(cmd *cobra.Command, g *globals, o *validateOptions, paths []string) error {
	if !slices.Contains(validate.Formats, o.format) {
		return usageErr("--format %q is not one of %s", o.format, strings.Join(validate.Formats, ", "))
	}
	if !slices.Contains([]string{"error", "warning", "never"}, o.failOn) {
		return usageErr("--fail-on %q is not one of error, warning, never", o.failOn)
	}
	if !slices.Contains(validate.Types, o.typ) {
		return usageErr("--type %q is not one of %s", o.typ, strings.Join(validate.Types, ", "))
	}
	cfg, err := config.Load(g.configPath)
	if err != nil {
		return usageErr("%v", err)
	}
	// A batch run keeps its heap near what it holds (the findings) instead
	// of letting it double between collections: a soft limit, never an
	// out-of-memory error. GOMEMLIMIT, when set, wins.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(48 << 20)
	}
	opts := validate.Options{Type: o.typ, Strict: o.strict, TerraformBinary: cfg.Terraform.Binary,
		Rules: validate.RuleSet{Enable: o.enable, Disable: o.disable}}
	if o.cluster {
		cl, err := kube.Connect(cfg.Kubernetes, "")
		if err != nil {
			return failErr("--cluster: %v", err)
		}
		opts.Cluster = cl.DryRunCreate
	}
	rep, err := validate.Run(cmd.Context(), paths, opts)
	if err != nil {
		if strings.HasPrefix(err.Error(), "unknown rule") || strings.Contains(err.Error(), "does not exist") {
			return usageErr("%v", err)
		}
		return failErr("%v", err)
	}
	color := o.output == "" && o.format == "text" && isTerminal(g.stdout)
	if o.output != "" {
		// Streamed into a temp file renamed at the end: no copy of a large
		// report in memory, and never half a report on disk.
		if err := atomicfile.Write(o.output, func(w io.Writer) error { return validate.Write(w, rep, o.format, false) }); err != nil {
			return failErr("--output: %v", err)
		}
	} else {
		w := bufio.NewWriter(g.stdout)
		if err := validate.Write(w, rep, o.format, color); err != nil {
			return failErr("%v", err)
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	if worst := rep.Worst(); o.failOn != "never" && worst != "" && worst.AtLeast(validate.Severity(o.failOn)) {
		return failErr("%d errors, %d warnings (--fail-on %s)", rep.Errors, rep.Warnings, o.failOn)
	}
	return nil
}
