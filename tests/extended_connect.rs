//! RFC 8441 / RFC 9220 extended CONNECT: one test per rule, the §5.1 example exchange,
//! and properties (field order, HTTP/2-forbidden fields, parity with HTTP/1.1).

use proptest::prelude::*;
use ws_handshake::deflate::DeflateConfig;
use ws_handshake::{
    ConnectRequest, Error, ExtensionParams, Head, Malformed, OriginPart, OriginPolicy,
    PseudoHeader, Rejection, ServerConfig, ServerFeed, ServerHandshake,
};

type Fields = Vec<(String, String)>;

/// A valid extended CONNECT with no negotiation headers.
fn base() -> Fields {
    [
        (":method", "CONNECT"),
        (":protocol", "websocket"),
        (":scheme", "https"),
        (":path", "/chat?room=1"),
        (":authority", "server.example.com"),
        ("sec-websocket-version", "13"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect()
}

fn validate<'a>(fields: &'a Fields, config: &ServerConfig) -> Result<ConnectRequest<'a>, Error> {
    ConnectRequest::validate(fields.iter().map(|(n, v)| (n.as_str(), v.as_str())), config)
}

fn check(fields: &Fields) -> Result<(), Error> {
    validate(fields, &ServerConfig::new()).map(|_| ())
}

fn with(mut fields: Fields, name: &str, value: &str) -> Fields {
    fields.push((name.into(), value.into()));
    fields
}

fn without(fields: Fields, name: &str) -> Fields {
    fields.into_iter().filter(|(n, _)| n != name).collect()
}

fn replace(fields: Fields, name: &str, value: &str) -> Fields {
    fields
        .into_iter()
        .map(|(n, v)| if n == name { (n, value.into()) } else { (n, v) })
        .collect()
}

/// What HTTP/2 forbids in any message (RFC 9113 §8.2.2) and what RFC 8441 replaces.
const FORBIDDEN_IN_HEAD: [&str; 8] = [
    "connection",
    "upgrade",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "sec-websocket-accept",
    "sec-websocket-key",
];

/// A `200` to a CONNECT must not carry `content-length` either (RFC 9110 §8.6).
fn assert_200_clean(head: &Head) {
    assert_eq!(head.status(), Some(200));
    assert_eq!(head.get("content-length"), None);
    assert_h2_clean(head);
}

fn assert_h2_clean(head: &Head) {
    for (name, value) in head.fields() {
        assert!(!name.starts_with(':'), "pseudo-header {name} in fields");
        assert!(
            !name.bytes().any(|b| b.is_ascii_uppercase()),
            "uppercase name {name}"
        );
        assert!(
            !FORBIDDEN_IN_HEAD.contains(&name),
            "HTTP/2-forbidden field {name}"
        );
        assert!(
            !value.bytes().any(|b| matches!(b, 0 | b'\r' | b'\n')),
            "bad value {value:?}"
        );
        assert_eq!(value.trim(), value, "value with outer whitespace");
    }
}

#[test]
fn rfc8441_section_5_1_example_exchange() {
    // HEADERS + END_HEADERS, exactly as in RFC 8441 §5.1.
    let request: [(&str, &str); 9] = [
        (":method", "CONNECT"),
        (":protocol", "websocket"),
        (":scheme", "https"),
        (":path", "/chat"),
        (":authority", "server.example.com"),
        ("sec-websocket-protocol", "chat, superchat"),
        ("sec-websocket-extensions", "permessage-deflate"),
        ("sec-websocket-version", "13"),
        ("origin", "http://www.example.com"),
    ];
    // The example's server speaks "chat", does not compress, and serves that origin.
    let config = ServerConfig::new()
        .protocols(["chat"])
        .unwrap()
        .origin_policy(OriginPolicy::allow_list(["http://www.example.com"]).unwrap());
    let accepted = ConnectRequest::validate(request, &config).unwrap();
    assert_eq!(accepted.scheme(), "https");
    assert_eq!(accepted.path(), "/chat");
    assert_eq!(accepted.authority(), "server.example.com");
    assert_eq!(accepted.origin(), Some("http://www.example.com"));
    let offered: Vec<_> = accepted.offered_protocols().map(|p| p.as_str()).collect();
    assert_eq!(offered, ["chat", "superchat"]);
    assert_eq!(
        accepted
            .offered_extensions()
            .map(|e| e.name())
            .collect::<Vec<_>>(),
        ["permessage-deflate"]
    );
    // HEADERS + END_HEADERS  :status = 200  sec-websocket-protocol = chat
    let head = accepted.accept().head();
    assert_eq!(head.status(), Some(200));
    assert_eq!(
        head.fields().collect::<Vec<_>>(),
        [("sec-websocket-protocol", "chat")]
    );
    assert_200_clean(&head);
}

