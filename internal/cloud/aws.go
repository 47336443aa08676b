// Package cloud reads AWS and Google Cloud inventory, spend and prices,
// inside the allowlists of opsmcp.yaml's cloud: section.
package cloud

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/opsmcp/opsmcp/internal/telemetry"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/cost"
)

// AWS opens AWS clients inside the allowlists.
type AWS struct {
	Policy config.CloudAWS
	// MaxBackoff caps the wait between retries (default the SDK's 20 s).
	MaxBackoff time.Duration
}

// Query selects where to read and how much.
type Query struct {
	Region  string
	Profile string
	// Limit is the page size; NextToken continues a previous page.
	Limit     int
	NextToken string
}

// maxAttempts: throttling and transient errors are retried with the SDK's
// exponential backoff, up to this many attempts in all.
const maxAttempts = 6

// Config loads the credential chain for a profile and region, after the
// allowlists agree.
func (a *AWS) Config(ctx context.Context, region, profile string) (aws.Config, error) {
	return a.load(ctx, region, profile, true)
}

// load is Config; checkRegion false is for the Price List API, which reads
// public prices of any region from us-east-1, not a region's resources.
func (a *AWS) load(ctx context.Context, region, profile string, checkRegion bool) (aws.Config, error) {
	if profile != "" && !slices.Contains(a.Policy.Profiles, profile) {
		if len(a.Policy.Profiles) == 0 {
			return aws.Config{}, fmt.Errorf("AWS profile %q is not allowed: cloud.aws.profiles in opsmcp.yaml is empty, so only the default credential chain may be used", profile)
		}
		return aws.Config{}, fmt.Errorf("AWS profile %q is not allowed (cloud.aws.profiles: %s)", profile, strings.Join(a.Policy.Profiles, ", "))
	}
	opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRetryer(func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = maxAttempts
			if a.MaxBackoff > 0 {
				o.MaxBackoff = a.MaxBackoff
			}
		})
	})}
	if profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(profile))
	}
	if region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	} else if len(a.Policy.Regions) > 0 {
		opts = append(opts, awsconfig.WithRegion(a.Policy.Regions[0]))
	}
	if a.Policy.Endpoint != "" {
		opts = append(opts, awsconfig.WithBaseEndpoint(a.Policy.Endpoint))
	}
	if telemetry.Enabled() {
		// The SDK's own transport, each request a span of the tool call.
		opts = append(opts, awsconfig.WithHTTPClient(&http.Client{Transport: telemetry.Transport(awshttp.NewBuildableClient().GetTransport())}))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, errors.New("no AWS region: pass region, set AWS_REGION, or list cloud.aws.regions in opsmcp.yaml")
	}
	if checkRegion && len(a.Policy.Regions) > 0 && !slices.Contains(a.Policy.Regions, cfg.Region) {
		return aws.Config{}, fmt.Errorf("AWS region %s is not allowed (cloud.aws.regions: %s)", cfg.Region, strings.Join(a.Policy.Regions, ", "))
	}
	return cfg, nil
}

// Explain turns SDK errors into one sentence that says what to do.
func Explain(err error, what string) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	msg := err.Error()
	switch {
	case strings.Contains(msg, "failed to retrieve credentials") || strings.Contains(msg, "no EC2 IMDS role found") ||
		strings.Contains(msg, "failed to refresh cached credentials"):
		return fmt.Errorf("%s: no AWS credentials: set AWS_PROFILE (listed in cloud.aws.profiles), AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or log in with aws sso login", what)
	case errors.As(err, &ae):
		switch code := ae.ErrorCode(); {
		case strings.Contains(code, "AccessDenied") || code == "UnauthorizedOperation" || code == "AuthorizationError" || code == "UnrecognizedClientException":
			return fmt.Errorf("%s: access denied by AWS (%s): %s", what, code, ae.ErrorMessage())
		case code == "ExpiredToken" || code == "ExpiredTokenException" || code == "InvalidClientTokenId":
			return fmt.Errorf("%s: the AWS credentials are expired or invalid (%s): refresh them (aws sso login)", what, code)
		case strings.Contains(code, "Throttl") || code == "RequestLimitExceeded" || code == "TooManyRequestsException" || code == "LimitExceededException":
			return fmt.Errorf("%s: AWS is still throttling after %d attempts with backoff (%s); try again later", what, maxAttempts, code)
		default:
			return fmt.Errorf("%s: %s: %s", what, code, ae.ErrorMessage())
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Identity is who the credentials are.
type Identity struct {
	Account string `json:"account"`
	ARN     string `json:"arn"`
	UserID  string `json:"user_id"`
	Region  string `json:"region"`
	Profile string `json:"profile,omitempty"`
}

// WhoAmI asks STS.
func (a *AWS) WhoAmI(ctx context.Context, q Query) (Identity, error) {
	cfg, err := a.Config(ctx, q.Region, q.Profile)
	if err != nil {
		return Identity{}, err
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, Explain(err, "sts:GetCallerIdentity")
	}
	return Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), UserID: aws.ToString(out.UserId), Region: cfg.Region, Profile: q.Profile}, nil
}

