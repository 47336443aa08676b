module "net" {
  source = "./modules/missing"
}
