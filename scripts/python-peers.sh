#!/usr/bin/env bash
# Installs the independent Python peers Signet's tests run against into target/py-peers
# (idempotent; pinned versions; PyPI only):
#   - c2pa-python: the C2PA reference SDK (c2pa-rs) — reads/validates/signs assets (interop/c2pa-peer.md)
#   - pkilint: DigiCert's X.509/CRL/OCSP linter (interop/pkilint.md)
# Tests find the interpreter at target/py-peers/bin/python (or $SIGNET_PY_PEERS/bin/python).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${SIGNET_PY_PEERS:-$root/target/py-peers}
stamp=$venv/.signet-peers-v1
pins=(c2pa-python==0.38.1 pkilint==0.13.3 cbor2==5.7.1 pillow==11.3.0)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${pins[*]}" ]; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "${pins[@]}"
printf '%s' "${pins[*]}" > "$stamp"
echo "python peers installed in $venv: ${pins[*]}"
