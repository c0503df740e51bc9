//! Issue 14, server points 5, 7 and 8: absolute-form request-targets, the end of a
//! handshake after an upgrade, and same-origin with the scheme.

mod common;

use common::builders::{head as request, WS_LINES};
use ws_handshake::{
    ConnectRequest, Error, Misuse, OriginPart, OriginPolicy, ServerConfig, ServerFeed,
    ServerHandshake,
};

/// An upgrade to `target` with these extra lines (`Host`, `Origin`, …) before the
/// WebSocket lines.
fn upgrade(target: &str, extra: &[&str]) -> Vec<u8> {
    let lines: Vec<&str> = extra.iter().copied().chain(WS_LINES).collect();
    request(&format!("GET {target} HTTP/1.1"), &lines)
}

/// What feeding `bytes` whole gives: `Ok(effective authority)` for an upgrade, or the error.
fn outcome(handshake: &mut ServerHandshake<'_>, bytes: &[u8]) -> Result<String, Error> {
    match handshake.feed(bytes)? {
        ServerFeed::Upgrade(up) => Ok(up.authority().to_owned()),
        ServerFeed::Plain(_) => panic!("plain: {}", String::from_utf8_lossy(bytes)),
        ServerFeed::NeedMore => panic!("need more: {}", String::from_utf8_lossy(bytes)),
    }
}

fn feed(config: &ServerConfig, bytes: &[u8]) -> Result<String, Error> {
    outcome(&mut ServerHandshake::new(config), bytes)
}

fn feed_tls(config: &ServerConfig, tls: bool, bytes: &[u8]) -> Result<String, Error> {
    outcome(&mut ServerHandshake::new(config).with_tls(tls), bytes)
}

/// RFC 9112 §3.2.2: "When an origin server receives a request with an absolute-form of
/// request-target, the origin server MUST ignore the received Host header field (if
/// any) and instead use the host information of the request-target." The effective
/// authority is what the Host allow-list and the same-origin policy compare; `Host`
/// must still be present exactly once and valid (RFC 9112 §3.2). A `Host` naming
/// another authority is refused only under the opt-in hardening
/// `ServerConfig::host_must_match_target` (issue 21 point 1; see
/// `tests/conformance_residue.rs`).
#[test]
fn p05_absolute_form_target_authority_wins() {
    let good = ServerConfig::new().allowed_hosts(["good.example"]).unwrap();
    // The example: the allow-list must not pass a target naming another host.
    let evil = upgrade("ws://evil.example/chat", &["Host: good.example"]);
    assert_eq!(feed(&good, &evil), Err(Error::HostNotAllowed));
    let strict = ServerConfig::new().host_must_match_target(true);
    assert_eq!(feed(&strict, &evil), Err(Error::HostNotTargetAuthority));
    assert_eq!(Error::HostNotTargetAuthority.status(), 400);
    // Nor may the same-origin check compare the Origin with Host instead of the target.
    let default = ServerConfig::new();
    let evil = upgrade(
        "ws://evil.example/chat",
        &["Host: good.example", "Origin: http://good.example"],
    );
    assert_eq!(
        feed(&default, &evil),
        Err(Error::OriginMismatch(OriginPart::Host))
    );
    // A Host naming the target's authority: the target's authority is what counts.
    let evil = upgrade("ws://evil.example/chat", &["Host: evil.example"]);
    assert_eq!(feed(&good, &evil), Err(Error::HostNotAllowed));
    let ok = upgrade("wss://GOOD.example/chat", &["Host: good.example"]);
    assert_eq!(feed(&good, &ok).as_deref(), Ok("GOOD.example"));

    // Under the hardening, ports are compared after default-port normalisation by the
    // target's scheme; by default, Host is ignored.
    for (target, host) in [
        ("ws://example.com:80/", "example.com"),
        ("ws://example.com/", "example.com:80"),
        ("wss://example.com/x", "example.com:443"),
        ("https://example.com:443", "Example.COM"),
        ("http://[::1]:8080/?q", "[::1]:8080"),
    ] {
        let bytes = upgrade(target, &[&format!("Host: {host}")]);
        assert!(feed(&default, &bytes).is_ok(), "{target} {host}");
        assert!(feed(&strict, &bytes).is_ok(), "{target} {host}");
    }
    for (target, host) in [
        ("ws://example.com/", "example.com:8080"),
        ("ws://example.com/", "example.com:443"),
        ("wss://example.com/", "example.com:80"),
        ("ws://example.com:8080/", "example.com:8081"),
        ("ws://a.example.com/", "example.com"),
    ] {
        let bytes = upgrade(target, &[&format!("Host: {host}")]);
        assert_eq!(
            feed(&strict, &bytes),
            Err(Error::HostNotTargetAuthority),
            "{target} {host}"
        );
        let authority = target.split('/').nth(2).unwrap();
        assert_eq!(feed(&default, &bytes).as_deref(), Ok(authority));
    }

    // The allow-list sees the effective port: `wss://example.com/` is port 443.
    let pinned = ServerConfig::new()
        .allowed_hosts(["example.com:443"])
        .unwrap();
    let bytes = upgrade("wss://example.com/chat", &["Host: example.com"]);
    assert_eq!(feed(&pinned, &bytes).as_deref(), Ok("example.com"));
    let bytes = upgrade("ws://example.com/chat", &["Host: example.com"]);
    assert_eq!(feed(&pinned, &bytes), Err(Error::HostNotAllowed));

    // The same-origin check uses the target's scheme and port.
    let bytes = upgrade(
        "wss://example.com/chat",
        &["Host: example.com", "Origin: http://example.com"],
    );
    assert_eq!(
        feed(&default, &bytes),
        Err(Error::OriginMismatch(OriginPart::Scheme))
    );
    let bytes = upgrade(
        "wss://example.com/chat",
        &["Host: example.com", "Origin: https://example.com"],
    );
    assert!(feed(&default, &bytes).is_ok());

    // Host must still be there, once, and valid.
    let bytes = upgrade("ws://example.com/", &[]);
    assert_eq!(feed(&default, &bytes), Err(Error::HostMissing));
    let bytes = upgrade(
        "ws://example.com/",
        &["Host: example.com", "Host: example.com"],
    );
    assert_eq!(feed(&default, &bytes), Err(Error::HostRepeated));
    let bytes = upgrade("ws://example.com/", &["Host: exa%mple com"]);
    assert_eq!(feed(&default, &bytes), Err(Error::HostInvalid));
}

