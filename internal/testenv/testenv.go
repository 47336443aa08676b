// Package testenv starts the real components tests run against: the
// terraform binary on copies of testdata workspaces, the built opsmcp
// binaries, and (via npm) the MCP Inspector CLI.
package testenv

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// RepoRoot is the repository root (the directory holding go.mod).
func RepoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Terraform skips nothing: tests need the real binary and fail if it is
// missing, naming how to get it.
func Terraform(t testing.TB) string {
	for _, name := range []string{"terraform", "tofu"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("terraform (or tofu) is not on PATH; the tests run the real binary (see README: make test)")
	return ""
}

// CopyWorkspace copies testdata/workspaces/NAME into a fresh temp dir and
// returns the copy's path (resolved, as the tools report it).
func CopyWorkspace(t testing.TB, name string) string {
	Terraform(t)
	src := filepath.Join(RepoRoot(t), "testdata", "workspaces", name)
	dst := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	real, err := filepath.EvalSymlinks(dst)
	if err != nil {
		t.Fatal(err)
	}
	return real
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
	buildOut  []byte
)

// Binaries builds ./cmd/... once per test process into .cache/testbin/PID
// (test packages run in parallel, each with its own build) and returns that
// directory, holding opsmcp, opsmcp-* and peakrss binaries. Builds of processes that
// are gone are removed.
func Binaries(t testing.TB) string {
	buildOnce.Do(func() {
		buildDir = processDir(t, "testbin")
		if buildErr = os.MkdirAll(buildDir, 0o755); buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-tags", "kustomize_disable_go_plugin_support", "-o", buildDir+string(filepath.Separator), "./cmd/...", "./internal/testenv/peakrss")
		cmd.Dir = RepoRoot(t)
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build ./cmd/...: %v\n%s", buildErr, buildOut)
	}
	return buildDir
}

// processDir is .cache/NAME/PID under the repository: this test
// process's own build directory. Those of processes that are gone are
// removed.
func processDir(t testing.TB, name string) string {
	root := filepath.Join(RepoRoot(t), ".cache", name)
	old, _ := os.ReadDir(root)
	for _, d := range old {
		if pid, err := strconv.Atoi(d.Name()); err == nil && syscall.Kill(pid, 0) != nil {
			os.RemoveAll(filepath.Join(root, d.Name()))
		}
	}
	return filepath.Join(root, strconv.Itoa(os.Getpid()))
}

// Measured is one run of a command under peakrss.
type Measured struct {
	ExitCode int           `json:"exit_code"`
	Wall     time.Duration `json:"wall_ns"`
	PeakRSS  int64         `json:"peak_rss_bytes"`
	Output   []byte        `json:"-"`
}

// PeakRSS runs a command through the peakrss helper and returns its exit
// code, wall time, peak resident memory and combined output. Measured from
// the test process itself, the peak would include the test's own (see
// internal/testenv/peakrss).
func PeakRSS(t testing.TB, name string, args ...string) Measured {
	cmd := exec.Command(filepath.Join(Binaries(t), "peakrss"), append([]string{name}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("peakrss %s: %v\n%s", name, err, stderr.Bytes())
	}
	var m Measured
	if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
		t.Fatalf("peakrss %s: %v: %q", name, err, stdout.Bytes())
	}
	m.Output = stderr.Bytes()
	return m
}

// Inspector returns the path of the MCP Inspector CLI installed by
// `make tools` under .cache/npm, with a PATH whose node is Node 22.
func Inspector(t testing.TB) (bin string, env []string) { return NodeTool(t, "mcp-inspector") }

// NodeTool is an npm-installed command of tools/npm (the MCP Inspector
// CLI, the conformance suite) with an environment whose PATH runs it on
// the Node 22 installed beside it.
func NodeTool(t testing.TB, name string) (bin string, env []string) {
	root := filepath.Join(RepoRoot(t), ".cache", "npm", "node_modules", ".bin")
	bin = filepath.Join(root, name)
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s not installed at %s; run `make tools` (make test does it)", name, bin)
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	env = append(env, "PATH="+root+string(os.PathListSeparator)+os.Getenv("PATH"))
	return bin, env
}

// SarifMultitool is Microsoft's SARIF Multitool (from npm, `make tools`):
// its validate command checks a log against the SARIF 2.1.0 schema.
func SarifMultitool(t testing.TB) string {
	bin := filepath.Join(RepoRoot(t), ".cache", "npm", "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("SARIF Multitool not installed at %s; run `make tools` (make test does it)", bin)
	}
	return bin
}

// RunInspector runs `mcp-inspector --cli` against a stdio server binary,
// with serverEnv as the server's environment (-e), and returns its stdout.
func RunInspector(t testing.TB, server string, serverEnv []string, args ...string) []byte {
	t.Helper()
	out, err := TryInspector(t, server, serverEnv, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TryInspector is RunInspector for a call that may fail: the error holds
// what the Inspector printed.
func TryInspector(t testing.TB, server string, serverEnv []string, args ...string) ([]byte, error) {
	t.Helper()
	inspector, env := Inspector(t)
	full := []string{"--cli", server}
	for _, kv := range serverEnv {
		full = append(full, "-e", kv)
	}
	full = append(full, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, inspector, full...)
	cmd.Env = append(env, "HOME="+t.TempDir())
	cmd.Dir = t.TempDir()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("mcp-inspector %v: %v\nstdout: %s\nstderr: %s", args, err, out, stderr.String())
	}
	return out, nil
}

// InspectorToolNames lists a stdio server's tools through the Inspector
// CLI (tools/list), sorted.
func InspectorToolNames(t testing.TB, server string, serverEnv []string) []string {
	t.Helper()
	out := RunInspector(t, server, serverEnv, "--method", "tools/list")
	var list struct {
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
	}
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatalf("tools/list output is not JSON: %v\n%s", err, out)
	}
	var names []string
	for _, tl := range list.Tools {
		names = append(names, tl.Name)
	}
	sort.Strings(names)
	return names
}

// StartMCP starts an mcp-go client and completes the initialize handshake.
func StartMCP(t testing.TB, c *client.Client) {
	t.Helper()
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	req.Params.ClientInfo = mcp.Implementation{Name: "opsmcp-test", Version: "1"}
	if _, err := c.Initialize(ctx, req); err != nil {
		t.Fatal(err)
	}
}

// HTTPClient is an initialized streamable HTTP session with url, sending
// token as a bearer token when it is not empty; it closes with the test.
func HTTPClient(t testing.TB, url, token string) *client.Client {
	t.Helper()
	var opts []transport.StreamableHTTPCOption
	if token != "" {
		opts = append(opts, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token}))
	}
	c, err := client.NewStreamableHttpClient(url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	StartMCP(t, c)
	return c
}

// PIDOf finds a running process whose command line contains arg (NUL
// separates arguments), for tests that kill a server to see it restarted.
func PIDOf(t testing.TB, arg string) int {
	t.Helper()
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		cmd, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		if strings.Contains(string(cmd), arg) {
			return pid
		}
	}
	t.Fatalf("no process with %q", arg)
	return 0
}

