//! The server handshake of one Chromium request (and of the same request offering
//! nothing to negotiate) and the client's check of one real 101, each next to a bare floor and the Rust peers: tungstenite (over a blocking
//! in-memory stream), soketto, ratchet_rs and fastwebsockets (async, driven in memory
//! by a no-op-waker executor; see benches/common/peers.rs for what each does and
//! does not do in its handshake, and why soketto is not in `server_8k_cookie`).
//!
//! Run with `cargo bench --bench handshake`, then `python3 benches/summary.py` for the
//! table (median ns, ratio to the floor and to tungstenite, allocations). Every
//! implementation's output is checked once before it is timed.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

mod common;
use common::*;
#[path = "common/peers.rs"]
mod peers;
use peers::*;

/// Checks every workload once, so none can win by skipping work, and pins down what
/// the peers' doc comments (benches/common/peers.rs) say they do and do not do.
fn check_all(config: &ws_handshake::ServerConfig, ratchet_config: &RatchetConfig) {
    let mut out = Vec::new();
    let mut buffer = Vec::new();
    let extensions = "sec-websocket-extensions";
    for request in [REQUEST, REQUEST_8K] {
        ws_whole(config, request, &mut out);
        check_101("ws_handshake", &out, Some("chat"));
        let deflate = b"\r\nSec-WebSocket-Extensions: permessage-deflate\r\n";
        assert!(
            out.windows(deflate.len()).any(|w| w == deflate),
            "deflate negotiated: {:?}",
            String::from_utf8_lossy(&out)
        );
        let whole = out.clone();
        for chunk in [1, 7, 100] {
            ws_chunked(config, request, chunk, &mut buffer, &mut out);
            assert_eq!(out, whole, "ws_handshake fed {chunk} bytes at a time");
        }
        floor(request, &mut out);
        check_101("floor", &out, None);
        validating_floor(request, &mut out);
        check_101("validating_floor", &out, Some("chat"));
        let by_floor = out.clone();
        ws_whole(&validating_config(), request, &mut out);
        assert_eq!(
            out, by_floor,
            "ws_handshake_validating: the validating floor's 101"
        );
        tungstenite(request, &mut out);
        check_101("tungstenite", &out, Some("chat"));
        ratchet(ratchet_config, true, request, &mut out);
        check_101("ratchet", &out, Some("chat"));
        assert!(has_header(&out, extensions), "ratchet negotiates deflate");
        ratchet(ratchet_config, false, request, &mut out);
        check_101("ratchet_no_deflate", &out, Some("chat"));
        assert!(!has_header(&out, extensions), "ratchet_no_deflate");
        fastwebsockets(request, &mut out);
        check_101("fastwebsockets", &out, Some("chat"));
    }
    // soketto negotiates deflate but matches a protocol header's whole value: Chromium's
    // `chat, superchat` selects nothing, a lone `chat` is selected. Heads over 8 KiB: 400.
    soketto(REQUEST, &mut out);
    check_101("soketto", &out, None);
    assert!(has_header(&out, extensions), "soketto negotiates deflate");
    assert!(
        !has_header(&out, "sec-websocket-protocol"),
        "soketto: no protocol"
    );
    let lone_chat = String::from_utf8_lossy(REQUEST).replace("chat, superchat", "chat");
    soketto(lone_chat.as_bytes(), &mut out);
    check_101("soketto (lone chat)", &out, Some("chat"));
    soketto(REQUEST_8K, &mut out);
    assert!(
        out.starts_with(b"HTTP/1.1 400 "),
        "soketto refuses heads over 8 KiB"
    );
    let client = client_config();
    assert_eq!(ws_client(&client, RESPONSE, &mut out), Some((true, 12)));
    check_client_request("client/ws_handshake", &out);
    assert_eq!(client_floor(RESPONSE, &mut out), Some((false, 0)));
    check_client_request("client/floor", &out);
    assert_eq!(client_tungstenite(RESPONSE, &mut out), Some((true, 0)));
    check_client_request("client/tungstenite", &out);
    assert_eq!(client_soketto(&mut out), Some((true, 0)));
    check_client_request_random_key("client/soketto", &out);
    for deflate in [true, false] {
        assert_eq!(
            client_ratchet(ratchet_config, deflate, &mut out),
            Some((true, 0))
        );
        check_client_request_random_key("client/ratchet", &out);
    }
    assert_eq!(client_fastwebsockets(RESPONSE, &mut out), Some((true, 0)));
    check_client_request("client/fastwebsockets", &out);
    // fastwebsockets' client does not check Sec-WebSocket-Accept.
    let wrong = String::from_utf8_lossy(RESPONSE).replace(
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    );
    assert_ne!(wrong.as_bytes(), RESPONSE);
    let wrong: &'static [u8] = Box::leak(wrong.into_bytes().into_boxed_slice());
    assert_eq!(client_fastwebsockets(wrong, &mut out), Some((true, 0)));
    ws_whole(&minimal_config(), REQUEST_MINIMAL, &mut out);
    check_101("server_minimal/ws_handshake", &out, None);
    assert!(
        !has_header(&out, "sec-websocket-protocol") && !has_header(&out, extensions),
        "nothing negotiated"
    );
    floor(REQUEST_MINIMAL, &mut out);
    check_101("server_minimal/floor", &out, None);
    ws_whole(config, REQUEST_BAD_KEY, &mut out);
    check_400("ws_handshake_rejection", &out);
    assert_eq!(
        ws_handshake::AcceptKey::from_key(KEY).as_str(),
        expected_accept()
    );
}

