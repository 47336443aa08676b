package cost

import (
	"encoding/json"
	"slices"
	"testing"
)

// typeCase is one resource of one type, its usage, and its monthly cost
// worked by hand from the catalog's unit prices (the comment shows how).
type typeCase struct {
	typ, region string
	attrs       string // JSON
	usage       string // JSON
	count       int
	want        string
	with        string // JSON: resources it takes values from
}

// liveOnly are types whose prices no public list here confirms, so the
// embedded catalog leaves them out: they are priced from a refreshed cache
// or a live lookup, worked by hand in their own tests (TestEC2DedicatedHost).
var liveOnly = map[string]bool{"aws_ec2_host": true}

var typeCases = []typeCase{
	// 1M requests of 500 ms, 4 at once: 125,000 s × (2 vCPU × 0.000024 + 1 GiB × 0.0000025) = 6.3125; 1M × 0.40/M
	{typ: "google_cloud_run_v2_service", region: "-", attrs: `{"location":"us-central1","template":[{"containers":[{"resources":[{"limits":{"cpu":"2","memory":"1Gi"}}]}]}]}`,
		usage: `{"monthly_requests":1000000,"average_request_duration_ms":500,"concurrent_requests_per_instance":4}`, want: "6.71"},
	// CPU always allocated, 2 minimum instances all month: 2 × 730 × 3,600 s × (1 vCPU × 0.000018 + 0.5 GiB × 0.000002)
	{typ: "google_cloud_run_service", region: "-", attrs: `{"location":"us-central1","template":[{"metadata":[{"annotations":{"run.googleapis.com/cpu-throttling":"false","autoscaling.knative.dev/minScale":"2"}}]}]}`, want: "99.86"},
	// v2 with cpu_idle false and usage: 100 instance-hours × 3,600 × (2 × 0.000018 + 1 × 0.000002)
	{typ: "google_cloud_run_v2_service", region: "-", attrs: `{"location":"us-central1","template":[{"containers":[{"resources":[{"cpu_idle":false,"limits":{"cpu":"2","memory":"1Gi"}}]}]}]}`,
		usage: `{"instance_hrs":100}`, want: "13.68"},
	// the archive tier: 200 GB × 0.0125
	{typ: "aws_ebs_snapshot", attrs: `{"storage_tier":"archive"}`, usage: `{"monthly_storage_gb":200}`, want: "2.50"},
	// I/O-Optimized: 100 GB × 0.225, no I/O charge
	{typ: "aws_rds_cluster", attrs: `{"engine":"aurora-postgresql","storage_type":"aurora-iopt1"}`, usage: `{"storage_gb":100,"monthly_io_requests":10000000}`, want: "22.50"},
	// an instance of an I/O-Optimized cluster: 730 × 0.26 × 1.3
	{typ: "aws_rds_cluster_instance", attrs: `{"engine":"aurora-postgresql","instance_class":"db.r6g.large","cluster_identifier":"main"}`,
		with: `[{"address":"aws_rds_cluster.main","type":"aws_rds_cluster","region":"us-east-1","attributes":{"cluster_identifier":"main","engine":"aurora-postgresql","storage_type":"aurora-iopt1"}}]`, want: "246.74"},
	// 2 AZs × 730 × 0.01 = 14.60; 7,000,000 GB: 1,048,576 × 0.01 + 4,194,304 × 0.006 +
	// 1,757,120 × 0.004 = 10,485.76 + 25,165.824 + 7,028.48
	{typ: "aws_vpc_endpoint", attrs: `{"vpc_endpoint_type":"Interface","subnet_ids":["a","b"]}`, usage: `{"monthly_data_processed_gb":7000000}`, want: "42694.66"},
	// 730 × 0.01 + 1,000 GB × 0.0035
	{typ: "aws_vpc_endpoint", attrs: `{"vpc_endpoint_type":"GatewayLoadBalancer"}`, usage: `{"monthly_data_processed_gb":1000}`, want: "10.80"},
	// 1 + 1M requests × 0.15 per 10k (RSA 3072 is asymmetric)
	{typ: "aws_kms_key", attrs: `{"customer_master_key_spec":"RSA_3072"}`, usage: `{"monthly_requests":1000000}`, want: "16.00"},
	// 1 + 1M requests × 0.03 per 10k
	{typ: "aws_kms_key", attrs: `{"customer_master_key_spec":"RSA_2048"}`, usage: `{"monthly_requests":1000000}`, want: "4.00"},
	// 0.40 + 100k API calls × 0.05 per 10k
	{typ: "aws_secretsmanager_secret", usage: `{"monthly_requests":100000}`, want: "0.90"},
	// two metrics of a metric_query (the expression is free) × 0.10
	{typ: "aws_cloudwatch_metric_alarm", attrs: `{"metric_query":[{"id":"e1","expression":"m2/m1*100"},{"id":"m1","metric":[{"metric_name":"RequestCount","period":120}]},{"id":"m2","metric":[{"metric_name":"HTTPCode_ELB_5XX_Count","period":120}]}]}`, want: "0.20"},
	// read every 10 s: high resolution, 0.30
	{typ: "aws_cloudwatch_metric_alarm", attrs: `{"metric_name":"CPUUtilization","period":10}`, want: "0.30"},
	// an anomaly band on a 30 s metric: 3 high-resolution metrics × 0.30
	{typ: "aws_cloudwatch_metric_alarm", attrs: `{"metric_query":[{"id":"e1","expression":"ANOMALY_DETECTION_BAND(m1)"},{"id":"m1","metric":[{"metric_name":"CPUUtilization","period":30}]}]}`, want: "0.90"},
	// 3 × e2-standard-2: 3 × 730 × (2 × 0.021811 + 8 × 0.002923) = 146.74314; each
	// a 20 GB pd-balanced boot disk: 3 × 20 × 0.10 = 6
	{typ: "google_compute_instance_group_manager", region: "us-central1", attrs: `{"target_size":3,"version":[{"instance_template":"https://www.googleapis.com/compute/v1/projects/p/global/instanceTemplates/web"}]}`,
		with: `[{"address":"google_compute_instance_template.web","type":"google_compute_instance_template","region":"us-central1","attributes":{"name":"web","machine_type":"e2-standard-2","disk":[{"boot":true,"disk_size_gb":20,"disk_type":"pd-balanced"}]}}]`, want: "152.74"},
	// regional, 2 instances with a 10 GB pd-standard disk (the defaults): 97.82876 + 2 × 10 × 0.04
	{typ: "google_compute_region_instance_group_manager", region: "us-central1", attrs: `{"target_size":2,"version":[{"instance_template":"api"}]}`,
		with: `[{"address":"google_compute_instance_template.api","type":"google_compute_instance_template","region":"us-central1","attributes":{"name":"api","machine_type":"e2-standard-2","disk":[{"boot":true}]}}]`, want: "98.63"},
	// Standard, 50 GB: capacity tier M4, 730 × 50 × 0.035
	{typ: "google_redis_instance", region: "us-central1", attrs: `{"tier":"STANDARD_HA","memory_size_gb":50}`, want: "1277.50"},
	// Basic, 5 GB: tier M2, 730 × 5 × 0.027
	{typ: "google_redis_instance", region: "us-central1", attrs: `{"memory_size_gb":5}`, want: "98.55"},
	// 2 × 730 × 0.186 = 271.56; io1 on each data node: 2 × 1,000 GB × 0.169 = 338 and
	// 2 × 1,000 IOPS × 0.088 = 176
	{typ: "aws_opensearch_domain", attrs: `{"cluster_config":[{"instance_type":"r5.large.search","instance_count":2}],"ebs_options":[{"ebs_enabled":true,"volume_type":"io1","volume_size":1000,"iops":1000}]}`, want: "785.56"},
	// 4 × 730 × 0.25 = 730; 4,321 s of scaling on 4 nodes × 0.25 / 3,600 = 1.200278;
	// 0.5 TB × 5 = 2.50; backups 612,000 GB: 51,200 × 0.023 + 460,800 × 0.022 +
	// 100,000 × 0.021 = 1,177.60 + 10,137.60 + 2,100
	{typ: "aws_redshift_cluster", attrs: `{"node_type":"dc2.large","number_of_nodes":4}`,
		usage: `{"excess_concurrency_scaling_secs":4321,"spectrum_data_scanned_tb":0.5,"backup_storage_gb":612000}`, want: "14148.90"},
	// Express: 100M requests × 1.00/M = 100; 100M runs of 1 s (950 ms rounded up) at
	// 1 GB (1,000 MB rounded up to 1,024) = 100M GB-seconds = 27,777.78 GB-hours:
	// 1,000 × 0.060012 + 4,000 × 0.029988 + 22,777.78 × 0.016416 = 60.012 + 119.952 + 373.92
	{typ: "aws_sfn_state_machine", attrs: `{"type":"EXPRESS"}`, usage: `{"monthly_requests":100000000,"workflow_duration_ms":950,"memory_mb":1000}`, want: "653.88"},
	// Fargate on Arm: 2 tasks × 730 × (0.5 vCPU × 0.03238 + 1 GB × 0.00356)
	// = 23.6374 + 5.1976; 10 GB of ephemeral storage beyond 20: 2 × 730 × 10 × 0.000111 = 1.6206
	{typ: "aws_ecs_service", attrs: `{"launch_type":"FARGATE","desired_count":2,"task_definition":"web:4"}`,
		with: `[{"address":"aws_ecs_task_definition.web","type":"aws_ecs_task_definition","region":"us-east-1","attributes":{"family":"web","cpu":"512","memory":"1024","runtime_platform":[{"cpu_architecture":"ARM64","operating_system_family":"LINUX"}],"ephemeral_storage":[{"size_in_gib":30}]}}]`, want: "30.46"},
	// x86 by ARN, sizes in words: 3 × 730 × (1 × 0.04048 + 2 × 0.004445) = 88.6512 + 19.4691
	{typ: "aws_ecs_service", attrs: `{"capacity_provider_strategy":[{"capacity_provider":"FARGATE","weight":1}],"desired_count":3,"task_definition":"arn:aws:ecs:us-east-1:123456789012:task-definition/api:7"}`,
		with: `[{"address":"aws_ecs_task_definition.api","type":"aws_ecs_task_definition","region":"us-east-1","attributes":{"family":"api","cpu":"1 vCPU","memory":"2 GB"}}]`, want: "108.12"},
	// on demand: 730 × 0.04 = 29.20; 0.2 GB in × 0.08 = 0.016; 0.2 GB out × 0.04 = 0.008;
	// 2 GB to enhanced fan-out × 0.05 = 0.10; 1 GB kept 1–7 days × 0.10; 1 GB beyond × 0.023
	{typ: "aws_kinesis_stream", attrs: `{"stream_mode_details":[{"stream_mode":"ON_DEMAND"}]}`,
		usage: `{"monthly_on_demand_data_in_gb":0.2,"monthly_on_demand_data_out_gb":0.2,"monthly_on_demand_efo_data_out_gb":2,"monthly_on_demand_extended_retention_gb":1,"monthly_on_demand_long_term_retention_gb":1}`, want: "29.45"},
	// FIFO: 1M requests of 128 KB, billed in 64 KB chunks = 2M × 0.50
	{typ: "aws_sqs_queue", attrs: `{"fifo_queue":true}`, usage: `{"monthly_requests":1000000,"request_size_kb":128}`, want: "1.00"},
	// multi-region EU Standard: 150 GB × 0.026 = 3.90; 40k class A × 0.005/1k = 0.20;
	// 20k class B × 0.0004/1k = 0.008; egress within the continent 550 × 0.02 = 11;
	// worldwide 12,500 GB: 1,024 × 0.12 + 9,216 × 0.11 + 2,260 × 0.08 = 1,317.44;
	// Asia 1,500: 1,024 × 0.12 + 476 × 0.11 = 175.24; China 50 × 0.23 = 11.50;
	// Australia 250 × 0.19 = 47.50
	{typ: "google_storage_bucket", region: "us-central1", attrs: `{"location":"EU"}`,
		usage: `{"storage_gb":150,"monthly_class_a_operations":40000,"monthly_class_b_operations":20000,"monthly_egress_data_transfer_gb":{"same_continent":550,"worldwide":12500,"asia":1500,"china":50,"australia":250}}`, want: "1566.79"},
	// Coldline in us-central1: 150 GB × 0.004 = 0.60; 250 GB retrieved × 0.02 = 5
	{typ: "google_storage_bucket", region: "us-central1", attrs: `{"location":"US-CENTRAL1","storage_class":"COLDLINE"}`,
		usage: `{"storage_gb":150,"monthly_data_retrieval_gb":250}`, want: "5.60"},
	// 730 × 0.0104 + 8 GB gp2 (assumed) × 0.10 = 7.592 + 0.80
	{typ: "aws_instance", attrs: `{"instance_type":"t3.micro"}`, want: "8.39"},
	// 3 × (730 × 0.096 + 20 × 0.08) = 210.24 + 4.80
	{typ: "aws_instance", count: 3, attrs: `{"instance_type":"m5.large","root_block_device":[{"volume_type":"gp3","volume_size":20}]}`, want: "215.04"},
	// 100 GB × 0.125 + 1,000 IOPS × 0.065
	{typ: "aws_ebs_volume", attrs: `{"type":"io1","size":100,"iops":1000}`, want: "77.50"},
	// magnetic: 20 GB × 0.05 + 1M I/O requests × 0.05 per million
	{typ: "aws_ebs_volume", attrs: `{"type":"standard","size":20}`, usage: `{"monthly_standard_io_requests":1000000}`, want: "1.05"},
	// 200 GB × 0.05
	{typ: "aws_ebs_snapshot", usage: `{"monthly_storage_gb":200}`, want: "10.00"},
	// 730 × 0.017 + 20 GB gp2 × 0.115 = 12.41 + 2.30
	{typ: "aws_db_instance", attrs: `{"engine":"mysql","instance_class":"db.t3.micro","allocated_storage":20}`, want: "14.71"},
	// 730 × 0.017 + 20 GB gp2 × 0.115 + 1,000 GB of backups beyond the free allowance × 0.095
	{typ: "aws_db_instance", attrs: `{"engine":"mysql","instance_class":"db.t3.micro","allocated_storage":20}`, usage: `{"additional_backup_storage_gb":1000}`, want: "109.71"},
	// 100 GB × 0.10 + 10 M I/O × 0.20
	{typ: "aws_rds_cluster", attrs: `{"engine":"aurora-postgresql"}`, usage: `{"storage_gb":100,"monthly_io_requests":10000000}`, want: "12.00"},
	// 730 × 0.26
	{typ: "aws_rds_cluster_instance", attrs: `{"engine":"aurora-postgresql","instance_class":"db.r6g.large"}`, want: "189.80"},
	// 730 × 0.045
	{typ: "aws_nat_gateway", want: "32.85"},
	// 730 × 0.0225 + 2 LCUs × 730 × 0.008 = 16.425 + 11.68
	{typ: "aws_lb", attrs: `{"load_balancer_type":"application"}`, usage: `{"average_lcus":2}`, want: "28.11"},
	// 730 × 0.0225 = 16.425
	{typ: "aws_alb", attrs: `{"load_balancer_type":"network"}`, want: "16.43"},
	// 730 × 0.025 + 1,000 GB × 0.008
	{typ: "aws_elb", usage: `{"monthly_data_processed_gb":1000}`, want: "26.25"},
	// 730 × 0.10
	// Infracost's nested S3 usage: 100 GB Standard × 0.023 + 10k PUTs ×
	// 0.005/1k + 1,000 GB Standard-IA × 0.0125 = 2.30 + 0.05 + 12.50
	{typ: "aws_s3_bucket", usage: `{"standard":{"storage_gb":100,"monthly_tier_1_requests":10000},"standard_infrequent_access":{"storage_gb":1000}}`, want: "14.85"},
	// each class's requests, transitions and retrievals: Standard-IA 1,000 GB × 0.0125 + 10k PUTs × 0.01/1k + 10k GETs
	// × 0.001/1k + 10k transitions × 0.01/1k + 100 GB retrieved × 0.01 = 12.50 + 0.10 + 0.01 + 0.10 + 1.00;
	// Deep Archive 1,000 GB × 0.00099 + 1k standard retrieval requests × 0.10/1k + 100 GB × 0.02 = 0.99 + 0.10 + 2.00;
	// Intelligent-Tiering 100 GB frequent × 0.023 + 1,000 GB archive tier × 0.0036 = 2.30 + 3.60
	{typ: "aws_s3_bucket", usage: `{"standard_infrequent_access":{"storage_gb":1000,"monthly_tier_1_requests":10000,"monthly_tier_2_requests":10000,"monthly_lifecycle_transition_requests":10000,"monthly_data_retrieval_gb":100},"glacier_deep_archive":{"storage_gb":1000,"monthly_standard_data_retrieval_requests":1000,"monthly_standard_data_retrieval_gb":100},"intelligent_tiering":{"frequent_access_storage_gb":100,"archive_access_storage_gb":1000}}`, want: "22.70"},
	// 1M requests of 128 KB bill as 2M 64 KB requests × 0.40/M
	{typ: "aws_sqs_queue", usage: `{"monthly_requests":1000000,"request_size_kb":128}`, want: "0.80"},
	// 10 GB ingested × 0.50 + 100 GB scanned by Insights × 0.005
	{typ: "aws_cloudwatch_log_group", usage: `{"monthly_data_ingested_gb":10,"monthly_data_scanned_gb":100}`, want: "5.50"},
	// ACL 5.00 + 10 rule group rules × 1.00 + 1M requests × 0.60
	{typ: "aws_wafv2_web_acl", usage: `{"rule_group_rules":4,"managed_rule_group_rules":6,"monthly_requests":1000000}`, want: "15.60"},
	// 730 × 0.30 + (100 GB down + 50 GB up) × 0.04
	{typ: "aws_transfer_server", usage: `{"monthly_data_downloaded_gb":100,"monthly_data_uploaded_gb":50}`, want: "225.00"},
	// detailed monitoring: 7.592 + 0.80 + 7 CloudWatch metrics × 0.30
	{typ: "aws_instance", attrs: `{"instance_type":"t3.micro","monitoring":true}`, want: "10.49"},
	// 100 hours a month (monthly_hrs) × 0.0104 + 8 GB root × 0.10
	{typ: "aws_instance", attrs: `{"instance_type":"t3.micro"}`, usage: `{"monthly_hrs":100}`, want: "1.84"},
	// t3 bursts unlimited: 7.592 + 0.80 + 100 hours × 2 vCPUs × 0.05
	{typ: "aws_instance", attrs: `{"instance_type":"t3.micro"}`, usage: `{"monthly_cpu_credit_hrs":100}`, want: "18.39"},
	{typ: "aws_eks_cluster", want: "73.00"},
	// 3 × 730 × 0.142 data nodes + 3 masters as much + 3 × 100 GB gp3 × 0.122 = 310.98 × 2 + 36.60
	{typ: "aws_opensearch_domain", attrs: `{"cluster_config":[{"instance_type":"m5.large.search","instance_count":3,"dedicated_master_enabled":true,"dedicated_master_type":"m5.large.search","dedicated_master_count":3}],"ebs_options":[{"ebs_enabled":true,"volume_type":"gp3","volume_size":100}]}`, want: "658.56"},
	// 2 × 730 × 0.186 + 2 × 20 GB gp2 × 0.135
	{typ: "aws_elasticsearch_domain", attrs: `{"cluster_config":[{"instance_type":"r5.large.elasticsearch","instance_count":2}],"ebs_options":[{"ebs_enabled":true,"volume_size":20}]}`, want: "276.96"},
	// 2 × 730 × 1.086 + 1,000 GB managed storage × 0.024
	{typ: "aws_redshift_cluster", attrs: `{"node_type":"ra3.xlplus","number_of_nodes":2}`, usage: `{"managed_storage_gb":1000}`, want: "1609.56"},
	// Aurora Serverless v1: 4 ACUs × 730 × 0.06
	{typ: "aws_rds_cluster", attrs: `{"engine":"aurora-postgresql","engine_mode":"serverless"}`, usage: `{"capacity_units_per_hr":4}`, want: "175.20"},
	// 1,000 ACUs × 730 × 0.06 = 43,800; 100 GB × 0.10 = 10; (10 + 10) I/O a
	// second × 3,600 × 730 = 52.56M × 0.20 = 10.512; a 100 GB snapshot for the
	// 4 days kept beyond the first × 0.021 = 8.40; 200 GB exported × 0.01 = 2
	{typ: "aws_rds_cluster", attrs: `{"engine":"aurora-postgresql","engine_mode":"serverless","backup_retention_period":5}`,
		usage: `{"capacity_units_per_hr":1000,"storage_gb":100,"write_requests_per_sec":10,"read_requests_per_sec":10,"backup_snapshot_size_gb":100,"snapshot_export_size_gb":200}`, want: "43830.91"},
	// Aurora MySQL: 10 + 10.512 + 8.40 + 2 as above; Backtrack keeps 10M
	// statements × 0.38 records × 24 hours = 91.2M records each hour:
	// 91.2 × 730 × 0.012 = 798.912
	{typ: "aws_rds_cluster", attrs: `{"engine":"aurora-mysql","backup_retention_period":5}`,
		usage: `{"storage_gb":100,"write_requests_per_sec":10,"read_requests_per_sec":10,"backup_snapshot_size_gb":100,"average_statements_per_hr":10000000,"change_records_per_statement":0.38,"backtrack_window_hrs":24,"snapshot_export_size_gb":200}`, want: "829.82"},
	// Aurora Serverless v2 on its instance: 2 ACUs × 730 × 0.12
	{typ: "aws_rds_cluster_instance", attrs: `{"engine":"aurora-postgresql","instance_class":"db.serverless"}`, usage: `{"capacity_units_per_hr":2}`, want: "175.20"},
	// Kubernetes 1.29 left standard support on 2025-03-23: 730 × 0.60
	{typ: "aws_eks_cluster", attrs: `{"version":"1.29"}`, want: "438.00"},
	// 3 × 730 × 0.096 + 3 × 50 GB gp2 × 0.10 = 210.24 + 15
	{typ: "aws_eks_node_group", attrs: `{"scaling_config":[{"desired_size":3}],"instance_types":["m5.large"],"disk_size":50}`, want: "225.24"},
	// 2 × 730 × 0.096 = 140.16; a launch configuration monitors in detail by
	// default: 2 × 7 metrics × 0.30 = 4.20; 2 × gp3 20 GB × 0.08 = 3.20
	{typ: "aws_autoscaling_group", attrs: `{"launch_configuration":"web","desired_capacity":2,"min_size":1,"max_size":4}`,
		with: `[{"address":"aws_launch_configuration.web","type":"aws_launch_configuration","region":"us-east-1","attributes":{"name":"web","instance_type":"m5.large","root_block_device":[{"volume_type":"gp3","volume_size":20}]}}]`, want: "147.56"},
	// 3 × t3.medium bursting 350 hours a month: 3 × 730 × 0.0416 + 350 × 2 vCPUs × 3 × 0.05 + 3 × 20 GB gp2 × 0.10 = 91.104 + 105 + 6
	{typ: "aws_eks_node_group", attrs: `{"scaling_config":[{"desired_size":3}],"instance_types":["t3.medium"]}`, usage: `{"monthly_cpu_credit_hrs":350}`, want: "202.10"},
	// 2 × 730 × 0.04048 + 4 × 730 × 0.004445 = 59.1008 + 12.9794
	{typ: "aws_eks_fargate_profile", usage: `{"average_vcpus":2,"average_memory_gb":4}`, want: "72.08"},
	// 1,000 GB × 0.023 + 100 k × 0.005 + 1,000 k × 0.0004
	{typ: "aws_s3_bucket", usage: `{"storage_gb":1000,"monthly_tier_1_requests":100000,"monthly_tier_2_requests":1000000}`, want: "23.90"},
	// 1 M × 0.20 + 1 M × 0.1 s × 0.5 GB = 50,000 GB-s × 0.0000133334 = 0.20 + 0.66667
	{typ: "aws_lambda_function", attrs: `{"memory_size":512,"architectures":["arm64"]}`, usage: `{"monthly_requests":1000000,"request_duration_ms":100}`, want: "0.87"},
	// 10 GB × 0.50 + 50 GB × 0.03
	{typ: "aws_cloudwatch_log_group", usage: `{"monthly_data_ingested_gb":10,"storage_gb":50}`, want: "6.50"},
	{typ: "aws_cloudwatch_metric_alarm", want: "0.10"},
	{typ: "aws_cloudwatch_dashboard", want: "3.00"},
	// 730 × 0.005
	{typ: "aws_eip", want: "3.65"},
	// 0.50 + 10 M queries × 0.40
	{typ: "aws_route53_zone", region: "-", usage: `{"monthly_queries":10000000}`, want: "4.50"},
	// 2 × 730 × 0.017
	{typ: "aws_elasticache_cluster", attrs: `{"node_type":"cache.t3.micro","num_cache_nodes":2}`, want: "24.82"},
	// 3 × 730 × 0.206
	{typ: "aws_elasticache_replication_group", attrs: `{"node_type":"cache.r6g.large","num_cache_clusters":3}`, want: "451.14"},
	// 730 × 0.206 + 10 GB backups kept 5 days, the first free: 4 × 10 × 0.085
	{typ: "aws_elasticache_replication_group", attrs: `{"node_type":"cache.r6g.large","num_cache_clusters":1,"snapshot_retention_limit":5}`, usage: `{"snapshot_storage_size_gb":10}`, want: "153.78"},
	// 10 M × 0.625 + 50 M × 0.125 + 20 GB × 0.25
	{typ: "aws_dynamodb_table", attrs: `{"billing_mode":"PAY_PER_REQUEST"}`, usage: `{"monthly_write_request_units":10000000,"monthly_read_request_units":50000000,"storage_gb":20}`, want: "17.50"},
	// 5 WCU × 730 × 0.00065 + 10 RCU × 730 × 0.00013 = 2.3725 + 0.949
	{typ: "aws_dynamodb_table", attrs: `{"read_capacity":10,"write_capacity":5}`, want: "3.32"},
	// with an index of as much again: 10 WCU × 730 × 0.00065 + 20 RCU × 730
	// × 0.00013 = 4.745 + 1.898; PITR 100 GB × 0.20; 1M stream reads × 0.02/100k
	{typ: "aws_dynamodb_table", attrs: `{"read_capacity":10,"write_capacity":5,"global_secondary_index":[{"read_capacity":10,"write_capacity":5}],"point_in_time_recovery":[{"enabled":true}],"stream_enabled":true}`,
		usage: `{"pitr_backup_storage_gb":100,"monthly_streams_read_request_units":1000000}`, want: "26.84"},
	// on-demand backups 50 GB × 0.10 + 10 GB restored × 0.15
	{typ: "aws_dynamodb_table", attrs: `{"billing_mode":"PAY_PER_REQUEST"}`, usage: `{"on_demand_backup_storage_gb":50,"monthly_data_restored_gb":10}`, want: "6.50"},
	{typ: "aws_kms_key", want: "1.00"},
	{typ: "aws_secretsmanager_secret", want: "0.40"},
	// 5 M × 0.40
	{typ: "aws_sqs_queue", usage: `{"monthly_requests":5000000}`, want: "2.00"},
	// 2 M × 0.50
	{typ: "aws_sns_topic", usage: `{"monthly_requests":2000000}`, want: "1.00"},
	// 30 GB × 0.10
	{typ: "aws_ecr_repository", usage: `{"storage_gb":30}`, want: "3.00"},
	// 100 GB × 0.30
	{typ: "aws_efs_file_system", usage: `{"storage_gb":100}`, want: "30.00"},
	// One Zone 100 GB × 0.16
	{typ: "aws_efs_file_system", attrs: `{"availability_zone_name":"us-east-1a"}`, usage: `{"storage_gb":100}`, want: "16.00"},
	// 100 GB × 0.30 + (10 MB/s provisioned − the 5 MB/s baseline of 100 GB at 50 KB/s a GB) × 6.00
	{typ: "aws_efs_file_system", attrs: `{"throughput_mode":"provisioned","provisioned_throughput_in_mibps":10}`, usage: `{"storage_gb":100}`, want: "60.00"},
	// 230 GB × 0.30 + (100 − 11.5) MB/s × 6.00 = 69 + 531
	{typ: "aws_efs_file_system", attrs: `{"throughput_mode":"provisioned","provisioned_throughput_in_mibps":100}`, usage: `{"storage_gb":230}`, want: "600.00"},
	// without storage usage the whole 10 MB/s is billed: 60.00
	{typ: "aws_efs_file_system", attrs: `{"throughput_mode":"provisioned","provisioned_throughput_in_mibps":10}`, want: "60.00"},
	// 2 AZs × 730 × 0.01 + 100 GB × 0.01
	{typ: "aws_vpc_endpoint", attrs: `{"vpc_endpoint_type":"Interface","subnet_ids":["a","b"]}`, usage: `{"monthly_data_processed_gb":100}`, want: "15.60"},
	{typ: "aws_vpc_endpoint", attrs: `{"vpc_endpoint_type":"Gateway"}`, want: "0.00"},
	// 10 M × 3.50
	{typ: "aws_api_gateway_rest_api", usage: `{"monthly_requests":10000000}`, want: "35.00"},
	// 10 M × 1.00
	{typ: "aws_apigatewayv2_api", attrs: `{"protocol_type":"HTTP"}`, usage: `{"monthly_requests":10000000}`, want: "10.00"},
	// 2 × 730 × 0.015 + 100 M × 0.014
	{typ: "aws_kinesis_stream", attrs: `{"shard_count":2}`, usage: `{"monthly_provisioned_put_units":100000000}`, want: "23.30"},
	// 2 shards kept 48 h: 21.90 + 1.40 + extended retention 2 × 730 × 0.02 = 29.20
	{typ: "aws_kinesis_stream", attrs: `{"shard_count":2,"retention_period":48}`, usage: `{"monthly_provisioned_put_units":100000000}`, want: "52.50"},
	// on demand: 730 × 0.04 + 100 GB in × 0.08 + 200 GB out × 0.04 = 29.20 + 8 + 8
	{typ: "aws_kinesis_stream", attrs: `{"stream_mode_details":[{"stream_mode":"ON_DEMAND"}]}`, usage: `{"monthly_on_demand_data_in_gb":100,"monthly_on_demand_data_out_gb":200}`, want: "45.20"},
	// ALB load: 100 new connections/s = 4 LCUs, the largest of 6,000
	// active/min = 2, 0.5 GB/h = 0.5, 500 rule evaluations/s = 0.5:
	// 730 × 0.0225 + 4 × 730 × 0.008 = 16.425 + 23.36
	{typ: "aws_lb", attrs: `{"load_balancer_type":"application"}`, usage: `{"new_connections":100,"active_connections":6000,"processed_bytes_gb":0.5,"rule_evaluations":500}`, want: "39.79"},
	// NLB: 1,600 new flows/s = 2 NLCUs: 16.425 + 2 × 730 × 0.006 = 8.76
	{typ: "aws_lb", attrs: `{"load_balancer_type":"network"}`, usage: `{"new_connections":1600,"processed_bytes_gb":1}`, want: "25.19"},
	// 1B requests × 7 s × 1 GB = 7B GB-seconds: 6B × 0.0000166667 +
	// 1B × 0.000015 + 1,000 M requests × 0.20 = 100,000.20 + 15,000 + 200
	{typ: "aws_lambda_function", attrs: `{"memory_size":1024}`, usage: `{"monthly_requests":1000000000,"request_duration_ms":7000}`, want: "115200.20"},
	// Arm's tiers are 7.5B and 11.25B GB-seconds: 1B requests × 10 s × 1 GB = 10B GB-seconds,
	// 7.5B × 0.0000133334 + 2.5B × 0.0000120001 + 1,000M requests × 0.20 = 100,000.50 + 30,000.25 + 200
	{typ: "aws_lambda_function", attrs: `{"memory_size":1024,"architectures":["arm64"]}`, usage: `{"monthly_requests":1000000000,"request_duration_ms":10000}`, want: "130200.75"},
	// 1M × 0.1 s × 0.125 GB = 12,500 GB-s × 0.0000166667 = 0.2083 +
	// 0.20 requests + ephemeral 9.5 GB × 100,000 s × 0.0000000309 = 0.0294
	{typ: "aws_lambda_function", attrs: `{"ephemeral_storage":[{"size":10240}]}`, usage: `{"monthly_requests":1000000,"request_duration_ms":100}`, want: "0.44"},
	// 500M requests: 333 × 3.50 + 167 × 2.80 = 1,165.50 + 467.60
	{typ: "aws_api_gateway_rest_api", usage: `{"monthly_requests":500000000}`, want: "1633.10"},
	// 400M requests of 600 KB metered as 800M 512 KB requests: 300 × 1.00 + 500 × 0.90
	{typ: "aws_apigatewayv2_api", attrs: `{"protocol_type":"HTTP"}`, usage: `{"monthly_requests":400000000,"request_size_kb":600}`, want: "750.00"},
	// 1.5B messages of 40 KB metered as 3B: 1,000 × 1.00 + 2,000 × 0.80,
	// + 10M connection minutes × 0.25
	{typ: "aws_apigatewayv2_api", attrs: `{"protocol_type":"WEBSOCKET"}`, usage: `{"monthly_messages":1500000000,"message_size_kb":40,"monthly_connection_mins":10000000}`, want: "2602.50"},
	// 730 × 0.05
	{typ: "aws_vpn_connection", want: "36.50"},
	// 730 × 0.05 + 1,000 GB × 0.02
	{typ: "aws_ec2_transit_gateway_vpc_attachment", usage: `{"monthly_data_processed_gb":1000}`, want: "56.50"},
	// 100 k transitions × 0.025 per 1 k
	{typ: "aws_sfn_state_machine", usage: `{"monthly_transitions":100000}`, want: "2.50"},
	// 5 + 2 rules × 1 + 10 M × 0.60
	{typ: "aws_wafv2_web_acl", attrs: `{"rule":[{},{}]}`, usage: `{"monthly_requests":10000000}`, want: "13.00"},
	// 2 protocols × 730 × 0.30
	{typ: "aws_transfer_server", attrs: `{"protocols":["SFTP","FTPS"]}`, want: "438.00"},

	// 730 × 0.008376 + 10 GB pd-standard (assumed) × 0.04 = 6.11448 + 0.40
	{typ: "google_compute_instance", region: "-", attrs: `{"machine_type":"e2-micro","zone":"us-central1-a"}`, want: "6.51"},
	// the same with two local SSDs: + 2 × 375 GB × 0.08 = 60.00
	{typ: "google_compute_instance", region: "-", attrs: `{"machine_type":"e2-micro","zone":"us-central1-a","scratch_disk":[{"interface":"NVME"},{"interface":"NVME"}]}`, want: "66.51"},
	// 4 × 730 × 0.031611 + 16 × 730 × 0.004237 = 92.30412 + 49.48816, less
	// N2's sustained use discount for a whole month (quarters at 100%,
	// 86.78%, 73.3%, 60%: 19.98% off), + 50 × 0.10 = 113.462182 + 5
	{typ: "google_compute_instance", region: "-", attrs: `{"machine_type":"n2-standard-4","zone":"us-central1-a","boot_disk":[{"initialize_params":[{"type":"pd-balanced","size":50}]}]}`, want: "118.46"},
	// N1 runs a month at 70% of list (quarters at 100, 80, 60, 40%):
	// (730 × 0.031611 + 3.75 × 730 × 0.004237) × 0.7 = 34.6748175 × 0.7 =
	// 24.27237 + 10 GB × 0.04
	{typ: "google_compute_instance", region: "-", attrs: `{"machine_type":"n1-standard-1","zone":"us-central1-a"}`, want: "24.67"},
	// spot: no discount; a T4 GPU at 730 × 0.35: 34.6748175 + 255.50 + 0.40
	{typ: "google_compute_instance", region: "-", attrs: `{"machine_type":"n1-standard-1","zone":"us-central1-a","scheduling":[{"preemptible":true}],"guest_accelerator":[{"type":"nvidia-tesla-t4","count":1}]}`, want: "290.57"},
	// 200 GB × 0.10
	{typ: "google_compute_disk", region: "-", attrs: `{"type":"pd-balanced","size":200,"zone":"us-central1-a"}`, want: "20.00"},
	// fee 730 × 0.10 + 2 × e2-standard-4: 8 vCPU × 730 × 0.021811 + 32 GB × 730 × 0.002923 + 100 GB pd-balanced × 0.10
	// = 73 + 127.37624 + 68.28128 + 10
	{typ: "google_container_cluster", region: "-", attrs: `{"location":"us-central1-a","initial_node_count":2,"node_config":[{"machine_type":"e2-standard-4","disk_size_gb":50}]}`, want: "278.66"},
	{typ: "google_container_cluster", region: "-", attrs: `{"location":"us-central1","enable_autopilot":true}`, want: "73.00"},
	// pods requesting 10 vCPUs, 50 GB and 100 GB ephemeral on average: 73 + 730 × (10 × 0.0445 + 50 × 0.0049225 + 100 × 0.0000548)
	// = 73 + 324.85 + 179.67125 + 4.0004
	{typ: "google_container_cluster", region: "-", attrs: `{"location":"us-central1","enable_autopilot":true}`, usage: `{"autopilot_vcpu_count":10,"autopilot_memory_gb":50,"autopilot_ephemeral_storage_gb":100}`, want: "581.52"},
	// regional: 3 nodes of n2-standard-2: (6 × 730 × 0.031611 + 24 × 730 ×
	// 0.004237) × 0.8002 (sustained use) + 300 GB × 0.10 = 170.19 + 30
	{typ: "google_container_node_pool", region: "-", attrs: `{"location":"us-central1","node_count":1,"node_config":[{"machine_type":"n2-standard-2"}]}`, want: "200.19"},
	// HA: 4 vCPU × 730 × 0.0413 + 15 GB × 730 × 0.007 + 100 GB × 0.17 = 120.596 + 76.65 + 17
	// db-n1-standard-2 is 2 vCPUs and 7.5 GB: 2 × 730 × 0.0413 + 7.5 × 730 × 0.007 + 10 GB SSD × 0.17 = 60.298 + 38.325 + 1.70
	// half a month: (365 × 0.031611 + 365 × 3.75 × 0.004237) × 0.9 (N1 over
	// two quarters: 100% and 80%) + 10 GB × 0.04 = 15.603668 + 0.40
	{typ: "google_compute_instance", region: "-", attrs: `{"machine_type":"n1-standard-1","zone":"us-central1-a"}`, usage: `{"monthly_hrs":365}`, want: "16.00"},
	// 2 nodes a zone (usage nodes) of e2-medium: 2 × 730 × 0.033503 + 2 × 100 GB pd-balanced × 0.10
	{typ: "google_container_node_pool", region: "-", attrs: `{"location":"us-central1-a","node_count":1}`, usage: `{"nodes":2}`, want: "68.91"},
	// the same nodes with a local SSD each: + 2 × 375 GB × 0.08 = 60.00
	{typ: "google_container_node_pool", region: "-", attrs: `{"location":"us-central1-a","node_count":1,"node_config":[{"local_ssd_count":1}]}`, usage: `{"nodes":2}`, want: "128.91"},
	// 10M invocations × 0.40/M + 10M × 3 (300 ms in 100 ms units) × 0.000000463 (256 MB)
	{typ: "google_cloudfunctions_function", region: "-", attrs: `{"region":"us-central1","available_memory_mb":256}`, usage: `{"monthly_function_invocations":10000000,"request_duration_ms":300}`, want: "17.89"},
	// 3 versions × 0.06 + 100,000 access operations × 0.03/10k
	{typ: "google_secret_manager_secret", region: "-", usage: `{"active_secret_versions":3,"monthly_access_operations":100000}`, want: "0.48"},
	// one version × 0.06 + 1M operations × 0.03/10k
	{typ: "google_kms_crypto_key", region: "-", usage: `{"monthly_key_operations":1000000}`, want: "3.06"},
	{typ: "google_sql_database_instance", region: "-", attrs: `{"region":"us-central1","settings":[{"tier":"db-n1-standard-2"}]}`, want: "100.32"},
	// the same with 50 GB of backups × 0.08
	{typ: "google_sql_database_instance", region: "-", attrs: `{"region":"us-central1","settings":[{"tier":"db-n1-standard-2"}]}`, usage: `{"backup_storage_gb":50}`, want: "104.32"},
	{typ: "google_sql_database_instance", region: "-", attrs: `{"region":"us-central1","settings":[{"tier":"db-custom-2-7680","availability_type":"REGIONAL","disk_size":50}]}`, want: "214.25"},
	// 1,000 GB × 0.01 + 100 k × 0.005 + 1,000 k × 0.0004
	{typ: "google_storage_bucket", region: "-", attrs: `{"location":"US-CENTRAL1","storage_class":"NEARLINE"}`, usage: `{"storage_gb":1000,"monthly_class_a_operations":100000,"monthly_class_b_operations":1000000}`, want: "10.90"},
	// min(40, 32) × 730 × 0.0014 + 100 GB × 0.045 = 32.704 + 4.50
	{typ: "google_compute_router_nat", region: "-", attrs: `{"region":"us-central1"}`, usage: `{"assigned_vms":40,"monthly_data_processed_gb":100}`, want: "37.20"},
	// 6 rules: 5 × (730 / 5 × 0.025) + 730 × 0.01 = 18.25 + 7.30
	{typ: "google_compute_forwarding_rule", region: "-", count: 6, attrs: `{"region":"us-central1"}`, want: "25.55"},
	{typ: "google_compute_global_forwarding_rule", region: "us-central1", want: "3.65"},
	// 730 × 0.005
	{typ: "google_compute_address", region: "-", attrs: `{"region":"us-central1"}`, want: "3.65"},
	{typ: "google_compute_address", region: "-", attrs: `{"region":"us-central1","address_type":"INTERNAL"}`, want: "0.00"},
	{typ: "google_compute_global_address", region: "us-central1", want: "3.65"},
	{typ: "google_dns_managed_zone", region: "-", want: "0.20"},
	// 1 M × 0.5 s = 500,000 s: 2 vCPU × 500,000 × 0.000024 + 1 GiB × 500,000 × 0.0000025 + 1 M × 0.40 = 24 + 1.25 + 0.40
	{typ: "google_cloud_run_service", region: "-", attrs: `{"location":"us-central1","template":[{"spec":[{"containers":[{"resources":[{"limits":{"cpu":"2","memory":"1Gi"}}]}]}]}]}`, usage: `{"monthly_requests":1000000,"average_request_duration_ms":500}`, want: "25.65"},
	{typ: "google_cloud_run_v2_service", region: "-", attrs: `{"location":"us-central1","template":[{"containers":[{"resources":[{"limits":{"cpu":"2","memory":"1Gi"}}]}]}]}`, usage: `{"monthly_requests":1000000,"average_request_duration_ms":500}`, want: "25.65"},
	// 5 GB is capacity tier M2: 5 × 730 × 0.054
	{typ: "google_redis_instance", region: "-", attrs: `{"region":"us-central1","memory_size_gb":5,"tier":"STANDARD_HA"}`, want: "197.10"},
	// 2 TiB × 40
	{typ: "google_pubsub_topic", region: "-", usage: `{"monthly_message_data_tb":2}`, want: "80.00"},
	{typ: "google_secret_manager_secret", region: "-", want: "0.06"},
	{typ: "google_kms_crypto_key", region: "-", want: "0.06"},
	// 3 M × 0.40
	{typ: "google_cloudfunctions_function", region: "-", attrs: `{"region":"us-central1"}`, usage: `{"monthly_invocations":3000000}`, want: "1.20"},
	// 2 pods × max(1/2 vCPU, 2/8 GB) of an m5.large × 730 × 0.096
	{typ: kubeType, attrs: `{"kind":"Deployment","replicas":2,"cpu":1,"memory_gb":2}`, want: "70.08"},
}

