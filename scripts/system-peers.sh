#!/usr/bin/env bash
# Makes sure the system tools Signet's tests drive are present (idempotent; Debian packages):
#   - openssl (3.0 CLI: `openssl cmp`, `ts`, `ocsp`, `verify`, `cms`) — the real peers;
#   - socat (talks to OpenSSL's mock CMP server inside its network namespace);
#   - curl (POSTs time-stamp queries to `signet serve`);
#   - unshare/nsenter/setpriv (util-linux: the private network namespace of the mock server);
#   - psql (postgresql-client: the multi-node tests create and drop their own database on the
#     machine's PostgreSQL server, 127.0.0.1:5432);
#   - softhsm2-util (softhsm2: the PKCS#11 token of the key-custody tests; its module is
#     /usr/lib/softhsm/libsofthsm2.so);
#   - chromium, node and npm: the console and portal tests drive Debian's Chromium with
#     playwright-core (scripts/browser-peers.sh installs it from npm).
# Installs what is missing with apt-get when running as root; otherwise names it and fails.
set -euo pipefail
declare -A package=([openssl]=openssl [socat]=socat [curl]=curl [unshare]=util-linux
                    [nsenter]=util-linux [setpriv]=util-linux [psql]=postgresql-client
                    [softhsm2-util]=softhsm2 [chromium]=chromium [node]=nodejs [npm]=npm)
missing=()
for tool in "${!package[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package[$tool]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} (Debian packages)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
  exit 0
fi
echo "missing tools the tests need; install the Debian packages: ${missing[*]}" >&2
exit 1
