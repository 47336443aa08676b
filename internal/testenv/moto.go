package testenv

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Moto is moto's server (the machine image has moto_server): the AWS APIs
// on a loopback port. Tests point the AWS SDK and the terraform AWS
// provider at URL.
type Moto struct {
	URL    string
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has ended
	log    string
}

// StartMoto starts moto_server on a free loopback port and waits until it
// answers. A server that ends before it answers (another program took the
// port first) is started again on another port.
func StartMoto() (*Moto, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, errors.New("moto_server is not on PATH (the machine image has it; pip install 'moto[server]' elsewhere)")
	}
	for attempt := 1; ; attempt++ {
		m, err := startMoto(bin)
		if !errors.Is(err, errEndedEarly) || attempt == 3 {
			return m, err
		}
	}
}

// errEndedEarly is a server process that ended before it answered.
var errEndedEarly = errors.New("ended before it answered")

func startMoto(bin string) (*Moto, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	logf, err := os.CreateTemp("", "opsmcp-moto-*.log")
	if err != nil {
		return nil, err
	}
	m := &Moto{URL: "http://127.0.0.1:" + strconv.Itoa(port), log: logf.Name(), exited: make(chan struct{})}
	m.cmd = exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	m.cmd.Stdout, m.cmd.Stderr = logf, logf
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := m.cmd.Start(); err != nil {
		logf.Close()
		os.Remove(m.log)
		return nil, err
	}
	logf.Close()
	go func() {
		m.cmd.Wait()
		close(m.exited)
	}()
	// A port some other program holds may accept and never answer.
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get(m.URL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return m, nil
			}
		}
		select {
		case <-m.exited:
			out, _ := os.ReadFile(m.log)
			m.Stop()
			return nil, fmt.Errorf("moto_server on port %d %w: %s\n%s", port, errEndedEarly, m.cmd.ProcessState, out)
		default:
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(m.log)
			m.Stop()
			return nil, fmt.Errorf("moto_server did not answer within 30s: %v\n%s", err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Reset empties every moto backend (POST /moto-api/reset).
func (m *Moto) Reset(t testing.TB) {
	t.Helper()
	resp, err := http.Post(m.URL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("moto reset: %s", resp.Status)
	}
}

// Stop kills the server and removes its log.
func (m *Moto) Stop() {
	if m.cmd != nil && m.cmd.Process != nil {
		m.cmd.Process.Kill()
		<-m.exited
	}
	os.Remove(m.log)
}

var sharedMoto shared[*Moto]

// SharedMoto starts one moto server per test process on first use; call
// StopSharedMoto from TestMain after m.Run.
func SharedMoto(t testing.TB) *Moto {
	t.Helper()
	return sharedMoto.get(t, StartMoto)
}

// StopSharedMoto stops the server SharedMoto started, if any.
func StopSharedMoto() {
	if sharedMoto.v != nil {
		sharedMoto.v.Stop()
	}
}

// TerraformAWSPluginDir is the filesystem mirror of the hashicorp/aws
// provider on the machine image, which lets terraform plan AWS resources
// (against moto) without a registry.
func TerraformAWSPluginDir(t testing.TB) string {
	t.Helper()
	const dir = "/opt/tf-plugins"
	if _, err := os.Stat(filepath.Join(dir, "registry.terraform.io", "hashicorp", "aws")); err != nil {
		t.Fatalf("the hashicorp/aws provider mirror %s is missing (it is on the machine image); these tests plan real AWS resources against moto", dir)
	}
	return dir
}