fn server(c: &mut Criterion) {
    let config = config();
    let ratchet_config = ratchet_config();
    check_all(&config, &ratchet_config);
    let validating = validating_config();
    let mut out = Vec::with_capacity(1024);
    let mut buffer = Vec::new();

    for (group, request) in [("server", REQUEST), ("server_8k_cookie", REQUEST_8K)] {
        let mut g = c.benchmark_group(group);
        g.throughput(Throughput::Bytes(request.len() as u64));
        g.bench_function("ws_handshake", |b| {
            b.iter(|| ws_whole(&config, black_box(request), &mut out))
        });
        g.bench_function("ws_handshake_1byte", |b| {
            b.iter(|| ws_chunked(&config, black_box(request), 1, &mut buffer, &mut out))
        });
        if group == "server" {
            g.bench_function("ws_handshake_rejection", |b| {
                b.iter(|| ws_whole(&config, black_box(REQUEST_BAD_KEY), &mut out))
            });
        }
        g.bench_function("floor", |b| b.iter(|| floor(black_box(request), &mut out)));
        // The same job as the validating floor: every check, `chat`, no deflate, any Origin.
        g.bench_function("ws_handshake_validating", |b| {
            b.iter(|| ws_whole(&validating, black_box(request), &mut out))
        });
        g.bench_function("validating_floor", |b| {
            b.iter(|| validating_floor(black_box(request), &mut out))
        });
        g.bench_function("tungstenite", |b| {
            b.iter(|| tungstenite(black_box(request), &mut out))
        });
        // soketto refuses the 8 KiB-cookie head (see `soketto`).
        if group == "server" {
            g.bench_function("soketto", |b| {
                b.iter(|| soketto(black_box(request), &mut out))
            });
        }
        g.bench_function("ratchet", |b| {
            b.iter(|| ratchet(&ratchet_config, true, black_box(request), &mut out))
        });
        g.bench_function("ratchet_no_deflate", |b| {
            b.iter(|| ratchet(&ratchet_config, false, black_box(request), &mut out))
        });
        g.bench_function("fastwebsockets", |b| {
            b.iter(|| fastwebsockets(black_box(request), &mut out))
        });
        g.finish();
    }

    // The same checks on a request that offers nothing to negotiate: the fixed cost.
    let minimal = minimal_config();
    let mut g = c.benchmark_group("server_minimal");
    g.throughput(Throughput::Bytes(REQUEST_MINIMAL.len() as u64));
    g.bench_function("ws_handshake", |b| {
        b.iter(|| ws_whole(&minimal, black_box(REQUEST_MINIMAL), &mut out))
    });
    g.bench_function("floor", |b| {
        b.iter(|| floor(black_box(REQUEST_MINIMAL), &mut out))
    });
    g.finish();

    let client = client_config();
    let mut g = c.benchmark_group("client");
    g.throughput(Throughput::Bytes(RESPONSE.len() as u64));
    g.bench_function("ws_handshake", |b| {
        b.iter(|| ws_client(&client, black_box(RESPONSE), &mut out))
    });
    g.bench_function("floor", |b| {
        b.iter(|| client_floor(black_box(RESPONSE), &mut out))
    });
    g.bench_function("tungstenite", |b| {
        b.iter(|| client_tungstenite(black_box(RESPONSE), &mut out))
    });
    // soketto and ratchet draw a random key: their in-memory server computes the
    // accept for it (`Answering`), one SHA-1 + base64 of harness work in their times.
    g.bench_function("soketto", |b| b.iter(|| client_soketto(&mut out)));
    g.bench_function("ratchet", |b| {
        b.iter(|| client_ratchet(&ratchet_config, true, &mut out))
    });
    g.bench_function("ratchet_no_deflate", |b| {
        b.iter(|| client_ratchet(&ratchet_config, false, &mut out))
    });
    g.bench_function("fastwebsockets", |b| {
        b.iter(|| client_fastwebsockets(black_box(RESPONSE), &mut out))
    });
    g.finish();

    let mut g = c.benchmark_group("accept_key");
    g.throughput(Throughput::Bytes(KEY.len() as u64));
    g.bench_function("ws_handshake", |b| {
        b.iter(|| ws_handshake::AcceptKey::from_key(black_box(KEY)))
    });
    g.finish();
}

criterion_group!(benches, server);
criterion_main!(benches);
