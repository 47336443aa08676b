package validate

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/opsmcp/opsmcp/internal/redact"
)

// Dockerfile rules, modelled on hadolint; the id is hadolint's where one exists.
func init() {
	rules := []*Rule{
		{ID: "dockerfile-syntax", Severity: SeverityError, Always: true, Summary: "The Dockerfile does not parse (BuildKit's parser and instruction checks)."},
		{ID: "DL3006", Summary: "FROM an image without a tag.", Rationale: "The base changes under you; builds are not reproducible."},
		{ID: "DL3007", Summary: "FROM an image tagged latest.", Rationale: "latest moves; pin a version."},
		{ID: "DL3002", Summary: "The last USER is root.", Rationale: "The container runs as root; a breakout starts with full privileges."},
		{ID: "DL3004", Severity: SeverityError, Summary: "sudo in RUN.", Rationale: "Build steps already run as root; sudo has unpredictable TTY and signal behaviour."},
		{ID: "DL3008", Summary: "apt-get install without pinned versions (pkg=version).", Rationale: "Rebuilds pick up different packages."},
		{ID: "DL3013", Summary: "pip install without pinned versions (pkg==version).", Rationale: "Rebuilds pick up different packages."},
		{ID: "DL3016", Summary: "npm install of a package without a version (pkg@version).", Rationale: "Rebuilds pick up different packages."},
		{ID: "DL3018", Summary: "apk add without pinned versions (pkg=version).", Rationale: "Rebuilds pick up different packages."},
		{ID: "DL3009", Severity: SeverityInfo, Summary: "apt-get lists are not deleted after installing.", Rationale: "/var/lib/apt/lists stays in the layer: a bigger image."},
		{ID: "DL3015", Severity: SeverityInfo, Summary: "apt-get install without --no-install-recommends.", Rationale: "Recommended packages bloat the image and its attack surface."},
		{ID: "DL3020", Severity: SeverityError, Summary: "ADD for local files or folders; use COPY.", Rationale: "ADD also fetches URLs and unpacks archives: surprising for plain copies."},
		{ID: "DL3025", Summary: "CMD or ENTRYPOINT in shell form; use the JSON (exec) form.", Rationale: "The shell form runs under /bin/sh -c, so the process does not get signals (no graceful stop)."},
		{ID: "DL3000", Severity: SeverityError, Summary: "WORKDIR is not an absolute path.", Rationale: "A relative WORKDIR depends on every earlier one."},
		{ID: "DL3003", Summary: "cd in RUN; use WORKDIR.", Rationale: "cd lasts one RUN; WORKDIR is explicit for the rest of the stage."},
		{ID: "DL4000", Severity: SeverityError, Summary: "MAINTAINER is deprecated; use a LABEL.", Rationale: "Removed from the Dockerfile reference."},
		{ID: "DL4006", Summary: "RUN with a pipe without SHELL -o pipefail.", Rationale: "A failing command before a pipe does not fail the build."},
		{ID: "DL3059", Severity: SeverityInfo, Summary: "Consecutive RUN instructions; consider joining them.", Rationale: "Each RUN is a layer."},
		{ID: "DL4003", Summary: "More than one CMD in a stage; only the last counts.", Rationale: "The earlier ones are dead code that misleads readers."},
		{ID: "DL4004", Severity: SeverityError, Summary: "More than one ENTRYPOINT in a stage; only the last counts.", Rationale: "The earlier ones are dead code that misleads readers."},
		{ID: "docker-secret-in-env", Severity: SeverityError, Summary: "A secret-looking ENV or ARG value.", Rationale: "ENV and ARG values are stored in the image's history and metadata; use build secrets (RUN --mount=type=secret)."},
		{ID: "docker-no-healthcheck", Severity: SeverityInfo, Summary: "The final stage has no HEALTHCHECK.", Rationale: "Docker and compose cannot tell a hung container from a healthy one."},
	}
	registerType("docker", SeverityWarning, rules...)
}

// isDockerfile recognises Dockerfile, Dockerfile.prod, api.Dockerfile.
func isDockerfile(name string) bool {
	base := strings.ToLower(path.Base(name))
	return base == "dockerfile" || strings.HasPrefix(base, "dockerfile.") || strings.HasSuffix(base, ".dockerfile")
}

type dockerChecker struct {
	file string
	add  func(Finding)
}

func (c *dockerChecker) find(rule string, line int, format string, a ...any) {
	c.add(Finding{Rule: rule, Severity: registry[rule].Severity, File: c.file, Line: max(line, 1), Message: fmt.Sprintf(format, a...)})
}

var (
	pipeRe     = regexp.MustCompile(`[^|]\|[^|]`)
	aptInstall = regexp.MustCompile(`\bapt-get\s+(?:-\S+\s+)*install\b`)
	cdRe       = regexp.MustCompile(`(?:^|&&|;)\s*cd\s`)
	commandSep = regexp.MustCompile(`&&|\|\||;|\|`)
)

