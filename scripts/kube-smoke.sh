#!/usr/bin/env bash
# End-to-end check of the local control plane (scripts/kube-control-plane.sh) with nothing but curl and the
# admin token, the way the rollout activities will talk to it: seed objects and Istio custom resources are
# created, a ReplicaSet's /status is patched (no controller-manager does it here), and everything survives
# a stop + start. Runs its own instance (DIR, default .lab/kube-smoke, on ports of its own) so it neither
# needs nor disturbs a lab instance on the default ports; it is stopped at the end, pass or fail.
#   scripts/kube-smoke.sh [DIR]     env: ETCD_PORT (32379), KUBE_APISERVER_PORT (36443),
#                                   KUBE_SMOKE_SEED (seed manifests dir, default ../shared/seed/manifests)
# Exits non-zero if any check fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cp="$root/scripts/kube-control-plane.sh"
dir=${1:-$root/.lab/kube-smoke}
export ETCD_PORT=${ETCD_PORT:-32379} KUBE_APISERVER_PORT=${KUBE_APISERVER_PORT:-36443}
unset ETCD_PEER_PORT KUBE_FRESH
seed=${KUBE_SMOKE_SEED:-$root/../shared/seed/manifests}
ns=rollouts-demo

passed=0 failed=0
check() { # check DESCRIPTION COMMAND...: runs COMMAND, counts and reports the outcome
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}

bash "$root/scripts/install-tools.d/kube.sh"    # builds etcd + kube-apiserver once; about a second after
trap 'bash "$cp" stop "$dir" >/dev/null' EXIT

# kube METHOD PATH [CURL ARGS...]: authenticated API call; prints the body, fails on HTTP >= 400.
kube() {
  local method=$1 path=$2; shift 2
  local tls=(--insecure); [[ -n $KUBE_CA_FILE ]] && tls=(--cacert "$KUBE_CA_FILE")
  curl -sS --fail-with-body --max-time 30 "${tls[@]}" -H "Authorization: Bearer $(cat "$KUBE_TOKEN_FILE")" \
    -X "$method" "$KUBE_SERVER$path" "$@"
}
# expect JSON_FILTER METHOD PATH: the response satisfies the jq filter (which must yield true).
expect() { local filter=$1; shift; kube "$@" | jq -e "$filter" >/dev/null; }
rs_path=/apis/apps/v1/namespaces/$ns/replicasets/myapp-stable
vs_path=/apis/networking.istio.io/v1alpha3/namespaces/$ns/virtualservices/myapp-vsvc

echo "== fresh start"
check "start --fresh" bash "$cp" start --fresh "$dir"
eval "$(bash "$cp" env "$dir")"
check "custom resources list at once (no 429 while their watch cache syncs)" \
  expect '.items == []' GET /apis/networking.istio.io/v1alpha3/virtualservices
check "status reports both components ready" bash "$cp" status "$dir"
check "a second start is a no-op" bash "$cp" start "$dir"
check "/version is v1.37.x" expect '.gitVersion | startswith("v1.")' GET /version
check "the three Istio CRDs are Established" expect \
  '[.items[] | select(.spec.group == "networking.istio.io") | .status.conditions[] | select(.type == "Established" and .status == "True")] | length == 3' \
  GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions
check "kubeconfig carries the server and the token" \
  grep -q "server: $KUBE_SERVER" "$KUBECONFIG"

echo "== seed objects (server-side apply of $seed/00..03)"
check "apply namespace, services, virtualservice, gateway" \
  bash "$cp" apply "$dir" "$seed"/00-*.yaml "$seed"/01-*.yaml "$seed"/02-*.yaml "$seed"/03-*.yaml
check "namespace is Active" expect '.status.phase == "Active"' GET /api/v1/namespaces/$ns
check "stable Service got a ClusterIP" expect '.spec.clusterIP | test("^10\\.0\\.0\\.")' \
  GET /api/v1/namespaces/$ns/services/myapp-stable-svc
check "VirtualService reads back (v1alpha3)" expect '.spec.http[0].route[0].weight == 100' GET "$vs_path"
check "VirtualService served as v1 too" expect '.apiVersion == "networking.istio.io/v1"' \
  GET /apis/networking.istio.io/v1/namespaces/$ns/virtualservices/myapp-vsvc
check "Gateway reads back" expect '.spec.servers[0].port.number == 80' \
  GET /apis/networking.istio.io/v1beta1/namespaces/$ns/gateways/myapp-gateway
