package kube

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// LogsRequest is what get_logs reads: a pod, or a workload's pods.
type LogsRequest struct {
	Namespace string
	// Target is a pod name, or kind/name of a pod, deployment, statefulset,
	// daemonset, replicaset or job (kubectl's short names too).
	Target       string
	Container    string
	Previous     bool
	TailLines    int64
	SinceSeconds int64
	Grep         *regexp.Regexp
	MaxBytes     int
	// MaxPods bounds how many of a workload's pods are read, newest first.
	MaxPods int
}

// PodLog is the log lines of one container of one pod, oldest first.
type PodLog struct {
	Pod       string   `json:"pod"`
	Container string   `json:"container"`
	Lines     []string `json:"lines"`
	// Cut is how many older lines max_bytes left out; Unmatched how many
	// lines grep left out.
	Cut       int    `json:"cut,omitempty"`
	Unmatched int    `json:"unmatched,omitempty"`
	Error     string `json:"error,omitempty"`
}

// Logs is what LogsOf read.
type Logs struct {
	Pods []PodLog `json:"pods"`
	// PodsOmitted are a workload's older pods beyond MaxPods.
	PodsOmitted int `json:"pods_omitted,omitempty"`
	// Secrets are the values of the Secrets the pods reference, for the
	// caller's redactor; never serialized.
	Secrets []string `json:"-"`
	// Unmasked names referenced Secrets that could not be read, so their
	// values are masked only where they look like credentials.
	Unmasked []string `json:"unmasked_secrets,omitempty"`
}

// LogsOf reads container logs through the API server (pods/log).
func (c *Cluster) LogsOf(ctx context.Context, req LogsRequest) (*Logs, error) {
	pods, omitted, err := c.logPods(ctx, req)
	if err != nil {
		return nil, err
	}
	out := &Logs{PodsOmitted: omitted}
	out.Secrets, out.Unmasked = c.referencedSecrets(ctx, req.Namespace, pods)
	budget := req.MaxBytes / len(pods)
	for _, p := range pods {
		container, err := containerOf(p, req.Container)
		if err != nil {
			return nil, err
		}
		pl := PodLog{Pod: p.Name, Container: container}
		if err := c.readLog(ctx, p, req, budget, &pl); err != nil {
			if len(pods) == 1 {
				return nil, err
			}
			pl.Error = err.Error()
		}
		out.Pods = append(out.Pods, pl)
	}
	return out, nil
}

// logPods resolves the target to pods, newest first.
func (c *Cluster) logPods(ctx context.Context, req LogsRequest) ([]*corev1.Pod, int, error) {
	kind, name, ok := strings.Cut(req.Target, "/")
	if !ok {
		kind, name = "pod", req.Target
	}
	if name == "" {
		return nil, 0, errors.New("name is empty: give a pod name or kind/name (deployment/web)")
	}
	k, err := c.KindOf(kind)
	if err != nil {
		return nil, 0, err
	}
	if k == "Pod" {
		p, err := c.Core.Pods(req.Namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, 0, c.Explain(err, "get", "pods/"+name, req.Namespace)
		}
		return []*corev1.Pod{p}, 0, nil
	}
	sel, err := c.selectorOf(ctx, k, req.Namespace, name)
	if err != nil {
		return nil, 0, err
	}
	list, err := c.Core.Pods(req.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		return nil, 0, c.Explain(err, "list", "pods", req.Namespace)
	}
	if len(list.Items) == 0 {
		return nil, 0, fmt.Errorf("%s/%s in namespace %s has no pods (selector %s)", strings.ToLower(k), name, req.Namespace, sel)
	}
	pods := make([]*corev1.Pod, len(list.Items))
	for i := range list.Items {
		pods[i] = &list.Items[i]
	}
	sort.SliceStable(pods, func(i, j int) bool {
		return pods[j].CreationTimestamp.Before(&pods[i].CreationTimestamp)
	})
	omitted := 0
	if req.MaxPods > 0 && len(pods) > req.MaxPods {
		omitted = len(pods) - req.MaxPods
		pods = pods[:req.MaxPods]
	}
	return pods, omitted, nil
}