func limit(n, def, lo, hi int) int32 {
	if n <= 0 {
		n = def
	}
	return int32(min(max(n, lo), hi))
}

func token(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Instance is one EC2 instance, compactly.
type Instance struct {
	ID         string     `json:"id"`
	Name       string     `json:"name,omitempty"`
	Type       string     `json:"type"`
	State      string     `json:"state"`
	Zone       string     `json:"zone"`
	PrivateIP  string     `json:"private_ip,omitempty"`
	PublicIP   string     `json:"public_ip,omitempty"`
	LaunchedAt *time.Time `json:"launched_at,omitempty"`
}

// Instances lists EC2 instances; filters are EC2's (instance-state-name,
// instance-type, tag:Name...).
func (a *AWS) Instances(ctx context.Context, q Query, filters map[string][]string) ([]Instance, string, error) {
	cfg, err := a.Config(ctx, q.Region, q.Profile)
	if err != nil {
		return nil, "", err
	}
	in := &ec2.DescribeInstancesInput{MaxResults: aws.Int32(limit(q.Limit, 100, 5, 1000)), NextToken: token(q.NextToken)}
	names := make([]string, 0, len(filters))
	for k := range filters {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		in.Filters = append(in.Filters, ec2types.Filter{Name: aws.String(k), Values: filters[k]})
	}
	out, err := ec2.NewFromConfig(cfg).DescribeInstances(ctx, in)
	if err != nil {
		return nil, "", Explain(err, "ec2:DescribeInstances")
	}
	var list []Instance
	for _, r := range out.Reservations {
		for _, i := range r.Instances {
			inst := Instance{ID: aws.ToString(i.InstanceId), Type: string(i.InstanceType), PrivateIP: aws.ToString(i.PrivateIpAddress),
				PublicIP: aws.ToString(i.PublicIpAddress), LaunchedAt: i.LaunchTime}
			if i.State != nil {
				inst.State = string(i.State.Name)
			}
			if i.Placement != nil {
				inst.Zone = aws.ToString(i.Placement.AvailabilityZone)
			}
			for _, t := range i.Tags {
				if aws.ToString(t.Key) == "Name" {
					inst.Name = aws.ToString(t.Value)
				}
			}
			list = append(list, inst)
		}
	}
	return list, aws.ToString(out.NextToken), nil
}

// Bucket is one S3 bucket.
type Bucket struct {
	Name      string     `json:"name"`
	Region    string     `json:"region,omitempty"`
	CreatedAt *time.Time `json:"created_at,omitempty"`
}

// Buckets lists S3 buckets (all regions: S3's list is global).
func (a *AWS) Buckets(ctx context.Context, q Query) ([]Bucket, string, error) {
	cfg, err := a.Config(ctx, q.Region, q.Profile)
	if err != nil {
		return nil, "", err
	}
	out, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = a.Policy.Endpoint != "" }).
		ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(limit(q.Limit, 100, 1, 10000)), ContinuationToken: token(q.NextToken)})
	if err != nil {
		return nil, "", Explain(err, "s3:ListBuckets")
	}
	var list []Bucket
	for _, b := range out.Buckets {
		list = append(list, Bucket{Name: aws.ToString(b.Name), Region: aws.ToString(b.BucketRegion), CreatedAt: b.CreationDate})
	}
	return list, aws.ToString(out.ContinuationToken), nil
}

