#!/usr/bin/env bash
# Builds Argo Rollouts' real kubectl plugin (github.com/argoproj/argo-rollouts/cmd/kubectl-argo-rollouts,
# pinned by tools/argo-plugin/go.mod) into .tools/bin/kubectl-argo-rollouts (git-ignored), so tests can
# drive us with the client Argo users have. With .tools/bin on PATH, `kubectl argo rollouts ...` finds it.
# Called by scripts/install-tools.sh; also fine to run alone. Cached: the binary is rebuilt only when
# tools/argo-plugin's go.mod, go.sum or .go files, the toolchain or the version flags below change (their
# hash is the stamp), so a second run takes well under a second.
# Argo v1.10.2 needs Go >= 1.26.10: GOTOOLCHAIN fetches a newer toolchain through the Go module proxy.
# Go's build and module caches are the user's defaults (shared with argo-oracle.sh and kube.sh), outside the repo.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tools="$root/.tools"
source_dir="$root/tools/argo-plugin"
mkdir -p "$tools/bin" "$tools/stamps"

ARGO_PLUGIN_TOOLCHAIN=go1.27.3

# The version lives in the committed go.mod (with go.sum for reproducible builds); it is read back here so
# what the binary reports can never disagree with what is actually built.
argo_module=github.com/argoproj/argo-rollouts
ARGO_VERSION=$(awk -v m="$argo_module" '($1 == m || ($1 == "require" && $2 == m)) { print ($1 == m ? $2 : $3); exit }' \
  "$source_dir/go.mod")
[[ -n $ARGO_VERSION ]] || { echo "argo-plugin.sh: cannot read $argo_module's version from tools/argo-plugin/go.mod" >&2; exit 1; }

# Argo's release build (its Makefile) sets utils/version's variables with -X; without them the plugin says
# v99.99.99+unknown. GetVersion prints gitTag only when gitCommit is non-empty and the tree is clean. The
# module proxy records no commit for this version, so gitCommit says "unknown"; the source is exactly the
# tagged release's module zip (go.sum checks it), so gitTag and a clean tree are true. buildDate stays at
# Argo's default (1970-01-01) so the build is reproducible.
version_pkg=$argo_module/utils/version
ldflags="-X $version_pkg.version=${ARGO_VERSION#v} -X $version_pkg.gitTag=$ARGO_VERSION"
ldflags+=" -X $version_pkg.gitCommit=unknown -X $version_pkg.gitTreeState=clean"

# Every .go file of the module, in a fixed order (the glob sorts), names included, plus what else decides the binary.
hash=$(cd "$source_dir" && { cat go.mod go.sum; for f in *.go; do echo "$f"; cat "$f"; done
  echo "$ARGO_PLUGIN_TOOLCHAIN $ldflags"; } | sha256sum | cut -c1-16)
stamp="$tools/stamps/kubectl-argo-rollouts-$hash"
if [[ -f $stamp && -x $tools/bin/kubectl-argo-rollouts ]]; then exit 0; fi
command -v go >/dev/null || { echo "argo-plugin.sh: Go is needed to build kubectl-argo-rollouts" >&2; exit 1; }
# (The estimate assumes argo-oracle.sh, which runs first, has compiled the k8s.io packages both share.)
echo "building kubectl-argo-rollouts $ARGO_VERSION ($hash; first build: about 2 minutes on 2 cores)"
started=$SECONDS
# -mod=readonly: fail rather than silently re-resolve if go.mod/go.sum are out of date. -buildvcs=false: no
# git stamping (tools/argo-plugin is inside our repo, whose state says nothing about Argo). -trimpath and
# -s -w: no local paths, no debug info (smaller binary).
(cd "$source_dir" && GOTOOLCHAIN=$ARGO_PLUGIN_TOOLCHAIN CGO_ENABLED=0 go build -mod=readonly -buildvcs=false \
  -trimpath -ldflags "-s -w $ldflags" -o "$tools/bin/kubectl-argo-rollouts.tmp" \
  "$argo_module/cmd/kubectl-argo-rollouts")
mv "$tools/bin/kubectl-argo-rollouts.tmp" "$tools/bin/kubectl-argo-rollouts"
rm -f "$tools/stamps/kubectl-argo-rollouts-"*
seconds=$((SECONDS - started))
bytes=$(stat -c %s "$tools/bin/kubectl-argo-rollouts")
printf 'built in %ss, %s bytes, with %s\n' "$seconds" "$bytes" "$ARGO_PLUGIN_TOOLCHAIN" > "$stamp"
echo "built kubectl-argo-rollouts $ARGO_VERSION in ${seconds}s ($((bytes / 1048576)) MiB)"
