package memory

import (
	"context"
	"sync"
	"time"
)

// auditBatcher commits audit records in groups: concurrent appends share one
// transaction (one chain read, one commit), and each caller still returns
// only once its own record is committed. Under a busy HTTP service every
// call is audited; one transaction each would make the store the limit.
type auditBatcher struct {
	write func(ctx context.Context, recs []*AuditRecord) error

	mu       sync.Mutex
	pending  []*pendingAudit
	flushing bool
}

type pendingAudit struct {
	rec  *AuditRecord
	done chan error
}

// maxAuditBatch bounds one transaction.
const maxAuditBatch = 256

// append queues a and waits until it is committed (or failed). The first
// caller to find no flush under way flushes; whatever arrives meanwhile
// goes into the next transaction, flushed by a goroutine of its own, so no
// caller waits for more than its own batch and the one before it.
func (b *auditBatcher) append(a *AuditRecord) error {
	p := &pendingAudit{rec: a, done: make(chan error, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, p)
	if !b.flushing {
		b.flushing = true
		b.mu.Unlock()
		b.flush()
	} else {
		b.mu.Unlock()
	}
	return <-p.done
}

// flush writes one batch, then hands what queued meanwhile to a new
// flusher.
func (b *auditBatcher) flush() {
	b.mu.Lock()
	n := min(len(b.pending), maxAuditBatch)
	batch := b.pending[:n:n]
	b.pending = b.pending[n:]
	b.mu.Unlock()
	recs := make([]*AuditRecord, len(batch))
	for i, p := range batch {
		recs[i] = p.rec
	}
	// The records must be written even if their callers gave up.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	err := b.write(ctx, recs)
	cancel()
	for _, p := range batch {
		p.done <- err
	}
	b.mu.Lock()
	if len(b.pending) == 0 {
		b.flushing = false
		b.mu.Unlock()
		return
	}
	b.mu.Unlock()
	go b.flush()
}
