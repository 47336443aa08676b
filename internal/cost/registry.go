package cost

import (
	"fmt"
	"sort"
	"strings"
)

// mappers price the supported resource types (aws.go, gcp.go); freeTypes
// cost nothing by themselves. Anything else is reported unsupported.
var (
	mappers   = map[string]mapper{}
	freeTypes = map[string]bool{}
	// globalTypes are priced the same everywhere: they need no region.
	globalTypes = map[string]bool{"aws_route53_zone": true, "google_dns_managed_zone": true, "google_pubsub_topic": true,
		"google_secret_manager_secret": true, "google_kms_crypto_key": true}
)

func init() {
	for _, t := range strings.Fields(`terraform_data null_resource random_id random_password random_string
		random_pet random_integer random_uuid random_shuffle tls_private_key tls_self_signed_cert
		tls_cert_request local_file local_sensitive_file time_sleep time_static time_rotating`) {
		freeTypes[t] = true
	}
	mappers[kubeType] = kubeWorkload
}

// SupportedTypes lists every resource type the estimator knows: priced
// ones and free ones.
func SupportedTypes() (priced, free []string) {
	for t := range mappers {
		priced = append(priced, t)
	}
	for t := range freeTypes {
		free = append(free, t)
	}
	sort.Strings(priced)
	sort.Strings(free)
	return priced, free
}

// dataOut records a resource's internet egress (usage
// monthly_data_transfer_out_gb): it is priced per provider and region in
// aggregate, because the tiers and the free allowance are per account.
func (c *costing) dataOut(provider string) {
	v, given, ok := c.usageNumber("monthly_data_transfer_out_gb", "GB sent to the internet per month")
	if !c.e.opts.IncludeDataTransfer || !ok || !given || v.IsZero() {
		return
	}
	k := provider + "/" + c.r.Region
	if c.e.egress == nil {
		c.e.egress = map[string]Dec{}
	}
	c.e.egress[k] = c.e.egress[k].Add(v.Mul(c.count).Mul(c.months()))
	c.note("%s GB/month out to the internet priced in %s_data_transfer_out.%s", v, provider, c.r.Region)
}

// egressTiers: the GB upper bound of each tier (0 = no bound), after the
// free allowance.
var egressTiers = map[string]struct {
	free  Dec
	tiers []Dec
}{
	"aws": {Int(100), []Dec{Int(10 * 1024), Int(40 * 1024), Int(100 * 1024), {}}},
	"gcp": {Int(0), []Dec{Int(1024), Int(9 * 1024), {}}},
}

// egress prices the aggregated internet egress, one resource per provider
// and region.
func (e *engine) egressResources() []ResourceCost {
	keys := make([]string, 0, len(e.egress))
	for k := range e.egress {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []ResourceCost
	for _, k := range keys {
		provider, region, _ := strings.Cut(k, "/")
		gb := e.egress[k]
		r := &Resource{Address: provider + "_data_transfer_out." + region, Type: provider + "_data_transfer_out", Region: region, Count: 1}
		c := &costing{e: e, r: r, count: Int(1)}
		t := egressTiers[provider]
		left := gb.Sub(t.free)
		if t.free.Sign() > 0 {
			c.note("the first %s GB a month are free (per account, all regions)", t.free)
		}
		for i, size := range t.tiers {
			if left.Sign() <= 0 {
				break
			}
			q := left
			if !size.IsZero() {
				q = left.Min(size)
			}
			c.add(fmt.Sprintf("Data transfer out, tier %d", i+1), fmt.Sprintf("%s/%s/%s/tier%d", provider, map[string]string{"aws": "dto", "gcp": "egress"}[provider], region, i+1), q, true,
				fmt.Sprintf("%s GB a month in all (usage monthly_data_transfer_out_gb)", gb))
			left = left.Sub(q)
		}
		rc := ResourceCost{Address: r.Address, Type: r.Type, Region: region, Count: 1, Components: c.comps, Notes: c.notes}
		if rc.Components == nil {
			rc.Components = []Component{}
		}
		for _, comp := range rc.Components {
			rc.monthly = rc.monthly.Add(comp.monthly)
		}
		out = append(out, rc)
	}
	return out
}

// services name the service a resource type bills under, by type prefix
// (longest first wins).
var services = map[string]string{
	"aws_instance": "EC2", "aws_ec2_host": "EC2", "aws_ebs": "EBS", "aws_eip": "EC2", "aws_db_": "RDS", "aws_rds_": "RDS", "aws_nat_gateway": "VPC",
	"aws_vpc_endpoint": "VPC", "aws_lb": "Elastic Load Balancing", "aws_alb": "Elastic Load Balancing", "aws_elb": "Elastic Load Balancing",
	"aws_eks_": "EKS", "aws_s3_": "S3", "aws_lambda_": "Lambda", "aws_cloudwatch_": "CloudWatch", "aws_route53_": "Route 53",
	"aws_elasticache_": "ElastiCache", "aws_dynamodb_": "DynamoDB", "aws_kms_": "KMS", "aws_secretsmanager_": "Secrets Manager",
	"aws_sqs_": "SQS", "aws_sns_": "SNS", "aws_ecr_": "ECR", "aws_efs_": "EFS", "aws_api_gateway": "API Gateway", "aws_apigatewayv2": "API Gateway",
	"aws_kinesis_": "Kinesis", "aws_vpn_": "VPN", "aws_ec2_transit_gateway": "Transit Gateway", "aws_sfn_": "Step Functions",
	"aws_wafv2_": "WAF", "aws_transfer_": "Transfer Family", "aws_data_transfer_out": "Data transfer",
	"google_compute_instance": "Compute Engine", "google_compute_disk": "Compute Engine", "google_container_": "GKE",
	"google_sql_": "Cloud SQL", "google_storage_": "Cloud Storage", "google_compute_router_nat": "Cloud NAT",
	"google_compute_forwarding_rule": "Cloud Load Balancing", "google_compute_global_forwarding_rule": "Cloud Load Balancing",
	"google_compute_address": "Compute Engine", "google_compute_global_address": "Compute Engine", "google_dns_": "Cloud DNS",
	"google_cloud_run": "Cloud Run", "google_redis_": "Memorystore", "google_pubsub_": "Pub/Sub", "google_secret_manager_": "Secret Manager",
	"google_kms_": "Cloud KMS", "google_cloudfunctions_": "Cloud Functions", "gcp_data_transfer_out": "Data transfer",
	kubeType: "Kubernetes workloads",
}

// ServiceOf is the service a resource type bills under ("EC2", "Cloud SQL").
func ServiceOf(typ string) string {
	best := ""
	for prefix := range services {
		if strings.HasPrefix(typ, prefix) && len(prefix) > len(best) {
			best = prefix
		}
	}
	if best == "" {
		return typ
	}
	return services[best]
}
