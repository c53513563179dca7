#!/usr/bin/env bash
# The second demo: the seed's walkthrough through kubectl and the kubectl-argo-rollouts plugin only
# (lab/demo-kubectl.ts), after installing what is missing (quick when it is there).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/ensure-deps.sh
node dist/lab/demo-kubectl.js
