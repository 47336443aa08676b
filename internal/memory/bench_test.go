package memory_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/memory"
)

// BenchmarkPut measures single-entry puts from one process (target for
// SQLite: >= 5,000 per second).
func BenchmarkPut(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := open(b, be.new(b))
			ctx := context.Background()
			data := json.RawMessage(`{"plan_id":"p-1","summary":{"add":3,"change":1,"destroy":0},"note":"rollout of web to prod"}`)
			b.ResetTimer()
			start := time.Now()
			for i := 0; b.Loop(); i++ {
				e := &memory.Entry{Server: "deploy", Kind: memory.KindOperation, Scope: "/infra/prod", Key: fmt.Sprint(i), Data: data, Tags: []string{"terraform"}}
				if err := s.Put(ctx, e); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "puts/s")
		})
	}
}

var vocabulary = func() []string {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"web", "api", "database", "rollout", "canary", "prod", "staging", "terraform", "apply", "plan",
		"replica", "timeout", "crashloop", "image", "quota", "cost", "bucket", "network", "ingress", "backup"}
	for len(words) < 2000 {
		n := 4 + r.IntN(6)
		var sb strings.Builder
		for range n {
			sb.WriteByte(byte('a' + r.IntN(26)))
		}
		words = append(words, sb.String())
	}
	return words
}()

// seed writes n entries of realistic shape spread over the last 180 days,
// in time order as a store fills in use, with 8 writers at once.
func seed(b *testing.B, s memory.Store, n int) {
	b.Helper()
	servers := []string{"deploy", "kube", "cloud", "github"}
	var wg sync.WaitGroup
	per := n / 8
	start := time.Now().Add(-180 * 24 * time.Hour)
	step := 180 * 24 * time.Hour / time.Duration(n)
	var seq atomic.Int64
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for i := range per {
				var words []string
				for range 12 {
					words = append(words, vocabulary[r.IntN(len(vocabulary))])
				}
				data, _ := json.Marshal(map[string]any{"message": strings.Join(words, " "), "n": i})
				e := &memory.Entry{Server: servers[r.IntN(4)], Kind: memory.Kinds[r.IntN(len(memory.Kinds))],
					Scope: fmt.Sprintf("scope-%d", r.IntN(50)), Key: fmt.Sprintf("%d-%d", w, i), Data: data,
					CreatedAt: start.Add(time.Duration(seq.Add(1)) * step)}
				if err := s.Put(context.Background(), e); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkSearch100k measures full-text search over 100,000 entries and
// reports the p95 (target for SQLite: < 5 ms).
func BenchmarkSearch100k(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := open(b, be.new(b))
			start := time.Now()
			seed(b, s, 100_000)
			b.Logf("seeded 100,000 entries in %v", time.Since(start).Round(time.Millisecond))
			r := rand.New(rand.NewPCG(3, 4))
			ctx := context.Background()
			var lat []time.Duration
			b.ResetTimer()
			for b.Loop() {
				q := vocabulary[r.IntN(20)] + " " + vocabulary[r.IntN(len(vocabulary))]
				f := memory.Filter{Limit: 20}
				if r.IntN(2) == 0 {
					f.Scope = fmt.Sprintf("scope-%d", r.IntN(50))
				}
				t0 := time.Now()
				if _, err := s.Search(ctx, q, f); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}
