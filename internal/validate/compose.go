package validate

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
	"go.yaml.in/yaml/v3"

	"github.com/opsmcp/opsmcp/internal/redact"
)

func init() {
	// compose-go reports through logrus; its findings come back to us as
	// errors, and nothing may reach a stdio server's streams as text.
	logrus.SetOutput(io.Discard)
	rules := []*Rule{
		{ID: "compose-load", Severity: SeverityError, Always: true, Summary: "The compose file does not load (compose-spec schema, interpolation, references)."},
		{ID: "compose-privileged", Summary: "A privileged service.", Rationale: "It has every capability and the host's devices."},
		{ID: "compose-host-network", Summary: "A service on the host network (network_mode: host).", Rationale: "It sees every interface of the host and bypasses compose networks."},
		{ID: "compose-latest-tag", Summary: "A service image without a tag or with :latest.", Rationale: "The image changes under you; deployments are not reproducible."},
		{ID: "compose-no-healthcheck", Severity: SeverityInfo, Summary: "A service with an image but no healthcheck.", Rationale: "depends_on: condition: service_healthy and restarts cannot tell a hung service."},
		{ID: "compose-secret-in-env", Severity: SeverityError, Summary: "A secret-looking literal in a service's environment.", Rationale: "Compose files are committed; use secrets: or an env_file kept out of the repository."},
	}
	registerType("compose", SeverityWarning, rules...)
}

// isComposeFile recognises compose.yaml, docker-compose.yml and overrides.
func isComposeFile(name string) bool {
	base := strings.ToLower(filepath.Base(name))
	ext := filepath.Ext(base)
	if ext != ".yaml" && ext != ".yml" {
		return false
	}
	stem := strings.TrimSuffix(base, ext)
	return stem == "compose" || stem == "docker-compose" || strings.HasPrefix(stem, "compose.") || strings.HasPrefix(stem, "docker-compose.")
}

// composePath finds "services.web.ports" style paths in loader errors.
var composePath = regexp.MustCompile(`((?:services|networks|volumes|secrets|configs)(?:\.[A-Za-z0-9_.\-]+)*)`)

// validateCompose loads a compose file with the compose-spec loader (its
// schema and consistency checks), then applies the rules to the project.
// requiredVariable is compose-go's error for ${VAR:?message} unset.
var requiredVariable = regexp.MustCompile(`required variable ([A-Za-z_][A-Za-z0-9_]*) is missing a value`)

func validateCompose(ctx context.Context, file string, data []byte, add func(Finding)) {
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	lineOf := func(path ...string) int {
		n := doc
		for _, seg := range path {
			next := child(n, seg)
			if next == nil {
				break
			}
			n = next
		}
		return max(n.Line, 1)
	}
	find := func(rule string, line int, resource, format string, a ...any) {
		add(Finding{Rule: rule, Severity: registry[rule].Severity, File: file, Line: line, Resource: resource, Message: fmt.Sprintf(format, a...)})
	}
	dir, _ := filepath.Abs(filepath.Dir(file))
	// The file is validated as written, not with this machine's variables:
	// unset ones are empty, and a required one (${VAR:?message}), which
	// compose asks for at up time, stands as "$VAR" so that loading goes on.
	env := types.Mapping{}
	var project *types.Project
	var err error
	for range 64 {
		project, err = loader.LoadWithContext(ctx, types.ConfigDetails{
			WorkingDir:  dir,
			ConfigFiles: []types.ConfigFile{{Filename: file, Content: data}},
			Environment: env,
		}, func(o *loader.Options) {
			o.SetProjectName("validate", true)
			o.SkipResolveEnvironment = true // env_file contents are not ours to read
			o.SkipInclude = true
		})
		missing := requiredVariable.FindAllStringSubmatch(fmt.Sprint(err), -1)
		if err == nil || len(missing) == 0 {
			break
		}
		for _, m := range missing {
			env[m[1]] = "$" + m[1]
		}
	}
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "validating "+file+": ")
		// The schema's "additionalProperties: false" reads as "false schema".
		if p, ok := strings.CutSuffix(msg, " false schema"); ok {
			field := p[strings.LastIndex(p, ".")+1:]
			msg = fmt.Sprintf("%s: unknown field %q (not in the compose specification)", p, field)
		}
		line := 1
		if m := composePath.FindString(msg); m != "" {
			line = lineOf(strings.Split(m, ".")...)
		}
		find("compose-load", line, "", "%s", msg)
		return
	}
	for _, name := range project.ServiceNames() {
		s := project.Services[name]
		res := "service/" + name
		if s.Privileged {
			find("compose-privileged", lineOf("services", name, "privileged"), res, "service %s is privileged", name)
		}
		if s.NetworkMode == "host" {
			find("compose-host-network", lineOf("services", name, "network_mode"), res, "service %s uses the host network", name)
		}
		if s.Image != "" && !strings.Contains(s.Image, "@") && !strings.Contains(s.Image, "$") {
			last := s.Image[strings.LastIndex(s.Image, "/")+1:]
			if !strings.Contains(last, ":") || strings.HasSuffix(last, ":latest") {
				find("compose-latest-tag", lineOf("services", name, "image"), res, "service %s image %q has no fixed tag", name, s.Image)
			}
		}
		if s.Image != "" && s.Build == nil && (s.HealthCheck == nil || s.HealthCheck.Disable) {
			find("compose-no-healthcheck", lineOf("services", name), res, "service %s has no healthcheck", name)
		}
		for k, v := range s.Environment {
			if v != nil && *v != "" && (redact.SecretNamed(k) || redact.LooksSecret(*v)) && !strings.HasPrefix(*v, "$") {
				find("compose-secret-in-env", lineOf("services", name, "environment", k), res, "service %s environment %s holds a literal secret-looking value", name, k)
			}
		}
	}
}
