#!/usr/bin/env bash
# The demo behind 'make demo' (which builds first): a real kube-apiserver + etcd and a real OCI
# registry on 127.0.0.1 (the test bed's), a chart pushed with 'helm push', the CRD and a
# HelmOciChart applied with kubectl, the packaged operator reconciling it until Ready, then the
# result: 'kubectl get hoc -o wide', the artifact URL and 'helm template' rendered from it.
#
# Runs until Ctrl-C (then stops the operator, the registry and the API server). With ONCE=1 it
# exits 0 after showing the result, or 1 when the resource is not Ready within READY_TIMEOUT
# seconds (default 120). Everything lives in a temp dir: ~/.kube and ~/.config/helm are never used.
#
# Needs: target/quarkus-app (mvn package), target/test-classes, and the test classpath in
# target/test-classpath.txt (mvn dependency:build-classpath) or in $DEMO_CLASSPATH.
set -euo pipefail

root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$root"
ONCE=${ONCE:-}
READY_TIMEOUT=${READY_TIMEOUT:-120}
NAMESPACE=demo
NAME=hello
JAR=target/quarkus-app/quarkus-run.jar

step() { printf '\n==> %s\n' "$*"; }
show() { printf '$ %s\n' "$*"; }
fail() { printf 'demo: %s\n' "$*" >&2; exit 1; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# --- what the build must have produced
classpath=${DEMO_CLASSPATH:-}
if [ -z "$classpath" ] && [ -s target/test-classpath.txt ]; then
  classpath=$(<target/test-classpath.txt)
fi
[ -f "$JAR" ] && [ -f target/test-classes/io/helmoci/testbed/DemoEnvironment.class ] && [ -n "$classpath" ] \
  || fail "the build is missing (target/quarkus-app, target/test-classes, target/test-classpath.txt): run 'make demo', which builds them"
command -v java >/dev/null || fail "java (17+) is not on the PATH"

work=$(mktemp -d "${TMPDIR:-/tmp}/helm-oci-demo.XXXXXX")
mkdir -p "$work/tmp"
env_pid=
operator_pid=

# Stops one of our background processes: SIGTERM, then SIGKILL after $3 seconds.
stop() {
  local pid=$1 what=$2 seconds=$3 i
  alive "$pid" || return 0
  echo "stopping $what"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < seconds * 10; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    echo "$what did not stop within $seconds s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP PIPE
  trap '' PIPE # output may go to a closed pipe (demo | head): cleaning up matters more
  set +e
  stop "$operator_pid" "the operator" 15
  # Its shutdown hook stops the registry, kube-apiserver and etcd.
  stop "$env_pid" "the registry and the API server" 40
  case $status in
    0 | 129 | 130 | 141 | 143) rm -rf "$work" ;; # success or interrupted
    *) echo "demo: logs kept in $work (operator.log, environment.log)" >&2 ;;
  esac
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE
# Should this script be killed outright (SIGKILL), the operator still gets SIGTERM from the kernel.
die_with_us=()
if setpriv --help 2>/dev/null | grep -q -- --pdeathsig; then
  die_with_us=(setpriv --pdeathsig TERM)
fi

# --- 1. the environment
step "Starting a local Kubernetes API server (kube-apiserver + etcd) and an OCI registry (test bed)"
echo "Working directory: $work (removed at the end)"
# Background jobs of a script ignore SIGINT, and the JVM keeps it ignored: Ctrl-C reaches only this
# script, whose trap stops everything in order. The parent pid lets the JVM exit if we are killed.
java -Djava.io.tmpdir="$work/tmp" -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "target/test-classes:target/classes:$classpath" io.helmoci.testbed.DemoEnvironment "$work/env" $$ \
  >"$work/environment.log" 2>&1 &
env_pid=$!
for ((i = 0; i < 1200; i++)); do
  [ -s "$work/env" ] && break
  alive "$env_pid" || { cat "$work/environment.log" >&2; fail "the API server or the registry did not start (log above)"; }
  sleep 0.1
done
[ -s "$work/env" ] || { tail -n 40 "$work/environment.log" >&2; fail "the API server and registry were not up within 120 s"; }
# shellcheck source=/dev/null
. "$work/env"
echo "kube-apiserver v$KUBE_VERSION at ${API_SERVER%/}, registry ($REGISTRY_VERSION) at http://$REGISTRY_HOST"

export KUBECONFIG
# helm in a home of its own: nothing of ~/.config/helm, ~/.cache/helm or ~/.docker is read or written.
helm_home="$work/helm"
export HELM_CACHE_HOME="$helm_home/cache" HELM_CONFIG_HOME="$helm_home/config" HELM_DATA_HOME="$helm_home/data"
export HELM_REGISTRY_CONFIG="$helm_home/config/registry/config.json" DOCKER_CONFIG="$helm_home/docker"
export HELM_REPOSITORY_CONFIG="$helm_home/config/repositories.yaml" HELM_REPOSITORY_CACHE="$helm_home/cache/repository"
kubectl() { "$KUBECTL" --cache-dir "$work/kube-cache" "$@"; }
helm() { "$HELM" "$@"; }

