# The harness run.sh and h3.sh share; sourced after `set +e`, so a failing check is
# counted, not fatal. Defines $tmp (removed at exit), start, check, python_checks,
# logged and finish; servers started with `start` are killed at exit.
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
# "listening on ADDR" line; sets $addr and $pid. Its stderr stays in $tmp/NAME.err.
start() {
  local name=$1
  shift
  : >"$tmp/$name.out" # exists before the poll below reads it
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  pid=$!
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

passed=0 failed=0
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

# python_checks NAME CMD...: a script that prints its own "ok"/"FAIL" lines; each
# counts as one check, and a non-zero exit without a FAIL line counts as one failure.
python_checks() {
  local name=$1
  shift
  "$@" >"$tmp/py.out" 2>&1
  local status=$?
  cat "$tmp/py.out"
  passed=$((passed + $(grep -c '^ok ' "$tmp/py.out")))
  failed=$((failed + $(grep -c '^FAIL' "$tmp/py.out")))
  if [ $status -ne 0 ] && ! grep -q '^FAIL' "$tmp/py.out"; then
    echo "FAIL $name: exit status $status"
    failed=$((failed + 1))
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

# finish: the summary line; the exit status says whether every check passed.
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
