// Package otlpcheck holds the tracing test that runs the OpenTelemetry
// Collector's OTLP receiver in the test process. It is a module of its own:
// the Collector's confmap needs gobwas/glob v0.2's API while OPA (opsmcp's
// policies) needs v1.1, and one module's build holds one version. The test
// builds opsmcp's binaries from the main module and drives them as a user
// would.
package otlpcheck
