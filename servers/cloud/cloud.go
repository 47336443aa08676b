// Package cloud is the opsmcp-cloud server: AWS and Google Cloud inventory,
// actual spend and live prices, read-only, inside opsmcp.yaml's cloud:
// allowlists.
package cloud

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/cloud"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// Name is the server's name in the CLI, .mcp.json and memory entries.
const Name = "cloud"

// New returns the cloud server.
func New() *mcpkit.Server {
	return &mcpkit.Server{
		Name: Name,
		Instructions: "Read-only AWS and Google Cloud: identity, instances, buckets, clusters, databases, functions, " +
			"actual spend (Cost Explorer) and live list prices, within the regions, profiles and projects opsmcp.yaml allows.",
		Tools: []mcpkit.Tool{awsWhoami, awsListInstances, awsListBuckets, awsListClusters, awsListDatabases, awsListFunctions,
			awsCostAndUsage, gcpListInstances, gcpListBuckets, getPrices, gatherContext},
	}
}

func awsOf(c *mcpkit.Call) *cloud.AWS { return &cloud.AWS{Policy: c.Runtime.Config.Cloud.AWS} }

func gcpOf(c *mcpkit.Call) *cloud.GCP {
	return &cloud.GCP{Projects: c.Runtime.Config.Cloud.GCP.Projects, Endpoints: c.Runtime.Config.Cloud.GCP.Endpoints}
}

// AWSScope is where an AWS call reads.
type AWSScope struct {
	Region  string `json:"region,omitempty" desc:"default: the first allowed"`
	Profile string `json:"profile,omitempty"`
}

// Page asks for one page of a list.
type Page struct {
	Limit     int    `json:"limit,omitempty" minimum:"1"`
	NextToken string `json:"next_token,omitempty"`
}

func (s AWSScope) query(p Page) cloud.Query {
	return cloud.Query{Region: s.Region, Profile: s.Profile, Limit: p.Limit, NextToken: p.NextToken}
}

// listResult is a page of any list, with where it came from.
type listResult[T any] struct {
	Region    string `json:"region,omitempty"`
	Items     []T    `json:"items"`
	NextToken string `json:"next_token,omitempty"`
	what      string
	line      func(T) string
}

func (r listResult[T]) SummaryText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", len(r.Items), r.what)
	if r.Region != "" {
		fmt.Fprintf(&b, " in %s", r.Region)
	}
	for _, it := range r.Items {
		b.WriteString("\n" + r.line(it))
	}
	if r.NextToken != "" {
		b.WriteString("\nmore: call again with next_token")
	}
	return b.String()
}

func region(c *mcpkit.Call, s AWSScope) string {
	if s.Region != "" {
		return s.Region
	}
	if r := c.Runtime.Config.Cloud.AWS.Regions; len(r) > 0 {
		return r[0]
	}
	return ""
}

var readOnly = mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.Yes}

// AWSWhoamiInput is the input of aws_whoami.
type AWSWhoamiInput struct {
	AWSScope
}

// AWSWhoamiResult is the result of aws_whoami.
type AWSWhoamiResult struct{ cloud.Identity }

func (r AWSWhoamiResult) SummaryText() string {
	return fmt.Sprintf("account %s as %s (region %s)", r.Account, r.ARN, r.Region)
}

var awsWhoami = mcpkit.NewTool(mcpkit.Def{
	Name: "aws_whoami", Description: "The AWS account and identity of the credentials (STS).", Annotations: readOnly, Timeout: time.Minute,
	Toolset: "aws",
}, func(ctx context.Context, c *mcpkit.Call, in AWSWhoamiInput) (AWSWhoamiResult, error) {
	id, err := awsOf(c).WhoAmI(ctx, in.query(Page{}))
	return AWSWhoamiResult{id}, err
})

// AWSListInstancesInput is the input of aws_list_instances.
type AWSListInstancesInput struct {
	AWSScope
	Page
	Filters map[string][]string `json:"filters,omitempty" desc:"EC2 filters, e.g. instance-state-name"`
}

var awsListInstances = mcpkit.NewTool(mcpkit.Def{
	Name: "aws_list_instances", Description: "EC2 instances: id, name, type, state, zone, IPs.", Annotations: readOnly, Timeout: time.Minute,
	Toolset: "aws",
}, func(ctx context.Context, c *mcpkit.Call, in AWSListInstancesInput) (listResult[cloud.Instance], error) {
	items, next, err := awsOf(c).Instances(ctx, in.query(in.Page), in.Filters)
	return listResult[cloud.Instance]{Region: region(c, in.AWSScope), Items: orEmpty(items), NextToken: next, what: "instances",
		line: func(i cloud.Instance) string {
			return fmt.Sprintf("%s %s %s %s %s", i.ID, i.Type, i.State, i.Zone, i.Name)
		}}, err
})

