#!/usr/bin/env bash
# Interop tests against real peers: Python websockets, Node ws and headless Chromium drive the
# echo server example, and the client example runs against real Python/Node servers and ours.
# The client example also tunnels through a real HTTP proxy (tinyproxy) and a real SOCKS5
# proxy (microsocks), speaks wss (rustls) directly and inside both, and follows redirects.
# Installs the peers when missing, builds the examples, runs every check on 127.0.0.1 and
# ends with "N passed, N failed"; exits non-zero if anything failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"

bash "$here/install.sh"
# The client example honours the proxy variables (curl's rules); the checks choose
# their own, so none from the calling environment may leak in.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY ws_proxy WS_PROXY wss_proxy WSS_PROXY \
  all_proxy ALL_PROXY no_proxy NO_PROXY
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM

(cd "$root" && cargo build --release --all-features --examples)
bin=${CARGO_TARGET_DIR:-$root/target}/release/examples

echo "peers: python websockets $(python3 -c 'import websockets; print(websockets.__version__)')" \
  "(Python $(python3 -c 'import platform; print(platform.python_version())')), node $(node --version)," \
  "ws $(node -p 'require("ws/package.json").version'), $("$CHROMIUM" --version 2>/dev/null)"

# ---- from here on a failing check is counted, not fatal
set +e
source "$here/lib.sh"
echo_addr= refused_addr=

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
    logged 'rejected (403)' "$tmp/refused.err"
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

