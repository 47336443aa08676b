terraform {
  required_version = ">= 1.5"
}

module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
}
