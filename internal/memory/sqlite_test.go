package memory_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/memory"
)

// TestMain doubles as the writer process of the multi-process test.
func TestMain(m *testing.M) {
	if path := os.Getenv("OPSMCP_TEST_WRITER_DB"); path != "" {
		n, _ := strconv.Atoi(os.Getenv("OPSMCP_TEST_WRITES"))
		if err := writeEntries(path, os.Getenv("OPSMCP_TEST_WRITER"), n); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func writeEntries(path, who string, n int) error {
	ctx := context.Background()
	s, err := memory.Open(ctx, path)
	if err != nil {
		return err
	}
	defer s.Close()
	for i := range n {
		e := &memory.Entry{Server: "test", Kind: memory.KindNote, Scope: who, Key: strconv.Itoa(i), Data: json.RawMessage(`{"i":` + strconv.Itoa(i) + `}`)}
		if err := s.Put(ctx, e); err != nil {
			return err
		}
		if i%50 == 0 {
			if err := s.AppendAudit(ctx, &memory.AuditRecord{Principal: who, Server: "test", Tool: "put", Outcome: "ok"}); err != nil {
				return err
			}
		}
	}
	return nil
}

func TestSeveralProcessesWriteAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "memory.db")
	const procs, writes = 4, 500
	var cmds []*exec.Cmd
	for p := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "OPSMCP_TEST_WRITER_DB="+path, "OPSMCP_TEST_WRITER=w"+strconv.Itoa(p), "OPSMCP_TEST_WRITES="+strconv.Itoa(writes))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("a writer failed: %v", err)
		}
	}
	s, err := memory.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all, err := s.List(context.Background(), memory.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != procs*writes {
		t.Fatalf("%d entries, want %d", len(all), procs*writes)
	}
	recs, _ := s.ListAudit(context.Background(), 0)
	if len(recs) != procs*(writes/50) {
		t.Fatalf("%d audit records, want %d", len(recs), procs*(writes/50))
	}
	// The chain is intact: each record holds its predecessor's hash.
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		want := ""
		if i < len(recs)-1 {
			want = recs[i+1].Hash
		}
		if r.PrevHash != want || r.ChainHash() != r.Hash {
			t.Fatalf("audit chain broken at seq %d", r.Seq)
		}
	}
}

func TestEntriesPlansAndLimits(t *testing.T) {
	ctx := context.Background()
	s, err := memory.Open(ctx, filepath.Join(t.TempDir(), "sub", "memory.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Put(ctx, &memory.Entry{Server: "x", Kind: memory.KindNote, Data: json.RawMessage(`{"password":"pa55word-xyz","note":"token=abcdef123456"}`)}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.List(ctx, memory.Filter{Server: "x"})
	if len(got) != 1 || string(got[0].Data) != `{"note":"token=(sensitive)","password":"(sensitive)"}` {
		t.Fatalf("stored data not redacted: %s", got[0].Data)
	}
	big := json.RawMessage(`"` + string(make([]byte, 0)) + fmt.Sprintf("%0*d", memory.MaxEntryData, 0) + `"`)
	if err := s.Put(ctx, &memory.Entry{Server: "x", Kind: memory.KindNote, Data: big}); err == nil {
		t.Fatal("oversized entry accepted")
	}
	if err := s.Put(ctx, &memory.Entry{Server: "x", Kind: memory.KindNote, Data: json.RawMessage(`{bad`)}); err == nil {
		t.Fatal("invalid JSON accepted")
	}
	now := time.Now()
	p := &memory.Plan{ID: "p-1", Workspace: "/w", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.SavePlan(ctx, p); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.MarkPlanUsed(ctx, "p-1", now); !ok {
		t.Fatal("first use refused")
	}
	if ok, _ := s.MarkPlanUsed(ctx, "p-1", now); ok {
		t.Fatal("second use allowed")
	}
	if pend, _ := s.ListPlans(ctx, memory.PlanFilter{PendingOnly: true}); len(pend) != 0 {
		t.Fatalf("used plan still pending: %v", pend)
	}
	if _, err := s.GetPlan(ctx, "p-2"); err != memory.ErrNotFound {
		t.Fatalf("missing plan: %v", err)
	}
}
