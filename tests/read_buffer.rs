//! Reading straight into the handshake's buffer (`read_buffer` + `commit`) gives
//! exactly what `feed` gives for the same bytes: the same outcome at the same byte,
//! the same leftover (RFC 6455 §4.1/§4.2: the bytes after the head are frames, handed
//! on untouched), the same errors (a head over the limit at the same byte, RFC 9110
//! §15.5.20's 431 case; a bare LF, RFC 9112 §2.2), the same stickiness — whatever the
//! chunking. And a pending handshake holds what it received plus one read's room.

mod common;

use std::mem::size_of;

use common::builders::{capture, INVALID_REQUEST_CAPTURES, VALID_REQUEST_CAPTURES};

use proptest::prelude::*;
use ws_handshake::{
    ClientConfig, ClientError, ClientFeed, ClientHandshake, ClientKey, Error, Limits, Misuse,
    OriginPolicy, ServerConfig, ServerFeed, ServerHandshake, WsUrl,
};

/// The room `read_buffer` lends when the buffer must grow.
const ROOM: usize = 1024;
/// The slack `shrink_buffer` keeps.
const SHRUNK_SLACK: usize = 128;

/// A masked text frame "hi" from a client, pipelined after the head.
const FRAME: &[u8] = b"\x81\x82abcd\x09\x0b";

fn server_config(limit: usize) -> ServerConfig {
    ServerConfig::new()
        .protocols(["chat"])
        .unwrap()
        .origin_policy(OriginPolicy::Any)
        .with_limits(Limits::DEFAULT.with_max_head_bytes(limit))
}

/// Everything a caller can see of a server outcome, owned: a description and the
/// leftover bytes, if there is a leftover.
fn server_view(fed: Result<ServerFeed<'_>, Error>) -> (String, Option<Vec<u8>>) {
    let leftover = match &fed {
        Ok(ServerFeed::Upgrade(up)) => Some(up.leftover().to_vec()),
        Ok(ServerFeed::Plain(req)) => Some(req.leftover().to_vec()),
        _ => None,
    };
    (server_text(fed), leftover)
}

fn server_text(fed: Result<ServerFeed<'_>, Error>) -> String {
    match fed {
        Ok(ServerFeed::NeedMore) => "NeedMore".into(),
        Ok(ServerFeed::Upgrade(up)) => {
            let mut answer = Vec::new();
            up.accept().write_to(&mut answer);
            format!(
                "Upgrade path={} protocol={:?} deflate={:?} cookies={:?} headers={:?} \
                 answer={:?}",
                up.path(),
                up.protocol(),
                up.deflate(),
                up.cookies().collect::<Vec<_>>(),
                up.headers()
                    .iter()
                    .map(|h| (h.name.to_string(), h.value.to_vec()))
                    .collect::<Vec<_>>(),
                String::from_utf8_lossy(&answer),
            )
        }
        Ok(ServerFeed::Plain(req)) => format!(
            "Plain {} {} headers={:?}",
            req.method(),
            req.target(),
            req.headers()
                .iter()
                .map(|h| (h.name.to_string(), h.value.to_vec()))
                .collect::<Vec<_>>(),
        ),
        Err(e) => format!("Err({e:?})"),
    }
}

/// Drives two server handshakes over `stream` cut at `sizes` (cycled): one fed, one
/// read into through `read_buffer` and `commit`. A piece larger than the lent room is
/// cut at the room for both. Asserts the same outcome at every step, the room's
/// bounds and the memory bound; returns the steps' outcomes.
/// One step of a lockstep run: the outcome's description, and for a head the bytes of
/// the stream after it (its leftover, then what was not read yet).
type Step = (String, Option<Vec<u8>>);

/// The first step that is not `NeedMore`.
fn decided(steps: &[Step]) -> &Step {
    steps
        .iter()
        .find(|s| s.0 != "NeedMore")
        .expect("no outcome")
}

