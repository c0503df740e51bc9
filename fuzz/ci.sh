#!/usr/bin/env bash
# Bounded fuzz run for CI, on the stable toolchain (see fuzz/README.md):
#   1. install cargo-fuzz 0.13.2 if it is missing;
#   2. build every target without a sanitizer (`-s none` needs no nightly);
#   3. replay the committed corpus, each input once;
#   4. fuzz every target for FUZZ_SECONDS (default 60), new inputs into a scratch dir.
# Exits non-zero if any target crashes or breaks an invariant; the input is saved
# under fuzz/artifacts/<target>/ and the command to reproduce it is printed.
#
# Environment: FUZZ_SECONDS (per target, default 60), FUZZ_TARGET_DIR (build dir,
# default fuzz/target).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${FUZZ_SECONDS:-60}
target_dir=${FUZZ_TARGET_DIR:-fuzz/target}

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2

host=$(rustc -vV | sed -n 's/^host: //p')
bin="$target_dir/$host/release"
mapfile -t targets < <(cargo fuzz list)
echo "fuzz targets: ${targets[*]}"

cargo fuzz build -s none --target-dir "$target_dir"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=()

for t in "${targets[@]}"; do
    mkdir -p "fuzz/artifacts/$t" "fuzz/corpus/$t"
    echo "== replay $t: $(ls "fuzz/corpus/$t" | wc -l) committed inputs"
    if ! "$bin/$t" "fuzz/corpus/$t" -runs=0 -artifact_prefix="fuzz/artifacts/$t/" 2>&1 \
        | grep -vE '^(WARNING: Failed to find function|INFO: Loaded)'; then
        failed+=("$t (replay)")
    fi
done

for t in "${targets[@]}"; do
    mkdir -p "$scratch/$t"
    echo "== fuzz $t for ${seconds}s"
    if ! cargo fuzz run -s none --target-dir "$target_dir" "$t" "$scratch/$t" "fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" 2>&1 \
        | grep -vE '^(WARNING: Failed to find function|INFO: Loaded|#[0-9]+\s+(NEW|REDUCE|pulse))'; then
        failed+=("$t")
    fi
done

if ((${#failed[@]})); then
    echo "fuzz: FAILED: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzz: ${#targets[@]} targets clean (corpus replay + ${seconds}s each)"
