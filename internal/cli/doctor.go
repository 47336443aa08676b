package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/experts"
	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/terraform"
)

// credentialVars are reported as set or not set; values are never read out.
var credentialVars = []string{
	"AWS_ACCESS_KEY_ID", "AWS_PROFILE", "GOOGLE_APPLICATION_CREDENTIALS",
	"GITHUB_TOKEN", "GH_TOKEN", "ANTHROPIC_API_KEY", "OPENAI_API_KEY",
}

func newDoctorCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check terraform, kubeconfig, the memory store and which credentials are present",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(g.Stdout, 0, 4, 2, ' ', 0)
			failed := 0
			row := func(ok bool, what, detail string) {
				mark := "ok"
				if !ok {
					mark = "FAIL"
					failed++
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", mark, what, detail)
			}
			info := func(what, detail string) { fmt.Fprintf(tw, "-\t%s\t%s\n", what, detail) }

			cfg, err := config.Load(g.ConfigPath)
			if err != nil {
				row(false, "config", err.Error())
				tw.Flush()
				return failErr("")
			}
			src := cfg.Path
			if src == "" {
				src = "built-in defaults (no opsmcp.yaml)"
			}
			row(true, "config", fmt.Sprintf("%s (mode %s, %d terraform workspaces allowed)", src, cfg.Mode, len(cfg.Terraform.Workspaces)))

			in, warning := cfg.Gate.Requirements()
			if len(in) == 0 {
				in = []string{"the mode alone"}
			}
			info("gate", strings.Join(in, "; "))
			if warning != "" {
				info("gate WARNING", warning)
			}

			if bin, err := terraform.Locate(cmd.Context(), cfg.Terraform.Binary); err != nil {
				row(false, "terraform", err.Error())
			} else {
				row(true, "terraform", fmt.Sprintf("%s %s at %s", bin.Name, bin.Version, bin.Path))
			}

			if st, err := memory.Open(cmd.Context(), cfg.Memory); err != nil {
				row(false, "memory", err.Error())
			} else {
				if _, lerr := st.List(cmd.Context(), memory.Filter{Limit: 1}); lerr != nil {
					row(false, "memory", lerr.Error())
				} else {
					row(true, "memory", st.Location())
				}
				st.Close()
			}

			// Kubernetes is optional: report what the kube tools would reach.
			if cl, err := kube.Connect(cfg.Kubernetes, ""); err != nil {
				info("kubernetes", err.Error())
			} else {
				ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
				v, err := cl.ServerVersion(ctx)
				cancel()
				if err != nil {
					row(false, "kubernetes", err.Error())
				} else {
					row(true, "kubernetes", fmt.Sprintf("context %s at %s, Kubernetes %s", cl.Context, cl.Server, v))
				}
			}
			// The experts a consult asks: rules always, models when their key
			// or endpoint is set (never the key itself).
			info("expert rules", "built in, always asked")
			_, status := experts.ModelExperts(cfg.Experts, nil)
			for _, st := range status {
				detail := st.Provider + " " + st.Model
				if st.Endpoint != "" {
					detail += " at " + st.Endpoint
				}
				if st.Present {
					info("expert "+st.Name, detail+": present")
				} else {
					info("expert "+st.Name, detail+": not asked, "+st.Why)
				}
			}
			for _, v := range credentialVars {
				state := "not set"
				if os.Getenv(v) != "" {
					state = "set"
				}
				info(v, state)
			}
			tw.Flush()
			if failed > 0 {
				return failErr("%d checks failed", failed)
			}
			return nil
		},
	}
}
