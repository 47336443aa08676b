// Command peakrss runs a command (its output goes to stderr) and prints its
// exit code, wall time and peak resident memory as JSON on stdout; tests
// use it through testenv.PeakRSS.
//
// The command's binary is first dropped from the page cache, so every
// measurement starts from the same state: a binary the Go linker or a large
// write has just produced sits in the cache in large folios that the
// kernel maps whole, adding up to 20 MB of file pages to the peak of the
// same program.
//
// It exists because a child started directly by a test shares the test's
// address space until exec (Go starts children with vfork), and Linux
// carries the old address space's high-water mark into the child's
// ru_maxrss: every child of a large test binary would report at least the
// test's own peak. Started from this small process instead, a child's
// ru_maxrss is its own.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: peakrss COMMAND [ARG...]")
		os.Exit(2)
	}
	bin, err := exec.LookPath(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(127)
	}
	if err := evict(bin); err != nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(127)
	}
	cmd := exec.Command(bin, os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stderr, os.Stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	code := 0
	if err != nil {
		exit, ok := err.(*exec.ExitError)
		if !ok {
			fmt.Fprintln(os.Stderr, "peakrss:", err)
			os.Exit(127)
		}
		code = exit.ExitCode()
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	json.NewEncoder(os.Stdout).Encode(map[string]int64{
		"exit_code": int64(code), "wall_ns": wall.Nanoseconds(), "peak_rss_bytes": ru.Maxrss * 1024})
}

// evict drops a file's clean pages from the page cache.
func evict(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}
