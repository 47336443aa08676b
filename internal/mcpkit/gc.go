package mcpkit

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
)

// serveGCPercent is the GC target of an HTTP service. A process answering
// many small calls keeps a small live heap, so at Go's default of 100 it
// collects every few megabytes and GC becomes a large share of its CPU and
// of its tail latency; 400 trades some memory for both (BenchmarkHTTPLoad).
const serveGCPercent = 400

// gcSettings is the GC percent and soft memory limit (0: none) for serving
// HTTP. GOGC and GOMEMLIMIT, when set, are the operator's and are kept. The
// limit is 90% of the cgroup's memory limit, so a container nearing its
// limit collects harder instead of being killed.
func gcSettings(getenv func(string) string, cgroupRoot string) (percent int, limit int64) {
	percent = -2 // unchanged
	if getenv("GOGC") == "" {
		percent = serveGCPercent
	}
	if getenv("GOMEMLIMIT") == "" {
		if max := cgroupMemoryMax(cgroupRoot); max > 0 {
			limit = max / 10 * 9
		}
	}
	return percent, limit
}

// cgroupMemoryMax is the memory limit of this process's cgroup (v2, else
// v1), or 0 when there is none.
func cgroupMemoryMax(root string) int64 {
	for _, f := range []string{"memory.max", "memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil || n <= 0 || n >= 1<<60 { // "max", or v1's "unlimited"
			return 0
		}
		return n
	}
	return 0
}

// tuneGCForServing applies gcSettings to this process and returns them
// for the start-up log line.
func tuneGCForServing() (percent int, limit int64) {
	percent, limit = gcSettings(os.Getenv, "/sys/fs/cgroup")
	if percent != -2 {
		debug.SetGCPercent(percent)
	} else {
		percent = debug.SetGCPercent(-1)
		debug.SetGCPercent(percent)
	}
	if limit > 0 {
		debug.SetMemoryLimit(limit)
	}
	return percent, limit
}
