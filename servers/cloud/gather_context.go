package cloud

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/opsmcp/opsmcp/internal/cloud"
	"github.com/opsmcp/opsmcp/internal/contract/cloudctx"
	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// GatherContextInput is the input of gather_context.
type GatherContextInput struct{}

// The cloud server's gather_context contract (internal/contract).
type (
	CloudContext = cloudctx.CloudContext
	AWSContext   = cloudctx.AWSContext
	GCPContext   = cloudctx.GCPContext
)

// maxCounted bounds the pages read for a count.
const maxCounted = 1000

// count pages through a list up to maxCounted items.
func count[T any](list func(cloud.Query) ([]T, string, error), q cloud.Query) (int, error) {
	n := 0
	for {
		items, next, err := list(q)
		if err != nil {
			return n, err
		}
		n += len(items)
		if next == "" || n >= maxCounted {
			return n, nil
		}
		q.NextToken = next
	}
}

var gatherContext = mcpkit.NewTool(mcpkit.Def{
	Name: "gather_context", Description: "AWS identity, resource counts per allowed region, month-to-date spend; GCP counts per project.",
	Toolset:     "context",
	Annotations: readOnly, Timeout: 2 * time.Minute,
}, func(ctx context.Context, c *mcpkit.Call, _ GatherContextInput) (CloudContext, error) {
	var (
		res CloudContext
		mu  sync.Mutex
	)
	fail := func(what string, err error) {
		mu.Lock()
		res.Errors = append(res.Errors, fmt.Sprintf("%s: %v", what, err))
		mu.Unlock()
	}
	pol := c.Runtime.Config.Cloud
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	a := awsOf(c)
	if len(pol.AWS.Regions) > 0 {
		res.AWS = &AWSContext{Counts: map[string]map[string]int{}}
		g.Go(func() error {
			id, err := a.WhoAmI(gctx, cloud.Query{})
			if err != nil {
				fail("aws identity", err)
				return nil
			}
			mu.Lock()
			res.AWS.Identity = &id
			mu.Unlock()
			return nil
		})
		g.Go(func() error {
			n, err := count(func(q cloud.Query) ([]cloud.Bucket, string, error) { return a.Buckets(gctx, q) }, cloud.Query{Limit: 1000})
			if err != nil {
				fail("aws buckets", err)
			}
			mu.Lock()
			res.AWS.Buckets = n
			mu.Unlock()
			return nil
		})
		g.Go(func() error {
			now := time.Now().UTC()
			start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
			s, err := a.CostAndUsage(gctx, cloud.SpendQuery{Start: start.Format(time.DateOnly), End: now.AddDate(0, 0, 1).Format(time.DateOnly)})
			if err != nil {
				fail("aws month-to-date spend", err)
				return nil
			}
			total := cost.Dec{}
			for _, l := range s.Lines {
				if d, err := cost.ParseDec(l.Amount); err == nil {
					total = total.Add(d)
				}
			}
			mu.Lock()
			res.AWS.MonthToDate = total.Money()
			mu.Unlock()
			return nil
		})
		for _, region := range pol.AWS.Regions {
			counts := map[string]int{}
			res.AWS.Counts[region] = counts
			q := cloud.Query{Region: region}
			for kind, list := range map[string]func() (int, error){
				"instances": func() (int, error) {
					return count(func(q cloud.Query) ([]cloud.Instance, string, error) { return a.Instances(gctx, q, nil) }, q)
				},
				"clusters": func() (int, error) {
					return count(func(q cloud.Query) ([]cloud.Cluster, string, error) { return a.Clusters(gctx, q) }, q)
				},
				"databases": func() (int, error) {
					return count(func(q cloud.Query) ([]cloud.Database, string, error) { return a.Databases(gctx, q) }, q)
				},
				"functions": func() (int, error) {
					return count(func(q cloud.Query) ([]cloud.Function, string, error) { return a.Functions(gctx, q) }, q)
				},
			} {
				g.Go(func() error {
					n, err := list()
					if err != nil {
						fail(fmt.Sprintf("aws %s in %s", kind, region), err)
					}
					mu.Lock()
					counts[kind] = n
					mu.Unlock()
					return nil
				})
			}
		}
	}
	gp := gcpOf(c)
	res.GCP = make([]GCPContext, len(pol.GCP.Projects))
	for i, p := range pol.GCP.Projects {
		res.GCP[i].Project = p
		g.Go(func() error {
			n, err := count(func(q cloud.Query) ([]cloud.GCPInstance, string, error) {
				return gp.Instances(gctx, p, "", 500, q.NextToken)
			}, cloud.Query{})
			if err != nil {
				fail("gcp instances in "+p, err)
			}
			mu.Lock()
			res.GCP[i].Instances = n
			mu.Unlock()
			return nil
		})
		g.Go(func() error {
			n, err := count(func(q cloud.Query) ([]cloud.GCSBucket, string, error) { return gp.Buckets(gctx, p, 1000, q.NextToken) }, cloud.Query{})
			if err != nil {
				fail("gcp buckets in "+p, err)
			}
			mu.Lock()
			res.GCP[i].Buckets = n
			mu.Unlock()
			return nil
		})
	}
	g.Wait()
	sort.Strings(res.Errors)
	if res.AWS == nil && len(res.GCP) == 0 {
		res.Errors = append(res.Errors, "no cloud is configured: list cloud.aws.regions or cloud.gcp.projects in opsmcp.yaml")
	}
	return res, nil
})
