package helm

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"helm.sh/helm/v4/pkg/action"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	ri "helm.sh/helm/v4/pkg/release"
	release "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage/driver"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/redact"
)

// Client is Helm's action configuration for one namespace of one allowed
// context; releases are stored as Secrets, as helm stores them.
type Client struct {
	cfg       *action.Configuration
	cluster   *kube.Cluster
	namespace string
}

// New opens Helm on cl for namespace ns ("" lists every namespace).
func New(cl *kube.Cluster, ns string) (*Client, error) {
	cfg := action.NewConfiguration(action.ConfigurationSetLogger(slog.DiscardHandler))
	if err := cfg.Init(getter{cl: cl, ns: ns}, ns, "secret"); err != nil {
		return nil, fmt.Errorf("helm on context %s: %w", cl.Context, err)
	}
	return &Client{cfg: cfg, cluster: cl, namespace: ns}, nil
}

// getter hands Helm the cluster's own connection (its rest config, cached
// discovery and REST mapper) instead of reading the kubeconfig again.
type getter struct {
	cl *kube.Cluster
	ns string
}

func (g getter) ToRESTConfig() (*rest.Config, error) { return rest.CopyConfig(g.cl.Rest), nil }
func (g getter) ToDiscoveryClient() (discovery.CachedDiscoveryInterface, error) {
	return g.cl.Discovery(), nil
}
func (g getter) ToRESTMapper() (meta.RESTMapper, error) { return g.cl.Mapper, nil }
func (g getter) ToRawKubeConfigLoader() clientcmd.ClientConfig {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["c"] = &clientcmdapi.Cluster{Server: g.cl.Server}
	cfg.Contexts["c"] = &clientcmdapi.Context{Cluster: "c", Namespace: g.ns}
	cfg.CurrentContext = "c"
	return clientcmd.NewDefaultClientConfig(*cfg, &clientcmd.ConfigOverrides{})
}

// Release is one release as helm list shows it.
type Release struct {
	Name       string `json:"name"`
	Namespace  string `json:"namespace"`
	Revision   int    `json:"revision"`
	Status     string `json:"status"`
	Chart      string `json:"chart"`
	AppVersion string `json:"app_version,omitempty"`
	Updated    string `json:"updated"`
	// Description is helm's note on the revision ("Upgrade complete",
	// or why it failed).
	Description string `json:"description,omitempty"`
}

func summarize(r *release.Release) Release {
	out := Release{Name: r.Name, Namespace: r.Namespace, Revision: r.Version}
	if r.Info != nil {
		out.Status = string(r.Info.Status)
		out.Updated = r.Info.LastDeployed.UTC().Format(time.RFC3339)
		out.Description = r.Info.Description
	}
	if r.Chart != nil && r.Chart.Metadata != nil {
		out.Chart = r.Chart.Metadata.Name + "-" + r.Chart.Metadata.Version
		out.AppVersion = r.Chart.Metadata.AppVersion
	}
	return out
}

func releases(list []ri.Releaser) ([]*release.Release, error) {
	out := make([]*release.Release, 0, len(list))
	for _, r := range list {
		rel, ok := r.(*release.Release)
		if !ok {
			return nil, fmt.Errorf("helm returned a release of type %T this version of opsmcp does not read", r)
		}
		out = append(out, rel)
	}
	return out, nil
}

// ErrNotFound: no release of that name in the namespace.
var ErrNotFound = errors.New("release not found")

// explain names the release and the place of a Helm error.
func (c *Client) explain(err error, what, name string) error {
	if errors.Is(err, driver.ErrReleaseNotFound) {
		return fmt.Errorf("%s: no release %q in namespace %s (context %s): %w", what, name, c.namespace, c.cluster.Context, ErrNotFound)
	}
	return c.cluster.Explain(err, what, "release "+name, c.namespace)
}

// List is helm list: the latest revision of every release, any status.
func (c *Client) List(selector string) ([]Release, error) {
	l := action.NewList(c.cfg)
	l.All, l.StateMask = true, action.ListAll
	l.AllNamespaces = c.namespace == ""
	l.Selector = selector
	list, err := l.Run()
	if err != nil {
		return nil, c.cluster.Explain(err, "list", "helm releases (secrets)", c.namespace)
	}
	rels, err := releases(list)
	if err != nil {
		return nil, err
	}
	out := make([]Release, 0, len(rels))
	for _, r := range rels {
		out = append(out, summarize(r))
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// History is helm history, newest revision first.
func (c *Client) History(name string, max int) ([]Release, error) {
	h := action.NewHistory(c.cfg)
	h.Max = max
	list, err := h.Run(name)
	if err != nil {
		return nil, c.explain(err, "history of", name)
	}
	rels, err := releases(list)
	if err != nil {
		return nil, err
	}
	out := make([]Release, 0, len(rels))
	for _, r := range rels {
		out = append(out, summarize(r))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Revision > out[j].Revision })
	return out, nil
}

// Get is one revision of a release (0: the latest).
func (c *Client) Get(name string, revision int) (*release.Release, error) {
	s := action.NewStatus(c.cfg)
	s.Version = revision
	r, err := s.Run(name)
	if err != nil {
		return nil, c.explain(err, "status of", name)
	}
	rels, err := releases([]ri.Releaser{r})
	if err != nil {
		return nil, err
	}
	return rels[0], nil
}

// Values are the values a user supplied to a revision (0: the latest).
// Values under secret-looking keys are returned too: the caller masks
// them (see SecretValues).
func (c *Client) Values(name string, revision int) (map[string]any, error) {
	g := action.NewGetValues(c.cfg)
	g.Version = revision
	vals, err := g.Run(name)
	if err != nil {
		return nil, c.explain(err, "values of", name)
	}
	if vals == nil {
		vals = map[string]any{}
	}
	return vals, nil
}

// SecretValues are the string values under secret-looking keys (password,
// token, ...) anywhere in vals, for the caller's redactor.
func SecretValues(vals map[string]any) []string {
	var out []string
	var walk func(v any, sensitive bool)
	walk = func(v any, sensitive bool) {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				walk(child, sensitive || redact.SensitiveKey(k))
			}
		case []any:
			for _, child := range x {
				walk(child, sensitive)
			}
		case string:
			if sensitive && x != "" {
				out = append(out, x)
			}
		}
	}
	walk(vals, false)
	return out
}

// ChartName is a chart as helm list names it.
func ChartName(ch *chart.Chart) string {
	if ch == nil || ch.Metadata == nil {
		return ""
	}
	return ch.Metadata.Name + "-" + ch.Metadata.Version
}
