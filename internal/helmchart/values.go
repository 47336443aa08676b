package helmchart

import (
	"fmt"

	"helm.sh/helm/v4/pkg/strvals"
	"sigs.k8s.io/yaml"

	"github.com/opsmcp/opsmcp/internal/fsguard"
)

// Values merges values as helm does: the files in order (-f), then the
// inline values, then --set expressions ("a.b=c", "list[0]=x"), each
// laid over what came before, maps merged key by key.
func Values(g *fsguard.Guard, files []string, inline map[string]any, set []string) (map[string]any, error) {
	out := map[string]any{}
	for _, f := range files {
		data, err := g.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("values file %s: %w", f, err)
		}
		merge(out, m)
	}
	merge(out, inline)
	for _, s := range set {
		if err := strvals.ParseInto(s, out); err != nil {
			return nil, fmt.Errorf("--set %s: %w", s, err)
		}
	}
	return out, nil
}

// merge lays src over dst, maps merged key by key.
func merge(dst, src map[string]any) {
	for k, v := range src {
		sm, sok := v.(map[string]any)
		dm, dok := dst[k].(map[string]any)
		if sok && dok {
			merge(dm, sm)
			continue
		}
		if sok {
			copied := map[string]any{} // not shared with src: later merges write into it
			merge(copied, sm)
			v = copied
		}
		dst[k] = v
	}
}