# ---- the client example through a real HTTP proxy (tinyproxy, CONNECT) and across redirects
echo "proxy: $(tinyproxy -v 2>&1 | head -1)"
# accepting PORT PID: waits (≤ 10 s) until 127.0.0.1:PORT accepts connections while PID
# runs; the proxies below announce nothing, so their port is polled.
accepting() {
  local deadline=$((SECONDS + 10))
  while [ $SECONDS -le $deadline ] && kill -0 "$2" 2>/dev/null; do
    python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" 2>/dev/null &&
      return 0
    sleep 0.05
  done
  return 1
}
# start_proxy NAME [CONFIG LINE]...: a tinyproxy on a free port of 127.0.0.1 with these extra
# config lines, in the foreground (-d); waits (≤ 10 s) until it accepts connections and sets
# $proxy_addr. Its log (every CONNECT it is asked for) is $tmp/NAME.log.
start_proxy() {
  local name=$1 port pid
  shift
  port=$(free_port)
  {
    printf 'Port %s\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nLogLevel Info\n' "$port"
    printf 'LogFile "%s"\nPidFile "%s"\nAllow 127.0.0.1\n' "$tmp/$name.log" "$tmp/$name.pid"
    [ $# -eq 0 ] || printf '%s\n' "$@"
  } >"$tmp/$name.conf"
  : >"$tmp/$name.log"
  tinyproxy -d -c "$tmp/$name.conf" >"$tmp/$name.out" 2>&1 &
  pid=$!
  pids+=("$pid")
  if accepting "$port" "$pid"; then
    proxy_addr=127.0.0.1:$port
    return 0
  fi
  echo "proxy $name did not start" >&2
  cat "$tmp/$name.out" "$tmp/$name.log" >&2
  return 1
}
# with_env NAME=VALUE CMD...: runs CMD (a function too) with NAME exported.
with_env() {
  (
    export "$1"
    shift
    "$@"
  )
}
# client_fails PATTERN URL [ARGS]...: the client must fail (not time out) saying PATTERN.
client_fails() {
  local want=$1 out status
  shift
  out=$(timeout 15 "$bin/client" "$@" --send hello 2>&1)
  status=$?
  echo "exit status $status: $out"
  [ $status -ne 0 ] && [ $status -ne 124 ] && grep -qF -- "$want" <<<"$out"
}
# tunnelled LOG TARGET CMD...: CMD passes and the proxy logged a CONNECT to TARGET.
tunnelled() {
  local log=$1 target=$2
  shift 2
  "$@" && logged "CONNECT $target HTTP/1.1" "$log"
}

if start proxied-py python3 py_server.py && py_addr=$addr &&
  start proxied-node node node_server.js --protocol chat && node_addr=$addr &&
  start_proxy open-proxy && open_proxy=$proxy_addr &&
  start_proxy auth-proxy "BasicAuth user s3cret" && auth_proxy=$proxy_addr &&
  start_proxy strict-proxy "ConnectPort 443" && strict_proxy=$proxy_addr; then
  check "proxy: client example through tinyproxy to python websockets" \
    tunnelled "$tmp/open-proxy.log" "$py_addr" \
    client_says - hello "ws://$py_addr/" --proxy "http://$open_proxy"
  check "proxy: client example through tinyproxy to node ws, protocol chat, 64 KiB" \
    tunnelled "$tmp/open-proxy.log" "$node_addr" \
    client_says chat "$big" "ws://$node_addr/" --protocol chat --proxy "http://$open_proxy"
  check "proxy: http_proxy in the environment is used for ws://" \
    with_env "http_proxy=http://$open_proxy" \
    tunnelled "$tmp/open-proxy.log" "$node_addr" client_says - hi-env "ws://$node_addr/"
  dead=127.0.0.1:$(free_port) # nothing listens there: only a direct connection can pass
  check "proxy: NO_PROXY exempts the target (a dead proxy is never dialled)" \
    with_env "http_proxy=http://$dead" with_env "NO_PROXY=localhost, .example.com,127.0.0.0/8" \
    client_says - hello "ws://$py_addr/"
  check "proxy: a dead proxy from ALL_PROXY is dialled when NO_PROXY does not match" \
    with_env "ALL_PROXY=http://$dead" with_env "no_proxy=example.com" \
    client_fails "Connection refused" "ws://$py_addr/"
  check "proxy: 407 without credentials, with the Basic challenge" \
    client_fails 'the proxy refused the tunnel: 407' "ws://$py_addr/" --proxy "http://$auth_proxy"
  check "proxy: 407 names the challenge (Basic realm)" \
    client_fails 'proxy-authenticate: Basic realm="Tinyproxy"' "ws://$py_addr/" --proxy "http://$auth_proxy"
  # tinyproxy 1.11.1 answers wrong credentials with 401, not the 407 RFC 9110 §15.5.8
  # asks for (missing ones get a 407); either way the tunnel must be refused.
  check "proxy: a wrong password is refused (tinyproxy says 401)" \
    client_fails 'the proxy refused the tunnel: 40' "ws://$py_addr/" --proxy "http://$auth_proxy" --proxy-user user:wrong
  check "proxy: --proxy-user opens the tunnel to python websockets" \
    tunnelled "$tmp/auth-proxy.log" "$py_addr" \
    client_says - hello "ws://$py_addr/" --proxy "http://$auth_proxy" --proxy-user user:s3cret
  check "proxy: credentials in ALL_PROXY open the tunnel to node ws" \
    with_env "ALL_PROXY=http://user:s3cret@$auth_proxy" \
    tunnelled "$tmp/auth-proxy.log" "$node_addr" client_says - hello "ws://$node_addr/"
  check "proxy: a target port outside ConnectPort is refused (403)" \
    client_fails 'the proxy refused the tunnel: 403' "ws://$py_addr/" --proxy "http://$strict_proxy"
else
  failed=$((failed + 1))
fi

# ---- the client example through a real SOCKS5 proxy (microsocks, RFC 1928 / RFC 1929)
# start_socks NAME [ARGS]...: a microsocks on a free port of 127.0.0.1; sets $socks_addr.
start_socks() {
  local name=$1 port pid
  shift
  port=$(free_port)
  microsocks -i 127.0.0.1 -p "$port" "$@" >"$tmp/$name.out" 2>&1 &
  pid=$!
  pids+=("$pid")
  if accepting "$port" "$pid"; then
    socks_addr=127.0.0.1:$port
    return 0
  fi
  echo "socks proxy $name did not start" >&2
  cat "$tmp/$name.out" >&2
  return 1
}
# via KIND PROTOCOL TEXT URL [ARGS]...: client_says, and the client reported a tunnel of KIND.
via() {
  local kind=$1 want=$2 text=$3 out status
  shift 3
  out=$(timeout 15 "$bin/client" "$@" --send "$text" 2>&1)
  status=$?
  echo "exit status $status: ${out:0:300}"
  [ $status -eq 0 ] && grep -q "^tunnel: $kind proxy" <<<"$out" &&
    grep -qxF "protocol: $want" <<<"$out" && grep -qxF "received: $text" <<<"$out"
}
# A python websockets server on every loopback address of localhost, one port: a target
# named for the proxy to resolve (socks5h) or for the client to (socks5).
named_port=$(free_port)
dead=${dead:-127.0.0.1:$(free_port)}
if [ -n "${node_addr:-}" ] &&
  start named-py python3 py_server.py --host localhost --port "$named_port" &&
  start_socks open-socks && open_socks=$socks_addr &&
  start_socks auth-socks -u user -P 's3@cr:t' && auth_socks=$socks_addr; then
  named=ws://localhost:$named_port/
  check "socks5h: client example through microsocks to python websockets (the proxy resolves localhost)" \
    via Socks5h - hello "$named" --proxy "socks5h://$open_socks"
  check "socks5: client example through microsocks to python websockets (resolved here)" \
    via Socks5 - hello "$named" --proxy "socks5://$open_socks"
  check "socks5: to node ws by address, protocol chat, 64 KiB" \
    via Socks5 chat "$big" "ws://$node_addr/" --protocol chat --proxy "socks5://$open_socks"
  check "socks5h: ALL_PROXY=socks5h://... in the environment is used" \
    with_env "ALL_PROXY=socks5h://$open_socks" via Socks5h - hi-env "$named"
  check "socks5: NO_PROXY exempts the target from ALL_PROXY (a dead proxy is never dialled)" \
    with_env "ALL_PROXY=socks5h://$dead" with_env "NO_PROXY=localhost:$named_port" \
    client_says - hello "$named"
  check "socks5: username/password (RFC 1929) from the proxy URL, percent-decoded" \
    via Socks5h - hello "$named" --proxy "socks5h://user:s3%40cr%3At@$auth_socks"
  check "socks5: username/password from --proxy-user" \
    via Socks5h - hello "$named" --proxy "socks5h://$auth_socks" --proxy-user 'user:s3@cr:t'
  check "socks5: a wrong password is refused (RFC 1929 status)" \
    client_fails 'refused the username and password' "$named" --proxy "socks5h://user:wrong@$auth_socks"
  check "socks5: no credentials to a proxy that wants them: no acceptable method" \
    client_fails 'none of the offered authentication methods' "$named" --proxy "socks5h://$auth_socks"
  check "socks5: a target nobody listens on: connection refused (reply 5)" \
    client_fails 'target refused the proxy' "ws://$dead/" --proxy "socks5://$open_socks"
else
  failed=$((failed + 1))
fi

# ---- wss: TLS (rustls) in the client example, directly and inside both kinds of tunnel
# A test CA and a leaf for localhost and 127.0.0.1 signed by it, made here (openssl).
mkcerts() {
  local d=$tmp/pki
  mkdir -p "$d" && cd "$d" || return 1
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >leaf.ext
  for ca in ca other-ca; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $ca.key \
      -out $ca.pem -days 2 -subj "/CN=ws-handshake test $ca" 2>/dev/null || return 1
  done
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr \
    -subj /CN=localhost 2>/dev/null &&
    openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile leaf.ext -out leaf.pem 2>/dev/null
  local status=$?
  cd "$here" || return 1
  return $status
}
tls_port=$(free_port)
if mkcerts &&
  start tls-py python3 py_server.py --tls "$tmp/pki/leaf.pem" "$tmp/pki/leaf.key" --host localhost --port "$tls_port"; then
  ca=(--ca "$tmp/pki/ca.pem")
  check "wss: client example to python websockets over TLS, by address" \
    client_says - hello "wss://127.0.0.1:$tls_port/" "${ca[@]}"
  check "wss: a certificate from another CA is refused" \
    client_fails 'certificate' "wss://127.0.0.1:$tls_port/" --ca "$tmp/pki/other-ca.pem"
  check "wss: no --ca, no connection" \
    client_fails 'wss:// needs --ca' "wss://127.0.0.1:$tls_port/"
  if [ -n "${open_proxy:-}" ]; then
    check "wss: TLS inside a CONNECT tunnel (tinyproxy), 64 KiB" \
      eval 'via Http - "$big" "wss://localhost:$tls_port/" "${ca[@]}" --proxy "http://$open_proxy" &&
        logged "CONNECT localhost:$tls_port HTTP/1.1" "$tmp/open-proxy.log"'
    check "wss: https_proxy in the environment is used for wss://" \
      with_env "https_proxy=http://$open_proxy" via Http - hi-env "wss://localhost:$tls_port/" "${ca[@]}"
  fi
  if [ -n "${open_socks:-}" ]; then
    check "wss: TLS inside a SOCKS5 tunnel (socks5h, microsocks)" \
      via Socks5h - hello "wss://localhost:$tls_port/" "${ca[@]}" --proxy "socks5h://$open_socks"
  fi
else
  failed=$((failed + 1))
fi

# A raw server that only redirects: relative and absolute Locations, http: mapped to ws:,
# a loop, a same-origin hop and a cross-origin hop (another instance, another port).
if [ -n "${py_addr:-}" ] && start redirect-other python3 redirect_server.py --route "/cross2=302:ws://$py_addr/" &&
  other_addr=$addr &&
  start redirect python3 redirect_server.py --route "/abs=301:ws://$py_addr/" --route "/rel=307:/abs" \
    --route "/http=308:http://$py_addr/" --route "/loop=302:/loop" --route "/same=307:same2" \
    --route "/same2=303:ws://$py_addr/" --route "/cross=302:ws://$other_addr/cross2" \
    --route "/c1=302:/c2" --route "/c2=302:/c3" --route "/c3=302:/c4" --route "/c4=302:/c5" \
    --route "/c5=302:/c6" --route "/c6=302:ws://$py_addr/"; then
  redirect_addr=$addr
  check "redirect: without --follow the 301 is reported with its Location" \
    client_fails "refused the handshake: 301" "ws://$redirect_addr/abs"
  check "redirect: --follow, relative 307 then absolute 301, to python websockets" \
    client_says - hello "ws://$redirect_addr/rel" --follow
  check "redirect: --follow maps http: to ws: (308)" \
    client_says - hello "ws://$redirect_addr/http" --follow
  check "redirect: a loop is refused at the first repeated URL" \
    client_fails "redirect loop" "ws://$redirect_addr/loop" --follow
  check "redirect: a chain of 6 redirects stops after 5" \
    client_fails "more than 5 redirects" "ws://$redirect_addr/c1" --follow
  check "redirect: Authorization kept for the same origin" \
    eval 'client_says - hello "ws://$redirect_addr/same" --follow --user u:p &&
      logged "request /same2 authorization=present" "$tmp/redirect.out"'
  check "redirect: Authorization dropped for another origin" \
    eval 'client_says - hello "ws://$redirect_addr/cross" --follow --user u:p --header "X-Token: t" &&
      logged "request /cross authorization=present" "$tmp/redirect.out" &&
      logged "request /cross2 authorization=absent" "$tmp/redirect-other.out"'
  if [ -n "${open_proxy:-}" ]; then
    check "redirect: followed through the proxy (each hop tunnelled)" \
      eval 'tunnelled "$tmp/open-proxy.log" "$redirect_addr" client_says - hello "ws://$redirect_addr/rel" --follow --proxy "http://$open_proxy" &&
        logged "CONNECT $py_addr HTTP/1.1" "$tmp/open-proxy.log"'
  fi
else
  failed=$((failed + 1))
fi

finish
