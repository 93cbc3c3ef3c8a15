#!/usr/bin/env bash
# Installs playwright-core (pinned by tests/browser/package-lock.json, from npm) into
# target/browser-peers, for the console and portal tests that drive Debian's Chromium
# (/usr/bin/chromium, installed by scripts/system-peers.sh; playwright-core brings no browser
# and none is downloaded). Idempotent. Tests find it at target/browser-peers/node_modules (or
# $SIGNET_BROWSER_PEERS/node_modules).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${SIGNET_BROWSER_PEERS:-$root/target/browser-peers}
lock=$root/tests/browser/package-lock.json
stamp=$dest/.signet-browser-peers
if [ -f "$stamp" ] && cmp -s "$stamp" "$lock" && [ -d "$dest/node_modules/playwright-core" ]; then
  exit 0
fi
mkdir -p "$dest"
cp "$root/tests/browser/package.json" "$lock" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)
cp "$lock" "$stamp"
echo "browser peers installed in $dest: playwright-core $(node -p "require('$dest/node_modules/playwright-core/package.json').version")"
