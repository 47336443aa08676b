package cli

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/atomicfile"
	"github.com/opsmcp/opsmcp/internal/cli/clibase"
	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

type costOptions struct {
	format, output, usage string
	hours                 int
	noDataTransfer        bool
	syncUsage             bool
}

// syncUsageFile writes the usage file back with every usage key the
// estimated resources take (cost.SyncUsage), atomically.
func syncUsageFile(files *fsguard.Guard, path string, exists bool, out *mcpkit.Outcome, stderr io.Writer) error {
	var res deploy.EstimateCostsResult
	if err := out.Decode(&res); err != nil {
		return err
	}
	var existing []byte
	if exists {
		var err error
		if existing, err = files.ReadFile(path); err != nil {
			return err
		}
	}
	data, err := cost.SyncUsage(existing, res.Resources)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return err
	}
	keys := 0
	for _, rc := range res.Resources {
		keys += len(rc.Usage)
	}
	fmt.Fprintf(stderr, "synced %s: %d usage keys of %d resources\n", path, keys, len(res.Resources))
	return nil
}

func newCostCmd(g *globals) *cobra.Command {
	o := &costOptions{}
	cmd := &cobra.Command{
		Use:   "cost PATH|PLAN_ID",
		Short: "Estimate what infrastructure costs, offline (Terraform plan or workspace, Kubernetes manifests)",
		Long: "Estimate what infrastructure costs from the embedded price catalog (and live prices from\n" +
			"`opsmcp prices refresh`). PATH is a plan JSON or saved plan, a Terraform workspace directory,\n" +
			"Kubernetes manifests, or a JSON file {\"resources\": [...]}; a plan_id from apply_terraform works too.\n" +
			"It runs estimate_costs in-process. Exit 0 on success, 1 when it cannot estimate, 2 on a usage error.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("give one path or plan_id to estimate")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(cost.Formats, o.format) {
				return usageErr("--format %q is not one of %s", o.format, strings.Join(cost.Formats, ", "))
			}
			if o.hours < 1 {
				return usageErr("--hours %d: must be at least 1", o.hours)
			}
			in := map[string]any{"infrastructure": args[0], "duration_hours": o.hours, "include_data_transfer": !o.noDataTransfer}
			rt, err := mcpkit.Bootstrap(cmd.Context(), g.ConfigPath, g.Stderr, slog.LevelWarn)
			if err != nil {
				return failErr("%v", err)
			}
			defer rt.Close()
			// The paths named here are the user's own: any path, bounded.
			rt.Files = fsguard.CommandLine(rt.Config.Limits.MaxInputBytes)
			syncPath, syncExists := "", false
			if o.syncUsage {
				// A file not there yet is created; one that is, read and kept.
				syncPath = cmp.Or(o.usage, rt.Config.Cost.UsageFile, "opsmcp-usage.yml")
				_, err := os.Stat(syncPath)
				syncExists = err == nil
				o.usage = ""
				if syncExists {
					o.usage = syncPath
				}
			}
			if o.usage != "" {
				in["usage"] = o.usage
			}
			raw, _ := json.Marshal(in)
			out := mcpkit.NewHost(deploy.New(), rt).Call(cmd.Context(), "estimate_costs", raw, nil)
			if out.IsError {
				if out.Usage {
					return usageErr("%s", out.Text)
				}
				return failErr("%s", out.Text)
			}
			if syncPath != "" {
				if err := syncUsageFile(rt.Files, syncPath, syncExists, out, g.Stderr); err != nil {
					return failErr("--sync-usage-file: %v", err)
				}
			}
			write := func(w io.Writer) error {
				if o.format == "json" {
					// The tool's structured result, as MCP clients get it.
					return clibase.WriteIndented(w, out.Structured)
				}
				var res deploy.EstimateCostsResult
				if err := out.Decode(&res); err != nil {
					return err
				}
				return cost.Write(w, &res.Estimate, o.format)
			}
			if o.output != "" {
				if err := atomicfile.Write(o.output, write); err != nil {
					return failErr("--output: %v", err)
				}
				return nil
			}
			w := bufio.NewWriter(g.Stdout)
			if err := write(w); err != nil {
				return failErr("%v", err)
			}
			return w.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "table", "table, json or markdown")
	f.StringVar(&o.output, "output", "", "write the estimate to this file (default stdout)")
	f.StringVar(&o.usage, "usage", "", "usage file (YAML: resource_usage per address); default cost.usage_file")
	f.IntVar(&o.hours, "hours", cost.HoursPerMonth, "the period the figures cover, in hours")
	f.BoolVar(&o.noDataTransfer, "no-data-transfer", false, "leave data transfer out of the estimate")
	f.BoolVar(&o.syncUsage, "sync-usage-file", false, "add every usage key the resources take to the usage file (--usage, cost.usage_file, or opsmcp-usage.yml), keeping what it gives")
	return cmd
}
