#!/usr/bin/env bash
# Certificates for poolops in containers (compose/poolops.yml): one CA, a
# server certificate per service, a client certificate per service that calls
# others (its CN, the service's name, is who the callee sees and the vault's
# audit log records) and one for poolctl (CN poolctl): every TCP listener
# requires a client certificate from this CA (mutual TLS). EC P-256, keys
# 0600 in 0700 folders.
#
#   compose/gen-certs.sh [--out DIR] [--owner UID:GID] [--host NAME|IP]... [--days N]
#
# DIR (default ./poolops-certs):
#   ca.pem ca.key        the CA (its key never goes into a container)
#   services/            mount read-only at /certs: ca.pem, <service>.pem/.key
#                        (server), <service>-client.pem/.key (client,
#                        CN=<service>; not for the vault, which calls nobody)
#   poolctl/             for the operator: ca.pem, client.pem, client.key
#                        (POOLOPS_TLS_CA / POOLOPS_TLS_CERT / POOLOPS_TLS_KEY)
# --owner: chown services/ to the user the containers run as (default image
#   user 10001:10001; needs root). Without it services/ stays the caller's,
#   so run the containers as the caller (POOLOPS_UID/POOLOPS_GID).
# --host: extra names or IPs in the server certificates (127.0.0.1 and
#   localhost are always there). Existing files are kept: delete DIR to renew.
set -euo pipefail

out=./poolops-certs
owner=
days=825
hosts=(127.0.0.1 localhost)
services=(wallet-vault chain-gateway orchestrator monitor)
callers=(chain-gateway orchestrator monitor)  # the services that call others

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case $1 in
    --out) out=$2; shift 2 ;;
    --owner) owner=$2; shift 2 ;;
    --host) hosts+=("$2"); shift 2 ;;
    --days) days=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "gen-certs.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
if [[ -n $owner && ! $owner =~ ^[0-9]+:[0-9]+$ ]]; then
  echo "gen-certs.sh: --owner $owner: want UID:GID (numbers)" >&2
  exit 2
fi
command -v openssl >/dev/null || { echo "gen-certs.sh: openssl is missing" >&2; exit 1; }

umask 077
mkdir -p "$out/services" "$out/poolctl"
chmod 700 "$out" "$out/services" "$out/poolctl"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

san=
for h in "${hosts[@]}"; do
  if [[ $h =~ ^[0-9.]+$ || $h == *:* ]]; then san+="IP:$h,"; else san+="DNS:$h,"; fi
done
san=${san%,}

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

if [[ ! -f $out/ca.pem ]]; then
  key "$out/ca.key"
  cat >"$tmp/ca.cnf" <<EOF
[req]
distinguished_name = dn
[dn]
[ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
  openssl req -x509 -new -key "$out/ca.key" -subj "/CN=poolops CA" -days "$days" \
    -config "$tmp/ca.cnf" -extensions ext -out "$out/ca.pem"
  echo "CA: $out/ca.pem"
fi

# issue DIR NAME CN USAGE [SAN]: DIR/NAME.pem + DIR/NAME.key signed by the CA.
issue() {
  local dir=$1 name=$2 cn=$3 usage=$4 alt=${5:-}
  [[ -f $dir/$name.pem && -f $dir/$name.key ]] && return 0
  key "$dir/$name.key"
  {
    echo "basicConstraints = critical, CA:FALSE"
    echo "keyUsage = critical, digitalSignature"
    echo "extendedKeyUsage = $usage"
    echo "authorityKeyIdentifier = keyid"
    [[ -n $alt ]] && echo "subjectAltName = $alt"
  } >"$tmp/$name.ext"
  openssl req -new -key "$dir/$name.key" -subj "/CN=$cn" -out "$tmp/$name.csr"
  openssl x509 -req -in "$tmp/$name.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" \
    -CAcreateserial -CAserial "$out/ca.srl" -days "$days" \
    -extfile "$tmp/$name.ext" -out "$dir/$name.pem" 2>/dev/null
  echo "issued $dir/$name.pem ($cn)"
}

for s in "${services[@]}"; do
  issue "$out/services" "$s" "$s" serverAuth "$san"
done
for s in "${callers[@]}"; do
  issue "$out/services" "$s-client" "$s" clientAuth
done
issue "$out/poolctl" client poolctl clientAuth
cp "$out/ca.pem" "$out/services/ca.pem"
cp "$out/ca.pem" "$out/poolctl/ca.pem"
chmod 600 "$out"/ca.key "$out"/services/*.key "$out"/poolctl/*.key
chmod 644 "$out"/*.pem "$out"/services/*.pem "$out"/poolctl/*.pem
if [[ -n $owner ]]; then
  chown -R "$owner" "$out/services"
fi
