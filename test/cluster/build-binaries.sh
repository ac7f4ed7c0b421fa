#!/usr/bin/env bash
# Builds the real control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# kubectl, kwok) from their Go modules into a cache folder keyed by version, reused when present.
# Prints the folder on its last line of stdout. Honours envtest's KUBEBUILDER_ASSETS: when it names a
# folder holding etcd and kube-apiserver, that folder is used and nothing is built.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
K8S_VERSION=v1.34.4   # go/k8s/go.mod pins the same release; kind-config.yaml's node image is 1.34 too
ETCD_VERSION=v3.6.4   # the etcd server release that Kubernetes 1.34 requires (go/etcd/go.mod)
KWOK_VERSION=v0.7.0

if [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/etcd" ] && [ -x "$KUBEBUILDER_ASSETS/kube-apiserver" ]; then
  echo "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS (nothing built)" >&2
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "go not found: install Go 1.24+ or set KUBEBUILDER_ASSETS to a folder with etcd and kube-apiserver" >&2
  exit 3
fi

out="${SIDECAR_INJECTOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sidecar-injector}/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION"
mkdir -p "$out"
export CGO_ENABLED=0 GOFLAGS=-trimpath

build() { # name, then the command that builds it into $out
  local name=$1; shift
  if [ -x "$out/$name" ]; then echo "cached $name" >&2; return; fi
  local start=$SECONDS
  echo "building $name ..." >&2
  "$@" >&2
  echo "built $name in $((SECONDS - start)) s" >&2
}
build etcd bash -c "cd '$here/go/etcd' && go build -o '$out/etcd.tmp' . && mv '$out/etcd.tmp' '$out/etcd'"
# /version must say what a release build says: clients (our NATIVE_SIDECARS=auto, kubectl) read
# major and minor, not only gitVersion.
minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done
for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  build "$cmd" bash -c "cd '$here/go/k8s' && go build -ldflags '$ldflags' -o '$out/$cmd.tmp' k8s.io/kubernetes/cmd/$cmd && mv '$out/$cmd.tmp' '$out/$cmd'"
done
build kwok bash -c "GOBIN='$out/.kwok' go install sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION && mv '$out/.kwok/kwok' '$out/kwok'"
echo "control plane binaries ready in $out ($SECONDS s)" >&2
echo "$out"
