package validate

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/opsmcp/opsmcp/internal/fsguard"
)

// Rules over Terraform configuration (HCL, static values only) and plans.
func init() {
	rules := []*Rule{
		{ID: "tf-open-ingress", Severity: SeverityError, Summary: "A security group admits 0.0.0.0/0 or ::/0 to SSH (22), RDP (3389) or all ports.", Rationale: "Admin ports open to the internet are scanned within minutes."},
		{ID: "tf-public-bucket", Severity: SeverityError, Summary: "An S3 bucket made public (public ACL, or its public access block turned off).", Rationale: "Public buckets are the classic data leak."},
		{ID: "tf-unencrypted-storage", Summary: "EBS volumes, RDS instances or S3 buckets without encryption at rest.", Rationale: "Snapshots and disks leave your control; encryption keeps them unreadable."},
		{ID: "tf-iam-wildcard", Severity: SeverityError, Summary: "An IAM policy allowing action * on resource *.", Rationale: "It is administrator access under another name."},
		{ID: "tf-module-unpinned", Summary: "A module source without a pinned version (registry version or git ?ref=).", Rationale: "The module changes under you between plans."},
		{ID: "tf-provider-unpinned", Summary: "A provider without a version constraint in required_providers.", Rationale: "terraform init may pick a new major version."},
		{ID: "tf-no-required-version", Summary: "No terraform { required_version }.", Rationale: "Any Terraform version may run the configuration, including ones that change its meaning."},
		{ID: "tf-plan-destroys", Summary: "A plan that destroys or replaces resources.", Rationale: "Deletions deserve a second look before apply."},
	}
	registerType("terraform", SeverityWarning, rules...)
}

type tfChecker struct {
	dir  string
	add  func(Finding)
	srcs map[string][]byte
}

func (c *tfChecker) find(rule string, rng hcl.Range, resource, format string, a ...any) {
	c.add(Finding{Rule: rule, Severity: registry[rule].Severity, File: filepath.Join(c.dir, filepath.Base(rng.Filename)),
		Line: max(rng.Start.Line, 1), Column: rng.Start.Column, Resource: resource, Message: fmt.Sprintf(format, a...)})
}

// staticValue evaluates an expression without variables; ok is false when
// it references anything (then the rule cannot judge it and stays quiet).
func staticValue(e hcl.Expression) (cty.Value, bool) {
	v, diags := e.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	return v, true
}

