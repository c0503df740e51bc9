//! Inputs found by fuzzing (fuzz/) and property tests that once broke an invariant.
//! Each test names the target, the invariant and the fix.

mod common;

use common::builders::{response_101, upgrade_request};
use common::pair::{dial, serve, ServerOutcome};
use ws_handshake::{Error, Limits, Malformed, ServerConfig, ServerFeed, ServerHandshake};

/// What a handshake returns for `chunks` fed in order: whether it upgraded, or the error.
fn outcome(config: &ServerConfig, chunks: &[&[u8]]) -> Result<bool, Error> {
    match serve(config, chunks) {
        ServerOutcome::Upgrade { .. } => Ok(true),
        ServerOutcome::Plain { .. } | ServerOutcome::NeedMore => Ok(false),
        ServerOutcome::Rejected { error, .. } => Err(error),
    }
}

/// server_feed, invariant "the outcome does not depend on the chunking": a bare LF
/// past the head limit was a 400 (bare LF) when it arrived in the same read as the
/// bytes before the limit, and a 431 when the read ended at the limit. The limit
/// now wins in both cases: a byte past it ends the head, whatever byte it is.
#[test]
fn bare_lf_past_the_limit_is_431_in_any_chunking() {
    let config = ServerConfig::new().with_limits(Limits::default().with_max_head_bytes(16));
    let request = b"GET / HTTP/1.1\r\nHost: a\n\r\n";
    let too_large = Err(Error::HeadTooLarge { limit: 16 });
    assert_eq!(outcome(&config, &[request]), too_large);
    for split in 0..request.len() {
        let (a, b) = request.split_at(split);
        assert_eq!(outcome(&config, &[a, b]), too_large, "split at {split}");
    }
    // Within the limit, the bare LF is still what is reported.
    let config = ServerConfig::new().with_limits(Limits::default().with_max_head_bytes(64));
    assert_eq!(
        outcome(&config, &[request]),
        Err(Error::Malformed(Malformed::BareLf))
    );
}

/// The head's final LF at exactly the limit is fine; one byte further is not.
#[test]
fn head_ending_at_the_limit() {
    let head = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let fits = ServerConfig::new().with_limits(Limits::default().with_max_head_bytes(head.len()));
    assert_eq!(outcome(&fits, &[head]), Ok(false));
    let short =
        ServerConfig::new().with_limits(Limits::default().with_max_head_bytes(head.len() - 1));
    let too_large = Err(Error::HeadTooLarge {
        limit: head.len() - 1,
    });
    for split in 0..head.len() {
        let (a, b) = head.split_at(split);
        assert_eq!(outcome(&short, &[a, b]), too_large, "split at {split}");
    }
}

/// extension_header, invariants "negotiated values respect the configuration" and
/// "the response re-negotiates to itself": for an offer `client_max_window_bits=10`
/// and a configuration allowing 10, the result said nothing about the client window
/// (`client_window_bits() == 15`), so a server sizing its inflater from it reserved
/// 2^15 bytes where the configuration allows 2^10, and the response read back as an
/// offer gave a different result. The offered value is now answered (RFC 7692 §7.1.2.2).
#[test]
fn offered_client_window_is_answered() {
    use ws_handshake::deflate::DeflateConfig;

    let config = DeflateConfig::new().client_max_window_bits(10);
    let offer = b"permessage-deflate; client_max_window_bits=\"1\\0\", permessage-deflate";
    let agreed = config
        .negotiate([&offer[..]])
        .expect("a valid list")
        .expect("the first offer is acceptable");
    assert_eq!(agreed.client_window_bits(), 10);
    let text = agreed.to_string();
    assert_eq!(text, "permessage-deflate; client_max_window_bits=10");
    let again = config.negotiate([text.as_bytes()]).expect("a valid list");
    assert_eq!(again, Some(agreed));

    // A smaller offered value is kept; the default configuration answers it too.
    let offer = b"permessage-deflate; client_max_window_bits=9";
    let agreed = DeflateConfig::new()
        .negotiate([&offer[..]])
        .expect("a valid list");
    assert_eq!(agreed.map(|d| d.client_window_bits()), Some(9));
}

/// client_response (CI's 60 s run), invariant "a refusal reports the status line's code":
/// `HTTP/1.1 001 Switching Protocols` parsed as status 1 and came back as a refusal
/// with status 1. A code outside 100..=599 is not a status (RFC 9110 §15): malformed.
#[test]
fn status_codes_outside_100_to_599_are_malformed() {
    use ws_handshake::{
        ClientConfig, ClientError, ClientFeed, ClientHandshake, ClientKey, Malformed, WsUrl,
    };

    let config = ClientConfig::new();
    for code in ["001", "099", "600", "999"] {
        let url = WsUrl::parse("ws://127.0.0.1/").unwrap();
        let mut hs =
            ClientHandshake::new(&config, url, ClientKey::from_nonce(*b"the sample nonce"));
        let response = format!(
            "HTTP/1.1 {code} Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
        );
        assert_eq!(
            hs.feed(response.as_bytes()).err(),
            Some(ClientError::Malformed(Malformed::Status)),
            "{code}"
        );
    }
    let url = WsUrl::parse("ws://127.0.0.1/").unwrap();
    let mut hs = ClientHandshake::new(&config, url, ClientKey::from_nonce(*b"the sample nonce"));
    let refused = hs.feed(b"HTTP/1.1 599 Odd\r\n\r\n");
    assert!(matches!(refused, Ok(ClientFeed::Refused(r)) if r.status() == 599));
}

