//! Issue 21: the last RFC deviations, and one named test per attack the field's
//! advisories describe. Each test names its point (`p21_NN_`) and cites its rule.

mod common;

use common::builders::{every_chunking, head, response_101, Pieces, WS_LINES};
use common::pair::{dial, serve, ClientOutcome, ServerOutcome};
use ws_handshake::{
    ClientConfig, ClientError, Error, OriginPart, ServerConfig, ServerFeed, ServerHandshake,
};

/// An upgrade to `target` with these lines (`Host`, ...) before the WebSocket lines.
fn upgrade(start: &str, extra: &[&str]) -> Vec<u8> {
    let lines: Vec<&str> = extra.iter().copied().chain(WS_LINES).collect();
    head(start, &lines)
}

/// What feeding `bytes` gives, after checking that every chunking gives the same.
fn served(config: &ServerConfig, bytes: &[u8]) -> ServerOutcome {
    every_chunking(bytes, Pieces::Two, |chunks| serve(config, chunks))
}

/// The error feeding `bytes` gives (in every chunking), with its status.
fn refusal(config: &ServerConfig, bytes: &[u8]) -> (Error, u16) {
    match served(config, bytes) {
        ServerOutcome::Rejected { error, response } => {
            let status: u16 = response[9..12].parse().unwrap();
            assert_eq!(status, error.status());
            (error, status)
        }
        other => panic!("not refused: {other:?}"),
    }
}

/// The effective authority of an accepted upgrade.
fn authority(config: &ServerConfig, bytes: &[u8]) -> Result<String, Error> {
    match ServerHandshake::new(config).feed(bytes)? {
        ServerFeed::Upgrade(up) => Ok(up.authority().to_owned()),
        other => panic!("not an upgrade: {other:?}"),
    }
}

// ---------------------------------------------------------------------------------
// Point 1

/// RFC 9112 §3.2.2: "When an origin server receives a request with an absolute-form of
/// request-target, the origin server MUST ignore the received Host header field (if
/// any) and instead use the host information of the request-target." By default a
/// `Host` naming another authority is ignored, and the target's authority is what the
/// allow-list and the origin policy see; refusing it is an opt-in hardening.
#[test]
fn p21_01_absolute_form_host_is_ignored() {
    let default = ServerConfig::new();
    for (target, host, effective) in [
        ("ws://example.com/chat", "other.example", "example.com"),
        (
            "wss://example.com:8443/",
            "example.com:9000",
            "example.com:8443",
        ),
        ("http://[::1]/x?y", "127.0.0.1", "[::1]"),
        ("HTTPS://Example.com", "example.com:443", "Example.com"),
    ] {
        let bytes = upgrade(
            &format!("GET {target} HTTP/1.1"),
            &[&format!("Host: {host}")],
        );
        assert_eq!(
            authority(&default, &bytes).as_deref(),
            Ok(effective),
            "{target}"
        );
        assert!(matches!(
            served(&default, &bytes),
            ServerOutcome::Upgrade { .. }
        ));
    }
    // The allow-list and the same-origin policy compare the target's authority.
    let bytes = upgrade(
        "GET ws://example.com/chat HTTP/1.1",
        &["Host: other.example"],
    );
    let only_other = ServerConfig::new()
        .allowed_hosts(["other.example"])
        .unwrap();
    assert_eq!(refusal(&only_other, &bytes), (Error::HostNotAllowed, 421));
    let only_target = ServerConfig::new().allowed_hosts(["example.com"]).unwrap();
    assert!(authority(&only_target, &bytes).is_ok());
    let origin_of_host = upgrade(
        "GET ws://example.com/chat HTTP/1.1",
        &["Host: other.example", "Origin: http://other.example"],
    );
    assert_eq!(
        refusal(&default, &origin_of_host),
        (Error::OriginMismatch(OriginPart::Host), 403)
    );
    // Host itself is still required once and valid (RFC 9112 §3.2).
    let missing = upgrade("GET ws://example.com/ HTTP/1.1", &[]);
    assert_eq!(refusal(&default, &missing).0, Error::HostMissing);
    let invalid = upgrade("GET ws://example.com/ HTTP/1.1", &["Host: a b"]);
    assert_eq!(refusal(&default, &invalid).0, Error::HostInvalid);
    // The hardening, opt-in, refuses the disagreement.
    let strict = ServerConfig::new().host_must_match_target(true);
    assert_eq!(
        refusal(&strict, &bytes),
        (Error::HostNotTargetAuthority, 400)
    );
    let agreeing = upgrade("GET ws://example.com:80/ HTTP/1.1", &["Host: EXAMPLE.com"]);
    assert!(authority(&strict, &agreeing).is_ok());
}

// ---------------------------------------------------------------------------------
// Point 2