#[test]
fn the_base_request_is_valid() {
    let fields = base();
    let request = validate(&fields, &ServerConfig::new()).unwrap();
    assert_eq!(request.target(), "/chat?room=1");
    assert_eq!(request.path(), "/chat");
    assert_eq!(request.query(), Some("room=1"));
    assert_eq!(request.protocol(), None);
    assert_eq!(request.deflate(), None);
    let head = request.accept().head();
    assert_eq!(head.status(), Some(200));
    assert_eq!(head.fields().count(), 0);
}

#[test]
fn method_must_be_connect() {
    for method in ["GET", "POST", "connect", "CONNECTX"] {
        let fields = replace(base(), ":method", method);
        assert_eq!(
            check(&fields),
            Err(Error::ConnectMethodRequired),
            "{method}"
        );
    }
    assert_eq!(Error::ConnectMethodRequired.status(), 405);
    let head = Rejection::from(Error::ConnectMethodRequired).head();
    assert_eq!(head.get("allow"), Some("CONNECT"));
    assert_eq!(
        check(&without(base(), ":method")),
        Err(Error::PseudoHeaderMissing(PseudoHeader::Method))
    );
}

#[test]
fn protocol_must_be_websocket() {
    for ok in ["websocket", "WebSocket", "WEBSOCKET"] {
        assert_eq!(check(&replace(base(), ":protocol", ok)), Ok(()), "{ok}");
    }
    for bad in ["webtransport", "connect-udp", "websockets", "h2c", ""] {
        let fields = replace(base(), ":protocol", bad);
        assert_eq!(check(&fields), Err(Error::ProtocolNotWebSocket), "{bad:?}");
    }
    assert_eq!(Error::ProtocolNotWebSocket.status(), 501);
    // Without :protocol but with :scheme and :path it is malformed (RFC 9113 §8.5);
    // a well-formed plain CONNECT is 501, see tests/conformance_h2.rs.
    assert_eq!(
        check(&without(base(), ":protocol")),
        Err(Error::PseudoHeaderMissing(PseudoHeader::Protocol))
    );
}

#[test]
fn scheme_path_and_authority_are_required_and_valid() {
    for (name, which) in [
        (":scheme", PseudoHeader::Scheme),
        (":path", PseudoHeader::Path),
        (":authority", PseudoHeader::Authority),
    ] {
        assert_eq!(
            check(&without(base(), name)),
            Err(Error::PseudoHeaderMissing(which)),
            "{name}"
        );
        assert_eq!(Error::PseudoHeaderMissing(which).status(), 400);
    }
    assert_eq!(check(&replace(base(), ":scheme", "http")), Ok(()));
    for bad in ["ws", "wss", "ftp", ""] {
        assert_eq!(
            check(&replace(base(), ":scheme", bad)),
            Err(Error::PseudoHeaderInvalid(PseudoHeader::Scheme)),
            "{bad:?}"
        );
    }
    assert_eq!(check(&replace(base(), ":path", "/")), Ok(()));
    for bad in ["", "*", "chat", "/a#frag", "/a b", "/caf\u{e9}"] {
        assert_eq!(
            check(&replace(base(), ":path", bad)),
            Err(Error::PseudoHeaderInvalid(PseudoHeader::Path)),
            "{bad:?}"
        );
    }
    for ok in ["example.com:8443", "127.0.0.1:9004", "[::1]:443"] {
        assert_eq!(check(&replace(base(), ":authority", ok)), Ok(()), "{ok}");
    }
    for bad in [
        "",
        "user@example.com",
        "example.com:x",
        "exa mple.com",
        "a:99999",
    ] {
        assert_eq!(
            check(&replace(base(), ":authority", bad)),
            Err(Error::PseudoHeaderInvalid(PseudoHeader::Authority)),
            "{bad:?}"
        );
    }
}

