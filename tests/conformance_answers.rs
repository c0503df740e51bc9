//! Issue 14, "responses the caller shapes" and "permessage-deflate": points 9, 10
//! and 12. Each test names the RFC rule it guards.

mod common;

use common::builders::{fields, upgrade_request};
use common::pair::{serve, ClientOutcome, Pair, ServerOutcome};
use ws_handshake::deflate::{DeflateConfig, DeflateOffer};
use ws_handshake::{
    BuildError, ClientConfig, ConnectRequest, Error, OriginPolicy, Rejection, ServerConfig,
    ServerFeed, ServerHandshake,
};

/// The request of RFC 6455 §1.2 with these extra lines.
fn request(lines: &[&str]) -> Vec<u8> {
    upgrade_request("/chat", "server.example.com", lines)
}

fn count(fields: &[(String, String)], name: &str) -> usize {
    fields
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .count()
}

fn server() -> ServerConfig {
    ServerConfig::new().origin_policy(OriginPolicy::Any)
}

/// Spellings of a field name a caller might use.
fn spellings(name: &str) -> [String; 3] {
    [
        name.to_owned(),
        name.to_ascii_lowercase(),
        name.to_ascii_uppercase(),
    ]
}

/// RFC 9110 §8 (the `Content-*` fields describe the content the crate writes) and
/// RFC 9110 §8.4: `Content-Encoding` on a rejection would label its plain-text body
/// as, e.g., gzip. Every `Content-*` field is refused from callers in every
/// response they shape: `Rejection`, `Accept` (a 101 has no content either),
/// `Accept` (its `200` head) and `Rejection`.
#[test]
fn p09_every_content_field_is_reserved_in_caller_shaped_responses() {
    let config = server();
    let bytes = request(&[]);
    let mut hs = ServerHandshake::new(&config);
    let Ok(ServerFeed::Upgrade(upgrade)) = hs.feed(&bytes) else {
        panic!("the RFC 6455 request is accepted")
    };
    let connect_fields = [
        (":method", "CONNECT"),
        (":protocol", "websocket"),
        (":scheme", "https"),
        (":path", "/chat"),
        (":authority", "server.example.com"),
        ("sec-websocket-version", "13"),
    ];
    let connect = ConnectRequest::validate(connect_fields, &config).unwrap();
    for name in [
        "Content-Encoding",
        "Content-Language",
        "Content-Location",
        "Content-Range",
        "Content-Disposition",
        "Content-MD5",
        "Content-Type",
        "Content-Length",
    ] {
        for name in spellings(name) {
            let extra = [(name.as_str(), "gzip")];
            let refused = Err(BuildError::HeaderReserved);
            let rejection = Rejection::new(405, "GET only").unwrap();
            assert_eq!(
                rejection.with_headers(&extra).map(|_| ()),
                refused,
                "{name}"
            );
            let rejection = Error::OriginRejected.rejection();
            assert_eq!(
                rejection.with_headers(&extra).map(|_| ()),
                refused,
                "{name}"
            );
            assert_eq!(upgrade.accept().with_headers(&extra).map(|_| ()), refused);
            assert_eq!(connect.accept().with_headers(&extra).map(|_| ()), refused);
            let h2 = Rejection::new(403, "no").unwrap();
            assert_eq!(h2.with_headers(&extra).map(|_| ()), refused, "{name}");
        }
    }
    // Fields that only look alike are not reserved.
    let extra = [("Contents", "x"), ("X-Content-Encoding", "gzip")];
    assert!(Rejection::new(400, "x")
        .unwrap()
        .with_headers(&extra)
        .is_ok());
}

