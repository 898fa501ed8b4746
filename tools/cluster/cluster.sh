#!/usr/bin/env bash
# The test bed's real single-node Kubernetes cluster, from the binaries tools/install.sh caches:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy (iptables
# mode), containerd + runc + the CNI bridge plugin, and a plain-HTTP registry for the cluster
# (CNCF distribution v3). `make cluster` / `make cluster-down` and the E2E tests
# (io.helmoci.testbed.ClusterFixture) run this script.
#
# Network: everything runs inside a network namespace this script creates (helmoci-cluster),
# linked to the host by one veth pair and nothing else. The namespace has no default route, the
# pods' routes cover 198.18.0.0/16 only (RFC 2544 benchmarking range, never routed on a real
# network), and the host's forwarding stays off, so nothing can be routed off the machine.
#   host end of the veth            198.18.0.1/30   (the host's route to 198.18.0.0/16 goes here)
#   node (apiserver, kubelet, registry)  198.18.0.2  (API https://198.18.0.2:6443, registry :5000)
#   pods, bridge helmoci0           198.18.1.0/24   (gateway 198.18.1.1)
#   Services (kube-proxy iptables)  198.18.128.0/20 (the kubernetes Service is 198.18.128.1)
# The host therefore reaches the API server, pod IPs and Service ClusterIPs directly; iptables
# rules, the bridge and ip_forward=1 exist only inside the namespace and vanish with it.
#
# Host changes made, recorded in <dir>/host-changes and undone by `down`: the namespace, the veth
# pair and the host route; the global sysctls the kubelet raises (vm.overcommit_memory,
# kernel.panic, kernel.panic_on_oops, kernel.keys.root_maxkeys/maxbytes), restored to the values
# recorded at start; cgroups under /sys/fs/cgroup/*/helmoci; the pods' network namespaces.
#
# Usage: cluster.sh up [--watch PID]  start (idempotent: stops a stale cluster first); prints the
#                                     admin kubeconfig path. --watch: also stop the cluster when
#                                     process PID exits (the JVM of the tests, even on kill -9)
#        cluster.sh down              stop everything and undo the host changes (safe to repeat)
#        cluster.sh status            exit 0 when the API server answers and the node is Ready
#        cluster.sh logs [LINES]      the last lines of every component's log
#        cluster.sh import IMAGE.tar  import an image tarball into the node's containerd
# Env:   HELM_OCI_CLUSTER_DIR  state directory (default /var/tmp/helm-oci-cluster)
#        HELM_OCI_TOOLS_DIR    tool cache (default ~/.cache/helm-oci-operator/tools)
# Needs root (network namespace, containerd, kubelet).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dir=${HELM_OCI_CLUSTER_DIR:-/var/tmp/helm-oci-cluster}
tools_dir=${HELM_OCI_TOOLS_DIR:-$HOME/.cache/helm-oci-operator/tools}
props="$tools_dir/tools.properties"

netns=helmoci-cluster
host_if=helmoci-h
node_if=helmoci-n
host_ip=198.18.0.1
node_ip=198.18.0.2
link_prefix=30
cluster_net=198.18.0.0/16
pod_cidr=198.18.1.0/24
pod_gateway=198.18.1.1
service_cidr=198.18.128.0/20
kubernetes_service_ip=198.18.128.1
bridge=helmoci0
node_name=helmoci-node
cgroup_root=helmoci
api_port=6443
registry_port=5000
# Global (not per-namespace) sysctls the kubelet may change: recorded at start, restored at stop.
# Directories the kubelet, the controller-manager and containerd's shims create at fixed paths:
# removed at stop when they did not exist at start.
fixed_paths="/var/lib/kubelet /usr/libexec/kubernetes /var/log/containers /var/log/pods /run/containerd"
global_sysctls="vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.ipv4.ip_forward"

die() { echo "cluster: ERROR: $*" >&2; exit 1; }
log() { echo "cluster: $*" >&2; }

prop() {
  local value
  value=$(sed -n "s/^$1=//p" "$props" 2>/dev/null | tail -1)
  [ -n "$value" ] || die "'$1' is missing from $props: run 'make tools' first"
  echo "$value"
}

