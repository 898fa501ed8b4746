#!/usr/bin/env bash
# Installs the real components the tests, the demo and the benchmarks run against, and caches
# them OUTSIDE the checkout, keyed by version, so a fresh clone (and CI) reuses them:
#
#   kube-apiserver, kubectl (k8s.io/kubernetes), etcd  -> <cache>/kubeapitest/k8s/<ver>-linux-amd64/
#   helm (3 and 4), oras, distribution v3 registry     -> <cache>/<name>/<version>/
#   docker-registry (CNCF distribution 2.8)            -> Debian package, /usr/bin/docker-registry
#   Flux helm-controller and its CRDs (issue 12)        -> <cache>/helm-controller/<version>/
#
# Go programs are built from the module versions pinned in tools/go/<name>/go.mod (+ go.sum, so no
# checksum database is needed). Idempotent: what is cached is not rebuilt. Writes
# <cache>/tools.properties, which the test support and the Makefile read to find every binary.
#
# Usage: tools/install.sh            install what is missing
#        tools/install.sh --print    print the properties file path and contents
# Env:   HELM_OCI_TOOLS_DIR          cache root (default ~/.cache/helm-oci-operator/tools)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${HELM_OCI_TOOLS_DIR:-$HOME/.cache/helm-oci-operator/tools}
props="$cache/tools.properties"
arch=linux-amd64

die() { echo "tools: ERROR: $*" >&2; exit 1; }
log() { echo "tools: $*" >&2; }

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "only linux-amd64 is supported (found $(uname -s)-$(uname -m))"
command -v go >/dev/null || die "the 'go' command is required (Go 1.26+) to build kube-apiserver, etcd, helm, oras and the registry"

# Version of a required module, read from the pinned go.mod.
pinned() { awk -v m="$2" '$1==m || ($1=="require" && $2==m) {print ($1=="require") ? $3 : $2; exit}' "$here/go/$1/go.mod"; }