/// RFC 9110 §5.3 / §10.2.1 and issue 14 point 9: no field the crate writes appears
/// twice. For every status a rejection can have, every field the crate writes in it
/// (read from its own output), given again by the caller in any case, is either
/// refused (`HeaderReserved`) or replaces the crate's own (`Allow` on a 405, which
/// is the caller's list of methods, RFC 9110 §15.5.6).
#[test]
fn p09_no_field_the_crate_writes_is_written_twice() {
    let mut replaced = 0;
    for status in 300..=599u16 {
        let Ok(plain) = Rejection::new(status, "refused") else {
            continue;
        };
        let mut out = Vec::new();
        plain.write_to(&mut out);
        for (own, _) in fields(&out) {
            for name in spellings(&own) {
                let extra = [(name.as_str(), "GET, HEAD")];
                match Rejection::new(status, "refused")
                    .unwrap()
                    .with_headers(&extra)
                {
                    Err(e) => assert_eq!(e, BuildError::HeaderReserved, "{status} {name}"),
                    Ok(r) => {
                        let mut out = Vec::new();
                        r.write_to(&mut out);
                        let written = fields(&out);
                        assert_eq!(count(&written, &own), 1, "{status}: two {own}");
                        let value = &written.iter().find(|(n, _)| n.eq_ignore_ascii_case(&own));
                        assert_eq!(value.unwrap().1, "GET, HEAD", "the caller's {own} wins");
                        replaced += 1;
                    }
                }
            }
        }
        // The same over HTTP/2 and HTTP/3.
        let plain = Rejection::new(status, "refused").unwrap();
        for (own, _) in plain.head().fields() {
            let extra = [(own, "GET, HEAD")];
            if let Ok(r) = Rejection::new(status, "refused")
                .unwrap()
                .with_headers(&extra)
            {
                let head = r.head();
                assert_eq!(head.fields().filter(|(n, _)| *n == own).count(), 1);
                assert_eq!(head.get(own), Some("GET, HEAD"));
            }
        }
    }
    assert_eq!(replaced, 3, "Allow on 405, in three spellings");
    // The crate's own Allow is still written when the caller gives none.
    let mut out = Vec::new();
    Error::MethodNotGet.rejection().write_to(&mut out);
    assert!(fields(&out).contains(&("Allow".into(), "GET".into())));
    let head = Rejection::from(Error::ConnectMethodRequired).head();
    assert_eq!(head.get("allow"), Some("CONNECT"));
}

/// The 405 that `Error::MethodNotGet` answers can carry the caller's `Allow`
/// instead of the crate's, through the byte writer and the `http` adapter alike.
#[cfg(feature = "http")]
#[test]
fn p09_callers_allow_replaces_the_crates_in_the_http_adapter() {
    let allow = [("Allow", "GET, OPTIONS")];
    let reply = Error::MethodNotGet
        .rejection()
        .with_headers(&allow)
        .unwrap();
    let response = reply.to_http_response();
    let values: Vec<_> = response.headers().get_all("allow").iter().collect();
    assert_eq!(values, ["GET, OPTIONS"]);
    let allow = [("allow", "CONNECT, OPTIONS")];
    let reply = Rejection::from(Error::ConnectMethodRequired)
        .with_headers(&allow)
        .unwrap();
    let response = reply.to_http_response();
    let values: Vec<_> = response.headers().get_all("allow").iter().collect();
    assert_eq!(values, ["CONNECT, OPTIONS"]);
}

/// RFC 9110 §6.4.1, §15.2 (1xx), §15.3.5 (204), §15.4.5 (304): these statuses
/// carry no content, while a rejection always carries its plain-text reason. They
/// are refused when the rejection is built: 1xx and 204 as `StatusInvalid` (never
/// an interim answer or a success), 304 as `StatusWithoutContent`. The same rule
/// holds for the HTTP/2 and HTTP/3 refusal.
#[test]
fn p10_statuses_without_content_are_refused_at_construction() {
    assert_eq!(
        Rejection::new(304, "stale").unwrap_err(),
        BuildError::StatusWithoutContent
    );
    assert_eq!(
        Rejection::new(304, "stale").unwrap_err(),
        BuildError::StatusWithoutContent
    );
    for status in (100..=199).chain([204]) {
        assert_eq!(
            Rejection::new(status, "x").unwrap_err(),
            BuildError::StatusInvalid
        );
        assert_eq!(
            Rejection::new(status, "x").unwrap_err(),
            BuildError::StatusInvalid
        );
    }
    // Every status a rejection can have may carry content, and the written
    // Content-Length is the body's length.
    for status in 0..=1000u16 {
        let without_content = (100..=199).contains(&status) || status == 204 || status == 304;
        let Ok(r) = Rejection::new(status, "stale") else {
            assert!(
                without_content || !(300..=599).contains(&status),
                "{status}"
            );
            continue;
        };
        assert!(!without_content, "{status} built");
        let mut out = Vec::new();
        r.write_to(&mut out);
        assert!(out.ends_with(b"\r\n\r\nstale"));
        assert!(fields(&out).contains(&("Content-Length".into(), "5".into())));
        assert_eq!(
            Rejection::new(status, "stale").is_ok(),
            Rejection::new(status, "stale").is_ok()
        );
    }
}

