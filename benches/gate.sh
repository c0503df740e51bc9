#!/usr/bin/env bash
# The CI speed gate: instructions per handshake of every workload of
# benches/workloads.rs, counted by valgrind's callgrind (exact for one build, unlike
# timings on a shared machine), against benches/baseline.instructions. Fails when a
# workload costs more than 1% above its baseline line. The build is fixed: the bench
# profile of benches/Cargo.toml (LTO, one codegen unit), no RUSTFLAGS, and the
# compiler named in the baseline; a run with N = 0 is subtracted, so set-up and
# warm-up cancel out.
#
# Usage: bash benches/gate.sh            check against the baseline (CI)
#        bash benches/gate.sh --update   rewrite the baseline: commit it with the
#                                        change whose cost it accepts
# Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")"
baseline=baseline.instructions
runs=2000
limit_percent=1
workloads=(server server_full server_1byte client connect inspect)
floors=(floor/validating floor/bare)

unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS
# The build must not depend on where the checkout lives: the same commit built in
# two checkouts counted up to 0.6% apart (the floors too, which hold no crate code),
# since the crate's path reaches its symbols' hashes and its panic locations, and with
# them the code's layout. So the working tree is copied to one fixed path and built
# there (into this checkout's target directory, so dependencies are reused).
stage=/tmp/ws-handshake-gate
rm -rf "$stage" && mkdir -p "$stage"
(cd .. && tar --exclude=./benches/target --exclude=./tests/interop/node_modules -cf - \
    Cargo.toml Cargo.lock README.md src examples tests benches) | tar -xf - -C "$stage"
CARGO_TARGET_DIR="$PWD/target" cargo build --quiet --profile bench --bin instr_count \
    --manifest-path "$stage/benches/Cargo.toml"
bin=target/release/instr_count
rustc=$(rustc -V)

# The binary runs from a path of fixed length with an empty environment: they sit on
# the initial stack, so they could shift its alignment.
run_dir=$(mktemp -d /tmp/ws-gate.XXXXXX)
trap 'rm -rf "$run_dir" "$stage"' EXIT
cp "$bin" "$run_dir/instr_count"
valgrind=$(command -v valgrind)
count() { # workload runs -> instructions of the whole run
    env -i "$valgrind" --tool=callgrind --callgrind-out-file=/dev/null \
        "$run_dir/instr_count" "$1" "$2" 2>&1 | sed -n 's/.*refs: *//p' | tr -d ,
}
per_handshake() { # workload -> instructions per handshake
    local total base
    total=$(count "$1" "$runs")
    base=$(count "$1" 0)
    echo $(((total - base) / runs))
}

declare -A now
for w in "${workloads[@]}" "${floors[@]}"; do
    now[$w]=$(per_handshake "$w")
done

if [ "${1:-}" = "--update" ]; then
    {
        echo "# Instructions per handshake (callgrind), checked by benches/gate.sh in CI: more"
        echo "# than ${limit_percent}% above a line fails. Rewrite with: bash benches/gate.sh --update"
        echo "# compiler: $rustc"
        for w in "${workloads[@]}"; do echo "$w ${now[$w]}"; done
        echo "# the floors (no crate code; not gated, for the ratios):"
        for w in "${floors[@]}"; do echo "# $w ${now[$w]}"; done
    } >"$baseline"
    echo "wrote benches/$baseline:"
    cat "$baseline"
    exit 0
fi

recorded=$(sed -n 's/^# compiler: //p' "$baseline")
if [ "$recorded" != "$rustc" ]; then
    echo "benches/$baseline was counted with '$recorded', this is '$rustc':"
    echo "instruction counts are only comparable from one compiler. Count the base"
    echo "commit with this compiler (bash benches/gate.sh --update) and commit the file."
    exit 1
fi
status=0
printf '| workload | baseline | now | change |\n| --- | ---: | ---: | ---: |\n'
for w in "${workloads[@]}"; do
    base=$(awk -v w="$w" '$1 == w { print $2 }' "$baseline")
    if [ -z "$base" ]; then
        echo "| $w | – | ${now[$w]} | no baseline line |"
        status=1
        continue
    fi
    change=$(awk -v a="${now[$w]}" -v b="$base" 'BEGIN { printf "%+.2f%%", (a - b) * 100 / b }')
    verdict=
    if [ $((now[$w] * 100)) -gt $((base * (100 + limit_percent))) ]; then
        verdict=" FAIL"
        status=1
    fi
    echo "| $w | $base | ${now[$w]} | $change$verdict |"
done
for w in "${floors[@]}"; do
    echo "| $w (not gated) | $(sed -n "s|^# $w ||p" "$baseline") | ${now[$w]} | |"
done
v=${now[floor/validating]}
awk -v s="${now[server]}" -v f="${now[server_full]}" -v v="$v" \
    'BEGIN { printf "\ncrate / validating floor, instructions: server %.3f, server_full %.3f\n", s / v, f / v }'
if [ "$status" != 0 ]; then
    echo
    echo "A workload costs more than ${limit_percent}% above benches/$baseline. Find out why"
    echo "(bash benches/compare.sh HEAD shows it against the last commit). If the cost is"
    echo "accepted, run bash benches/gate.sh --update and commit the file with the change."
fi
exit "$status"