# --- 2. a chart in the registry
step "Creating a chart with 'helm create' and pushing two versions with 'helm push'"
mkdir -p "$work/charts"
helm create "$work/charts/$NAME" >/dev/null
for version in 1.0.0 1.1.0; do
  helm package "$work/charts/$NAME" --version "$version" -d "$work/charts" >/dev/null
  show "helm push $NAME-$version.tgz oci://$REGISTRY_HOST/charts --plain-http"
  helm push "$work/charts/$NAME-$version.tgz" "oci://$REGISTRY_HOST/charts" --plain-http 2>&1
done

# --- 3. the CRD and a HelmOciChart
step "Applying the CRD (deploy/crds) and a HelmOciChart with kubectl"
show "kubectl apply -f deploy/crds"
kubectl apply -f deploy/crds
kubectl wait --for=condition=Established crd/helmocicharts.helmoci.io --timeout=60s >/dev/null
kubectl create namespace "$NAMESPACE" >/dev/null
cat >"$work/$NAME.yaml" <<EOF
apiVersion: helmoci.io/v1alpha1
kind: HelmOciChart
metadata:
  name: $NAME
spec:
  url: oci://$REGISTRY_HOST/charts/$NAME
  version: "^1.0.0"   # the newest 1.x: 1.1.0
  interval: 1m
  insecure: true      # the local registry speaks plain HTTP; real registries use TLS
EOF
cat "$work/$NAME.yaml"
show "kubectl apply -n $NAMESPACE -f $NAME.yaml"
kubectl apply -n "$NAMESPACE" -f "$work/$NAME.yaml"
ready_deadline=$((SECONDS + READY_TIMEOUT))

# --- 4. the operator
step "Running the operator ($JAR) against that API server"
base_url="http://127.0.0.1:$OPERATOR_PORT"
show "KUBECONFIG=... java -jar $JAR"
"${die_with_us[@]}" java -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$OPERATOR_PORT" -Dhelmoci.artifacts.base-url="$base_url" \
  -Dhelmoci.store.path="$work/store" -Dhelmoci.leader-election.lease-namespace=default \
  -Dhelmoci.webhook.host=127.0.0.1 -Dhelmoci.webhook.port=0 \
  -jar "$JAR" >"$work/operator.log" 2>&1 &
operator_pid=$!

show "kubectl wait --for=condition=Ready hoc/$NAME -n $NAMESPACE --timeout=${READY_TIMEOUT}s"
ready=
while ((SECONDS < ready_deadline)); do
  alive "$operator_pid" || break
  # Short waits, so that an operator that died is noticed at once.
  if kubectl wait --for=condition=Ready "hoc/$NAME" -n "$NAMESPACE" --timeout="$((ready_deadline - SECONDS < 5 ? ready_deadline - SECONDS : 5))s" >/dev/null 2>&1; then
    ready=yes
    break
  fi
done
if [ -z "$ready" ]; then
  echo
  if alive "$operator_pid"; then
    echo "demo: HelmOciChart $NAMESPACE/$NAME is not Ready within $READY_TIMEOUT s. Its conditions:" >&2
  else
    echo "demo: the operator exited. The conditions of HelmOciChart $NAMESPACE/$NAME:" >&2
  fi
  conditions=$(kubectl get hoc "$NAME" -n "$NAMESPACE" \
    -o jsonpath='{range .status.conditions[*]}  {.type}={.status} {.reason}: {.message}{"\n"}{end}' 2>&1 || true)
  echo "${conditions:-  (none: the operator has not written a status yet)}" >&2
  echo "--- the last lines of the operator's log:" >&2
  tail -n 40 "$work/operator.log" >&2
  exit 1
fi
echo "hoc/$NAME condition met"

# --- 5. the result
step "Ready: what the operator publishes"
show "kubectl get hoc -n $NAMESPACE -o wide"
kubectl get hoc -n "$NAMESPACE" -o wide
status() { kubectl get hoc "$NAME" -n "$NAMESPACE" -o jsonpath="{.status.$1}"; }
artifact_url=$(status artifact.url)
echo
echo "Artifact URL:       $artifact_url"
echo "Pinned reference:   $(status resolvedRef)"
echo "Content digest:     $(status contentDigest)"
echo "Helm repository:    $base_url/charts/$NAMESPACE/index.yaml"

step "Rendering the chart from the artifact URL with helm (first lines)"
show "helm template $NAME $artifact_url | head -n 25"
helm template "$NAME" "$artifact_url" >"$work/rendered.yaml"
head -n 25 "$work/rendered.yaml"
echo "... ($(grep -c '^kind:' "$work/rendered.yaml") objects rendered)"

if [ -n "$ONCE" ]; then
  step "Done (ONCE=1): stopping"
  exit 0
fi

step "The demo keeps running until Ctrl-C. Meanwhile, in another shell:"
cat <<EOF
  export KUBECONFIG=$KUBECONFIG
  $KUBECTL get hoc -A -o wide
  $KUBECTL get hoc $NAME -n $NAMESPACE -o yaml
  curl -s $base_url/charts/$NAMESPACE/index.yaml
  $HELM template $NAME $artifact_url
EOF
# Ends on Ctrl-C (the trap), or when the operator or the environment stops by itself.
wait -n "$operator_pid" "$env_pid" || true
if alive "$operator_pid"; then stopped="the registry or the API server" log=environment.log; else stopped="the operator" log=operator.log; fi
{ echo "demo: $stopped stopped unexpectedly; the last lines of its log ($work/$log):"; tail -n 40 "$work/$log"; } >&2
exit 1