/// RFC 9110 §2.5 and §6.2: a recipient "SHOULD process [a message with a higher minor
/// version] as if it were in the highest minor version within that major version to
/// which the recipient is conformant". `HTTP/1.2` … `HTTP/1.9` read as HTTP/1.1, on the
/// request line and in a client's 101; another major version on the request line is
/// 505 (RFC 9110 §15.6.6); HTTP/1.0 keeps its 400.
#[test]
fn p21_02_higher_minor_versions_read_as_http_1_1() {
    let config = ServerConfig::new();
    for minor in 2..=9 {
        let bytes = upgrade(&format!("GET /chat HTTP/1.{minor}"), &["Host: example.com"]);
        match served(&config, &bytes) {
            ServerOutcome::Upgrade {
                response, target, ..
            } => {
                assert_eq!(target, "/chat");
                assert!(response.starts_with("HTTP/1.1 101 "), "{response}");
            }
            other => panic!("HTTP/1.{minor}: {other:?}"),
        }
        let mut hs = ServerHandshake::new(&config);
        let plain = format!("GET / HTTP/1.{minor}\r\nHost: a\r\nX: y\r\n\r\nrest");
        let Ok(ServerFeed::Plain(request)) = hs.feed(plain.as_bytes()) else {
            panic!("plain HTTP/1.{minor}")
        };
        assert_eq!(request.minor_version(), 1);
        assert_eq!(request.header("x"), Some("y"));
        assert_eq!(request.leftover(), b"rest");
        // The client reads a 101 of a higher minor version as HTTP/1.1's.
        let mut response = response_101("");
        response[7] = b'0' + minor;
        let client = ClientConfig::new();
        let outcome = every_chunking(&response, Pieces::Two, |chunks| {
            dial(&client, "ws://example.com/chat", chunks)
        });
        assert!(
            matches!(outcome, ClientOutcome::Connected { .. }),
            "{outcome:?}"
        );
    }
    for version in ["HTTP/2.0", "HTTP/3.0", "HTTP/0.9", "HTTP/9.1"] {
        let bytes = upgrade(&format!("GET /chat {version}"), &["Host: example.com"]);
        assert_eq!(
            refusal(&config, &bytes),
            (Error::HttpVersionNotSupported, 505),
            "{version}"
        );
        let plain = format!("GET / {version}\r\nHost: a\r\n\r\n");
        assert_eq!(refusal(&config, plain.as_bytes()).1, 505, "{version}");
    }
    // Not an HTTP-version at all (RFC 9112 §2.3: DIGIT "." DIGIT): malformed, 400.
    for version in [
        "HTTP/1.10",
        "HTTP/1.",
        "HTTP/1.x",
        "HTTP/2",
        "HTTPS/1.1",
        "HTTP/1.1 ",
    ] {
        let bytes = upgrade(&format!("GET /chat {version}"), &["Host: example.com"]);
        assert_eq!(refusal(&config, &bytes).1, 400, "{version}");
    }
    let old = upgrade("GET /chat HTTP/1.0", &["Host: example.com"]);
    assert_eq!(refusal(&config, &old), (Error::HttpVersionTooOld, 400));
    // The client: another major version, or HTTP/1.0, is still no 101 it accepts.
    let client = ClientConfig::new();
    for (version, expected) in [
        (
            &b"HTTP/2.0"[..],
            ClientError::Malformed(ws_handshake::Malformed::Version),
        ),
        (b"HTTP/1.0", ClientError::HttpVersionInvalid),
    ] {
        let mut response = response_101("");
        response[..8].copy_from_slice(version);
        let outcome = dial(&client, "ws://example.com/chat", &[&response]);
        assert_eq!(outcome, ClientOutcome::Failed(expected));
    }
}

// ---------------------------------------------------------------------------------
// Point 3

/// RFC 3986 §3.2.3: `port = *DIGIT`; the value counts, not the number of digits, so
/// `000080` is port 80 in a URL, `Host`, `Origin`, `:authority` and the allow-list,
/// while a value above 65535 stays invalid however it is written. A megabyte of zeros
/// is read in one pass (the digits after the zeros are bounded).
#[test]
fn p21_03_ports_with_leading_zeros_are_their_value() {
    // The client's URL: port 80, left out of Host as the scheme's default.
    let url = ws_handshake::WsUrl::parse("ws://example.com:000080/chat").unwrap();
    assert_eq!(url.port(), 80);
    assert_eq!(url.host_header().to_string(), "example.com");
    let url = ws_handshake::WsUrl::parse("wss://example.com:0008443/").unwrap();
    assert_eq!(url.port(), 8443);
    for bad in [
        "ws://example.com:0065536/",
        "ws://example.com:0000/",
        "ws://h:00x1/",
    ] {
        assert!(ws_handshake::WsUrl::parse(bad).is_err(), "{bad}");
    }
    // The server: Host, the allow-list, Origin.
    let pinned = ServerConfig::new()
        .allowed_hosts(["example.com:0080"])
        .unwrap();
    for host in [
        "example.com:000080",
        "example.com:80",
        "example.com:00000000000080",
    ] {
        let bytes = upgrade("GET /chat HTTP/1.1", &[&format!("Host: {host}")]);
        assert!(authority(&pinned, &bytes).is_ok(), "{host}");
        let bytes = upgrade(
            "GET /chat HTTP/1.1",
            &[
                &format!("Host: {host}"),
                "Origin: http://example.com:0000080",
            ],
        );
        assert!(authority(&ServerConfig::new(), &bytes).is_ok(), "{host}");
        let target = format!("GET ws://{host}/chat HTTP/1.1");
        let bytes = upgrade(&target, &["Host: example.com"]);
        assert!(authority(&pinned, &bytes).is_ok(), "{target}");
    }
    for host in [
        "example.com:0065536",
        "example.com:99999",
        "example.com:0x50",
    ] {
        let bytes = upgrade("GET /chat HTTP/1.1", &[&format!("Host: {host}")]);
        assert_eq!(
            refusal(&ServerConfig::new(), &bytes).0,
            Error::HostInvalid,
            "{host}"
        );
    }
    let bytes = upgrade(
        "GET /chat HTTP/1.1",
        &["Host: example.com", "Origin: http://example.com:000081"],
    );
    assert_eq!(
        refusal(&ServerConfig::new(), &bytes).0,
        Error::OriginMismatch(OriginPart::Port)
    );
    // Extended CONNECT's :authority.
    let fields = [
        (":method", "CONNECT"),
        (":protocol", "websocket"),
        (":scheme", "https"),
        (":path", "/chat"),
        (":authority", "example.com:000443"),
        ("sec-websocket-version", "13"),
        ("origin", "https://example.com:0443"),
    ];
    let pinned = ServerConfig::new()
        .allowed_hosts(["example.com:443"])
        .unwrap();
    assert!(ws_handshake::ConnectRequest::validate(fields.iter().copied(), &pinned).is_ok());
    // A megabyte of zeros, then the port.
    let zeros = "0".repeat(1 << 20);
    let big = ws_handshake::Limits::default().with_max_head_bytes(2 << 20);
    let config = ServerConfig::new().with_limits(big);
    let bytes = upgrade(
        "GET /chat HTTP/1.1",
        &[&format!("Host: example.com:{zeros}80")],
    );
    assert!(authority(&config, &bytes).is_ok());
    let bytes = upgrade(
        "GET /chat HTTP/1.1",
        &[&format!("Host: example.com:{zeros}65536")],
    );
    assert_eq!(
        ServerHandshake::new(&config).feed(&bytes).err(),
        Some(Error::HostInvalid)
    );
    let url = format!("ws://example.com:{zeros}8080/");
    assert_eq!(ws_handshake::WsUrl::parse(&url).unwrap().port(), 8080);
}