#[test]
fn pseudo_headers_once_known_and_first() {
    for name in [":method", ":protocol", ":scheme", ":path", ":authority"] {
        let mut fields = base();
        let value = fields.iter().find(|(n, _)| n == name).unwrap().1.clone();
        fields.insert(1, (name.into(), value));
        assert!(
            matches!(check(&fields), Err(Error::PseudoHeaderRepeated(p)) if p.as_str() == name),
            "{name}"
        );
    }
    for unknown in [":status", ":host", ":"] {
        let mut fields = base();
        fields.insert(0, (unknown.into(), "x".into()));
        assert_eq!(
            check(&fields),
            Err(Error::Malformed(Malformed::PseudoHeaderUnknown))
        );
    }
    let mut fields = base();
    let path = fields.remove(3);
    fields.push(path);
    assert_eq!(
        check(&fields),
        Err(Error::Malformed(Malformed::PseudoHeaderAfterField))
    );
}

#[test]
fn version_13_is_required() {
    assert_eq!(
        check(&without(base(), "sec-websocket-version")),
        Err(Error::VersionMissing)
    );
    for bad in ["8", "12", "14", "13, 8"] {
        let fields = replace(base(), "sec-websocket-version", bad);
        assert_eq!(check(&fields), Err(Error::VersionUnsupported), "{bad}");
    }
    assert_eq!(
        check(&with(base(), "sec-websocket-version", "13")),
        Err(Error::VersionRepeated)
    );
    let rejection = Rejection::from(Error::VersionUnsupported);
    let head = rejection.head();
    assert_eq!(head.status(), Some(426));
    assert_eq!(head.get("sec-websocket-version"), Some("13"));
    assert_h2_clean(&head);
}

/// RFC 8441 §5: these fields "are not used", so they are ignored (issue 14 point 13;
/// this test used to assert a refusal).
#[test]
fn http1_handshake_fields_are_ignored() {
    for name in [
        "sec-websocket-key",
        "sec-websocket-accept",
        "sec-websocket-key1",
        "sec-websocket-key2",
    ] {
        let fields = with(base(), name, "dGhlIHNhbXBsZSBub25jZQ==");
        assert_eq!(check(&fields), Ok(()), "{name}");
    }
}

#[test]
fn connection_specific_fields_make_the_request_malformed() {
    for (name, value) in [
        ("connection", "Upgrade"),
        ("upgrade", "websocket"),
        ("keep-alive", "timeout=5"),
        ("proxy-connection", "keep-alive"),
        ("transfer-encoding", "chunked"),
        ("te", "gzip"),
        ("te", "trailers, gzip"),
    ] {
        let fields = with(base(), name, value);
        assert_eq!(
            check(&fields),
            Err(Error::ConnectionSpecificHeader),
            "{name}: {value}"
        );
    }
    // RFC 9113 §8.2.2: the one exception.
    assert_eq!(check(&with(base(), "te", "trailers")), Ok(()));
    assert_eq!(Error::ConnectionSpecificHeader.status(), 400);
}

#[test]
fn field_syntax_is_http2s() {
    assert_eq!(
        check(&with(base(), "Sec-WebSocket-Protocol", "chat")),
        Err(Error::Malformed(Malformed::HeaderName))
    );
    assert_eq!(
        check(&with(base(), "x y", "1")),
        Err(Error::Malformed(Malformed::HeaderName))
    );
    for bad in ["a\r\nb", "a\0", " padded", "padded\t"] {
        assert_eq!(
            check(&with(base(), "x-tag", bad)),
            Err(Error::Malformed(Malformed::HeaderValue)),
            "{bad:?}"
        );
    }
    assert_eq!(
        check(&replace(base(), ":path", " /chat")),
        Err(Error::Malformed(Malformed::HeaderValue))
    );
}

#[test]
fn host_must_agree_with_authority() {
    assert_eq!(check(&with(base(), "host", "SERVER.example.com")), Ok(()));
    assert_eq!(
        check(&with(base(), "host", "evil.example")),
        Err(Error::Malformed(Malformed::HostNotAuthority))
    );
    let twice = with(with(base(), "host", "server.example.com"), "host", "x");
    assert_eq!(check(&twice), Err(Error::HostRepeated));
    // The allow-list of HTTP/1.1's Host applies to :authority (421).
    let config = ServerConfig::new()
        .allowed_hosts(["ws.example.com"])
        .unwrap();
    assert_eq!(
        validate(&base(), &config).map(|_| ()),
        Err(Error::HostNotAllowed)
    );
    let fields = replace(base(), ":authority", "ws.example.com");
    assert!(validate(&fields, &config).is_ok());
}

