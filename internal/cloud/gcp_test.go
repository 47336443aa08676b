package cloud

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The libraries retry 429 and 5xx up to gcpAttempts in all, and their
// failures read as sentences naming the call and Google's message.
func TestGCPRetriesAndErrors(t *testing.T) {
	var calls atomic.Int32
	status := func(n int32) int { return http.StatusOK }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if code := status(n); code != http.StatusOK {
			w.WriteHeader(code)
			w.Write([]byte(`{"error":{"code":` + strconv.Itoa(code) + `,"message":"quota says no"}}`))
			return
		}
		w.Write([]byte(`{"items":[{"name":"vm-1","zone":"zones/us-central1-a","machineType":"zones/us-central1-a/machineTypes/e2-small","status":"RUNNING"}]}`))
	}))
	defer srv.Close()
	g := &GCP{Projects: []string{"demo"}, Endpoints: map[string]string{"compute": srv.URL + "/compute/v1/"}, MinBackoff: time.Millisecond}
	list := func() ([]GCPInstance, error) {
		calls.Store(0)
		out, _, err := g.Instances(context.Background(), "demo", "us-central1-a", 10, "")
		return out, err
	}

	status = func(n int32) int {
		if n <= 2 {
			return http.StatusTooManyRequests
		}
		return http.StatusOK
	}
	if out, err := list(); err != nil || len(out) != 1 || out[0].Name != "vm-1" || calls.Load() != 3 {
		t.Fatalf("after two 429s: %v %v (%d calls)", out, err, calls.Load())
	}

	status = func(int32) int { return http.StatusTooManyRequests }
	if _, err := list(); err == nil || !strings.Contains(err.Error(), "compute.instances.list: Google Cloud is still rate limiting after 5 attempts: quota says no") || calls.Load() != gcpAttempts {
		t.Fatalf("always 429: %v (%d calls)", err, calls.Load())
	}

	status = func(int32) int { return http.StatusForbidden }
	if _, err := list(); err == nil || !strings.Contains(err.Error(), "compute.instances.list: access denied by Google Cloud (403): quota says no") || calls.Load() != 1 {
		t.Fatalf("403: %v (%d calls)", err, calls.Load())
	}
}