// ---------------------------------------------------------------------------------
// Point 4

/// RFC 9112 §6.3: invalid framing is "an unrecoverable error" (item 5: an invalid
/// `Content-Length`; item 4: a request whose `Transfer-Encoding` does not end in
/// `chunked`) and "the server MUST respond with a 400 (Bad Request) status code and
/// then close the connection" — whatever the method, and for a plain request too. A
/// request whose framing is valid but announces a body still gets the rule it breaks
/// (405 for the method first, then 400 for the body).
#[test]
fn p21_04_broken_framing_is_400_before_the_method() {
    let config = ServerConfig::new();
    let broken = [
        "Content-Length: -1",
        "Content-Length: +0",
        "Content-Length: 0x10",
        "Content-Length: ",
        "Content-Length: 1 2",
        "Content-Length: 5, 5",
        "Transfer-Encoding: ",
        "Transfer-Encoding: identity",
        "Transfer-Encoding: chunked, gzip",
        "Transfer-Encoding: ,",
    ];
    for method in ["POST", "PUT", "GET", "DELETE"] {
        for line in broken {
            let bytes = upgrade(&format!("{method} /chat HTTP/1.1"), &["Host: a", line]);
            assert_eq!(
                refusal(&config, &bytes),
                (Error::FramingInvalid, 400),
                "{method} {line}"
            );
            let plain = head(&format!("{method} / HTTP/1.1"), &["Host: a", line]);
            assert_eq!(
                refusal(&config, &plain).0,
                Error::FramingInvalid,
                "plain {line}"
            );
        }
        // Both fields, a repeated length, or a transfer coding in HTTP/1.0.
        for lines in [
            &["Transfer-Encoding: chunked", "Content-Length: 0"][..],
            &["Content-Length: 0", "Content-Length: 0"],
        ] {
            let lines: Vec<&str> = ["Host: a"].iter().chain(lines).copied().collect();
            let bytes = upgrade(&format!("{method} /chat HTTP/1.1"), &lines);
            assert_eq!(
                refusal(&config, &bytes).0,
                Error::FramingInvalid,
                "{lines:?}"
            );
        }
        let bytes = upgrade(
            &format!("{method} /chat HTTP/1.0"),
            &["Host: a", "Transfer-Encoding: chunked"],
        );
        assert_eq!(refusal(&config, &bytes).0, Error::FramingInvalid);
    }
    // Valid framing: the method decides first, then the body.
    for line in ["Content-Length: 5", "Transfer-Encoding: gzip, Chunked"] {
        let post = upgrade("POST /chat HTTP/1.1", &["Host: a", line]);
        assert_eq!(
            refusal(&config, &post),
            (Error::MethodNotGet, 405),
            "{line}"
        );
        let get = upgrade("GET /chat HTTP/1.1", &["Host: a", line]);
        assert_eq!(
            refusal(&config, &get),
            (Error::BodyNotAllowed, 400),
            "{line}"
        );
        // A plain request with valid framing stays the caller's.
        let plain = head("POST /form HTTP/1.1", &["Host: a", line]);
        assert!(matches!(
            served(&config, &plain),
            ServerOutcome::Plain { .. }
        ));
    }
}

// ---------------------------------------------------------------------------------
// Point 7

/// The error of feeding `bytes` through `read_buffer`/`commit`, `step` bytes a read.
fn committed_error(config: &ServerConfig, bytes: &[u8], step: usize) -> Option<Error> {
    let mut hs = ServerHandshake::new(config);
    for piece in bytes.chunks(step) {
        let room = hs.read_buffer();
        let n = piece.len().min(room.len());
        room[..n].copy_from_slice(&piece[..n]);
        match hs.commit(n) {
            Ok(ServerFeed::NeedMore) => continue,
            Ok(_) => return None,
            Err(e) => return Some(e),
        }
    }
    None
}

