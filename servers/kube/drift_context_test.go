package kube_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/memory"
)

// gather_context names the latest drift check of each Kubernetes target
// the deploy server stored (its scheduled checks), not Terraform ones.
func TestGatherContextShowsDrift(t *testing.T) {
	e := newEnv(t, config.ModeReadOnly, nil)
	ctx := context.Background()
	put := func(kind, target, status, data string) {
		if err := e.Store.Put(ctx, &memory.Entry{Server: "deploy", Kind: memory.KindDrift, Scope: target, Key: status, Data: []byte(data), Tags: []string{"drift", kind}}); err != nil {
			t.Fatal(err)
		}
	}
	put("kubernetes", "kubesim k-1", "in_sync", `{"kind":"kubernetes","target":"kubesim k-1","status":"in_sync"}`)
	put("kubernetes", "kubesim k-1", "drifted", `{"kind":"kubernetes","target":"kubesim k-1","status":"drifted","resources":[{"address":"deployment/web -n prod","change":"changed"}]}`)
	put("terraform", "/infra/prod", "drifted", `{"kind":"terraform","target":"/infra/prod","status":"drifted"}`)
	res := e.MustOK(e.Call("gather_context", nil))
	got := fmt.Sprint(res["drift"])
	if !strings.Contains(got, "status:drifted") || !strings.Contains(got, "deployment/web -n prod") || strings.Contains(got, "/infra/prod") || len(res["drift"].([]any)) != 1 {
		t.Errorf("drift: %v", res["drift"])
	}
}
