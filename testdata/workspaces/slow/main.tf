# An apply that takes long enough to be cancelled part way.
variable "seconds" {
  type    = number
  default = 30
}

resource "terraform_data" "first" {
  input = "first"
}

resource "terraform_data" "slow" {
  input = terraform_data.first.id
  provisioner "local-exec" {
    command = "sleep ${var.seconds}"
  }
}