func attrString(b *hclsyntax.Body, name string) (string, bool) {
	a, ok := b.Attributes[name]
	if !ok {
		return "", false
	}
	v, ok := staticValue(a.Expr)
	if !ok || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

func attrBool(b *hclsyntax.Body, name string) (val, set bool) {
	a, ok := b.Attributes[name]
	if !ok {
		return false, false
	}
	v, ok := staticValue(a.Expr)
	if !ok || v.IsNull() || v.Type() != cty.Bool {
		return false, true // set, but not statically false/true: treat as unknown-but-set
	}
	return v.True(), true
}

func attrNumber(b *hclsyntax.Body, name string) (int64, bool) {
	a, ok := b.Attributes[name]
	if !ok {
		return 0, false
	}
	v, ok := staticValue(a.Expr)
	if !ok || v.IsNull() || v.Type() != cty.Number {
		return 0, false
	}
	i, _ := v.AsBigFloat().Int64()
	return i, true
}

func attrStrings(b *hclsyntax.Body, name string) []string {
	a, ok := b.Attributes[name]
	if !ok {
		return nil
	}
	v, ok := staticValue(a.Expr)
	if !ok || v.IsNull() || !(v.Type().IsListType() || v.Type().IsTupleType() || v.Type().IsSetType()) {
		return nil
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.Type() == cty.String && !e.IsNull() {
			out = append(out, e.AsString())
		}
	}
	return out
}

var (
	gitSource     = regexp.MustCompile(`^(git::|github\.com/|git@|bitbucket\.org/)`)
	registrySrc   = regexp.MustCompile(`^[a-zA-Z0-9._-]+/[a-zA-Z0-9._-]+/[a-zA-Z0-9._-]+(//.*)?$|^[a-zA-Z0-9.-]+\.[a-z]+/[a-zA-Z0-9._-]+/[a-zA-Z0-9._-]+/[a-zA-Z0-9._-]+$`)
	wildcardJSON  = regexp.MustCompile(`"?Action"?\s*[:=]\s*\[?\s*"\*"`)
	wildcardRes   = regexp.MustCompile(`"?Resource"?\s*[:=]\s*\[?\s*"\*"`)
	iamPolicyType = map[string]bool{"aws_iam_policy": true, "aws_iam_role_policy": true, "aws_iam_user_policy": true, "aws_iam_group_policy": true}
)

// terraformRules applies the configuration rules to one directory's .tf
// files (a syntax error is terraform validate's to report).
func terraformRules(g *fsguard.Guard, dir string, add func(Finding)) {
	files := g.Glob(dir, "*.tf")
	sort.Strings(files)
	c := &tfChecker{dir: dir, add: add, srcs: map[string][]byte{}}
	var bodies []*hclsyntax.Body
	for _, f := range files {
		src, err := g.ReadFile(f)
		if err != nil {
			continue
		}
		file, diags := hclsyntax.ParseConfig(src, filepath.Base(f), hcl.InitialPos)
		if diags.HasErrors() {
			continue
		}
		c.srcs[filepath.Base(f)] = src
		bodies = append(bodies, file.Body.(*hclsyntax.Body))
	}
	if len(bodies) == 0 {
		return
	}
	requiredVersion := false
	var firstBlock hcl.Range
	encryptedBuckets := map[string]bool{}
	var buckets []*hclsyntax.Block
	for _, body := range bodies {
		for _, b := range body.Blocks {
			if firstBlock.Filename == "" {
				firstBlock = b.DefRange()
			}
			switch b.Type {
			case "terraform":
				if _, ok := b.Body.Attributes["required_version"]; ok {
					requiredVersion = true
				}
				for _, rp := range b.Body.Blocks {
					if rp.Type == "required_providers" {
						c.checkProviders(rp)
					}
				}
			case "module":
				c.checkModule(b)
			case "resource":
				if len(b.Labels) < 2 {
					continue
				}
				addr := b.Labels[0] + "." + b.Labels[1]
				switch b.Labels[0] {
				case "aws_security_group":
					for _, in := range b.Body.Blocks {
						if in.Type == "ingress" {
							c.checkIngress(in.Body, in.DefRange(), addr)
						}
					}
				case "aws_security_group_rule":
					if t, _ := attrString(b.Body, "type"); t == "ingress" {
						c.checkIngress(b.Body, b.DefRange(), addr)
					}
				case "aws_vpc_security_group_ingress_rule":
					c.checkIngress(b.Body, b.DefRange(), addr)
				case "aws_s3_bucket":
					buckets = append(buckets, b)
					if acl, _ := attrString(b.Body, "acl"); strings.HasPrefix(acl, "public-") {
						c.find("tf-public-bucket", b.Body.Attributes["acl"].SrcRange, addr, "bucket ACL %q makes it public", acl)
					}
					for _, sb := range b.Body.Blocks {
						if sb.Type == "server_side_encryption_configuration" {
							encryptedBuckets[b.Labels[1]] = true
						}
					}
				case "aws_s3_bucket_acl":
					if acl, _ := attrString(b.Body, "acl"); strings.HasPrefix(acl, "public-") {
						c.find("tf-public-bucket", b.Body.Attributes["acl"].SrcRange, addr, "bucket ACL %q makes it public", acl)
					}
				case "aws_s3_bucket_public_access_block":
					for _, f := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
						if v, set := attrBool(b.Body, f); set && !v {
							if _, known := staticValue(b.Body.Attributes[f].Expr); known {
								c.find("tf-public-bucket", b.Body.Attributes[f].SrcRange, addr, "%s = false lets the bucket become public", f)
							}
						}
					}
				case "aws_s3_bucket_server_side_encryption_configuration":
					if a, ok := b.Body.Attributes["bucket"]; ok {
						for _, t := range a.Expr.Variables() {
							if len(t) >= 2 {
								if name, ok := t[1].(hcl.TraverseAttr); ok {
									encryptedBuckets[name.Name] = true
								}
							}
						}
					}
				case "aws_ebs_volume":
					if v, _ := attrBool(b.Body, "encrypted"); !v {
						c.find("tf-unencrypted-storage", b.DefRange(), addr, "EBS volume without encrypted = true")
					}
				case "aws_db_instance", "aws_rds_cluster":
					if v, _ := attrBool(b.Body, "storage_encrypted"); !v {
						c.find("tf-unencrypted-storage", b.DefRange(), addr, "%s without storage_encrypted = true", b.Labels[0])
					}
				}
				if iamPolicyType[b.Labels[0]] {
					c.checkPolicy(b, addr)
				}
			}
		}
	}
	for _, b := range buckets {
		if !encryptedBuckets[b.Labels[1]] {
			c.find("tf-unencrypted-storage", b.DefRange(), b.Labels[0]+"."+b.Labels[1], "S3 bucket without a server-side encryption configuration (customer-managed keys need one)")
		}
	}
	if !requiredVersion {
		c.find("tf-no-required-version", firstBlock, "", "no terraform { required_version = \"...\" } in %s", dir)
	}
}

