#!/usr/bin/env bash
# Runs every test of the crate: the Rust tests, then the interop tests against real peers
# (tests/interop/run.sh installs Python websockets, Node ws and headless Chromium when missing;
# tests/interop/h3.sh builds the HTTP/3 examples of h3/ and installs aioquic and quiche's
# build tools).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/interop/install.sh # before cargo test: tests/h2_server.rs drives Chromium too
cargo test --all-features
bash tests/interop/run.sh
bash tests/interop/h3.sh
