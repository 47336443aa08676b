package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Postgres is a real PostgreSQL server from the machine's binaries
// (initdb, postgres), on a free loopback port in a temp dir.
type Postgres struct {
	URL  string // the postgres database, as superuser opsmcp
	dir  string
	cmd  *exec.Cmd
	dbs  atomic.Int64
	port int
}

// pgBinDir finds initdb and postgres: on PATH, else `pg_config --bindir`.
func pgBinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("postgres"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	out, err := exec.Command("pg_config", "--bindir").Output()
	if err == nil {
		dir := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	return "", errors.New("PostgreSQL server binaries (initdb, postgres) not found on PATH or via pg_config --bindir; install Debian's postgresql package (.ci/run does)")
}

// asUser runs cmd as the postgres (or nobody) user when we are root:
// PostgreSQL refuses to run as root.
func asUser(cmd *exec.Cmd, uid, gid int) {
	if uid < 0 {
		return
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, Pdeathsig: syscall.SIGKILL}
}

// StartPostgres initialises and starts a server; Stop removes everything.
func StartPostgres() (*Postgres, error) {
	bin, err := pgBinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "opsmcp-pg-")
	if err != nil {
		return nil, err
	}
	uid, gid := -1, -1
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			u, err = user.Lookup("nobody")
		}
		if err != nil {
			return nil, errors.New("running as root and there is no postgres or nobody user to run PostgreSQL as")
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		if err := os.Chmod(dir, 0o755); err != nil {
			return nil, err
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "opsmcp", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions")
	asUser(initdb, uid, gid)
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := FreePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	p := &Postgres{dir: dir, port: port, URL: fmt.Sprintf("postgres://opsmcp@127.0.0.1:%d/postgres?sslmode=disable", port)}
	p.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200")
	asUser(p.cmd, uid, gid)
	if p.cmd.SysProcAttr == nil {
		p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	}
	logf, _ := os.Create(filepath.Join(dir, "postgres.log"))
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	if err := p.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, p.URL)
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return p, nil
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
			p.Stop()
			return nil, fmt.Errorf("postgres did not accept connections within 30s: %v\n%s", err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// NewDatabase creates an empty database and returns its URL.
func (p *Postgres) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), p.dbs.Add(1))
	conn, err := pgx.Connect(context.Background(), p.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("postgres://opsmcp@127.0.0.1:%d/%s?sslmode=disable", p.port, name)
}

// Stop shuts the server down (fast shutdown) and removes its files.
func (p *Postgres) Stop() {
	if p.cmd != nil && p.cmd.Process != nil {
		p.cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			p.cmd.Process.Kill()
			<-done
		}
	}
	os.RemoveAll(p.dir)
}

// shared is a component started once per test process, on first use.
type shared[T any] struct {
	once sync.Once
	v    T
	err  error
}

func (s *shared[T]) get(t testing.TB, start func() (T, error)) T {
	t.Helper()
	s.once.Do(func() { s.v, s.err = start() })
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.v
}

var sharedPG shared[*Postgres]

// SharedPostgres starts one server per test process on first use; call
// StopSharedPostgres from TestMain after m.Run.
func SharedPostgres(t testing.TB) *Postgres {
	t.Helper()
	return sharedPG.get(t, StartPostgres)
}

// StopSharedPostgres stops the server SharedPostgres started, if any.
func StopSharedPostgres() {
	if sharedPG.v != nil {
		sharedPG.v.Stop()
	}
}
