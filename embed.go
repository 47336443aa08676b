// Package opsmcp holds what the binaries embed from the repository: the
// bundled testdata workspaces that `opsmcp demo` runs on.
package opsmcp

import "embed"

// DemoWorkspace is the Terraform workspace `opsmcp demo` plans and applies,
// under testdata/workspaces/demo.
//
//go:embed testdata/workspaces/demo
var DemoWorkspace embed.FS
