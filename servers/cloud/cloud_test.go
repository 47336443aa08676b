package cloud_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	icloud "github.com/opsmcp/opsmcp/internal/cloud"
	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/cloud"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopSharedMoto()
	os.Exit(code)
}

// awsEnv serves the cloud tools against a fresh moto, with static test
// credentials and us-east-1 and eu-west-1 allowed.
func awsEnv(t *testing.T, edit ...func(*config.Config)) (*testenv.Host, *testenv.Moto, aws.Config) {
	t.Helper()
	moto := testenv.SharedMoto(t)
	moto.Reset(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	cfg := config.Default()
	cfg.Cloud.AWS = config.CloudAWS{Regions: []string{"us-east-1", "eu-west-1"}, Endpoint: moto.URL}
	for _, e := range edit {
		e(cfg)
	}
	awsCfg, err := (&icloud.AWS{Policy: cfg.Cloud.AWS}).Config(context.Background(), "us-east-1", "")
	if err != nil {
		t.Fatal(err)
	}
	return testenv.NewHost(t, cloud.New(), cfg), moto, awsCfg
}

func decode[T any](t *testing.T, v map[string]any) T {
	t.Helper()
	var out T
	b, _ := json.Marshal(v)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

type page[T any] struct {
	Region    string `json:"region"`
	Items     []T    `json:"items"`
	NextToken string `json:"next_token"`
}

// Inventory seeded into moto with the AWS SDK comes back through the
// tools: identity, instances (filtered and paged), buckets, EKS, RDS and
// Lambda; the allowlists refuse other regions and profiles.
func TestAWSInventoryAgainstMoto(t *testing.T) {
	h, moto, cfg := awsEnv(t)
	ctx := context.Background()
	ec := ec2.NewFromConfig(cfg)
	for i, typ := range []ec2types.InstanceType{"m5.large", "m5.large", "t3.micro", "t3.micro", "t3.micro", "c5.xlarge", "r5.large"} {
		_, err := ec.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), InstanceType: typ, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(fmt.Sprintf("web-%d", i))}}}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	for _, b := range []string{"assets", "logs"} {
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := eks.NewFromConfig(cfg).CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String("prod"), Version: aws.String("1.31"),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/eks"), ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-1"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := rds.NewFromConfig(cfg).CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("orders"), Engine: aws.String("postgres"),
		DBInstanceClass: aws.String("db.t3.micro"), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("secretpassword1"), MultiAZ: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	// Lambda needs an existing IAM role: created through moto's query API.
	form := url.Values{"Action": {"CreateRole"}, "Version": {"2010-05-08"}, "RoleName": {"fn"}, "AssumeRolePolicyDocument": {`{"Version":"2012-10-17","Statement":[]}`}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, moto.URL+"/", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	creds, _ := cfg.Credentials.Retrieve(ctx)
	sum := sha256.Sum256([]byte(form))
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("iam CreateRole: %v %v", err, resp)
	}
	resp.Body.Close()
	if _, err := lambda.NewFromConfig(cfg).CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("api"), Runtime: lambdatypes.RuntimePython312,
		Role: aws.String("arn:aws:iam::123456789012:role/fn"), Handler: aws.String("app.handler"), MemorySize: aws.Int32(512),
		Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, "app.py", "def handler(e, c):\n    return 1\n")}}); err != nil {
		t.Fatal(err)
	}

	id := h.MustOK(h.Call("aws_whoami", map[string]any{}))
	if id["account"] != "123456789012" || id["region"] != "us-east-1" {
		t.Errorf("whoami: %v", id)
	}
	all := decode[page[icloud.Instance]](t, h.MustOK(h.Call("aws_list_instances", map[string]any{})))
	if len(all.Items) != 7 || all.Region != "us-east-1" {
		t.Fatalf("instances: %+v", all)
	}
	small := decode[page[icloud.Instance]](t, h.MustOK(h.Call("aws_list_instances", map[string]any{"filters": map[string]any{"instance-type": []string{"t3.micro"}}})))
	if len(small.Items) != 3 || small.Items[0].Type != "t3.micro" || !strings.HasPrefix(small.Items[0].Name, "web-") || small.Items[0].State != "running" {
		t.Errorf("filtered: %+v", small)
	}
	first := decode[page[icloud.Instance]](t, h.MustOK(h.Call("aws_list_instances", map[string]any{"limit": 5})))
	if len(first.Items) != 5 || first.NextToken == "" {
		t.Fatalf("page 1: %+v", first)
	}
	second := decode[page[icloud.Instance]](t, h.MustOK(h.Call("aws_list_instances", map[string]any{"limit": 5, "next_token": first.NextToken})))
	if len(second.Items) != 2 || second.NextToken != "" {
		t.Errorf("page 2: %+v", second)
	}
	seen := map[string]bool{}
	for _, i := range append(first.Items, second.Items...) {
		seen[i.ID] = true
	}
	if len(seen) != 7 {
		t.Errorf("pages overlap: %d distinct", len(seen))
	}
	if eu := decode[page[icloud.Instance]](t, h.MustOK(h.Call("aws_list_instances", map[string]any{"region": "eu-west-1"}))); len(eu.Items) != 0 {
		t.Errorf("eu-west-1: %+v", eu)
	}
	buckets := decode[page[icloud.Bucket]](t, h.MustOK(h.Call("aws_list_buckets", map[string]any{})))
	if len(buckets.Items) != 2 || buckets.Items[0].Name != "assets" {
		t.Errorf("buckets: %+v", buckets)
	}
	clusters := decode[page[icloud.Cluster]](t, h.MustOK(h.Call("aws_list_clusters", map[string]any{})))
	if len(clusters.Items) != 1 || clusters.Items[0].Name != "prod" || clusters.Items[0].Version != "1.31" {
		t.Errorf("clusters: %+v", clusters)
	}
	dbs := decode[page[icloud.Database]](t, h.MustOK(h.Call("aws_list_databases", map[string]any{})))
	if len(dbs.Items) != 1 || dbs.Items[0].Engine != "postgres" || !dbs.Items[0].MultiAZ || dbs.Items[0].StorageGB != 20 {
		t.Errorf("databases: %+v", dbs)
	}
	fns := decode[page[icloud.Function]](t, h.MustOK(h.Call("aws_list_functions", map[string]any{})))
	if len(fns.Items) != 1 || fns.Items[0].Name != "api" || fns.Items[0].MemoryMB != 512 {
		t.Errorf("functions: %+v", fns)
	}
	// The master password given to RDS appears nowhere.
	if out := h.Call("aws_list_databases", map[string]any{}); strings.Contains(string(out.Structured)+out.Text, "secretpassword1") {
		t.Error("a password leaked")
	}

	for args, want := range map[string]string{
		`{"region":"ap-south-1"}`:  "AWS region ap-south-1 is not allowed (cloud.aws.regions: us-east-1, eu-west-1)",
		`{"profile":"prod-admin"}`: `AWS profile "prod-admin" is not allowed`,
	} {
		var a map[string]any
		json.Unmarshal([]byte(args), &a)
		h.MustFail(h.Call("aws_list_instances", a), want)
	}
}

