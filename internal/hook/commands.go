package hook

import (
	"slices"
	"strings"
)

// Which commands change infrastructure, and what to use instead.

const (
	insteadTerraform = "Plan with apply_terraform (no plan_id), show the plan, then apply that plan_id: a person confirms it."
	insteadState     = "Terraform state surgery has no opsmcp tool: ask a person to run it outside the agent."
	insteadDeploy    = "Use deploy_kubernetes: a server-side dry run first, then the apply a person confirms."
	insteadScale     = "Use scale_deployment."
	insteadPerson    = "opsmcp has no tool for this: ask a person to run it outside the agent."
)

// judge decides one command by its name and arguments.
func judge(name string, args []string) *Blocked {
	switch name {
	case "terraform", "tofu", "terragrunt":
		return judgeTerraform(name, args)
	case "kubectl", "oc":
		return judgeKubectl(name, args)
	case "helm":
		return judgeHelm(args)
	}
	return nil
}

// subcommand is the first word that is not a flag, skipping the values of
// flags that take one as the next word; rest is what follows it.
func subcommand(args []string, valued map[string]bool) (sub string, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			if valued[a] {
				i++
			}
			continue
		}
		return a, args[i+1:]
	}
	return "", nil
}

func judgeTerraform(name string, args []string) *Blocked {
	sub, rest := subcommand(args, nil)
	block := func(what, instead string) *Blocked { return &Blocked{Command: name + " " + what, Instead: instead} }
	switch sub {
	case "apply", "destroy":
		return block(sub, insteadTerraform)
	case "import", "taint", "untaint", "force-unlock":
		return block(sub, insteadState)
	case "state":
		if s, _ := subcommand(rest, nil); s == "rm" || s == "mv" || s == "push" || s == "replace-provider" {
			return block("state "+s, insteadState)
		}
	case "workspace":
		if s, _ := subcommand(rest, nil); s == "delete" {
			return block("workspace delete", insteadState)
		}
	}
	return nil
}

var kubectlValued = map[string]bool{"-n": true, "--namespace": true, "--context": true, "--kubeconfig": true, "-s": true, "--server": true,
	"--cluster": true, "--user": true, "--token": true, "--as": true, "--as-group": true, "--request-timeout": true, "-v": true, "--v": true,
	"--certificate-authority": true, "--client-certificate": true, "--client-key": true, "--tls-server-name": true, "--cache-dir": true}

// dryRun: a --dry-run other than none changes nothing.
func dryRun(args []string) bool {
	for _, a := range args {
		if a == "--dry-run" || (strings.HasPrefix(a, "--dry-run=") && a != "--dry-run=none" && a != "--dry-run=false") {
			return true
		}
	}
	return false
}

func judgeKubectl(name string, args []string) *Blocked {
	sub, rest := subcommand(args, kubectlValued)
	if dryRun(rest) {
		return nil
	}
	block := func(what, instead string) *Blocked { return &Blocked{Command: name + " " + what, Instead: instead} }
	switch sub {
	case "apply", "create", "replace", "patch", "edit", "set", "label", "annotate", "expose", "run", "autoscale":
		if sub == "apply" {
			if s, _ := subcommand(rest, kubectlValued); s == "view-last-applied" {
				return nil
			}
		}
		return block(sub, insteadDeploy)
	case "scale":
		return block(sub, insteadScale)
	case "delete", "drain", "cordon", "uncordon", "taint":
		return block(sub, insteadPerson)
	case "rollout":
		if s, _ := subcommand(rest, kubectlValued); slices.Contains([]string{"undo", "restart", "pause", "resume"}, s) {
			return block("rollout "+s, insteadPerson)
		}
	}
	return nil
}

var helmValued = map[string]bool{"-n": true, "--namespace": true, "--kube-context": true, "--kubeconfig": true, "--kube-apiserver": true, "--kube-token": true, "--registry-config": true, "--repository-config": true}

func judgeHelm(args []string) *Blocked {
	sub, rest := subcommand(args, helmValued)
	if dryRun(rest) {
		return nil
	}
	switch sub {
	case "install", "upgrade", "uninstall", "delete", "del", "un", "rollback":
		return &Blocked{Command: "helm " + sub, Instead: insteadPerson}
	}
	return nil
}
