package kubesim

// The cluster's processes: started, watched, stopped.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

func (k *Cluster) start(name string, args ...string) error {
	logf, err := os.OpenFile(filepath.Join(k.Dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(filepath.Join(k.bin, name), args...)
	cmd.Dir = k.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	if k.detach {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	} else {
		// Die with the test process even when it panics or is killed.
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", name, err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	k.mu.Lock()
	k.procs[name] = p
	k.mu.Unlock()
	return nil
}

// proc is a started component and a channel closed when it exits.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func (k *Cluster) exited(name string) bool {
	k.mu.Lock()
	p := k.procs[name]
	k.mu.Unlock()
	if p == nil {
		return true
	}
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (k *Cluster) stop(name string) {
	k.mu.Lock()
	p := k.procs[name]
	delete(k.procs, name)
	k.mu.Unlock()
	if p == nil {
		return
	}
	// A throwaway cluster: no graceful shutdown to wait for (the apiserver's
	// takes over 10 s), and etcd runs without fsync anyway.
	p.cmd.Process.Kill()
	<-p.done
}