fn server_lockstep(config: &ServerConfig, stream: &[u8], sizes: &[usize]) -> Vec<Step> {
    let limit = config.limits().max_head_bytes();
    let mut fed = ServerHandshake::new(config);
    let mut read = ServerHandshake::new(config);
    let mut steps = Vec::new();
    let mut at = 0;
    for &size in sizes.iter().cycle() {
        if at >= stream.len() {
            break;
        }
        let held = read.buffered();
        let room = read.read_buffer();
        assert!(!room.is_empty(), "the room is never empty");
        assert!(
            held + room.len() <= (limit + 1).max(held + 1),
            "room {} past the limit {limit} with {held} held",
            room.len()
        );
        let n = size.max(1).min(room.len()).min(stream.len() - at);
        let piece = &stream[at..at + n];
        room[..n].copy_from_slice(piece);
        at += n;
        let by_commit = server_view(read.commit(n));
        let by_feed = server_view(fed.feed(piece));
        assert_eq!(by_commit, by_feed, "after {at} bytes, piece {n}");
        if by_commit.0 == "NeedMore" && steps.iter().all(|s: &Step| s.0 == "NeedMore") {
            // Before any head: what was received plus at most one room.
            let k = read.buffered();
            assert_eq!(k, fed.buffered());
            assert!(
                read.heap_bytes() <= k + ROOM.max(k / 128),
                "{k} bytes held in {} heap bytes",
                read.heap_bytes()
            );
        }
        let (text, leftover) = by_commit;
        steps.push((text, leftover.map(|l| [&l[..], &stream[at..]].concat())));
    }
    // Stickiness: one more byte after the end behaves alike (error, Misuse, more).
    let room = read.read_buffer();
    room[0] = b'G';
    assert_eq!(server_view(read.commit(1)), server_view(fed.feed(b"G")));
    steps
}

#[test]
fn every_split_of_every_captured_request_gives_what_feed_gives() {
    let config = server_config(Limits::DEFAULT.max_head_bytes());
    for name in VALID_REQUEST_CAPTURES
        .iter()
        .chain(&INVALID_REQUEST_CAPTURES)
    {
        let head = capture(&format!("request-{name}.http"));
        let stream = [&head[..], FRAME].concat();
        let whole = server_lockstep(&config, &stream, &[stream.len()]);
        assert_ne!(whole[0].0, "NeedMore", "{name}");
        if whole[0].1.is_some() {
            assert_eq!(whole[0].1.as_deref(), Some(FRAME), "{name}: the leftover");
        }
        for split in 1..stream.len() {
            let steps = server_lockstep(&config, &stream, &[split, stream.len()]);
            // The outcome and the bytes after the head do not depend on the split.
            assert_eq!(decided(&steps), &whole[0], "{name}, split at {split}");
        }
        let bytewise = server_lockstep(&config, &stream, &[1]);
        assert_eq!(decided(&bytewise), &whole[0], "{name}, byte at a time");
        let at = bytewise.iter().position(|s| s.0 != "NeedMore").unwrap();
        assert_eq!(
            at,
            head.len() - 1,
            "{name}: decided at the head's last byte"
        );
    }
}

#[test]
fn leftover_is_exactly_the_committed_bytes_after_the_head() {
    let config = server_config(16 * 1024);
    let head = capture("request-chromium-protocols.http");
    let stream = [&head[..], FRAME].concat();
    let mut hs = ServerHandshake::new(&config);
    // First the head less its final LF, then the LF and three bytes of the frame.
    let (first, rest) = stream.split_at(head.len() - 1);
    let room = hs.read_buffer();
    room[..first.len()].copy_from_slice(first);
    assert!(matches!(hs.commit(first.len()), Ok(ServerFeed::NeedMore)));
    let room = hs.read_buffer();
    room[..4].copy_from_slice(&rest[..4]);
    let Ok(ServerFeed::Upgrade(up)) = hs.commit(4) else {
        panic!("not an upgrade")
    };
    assert_eq!(up.leftover(), &FRAME[..3]);
    // RFC 6455 §4.2.2: frames may follow; after the upgrade nothing is read as a head.
    assert_eq!(
        hs.commit(0).unwrap_err(),
        Error::Misuse(Misuse::FedAfterOutcome)
    );
}

