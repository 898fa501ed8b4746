#!/usr/bin/env bash
# The operator image, built without a container daemon and without Docker Hub:
#
#   1. base:  Debian bookworm (minbase) + openjdk-17-jre-headless + ca-certificates, by mmdebstrap from
#             Debian's own packages, made an OCI image by umoci and a docker-archive by skopeo. Cached
#             OUTSIDE the checkout under <cache>/<recipe hash>/base.tar, the hash taken over the recipe
#             (the build_base function below and its settings): change the recipe, get a new base.
#   2. app:   the Quarkus fast-jar (target/quarkus-app) on top, by Jib (Maven profile `image`) as an
#             OCI image tarball: $IMAGE_TAR (default target/helm-oci-operator-image.tar).
#   3. push:  that same tarball copied to a registry by skopeo (plain HTTP only for loopback hosts),
#             so the pushed image is byte for byte the tarball.
#
# Usage: tools/image.sh base             build or reuse the base; prints its docker-archive path
#        tools/image.sh build            base + `mvn -Pimage package jib:buildTar` -> $IMAGE_TAR
#        tools/image.sh push REF         push $IMAGE_TAR to REF (host:port/name:tag); prints the digest
#        tools/image.sh packages         only install the Debian packages these steps need
# Env:   IMAGE_TAR   the OCI image tarball (default target/helm-oci-operator-image.tar)
#        IMAGE_NAME  the name recorded in it (default helm-oci-operator:<chart appVersion>)
#        HELM_OCI_IMAGE_CACHE  base cache root (default ~/.cache/helm-oci-operator/image-base)
#        MVN         the Maven command (default mvn -B -ntp)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${HELM_OCI_IMAGE_CACHE:-$HOME/.cache/helm-oci-operator/image-base}
image_tar=${IMAGE_TAR:-$root/target/helm-oci-operator-image.tar}
app_version=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$root/deploy/chart/helm-oci-operator/Chart.yaml")
image_name=${IMAGE_NAME:-helm-oci-operator:$app_version}
mvn=${MVN:-mvn -B -ntp}

die() { echo "image: ERROR: $*" >&2; exit 1; }
log() { echo "image: $*" >&2; }