/// RFC 9110 §15.5.15: 414 (URI Too Long) "indicates that the server is refusing to
/// service the request because the target URI is longer than the server is willing to
/// interpret" — distinct from 431 for header fields (RFC 6585 §5). The head limit is
/// one limit; when not even the request line ends within it the answer is 414, else
/// 431, in every chunking and through `read_buffer`/`commit`.
#[test]
fn p21_07_over_long_request_line_is_414() {
    let limit = 200;
    let config =
        ServerConfig::new().with_limits(ws_handshake::Limits::default().with_max_head_bytes(limit));
    let long_target = format!("/{}", "a".repeat(limit));
    let cases: [(Vec<u8>, Error); 5] = [
        // The request line alone is over the limit.
        (
            upgrade(&format!("GET {long_target} HTTP/1.1"), &["Host: a"]),
            Error::RequestLineTooLong { limit },
        ),
        // After the one empty line a server ignores before the request line.
        (
            [
                &b"\r\n"[..],
                &upgrade(&format!("GET {long_target} HTTP/1.1"), &["Host: a"]),
            ]
            .concat(),
            Error::RequestLineTooLong { limit },
        ),
        // The request line's LF would be the first byte past the limit.
        (
            format!("GET /{} HTTP/1.1\r\n\r\n", "b".repeat(limit - 15)).into_bytes(),
            Error::RequestLineTooLong { limit },
        ),
        // The request line fits; a header field does not.
        (
            upgrade(
                "GET / HTTP/1.1",
                &["Host: a", &format!("X: {}", "c".repeat(limit))],
            ),
            Error::HeadTooLarge { limit },
        ),
        (
            upgrade(
                &format!("GET /{} HTTP/1.1", "d".repeat(limit - 17)),
                &["Host: a"],
            ),
            Error::HeadTooLarge { limit },
        ),
    ];
    for (bytes, expected) in cases {
        let status = expected.status();
        assert_eq!(refusal(&config, &bytes), (expected, status));
        for step in [1, 7, 64, 1000] {
            assert_eq!(
                committed_error(&config, &bytes, step),
                Some(expected),
                "step {step}"
            );
        }
    }
    assert_eq!(Error::RequestLineTooLong { limit }.status(), 414);
    let mut out = Vec::new();
    Error::RequestLineTooLong { limit }
        .rejection()
        .write_to(&mut out);
    assert!(out.starts_with(b"HTTP/1.1 414 URI Too Long\r\nConnection: close\r\n"));
}

// ---------------------------------------------------------------------------------
// Point 11

/// RFC 9110 §8.6: `Content-Length = 1*DIGIT`, so `00` is a length of zero: no content,
/// which a WebSocket opening request (RFC 6455 §4.1) and a CONNECT (RFC 9110 §9.3.6)
/// may state. HTTP/1.1 and extended CONNECT give the same answer to the same value.
#[test]
fn p21_11_content_length_zeros_agree_on_both_transports() {
    let config = ServerConfig::new();
    for (value, accepted) in [
        ("0", true),
        ("00", true),
        ("0000", true),
        ("01", false),
        ("1", false),
    ] {
        let bytes = upgrade(
            "GET /chat HTTP/1.1",
            &["Host: example.com", &format!("Content-Length: {value}")],
        );
        let h1 = ServerHandshake::new(&config).feed(&bytes).map(|_| ()).err();
        let fields = [
            (":method", "CONNECT"),
            (":protocol", "websocket"),
            (":scheme", "https"),
            (":path", "/chat"),
            (":authority", "example.com"),
            ("sec-websocket-version", "13"),
            ("content-length", value),
        ];
        let connect = ws_handshake::ConnectRequest::validate(fields.iter().copied(), &config)
            .map(|_| ())
            .err();
        assert_eq!(h1, connect, "{value}");
        assert_eq!(h1.is_none(), accepted, "{value}");
        if !accepted {
            assert_eq!(h1, Some(Error::BodyNotAllowed));
        }
    }
}

// ---------------------------------------------------------------------------------
// Point 12

/// The `http_inspect` fuzz target's finding: the `http` crate's `Uri` takes `~` in a
/// scheme, which RFC 3986 §3.1 (`scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`)
/// does not allow, so `http::inspect` answered `RequestTargetScheme` where the byte path
/// answered `RequestTargetInvalid`. One rule now: a target whose scheme breaks the
/// grammar is `RequestTargetInvalid` on both paths; a well-formed scheme other than
/// `ws`/`wss`/`http`/`https` is `RequestTargetScheme` on both.
#[cfg(feature = "http")]
#[test]
fn p21_12_inspect_and_bytes_agree_on_scheme_grammar() {
    use ws_handshake::http::inspect;

    let config = ServerConfig::new();
    let found = "et+hzFFF~yyyyy127.0.0.1yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyRz://\
                 FFFFFFEEEEEFFFFFFFFFFFFFh/uzzFFFFFFFFFFFFFFFF";
    let cases = [
        (found, Error::RequestTargetInvalid),
        ("w~s://example.com/", Error::RequestTargetInvalid),
        ("ws~://example.com/", Error::RequestTargetInvalid),
        ("ftp://example.com/", Error::RequestTargetScheme),
        ("web+socket://example.com/", Error::RequestTargetScheme),
    ];
    let mut compared = 0;
    for (target, expected) in cases {
        let Ok(uri) = target.parse::<http::Uri>() else {
            continue; // a URI the http crate refuses never reaches inspect
        };
        compared += 1;
        let mut builder = http::Request::get(uri).header("host", "example.com");
        for line in WS_LINES {
            let (name, value) = line.split_once(": ").unwrap();
            builder = builder.header(name, value);
        }
        let request = builder.body(()).unwrap();
        assert_eq!(inspect(&request, &config).err(), Some(expected), "{target}");
        let bytes = upgrade(&format!("GET {target} HTTP/1.1"), &["Host: example.com"]);
        assert_eq!(refusal(&config, &bytes).0, expected, "{target}");
    }
    assert!(compared >= 3, "the http crate took the finding's scheme");
    // The finding's own request, fields included (its framing is broken too, which
    // both paths now check first).
    let request = http::Request::get(found)
        .header("sec-websocket-key1", "webtransport")
        .header("transfer-encoding", "CONNECT")
        .body(())
        .unwrap();
    let by_http = inspect(&request, &config).err();
    let bytes = head(
        &format!("GET {found} HTTP/1.1"),
        &[
            "sec-websocket-key1: webtransport",
            "transfer-encoding: CONNECT",
        ],
    );
    let by_bytes = ServerHandshake::new(&config).feed(&bytes).map(|_| ()).err();
    assert_eq!(by_http, by_bytes);
    assert_eq!(by_bytes, Some(Error::FramingInvalid));
}

