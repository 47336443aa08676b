# Real AWS resources, planned and applied by the real hashicorp/aws provider
# against moto (tests set var.endpoint): what estimate_costs prices.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

variable "endpoint" {
  type = string
}

variable "web_type" {
  type    = string
  default = "m5.large"
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    ec2 = var.endpoint
    sts = var.endpoint
  }
}

resource "aws_instance" "web" {
  count         = 2
  ami           = "ami-12c6146b"
  instance_type = var.web_type
}

resource "aws_ebs_volume" "data" {
  availability_zone = "us-east-1a"
  size              = 100
  type              = "gp3"
}

resource "aws_eip" "ip" {
  domain = "vpc"
}
