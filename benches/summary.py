#!/usr/bin/env python3
"""Prints the benchmark table of the bench crate's `handshake` bench as markdown.

Reads criterion's benches/target/criterion/<group>/<bench>/new/estimates.json (median)
and the allocation counts printed by the bench crate's `alloc_count` binary.

    cargo bench --manifest-path benches/Cargo.toml --bench handshake
    python3 benches/summary.py            # add --no-alloc to skip the counting run
"""
import json
import pathlib
import subprocess
import sys

BENCHES = pathlib.Path(__file__).resolve().parent
CRITERION = BENCHES / "target" / "criterion"


def medians():
    found = {}
    for path in sorted(CRITERION.glob("**/new/estimates.json")):
        bench_id = "/".join(path.relative_to(CRITERION).parts[:-2])
        with open(path) as f:
            found[bench_id] = json.load(f)["median"]["point_estimate"]
    return found


def bytes_per_iter(bench_id):
    path = CRITERION / bench_id / "new" / "benchmark.json"
    try:
        with open(path) as f:
            throughput = json.load(f).get("throughput") or {}
        return throughput.get("Bytes")
    except OSError:
        return None


def allocations():
    try:
        run = subprocess.run(
            ["cargo", "run", "--quiet", "--profile", "bench", "--bin", "alloc_count"],
            cwd=BENCHES, check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"(allocation counts unavailable: {e})", file=sys.stderr)
        return {}
    counts = {}
    for line in run.stdout.splitlines():
        name, _, n = line.rpartition(" ")
        counts[name] = float(n)
    return counts


def fmt_ratio(a, b):
    return f"{a / b:.2f}x" if a is not None and b else "–"


def main():
    times = medians()
    if not times:
        sys.exit(f"no results under {CRITERION}; run `cargo bench --manifest-path benches/Cargo.toml --bench handshake` first")
    allocs = {} if "--no-alloc" in sys.argv else allocations()
    print("| benchmark | bytes | median ns | vs floor | vs tungstenite | allocations |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for bench_id, ns in times.items():
        group = bench_id.rsplit("/", 1)[0]
        floor = times.get(f"{group}/floor")
        tung = times.get(f"{group}/tungstenite")
        n = allocs.get(bench_id)
        alloc = "–" if n is None else (f"{n:g}")
        size = bytes_per_iter(bench_id) or "–"
        print(f"| {bench_id} | {size} | {ns:,.0f} | {fmt_ratio(ns, floor)} "
              f"| {fmt_ratio(ns, tung)} | {alloc} |")
    for group in ("server", "server_8k_cookie"):
        vfloor = times.get(f"{group}/validating_floor")
        full, same = times.get(f"{group}/ws_handshake"), times.get(f"{group}/ws_handshake_validating")
        if vfloor and full and same:
            print(f"\n{group}: ws_handshake_validating / validating_floor {same / vfloor:.2f}x, "
                  f"ws_handshake (full job) / validating_floor {full / vfloor:.2f}x")
    ws, one = times.get("server/ws_handshake"), times.get("server/ws_handshake_1byte")
    if ws and one:
        print(f"\n1-byte feed / whole feed: {one / ws:.2f}x")


if __name__ == "__main__":
    main()
