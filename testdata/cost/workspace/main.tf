terraform {
  required_version = ">= 1.5"
  required_providers {
    aws    = { source = "hashicorp/aws", version = "~> 5.0" }
    google = { source = "hashicorp/google", version = "~> 6.0" }
  }
}

provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "ireland"
  region = "eu-west-1"
}

provider "google" {
  project = "demo"
  region  = "us-central1"
}

variable "region" {
  type    = string
  default = "us-east-2"
}

variable "web_count" {
  type    = number
  default = 1
}

variable "web_type" {
  type = string
}

locals {
  env      = "prod"
  volumes  = { logs = 100, data = 500 }
  web_name = "${local.env}-web"
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_instance" "web" {
  count         = var.web_count
  ami           = "ami-12345678"
  instance_type = var.web_type
  subnet_id     = aws_vpc.main.id
  tags          = { Name = "${local.web_name}-${count.index}" }

  root_block_device {
    volume_type = "gp3"
    volume_size = 30
  }
}

resource "aws_ebs_volume" "extra" {
  for_each          = local.volumes
  availability_zone = "us-east-2a"
  type              = "gp3"
  size              = each.value
  iops              = each.key == "data" ? 6000 : 3000
}

resource "aws_nat_gateway" "eu" {
  provider      = aws.ireland
  allocation_id = "eipalloc-1"
  subnet_id     = "subnet-1"
}

resource "aws_instance" "from_data" {
  ami           = "ami-12345678"
  instance_type = data.aws_ssm_parameter.type.value
}

resource "google_compute_instance" "vm" {
  name         = "vm"
  machine_type = "e2-standard-2"
  zone         = "us-central1-b"
  boot_disk {
    initialize_params {
      size = 20
      type = "pd-ssd"
    }
  }
  network_interface {
    network = "default"
  }
}

module "db" {
  source   = "./modules/db"
  class    = "db.m5.large"
  multi_az = true
}

module "remote" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}

resource "aws_s3_bucket" "assets" {
  bucket = "assets"
}

resource "aws_kms_key" "main" {}

resource "aws_route53_zone" "main" {
  name = "example.com"
}

resource "aws_glue_job" "etl" {
  name     = "etl"
  role_arn = "arn:aws:iam::1:role/x"
  command {
    script_location = "s3://x/y.py"
  }
}
