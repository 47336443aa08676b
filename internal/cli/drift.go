package cli

import (
	"bufio"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/atomicfile"
	"github.com/opsmcp/opsmcp/internal/cli/clibase"
	"github.com/opsmcp/opsmcp/internal/drift"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/terraform"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

type driftOptions struct {
	format, output     string
	namespace, context string
	exitCode           bool
}

func newDriftCmd(g *globals) *cobra.Command {
	o := &driftOptions{}
	cmd := &cobra.Command{
		Use:   "drift [WORKSPACE|MANIFESTS...]",
		Short: "Find what changed outside Terraform since it was applied (refresh-only; changes nothing)",
		Long: "Check Terraform workspaces with a refresh-only plan (never applied, no state written), and Kubernetes\n" +
			"manifests (or each set of objects opsmcp applied) with a server-side dry run, and report each resource\n" +
			"changed outside opsmcp (with the attribute paths, and in Kubernetes the field manager that owns each\n" +
			"now) or deleted, and the last apply opsmcp recorded. A directory with *.tf files is a workspace; other\n" +
			"paths are manifests. With no path, every allowed workspace and recorded object set. It runs\n" +
			"detect_drift in-process. Exit 0, or 1 when a workspace could not be checked; with\n" +
			"--exit-code, like terraform plan -detailed-exitcode: 0 in sync, 2 drifted, 1 error.\n" +
			"A usage error is exit 2 too.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(drift.Formats, o.format) {
				return usageErr("--format %q is not one of %s", o.format, strings.Join(drift.Formats, ", "))
			}
			rt, err := mcpkit.Bootstrap(cmd.Context(), g.ConfigPath, g.Stderr, slog.LevelWarn)
			if err != nil {
				return failErr("%v", err)
			}
			defer rt.Close()
			in := map[string]any{}
			var workspaces, manifests []string
			for _, a := range args {
				if terraform.HasConfig(a) {
					workspaces = append(workspaces, a)
				} else {
					manifests = append(manifests, a)
				}
			}
			if len(workspaces) > 0 {
				in["workspaces"] = workspaces
			}
			if len(manifests) > 0 {
				in["manifests"] = manifests
			}
			if o.namespace != "" {
				in["namespace"] = o.namespace
			}
			if o.context != "" {
				in["context"] = o.context
			}
			raw, _ := json.Marshal(in)
			out := mcpkit.NewHost(deploy.New(), rt).Call(cmd.Context(), "detect_drift", raw, nil)
			if out.IsError {
				if out.Usage {
					return usageErr("%s", out.Text)
				}
				return failErr("%s", out.Text)
			}
			var res deploy.DetectDriftResult
			if err := out.Decode(&res); err != nil {
				return failErr("%v", err)
			}
			write := func(w io.Writer) error { return drift.Write(w, &res.Report, o.format) }
			if o.output != "" {
				err = atomicfile.Write(o.output, write)
			} else {
				bw := bufio.NewWriter(g.Stdout)
				if err = write(bw); err == nil {
					err = bw.Flush()
				}
			}
			if err != nil {
				return failErr("%v", err)
			}
			switch {
			case res.Errors > 0:
				return failErr("")
			case o.exitCode && res.Drifted > 0:
				return &clibase.ExitError{Code: 2} // drifted, as terraform plan -detailed-exitcode says changes
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "text", "text, markdown or json")
	f.StringVar(&o.output, "output", "", "write the report to this file (default stdout)")
	f.BoolVar(&o.exitCode, "exit-code", false, "exit 2 when anything drifted (0 in sync, 1 error)")
	f.StringVarP(&o.namespace, "namespace", "n", "", "the namespace of manifests that name none")
	f.StringVar(&o.context, "context", "", "the kubeconfig context of manifests (default kubernetes.context)")
	return cmd
}