/// No content (RFC 9110 §9.3.6): `content-length: 0` says so and is accepted (issue 14
/// point 13; this test used to assert its refusal), any other length is refused.
#[test]
fn no_content_length() {
    assert_eq!(check(&with(base(), "content-length", "0")), Ok(()));
    assert_eq!(
        check(&with(base(), "content-length", "5")),
        Err(Error::BodyNotAllowed)
    );
}

#[test]
fn header_count_limit_applies() {
    let config =
        ServerConfig::new().with_limits(ws_handshake::Limits::default().with_max_headers(4));
    let mut fields = base();
    for i in 0..4 {
        fields.push((format!("x-{i}"), "1".into()));
    }
    assert_eq!(
        validate(&fields, &config).map(|_| ()),
        Err(Error::TooManyHeaders { limit: 4 })
    );
}

#[test]
fn origin_is_checked_against_authority() {
    let same = with(base(), "origin", "https://server.example.com");
    assert_eq!(check(&same), Ok(()));
    let cross = with(base(), "origin", "https://evil.example");
    assert_eq!(check(&cross), Err(Error::OriginMismatch(OriginPart::Host)));
    assert_eq!(Error::OriginRejected.status(), 403);
    let config = ServerConfig::new().require_origin(true);
    assert_eq!(
        validate(&base(), &config).map(|_| ()),
        Err(Error::OriginMissing)
    );
}

#[test]
fn negotiation_is_the_http1_one() {
    let config = ServerConfig::new()
        .protocols(["chat.v2", "chat"])
        .unwrap()
        .deflate(Some(DeflateConfig::new().server_max_window_bits(12)))
        .extension("x-trace", |_| Some(ExtensionParams::new()))
        .unwrap();
    let fields = with(
        with(base(), "sec-websocket-protocol", "chat, chat.v2"),
        "sec-websocket-extensions",
        "x-trace, permessage-deflate; client_max_window_bits",
    );
    let request = validate(&fields, &config).unwrap();
    assert_eq!(request.protocol(), Some("chat.v2"));
    let head = request.accept().head();
    assert_eq!(
        head.fields().collect::<Vec<_>>(),
        [
            ("sec-websocket-protocol", "chat.v2"),
            (
                "sec-websocket-extensions",
                "permessage-deflate; server_max_window_bits=12, x-trace"
            ),
        ]
    );
    assert_200_clean(&head);
    // The caller may pick another offered protocol, or drop deflate.
    let chat = request
        .offered_protocols()
        .find(|p| p.as_str() == "chat")
        .unwrap();
    let head = request
        .accept()
        .with_protocol(Some(chat))
        .without_deflate()
        .head();
    assert_eq!(head.get("sec-websocket-protocol"), Some("chat"));
    assert_eq!(head.get("sec-websocket-extensions"), Some("x-trace"));
    // Required protocol, malformed lists: the HTTP/1.1 errors.
    let strict = ServerConfig::new()
        .protocols(["mqtt"])
        .unwrap()
        .require_protocol(true);
    assert_eq!(
        validate(&fields, &strict).map(|_| ()),
        Err(Error::ProtocolRequired)
    );
    let bad = with(base(), "sec-websocket-protocol", "a b");
    assert_eq!(check(&bad), Err(Error::ProtocolListMalformed));
    let bad = with(base(), "sec-websocket-extensions", "x;;");
    assert_eq!(check(&bad), Err(Error::ExtensionListMalformed));
}

#[test]
fn accept_and_rejection_heads() {
    let fields = base();
    let request = validate(&fields, &ServerConfig::new()).unwrap();
    let extra = [("Set-Cookie", "id=1"), ("x-ok", "yes")];
    let head = request.accept().with_headers(&extra).unwrap().head();
    assert_eq!(
        head.fields().collect::<Vec<_>>(),
        [("set-cookie", "id=1"), ("x-ok", "yes")]
    );
    assert_200_clean(&head);
    for name in [
        "connection",
        "Upgrade",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "content-length",
        "sec-websocket-accept",
        ":status",
    ] {
        let extra = [(name, "x")];
        assert!(request.accept().with_headers(&extra).is_err(), "{name}");
        assert!(
            Rejection::new(401, "no")
                .unwrap()
                .with_headers(&extra)
                .is_err(),
            "{name}"
        );
    }
    assert!(Rejection::new(200, "ok").is_err());
    let reply = Rejection::new(401, "log in").unwrap();
    let head = reply.head();
    assert_eq!(head.status(), Some(401));
    assert_eq!(head.get("content-length"), Some("6"));
    assert_eq!(reply.body(), "log in");
    let reply = Rejection::from(Error::ProtocolNotWebSocket);
    assert_eq!(reply.head().status(), Some(501));
    assert_eq!(
        reply.head().get("content-length"),
        Some(reply.body().len().to_string().as_str())
    );
}

