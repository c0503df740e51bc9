//! The server handshake against RFC 6455 §4.2.1, rule by rule, byte for byte.

mod common;

use common::builders::{
    capture, head as request_with, ACCEPT, KEY, VALID_REQUEST_CAPTURES, WS_LINES,
};
use common::pair::{serve as run, ServerOutcome as Outcome};
use ws_handshake::{
    BuildError, Error, Limits, Malformed, OriginPart, OriginPolicy, ProtocolOrder, Rejection,
    ServerConfig, ServerFeed, ServerHandshake,
};

/// A valid upgrade request made of these header lines.
fn request(lines: &[&str]) -> Vec<u8> {
    request_with("GET /chat?room=1 HTTP/1.1", lines)
}

/// The header lines of a minimal valid upgrade.
fn base() -> Vec<&'static str> {
    ["Host: example.com"].into_iter().chain(WS_LINES).collect()
}

/// `base()` with the lines starting with `drop` removed and `add` appended.
fn variant(drop: &[&str], add: &[&'static str]) -> Vec<u8> {
    let mut lines: Vec<&str> = base()
        .into_iter()
        .filter(|l| !drop.iter().any(|d| l.starts_with(d)))
        .collect();
    lines.extend_from_slice(add);
    request(&lines)
}

fn any_origin() -> ServerConfig {
    ServerConfig::new().origin_policy(OriginPolicy::Any)
}

fn refused(config: &ServerConfig, bytes: &[u8]) -> (Error, String) {
    match run(config, &[bytes]) {
        Outcome::Rejected { error, response } => (error, response),
        other => panic!(
            "expected a refusal for {:?}, got {other:?}",
            String::from_utf8_lossy(bytes)
        ),
    }
}

/// The rejection every refused upgrade gets, spelled out independently of the crate.
fn rejection(status_line: &str, extra: &str, body: &str) -> String {
    let connection = if status_line.starts_with("426") {
        "Upgrade, close"
    } else {
        "close"
    };
    format!(
        "HTTP/1.1 {status_line}\r\nConnection: {connection}\r\n{extra}Sec-WebSocket-Version: 13\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}\n",
        body.len() + 1
    )
}

fn assert_rule(bytes: &[u8], config: &ServerConfig, error: Error, status_line: &str, extra: &str) {
    let (got, response) = refused(config, bytes);
    assert_eq!(got, error);
    assert_eq!(got.status().to_string(), status_line[..3]);
    assert_eq!(response, rejection(status_line, extra, &error.to_string()));
    // Never a 101, and the same answer whatever the chunking.
    assert!(!response.contains("101"));
    assert_eq!(one_byte_at_a_time(config, bytes), run(config, &[bytes]));
}

fn one_byte_at_a_time(config: &ServerConfig, bytes: &[u8]) -> Outcome {
    let chunks: Vec<&[u8]> = bytes.chunks(1).collect();
    run(config, &chunks)
}

#[test]
fn rfc_6455_example_response_is_exact() {
    let outcome = run(&any_origin(), &[&variant(&[], &[])]);
    assert_eq!(
        outcome,
        Outcome::Upgrade {
            response:
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                       Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
                    .into(),
            key: KEY.into(),
            host: "example.com".into(),
            target: "/chat?room=1".into(),
            protocol: None,
            deflate: None,
            leftover: vec![],
        }
    );
}

#[test]
fn accepts_every_captured_client_request() {
    let config = any_origin().protocols(["chat"]).unwrap();
    for name in VALID_REQUEST_CAPTURES {
        let bytes = capture(&format!("request-{name}.http"));
        let mut hs = ServerHandshake::new(&config);
        let Ok(ServerFeed::Upgrade(up)) = hs.feed(&bytes) else {
            panic!("{name} was not accepted: {:?}", run(&config, &[&bytes]));
        };
        assert_eq!(up.path(), "/chat");
        let expected = ws_handshake::AcceptKey::from_key(up.key().as_bytes());
        let mut out = Vec::new();
        up.accept().write_to(&mut out);
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(&format!("\r\nSec-WebSocket-Accept: {expected}\r\n")),
            "{name}"
        );
        let offered_chat = up.offered_protocols().any(|p| p.as_str() == "chat");
        assert_eq!(up.protocol(), offered_chat.then_some("chat"), "{name}");
    }
}