// ---------------------------------------------------------------------------------
// Point 8

/// RFC 9110 §10.1.1: "A server MAY omit sending a 100 (Continue) response if ... the
/// framing indicates that there is no content"; an upgrade has none, so
/// `Expect: 100-continue` (case-insensitive) is answered by the 101 itself, with no
/// interim 100 first. "A server that receives an Expect field value containing a
/// member other than 100-continue MAY respond with a 417 (Expectation Failed)": the
/// crate does, on the byte path and in `http::inspect`. A plain request's `Expect` is
/// left to the caller.
#[test]
fn p21_08_expect_100_continue_gets_the_101_and_others_get_417() {
    let config = ServerConfig::new();
    for expect in [
        "100-continue",
        "100-Continue",
        "100-continue, 100-continue",
        " , 100-continue",
    ] {
        let bytes = upgrade(
            "GET /chat HTTP/1.1",
            &["Host: a", &format!("Expect: {expect}")],
        );
        match served(&config, &bytes) {
            ServerOutcome::Upgrade { response, .. } => {
                assert!(response.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
                assert!(!response.contains("100 Continue"), "{response}");
            }
            other => panic!("{expect}: {other:?}"),
        }
    }
    for expect in [
        "fancy",
        "100-continue, fancy",
        "100-continue; x=1",
        "101-continue",
        // More empty elements than the 16 a recipient ignores (RFC 9110 §5.6.1.2):
        // not a list naming 100-continue alone.
        ",,,,,,,,,,,,,,,,, 100-continue",
    ] {
        let bytes = upgrade(
            "GET /chat HTTP/1.1",
            &["Host: a", &format!("Expect: {expect}")],
        );
        assert_eq!(
            refusal(&config, &bytes),
            (Error::ExpectationFailed, 417),
            "{expect}"
        );
        let plain = head("GET / HTTP/1.1", &["Host: a", &format!("Expect: {expect}")]);
        assert!(matches!(
            served(&config, &plain),
            ServerOutcome::Plain { .. }
        ));
    }
    let mut out = Vec::new();
    Error::ExpectationFailed.rejection().write_to(&mut out);
    assert!(out.starts_with(b"HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\n"));
    // Extended CONNECT (RFC 8441) gives the same answers: the 200 meets 100-continue.
    for (expect, expected) in [
        ("100-continue", None),
        ("fancy", Some(Error::ExpectationFailed)),
    ] {
        let fields = [
            (":method", "CONNECT"),
            (":protocol", "websocket"),
            (":scheme", "https"),
            (":path", "/chat"),
            (":authority", "example.com"),
            ("sec-websocket-version", "13"),
            ("expect", expect),
        ];
        let result = ws_handshake::ConnectRequest::validate(fields.iter().copied(), &config);
        assert_eq!(result.map(|_| ()).err(), expected, "{expect}");
    }
    #[cfg(feature = "http")]
    {
        let request = |expect: &str| {
            let mut builder = http::Request::get("/chat")
                .header("host", "a")
                .header("expect", expect);
            for line in WS_LINES {
                let (name, value) = line.split_once(": ").unwrap();
                builder = builder.header(name, value);
            }
            builder.body(()).unwrap()
        };
        let (ok, fancy) = (request("100-continue"), request("fancy"));
        let accepted = ws_handshake::http::inspect(&ok, &config);
        assert!(matches!(
            accepted,
            Ok(ws_handshake::http::Inspect::Upgrade(_))
        ));
        let refused = ws_handshake::http::inspect(&fancy, &config);
        assert_eq!(refused.err(), Some(Error::ExpectationFailed));
    }
}

// ---------------------------------------------------------------------------------
// Point 9

/// kemal PR 767: a 403 without `Connection: close` let a pipelined request through.
/// For every refusal the response says `Connection: close`, and no byte after the
/// refused head is ever read as a request: the handshake keeps answering the same
/// error, whatever is fed after it (through `feed` and `read_buffer`/`commit`), and the
/// `http` front end's response says `close` too. (The `io` adapters: `tests/io_*.rs`.)
#[test]
fn p21_09_no_request_is_read_after_a_refusal() {
    let admin = b"GET /admin HTTP/1.1\r\nHost: example.com\r\n\r\n";
    let keep_alive = |extra: &[&str], start: &str| {
        let lines: Vec<&str> = ["Host: example.com", "Connection: keep-alive, Upgrade"]
            .iter()
            .chain(extra)
            .copied()
            .chain(
                WS_LINES
                    .iter()
                    .copied()
                    .filter(|l| !l.starts_with("Connection")),
            )
            .collect();
        head(start, &lines)
    };
    let get = "GET /chat HTTP/1.1";
    let cases: Vec<(Vec<u8>, Error)> = vec![
        (
            keep_alive(&["Origin: http://evil.example"], get),
            Error::OriginMismatch(OriginPart::Host),
        ),
        (keep_alive(&[], "POST /chat HTTP/1.1"), Error::MethodNotGet),
        (
            keep_alive(&["Sec-WebSocket-Version: 8"], get),
            Error::VersionRepeated,
        ),
        (
            keep_alive(&["Expect: fancy"], get),
            Error::ExpectationFailed,
        ),
        (
            keep_alive(&["Content-Length: -1"], get),
            Error::FramingInvalid,
        ),
        (
            keep_alive(&["Sec-WebSocket-Protocol: a=b"], get),
            Error::ProtocolListMalformed,
        ),
    ];
    let config = ServerConfig::new();
    for (refused, expected) in cases {
        let bytes = [&refused[..], admin].concat();
        let mut hs = ServerHandshake::new(&config);
        assert_eq!(hs.feed(&bytes).err(), Some(expected));
        // Fed again (the next read), the pipelined request is never parsed.
        assert_eq!(hs.feed(admin).err(), Some(expected));
        assert_eq!(hs.feed(b"").err(), Some(expected));
        let mut out = Vec::new();
        expected.rejection().write_to(&mut out);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\r\nConnection: close\r\n"), "{text}");
        assert_eq!(text.matches("HTTP/1.1 ").count(), 1, "{text}");
        // The same through read_buffer/commit, a byte at a time.
        assert_eq!(committed_error(&config, &bytes, 1), Some(expected));
        #[cfg(feature = "http")]
        {
            let response = expected.rejection().to_http_response();
            assert_eq!(response.headers()["connection"], "close");
        }
    }
}

// ---------------------------------------------------------------------------------
// Point 10

/// RFC 6455 §4.1 item 10: each subprotocol "MUST be ... a token" (RFC 7230 §3.2.6), so a
/// credential passed as a subprotocol (browsers cannot set `Authorization`) must be
/// base64url without padding. Padded or standard base64 is a 400 whose body says why;
/// the unpadded base64url token is read from `offered_protocols()` and never answered.
#[test]
fn p21_10_token_subprotocol_is_read_but_never_answered() {
    let config = ServerConfig::new().protocols(["chat"]).unwrap();
    let offer = |token: &str| {
        upgrade(
            "GET /ws HTTP/1.1",
            &[
                "Host: a",
                &format!("Sec-WebSocket-Protocol: chat, bearer.{token}"),
            ],
        )
    };
    let good = offer("dXNlcjpwYXNz_w-");
    let mut hs = ServerHandshake::new(&config);
    let Ok(ServerFeed::Upgrade(up)) = hs.feed(&good) else {
        panic!("refused")
    };
    let token = up
        .offered_protocols()
        .find_map(|p| p.as_str().strip_prefix("bearer."));
    assert_eq!(token, Some("dXNlcjpwYXNz_w-"));
    assert_eq!(up.protocol(), Some("chat"));
    let mut out = Vec::new();
    up.accept().write_to(&mut out);
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("\r\nSec-WebSocket-Protocol: chat\r\n"),
        "{text}"
    );
    assert!(!text.contains("bearer"), "{text}");
    for bad in ["dXNlcjpwYXNz/w==", "a+b/c", "abc="] {
        let bytes = offer(bad);
        let (error, status) = refusal(&config, &bytes);
        assert_eq!(
            (error, status),
            (Error::ProtocolListMalformed, 400),
            "{bad}"
        );
        let mut out = Vec::new();
        error.rejection().write_to(&mut out);
        let body = String::from_utf8(out).unwrap();
        assert!(body.contains("base64url without padding"), "{body}");
    }
}