/// RFC 9112 §3.2.2 and RFC 6455 §3: an absolute-form target names a `ws`, `wss`, `http`
/// or `https` resource (schemes compared case-insensitively, RFC 3986 §3.1) with an
/// authority `host[:port]` (no userinfo, RFC 9110 §4.2.4); anything else is a 400.
#[test]
fn p05_absolute_form_scheme_must_be_websocket_or_http() {
    let config = ServerConfig::new();
    for scheme in ["ftp", "file", "h2c", "ws+unix", "wss2", "x"] {
        let bytes = upgrade(
            &format!("{scheme}://example.com/chat"),
            &["Host: example.com"],
        );
        assert_eq!(
            feed(&config, &bytes),
            Err(Error::RequestTargetScheme),
            "{scheme}"
        );
    }
    assert_eq!(Error::RequestTargetScheme.status(), 400);
    for scheme in ["ws", "WSS", "Http", "https"] {
        let bytes = upgrade(
            &format!("{scheme}://example.com/chat"),
            &["Host: example.com"],
        );
        assert!(feed(&config, &bytes).is_ok(), "{scheme}");
    }
    for target in [
        "ws://user@example.com/",
        "ws:///chat",
        "ws://?x",
        "ws://example.com:99999/",
        "ws://exa^mple.com/",
    ] {
        let bytes = upgrade(target, &["Host: example.com"]);
        assert_eq!(
            feed(&config, &bytes),
            Err(Error::RequestTargetInvalid),
            "{target}"
        );
    }
}

/// RFC 9112 §3.2.2 through the `http` front end: an `http::Request` whose URI carries a
/// scheme and an authority is checked by the same rules as the byte path.
#[cfg(feature = "http")]
#[test]
fn p05_http_front_end_uses_the_target_authority() {
    use ws_handshake::http::{inspect, Inspect};

    let good = ServerConfig::new().allowed_hosts(["good.example"]).unwrap();
    let build = |uri: &str, host: &str| {
        let mut builder = http::Request::get(uri).header("Host", host);
        for line in WS_LINES {
            let (name, value) = line.split_once(": ").unwrap();
            builder = builder.header(name, value);
        }
        builder.body(()).unwrap()
    };
    let evil = build("ws://evil.example/chat", "good.example");
    assert_eq!(inspect(&evil, &good).unwrap_err(), Error::HostNotAllowed);
    let strict = ServerConfig::new().host_must_match_target(true);
    assert_eq!(
        inspect(&evil, &strict).unwrap_err(),
        Error::HostNotTargetAuthority
    );
    let ftp = build("ftp://good.example/chat", "good.example");
    assert_eq!(
        inspect(&ftp, &good).unwrap_err(),
        Error::RequestTargetScheme
    );
    let userinfo = build("ws://u@good.example/chat", "good.example");
    assert_eq!(
        inspect(&userinfo, &good).unwrap_err(),
        Error::RequestTargetInvalid
    );
    let ok = build("wss://good.example:443/chat", "good.example");
    let Ok(Inspect::Upgrade(up)) = inspect(&ok, &good) else {
        panic!("refused")
    };
    assert_eq!(up.authority(), "good.example:443");
    assert_eq!(up.host(), "good.example");
    // Both front ends agree on the bytes of the same request.
    let bytes = upgrade("ws://evil.example/chat", &["Host: good.example"]);
    assert_eq!(feed(&good, &bytes), Err(Error::HostNotAllowed));
    assert_eq!(feed(&strict, &bytes), Err(Error::HostNotTargetAuthority));
}