// Cost Explorer results queued in moto come back grouped and rounded to cents.
func TestAWSCostAndUsage(t *testing.T) {
	h, moto, _ := awsEnv(t)
	queue := map[string]any{"results": []any{map[string]any{"ResultsByTime": []any{
		map[string]any{"TimePeriod": map[string]any{"Start": "2026-10-01", "End": "2026-11-01"}, "Estimated": false, "Total": map[string]any{},
			"Groups": []any{
				map[string]any{"Keys": []string{"Amazon Elastic Compute Cloud - Compute"}, "Metrics": map[string]any{"UnblendedCost": map[string]any{"Amount": "1234.5678", "Unit": "USD"}}},
				map[string]any{"Keys": []string{"Amazon Simple Storage Service"}, "Metrics": map[string]any{"UnblendedCost": map[string]any{"Amount": "20.004", "Unit": "USD"}}},
			}},
	}}}}
	body, _ := json.Marshal(queue)
	resp, err := http.Post(moto.URL+"/moto-api/static/ce/cost-and-usage-results", "application/json", bytes.NewReader(body))
	if err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("seeding Cost Explorer: %v %v", err, resp)
	}
	resp.Body.Close()
	res := decode[icloud.Spend](t, h.MustOK(h.Call("aws_cost_and_usage", map[string]any{"start": "2026-10-01", "end": "2026-11-01"})))
	if res.GroupBy != "service" || len(res.Lines) != 2 || res.Lines[0].Amount != "1234.57" || res.Lines[1].Amount != "20.00" || res.Lines[0].Group != "Amazon Elastic Compute Cloud - Compute" {
		t.Fatalf("spend: %+v", res)
	}
	for args, want := range map[string]string{
		`{"start":"2026-11-01","end":"2026-10-01"}`:                     "must be after start",
		`{"start":"yesterday","end":"2026-10-01"}`:                      `date "yesterday": want YYYY-MM-DD`,
		`{"start":"2026-10-01","end":"2026-11-01","group_by":"colour"}`: "group_by \"colour\" is not one of service, account, tag:KEY",
	} {
		var a map[string]any
		json.Unmarshal([]byte(args), &a)
		h.MustFail(h.Call("aws_cost_and_usage", a), want)
	}
}

