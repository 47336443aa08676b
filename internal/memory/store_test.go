package memory_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// TestMain doubles as the helper processes of the multi-process tests.
func TestMain(m *testing.M) {
	switch os.Getenv("OPSMCP_TEST_ROLE") {
	case "writer":
		os.Exit(writerProcess())
	case "migrator":
		s, err := memory.Open(context.Background(), os.Getenv("OPSMCP_TEST_STORE"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		s.Close()
		os.Exit(0)
	}
	code := m.Run()
	testenv.StopSharedPostgres()
	os.Exit(code)
}

// writerProcess puts N entries, printing each key once Put has returned.
func writerProcess() int {
	ctx := context.Background()
	s, err := memory.Open(ctx, os.Getenv("OPSMCP_TEST_STORE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	n, _ := strconv.Atoi(os.Getenv("OPSMCP_TEST_WRITES"))
	who := os.Getenv("OPSMCP_TEST_WRITER")
	out := bufio.NewWriter(os.Stdout)
	for i := 0; n == 0 || i < n; i++ {
		key := who + "-" + strconv.Itoa(i)
		e := &memory.Entry{Server: "test", Kind: memory.KindNote, Scope: who, Key: key, Data: json.RawMessage(`{"i":` + strconv.Itoa(i) + `}`)}
		if err := s.Put(ctx, e); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if i%100 == 0 {
			if err := s.AppendAudit(ctx, &memory.AuditRecord{Principal: who, Server: "test", Tool: "put", Outcome: "ok"}); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		fmt.Fprintln(out, key)
		out.Flush()
	}
	return 0
}

type backend struct {
	name string
	new  func(t testing.TB) string // a fresh, empty store location
}

var backends = []backend{
	{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "memory.db") }},
	{"postgres", func(t testing.TB) string { return testenv.SharedPostgres(t).NewDatabase(t) }},
}

func forEachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, b) })
	}
}

