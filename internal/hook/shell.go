// Package hook is what opsmcp's Claude Code hooks decide: whether a shell
// command the agent is about to run changes infrastructure outside opsmcp
// (and so around its gate), and what a file the agent just wrote holds
// wrong. It parses commands with a real shell parser, so a change hidden
// in `sh -c`, `&&`, a pipe, an env prefix, a wrapper or a variable is still
// seen. It knows nothing of MCP.
package hook

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// Blocked is a command that would change infrastructure outside opsmcp.
type Blocked struct {
	// Command is the offending command as found ("terraform apply").
	Command string
	// Instead names what to use within opsmcp.
	Instead string
}

func (b *Blocked) Reason() string {
	return fmt.Sprintf("opsmcp blocks `%s`: it would change infrastructure outside opsmcp's gate (plan, confirmation, approvals, audit). %s", b.Command, b.Instead)
}

// maxDepth bounds nested shells (sh -c "sh -c ...") and evals.
const maxDepth = 8

// Check parses a shell command line run in dir and returns the first
// command in it that would change infrastructure, or nil. Scripts it runs
// by path are read and checked too. A command line that does not parse,
// or that pipes text into a shell, cannot be checked and is blocked: the
// hook fails closed.
func Check(command, dir string) *Blocked {
	return check(command, dir, 0)
}

func check(src, dir string, depth int) *Blocked {
	if depth > maxDepth {
		return &Blocked{Command: "a shell nested more than 8 deep", Instead: "Run the command directly."}
	}
	f, err := syntax.NewParser(syntax.KeepComments(false), syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), "")
	if err != nil {
		return &Blocked{Command: strings.TrimSpace(firstLine(src)), Instead: "The command does not parse as a shell command, so opsmcp cannot tell what it does: " + err.Error()}
	}
	w := &walker{vars: map[string]string{}, depth: depth, dir: dir}
	syntax.Walk(f, w.visit)
	return w.found
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

type walker struct {
	vars  map[string]string // literal assignments seen so far (T=terraform)
	depth int
	dir   string
	found *Blocked
}

func (w *walker) visit(n syntax.Node) bool {
	if w.found != nil {
		return false
	}
	switch n := n.(type) {
	case *syntax.BinaryCmd:
		// A pipe into a shell runs whatever flows in: not checkable.
		if n.Op == syntax.Pipe || n.Op == syntax.PipeAll {
			if call, ok := n.Y.Cmd.(*syntax.CallExpr); ok && len(call.Args) > 0 {
				args := w.words(call.Args)
				if name := commandName(args); isShell(name) && !slices.Contains(args, "-c") {
					w.found = &Blocked{Command: "… | " + strings.Join(args, " "), Instead: "Text piped into a shell cannot be checked; run the commands themselves."}
					return false
				}
			}
		}
	case *syntax.CallExpr:
		if len(n.Args) == 0 {
			for _, a := range n.Assigns {
				if a.Value != nil {
					w.vars[a.Name.Value] = w.word(a.Value)
				}
			}
			return true
		}
		w.found = w.call(w.words(n.Args))
		// Keep walking: command substitutions inside the words run too.
	}
	return true
}

// words are a command's words, with literal variables substituted; a word
// that is not literal keeps its source text.
func (w *walker) words(ws []*syntax.Word) []string {
	out := make([]string, 0, len(ws))
	for _, x := range ws {
		out = append(out, w.word(x))
	}
	return out
}

func (w *walker) word(x *syntax.Word) string {
	var b strings.Builder
	for _, p := range x.Parts {
		w.part(&b, p)
	}
	return b.String()
}

func (w *walker) part(b *strings.Builder, p syntax.WordPart) {
	switch p := p.(type) {
	case *syntax.Lit:
		b.WriteString(p.Value)
	case *syntax.SglQuoted:
		b.WriteString(p.Value)
	case *syntax.DblQuoted:
		for _, q := range p.Parts {
			w.part(b, q)
		}
	case *syntax.ParamExp:
		if v, ok := w.vars[p.Param.Value]; ok && p.Exp == nil && p.Repl == nil && p.Index == nil {
			b.WriteString(v)
			return
		}
		fmt.Fprintf(b, "${%s}", p.Param.Value)
	default:
		b.WriteString("…")
	}
}

