//! Runs one workload N times, for an instruction count under
//! `valgrind --tool=callgrind` (exact and repeatable where timings are noisy). Driven
//! by `benches/gate.sh`, which subtracts a run with N = 0 and divides by N.
//!
//! ```text
//! cd benches && cargo build --profile bench --bin instr_count
//! valgrind --tool=callgrind target/release/instr_count server 20000
//! ```
//! Workloads: those of `benches/workloads.rs` (`server`, `server_full`,
//! `server_1byte`, `client`, `connect`, `inspect`) and the floors of
//! `benches/floors.rs` (`floor/validating`, the `server` job; `floor/bare`).

use std::hint::black_box;

#[path = "floors.rs"]
mod floors;
#[path = "inputs.rs"]
mod inputs;
mod workloads {
    use ws_handshake as ws;
    use ws_handshake::ServerFeed;
    fn reject(plain: &ws::Request<'_>) -> ws::Rejection<'static> {
        plain.reject()
    }
    include!("workloads.rs");
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(workload), Some(runs)) = (args.next(), args.next().and_then(|n| n.parse().ok()))
    else {
        eprintln!("usage: instr_count <workload> <runs>");
        std::process::exit(2);
    };
    let mut setup = workloads::Setup::prepare();
    let mut out = Vec::with_capacity(1024);
    let mut run = |out: &mut Vec<u8>| match workload.as_str() {
        "floor/validating" => floors::validating_floor(black_box(inputs::REQUEST), out),
        "floor/bare" => floors::floor(black_box(inputs::REQUEST), out),
        other => {
            if !setup.run(other, out) {
                eprintln!("unknown workload {other}");
                std::process::exit(2);
            }
        }
    };
    // One run outside the count (with N = 0 too), so warm-up costs cancel out.
    run(&mut out);
    for _ in 0..runs {
        run(&mut out);
    }
}
