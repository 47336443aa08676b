package servers_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/testenv"
)

// readiness is /readyz's answer.
type readiness struct {
	status int
	Ready  bool              `json:"ready"`
	Checks map[string]string `json:"checks"`
	body   string
}

func getReadyz(t *testing.T, addr, path string) readiness {
	t.Helper()
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := readiness{status: resp.StatusCode, body: string(b)}
	if path == "/readyz" {
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("/readyz is not JSON: %s", b)
		}
	}
	return r
}

// /readyz answers 200 only while the memory store, terraform and the
// configured Kubernetes API all answer, and otherwise 503 naming each one
// that does not (a rolling update then waits, and a load balancer stops
// sending calls); /healthz stays 200 while the process is up.
func TestReadyzNamesWhatIsMissing(t *testing.T) {
	testenv.Terraform(t)
	k := testenv.SharedKubesim(t)
	pg, err := testenv.StartPostgres()
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Stop()
	// The server ignores the password (trust); it must not be echoed.
	memURL := strings.Replace(pg.NewDatabase(t), "opsmcp@", "opsmcp:pw-not-for-readyz@", 1)

	healthy := serveAll(t, fmt.Sprintf("memory: %s\nkubernetes:\n  kubeconfig: %s\n", memURL, k.Kubeconfig))
	r := getReadyz(t, healthy.addr, "/readyz")
	if r.status != 200 || !r.Ready || r.Checks["memory"] != "ok" || r.Checks["terraform"] != "ok" || r.Checks["kubernetes"] != "ok" {
		t.Fatalf("with everything up: %d %s", r.status, r.body)
	}

	dead := filepath.Join(t.TempDir(), "kubeconfig")
	os.WriteFile(dead, []byte(`apiVersion: v1
kind: Config
clusters: [{name: gone, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: gone, context: {cluster: gone, user: u}}]
current-context: gone
`), 0o600)
	broken := serveAll(t, fmt.Sprintf("memory: %s\nkubernetes:\n  kubeconfig: %s\nterraform:\n  binary: /nonexistent/terraform\n", memURL, dead))
	r = getReadyz(t, broken.addr, "/readyz")
	if r.status != 503 || r.Ready || r.Checks["memory"] != "ok" ||
		!strings.Contains(r.Checks["terraform"], "/nonexistent/terraform") || !strings.Contains(r.Checks["kubernetes"], "127.0.0.1:1") {
		t.Fatalf("without terraform and with the Kubernetes API gone: %d %s", r.status, r.body)
	}
	if h := getReadyz(t, broken.addr, "/healthz"); h.status != 200 {
		t.Errorf("/healthz of a running process that is not ready: %d %s", h.status, h.body)
	}

	pg.Stop() // the memory store goes away under a running server
	r = getReadyz(t, healthy.addr, "/readyz")
	if r.status != 503 || r.Ready || r.Checks["memory"] == "ok" || r.Checks["memory"] == "" || r.Checks["terraform"] != "ok" {
		t.Fatalf("with PostgreSQL down: %d %s", r.status, r.body)
	}
	if strings.Contains(r.body, "pw-not-for-readyz") {
		t.Errorf("/readyz shows the memory URL's password: %s", r.body)
	}
	if h := getReadyz(t, healthy.addr, "/healthz"); h.status != 200 {
		t.Errorf("/healthz with PostgreSQL down: %d %s", h.status, h.body)
	}
}
