#!/usr/bin/env bash
# Interop tests against real peers: Python websockets, Node ws and headless Chromium drive the
# echo server example, and the client example runs against real Python/Node servers and ours.
# Installs the peers when missing, builds the examples, runs every check on 127.0.0.1 and
# ends with "N passed, N failed"; exits non-zero if anything failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"

bash "$here/install.sh"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM

(cd "$root" && cargo build --release --examples)
bin=${CARGO_TARGET_DIR:-$root/target}/release/examples

echo "peers: python websockets $(python3 -c 'import websockets; print(websockets.__version__)')" \
  "(Python $(python3 -c 'import platform; print(platform.python_version())')), node $(node --version)," \
  "ws $(node -p 'require("ws/package.json").version'), $("$CHROMIUM" --version 2>/dev/null)"

# ---- from here on a failing check is counted, not fatal
set +e
tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME CMD...: runs a server in the background and waits (≤ 10 s) for its
# "listening on ADDR" line; sets $addr. Its stderr stays in $tmp/NAME.err.
start() {
  local name=$1
  shift
  : >"$tmp/$name.out" # exists before the poll below reads it
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  local pid=$!
  pids+=("$pid")
  local deadline=$((SECONDS + 10))
  while [ $SECONDS -le $deadline ] && kill -0 "$pid" 2>/dev/null; do
    addr=$(sed -n 's/^listening on //p' "$tmp/$name.out")
    [ -n "$addr" ] && return 0
    sleep 0.05
  done
  echo "server $name did not start: $*" >&2
  cat "$tmp/$name.err" >&2
  return 1
}

passed=0 failed=0 echo_addr= refused_addr=
# check NAME CMD...: one test; its output is shown only when it fails.
check() {
  local name=$1
  shift
  if "$@" >"$tmp/check.out" 2>&1; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
    sed 's/^/     /' "$tmp/check.out"
  fi
}

# logged PATTERN FILE: waits (≤ 5 s) until a server logged PATTERN.
logged() {
  local deadline=$((SECONDS + 5))
  until grep -q "$1" "$2"; do
    [ $SECONDS -le $deadline ] || { echo "no '$1' in $2:" && cat "$2" && return 1; }
    sleep 0.05
  done
}

echo_server=("$bin/echo_server" --protocol chat --protocol superchat)

# ---- Python websockets and Node ws clients against the echo server
if start echo "${echo_server[@]}" --listen 127.0.0.1:0; then
  echo_addr=$addr
  url=ws://$addr/echo
  for deflate in "" --no-deflate; do
    check "python websockets client ${deflate:-(deflate offered)}" \
      timeout 30 python3 py_client.py "$url" --protocol chat --protocol superchat \
      --expect-protocol chat $deflate
    check "node ws client ${deflate:-(deflate offered)}" \
      timeout 30 node node_client.js "$url" --protocol chat --protocol superchat \
      --expect-protocol chat $deflate
  done
  check "python websockets client, no subprotocol offered" \
    timeout 30 python3 py_client.py "$url"
  check "node ws client, no subprotocol offered" \
    timeout 30 node node_client.js "$url"
else
  failed=$((failed + 1))
fi

# ---- headless Chromium loads the page; its Origin is allowed, then refused
# The allowed Origin names the server's own port, so pick a free one first (retry on a race).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
started=
for _ in 1 2 3; do
  port=$(free_port)
  start allowed "${echo_server[@]}" --listen "127.0.0.1:$port" --origin "http://127.0.0.1:$port" &&
    started=1 && break
done
if [ -n "$started" ]; then
  check "chromium, allowed Origin: opens, protocol chat, echoes, closes" \
    timeout 40 python3 chromium.py "http://$addr/" --expect-protocol chat
else
  echo "FAIL chromium, allowed Origin: the echo server did not start"
  failed=$((failed + 1))
fi

# The page still loads (plain GET), but its socket must get a 403 and never open.
refused() {
  timeout 40 python3 chromium.py "http://$refused_addr/" --expect-refused &&
    logged 'refused (403)' "$tmp/refused.err"
}
if start refused "${echo_server[@]}" --listen 127.0.0.1:0 --origin http://not-this-page.example; then
  refused_addr=$addr
  check "chromium, refused Origin: the socket fails to open (403)" refused
else
  failed=$((failed + 1))
fi

# ---- the client example against real Python websockets and Node ws servers, and our own
# client_says PROTOCOL TEXT URL [ARGS]...: the client sends TEXT through URL, gets it back and
# reports PROTOCOL.
client_says() {
  local want=$1 text=$2 out status
  shift 2
  out=$(timeout 15 "$bin/client" "$@" --send "$text" 2>&1)
  status=$?
  echo "exit status $status: ${out:0:300}"
  [ $status -eq 0 ] && grep -qxF "protocol: $want" <<<"$out" && grep -qxF "received: $text" <<<"$out"
}
# client_refused URL [ARGS]...: the client must fail (not time out) and say 403.
client_refused() {
  local out status
  out=$(timeout 15 "$bin/client" "$@" --send hello 2>&1)
  status=$?
  echo "exit status $status: $out"
  [ $status -ne 0 ] && [ $status -ne 124 ] && grep -q 403 <<<"$out"
}
big=$(head -c 49152 /dev/urandom | base64 -w0) # 64 KiB of text: a 64-bit frame length
# client_vs NAME SERVER...: the client against SERVER started with and without --protocol chat.
client_vs() {
  local name=$1 chat
  shift
  if start "$name-chat" "$@" --protocol chat && chat=$addr && start "$name-plain" "$@"; then
    check "client example vs $name server, protocol chat" \
      client_says chat hello "ws://$chat/" --protocol chat
    check "client example vs $name server, no protocol" client_says - hello "ws://$addr/"
    check "client example vs $name server, 64 KiB message" client_says - "$big" "ws://$addr/"
  else
    failed=$((failed + 1))
  fi
}
client_vs "python websockets" python3 py_server.py
client_vs "node ws" node node_server.js
check "client example vs echo server, protocol chat" \
  client_says chat hello "ws://$echo_addr/echo" --protocol chat
check "client example vs echo server, no protocol" client_says - hello "ws://$echo_addr/echo"
check "client example vs echo server, 64 KiB message" client_says - "$big" "ws://$echo_addr/echo"
check "client example vs echo server, refused Origin: fails with 403" \
  client_refused "ws://$refused_addr/echo" --origin http://evil.example

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
