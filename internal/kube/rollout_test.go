package kube

import (
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/kubectl/pkg/polymorphichelpers"
	"k8s.io/utils/ptr"
)

// TestRolloutLine holds rolloutLine to kubectl's own status viewers (linked
// into this test only) on every combination of the fields they read: the
// same line, the same done, and kubectl's error exactly where rolloutLine
// reports an error or a passed progress deadline.
func TestRolloutLine(t *testing.T) {
	var objs []struct {
		kind string
		obj  runtime.Object
	}
	add := func(kind string, o runtime.Object) {
		objs = append(objs, struct {
			kind string
			obj  runtime.Object
		}{kind, o})
	}
	counts := []int32{0, 1, 3}
	replicas := []*int32{nil, ptr.To[int32](0), ptr.To[int32](2), ptr.To[int32](3)}
	for _, gen := range []int64{1, 2} {
		for _, observed := range []int64{0, 1, 2} {
			meta := metav1.ObjectMeta{Name: "web", Namespace: "prod", Generation: gen}
			for _, want := range replicas {
				for _, have := range counts {
					for _, updated := range counts {
						for _, available := range counts {
							for _, reason := range []string{"", "NewReplicaSetAvailable", "ProgressDeadlineExceeded"} {
								d := &appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{Replicas: want},
									Status: appsv1.DeploymentStatus{ObservedGeneration: observed, Replicas: have, UpdatedReplicas: updated, AvailableReplicas: available}}
								if reason != "" {
									d.Status.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Reason: reason}}
								}
								add(KindDeployment, d)
							}
						}
					}
				}
				for _, strategy := range []appsv1.DaemonSetUpdateStrategyType{appsv1.RollingUpdateDaemonSetStrategyType, appsv1.OnDeleteDaemonSetStrategyType} {
					for _, desired := range counts {
						for _, updated := range counts {
							for _, available := range counts {
								add(KindDaemonSet, &appsv1.DaemonSet{ObjectMeta: meta, Spec: appsv1.DaemonSetSpec{UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: strategy}},
									Status: appsv1.DaemonSetStatus{ObservedGeneration: observed, DesiredNumberScheduled: desired, UpdatedNumberScheduled: updated, NumberAvailable: available}})
							}
						}
					}
				}
				for _, strategy := range []appsv1.StatefulSetUpdateStrategyType{appsv1.RollingUpdateStatefulSetStrategyType, appsv1.OnDeleteStatefulSetStrategyType} {
					for _, partition := range []*appsv1.RollingUpdateStatefulSetStrategy{nil, {}, {Partition: ptr.To[int32](1)}} {
						for _, ready := range counts {
							for _, updated := range counts {
								for _, revisions := range [][2]string{{"web-1", "web-1"}, {"web-1", "web-2"}} {
									add(KindStatefulSet, &appsv1.StatefulSet{ObjectMeta: meta,
										Spec: appsv1.StatefulSetSpec{Replicas: want, UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: strategy, RollingUpdate: partition}},
										Status: appsv1.StatefulSetStatus{ObservedGeneration: observed, ReadyReplicas: ready, UpdatedReplicas: updated, CurrentReplicas: ready,
											CurrentRevision: revisions[0], UpdateRevision: revisions[1]}})
								}
							}
						}
					}
				}
			}
		}
	}
	seen := map[string]int{}
	for _, o := range objs {
		content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o.obj)
		if err != nil {
			t.Fatal(err)
		}
		u := &unstructured.Unstructured{Object: content}
		viewer, err := polymorphichelpers.StatusViewerFor(workloadGK[o.kind])
		if err != nil {
			t.Fatal(err)
		}
		kMsg, kDone, kErr := viewer.Status(u, 0)
		line, done, deadline, err := rolloutLine(o.kind, u)
		status := fmt.Sprintf("%+v", content["status"])
		switch {
		case kErr != nil && deadline:
			if line != kErr.Error() {
				t.Errorf("%s %s: line %q, kubectl's error %q", o.kind, status, line, kErr)
			}
			seen[o.kind+" deadline"]++
		case kErr != nil:
			if err == nil || err.Error() != kErr.Error() {
				t.Errorf("%s %s: error %v, kubectl's %v", o.kind, status, err, kErr)
			}
			seen[o.kind+" error"]++
		case err != nil || deadline:
			t.Errorf("%s %s: error %v (deadline %v), kubectl none: %q", o.kind, status, err, deadline, kMsg)
		case line != strings.TrimSpace(kMsg) || done != kDone:
			t.Errorf("%s %s: %q done=%v, kubectl %q done=%v", o.kind, status, line, done, strings.TrimSpace(kMsg), kDone)
		default:
			seen[fmt.Sprintf("%s done=%v", o.kind, done)]++
		}
	}
	// Every outcome of every viewer was reached.
	for _, k := range []string{KindDeployment, KindDaemonSet, KindStatefulSet} {
		for _, outcome := range []string{"done=true", "done=false"} {
			if seen[k+" "+outcome] == 0 {
				t.Errorf("no %s %s case", k, outcome)
			}
		}
	}
	for _, k := range []string{KindDeployment + " deadline", KindDaemonSet + " error", KindStatefulSet + " error"} {
		if seen[k] == 0 {
			t.Errorf("no %s case", k)
		}
	}
	t.Logf("%d objects agree with kubectl: %v", len(objs), seen)
}