// ---------------------------------------------------------------------------------
// Point 5

/// The client's reading of a permessage-deflate answer, on the HTTP/1.1 `101` and on
/// the extended CONNECT `200`: `Ok(agreed)` or the typed error.
fn deflate_answer(
    offer: ws_handshake::deflate::DeflateOffer,
    answer: &str,
) -> [Result<Option<ws_handshake::deflate::PerMessageDeflate>, ClientError>; 2] {
    use ws_handshake::{
        ClientFeed, ClientHandshake, ClientKey, ConnectClient, ConnectResponse, WsUrl,
    };
    let config = ClientConfig::new().deflate(Some(offer)).unwrap();
    let url = WsUrl::parse("ws://example.com/chat").unwrap();
    let response = response_101(&format!("Sec-WebSocket-Extensions: {answer}\r\n"));
    let mut hs = ClientHandshake::new(&config, url, ClientKey::from_nonce(common::builders::NONCE));
    let h1 = match hs.feed(&response) {
        Ok(ClientFeed::Connected(c)) => Ok(c.deflate()),
        Ok(other) => panic!("{other:?}"),
        Err(e) => Err(e),
    };
    let client = ConnectClient::new(&config, url);
    let fields = [("sec-websocket-extensions", answer)];
    let h2 = match client.response(200, fields.iter().copied()) {
        Ok(ConnectResponse::Connected(c)) => Ok(c.deflate()),
        Ok(ConnectResponse::Refused(r)) => panic!("{r:?}"),
        Err(e) => Err(e),
    };
    [h1, h2]
}

