//! The client's request (RFC 6455 §4.1, the opening handshake's client side): the
//! bytes written for a configuration and a URL, the configuration's refusals, and the
//! `WsUrl` table of RFC 6455 §3.

mod common;

use common::builders::{capture, NONCE};
use ws_handshake::deflate::DeflateOffer;
use ws_handshake::{
    BufferTooSmall, BuildError, ClientConfig, ClientHandshake, ClientKey, UrlError, WsUrl,
};

/// The URL the captured requests were written for.
const CAPTURE_URL: &str = "ws://127.0.0.1:18200/chat";

fn plain() -> ClientConfig {
    ClientConfig::new()
}

fn chat() -> ClientConfig {
    ClientConfig::new()
        .protocols(["chat", "superchat"])
        .unwrap()
}

fn request_bytes(config: &ClientConfig, url: &str, nonce: [u8; 16]) -> Vec<u8> {
    let hs = ClientHandshake::new(
        config,
        WsUrl::parse(url).unwrap(),
        ClientKey::from_nonce(nonce),
    );
    let mut out = Vec::new();
    hs.request().write_to(&mut out);
    out
}

// ---------------------------------------------------------------------------------
// The request

#[test]
fn request_matches_the_hand_written_capture_byte_for_byte() {
    let config = chat()
        .deflate(Some(DeflateOffer::new().client_max_window_bits(Some(None))))
        .unwrap();
    assert_eq!(
        request_bytes(&config, CAPTURE_URL, NONCE),
        capture("request-rawclient-fixed.http")
    );
    assert_eq!(
        request_bytes(&plain(), CAPTURE_URL, NONCE),
        capture("request-rawclient-minimal.http")
    );
}

#[test]
fn request_with_every_option_is_exact() {
    let offer = DeflateOffer::new()
        .server_no_context_takeover(true)
        .client_no_context_takeover(true)
        .server_max_window_bits(Some(11))
        .client_max_window_bits(Some(Some(10)));
    let config = ClientConfig::new()
        .protocols(["v2.chat"])
        .unwrap()
        .deflate(Some(offer))
        .unwrap()
        .origin("https://app.example")
        .unwrap()
        .header("Authorization", "Bearer t0k3n")
        .unwrap()
        .header("Cookie", "a=1; b=2")
        .unwrap();
    let got = request_bytes(&config, "wss://[2001:db8::1]:8443/a%2Fb?x=1&y", [0; 16]);
    let want = "GET /a%2Fb?x=1&y HTTP/1.1\r\n\
                Host: [2001:db8::1]:8443\r\n\
                Upgrade: websocket\r\n\
                Connection: Upgrade\r\n\
                Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n\
                Sec-WebSocket-Version: 13\r\n\
                Sec-WebSocket-Protocol: v2.chat\r\n\
                Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; \
                client_no_context_takeover; server_max_window_bits=11; client_max_window_bits=10\r\n\
                Origin: https://app.example\r\n\
                Authorization: Bearer t0k3n\r\n\
                Cookie: a=1; b=2\r\n\
                \r\n";
    assert_eq!(String::from_utf8(got).unwrap(), want);
}

#[test]
fn request_encodes_into_a_slice() {
    let config = chat();
    let hs = ClientHandshake::new(
        &config,
        WsUrl::parse(CAPTURE_URL).unwrap(),
        ClientKey::from_nonce(NONCE),
    );
    let request = hs.request();
    let len = request.encoded_len();
    let mut small = vec![0xAA; len - 1];
    assert_eq!(
        request.encode(&mut small),
        Err(BufferTooSmall { required: len })
    );
    assert!(small.iter().all(|&b| b == 0xAA), "buffer left untouched");
    let mut buf = vec![0; len + 10];
    assert_eq!(request.encode(&mut buf), Ok(len));
    let mut vec = Vec::new();
    request.write_to(&mut vec);
    assert_eq!(&buf[..len], &vec[..]);
}