/// round_trip (30-minute campaign): the URL `ws://i:6/%://i:62i/U2` sent the
/// origin-form target `/%://i:62i/U2`, and `Request::path()` took the `://` inside the
/// path for an absolute-form target, returning `/U2`. Origin-form targets (starting
/// with `/`) are now never split.
#[test]
fn a_scheme_separator_inside_an_origin_form_path_stays_in_the_path() {
    use ws_handshake::{OriginPolicy, ServerConfig, ServerFeed, ServerHandshake};

    let config = ServerConfig::new().origin_policy(OriginPolicy::Any);
    for (target, path, query) in [
        ("/%://i:62i/U2", "/%://i:62i/U2", None),
        ("/a://b/c?x=ws://y/z", "/a://b/c", Some("x=ws://y/z")),
        ("ws://host/p?q", "/p", Some("q")),
        ("ws://host", "/", None),
    ] {
        let request = format!(
            "GET {target} HTTP/1.1\r\nHost: host\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        let mut hs = ServerHandshake::new(&config);
        let Ok(ServerFeed::Upgrade(up)) = hs.feed(request.as_bytes()) else {
            panic!("{target} refused")
        };
        assert_eq!((up.path(), up.query()), (path, query), "{target}");
    }
}

/// Guards the whole-head fast paths (server and client parse a head that arrives in
/// one read straight from it, checking line ends only where header names start): a
/// bare LF at any line end is refused exactly as the byte-at-a-time scan refuses it.
#[test]
fn a_bare_lf_at_any_line_end_is_refused_whole_or_byte_by_byte() {
    use ws_handshake::{ClientConfig, ClientError};

    let no_lines: [&str; 0] = [];
    let request = String::from_utf8(upgrade_request("/", "a", &no_lines)).unwrap();
    let response = String::from_utf8(response_101("")).unwrap();
    let config = ServerConfig::new();
    let client = ClientConfig::new();
    let bare_lf = Err(Error::Malformed(Malformed::BareLf));
    let client_outcome = |bytes: &[u8], chunk: usize| {
        let chunks: Vec<&[u8]> = bytes.chunks(chunk).collect();
        dial(&client, "ws://a/", &chunks).into_result().map(|_| ())
    };
    assert_eq!(outcome(&config, &[request.as_bytes()]), Ok(true));
    assert_eq!(client_outcome(response.as_bytes(), usize::MAX), Ok(()));
    for (at, _) in request.match_indices("\r\n") {
        let mut broken = request.as_bytes().to_vec();
        broken.remove(at);
        let bytes: Vec<&[u8]> = broken.chunks(1).collect();
        assert_eq!(
            outcome(&config, &[&broken]),
            bare_lf,
            "whole, CR removed at {at}"
        );
        assert_eq!(
            outcome(&config, &bytes),
            bare_lf,
            "bytes, CR removed at {at}"
        );
    }
    for (at, _) in response.match_indices("\r\n") {
        let mut broken = response.as_bytes().to_vec();
        broken.remove(at);
        for chunk in [usize::MAX, 1] {
            assert_eq!(
                client_outcome(&broken, chunk),
                Err(ClientError::Malformed(Malformed::BareLf)),
                "chunk {chunk}, CR removed at {at}"
            );
        }
    }
}

/// Found while removing a scan: the header view started after the first LF of the
/// head, so after the tolerated empty line before a request-line (RFC 7230 §3.5) it
/// began with the request-line, and a target with a colon (`/a:b`) showed up as a
/// header named `GET /a`. The view now starts where httparse found the first name.
#[test]
fn the_header_view_never_includes_the_request_line() {
    let head = b"\r\nGET /a:b HTTP/1.1\r\nHost: a\r\nX-Y: 1\r\n\r\n";
    let config = ServerConfig::new();
    for chunk in [head.len(), 1] {
        let mut hs = ServerHandshake::new(&config);
        let mut seen = None;
        for piece in head.chunks(chunk) {
            if let Ok(ServerFeed::Plain(request)) = hs.feed(piece) {
                let names: Vec<String> = request
                    .headers()
                    .iter()
                    .map(|h| h.name.to_string())
                    .collect();
                seen = Some((request.target().to_string(), names));
            }
        }
        let expected = (String::from("/a:b"), vec!["Host".to_string(), "X-Y".into()]);
        assert_eq!(seen, Some(expected), "chunk {chunk}");
    }
}
