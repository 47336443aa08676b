// Package fsguard is the one rule for every path a tool reads on the
// server: resolved through symlinks it must lie under an allowed root, be a
// regular file or a directory (no devices, FIFOs or sockets), and it is read
// through a bounded reader that never trusts stat's size.
//
// The CLI reads the paths named on its own command line through a guard
// without roots that also accepts a pipe it was given (<(helm template .)).
package fsguard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// DefaultMaxBytes is limits.max_input_bytes' default: 16 MiB.
const DefaultMaxBytes = 16 << 20

// Guard decides which paths may be read and reads them. The zero value and
// a nil *Guard read any regular file up to DefaultMaxBytes (library use).
type Guard struct {
	roots    []string // resolved; nil: any path
	confined bool     // roots apply (even when empty: nothing may be read)
	max      int64
	pipes    bool // a pipe or character device may be read when named directly
}

// Confined is the server's rule: only paths under roots (resolved through
// symlinks when they exist), at most maxBytes a file.
func Confined(roots []string, maxBytes int64) *Guard {
	g := &Guard{confined: true, max: maxBytes}
	for _, r := range roots {
		if r == "" {
			continue
		}
		g.roots = append(g.roots, resolve(r))
	}
	return g
}

// CommandLine is the CLI's rule for paths named on its own command line:
// any path, a pipe too, at most maxBytes a file.
func CommandLine(maxBytes int64) *Guard {
	return &Guard{max: maxBytes, pipes: true}
}

// MaxBytes is the most a file may hold.
func (g *Guard) MaxBytes() int64 {
	if g == nil || g.max <= 0 {
		return DefaultMaxBytes
	}
	return g.max
}

// Roots are the resolved roots of a confined guard (nil otherwise).
func (g *Guard) Roots() []string {
	if g == nil {
		return nil
	}
	return g.roots
}

// NotAllowedError is the one answer for a path outside every root: the
// same whether it exists or not, so it tells nothing about the file system.
type NotAllowedError struct{ Path string }

func (e *NotAllowedError) Error() string {
	return fmt.Sprintf("%s is not allowed: only paths under read_paths (opsmcp.yaml) may be read", e.Path)
}

// NotRegularError: a device, FIFO or socket.
type NotRegularError struct{ Path string }

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is not a regular file or a directory (devices, pipes and sockets are not read)", e.Path)
}

// TooLargeError: a file over the input limit.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than the input limit of %s (limits.max_input_bytes)", e.Path, human(e.Limit))
}

// NotExistError: a path inside the roots that does not exist.
type NotExistError struct{ Path string }

func (e *NotExistError) Error() string { return e.Path + " does not exist" }
func (e *NotExistError) Unwrap() error { return fs.ErrNotExist }

func human(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// resolve makes p absolute and follows its symlinks component by
// component, as far as they lead: a link to a missing file, or to
// something that is no path at all (/dev/stdin is /proc/self/fd/0, a link
// to "pipe:[N]"), resolves to where it points, never to where the link
// sits, so such a link out of a root is outside it too.
func resolve(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	return follow(abs, 0)
}

// maxLinks is how many links one path may go through (as the kernel's 40).
const maxLinks = 40

func follow(abs string, links int) string {
	parts := strings.Split(strings.TrimPrefix(abs, string(filepath.Separator)), string(filepath.Separator))
	cur := string(filepath.Separator)
	for i, part := range parts {
		if part == "" {
			continue
		}
		next := filepath.Join(cur, part)
		rest := filepath.Join(parts[i+1:]...)
		fi, err := os.Lstat(next)
		if err != nil {
			return filepath.Join(next, rest) // missing: the rest is as written
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		target, err := os.Readlink(next)
		if err != nil || links >= maxLinks {
			return filepath.Join(next, rest)
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(cur, target)
		}
		return follow(filepath.Join(target, rest), links+1)
	}
	return cur
}

func (g *Guard) within(real string) bool {
	if g == nil || !g.confined {
		return true
	}
	return slices.ContainsFunc(g.roots, func(r string) bool { return Under(real, r) })
}

// Under reports whether path p is root or lies below it, by their text
// (both already clean and absolute): the one test of "inside a root".
func Under(p, root string) bool {
	return p == root || strings.HasPrefix(p, strings.TrimSuffix(root, string(filepath.Separator))+string(filepath.Separator))
}

// Allowed reports whether p, resolved, lies under a root; it looks at
// nothing but the path.
func (g *Guard) Allowed(p string) bool { return g.within(resolve(p)) }

// Resolve checks p and returns its real path and what it is: a regular file
// or a directory under a root (a pipe too, for the command line's guard).
// Outside the roots the error is a *NotAllowedError whatever is there.
func (g *Guard) Resolve(p string) (string, fs.FileInfo, error) {
	if strings.TrimSpace(p) == "" {
		return "", nil, errors.New("the path is empty")
	}
	real := resolve(p)
	if !g.within(real) {
		return "", nil, &NotAllowedError{Path: p}
	}
	st, err := os.Stat(real)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return "", nil, &NotExistError{Path: p}
		}
		return "", nil, fmt.Errorf("%s cannot be read: %w", p, cause(err))
	}
	if !st.Mode().IsRegular() && !st.IsDir() && !(g != nil && g.pipes && isPipe(st)) {
		return "", nil, &NotRegularError{Path: p}
	}
	return real, st, nil
}