# build <component-dir> <output-dir> <ldflags> <binary-name>=<package> ...
build() {
  local comp=$1 out=$2 ldflags=$3; shift 3
  local pair name pkg start
  mkdir -p "$out"
  for pair in "$@"; do
    name=${pair%%=*}; pkg=${pair#*=}
    [ -x "$out/$name" ] && continue
    start=$(date +%s)
    log "building $name from $pkg (pinned in tools/go/$comp/go.mod) ..."
    # Build into a temp name and rename, so an interrupted build never leaves a half binary cached.
    if ! (cd "$here/go/$comp" && GOFLAGS=-buildvcs=false GOTOOLCHAIN=local CGO_ENABLED=0 \
          go build -trimpath -ldflags "-s -w $ldflags" -o "$out/.$name.tmp" "$pkg"); then
      rm -f "$out/.$name.tmp"
      die "could not build $name from $pkg (module pinned in tools/go/$comp/go.mod); see the go output above"
    fi
    mv -f "$out/.$name.tmp" "$out/$name"
    log "built $name in $(( $(date +%s) - start ))s -> $out/$name"
  done
}

total_start=$(date +%s)

# --- Kubernetes API server, kubectl and etcd, laid out the way fabric8 kube-api-test looks for them.
k8s_version=$(pinned kubernetes k8s.io/kubernetes)
k8s_minor=$(echo "$k8s_version" | cut -d. -f2)
kube_dir="$cache/kubeapitest/k8s/${k8s_version#v}-$arch"
k8s_ld="-X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$k8s_minor -X k8s.io/component-base/version.gitTreeState=clean"
k8s_ld="$k8s_ld -X k8s.io/client-go/pkg/version.gitVersion=$k8s_version -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$k8s_minor"
build kubernetes "$kube_dir" "$k8s_ld" \
  kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver kubectl=k8s.io/kubernetes/cmd/kubectl
etcd_version=$(pinned etcd go.etcd.io/etcd/server/v3)
build etcd "$kube_dir" "-X go.etcd.io/etcd/api/v3/version.GitSHA=$etcd_version" etcd=go.etcd.io/etcd/server/v3

# --- helm 3 and helm 4 (issue 9): both majors side by side, each from its own pinned module
# (tools/go/helm3, tools/go/helm4) and cached under <cache>/helm/<version>/helm. The tests run
# every helm step with both (testbed HelmMajor); the `helm` property stays Helm 3.
helm_version=$(pinned helm3 helm.sh/helm/v3)
helm_dir="$cache/helm/$helm_version"
build helm3 "$helm_dir" "-X helm.sh/helm/v3/internal/version.version=$helm_version -X helm.sh/helm/v3/internal/version.gitTreeState=clean" \
  helm=helm.sh/helm/v3/cmd/helm
helm4_version=$(pinned helm4 helm.sh/helm/v4)
helm4_dir="$cache/helm/$helm4_version"
build helm4 "$helm4_dir" "-X helm.sh/helm/v4/internal/version.version=$helm4_version -X helm.sh/helm/v4/internal/version.gitTreeState=clean" \
  helm=helm.sh/helm/v4/cmd/helm
# --- end of helm

# --- oras, distribution v3
oras_version=$(pinned oras oras.land/oras)
oras_dir="$cache/oras/$oras_version"
build oras "$oras_dir" "-X oras.land/oras/internal/version.Version=${oras_version#v} -X oras.land/oras/internal/version.BuildMetadata=" \
  oras=oras.land/oras/cmd/oras
dist_version=$(pinned distribution github.com/distribution/distribution/v3)
dist_dir="$cache/distribution/$dist_version"
build distribution "$dist_dir" "-X github.com/distribution/distribution/v3/version.version=$dist_version" \
  registry=github.com/distribution/distribution/v3/cmd/registry

# --- Debian's docker-registry (CNCF distribution 2.8): a second, older registry implementation.
debian_registry=$(command -v docker-registry || true)
if [ -z "$debian_registry" ]; then
  command -v apt-get >/dev/null || die "docker-registry is missing and apt-get is not available: install Debian's 'docker-registry' package"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  start=$(date +%s)
  log "installing Debian package docker-registry with apt-get ..."
  $sudo apt-get update -qq >/dev/null || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends docker-registry >/dev/null \
    || die "apt-get install docker-registry failed"
  # The package's init script may start a registry on :5000; the tests never use it.
  (command -v service >/dev/null && $sudo service docker-registry stop >/dev/null 2>&1) || true
  debian_registry=$(command -v docker-registry) || die "docker-registry not on PATH after installing it"
  log "installed docker-registry in $(( $(date +%s) - start ))s"
fi
debian_registry_version=$(dpkg-query -W -f '${Version}' docker-registry 2>/dev/null || echo unknown)

# --- BEGIN signing tools (issue 10): cosign, notation, GnuPG, timestamp authority ---------------------------------------
# The real signers and reference verifiers for signature tests: cosign (Sigstore) and notation
# (Notary Project) built from tools/go/{cosign,notation}; GnuPG (for `helm package --sign`) from Debian.
cosign_version=$(pinned cosign github.com/sigstore/cosign/v3)
cosign_dir="$cache/cosign/$cosign_version"
build cosign "$cosign_dir" "-X sigs.k8s.io/release-utils/version.gitVersion=$cosign_version -X sigs.k8s.io/release-utils/version.gitTreeState=clean" \
  cosign=github.com/sigstore/cosign/v3/cmd/cosign
notation_version=$(pinned notation github.com/notaryproject/notation)
notation_dir="$cache/notation/$notation_version"
build notation "$notation_dir" "-X github.com/notaryproject/notation/internal/version.Version=$notation_version -X github.com/notaryproject/notation/internal/version.BuildMetadata=" \
  notation=github.com/notaryproject/notation/cmd/notation
gpg_bin=$(command -v gpg || true)
if [ -z "$gpg_bin" ]; then
  command -v apt-get >/dev/null || die "gpg is missing and apt-get is not available: install Debian's 'gnupg' package"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  log "installing Debian package gnupg with apt-get ..."
  $sudo apt-get update -qq >/dev/null || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends gnupg >/dev/null \
    || die "apt-get install gnupg failed"
  gpg_bin=$(command -v gpg) || die "gpg not on PATH after installing gnupg"
fi
gpg_version=$("$gpg_bin" --version | awk 'NR==1 {print $3}')
# Sigstore timestamp authority (RFC 3161) for cosign keyless signatures: the real TSA, run on 127.0.0.1
# by the test bed (testbed.TimestampAuthority) with its in-memory signer.
tsa_version=$(pinned timestamp-authority github.com/sigstore/timestamp-authority/v2)
tsa_dir="$cache/timestamp-authority/$tsa_version"
build timestamp-authority "$tsa_dir" "-X sigs.k8s.io/release-utils/version.gitVersion=$tsa_version -X sigs.k8s.io/release-utils/version.gitTreeState=clean" \
  timestamp-server=github.com/sigstore/timestamp-authority/v2/cmd/timestamp-server
# Sigstore Fulcio (keyless CA) for cosign keyless signing against a real Fulcio: ephemeral CA, no CT
# log, trusting the test kube-apiserver's ServiceAccount issuer (testbed.FulcioServer).
fulcio_version=$(pinned fulcio github.com/sigstore/fulcio)
fulcio_dir="$cache/fulcio/$fulcio_version"
build fulcio "$fulcio_dir" "-X sigs.k8s.io/release-utils/version.gitVersion=$fulcio_version -X sigs.k8s.io/release-utils/version.gitTreeState=clean" \
  fulcio=github.com/sigstore/fulcio
signing_props="cosign=$cosign_dir/cosign
cosign.version=$cosign_version
notation=$notation_dir/notation
notation.version=$notation_version
gpg=$gpg_bin
gpg.version=$gpg_version
timestamp.authority=$tsa_dir/timestamp-server
timestamp.authority.version=$tsa_version
fulcio=$fulcio_dir/fulcio
fulcio.version=$fulcio_version"
# --- END signing tools ----------------------------------------------------------------------------

# --- BEGIN Flux helm-controller (issue 12) ------------------------------------------------------
# Flux's real helm-controller, run by the tests against the test kube-apiserver with its
# ExternalArtifact feature gate on; its HelmRelease CRD from the same module, the ExternalArtifact (and
# HelmChart, OCIRepository) CRDs from source-controller's module (tools/go/source-controller), copied
# into <cache>/helm-controller/<version>/crds, the directory the property flux.crds names.
helm_controller_version=$(pinned helm-controller github.com/fluxcd/helm-controller)
source_controller_version=$(pinned source-controller github.com/fluxcd/source-controller)
flux_dir="$cache/helm-controller/$helm_controller_version"
build helm-controller "$flux_dir" "" helm-controller=github.com/fluxcd/helm-controller
module_dir() { (cd "$here/go/$1" && GOFLAGS=-mod=mod GOTOOLCHAIN=local go mod download -json "$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'); }
# helm-controller watches HelmCharts and OCIRepositories too (it does not start without their CRDs).
flux_crds="helm-controller:helm.toolkit.fluxcd.io_helmreleases.yaml source-controller:source.toolkit.fluxcd.io_externalartifacts.yaml"
flux_crds="$flux_crds source-controller:source.toolkit.fluxcd.io_helmcharts.yaml source-controller:source.toolkit.fluxcd.io_ocirepositories.yaml"
for entry in $flux_crds; do
  comp=${entry%%:*}; file=${entry#*:}
  [ -f "$flux_dir/crds/$file" ] && continue
  src_dir=$(module_dir "$comp" "github.com/fluxcd/$comp")
  [ -f "$src_dir/config/crd/bases/$file" ] || die "the CRD $file is missing from github.com/fluxcd/$comp ($src_dir)"
  mkdir -p "$flux_dir/crds"
  cp "$src_dir/config/crd/bases/$file" "$flux_dir/crds/.$file.tmp"
  mv -f "$flux_dir/crds/.$file.tmp" "$flux_dir/crds/$file"
done
flux_props="helm.controller=$flux_dir/helm-controller
helm.controller.version=$helm_controller_version
flux.crds=$flux_dir/crds
source.controller.version=$source_controller_version"
# --- END Flux helm-controller ---------------------------------------------------------------------

# ==== BEGIN real-cluster block (node components, container runtime, node images) ==============
# For the test bed's single-node cluster (tools/cluster/cluster.sh, `make cluster`, the E2E tests):
#   kubelet, kube-proxy, kube-controller-manager, kube-scheduler -> <cache>/kubernetes-node/<ver>/
#     built from tools/go/kubernetes-node at the SAME k8s.io/kubernetes version as kube-apiserver;
#   containerd 1.6, runc, the CNI plugins, iptables          -> Debian packages (installed if missing);
#   the pause image and the sample chart's hello-http image  -> <cache>/images/*.tar (docker-archive
#     tarballs of ONE static binary each, built with gcc -static; imported with `ctr images import`).
node_version=$(pinned kubernetes-node k8s.io/kubernetes)
[ "$node_version" = "$k8s_version" ] \
  || die "tools/go/kubernetes-node pins k8s.io/kubernetes $node_version but tools/go/kubernetes pins $k8s_version: the node components must match the API server"
node_dir="$cache/kubernetes-node/$node_version"
build kubernetes-node "$node_dir" "$k8s_ld" \
  kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager \
  kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler \
  kube-proxy=k8s.io/kubernetes/cmd/kube-proxy \
  kubelet=k8s.io/kubernetes/cmd/kubelet
for b in kubelet kube-proxy kube-controller-manager kube-scheduler; do
  "$node_dir/$b" --version >/dev/null 2>&1 || die "$b does not run (delete $node_dir/$b and run make tools again)"
done

# Debian packages of the container runtime: installed when missing (apt-get update first).
node_packages="containerd runc containernetworking-plugins iptables gcc libc6-dev"
missing_packages=""
for p in $node_packages; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing_packages="$missing_packages $p"
done
if [ -n "$missing_packages" ]; then
  command -v apt-get >/dev/null || die "missing Debian packages:$missing_packages (install them; apt-get is not available)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  start=$(date +%s)
  containerd_was_running=$(pgrep -x containerd >/dev/null && echo yes || echo no)
  log "installing Debian packages$missing_packages with apt-get ..."
  $sudo apt-get update -qq >/dev/null || die "apt-get update failed"
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing_packages >/dev/null \
    || die "apt-get install$missing_packages failed"
  # The test bed runs its own containerd (own socket, state and network namespace); a system one
  # the package may have started is not used, so stop it again.
  if [ "$containerd_was_running" = no ] && pgrep -x containerd >/dev/null; then
    (command -v service >/dev/null && $sudo service containerd stop >/dev/null 2>&1) || true
  fi
  log "installed$missing_packages in $(( $(date +%s) - start ))s"
fi
cni_dir=/usr/lib/cni
for b in containerd ctr runc iptables; do command -v "$b" >/dev/null || die "$b is not on PATH after installing$node_packages"; done
[ -x "$cni_dir/bridge" ] && [ -x "$cni_dir/host-local" ] && [ -x "$cni_dir/loopback" ] \
  || die "the CNI plugins are missing from $cni_dir (Debian package containernetworking-plugins)"
containerd_version=$(dpkg-query -W -f '${Version}' containerd)
runc_version=$(dpkg-query -W -f '${Version}' runc)

# static_image <out.tar> <image reference> <static binary> <entrypoint as a JSON array>
# A docker-archive with a single layer holding the binary at /, run as nobody (65534): enough for
# `ctr images import`. Reproducible (fixed times and owners), written under a temp name and renamed.
static_image() {
  local out=$1 ref=$2 binary=$3 entrypoint=$4 work layer config
  work=$(mktemp -d)
  mkdir -p "$work/rootfs"
  cp "$binary" "$work/rootfs/"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/rootfs" -cf "$work/layer.tar" .
  layer=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Entrypoint":%s,"User":"65534:65534","Env":["PATH=/"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$entrypoint" "$layer" > "$work/config.json"
  config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
  mkdir "$work/$layer"
  mv "$work/layer.tar" "$work/$layer/layer.tar"
  mv "$work/config.json" "$work/$config.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config" "$ref" "$layer" > "$work/manifest.json"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work" -cf "$out.tmp" manifest.json "$config.json" "$layer"
  mv -f "$out.tmp" "$out"
  rm -rf "$work"
}

# static_binary_image <name> <tag> <C source> <entrypoint JSON> [gcc flags...]: cached by the tag.
images_dir="$cache/images"
static_binary_image() {
  local name=$1 tag=$2 source=$3 entrypoint=$4; shift 4
  local tarball="$images_dir/$name-$tag.tar" work
  [ -f "$tarball" ] && return 0
  mkdir -p "$images_dir"
  work=$(mktemp -d)
  gcc -Os -Wall -Werror -static "$@" -o "$work/$name" "$source" || { rm -rf "$work"; die "cannot compile $source with gcc -static"; }
  strip "$work/$name"
  static_image "$tarball" "localhost/helmoci/$name:$tag" "$work/$name" "$entrypoint"
  rm -rf "$work"
  log "built image localhost/helmoci/$name:$tag -> $tarball"
}
# The pause image from the pause.c of the k8s.io/kubernetes module the node components come from.
k8s_source=$(cd "$here/go/kubernetes-node" && GOFLAGS=-mod=mod go list -m -f '{{.Dir}}' k8s.io/kubernetes) \
  || die "cannot locate the k8s.io/kubernetes $node_version module source (for pause.c)"
pause_tag="${node_version#v}"
static_binary_image pause "$pause_tag" "$k8s_source/build/pause/linux/pause.c" '["/pause"]' "-DVERSION=$node_version"
# The sample chart's workload, keyed by its source's hash so an edit rebuilds it.
hello_tag=$(sha256sum "$here/cluster/hello-http.c" | cut -c1-12)
static_binary_image hello-http "$hello_tag" "$here/cluster/hello-http.c" '["/hello-http"]'

cluster_props="kube.node.version=${node_version#v}
kubelet=$node_dir/kubelet
kube.proxy=$node_dir/kube-proxy
kube.controller.manager=$node_dir/kube-controller-manager
kube.scheduler=$node_dir/kube-scheduler
containerd=$(command -v containerd)
containerd.version=$containerd_version
ctr=$(command -v ctr)
runc=$(command -v runc)
runc.version=$runc_version
cni.bin.dir=$cni_dir
cluster.image.pause=$images_dir/pause-$pause_tag.tar
cluster.image.pause.ref=localhost/helmoci/pause:$pause_tag
cluster.image.hello=$images_dir/hello-http-$hello_tag.tar
cluster.image.hello.ref=localhost/helmoci/hello-http:$hello_tag
"
# ==== END real-cluster block ===================================================================

# --- BEGIN HTTP proxy (issue 13) -------------------------------------------------------------------
# A real HTTP forward proxy for the proxy tests: Debian's tinyproxy (binary-only package, no service
# is started). The test support runs it on loopback with its own config (testbed.HttpProxy).
tinyproxy_bin=$(command -v tinyproxy || true)
if [ -z "$tinyproxy_bin" ]; then
  command -v apt-get >/dev/null || die "tinyproxy is missing and apt-get is not available: install Debian's 'tinyproxy-bin' package"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  log "installing Debian package tinyproxy-bin with apt-get ..."
  $sudo apt-get update -qq >/dev/null || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends tinyproxy-bin >/dev/null \
    || die "apt-get install tinyproxy-bin failed"
  tinyproxy_bin=$(command -v tinyproxy) || die "tinyproxy not on PATH after installing tinyproxy-bin"
fi
proxy_props="tinyproxy=$tinyproxy_bin
tinyproxy.version=$(dpkg-query -W -f '${Version}' tinyproxy-bin 2>/dev/null || echo unknown)"
# --- END HTTP proxy -------------------------------------------------------------------------------
# --- moto (PyPI moto[server]): the AWS test bed for issue 13 (STS AssumeRoleWithWebIdentity, ECR
# GetAuthorizationToken), in its own virtualenv keyed by version.
moto_version=5.2.5
moto_dir="$cache/moto/$moto_version"
# The marker is written last, so an interrupted install is redone (a venv is not relocatable, so it
# is built under its final name).
if [ ! -f "$moto_dir/.installed" ]; then
  command -v python3 >/dev/null || die "python3 (with venv) is required for the moto server (Debian: python3-venv)"
  start=$(date +%s)
  log "installing moto[server] $moto_version into $moto_dir ..."
  rm -rf "$moto_dir"
  python3 -m venv "$moto_dir" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$moto_dir/bin/pip" install -q "moto[server]==$moto_version" \
    || { rm -rf "$moto_dir"; die "pip install moto[server]==$moto_version failed"; }
  touch "$moto_dir/.installed"
  log "installed moto $moto_version in $(( $(date +%s) - start ))s"
fi
cloud_props="moto.server=$moto_dir/bin/moto_server
moto.version=$moto_version"

mkdir -p "$cache"
cat > "$props.tmp" <<EOF
# Written by tools/install.sh; read by the test support (testbed.Tools) and the Makefile.
kube.api.test.dir=$cache/kubeapitest
kube.version=${k8s_version#v}
kube.apiserver=$kube_dir/kube-apiserver
kubectl=$kube_dir/kubectl
etcd=$kube_dir/etcd
etcd.version=$etcd_version
helm=$helm_dir/helm
helm.version=$helm_version
helm4=$helm4_dir/helm
helm4.version=$helm4_version
oras=$oras_dir/oras
oras.version=$oras_version
registry.distribution=$dist_dir/registry
registry.distribution.version=$dist_version
registry.debian=$debian_registry
registry.debian.version=$debian_registry_version
EOF
echo "$signing_props" >> "$props.tmp"   # the signing tools' keys (issue 10)
printf '%s' "$cluster_props" >> "$props.tmp" # the real-cluster block's keys
echo "$flux_props" >> "$props.tmp"      # Flux helm-controller and CRDs (issue 12)
echo "$proxy_props" >> "$props.tmp"    # the HTTP proxy's keys (issue 13)
echo "$cloud_props" >> "$props.tmp"    # the cloud identity test bed's keys (issue 13)
# Keep the keys this script does not write (another checkout's install.sh may add components to the
# shared cache): a key is replaced, never dropped.
if [ -f "$props" ]; then
  grep -E '^[^#=]+=' "$props" | while IFS= read -r line; do
    grep -q "^${line%%=*}=" "$props.tmp" || echo "$line"
  done >> "$props.tmp" || true
fi
mv -f "$props.tmp" "$props"

# Prove each binary runs before declaring success.
"$kube_dir/kube-apiserver" --version >/dev/null || die "kube-apiserver does not run"
"$kube_dir/etcd" --version >/dev/null || die "etcd does not run"
"$kube_dir/kubectl" version --client >/dev/null || die "kubectl does not run"
"$helm_dir/helm" version >/dev/null || die "helm does not run"
"$helm4_dir/helm" version >/dev/null || die "helm 4 does not run"
"$oras_dir/oras" version >/dev/null || die "oras does not run"
"$dist_dir/registry" --version >/dev/null || die "distribution registry does not run"
"$cosign_dir/cosign" version >/dev/null 2>&1 || die "cosign does not run"
"$notation_dir/notation" version >/dev/null || die "notation does not run"
"$flux_dir/helm-controller" --help >/dev/null 2>&1 || die "helm-controller does not run"
"$moto_dir/bin/moto_server" --help >/dev/null || die "moto_server does not run (delete $moto_dir and run make tools again)"

log "ready in $(( $(date +%s) - total_start ))s: kube-apiserver $k8s_version, etcd $etcd_version, helm $helm_version and $helm4_version, oras $oras_version, distribution $dist_version, docker-registry $debian_registry_version"
log "tool paths: $props"
if [ "${1:-}" = "--print" ]; then echo "$props"; cat "$props"; fi
