//! Memory held per pending handshake (issue 7): a handshake that has received k bytes
//! of an incomplete head holds at most k + 256 bytes in all — its own size plus its
//! buffer's heap capacity — growing with the data rather than preallocating the limit.

use std::mem::size_of;

use ws_handshake::{
    Accept, ClientFeed, ClientHandshake, Error, Limits, Rejection, Request, ServerConfig,
    ServerFeed, ServerHandshake, UpgradeRequest,
};

const SLACK: usize = 256;

/// An incomplete head of `len` bytes: a request line, then header lines, no end.
fn pending_head(len: usize) -> Vec<u8> {
    let mut head = b"GET /chat HTTP/1.1\r\n".to_vec();
    let mut i = 0;
    while head.len() < len {
        head.extend_from_slice(format!("X-Pad-{i}: {}\r\n", "a".repeat(50)).as_bytes());
        i += 1;
    }
    head.truncate(len);
    head
}

/// Bytes held by a pending handshake: the struct plus its heap capacity.
fn held(handshake: &ServerHandshake<'_>) -> usize {
    size_of::<ServerHandshake<'_>>() + handshake.heap_bytes()
}

/// Feeds `head` in `chunk`-byte pieces, checking the bound after every piece.
fn check_bound(config: &ServerConfig, head: &[u8], chunk: usize) {
    let mut handshake = ServerHandshake::new(config);
    assert!(held(&handshake) <= SLACK, "k = 0: {}", held(&handshake));
    let mut k = 0;
    for piece in head.chunks(chunk) {
        assert!(matches!(handshake.feed(piece), Ok(ServerFeed::NeedMore)));
        k += piece.len();
        assert_eq!(handshake.buffered(), k);
        assert!(
            held(&handshake) <= k + SLACK,
            "k = {k}, chunk = {chunk}: holds {} = {} + {} heap",
            held(&handshake),
            size_of::<ServerHandshake<'_>>(),
            handshake.heap_bytes()
        );
    }
}

#[test]
fn bound_holds_at_every_size_up_to_the_limit() {
    let config = ServerConfig::new();
    let limit = config.limits().max_head_bytes();
    assert_eq!(limit, 16 * 1024);
    let head = pending_head(limit);
    for chunk in [1, 7, 100, 1000, 4096, limit] {
        check_bound(&config, &head, chunk);
    }
}

#[test]
fn named_sizes() {
    // k = 0, 100, 4 KiB and the limit, fed one byte at a time and in one piece.
    let config = ServerConfig::new();
    for k in [0, 100, 4096, 16 * 1024] {
        let head = pending_head(k);
        for chunk in [1, k.max(1)] {
            let mut handshake = ServerHandshake::new(&config);
            for piece in head.chunks(chunk) {
                assert!(matches!(handshake.feed(piece), Ok(ServerFeed::NeedMore)));
            }
            assert_eq!(handshake.buffered(), k);
            assert!(
                held(&handshake) <= k + SLACK,
                "k = {k}: {}",
                held(&handshake)
            );
            println!(
                "k = {k:>5}, chunk = {chunk:>5}: holds {:>5} bytes (k + {})",
                held(&handshake),
                held(&handshake) - k
            );
        }
    }
}

#[test]
fn one_byte_past_the_limit_is_refused_and_nothing_more_is_held() {
    let config = ServerConfig::new().with_limits(Limits::default().with_max_head_bytes(1000));
    let head = pending_head(1001);
    let mut handshake = ServerHandshake::new(&config);
    for piece in head.chunks(1).take(1000) {
        assert!(matches!(handshake.feed(piece), Ok(ServerFeed::NeedMore)));
    }
    let capacity = handshake.heap_bytes();
    assert!(capacity <= 1000);
    assert_eq!(
        handshake.feed(&head[1000..]).err(),
        Some(Error::HeadTooLarge { limit: 1000 })
    );
    assert_eq!(handshake.heap_bytes(), capacity);
}

#[test]
fn a_head_fed_whole_is_never_copied() {
    let config = ServerConfig::new();
    let mut handshake = ServerHandshake::new(&config);
    let request = b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    assert!(matches!(
        handshake.feed(request),
        Ok(ServerFeed::Upgrade(_))
    ));
    assert_eq!(handshake.heap_bytes(), 0);
}

#[test]
fn sizes_of_public_state_types() {
    // Reported in the README; the first is what a pending connection costs.
    let sizes = [
        ("ServerHandshake", size_of::<ServerHandshake<'_>>()),
        ("ServerFeed", size_of::<ServerFeed<'_>>()),
        (
            "Result<ServerFeed, Error>",
            size_of::<Result<ServerFeed<'_>, Error>>(),
        ),
        ("UpgradeRequest", size_of::<UpgradeRequest<'_>>()),
        ("Request", size_of::<Request<'_>>()),
        ("Accept", size_of::<Accept<'_>>()),
        ("Rejection", size_of::<Rejection<'_>>()),
        ("Error", size_of::<Error>()),
        ("ServerConfig", size_of::<ServerConfig>()),
        ("ClientHandshake", size_of::<ClientHandshake<'_>>()),
        ("ClientFeed", size_of::<ClientFeed<'_>>()),
    ];
    for (name, size) in sizes {
        println!("size_of::<{name}>() = {size}");
    }
    assert!(size_of::<ServerHandshake<'_>>() <= 128);
}