// gather_context: identity, counts per allowed region and month-to-date
// spend from moto; a GCP project that cannot be read is reported, and the
// rest is still there.
func TestGatherContext(t *testing.T) {
	// A GCP project whose API does not answer.
	h, moto, cfg := awsEnv(t, func(c *config.Config) {
		c.Cloud.GCP = config.CloudGCP{Projects: []string{"demo"}, Endpoints: map[string]string{"compute": "http://127.0.0.1:1/compute/v1/", "storage": "http://127.0.0.1:1/storage/v1/"}}
	})
	ctx := context.Background()
	for range 3 {
		if _, err := ec2.NewFromConfig(cfg).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), InstanceType: "t3.micro", MinCount: aws.Int32(1), MaxCount: aws.Int32(1)}); err != nil {
			t.Fatal(err)
		}
	}
	eu := cfg.Copy()
	eu.Region = "eu-west-1"
	if _, err := ec2.NewFromConfig(eu).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), InstanceType: "t3.micro", MinCount: aws.Int32(1), MaxCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	body := `{"results":[{"ResultsByTime":[{"TimePeriod":{"Start":"2026-11-01","End":"2026-11-23"},"Estimated":true,"Total":{},"Groups":[
		{"Keys":["Amazon Elastic Compute Cloud - Compute"],"Metrics":{"UnblendedCost":{"Amount":"100.005","Unit":"USD"}}},
		{"Keys":["AWS Lambda"],"Metrics":{"UnblendedCost":{"Amount":"0.994","Unit":"USD"}}}]}]}]}`
	resp, err := http.Post(moto.URL+"/moto-api/static/ce/cost-and-usage-results", "application/json", strings.NewReader(body))
	if err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("seeding Cost Explorer: %v", err)
	}
	resp.Body.Close()
	res := decode[cloud.CloudContext](t, h.MustOK(h.Call("gather_context", map[string]any{})))
	a := res.AWS
	if a == nil || a.Identity == nil || a.Identity.Account != "123456789012" || a.Counts["us-east-1"]["instances"] != 3 || a.Counts["eu-west-1"]["instances"] != 1 ||
		a.Counts["us-east-1"]["clusters"] != 0 || a.MonthToDate != "101.00" {
		t.Fatalf("aws: %+v", a)
	}
	if len(res.GCP) != 1 || len(res.Errors) != 2 || !strings.Contains(res.Errors[0], "gcp buckets in demo") || !strings.Contains(res.Errors[1], "gcp instances in demo") {
		t.Errorf("gcp: %+v errors %q", res.GCP, res.Errors)
	}
}
