#!/usr/bin/env bash
# Installs the real peers the tests drive, when missing: Python websockets (pip),
# Node ws (npm, from the lock file), headless Chromium, tinyproxy, microsocks (a SOCKS5
# server) and openssl (the test certificates for wss) (Debian packages; CI is a fresh
# Debian machine running as root).
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
# tinyproxy: the real HTTP proxy of the CONNECT tests; run.sh starts its own instances
# on 127.0.0.1. Installing it must not start the packaged daemon (it would listen on
# every interface): a policy-rc.d that says no is put in place for the install when
# the machine has none.
if ! command -v tinyproxy >/dev/null; then
  guard=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && guard=1
  fi
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y tinyproxy
  [ -z "$guard" ] || rm -f /usr/sbin/policy-rc.d
fi
# microsocks: the real SOCKS5 server (RFC 1928, RFC 1929); openssl makes the wss tests'
# certificates. Neither package starts a daemon.
missing=()
command -v microsocks >/dev/null || missing+=(microsocks)
command -v openssl >/dev/null || missing+=(openssl)
if ((${#missing[@]})); then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi
