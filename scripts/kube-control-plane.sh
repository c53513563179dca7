#!/usr/bin/env bash
# A local Kubernetes control plane for the lab and the integration tests: etcd + kube-apiserver only (no
# controller-manager, scheduler or kubelet, so nothing reconciles: ReplicaSets get no Pods, deleted
# Namespaces never finish terminating). Listens on 127.0.0.1 only; runs in the background from the binaries
# that scripts/install-tools.d/kube.sh builds into .tools/bin.
#
#   kube-control-plane.sh start [--fresh] [DIR]  start, wait for /readyz, apply lab/crds/* and deploy/crds/*, wait Established;
#                                                a no-op if DIR's instance already runs. --fresh (or
#                                                KUBE_FRESH=1) stops it if running and wipes etcd's data first.
#   kube-control-plane.sh stop [DIR]             stop exactly the processes named by DIR's pid files
#   kube-control-plane.sh status [DIR]           each component, pid and URL; exit 0 only if all run and ready
#   kube-control-plane.sh env [DIR]              shell assignments: KUBECONFIG, KUBE_SERVER, KUBE_TOKEN_FILE, KUBE_CA_FILE
#   kube-control-plane.sh apply DIR FILE...      server-side apply of YAML/JSON manifests (there is no kubectl)
#   kube-control-plane.sh stop-apiserver [DIR]   stop kube-apiserver alone (etcd and its data stay): an outage
#   kube-control-plane.sh start-apiserver [DIR]  start it again on the same port (etcd must run), wait for /readyz
#
# DIR defaults to .lab/kube in the repository. Ports (for a second instance beside the first, e.g. in tests):
#   ETCD_PORT (2379), ETCD_PEER_PORT (ETCD_PORT+1), KUBE_APISERVER_PORT (6443); when unset, a restart reuses
#   the ports DIR's instance last ran on. KUBE_READY_TIMEOUT: seconds to wait for /readyz (90).
# KUBE_AUDIT_LOG=FILE (opt-in, read when kube-apiserver starts): kube-apiserver's audit log, one JSON event
#   per line, never rotated, of every create/update/patch/delete of ReplicaSets (and their scale), Services,
#   VirtualServices and DestinationRules, with the request and response bodies (level RequestResponse;
#   nothing else is logged unless KUBE_AUDIT_ALL=true, which adds every other request at Metadata level;
#   policy in DIR/audit-policy.yaml). The fault suite checks every write with it.
# Files in DIR: kubeconfig (admin token, CA), token (the bearer token alone), tokens.csv, pki/, etcd-data/,
#   etcd.log, kube-apiserver.log, *.pid, ports.env.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"
self=$(basename "$0")

die() { echo "$self: $*" >&2; exit 1; }
usage() { sed -n '7,15s/^#   //p' "$0" >&2; exit 2; }

