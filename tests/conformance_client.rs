//! Issue 14, client points 1–3: the `Upgrade` of a `101` names websocket alone,
//! interim `1xx` responses before it are skipped, offered subprotocols are unique.

mod common;

use common::builders::{
    every_chunking as every_split, head, response_101_with_upgrade as response_with_upgrade,
    split_at, Pieces, ACCEPT, NONCE,
};
use common::counting::{allocations, Counting};
use common::pair::{dial, ClientOutcome as Outcome};
use proptest::prelude::*;
use ws_handshake::{
    BuildError, ClientConfig, ClientError, ClientFeed, ClientHandshake, ClientKey, ConnectClient,
    ConnectResponse, Limits, ServerConfig, ServerFeed, ServerHandshake, WsUrl,
};

const URL: &str = "ws://example.com/chat";

// A counting allocator, for the allocation-free claim of point 2.
#[global_allocator]
static GLOBAL: Counting = Counting;

// ---------------------------------------------------------------------------------
// Feeding helpers.

/// Feeds the chunks in order until an outcome (`common::pair::dial`: the leftover
/// includes the chunks never fed, and the outcome is checked to be final).
fn run(config: &ClientConfig, chunks: &[&[u8]]) -> Outcome {
    dial(config, URL, chunks)
}

fn whole(config: &ClientConfig, bytes: &[u8]) -> Outcome {
    run(config, &[bytes])
}

fn bytewise(config: &ClientConfig, bytes: &[u8]) -> Outcome {
    let chunks: Vec<&[u8]> = bytes.chunks(1).collect();
    run(config, &chunks)
}

/// The outcome of feeding `bytes` whole, after checking that every split into two
/// chunks, and feeding byte by byte, give the same.
fn every_chunking(config: &ClientConfig, bytes: &[u8]) -> Outcome {
    every_split(bytes, Pieces::Two, |chunks| run(config, chunks))
}

/// A valid 101 for the sample nonce.
fn ok101() -> Vec<u8> {
    response_with_upgrade("Upgrade: websocket\r\n")
}

fn is_connected(o: &Outcome) -> bool {
    matches!(o, Outcome::Connected { .. })
}

// ---------------------------------------------------------------------------------
// Point 1

/// RFC 6455 §4.1, response check 2: "If the response lacks an |Upgrade| header field
/// or the |Upgrade| header field contains a value that is not an ASCII
/// case-insensitive match for the value "websocket", the client MUST _Fail the
/// WebSocket Connection_." A 101 naming any other protocol beside websocket, in one
/// line or in several, fails with a typed error, in any chunking.
#[test]
fn p01_upgrade_in_101_must_be_websocket_alone() {
    let config = ClientConfig::new();
    for upgrade in [
        "Upgrade: websocket, h2c\r\n",
        "Upgrade: h2c, websocket\r\n",
        "Upgrade: websocket\r\nUpgrade: h2c\r\n",
        "Upgrade: h2c\r\nUpgrade: websocket\r\n",
        "Upgrade: websocket/13\r\nUpgrade: websocket\r\n",
        "Upgrade: WebSocket, HTTP/2.0\r\n",
        "Upgrade: websocket,\"websocket\"\r\n",
        "Upgrade: websocket, web socket\r\n",
        // RFC 9110 §5.6.1.2 lets a recipient ignore "a reasonable number" of empty
        // elements; a line with more (17 here, the bound is 16) is no list naming
        // websocket alone (a fuzz finding: client_response, 26 commas on a second
        // line once connected). Alone, such a line names nothing: UpgradeLacksWebSocket.
        "Upgrade: websocket\r\nUpgrade: ,,,,,,,,,,,,,,,,, websocket\r\n",
    ] {
        let response = response_with_upgrade(upgrade);
        assert_eq!(
            every_chunking(&config, &response),
            Outcome::Failed(ClientError::UpgradeNotOnlyWebSocket),
            "{upgrade:?}"
        );
    }
    // No websocket at all stays the error it was.
    for upgrade in ["", "Upgrade: h2c\r\n", "Upgrade: ,\r\n", "Upgrade:\r\n"] {
        let response = response_with_upgrade(upgrade);
        assert_eq!(
            whole(&config, &response),
            Outcome::Failed(ClientError::UpgradeLacksWebSocket),
            "{upgrade:?}"
        );
    }
    // websocket alone: any case, optional whitespace, empty list elements (ignored as
    // in every list, RFC 9110 §5.6.1), or repeated (each value still matches).
    for upgrade in [
        "Upgrade: websocket\r\n",
        "Upgrade: WebSocket\r\n",
        "Upgrade:\twebsocket \t\r\n",
        "Upgrade: websocket,\r\n",
        "Upgrade: , WEBSOCKET ,\r\n",
        "Upgrade: websocket\r\nUpgrade: websocket\r\n",
    ] {
        let response = response_with_upgrade(upgrade);
        assert!(
            is_connected(&every_chunking(&config, &response)),
            "{upgrade:?}"
        );
    }
}