// WaitListening waits up to 20 s for something to accept connections at
// addr, failing the test with what (a server's log) if nothing does.
func WaitListening(t testing.TB, addr string, what func() string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens at %s after 20s\n%s", addr, what())
		}
	}
}

// GoTool is a Go program tests compare against (conftest, kubeconform),
// built once from the Go module proxy into .cache/testbin/NAME-VERSION.
func GoTool(t testing.TB, module, version, name string) string {
	t.Helper()
	bin := filepath.Join(RepoRoot(t), ".cache", "testbin", name+"-"+version)
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	tmp, err := os.MkdirTemp(filepath.Dir(bin), name+"-build-")
	if err != nil {
		os.MkdirAll(filepath.Dir(bin), 0o755)
		if tmp, err = os.MkdirTemp(filepath.Dir(bin), name+"-build-"); err != nil {
			t.Fatal(err)
		}
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command("go", "install", module+"@"+version)
	cmd.Env = append(os.Environ(), "GOBIN="+tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install %s@%s: %v\n%s", module, version, err, out)
	}
	// Renamed into place whole: a parallel test never runs half a binary.
	if err := os.Rename(filepath.Join(tmp, name), bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// Median is the middle of what a benchmark measured (the input is not
// reordered).
func Median[T cmp.Ordered](v []T) T {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
