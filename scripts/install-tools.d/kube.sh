#!/usr/bin/env bash
# Builds the local Kubernetes control plane (used by scripts/kube-control-plane.sh) into .tools/bin
# (git-ignored). Called by scripts/install-tools.sh; also fine to run alone. Idempotent: a binary
# already built at its pinned version is left alone, so a second run takes about a second.
#   .tools/bin/kube-apiserver  k8s.io/kubernetes/cmd/kube-apiserver, pinned by tools/kube-build/go.mod
#   .tools/bin/kubectl         k8s.io/kubernetes/cmd/kubectl, same module and version (a real client for tests)
#   .tools/bin/etcd            go.etcd.io/etcd/server/v3 (etcdmain), pinned by tools/etcd-build/go.mod
# Built from source with the Go module proxy (no release tarballs can be fetched here). A cold build
# takes several minutes on 2 cores; Go's build and module caches are the user's defaults, outside the repo.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tools="$root/.tools"
mkdir -p "$tools/bin" "$tools/stamps"

# The versions live in the committed go.mod files (with go.sum for reproducible builds); they are read
# back here so the stamps can never disagree with what is actually built.
module_version() { # GO_MOD MODULE -> the version that GO_MOD requires of MODULE
  awk -v m="$2" '($1 == m || ($1 == "require" && $2 == m)) { print ($1 == m ? $2 : $3); exit }' "$1"
}
KUBERNETES_VERSION=$(module_version "$root/tools/kube-build/go.mod" k8s.io/kubernetes)
ETCD_VERSION=$(module_version "$root/tools/etcd-build/go.mod" go.etcd.io/etcd/server/v3)
[[ -n $KUBERNETES_VERSION && -n $ETCD_VERSION ]] || { echo "kube.sh: cannot read pinned versions from tools/*-build/go.mod" >&2; exit 1; }

# build_go_binary NAME VERSION MODULE_DIR PACKAGE [LDFLAGS...]: CGO-free static build of PACKAGE,
# resolved through MODULE_DIR's go.mod/go.sum, into .tools/bin/NAME.
build_go_binary() {
  local name=$1 version=$2 dir=$3 package=$4; shift 4
  local stamp="$tools/stamps/$name-$version"
  if [[ -f $stamp && -x $tools/bin/$name ]]; then return 0; fi
  command -v go >/dev/null || { echo "kube.sh: Go is needed to build $name" >&2; exit 1; }
  echo "building $name $version (first build: up to 6 minutes on 2 cores)"
  local started=$SECONDS
  # -mod=readonly: fail rather than silently re-resolve if go.mod/go.sum are out of date. -buildvcs=false:
  # no git stamping (tools/etcd-build is inside our repo, whose state says nothing about etcd).
  # -trimpath and -s -w: no local paths, no debug info (smaller binaries).
  (cd "$dir" && CGO_ENABLED=0 go build -mod=readonly -buildvcs=false -trimpath -ldflags "-s -w $*" \
    -o "$tools/bin/$name.tmp" "$package")
  mv "$tools/bin/$name.tmp" "$tools/bin/$name"
  rm -f "$tools/stamps/$name-"*
  local seconds=$((SECONDS - started)) bytes
  bytes=$(stat -c %s "$tools/bin/$name")
  printf 'built in %ss, %s bytes, %s\n' "$seconds" "$bytes" "$(go version)" > "$stamp"
  echo "built $name $version in ${seconds}s ($((bytes / 1048576)) MiB)"
}

# kube-apiserver reports (and derives its compatibility version from) component-base's version
# variables, which the Kubernetes release build sets with -X; without them it says v0.0.0-master.
kube_minor=${KUBERNETES_VERSION#v1.}; kube_minor=${kube_minor%%.*}
version_pkg=k8s.io/component-base/version
build_go_binary kube-apiserver "$KUBERNETES_VERSION" "$root/tools/kube-build" k8s.io/kubernetes/cmd/kube-apiserver \
  "-X $version_pkg.gitVersion=$KUBERNETES_VERSION -X $version_pkg.gitMajor=1 -X $version_pkg.gitMinor=$kube_minor" \
  "-X $version_pkg.gitTreeState=clean"
# kubectl: built after kube-apiserver from the same module, so nearly all its packages are already in the
# build cache. `kubectl version --client` prints component-base's variables; client-go keeps its own copy
# (its User-Agent), which the Kubernetes release build (hack/lib/version.sh) sets too.
kubectl_ldflags=()
for pkg in "$version_pkg" k8s.io/client-go/pkg/version; do
  kubectl_ldflags+=("-X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$kube_minor"
    "-X $pkg.gitTreeState=clean")
done
build_go_binary kubectl "$KUBERNETES_VERSION" "$root/tools/kube-build" k8s.io/kubernetes/cmd/kubectl "${kubectl_ldflags[@]}"
build_go_binary etcd "$ETCD_VERSION" "$root/tools/etcd-build" .
