package mcpkit

import (
	"context"
	"fmt"
	"runtime"
	"sync"
)

// heavySlots bounds heavy calls per process (limits.heavy_calls): what one
// call may hold in memory times the slots is what the process may hold.
var (
	heavyOnce  sync.Once
	heavySlots chan struct{}
)

func heavySemaphore(n int) chan struct{} {
	heavyOnce.Do(func() {
		if n <= 0 {
			n = runtime.NumCPU()
		}
		heavySlots = make(chan struct{}, n)
	})
	return heavySlots
}

// acquireHeavy waits for a slot, or for the call to be cancelled.
func acquireHeavy(ctx context.Context, n int) (release func(), err error) {
	slots := heavySemaphore(n)
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waited for one of %d heavy-call slots (limits.heavy_calls) until the call ended: %w", cap(slots), ctx.Err())
	}
}

func (t *Tool) heavy(in any) bool {
	if h, ok := in.(HeavyInput); ok {
		return h.HeavyCall()
	}
	return t.Heavy
}
