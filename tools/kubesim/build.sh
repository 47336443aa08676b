#!/usr/bin/env bash
# Builds the kubesim control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok, metrics-server) once per version into a cache directory,
# and prints it. A cold build takes 7-10 minutes on 2 cores; later calls return
# at once.
set -euo pipefail
cd "$(dirname "$0")"
version=v1.36.3
out="${OPSMCP_KUBESIM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/opsmcp/kubesim/$version}"
metrics_server=v0.8.0
bins=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok metrics-server)
complete=1
for b in "${bins[@]}"; do [ -x "$out/$b" ] || complete=0; done
# Rebuild when this module changed since the cached build.
stamp="$( (cat go.mod go.sum cmd/*/main.go; echo "$metrics_server") | sha256sum | cut -c1-16)"
[ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ] || complete=0
if [ "$complete" = 0 ]; then
  mkdir -p "$out"
  tmp="$(mktemp -d "$out/.build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  ld="-X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=36"
  echo "kubesim: building $version into $out (first time: 5-7 minutes)" >&2
  go build -ldflags "$ld" -o "$tmp/" ./cmd/... sigs.k8s.io/kwok/cmd/kwok
  # metrics-server is built with its own go.mod, as released.
  GOBIN="$tmp" GOFLAGS=-mod=mod go install "sigs.k8s.io/metrics-server/cmd/metrics-server@$metrics_server"
  # Only a complete build replaces the cached binaries.
  for b in "${bins[@]}"; do mv "$tmp/$b" "$out/$b"; done
  rm -f "$out/kwok-config.yaml" "$out/kwok-crds.yaml"
  echo "$stamp" > "$out/.stamp"
fi
# kwok's own documents: Stages (node: fast + heartbeat with lease; pod: fast)
# make fake nodes Ready, keep them Ready, and move scheduled pods to Running;
# the Metric and ClusterResourceUsage serve the kubelet's /metrics/resource
# (usage from the pod's kwok.x-k8s.io/usage-cpu|memory annotations) that
# metrics-server scrapes. The Logs CRDs are served by the apiserver, so
# tests create a pod's Logs like any object.
kwok="$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
concat() {
  local dest="$1"; shift
  [ -s "$out/$dest" ] && return 0
  local tmp_file; tmp_file="$(mktemp "$out/.concat.XXXXXX")"
  for f in "$@"; do
    case "$(basename "$f")" in kustomization.yaml) continue ;; esac
    printf -- '---\n' >> "$tmp_file"
    cat "$f" >> "$tmp_file"
  done
  mv "$tmp_file" "$out/$dest"
}
concat kwok-config.yaml "$kwok"/kustomize/stage/node/fast/*.yaml "$kwok"/kustomize/stage/node/heartbeat-with-lease/*.yaml \
  "$kwok"/kustomize/stage/pod/fast/*.yaml "$kwok"/kustomize/metrics/resource/*.yaml "$kwok"/kustomize/metrics/usage/*.yaml
concat kwok-crds.yaml "$kwok"/kustomize/crd/bases/kwok.x-k8s.io_logs.yaml "$kwok"/kustomize/crd/bases/kwok.x-k8s.io_clusterlogs.yaml
echo "$out"