#[test]
fn chromium_request_exposes_everything_zero_copy() {
    let bytes = std::fs::read("tests/captures/request-chromium-protocols.http").unwrap();
    let config = ServerConfig::new()
        .protocols(["superchat", "chat"])
        .unwrap()
        .origin_policy(OriginPolicy::allow_list(["http://127.0.0.1:18100"]).unwrap());
    let mut hs = ServerHandshake::new(&config);
    let Ok(ServerFeed::Upgrade(up)) = hs.feed(&bytes) else {
        panic!()
    };
    assert_eq!(up.method(), "GET");
    assert_eq!(up.target(), "/chat?room=1");
    assert_eq!(up.path(), "/chat");
    assert_eq!(up.query(), Some("room=1"));
    assert_eq!(up.host(), "127.0.0.1:18031");
    assert_eq!(up.origin(), Some("http://127.0.0.1:18100"));
    assert_eq!(up.cookie("session"), Some("abc123"));
    assert_eq!(
        up.cookies().collect::<Vec<_>>(),
        [("session", "abc123"), ("theme", "dark")]
    );
    let offered: Vec<_> = up.offered_protocols().map(|p| p.as_str()).collect();
    assert_eq!(offered, ["chat", "superchat"]);
    assert_eq!(up.protocol(), Some("superchat")); // server preference by default
    let ext: Vec<_> = up.offered_extensions().map(|e| e.name()).collect();
    assert_eq!(ext, ["permessage-deflate"]);
    assert_eq!(up.headers().iter().count(), 14);
    assert_eq!(
        up.header("user-agent")
            .map(|u| u.contains("HeadlessChrome")),
        Some(true)
    );
    // Zero-copy: the path borrows the fed bytes.
    let range = bytes.as_ptr_range();
    assert!(range.contains(&up.path().as_ptr()));
    assert!(range.contains(&up.key().as_ptr()));
}

#[test]
fn client_order_is_an_option() {
    let bytes = std::fs::read("tests/captures/request-chromium-protocols.http").unwrap();
    let config = ServerConfig::new()
        .protocols(["superchat", "chat"])
        .unwrap()
        .protocol_order(ProtocolOrder::ClientPreference)
        .origin_policy(OriginPolicy::Any);
    let mut hs = ServerHandshake::new(&config);
    let Ok(ServerFeed::Upgrade(up)) = hs.feed(&bytes) else {
        panic!()
    };
    assert_eq!(up.protocol(), Some("chat"));
}

#[test]
fn method_must_be_get() {
    let bytes = request_with("POST /chat HTTP/1.1", &base());
    assert_rule(
        &bytes,
        &any_origin(),
        Error::MethodNotGet,
        "405 Method Not Allowed",
        "Allow: GET\r\n",
    );
    // Methods are case-sensitive.
    let bytes = request_with("get /chat HTTP/1.1", &base());
    assert_rule(
        &bytes,
        &any_origin(),
        Error::MethodNotGet,
        "405 Method Not Allowed",
        "Allow: GET\r\n",
    );
}

#[test]
fn http_version_must_be_1_1() {
    let bytes = request_with("GET /chat HTTP/1.0", &base());
    assert_rule(
        &bytes,
        &any_origin(),
        Error::HttpVersionTooOld,
        "400 Bad Request",
        "",
    );
    // Another major version: 505 (RFC 9110 §15.6.6; issue 21 point 2).
    let bytes = request_with("GET /chat HTTP/2.0", &base());
    assert_rule(
        &bytes,
        &any_origin(),
        Error::HttpVersionNotSupported,
        "505 HTTP Version Not Supported",
        "",
    );
}

#[test]
fn request_target_must_be_origin_or_absolute_form() {
    for target in ["*", "example.com:80", "chat", "/chat#frag"] {
        let bytes = request_with(&format!("GET {target} HTTP/1.1"), &base());
        assert_rule(
            &bytes,
            &any_origin(),
            Error::RequestTargetInvalid,
            "400 Bad Request",
            "",
        );
    }
    let bytes = request_with("GET ws://example.com/chat?x=1 HTTP/1.1", &base());
    let config = any_origin();
    let mut hs = ServerHandshake::new(&config);
    let Ok(ServerFeed::Upgrade(up)) = hs.feed(&bytes) else {
        panic!()
    };
    assert_eq!(up.path(), "/chat");
    assert_eq!(up.query(), Some("x=1"));
}