in_netns() { nsenter --net="/run/netns/$netns" -- "$@"; }

# start_daemon <name> <command...>: runs it in the cluster's network namespace, in its own session,
# output to <dir>/logs/<name>.log, pid in <dir>/pids/<name>.
start_daemon() {
  local name=$1; shift
  setsid nsenter --net="/run/netns/$netns" -- "$@" >"$dir/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$dir/pids/$name"
}

# wait_for <what> <seconds> <command...>: polls the command until it succeeds.
wait_for() {
  local what=$1 seconds=$2 deadline; shift 2
  deadline=$(( $(date +%s) + seconds ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "$what did not happen within ${seconds}s; last log lines:"
      tail_logs 30 >&2
      return 1
    fi
    check_daemons_alive
    sleep 0.5
  done
}

check_daemons_alive() {
  local f name
  for f in "$dir"/pids/*; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    [ "$name" = watchdog ] && continue
    if ! alive "$(cat "$f")"; then
      log "$name exited; its log:"
      tail -n 40 "$dir/logs/$name.log" >&2 || true
      die "$name did not keep running"
    fi
  done
}

tail_logs() {
  local lines=${1:-50} f
  for f in "$dir"/logs/*.log; do
    [ -e "$f" ] || continue
    echo "===== $(basename "$f" .log) (last $lines lines) ====="
    tail -n "$lines" "$f"
  done
}

kubectl_admin() { "$(prop kubectl)" --kubeconfig "$dir/admin.kubeconfig" --cache-dir "$dir/kubectl-cache" "$@"; }

node_ready() {
  [ "$(kubectl_admin get node "$node_name" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

# ---------------------------------------------------------------------------------------------
down() {
  local f pid name
  [ -d "$dir" ] || { remove_network; return 0; }
  log "stopping the cluster in $dir ..."
  # The watchdog first (unless it is what runs this), then the kubelet, so nothing restarts pods.
  for name in watchdog kubelet kube-proxy kube-scheduler kube-controller-manager; do
    stop_pid_file "$dir/pids/$name"
  done
  # Every container the node runs, then containerd and the shims it left behind (found by the
  # socket path on their command line, which is this cluster's own).
  if [ -S "$dir/containerd/containerd.sock" ] && [ -f "$dir/pids/containerd" ]; then
    local ctr_bin
    ctr_bin=$(command -v ctr || true)
    if [ -n "$ctr_bin" ]; then
      for id in $("$ctr_bin" --address "$dir/containerd/containerd.sock" -n k8s.io tasks ls -q 2>/dev/null); do
        "$ctr_bin" --address "$dir/containerd/containerd.sock" -n k8s.io tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
      done
    fi
  fi
  for name in containerd registry kube-apiserver etcd; do
    stop_pid_file "$dir/pids/$name"
  done
  for pid in $(shim_pids); do kill -KILL "$pid" 2>/dev/null || true; done
  # Container processes whose shim is gone: everything left in the node's cgroups.
  kill_cgroup_processes
  unmount_under "$dir"
  remove_pod_netns
  remove_cgroups
  remove_network
  restore_sysctls
  remove_pod_log_links
  if [ -f "$dir/created-paths" ]; then
    while read -r f; do [ -n "$f" ] && rm -rf "$f"; done < "$dir/created-paths"
  fi
  rm -rf "$dir"
  log "stopped; host changes undone"
}

stop_pid_file() {
  local f=$1 pid i
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if [ "$pid" != "$$" ] && [ "$pid" != "${WATCHDOG_SELF:-}" ] && alive "$pid"; then
    # setsid made each daemon a session leader: signal its whole group (nsenter and the daemon).
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 40); do alive "$pid" || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# Running and not a zombie: the daemons' parent (this script) is gone, and whoever adopted them
# may reap late, so kill -0 alone would wait for the dead.
alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  case "$state" in Z*) return 1 ;; esac
}

shim_pids() {
  local p
  for p in /proc/[0-9]*; do
    if { tr '\0' ' ' < "$p/cmdline"; } 2>/dev/null | grep -q -- "containerd-shim.*-address $dir/containerd/containerd.sock"; then
      basename "$p"
    fi
  done
}

kill_cgroup_processes() {
  local procs pid
  for procs in $(find /sys/fs/cgroup/*/"$cgroup_root" -name cgroup.procs 2>/dev/null); do
    for pid in $(cat "$procs" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  done
}

unmount_under() {
  local mounts m
  # Deepest first; lazily, so a busy mount cannot block the clean-up.
  mounts=$(awk -v d="$1" '$5 == d || index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r)
  for m in $mounts; do umount -l "$m" 2>/dev/null || true; done
}

remove_pod_netns() {
  local ns
  [ -f "$dir/netns-before" ] || return 0
  for ns in $(ls /run/netns 2>/dev/null); do
    case "$ns" in cni-*) ;; *) continue ;; esac
    grep -qx "$ns" "$dir/netns-before" && continue
    umount -l "/run/netns/$ns" 2>/dev/null || true
    rm -f "/run/netns/$ns"
  done
}

remove_cgroups() {
  local d
  for d in $(find /sys/fs/cgroup/*/"$cgroup_root" -depth -type d 2>/dev/null); do
    rmdir "$d" 2>/dev/null || true
  done
}

remove_network() {
  ip link del "$host_if" 2>/dev/null || true
  if [ -e "/run/netns/$netns" ]; then
    ip netns del "$netns" 2>/dev/null || { umount -l "/run/netns/$netns" 2>/dev/null; rm -f "/run/netns/$netns"; }
  fi
}

restore_sysctls() {
  local key value
  [ -f "$dir/sysctls-before" ] || return 0
  while IFS='=' read -r key value; do
    [ -n "$key" ] || continue
    if [ "$(sysctl -n "$key" 2>/dev/null)" != "$value" ]; then
      sysctl -q -w "$key=$value" >/dev/null 2>&1 && log "restored $key=$value" || log "could not restore $key=$value"
    fi
  done < "$dir/sysctls-before"
}

remove_pod_log_links() {
  local link
  for link in /var/log/containers/*.log; do
    [ -L "$link" ] || continue
    case "$(readlink "$link")" in "$dir"/*) rm -f "$link" ;; esac
  done
}

# ---------------------------------------------------------------------------------------------
up() {
  local watch_pid=${1:-} begin
  begin=$(date +%s%N)
  [ "$(id -u)" = 0 ] || die "the cluster needs root (network namespace, containerd, kubelet)"
  [ -f "$props" ] || die "no $props: run 'make tools' first"
  local kube_apiserver etcd kubelet kube_proxy kcm scheduler containerd runc cni_dir registry
  kube_apiserver=$(prop kube.apiserver); etcd=$(prop etcd); kubelet=$(prop kubelet)
  kube_proxy=$(prop kube.proxy); kcm=$(prop kube.controller.manager); scheduler=$(prop kube.scheduler)
  containerd=$(prop containerd); runc=$(prop runc); cni_dir=$(prop cni.bin.dir)
  registry=$(prop registry.distribution)
  for b in "$kube_apiserver" "$etcd" "$kubelet" "$kube_proxy" "$kcm" "$scheduler" "$containerd" "$runc" "$registry"; do
    [ -x "$b" ] || die "$b is missing: run 'make tools'"
  done
  command -v iptables >/dev/null || die "iptables is missing: run 'make tools'"

  down # a stale cluster of an earlier run (killed before it could clean up) goes first
  mkdir -p "$dir"/{logs,pids,pki,etcd,kubelet,containerd,cni/net.d,cni/ipam,pod-logs,registry}
  chmod 700 "$dir"
  if [ -n "$watch_pid" ]; then
    # Stops the cluster when the watched process (the tests' JVM) ends, however it ends, even
    # while this start is still under way.
    setsid bash "$here/cluster.sh" watch "$watch_pid" >"$dir/logs/watchdog.log" 2>&1 < /dev/null &
    echo $! > "$dir/pids/watchdog"
  fi

  # --- host changes, recorded before they are made
  local key
  : > "$dir/sysctls-before"
  for key in $global_sysctls; do
    echo "$key=$(sysctl -n "$key" 2>/dev/null)" >> "$dir/sysctls-before"
  done
  ls /run/netns 2>/dev/null > "$dir/netns-before" || : > "$dir/netns-before"
  : > "$dir/created-paths"
  for key in $fixed_paths; do [ -e "$key" ] || echo "$key" >> "$dir/created-paths"; done
  ip netns add "$netns"
  ip link add "$host_if" type veth peer name "$node_if" netns "$netns"
  ip addr add "$host_ip/$link_prefix" dev "$host_if"
  ip link set "$host_if" up
  ip route add "$cluster_net" via "$node_ip" dev "$host_if"
  in_netns ip link set lo up
  in_netns ip addr add "$node_ip/$link_prefix" dev "$node_if"
  in_netns ip link set "$node_if" up
  # Forwarding inside the namespace only (pods <-> Services <-> the host end of the veth).
  in_netns sysctl -q -w net.ipv4.ip_forward=1
  in_netns sysctl -q -w net.bridge.bridge-nf-call-iptables=1 2>/dev/null || true
  echo "netns $netns, veth $host_if/$node_if, route $cluster_net via $node_ip" > "$dir/host-changes"

  # --- certificates and credentials
  certificates
  local admin_token
  admin_token=$(tokens)

  # --- etcd and the API server
  start_daemon etcd "$etcd" --name helmoci --data-dir "$dir/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster helmoci=http://127.0.0.1:2380 --unsafe-no-fsync --log-level warn
  start_daemon kube-apiserver "$kube_apiserver" \
    --etcd-servers http://127.0.0.1:2379 \
    --bind-address "$node_ip" --advertise-address "$node_ip" --secure-port "$api_port" \
    --tls-cert-file "$dir/pki/apiserver.crt" --tls-private-key-file "$dir/pki/apiserver.key" \
    --client-ca-file "$dir/pki/ca.crt" --token-auth-file "$dir/pki/tokens.csv" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "$dir/pki/sa.pub" --service-account-signing-key-file "$dir/pki/sa.key" \
    --service-cluster-ip-range "$service_cidr" --authorization-mode Node,RBAC \
    --kubelet-preferred-address-types InternalIP --cert-dir "$dir/pki/apiserver-generated" \
    --profiling=false --v=1
  wait_for "the API server becoming ready" 90 curl -sfk --max-time 2 "https://$node_ip:$api_port/readyz"

  # --- controllers, scheduler
  start_daemon kube-controller-manager "$kcm" --kubeconfig "$dir/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$dir/controller-manager.kubeconfig" --authorization-kubeconfig "$dir/controller-manager.kubeconfig" \
    --service-account-private-key-file "$dir/pki/sa.key" --root-ca-file "$dir/pki/ca.crt" \
    --use-service-account-credentials=true --service-cluster-ip-range "$service_cidr" \
    --cluster-cidr "$pod_cidr" --allocate-node-cidrs=false --leader-elect=false \
    --flex-volume-plugin-dir "$dir/kcm-flexvolume" --bind-address 127.0.0.1 --secure-port 10257 --v=1
  start_daemon kube-scheduler "$scheduler" --kubeconfig "$dir/scheduler.kubeconfig" \
    --authentication-kubeconfig "$dir/scheduler.kubeconfig" --authorization-kubeconfig "$dir/scheduler.kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port 10259 --v=1

  # --- the container runtime and the node
  containerd_config "$runc" "$cni_dir"
  start_daemon containerd "$containerd" --config "$dir/containerd/config.toml"
  wait_for "containerd answering" 30 ctr --address "$dir/containerd/containerd.sock" version
  import_image "$(prop cluster.image.pause)"
  import_image "$(prop cluster.image.hello)"
  kubelet_config
  cgroup_parents
  start_daemon kubelet "$kubelet" --config "$dir/kubelet/config.yaml" --kubeconfig "$dir/kubelet.kubeconfig" \
    --root-dir "$dir/kubelet/root" --cert-dir "$dir/kubelet/pki" --node-ip "$node_ip" \
    --hostname-override "$node_name" --volume-plugin-dir "$dir/kubelet/volume-plugins" --v=1
  kube_proxy_config
  start_daemon kube-proxy "$kube_proxy" --config "$dir/kube-proxy.yaml" --v=1

  # --- the cluster's registry, reachable from the host and from pods at $node_ip:$registry_port
  cat > "$dir/registry/config.yml" <<EOF
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $dir/registry/data}
  delete: {enabled: true}
http:
  addr: $node_ip:$registry_port
EOF
  start_daemon registry "$registry" serve "$dir/registry/config.yml"

  wait_for "node $node_name becoming Ready" 120 node_ready
  wait_for "the default ServiceAccount" 60 kubectl_admin get serviceaccount default -n default
  wait_for "the registry answering" 30 curl -sf --max-time 2 "http://$node_ip:$registry_port/v2/"

  cat > "$dir/cluster.properties" <<EOF
kubeconfig=$dir/admin.kubeconfig
api.server=https://$node_ip:$api_port
node.name=$node_name
netns=$netns
node.ip=$node_ip
host.ip=$host_ip
pod.cidr=$pod_cidr
service.cidr=$service_cidr
registry=$node_ip:$registry_port
image.hello=$(prop cluster.image.hello.ref)
started.millis=$(( ($(date +%s%N) - begin) / 1000000 ))
EOF
  log "ready in $(( ($(date +%s%N) - begin) / 1000000 )) ms: API https://$node_ip:$api_port, node $node_name, registry $node_ip:$registry_port"
  echo "$dir/admin.kubeconfig"
}

certificates() {
  local pki="$dir/pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=helmoci-cluster-ca" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  cat > "$pki/apiserver.ext" <<EOF
subjectAltName=IP:$node_ip,IP:$kubernetes_service_ip,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost
extendedKeyUsage=serverAuth
EOF
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" 2>/dev/null
  openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
    -extfile "$pki/apiserver.ext" -out "$pki/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
}

# Static bearer tokens, one identity per component (RBAC's bootstrap roles and the Node authorizer
# know these users); writes a kubeconfig per component and prints the admin token.
tokens() {
  local admin cm sched kubelet proxy
  admin=$(openssl rand -hex 16); cm=$(openssl rand -hex 16); sched=$(openssl rand -hex 16)
  kubelet=$(openssl rand -hex 16); proxy=$(openssl rand -hex 16)
  cat > "$dir/pki/tokens.csv" <<EOF
$admin,helmoci-admin,helmoci-admin,"system:masters"
$cm,system:kube-controller-manager,system:kube-controller-manager
$sched,system:kube-scheduler,system:kube-scheduler
$kubelet,system:node:$node_name,system:node:$node_name,"system:nodes"
$proxy,system:kube-proxy,system:kube-proxy
EOF
  kubeconfig admin "$admin"
  kubeconfig controller-manager "$cm"
  kubeconfig scheduler "$sched"
  kubeconfig kubelet "$kubelet"
  kubeconfig kube-proxy "$proxy"
  echo "$admin"
}

kubeconfig() {
  cat > "$dir/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: helmoci
  cluster:
    server: https://$node_ip:$api_port
    certificate-authority-data: $(base64 -w0 < "$dir/pki/ca.crt")
users:
- name: $1
  user:
    token: $2
contexts:
- name: helmoci
  context: {cluster: helmoci, user: $1, namespace: default}
current-context: helmoci
EOF
  chmod 600 "$dir/$1.kubeconfig"
}

containerd_config() {
  local runc=$1 cni_dir=$2
  cat > "$dir/containerd/config.toml" <<EOF
version = 2
root = "$dir/containerd/root"
state = "$dir/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$dir/containerd/containerd.sock"
[ttrpc]
  address = "$dir/containerd/containerd.sock.ttrpc"
[debug]
  level = "warn"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$(prop cluster.image.pause.ref)"
  # oom_score_adj needs CAP_SYS_RESOURCE, which this machine lacks: without this, every sandbox
  # fails with "can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$runc"
        Root = "$dir/containerd/runc"
        SystemdCgroup = false
  # The cluster's own registry speaks plain HTTP: images pushed there (the operator's) are pulled as users pull.
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."$node_ip:$registry_port"]
    endpoint = ["http://$node_ip:$registry_port"]
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$cni_dir"
    conf_dir = "$dir/cni/net.d"
EOF
  # Pods get routes to the cluster's range only: no default route, so nothing leaves the machine.
  cat > "$dir/cni/net.d/10-helmoci.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "helmoci",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$bridge",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$dir/cni/ipam",
        "ranges": [[{"subnet": "$pod_cidr", "gateway": "$pod_gateway"}]],
        "routes": [{"dst": "$cluster_net"}]
      }
    }
  ]
}
EOF
}

import_image() {
  ctr --address "$dir/containerd/containerd.sock" -n k8s.io images import "$1" >/dev/null \
    || die "cannot import image $1 into the node's containerd"
}

kubelet_config() {
  : > "$dir/kubelet/resolv.conf" # pods get no name server: there is none to reach here
  cat > "$dir/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $node_ip
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
# The kubelet's API is reachable only inside the cluster's network namespace and from the host.
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
containerRuntimeEndpoint: unix://$dir/containerd/containerd.sock
imageServiceEndpoint: unix://$dir/containerd/containerd.sock
# This machine runs cgroup v1 and no systemd.
cgroupDriver: cgroupfs
failCgroupV1: false
cgroupRoot: /$cgroup_root
failSwapOn: false
resolvConf: $dir/kubelet/resolv.conf
podLogsDir: $dir/pod-logs
# A shared machine: never evict for disk, never collect the images the test bed imported.
evictionHard: {memory.available: "100Mi"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
maxPods: 60
EOF
}

# The kubelet's cgroup root must exist in every hierarchy (cgroup v1); cpuset children need their
# parent's CPUs and memory nodes before any process may join them.
cgroup_parents() {
  local hierarchy
  for hierarchy in /sys/fs/cgroup/*/; do
    [ -d "$hierarchy" ] || continue
    mkdir -p "$hierarchy$cgroup_root"
  done
  if [ -f /sys/fs/cgroup/cpuset/cpuset.cpus ]; then
    cat /sys/fs/cgroup/cpuset/cpuset.cpus > "/sys/fs/cgroup/cpuset/$cgroup_root/cpuset.cpus"
    cat /sys/fs/cgroup/cpuset/cpuset.mems > "/sys/fs/cgroup/cpuset/$cgroup_root/cpuset.mems"
  fi
}

kube_proxy_config() {
  cat > "$dir/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $dir/kube-proxy.kubeconfig}
mode: iptables
hostnameOverride: $node_name
clusterCIDR: $pod_cidr
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["$node_ip/32"]
# Masquerade all Service traffic so replies always pass the node (pod -> Service -> pod on the
# same bridge included); leave the global conntrack sysctls alone.
iptables: {masqueradeAll: true}
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
}

watch() {
  local pid=$1
  WATCHDOG_SELF=$$
  export WATCHDOG_SELF
  while alive "$pid"; do sleep 2; done
  log "process $pid ended: stopping the cluster"
  down
}

case "${1:-}" in
  up)
    watch_pid=""
    if [ "${2:-}" = --watch ]; then watch_pid=${3:?--watch needs a process id}; fi
    # However the start fails (set -e, die, a signal), show the logs and undo everything.
    trap 'rc=$?; trap - EXIT; if [ $rc != 0 ]; then log "start failed; cleaning up"; tail_logs 40 >&2 || true; down || true; fi; exit $rc' EXIT
    trap 'exit 130' INT TERM
    up "$watch_pid"
    trap - EXIT INT TERM
    ;;
  down) down ;;
  status) [ -f "$dir/admin.kubeconfig" ] && node_ready ;;
  logs) tail_logs "${2:-50}" ;;
  import) import_image "${2:?image tarball}" ;;
  watch) watch "${2:?process id}" ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
