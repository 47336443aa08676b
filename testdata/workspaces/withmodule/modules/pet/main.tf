variable "name" {
  type = string
}

resource "terraform_data" "pet" {
  input = var.name
}

output "id" {
  value = terraform_data.pet.output
}
