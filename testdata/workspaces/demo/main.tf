# The workspace `opsmcp demo` plans and applies. It uses only Terraform's
# built-in provider, so it works offline.
terraform {
  required_version = ">= 1.5"
}

variable "environment" {
  type    = string
  default = "demo"
}

variable "replicas" {
  type    = number
  default = 2
}

variable "db_password" {
  type      = string
  sensitive = true
  default   = "demo-Sup3r-s3cret-pw"
}

resource "terraform_data" "network" {
  input = {
    cidr        = "10.42.0.0/16"
    environment = var.environment
  }
}

resource "terraform_data" "app" {
  count = var.replicas
  input = {
    name    = "app-${count.index}"
    network = terraform_data.network.id
  }
}

resource "terraform_data" "database" {
  input = {
    network       = terraform_data.network.id
    password_hash = sha256(var.db_password)
  }
}

output "app_names" {
  value = [for a in terraform_data.app : a.output.name]
}

output "db_password" {
  value     = var.db_password
  sensitive = true
}
