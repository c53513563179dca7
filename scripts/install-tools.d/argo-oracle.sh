#!/usr/bin/env bash
# Builds tools/argo-oracle (Argo Rollouts' own decision code behind a JSON-lines protocol, used by the
# differential tests) into .tools/bin/argo-oracle (git-ignored). Called by scripts/install-tools.sh;
# also fine to run alone. Cached: the binary is rebuilt only when tools/argo-oracle's go.mod, go.sum or
# any of its .go files change (their hash is the stamp), so a second run takes well under a second.
# Argo v1.10.2 needs Go >= 1.26.10: GOTOOLCHAIN fetches a newer toolchain through the Go module proxy.
# Go's build and module caches are the user's defaults (shared with kube.sh), outside the repo.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tools="$root/.tools"
source_dir="$root/tools/argo-oracle"
mkdir -p "$tools/bin" "$tools/stamps"

ARGO_ORACLE_TOOLCHAIN=go1.27.3

# Every .go file of the package, in a fixed order (the glob sorts), names included.
hash=$(cd "$source_dir" && { cat go.mod go.sum; for f in *.go; do echo "$f"; cat "$f"; done; } | sha256sum | cut -c1-16)
stamp="$tools/stamps/argo-oracle-$hash"
if [[ -f $stamp && -x $tools/bin/argo-oracle ]]; then exit 0; fi
command -v go >/dev/null || { echo "argo-oracle.sh: Go is needed to build the Argo oracle" >&2; exit 1; }
echo "building argo-oracle ($hash; first build: about 4 minutes on 2 cores)"
started=$SECONDS
# -mod=readonly: fail rather than silently re-resolve if go.mod/go.sum are out of date.
(cd "$source_dir" && GOTOOLCHAIN=$ARGO_ORACLE_TOOLCHAIN CGO_ENABLED=0 go build -mod=readonly -buildvcs=false \
  -trimpath -ldflags "-s -w" -o "$tools/bin/argo-oracle.tmp" .)
mv "$tools/bin/argo-oracle.tmp" "$tools/bin/argo-oracle"
rm -f "$tools/stamps/argo-oracle-"*
printf 'built in %ss with %s\n' "$((SECONDS - started))" "$ARGO_ORACLE_TOOLCHAIN" > "$stamp"
echo "built argo-oracle in $((SECONDS - started))s"
