package terraform

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
)

// Binary is a located terraform or tofu executable.
type Binary struct {
	Path    string
	Name    string // "terraform" or "tofu"
	Version string
}

var (
	versionMu    sync.Mutex
	versionCache = map[string]string{}
)

// Locate finds the binary: the configured one (terraform.binary or
// OPSMCP_TERRAFORM), else terraform, else tofu on PATH.
func Locate(ctx context.Context, configured string) (*Binary, error) {
	var path string
	if configured != "" {
		p, err := exec.LookPath(configured)
		if err != nil {
			return nil, fmt.Errorf("terraform binary %q (terraform.binary or OPSMCP_TERRAFORM) was not found or is not executable", configured)
		}
		path = p
	} else {
		for _, name := range []string{"terraform", "tofu"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
		if path == "" {
			return nil, errors.New("neither terraform nor tofu was found on PATH; install one, or set terraform.binary in opsmcp.yaml or OPSMCP_TERRAFORM")
		}
	}
	b := &Binary{Path: path, Name: "terraform"}
	if strings.Contains(filepath.Base(path), "tofu") {
		b.Name = "tofu"
	}
	versionMu.Lock()
	v, ok := versionCache[path]
	versionMu.Unlock()
	if !ok {
		cmd := exec.CommandContext(ctx, path, "version", "-json")
		cmd.Env = Env()
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%s version: %w", path, err)
		}
		var vj struct {
			Version string `json:"terraform_version"`
		}
		if err := json.Unmarshal(out, &vj); err != nil || vj.Version == "" {
			return nil, fmt.Errorf("%s does not look like terraform or tofu (version -json gave no version)", path)
		}
		v = vj.Version
		versionMu.Lock()
		versionCache[path] = v
		versionMu.Unlock()
	}
	b.Version = v
	return b, nil
}

// Env is the environment terraform runs with: the process's own, without a
// CLI config file that does not exist (terraform warns on every run), and
// with the update checkpoint disabled (no network calls we did not ask for).
func Env() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if k == "TF_CLI_CONFIG_FILE" {
			if _, err := os.Stat(v); err != nil {
				continue
			}
		}
		if k == "CHECKPOINT_DISABLE" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "CHECKPOINT_DISABLE=1")
}

