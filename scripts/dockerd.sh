# Private docker daemon for the tests. Source it, then:
#   start_dockerd   # starts dockerd under a temp dir, exports DOCKER_HOST
#   stop_dockerd    # stops that dockerd (by its pid) and removes the dir
# Installs nothing (docker.io + docker-compose come from scripts/lib.sh).
# The daemon cannot pull (proxy guard on loopback port 9), creates no bridge
# and no iptables rules, and has its own data/exec roots, pidfile and socket,
# so it never clashes with another dockerd on the machine.
# shellcheck shell=bash

POOLOPS_DOCKERD_DIR="${POOLOPS_DOCKERD_DIR:-}"
POOLOPS_DOCKERD_PID="${POOLOPS_DOCKERD_PID:-}"

start_dockerd() {
  if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
    echo "start_dockerd: dockerd/docker not installed" >&2
    return 1
  fi
  if [[ -n $POOLOPS_DOCKERD_PID ]] && kill -0 "$POOLOPS_DOCKERD_PID" 2>/dev/null; then
    return 0
  fi
  # Short path: the unix socket path must stay under 108 bytes.
  POOLOPS_DOCKERD_DIR="$(mktemp -d /tmp/poolops-dockerd.XXXXXX)"
  mkdir -p "$POOLOPS_DOCKERD_DIR/data" "$POOLOPS_DOCKERD_DIR/exec"
  HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY= \
    http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 no_proxy= \
    dockerd --bridge=none --iptables=false --ip-masq=false \
      --data-root "$POOLOPS_DOCKERD_DIR/data" \
      --exec-root "$POOLOPS_DOCKERD_DIR/exec" \
      --pidfile "$POOLOPS_DOCKERD_DIR/dockerd.pid" \
      -H "unix://$POOLOPS_DOCKERD_DIR/docker.sock" \
      >"$POOLOPS_DOCKERD_DIR/dockerd.log" 2>&1 &
  POOLOPS_DOCKERD_PID=$!
  export POOLOPS_DOCKERD_DIR POOLOPS_DOCKERD_PID
  export DOCKER_HOST="unix://$POOLOPS_DOCKERD_DIR/docker.sock"
  local i
  for ((i = 0; i < 150; i++)); do
    if docker info >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$POOLOPS_DOCKERD_PID" 2>/dev/null; then
      break
    fi
    sleep 0.2
  done
  echo "start_dockerd: dockerd did not answer; log:" >&2
  tail -n 20 "$POOLOPS_DOCKERD_DIR/dockerd.log" >&2
  stop_dockerd
  return 1
}

stop_dockerd() {
  if [[ -n $POOLOPS_DOCKERD_PID ]]; then
    kill "$POOLOPS_DOCKERD_PID" 2>/dev/null || true
    local i
    for ((i = 0; i < 100; i++)); do
      kill -0 "$POOLOPS_DOCKERD_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$POOLOPS_DOCKERD_PID" 2>/dev/null || true
    wait "$POOLOPS_DOCKERD_PID" 2>/dev/null || true
  fi
  if [[ -n $POOLOPS_DOCKERD_DIR && -d $POOLOPS_DOCKERD_DIR ]]; then
    # Container layers may be mounted under data/: unmount before removing.
    # (No mount left is no error: under `set -eo pipefail` the pipeline
    # would end the clean-up before the folder goes.)
    { grep -o " $POOLOPS_DOCKERD_DIR/[^ ]*" /proc/mounts 2>/dev/null || true; } |
      sort -r | while read -r m; do umount "$m" 2>/dev/null || true; done
    rm -rf "$POOLOPS_DOCKERD_DIR"
  fi
  if [[ ${DOCKER_HOST:-} == "unix://$POOLOPS_DOCKERD_DIR/docker.sock" ]]; then
    unset DOCKER_HOST
  fi
  POOLOPS_DOCKERD_PID=""
  POOLOPS_DOCKERD_DIR=""
}
