package cloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2/google"
)

// Google's REST APIs are called directly with net/http and Application
// Default Credentials (golang.org/x/oauth2/google): three paged GETs. The
// generated clients (cloud.google.com/go, google.golang.org/api) link gRPC,
// S2A and OpenTelemetry for them, some 110 packages whose start-up cost in
// memory every opsmcp process would pay, `opsmcp validate` included.

// gcpBase is each API's base URL; cloud.gcp.endpoints replaces it.
var gcpBase = map[string]string{
	"compute": "https://compute.googleapis.com/compute/v1/",
	"storage": "https://storage.googleapis.com/storage/v1/",
	"billing": "https://cloudbilling.googleapis.com/v1/",
}

const readOnlyScope = "https://www.googleapis.com/auth/cloud-platform.read-only"

// api returns an API's base URL and an HTTP client for it: authorised by
// Application Default Credentials, or plain for an http:// endpoint (an
// emulator: credentials never go over plain HTTP).
func (g *GCP) api(ctx context.Context, name string) (string, *http.Client, error) {
	base := gcpBase[name]
	if ep := g.Endpoints[name]; ep != "" {
		base = strings.TrimSuffix(ep, "/") + "/"
	}
	if strings.HasPrefix(base, "http://") {
		return base, &http.Client{Timeout: time.Minute}, nil
	}
	c, err := google.DefaultClient(ctx, readOnlyScope)
	if err != nil {
		return "", nil, gcpExplain(err, name)
	}
	c.Timeout = time.Minute
	return base, c, nil
}

// googleError is the error body of Google's REST APIs.
type googleError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// gcpAttempts: 429 and 5xx answers are retried with exponential backoff
// (or the Retry-After the API sends).
const gcpAttempts = 5

// getPages GETs base+path from the page token start on (pageToken),
// handing each body to page, which returns the next page token and whether
// to go on. It returns the token of the page after the last one read ("" at
// the end).
func (g *GCP) getPages(ctx context.Context, api, path string, query url.Values, start, what string, page func([]byte) (next string, more bool, err error)) (string, error) {
	base, client, err := g.api(ctx, api)
	if err != nil {
		return "", err
	}
	token := start
	for {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		if token != "" {
			q.Set("pageToken", token)
		}
		u := base + path
		if len(q) > 0 {
			u += "?" + q.Encode()
		}
		body, err := g.get(ctx, client, u, what)
		if err != nil {
			return "", err
		}
		next, more, err := page(body)
		if err != nil {
			return "", fmt.Errorf("%s: %w", what, err)
		}
		if !more || next == "" {
			return next, nil
		}
		token = next
	}
}

func (g *GCP) get(ctx context.Context, client *http.Client, u, what string) ([]byte, error) {
	wait := g.backoff()
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, gcpExplain(err, what)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if resp.StatusCode/100 == 2 {
			return body, nil
		}
		if (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500) && attempt < gcpAttempts {
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 && s <= 60 {
				wait = time.Duration(s) * time.Second
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(wait):
			}
			wait *= 2
			continue
		}
		var ge googleError
		json.Unmarshal(body, &ge)
		msg := ge.Error.Message
		if msg == "" {
			msg = strings.TrimSpace(string(body[:min(len(body), 200)]))
		}
		switch resp.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			return nil, fmt.Errorf("%s: access denied by Google Cloud (%d): %s", what, resp.StatusCode, msg)
		case http.StatusTooManyRequests:
			return nil, fmt.Errorf("%s: Google Cloud is still rate limiting after %d attempts: %s", what, gcpAttempts, msg)
		}
		return nil, fmt.Errorf("%s: %d %s", what, resp.StatusCode, msg)
	}
}

func (g *GCP) backoff() time.Duration {
	if g.MinBackoff > 0 {
		return g.MinBackoff
	}
	return 500 * time.Millisecond
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

type gcpInstanceJSON struct {
	Name              string `json:"name"`
	Zone              string `json:"zone"`
	MachineType       string `json:"machineType"`
	Status            string `json:"status"`
	NetworkInterfaces []struct {
		NetworkIP     string `json:"networkIP"`
		AccessConfigs []struct {
			NatIP string `json:"natIP"`
		} `json:"accessConfigs"`
	} `json:"networkInterfaces"`
}

// Instances reads one page (up to limit) of a project's instances in every
// zone (or one zone), from the page token on; it returns the next token.
func (g *GCP) Instances(ctx context.Context, project, zone string, limit int, token string) ([]GCPInstance, string, error) {
	if err := g.CheckProject(project); err != nil {
		return nil, "", err
	}
	project = url.PathEscape(g.project(project))
	if limit <= 0 {
		limit = 100
	}
	var out []GCPInstance
	add := func(list []gcpInstanceJSON) {
		for _, i := range list {
			gi := GCPInstance{Name: i.Name, Zone: lastPart(i.Zone), MachineType: lastPart(i.MachineType), Status: i.Status}
			for _, n := range i.NetworkInterfaces {
				gi.InternalIP = n.NetworkIP
				for _, ac := range n.AccessConfigs {
					gi.ExternalIP = ac.NatIP
				}
			}
			out = append(out, gi)
		}
	}
	path := "projects/" + project + "/aggregated/instances"
	if zone != "" {
		path = "projects/" + project + "/zones/" + url.PathEscape(zone) + "/instances"
	}
	next, err := g.getPages(ctx, "compute", path, url.Values{"maxResults": {strconv.Itoa(min(limit, 500))}}, token, "compute.instances.list", func(body []byte) (string, bool, error) {
		var page struct {
			Items         json.RawMessage `json:"items"`
			NextPageToken string          `json:"nextPageToken"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return "", false, err
		}
		if len(page.Items) > 0 {
			if zone != "" {
				var list []gcpInstanceJSON
				if err := json.Unmarshal(page.Items, &list); err != nil {
					return "", false, err
				}
				add(list)
			} else {
				var scopes map[string]struct {
					Instances []gcpInstanceJSON `json:"instances"`
				}
				if err := json.Unmarshal(page.Items, &scopes); err != nil {
					return "", false, err
				}
				for _, sc := range scopes {
					add(sc.Instances)
				}
			}
		}
		return page.NextPageToken, false, nil
	})
	if err != nil {
		return nil, "", err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Zone+out[i].Name < out[j].Zone+out[j].Name })
	return out, next, nil
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
	if err := g.CheckProject(project); err != nil {
		return nil, "", err
	}
	if limit <= 0 {
		limit = 100
	}
	var out []GCSBucket
	query := url.Values{"project": {g.project(project)}, "maxResults": {strconv.Itoa(min(limit, 1000))}}
	next, err := g.getPages(ctx, "storage", "b", query, token, "storage.buckets.list", func(body []byte) (string, bool, error) {
		var page struct {
			Items []struct {
				Name         string `json:"name"`
				Location     string `json:"location"`
				StorageClass string `json:"storageClass"`
			} `json:"items"`
			NextPageToken string `json:"nextPageToken"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return "", false, err
		}
		for _, b := range page.Items {
			out = append(out, GCSBucket{Name: b.Name, Location: b.Location, StorageClass: b.StorageClass})
		}
		return page.NextPageToken, false, nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}