#[test]
fn config_refuses_bad_input() {
    for name in [
        "Host",
        "origin",
        "Upgrade",
        "Connection",
        "Sec-WebSocket-Key",
        "sec-websocket-protocol",
        "Sec-WebSocket-Extensions",
        "Content-Length",
        "Transfer-Encoding",
    ] {
        assert_eq!(
            ClientConfig::new().header(name, "x").unwrap_err(),
            BuildError::HeaderReserved,
            "{name}"
        );
    }
    assert_eq!(
        ClientConfig::new()
            .header("X", "a\r\nHost: evil")
            .unwrap_err(),
        BuildError::HeaderValueInvalid
    );
    assert_eq!(
        ClientConfig::new().header("X Y", "a").unwrap_err(),
        BuildError::HeaderNameInvalid
    );
    assert_eq!(
        ClientConfig::new().protocols(["chat", "a b"]).unwrap_err(),
        BuildError::ProtocolInvalid
    );
    assert_eq!(
        ClientConfig::new().protocols([""]).unwrap_err(),
        BuildError::ProtocolInvalid
    );
    for bad in ["", "http://a\r\nX: y", "http://é.example"] {
        assert_eq!(
            ClientConfig::new().origin(bad).unwrap_err(),
            BuildError::OriginInvalid
        );
    }
    for offer in [
        DeflateOffer::new().server_max_window_bits(Some(7)),
        DeflateOffer::new().server_max_window_bits(Some(16)),
        DeflateOffer::new().client_max_window_bits(Some(Some(0))),
    ] {
        assert_eq!(
            ClientConfig::new().deflate(Some(offer)).unwrap_err(),
            BuildError::WindowBitsInvalid
        );
    }
}

#[cfg(feature = "getrandom")]
#[test]
fn random_keys_are_fresh_and_well_formed() {
    let keys: Vec<ClientKey> = (0..8).map(|_| ClientKey::random().unwrap()).collect();
    for (i, a) in keys.iter().enumerate() {
        assert_eq!(a.as_str().len(), 24);
        assert!(a.as_str().ends_with("=="));
        for b in &keys[i + 1..] {
            assert_ne!(a, b);
        }
    }
}

// ---------------------------------------------------------------------------------
// URLs