#[test]
fn host_exactly_once_and_valid() {
    let c = any_origin();
    assert_rule(
        &variant(&["Host"], &[]),
        &c,
        Error::HostMissing,
        "400 Bad Request",
        "",
    );
    assert_rule(
        &variant(&[], &["host: other"]),
        &c,
        Error::HostRepeated,
        "400 Bad Request",
        "",
    );
    for bad in [
        "Host: ",
        "Host: a b",
        "Host: a:port",
        "Host: a:99999",
        "Host: [::1",
    ] {
        assert_rule(
            &variant(&["Host"], &[bad]),
            &c,
            Error::HostInvalid,
            "400 Bad Request",
            "",
        );
    }
}

#[test]
fn upgrade_must_list_websocket() {
    let c = any_origin();
    let want = |bytes: &[u8]| {
        assert_rule(
            bytes,
            &c,
            Error::UpgradeLacksWebSocket,
            "426 Upgrade Required",
            "Upgrade: websocket\r\n",
        )
    };
    want(&variant(&["Upgrade"], &[]));
    want(&variant(&["Upgrade"], &["Upgrade: h2c"]));
    want(&variant(&["Upgrade"], &["Upgrade: websockets"]));
    // Case-insensitive, any position, across repeated lines.
    for ok in [
        &["Upgrade: WebSocket"][..],
        &["Upgrade: h2c, websocket"],
        &["Upgrade: h2c", "Upgrade: websocket"],
    ] {
        assert!(
            matches!(
                run(&c, &[&variant(&["Upgrade"], ok)]),
                Outcome::Upgrade { .. }
            ),
            "{ok:?}"
        );
    }
}

#[test]
fn connection_must_list_upgrade() {
    let c = any_origin();
    let want = |bytes: &[u8]| {
        assert_rule(
            bytes,
            &c,
            Error::ConnectionLacksUpgrade,
            "400 Bad Request",
            "",
        )
    };
    want(&variant(&["Connection"], &[]));
    want(&variant(&["Connection"], &["Connection: keep-alive"]));
    // By element, never by substring.
    want(&variant(&["Connection"], &["Connection: upgrade-insecure"]));
    want(&variant(
        &["Connection"],
        &["Connection: keep-alive-upgrade"],
    ));
    for ok in [
        &["Connection: keep-alive, Upgrade"][..],
        &["Connection: UPGRADE"],
        &["Connection:keep-alive ,\tupgrade "],
        // Only the second line has it: every line counts.
        &["Connection: keep-alive", "Connection: Upgrade"],
    ] {
        assert!(
            matches!(
                run(&c, &[&variant(&["Connection"], ok)]),
                Outcome::Upgrade { .. }
            ),
            "{ok:?}"
        );
    }
}

#[test]
fn key_present_once_and_16_bytes() {
    let c = any_origin();
    assert_rule(
        &variant(&["Sec-WebSocket-Key"], &[]),
        &c,
        Error::KeyMissing,
        "400 Bad Request",
        "",
    );
    // Two keys: refused, never "take the first".
    assert_rule(
        &variant(&[], &["Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA=="]),
        &c,
        Error::KeyRepeated,
        "400 Bad Request",
        "",
    );
    for bad in [
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ",   // unpadded
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j",     // 15 bytes... of text
        "Sec-WebSocket-Key: YWJjZGVmZ2hpamtsbW5vcHE=", // 17 bytes
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==AA", // trailing data
        "Sec-WebSocket-Key: !GhlIHNhbXBsZSBub25jZQ==", // not base64
        "Sec-WebSocket-Key: ",
    ] {
        assert_rule(
            &variant(&["Sec-WebSocket-Key"], &[bad]),
            &c,
            Error::KeyInvalid,
            "400 Bad Request",
            "",
        );
    }
}

#[test]
fn version_must_be_13() {
    let c = any_origin();
    let extra = "Upgrade: websocket\r\n";
    assert_rule(
        &variant(&["Sec-WebSocket-Version"], &[]),
        &c,
        Error::VersionMissing,
        "426 Upgrade Required",
        extra,
    );
    for v in ["8", "12", "14", "13, 8", " 013"] {
        let line: &'static str = Box::leak(format!("Sec-WebSocket-Version: {v}").into_boxed_str());
        assert_rule(
            &variant(&["Sec-WebSocket-Version"], &[line]),
            &c,
            Error::VersionUnsupported,
            "426 Upgrade Required",
            extra,
        );
    }
    assert_rule(
        &variant(&[], &["Sec-WebSocket-Version: 13"]),
        &c,
        Error::VersionRepeated,
        "400 Bad Request",
        "",
    );
}