// selectorOf is the pod selector of a workload.
func (c *Cluster) selectorOf(ctx context.Context, kind, ns, name string) (string, error) {
	if kind == "Job" {
		// Every job's pods carry its name; no batch client is linked.
		return labels.Set{"batch.kubernetes.io/job-name": name}.String(), nil
	}
	get := map[string]func() (*metav1.LabelSelector, error){
		"Deployment": func() (*metav1.LabelSelector, error) {
			o, err := c.Apps.Deployments(ns).Get(ctx, name, metav1.GetOptions{})
			return selectorIfFound(err, func() *metav1.LabelSelector { return o.Spec.Selector })
		},
		"StatefulSet": func() (*metav1.LabelSelector, error) {
			o, err := c.Apps.StatefulSets(ns).Get(ctx, name, metav1.GetOptions{})
			return selectorIfFound(err, func() *metav1.LabelSelector { return o.Spec.Selector })
		},
		"DaemonSet": func() (*metav1.LabelSelector, error) {
			o, err := c.Apps.DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
			return selectorIfFound(err, func() *metav1.LabelSelector { return o.Spec.Selector })
		},
		"ReplicaSet": func() (*metav1.LabelSelector, error) {
			o, err := c.Apps.ReplicaSets(ns).Get(ctx, name, metav1.GetOptions{})
			return selectorIfFound(err, func() *metav1.LabelSelector { return o.Spec.Selector })
		},
	}[kind]
	if get == nil {
		return "", fmt.Errorf("logs of a %s: give a pod, or a deployment, statefulset, daemonset, replicaset or job", kind)
	}
	sel, err := get()
	if err != nil {
		return "", c.Explain(err, "get", strings.ToLower(kind)+"s/"+name, ns)
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return "", fmt.Errorf("%s/%s has an invalid selector: %v", strings.ToLower(kind), name, err)
	}
	return s.String(), nil
}

func selectorIfFound(err error, sel func() *metav1.LabelSelector) (*metav1.LabelSelector, error) {
	if err != nil {
		return nil, err
	}
	return sel(), nil
}

// containerOf is the container to read: the one asked for, else the
// pod's only one.
func containerOf(p *corev1.Pod, want string) (string, error) {
	var names []string
	for _, list := range [][]corev1.Container{p.Spec.InitContainers, p.Spec.Containers} {
		for _, ct := range list {
			names = append(names, ct.Name)
		}
	}
	switch {
	case want != "" && slices.Contains(names, want):
		return want, nil
	case want != "":
		return "", fmt.Errorf("pod %s has no container %q; its containers are %s", p.Name, want, strings.Join(names, ", "))
	case len(p.Spec.Containers) == 1:
		return p.Spec.Containers[0].Name, nil
	}
	return "", fmt.Errorf("pod %s has %d containers (%s): say which with container", p.Name, len(names), strings.Join(names, ", "))
}

// readLog streams one container's log, keeping the newest lines that fit
// budget bytes: memory stays bounded whatever the log's size.
func (c *Cluster) readLog(ctx context.Context, p *corev1.Pod, req LogsRequest, budget int, pl *PodLog) error {
	opts := &corev1.PodLogOptions{Container: pl.Container, Previous: req.Previous}
	if req.TailLines > 0 {
		opts.TailLines = &req.TailLines
	}
	if req.SinceSeconds > 0 {
		opts.SinceSeconds = &req.SinceSeconds
	}
	rc, err := c.Core.Pods(p.Namespace).GetLogs(p.Name, opts).Stream(ctx)
	if err != nil {
		if apierrors.IsBadRequest(err) && req.Previous {
			return fmt.Errorf("pod %s container %s has no previous (terminated) instance: %v", p.Name, pl.Container, err)
		}
		return c.Explain(err, "get", "pods/log of "+p.Name, p.Namespace)
	}
	defer rc.Close()
	var kept []string
	size := 0
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if req.Grep != nil && !req.Grep.MatchString(line) {
			pl.Unmatched++
			continue
		}
		kept = append(kept, line)
		size += len(line) + 1
		for size > budget && len(kept) > 0 {
			size -= len(kept[0]) + 1
			kept = kept[1:]
			pl.Cut++
		}
		if cap(kept) > 4*len(kept)+64 {
			// Dropping from the front keeps the old array alive: copy.
			kept = slices.Clone(kept)
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading the log of pod %s container %s: %v", p.Name, pl.Container, err)
	}
	pl.Lines = kept
	if pl.Lines == nil {
		pl.Lines = []string{}
	}
	return nil
}

// referencedSecrets reads the values of every Secret the pods reference:
// env secretKeyRef, envFrom secretRef, secret volumes and projected
// secrets. Secrets that cannot be read are named instead.
func (c *Cluster) referencedSecrets(ctx context.Context, ns string, pods []*corev1.Pod) (values, unread []string) {
	names := map[string]bool{}
	for _, p := range pods {
		for _, list := range [][]corev1.Container{p.Spec.InitContainers, p.Spec.Containers} {
			for _, ct := range list {
				for _, e := range ct.Env {
					if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
						names[e.ValueFrom.SecretKeyRef.Name] = true
					}
				}
				for _, e := range ct.EnvFrom {
					if e.SecretRef != nil {
						names[e.SecretRef.Name] = true
					}
				}
			}
		}
		for _, v := range p.Spec.Volumes {
			if v.Secret != nil {
				names[v.Secret.SecretName] = true
			}
			if v.Projected != nil {
				for _, src := range v.Projected.Sources {
					if src.Secret != nil {
						names[src.Secret.Name] = true
					}
				}
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		s, err := c.Core.Secrets(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			unread = append(unread, name)
			continue
		}
		for _, v := range s.Data {
			values = append(values, string(v), base64.StdEncoding.EncodeToString(v))
		}
		for _, v := range s.StringData {
			values = append(values, v)
		}
	}
	return values, unread
}
