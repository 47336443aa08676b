package testenv_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/opsmcp/opsmcp/internal/kubesim"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// make kubesim-up starts a cluster that outlives make, ready on return;
// make kubesim-down stops every one of its processes.
func TestMakeKubesimUpAndDown(t *testing.T) {
	root := testenv.RepoRoot(t)
	dir := filepath.Join(t.TempDir(), "cluster")
	mk := func(target string) string {
		t.Helper()
		out, err := exec.Command("make", "-C", root, "--no-print-directory", target, "DIR="+dir).CombinedOutput()
		if err != nil {
			t.Fatalf("make %s: %v\n%s", target, err, out)
		}
		return string(out)
	}
	out := mk("kubesim-up")
	t.Cleanup(func() { kubesim.StopDir(dir) })
	if !strings.Contains(out, "export KUBECONFIG="+filepath.Join(dir, "kubeconfig")) {
		t.Fatalf("kubesim-up output:\n%s", out)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", filepath.Join(dir, "kubeconfig"))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := cs.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
	if err != nil || len(nodes.Items) != 3 {
		t.Fatalf("nodes right after kubesim-up: %v %d", err, len(nodes.Items))
	}
	data, err := os.ReadFile(filepath.Join(dir, "kubesim.pids"))
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for line := range strings.Lines(string(data)) {
		f := strings.Fields(line)
		pid, _ := strconv.Atoi(f[1])
		pids = append(pids, pid)
	}
	if len(pids) != 6 { // etcd, apiserver, controller-manager, scheduler, kwok, metrics-server
		t.Fatalf("kubesim.pids: %s", data)
	}
	// A second up in the same directory is refused, not a second cluster.
	if out, err := exec.Command("make", "-C", root, "kubesim-up", "DIR="+dir).CombinedOutput(); err == nil || !strings.Contains(string(out), "already runs") {
		t.Fatalf("second kubesim-up: %v\n%s", err, out)
	}
	mk("kubesim-down")
	for _, pid := range pids {
		if stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil && !strings.Contains(string(stat), ") Z ") {
			if syscall.Kill(pid, 0) == nil {
				t.Fatalf("process %d still runs after kubesim-down: %s", pid, stat)
			}
		}
	}
	if _, err := cs.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{}); err == nil {
		t.Fatal("the apiserver still answers after kubesim-down")
	}
}

// A test binary that panics takes its cluster with it: no process of the
// cluster outlives it.
func TestKubesimDiesWithAPanickingTest(t *testing.T) {
	if os.Getenv("OPSMCP_TEST_PANIC_WITH_KUBESIM") != "" {
		k := testenv.SharedKubesim(t)
		b, _ := json.Marshal(k.PIDs())
		fmt.Printf("PIDS %s\n", b)
		os.Stdout.Sync()
		panic("a test panicked while its kubesim ran")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestKubesimDiesWithAPanickingTest$")
	cmd.Env = append(os.Environ(), "OPSMCP_TEST_PANIC_WITH_KUBESIM=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "a test panicked") {
		t.Fatalf("the helper did not panic: %v\n%s", err, out)
	}
	var pids map[string]int
	for line := range strings.Lines(string(out)) {
		if rest, ok := strings.CutPrefix(line, "PIDS "); ok {
			json.Unmarshal([]byte(rest), &pids)
		}
	}
	if len(pids) != 6 { // etcd, apiserver, controller-manager, scheduler, kwok, metrics-server
		t.Fatalf("the helper reported %v\n%s", pids, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for name, pid := range pids {
		for {
			stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
			if err != nil || strings.Contains(string(stat), ") Z ") {
				break // gone, or a zombie waiting for init to reap it
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s (pid %d) still runs after the test binary panicked", name, pid)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}