/// RFC 6455 §4.2.1 item 3 asks a server only that `Upgrade` *contain* websocket, so
/// the server side keeps accepting `h2c, websocket`; HTTP/2 has no `Upgrade` at all
/// (RFC 9113 §8.2.2), so the extended CONNECT client refuses the field outright.
#[test]
fn server_and_extended_connect_keep_their_upgrade_rules() {
    let server = ServerConfig::new();
    for upgrade in [
        "Upgrade: h2c, websocket\r\n",
        "Upgrade: h2c\r\nUpgrade: websocket\r\n",
    ] {
        let request = format!(
            "GET / HTTP/1.1\r\nHost: a\r\n{upgrade}Connection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        let mut hs = ServerHandshake::new(&server);
        assert!(
            matches!(hs.feed(request.as_bytes()), Ok(ServerFeed::Upgrade(_))),
            "{upgrade:?}"
        );
    }
    let config = ClientConfig::new();
    let client = ConnectClient::new(&config, WsUrl::parse(URL).unwrap());
    assert_eq!(
        client.response(200, [("upgrade", "websocket, h2c")]),
        Err(ClientError::ConnectionSpecificHeader)
    );
    assert!(matches!(
        client.response(200, [("x-other", "1")]),
        Ok(ConnectResponse::Connected(_))
    ));
}

// ---------------------------------------------------------------------------------
// Point 2

const EARLY_HINTS: &[u8] = b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n";
const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";
const FRAMES: &[u8] = b"\x81\x05hello\x88\x00HTTP/1.1 101 \r\n\r\n";

/// RFC 9110 §15.2: "A client MUST be able to parse one or more 1xx responses received
/// prior to a final response, even if the client does not expect one. A user agent
/// MAY ignore unexpected 1xx responses." Interim responses before the 101 (103 Early
/// Hints, 100 Continue, any number, any other 1xx code) are skipped, in every
/// chunking, and the leftover after the final head is exact.
#[test]
fn p02_interim_responses_before_the_101_are_skipped() {
    let config = ClientConfig::new();
    let final_head = ok101();
    let sequences: [&[&[u8]]; 5] = [
        &[EARLY_HINTS],
        &[CONTINUE],
        &[CONTINUE, EARLY_HINTS, CONTINUE],
        &[b"HTTP/1.1 102 Processing\r\n\r\n"],
        &[
            b"HTTP/1.1 199 Whatever\r\nX-A: 1\r\nX-B: 2\r\n\r\n",
            CONTINUE,
        ],
    ];
    for interim in sequences {
        let bytes = [&interim.concat()[..], &final_head, FRAMES].concat();
        let Outcome::Connected {
            headers, leftover, ..
        } = every_chunking(&config, &bytes)
        else {
            panic!("{:?}", String::from_utf8_lossy(&bytes));
        };
        assert_eq!(leftover, FRAMES);
        // The headers are the 101's own.
        assert_eq!(headers.len(), 3);
        assert!(!headers
            .iter()
            .any(|(n, _)| n == "Link" || n.starts_with("X-")));
    }
    // A refusal after an interim response is the final response's refusal.
    let bytes = [
        EARLY_HINTS,
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno",
    ]
    .concat();
    let Outcome::Refused {
        status,
        headers,
        leftover,
        ..
    } = every_chunking(&config, &bytes)
    else {
        panic!()
    };
    assert_eq!((status, leftover.as_slice()), (404, &b"no"[..]));
    assert_eq!(headers, [("Content-Length".to_owned(), b"2".to_vec())]);
    // Interim responses alone leave the handshake waiting for the final one.
    assert_eq!(
        every_chunking(&config, &[EARLY_HINTS, CONTINUE].concat()),
        Outcome::NeedMore
    );
    // 101 is never interim: a bad 101 after a 103 fails as a bad 101.
    let bytes = [EARLY_HINTS, &response_with_upgrade("")].concat();
    assert_eq!(
        every_chunking(&config, &bytes),
        Outcome::Failed(ClientError::UpgradeLacksWebSocket)
    );
    // An interim head is parsed like any other: a malformed one fails.
    let bytes = [
        &b"HTTP/1.1 103 Early Hints\r\nLink </x>\r\n\r\n"[..],
        &ok101(),
    ]
    .concat();
    assert!(matches!(
        every_chunking(&config, &bytes),
        Outcome::Failed(ClientError::Malformed(_))
    ));
    // Each head gets the header-count limit on its own.
    let small = ClientConfig::new().with_limits(Limits::default().with_max_headers(3));
    let bytes = [EARLY_HINTS, EARLY_HINTS, &ok101()].concat();
    assert!(is_connected(&every_chunking(&small, &bytes)));
    let bytes = [
        &b"HTTP/1.1 103 Early Hints\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"[..],
        &ok101(),
    ]
    .concat();
    assert_eq!(
        every_chunking(&small, &bytes),
        Outcome::Failed(ClientError::TooManyHeaders { limit: 3 })
    );
}

/// The head limit bounds the interim heads and the final head together, so a server
/// cannot keep a client reading interim responses forever (RFC 9110 §15.2 lets the
/// client ignore them; the limit is the crate's own bound, documented on `feed`).
#[test]
fn p02_interim_heads_count_against_the_head_limit() {
    let bytes = [CONTINUE, EARLY_HINTS, &ok101(), FRAMES].concat();
    let total = CONTINUE.len() + EARLY_HINTS.len() + ok101().len();
    let fits = ClientConfig::new().with_limits(Limits::default().with_max_head_bytes(total));
    assert!(is_connected(&every_chunking(&fits, &bytes)));
    let short = ClientConfig::new().with_limits(Limits::default().with_max_head_bytes(total - 1));
    assert_eq!(
        every_chunking(&short, &bytes),
        Outcome::Failed(ClientError::HeadTooLarge { limit: total - 1 })
    );
    // Endless 100 Continue: refused once the limit is spent, whatever the chunking.
    let endless = CONTINUE.repeat(1000);
    let config = ClientConfig::new().with_limits(Limits::default().with_max_head_bytes(4096));
    assert_eq!(
        every_chunking(&config, &endless[..5000]),
        Outcome::Failed(ClientError::HeadTooLarge { limit: 4096 })
    );
}

/// RFC 9110 §15.2 with the crate's promises: a caller buffer of the head limit's
/// capacity means no allocation, whether the interim and final heads arrive in one
/// chunk or a byte at a time.
#[test]
fn p02_skipping_interim_heads_allocates_nothing_with_a_caller_buffer() {
    let config = ClientConfig::new();
    let url = WsUrl::parse(URL).unwrap();
    let bytes = [CONTINUE, EARLY_HINTS, &ok101(), FRAMES].concat();
    for chunk_size in [1, 7, bytes.len()] {
        let mut buffer = Vec::with_capacity(config_limit());
        let mut leftover = Vec::with_capacity(bytes.len());
        let before = allocations();
        let mut hs = ClientHandshake::with_buffer(
            &config,
            url,
            ClientKey::from_nonce(NONCE),
            std::mem::take(&mut buffer),
        );
        let mut chunks = bytes.chunks(chunk_size);
        let mut connected = false;
        for chunk in chunks.by_ref() {
            match hs.feed(chunk) {
                Ok(ClientFeed::NeedMore) => {}
                Ok(ClientFeed::Connected(c)) => {
                    leftover.extend_from_slice(c.leftover());
                    connected = true;
                    break;
                }
                other => panic!("{other:?}"),
            }
        }
        for chunk in chunks {
            leftover.extend_from_slice(chunk);
        }
        buffer = hs.into_buffer();
        let allocations = allocations() - before;
        assert!(connected, "chunks of {chunk_size}");
        assert_eq!(leftover, FRAMES, "chunks of {chunk_size}");
        assert_eq!(allocations, 0, "chunks of {chunk_size}");
        assert!(buffer.capacity() >= config_limit());
    }
}

fn config_limit() -> usize {
    Limits::DEFAULT.max_head_bytes()
}

/// RFC 9110 §15.2 at scale: each byte is scanned a bounded number of times however
/// many interim heads there are, so 20 000 `100 Continue` heads (500 KB) fed whole
/// or a byte at a time take well under a second, where rescanning what is left of
/// the chunk per head (about 5·10⁹ byte visits) would take minutes.
#[test]
fn p02_many_interim_heads_stay_linear() {
    let interim = CONTINUE.repeat(20_000);
    let bytes = [&interim[..], &ok101()].concat();
    let config =
        ClientConfig::new().with_limits(Limits::default().with_max_head_bytes(bytes.len()));
    let start = std::time::Instant::now();
    assert!(is_connected(&bytewise(&config, &bytes)));
    assert!(is_connected(&whole(&config, &bytes)));
    let elapsed = start.elapsed();
    assert!(elapsed.as_secs() < 20, "{elapsed:?}");
}

/// A response: interim heads (codes and header lines), then a final head (a valid
/// 101, a 101 naming h2c too, or a 404), then frame bytes.
fn response() -> impl Strategy<Value = (Vec<u8>, Outcome)> {
    let interim = (
        prop::sample::select(vec![100u16, 102, 103, 150, 199]),
        prop::collection::vec("[A-Za-z-]{1,8}: [ -~]{0,12}", 0..3),
    )
        .prop_map(|(code, lines)| {
            let lines: Vec<&str> = lines.iter().map(|l| l.trim_end()).collect();
            head(&format!("HTTP/1.1 {code} Interim"), &lines)
        });
    (
        prop::collection::vec(interim, 0..4),
        0..3u8,
        prop::collection::vec(any::<u8>(), 0..16),
    )
        .prop_map(|(interim, kind, frames)| {
            let (head, expected) = match kind {
                0 => (ok101(), None),
                1 => (
                    response_with_upgrade("Upgrade: websocket, h2c\r\n"),
                    Some(Outcome::Failed(ClientError::UpgradeNotOnlyWebSocket)),
                ),
                _ => (b"HTTP/1.1 404 Not Found\r\n\r\n".to_vec(), None),
            };
            let bytes = [interim.concat(), head, frames.clone()].concat();
            let expected = expected.unwrap_or_else(|| match kind {
                0 => Outcome::Connected {
                    protocol: None,
                    deflate: None,
                    headers: vec![
                        ("Upgrade".into(), b"websocket".to_vec()),
                        ("Connection".into(), b"Upgrade".to_vec()),
                        ("Sec-WebSocket-Accept".into(), ACCEPT.as_bytes().to_vec()),
                    ],
                    leftover: frames.clone(),
                },
                _ => Outcome::Refused {
                    status: 404,
                    reason: "Not Found".into(),
                    headers: vec![],
                    leftover: frames.clone(),
                },
            });
            (bytes, expected)
        })
}

proptest! {
    /// RFC 9110 §15.2 in any chunking: the outcome, with its headers and exact
    /// leftover, depends on the bytes only, never on how they were split.
    #[test]
    fn p02_outcome_is_independent_of_the_chunking(
        (bytes, expected) in response(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let config = ClientConfig::new();
        let chunks = split_at(&bytes, cuts.iter().map(|i| i.index(bytes.len() + 1)));
        prop_assert_eq!(run(&config, &chunks), expected.clone());
        prop_assert_eq!(whole(&config, &bytes), expected);
    }
}

// ---------------------------------------------------------------------------------
// Point 3

/// RFC 6455 §4.1, item 10: the subprotocol names offered "MUST all be unique
/// strings". A configuration offering one twice is refused when it is built, so no
/// front end (HTTP/1.1 `ClientHandshake`, extended CONNECT `ConnectClient`, which
/// both read the same `ClientConfig`) can send `chat, chat`.
#[test]
fn p03_offered_subprotocols_must_be_unique() {
    assert_eq!(
        ClientConfig::new().protocols(["chat", "chat"]).unwrap_err(),
        BuildError::ProtocolRepeated
    );
    assert_eq!(
        ClientConfig::new()
            .protocols(["chat", "superchat", "mqtt", "chat"])
            .unwrap_err(),
        BuildError::ProtocolRepeated
    );
    // Across calls too.
    let once = ClientConfig::new().protocols(["chat"]).unwrap();
    assert_eq!(
        once.clone().protocols(["superchat", "chat"]).unwrap_err(),
        BuildError::ProtocolRepeated
    );
    // Names are compared exactly, as the server's choice is (RFC 6455 §4.1 check 6).
    let config = once.protocols(["Chat", "superchat"]).unwrap();
    let url = WsUrl::parse(URL).unwrap();
    let hs = ClientHandshake::new(&config, url, ClientKey::from_nonce(NONCE));
    let mut request = Vec::new();
    hs.request().write_to(&mut request);
    let request = String::from_utf8(request).unwrap();
    assert!(request.contains("\r\nSec-WebSocket-Protocol: chat, Chat, superchat\r\n"));
    let connect = ConnectClient::new(&config, url).request();
    assert_eq!(
        connect.get("sec-websocket-protocol"),
        Some("chat, Chat, superchat")
    );
    // A bad token is still reported as one.
    assert_eq!(
        ClientConfig::new().protocols(["a b", "a b"]).unwrap_err(),
        BuildError::ProtocolInvalid
    );
}