#[test]
fn captured_bad_versions_get_426_with_version_13() {
    for name in ["version8", "version12"] {
        let bytes = std::fs::read(format!("tests/captures/request-rawclient-{name}.http")).unwrap();
        let (error, response) = refused(&any_origin(), &bytes);
        assert_eq!(error, Error::VersionUnsupported);
        assert!(response.starts_with("HTTP/1.1 426 Upgrade Required\r\n"));
        assert!(response.contains("\r\nSec-WebSocket-Version: 13\r\n"));
        assert!(response.contains("\r\nUpgrade: websocket\r\n"));
    }
    let bytes = std::fs::read("tests/captures/request-rawclient-nokey.http").unwrap();
    assert_eq!(refused(&any_origin(), &bytes).0, Error::KeyMissing);
    let bytes = std::fs::read("tests/captures/request-rawclient-post.http").unwrap();
    assert_eq!(refused(&any_origin(), &bytes).0, Error::MethodNotGet);
}

#[test]
fn draft_76_requests_get_426() {
    let bytes = request(&[
        "Host: example.com",
        "Connection: Upgrade",
        "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00",
        "Sec-WebSocket-Protocol: sample",
        "Upgrade: WebSocket",
        "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5",
        "Origin: http://example.com",
    ]);
    assert_rule(
        &bytes,
        &any_origin(),
        Error::LegacyDraftHandshake,
        "426 Upgrade Required",
        "Upgrade: websocket\r\n",
    );
}

#[test]
fn no_body_may_be_announced() {
    let c = any_origin();
    for add in ["Content-Length: 5", "Transfer-Encoding: chunked"] {
        let line: &'static str = Box::leak(add.to_string().into_boxed_str());
        assert_rule(
            &variant(&[], &[line]),
            &c,
            Error::BodyNotAllowed,
            "400 Bad Request",
            "",
        );
    }
    // A length that is not `1*DIGIT` is broken framing (RFC 9112 §6.3; issue 21 point 4).
    assert_rule(
        &variant(&[], &["Content-Length: x"]),
        &c,
        Error::FramingInvalid,
        "400 Bad Request",
        "",
    );
    assert!(matches!(
        run(&c, &[&variant(&[], &["Content-Length: 0"])]),
        Outcome::Upgrade { .. }
    ));
}

#[test]
fn malformed_http_is_400() {
    let c = any_origin();
    let ok = String::from_utf8(variant(&[], &[])).unwrap();
    let cases = [
        (ok.replacen("\r\nHost", "\nHost", 1), Malformed::BareLf),
        (
            ok.replacen(
                "Host: example.com\r\n",
                "Host: example.com\r\n folded\r\n",
                1,
            ),
            Malformed::HeaderName,
        ),
        (
            ok.replacen("example.com", "exa\0mple.com", 1),
            Malformed::HeaderValue,
        ),
        (
            ok.replacen("example.com", "exa\rmple.com", 1),
            Malformed::HeaderValue,
        ),
        (ok.replacen("Host:", "Ho st:", 1), Malformed::HeaderName),
        (ok.replacen("Host:", "Host :", 1), Malformed::HeaderName),
        (ok.replacen("GET", "G\u{1}T", 1), Malformed::Token),
        (format!("\r\n\r\n{ok}"), Malformed::Incomplete),
    ];
    for (bytes, kind) in cases {
        assert_rule(
            bytes.as_bytes(),
            &c,
            Error::Malformed(kind),
            "400 Bad Request",
            "",
        );
    }
}

#[test]
fn list_headers_must_be_well_formed() {
    let c = any_origin().protocols(["chat"]).unwrap();
    for bad in [
        "Sec-WebSocket-Protocol: , ,",
        "Sec-WebSocket-Protocol: chat x",
        "Sec-WebSocket-Protocol: ",
        "Sec-WebSocket-Protocol: chat, \"x\"",
    ] {
        let line: &'static str = Box::leak(bad.to_string().into_boxed_str());
        assert_rule(
            &variant(&[], &[line]),
            &c,
            Error::ProtocolListMalformed,
            "400 Bad Request",
            "",
        );
    }
    for bad in [
        "Sec-WebSocket-Extensions: permessage-deflate;",
        "Sec-WebSocket-Extensions: a;b=\"x y\"",
        "Sec-WebSocket-Extensions: ,",
    ] {
        let line: &'static str = Box::leak(bad.to_string().into_boxed_str());
        assert_rule(
            &variant(&[], &[line]),
            &c,
            Error::ExtensionListMalformed,
            "400 Bad Request",
            "",
        );
    }
}