// validateDockerfile parses with BuildKit's parser, checks each
// instruction as BuildKit would, then applies the rules.
func validateDockerfile(file string, data []byte, add func(Finding)) {
	c := &dockerChecker{file: file, add: add}
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		line := 1
		if loc, ok := err.(interface{ Location() []parser.Range }); ok && len(loc.Location()) > 0 {
			line = loc.Location()[0].Start.Line
		}
		c.find("dockerfile-syntax", line, "%v", err)
		return
	}
	if len(res.AST.Children) == 0 {
		c.find("dockerfile-syntax", 1, "the Dockerfile has no instructions")
		return
	}
	stages := map[string]bool{}
	var (
		user          string
		pipefail      bool
		prevRun       bool
		cmds, entries []int
		healthcheck   bool
		sawFrom       bool
	)
	endStage := func() {
		if len(cmds) > 1 {
			c.find("DL4003", cmds[len(cmds)-2], "more than one CMD in this stage; only the last (line %d) counts", cmds[len(cmds)-1])
		}
		if len(entries) > 1 {
			c.find("DL4004", entries[len(entries)-2], "more than one ENTRYPOINT in this stage; only the last (line %d) counts", entries[len(entries)-1])
		}
		cmds, entries = nil, nil
	}
	for _, n := range res.AST.Children {
		if _, err := instructions.ParseInstruction(n); err != nil {
			c.find("dockerfile-syntax", n.StartLine, "%s: %v", strings.ToUpper(n.Value), err)
			continue
		}
		args := nodeArgs(n)
		line := n.StartLine
		instr := strings.ToLower(n.Value)
		isRun := instr == "run"
		switch instr {
		case "from":
			if sawFrom {
				endStage()
			}
			sawFrom, user, pipefail, healthcheck = true, "", false, false
			if len(args) == 0 {
				break
			}
			image := args[0]
			for i, a := range args {
				if strings.EqualFold(a, "as") && i+1 < len(args) {
					stages[strings.ToLower(args[i+1])] = true
				}
			}
			c.checkImage(image, line, stages)
		case "user":
			if len(args) > 0 {
				user = args[0]
			}
		case "shell":
			pipefail = slices.Contains(args, "pipefail")
		case "run":
			cmd := strings.Join(args, " ")
			c.checkRun(cmd, line, pipefail)
		case "cmd":
			cmds = append(cmds, line)
			if !n.Attributes["json"] {
				c.find("DL3025", line, "CMD in shell form; write it as JSON: CMD [\"executable\", \"arg\"]")
			}
		case "entrypoint":
			entries = append(entries, line)
			if !n.Attributes["json"] {
				c.find("DL3025", line, "ENTRYPOINT in shell form; write it as JSON: ENTRYPOINT [\"executable\", \"arg\"]")
			}
		case "workdir":
			if len(args) > 0 {
				dir := strings.Trim(args[0], `"'`)
				if !strings.HasPrefix(dir, "/") && !strings.HasPrefix(dir, "$") && !(len(dir) > 1 && dir[1] == ':') {
					c.find("DL3000", line, "WORKDIR %s is not absolute", dir)
				}
			}
		case "maintainer":
			c.find("DL4000", line, "MAINTAINER is deprecated; use LABEL org.opencontainers.image.authors=...")
		case "add":
			c.checkAdd(n, args, line)
		case "env", "arg":
			c.checkEnv(instr, args, line)
		case "healthcheck":
			healthcheck = true
		}
		if isRun && prevRun {
			c.find("DL3059", line, "consecutive RUN instructions; join them with && to save a layer")
		}
		prevRun = isRun
	}
	endStage()
	if u := strings.SplitN(user, ":", 2)[0]; u == "root" || u == "0" {
		c.find("DL3002", lastLine(res.AST, "user"), "the last USER is %s: the container runs as root", user)
	}
	if !healthcheck {
		c.find("docker-no-healthcheck", lastLine(res.AST, "from"), "the final stage has no HEALTHCHECK")
	}
}

func nodeArgs(n *parser.Node) []string {
	var out []string
	for a := n.Next; a != nil; a = a.Next {
		out = append(out, a.Value)
	}
	return out
}

func lastLine(ast *parser.Node, instr string) int {
	line := 1
	for _, n := range ast.Children {
		if strings.EqualFold(n.Value, instr) {
			line = n.StartLine
		}
	}
	return line
}

func (c *dockerChecker) checkImage(image string, line int, stages map[string]bool) {
	if image == "scratch" || stages[strings.ToLower(image)] || strings.Contains(image, "$") {
		return
	}
	if strings.Contains(image, "@") {
		return // pinned by digest
	}
	last := image[strings.LastIndex(image, "/")+1:]
	switch {
	case !strings.Contains(last, ":"):
		c.find("DL3006", line, "FROM %s has no tag", image)
	case strings.HasSuffix(last, ":latest"):
		c.find("DL3007", line, "FROM %s uses latest", image)
	}
}