// wrappers run the command that follows their own options.
var wrappers = map[string]bool{"env": true, "sudo": true, "command": true, "exec": true, "nohup": true, "time": true,
	"nice": true, "ionice": true, "timeout": true, "doas": true, "xargs": true, "watch": true, "stdbuf": true, "setsid": true, "builtin": true}

func isShell(name string) bool {
	switch name {
	case "sh", "bash", "zsh", "dash", "ksh", "ash", "busybox":
		return true
	}
	return false
}

func commandName(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return path.Base(args[0])
}

// call judges one simple command given as words.
func (w *walker) call(args []string) *Blocked {
	for len(args) > 0 {
		name := commandName(args)
		switch {
		case wrappers[name]:
			args = skipWrapper(name, args[1:])
			continue
		case isShell(name) || name == "eval":
			if script, ok := shellScript(name, args[1:]); ok {
				return check(script, w.dir, w.depth+1)
			}
			if file := firstOperand(args[1:]); file != "" {
				return w.script(file, false)
			}
			return nil
		case strings.Contains(args[0], "/"):
			if b := w.script(args[0], true); b != nil {
				return b
			}
		case strings.ContainsAny(args[0], "${…"):
			// A command name only known when it runs ($TOOL apply): judged
			// by what it is asked to do.
			for _, a := range args[1:] {
				if changeVerbs[a] {
					return &Blocked{Command: args[0] + " " + a, Instead: "opsmcp cannot tell which command " + args[0] + " is; run the command by its name."}
				}
			}
			return nil
		}
		return judge(name, args[1:])
	}
	return nil
}

// changeVerbs are the subcommands that change something in terraform,
// kubectl and helm.
var changeVerbs = map[string]bool{"apply": true, "destroy": true, "import": true, "taint": true, "delete": true, "create": true,
	"replace": true, "patch": true, "edit": true, "scale": true, "install": true, "upgrade": true, "uninstall": true, "rollback": true}

// maxScript bounds a script read to check it.
const maxScript = 1 << 20

// script checks a script file the command runs (bash deploy.sh,
// ./deploy.sh); an executable is checked only when it is a script (#!).
func (w *walker) script(file string, needShebang bool) *Blocked {
	if !filepath.IsAbs(file) {
		file = filepath.Join(w.dir, file)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, maxScript))
	if needShebang && !bytes.HasPrefix(b, []byte("#!")) {
		return nil
	}
	return check(string(b), filepath.Dir(file), w.depth+1)
}

// firstOperand is the first argument that is not an option: the script a
// shell runs.
func firstOperand(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

// skipWrapper drops a wrapper's own options and assignments (env FOO=1,
// timeout 30s, nice -n 5, sudo -u root).
func skipWrapper(name string, args []string) []string {
	for len(args) > 0 {
		a := args[0]
		switch {
		case strings.HasPrefix(a, "-"):
			args = args[1:]
			// Options that take a value as the next word.
			if (name == "sudo" && (a == "-u" || a == "-g")) || (name == "nice" && a == "-n") || (name == "env" && (a == "-u" || a == "-C")) ||
				(name == "ionice" && (a == "-c" || a == "-n")) || (name == "xargs" && (a == "-I" || a == "-n" || a == "-P" || a == "-L")) || (name == "watch" && a == "-n") {
				if len(args) > 0 {
					args = args[1:]
				}
			}
		case strings.Contains(a, "=") && (name == "env" || name == "sudo"):
			args = args[1:]
		case name == "timeout" && len(a) > 0 && a[0] >= '0' && a[0] <= '9':
			args = args[1:]
		default:
			return args
		}
	}
	return args
}

// shellScript is the script a shell or eval runs from its arguments:
// sh -c 'SCRIPT', eval WORDS.
func shellScript(name string, args []string) (string, bool) {
	if name == "eval" {
		return strings.Join(args, " "), len(args) > 0
	}
	for i, a := range args {
		if a == "-c" || (strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "c")) {
			if i+1 < len(args) {
				return args[i+1], true
			}
		}
	}
	return "", false
}