#[test]
fn origin_policy_is_403() {
    let same = ServerConfig::new(); // the default: same-origin
    assert_rule(
        &variant(&[], &["Origin: http://evil.example"]),
        &same,
        Error::OriginMismatch(OriginPart::Host),
        "403 Forbidden",
        "",
    );
    assert!(matches!(
        run(&same, &[&variant(&[], &["Origin: https://example.com"])]),
        Outcome::Upgrade { .. }
    ));
    // No Origin: a non-browser client, allowed unless required.
    assert!(matches!(
        run(&same, &[&variant(&[], &[])]),
        Outcome::Upgrade { .. }
    ));
    let required = ServerConfig::new().require_origin(true);
    assert_rule(
        &variant(&[], &[]),
        &required,
        Error::OriginMissing,
        "403 Forbidden",
        "",
    );
    let list = ServerConfig::new()
        .origin_policy(OriginPolicy::allow_list(["https://app.example"]).unwrap());
    assert_rule(
        &variant(&[], &["Origin: https://example.com"]),
        &list,
        Error::OriginRejected,
        "403 Forbidden",
        "",
    );
    assert!(matches!(
        run(&list, &[&variant(&[], &["Origin: https://app.example"])]),
        Outcome::Upgrade { .. }
    ));
    assert_rule(
        &variant(
            &[],
            &["Origin: https://example.com", "Origin: https://example.com"],
        ),
        &same,
        Error::OriginInvalid,
        "400 Bad Request",
        "",
    );
}

#[test]
fn limits_give_431_and_say_which() {
    let c = any_origin().with_limits(
        Limits::default()
            .with_max_head_bytes(200)
            .with_max_headers(6),
    );
    let big: &'static str = Box::leak(format!("Cookie: {}", "a".repeat(200)).into_boxed_str());
    assert_rule(
        &variant(&[], &[big]),
        &c,
        Error::HeadTooLarge { limit: 200 },
        "431 Request Header Fields Too Large",
        "",
    );
    assert_rule(
        &variant(&[], &["A: 1", "B: 2"]),
        &c,
        Error::TooManyHeaders { limit: 6 },
        "431 Request Header Fields Too Large",
        "",
    );
    // The limit holds even when no end of head ever comes, and nothing beyond it is kept.
    let mut hs = ServerHandshake::new(&c);
    let mut fed = 0;
    let err = loop {
        match hs.feed(b"X-Filler: aaaaaaaaaaaa\r\n") {
            Ok(_) if fed < 1000 => fed += 1,
            Ok(_) => panic!("limit not enforced"),
            Err(e) => break e,
        }
        assert!(hs.buffered() <= 200);
    };
    assert_eq!(err, Error::HeadTooLarge { limit: 200 });
}

#[test]
fn too_many_list_lines_is_431() {
    let c = any_origin();
    let lines: Vec<&'static str> = (0..9).map(|_| "Sec-WebSocket-Protocol: chat").collect();
    let (error, response) = refused(&c, &variant(&[], &lines));
    assert_eq!(error, Error::TooManyListLines);
    assert!(response.starts_with("HTTP/1.1 431 "));
}

#[test]
fn plain_requests_are_told_apart() {
    let c = ServerConfig::new();
    let bytes = std::fs::read("tests/captures/request-rawclient-plain.http").unwrap();
    let mut hs = ServerHandshake::new(&c);
    let Ok(ServerFeed::Plain(req)) = hs.feed(&bytes) else {
        panic!()
    };
    assert_eq!(req.path(), "/chat");
    let mut out = Vec::new();
    req.reject().write_to(&mut out);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        rejection(
            "426 Upgrade Required",
            "Upgrade: websocket\r\n",
            "Upgrade header must contain websocket"
        )
    );
    // A plain POST with a body is plain HTTP too: its body is the leftover.
    let bytes = b"POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc";
    let mut hs = ServerHandshake::new(&c);
    let Ok(ServerFeed::Plain(req)) = hs.feed(bytes) else {
        panic!()
    };
    assert_eq!(req.leftover(), b"abc");
    // An upgrade to another protocol is not a WebSocket request.
    let bytes = b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n";
    assert!(matches!(run(&c, &[bytes]), Outcome::Plain { .. }));
    // But any Sec-WebSocket-* sign makes it a (broken) WebSocket request.
    let bytes = b"GET / HTTP/1.1\r\nHost: a\r\nSec-WebSocket-Version: 13\r\n\r\n";
    assert_eq!(refused(&c, bytes).0, Error::UpgradeLacksWebSocket);
}

