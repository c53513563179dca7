#!/usr/bin/env bash
# Installs Debian's chromium (for the headless screenshot and DOM check of the mesh simulator's page,
# test/integration/mesh.test.ts). Called by scripts/install-tools.sh; also fine to run alone.
# Idempotent: when /usr/bin/chromium is there, nothing is done (well under a second).
# Unlike the other tools it is installed system-wide with apt-get (it needs a few dozen shared
# libraries that only the package manager resolves), from Debian's own archive, not pinned: Debian
# keeps one chromium per release and replaces it with each security update.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then exit 0; fi

for command in apt-get; do
  command -v "$command" >/dev/null || { echo "chromium.sh: $command is needed (Debian's chromium package)" >&2; exit 1; }
done
if [[ $(id -u) != 0 ]]; then
  echo "chromium.sh: /usr/bin/chromium is missing; run 'apt-get update && apt-get install -y chromium' as root" >&2
  exit 1
fi

echo "installing chromium (Debian package)"
started=$SECONDS
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
[[ -x /usr/bin/chromium ]] || { echo "chromium.sh: apt-get install chromium left no /usr/bin/chromium" >&2; exit 1; }
echo "installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium) in $((SECONDS - started))s"
