// Command kubesimctl starts and stops a kubesim cluster outside tests:
//
//	go run ./internal/testenv/kubesimctl up DIR    # writes DIR/kubeconfig, returns when ready
//	go run ./internal/testenv/kubesimctl down DIR  # stops every process of that cluster
//
// The Makefile's kubesim-up and kubesim-down targets call it.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/opsmcp/opsmcp/internal/kubesim"
)

func main() {
	if len(os.Args) != 3 || (os.Args[1] != "up" && os.Args[1] != "down") {
		fmt.Fprintln(os.Stderr, "usage: kubesimctl up|down DIR")
		os.Exit(2)
	}
	dir := os.Args[2]
	if os.Args[1] == "down" {
		if err := kubesim.StopDir(dir); err != nil {
			fmt.Fprintln(os.Stderr, "kubesim-down:", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "kubesim: stopped the cluster in %s\n", dir)
		return
	}
	if _, err := os.Stat(filepath.Join(dir, "kubesim.pids")); err == nil {
		fmt.Fprintf(os.Stderr, "kubesim-up: a cluster already runs in %s; stop it first with make kubesim-down DIR=%s\n", dir, dir)
		os.Exit(1)
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	k, err := kubesim.Start(context.Background(), root, kubesim.Options{Dir: dir, Detach: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubesim-up:", err)
		os.Exit(1)
	}
	fmt.Printf("kubesim: %s ready with 3 fake nodes\nexport KUBECONFIG=%s\n", k.Server, k.Kubeconfig)
}
