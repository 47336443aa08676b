package mcpkit

import (
	"fmt"

	"github.com/opsmcp/opsmcp/internal/config"
)

// Effect is what a call may do. Every tool declares the most its calls may
// do (Def.Effect); an input whose effect depends on its arguments says
// which (EffectInput). The gate in Host.Call compares it with the mode
// before any handler runs.
type Effect int

const (
	effectUnset Effect = iota
	// EffectRead reads only.
	EffectRead
	// EffectPlan plans, dry-runs or records in opsmcp's own memory:
	// nothing outside opsmcp changes.
	EffectPlan
	// EffectChange changes infrastructure or an outside system.
	EffectChange
)

func (e Effect) String() string {
	switch e {
	case EffectRead:
		return "reads"
	case EffectPlan:
		return "plans"
	case EffectChange:
		return "changes things outside opsmcp"
	}
	return "does something undeclared"
}

// EffectInput is implemented by inputs whose effect depends on the
// arguments (apply_terraform with or without plan_id).
type EffectInput interface {
	Effect() Effect
}

// PlanFormer is implemented by inputs that have a plan form the gate runs
// instead of the change when the mode allows only planning
// (deploy_kubernetes: a server-side dry run). Call.AsPlan tells the
// handler so.
type PlanFormer interface {
	PlanForm() any
}

// allowedEffect is the most a mode lets a call do.
func allowedEffect(m config.Mode) Effect {
	switch m {
	case config.ModeApply:
		return EffectChange
	case config.ModePlan:
		return EffectPlan
	}
	return EffectRead
}

// GateError is the gate's refusal: one format for every tool, naming the
// mode and how to change it.
type GateError struct {
	Tool   string
	Effect Effect
	Mode   config.Mode
}

func (e *GateError) Error() string {
	return fmt.Sprintf("%s: this call %s and mode is %s; set mode: apply in opsmcp.yaml (or OPSMCP_MODE=apply) to allow it", e.Tool, e.Effect, e.Mode)
}

// effectOf is what a call of t with in may do.
func (t *Tool) effectOf(in any) Effect {
	if e, ok := in.(EffectInput); ok {
		return e.Effect()
	}
	if t.ReadOnly() {
		return EffectRead
	}
	return t.Effect
}

// gateCall decides whether a call may run, before its handler: it returns the
// input to run (a change's plan form, when the mode allows only that) and
// whether that is what happened, or the refusal.
func gateCall(rt *Runtime, t *Tool, in any) (any, bool, error) {
	mode := rt.Config.Mode
	eff := t.effectOf(in)
	if eff <= allowedEffect(mode) {
		return in, false, nil
	}
	if pf, ok := in.(PlanFormer); ok && allowedEffect(mode) >= EffectPlan {
		return pf.PlanForm(), true, nil
	}
	return nil, false, &GateError{Tool: t.Name, Effect: eff, Mode: mode}
}

// EffectOf decodes arguments as a call would and says what the call may
// do (for tests that walk every tool).
func (t *Tool) EffectOf(raw []byte) (Effect, error) {
	in, err := t.decode(raw)
	if err != nil {
		return 0, err
	}
	return t.effectOf(in), nil
}
