// Command terraform-provider-drifttest is a small Terraform provider the
// drift tests run terraform with: it manages JSON files in a directory
// (the provider's root), so a test can change or delete what Terraform
// manages behind its back and see what opsmcp's drift detection reports.
// It is installed for terraform through a filesystem mirror (see
// internal/testenv.DriftProvider); nothing here ships in opsmcp.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
)

func main() {
	err := providerserver.Serve(context.Background(), newProvider, providerserver.ServeOpts{Address: "registry.terraform.io/opsmcp/drifttest"})
	if err != nil {
		log.Fatal(err)
	}
}
