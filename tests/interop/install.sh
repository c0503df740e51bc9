#!/usr/bin/env bash
# Installs the real peers the tests drive, when missing: Python websockets (pip),
# Node ws (npm, from the lock file) and headless Chromium (Debian package; CI is a
# fresh Debian machine running as root).
set -euo pipefail
cd "$(dirname "$0")"

python3 -c 'import websockets' 2>/dev/null ||
  python3 -m pip install --quiet --disable-pip-version-check websockets
# node_modules is gitignored; reinstall from the lock file whenever it changed.
if [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
