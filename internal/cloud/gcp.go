package cloud

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/telemetry"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/storage"
	"github.com/googleapis/gax-go/v2"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	htransport "google.golang.org/api/transport/http"
)

// Google Cloud through its own Go clients (cloud.google.com/go): Compute
// Engine's and the Billing Catalog's REST clients and Cloud Storage's JSON
// client, authorised by Application Default Credentials, paged by their
// iterators and retried by them on 429 and 5xx.

// GCP reads Google Cloud inside the project allowlist.
type GCP struct {
	Projects  []string
	Endpoints map[string]string
	// MinBackoff is the first wait before retrying a 429 or 5xx (default 500 ms).
	MinBackoff time.Duration
}

// gcpEndpointPaths are what the configured endpoints (cloud.gcp.endpoints,
// written as each API's base URL) hold beyond the host the REST clients
// take: the clients add these paths themselves.
var gcpEndpointPaths = map[string]string{"compute": "compute/v1/", "billing": "v1/"}

const readOnlyScope = "https://www.googleapis.com/auth/cloud-platform.read-only"

// gcpAttempts: 429 and 5xx answers are tried this many times in all.
const gcpAttempts = 5

// options are an API's client options for calls made under ctx:
// Application Default Credentials for Google's endpoints, none for an
// http:// endpoint (an emulator: credentials never go over plain HTTP).
// opsmcp builds the HTTP client either way, bound to ctx: the generated
// REST clients (Compute, Billing) send requests without the caller's
// context, so without this they would neither be cancelled with the tool
// call nor be its child spans. The authenticated transport makes those
// spans through the global tracer provider telemetry.Setup installs (off
// when tracing is, as telemetry.Transport is).
func (g *GCP) options(ctx context.Context, api string) ([]option.ClientOption, error) {
	opts := []option.ClientOption{option.WithScopes(readOnlyScope), option.WithUserAgent("opsmcp")}
	if !telemetry.Enabled() {
		opts = append(opts, option.WithTelemetryDisabled())
	}
	if ep := g.Endpoints[api]; ep != "" {
		ep = strings.TrimSuffix(strings.TrimSuffix(ep, "/")+"/", gcpEndpointPaths[api])
		if api != "storage" {
			ep = strings.TrimSuffix(ep, "/")
		}
		opts = append(opts, option.WithEndpoint(ep))
		if strings.HasPrefix(ep, "http://") {
			return append(opts, option.WithoutAuthentication(), option.WithHTTPClient(&http.Client{Transport: callContext{ctx, telemetry.Transport(nil)}})), nil
		}
	}
	authed, _, err := htransport.NewClient(ctx, opts...)
	if err != nil {
		return nil, err
	}
	return append(opts, option.WithHTTPClient(&http.Client{Transport: callContext{ctx, authed.Transport}})), nil
}

// callContext gives a request made without a context the call's, and so
// its deadline (every tool call has one): hence no http.Client.Timeout,
// which would hide that the request came without one.
type callContext struct {
	ctx  context.Context
	next http.RoundTripper
}

func (c callContext) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Context() == context.Background() {
		r = r.WithContext(c.ctx)
	}
	return c.next.RoundTrip(r)
}

func (g *GCP) backoff() gax.Backoff {
	first := g.MinBackoff
	if first <= 0 {
		first = 500 * time.Millisecond
	}
	return gax.Backoff{Initial: first, Max: 30 * time.Second, Multiplier: 2}
}

// retry is the REST clients' retry: 429 and 5xx, gcpAttempts in all.
func (g *GCP) retry() gax.CallOption {
	return gax.WithRetry(func() gax.Retryer {
		return &attemptsRetryer{inner: gax.OnHTTPCodes(g.backoff(), http.StatusTooManyRequests,
			http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout)}
	})
}

// attemptsRetryer bounds a library retryer to gcpAttempts calls.
type attemptsRetryer struct {
	inner gax.Retryer
	tries int
}

func (r *attemptsRetryer) Retry(err error) (time.Duration, bool) {
	r.tries++
	if r.tries >= gcpAttempts {
		return 0, false
	}
	return r.inner.Retry(err)
}

// gcpError says what a Google Cloud call's failure means.
func gcpError(err error, what string) error {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		msg := ge.Message
		if msg == "" {
			msg = strings.TrimSpace(ge.Body[:min(len(ge.Body), 200)])
		}
		switch ge.Code {
		case http.StatusUnauthorized, http.StatusForbidden:
			return fmt.Errorf("%s: access denied by Google Cloud (%d): %s", what, ge.Code, msg)
		case http.StatusTooManyRequests:
			return fmt.Errorf("%s: Google Cloud is still rate limiting after %d attempts: %s", what, gcpAttempts, msg)
		}
		return fmt.Errorf("%s: %d %s", what, ge.Code, msg)
	}
	return gcpExplain(err, what)
}

// CheckProject refuses a project outside cloud.gcp.projects.
func (g *GCP) CheckProject(project string) error {
	if project == "" {
		if len(g.Projects) == 1 {
			return nil
		}
		return errors.New("project is required: name one of cloud.gcp.projects")
	}
	if !slices.Contains(g.Projects, project) {
		if len(g.Projects) == 0 {
			return fmt.Errorf("GCP project %q is not allowed: cloud.gcp.projects in opsmcp.yaml is empty", project)
		}
		return fmt.Errorf("GCP project %q is not allowed (cloud.gcp.projects: %s)", project, strings.Join(g.Projects, ", "))
	}
	return nil
}

