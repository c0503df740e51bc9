//! Issue 14, the "lists" points: one reader for every `#rule` list (point 4), the empty
//! port in `Host` (point 6), and `ws://` / `wss://` URLs (point 11).

mod common;

use common::builders::{response_101 as ok101, upgrade_request, KEY};
use common::pair::{dial, ClientOutcome, ServerOutcome};
use ws_handshake::deflate::{DeflateConfig, DeflateOffer};
use ws_handshake::{
    BuildError, ClientConfig, ClientError, ClientHandshake, ClientKey, ConnectRequest, Error,
    OriginPart, OriginPolicy, ServerConfig, ServerFeed, ServerHandshake, UrlError, WsUrl,
};

/// A valid upgrade request with `host` and the `extra` header lines.
fn request(host: &str, extra: &[&str]) -> Vec<u8> {
    upgrade_request("/chat", host, extra)
}

/// What the server decides: the chosen protocol and deflate answer, or the error.
fn serve(config: &ServerConfig, bytes: &[u8]) -> Result<(Option<String>, Option<String>), Error> {
    match common::pair::serve(config, &[bytes]) {
        ServerOutcome::Upgrade {
            protocol, deflate, ..
        } => Ok((protocol, deflate.map(|d| d.to_string()))),
        ServerOutcome::Rejected { error, .. } => Err(error),
        other => panic!("expected an upgrade, got {other:?}"),
    }
}

fn chat_server() -> ServerConfig {
    ServerConfig::new()
        .protocols(["superchat", "chat"])
        .unwrap()
        .deflate(Some(DeflateConfig::new()))
}

/// RFC 9110 §5.6.1.2 (was RFC 7230 §7): "a recipient MUST accept empty elements in a
/// list and ignore a reasonable number of them", for `1#token`
/// (`Sec-WebSocket-Protocol`, RFC 6455 §11.3.4) and `1#extension` (§9.1) alike.
#[test]
fn p04_server_ignores_empty_list_elements() {
    let c = chat_server();
    for (line, protocol) in [
        ("Sec-WebSocket-Protocol: chat,,superchat", "superchat"),
        ("Sec-WebSocket-Protocol: , chat", "chat"),
        ("Sec-WebSocket-Protocol: chat,", "chat"),
        ("Sec-WebSocket-Protocol: ,\t,chat , ,", "chat"),
    ] {
        assert_eq!(
            serve(&c, &request("a", &[line])),
            Ok((Some(protocol.to_owned()), None)),
            "{line}"
        );
    }
    for line in [
        "Sec-WebSocket-Extensions: permessage-deflate,",
        "Sec-WebSocket-Extensions: , permessage-deflate",
        "Sec-WebSocket-Extensions: x-foo,, permessage-deflate , ",
    ] {
        assert_eq!(
            serve(&c, &request("a", &[line])),
            Ok((None, Some("permessage-deflate".to_owned()))),
            "{line}"
        );
    }
    // The offered protocols the caller sees carry no empty element.
    let bytes = request("a", &["Sec-WebSocket-Protocol: ,a,, b,"]);
    let mut hs = ServerHandshake::new(&c);
    let Ok(ServerFeed::Upgrade(u)) = hs.feed(&bytes) else {
        panic!()
    };
    let offered: Vec<&str> = u.offered_protocols().map(|p| p.as_str()).collect();
    assert_eq!(offered, ["a", "b"]);
}

