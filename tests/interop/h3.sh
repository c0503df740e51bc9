#!/usr/bin/env bash
# WebSockets over HTTP/3 (RFC 9220) against independent peers: aioquic (a Python QUIC and
# HTTP/3 stack) as client and server, raw malformed requests built with aioquic's
# H3Connection, hundreds of aborted streams and connections, idle timeouts, and headless
# Chromium over HTTP/3 with its netlog as proof. The examples are h3/ (a crate of its own:
# quiche builds BoringSSL, which needs cmake, a C++ compiler and libclang).
# Installs what is missing, builds h3/, runs every check on 127.0.0.1 and ends with
# "N passed, N failed"; exits non-zero if anything failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"

# ---- peers and build tools (CI is a fresh Debian machine running as root)
missing=()
command -v cmake >/dev/null || missing+=(cmake)
command -v c++ >/dev/null || missing+=(g++)
# bindgen (boring-sys) loads libclang at build time.
ls /usr/lib/llvm-*/lib/libclang.so* /usr/lib/*/libclang-[0-9]*.so* >/dev/null 2>&1 ||
  missing+=(libclang-dev)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM
[ -x "$CHROMIUM" ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 "${missing[@]}"
fi
python3 -c 'import aioquic' 2>/dev/null ||
  python3 -m pip install --quiet --disable-pip-version-check aioquic
python3 -c 'import websockets' 2>/dev/null ||
  python3 -m pip install --quiet --disable-pip-version-check websockets

(cd "$root" && cargo build --release --manifest-path h3/Cargo.toml &&
  cargo test --release --manifest-path h3/Cargo.toml --quiet)
bin=${CARGO_TARGET_DIR:-$root/h3/target}/release

echo "peers: aioquic $(python3 -c 'import aioquic; print(aioquic.__version__)')," \
  "python websockets $(python3 -c 'import websockets; print(websockets.__version__)')," \
  "$("$CHROMIUM" --version 2>/dev/null)," \
  "quiche $(sed -n '/^name = "quiche"/{n;s/version = //p}' "$root/h3/Cargo.lock" | tr -d '"')"

# ---- from here on a failing check is counted, not fatal
set +e
source "$here/lib.sh"

# ---- aioquic's client against our server: the upgrade, refusals, malformed requests
if start h3 "$bin/h3_server" --listen 127.0.0.1:0 --protocol chat \
  --origin https://allowed.example; then
  python_checks "aioquic client" timeout 120 python3 h3_peer.py client "$addr"
  check "h3 server still up after the malformed requests" kill -0 "$pid"
else
  failed=$((failed + 1))
fi

# ---- our client against aioquic's server, and against ours
# client_says PROTOCOL URL [ARGS]...: the client sends two texts, gets both back, reports
# PROTOCOL and ends with a clean close.
client_says() {
  local want=$1 out status
  shift
  out=$(timeout 15 "$bin/h3_client" "$@" --insecure --send hello --send "$big" 2>&1)
  status=$?
  echo "exit status $status: ${out:0:400}"
  [ $status -eq 0 ] && grep -qxF "protocol: $want" <<<"$out" &&
    grep -qxF "received: hello" <<<"$out" && grep -qxF "received: $big" <<<"$out" &&
    grep -qxF closed <<<"$out"
}
big=$(head -c 49152 /dev/urandom | base64 -w0) # 64 KiB of text across many QUIC packets
if start aioquic python3 h3_peer.py server; then
  check "h3 client example vs aioquic server, protocol chat" \
    client_says chat "wss://$addr/echo" --protocol chat
  check "h3 client example vs aioquic server, no protocol" client_says - "wss://$addr/echo"
else
  failed=$((failed + 1))
fi
if start ours "$bin/h3_server" --listen 127.0.0.1:0 --protocol chat; then
  ours=$addr
  check "h3 client example vs h3 server, protocol chat" \
    client_says chat "wss://$ours/echo" --protocol superchat --protocol chat
  no_protocol() {
    local out status
    out=$(timeout 15 "$bin/h3_client" "wss://$ours/echo" --insecure --send hi 2>&1)
    status=$?
    echo "exit status $status: $out"
    # The server requires a subprotocol it knows only when one is offered: none is fine.
    [ $status -eq 0 ] && grep -qxF "protocol: -" <<<"$out"
  }
  check "h3 client example vs h3 server, no protocol offered" no_protocol
  check "h3 client example refuses a ws:// URL (QUIC is always TLS)" \
    bash -c "! timeout 5 '$bin/h3_client' ws://$ours/echo --insecure"
else
  failed=$((failed + 1))
fi

# ---- aborts: resets, STOP_SENDING, dropped connections; all state freed, memory bounded
if start aborts "$bin/h3_server" --listen 127.0.0.1:0 --stats --max-streams 16; then
  python_checks "aborts" timeout 400 python3 h3_peer.py aborts "$addr" "$pid"
else
  failed=$((failed + 1))
fi

# ---- idle timeouts: an idle WebSocket gets a close frame (1001), an idle connection goes
if start idle "$bin/h3_server" --listen 127.0.0.1:0 --stats --idle-timeout 1; then
  python_checks "idle" timeout 60 python3 h3_peer.py idle "$addr"
else
  failed=$((failed + 1))
fi

# ---- headless Chromium over HTTP/3: the page, then the WebSocket on the same connection
if start chromium "$bin/h3_server" --listen 127.0.0.1:0 --protocol chat; then
  spki=$(sed -n 's/^spki-sha256: //p' "$tmp/chromium.out")
  check "chromium over HTTP/3: page, WebSocket (RFC 9220), echo, browser close; netlog proof" \
    timeout 60 python3 h3_chromium.py "$addr" "$spki" "$tmp/chromium.out"
  # The proof, shown on success too: Chromium's own account of the WebSocket.
  grep -E '^(netlog|chromium):' "$tmp/check.out" | cut -c1-240 | sed 's/^/     /'
  # The server's own account: one WebSocket, over HTTP/3, ended by both FINs.
  check "chromium's WebSocket: over HTTP/3 by the server's account, closed in order" \
    bash -c "grep -q '^websocket over HTTP/3 on stream' '$tmp/chromium.out' &&
      grep -q 'closed (both FINs)' '$tmp/chromium.out' || { cat '$tmp/chromium.out'; false; }"
else
  failed=$((failed + 1))
fi

finish
