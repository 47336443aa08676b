package helm

import (
	"context"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/opsmcp/opsmcp/internal/kube"
)

// ObjectStatus is one object of a release as it runs now.
type ObjectStatus struct {
	Object string `json:"object"` // deployment/web -n prod
	Ready  bool   `json:"ready"`
	// State says how it is: the rollout line of a workload, "exists",
	// or "missing".
	State string `json:"state"`
}

// Status is helm status: the latest revision and each of its objects'
// readiness.
type Status struct {
	Release Release        `json:"release"`
	Objects []ObjectStatus `json:"objects"`
	Notes   string         `json:"notes,omitempty"`
}

// Status reads a release and judges each object it rendered: workloads
// as rollout_status judges them, anything else by whether it exists.
func (c *Client) Status(ctx context.Context, name string) (*Status, error) {
	rel, err := c.Get(name, 0)
	if err != nil {
		return nil, err
	}
	st := &Status{Release: summarize(rel), Objects: []ObjectStatus{}}
	if rel.Info != nil {
		st.Notes = strings.TrimSpace(rel.Info.Notes)
	}
	if rel.Manifest == "" {
		return st, nil
	}
	docs, err := kube.ReadManifests(nil, []string{rel.Manifest})
	if err != nil {
		return nil, err
	}
	plan, err := c.cluster.Plan(docs, c.namespace)
	if err != nil {
		return nil, err
	}
	for _, p := range plan {
		os := ObjectStatus{Object: p.Ref()}
		if kind := kube.WorkloadKind(p.GVK.GroupKind()); kind != "" {
			r, err := c.cluster.RolloutStatus(ctx, kind, p.Namespace, p.Object.GetName())
			switch {
			case err != nil:
				os.State = err.Error()
			default:
				os.Ready, os.State = r.Done, r.Message
			}
		} else {
			_, err := c.cluster.Dynamic.Resource(p.Resource).Namespace(p.Namespace).Get(ctx, p.Object.GetName(), metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(err):
				os.State = "missing"
			case err != nil:
				os.State = c.cluster.Explain(err, "get", p.Resource.Resource+"/"+p.Object.GetName(), p.Namespace).Error()
			default:
				os.Ready, os.State = true, "exists"
			}
		}
		st.Objects = append(st.Objects, os)
	}
	return st, nil
}