/// RFC 6455 §4.2.2 / §4.1: after the `101` "the connection is now WebSocket": bytes that
/// follow are frames, never another request head. Feeding a handshake that returned
/// `ServerFeed::Upgrade` is a typed error (`Error::Misuse(Misuse::FedAfterOutcome)`), in every chunking; keep-alive
/// after `ServerFeed::Plain` is unchanged.
#[test]
fn p07_feed_after_upgrade_is_finished() {
    let config = ServerConfig::new();
    let head = upgrade("/chat", &["Host: example.com"]);
    let frame: &[u8] = b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";

    // Whole head, then a frame, then what looks like a new request.
    let mut hs = ServerHandshake::new(&config);
    assert!(matches!(hs.feed(&head), Ok(ServerFeed::Upgrade(_))));
    assert_eq!(
        hs.feed(frame).unwrap_err(),
        Error::Misuse(Misuse::FedAfterOutcome)
    );
    assert_eq!(
        hs.feed(&head).unwrap_err(),
        Error::Misuse(Misuse::FedAfterOutcome)
    );
    assert_eq!(
        hs.feed(b"").unwrap_err(),
        Error::Misuse(Misuse::FedAfterOutcome)
    );
    assert_eq!(hs.buffered(), 0, "nothing buffered after the upgrade");
    assert_eq!(Error::Misuse(Misuse::FedAfterOutcome).status(), 500);

    // A head fed byte by byte (the incremental path), then bytes one at a time.
    let mut hs = ServerHandshake::new(&config);
    let (last, rest) = head.split_last().unwrap();
    for byte in rest {
        assert!(matches!(
            hs.feed(std::slice::from_ref(byte)),
            Ok(ServerFeed::NeedMore)
        ));
    }
    assert!(matches!(hs.feed(&[*last]), Ok(ServerFeed::Upgrade(_))));
    for byte in frame {
        assert_eq!(
            hs.feed(std::slice::from_ref(byte)).unwrap_err(),
            Error::Misuse(Misuse::FedAfterOutcome)
        );
    }

    // The leftover of the upgrading chunk is still handed out exactly.
    let mut hs = ServerHandshake::new(&config);
    let chunk = [head.as_slice(), frame].concat();
    match hs.feed(&chunk) {
        Ok(ServerFeed::Upgrade(up)) => assert_eq!(up.leftover(), frame),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        hs.feed(frame).unwrap_err(),
        Error::Misuse(Misuse::FedAfterOutcome)
    );

    // Keep-alive after a plain request stays: the next request is read.
    let mut hs = ServerHandshake::new(&config);
    let plain = request("GET / HTTP/1.1", &["Host: example.com"]);
    assert!(matches!(hs.feed(&plain), Ok(ServerFeed::Plain(_))));
    assert!(matches!(hs.feed(&plain), Ok(ServerFeed::Plain(_))));
    assert!(matches!(hs.feed(&head), Ok(ServerFeed::Upgrade(_))));
    assert_eq!(
        hs.feed(&plain).unwrap_err(),
        Error::Misuse(Misuse::FedAfterOutcome)
    );
}