func (c *dockerChecker) checkRun(cmd string, line int, pipefail bool) {
	words := strings.Fields(cmd)
	if slices.Contains(words, "sudo") {
		c.find("DL3004", line, "RUN uses sudo")
	}
	if cdRe.MatchString(cmd) {
		c.find("DL3003", line, "RUN uses cd; use WORKDIR for the directory")
	}
	if pipeRe.MatchString(cmd) && !pipefail && !strings.Contains(cmd, "set -o pipefail") {
		c.find("DL4006", line, "RUN has a pipe; set SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] first so a failing command fails the build")
	}
	for _, seg := range splitCommands(cmd) {
		f := strings.Fields(seg)
		switch {
		case aptInstall.MatchString(seg):
			if unpinned := packagesAfter(f, "install", func(p string) bool { return strings.Contains(p, "=") }); len(unpinned) > 0 {
				c.find("DL3008", line, "apt-get install without versions: %s (pin pkg=version)", strings.Join(unpinned, ", "))
			}
			if !strings.Contains(seg, "--no-install-recommends") {
				c.find("DL3015", line, "apt-get install without --no-install-recommends")
			}
			if !strings.Contains(cmd, "rm -rf /var/lib/apt/lists") {
				c.find("DL3009", line, "apt-get lists are not deleted; end the RUN with rm -rf /var/lib/apt/lists/*")
			}
		case len(f) > 2 && (f[0] == "pip" || f[0] == "pip3" || (len(f) > 3 && f[1] == "-m" && f[2] == "pip")) && slices.Contains(f, "install"):
			if slices.Contains(f, "-r") || slices.Contains(f, "--requirement") || slices.Contains(f, ".") {
				continue
			}
			if unpinned := packagesAfter(f, "install", func(p string) bool {
				return strings.ContainsAny(p, "=<>~") || strings.Contains(p, "/") || strings.HasSuffix(p, ".whl")
			}); len(unpinned) > 0 {
				c.find("DL3013", line, "pip install without versions: %s (pin pkg==version)", strings.Join(unpinned, ", "))
			}
		case len(f) > 2 && f[0] == "npm" && (f[1] == "install" || f[1] == "i" || f[1] == "add"):
			if unpinned := packagesAfter(f, f[1], func(p string) bool {
				return strings.LastIndex(p, "@") > 0 || strings.Contains(p, "/") && !strings.HasPrefix(p, "@")
			}); len(unpinned) > 0 {
				c.find("DL3016", line, "npm install without versions: %s (pin pkg@version)", strings.Join(unpinned, ", "))
			}
		case len(f) > 2 && f[0] == "apk" && f[1] == "add":
			if unpinned := packagesAfter(f, "add", func(p string) bool { return strings.Contains(p, "=") }); len(unpinned) > 0 {
				c.find("DL3018", line, "apk add without versions: %s (pin pkg=version)", strings.Join(unpinned, ", "))
			}
		}
	}
}

// splitCommands splits a shell command at &&, ||, ; and |.
func splitCommands(cmd string) []string {
	return commandSep.Split(cmd, -1)
}

// packagesAfter lists the package arguments after verb that pinned rejects.
func packagesAfter(f []string, verb string, pinned func(string) bool) []string {
	var out []string
	after := false
	for _, w := range f {
		if w == verb {
			after = true
			continue
		}
		if !after || strings.HasPrefix(w, "-") || strings.Contains(w, "$") || w == "\\" {
			continue
		}
		if !pinned(w) {
			out = append(out, w)
		}
	}
	return out
}

func (c *dockerChecker) checkAdd(n *parser.Node, args []string, line int) {
	var srcs []string
	for _, a := range args {
		if !strings.HasPrefix(a, "--") {
			srcs = append(srcs, a)
		}
	}
	if len(srcs) < 2 {
		return
	}
	for _, s := range srcs[:len(srcs)-1] {
		lower := strings.ToLower(s)
		remote := strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "git@")
		archive := false
		for _, ext := range []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst"} {
			archive = archive || strings.HasSuffix(lower, ext)
		}
		if !remote && !archive {
			c.find("DL3020", line, "ADD %s copies a local file; use COPY", s)
			return
		}
	}
}

func (c *dockerChecker) checkEnv(instr string, args []string, line int) {
	// ENV nodes hold name, value, separator triples; ARG nodes name=value.
	for i := 0; i < len(args); i++ {
		name, value := args[i], ""
		if k, v, ok := strings.Cut(name, "="); ok && instr == "arg" {
			name, value = k, v
		} else if instr == "env" && i+1 < len(args) {
			value = args[i+1]
			i += 2
		}
		if value != "" && (redact.SecretNamed(name) || redact.LooksSecret(value)) && !strings.HasPrefix(value, "$") {
			c.find("docker-secret-in-env", line, "%s %s holds a secret-looking value; it is stored in the image", strings.ToUpper(instr), name)
		}
	}
}