func open(t testing.TB, loc string, opts ...memory.Options) memory.Store {
	t.Helper()
	if len(opts) == 0 {
		opts = []memory.Options{{Dir: t.TempDir()}}
	}
	s, err := memory.Open(context.Background(), loc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// rawExec runs SQL behind the store's back, as an attacker or a careless
// operator would.
func rawExec(t *testing.T, loc string, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	if strings.HasPrefix(loc, "postgres://") {
		conn, err := pgx.Connect(ctx, loc)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		for _, s := range stmts {
			if _, err := conn.Exec(ctx, s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		return
	}
	db, err := sql.Open("sqlite", "file:"+loc+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func put(t *testing.T, s memory.Store, e memory.Entry) memory.Entry {
	t.Helper()
	if len(e.Data) == 0 {
		e.Data = json.RawMessage(`{}`)
	}
	if e.Kind == "" {
		e.Kind = memory.KindNote
	}
	if e.Server == "" {
		e.Server = "deploy"
	}
	if err := s.Put(context.Background(), &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func keys(es []memory.Entry) string {
	var k []string
	for _, e := range es {
		k = append(k, e.Key)
	}
	return strings.Join(k, ",")
}

func TestListFiltersAndPages(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.new(t))
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		past := time.Now().Add(-time.Minute)
		for i := range 25 {
			e := memory.Entry{Key: fmt.Sprintf("k%02d", i), CreatedAt: base.Add(time.Duration(i) * time.Hour), Scope: "ws-a"}
			if i%2 == 1 {
				e.Scope, e.Kind, e.Tags = "ws-b", memory.KindOperation, []string{"apply", "terraform"}
			}
			if i%5 == 0 {
				e.Tags = []string{"terraform"}
			}
			if i == 24 {
				e.ExpiresAt = &past
			}
			put(t, s, e)
		}
		var all []string
		f := memory.Filter{Limit: 10}
		pages := 0
		for {
			p, err := s.List(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			all = append(all, keys(p.Entries))
			if p.Next == "" {
				break
			}
			f.Cursor = p.Next
		}
		got := strings.Join(all, ",")
		if pages != 3 || !strings.HasPrefix(got, "k23,k22,k21") || strings.Contains(got, "k24") || len(strings.Split(got, ",")) != 24 {
			t.Fatalf("pages %d: %s", pages, got)
		}
		p, _ := s.List(ctx, memory.Filter{Kind: memory.KindOperation, Tags: []string{"apply", "terraform"}})
		if len(p.Entries) != 10 || p.Entries[0].Key != "k23" {
			t.Fatalf("kind+tags: %s", keys(p.Entries))
		}
		p, _ = s.List(ctx, memory.Filter{Tags: []string{"terraform"}, Scope: "ws-a"})
		if keys(p.Entries) != "k20,k10,k00" {
			t.Fatalf("tag+scope: %s", keys(p.Entries))
		}
		p, _ = s.List(ctx, memory.Filter{Since: base.Add(3 * time.Hour), Until: base.Add(6 * time.Hour)})
		if keys(p.Entries) != "k05,k04,k03" {
			t.Fatalf("time range: %s", keys(p.Entries))
		}
		if _, err := s.List(ctx, memory.Filter{Cursor: "garbage!"}); err == nil || !strings.Contains(err.Error(), "invalid cursor") {
			t.Fatalf("bad cursor: %v", err)
		}
		if n, err := s.PruneExpired(ctx, time.Now()); err != nil || n != 1 {
			t.Fatalf("prune: %d %v", n, err)
		}
		e := put(t, s, memory.Entry{Key: "gone"})
		if err := s.Delete(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, e.ID); !errors.Is(err, memory.ErrNotFound) {
			t.Fatalf("deleted entry: %v", err)
		}
		if err := s.Delete(ctx, e.ID); !errors.Is(err, memory.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
	})
}

func TestSearchRanksByRelevanceAndRecency(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.new(t))
		now := time.Now()
		put(t, s, memory.Entry{Key: "old-rollout", CreatedAt: now.Add(-90 * 24 * time.Hour), Data: json.RawMessage(`{"msg":"web rollout to prod stuck"}`)})
		put(t, s, memory.Entry{Key: "new-rollout", CreatedAt: now.Add(-time.Hour), Data: json.RawMessage(`{"msg":"web rollout to prod stuck"}`)})
		put(t, s, memory.Entry{Key: "db", CreatedAt: now, Data: json.RawMessage(`{"msg":"database backup finished"}`)})
		put(t, s, memory.Entry{Key: "other-scope", Scope: "elsewhere", CreatedAt: now, Data: json.RawMessage(`{"msg":"web rollout"}`)})
		hits, err := s.Search(ctx, "stuck web rollout", memory.Filter{Scope: ""})
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, h := range hits {
			order = append(order, h.Key)
		}
		// Same text: the newer ranks first. The database entry matches nothing.
		if strings.Join(order, ",") != "new-rollout,other-scope,old-rollout" {
			t.Fatalf("ranking: %v", order)
		}
		for i := 1; i < len(hits); i++ {
			if hits[i-1].Score < hits[i].Score {
				t.Fatalf("scores not descending: %v", hits)
			}
		}
		hits, _ = s.Search(ctx, "rollout", memory.Filter{Scope: "elsewhere"})
		if len(hits) != 1 || hits[0].Key != "other-scope" {
			t.Fatalf("scoped search: %v", hits)
		}
		for _, q := range []string{`"OR 1=1 --`, `*) NEAR(`, `web & !prod | :*`} {
			if _, err := s.Search(ctx, q, memory.Filter{}); err != nil {
				t.Fatalf("query %q: %v", q, err)
			}
		}
		if _, err := s.Search(ctx, " !? ", memory.Filter{}); err == nil {
			t.Fatal("a query without words was accepted")
		}
	})
}

func TestEntriesAreCheckedAndRedacted(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.new(t), memory.Options{MaxEntryBytes: 1024, Dir: t.TempDir()})
		e := put(t, s, memory.Entry{Data: json.RawMessage(`{"password":"pa55word-xyz","note":"token=abcdef123456","key":"AKIAABCDEFGHIJKLMNOP"}`)})
		got, err := s.Get(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(got.Data), "pa55word") || strings.Contains(string(got.Data), "abcdef123456") || strings.Contains(string(got.Data), "AKIA") {
			t.Fatalf("stored data not redacted: %s", got.Data)
		}
		big := json.RawMessage(`"` + strings.Repeat("x", 2000) + `"`)
		for _, c := range []struct {
			e    memory.Entry
			want string
		}{
			{memory.Entry{Server: "x", Kind: memory.KindNote, Data: big}, "the limit is 1024"},
			{memory.Entry{Server: "x", Kind: memory.KindNote, Data: json.RawMessage(`{bad`)}, "not valid JSON"},
			{memory.Entry{Server: "x", Kind: "diary"}, `kind "diary" is not one of`},
			{memory.Entry{Kind: memory.KindNote}, "needs a server"},
			{memory.Entry{Server: "x", Kind: memory.KindNote, Tags: []string{"a,b"}}, "without commas"},
		} {
			if err := s.Put(ctx, &c.e); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("want %q, got %v", c.want, err)
			}
		}
	})
}

