locals {
name="web"
}