// Cluster is one EKS cluster.
type Cluster struct {
	Name     string `json:"name"`
	Version  string `json:"version,omitempty"`
	Status   string `json:"status,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
}

// Clusters lists EKS clusters with their version and status.
func (a *AWS) Clusters(ctx context.Context, q Query) ([]Cluster, string, error) {
	cfg, err := a.Config(ctx, q.Region, q.Profile)
	if err != nil {
		return nil, "", err
	}
	c := eks.NewFromConfig(cfg)
	out, err := c.ListClusters(ctx, &eks.ListClustersInput{MaxResults: aws.Int32(limit(q.Limit, 50, 1, 100)), NextToken: token(q.NextToken)})
	if err != nil {
		return nil, "", Explain(err, "eks:ListClusters")
	}
	var list []Cluster
	for _, name := range out.Clusters {
		cl := Cluster{Name: name}
		if d, err := c.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}); err == nil && d.Cluster != nil {
			cl.Version, cl.Status, cl.Endpoint = aws.ToString(d.Cluster.Version), string(d.Cluster.Status), aws.ToString(d.Cluster.Endpoint)
		}
		list = append(list, cl)
	}
	return list, aws.ToString(out.NextToken), nil
}

// Database is one RDS instance.
type Database struct {
	ID        string `json:"id"`
	Engine    string `json:"engine"`
	Version   string `json:"version,omitempty"`
	Class     string `json:"class"`
	Status    string `json:"status"`
	MultiAZ   bool   `json:"multi_az"`
	StorageGB int32  `json:"storage_gb"`
	Endpoint  string `json:"endpoint,omitempty"`
}

// Databases lists RDS instances.
func (a *AWS) Databases(ctx context.Context, q Query) ([]Database, string, error) {
	cfg, err := a.Config(ctx, q.Region, q.Profile)
	if err != nil {
		return nil, "", err
	}
	out, err := rds.NewFromConfig(cfg).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(limit(q.Limit, 100, 20, 100)), Marker: token(q.NextToken)})
	if err != nil {
		return nil, "", Explain(err, "rds:DescribeDBInstances")
	}
	var list []Database
	for _, d := range out.DBInstances {
		db := Database{ID: aws.ToString(d.DBInstanceIdentifier), Engine: aws.ToString(d.Engine), Version: aws.ToString(d.EngineVersion),
			Class: aws.ToString(d.DBInstanceClass), Status: aws.ToString(d.DBInstanceStatus), MultiAZ: aws.ToBool(d.MultiAZ), StorageGB: aws.ToInt32(d.AllocatedStorage)}
		if d.Endpoint != nil {
			db.Endpoint = fmt.Sprintf("%s:%d", aws.ToString(d.Endpoint.Address), aws.ToInt32(d.Endpoint.Port))
		}
		list = append(list, db)
	}
	return list, aws.ToString(out.Marker), nil
}

// Function is one Lambda function.
type Function struct {
	Name         string `json:"name"`
	Runtime      string `json:"runtime,omitempty"`
	MemoryMB     int32  `json:"memory_mb"`
	TimeoutS     int32  `json:"timeout_s"`
	Architecture string `json:"architecture,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// Functions lists Lambda functions.
func (a *AWS) Functions(ctx context.Context, q Query) ([]Function, string, error) {
	cfg, err := a.Config(ctx, q.Region, q.Profile)
	if err != nil {
		return nil, "", err
	}
	out, err := lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{MaxItems: aws.Int32(limit(q.Limit, 50, 1, 50)), Marker: token(q.NextToken)})
	if err != nil {
		return nil, "", Explain(err, "lambda:ListFunctions")
	}
	var list []Function
	for _, f := range out.Functions {
		fn := Function{Name: aws.ToString(f.FunctionName), Runtime: string(f.Runtime), MemoryMB: aws.ToInt32(f.MemorySize), TimeoutS: aws.ToInt32(f.Timeout), LastModified: aws.ToString(f.LastModified)}
		if len(f.Architectures) > 0 {
			fn.Architecture = string(f.Architectures[0])
		}
		list = append(list, fn)
	}
	return list, aws.ToString(out.NextMarker), nil
}