func TestExportImportAcrossBackends(t *testing.T) {
	ctx := context.Background()
	src := open(t, backends[0].new(t))
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
	put(t, src, memory.Entry{Key: "a", Tags: []string{"x"}, CreatedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	put(t, src, memory.Entry{Key: "b", Kind: memory.KindOperation, Scope: "ws", ExpiresAt: &exp, Data: json.RawMessage(`{"n":[1,2]}`)})
	var buf bytes.Buffer
	if n, err := memory.Export(ctx, src, &buf); err != nil || n != 2 {
		t.Fatalf("export: %d %v", n, err)
	}
	dst := open(t, backends[1].new(t))
	if n, err := memory.Import(ctx, dst, bytes.NewReader(buf.Bytes())); err != nil || n != 2 {
		t.Fatalf("import: %d %v", n, err)
	}
	var again bytes.Buffer
	memory.Export(ctx, dst, &again)
	strip := func(s string) string { // ids differ between stores
		var out []string
		for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
			var m map[string]any
			json.Unmarshal([]byte(l), &m)
			delete(m, "id")
			b, _ := json.Marshal(m)
			out = append(out, string(b))
		}
		return strings.Join(out, "\n")
	}
	if strip(buf.String()) != strip(again.String()) {
		t.Fatalf("round trip differs:\n%s\n%s", buf.String(), again.String())
	}
	_, err := memory.Import(ctx, dst, strings.NewReader("{\"server\":\"x\",\"kind\":\"note\"}\nnot json\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("bad import: %v", err)
	}
}

func TestPlans(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.new(t))
		now := time.Now()
		for _, p := range []*memory.Plan{
			{ID: "p-1", Workspace: "/w", CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
			{ID: "p-2", Workspace: "/w", CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)},
		} {
			if err := s.SavePlan(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SavePlan(ctx, &memory.Plan{ID: "p-1", Workspace: "/w"}); err == nil {
			t.Fatal("duplicate plan id accepted")
		}
		if pend, _ := s.ListPlans(ctx, memory.PlanFilter{PendingOnly: true}); len(pend) != 1 || pend[0].ID != "p-1" {
			t.Fatalf("pending: %v", pend)
		}
		if ok, _ := s.MarkPlanUsed(ctx, "p-1", now); !ok {
			t.Fatal("first use refused")
		}
		if ok, _ := s.MarkPlanUsed(ctx, "p-1", now); ok {
			t.Fatal("second use allowed")
		}
		if p, _ := s.GetPlan(ctx, "p-1"); p.UsedAt == nil {
			t.Fatal("used_at not set")
		}
		if _, err := s.GetPlan(ctx, "p-3"); !errors.Is(err, memory.ErrNotFound) {
			t.Fatalf("missing plan: %v", err)
		}
	})
}

func appendAudit(t *testing.T, s memory.Store, n int, when time.Time) {
	t.Helper()
	for i := range n {
		r := &memory.AuditRecord{Time: when.Add(time.Duration(i) * time.Second), Principal: "alice", Server: "deploy", Tool: "apply_terraform",
			Args: json.RawMessage(`{"workspace":"/w","token":"s3cr3t-token-value"}`), Outcome: "ok", DurationMS: int64(i), ResultIDs: []string{"p-" + strconv.Itoa(i)}}
		if err := s.AppendAudit(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditChainTamperAndRetention(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		loc := b.new(t)
		s := open(t, loc)
		old := time.Now().Add(-48 * time.Hour)
		appendAudit(t, s, 6, old)
		appendAudit(t, s, 4, time.Now())
		recs, _ := s.ListAudit(ctx, 0)
		if strings.Contains(string(recs[0].Args), "s3cr3t") {
			t.Fatal("audit args not redacted")
		}
		rep, err := memory.VerifyAudit(ctx, s)
		if err != nil || !rep.OK || rep.Records != 10 {
			t.Fatalf("fresh chain: %+v %v", rep, err)
		}

		// The store refuses edits and unchecked deletes...
		if err := execErr(t, loc, "UPDATE audit SET outcome = 'fine' WHERE seq = 3"); err == nil {
			t.Fatal("an UPDATE of an audit record was allowed")
		}
		if err := execErr(t, loc, "DELETE FROM audit WHERE seq = 3"); err == nil {
			t.Fatal("a DELETE of an audit record was allowed")
		}

		// ...retention prunes behind a signed checkpoint and still verifies...
		n, err := memory.PruneAudit(ctx, s, memory.PruneAuditOptions{MaxAge: 24 * time.Hour})
		if err != nil || n != 6 {
			t.Fatalf("prune by age: %d %v", n, err)
		}
		n, err = memory.PruneAudit(ctx, s, memory.PruneAuditOptions{MaxRecords: 3})
		if err != nil || n != 1 {
			t.Fatalf("prune by count: %d %v", n, err)
		}
		appendAudit(t, s, 2, time.Now())
		rep, err = memory.VerifyAudit(ctx, s)
		if err != nil || !rep.OK || rep.Records != 5 || rep.Checkpoint == nil || rep.Checkpoint.Pruned != 7 {
			t.Fatalf("after retention: %+v %v", rep, err)
		}

		// ...and anyone who goes around the guards is named.
		var target int64 = rep.Checkpoint.ThroughSeq + 2
		if strings.HasPrefix(loc, "postgres://") {
			rawExec(t, loc, "ALTER TABLE audit DISABLE TRIGGER audit_guard", fmt.Sprintf("UPDATE audit SET outcome = 'nothing to see' WHERE seq = %d", target))
		} else {
			rawExec(t, loc, "DROP TRIGGER audit_no_update", fmt.Sprintf("UPDATE audit SET outcome = 'nothing to see' WHERE seq = %d", target))
		}
		rep, _ = memory.VerifyAudit(ctx, s)
		if rep.OK || rep.BrokenSeq != target || !strings.Contains(rep.Problem, fmt.Sprintf("record %d was altered", target)) {
			t.Fatalf("tampered record not named: %+v", rep)
		}
		if _, err := memory.PruneAudit(ctx, s, memory.PruneAuditOptions{MaxRecords: 1}); err == nil {
			t.Fatal("a broken chain was pruned")
		}
	})
}

func TestAuditCheckpointForgeryIsDetected(t *testing.T) {
	ctx := context.Background()
	loc := backends[0].new(t)
	s := open(t, loc)
	appendAudit(t, s, 5, time.Now())
	if _, err := memory.PruneAudit(ctx, s, memory.PruneAuditOptions{MaxRecords: 2}); err != nil {
		t.Fatal(err)
	}
	rawExec(t, loc, "UPDATE audit_checkpoints SET pruned = 1")
	if rep, _ := memory.VerifyAudit(ctx, s); rep.OK || !strings.Contains(rep.Problem, "bad signature") {
		t.Fatalf("forged checkpoint: %+v", rep)
	}
}

func execErr(t *testing.T, loc, stmt string) error {
	t.Helper()
	ctx := context.Background()
	if strings.HasPrefix(loc, "postgres://") {
		conn, err := pgx.Connect(ctx, loc)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, stmt)
		return err
	}
	db, _ := sql.Open("sqlite", "file:"+loc)
	defer db.Close()
	_, err := db.Exec(stmt)
	return err
}

func helper(t *testing.T, role, loc string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{"OPSMCP_TEST_ROLE=" + role, "OPSMCP_TEST_STORE=" + loc}, env...)...)
	return cmd
}

func TestFourProcessesWriteAtOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		loc := b.new(t)
		const procs, writes = 4, 2000
		var cmds []*exec.Cmd
		var stderr [procs]bytes.Buffer
		for p := range procs {
			cmd := helper(t, "writer", loc, "OPSMCP_TEST_WRITER=w"+strconv.Itoa(p), "OPSMCP_TEST_WRITES="+strconv.Itoa(writes))
			cmd.Stderr = &stderr[p]
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			cmds = append(cmds, cmd)
		}
		for i, c := range cmds {
			if err := c.Wait(); err != nil {
				t.Fatalf("writer %d surfaced an error: %v: %s", i, err, stderr[i].String())
			}
		}
		s := open(t, loc)
		p, err := s.List(context.Background(), memory.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Entries) != procs*writes {
			t.Fatalf("%d entries, want %d", len(p.Entries), procs*writes)
		}
		rep, err := memory.VerifyAudit(context.Background(), s)
		if err != nil || !rep.OK || rep.Records != procs*writes/100 {
			t.Fatalf("audit after concurrent appends: %+v %v", rep, err)
		}
	})
}

func TestKilledWriterLosesNothingAcknowledged(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		loc := b.new(t)
		cmd := helper(t, "writer", loc, "OPSMCP_TEST_WRITER=k", "OPSMCP_TEST_WRITES=0")
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var acked []string
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			acked = append(acked, sc.Text())
			if len(acked) == 700 {
				cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
		for sc.Scan() { // what was acknowledged before the kill landed
			acked = append(acked, sc.Text())
		}
		cmd.Wait()
		s := open(t, loc)
		p, err := s.List(context.Background(), memory.Filter{})
		if err != nil {
			t.Fatalf("store does not open after the kill: %v", err)
		}
		have := map[string]bool{}
		for _, e := range p.Entries {
			have[e.Key] = true
		}
		for _, k := range acked {
			if !have[k] {
				t.Fatalf("acknowledged write %s is missing after the kill", k)
			}
		}
		if b.name == "sqlite" {
			db, _ := sql.Open("sqlite", "file:"+loc)
			defer db.Close()
			var res string
			if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
				t.Fatalf("integrity_check: %q %v", res, err)
			}
		}
		if rep, err := memory.VerifyAudit(context.Background(), s); err != nil || !rep.OK {
			t.Fatalf("audit after kill: %+v %v", rep, err)
		}
		t.Logf("%d acknowledged writes, all present (%d stored)", len(acked), len(p.Entries))
	})
}

