terraform {
  required_version = ">= 1.5"
}

locals {
  name = "web"
}