// AWSListInput is the input of the plain AWS list tools.
type AWSListInput struct {
	AWSScope
	Page
}

var awsListBuckets = mcpkit.NewTool(mcpkit.Def{
	Name: "aws_list_buckets", Description: "S3 buckets with their region.", Annotations: readOnly, Timeout: time.Minute,
	Toolset: "aws",
}, func(ctx context.Context, c *mcpkit.Call, in AWSListInput) (listResult[cloud.Bucket], error) {
	items, next, err := awsOf(c).Buckets(ctx, in.query(in.Page))
	return listResult[cloud.Bucket]{Items: orEmpty(items), NextToken: next, what: "buckets",
		line: func(b cloud.Bucket) string { return strings.TrimSpace(b.Name + " " + b.Region) }}, err
})

var awsListClusters = mcpkit.NewTool(mcpkit.Def{
	Name: "aws_list_clusters", Description: "EKS clusters: version, status, endpoint.", Annotations: readOnly, Timeout: time.Minute,
	Toolset: "aws",
}, func(ctx context.Context, c *mcpkit.Call, in AWSListInput) (listResult[cloud.Cluster], error) {
	items, next, err := awsOf(c).Clusters(ctx, in.query(in.Page))
	return listResult[cloud.Cluster]{Region: region(c, in.AWSScope), Items: orEmpty(items), NextToken: next, what: "EKS clusters",
		line: func(k cloud.Cluster) string { return fmt.Sprintf("%s %s %s", k.Name, k.Version, k.Status) }}, err
})

var awsListDatabases = mcpkit.NewTool(mcpkit.Def{
	Name: "aws_list_databases", Description: "RDS instances: engine, class, status, Multi-AZ, storage.", Annotations: readOnly, Timeout: time.Minute,
	Toolset: "aws",
}, func(ctx context.Context, c *mcpkit.Call, in AWSListInput) (listResult[cloud.Database], error) {
	items, next, err := awsOf(c).Databases(ctx, in.query(in.Page))
	return listResult[cloud.Database]{Region: region(c, in.AWSScope), Items: orEmpty(items), NextToken: next, what: "RDS instances",
		line: func(d cloud.Database) string {
			return fmt.Sprintf("%s %s %s %s %s multi-az=%v %d GB", d.ID, d.Engine, d.Version, d.Class, d.Status, d.MultiAZ, d.StorageGB)
		}}, err
})

var awsListFunctions = mcpkit.NewTool(mcpkit.Def{
	Name: "aws_list_functions", Description: "Lambda functions: runtime, memory, timeout.", Annotations: readOnly, Timeout: time.Minute,
	Toolset: "aws",
}, func(ctx context.Context, c *mcpkit.Call, in AWSListInput) (listResult[cloud.Function], error) {
	items, next, err := awsOf(c).Functions(ctx, in.query(in.Page))
	return listResult[cloud.Function]{Region: region(c, in.AWSScope), Items: orEmpty(items), NextToken: next, what: "functions",
		line: func(f cloud.Function) string {
			return fmt.Sprintf("%s %s %d MB %ds", f.Name, f.Runtime, f.MemoryMB, f.TimeoutS)
		}}, err
})

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// AWSCostAndUsageInput is the input of aws_cost_and_usage.
type AWSCostAndUsageInput struct {
	Start       string `json:"start" desc:"YYYY-MM-DD"`
	End         string `json:"end" desc:"YYYY-MM-DD, exclusive"`
	GroupBy     string `json:"group_by,omitempty" desc:"service, account or tag:KEY" default:"\"service\""`
	Granularity string `json:"granularity,omitempty" enum:"MONTHLY|DAILY" default:"\"MONTHLY\""`
	Profile     string `json:"profile,omitempty"`
}

// AWSCostAndUsageResult is the result of aws_cost_and_usage.
type AWSCostAndUsageResult struct{ cloud.Spend }

func (r AWSCostAndUsageResult) SummaryText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "spend %s to %s by %s", r.Start, r.End, r.GroupBy)
	if r.Estimated {
		b.WriteString(" (estimated: the period is not closed)")
	}
	for _, l := range r.Lines {
		fmt.Fprintf(&b, "\n%s %s: %s %s", l.Start, l.Group, l.Amount, l.Unit)
	}
	return b.String()
}