func TestConcurrentMigrationsOfANewStore(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		for round := range 3 {
			loc := b.new(t)
			var wg sync.WaitGroup
			errs := make([]error, 3)
			outs := make([][]byte, 3)
			for i := range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					outs[i], errs[i] = helper(t, "migrator", loc).CombinedOutput()
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("round %d: migrator %d: %v: %s", round, i, err, outs[i])
				}
			}
			s := open(t, loc)
			put(t, s, memory.Entry{Key: "works"})
			if hits, err := s.Search(context.Background(), "works", memory.Filter{}); err != nil || len(hits) != 1 {
				t.Fatalf("schema after concurrent migration: %v %v", hits, err)
			}
		}
	})
}

// TestSearchOfCommonWords: a word most entries hold still finds the newest
// of them, and a rare word beside it decides the match.
func TestSearchOfCommonWords(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.new(t))
		now := time.Now().Add(-time.Hour)
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 600 {
					e := memory.Entry{Server: "deploy", Kind: memory.KindNote, Key: fmt.Sprintf("e%d-%d", w, i),
						CreatedAt: now.Add(-time.Duration(w*600+i) * time.Minute), Data: json.RawMessage(`{"msg":"rollout finished"}`)}
					if err := s.Put(ctx, &e); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		put(t, s, memory.Entry{Key: "newest", CreatedAt: now.Add(time.Minute), Data: json.RawMessage(`{"msg":"rollout finished"}`)})
		put(t, s, memory.Entry{Key: "special", CreatedAt: now.Add(-400 * time.Hour), Data: json.RawMessage(`{"msg":"rollout of zebrafish finished"}`)})
		hits, err := s.Search(ctx, "rollout", memory.Filter{Limit: 5})
		if err != nil || len(hits) != 5 || hits[0].Key != "newest" {
			t.Fatalf("common word: %v %v", err, hits)
		}
		hits, err = s.Search(ctx, "rollout zebrafish", memory.Filter{Limit: 5})
		if err != nil || len(hits) == 0 || hits[0].Key != "special" {
			t.Fatalf("rare word beside a common one: %v %v", err, hits)
		}
	})
}

// Concurrent appends in one process are committed in groups: every record
// gets its own sequence number, the chain verifies, none is lost.
func TestConcurrentAuditAppendsShareTransactions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := open(t, b.new(t))
		const goroutines, each = 32, 40
		var wg sync.WaitGroup
		seqs := make(chan int64, goroutines*each)
		for g := range goroutines {
			wg.Go(func() {
				for i := range each {
					a := &memory.AuditRecord{Principal: fmt.Sprintf("p%d", g), Server: "s", Tool: "t", Args: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i)), Outcome: "ok"}
					if err := s.AppendAudit(context.Background(), a); err != nil {
						t.Error(err)
						return
					}
					seqs <- a.Seq
				}
			})
		}
		wg.Wait()
		close(seqs)
		seen := map[int64]bool{}
		for q := range seqs {
			if seen[q] || q == 0 {
				t.Fatalf("sequence number %d given twice (or not at all)", q)
			}
			seen[q] = true
		}
		rep, err := memory.VerifyAudit(context.Background(), s)
		if err != nil || !rep.OK || rep.Records != goroutines*each {
			t.Fatalf("audit after concurrent appends: %+v %v", rep, err)
		}
	})
}
