variable "class" { type = string }
variable "multi_az" {
  type    = bool
  default = false
}

resource "aws_db_instance" "this" {
  engine            = "postgres"
  instance_class    = var.class
  allocated_storage = 100
  storage_type      = "gp3"
  multi_az          = var.multi_az
}