# ---------- arguments and instance layout ----------
command=${1:-}; [[ -n $command ]] || usage; shift
fresh=${KUBE_FRESH:-0}
if [[ $command == start && ${1:-} == --fresh ]]; then fresh=1; shift; fi
case $command in
  start | stop | status | env | stop-apiserver | start-apiserver) dir=${1:-$root/.lab/kube}; [[ $# -le 1 ]] || usage ;;
  apply) [[ $# -ge 2 ]] || usage; dir=$1; shift ;;
  *) usage ;;
esac
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pki="$dir/pki"

# ---------- processes (pid files, never names) ----------
# pid_of NAME: the pid in DIR/NAME.pid if that process is alive and still runs .tools/bin/NAME (guards
# against a stale pid file whose number was reused by an unrelated process).
pid_of() {
  local pid argv0 state
  pid=$(cat "$dir/$1.pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  argv0=$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | head -n 1) || return 1
  state=$(awk '{print $3}' 2>/dev/null <"/proc/$pid/stat") || return 1
  [[ $argv0 == "$bin/$1" && $state != Z ]] || return 1
  echo "$pid"
}

# Ports: what DIR's instance runs on (from DIR/ports.env) while any part of it runs, or for stop/status/env;
# otherwise (or with --fresh) for start: env first, then what DIR last ran on (so stop + start keeps the URLs), then defaults.
saved_etcd_port='' saved_etcd_peer_port='' saved_apiserver_port=''
if [[ -f $dir/ports.env ]]; then
  saved_etcd_port=$(sed -n 's/^ETCD_PORT=//p' "$dir/ports.env")
  saved_etcd_peer_port=$(sed -n 's/^ETCD_PEER_PORT=//p' "$dir/ports.env")
  saved_apiserver_port=$(sed -n 's/^KUBE_APISERVER_PORT=//p' "$dir/ports.env")
fi
if [[ $command == start ]] && { ((fresh)) || { ! pid_of etcd >/dev/null && ! pid_of kube-apiserver >/dev/null; }; }; then
  etcd_port=${ETCD_PORT:-${saved_etcd_port:-2379}}
  if [[ -n ${ETCD_PEER_PORT:-} ]]; then etcd_peer_port=$ETCD_PEER_PORT
  elif [[ -n ${ETCD_PORT:-} ]]; then etcd_peer_port=$((ETCD_PORT + 1))
  else etcd_peer_port=${saved_etcd_peer_port:-$((etcd_port + 1))}
  fi
  apiserver_port=${KUBE_APISERVER_PORT:-${saved_apiserver_port:-6443}}
else
  etcd_port=${saved_etcd_port:-${ETCD_PORT:-2379}}
  etcd_peer_port=${saved_etcd_peer_port:-${ETCD_PEER_PORT:-$((etcd_port + 1))}}
  apiserver_port=${saved_apiserver_port:-${KUBE_APISERVER_PORT:-6443}}
fi
etcd_url="http://127.0.0.1:$etcd_port"
server="https://127.0.0.1:$apiserver_port"

# launch NAME ARGS...: runs .tools/bin/NAME in its own session (it outlives this script and the caller's
# terminal), output appended to DIR/NAME.log. The child writes its own pid before exec'ing, so the pid file
# is right whatever setsid does. fd 9 (our lock) is closed so the daemon doesn't hold it.
launch() {
  local name=$1; shift
  printf '\n=== %s starting at %s\n' "$name" "$(date -Is)" >>"$dir/$name.log"
  rm -f "$dir/$name.pid"
  # etcd reads ETCD_* variables as flags: keep our port settings from reaching it.
  # shellcheck disable=SC2016 # $$ and $@ are the child's
  env -u ETCD_PORT -u ETCD_PEER_PORT -u KUBE_APISERVER_PORT \
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$dir/$name.pid" "$bin/$name" "$@" \
    </dev/null >>"$dir/$name.log" 2>&1 9>&- &
  local i
  for ((i = 0; i < 50; i++)); do [[ -s $dir/$name.pid ]] && return 0; sleep 0.1; done
  die "$name did not start (see $dir/$name.log)"
}

# stop_component NAME: SIGTERM, wait up to 30 s for a clean exit (etcd flushes its data), then SIGKILL.
stop_component() {
  local name=$1 pid i
  if ! pid=$(pid_of "$name"); then rm -f "$dir/$name.pid"; return 0; fi
  echo "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do pid_of "$name" >/dev/null || break; sleep 0.1; done
  if pid_of "$name" >/dev/null; then
    echo "$name did not exit after 30 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do pid_of "$name" >/dev/null || break; sleep 0.1; done
  fi
  rm -f "$dir/$name.pid"
}

log_tail() { echo "---- last lines of $dir/$1.log ----" >&2; tail -n "${2:-40}" "$dir/$1.log" >&2 || true; }

# port_in_use PORT: something accepts connections on 127.0.0.1:PORT (a 0.0.0.0 listener counts too).
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------- talking to the API server (curl + bearer token) ----------
token() { cat "$dir/token"; }

# kube_curl METHOD PATH [CURL ARGS...]: prints the body; fails (body on stderr) on HTTP >= 400.
kube_curl() {
  local method=$1 path=$2 tls=(--insecure); shift 2
  [[ -f $pki/ca.crt ]] && tls=(--cacert "$pki/ca.crt")
  curl -sS --fail-with-body --max-time 30 "${tls[@]}" -H "Authorization: Bearer $(token)" \
    -X "$method" "$server$path" "$@"
}

ready() {
  local code tls=(--insecure)
  [[ -f $pki/ca.crt ]] && tls=(--cacert "$pki/ca.crt")
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "${tls[@]}" \
    -H "Authorization: Bearer $(token)" "$server/readyz") || true
  [[ $code == 200 ]]
}

# manifest_lines FILE...: one line per object in the YAML/JSON files: "PATH<TAB>KIND<TAB>JSON", PATH being
# the object's REST path. Namespaced iff metadata.namespace is set; the plural is guessed from the kind the
# way kubectl's fallback does (fine for the kinds we use; there is no discovery here).
manifest_lines() {
  # shellcheck disable=SC2016 # JavaScript, not shell
  NODE_PATH="$root/node_modules" node -e '
    const fs = require("fs"), YAML = require("yaml");
    for (const file of process.argv.slice(1)) {
      for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, "utf8"))) {
        if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
        const o = doc.toJSON();
        if (!o) continue; // a document of comments only
        const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : [null, o.apiVersion];
        const kind = o.kind.toLowerCase();
        const plural = /(s|x|ch|sh)$/.test(kind) ? kind + "es" : /[^aeiou]y$/.test(kind) ? kind.slice(0, -1) + "ies" : kind + "s";
        const ns = o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : "";
        const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
        console.log(`${base}${ns}/${plural}/${o.metadata.name}\t${o.kind}\t${JSON.stringify(o)}`);
      }
    }' -- "$@"
}