var awsCostAndUsage = mcpkit.NewTool(mcpkit.Def{
	Name: "aws_cost_and_usage", Description: "Actual AWS spend over a period (Cost Explorer), by service, account or tag.", Annotations: readOnly, Timeout: 2 * time.Minute,
	Toolset: "aws",
}, func(ctx context.Context, c *mcpkit.Call, in AWSCostAndUsageInput) (AWSCostAndUsageResult, error) {
	s, err := awsOf(c).CostAndUsage(ctx, cloud.SpendQuery{Query: cloud.Query{Profile: in.Profile}, Start: in.Start, End: in.End, GroupBy: in.GroupBy, Granularity: in.Granularity})
	if s.Lines == nil {
		s.Lines = []cloud.SpendLine{}
	}
	return AWSCostAndUsageResult{s}, err
})

// GCPListInput is the input of the GCP list tools.
type GCPListInput struct {
	Project string `json:"project,omitempty" desc:"default: the only allowed one"`
	Zone    string `json:"zone,omitempty" desc:"instances: one zone"`
	Page
}

var gcpListInstances = mcpkit.NewTool(mcpkit.Def{
	Name: "gcp_list_instances", Description: "Compute Engine instances: zone, machine type, status, IPs.", Annotations: readOnly, Timeout: time.Minute,
	Toolset: "gcp",
}, func(ctx context.Context, c *mcpkit.Call, in GCPListInput) (listResult[cloud.GCPInstance], error) {
	items, next, err := gcpOf(c).Instances(ctx, in.Project, in.Zone, in.Limit, in.NextToken)
	return listResult[cloud.GCPInstance]{Items: orEmpty(items), NextToken: next, what: "instances",
		line: func(i cloud.GCPInstance) string {
			return fmt.Sprintf("%s %s %s %s", i.Name, i.Zone, i.MachineType, i.Status)
		}}, err
})

var gcpListBuckets = mcpkit.NewTool(mcpkit.Def{
	Name: "gcp_list_buckets", Description: "Cloud Storage buckets: location and storage class.", Annotations: readOnly, Timeout: time.Minute,
	Toolset: "gcp",
}, func(ctx context.Context, c *mcpkit.Call, in GCPListInput) (listResult[cloud.GCSBucket], error) {
	items, next, err := gcpOf(c).Buckets(ctx, in.Project, in.Limit, in.NextToken)
	return listResult[cloud.GCSBucket]{Items: orEmpty(items), NextToken: next, what: "buckets",
		line: func(b cloud.GCSBucket) string { return fmt.Sprintf("%s %s %s", b.Name, b.Location, b.StorageClass) }}, err
})

// GetPricesInput is the input of get_prices.
type GetPricesInput struct {
	Provider string            `json:"provider" enum:"aws|gcp"`
	Service  string            `json:"service,omitempty" desc:"AWS service code, or GCP services/ID" default:"\"AmazonEC2\""`
	Region   string            `json:"region,omitempty"`
	Filters  map[string]string `json:"filters,omitempty" desc:"AWS: attribute=value, e.g. instanceType"`
	Profile  string            `json:"profile,omitempty"`
	Limit    int               `json:"limit,omitempty" minimum:"1" default:"100"`
}

// GetPricesResult is the result of get_prices.
type GetPricesResult struct {
	Provider string            `json:"provider"`
	Service  string            `json:"service"`
	Prices   []cloud.LivePrice `json:"prices"`
}

func (r GetPricesResult) SummaryText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s %s prices", len(r.Prices), r.Provider, r.Service)
	for i, p := range r.Prices {
		if i == 20 {
			fmt.Fprintf(&b, "\n… %d more in the structured result", len(r.Prices)-20)
			break
		}
		fmt.Fprintf(&b, "\n%s %s per %s (%s, %s)", p.Description, p.USD, p.Unit, p.Source, p.Date)
	}
	return b.String()
}

var getPrices = mcpkit.NewTool(mcpkit.Def{
	Name: "get_prices", Description: "Live list prices from the AWS Price List API or the GCP Billing Catalog, normalised.", Annotations: readOnly, Timeout: 2 * time.Minute,
	Toolset: "cost",
}, func(ctx context.Context, c *mcpkit.Call, in GetPricesInput) (GetPricesResult, error) {
	res := GetPricesResult{Provider: in.Provider, Service: in.Service}
	var err error
	switch in.Provider {
	case "aws":
		res.Prices, err = awsOf(c).AWSPrices(ctx, cloud.Query{Region: in.Region, Profile: in.Profile}, in.Service, in.Filters, in.Limit)
	case "gcp":
		if in.Service == "AmazonEC2" {
			res.Service = ""
		}
		res.Prices, err = gcpOf(c).GCPPrices(ctx, res.Service, in.Region, in.Limit)
	default:
		err = fmt.Errorf("provider %q is not aws or gcp", in.Provider)
	}
	res.Prices = orEmpty(res.Prices)
	if len(res.Prices) > in.Limit && in.Limit > 0 {
		res.Prices = res.Prices[:in.Limit]
	}
	return res, err
})
