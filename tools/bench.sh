#!/usr/bin/env bash
# make bench: the project's benchmark (io.helmoci.bench.BenchMain, test scope) against the real
# components on 127.0.0.1. Needs the packaged operator, the test classes and their classpath
# (target/test-classpath.txt), which 'make bench' builds; runs the engine suite and the operator suite in separate JVMs (the operator's gets the memory its Deployment has),
# merging their figures into docs/benchmarks/results-<date>.json (QUICK=1: target/bench/). See docs/benchmarks.md.
#
# Environment (make variables): QUICK=1 (a 1-2 minute smoke run), SUITES="engine operator verify"
# (also: throttled; cluster = the operator pod in the real cluster, see make bench-cluster),
# OPERATOR_COUNTS=10,50,100,200, STEADY_INTERVAL=1m, STEADY_WINDOW=3m, RESULTS=file, NMT=1 (cluster:
# the pod's JVM with native memory tracking, its summary in target/bench-logs/cluster-nmt.txt).
set -euo pipefail
cd "$(dirname "$0")/.."

suites=${SUITES:-engine operator verify}
suffix=""
args=()
if [ -n "${QUICK:-}" ] && [ "${QUICK}" != 0 ]; then
  args+=(--quick)
  suffix="-quick"
fi
# A full run's figures are kept with the docs; a smoke run's go to target/.
if [ -n "$suffix" ]; then
  results=${RESULTS:-target/bench/results-$(date -u +%Y-%m-%d)$suffix.json}
else
  results=${RESULTS:-docs/benchmarks/results-$(date -u +%Y-%m-%d).json}
fi
[ -n "${OPERATOR_COUNTS:-}" ] && args+=(--operator-counts "$OPERATOR_COUNTS")
[ -n "${STEADY_INTERVAL:-}" ] && args+=(--steady-interval "$STEADY_INTERVAL")
[ -n "${STEADY_WINDOW:-}" ] && args+=(--steady-window "$STEADY_WINDOW")

classpath_file=target/test-classpath.txt
if [ ! -s "$classpath_file" ] || [ ! -f target/quarkus-app/quarkus-run.jar ]; then
  echo "bench: the build is missing (target/quarkus-app, $classpath_file): run 'make bench', which builds them" >&2
  exit 2
fi
classpath="target/test-classes:target/classes:$(cat "$classpath_file")"

if [ ! -x /usr/bin/time ]; then
  echo "bench: /usr/bin/time (Debian package 'time') is missing: helm's peak memory will not be measured" >&2
fi

if [[ " $suites " == *" cluster "* ]]; then
  [ "$(id -u)" = 0 ] || { echo "bench: the cluster suite starts the real cluster and needs root" >&2; exit 2; }
  [ -f target/helm-oci-operator-image.tar ] || { echo "bench: no operator image: run 'make bench-cluster', which builds it (make image)" >&2; exit 2; }
fi

rm -f "$results"
status=0
for suite in $suites; do
  echo "bench: suite $suite -> $results"
  if [ "$suite" = operator ] || [ "$suite" = throttled ]; then
    # The operator process gets the JVM settings and environment of its Deployment (deploy/manifests) in a
    # 512Mi limit, plus a GC log in its log (target/bench-logs) to show where the heap went.
    deployment_jvm=$(sed -n '/name: JAVA_TOOL_OPTIONS/{n;s/.*value: "\(.*\)"/\1/p}' deploy/manifests/20-deployment.yaml)
    MALLOC_ARENA_MAX=2 \
    BENCH_OPERATOR_JVM_OPTIONS="-XX:MaxRAM=512m ${OPERATOR_JVM_OPTIONS:-$deployment_jvm} -Xlog:gc:stdout" \
      java -cp "$classpath" io.helmoci.bench.BenchMain --suite "$suite" --results "$results" "${args[@]}" || status=$?
  else
    java -cp "$classpath" io.helmoci.bench.BenchMain --suite "$suite" --results "$results" "${args[@]}" || status=$?
  fi
done
exit $status
