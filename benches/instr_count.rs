//! Runs one benchmarked workload N times, for an instruction count under
//! `valgrind --tool=callgrind` (reproducible where timings are noisy). Driven by
//! `benches/instructions.sh`, which subtracts a run with N = 0 and divides by N.
//!
//! ```text
//! cd benches && cargo build --profile bench --bin instr_count
//! valgrind --tool=callgrind target/release/instr_count server/ws_handshake 20000
//! ```
//! Workloads: `server/ws_handshake`, `server/ws_handshake_1byte`, `server/floor`,
//! `server_minimal/ws_handshake`, `server_minimal/floor`,
//! `client/ws_handshake`, `client/floor` (as in `benches/handshake.rs`).

use std::hint::black_box;

mod common;
use common::*;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(workload), Some(runs)) = (args.next(), args.next().and_then(|n| n.parse().ok()))
    else {
        eprintln!("usage: instr_count <workload> <runs>");
        std::process::exit(2);
    };
    let config = config();
    let client = client_config();
    let minimal = minimal_config();
    let mut out = Vec::with_capacity(1024);
    let mut buffer = Vec::new();
    let mut run: Box<dyn FnMut()> = match workload.as_str() {
        "server/ws_handshake" => Box::new(|| ws_whole(&config, black_box(REQUEST), &mut out)),
        "server/ws_handshake_1byte" => {
            Box::new(|| ws_chunked(&config, black_box(REQUEST), 1, &mut buffer, &mut out))
        }
        "server/floor" => Box::new(|| floor(black_box(REQUEST), &mut out)),
        "server_minimal/ws_handshake" => {
            Box::new(|| ws_whole(&minimal, black_box(REQUEST_MINIMAL), &mut out))
        }
        "server_minimal/floor" => Box::new(|| floor(black_box(REQUEST_MINIMAL), &mut out)),
        "client/ws_handshake" => Box::new(|| {
            black_box(ws_client(&client, black_box(RESPONSE), &mut out));
        }),
        "client/floor" => Box::new(|| {
            black_box(client_floor(black_box(RESPONSE), &mut out));
        }),
        other => {
            eprintln!("unknown workload {other}");
            std::process::exit(2);
        }
    };
    // One run outside the count (with N = 0 too), so warm-up costs cancel out.
    run();
    for _ in 0..runs {
        run();
    }
}