#[test]
fn head_too_large_is_found_at_the_same_byte() {
    let limit = 300;
    let config = server_config(limit);
    let mut pending = b"GET /chat HTTP/1.1\r\nHost: a\r\n".to_vec();
    while pending.len() < 2 * limit {
        pending.extend_from_slice(b"X-Pad: aaaaaaaaaaaaaaaaaaaa\r\n");
    }
    let bytewise = server_lockstep(&config, &pending, &[1]);
    let first_error = bytewise
        .iter()
        .position(|s| s.0.starts_with("Err"))
        .unwrap();
    // RFC 9110 §15.5.20 (431): the byte past the limit is the one refused.
    assert_eq!(first_error, limit);
    assert_eq!(
        bytewise[first_error].0,
        format!("Err({:?})", Error::HeadTooLarge { limit })
    );
    // With one read as large as the room allows: the room stops one byte past the
    // limit, and that byte is refused.
    let mut hs = ServerHandshake::new(&config);
    let mut at = 0;
    loop {
        let room = hs.read_buffer();
        let n = room.len().min(pending.len() - at);
        room[..n].copy_from_slice(&pending[at..at + n]);
        at += n;
        match hs.commit(n) {
            Ok(ServerFeed::NeedMore) => continue,
            Err(e) => {
                assert_eq!(e, Error::HeadTooLarge { limit });
                assert_eq!(at, limit + 1);
                break;
            }
            Ok(_) => panic!("an incomplete head was taken"),
        }
    }
    // Sticky, as with feed.
    assert_eq!(
        hs.commit(0).unwrap_err(),
        Error::HeadTooLarge { limit },
        "the error is sticky"
    );
}

#[test]
fn head_ending_exactly_at_the_limit_is_taken() {
    let head = capture("request-rawclient-minimal.http");
    let config = server_config(head.len());
    let stream = [&head[..], FRAME].concat();
    for size in [1, 2, 7, 64, stream.len()] {
        let steps = server_lockstep(&config, &stream, &[size]);
        let (outcome, leftover) = decided(&steps);
        assert!(outcome.starts_with("Upgrade"), "{size}: {outcome}");
        assert_eq!(leftover.as_deref(), Some(FRAME));
    }
}

#[test]
fn bare_lf_and_garbage_fail_alike() {
    let config = server_config(16 * 1024);
    let head = capture("request-node-ws-default.http");
    // RFC 9112 §2.2: a bare LF ends no line here; other bytes break the grammar.
    for (at, byte) in [(5, b'\n'), (17, b'\n'), (30, b'\r'), (0, b' '), (3, 0u8)] {
        let mut stream = head.clone();
        stream[at] = byte;
        for size in [1, 3, 16, stream.len()] {
            let steps = server_lockstep(&config, &stream, &[size]);
            assert!(
                steps.iter().any(|s| s.0.starts_with("Err")),
                "{at} {byte}: {steps:?}"
            );
        }
    }
}

#[test]
fn a_plain_request_then_the_next_one_on_the_connection() {
    let config = server_config(16 * 1024);
    let plain = capture("request-rawclient-plain.http");
    let upgrade = capture("request-rawclient-minimal.http");
    // The second request arrives in reads of its own, after the plain one was served.
    let mut hs = ServerHandshake::new(&config);
    let room = hs.read_buffer();
    room[..plain.len()].copy_from_slice(&plain);
    let Ok(ServerFeed::Plain(req)) = hs.commit(plain.len()) else {
        panic!("not plain")
    };
    assert!(req.leftover().is_empty());
    for byte in &upgrade {
        let room = hs.read_buffer();
        room[0] = *byte;
        match hs.commit(1) {
            Ok(ServerFeed::NeedMore) => {}
            Ok(ServerFeed::Upgrade(up)) => {
                assert_eq!(up.path(), "/chat");
                return;
            }
            other => panic!("{}", server_text(other)),
        }
    }
    panic!("the second request was not read");
}

#[test]
fn feed_and_commit_mix() {
    // Room lent and not committed is dropped by a feed.
    let config = server_config(16 * 1024);
    let head = capture("request-python-websockets-chat.http");
    let mut hs = ServerHandshake::new(&config);
    let (a, b) = head.split_at(40);
    assert!(matches!(hs.feed(a), Ok(ServerFeed::NeedMore)));
    let _ = hs.read_buffer();
    assert_eq!(hs.buffered(), 40, "lent room is not held data");
    let (b1, b2) = b.split_at(10);
    assert!(matches!(hs.feed(b1), Ok(ServerFeed::NeedMore)));
    let mut at = 0;
    loop {
        let room = hs.read_buffer();
        let n = room.len().min(b2.len() - at);
        room[..n].copy_from_slice(&b2[at..at + n]);
        at += n;
        match hs.commit(n) {
            Ok(ServerFeed::NeedMore) => assert!(at < b2.len()),
            Ok(ServerFeed::Upgrade(up)) => {
                assert_eq!(at, b2.len());
                assert_eq!(up.protocol(), Some("chat"));
                break;
            }
            other => panic!("{}", server_text(other)),
        }
    }
}

