#!/usr/bin/env bash
# The README's demo command: installs what is missing (quick when it is there), then replays the
# seed's walkthrough on the local lab (lab/demo.ts). The lab keeps running afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/ensure-deps.sh
node dist/lab/demo.js