// SpendQuery is a Cost Explorer question.
type SpendQuery struct {
	Query
	// Start and End are dates (YYYY-MM-DD); End is exclusive.
	Start, End string
	// GroupBy is service, account, or tag:KEY.
	GroupBy     string
	Granularity string // MONTHLY (default) or DAILY
}

// SpendLine is the cost of one group in one period.
type SpendLine struct {
	Start  string `json:"start"`
	End    string `json:"end"`
	Group  string `json:"group"`
	Amount string `json:"amount"`
	Unit   string `json:"unit"`
}

// Spend is actual spend over a period.
type Spend struct {
	Start     string      `json:"start"`
	End       string      `json:"end"`
	GroupBy   string      `json:"group_by"`
	Lines     []SpendLine `json:"lines"`
	Estimated bool        `json:"estimated,omitempty"`
}

// CostAndUsage reads Cost Explorer's UnblendedCost, grouped.
func (a *AWS) CostAndUsage(ctx context.Context, q SpendQuery) (Spend, error) {
	for _, d := range []string{q.Start, q.End} {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return Spend{}, fmt.Errorf("date %q: want YYYY-MM-DD", d)
		}
	}
	if q.End <= q.Start {
		return Spend{}, fmt.Errorf("end %s must be after start %s (end is exclusive)", q.End, q.Start)
	}
	group := cetypes.GroupDefinition{Type: cetypes.GroupDefinitionTypeDimension}
	switch {
	case q.GroupBy == "" || q.GroupBy == "service":
		q.GroupBy, group.Key = "service", aws.String("SERVICE")
	case q.GroupBy == "account":
		group.Key = aws.String("LINKED_ACCOUNT")
	case strings.HasPrefix(q.GroupBy, "tag:") && len(q.GroupBy) > 4:
		group.Type, group.Key = cetypes.GroupDefinitionTypeTag, aws.String(strings.TrimPrefix(q.GroupBy, "tag:"))
	default:
		return Spend{}, fmt.Errorf("group_by %q is not one of service, account, tag:KEY", q.GroupBy)
	}
	gran := cetypes.GranularityMonthly
	if strings.EqualFold(q.Granularity, "daily") {
		gran = cetypes.GranularityDaily
	}
	// Cost Explorer lives in us-east-1 whatever the account's regions.
	cfg, err := a.Config(ctx, q.Region, q.Profile)
	if err != nil {
		return Spend{}, err
	}
	cfg.Region = "us-east-1"
	c := costexplorer.NewFromConfig(cfg)
	spend := Spend{Start: q.Start, End: q.End, GroupBy: q.GroupBy}
	var next *string
	for {
		out, err := c.GetCostAndUsage(ctx, &costexplorer.GetCostAndUsageInput{
			TimePeriod:  &cetypes.DateInterval{Start: aws.String(q.Start), End: aws.String(q.End)},
			Granularity: gran, Metrics: []string{"UnblendedCost"}, GroupBy: []cetypes.GroupDefinition{group}, NextPageToken: next,
		})
		if err != nil {
			return Spend{}, Explain(err, "ce:GetCostAndUsage")
		}
		for _, r := range out.ResultsByTime {
			start, end := "", ""
			if r.TimePeriod != nil {
				start, end = aws.ToString(r.TimePeriod.Start), aws.ToString(r.TimePeriod.End)
			}
			spend.Estimated = spend.Estimated || r.Estimated
			for _, g := range r.Groups {
				m := g.Metrics["UnblendedCost"]
				amount := aws.ToString(m.Amount)
				if d, err := cost.ParseDec(amount); err == nil {
					amount = d.Money()
				}
				spend.Lines = append(spend.Lines, SpendLine{Start: start, End: end, Group: strings.Join(g.Keys, ","), Amount: amount, Unit: aws.ToString(m.Unit)})
			}
		}
		if next = out.NextPageToken; next == nil || *next == "" {
			break
		}
	}
	return spend, nil
}
