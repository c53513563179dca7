#!/usr/bin/env bash
# Installs Prometheus (for the metric provider tests and the lab) into .tools/ (git-ignored). Called by
# scripts/install-tools.sh; also fine to run alone. Idempotent: at its pinned version it is left alone,
# so a second run takes well under a second.
#   .tools/bin/prometheus -> .tools/prometheus/usr/bin/prometheus (Debian package, pinned below)
# The binary comes from Debian's own package, downloaded (not installed: no service, no system-wide
# files) and unpacked with dpkg -x. It is a Go binary that needs only libc. Debian keeps one version per
# release in its archive, so when a point release replaces this one, `apt-cache policy prometheus`
# names the new version to pin here.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tools="$root/.tools"
mkdir -p "$tools/bin" "$tools/stamps" "$tools/downloads"

PROMETHEUS_DEB_VERSION=2.42.0+ds-5+deb12u1

stamp="$tools/stamps/prometheus-$PROMETHEUS_DEB_VERSION"
if [[ -f $stamp && -x $tools/bin/prometheus ]]; then exit 0; fi

for command in apt-get apt-cache dpkg; do
  command -v "$command" >/dev/null || { echo "prometheus.sh: $command is needed (Debian's prometheus package)" >&2; exit 1; }
done
echo "installing prometheus $PROMETHEUS_DEB_VERSION (Debian package)"
started=$SECONDS

# The package index is refreshed only when it does not know the pinned version (a fresh machine, or
# lists older than the pin).
if ! apt-cache show "prometheus=$PROMETHEUS_DEB_VERSION" >/dev/null 2>&1; then
  if [[ $(id -u) != 0 ]]; then
    echo "prometheus.sh: apt does not know prometheus=$PROMETHEUS_DEB_VERSION; run 'apt-get update' as root" >&2
    exit 1
  fi
  apt-get update -qq
  apt-cache show "prometheus=$PROMETHEUS_DEB_VERSION" >/dev/null 2>&1 || {
    echo "prometheus.sh: prometheus=$PROMETHEUS_DEB_VERSION is not in the archive; pin what 'apt-cache policy prometheus' offers" >&2
    exit 1
  }
fi

dl="$tools/downloads/prometheus"
rm -rf "$dl" && mkdir -p "$dl"
# APT::Sandbox::User=root: as root, apt would otherwise download as _apt, which cannot write to .tools/.
(cd "$dl" && apt-get download -qq -o APT::Sandbox::User=root "prometheus=$PROMETHEUS_DEB_VERSION")
deb=$(echo "$dl"/prometheus_*.deb)
[[ -f $deb ]] || { echo "prometheus.sh: apt-get download left no .deb in $dl" >&2; exit 1; }

rm -rf "$tools/prometheus.tmp"
dpkg -x "$deb" "$tools/prometheus.tmp"
rm -rf "$tools/prometheus"
mv "$tools/prometheus.tmp" "$tools/prometheus"
ln -sfn ../prometheus/usr/bin/prometheus "$tools/bin/prometheus"
rm -rf "$dl"

# The binary reports the Debian revision it was built as: check that we got what we pinned.
reported=$("$tools/bin/prometheus" --version 2>&1 | head -1)
[[ $reported == *"revision: $PROMETHEUS_DEB_VERSION)"* ]] || {
  echo "prometheus.sh: unexpected version: $reported" >&2
  exit 1
}
rm -f "$tools/stamps/prometheus-"*
printf 'installed in %ss: %s\n' "$((SECONDS - started))" "$reported" > "$stamp"
echo "installed prometheus $PROMETHEUS_DEB_VERSION in $((SECONDS - started))s"