func (g *GCP) project(p string) string {
	if p == "" && len(g.Projects) == 1 {
		return g.Projects[0]
	}
	return p
}

func gcpExplain(err error, what string) error {
	msg := err.Error()
	if strings.Contains(msg, "could not find default credentials") || strings.Contains(msg, "google: error getting credentials") {
		return fmt.Errorf("%s: no Google credentials: run gcloud auth application-default login, or set GOOGLE_APPLICATION_CREDENTIALS", what)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// GCPInstance is one Compute Engine instance, compactly.
type GCPInstance struct {
	Name        string `json:"name"`
	Zone        string `json:"zone"`
	MachineType string `json:"machine_type"`
	Status      string `json:"status"`
	InternalIP  string `json:"internal_ip,omitempty"`
	ExternalIP  string `json:"external_ip,omitempty"`
}

func lastPart(s string) string { return s[strings.LastIndexByte(s, '/')+1:] }

func gcpInstance(i *computepb.Instance) GCPInstance {
	gi := GCPInstance{Name: i.GetName(), Zone: lastPart(i.GetZone()), MachineType: lastPart(i.GetMachineType()), Status: i.GetStatus()}
	for _, n := range i.GetNetworkInterfaces() {
		gi.InternalIP = n.GetNetworkIP()
		for _, ac := range n.GetAccessConfigs() {
			gi.ExternalIP = ac.GetNatIP()
		}
	}
	return gi
}

// Instances reads one page (up to limit) of a project's instances in every
// zone (or one zone), from the page token on; it returns the next token.
func (g *GCP) Instances(ctx context.Context, project, zone string, limit int, token string) ([]GCPInstance, string, error) {
	const what = "compute.instances.list"
	if err := g.CheckProject(project); err != nil {
		return nil, "", err
	}
	project = g.project(project)
	if limit <= 0 {
		limit = 100
	}
	opts, err := g.options(ctx, "compute")
	if err != nil {
		return nil, "", gcpError(err, what)
	}
	c, err := compute.NewInstancesRESTClient(ctx, opts...)
	if err != nil {
		return nil, "", gcpError(err, what)
	}
	defer c.Close()
	size := min(limit, 500)
	var out []GCPInstance
	var next string
	if zone != "" {
		it := c.List(ctx, &computepb.ListInstancesRequest{Project: project, Zone: zone}, g.retry())
		var list []*computepb.Instance
		list, next, err = onePage(it.Next, it.PageInfo(), size, token)
		for _, i := range list {
			out = append(out, gcpInstance(i))
		}
	} else {
		it := c.AggregatedList(ctx, &computepb.AggregatedListInstancesRequest{Project: project}, g.retry())
		var scopes []compute.InstancesScopedListPair
		scopes, next, err = onePage(it.Next, it.PageInfo(), size, token)
		for _, sc := range scopes {
			for _, i := range sc.Value.GetInstances() {
				out = append(out, gcpInstance(i))
			}
		}
	}
	if err != nil {
		return nil, "", gcpError(err, what)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Zone+out[i].Name < out[j].Zone+out[j].Name })
	return out, next, nil
}

// onePage reads one page of an API's list from token on, as the API
// answers it (the items of one fetch of at most size), and the token of
// the page after it: a tool's next_token is the API's own.
func onePage[T any](next func() (T, error), pi *iterator.PageInfo, size int, token string) ([]T, string, error) {
	pi.MaxSize, pi.Token = size, token
	var out []T
	for {
		v, err := next()
		if errors.Is(err, iterator.Done) {
			return out, "", nil
		}
		if err != nil {
			return nil, "", err
		}
		out = append(out, v)
		if pi.Remaining() == 0 {
			return out, pi.Token, nil
		}
	}
}

// GCSBucket is one Cloud Storage bucket.
type GCSBucket struct {
	Name         string `json:"name"`
	Location     string `json:"location"`
	StorageClass string `json:"storage_class"`
}

// Buckets reads one page (up to limit) of a project's Cloud Storage
// buckets, from the page token on; it returns the next token.
func (g *GCP) Buckets(ctx context.Context, project string, limit int, token string) ([]GCSBucket, string, error) {
	const what = "storage.buckets.list"
	if err := g.CheckProject(project); err != nil {
		return nil, "", err
	}
	if limit <= 0 {
		limit = 100
	}
	opts, err := g.options(ctx, "storage")
	if err != nil {
		return nil, "", gcpError(err, what)
	}
	c, err := storage.NewClient(ctx, opts...)
	if err != nil {
		return nil, "", gcpError(err, what)
	}
	defer c.Close()
	c.SetRetry(storage.WithBackoff(g.backoff()), storage.WithMaxAttempts(gcpAttempts), storage.WithPolicy(storage.RetryAlways))
	it := c.Buckets(ctx, g.project(project))
	attrs, next, err := onePage(it.Next, it.PageInfo(), min(limit, 1000), token)
	if err != nil {
		return nil, "", gcpError(err, what)
	}
	out := make([]GCSBucket, 0, len(attrs))
	for _, b := range attrs {
		out = append(out, GCSBucket{Name: b.Name, Location: b.Location, StorageClass: b.StorageClass})
	}
	return out, next, nil
}