/// The 101 the server writes for `offers`, and its `Sec-WebSocket-Extensions`.
fn answered(config: &ServerConfig, offers: &str) -> Option<String> {
    let line = format!("Sec-WebSocket-Extensions: {offers}");
    let bytes = request(&[&line]);
    let ServerOutcome::Upgrade {
        deflate, response, ..
    } = serve(config, &[&bytes])
    else {
        panic!("not accepted: {offers}")
    };
    let typed = deflate.map(|d| d.to_string());
    let written = fields(response.as_bytes())
        .into_iter()
        .find(|(n, _)| n == "Sec-WebSocket-Extensions")
        .map(|(_, v)| v);
    assert_eq!(written, typed, "the typed value is what is written");
    written
}

/// The same offers through the HTTP/2 extended CONNECT.
fn answered_h2(config: &ServerConfig, offers: &str) -> Option<String> {
    let fields = [
        (":method", "CONNECT"),
        (":protocol", "websocket"),
        (":scheme", "https"),
        (":path", "/chat"),
        (":authority", "server.example.com"),
        ("sec-websocket-version", "13"),
        ("sec-websocket-extensions", offers),
    ];
    let request = ConnectRequest::validate(fields, config).unwrap();
    let head = request.accept().head();
    head.get("sec-websocket-extensions").map(str::to_owned)
}

fn negotiated(config: DeflateConfig, offers: &str) -> Option<String> {
    config
        .negotiate([offers.as_bytes()])
        .expect("a valid list")
        .map(|d| d.to_string())
}

/// RFC 7692 §7.1.2.1: an offer with `server_max_window_bits` is accepted only with
/// the same or a smaller value, and a raw deflate stream cannot be compressed with an
/// 8-bit window by zlib (it silently uses 9). So the default configuration declines
/// an offer of `server_max_window_bits=8` and tries the next offer (RFC 7692 §5.1),
/// in the handshake (HTTP/1.1 and HTTP/2) and in `DeflateConfig::negotiate` alike.
#[test]
fn p12_default_declines_an_8_bit_server_window_and_tries_the_next_offer() {
    let config = server().deflate(Some(DeflateConfig::new()));
    let cases = [
        ("permessage-deflate; server_max_window_bits=8", None),
        (
            "permessage-deflate; server_max_window_bits=8, permessage-deflate; server_max_window_bits=9",
            Some("permessage-deflate; server_max_window_bits=9"),
        ),
        (
            "permessage-deflate; server_max_window_bits=8; client_max_window_bits, permessage-deflate",
            Some("permessage-deflate"),
        ),
        (
            "permessage-deflate; server_max_window_bits=\"8\", x-other, permessage-deflate; server_no_context_takeover",
            Some("permessage-deflate; server_no_context_takeover"),
        ),
    ];
    for (offers, expected) in cases {
        assert_eq!(answered(&config, offers).as_deref(), expected, "{offers}");
        assert_eq!(
            answered_h2(&config, offers).as_deref(),
            expected,
            "{offers}"
        );
        assert_eq!(
            negotiated(DeflateConfig::new(), offers).as_deref(),
            expected
        );
    }
    // Every configured server window, 8 included (it counts as 9): never 8.
    for bits in 0..=20 {
        let c = DeflateConfig::new().server_max_window_bits(bits);
        for n in 8..=15u8 {
            let offer = DeflateOffer::new().server_max_window_bits(Some(n));
            match c.answer(&offer) {
                None => assert_eq!(n, 8),
                Some(d) => {
                    let answer = d.server_max_window_bits.unwrap();
                    assert!((9..=n).contains(&answer), "{bits} {n} -> {answer}");
                }
            }
        }
        let bare = c.answer(&DeflateOffer::new()).unwrap();
        assert!(bare.server_window_bits() >= 9, "{bits}: {bare}");
    }
}