#[test]
fn keep_alive_plain_requests_then_upgrade() {
    let c = any_origin();
    let mut hs = ServerHandshake::new(&c);
    let first = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    assert!(matches!(hs.feed(first), Ok(ServerFeed::Plain(_))));
    let second = variant(&[], &[]);
    assert!(matches!(hs.feed(&second[..10]), Ok(ServerFeed::NeedMore)));
    assert!(matches!(hs.feed(&second[10..]), Ok(ServerFeed::Upgrade(_))));
}

#[test]
fn errors_are_sticky() {
    let c = any_origin();
    let mut hs = ServerHandshake::new(&c);
    assert_eq!(
        hs.feed(b"GET / HTTP/1.1\n").unwrap_err(),
        Error::Malformed(Malformed::BareLf)
    );
    assert_eq!(
        hs.feed(b"Host: a\r\n\r\n").unwrap_err(),
        Error::Malformed(Malformed::BareLf)
    );
    assert_eq!(
        hs.feed(b"").unwrap_err(),
        Error::Malformed(Malformed::BareLf)
    );
    // Also when bytes were buffered with room to spare: reads inside a line, which
    // are otherwise only appended, keep returning the error.
    let mut hs = ServerHandshake::with_buffer(&c, Vec::with_capacity(1024));
    assert!(matches!(hs.feed(b"GET / HT"), Ok(ServerFeed::NeedMore)));
    assert_eq!(
        hs.feed(b"TP/1.1\n").unwrap_err(),
        Error::Malformed(Malformed::BareLf)
    );
    for read in [&b"H"[..], b"", b"o", b"st: a"] {
        assert_eq!(
            hs.feed(read).unwrap_err(),
            Error::Malformed(Malformed::BareLf)
        );
    }
}

#[test]
fn leftover_frame_comes_back_exactly() {
    // A masked text frame "Hello" (RFC 6455 §5.7), pipelined right after the head.
    let frame = [
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ];
    let mut bytes = variant(&[], &[]);
    let head_len = bytes.len();
    bytes.extend_from_slice(&frame);
    let whole = run(&any_origin(), &[&bytes]);
    let Outcome::Upgrade { leftover, .. } = &whole else {
        panic!()
    };
    assert_eq!(leftover, &frame);
    // Split anywhere, including inside the head and inside the frame.
    for split in 0..=bytes.len() {
        let (a, b) = bytes.split_at(split);
        assert_eq!(run(&any_origin(), &[a, b]), whole, "split at {split}");
    }
    assert_eq!(one_byte_at_a_time(&any_origin(), &bytes), whole);
    // Leftover borrows the fed chunk: nothing is copied.
    let config = any_origin();
    let mut hs = ServerHandshake::new(&config);
    let Ok(ServerFeed::Upgrade(up)) = hs.feed(&bytes) else {
        panic!()
    };
    assert_eq!(up.leftover().as_ptr(), bytes[head_len..].as_ptr());
}

#[test]
fn chunking_never_changes_the_outcome() {
    let config = any_origin().protocols(["chat"]).unwrap();
    let valid = std::fs::read("tests/captures/request-chromium-protocols.http").unwrap();
    let mut invalid = variant(&["Sec-WebSocket-Key"], &["Sec-WebSocket-Key: AAAA"]);
    invalid.extend_from_slice(b"trailing");
    let bare_lf = b"GET / HTTP/1.1\r\nHost: a\nUpgrade: websocket\r\n\r\n".to_vec();
    for bytes in [valid, invalid, bare_lf] {
        let whole = run(&config, &[&bytes]);
        assert_ne!(whole, Outcome::NeedMore);
        for split in 0..=bytes.len() {
            let (a, b) = bytes.split_at(split);
            assert_eq!(run(&config, &[a, b]), whole, "split at {split}");
        }
        for split2 in (0..bytes.len()).step_by(7) {
            for split1 in (0..split2).step_by(5) {
                let chunks = [&bytes[..split1], &bytes[split1..split2], &bytes[split2..]];
                assert_eq!(run(&config, &chunks), whole);
            }
        }
        assert_eq!(one_byte_at_a_time(&config, &bytes), whole);
    }
}

