# A local module: terraform must install it (init) before it can plan.
module "pet" {
  source = "./modules/pet"
  name   = "rex"
}

output "pet" {
  value = module.pet.id
}