/// RFC 9110 §5.6.1.2: a `1#` list needs one non-empty element ("", "," are invalid),
/// and only "a reasonable number" of empty ones is ignored: 16 per field line here.
#[test]
fn p04_empty_elements_are_bounded_and_one_element_is_required() {
    let c = chat_server();
    let commas = |n: usize| ",".repeat(n);
    // 16 empty elements (15 commas before `chat` and one after it) are ignored ...
    let ok = format!("Sec-WebSocket-Protocol: {}chat,", commas(15));
    assert_eq!(
        serve(&c, &request("a", &[&ok])),
        Ok((Some("chat".to_owned()), None))
    );
    let ok = format!(
        "Sec-WebSocket-Extensions: {}permessage-deflate,",
        commas(15)
    );
    assert!(serve(&c, &request("a", &[&ok])).is_ok());
    // ... 17 are not.
    let bad = format!("Sec-WebSocket-Protocol: {}chat,", commas(16));
    assert_eq!(
        serve(&c, &request("a", &[&bad])),
        Err(Error::ProtocolListMalformed)
    );
    let bad = format!(
        "Sec-WebSocket-Extensions: {}permessage-deflate,",
        commas(16)
    );
    assert_eq!(
        serve(&c, &request("a", &[&bad])),
        Err(Error::ExtensionListMalformed)
    );
    for line in ["Sec-WebSocket-Protocol: ,", "Sec-WebSocket-Protocol: , ,"] {
        assert_eq!(
            serve(&c, &request("a", &[line])),
            Err(Error::ProtocolListMalformed)
        );
    }
    assert_eq!(
        serve(&c, &request("a", &["Sec-WebSocket-Extensions: ,"])),
        Err(Error::ExtensionListMalformed)
    );
}

