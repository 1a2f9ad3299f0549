# Shared by scripts/demo and scripts/test: install what poolops needs on a
# Debian 12 machine (idempotent, seconds when already there) and build it.
# shellcheck shell=bash
set -euo pipefail

POOLOPS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POOLOPS_BUILD="${POOLOPS_BUILD:-$POOLOPS_ROOT/build}"
export POOLOPS_ROOT POOLOPS_BUILD

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Debian packages the build, the tests and the demo use.
POOLOPS_APT_PACKAGES=(
  build-essential cmake pkg-config ccache clang
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev libabsl-dev
  libssl-dev libsecp256k1-dev libspdlog-dev libcurl4-openssl-dev
  nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev libcli11-dev prometheus-cpp-dev libcpp-httplib-dev
  libyaml-cpp-dev libicu-dev libsodium-dev libnghttp2-dev
  nodejs npm openssl docker.io docker-compose
  openssh-server openssh-client
  prometheus
  chromium fonts-dejavu-core
)

install_deps() {
  local missing=()
  for p in "${POOLOPS_APT_PACKAGES[@]}"; do
    # node/npm may come from elsewhere (a newer Node.js already on PATH).
    if [[ $p == nodejs && -x "$(command -v node)" ]] || [[ $p == npm && -x "$(command -v npm)" ]]; then
      continue
    fi
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # npm packages for interop checks and benchmarks (ethers v6), pinned.
  local interop="$POOLOPS_ROOT/tests/interop"
  if [[ ! -f $interop/node_modules/.poolops-stamp ]] ||
     ! cmp -s "$interop/package.json" "$interop/node_modules/.poolops-stamp"; then
    log "installing npm packages in tests/interop"
    (cd "$interop" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
    cp "$interop/package.json" "$interop/node_modules/.poolops-stamp"
  fi
  install_poco6 "$interop/node_modules/iexec-poco6"
}

# @iexec/poco 6.1.0, the deployment the arbitrum devnet replays. Its package
# depends on two GitHub repositories (diamond-1, createx) that npm cannot
# reach from here and that nothing of ours needs: only its published
# tarball is unpacked, checked against the registry's sha512 pinned here.
# After npm install, which would prune it as extraneous.
POCO6_VERSION=6.1.0
POCO6_SHA512=BPbDtf2fgQuotr6rf74ACVdwlKqkErEZ8qLbTWM+2CIBj2EX3+6KBGWsFoudoOGjgT7vUJ3jeNX8SWvHzSHg6A==
install_poco6() {
  local dest=$1
  [[ -f $dest/package.json ]] && grep -q "\"version\": \"$POCO6_VERSION\"" "$dest/package.json" && return
  log "installing @iexec/poco $POCO6_VERSION (its deployments, for the arbitrum devnet)"
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "@iexec/poco@$POCO6_VERSION" >/dev/null)
  local tgz="$tmp/iexec-poco-$POCO6_VERSION.tgz"
  if [[ $(openssl dgst -sha512 -binary "$tgz" | base64 -w0) != "$POCO6_SHA512" ]]; then
    rm -rf "$tmp"
    echo "@iexec/poco $POCO6_VERSION: the tarball does not match its pinned sha512" >&2
    return 1
  fi
  rm -rf "$dest" && mkdir -p "$dest"
  tar xzf "$tgz" -C "$dest" --strip-components=1
  rm -rf "$tmp"
}

# What `scripts/demo` runs: poolctl (and poolctl-full, which runs its devnet
# commands), the four services, the devnet's market and
# the stack simulator (its images are built from this binary).
DEMO_TARGETS=(poolctl poolctl-full poolops-wallet-vault poolops-chain-gateway
  poolops-orchestrator poolops-monitor poolops-devnet-market poolops-stack-sim)

# build [TARGET...]: everything, or only the given targets (and what they
# link); tests and benchmarks are not compiled for the demo.
build() {
  local what=(--target all)
  (($# > 0)) && what=(--target "$@")
  log "building poolops in $POOLOPS_BUILD${1:+ (${*})}"
  if [[ ! -f $POOLOPS_BUILD/CMakeCache.txt ]]; then
    cmake -S "$POOLOPS_ROOT" -B "$POOLOPS_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  cmake --build "$POOLOPS_BUILD" -j"$(nproc)" "${what[@]}" >"$POOLOPS_BUILD/build.log" 2>&1 || {
    tail -n 60 "$POOLOPS_BUILD/build.log" >&2
    echo "build failed; full log: $POOLOPS_BUILD/build.log" >&2
    return 1
  }
}