#[test]
fn url_table() {
    // url, tls, dial host, dial port, Host header, resource
    let good: &[(&str, bool, &str, u16, &str, &str)] = &[
        (
            "ws://example.com",
            false,
            "example.com",
            80,
            "example.com",
            "/",
        ),
        (
            "ws://example.com/",
            false,
            "example.com",
            80,
            "example.com",
            "/",
        ),
        (
            "wss://example.com",
            true,
            "example.com",
            443,
            "example.com",
            "/",
        ),
        (
            "ws://example.com:80/x",
            false,
            "example.com",
            80,
            "example.com",
            "/x",
        ),
        (
            "wss://example.com:443/x",
            true,
            "example.com",
            443,
            "example.com",
            "/x",
        ),
        (
            "ws://example.com:443/",
            false,
            "example.com",
            443,
            "example.com:443",
            "/",
        ),
        (
            "wss://example.com:80/",
            true,
            "example.com",
            80,
            "example.com:80",
            "/",
        ),
        (
            "ws://example.com:9001/chat",
            false,
            "example.com",
            9001,
            "example.com:9001",
            "/chat",
        ),
        (
            "ws://127.0.0.1:8080/chat?room=1",
            false,
            "127.0.0.1",
            8080,
            "127.0.0.1:8080",
            "/chat?room=1",
        ),
        ("ws://[::1]/", false, "::1", 80, "[::1]", "/"),
        ("ws://[::1]:9001", false, "::1", 9001, "[::1]:9001", "/"),
        (
            "wss://[2001:db8::7]:443/a",
            true,
            "2001:db8::7",
            443,
            "[2001:db8::7]",
            "/a",
        ),
        (
            "wss://[::ffff:192.0.2.1]:8443/",
            true,
            "::ffff:192.0.2.1",
            8443,
            "[::ffff:192.0.2.1]:8443",
            "/",
        ),
        (
            "WS://Example.COM/Path",
            false,
            "Example.COM",
            80,
            "Example.COM",
            "/Path",
        ),
        ("wSs://h/", true, "h", 443, "h", "/"),
        (
            "ws://h/a%20b/%E2%82%AC?q=%2F&x=y",
            false,
            "h",
            80,
            "h",
            "/a%20b/%E2%82%AC?q=%2F&x=y",
        ),
        ("ws://h?x=1", false, "h", 80, "h", "/?x=1"),
        ("ws://h/?", false, "h", 80, "h", "/"),
        ("ws://h:/", false, "h", 80, "h", "/"),
        ("ws://h/a/../b//c", false, "h", 80, "h", "/a/../b//c"),
        ("ws://h:65535/", false, "h", 65535, "h:65535", "/"),
    ];
    for &(input, tls, host, port, host_header, resource) in good {
        let url = WsUrl::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(url.tls(), tls, "{input}");
        assert_eq!((url.host(), url.port()), (host, port), "{input}");
        assert_eq!(url.host_header().to_string(), host_header, "{input}");
        assert_eq!(url.resource().to_string(), resource, "{input}");
        // And the request says the same.
        let request = String::from_utf8(request_bytes(&plain(), input, NONCE)).unwrap();
        let start = format!("GET {resource} HTTP/1.1\r\nHost: {host_header}\r\n");
        assert!(request.starts_with(&start), "{input}: {request}");
    }

    let bad: &[(&str, UrlError)] = &[
        ("http://h/", UrlError::SchemeUnsupported),
        ("https://h", UrlError::SchemeUnsupported),
        ("ftp://h/", UrlError::SchemeUnsupported),
        ("wss+unix://h/", UrlError::SchemeUnsupported),
        ("h/x", UrlError::SchemeUnsupported),
        ("ws:h", UrlError::SchemeUnsupported),
        ("wss:/h", UrlError::SchemeUnsupported),
        ("", UrlError::SchemeUnsupported),
        ("ws://h/#f", UrlError::FragmentNotAllowed),
        ("ws://h#", UrlError::FragmentNotAllowed),
        ("ws://h/?a#b", UrlError::FragmentNotAllowed),
        ("ws://user@h/", UrlError::UserinfoNotAllowed),
        ("ws://u:p@h:80/", UrlError::UserinfoNotAllowed),
        ("ws://", UrlError::HostInvalid),
        ("ws:///x", UrlError::HostInvalid),
        ("ws://:80/", UrlError::HostInvalid),
        ("ws://a b/", UrlError::HostInvalid),
        ("ws://[::1/", UrlError::HostInvalid),
        ("ws://::1/", UrlError::HostInvalid),
        ("ws://[zz]/", UrlError::HostInvalid),
        ("ws://[]/", UrlError::HostInvalid),
        ("ws://[::1]x/", UrlError::HostInvalid),
        ("ws://ex\u{e4}mple.com/", UrlError::HostInvalid),
        ("ws://h:0/", UrlError::PortInvalid),
        ("ws://h:65536/", UrlError::PortInvalid),
        ("ws://h:8o/", UrlError::PortInvalid),
        ("ws://h:1:2/", UrlError::PortInvalid),
        ("ws://[::1]:x/", UrlError::PortInvalid),
        ("ws://h/a b", UrlError::CharacterInvalid),
        ("ws://h/\u{e9}", UrlError::CharacterInvalid),
        ("ws://h/?q=\t", UrlError::CharacterInvalid),
        ("ws://h/\r\nX: y", UrlError::CharacterInvalid),
    ];
    for &(input, want) in bad {
        assert_eq!(
            WsUrl::parse(input),
            Err(BuildError::UrlInvalid(want)),
            "{input:?}"
        );
    }
}
