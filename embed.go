// Package opsmcp holds what the binaries embed from the repository: the
// bundled testdata workspaces that `opsmcp demo` runs on.
package opsmcp

import "embed"

// DemoFiles are what `opsmcp demo` works on: the Terraform workspace it
// plans and applies (testdata/workspaces/demo) and, under testdata/demo,
// the manifests and Dockerfile it validates, the AWS configuration it
// prices and the policy its plans are checked against.
//
//go:embed testdata/workspaces/demo testdata/demo
var DemoFiles embed.FS
