# A two-node Docker Swarm on this one machine, for the swarm tests. Source
# it, then:
#   start_swarm   # two private dockerd, node 1 manager, node 2 worker;
#                 # exports POOLOPS_SWARM_HOST (node 1's socket),
#                 # POOLOPS_SWARM_HOST2 (node 2's) and POOLOPS_SWARM_SOCKET2
#                 # (the socket path node 2's workers mount)
#   stop_swarm    # both daemons (by pid), their folders, the bridges
# Installs nothing. Nothing leaves loopback: both daemons cannot pull (proxy
# guard on port 9), create no default bridge and no iptables rules; swarm
# control traffic is 127.0.0.1:2377 and :2378; the `ingress` overlay is
# removed right after init, so services can use the `host` network only.
# Swarm's own bridge (docker_gwbridge, 172.18.0.0/16 with a host route that
# outlives the daemons when swarm makes it) is created first by us on a
# documentation range, one device per node, nothing attached, and deleted
# with its route on stop.
# shellcheck shell=bash

POOLOPS_SWARM_DIR="${POOLOPS_SWARM_DIR:-}"
POOLOPS_SWARM_PIDS="${POOLOPS_SWARM_PIDS:-}"

# _swarm_dockerd N: starts node N's daemon under $POOLOPS_SWARM_DIR/nN.
_swarm_dockerd() {
  local dir="$POOLOPS_SWARM_DIR/n$1"
  mkdir -p "$dir/data" "$dir/exec"
  HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY= \
    http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 no_proxy= \
    dockerd --bridge=none --iptables=false --ip-masq=false --ip6tables=false \
      --data-root "$dir/data" --exec-root "$dir/exec" \
      --pidfile "$dir/dockerd.pid" -H "unix://$dir/docker.sock" \
      >"$dir/dockerd.log" 2>&1 &
  POOLOPS_SWARM_PIDS="$POOLOPS_SWARM_PIDS $!"
  local i
  for ((i = 0; i < 150; i++)); do
    docker -H "unix://$dir/docker.sock" info >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "start_swarm: node $1's dockerd did not answer; log:" >&2
  tail -n 20 "$dir/dockerd.log" >&2
  return 1
}

# _swarm_gwbridge N SUBNET: node N's docker_gwbridge, ours, before swarm.
_swarm_gwbridge() {
  docker -H "unix://$POOLOPS_SWARM_DIR/n$1/docker.sock" network create \
    --driver bridge --subnet "$2" \
    --opt com.docker.network.bridge.name="poolops-gw$1" \
    --opt com.docker.network.bridge.enable_icc=false \
    --opt com.docker.network.bridge.enable_ip_masquerade=false \
    docker_gwbridge >/dev/null
}

start_swarm() {
  if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
    echo "start_swarm: dockerd/docker not installed" >&2
    return 1
  fi
  if [[ -n ${POOLOPS_SWARM_HOST:-} ]] && docker -H "$POOLOPS_SWARM_HOST" info >/dev/null 2>&1; then
    return 0
  fi
  # Short path: unix socket paths must stay under 108 bytes.
  POOLOPS_SWARM_DIR="$(mktemp -d /tmp/poolops-swarm.XXXXXX)"
  POOLOPS_SWARM_PIDS=""
  export POOLOPS_SWARM_DIR POOLOPS_SWARM_PIDS
  local h1="unix://$POOLOPS_SWARM_DIR/n1/docker.sock"
  local h2="unix://$POOLOPS_SWARM_DIR/n2/docker.sock"
  if ! _swarm_dockerd 1 || ! _swarm_dockerd 2 ||
     ! _swarm_gwbridge 1 198.18.0.0/24 || ! _swarm_gwbridge 2 198.18.1.0/24; then
    stop_swarm
    return 1
  fi
  if ! docker -H "$h1" swarm init --advertise-addr 127.0.0.1 \
         --listen-addr 127.0.0.1:2377 >/dev/null; then
    stop_swarm
    return 1
  fi
  # The routing mesh's overlay: gone before any node or service uses it.
  # (`network rm` asks before removing it: the answer is on stdin.)
  echo y | docker -H "$h1" network rm ingress >/dev/null 2>&1 || true
  local i
  for ((i = 0; i < 50; i++)); do
    docker -H "$h1" network inspect ingress >/dev/null 2>&1 || break
    sleep 0.2
  done
  local token
  token=$(docker -H "$h1" swarm join-token -q worker)
  if ! docker -H "$h2" swarm join --token "$token" \
         --listen-addr 127.0.0.1:2378 --advertise-addr 127.0.0.1:2378 \
         127.0.0.1:2377 >/dev/null; then
    stop_swarm
    return 1
  fi
  export POOLOPS_SWARM_HOST="$h1" POOLOPS_SWARM_HOST2="$h2"
  export POOLOPS_SWARM_SOCKET2="$POOLOPS_SWARM_DIR/n2/docker.sock"
}

stop_swarm() {
  local pid i
  for pid in $POOLOPS_SWARM_PIDS; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $POOLOPS_SWARM_PIDS; do
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for i in 1 2; do
    ip link delete "poolops-gw$i" 2>/dev/null || true
  done
  if [[ -n $POOLOPS_SWARM_DIR && -d $POOLOPS_SWARM_DIR ]]; then
    # (No mount left is no error: the pipeline must not stop a `set -e`
    # caller before the rest of the clean-up.)
    { grep -o " $POOLOPS_SWARM_DIR/[^ ]*" /proc/mounts 2>/dev/null || true; } |
      sort -r | while read -r m; do umount "$m" 2>/dev/null || true; done
    rm -rf "$POOLOPS_SWARM_DIR"
  fi
  unset POOLOPS_SWARM_HOST POOLOPS_SWARM_HOST2 POOLOPS_SWARM_SOCKET2
  POOLOPS_SWARM_PIDS=""
  POOLOPS_SWARM_DIR=""
}