/// Heads that a whole-chunk parse might treat differently from the byte-by-byte scan.
#[test]
fn whole_and_incremental_paths_agree_on_edge_cases() {
    let config = any_origin().with_limits(
        Limits::default()
            .with_max_head_bytes(300)
            .with_max_headers(8),
    );
    let ok = String::from_utf8(variant(&[], &[])).unwrap();
    let cases = [
        format!("\r\n{ok}"),
        format!("\r\n\r\n{ok}"),
        format!("\n{ok}"),
        ok.replace("\r\n", "\n"),
        ok.replacen("\r\n\r\n", "\n\n", 1),
        ok.replacen("\r\n\r\n", "\r\n\n", 1),
        ok.replacen("\r\n\r\n", "\n\r\n", 1),
        ok.replacen("\r\nHost", "\r\n Host", 1),
        ok.replacen("GET", "G T", 1),
        ok.replacen(
            "GET /chat?room=1 HTTP/1.1",
            "GET /chat?room=1 HTTP/1.1\nX: y\r",
            1,
        ),
        ok.replacen(
            "Host: example.com",
            &format!("Host: example.com\r\nX: {}", "a".repeat(300)),
            1,
        ),
        ok.replacen(
            "Host: example.com",
            "Host: example.com\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4",
            1,
        ),
        format!("{ok}GET / HTTP/1.1\r\n\r\n"),
        "GET / HTTP/1.1\r\n\r\n".to_string(),
        "GET / HTTP/1.1\r\n\r".to_string(),
    ];
    for case in cases {
        let bytes = case.as_bytes();
        let whole = run(&config, &[bytes]);
        for split in 0..=bytes.len() {
            let (a, b) = bytes.split_at(split);
            assert_eq!(run(&config, &[a, b]), whole, "{case:?} split at {split}");
        }
    }
}

#[test]
fn accept_picks_only_offered_protocols() {
    let config = any_origin().protocols(["v2", "v1"]).unwrap();
    let bytes = variant(
        &[],
        &[
            "Sec-WebSocket-Protocol: v1, x",
            "Sec-WebSocket-Protocol: v2",
        ],
    );
    let mut hs = ServerHandshake::new(&config);
    let Ok(ServerFeed::Upgrade(up)) = hs.feed(&bytes) else {
        panic!()
    };
    assert_eq!(up.protocol(), Some("v2"));
    // Override with an offered one; there is no way to name an unoffered one.
    let x = up.offered_protocols().find(|p| p.as_str() == "x").unwrap();
    let mut out = Vec::new();
    up.accept().with_protocol(Some(x)).write_to(&mut out);
    assert!(String::from_utf8(out)
        .unwrap()
        .contains("\r\nSec-WebSocket-Protocol: x\r\n"));
    // None offered → no header, whatever the config.
    let bytes = variant(&[], &[]);
    let mut hs = ServerHandshake::new(&config);
    let Ok(ServerFeed::Upgrade(up)) = hs.feed(&bytes) else {
        panic!()
    };
    let mut out = Vec::new();
    up.accept().write_to(&mut out);
    assert!(!String::from_utf8(out)
        .unwrap()
        .contains("Sec-WebSocket-Protocol"));
}

#[test]
fn required_protocol_gives_a_clear_400() {
    let config = any_origin()
        .protocols(["chat"])
        .unwrap()
        .require_protocol(true);
    let bytes = variant(&[], &["Sec-WebSocket-Protocol: other"]);
    assert_rule(
        &bytes,
        &config,
        Error::ProtocolRequired,
        "400 Bad Request",
        "",
    );
    assert_rule(
        &variant(&[], &[]),
        &config,
        Error::ProtocolRequired,
        "400 Bad Request",
        "",
    );
}

