package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/cloud"
	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/cost"
)

type pricesOptions struct {
	provider               string
	awsRegions, gcpRegions []string
	output, dump           string
}

func newPricesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "prices", Short: "Live cloud prices for estimates (opsmcp prices refresh)"}
	o := &pricesOptions{}
	refresh := &cobra.Command{
		Use:   "refresh",
		Short: "Fetch live prices from the AWS Price List API and the GCP Billing Catalog into the price cache",
		Long: "Fetch the prices estimates use — per AWS region EC2 instances (every OS and tenancy, with their\n" +
			"reservations), EBS, RDS, ElastiCache, OpenSearch and Redshift; per GCP region Compute Engine vCPU,\n" +
			"memory, commitments, GPUs and persistent disk — from the clouds' own price APIs, with the credentials\n" +
			"of the environment, into cost.price_cache (written atomically). estimate_costs and opsmcp cost then\n" +
			"prefer them over the embedded catalog, and say so per price. With --provider all (the default), a\n" +
			"provider without credentials is skipped with a message. --dump DIR also saves the documents as\n" +
			"fetched (AWS offer files, Billing Catalog SKU lists), from which `go generate ./internal/cost`\n" +
			"with OPSMCP_PRICE_DUMP=DIR regenerates the embedded catalog. Exit 1 when nothing was refreshed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains([]string{"all", "aws", "gcp"}, o.provider) {
				return usageErr("--provider %q is not one of all, aws, gcp", o.provider)
			}
			cfg, err := config.Load(g.ConfigPath)
			if err != nil {
				return usageErr("%v", err)
			}
			embedded := cost.Embedded()
			if len(o.awsRegions) == 0 {
				o.awsRegions = cfg.Cloud.AWS.Regions
				if len(o.awsRegions) == 0 {
					o.awsRegions = embedded.Regions("aws")
				}
			}
			if len(o.gcpRegions) == 0 {
				o.gcpRegions = embedded.Regions("gcp")
			}
			path := o.output
			if path == "" {
				path = cfg.Cost.PriceCache
			}
			old, err := cost.LoadCache(path)
			if err != nil {
				return failErr("%v", err)
			}
			var fresh *cost.Catalog
			total := map[string]int{}
			for _, p := range []string{"aws", "gcp"} {
				if o.provider != "all" && o.provider != p {
					continue
				}
				var a *cloud.AWS
				var gc *cloud.GCP
				if p == "aws" {
					a = &cloud.AWS{Policy: cfg.Cloud.AWS}
				} else {
					gc = &cloud.GCP{Projects: cfg.Cloud.GCP.Projects, Endpoints: cfg.Cloud.GCP.Endpoints}
				}
				base := old
				if fresh != nil {
					base = fresh
				}
				cat, counts, err := cloud.Refresh(cmd.Context(), cloud.RefreshOptions{AWS: a, AWSRegions: o.awsRegions, GCP: gc, GCPRegions: o.gcpRegions, Old: base, Dump: o.dump})
				if err != nil {
					if o.provider != "all" {
						return failErr("%v", err)
					}
					fmt.Fprintf(g.Stderr, "skipped %s: %v\n", p, err)
					continue
				}
				fresh = cat
				total[p] = counts[p]
			}
			if fresh == nil {
				return failErr("no prices refreshed")
			}
			if err := cost.WriteCache(path, fresh); err != nil {
				return failErr("writing %s: %v", path, err)
			}
			var parts []string
			for _, p := range []string{"aws", "gcp"} {
				if n, ok := total[p]; ok {
					parts = append(parts, fmt.Sprintf("%s %d", p, n))
				}
			}
			fmt.Fprintf(g.Stdout, "%d live prices (%s), dated %s, in %s\n", len(fresh.Prices), strings.Join(parts, ", "), fresh.Date, path)
			return nil
		},
	}
	f := refresh.Flags()
	f.StringVar(&o.provider, "provider", "all", "all, aws or gcp")
	f.StringSliceVar(&o.awsRegions, "aws-region", nil, "AWS regions (default cloud.aws.regions, else the catalog's)")
	f.StringSliceVar(&o.gcpRegions, "gcp-region", nil, "GCP regions (default the catalog's)")
	f.StringVar(&o.output, "output", "", "the cache file (default cost.price_cache)")
	f.StringVar(&o.dump, "dump", "", "also save the price documents as fetched in this directory")
	cmd.AddCommand(refresh)
	return cmd
}
