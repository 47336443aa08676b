package cloud

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
)

// ClientOption configures a Google API client.
type ClientOption = option.ClientOption

func (g *GCP) options(api string) []option.ClientOption {
	opts := slices.Clone(g.Options)
	if ep := g.Endpoints[api]; ep != "" {
		opts = append(opts, option.WithEndpoint(ep))
		// An http:// endpoint is an emulator: credentials never go over plain HTTP.
		if strings.HasPrefix(ep, "http://") {
			opts = append(opts, option.WithoutAuthentication())
		}
	}
	return opts
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
	var gerr *googleapi.Error
	msg := err.Error()
	switch {
	case strings.Contains(msg, "could not find default credentials") || strings.Contains(msg, "credentials: could not find"):
		return fmt.Errorf("%s: no Google credentials: run gcloud auth application-default login, or set GOOGLE_APPLICATION_CREDENTIALS", what)
	case errors.As(err, &gerr) && gerr.Code == 403:
		return fmt.Errorf("%s: access denied by Google Cloud: %s", what, gerr.Message)
	case errors.As(err, &gerr) && gerr.Code == 429:
		return fmt.Errorf("%s: Google Cloud is rate limiting after retries: %s", what, gerr.Message)
	case errors.As(err, &gerr):
		return fmt.Errorf("%s: %d %s", what, gerr.Code, gerr.Message)
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

// Instances lists a project's instances in every zone (or one zone).
func (g *GCP) Instances(ctx context.Context, project, zone string, limit int) ([]GCPInstance, error) {
	if err := g.CheckProject(project); err != nil {
		return nil, err
	}
	project = g.project(project)
	c, err := compute.NewInstancesRESTClient(ctx, g.options("compute")...)
	if err != nil {
		return nil, gcpExplain(err, "compute")
	}
	defer c.Close()
	if limit <= 0 {
		limit = 100
	}
	conv := func(i *computepb.Instance) GCPInstance {
		out := GCPInstance{Name: i.GetName(), Zone: lastPart(i.GetZone()), MachineType: lastPart(i.GetMachineType()), Status: i.GetStatus()}
		for _, n := range i.GetNetworkInterfaces() {
			out.InternalIP = n.GetNetworkIP()
			for _, ac := range n.GetAccessConfigs() {
				out.ExternalIP = ac.GetNatIP()
			}
		}
		return out
	}
	var out []GCPInstance
	if zone != "" {
		it := c.List(ctx, &computepb.ListInstancesRequest{Project: project, Zone: zone})
		for len(out) < limit {
			i, err := it.Next()
			if err == iterator.Done {
				break
			}
			if err != nil {
				return nil, gcpExplain(err, "compute.instances.list")
			}
			out = append(out, conv(i))
		}
		return out, nil
	}
	it := c.AggregatedList(ctx, &computepb.AggregatedListInstancesRequest{Project: project})
	for len(out) < limit {
		pair, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			return nil, gcpExplain(err, "compute.instances.aggregatedList")
		}
		for _, i := range pair.Value.GetInstances() {
			out = append(out, conv(i))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Zone+out[i].Name < out[j].Zone+out[j].Name })
	return out[:min(len(out), limit)], nil
}

// GCSBucket is one Cloud Storage bucket.
type GCSBucket struct {
	Name         string `json:"name"`
	Location     string `json:"location"`
	StorageClass string `json:"storage_class"`
}

// Buckets lists a project's Cloud Storage buckets.
func (g *GCP) Buckets(ctx context.Context, project string, limit int) ([]GCSBucket, error) {
	if err := g.CheckProject(project); err != nil {
		return nil, err
	}
	project = g.project(project)
	c, err := storage.NewClient(ctx, g.options("storage")...)
	if err != nil {
		return nil, gcpExplain(err, "storage")
	}
	defer c.Close()
	if limit <= 0 {
		limit = 100
	}
	it := c.Buckets(ctx, project)
	var out []GCSBucket
	for len(out) < limit {
		b, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			return nil, gcpExplain(err, "storage.buckets.list")
		}
		out = append(out, GCSBucket{Name: b.Name, Location: b.Location, StorageClass: b.StorageClass})
	}
	return out, nil
}
