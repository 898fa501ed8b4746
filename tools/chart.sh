#!/usr/bin/env bash
# Packages the operator's Helm chart (deploy/chart/helm-oci-operator) and optionally pushes it as an
# OCI chart, so that installing the operator is `helm install helm-oci-operator oci://<registry>/<path>/helm-oci-operator`.
#
# Usage: tools/chart.sh [oci://]HOST[:PORT]/PATH    package, then push to oci://HOST[:PORT]/PATH/helm-oci-operator:<version>
#        tools/chart.sh                            package only
# Env:   CHART_DIR  where the .tgz goes (default target/chart)
#        HELM       the helm binary (default: helm 3 from tools.properties); HELM_REGISTRY_CONFIG etc. as helm reads them
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${CHART_DIR:-$root/target/chart}
props=${HELM_OCI_TOOLS_DIR:-$HOME/.cache/helm-oci-operator/tools}/tools.properties
helm=${HELM:-$(sed -n 's/^helm=//p' "$props" 2>/dev/null)}
[ -x "$helm" ] || { echo "chart: no helm binary (run 'make tools' first)" >&2; exit 1; }

mkdir -p "$out"
"$helm" lint --strict "$root/deploy/chart/helm-oci-operator" >/dev/null
packaged=$("$helm" package "$root/deploy/chart/helm-oci-operator" -d "$out" | sed -n 's/.*saved it to: //p')
[ -s "$packaged" ] || { echo "chart: helm package wrote nothing" >&2; exit 1; }
echo "chart: packaged $packaged" >&2
if [ -n "${1:-}" ]; then
  target=${1#oci://}
  host=${target%%/*}
  flags=()
  case "${host%:*}" in localhost|127.*|\[::1\]) flags=(--plain-http) ;; esac   # a test registry on loopback
  "$helm" push "$packaged" "oci://$target" "${flags[@]}"
fi
echo "$packaged"