func envMap() map[string]string {
	m := map[string]string{}
	for _, kv := range Env() {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return tfexec.CleanEnv(m)
}

// Runner runs terraform in one workspace.
type Runner struct {
	Bin *Binary
	Dir string
	tf  *tfexec.Terraform
	env []string
}

// runners caches one tfexec instance per binary and directory: each
// instance checks the binary's version with an extra `terraform version`
// process on first use, which would otherwise cost every call ~100 ms.
var runners sync.Map // binary path + "\x00" + dir -> *Runner

// NewRunner prepares to run bin in dir.
func NewRunner(bin *Binary, dir string) (*Runner, error) {
	key := bin.Path + "\x00" + bin.Version + "\x00" + dir
	if r, ok := runners.Load(key); ok {
		return r.(*Runner), nil
	}
	tf, err := tfexec.NewTerraform(dir, bin.Path)
	if err != nil {
		return nil, err
	}
	if err := tf.SetEnv(envMap()); err != nil {
		return nil, err
	}
	// On cancellation terraform gets an interrupt and this long to save
	// state and exit before it is killed.
	_ = tf.SetWaitDelay(2 * time.Minute)
	// tfexec caches the version on first use without a lock; fill that
	// cache now, before the instance is shared between calls.
	if _, _, err := tf.Version(context.Background(), false); err != nil {
		return nil, fmt.Errorf("%s version: %w", bin.Path, err)
	}
	r, _ := runners.LoadOrStore(key, &Runner{Bin: bin, Dir: dir, tf: tf, env: Env()})
	return r.(*Runner), nil
}

// NewScratchRunner runs bin in a scratch copy with the copy's CLI
// configuration (and its own data directory). It is not cached: each copy
// is used once.
func NewScratchRunner(bin *Binary, s *Scratch) (*Runner, error) {
	var env []string
	for _, kv := range Env() {
		k, _, _ := strings.Cut(kv, "=")
		if k != "TF_CLI_CONFIG_FILE" && k != "TF_DATA_DIR" {
			env = append(env, kv)
		}
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+s.CLIConfig)
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	tf, err := tfexec.NewTerraform(s.Dir, bin.Path)
	if err != nil {
		return nil, err
	}
	if err := tf.SetEnv(tfexec.CleanEnv(m)); err != nil {
		return nil, err
	}
	return &Runner{Bin: bin, Dir: s.Dir, tf: tf, env: env}, nil
}

// Event is one message of terraform's machine-readable UI stream.
type Event struct {
	Level      string             `json:"@level"`
	Message    string             `json:"@message"`
	Type       string             `json:"type"`
	Diagnostic *tfjson.Diagnostic `json:"diagnostic,omitempty"`
	Hook       *EventHook         `json:"hook,omitempty"`
}

// EventHook is the resource an apply or refresh event is about.
type EventHook struct {
	Resource struct {
		Addr string `json:"addr"`
	} `json:"resource"`
	Action string `json:"action"`
}

// streamWriter turns the JSON UI stream into events, and keeps the error
// diagnostics so a failure can be explained in one sentence.
type streamWriter struct {
	buf    bytes.Buffer
	on     func(Event)
	errors []string
	diags  []tfjson.Diagnostic
}

func (w *streamWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadBytes('\n')
		if err != nil {
			w.buf.Write(line) // incomplete line: keep for the next write
			break
		}
		var ev Event
		if json.Unmarshal(line, &ev) != nil {
			continue
		}
		if ev.Type == "diagnostic" && ev.Diagnostic != nil && ev.Diagnostic.Severity == tfjson.DiagnosticSeverityError {
			w.errors = append(w.errors, diagText(ev.Diagnostic))
			w.diags = append(w.diags, *ev.Diagnostic)
		}
		if w.on != nil {
			w.on(ev)
		}
	}
	return len(p), nil
}

func diagText(d *tfjson.Diagnostic) string {
	s := d.Summary
	if d.Detail != "" {
		s += ": " + strings.Join(strings.Fields(d.Detail), " ")
	}
	if d.Range != nil && d.Range.Filename != "" {
		s += fmt.Sprintf(" (%s line %d)", d.Range.Filename, d.Range.Start.Line)
	}
	return s
}

// explain turns a terraform failure into an error naming its diagnostics.
func explain(op string, err error, w *streamWriter, ctx context.Context) error {
	if ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("terraform %s timed out and was interrupted; state was saved by terraform: %w", op, ctx.Err())
		}
		return fmt.Errorf("terraform %s was cancelled and interrupted; state was saved by terraform: %w", op, ctx.Err())
	}
	if w != nil && len(w.errors) > 0 {
		return &DiagError{Op: op, Diagnostics: w.diags, msg: fmt.Sprintf("terraform %s failed: %s", op, strings.Join(w.errors, "; "))}
	}
	msg := strings.TrimSpace(err.Error())
	if i := strings.Index(msg, "\n"); i >= 0 {
		// tfexec puts stderr after the exit status line; stderr is the useful part.
		msg = strings.Join(strings.Fields(msg[i+1:]), " ")
	}
	return fmt.Errorf("terraform %s failed: %s", op, msg)
}

// Init runs `init -input=false`; backend=false for validation only.
func (r *Runner) Init(ctx context.Context, backend bool) error {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, r.Bin.Path, "init", "-input=false", "-no-color", fmt.Sprintf("-backend=%t", backend))
	cmd.Dir = r.Dir
	cmd.Env = r.env
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("terraform init: %w", ctx.Err())
		}
		return fmt.Errorf("terraform init failed: %s", lastLines(out.String(), 6))
	}
	return nil
}

func lastLines(s string, n int) string {
	var keep []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		l := strings.TrimSpace(strings.Trim(sc.Text(), "│╷╵"))
		if l != "" {
			keep = append(keep, l)
		}
	}
	if len(keep) > n {
		keep = keep[len(keep)-n:]
	}
	return strings.Join(keep, " ")
}

