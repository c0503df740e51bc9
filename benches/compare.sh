#!/usr/bin/env bash
# Old vs new in ONE binary: the crate at git revision REV (renamed ws-handshake-old)
# and the working tree (ws-handshake), plus the working tree again under another
# name (ws-handshake-twin) as the A/A control, linked into benches/compare.rs.
# Prints instructions per handshake of old and new under callgrind (exact), then the
# medians of interleaved timed batches: new/old per workload beside twin/new, which is
# what code placement alone moves a ratio by; and the crate against the floors.
#
# Usage: bash benches/compare.sh [--align] [--rounds N] [--runs N] REV
#   --align     build with every function and block start aligned, which shrinks
#               the placement noise (the A/A column shows by how much)
#   --rounds N  timed rounds (default 7; medians are taken over them)
#   --runs N    handshakes per callgrind count (default 2000; a run of 0 is subtracted)
# The old source comes from git (no network); dependencies at the versions of
# benches/Cargo.lock, from the local cargo cache when it has them.
# Needs git, python3 and valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
align=0 rounds=7 runs=2000 rev=
while [ $# -gt 0 ]; do
    case $1 in
    --align) align=1 ;;
    --rounds) rounds=$2; shift ;;
    --runs) runs=$2; shift ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) rev=$1 ;;
    esac
    shift
done
[ -n "$rev" ] || { sed -n '2,/^set/p' "$0" | sed '$d'; exit 2; }
commit=$(git rev-parse --verify "$rev^{commit}")
work=$root/benches/target/compare
mkdir -p "$work"

# A copy of the crate as package NAME (version bumped with a suffix), with only its
# library, features and dependencies, so its tests, examples and dev-dependencies
# are neither resolved nor built.
rename() { # dir name suffix
    python3 - "$1/Cargo.toml" "$2" "$3" <<'EOF'
import sys, tomllib
path, name, suffix = sys.argv[1:]
with open(path, "rb") as f:
    m = tomllib.load(f)
def val(v):
    if isinstance(v, bool): return "true" if v else "false"
    if isinstance(v, str): return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list): return "[" + ", ".join(val(x) for x in v) + "]"
    if isinstance(v, dict): return "{ " + ", ".join(f'"{k}" = {val(x)}' for k, x in v.items()) + " }"
    return str(v)
p = m["package"]
out = ["[package]", f'name = "{name}"', f'version = "{p["version"]}-{suffix}"',
       f'edition = "{p["edition"]}"', "autobins = false", "autoexamples = false",
       "autotests = false", "autobenches = false", "", "[lib]", 'name = "' + name.replace("-", "_") + '"',
       'path = "src/lib.rs"', "", "[features]"]
out += [f'"{k}" = {val(v)}' for k, v in m.get("features", {}).items()]
out += ["", "[dependencies]"]
out += [f'"{k}" = {val(v)}' for k, v in m.get("dependencies", {}).items()]
with open(path, "w") as f:
    f.write("\n".join(out) + "\n")
EOF
}

# The old revision, extracted once per commit.
if [ "$(cat "$work/old.commit" 2>/dev/null)" != "$commit" ]; then
    rm -rf "$work/old"
    mkdir -p "$work/old"
    git archive "$commit" Cargo.toml src README.md | tar -x -C "$work/old"
    rename "$work/old" ws-handshake-old old
    echo "$commit" >"$work/old.commit"
fi
# The twin: the working tree as it is now (uncommitted changes included).
mkdir -p "$work/twin"
rm -rf "$work/twin/src"
cp -a "$root/src" "$work/twin/src" # mtimes kept: cargo rebuilds only for changes
cp -p "$root/README.md" "$work/twin/"
# The manifest is replaced only when it changes, so cargo does not rebuild for nothing.
fresh=$(mktemp -d)
cp "$root/Cargo.toml" "$fresh/Cargo.toml"
rename "$fresh" ws-handshake-twin twin
cmp -s "$fresh/Cargo.toml" "$work/twin/Cargo.toml" || cp "$fresh/Cargo.toml" "$work/twin/Cargo.toml"
rm -rf "$fresh"

# Revisions from before the layered redesign name the server outcome `Feed`.
features=()
if ! git grep -q 'ServerFeed' "$commit" -- src/lib.rs; then
    features+=(old-feed-api)
fi
# ... and before the names were settled, the server refused (`Request::refuse`).
if git grep -q 'pub fn refuse(' "$commit" -- src; then
    features+=(old-refuse-api)
fi
if ((${#features[@]})); then
    features=(--features "${features[*]}")
fi

mkdir -p "$work/harness"
cat >"$work/harness/Cargo.toml.new" <<EOF
[package]
name = "ws-handshake-compare"
version = "0.0.0"
edition = "2021"
publish = false

[[bin]]
name = "compare"
path = "$root/benches/compare.rs"

[features]
old-feed-api = []
old-refuse-api = []

[dependencies]
ws-handshake = { path = "$root", features = ["http"] }
ws-handshake-old = { path = "../old", features = ["http"] }
ws-handshake-twin = { path = "../twin", features = ["http"] }
httparse = "1.10"
sha1 = "0.10"
base64 = "0.22"
http = "1"

[profile.release]
lto = true
codegen-units = 1

[workspace]
EOF
cmp -s "$work/harness/Cargo.toml.new" "$work/harness/Cargo.toml" \
    || mv "$work/harness/Cargo.toml.new" "$work/harness/Cargo.toml"
rm -f "$work/harness/Cargo.toml.new"
[ -f "$work/harness/Cargo.lock" ] || cp "$root/benches/Cargo.lock" "$work/harness/Cargo.lock"

target=$work/target
if [ "$align" = 1 ]; then
    target=$work/target-aligned
    export RUSTFLAGS="${RUSTFLAGS:-} -C llvm-args=-align-all-functions=6 -C llvm-args=-align-all-nofallthru-blocks=5"
fi
echo "building $(git rev-parse --short "$commit") (old) and the working tree (new, twin)${features[*]:+, ${features[*]}}${RUSTFLAGS:+, RUSTFLAGS=$RUSTFLAGS}" >&2
build() { CARGO_TARGET_DIR=$target cargo build --quiet --release \
    --manifest-path "$work/harness/Cargo.toml" "${features[@]}" "$@"; }
# From the local cargo cache if it holds every dependency, else from crates.io.
build --offline 2>/dev/null || build
bin=$target/release/compare

count() { # impl workload runs -> total instructions
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" count "$1" "$2" "$3" 2>&1 \
        | sed -n 's/.*refs: *//p' | tr -d ,
}
counts=$work/counts
: >"$counts"
echo "counting instructions ($runs handshakes minus 0, callgrind)" >&2
for w in server server_full server_1byte client connect inspect; do
    for imp in old new; do
        echo "$imp $w $((($(count "$imp" "$w" "$runs") - $(count "$imp" "$w" 0)) / runs))" >>"$counts"
    done
done
for w in server bare; do
    echo "floor $w $((($(count floor "$w" "$runs") - $(count floor "$w" 0)) / runs))" >>"$counts"
done

echo "old: $rev ($(git rev-parse --short "$commit")); new: working tree at $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' + changes'); aligned: $([ "$align" = 1 ] && echo yes || echo no)"
"$bin" time "$rounds" "$counts"
