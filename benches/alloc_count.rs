//! Heap allocations per handshake of every benchmarked workload, one line each:
//! `<criterion id> <allocations>`. Read by `benches/summary.py`.
//!
//! The workloads are the ones `benches/handshake.rs` times (`benches/common/mod.rs`),
//! each run once to warm up, then counted over 100 runs and averaged. Every
//! `alloc`, `alloc_zeroed` and `realloc` counts as one allocation.
//!
//! ```text
//! cargo run --manifest-path benches/Cargo.toml --profile bench --bin alloc_count
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

mod common;
use common::*;
#[path = "common/peers.rs"]
mod peers;
use peers::*;

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const RUNS: usize = 100;

/// Average allocations per call of `f`, after one warm-up call.
fn per_run(mut f: impl FnMut()) -> f64 {
    f();
    let before = ALLOCATIONS.load(Relaxed);
    for _ in 0..RUNS {
        f();
    }
    (ALLOCATIONS.load(Relaxed) - before) as f64 / RUNS as f64
}

fn main() {
    let config = config();
    let validating = validating_config();
    let ratchet_config = ratchet_config();
    let mut out = Vec::with_capacity(1024);
    let mut buffer = Vec::new();
    let mut rows = Vec::new();
    for (group, request) in [("server", REQUEST), ("server_8k_cookie", REQUEST_8K)] {
        let n = per_run(|| ws_whole(&config, request, &mut out));
        check_101("ws_handshake", &out, Some("chat"));
        rows.push((format!("{group}/ws_handshake"), n));
        let n = per_run(|| ws_chunked(&config, request, 1, &mut buffer, &mut out));
        check_101("ws_handshake_1byte", &out, Some("chat"));
        rows.push((format!("{group}/ws_handshake_1byte"), n));
        if group == "server" {
            let n = per_run(|| ws_whole(&config, REQUEST_BAD_KEY, &mut out));
            check_400("ws_handshake_rejection", &out);
            rows.push((format!("{group}/ws_handshake_rejection"), n));
        }
        let n = per_run(|| floor(request, &mut out));
        check_101("floor", &out, None);
        rows.push((format!("{group}/floor"), n));
        let n = per_run(|| ws_whole(&validating, request, &mut out));
        check_101("ws_handshake_validating", &out, Some("chat"));
        rows.push((format!("{group}/ws_handshake_validating"), n));
        let n = per_run(|| validating_floor(request, &mut out));
        check_101("validating_floor", &out, Some("chat"));
        rows.push((format!("{group}/validating_floor"), n));
        let n = per_run(|| tungstenite(request, &mut out));
        check_101("tungstenite", &out, Some("chat"));
        rows.push((format!("{group}/tungstenite"), n));
        if group == "server" {
            // soketto refuses the 8 KiB-cookie head, and its 101 carries no subprotocol.
            let n = per_run(|| soketto(request, &mut out));
            check_101("soketto", &out, None);
            rows.push((format!("{group}/soketto"), n));
        }
        let n = per_run(|| ratchet(&ratchet_config, true, request, &mut out));
        check_101("ratchet", &out, Some("chat"));
        rows.push((format!("{group}/ratchet"), n));
        let n = per_run(|| ratchet(&ratchet_config, false, request, &mut out));
        check_101("ratchet_no_deflate", &out, Some("chat"));
        rows.push((format!("{group}/ratchet_no_deflate"), n));
        let n = per_run(|| fastwebsockets(request, &mut out));
        check_101("fastwebsockets", &out, Some("chat"));
        rows.push((format!("{group}/fastwebsockets"), n));
    }
    let minimal = minimal_config();
    let n = per_run(|| ws_whole(&minimal, REQUEST_MINIMAL, &mut out));
    check_101("server_minimal/ws_handshake", &out, None);
    rows.push(("server_minimal/ws_handshake".to_string(), n));
    let n = per_run(|| floor(REQUEST_MINIMAL, &mut out));
    check_101("server_minimal/floor", &out, None);
    rows.push(("server_minimal/floor".to_string(), n));
    let client = client_config();
    let n = per_run(|| assert_eq!(ws_client(&client, RESPONSE, &mut out), Some((true, 12))));
    rows.push(("client/ws_handshake".to_string(), n));
    let n = per_run(|| assert!(client_floor(RESPONSE, &mut out).is_some()));
    rows.push(("client/floor".to_string(), n));
    let n = per_run(|| assert!(client_tungstenite(RESPONSE, &mut out).is_some()));
    rows.push(("client/tungstenite".to_string(), n));
    let n = per_run(|| assert_eq!(client_soketto(&mut out), Some((true, 0))));
    rows.push(("client/soketto".to_string(), n));
    let n = per_run(|| assert!(client_ratchet(&ratchet_config, true, &mut out).is_some()));
    rows.push(("client/ratchet".to_string(), n));
    let n = per_run(|| assert!(client_ratchet(&ratchet_config, false, &mut out).is_some()));
    rows.push(("client/ratchet_no_deflate".to_string(), n));
    let n = per_run(|| assert!(client_fastwebsockets(RESPONSE, &mut out).is_some()));
    rows.push(("client/fastwebsockets".to_string(), n));
    let n = per_run(|| {
        std::hint::black_box(ws_handshake::AcceptKey::from_key(std::hint::black_box(KEY)));
    });
    rows.push(("accept_key/ws_handshake".to_string(), n));
    for (id, n) in rows {
        println!("{id} {n}");
    }
}