/// undici CVE-2026-2229: a server's `server_max_window_bits` outside 8–15 crashed the
/// client. RFC 7692 §7.1.2.1: the value is a decimal 8–15 without leading zeros, once,
/// possibly quoted (§7.1: `"15"` is the same value). Every hostile value is a typed
/// `ClientError` on `ClientHandshake` and `ConnectClient` alike, and every agreed window
/// the crate returns is within 8–15 (8 only where the server's answer says 8, which
/// §7.1.2.1 allows; inflating with 9 bits reads it).
#[test]
fn p21_05_hostile_deflate_parameters_in_a_101_are_typed_errors() {
    use ws_handshake::deflate::{DeflateOffer, DeflateParamError};
    let bare = DeflateOffer::new();
    let with_client = DeflateOffer::new().client_max_window_bits(Some(None));
    let thirty = "123456789012345678901234567890";
    for param in ["server_max_window_bits", "client_max_window_bits"] {
        for value in [
            "0", "7", "16", "08", thirty, "\"16\"", "\"08\"", "-9", "9.5", "0x9",
        ] {
            let answer = format!("permessage-deflate; {param}={value}");
            for got in deflate_answer(with_client, &answer) {
                assert_eq!(
                    got,
                    Err(ClientError::DeflateParam(DeflateParamError::ValueInvalid)),
                    "{answer}"
                );
            }
        }
        for answer in [
            format!("permessage-deflate; {param}="),
            format!("permessage-deflate; {param}=\"15"),
            format!("permessage-deflate; {param}=1 5"),
            format!("permessage-deflate; {param}=\"\""),
        ] {
            for got in deflate_answer(with_client, &answer) {
                assert!(
                    matches!(
                        got,
                        Err(ClientError::ExtensionListMalformed | ClientError::DeflateParam(_))
                    ),
                    "{answer}: {got:?}"
                );
            }
        }
        let repeated = format!("permessage-deflate; {param}=10; {param}=10");
        for got in deflate_answer(with_client, &repeated) {
            assert_eq!(
                got,
                Err(ClientError::DeflateParam(DeflateParamError::Repeated)),
                "{repeated}"
            );
        }
    }
    // A quoted "15" is the value 15 (RFC 7692 §7.1.2.1 and §7.1's quoted-string rule).
    for got in deflate_answer(bare, "permessage-deflate; server_max_window_bits=\"15\"") {
        assert_eq!(got.unwrap().unwrap().server_window_bits(), 15);
    }
    // Whatever is answered, an agreed window is within 8–15.
    for server in 0..=300u32 {
        for quoted in [false, true] {
            let value = if quoted {
                format!("\"{server}\"")
            } else {
                server.to_string()
            };
            let answer = format!("permessage-deflate; server_max_window_bits={value}; client_max_window_bits={value}");
            for got in deflate_answer(with_client, &answer) {
                match got {
                    Ok(Some(d)) => {
                        assert!((8..=15).contains(&server), "{answer}");
                        assert_eq!(d.server_window_bits(), server as u8);
                        assert_eq!(d.client_window_bits(), server as u8);
                    }
                    Ok(None) => panic!("deflate dropped: {answer}"),
                    Err(e) => assert!(!(8..=15).contains(&server), "{answer}: {e:?}"),
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Point 6

/// What the request of a client with `config` looks like on the wire, HTTP/1.1 and
/// the extended CONNECT fields joined, so a value that got in can be looked for.
fn written(config: &ClientConfig) -> String {
    use ws_handshake::{ClientHandshake, ClientKey, ConnectClient, WsUrl};
    let url = WsUrl::parse("ws://example.com/chat").unwrap();
    let mut out = Vec::new();
    let key = ClientKey::from_nonce(common::builders::NONCE);
    ClientHandshake::new(config, url, key)
        .request()
        .write_to(&mut out);
    let mut text = String::from_utf8(out).unwrap();
    for (name, value) in ConnectClient::new(config, url).request().fields() {
        text.push_str(&format!("{name}: {value}\n"));
    }
    text
}

const INJECTIONS: [&str; 5] = [
    "\r\nX-Injected: 1",
    "\nX-Injected: 1",
    "\rX-Injected: 1",
    "\0X-Injected",
    "x\r\n\r\nGET /X-Injected",
];

/// undici CVE-2026-1527 (CRLF injection through an option): CR, LF or NUL in a
/// subprotocol name is `BuildError::ProtocolInvalid`, and nothing of it reaches the
/// request (the same bytes without the control characters do, as a control).
#[test]
fn p21_06_crlf_in_subprotocol_names() {
    for bad in INJECTIONS {
        let name = format!("chat{bad}");
        let refused = ClientConfig::new().protocols([name.as_str()]);
        assert_eq!(
            refused.err(),
            Some(ws_handshake::BuildError::ProtocolInvalid),
            "{bad:?}"
        );
    }
    let control = ClientConfig::new().protocols(["chat-X-Injected"]).unwrap();
    assert!(written(&control).contains("X-Injected"));
}

/// The same for `Origin` (`BuildError::OriginInvalid`).
#[test]
fn p21_06_crlf_in_origin() {
    for bad in INJECTIONS {
        let origin = format!("https://example.com{bad}");
        let refused = ClientConfig::new().origin(&origin);
        assert_eq!(
            refused.err(),
            Some(ws_handshake::BuildError::OriginInvalid),
            "{bad:?}"
        );
    }
    let control = ClientConfig::new()
        .origin("https://X-Injected.example")
        .unwrap();
    assert!(written(&control).contains("X-Injected"));
}

/// Extension offers: permessage-deflate's parameters are typed (window bits are
/// numbers 8–15, the rest flags), so no text of the caller's reaches the offer; an
/// out-of-range window is `BuildError::WindowBitsInvalid`.
#[test]
fn p21_06_crlf_in_extension_offers() {
    use ws_handshake::deflate::DeflateOffer;
    for bits in [
        0, 7, 16, 13, /* CR */
        10, /* LF: a valid 10, written as digits */
    ] {
        let offer = DeflateOffer::new().server_max_window_bits(Some(bits));
        match ClientConfig::new().deflate(Some(offer)) {
            Ok(config) => {
                assert!((8..=15).contains(&bits));
                let text = written(&config);
                assert!(
                    text.contains(&format!("server_max_window_bits={bits}")),
                    "{text}"
                );
                assert!(
                    !text.contains("\r\r") && !text.contains("\n\n\n"),
                    "{text:?}"
                );
            }
            Err(e) => assert_eq!(e, ws_handshake::BuildError::WindowBitsInvalid, "{bits}"),
        }
    }
}

/// Extra headers: a name that is not a token is `HeaderNameInvalid`, a value with
/// CR, LF or NUL is `HeaderValueInvalid`.
#[test]
fn p21_06_crlf_in_extra_headers() {
    use ws_handshake::BuildError;
    for bad in INJECTIONS {
        let value = format!("v{bad}");
        let refused = ClientConfig::new().header("X-App", &value);
        assert_eq!(
            refused.err(),
            Some(BuildError::HeaderValueInvalid),
            "{bad:?}"
        );
        let name = format!("X-App{bad}");
        let refused = ClientConfig::new().header(&name, "v");
        assert_eq!(
            refused.err(),
            Some(BuildError::HeaderNameInvalid),
            "{bad:?}"
        );
    }
    let control = ClientConfig::new()
        .header("X-App", "v X-Injected: 1")
        .unwrap();
    assert!(written(&control).contains("X-Injected"));
}

/// The proxy's `CONNECT`: extra headers, a raw `Proxy-Authorization` value, and the
/// `Basic` credentials (user and password: `CredentialsError::ControlCharacter`,
/// RFC 7617 §2).
#[test]
fn p21_06_crlf_in_proxy_headers_and_credentials() {
    use ws_handshake::auth::{Basic, CredentialsError};
    use ws_handshake::proxy::{ProxyConfig, ProxyTunnel};
    use ws_handshake::{BuildError, WsUrl};
    let target = WsUrl::parse("wss://example.com/chat").unwrap();
    let connect = |config: &ProxyConfig| {
        let mut out = Vec::new();
        ProxyTunnel::new(config, target)
            .request()
            .write_to(&mut out);
        String::from_utf8(out).unwrap()
    };
    for bad in INJECTIONS {
        let value = format!("v{bad}");
        assert_eq!(
            ProxyConfig::new().header("X-App", &value).err(),
            Some(BuildError::HeaderValueInvalid)
        );
        assert_eq!(
            ProxyConfig::new().authorization(&value).err(),
            Some(BuildError::HeaderValueInvalid)
        );
        // (a user-id holds no colon at all, RFC 7617 §2: that is checked first)
        let user = value.replace(':', "");
        assert_eq!(
            Basic::new(&user, "pw").err(),
            Some(CredentialsError::ControlCharacter),
            "{bad:?}"
        );
        assert_eq!(
            Basic::new("user", &value).err(),
            Some(CredentialsError::ControlCharacter),
            "{bad:?}"
        );
        let user_pass = format!("user:{value}");
        assert_eq!(
            Basic::from_user_pass(&user_pass).err(),
            Some(CredentialsError::ControlCharacter)
        );
    }
    let control = ProxyConfig::new()
        .header("X-App", "v X-Injected: 1")
        .unwrap()
        .authorization("Bearer X-Injected")
        .unwrap();
    assert_eq!(connect(&control).matches("X-Injected").count(), 2);
}

/// The URL (`UrlError`, so `BuildError::UrlInvalid`) and a redirect's `Location`
/// (`RedirectError`): a control byte in a path, query or host is refused (RFC 3986
/// §2: it must be percent-encoded), so the request line and `Host` cannot be split.
#[test]
fn p21_06_crlf_in_the_url_and_a_redirect_location() {
    use ws_handshake::redirect::{RedirectError, RedirectPolicy};
    use ws_handshake::{UrlError, WsUrl};
    let base = WsUrl::parse("ws://example.com/chat").unwrap();
    for bad in INJECTIONS {
        for url in [
            format!("ws://example.com/chat{bad}"),
            format!("ws://example.com/chat?q={bad}"),
            format!("ws://example.com{bad}/chat"),
        ] {
            let refused = WsUrl::parse(&url).err();
            assert!(
                matches!(
                    refused,
                    Some(ws_handshake::BuildError::UrlInvalid(
                        UrlError::CharacterInvalid | UrlError::HostInvalid | UrlError::PortInvalid
                    ))
                ),
                "{url:?}: {refused:?}"
            );
        }
        for location in [
            format!("/next{bad}"),
            format!("ws://example.com/next{bad}"),
            format!("ws://ex{bad}ample.com/"),
        ] {
            let mut out = String::new();
            let refused = RedirectPolicy::new()
                .resolve(&base, &location, &mut out)
                .err();
            assert!(
                matches!(
                    refused,
                    Some(RedirectError::LocationInvalid | RedirectError::TargetInvalid(_))
                ),
                "{location:?}: {refused:?}"
            );
        }
    }
    // A NUL in a `Location` on the wire never even parses (RFC 9110 §5.5).
    let response = b"HTTP/1.1 302 Found\r\nLocation: /a\0b\r\n\r\n";
    let outcome = dial(&ClientConfig::new(), "ws://example.com/chat", &[response]);
    assert!(
        matches!(outcome, ClientOutcome::Failed(ClientError::Malformed(_))),
        "{outcome:?}"
    );
}
