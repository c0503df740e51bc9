#!/usr/bin/env bash
# Instructions per handshake of the main workloads, counted by valgrind's callgrind
# (reproducible where timings on a shared machine are not). Needs valgrind.
# Usage: bash benches/instructions.sh [runs]   (default 20000)
set -euo pipefail
cd "$(dirname "$0")"
runs=${1:-20000}
cargo build --quiet --profile bench --bin instr_count
bin=target/release/instr_count
count() { # workload runs -> total instructions
    local file
    file=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$file" "$bin" "$1" "$2" 2>&1 \
        | sed -n 's/.*refs: *//p' | tr -d ,
    rm -f "$file"
}
printf '| workload | instructions per handshake |\n| --- | ---: |\n'
for w in server/floor server/ws_handshake server/ws_handshake_1byte server_minimal/floor \
    server_minimal/ws_handshake client/floor client/ws_handshake; do
    base=$(count "$w" 0)
    total=$(count "$w" "$runs")
    printf '| %s | %d |\n' "$w" $(((total - base) / runs))
done
