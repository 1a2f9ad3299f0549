#!/usr/bin/env bash
# Builds the images of compose/poolops.yml from a build folder, pulling
# nothing (legacy builder, no `# syntax=` line, FROM scratch):
#   poolops/base:TAG          the shared libraries the four binaries need (as
#                             ldd lists them), the CA bundle, user poolops
#                             (10001:10001) and its home /home/poolops (0700)
#   poolops/<service>:TAG     base + one binary (debug info stripped), from
#                             services/<dir>/Dockerfile
#   the orchestrator also gets tools/: what it runs on targets, taken from
#   this machine's Debian packages: sh (dash) and the coreutils its scripts
#   use, the docker CLI (docker.io), docker-compose v1 (the files of its
#   installed dependency closure, docs and locales left out) and ssh
#   (openssh-client)
#
#   compose/build-images.sh BUILD_DIR [TAG]     (TAG default: dev)
# Uses $DOCKER (default docker) and whatever DOCKER_HOST it is given.
set -euo pipefail

if (($# < 1 || $# > 2)) || [[ $1 == -h || $1 == --help ]]; then
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
bin=$1/bin
tag=${2:-dev}
docker=${DOCKER:-docker}
export DOCKER_BUILDKIT=0
root=$(cd "$(dirname "$0")/.." && pwd)
# service name : folder under services/ (binary: poolops-<service>)
services=(wallet-vault:wallet chain-gateway:chain orchestrator:orchestrator
  monitor:monitor)

binaries=()
for entry in "${services[@]}"; do
  b=$bin/poolops-${entry%%:*}
  [[ -x $b ]] || { echo "build-images.sh: $b is missing (build it first)" >&2; exit 1; }
  binaries+=("$b")
done

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT

# The base: every library any binary loads, at the path the loader looks in.
rootfs=$ctx/base/rootfs
mkdir -p "$rootfs"/{etc,tmp,usr/local/bin} "$ctx/base/home/poolops"
chmod 1777 "$rootfs/tmp"
chmod 700 "$ctx/base/home/poolops"
ldd "${binaries[@]}" | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}' |
  sort -u | while read -r lib; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then  # for https RPC nodes
  mkdir -p "$rootfs/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
fi
printf 'root:x:0:0:root:/root:/sbin/nologin\npoolops:x:10001:10001:poolops:/home/poolops:/sbin/nologin\n' \
  >"$rootfs/etc/passwd"
printf 'root:x:0:\npoolops:x:10001:\n' >"$rootfs/etc/group"
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
cat >"$ctx/base/Dockerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
COPY --chown=10001:10001 home/ /home/
USER 10001:10001
WORKDIR /home/poolops
EOF
# build IMAGE ARGS...: quiet unless it fails (the legacy builder warns on
# every build that it is deprecated).
build() {
  local image=$1 out
  shift
  echo "building $image"
  out=$("$docker" build -q -t "$image" "$@" 2>&1) || { echo "$out" >&2; return 1; }
}

build "poolops/base:$tag" "$ctx/base"

# copy_files ROOTFS < paths: the files (symlinks kept) at the same paths.
copy_files() {
  tar -C / --no-recursion -cf - -T - | tar -C "$1" -xf -
}
# The orchestrator's tools (target.cc, compose_runner.cc run `sh -s` with
# mkdir/rm/cp/base64/chmod/mv/cat/flock, `docker compose`/`docker-compose`,
# `ssh`).
stage_orchestrator_tools() {
  local rootfs=$1 pkg dep
  mkdir -p "$rootfs/bin" "$rootfs/usr/bin"
  for b in /usr/bin/docker /usr/bin/docker-compose /usr/bin/ssh; do
    [[ -x $b ]] || { echo "build-images.sh: $b is missing (apt-get install docker.io docker-compose openssh-client)" >&2; return 1; }
  done
  # docker-compose's installed dependency closure (dpkg, debconf, tar,
  # ca-certificates and openssl are for installing, not for running it).
  local -A seen=([dpkg]=1 [debconf]=1 [tar]=1 [ca-certificates]=1 [openssl]=1)
  local todo=(docker-compose) pkgs=()
  local bins=(/bin/dash /bin/mkdir /bin/rm /bin/cp /usr/bin/base64 /bin/chmod
    /bin/mv /bin/cat /usr/bin/flock /usr/bin/docker /usr/bin/ssh)
  while ((${#todo[@]})); do
    pkg=${todo[0]}
    todo=("${todo[@]:1}")
    [[ -n ${seen[$pkg]:-} ]] && continue
    seen[$pkg]=1
    pkgs+=("$pkg")
    for dep in $(dpkg-query -W -f='${Depends},${Pre-Depends}' "$pkg" |
      tr ',' '\n' | sed 's/([^)]*)//g; s/|.*//; s/:any//; s/ //g'); do
      dpkg-query -W -f='${Status}' "$dep" 2>/dev/null | grep -q ' installed$' &&
        todo+=("$dep")
    done
  done
  {
    dpkg -L "${pkgs[@]}" | grep -vE '^/usr/share/(doc|man|locale|info|lintian|bug)/|/gconv/|^/\.$' |
      while read -r f; do
        [[ -e $f || -L $f ]] || continue
        # /lib, /bin...: symlinks here (merged /usr), directories in the base.
        [[ -L $f && -d $f ]] && continue
        echo "${f#/}"
        # The compiled modules py3compile made at install: python starts
        # without recompiling (the image's user cannot write them).
        if [[ $f == *.py ]]; then
          local pyc
          pyc="$(dirname "$f")/__pycache__/$(basename "$f" .py).cpython-"
          compgen -G "$pyc*.pyc" | sed 's|^/||' || true
        fi
      done
    # sh, the coreutils of the bundle scripts, docker and ssh.
    printf '%s\n' "${bins[@]#/}"
  } | sort -u | copy_files "$rootfs"
  # Their libraries at the paths ldd gives (copies: a symlink there may
  # point into a folder the packages above did not fill).
  ldd "${bins[@]}" | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}' |
    sort -u | while read -r lib; do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L --remove-destination "$lib" "$rootfs$lib"
  done
  ln -sf dash "$rootfs/bin/sh"
}

for entry in "${services[@]}"; do
  name=${entry%%:*}
  dir=$ctx/$name
  mkdir -p "$dir"
  # Debug info is most of a RelWithDebInfo binary; the image does not need it.
  strip --strip-debug -o "$dir/poolops-$name" "$bin/poolops-$name" 2>/dev/null ||
    cp "$bin/poolops-$name" "$dir/"
  if [[ $name == orchestrator ]]; then
    mkdir -p "$dir/tools"
    stage_orchestrator_tools "$dir/tools"
  fi
  build "poolops/$name:$tag" --build-arg "BASE=poolops/base:$tag" \
    -f "$root/services/${entry#*:}/Dockerfile" "$dir"
done