# apply FILE...: server-side apply (idempotent create-or-update) of every object, in file order.
apply() {
  local lines path kind json
  lines=$(manifest_lines "$@")
  while IFS=$'\t' read -r path kind json; do
    [[ -n $path ]] || continue
    kube_curl PATCH "$path?fieldManager=kube-control-plane&force=true" \
      -H 'Content-Type: application/apply-patch+yaml' --data-binary @- <<<"$json" >/dev/null ||
      die "applying $kind $path failed"
    echo "applied $kind ${path##*/}"
  done <<<"$lines"
}

# wait_crds_established FILE...: every CRD in the files has condition Established=True, each served version
# is in discovery and can be listed: just after Established, a list still gets 429 "storage is
# (re)initializing" until the CRD's watch cache has synced, and clients should not have to retry for that.
wait_crds_established() {
  local lines path kind json name gv deadline=$((SECONDS + 60))
  lines=$(manifest_lines "$@")
  while IFS=$'\t' read -r path kind json; do
    [[ $kind == CustomResourceDefinition ]] || continue
    name=${path##*/}
    until kube_curl GET "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/$name" 2>/dev/null |
      jq -e '.status.conditions // [] | any(.type == "Established" and .status == "True")' >/dev/null; do
      ((SECONDS < deadline)) || die "CRD $name not Established after 60 s"
      sleep 0.2
    done
    for gv in $(jq -r '.spec.group as $g | .spec.versions[] | select(.served) | "\($g)/\(.name)"' <<<"$json"); do
      until kube_curl GET "/apis/$gv" 2>/dev/null | jq -e --arg p "${name%%.*}" 'any(.resources[]; .name == $p)' >/dev/null &&
        kube_curl GET "/apis/$gv/${name%%.*}" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || die "$gv does not serve ${name%%.*} after 60 s"
        sleep 0.2
      done
    done
  done <<<"$lines"
}

# ---------- credentials (made once per DIR, kept across restarts so kubeconfigs stay valid) ----------
make_credentials() {
  mkdir -p "$pki"
  chmod 700 "$dir" "$pki"
  if [[ ! -s $dir/token ]]; then
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/token"
    chmod 600 "$dir/token"
  fi
  # --token-auth-file: token,user,uid,"groups". system:masters bypasses RBAC: the lab's admin.
  printf '%s,lab-admin,lab-admin,"system:masters"\n' "$(token)" >"$dir/tokens.csv"
  chmod 600 "$dir/tokens.csv"

  if command -v openssl >/dev/null; then
    # A CA of our own, so clients can verify the server (kubeconfig carries the CA) instead of skipping TLS.
    if [[ ! -s $pki/ca.crt || ! -s $pki/apiserver.crt ]]; then
      openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=temporal-rollouts-lab-ca" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
        -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
      openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
        -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" 2>/dev/null
      openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
        -set_serial "0x$(openssl rand -hex 8)" -days 3650 -out "$pki/apiserver.crt" -extfile <(printf '%s\n' \
          'subjectAltName=IP:127.0.0.1,DNS:localhost' 'basicConstraints=CA:FALSE' \
          'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth') 2>/dev/null
      rm -f "$pki/apiserver.csr"
    fi
    if [[ ! -s $pki/sa.key ]]; then
      openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/sa.key" 2>/dev/null
      openssl pkey -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
    fi
  elif [[ ! -s $pki/sa.key ]]; then
    # No openssl: kube-apiserver self-signs its serving cert into --cert-dir (clients skip verification);
    # the service-account key pair, which it cannot make itself, comes from Node's crypto.
    node -e '
      const { generateKeyPairSync } = require("crypto"), fs = require("fs");
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      fs.writeFileSync(process.argv[1], privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
      fs.writeFileSync(process.argv[2], publicKey.export({ type: "spki", format: "pem" }));' -- "$pki/sa.key" "$pki/sa.pub"
  fi
}

write_kubeconfig() {
  local cluster_tls
  if [[ -f $pki/ca.crt ]]; then
    cluster_tls="certificate-authority-data: $(base64 -w0 "$pki/ca.crt")"
  else
    cluster_tls="insecure-skip-tls-verify: true"
  fi
  umask 077
  cat >"$dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: lab
    cluster:
      server: $server
      $cluster_tls
users:
  - name: lab-admin
    user:
      token: $(token)
contexts:
  - name: lab
    context:
      cluster: lab
      user: lab-admin
      namespace: default
current-context: lab
EOF
}

# ---------- audit log (KUBE_AUDIT_LOG) ----------
# audit_flags FILE: writes DIR/audit-policy.yaml and sets `audit` to kube-apiserver's audit flags. Only the
# writes a rollout makes (and a person or GitOps might make beside it) are logged, with their bodies; in
# blocking mode each event is written before the response goes out, so the log is complete for every
# request that has returned.
audit_flags() {
  local file=$1
  [[ $file == /* ]] || file="$PWD/$file"
  mkdir -p "$(dirname "$file")"
  cat >"$dir/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: RequestResponse
    verbs: [create, update, patch, delete]
    resources:
      - group: apps
        resources: [replicasets, replicasets/scale]
      - group: ""
        resources: [services]
      - group: networking.istio.io
        resources: [virtualservices, destinationrules]
EOF
  # KUBE_AUDIT_ALL=true: every other request too, without bodies (what an idle rollout costs).
  if [[ ${KUBE_AUDIT_ALL:-} == true ]]; then echo '  - level: Metadata' >>"$dir/audit-policy.yaml"
  else echo '  - level: None' >>"$dir/audit-policy.yaml"; fi
  audit=(--audit-policy-file="$dir/audit-policy.yaml" --audit-log-path="$file" --audit-log-format=json
    --audit-log-mode=blocking --audit-log-maxsize=0 --audit-log-maxbackup=0 --audit-log-maxage=0)
}

# ---------- commands ----------
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

started=() # what this start launched, so a failure stops exactly those
start() {
  local t0=$EPOCHREALTIME name
  for name in etcd kube-apiserver; do
    [[ -x $bin/$name ]] || die "$bin/$name is missing: run scripts/install-tools.sh"
  done
  for name in node jq curl; do command -v "$name" >/dev/null || die "$name is needed"; done

  if ((fresh)); then
    stop_component kube-apiserver
    stop_component etcd
    echo "wiping $dir/etcd-data"
    rm -rf "$dir/etcd-data"
  elif pid_of etcd >/dev/null && pid_of kube-apiserver >/dev/null && ready; then
    echo "already running: $server (kubeconfig $dir/kubeconfig)"
    return 0
  fi
  make_credentials

  # On failure, stop what this call started (and only that) and show why.
  trap 'for name in "${started[@]}"; do stop_component "$name"; done' EXIT

  # Every port is checked before anything is launched, so a clash leaves nothing half-started.
  local port
  if ! pid_of etcd >/dev/null; then
    for port in "$etcd_port" "$etcd_peer_port"; do
      ! port_in_use "$port" || die "port 127.0.0.1:$port (etcd) is taken by another process; set ETCD_PORT/ETCD_PEER_PORT"
    done
  fi
  if ! pid_of kube-apiserver >/dev/null && port_in_use "$apiserver_port"; then
    die "port 127.0.0.1:$apiserver_port (kube-apiserver) is taken by another process; set KUBE_APISERVER_PORT"
  fi

  if ! pid_of etcd >/dev/null; then
    # The member's name and peer URL only matter at bootstrap: a restart on other ports keeps its data.
    launch etcd --name lab --data-dir "$dir/etcd-data" \
      --listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
      --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" \
      --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
      --initial-cluster "lab=http://127.0.0.1:$etcd_peer_port"
    started+=(etcd)
    local deadline=$((SECONDS + 30))
    until curl -fsS --max-time 2 "$etcd_url/health" 2>/dev/null | grep -q '"health":"true"'; do
      if ! pid_of etcd >/dev/null || ((SECONDS >= deadline)); then
        log_tail etcd; die "etcd did not become healthy on $etcd_url"
      fi
      sleep 0.2
    done
  fi

  if ! pid_of kube-apiserver >/dev/null; then
    local tls=(--cert-dir "$pki/selfsigned")
    [[ -f $pki/ca.crt ]] && tls=(--tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key")
    local audit=()
    [[ -z ${KUBE_AUDIT_LOG:-} ]] || audit_flags "$KUBE_AUDIT_LOG"
    # ServiceAccount admission is off: it makes Pods wait for a "default" ServiceAccount that only the
    # absent controller-manager would create. Everything else keeps its default. No endpoint reconciler:
    # it refuses a loopback advertise address, and nothing here routes to the "kubernetes" Service anyway.
    launch kube-apiserver \
      --etcd-servers "$etcd_url" \
      --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$apiserver_port" \
      --endpoint-reconciler-type none \
      "${tls[@]}" \
      --token-auth-file "$dir/tokens.csv" \
      --authorization-mode RBAC \
      --service-account-issuer "$server" \
      --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
      --service-cluster-ip-range 10.0.0.0/24 \
      --disable-admission-plugins ServiceAccount \
      --allow-privileged=true --profiling=false \
      "${audit[@]}"
    started+=(kube-apiserver)
  fi
  printf 'ETCD_PORT=%s\nETCD_PEER_PORT=%s\nKUBE_APISERVER_PORT=%s\n' \
    "$etcd_port" "$etcd_peer_port" "$apiserver_port" >"$dir/ports.env"

  local deadline=$((SECONDS + ${KUBE_READY_TIMEOUT:-90}))
  until ready; do
    if ! pid_of kube-apiserver >/dev/null || ((SECONDS >= deadline)); then
      log_tail kube-apiserver; die "kube-apiserver not ready on $server/readyz"
    fi
    sleep 0.25
  done
  local t_ready=$EPOCHREALTIME
  write_kubeconfig

  # Our Istio stand-ins and Argo Rollouts' own API (deploy/crds), which the watcher and the plugin use.
  local crds=("$root"/lab/crds/*.yaml "$root"/deploy/crds/*.yaml)
  apply "${crds[@]}"
  wait_crds_established "${crds[@]}"
  trap - EXIT
  printf 'ready in %ss (readyz %ss, CRDs %ss): %s (kubeconfig %s)\n' \
    "$(elapsed "$t0" "$EPOCHREALTIME")" "$(elapsed "$t0" "$t_ready")" "$(elapsed "$t_ready" "$EPOCHREALTIME")" \
    "$server" "$dir/kubeconfig"
}

status() {
  local ok=0 pid
  if pid=$(pid_of etcd); then
    printf '%-15s running  pid %-7s %s\n' etcd "$pid" "$etcd_url"
  else
    printf '%-15s stopped\n' etcd; ok=3
  fi
  if pid=$(pid_of kube-apiserver); then
    local state=ready
    ready || { state="not ready"; ok=3; }
    printf '%-15s running  pid %-7s %s (%s)\n' kube-apiserver "$pid" "$server" "$state"
  else
    printf '%-15s stopped\n' kube-apiserver; ok=3
  fi
  printf '%-15s %s\n' kubeconfig "$dir/kubeconfig"
  return $ok
}

env_vars() {
  printf 'KUBECONFIG=%q\nKUBE_SERVER=%q\nKUBE_TOKEN_FILE=%q\nKUBE_CA_FILE=%q\n' \
    "$dir/kubeconfig" "$server" "$dir/token" "$([[ -f $pki/ca.crt ]] && echo "$pki/ca.crt")"
}

# One command at a time per DIR (two concurrent starts would race for the ports and pid files).
exec 9>"$dir/.lock"
flock 9
case $command in
  start) start ;;
  stop) stop_component kube-apiserver; stop_component etcd ;;
  stop-apiserver) stop_component kube-apiserver ;;
  start-apiserver)
    # start launches only what is not running; with etcd up, that is the API server, on the saved port.
    pid_of etcd >/dev/null || die "etcd does not run for $dir: use start"
    fresh=0
    start
    ;;
  status) status ;;
  env) env_vars ;;
  apply)
    pid_of kube-apiserver >/dev/null || die "no kube-apiserver runs for $dir"
    apply "$@"
    ;;
esac
