package gate

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// Origin is the commit a plan was made from: the repository on GitHub
// (owner/name, from the origin remote), the head commit, and whether the
// working tree held uncommitted changes.
type Origin struct {
	Repo   string `json:"repo,omitempty"`
	Commit string `json:"commit,omitempty"`
	Dirty  bool   `json:"dirty,omitempty"`
}

// remoteRepo takes owner/name from a GitHub remote URL in any of its
// forms (https, ssh, scp-like).
var remoteRepo = regexp.MustCompile(`^(?:https?://|ssh://)?(?:[^@/]+@)?[^/:]+[:/]([^/]+)/([^/]+?)(?:\.git)?/?$`)

// OriginOf reads dir's git origin, or the zero Origin outside a git
// repository. git runs with the file-system monitor off: nothing the
// repository configures is executed to answer.
func OriginOf(ctx context.Context, dir string) Origin {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	git := func(args ...string) (string, bool) {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-c", "core.fsmonitor=false", "-C", dir}, args...)...)
		out, err := cmd.Output()
		return strings.TrimSpace(string(out)), err == nil
	}
	sha, ok := git("rev-parse", "HEAD")
	if !ok {
		return Origin{}
	}
	o := Origin{Commit: sha}
	if url, ok := git("config", "--get", "remote.origin.url"); ok {
		if m := remoteRepo.FindStringSubmatch(url); m != nil {
			o.Repo = m[1] + "/" + m[2]
		}
	}
	if status, ok := git("status", "--porcelain", "--untracked-files=normal", "--", "."); !ok || status != "" {
		o.Dirty = true
	}
	return o
}