/// The same negotiation request as HTTP/1.1 bytes, with `Host` = `:authority`.
fn as_http1(fields: &Fields) -> Vec<u8> {
    let authority = &fields.iter().find(|(n, _)| n == ":authority").unwrap().1;
    let mut out = format!(
        "GET /chat HTTP/1.1\r\nHost: {authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    );
    for (n, v) in fields.iter().filter(|(n, _)| !n.starts_with(':')) {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

fn h1_header(response: &str, name: &str) -> Option<String> {
    response
        .split("\r\n")
        .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_string))
}

fn token() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "chat",
        "superchat",
        "chat.v2",
        "mqtt",
        "x-trace",
        "permessage-deflate",
        "a b",
        "",
        "permessage-deflate; client_max_window_bits",
        "permessage-deflate; server_max_window_bits=10",
        "permessage-deflate; bogus",
        "x-trace; id=7",
    ])
    .prop_map(str::to_string)
}

fn origin() -> impl Strategy<Value = Option<String>> {
    prop::option::of(
        prop::sample::select(vec![
            "https://server.example.com",
            "http://server.example.com",
            "https://evil.example",
            "null",
            "https://app.example.org",
        ])
        .prop_map(str::to_string),
    )
}

fn configs() -> Vec<ServerConfig> {
    vec![
        ServerConfig::new(),
        ServerConfig::new()
            .protocols(["chat", "chat.v2"])
            .unwrap()
            .deflate(Some(DeflateConfig::new())),
        ServerConfig::new()
            .protocols(["superchat"])
            .unwrap()
            .require_protocol(true)
            .extension("x-trace", |o| {
                let id = o.params().flatten().find(|p| p.name() == "id")?;
                ExtensionParams::new()
                    .value("id", id.value()?.as_str()?)
                    .ok()
            })
            .unwrap()
            .deflate(Some(DeflateConfig::new().server_no_context_takeover(true)))
            .origin_policy(OriginPolicy::allow_list(["https://app.example.org"]).unwrap()),
    ]
}