func isPipe(st fs.FileInfo) bool {
	return st.Mode()&(fs.ModeNamedPipe|fs.ModeCharDevice) != 0
}

// ReadFile reads a file under the rule, at most MaxBytes.
func (g *Guard) ReadFile(p string) ([]byte, error) {
	f, err := g.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	limit := g.MaxBytes()
	// A size over the limit is believed; a size under it is not (a file
	// that grows, a /proc file that says 0): the read itself is bounded.
	size := int64(0)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		if st.Size() > limit {
			return nil, &TooLargeError{Path: p, Limit: limit}
		}
		size = st.Size()
	}
	buf := bytes.NewBuffer(make([]byte, 0, min(size, limit)+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, fmt.Errorf("%s cannot be read: %w", p, cause(err))
	}
	if int64(buf.Len()) > limit {
		return nil, &TooLargeError{Path: p, Limit: limit}
	}
	return buf.Bytes(), nil
}

// Open opens a regular file under the rule (or the command line's pipe).
// It never blocks on a FIFO swapped in after the check: the open does not
// wait for a writer, and what was opened is checked again.
func (g *Guard) Open(p string) (*os.File, error) {
	real, st, err := g.Resolve(p)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not a file", p)
	}
	if isPipe(st) {
		// Only the command line's guard gets here: a pipe it was given.
		return os.Open(real)
	}
	f, err := os.OpenFile(real, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read: %w", p, cause(err))
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, &NotRegularError{Path: p}
	}
	return f, nil
}

// Peek reads up to n bytes from the start of a file under the rule.
func (g *Guard) Peek(p string, n int) ([]byte, error) {
	f, err := g.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, n)
	m, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:m], nil
}

// Glob is filepath.Glob of a pattern in a directory under the rule,
// keeping only regular files (symlinks resolved) under a root.
func (g *Guard) Glob(dir, pattern string) []string {
	matches, _ := filepath.Glob(filepath.Join(dir, pattern))
	out := matches[:0]
	for _, m := range matches {
		if _, st, err := g.Resolve(m); err == nil && st.Mode().IsRegular() {
			out = append(out, m)
		}
	}
	return out
}

// WalkFiles calls fn for every regular file under root (root may itself be
// a file), in lexical order, skipping directories skip says to (it gets
// the directory's path as the caller named root), and
// passing over what the rule refuses (links out of the roots, devices,
// FIFOs). Symlinked directories are not followed.
func (g *Guard) WalkFiles(root string, skip func(dir string) bool, fn func(path string) error) error {
	real, st, err := g.Resolve(root)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fn(root)
	}
	// Walk the real directory (root may be a link to it) and name what is
	// found as the caller named root.
	return filepath.WalkDir(real, func(rp string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable entries are passed over
		}
		p := root
		if rel, _ := filepath.Rel(real, rp); rel != "." {
			p = filepath.Join(root, rel)
		}
		if d.IsDir() {
			if rp != real && skip != nil && skip(p) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			// Only a link may still be a regular file under a root.
			if _, st, err := g.Resolve(p); err != nil || !st.Mode().IsRegular() {
				return nil
			}
		}
		return fn(p)
	})
}

// cause drops the *PathError around an error: messages name the path as
// the caller gave it, not as it resolved.
func cause(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}
