// Package version is the opsmcp version string, importable by anything
// (the validators' SARIF driver, every server, both CLIs) without pulling
// in what serves it.
package version

// Version is the opsmcp version every server and CLI reports.
var Version = "0.1.0-dev"
