# What the demo's service would run on in AWS, estimated from this file
# alone (no provider, no credentials): `opsmcp cost testdata/demo/aws`.
provider "aws" {
  region = "us-east-1"
}

resource "aws_instance" "app" {
  count         = 2
  ami           = "ami-0123456789abcdef0"
  instance_type = "m5.large"
  root_block_device {
    volume_type = "gp3"
    volume_size = 30
  }
}

resource "aws_db_instance" "database" {
  engine            = "postgres"
  instance_class    = "db.t3.medium"
  allocated_storage = 50
  storage_type      = "gp3"
  multi_az          = true
}

resource "aws_lb" "web" {
  load_balancer_type = "application"
}

resource "aws_nat_gateway" "egress" {
  allocation_id = "eipalloc-0123456789abcdef0"
  subnet_id     = "subnet-0123456789abcdef0"
}
