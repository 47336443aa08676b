terraform {
  required_version = ">= 1.5"
}

variable "name" {
  type    = string
  default = "basic"
}

variable "size" {
  type    = number
  default = 1
}

variable "api_token" {
  type      = string
  sensitive = true
  default   = "tok-DEFAULT-not-a-secret"
}

resource "terraform_data" "item" {
  count            = var.size
  input            = "${var.name}-${count.index}"
  triggers_replace = var.name
}

output "names" {
  value = terraform_data.item[*].output
}

output "token" {
  value     = var.api_token
  sensitive = true
}