#[test]
fn a_pending_handshake_holds_what_it_received_plus_one_room() {
    let config = server_config(16 * 1024);
    let mut head = b"GET /chat HTTP/1.1\r\n".to_vec();
    while head.len() < 16 * 1024 {
        head.extend_from_slice(b"X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    }
    head.truncate(16 * 1024);
    let struct_size = size_of::<ServerHandshake<'_>>();
    for size in [1, 5, 63, 64, 100, 1000, 1024, 4096] {
        let mut hs = ServerHandshake::new(&config);
        hs.shrink_buffer();
        assert_eq!(hs.heap_bytes(), 0, "nothing received, nothing held");
        let mut k = 0;
        while k < head.len() {
            let room = hs.read_buffer();
            let n = size.min(room.len()).min(head.len() - k);
            room[..n].copy_from_slice(&head[k..k + n]);
            k += n;
            assert!(matches!(hs.commit(n), Ok(ServerFeed::NeedMore)));
            assert_eq!(hs.buffered(), k);
            // k bytes, one read's room, the struct: the issue 16 bound.
            assert!(
                struct_size + hs.heap_bytes() <= k + ROOM + 256,
                "size {size}, k = {k}: {} heap",
                hs.heap_bytes()
            );
            if k % 997 < n {
                // What an adapter does before waiting.
                hs.shrink_buffer();
                assert!(
                    hs.heap_bytes() <= k + SHRUNK_SLACK,
                    "shrunk: {}",
                    hs.heap_bytes()
                );
                assert_eq!(hs.buffered(), k);
            }
        }
    }
}

// ---- the client: interim heads, the final head, the frames after it ----

const NONCE: [u8; 16] = *b"the sample nonce";

fn client_view(fed: Result<ClientFeed<'_>, ClientError>) -> (String, Option<Vec<u8>>) {
    let leftover = match &fed {
        Ok(ClientFeed::Connected(c)) => Some(c.leftover().to_vec()),
        Ok(ClientFeed::Refused(r)) => Some(r.leftover().to_vec()),
        _ => None,
    };
    let text = match fed {
        Ok(ClientFeed::NeedMore) => "NeedMore".into(),
        Ok(ClientFeed::Connected(c)) => format!(
            "Connected protocol={:?} deflate={:?} headers={:?}",
            c.protocol(),
            c.deflate(),
            c.headers()
                .iter()
                .map(|h| (h.name.to_string(), h.value.to_vec()))
                .collect::<Vec<_>>(),
        ),
        Ok(ClientFeed::Refused(r)) => format!(
            "Refused {} {:?} headers={:?}",
            r.status(),
            r.reason(),
            r.headers()
                .iter()
                .map(|h| (h.name.to_string(), h.value.to_vec()))
                .collect::<Vec<_>>(),
        ),
        Err(e) => format!("Err({e:?})"),
    };
    (text, leftover)
}

fn client_lockstep(config: &ClientConfig, stream: &[u8], sizes: &[usize]) -> Vec<Step> {
    let url = WsUrl::parse("ws://127.0.0.1/chat").unwrap();
    let mut fed = ClientHandshake::new(config, url, ClientKey::from_nonce(NONCE));
    let mut read = ClientHandshake::new(config, url, ClientKey::from_nonce(NONCE));
    let mut steps = Vec::new();
    let mut at = 0;
    for &size in sizes.iter().cycle() {
        if at >= stream.len() {
            break;
        }
        let room = read.read_buffer();
        assert!(!room.is_empty());
        let n = size.max(1).min(room.len()).min(stream.len() - at);
        let piece = &stream[at..at + n];
        room[..n].copy_from_slice(piece);
        at += n;
        let by_commit = client_view(read.commit(n));
        assert_eq!(by_commit, client_view(fed.feed(piece)), "after {at} bytes");
        let (text, leftover) = by_commit;
        steps.push((text, leftover.map(|l| [&l[..], &stream[at..]].concat())));
    }
    let room = read.read_buffer();
    room[0] = b'H';
    assert_eq!(client_view(read.commit(1)), client_view(fed.feed(b"H")));
    steps
}

/// RFC 9110 §15.2: interim heads before the final one, skipped by the client.
fn with_interim(final_head: &[u8]) -> Vec<u8> {
    [
        &b"HTTP/1.1 100 Continue\r\n\r\n"[..],
        b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n",
        final_head,
        b"\x81\x02hi",
    ]
    .concat()
}

const SWITCH: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
    Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

#[test]
fn client_every_split_with_interim_heads_gives_what_feed_gives() {
    let config = ClientConfig::new();
    let mut finals = vec![SWITCH.to_vec()];
    for name in [
        "response-node-ws-minimal.http",
        "response-python-websockets-plain.http",
        "response-node-ws-version8.http",
    ] {
        finals.push(capture(name));
    }
    for final_head in finals {
        for stream in [
            [&final_head[..], b"\x81\x02hi"].concat(),
            with_interim(&final_head),
        ] {
            let whole = client_lockstep(&config, &stream, &[stream.len()]);
            let first = decided(&whole);
            if first.1.is_some() {
                assert_eq!(first.1.as_deref(), Some(&b"\x81\x02hi"[..]), "the leftover");
            }
            for split in 1..stream.len() {
                let steps = client_lockstep(&config, &stream, &[split, stream.len()]);
                assert_eq!(decided(&steps), first, "split at {split}");
            }
            assert_eq!(decided(&client_lockstep(&config, &stream, &[1])), first);
        }
    }
    // The frame after the 101 is the leftover, whatever the interim heads before it.
    let steps = client_lockstep(&config, &with_interim(SWITCH), &[7]);
    let (outcome, leftover) = decided(&steps);
    assert!(outcome.starts_with("Connected"), "{outcome}");
    assert_eq!(leftover.as_deref(), Some(&b"\x81\x02hi"[..]));
}

#[test]
fn client_interim_heads_count_against_the_limit() {
    let stream = with_interim(SWITCH);
    let final_at = stream.len() - SWITCH.len() - 4;
    // RFC 9110 §15.2 lets a client skip interim heads; the limit bounds them all.
    for limit in [
        final_at - 1,
        final_at + 10,
        stream.len() - 5,
        stream.len() - 4,
    ] {
        let config = ClientConfig::new().with_limits(Limits::DEFAULT.with_max_head_bytes(limit));
        for size in [1, 13, 100] {
            let steps = client_lockstep(&config, &stream, &[size]);
            let (outcome, _) = decided(&steps);
            let taken = limit >= stream.len() - 4;
            assert_eq!(
                outcome.starts_with("Connected"),
                taken,
                "{limit} {size}: {outcome}"
            );
        }
    }
}

// ---- random chunkings ----

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn server_any_chunking_any_corruption(
        which in 0..VALID_REQUEST_CAPTURES.len() + INVALID_REQUEST_CAPTURES.len(),
        sizes in prop::collection::vec(1usize..1500, 1..12),
        corrupt in prop::option::of((any::<prop::sample::Index>(), prop::sample::select(
            vec![b'\n', b'\r', b' ', b':', 0u8, b'a', 0x7f]))),
        limit in prop::sample::select(vec![64usize, 200, 512, 16 * 1024]),
        frames in 0usize..3,
    ) {
        let config = server_config(limit);
        let name = VALID_REQUEST_CAPTURES.iter().chain(&INVALID_REQUEST_CAPTURES).nth(which);
        let head = capture(&format!("request-{}.http", name.unwrap()));
        let mut stream = head.clone();
        if let Some((at, byte)) = corrupt {
            let at = at.index(stream.len());
            stream[at] = byte;
        }
        for _ in 0..frames {
            stream.extend_from_slice(FRAME);
        }
        server_lockstep(&config, &stream, &sizes);
    }

    #[test]
    fn client_any_chunking(
        sizes in prop::collection::vec(1usize..200, 1..12),
        interim in any::<bool>(),
        limit in prop::sample::select(vec![80usize, 150, 16 * 1024]),
    ) {
        let config = ClientConfig::new().with_limits(Limits::DEFAULT.with_max_head_bytes(limit));
        let stream = if interim {
            with_interim(SWITCH)
        } else {
            [SWITCH, b"\x81\x02hi"].concat()
        };
        client_lockstep(&config, &stream, &sizes);
    }
}