/// `Upgrade` and `Connection` are `#rule` lists too (RFC 9110 §7.8, §7.6.1): the same
/// reader, so the same empty elements are ignored and the same bound applies.
#[test]
fn p04_upgrade_and_connection_use_the_same_reader() {
    let c = ServerConfig::new();
    let with = |upgrade: &str, connection: &str| {
        let r = format!(
            "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: {upgrade}\r\nConnection: {connection}\r\n\
             Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        serve(&c, r.as_bytes()).map(|_| ())
    };
    assert_eq!(with(", websocket", "Upgrade,"), Ok(()));
    assert_eq!(with("websocket,,", ",,keep-alive,,Upgrade"), Ok(()));
    let many = ",".repeat(17);
    assert_eq!(
        with(&format!("{many}websocket"), "Upgrade"),
        Err(Error::UpgradeLacksWebSocket)
    );
    assert_eq!(
        with("websocket", &format!("Upgrade{many}")),
        Err(Error::ConnectionLacksUpgrade)
    );
}

fn client_feed(
    config: &ClientConfig,
    response: &[u8],
) -> Result<(Option<String>, bool), ClientError> {
    match dial(config, "ws://a/chat", &[response]).into_result()? {
        ClientOutcome::Connected {
            protocol, deflate, ..
        } => Ok((protocol, deflate.is_some())),
        other => panic!("expected a connection, got {other:?}"),
    }
}

/// RFC 9110 §5.6.1.2 on the client (RFC 6455 §4.1 response checks 5 and 6): empty
/// elements in the response's `Sec-WebSocket-Extensions` (a `1#extension` list) and
/// around its single `Sec-WebSocket-Protocol` token are ignored.
#[test]
fn p04_client_ignores_empty_list_elements() {
    let config = ClientConfig::new()
        .protocols(["chat", "superchat"])
        .unwrap()
        .deflate(Some(DeflateOffer::new()))
        .unwrap();
    for extra in [
        "Sec-WebSocket-Extensions: permessage-deflate,\r\nSec-WebSocket-Protocol: chat\r\n",
        "Sec-WebSocket-Extensions: , permessage-deflate\r\nSec-WebSocket-Protocol: chat,\r\n",
        "Sec-WebSocket-Extensions: permessage-deflate\r\nSec-WebSocket-Protocol: , chat , \r\n",
    ] {
        assert_eq!(
            client_feed(&config, &ok101(extra)),
            Ok((Some("chat".to_owned()), true)),
            "{extra:?}"
        );
    }
    // Still exactly one protocol, and still one extension at least.
    for (extra, error) in [
        (
            "Sec-WebSocket-Protocol: chat,,superchat\r\n",
            ClientError::ProtocolMalformed,
        ),
        (
            "Sec-WebSocket-Protocol: ,\r\n",
            ClientError::ProtocolMalformed,
        ),
        (
            "Sec-WebSocket-Extensions: ,\r\n",
            ClientError::ExtensionListMalformed,
        ),
    ] {
        assert_eq!(client_feed(&config, &ok101(extra)), Err(error), "{extra:?}");
    }
}

/// RFC 8441 §5 / RFC 9220 §3: extended CONNECT negotiates as HTTP/1.1 does, so the
/// RFC 9110 §5.6.1.2 list reading holds for `ConnectRequest` too.
#[test]
fn p04_extended_connect_ignores_empty_list_elements() {
    let config = chat_server();
    let fields = |protocols: &'static str, extensions: &'static str| {
        [
            (":method", "CONNECT".to_owned()),
            (":protocol", "websocket".to_owned()),
            (":scheme", "https".to_owned()),
            (":path", "/chat".to_owned()),
            (":authority", "a.example".to_owned()),
            ("sec-websocket-version", "13".to_owned()),
            ("sec-websocket-protocol", protocols.to_owned()),
            ("sec-websocket-extensions", extensions.to_owned()),
        ]
    };
    let run = |protocols: &'static str, extensions: &'static str| {
        let f = fields(protocols, extensions);
        ConnectRequest::validate(f.iter().map(|(n, v)| (*n, v.as_str())), &config).map(|r| {
            (
                r.protocol().map(str::to_owned),
                r.deflate().map(|d| d.to_string()),
                r.offered_protocols().count(),
            )
        })
    };
    assert_eq!(
        run("chat,,superchat", "permessage-deflate,"),
        Ok((
            Some("superchat".to_owned()),
            Some("permessage-deflate".to_owned()),
            2
        ))
    );
    assert_eq!(
        run(", chat", ", x-foo,,permessage-deflate"),
        Ok((
            Some("chat".to_owned()),
            Some("permessage-deflate".to_owned()),
            1
        ))
    );
    assert_eq!(
        run(",", "permessage-deflate"),
        Err(Error::ProtocolListMalformed)
    );
    assert_eq!(
        run(
            "chat",
            &*Box::leak(format!("{}x", ",".repeat(17)).into_boxed_str())
        ),
        Err(Error::ExtensionListMalformed)
    );
}

/// RFC 3986 §3.2.3: `port = *DIGIT`, and an empty port means the scheme's default;
/// RFC 9110 §7.2 takes `Host` as `uri-host [ ":" port ]`. So `Host: example.com:` is
/// valid, and names the same host as `example.com` for the allow-list and same-origin.
#[test]
fn p06_host_with_an_empty_port_is_the_default_port() {
    let open = ServerConfig::new().origin_policy(OriginPolicy::Any);
    for host in ["example.com:", "[::1]:", "127.0.0.1:"] {
        assert_eq!(
            serve(&open, &request(host, &[])),
            Ok((None, None)),
            "{host}"
        );
    }
    // The allow-list and the same-origin policy read it as the host without a port.
    let listed = ServerConfig::new().allowed_hosts(["example.com"]).unwrap();
    assert!(serve(
        &listed,
        &request("example.com:", &["Origin: http://example.com"])
    )
    .is_ok());
    assert!(serve(
        &listed,
        &request("example.com:", &["Origin: https://example.com"])
    )
    .is_ok());
    assert_eq!(
        serve(&listed, &request("other.example:", &[])),
        Err(Error::HostNotAllowed)
    );
    assert_eq!(
        serve(
            &ServerConfig::new(),
            &request("example.com:", &["Origin: http://example.com:8080"])
        ),
        Err(Error::OriginMismatch(OriginPart::Port))
    );
    // The same grammar builds the allow-list; a doubled colon is still no port.
    assert!(ServerConfig::new().allowed_hosts(["example.com:"]).is_ok());
    for host in ["example.com::", ":", "example.com:x"] {
        assert_eq!(
            serve(&open, &request(host, &[])),
            Err(Error::HostInvalid),
            "{host}"
        );
    }
}

/// RFC 6455 §3: the resource name is the path, then "?" and the query only "if the
/// query component is non-empty".
#[test]
fn p11_empty_query_gives_no_question_mark() {
    for (url, resource) in [
        ("ws://h/?", "/"),
        ("ws://h?", "/"),
        ("wss://h/x?", "/x"),
        ("ws://h/x??", "/x??"),
        ("ws://h/x?a", "/x?a"),
    ] {
        let u = WsUrl::parse(url).unwrap();
        assert_eq!(u.resource().to_string(), resource, "{url}");
        let config = ClientConfig::new();
        let hs = ClientHandshake::new(&config, u, ClientKey::from_nonce([7; 16]));
        let mut bytes = Vec::new();
        hs.request().write_to(&mut bytes);
        let start = format!("GET {resource} HTTP/1.1\r\n");
        assert!(bytes.starts_with(start.as_bytes()), "{url}");
    }
}

/// RFC 3986 §3.2.3 (`port = *DIGIT`, empty: the scheme's default) and RFC 6455 §3
/// (default ports 80 and 443, left out of `Host`).
#[test]
fn p11_empty_port_is_the_default_port() {
    for (url, port, host_header) in [
        ("ws://h:/x", 80, "h"),
        ("wss://h:/x", 443, "h"),
        ("ws://h:", 80, "h"),
        ("wss://[::1]:?a", 443, "[::1]"),
    ] {
        let u = WsUrl::parse(url).unwrap();
        assert_eq!(u.port(), port, "{url}");
        assert_eq!(u.host_header().to_string(), host_header, "{url}");
    }
    assert_eq!(
        WsUrl::parse("ws://h::/"),
        Err(BuildError::UrlInvalid(UrlError::PortInvalid))
    );
}

/// RFC 3986 §3.2.2: `IP-literal = "[" ( IPv6address / IPvFuture ) "]"`. An IPv4
/// address or a run of colons in brackets is neither; the server's `Host` uses the
/// same check.
#[test]
fn p11_ip_literals_are_ipv6_or_ipvfuture() {
    for host in [
        "[1.2.3.4]",
        "[:::::]",
        "[:::]",
        "[1:2:3:4:5:6:7]",
        "[1:2:3:4:5:6:7:8:9]",
        "[1::2::3]",
        "[12345::]",
        "[::1.2.3.256]",
        "[v1]",
        "[v.x]",
        "[vz.x]",
    ] {
        let url = format!("ws://{host}/");
        assert_eq!(
            WsUrl::parse(&url),
            Err(BuildError::UrlInvalid(UrlError::HostInvalid)),
            "{url}"
        );
        let open = ServerConfig::new().origin_policy(OriginPolicy::Any);
        assert_eq!(
            serve(&open, &request(host, &[])),
            Err(Error::HostInvalid),
            "{host}"
        );
    }
    for (host, dial) in [
        ("[::1]", "::1"),
        ("[::]", "::"),
        ("[::ffff:1.2.3.4]", "::ffff:1.2.3.4"),
        ("[1:2:3:4:5:6:7:8]", "1:2:3:4:5:6:7:8"),
        ("[fe80::1:2]", "fe80::1:2"),
        ("[v1.fe80::a+en1]", "v1.fe80::a+en1"),
    ] {
        let url = format!("wss://{host}:8443/");
        let u = WsUrl::parse(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!((u.host(), u.port()), (dial, 8443));
        let open = ServerConfig::new().origin_policy(OriginPolicy::Any);
        assert!(serve(&open, &request(host, &[])).is_ok(), "{host}");
    }
}

/// RFC 3986 §3.3–3.4: a path or query holds `pchar`, `/` and `?` only; everything
/// else must be percent-encoded, and `%` starts a `pct-encoded` triplet.
#[test]
fn p11_characters_that_must_be_encoded_are_refused() {
    for c in [
        "{", "}", "\"", "|", "^", "\\", "`", "<", ">", " ", "[", "]", "\u{7f}", "\u{1}", "\u{e9}",
        "%", "%2", "%zz", "%%41",
    ] {
        for url in [format!("ws://h/a{c}x"), format!("ws://h/?q={c}")] {
            assert_eq!(
                WsUrl::parse(&url),
                Err(BuildError::UrlInvalid(UrlError::CharacterInvalid)),
                "{url:?}"
            );
        }
    }
    // Every other printable byte may stand as it is.
    let allowed = "ws://h/azAZ09-._~!$&'()*+,;=:@/%2f%C3%A9?q=/?:@!$&'()*+,;=-._~%20";
    let u = WsUrl::parse(allowed).unwrap();
    assert_eq!(
        u.resource().to_string(),
        "/azAZ09-._~!$&'()*+,;=:@/%2f%C3%A9?q=/?:@!$&'()*+,;=-._~%20"
    );
}