proptest! {
    /// The negotiated answer (or the refusal) is the HTTP/1.1 handshake's, field for field.
    #[test]
    fn same_negotiation_as_http1(
        protocols in prop::collection::vec(prop::collection::vec(token(), 0..3), 0..3),
        extensions in prop::collection::vec(prop::collection::vec(token(), 0..3), 0..3),
        origin in origin(),
        which in 0usize..3,
    ) {
        let config = &configs()[which];
        let mut fields = base();
        for line in &protocols {
            // HTTP/2 values have no outer whitespace (tested above); HTTP/1.1 trims it.
            fields.push(("sec-websocket-protocol".into(), line.join(", ").trim().into()));
        }
        for line in &extensions {
            fields.push(("sec-websocket-extensions".into(), line.join(", ").trim().into()));
        }
        if let Some(o) = origin {
            fields.push(("origin".into(), o));
        }
        let h2 = validate(&fields, config);
        let bytes = as_http1(&fields);
        // The same transport as `:scheme https`: TLS.
        let mut handshake = ServerHandshake::new(config).with_tls(true);
        let h1 = handshake.feed(&bytes);
        match (h2, h1) {
            (Ok(h2), Ok(ServerFeed::Upgrade(h1))) => {
                let head = h2.accept().head();
                assert_200_clean(&head);
                let mut out = Vec::new();
                h1.accept().write_to(&mut out);
                let out = String::from_utf8(out).unwrap();
                prop_assert_eq!(head.get("sec-websocket-protocol").map(str::to_string),
                    h1_header(&out, "Sec-WebSocket-Protocol"));
                prop_assert_eq!(head.get("sec-websocket-extensions").map(str::to_string),
                    h1_header(&out, "Sec-WebSocket-Extensions"));
                prop_assert_eq!(h2.deflate(), h1.deflate());
                prop_assert_eq!(h2.origin(), h1.origin());
                if let Some(p) = h2.protocol() {
                    prop_assert!(h2.offered_protocols().any(|o| o.as_str() == p));
                }
            }
            (Err(e2), Err(e1)) => prop_assert_eq!(e2, e1),
            (h2, h1) => prop_assert!(false, "h2 {:?} vs h1 {:?}", h2.map(|_| ()), h1.map(|_| ())),
        }
    }

    /// Regular fields may come in any order: the outcome does not change.
    #[test]
    fn regular_field_order_does_not_matter(seed in any::<u64>(), swaps in prop::collection::vec((0usize..5, 0usize..5), 0..8)) {
        let config = &configs()[1];
        let mut regular: Fields = vec![
            ("sec-websocket-protocol".into(), "chat.v2, chat".into()),
            ("sec-websocket-extensions".into(), "permessage-deflate".into()),
            ("origin".into(), "https://server.example.com".into()),
            ("cookie".into(), format!("id={seed}")),
            ("user-agent".into(), "proptest".into()),
        ];
        let reference = {
            let fields: Fields = base().into_iter().chain(regular.clone()).collect();
            validate(&fields, config).unwrap().accept().head().fields()
                .map(|(n, v)| (n.to_string(), v.to_string())).collect::<Vec<_>>()
        };
        for (a, b) in swaps {
            regular.swap(a, b);
        }
        let fields: Fields = base().into_iter().chain(regular).collect();
        let request = validate(&fields, config).unwrap();
        let head = request.accept().head();
        let got: Vec<_> = head.fields().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        prop_assert_eq!(got, reference);
    }

    /// A connection-specific field anywhere among the regular fields is refused.
    #[test]
    fn connection_specific_anywhere_is_refused(
        at in 0usize..4,
        name in prop::sample::select(vec!["connection", "upgrade", "keep-alive", "proxy-connection", "transfer-encoding"]),
        value in "[a-z0-9=, ]{0,12}",
    ) {
        let mut fields = with(with(base(), "user-agent", "x"), "origin", "https://server.example.com");
        let value = value.trim().to_string();
        fields.insert(5 + at.min(3), (name.to_string(), value));
        prop_assert_eq!(check(&fields), Err(Error::ConnectionSpecificHeader));
    }

    /// `:protocol` is `websocket` in any ASCII case, and anything else is a 501.
    #[test]
    fn protocol_token(value in "[A-Za-z-]{1,12}") {
        let result = check(&replace(base(), ":protocol", &value));
        if value.eq_ignore_ascii_case("websocket") {
            prop_assert_eq!(result, Ok(()));
        } else {
            prop_assert_eq!(result, Err(Error::ProtocolNotWebSocket));
        }
    }

    /// Any caller header set either is refused or ends up lowercase and HTTP/2-clean.
    #[test]
    fn extra_headers_stay_clean(name in "[A-Za-z:-]{1,20}", value in "[ -~\t\r\n]{0,20}") {
        let fields = base();
        let request = validate(&fields, &ServerConfig::new()).unwrap();
        let extra = [(name.as_str(), value.as_str())];
        if let Ok(accept) = request.accept().with_headers(&extra) {
            let head = accept.head();
            prop_assert_eq!(head.fields().count(), 1);
            for (n, v) in head.fields() {
                prop_assert!(!FORBIDDEN_IN_HEAD.contains(&n) && !n.starts_with(':'));
                prop_assert!(n != "content-length");
                prop_assert!(!n.bytes().any(|b| b.is_ascii_uppercase()));
                prop_assert!(!v.contains(['\r', '\n']));
                prop_assert_eq!(v.trim(), v);
            }
        }
    }
}

/// Chromium 156's real extended CONNECT (recorded by `examples/h2_server.rs --tls`).
#[test]
fn chromium_extended_connect_capture() {
    let text = std::fs::read_to_string("tests/captures/h2-request-chromium.fields").unwrap();
    let fields: Fields = text
        .lines()
        .map(|l| {
            let (n, v) = l.split_once('\t').unwrap();
            (n.to_string(), v.to_string())
        })
        .collect();
    let config = ServerConfig::new()
        .protocols(["chat"])
        .unwrap()
        .deflate(Some(DeflateConfig::new()));
    let request = validate(&fields, &config).unwrap();
    assert_eq!(request.authority(), "127.0.0.1:46185");
    // Same-origin by default: the page's https origin matches :authority.
    assert_eq!(request.origin(), Some("https://127.0.0.1:46185"));
    let head = request.accept().head();
    assert_eq!(
        head.fields().collect::<Vec<_>>(),
        [
            ("sec-websocket-protocol", "chat"),
            ("sec-websocket-extensions", "permessage-deflate"),
        ]
    );
    assert_200_clean(&head);
    // Chromium sends no sec-websocket-key, connection or upgrade over HTTP/2.
    for name in ["sec-websocket-key", "connection", "upgrade", "host"] {
        assert!(fields.iter().all(|(n, _)| n != name), "{name}");
    }
}