// resources are the case's own resource (first, at <type>.x) and those it
// takes values from.
func (tc typeCase) resources(t testing.TB) []Resource {
	t.Helper()
	r := Resource{Address: tc.typ + ".x", Type: tc.typ, Region: tc.region, Count: tc.count}
	switch tc.region {
	case "":
		r.Region = "us-east-1"
	case "-":
		r.Region = "" // from the resource's own attributes, or none needed
	}
	if tc.attrs != "" {
		if err := json.Unmarshal([]byte(tc.attrs), &r.Attributes); err != nil {
			t.Fatalf("%s: %v", tc.typ, err)
		}
	}
	rs := []Resource{r}
	if tc.with != "" {
		var others []Resource
		if err := json.Unmarshal([]byte(tc.with), &others); err != nil {
			t.Fatalf("%s: %v", tc.typ, err)
		}
		rs = append(rs, others...)
	}
	return rs
}

// Every priced type has a case with its arithmetic, and every case gives
// its figure; every free type is reported free.
func TestEveryTypeIsPricedAsWorkedByHand(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range typeCases {
		covered[tc.typ] = true
		rs := tc.resources(t)
		r := rs[0]
		opts := Options{Kubernetes: KubePricing{Mode: "node", NodeType: "aws:m5.large", Nodes: 3}}
		if tc.usage != "" {
			var m map[string]any
			if err := json.Unmarshal([]byte(tc.usage), &m); err != nil {
				t.Fatal(err)
			}
			u, err := UsageFrom(map[string]any{r.Address: m})
			if err != nil {
				t.Fatal(err)
			}
			opts.Usage = u
		}
		est, err := EstimateResources(rs, nil, nil, opts)
		if err != nil {
			t.Fatalf("%s: %v", tc.typ, err)
		}
		// The case's own resource (those it takes values from may be priced too).
		i := slices.IndexFunc(est.Resources, func(rc ResourceCost) bool { return rc.Address == r.Address })
		if len(est.Unpriced) > 0 || i < 0 {
			t.Errorf("%s %s: unpriced %+v", tc.typ, tc.attrs, est.Unpriced)
			continue
		}
		if got := Dec(est.Resources[i].MonthlyCost).Money(); got != tc.want {
			t.Errorf("%s %s: %s, want %s", tc.typ, tc.attrs, got, tc.want)
			for _, c := range est.Resources[i].Components {
				t.Logf("  %s: %s %s × %s = %s", c.Name, c.Quantity, c.Unit, Dec(c.UnitPrice), Dec(c.MonthlyCost).Money())
			}
		}
	}
	priced, free := SupportedTypes()
	for _, typ := range priced {
		if !covered[typ] && !liveOnly[typ] {
			t.Errorf("%s has no worked case", typ)
		}
	}
	for _, typ := range free {
		est, err := EstimateResources([]Resource{{Type: typ, Count: 2}}, nil, nil, Options{})
		if err != nil || len(est.Free) != 1 || est.Free[0] != (TypeCount{typ, 2}) || len(est.Resources) != 0 {
			t.Errorf("free %s: %v %+v", typ, err, est)
		}
	}
	if len(priced)+len(free) < 60 {
		t.Errorf("%d types mapped", len(priced)+len(free))
	}
	t.Logf("%d priced types and %d free types, %d worked cases", len(priced), len(free), len(typeCases))
}
