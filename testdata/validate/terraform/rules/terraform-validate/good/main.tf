variable "name" {
  type    = string
  default = "web"
}

output "x" {
  value = var.name
}
