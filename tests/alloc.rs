//! Zero heap allocations per handshake, server and client, once the caller reuses
//! its buffers (issue 7).
//!
//! A counting global allocator counts, per thread, every `alloc`, `alloc_zeroed` and
//! `realloc`; each test warms up once, then asserts that a full handshake — feed,
//! validate, negotiate, write the response into a reused `Vec` — makes none.

use std::cell::Cell;

#[path = "../benches/common/mod.rs"]
mod bench;
mod common;
use bench::*;
use common::counting::{count, Counting};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` once to warm up, checks its output, then counts one more run.
fn allocations_after_warm_up(mut f: impl FnMut(), check: impl Fn()) -> usize {
    f();
    check();
    let n = count(&mut f);
    check();
    n
}

#[test]
fn counter_counts() {
    assert_eq!(count(|| drop(std::hint::black_box(vec![1u8; 10]))), 1);
    let mut v = Vec::<u8>::new();
    assert_eq!(
        count(|| {
            v.reserve_exact(1);
            v.reserve_exact(100);
        }),
        2
    );
}

#[test]
fn server_whole_feed_allocates_nothing() {
    let config = config();
    let out = Cell::new(Vec::with_capacity(512));
    for request in [REQUEST, REQUEST_8K] {
        let n = allocations_after_warm_up(
            || {
                let mut o = out.take();
                ws_whole(&config, request, &mut o);
                out.set(o);
            },
            || {
                let o = out.take();
                check_101("whole", &o, Some("chat"));
                assert!(o.windows(18).any(|w| w == b"permessage-deflate"));
                out.set(o);
            },
        );
        assert_eq!(n, 0, "{} bytes fed whole", request.len());
    }
}

#[test]
fn server_split_feed_with_reused_buffer_allocates_nothing() {
    let config = config();
    let out = Cell::new(Vec::with_capacity(512));
    let buffer = Cell::new(Vec::new());
    for request in [REQUEST, REQUEST_8K] {
        for chunk in [1, 2, 16, 100, 566] {
            let n = allocations_after_warm_up(
                || {
                    let (mut o, mut b) = (out.take(), buffer.take());
                    ws_chunked(&config, request, chunk, &mut b, &mut o);
                    out.set(o);
                    buffer.set(b);
                },
                || {
                    let o = out.take();
                    check_101("split", &o, Some("chat"));
                    out.set(o);
                },
            );
            assert_eq!(n, 0, "{} bytes fed {chunk} at a time", request.len());
        }
    }
}

#[test]
fn server_rejection_allocates_nothing() {
    let config = config();
    let mut out = Vec::with_capacity(512);
    ws_whole(&config, REQUEST_BAD_KEY, &mut out);
    let n = count(|| ws_whole(&config, REQUEST_BAD_KEY, &mut out));
    check_400("bad key", &out);
    assert_eq!(n, 0);
    // Fed in pieces into a reused buffer, too.
    let mut buffer = Vec::new();
    ws_chunked(&config, REQUEST_BAD_KEY, 10, &mut buffer, &mut out);
    let n = count(|| ws_chunked(&config, REQUEST_BAD_KEY, 10, &mut buffer, &mut out));
    check_400("bad key, split", &out);
    assert_eq!(n, 0);
}

#[test]
fn without_a_reused_buffer_split_feeds_allocate_a_few_times() {
    // The contrast: `ServerHandshake::new` grows its buffer with the data, so a
    // split head costs some allocations (a whole head costs none, as above).
    let config = config();
    let mut out = Vec::with_capacity(512);
    let mut fresh = || {
        let mut buffer = Vec::new();
        ws_chunked(&config, REQUEST, 100, &mut buffer, &mut out);
    };
    fresh();
    let n = count(fresh);
    check_101("fresh buffer", &out, Some("chat"));
    assert!((1..=8).contains(&n), "{n} allocations");
}

#[test]
fn client_request_and_validation_allocate_nothing() {
    // Parse the URL, write the request into a reused Vec, feed the whole 101 and
    // check every rule (accept, subprotocol, permessage-deflate parameters).
    let config = client_config();
    let mut out = Vec::with_capacity(512);
    assert_eq!(ws_client(&config, RESPONSE, &mut out), Some((true, 12)));
    let mut outcome = None;
    let n = count(|| outcome = ws_client(&config, RESPONSE, &mut out));
    assert_eq!(outcome, Some((true, 12)));
    check_client_request("client", &out);
    assert_eq!(n, 0);
}