check "JSON patch of the route weights (as a canary step would)" expect \
  '.spec.http[0].route | map(.weight) == [90, 10]' \
  PATCH "$vs_path" -H 'Content-Type: application/json-patch+json' --data-binary \
  '[{"op":"test","path":"/spec/http/0/name","value":"primary"},
    {"op":"replace","path":"/spec/http/0/route/0/weight","value":90},
    {"op":"replace","path":"/spec/http/0/route/1/weight","value":10}]'
check "DestinationRule can be created (POST)" expect '.metadata.uid != null' \
  POST /apis/networking.istio.io/v1beta1/namespaces/$ns/destinationrules -H 'Content-Type: application/json' \
  --data-binary '{"apiVersion":"networking.istio.io/v1beta1","kind":"DestinationRule",
    "metadata":{"name":"myapp-dr"},"spec":{"host":"myapp-stable-svc","subsets":[{"name":"stable"}]}}'

echo "== ReplicaSet and its /status subresource"
check "create ReplicaSet (POST, 201)" expect '.metadata.generation == 1' \
  POST /apis/apps/v1/namespaces/$ns/replicasets -H 'Content-Type: application/json' --data-binary '{
    "apiVersion": "apps/v1", "kind": "ReplicaSet",
    "metadata": {"name": "myapp-stable", "labels": {"app": "myapp", "rollouts-pod-template-hash": "abc123"}},
    "spec": {"replicas": 3,
      "selector": {"matchLabels": {"app": "myapp", "rollouts-pod-template-hash": "abc123"}},
      "template": {"metadata": {"labels": {"app": "myapp", "rollouts-pod-template-hash": "abc123"}},
        "spec": {"containers": [{"name": "myapp", "image": "argoproj/rollouts-demo:blue",
          "ports": [{"name": "http", "containerPort": 8080}]}]}}}}'
check "patch /status (merge patch) as a controller would" expect '.status.readyReplicas == 3' \
  PATCH "$rs_path/status" -H 'Content-Type: application/merge-patch+json' --data-binary \
  '{"status":{"replicas":3,"readyReplicas":3,"availableReplicas":3,"fullyLabeledReplicas":3,"observedGeneration":1}}'
check "GET returns spec and patched status" \
  expect '.spec.replicas == 3 and .status.availableReplicas == 3 and .status.observedGeneration == 1' GET "$rs_path"
check "a spec write through /status is ignored" expect '.spec.replicas == 3' \
  PATCH "$rs_path/status" -H 'Content-Type: application/merge-patch+json' --data-binary '{"spec":{"replicas":7}}'

echo "== a taken port is refused clearly, without touching the running instance"
out=$(ETCD_PORT=32479 KUBE_APISERVER_PORT=$KUBE_APISERVER_PORT bash "$cp" start "$dir-clash" 2>&1) && rc=0 || rc=$?
check "second instance on the same API port fails" test "$rc" -ne 0
check "... saying which port is taken" grep -q "port 127.0.0.1:$KUBE_APISERVER_PORT (kube-apiserver) is taken" <<<"$out"
check "... and leaves nothing of its own running" bash -c "! bash '$cp' status '$dir-clash' >/dev/null"
check "the first instance still answers" expect '.status.readyReplicas == 3' GET "$rs_path"
rm -rf "$dir-clash"

echo "== stop + start keeps state"
check "stop" bash "$cp" stop "$dir"
check "status says stopped" bash -c "! bash '$cp' status '$dir' >/dev/null"
check "nothing listens on the API port any more" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$KUBE_APISERVER_PORT) 2>/dev/null"
check "start again" bash "$cp" start "$dir"
check "custom resources list at once after a restart" \
  expect '.items | length == 1' GET /apis/networking.istio.io/v1beta1/gateways
check "ReplicaSet status persisted" expect '.status.readyReplicas == 3 and .spec.replicas == 3' GET "$rs_path"
check "VirtualService weights persisted" expect '.spec.http[0].route | map(.weight) == [90, 10]' GET "$vs_path"
check "Services persisted" expect '.items | length == 2' GET /api/v1/namespaces/$ns/services
check "DestinationRule persisted" expect '.spec.host == "myapp-stable-svc"' \
  GET /apis/networking.istio.io/v1/namespaces/$ns/destinationrules/myapp-dr
check "stop again" bash "$cp" stop "$dir"

echo "kube-smoke: $passed passed, $failed failed"
((failed == 0))