/// RFC 7692 §7.1.2.2: the server may answer `client_max_window_bits` only with a
/// value no larger than an offered one, and may ignore the offered value. The
/// default configuration never asks a client to compress with 8 bits (a configured 8
/// counts as 9) and never repeats a client's promise of 8 (it answers without the
/// parameter and inflates with the full window; a configuration that limits the
/// client's window declines such an offer, as 8 would be the only answer).
#[test]
fn p12_client_window_of_8_is_never_answered_and_never_enlarged() {
    let open = server().deflate(Some(DeflateConfig::new()));
    let offers = "permessage-deflate; client_max_window_bits=8";
    assert_eq!(
        answered(&open, offers).as_deref(),
        Some("permessage-deflate")
    );
    assert_eq!(
        answered_h2(&open, offers).as_deref(),
        Some("permessage-deflate")
    );
    let limited = server().deflate(Some(DeflateConfig::new().client_max_window_bits(10)));
    assert_eq!(answered(&limited, offers), None);
    let offers = "permessage-deflate; client_max_window_bits=8, permessage-deflate; client_max_window_bits=9";
    assert_eq!(
        answered(&limited, offers).as_deref(),
        Some("permessage-deflate; client_max_window_bits=9")
    );
    let eight = server().deflate(Some(DeflateConfig::new().client_max_window_bits(8)));
    assert_eq!(
        answered(&eight, "permessage-deflate; client_max_window_bits").as_deref(),
        Some("permessage-deflate; client_max_window_bits=9")
    );
    // The general rule, over every configured limit and every offer.
    for limit in 0..=20 {
        for allow in [false, true] {
            let c = DeflateConfig::new()
                .client_max_window_bits(limit)
                .dangerous_allow_8_bit_window(allow);
            for offered in [None, Some(None)]
                .into_iter()
                .chain((8..=15).map(|n| Some(Some(n))))
            {
                let offer = DeflateOffer::new().client_max_window_bits(offered);
                let Some(d) = c.answer(&offer) else { continue };
                if let Some(answer) = d.client_max_window_bits {
                    assert!(offered.is_some(), "answered without an offer");
                    if let Some(Some(n)) = offered {
                        assert!(answer <= n, "{limit}: {offered:?} -> {answer}");
                    }
                    assert!(allow || answer >= 9, "{limit}: {offered:?} -> {answer}");
                }
            }
        }
    }
}

/// The explicit opt-in keeps the answers 8-bit windows got before, for
/// implementations that really honour them (RFC 7692 §7.1.2 allows 8..=15).
#[test]
fn opt_in_8_bit_window_agrees_to_8() {
    let risky = DeflateConfig::new().dangerous_allow_8_bit_window(true);
    let config = server().deflate(Some(risky));
    assert_eq!(
        answered(&config, "permessage-deflate; server_max_window_bits=8").as_deref(),
        Some("permessage-deflate; server_max_window_bits=8")
    );
    assert_eq!(
        answered(&config, "permessage-deflate; client_max_window_bits=8").as_deref(),
        Some("permessage-deflate; client_max_window_bits=8")
    );
    let risky = risky.server_max_window_bits(8).client_max_window_bits(8);
    assert_eq!(
        negotiated(risky, "permessage-deflate; client_max_window_bits").as_deref(),
        Some("permessage-deflate; server_max_window_bits=8; client_max_window_bits=8")
    );
}

/// The crate's client and server agree: a client that promises an 8-bit window
/// (RFC 7692 §7.1.2.2) connects to a default server, which answers without
/// `client_max_window_bits`; a client asking for `server_max_window_bits=8` gets no
/// compression rather than a stream its peer's zlib cannot produce.
#[test]
fn p12_the_crates_client_and_server_agree() {
    for (offer, expected) in [
        (
            DeflateOffer::new().client_max_window_bits(Some(Some(8))),
            Some("permessage-deflate"),
        ),
        (DeflateOffer::new().server_max_window_bits(Some(8)), None),
    ] {
        let client = ClientConfig::new().deflate(Some(offer)).unwrap();
        let server = server().deflate(Some(DeflateConfig::new()));
        let run = Pair::new(client, server)
            .url("ws://server.example.com/chat")
            .nonce([7; 16])
            .run();
        let ServerOutcome::Upgrade { deflate: up, .. } = run.server else {
            panic!("our client's request is accepted")
        };
        let ClientOutcome::Connected { deflate, .. } = run.client else {
            panic!("our client accepts our server's answer")
        };
        assert_eq!(deflate.map(|d| d.to_string()).as_deref(), expected);
        assert_eq!(deflate, up);
    }
}
