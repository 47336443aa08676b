package main

import (
	"os"
	"testing"
)

// deploy/kubernetes/opsmcp.yaml is the chart's rendering: one source.
func TestManifestsAreTheChart(t *testing.T) {
	t.Chdir("../..")
	want, err := render()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("deploy/kubernetes/opsmcp.yaml")
	if err != nil || string(got) != string(want) {
		t.Fatalf("deploy/kubernetes/opsmcp.yaml is not the chart's rendering (%v): run make manifests", err)
	}
}