func (c *tfChecker) checkIngress(b *hclsyntax.Body, rng hcl.Range, addr string) {
	open := false
	for _, cidr := range append(attrStrings(b, "cidr_blocks"), attrStrings(b, "ipv6_cidr_blocks")...) {
		open = open || cidr == "0.0.0.0/0" || cidr == "::/0"
	}
	for _, f := range []string{"cidr_ipv4", "cidr_ipv6"} {
		if v, _ := attrString(b, f); v == "0.0.0.0/0" || v == "::/0" {
			open = true
		}
	}
	if !open {
		return
	}
	proto, _ := attrString(b, "protocol")
	if proto == "" {
		proto, _ = attrString(b, "ip_protocol")
	}
	from, fromOK := attrNumber(b, "from_port")
	to, toOK := attrNumber(b, "to_port")
	switch {
	case proto == "-1" || proto == "all":
		c.find("tf-open-ingress", rng, addr, "ingress from anywhere on all ports and protocols")
	case fromOK && toOK && from <= 0 && to >= 65535:
		c.find("tf-open-ingress", rng, addr, "ingress from anywhere on every port")
	case fromOK && toOK && from <= 22 && to >= 22:
		c.find("tf-open-ingress", rng, addr, "SSH (22) open to the internet")
	case fromOK && toOK && from <= 3389 && to >= 3389:
		c.find("tf-open-ingress", rng, addr, "RDP (3389) open to the internet")
	}
}

func (c *tfChecker) checkPolicy(b *hclsyntax.Block, addr string) {
	a, ok := b.Body.Attributes["policy"]
	if !ok {
		return
	}
	src := c.srcs[a.SrcRange.Filename]
	if src == nil || a.SrcRange.End.Byte > len(src) {
		return
	}
	text := string(src[a.SrcRange.Start.Byte:a.SrcRange.End.Byte])
	if strings.Contains(text, `"Allow"`) || !strings.Contains(text, "Deny") {
		if wildcardJSON.MatchString(text) && wildcardRes.MatchString(text) {
			c.find("tf-iam-wildcard", a.SrcRange, addr, "policy allows action \"*\" on resource \"*\"")
		}
	}
}

func (c *tfChecker) checkModule(b *hclsyntax.Block) {
	src, ok := attrString(b.Body, "source")
	if !ok || strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../") {
		return
	}
	name := "module." + b.Labels[0]
	switch {
	case gitSource.MatchString(src):
		if !strings.Contains(src, "ref=") {
			c.find("tf-module-unpinned", b.Body.Attributes["source"].SrcRange, name, "module source %s has no ?ref= (a tag or commit)", src)
		}
	case registrySrc.MatchString(src):
		if _, ok := b.Body.Attributes["version"]; !ok {
			c.find("tf-module-unpinned", b.Body.Attributes["source"].SrcRange, name, "registry module %s has no version", src)
		}
	}
}

func (c *tfChecker) checkProviders(rp *hclsyntax.Block) {
	names := make([]string, 0, len(rp.Body.Attributes))
	for n := range rp.Body.Attributes {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		a := rp.Body.Attributes[n]
		v, ok := staticValue(a.Expr)
		if !ok {
			continue
		}
		if v.Type() == cty.String {
			continue // legacy form: the string is the version constraint
		}
		if v.Type().IsObjectType() && !v.Type().HasAttribute("version") {
			c.find("tf-provider-unpinned", a.SrcRange, "provider."+n, "provider %s has no version constraint", n)
		}
	}
}

// planRules warns about a plan (terraform show -json) that destroys or
// replaces resources.
func planRules(file string, data []byte, add func(Finding)) bool {
	var plan tfjson.Plan
	if err := json.Unmarshal(data, &plan); err != nil || plan.FormatVersion == "" {
		return false
	}
	planFindings(file, &plan, add)
	return true
}

func planFindings(file string, plan *tfjson.Plan, add func(Finding)) {
	var gone []string
	for _, rc := range plan.ResourceChanges {
		if rc.Change != nil && (rc.Change.Actions.Delete() || rc.Change.Actions.Replace()) {
			verb := "destroyed"
			if rc.Change.Actions.Replace() {
				verb = "replaced"
			}
			gone = append(gone, rc.Address+" ("+verb+")")
		}
	}
	if len(gone) > 0 {
		add(Finding{Rule: "tf-plan-destroys", Severity: registry["tf-plan-destroys"].Severity, File: file, Line: 1,
			Message: fmt.Sprintf("the plan removes %d resources: %s", len(gone), strings.Join(gone, ", ")), Hint: "check each is meant to go before applying"})
	}
}