#[test]
fn caller_rejections_and_header_checks() {
    let config = any_origin();
    let bytes = variant(&[], &[]);
    let mut hs = ServerHandshake::new(&config);
    let Ok(ServerFeed::Upgrade(up)) = hs.feed(&bytes) else {
        panic!()
    };
    // Extra headers are written after the handshake's own, and injection is impossible.
    let cookie = [("Set-Cookie", "sid=1; HttpOnly")];
    let mut out = Vec::new();
    up.accept()
        .with_headers(&cookie)
        .unwrap()
        .write_to(&mut out);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {ACCEPT}\r\nSet-Cookie: sid=1; HttpOnly\r\n\r\n"
        )
    );
    assert_eq!(
        up.accept()
            .with_headers(&[("X", "1\r\n\r\nHTTP/1.1 200")])
            .unwrap_err(),
        BuildError::HeaderValueInvalid
    );
    assert_eq!(
        up.accept()
            .with_headers(&[("Sec-WebSocket-Protocol", "x")])
            .unwrap_err(),
        BuildError::HeaderReserved
    );
    assert_eq!(
        up.accept().with_headers(&[("Bad Name", "x")]).unwrap_err(),
        BuildError::HeaderNameInvalid
    );
    // Own refusals: 401 with a challenge, 503 with Retry-After.
    let challenge = [("WWW-Authenticate", "Basic realm=\"ws\"")];
    let reply = Rejection::new(401, "who are you?")
        .unwrap()
        .with_headers(&challenge)
        .unwrap();
    let mut out = Vec::new();
    reply.write_to(&mut out);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nSec-WebSocket-Version: 13\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Length: 12\r\n\
         WWW-Authenticate: Basic realm=\"ws\"\r\n\r\nwho are you?"
    );
    let retry = [("Retry-After", "30")];
    let reply = Rejection::new(503, "busy")
        .unwrap()
        .with_headers(&retry)
        .unwrap();
    let mut buf = [0u8; 512];
    let n = reply.encode(&mut buf).unwrap();
    assert_eq!(n, reply.encoded_len());
    assert!(buf[..n].starts_with(b"HTTP/1.1 503 Service Unavailable\r\n"));
    // A too-small buffer is left untouched and told the size.
    let mut small = [0u8; 10];
    assert_eq!(reply.encode(&mut small).unwrap_err().required, n);
    assert_eq!(small, [0u8; 10]);
    // A refusal can never be a success.
    assert_eq!(
        Rejection::new(101, "").unwrap_err(),
        BuildError::StatusInvalid
    );
    assert_eq!(
        Rejection::new(200, "").unwrap_err(),
        BuildError::StatusInvalid
    );
    let _ = KEY;
}

#[test]
fn every_rejection_parses_as_one_http_response() {
    let errors = [
        Error::HeadTooLarge { limit: 7 },
        Error::TooManyHeaders { limit: 3 },
        Error::Malformed(Malformed::BareLf),
        Error::MethodNotGet,
        Error::UpgradeLacksWebSocket,
        Error::VersionUnsupported,
        Error::OriginRejected,
        Error::HostNotAllowed,
    ];
    for e in errors {
        let mut out = Vec::new();
        e.rejection().write_to(&mut out);
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut resp = httparse::Response::new(&mut headers);
        let httparse::Status::Complete(head) = resp.parse(&out).unwrap() else {
            panic!()
        };
        assert_eq!(resp.code, Some(e.status()));
        let len: usize = resp
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("content-length"))
            .map(|h| std::str::from_utf8(h.value).unwrap().parse().unwrap())
            .unwrap();
        assert_eq!(out.len() - head, len, "{e:?}");
        assert_eq!(e.rejection().encoded_len(), out.len());
    }
}

#[test]
fn allowed_hosts_defeat_dns_rebinding() {
    let config = any_origin().allowed_hosts(["example.com"]).unwrap();
    assert!(matches!(
        run(&config, &[&variant(&[], &[])]),
        Outcome::Upgrade { .. }
    ));
    let bytes = variant(&["Host"], &["Host: attacker.example"]);
    assert_rule(
        &bytes,
        &config,
        Error::HostNotAllowed,
        "421 Misdirected Request",
        "",
    );
    let pinned = any_origin().allowed_hosts(["example.com:8080"]).unwrap();
    assert!(matches!(
        run(&pinned, &[&variant(&["Host"], &["Host: EXAMPLE.com:8080"])]),
        Outcome::Upgrade { .. }
    ));
    assert_eq!(
        refused(&pinned, &variant(&[], &[])).0,
        Error::HostNotAllowed
    );
}