// PlanOptions are the inputs of a plan.
type PlanOptions struct {
	Out      string
	VarFiles []string
	Targets  []string
	Destroy  bool
	// RefreshOnly plans only to bring the state up to date with what
	// exists: what drifted, never a change to infrastructure.
	RefreshOnly bool
}

// Plan runs `plan -out`. With on set it reads terraform's JSON UI stream and
// calls on for each event; without, it skips the stream, which costs
// terraform 10-20% more time on large plans.
func (r *Runner) Plan(ctx context.Context, o PlanOptions, on func(Event)) error {
	opts := []tfexec.PlanOption{tfexec.Out(o.Out), tfexec.Destroy(o.Destroy)}
	if o.RefreshOnly {
		opts = append(opts, tfexec.RefreshOnly(true))
	}
	for _, v := range o.VarFiles {
		opts = append(opts, tfexec.VarFile(v))
	}
	for _, t := range o.Targets {
		opts = append(opts, tfexec.Target(t))
	}
	if on == nil {
		if _, err := r.tf.Plan(ctx, opts...); err != nil {
			return explain("plan", err, nil, ctx)
		}
		return nil
	}
	w := &streamWriter{on: on}
	if _, err := r.tf.PlanJSON(ctx, w, opts...); err != nil {
		return explain("plan", err, w, ctx)
	}
	return nil
}

// ShowPlan reads a saved plan as JSON.
func (r *Runner) ShowPlan(ctx context.Context, planFile string) (*tfjson.Plan, error) {
	p, _, err := r.ShowPlanJSON(ctx, planFile)
	return p, err
}

// ShowPlanJSON reads a saved plan as JSON, and returns the JSON exactly as
// `terraform show -json` prints it too (what policies read, as conftest
// would).
func (r *Runner) ShowPlanJSON(ctx context.Context, planFile string) (*tfjson.Plan, []byte, error) {
	cmd := exec.CommandContext(ctx, r.Bin.Path, "show", "-json", "-no-color", planFile)
	cmd.Dir, cmd.Env = r.Dir, r.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, explain("show", ctx.Err(), nil, ctx)
		}
		msg := strings.Join(strings.Fields(stderr.String()), " ")
		if msg == "" {
			msg = err.Error()
		}
		return nil, nil, fmt.Errorf("terraform show failed: %s", msg)
	}
	var p tfjson.Plan
	if err := json.Unmarshal(out, &p); err != nil {
		return nil, nil, fmt.Errorf("terraform show -json: %w", err)
	}
	if err := p.Validate(); err != nil {
		return nil, nil, fmt.Errorf("terraform show -json: %w", err)
	}
	return &p, out, nil
}

// Apply applies exactly a saved plan file, streaming events to on.
func (r *Runner) Apply(ctx context.Context, planFile string, on func(Event)) error {
	w := &streamWriter{on: on}
	if err := r.tf.ApplyJSON(ctx, w, tfexec.DirOrPlan(planFile)); err != nil {
		return explain("apply", err, w, ctx)
	}
	return nil
}

// Output is one root module output as `terraform output -json` gives it.
type Output = tfexec.OutputMeta

// Outputs returns the root module outputs after an apply.
func (r *Runner) Outputs(ctx context.Context) (map[string]Output, error) {
	o, err := r.tf.Output(ctx)
	if err != nil {
		return nil, explain("output", err, nil, ctx)
	}
	return o, nil
}

// Validate runs `validate -json`.
func (r *Runner) Validate(ctx context.Context) (*tfjson.ValidateOutput, error) {
	v, err := r.tf.Validate(ctx)
	if err != nil {
		return nil, explain("validate", err, nil, ctx)
	}
	return v, nil
}

// FormatCheck runs `fmt -check -recursive` and lists unformatted files.
func (r *Runner) FormatCheck(ctx context.Context) ([]string, error) {
	ok, files, err := r.tf.FormatCheck(ctx, tfexec.Recursive(true), tfexec.Dir(r.Dir))
	if err != nil {
		return nil, explain("fmt", err, nil, ctx)
	}
	if ok {
		return nil, nil
	}
	return files, nil
}
