#!/usr/bin/env bash
# Installs what the project needs and is quick when it is already there: npm packages (npm ci, only
# when package-lock.json changed), the pinned tools in .tools/, and a build of the TypeScript.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

stamp=node_modules/.lock-stamp
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  echo "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

bash scripts/install-tools.sh
npm run --silent build
