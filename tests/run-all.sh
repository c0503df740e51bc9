#!/usr/bin/env bash
# Runs every test of the crate: the Rust tests, then the interop tests against real peers
# (tests/interop/run.sh installs Python websockets, Node ws and headless Chromium when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

# tests/interop.rs (a cargo test) drives a Python websockets server, so install it before cargo test.
python3 -c 'import websockets' 2>/dev/null ||
  python3 -m pip install --quiet --disable-pip-version-check websockets

cargo test --all-features
bash tests/interop/run.sh
