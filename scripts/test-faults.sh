#!/usr/bin/env bash
# The fault-injection suite (test/faults/, README "Faults"): installs what is missing, builds, runs every
# scenario on labs of its own, then prints the table of scenarios, faults injected and rollouts lost.
# Extra arguments go to Jest, e.g. `scripts/test-faults.sh dist/test/faults/worker-kill`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/ensure-deps.sh
rm -rf test-output/faults/scenarios
status=0
node --experimental-vm-modules node_modules/jest/bin/jest.js --config jest.faults.config.js "$@" || status=$?
node dist/test/faults/support/print-summary.js || status=1
exit $status