/// RFC 6454 §5 / RFC 6455 §10.2: two origins are the same only if scheme, host and port
/// are. Told the transport (`ServerHandshake::with_tls`), `SameOrigin` compares the scheme:
/// `http://example.com` is another origin than a `wss://example.com` server, and a
/// missing port is 443 over TLS, 80 without (RFC 9110 §4.2.1–4.2.2). Without that
/// knowledge the scheme is not compared (documented).
#[test]
fn p08_same_origin_compares_the_scheme_when_tls_is_known() {
    let config = ServerConfig::new();
    let with_origin = |host: &str, origin: &str| {
        upgrade(
            "/chat",
            &[&format!("Host: {host}"), &format!("Origin: {origin}")],
        )
    };

    // Over TLS: only https/wss origins, default port 443.
    for origin in [
        "https://example.com",
        "https://example.com:443",
        "wss://example.com",
    ] {
        let bytes = with_origin("example.com", origin);
        assert!(feed_tls(&config, true, &bytes).is_ok(), "{origin}");
    }
    // The refusal names the first part that differs (RFC 6454 §5).
    for (origin, part) in [
        ("http://example.com", OriginPart::Scheme),
        ("http://example.com:443", OriginPart::Scheme),
        ("ws://example.com", OriginPart::Scheme),
        ("https://example.com:80", OriginPart::Port),
    ] {
        let bytes = with_origin("example.com", origin);
        assert_eq!(
            feed_tls(&config, true, &bytes),
            Err(Error::OriginMismatch(part)),
            "{origin}"
        );
    }
    // An explicit Host port: the scheme still counts.
    let bytes = with_origin("example.com:8443", "https://example.com:8443");
    assert!(feed_tls(&config, true, &bytes).is_ok());
    let bytes = with_origin("example.com:8443", "http://example.com:8443");
    assert_eq!(
        feed_tls(&config, true, &bytes),
        Err(Error::OriginMismatch(OriginPart::Scheme))
    );

    // Without TLS: only http/ws origins, default port 80.
    let bytes = with_origin("example.com", "http://example.com");
    assert!(feed_tls(&config, false, &bytes).is_ok());
    for origin in ["https://example.com", "https://example.com:80"] {
        let bytes = with_origin("example.com", origin);
        assert_eq!(
            feed_tls(&config, false, &bytes),
            Err(Error::OriginMismatch(OriginPart::Scheme)),
            "{origin}"
        );
    }

    // Transport unknown: today's behaviour, the scheme is not compared.
    for origin in ["http://example.com", "https://example.com"] {
        let bytes = with_origin("example.com", origin);
        assert!(feed(&config, &bytes).is_ok(), "{origin}");
    }

    // The known scheme gives a port-less Host its port for the allow-list too.
    let pinned = ServerConfig::new()
        .allowed_hosts(["example.com:443"])
        .unwrap();
    let bytes = upgrade("/chat", &["Host: example.com"]);
    assert!(feed_tls(&pinned, true, &bytes).is_ok());
    assert_eq!(feed_tls(&pinned, false, &bytes), Err(Error::HostNotAllowed));

    // An absolute-form target must name the transport's scheme.
    let bytes = upgrade("ws://example.com/chat", &["Host: example.com"]);
    assert_eq!(
        feed_tls(&config, true, &bytes),
        Err(Error::RequestTargetScheme)
    );
    let bytes = upgrade("https://example.com/chat", &["Host: example.com"]);
    assert_eq!(
        feed_tls(&config, false, &bytes),
        Err(Error::RequestTargetScheme)
    );
    assert!(feed_tls(&config, true, &bytes).is_ok());

    // Other policies are unaffected by the transport.
    let any = ServerConfig::new().origin_policy(OriginPolicy::Any);
    let bytes = with_origin("example.com", "http://example.com");
    assert!(feed_tls(&any, true, &bytes).is_ok());
}

/// RFC 8441 §5 / RFC 9220 §3: an extended CONNECT's `:scheme` says which scheme the
/// server is reached with (`https` for `wss`), so `SameOrigin` compares it: an
/// `http://` origin does not pass for `:scheme https`.
#[test]
fn p08_extended_connect_same_origin_uses_the_scheme() {
    let config = ServerConfig::new();
    let fields = |scheme: &'static str, origin: &'static str| {
        [
            (":method", "CONNECT"),
            (":protocol", "websocket"),
            (":scheme", scheme),
            (":path", "/chat"),
            (":authority", "example.com"),
            ("sec-websocket-version", "13"),
            ("origin", origin),
        ]
    };
    let check = |scheme, origin| {
        ConnectRequest::validate(fields(scheme, origin), &config)
            .map(|r| r.origin().map(str::to_owned))
    };
    assert_eq!(
        check("https", "http://example.com"),
        Err(Error::OriginMismatch(OriginPart::Scheme))
    );
    assert_eq!(
        check("http", "https://example.com"),
        Err(Error::OriginMismatch(OriginPart::Scheme))
    );
    assert_eq!(
        check("https", "https://example.com"),
        Ok(Some("https://example.com".to_owned()))
    );
    assert_eq!(
        check("http", "http://example.com"),
        Ok(Some("http://example.com".to_owned()))
    );
}
