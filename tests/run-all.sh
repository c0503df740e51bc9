#!/usr/bin/env bash
# Runs every test of the crate, installing the real peers the interop tests drive
# (Python websockets, Node ws, headless Chromium) when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_py() { python3 -c "import websockets" 2>/dev/null; }
if ! need_py; then
  python3 -m pip install --quiet --disable-pip-version-check websockets
fi

cargo test --all-features
