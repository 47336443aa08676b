#!/usr/bin/env bash
# Builds the kubesim control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok) once per version into a cache directory, and prints it.
# A cold build takes 5-7 minutes on 2 cores; later calls return at once.
set -euo pipefail
cd "$(dirname "$0")"
version=v1.36.3
out="${OPSMCP_KUBESIM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/opsmcp/kubesim/$version}"
bins=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
complete=1
for b in "${bins[@]}"; do [ -x "$out/$b" ] || complete=0; done
# Rebuild when this module changed since the cached build.
stamp="$(cat go.mod go.sum cmd/*/main.go | sha256sum | cut -c1-16)"
[ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ] || complete=0
if [ "$complete" = 0 ]; then
  mkdir -p "$out"
  tmp="$(mktemp -d "$out/.build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  ld="-X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=36"
  echo "kubesim: building $version into $out (first time: 5-7 minutes)" >&2
  go build -ldflags "$ld" -o "$tmp/" ./cmd/... sigs.k8s.io/kwok/cmd/kwok
  # Only a complete build replaces the cached binaries.
  for b in "${bins[@]}"; do mv "$tmp/$b" "$out/$b"; done
  echo "$stamp" > "$out/.stamp"
fi
# kwok's own Stage documents (node: fast + heartbeat with lease; pod: fast) make
# fake nodes Ready, keep them Ready, and move scheduled pods to Running.
if [ ! -s "$out/kwok-stages.yaml" ]; then
  kwok="$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
  tmp_stages="$(mktemp "$out/.stages.XXXXXX")"
  for f in "$kwok"/kustomize/stage/node/fast/*.yaml "$kwok"/kustomize/stage/node/heartbeat-with-lease/*.yaml "$kwok"/kustomize/stage/pod/fast/*.yaml; do
    case "$(basename "$f")" in kustomization.yaml) continue ;; esac
    printf -- '---\n' >> "$tmp_stages"
    cat "$f" >> "$tmp_stages"
  done
  mv "$tmp_stages" "$out/kwok-stages.yaml"
fi
echo "$out"