/// The `http` front end: the same rules and answers as the name/value pairs.
#[cfg(feature = "http")]
mod http_adapter {
    use super::*;

    fn h2_request(fields: &Fields) -> http::Request<()> {
        let get = |n: &str| fields.iter().find(|(f, _)| f == n).map(|(_, v)| v.as_str());
        let uri = format!(
            "{}://{}{}",
            get(":scheme").unwrap(),
            get(":authority").unwrap(),
            get(":path").unwrap()
        );
        let mut builder = http::Request::builder()
            .method(get(":method").unwrap())
            .version(http::Version::HTTP_2)
            .uri(uri);
        for (n, v) in fields.iter().filter(|(n, _)| !n.starts_with(':')) {
            builder = builder.header(n, v);
        }
        builder.body(()).unwrap()
    }

    #[test]
    fn rfc8441_example_through_http() {
        let fields = with(
            with(base(), "sec-websocket-protocol", "chat, superchat"),
            "origin",
            "https://server.example.com",
        );
        let config = ServerConfig::new().protocols(["chat"]).unwrap();
        let request = h2_request(&fields);
        let accepted = ConnectRequest::from_http(&request, Some("websocket"), &config).unwrap();
        assert_eq!(accepted.target(), "/chat?room=1");
        assert_eq!(accepted.authority(), "server.example.com");
        let response = accepted.accept().to_http_response();
        assert_eq!(response.status(), 200);
        let got: Vec<_> = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(got, [("sec-websocket-protocol", "chat")]);
        // The same as the pairs path.
        let pairs = validate(&fields, &config).unwrap();
        assert_eq!(pairs.accept().head(), accepted.accept().head());
        let (parts, ()) = request.into_parts();
        assert!(ConnectRequest::from_http_parts(&parts, Some("websocket"), &config).is_ok());
    }

    #[test]
    fn http_errors_match_pairs_errors() {
        let config = ServerConfig::new();
        let cases = [
            replace(base(), ":method", "GET"),
            replace(base(), "sec-websocket-version", "8"),
            with(base(), "sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
            with(base(), "origin", "https://evil.example"),
            with(base(), "keep-alive", "5"),
        ];
        for fields in &cases {
            let request = h2_request(fields);
            assert_eq!(
                ConnectRequest::from_http(&request, Some("websocket"), &config).map(|_| ()),
                check(fields),
                "{fields:?}"
            );
        }
        let request = h2_request(&base());
        assert_eq!(
            ConnectRequest::from_http(&request, Some("webtransport"), &config).map(|_| ()),
            Err(Error::ProtocolNotWebSocket)
        );
        assert_eq!(
            ConnectRequest::from_http(&request, None, &config).map(|_| ()),
            Err(Error::PseudoHeaderMissing(PseudoHeader::Protocol))
        );
        let mut h1 = h2_request(&base());
        *h1.version_mut() = http::Version::HTTP_11;
        assert_eq!(
            ConnectRequest::from_http(&h1, Some("websocket"), &config).map(|_| ()),
            Err(Error::Malformed(Malformed::Version))
        );
    }

    #[test]
    fn rejections_as_http_responses() {
        let response = Rejection::from(Error::ConnectMethodRequired).to_connect_response();
        assert_eq!(response.status(), 405);
        assert_eq!(response.headers()["allow"], "CONNECT");
        assert_eq!(response.headers()["sec-websocket-version"], "13");
        assert_eq!(
            response.headers()["content-length"],
            response.body().len().to_string().as_str()
        );
        assert!(!response.headers().contains_key("connection"));
        let response = Rejection::from(Error::VersionUnsupported).to_connect_response();
        assert_eq!(response.status(), 426);
        assert!(!response.headers().contains_key("upgrade"));
        assert_eq!(response.body(), "Sec-WebSocket-Version must be 13\n");
    }
}
