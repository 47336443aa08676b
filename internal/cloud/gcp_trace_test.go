package cloud

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// Google Cloud requests are child spans of the tool call that made them,
// both through Application Default Credentials (the libraries' own
// authenticated transport: a service account whose token endpoint and API
// are local servers) and through an emulator's plain http:// endpoint; the
// access token is in no span.
func TestGCPRequestsAreChildSpans(t *testing.T) {
	const token = "ya29.secret-access-token"
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.Form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || r.Form.Get("assertion") == "" {
			http.Error(w, "want a signed JWT grant", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"` + token + `","token_type":"Bearer","expires_in":3600}`))
	}))
	defer tokens.Close()
	api := func(wantAuth string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if got := r.Header.Get("Authorization"); got != wantAuth {
				http.Error(w, `{"error":{"code":401,"message":"Authorization was `+got+`"}}`, http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			if strings.Contains(r.URL.Path, "/b") {
				w.Write([]byte(`{"items":[{"name":"logs","location":"US"}]}`))
				return
			}
			w.Write([]byte(`{"items":[{"name":"vm-1","zone":"zones/us-central1-a","machineType":"zones/us-central1-a/machineTypes/e2-small","status":"RUNNING"}]}`))
		}
	}
	google := httptest.NewTLSServer(api("Bearer " + token))
	defer google.Close()
	emulator := httptest.NewServer(api(""))
	defer emulator.Close()

	// The libraries clone http.DefaultTransport: trust the local "Google".
	saved := http.DefaultTransport
	http.DefaultTransport = google.Client().Transport
	t.Cleanup(func() { http.DefaultTransport = saved })

	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	creds, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "demo", "private_key_id": "k1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": "opsmcp@demo.iam.gserviceaccount.com", "client_id": "1",
		"token_uri": tokens.URL + "/token",
	})
	credsFile := filepath.Join(t.TempDir(), "adc.json")
	os.WriteFile(credsFile, creds, 0o600)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", credsFile)
	t.Setenv("OTEL_TRACES_EXPORTER", "otlp") // telemetry.Enabled

	rec := tracetest.NewSpanRecorder()
	savedTP := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(savedTP) })

	for _, c := range []struct{ name, base string }{{"default credentials", google.URL}, {"emulator", emulator.URL}} {
		t.Run(c.name, func(t *testing.T) {
			g := &GCP{Projects: []string{"demo"}, Endpoints: map[string]string{
				"compute": c.base + "/compute/v1/", "storage": c.base + "/storage/v1/"}}
			ctx, call := otel.Tracer("test").Start(context.Background(), "tools/call gcp")
			vms, _, err := g.Instances(ctx, "demo", "us-central1-a", 10, "")
			if err != nil || len(vms) != 1 {
				t.Fatalf("instances: %v %v", vms, err)
			}
			buckets, _, err := g.Buckets(ctx, "demo", 10, "")
			if err != nil || len(buckets) != 1 {
				t.Fatalf("buckets: %v %v", buckets, err)
			}
			call.End()

			children := map[string]bool{}
			for _, s := range rec.Ended() {
				for _, a := range s.Attributes() {
					if strings.Contains(a.Value.String(), token) {
						t.Errorf("span %q carries the access token in %s", s.Name(), a.Key)
					}
				}
				if s.Parent().SpanID() == call.SpanContext().SpanID() && s.SpanKind() == trace.SpanKindClient {
					for _, a := range s.Attributes() {
						if a.Key == "url.full" || a.Key == "http.url" {
							children[strings.TrimPrefix(strings.SplitN(a.Value.AsString(), "?", 2)[0], c.base)] = true
						}
					}
				}
			}
			if !children["/compute/v1/projects/demo/zones/us-central1-a/instances"] || !children["/storage/v1/b"] {
				for _, s := range rec.Ended() {
					t.Logf("%s %v %v", s.Name(), s.Parent().SpanID(), s.Attributes())
				}
				t.Fatalf("want the instance and bucket requests as client spans under the call, got %v", children)
			}
		})
	}
}

// A Compute request ends with the tool call that made it, though the
// generated client sends it without the call's context.
func TestGCPRequestsEndWithTheCall(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	g := &GCP{Projects: []string{"demo"}, Endpoints: map[string]string{"compute": srv.URL + "/compute/v1/"}}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, _, err := g.Instances(ctx, "demo", "us-central1-a", 10, "")
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("want the call's deadline, got %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the request outlived its call by 10 s")
	}
}

// Without usable default credentials a call says how to get them.
func TestGCPWithoutCredentials(t *testing.T) {
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "missing.json"))
	g := &GCP{Projects: []string{"demo"}}
	_, _, err := g.Instances(context.Background(), "demo", "us-central1-a", 10, "")
	if err == nil || !strings.Contains(err.Error(), "compute.instances.list: no Google credentials: run gcloud auth application-default login, or set GOOGLE_APPLICATION_CREDENTIALS") {
		t.Fatalf("got %v", err)
	}
}
