#!/usr/bin/env bash
# Builds the test control plane (kube-apiserver, kube-controller-manager, etcd and kubectl: one multi-call
# binary) and helm from published Go modules into .cache/bin. Prebuilt binaries cannot be downloaded on these
# machines, but the Go module proxy is reachable, so the project compiles them itself. Go's module and build
# caches make a second build quick; when the binaries are newer than every input, nothing runs at all.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${POLICYGEN_BIN_DIR:-$root/.cache/bin}"
programs=(kube-apiserver kube-controller-manager etcd kubectl)

go="$(command -v go || true)"
if [[ -z "$go" && -x /usr/local/go/bin/go ]]; then go=/usr/local/go/bin/go; fi
if [[ -z "$go" ]]; then
  echo "build.sh: no Go toolchain found (need go >= 1.24 on PATH or at /usr/local/go/bin/go)" >&2
  exit 1
fi

# Up to date when both binaries exist and none of the inputs is newer than the older of the two.
up_to_date() {
  [[ -x "$bin/kube" && -x "$bin/helm" ]] || return 1
  local p
  for p in "${programs[@]}"; do [[ -L "$bin/$p" ]] || return 1; done
  local oldest="$bin/kube"
  [[ "$bin/helm" -ot "$oldest" ]] && oldest="$bin/helm"
  [[ -z "$(find "$here/go.mod" "$here/go.sum" "$here/build.sh" "$here/cmd" -newer "$oldest" -print -quit)" ]]
}

if up_to_date; then
  echo "controlplane: binaries in $bin are up to date"
  exit 0
fi

cd "$here"
export CGO_ENABLED=0
# -mod=mod with the committed go.sum: the graph is resolved from go.mod, every download is checked against go.sum.
export GOFLAGS="${GOFLAGS:--mod=mod}"

version_of() { "$go" list -m -f '{{.Version}}' "$1"; }
kube_version="$(version_of k8s.io/kubernetes)"
helm_version="$(version_of helm.sh/helm/v3)"
major="${kube_version#v}"; major="${major%%.*}"
minor="${kube_version#v*.}"; minor="${minor%%.*}"

ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean"
done
ldflags+=" -X helm.sh/helm/v3/internal/version.version=$helm_version"
for pkg in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
  ldflags+=" -X $pkg.k8sVersionMajor=$major -X $pkg.k8sVersionMinor=$minor"
done

mkdir -p "$bin"
echo "controlplane: building Kubernetes $kube_version (kube-apiserver, kube-controller-manager, etcd, kubectl)" \
  "and helm $helm_version"
start=$SECONDS
# One `go build` for both mains: packages compile once and the two links run in parallel. No VCS stamp: the
# binaries then do not depend on the state of the project's git work tree.
"$go" build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$bin/" ./cmd/kube helm.sh/helm/v3/cmd/helm
for p in "${programs[@]}"; do ln -sfn kube "$bin/$p"; done
touch "$bin/kube" "$bin/helm"
echo "controlplane: built in $((SECONDS - start)) s into $bin ($(du -sh "$bin/kube" | cut -f1) kube, $(du -sh "$bin/helm" | cut -f1) helm)"
