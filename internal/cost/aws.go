package cost

import (
	"fmt"
	"strings"
)

// AWS resource types and how each is priced. A type that costs nothing
// by itself is in freeTypes; one that is neither is reported unsupported.

var million = Int(1_000_000)
var thousand = Int(1_000)

func init() {
	for t, m := range map[string]mapper{
		"aws_instance":                           awsInstance,
		"aws_ec2_host":                           awsEC2Host,
		"aws_ebs_volume":                         awsEBSVolume,
		"aws_ebs_snapshot":                       awsEBSSnapshot,
		"aws_db_instance":                        awsDBInstance,
		"aws_rds_cluster":                        awsRDSCluster,
		"aws_rds_cluster_instance":               awsRDSClusterInstance,
		"aws_nat_gateway":                        awsNATGateway,
		"aws_lb":                                 awsLB,
		"aws_alb":                                awsLB,
		"aws_elb":                                awsClassicLB,
		"aws_eks_cluster":                        awsEKSCluster,
		"aws_eks_node_group":                     awsEKSNodeGroup,
		"aws_autoscaling_group":                  awsAutoscalingGroup,
		"aws_ecs_service":                        awsECSService,
		"aws_eks_fargate_profile":                awsFargateProfile,
		"aws_s3_bucket":                          awsS3Bucket,
		"aws_lambda_function":                    awsLambda,
		"aws_cloudwatch_log_group":               awsLogGroup,
		"aws_cloudwatch_metric_alarm":            awsMetricAlarm,
		"aws_cloudwatch_dashboard":               fixedMonthly("Dashboard", "cloudwatch", "dashboard"),
		"aws_eip":                                awsEIP,
		"aws_route53_zone":                       awsRoute53Zone,
		"aws_elasticache_cluster":                awsElastiCacheCluster,
		"aws_elasticache_replication_group":      awsElastiCacheReplicationGroup,
		"aws_dynamodb_table":                     awsDynamoDB,
		"aws_kms_key":                            awsKMSKey,
		"aws_secretsmanager_secret":              awsSecret,
		"aws_sqs_queue":                          awsSQS,
		"aws_sns_topic":                          awsSNS,
		"aws_ecr_repository":                     usageOnly("Storage", "ecr", "storage", "storage_gb", Int(1), "GB"),
		"aws_efs_file_system":                    awsEFS,
		"aws_vpc_endpoint":                       awsVPCEndpoint,
		"aws_api_gateway_rest_api":               awsRESTAPI,
		"aws_apigatewayv2_api":                   awsHTTPAPI,
		"aws_kinesis_stream":                     awsKinesisStream,
		"aws_vpn_connection":                     hourlyOnly("VPN connection", "vpn", "hour"),
		"aws_ec2_transit_gateway_vpc_attachment": awsTGWAttachment,
		"aws_sfn_state_machine":                  awsStateMachine,
		"aws_wafv2_web_acl":                      awsWebACL,
		"aws_transfer_server":                    awsTransferServer,
		"aws_opensearch_domain":                  awsOpenSearchDomain,
		"aws_elasticsearch_domain":               awsOpenSearchDomain,
		"aws_redshift_cluster":                   awsRedshiftCluster,
	} {
		mappers[t] = m
	}
	for _, t := range strings.Fields(`aws_vpc aws_subnet aws_security_group aws_security_group_rule
		aws_vpc_security_group_ingress_rule aws_vpc_security_group_egress_rule aws_internet_gateway
		aws_egress_only_internet_gateway aws_route_table aws_route aws_route_table_association
		aws_main_route_table_association aws_default_route_table aws_default_security_group aws_default_vpc
		aws_network_acl aws_network_acl_rule aws_iam_role aws_iam_policy aws_iam_role_policy
		aws_iam_role_policy_attachment aws_iam_instance_profile aws_iam_user aws_iam_user_policy aws_iam_group
		aws_iam_policy_attachment aws_iam_openid_connect_provider aws_iam_service_linked_role
		aws_s3_bucket_policy aws_s3_bucket_versioning aws_s3_bucket_public_access_block
		aws_s3_bucket_server_side_encryption_configuration aws_s3_bucket_acl aws_s3_bucket_ownership_controls
		aws_s3_bucket_lifecycle_configuration aws_lb_listener aws_lb_listener_rule aws_lb_target_group
		aws_lb_target_group_attachment aws_alb_listener aws_alb_target_group aws_db_subnet_group
		aws_db_parameter_group aws_rds_cluster_parameter_group aws_elasticache_subnet_group aws_key_pair
		aws_launch_template aws_launch_configuration aws_placement_group aws_eks_addon aws_ecs_cluster
		aws_ecs_task_definition aws_cloudwatch_log_stream aws_kms_alias aws_acm_certificate
		aws_acm_certificate_validation aws_route53_record aws_sns_topic_subscription aws_sqs_queue_policy
		aws_lambda_permission aws_vpc_endpoint_route_table_association aws_eip_association aws_volume_attachment
		aws_cloudwatch_event_target aws_lambda_event_source_mapping aws_api_gateway_resource
		aws_api_gateway_method aws_api_gateway_integration aws_api_gateway_deployment aws_api_gateway_stage
		aws_apigatewayv2_stage aws_apigatewayv2_route aws_apigatewayv2_integration aws_ecr_lifecycle_policy
		aws_ecr_repository_policy aws_secretsmanager_secret_version aws_kms_key_policy aws_appautoscaling_target
		aws_appautoscaling_policy`) {
		freeTypes[t] = true
	}
}

// fixedMonthly is one unit per month of each resource (a key, a zone).
func fixedMonthly(name, service, item string) mapper {
	return func(c *costing) { c.monthly(name, c.key("aws", service, item), Int(1)) }
}

// hourlyOnly is one unit per hour of each resource.
func hourlyOnly(name, service, item string) mapper {
	return func(c *costing) { c.hourly(name, c.key("aws", service, item), Int(1)) }
}

// usageOnly is a resource whose whole cost is one usage quantity.
func usageOnly(name, service, item, usageKey string, per Dec, what string) mapper {
	return func(c *costing) { c.usage(name, c.key("aws", service, item), usageKey, per, what) }
}

func awsNATGateway(c *costing) {
	c.hourly("NAT gateway", c.key("aws", "nat", "hour"), Int(1))
	c.usage("Data processed", c.key("aws", "nat", "gb"), "monthly_data_processed_gb", Int(1), "GB")
}

// usageHourly prices an hourly average given in usage (LCUs, vCPUs).
func (c *costing) usageHourly(name, key, usageKey, what string) {
	v, given, ok := c.usageNumber(usageKey, what+" on average")
	if !ok {
		return
	}
	assumption := fmt.Sprintf("%s %s on average (usage %s)", v, what, usageKey)
	if !given {
		assumption = fmt.Sprintf("no usage given: 0 %s assumed; set usage %s.%s", what, c.r.Address, usageKey)
	}
	c.add(name, key, v.Mul(c.e.hours).Mul(c.count), true, assumption)
}