# Debian packages, installed by apt-get when a command is missing (waits for another apt-get's lock).
ensure_packages() {
  local missing=() pair
  for pair in "$@"; do command -v "${pair%%=*}" >/dev/null || missing+=("${pair#*=}"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get: install the Debian packages ${missing[*]}"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  log "installing Debian packages ${missing[*]} with apt-get ..."
  local start=$(date +%s)
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null; then
    $sudo apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get install ${missing[*]} failed"
  fi
  log "installed ${missing[*]} in $(( $(date +%s) - start ))s"
}

# --- The base image recipe. Everything the base depends on is in these settings and this function:
# their text is the cache key.
BASE_SUITE=bookworm
BASE_PACKAGES=openjdk-17-jre-headless,ca-certificates
BASE_MIRRORS=("deb http://deb.debian.org/debian bookworm main" "deb http://deb.debian.org/debian bookworm-updates main"
              "deb http://deb.debian.org/debian-security bookworm-security main")
BASE_EPOCH=1767225600   # 2026-01-01T00:00:00Z: file times and the image's created time (reproducible output)
BASE_ENV=("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64" "LANG=C.UTF-8"
          # Container JVM defaults: heap from the cgroup memory limit, the serial collector (one CPU),
          # exit on OutOfMemoryError so that the orchestrator restarts the process. The chart sets the same.
          "JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=50 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp")

# build_base <work dir> <docker-archive out> <name:tag>
build_base() {
  local work=$1 out=$2 ref=$3 created
  created=$(date -u -d "@$BASE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
  # minbase: dpkg, apt and the essential set only. The hooks make /etc/resolv.conf and /etc/hostname
  # empty (the runtime mounts its own) and drop apt's caches.
  SOURCE_DATE_EPOCH=$BASE_EPOCH mmdebstrap --quiet --variant=minbase --include="$BASE_PACKAGES" --format=tar \
    --customize-hook='truncate -s 0 "$1/etc/resolv.conf" "$1/etc/hostname"' \
    --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
    "$BASE_SUITE" "$work/rootfs.tar" "${BASE_MIRRORS[@]}"
  # Device nodes cannot be image content (the runtime populates /dev); keep the empty directory.
  tar --delete --wildcards -f "$work/rootfs.tar" './dev/?*'
  umoci init --layout "$work/oci"
  umoci new --image "$work/oci:base"
  umoci raw add-layer --image "$work/oci:base" --history.created "$created" \
    --history.created_by "mmdebstrap --variant=minbase --include=$BASE_PACKAGES $BASE_SUITE" "$work/rootfs.tar"
  local env_args=() e
  for e in "${BASE_ENV[@]}"; do env_args+=(--config.env "$e"); done
  umoci config --image "$work/oci:base" --created "$created" --history.created "$created" --author helm-oci-operator \
    "${env_args[@]}" --config.workingdir / --config.user 10001:10001
  skopeo copy --quiet "oci:$work/oci:base" "docker-archive:$out:$ref"
}

base_key() {
  { declare -f build_base; declare -p BASE_SUITE BASE_PACKAGES BASE_MIRRORS BASE_EPOCH BASE_ENV; } | sha256sum | cut -c1-16
}

# Prints the cached base's docker-archive path, building it first when it is missing.
base() {
  local key dir out work start
  key=$(base_key)
  dir="$cache/$key"
  out="$dir/base.tar"
  if [ -s "$out" ]; then
    log "base $key cached: $out"
    echo "$out"
    return
  fi
  ensure_packages mmdebstrap=mmdebstrap umoci=umoci skopeo=skopeo
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/.build-$key.XXXXXX")
  start=$(date +%s)
  log "building base $key (mmdebstrap $BASE_SUITE + $BASE_PACKAGES; a few minutes the first time) ..."
  if ! build_base "$work" "$work/base.tar" "helm-oci-operator-base:$key" >&2; then
    rm -rf "$work"
    die "building the base image failed (see above)"
  fi
  mkdir -p "$dir"
  mv -f "$work/base.tar" "$out"
  rm -rf "$work"
  log "built base $key in $(( $(date +%s) - start ))s: $out ($(du -m "$out" | cut -f1) MB)"
  echo "$out"
}

build() {
  local base_tar start
  base_tar=$(base)
  start=$(date +%s)
  mkdir -p "$(dirname "$image_tar")"
  log "building $image_name with Jib on $(basename "$(dirname "$base_tar")") -> $image_tar ..."
  # shellcheck disable=SC2086
  (cd "$root" && $mvn -q -Pimage -DskipTests package jib:buildTar -Dimage.base="$base_tar" -Dimage.name="$image_name" -Dimage.tar="$image_tar") \
    || die "the Jib build failed (see above)"
  log "built $image_name in $(( $(date +%s) - start ))s: $image_tar ($(du -m "$image_tar" | cut -f1) MB)"
}

push() {
  local ref=$1 host tls=()
  [ -s "$image_tar" ] || die "no image tarball at $image_tar: run 'make image' (tools/image.sh build) first"
  ensure_packages skopeo=skopeo
  host=${ref%%/*}
  case "${host%:*}" in
    localhost|127.*|\[::1\]) tls=(--dest-tls-verify=false) ;;   # a test registry on loopback may be plain HTTP
  esac
  skopeo copy --quiet "${tls[@]}" --digestfile "$image_tar.digest" "oci-archive:$image_tar" "docker://$ref" \
    || die "pushing $image_tar to $ref failed"
  log "pushed $ref@$(cat "$image_tar.digest")"
  cat "$image_tar.digest"; echo
}

case "${1:-}" in
  base) base ;;
  build) build ;;
  push) [ -n "${2:-}" ] || die "usage: tools/image.sh push host:port/name:tag"; push "$2" ;;
  packages) ensure_packages mmdebstrap=mmdebstrap umoci=umoci skopeo=skopeo buildah=buildah ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2; exit 2 ;;
esac
