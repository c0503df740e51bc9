//! The Origin check behind a reverse proxy: RFC 7239 `Forwarded` and the de-facto
//! `X-Forwarded-*`, read only from a peer the caller trusts
//! (`ServerHandshake::with_trusted_proxy`).

use ws_handshake::{Error, OriginPart, OriginPolicy, ServerConfig, ServerFeed, ServerHandshake};

/// An upgrade request with `Host`, an `Origin` and extra header lines.
fn request(host: &str, origin: &str, extra: &[&str]) -> Vec<u8> {
    let mut r = format!("GET /chat HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\n");
    for line in extra {
        r.push_str(line);
        r.push_str("\r\n");
    }
    r.push_str(
        "Upgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    r.into_bytes()
}

/// Feeds `bytes` on a connection from a trusted proxy (or not), with the transport
/// the proxy reaches us with (plain TCP here).
fn feed(config: &ServerConfig, trusted: bool, bytes: &[u8]) -> Result<(), Error> {
    let mut hs = ServerHandshake::new(config)
        .with_tls(false)
        .with_trusted_proxy(trusted);
    match hs.feed(bytes)? {
        ServerFeed::Upgrade(_) => Ok(()),
        other => panic!("not an upgrade: {other:?}"),
    }
}

#[test]
fn a_tls_terminating_proxy_says_proto_https() {
    // RFC 7239 §5.4: the client came in over https; the proxy speaks plain http to us.
    let config = ServerConfig::new();
    let bytes = request(
        "example.com",
        "https://example.com",
        &["Forwarded: for=192.0.2.60;proto=https;by=203.0.113.43"],
    );
    assert_eq!(feed(&config, true, &bytes), Ok(()));
    // Not trusted: our own transport (http) counts, and the page's https is another origin.
    assert_eq!(
        feed(&config, false, &bytes),
        Err(Error::OriginMismatch(OriginPart::Scheme))
    );
    // X-Forwarded-Proto says the same.
    let bytes = request(
        "example.com",
        "https://example.com",
        &["X-Forwarded-Proto: https"],
    );
    assert_eq!(feed(&config, true, &bytes), Ok(()));
    // A page served over http is not the https site.
    let bytes = request(
        "example.com",
        "http://example.com",
        &["Forwarded: proto=https"],
    );
    assert_eq!(
        feed(&config, true, &bytes),
        Err(Error::OriginMismatch(OriginPart::Scheme))
    );
}

#[test]
fn a_port_stripping_proxy_reports_the_port() {
    // The proxy listens on 8443 and rewrites Host to the bare name (nginx's `$host`).
    let config = ServerConfig::new();
    let origin = "https://example.com:8443";
    let stripped = request("example.com", origin, &["X-Forwarded-Proto: https"]);
    assert_eq!(
        feed(&config, true, &stripped),
        Err(Error::OriginMismatch(OriginPart::Port))
    );
    let with_port = request(
        "example.com",
        origin,
        &["X-Forwarded-Proto: https", "X-Forwarded-Port: 8443"],
    );
    assert_eq!(feed(&config, true, &with_port), Ok(()));
    // RFC 7239 §5.3: `host` carries the port, quoted since `:` is not a tchar.
    let forwarded = request(
        "example.com",
        origin,
        &["Forwarded: proto=https;host=\"example.com:8443\""],
    );
    assert_eq!(feed(&config, true, &forwarded), Ok(()));
    // An IPv6 literal in brackets.
    let v6 = request(
        "backend",
        "https://[2001:db8::1]:8443",
        &["Forwarded: proto=https;host=\"[2001:db8::1]:8443\""],
    );
    assert_eq!(feed(&config, true, &v6), Ok(()));
}

#[test]
fn the_right_most_hop_is_the_trusted_one() {
    // The client wrote the first element; the trusted proxy appended the last.
    let config = ServerConfig::new();
    let bytes = request(
        "backend:8080",
        "https://evil.example",
        &["Forwarded: host=evil.example;proto=https, host=example.com;proto=https"],
    );
    assert_eq!(
        feed(&config, true, &bytes),
        Err(Error::OriginMismatch(OriginPart::Host))
    );
    let bytes = request(
        "backend:8080",
        "https://example.com",
        &[
            "Forwarded: host=evil.example",
            "Forwarded: host=example.com;proto=https",
        ],
    );
    assert_eq!(feed(&config, true, &bytes), Ok(()));
}

#[test]
fn a_spoofed_header_from_an_untrusted_peer_changes_nothing() {
    // A client connecting directly claims to come through a proxy for evil.example.
    let config = ServerConfig::new();
    let spoofs: [&[&str]; 3] = [
        &["Forwarded: proto=https;host=evil.example"],
        &["X-Forwarded-Host: evil.example", "X-Forwarded-Proto: https"],
        &["Forwarded: host=[garbage", "X-Forwarded-Port: nope"],
    ];
    for extra in spoofs {
        let cross = request("example.com", "https://evil.example", extra);
        assert_eq!(
            feed(&config, false, &cross),
            Err(Error::OriginMismatch(OriginPart::Scheme)),
            "{extra:?}"
        );
        // The same fields beside a same-origin request: still accepted, even malformed.
        let same = request("example.com", "http://example.com", extra);
        assert_eq!(feed(&config, false, &same), Ok(()), "{extra:?}");
    }
}

#[test]
fn malformed_forwarded_values_are_refused_from_a_trusted_proxy() {
    let config = ServerConfig::new();
    for value in [
        "Forwarded: host=[::1]:443",         // must be quoted (RFC 7239 §4)
        "Forwarded: host=\"example.com",     // unterminated quoted-string
        "Forwarded: host=a;host=b",          // repeated parameter (§4)
        "Forwarded: proto=ftp",              // no origin scheme (§5.4)
        "Forwarded: host=\"ex\\ample.com\"", // quoted-pair in host: not unescaped
        "Forwarded: for=a;;=b",
        "X-Forwarded-Port: 99999",
        "X-Forwarded-Host: exa mple.com",
    ] {
        let bytes = request("example.com", "http://example.com", &[value]);
        assert_eq!(
            feed(&config, true, &bytes),
            Err(Error::ForwardedInvalid),
            "{value}"
        );
        assert_eq!(Error::ForwardedInvalid.status(), 400);
    }
    // Without an Origin nothing is compared, so nothing forwarded is read.
    let no_origin = b"GET / HTTP/1.1\r\nHost: example.com\r\nForwarded: host=[\r\n\
        Upgrade: websocket\r\nConnection: Upgrade\r\n\
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    assert_eq!(feed(&config, true, no_origin), Ok(()));
}

#[test]
fn forwarded_and_x_forwarded_must_agree() {
    let config = ServerConfig::new();
    let bytes = request(
        "backend",
        "https://example.com",
        &[
            "Forwarded: proto=https;host=example.com",
            "X-Forwarded-Host: evil.example",
        ],
    );
    assert_eq!(
        feed(&config, true, &bytes),
        Err(Error::ForwardedConflict(OriginPart::Host))
    );
    let bytes = request(
        "backend",
        "https://example.com",
        &[
            "Forwarded: proto=https;host=example.com",
            "X-Forwarded-Proto: http",
        ],
    );
    assert_eq!(
        feed(&config, true, &bytes),
        Err(Error::ForwardedConflict(OriginPart::Scheme))
    );
    // Agreeing families, and families stating different parts, pass.
    let bytes = request(
        "backend",
        "https://example.com",
        &[
            "Forwarded: proto=https",
            "X-Forwarded-Host: example.com",
            "X-Forwarded-Port: 443",
        ],
    );
    assert_eq!(feed(&config, true, &bytes), Ok(()));
}

#[test]
fn the_refusal_names_the_part_not_the_bytes() {
    let config = ServerConfig::new();
    let bytes = request(
        "backend",
        "https://evil.example:444",
        &["Forwarded: proto=https;host=example.com"],
    );
    let mut hs = ServerHandshake::new(&config).with_trusted_proxy(true);
    let error = hs.feed(&bytes).unwrap_err();
    assert_eq!(error, Error::OriginMismatch(OriginPart::Host));
    let mut out = Vec::new();
    error.rejection().write_to(&mut out);
    let out = String::from_utf8(out).unwrap();
    assert!(out.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{out}");
    assert!(
        out.ends_with("\r\n\r\nOrigin's host differs from the server's\n"),
        "{out}"
    );
    assert!(!out.contains("evil") && !out.contains("example.com"));
}

#[test]
fn allow_lists_and_predicates_under_a_trusted_proxy() {
    // An allow-list compares the Origin with its entries: nothing forwarded is read.
    let list = ServerConfig::new()
        .origin_policy(OriginPolicy::allow_list(["https://app.example"]).unwrap());
    let bytes = request("backend", "https://app.example", &["Forwarded: host=["]);
    assert_eq!(feed(&list, true, &bytes), Ok(()));
    // A predicate is given the forwarded host, as the proxy wrote it.
    let custom =
        ServerConfig::new().origin_policy(OriginPolicy::Custom(Box::new(|origin, host| {
            origin == "https://a.test" && host == "a.test:8443"
        })));
    let bytes = request(
        "backend",
        "https://a.test",
        &["Forwarded: host=\"a.test:8443\""],
    );
    assert_eq!(feed(&custom, true, &bytes), Ok(()));
    assert_eq!(feed(&custom, false, &bytes), Err(Error::OriginRejected));
}

/// The `http` front end honours the same opt-ins with the same rules: for each case,
/// and each transport (unknown, TLS, plain), the byte path from a trusted proxy and
/// `inspect_with` a trusted proxy agree, and so do both from an untrusted peer.
#[cfg(feature = "http")]
#[test]
fn the_http_front_end_reads_the_same_fields() {
    use ws_handshake::http::{inspect, inspect_with, Inspect, InspectOptions};
    let config = ServerConfig::new();
    let cases: [(&str, &[(&str, &str)]); 6] = [
        ("https://example.com", &[("Forwarded", "proto=https")]),
        (
            "https://example.com:8443",
            &[("X-Forwarded-Port", "8443"), ("X-Forwarded-Proto", "https")],
        ),
        (
            "https://evil.example",
            &[(
                "Forwarded",
                "proto=https;host=evil.example, proto=https;host=example.com",
            )],
        ),
        ("http://example.com", &[("Forwarded", "host=[::1]")]),
        (
            "http://example.com",
            &[("Forwarded", "proto=http"), ("X-Forwarded-Proto", "https")],
        ),
        (
            "http://example.com",
            &[("X-Forwarded-Host", "evil.example")],
        ),
    ];
    for (origin, fields) in cases {
        let lines: Vec<String> = fields.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let bytes = request("example.com", origin, &lines);
        let mut builder = http::Request::get("/chat")
            .header("Host", "example.com")
            .header("Origin", origin)
            .header("Upgrade", "websocket")
            .header("Connection", "Upgrade")
            .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
            .header("Sec-WebSocket-Version", "13");
        for (n, v) in fields {
            builder = builder.header(*n, *v);
        }
        let req = builder.body(()).unwrap();
        let verdict =
            |r: Result<Inspect<'_>, Error>| r.map(|i| assert!(matches!(i, Inspect::Upgrade(_))));
        let bytes_path = |trusted: bool, tls: Option<bool>| {
            let mut hs = ServerHandshake::new(&config).with_trusted_proxy(trusted);
            if let Some(tls) = tls {
                hs = hs.with_tls(tls);
            }
            hs.feed(&bytes)
                .map(|f| assert!(matches!(f, ServerFeed::Upgrade(_))))
        };
        // `inspect` knows neither: as the byte path that does not either.
        assert_eq!(verdict(inspect(&req, &config)), bytes_path(false, None));
        for tls in [None, Some(true), Some(false)] {
            for trusted in [false, true] {
                let mut options = InspectOptions::new().with_trusted_proxy(trusted);
                if let Some(tls) = tls {
                    options = options.with_tls(tls);
                }
                assert_eq!(
                    verdict(inspect_with(&req, &config, options)),
                    bytes_path(trusted, tls),
                    "{fields:?} trusted {trusted} tls {tls:?}"
                );
            }
        }
    }
}
