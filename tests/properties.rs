//! Property tests: generated requests against RFC 6455 §4.2.1 and the rule table of
//! DESIGN.md, chunking invariance, leftover exactness and subprotocol selection.
//!
//! The expected `Sec-WebSocket-Accept` is computed with the `sha1` and `base64`
//! crates (`common::builders::expected_accept`), independently of the crate's own code.

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::builders::{expected_accept, split_at};
use common::pair::{serve as feed_chunks, ClientOutcome, Pair, ServerOutcome as Outcome};
use proptest::prelude::*;
use proptest::sample::select;
use ws_handshake::deflate::{DeflateConfig, DeflateOffer};
use ws_handshake::{
    ClientConfig, ClientError, ClientKey, Limits, MissingProtocol, ProtocolOrder, ServerConfig,
};

// ---------------------------------------------------------------------------
// A generated request: a request line and header lines, rendered on demand.

#[derive(Debug, Clone)]
struct Req {
    method: String,
    target: String,
    version: String,
    /// `(name, value with its surrounding whitespace)`, in wire order.
    lines: Vec<(String, String)>,
    key: String,
    offered: Vec<String>,
}

impl Req {
    fn render(&self) -> Vec<u8> {
        let mut out = format!("{} {} {}\r\n", self.method, self.target, self.version);
        for (name, value) in &self.lines {
            out.push_str(&format!("{name}:{value}\r\n"));
        }
        out.push_str("\r\n");
        out.into_bytes()
    }

    fn remove(&mut self, name: &str) {
        self.lines.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    fn push(&mut self, name: &str, value: &str) {
        self.lines.push((name.to_owned(), format!(" {value}")));
    }
}

/// A name in a random letter case.
fn cased(name: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<bool>(), name.len()).prop_map(move |upper| {
        name.chars()
            .zip(upper)
            .map(|(c, u)| {
                if u {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    })
}

/// Optional whitespace around a value.
fn ows() -> impl Strategy<Value = &'static str> {
    select(vec!["", " ", "\t", "  ", " \t"])
}

/// A value with optional whitespace on both sides (the leading part goes after the colon).
fn padded(value: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (ows(), value, ows()).prop_map(|(a, v, b)| format!("{a}{v}{b}"))
}

/// A list with `needle` inserted at any position among other elements, split over
/// 1..=3 field lines (RFC 7230 §3.2.2: repeated list headers combine in order).
fn list_lines(
    needle: &'static str,
    others: Vec<&'static str>,
) -> impl Strategy<Value = Vec<String>> {
    (
        cased(needle),
        prop::collection::vec(select(others), 0..3),
        any::<prop::sample::Index>(),
        1usize..=3,
        select(vec![",", ", ", " ,", " , "]),
    )
        .prop_map(|(needle, elements, at, lines, sep)| {
            let mut elements: Vec<String> = elements.into_iter().map(str::to_owned).collect();
            let at = at.index(elements.len() + 1);
            elements.insert(at, needle);
            let per_line = elements.len().div_ceil(lines);
            elements
                .chunks(per_line)
                .map(|c| c.join(sep))
                .collect::<Vec<_>>()
        })
}

const PROTOCOLS: [&str; 5] = ["chat", "superchat", "chat.v2", "mqtt", "x-proto+json"];

fn valid_request() -> impl Strategy<Value = Req> {
    let host = select(vec![
        "example.com",
        "127.0.0.1:8080",
        "[::1]:9001",
        "ws.example.org:443",
    ]);
    let target = select(vec!["/", "/chat", "/chat?room=1", "/a/b/c?x=1&y=2"]);
    let extras = prop::collection::vec(
        (
            select(vec![
                "User-Agent",
                "Accept",
                "Accept-Language",
                "Cache-Control",
                "Pragma",
                "Sec-Fetch-Mode",
                "X-Request-Id",
            ]),
            "[ -~&&[^ ]][ -~]{0,30}[ -~&&[^ ]]",
        ),
        0..5,
    );
    (
        (
            host,
            target,
            any::<[u8; 16]>(),
            any::<bool>(),
            prop::collection::vec(select(PROTOCOLS.to_vec()), 0..5),
            1usize..=3,
        ),
        (
            cased("host"),
            cased("upgrade"),
            cased("connection"),
            cased("sec-websocket-key"),
            cased("sec-websocket-version"),
            cased("sec-websocket-protocol"),
        ),
        (
            padded(Just(String::new())),
            list_lines("websocket", vec!["h2c", "foo", "HTTP/2.0"]),
            list_lines("upgrade", vec!["keep-alive", "x-foo", "TE"]),
            ows(),
            ows(),
            ows(),
        ),
        (
            extras,
            prop::option::of("[a-z]{1,5}=[a-z0-9]{0,8}(; [a-z]{1,5}=[a-z0-9]{0,8}){0,2}"),
        ),
    )
        .prop_flat_map(
            |(
                (host, target, nonce, with_origin, offered, protocol_lines),
                (n_host, n_upgrade, n_connection, n_key, n_version, n_protocol),
                (pad, upgrade, connection, o1, o2, o3),
                (extras, cookie),
            )| {
                let key = STANDARD.encode(nonce);
                let mut lines = vec![
                    (n_host, format!("{o1}{host}{o2}")),
                    (n_key, format!("{o2}{key}{o3}")),
                    (n_version, format!("{o3}13{pad}")),
                ];
                lines.extend(
                    upgrade
                        .into_iter()
                        .map(|v| (n_upgrade.clone(), format!(" {v}"))),
                );
                lines.extend(
                    connection
                        .into_iter()
                        .map(|v| (n_connection.clone(), format!("{o1}{v}"))),
                );
                if !offered.is_empty() {
                    let per_line = offered.len().div_ceil(protocol_lines);
                    for chunk in offered.chunks(per_line) {
                        lines.push((n_protocol.clone(), format!(" {}", chunk.join(", "))));
                    }
                }
                if with_origin {
                    lines.push(("Origin".into(), format!(" http://{host}")));
                }
                if let Some(c) = cookie {
                    lines.push(("Cookie".into(), format!(" {c}")));
                }
                lines.extend(
                    extras
                        .into_iter()
                        .map(|(n, v)| (n.to_owned(), format!(" {v}"))),
                );
                let offered = offered.into_iter().map(str::to_owned).collect::<Vec<_>>();
                (
                    Just(lines).prop_shuffle(),
                    Just(target),
                    Just(key),
                    Just(offered),
                )
            },
        )
        .prop_map(|(lines, target, key, offered)| Req {
            method: "GET".into(),
            target: target.into(),
            version: "HTTP/1.1".into(),
            lines,
            key,
            offered,
        })
}

// ---------------------------------------------------------------------------
// Feeding and reading the answer.

fn feed(config: &ServerConfig, bytes: &[u8]) -> Outcome {
    feed_chunks(config, &[bytes])
}

/// Splits `bytes` at the given points.
fn split_at_points<'a>(bytes: &'a [u8], points: &[prop::sample::Index]) -> Vec<&'a [u8]> {
    split_at(bytes, points.iter().map(|p| p.index(bytes.len() + 1)))
}

/// The response's status and headers, parsed with httparse.
fn response_headers(response: &[u8]) -> (u16, Vec<(String, String)>) {
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut r = httparse::Response::new(&mut headers);
    assert!(matches!(
        r.parse(response),
        Ok(httparse::Status::Complete(_))
    ));
    let status = r.code.unwrap();
    let headers = r
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_owned(),
                String::from_utf8(h.value.to_vec()).unwrap(),
            )
        })
        .collect();
    (status, headers)
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Vec<&'h str> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

fn config_with(protocols: &[&str], order: ProtocolOrder) -> ServerConfig {
    ServerConfig::new()
        .protocols(protocols)
        .unwrap()
        .protocol_order(order)
}

// ---------------------------------------------------------------------------
// Properties.

proptest! {
    /// Any valid request is accepted, with the right accept key and only an offered,
    /// supported subprotocol.
    #[test]
    fn valid_requests_are_accepted(req in valid_request()) {
        let config = config_with(&["chat", "mqtt"], ProtocolOrder::ServerPreference);
        let bytes = req.render();
        let Outcome::Upgrade { response, leftover, protocol, .. } = feed(&config, &bytes) else {
            panic!("refused: {:?}\n{}", feed(&config, &bytes), String::from_utf8_lossy(&bytes));
        };
        prop_assert!(leftover.is_empty());
        let (status, headers) = response_headers(response.as_bytes());
        prop_assert_eq!(status, 101);
        prop_assert_eq!(header(&headers, "sec-websocket-accept"), [expected_accept(&req.key)]);
        let expected = ["chat", "mqtt"].into_iter().find(|p| req.offered.iter().any(|o| o == p));
        prop_assert_eq!(protocol.as_deref(), expected);
        prop_assert_eq!(header(&headers, "sec-websocket-protocol"), expected.into_iter().collect::<Vec<_>>());
    }

    /// A valid request with exactly one rule broken is refused with that rule's status.
    #[test]
    fn one_broken_rule_gives_its_status(req in valid_request(), rule in 0..RULES.len(), pick in any::<prop::sample::Index>()) {
        let (name, status, break_it) = RULES[rule];
        let mut broken = req.clone();
        let config = break_it(&mut broken, pick);
        let bytes = broken.render_for(name);
        match feed(&config, &bytes) {
            Outcome::Rejected { error, response } => {
                prop_assert_eq!(error.status(), status, "rule {}: {:?}", name, error);
                let (written, _) = response_headers(response.as_bytes());
                prop_assert_eq!(written, status);
            }
            other => prop_assert!(false, "rule {} not refused: {:?}\n{}", name, other, String::from_utf8_lossy(&bytes)),
        }
    }

    /// Chunking never changes the outcome, and the bytes after the head come back exactly.
    #[test]
    fn chunking_invariance_and_exact_leftover(
        req in valid_request(),
        trailing in prop::collection::vec(any::<u8>(), 0..64),
        points in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let config = config_with(&["chat"], ProtocolOrder::ServerPreference);
        let mut bytes = req.render();
        bytes.extend_from_slice(&trailing);
        let whole = feed(&config, &bytes);
        let chunked = feed_chunks(&config, &split_at_points(&bytes, &points));
        prop_assert_eq!(&chunked, &whole);
        match whole {
            Outcome::Upgrade { leftover, .. } => prop_assert_eq!(leftover, trailing),
            other => prop_assert!(false, "not accepted: {:?}", other),
        }
    }

    /// The same for arbitrary bytes, in the small-limit configuration too.
    #[test]
    fn chunking_invariance_for_any_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        points in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
        small in any::<bool>(),
    ) {
        let mut config = ServerConfig::new();
        if small {
            config = config.with_limits(Limits::default().with_max_head_bytes(64).with_max_headers(4));
        }
        let whole = feed(&config, &bytes);
        let chunked = feed_chunks(&config, &split_at_points(&bytes, &points));
        prop_assert_eq!(chunked, whole);
    }

    /// The chosen subprotocol is both offered and supported, follows the configured
    /// order, and is absent only when nothing offered is supported.
    #[test]
    fn subprotocol_is_in_both_lists(
        offered in prop::collection::vec(select(PROTOCOLS.to_vec()), 0..6),
        supported in prop::collection::vec(select(PROTOCOLS.to_vec()), 0..4),
        client_order in any::<bool>(),
        lines in 1usize..=3,
    ) {
        let order = if client_order { ProtocolOrder::ClientPreference } else { ProtocolOrder::ServerPreference };
        let config = config_with(&supported, order);
        let mut head = String::from("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
        if !offered.is_empty() {
            for chunk in offered.chunks(offered.len().div_ceil(lines)) {
                head.push_str(&format!("Sec-WebSocket-Protocol: {}\r\n", chunk.join(",")));
            }
        }
        head.push_str("\r\n");
        let Outcome::Upgrade { protocol, response, .. } = feed(&config, head.as_bytes()) else {
            panic!("refused");
        };
        let expected = if client_order {
            offered.iter().copied().find(|o| supported.contains(o))
        } else {
            supported.iter().copied().find(|s| offered.contains(s))
        };
        prop_assert_eq!(protocol.as_deref(), expected);
        if let Some(p) = &protocol {
            prop_assert!(offered.contains(&p.as_str()) && supported.contains(&p.as_str()));
        } else {
            prop_assert!(!offered.iter().any(|o| supported.contains(o)));
        }
        let (_, headers) = response_headers(response.as_bytes());
        prop_assert_eq!(header(&headers, "sec-websocket-protocol"), protocol.iter().map(String::as_str).collect::<Vec<_>>());
    }
}

// ---------------------------------------------------------------------------
// The rule table of DESIGN.md ("RFC 6455 §4.2.1 — server checks"), one mutation each.

type Breaker = fn(&mut Req, prop::sample::Index) -> ServerConfig;

/// `(rule, status, mutation)`. A mutation breaks exactly its rule and returns the
/// configuration to use (the default one unless the rule is about a limit or policy).
const RULES: &[(&str, u16, Breaker)] = &[
    ("method is GET", 405, |r, i| {
        r.method = ["POST", "PUT", "get", "HEAD"][i.index(4)].into();
        ServerConfig::new()
    }),
    ("HTTP/1.1 or later", 400, |r, _| {
        r.version = "HTTP/1.0".into();
        ServerConfig::new()
    }),
    ("origin-form or absolute-form target", 400, |r, i| {
        r.target = ["*", "chat", "example.com:80", "/chat#frag"][i.index(4)].into();
        ServerConfig::new()
    }),
    ("Host present", 400, |r, _| {
        r.remove("host");
        r.remove("origin");
        ServerConfig::new()
    }),
    ("Host exactly once", 400, |r, _| {
        r.push("Host", "other.example.com");
        ServerConfig::new()
    }),
    ("Host well-formed", 400, |r, i| {
        r.remove("host");
        r.remove("origin");
        r.push("Host", ["a b", "[1.2.3.4]", "[zz]", "a:99999"][i.index(4)]);
        ServerConfig::new()
    }),
    ("Upgrade contains websocket", 426, |r, i| {
        r.remove("upgrade");
        if i.index(2) == 0 {
            r.push("Upgrade", "h2c, websocket2");
        }
        ServerConfig::new()
    }),
    ("Connection contains upgrade", 400, |r, i| {
        r.remove("connection");
        if i.index(2) == 0 {
            r.push("Connection", "keep-alive, upgrade-insecure");
        }
        ServerConfig::new()
    }),
    ("Sec-WebSocket-Key present", 400, |r, _| {
        r.remove("sec-websocket-key");
        ServerConfig::new()
    }),
    ("Sec-WebSocket-Key once", 400, |r, _| {
        r.push("Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAA==");
        ServerConfig::new()
    }),
    ("Sec-WebSocket-Key is base64 of 16 bytes", 400, |r, i| {
        r.remove("sec-websocket-key");
        let bad = [
            "dGhlIHNhbXBsZSBub25jZQ",
            "YWJjZGVmZ2hpamtsbW5vcHE=",
            "dGhlIHNhbXBsZSBub25j",
            "dGhlIHNhbXBsZSBub25jZ-==",
            "dGhlIHNhbXBsZSBub25jZR==",
        ];
        r.push("Sec-WebSocket-Key", bad[i.index(bad.len())]);
        ServerConfig::new()
    }),
    ("Sec-WebSocket-Version is 13", 426, |r, i| {
        r.remove("sec-websocket-version");
        match ["", "8", "12", "14", "013", "13, 8"][i.index(6)] {
            "" => {} // missing
            v => r.push("Sec-WebSocket-Version", v),
        }
        ServerConfig::new()
    }),
    ("Sec-WebSocket-Version once", 400, |r, _| {
        r.push("Sec-WebSocket-Version", "13");
        ServerConfig::new()
    }),
    ("not a draft-76 request", 426, |r, _| {
        r.remove("sec-websocket-key");
        r.push("Sec-WebSocket-Key1", "4 @1  46546xW%0l 1 5");
        r.push("Sec-WebSocket-Key2", "12998 5 Y3 1  .P00");
        ServerConfig::new()
    }),
    ("Origin allowed by policy", 403, |r, _| {
        r.remove("origin");
        r.push("Origin", "https://evil.example");
        ServerConfig::new()
    }),
    ("head within the limit", 431, |r, _| {
        r.push("X-Padding", &"p".repeat(600));
        ServerConfig::new().with_limits(Limits::default().with_max_head_bytes(512))
    }),
    ("header count within the limit", 431, |r, _| {
        for n in 0..Limits::DEFAULT.max_headers() {
            r.push(&format!("X-{n}"), "y");
        }
        ServerConfig::new()
    }),
    ("well-formed HTTP", 400, |r, i| {
        match i.index(3) {
            0 => r.lines.push(("X-Nul".into(), " a\0b".into())),
            1 => r.lines.push(("X-Folded".into(), " a\r\n continued".into())),
            _ => r.lines.push(("Bad Name".into(), " x".into())),
        }
        ServerConfig::new()
    }),
    ("line endings are CRLF", 400, |_, _| ServerConfig::new()),
    ("no body announced", 400, |r, i| {
        match i.index(3) {
            0 => r.push("Content-Length", "5"),
            1 => r.push("Transfer-Encoding", "chunked"),
            _ => {
                r.push("Content-Length", "0");
                r.push("Content-Length", "0");
            }
        }
        ServerConfig::new()
    }),
    ("Sec-WebSocket-Protocol well-formed", 400, |r, i| {
        r.push(
            "Sec-WebSocket-Protocol",
            ["chat superchat", "chat/1", ", ,", "\"chat\""][i.index(4)],
        );
        ServerConfig::new()
    }),
    ("Sec-WebSocket-Extensions well-formed", 400, |r, i| {
        r.push(
            "Sec-WebSocket-Extensions",
            ["permessage-deflate;", ", ,", ";x", "a; b=\"x y\""][i.index(4)],
        );
        ServerConfig::new()
    }),
];

impl Req {
    /// Renders the request; the bare-LF rule replaces every CRLF after the request line.
    fn render_for(&self, rule: &str) -> Vec<u8> {
        let bytes = self.render();
        if rule != "line endings are CRLF" {
            return bytes;
        }
        let text = String::from_utf8(bytes).unwrap();
        let (first, rest) = text.split_once("\r\n").unwrap();
        format!("{first}\r\n{}", rest.replace("\r\n", "\n")).into_bytes()
    }
}

// ---------------------------------------------------------------------------
// Client ⇄ server round trip over arbitrary configurations.

fn window_bits() -> impl Strategy<Value = u8> {
    8u8..=15
}

fn deflate_offer() -> impl Strategy<Value = Option<DeflateOffer>> {
    prop::option::of(
        (
            any::<bool>(),
            any::<bool>(),
            prop::option::of(window_bits()),
            prop::option::of(prop::option::of(window_bits())),
        )
            .prop_map(|(snct, cnct, smwb, cmwb)| {
                DeflateOffer::new()
                    .server_no_context_takeover(snct)
                    .client_no_context_takeover(cnct)
                    .server_max_window_bits(smwb)
                    .client_max_window_bits(cmwb)
            }),
    )
}

fn deflate_config() -> impl Strategy<Value = Option<DeflateConfig>> {
    prop::option::of(
        (any::<bool>(), any::<bool>(), window_bits(), window_bits()).prop_map(
            |(snct, cnct, s, c)| {
                DeflateConfig::new()
                    .server_no_context_takeover(snct)
                    .client_no_context_takeover(cnct)
                    .server_max_window_bits(s)
                    .client_max_window_bits(c)
            },
        ),
    )
}

proptest! {
    /// Our client's request is accepted by our server; both sides then agree on the
    /// subprotocol, on permessage-deflate, and on the bytes each sent after its head.
    #[test]
    fn client_server_round_trip(
        // Offered subprotocols are unique (RFC 6455 §4.1 item 10), in any order.
        offered in prop::sample::subsequence(PROTOCOLS.to_vec(), 0..4).prop_shuffle(),
        supported in prop::collection::vec(select(PROTOCOLS.to_vec()), 0..4),
        client_order in any::<bool>(),
        accept_missing in any::<bool>(),
        offer in deflate_offer(),
        server_deflate in deflate_config(),
        url in select(vec!["ws://example.com/chat?room=1", "wss://example.com:8443/", "ws://[::1]:9001/a/b"]),
        nonce in any::<[u8; 16]>(),
        client_frames in prop::collection::vec(any::<u8>(), 0..16),
        server_frames in prop::collection::vec(any::<u8>(), 0..16),
        points in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
    ) {
        let client = ClientConfig::new()
            .protocols(&offered).unwrap()
            .deflate(offer).unwrap()
            .missing_protocol(if accept_missing { MissingProtocol::Accept } else { MissingProtocol::Fail });
        let key = ClientKey::from_nonce(nonce);

        let order = if client_order { ProtocolOrder::ClientPreference } else { ProtocolOrder::ServerPreference };
        let server_deflate_config = server_deflate;
        let server = config_with(&supported, order).deflate(server_deflate_config);
        let cuts: Vec<usize> = points.iter().map(|p| p.index(usize::MAX)).collect();
        let run = Pair::new(client, server)
            .url(url)
            .nonce(nonce)
            .frames(&client_frames, &server_frames)
            .cuts(&[], &cuts)
            .run();
        let Outcome::Upgrade { key: server_key, protocol, deflate: server_deflate, leftover, .. } = &run.server else {
            panic!("our server refused our client's request:\n{}", String::from_utf8_lossy(&run.request));
        };
        prop_assert_eq!(leftover, &client_frames);
        prop_assert_eq!(server_key.as_str(), key.as_str());
        prop_assert_eq!(run.key.as_str(), key.as_str());
        let expected = if client_order {
            offered.iter().copied().find(|o| supported.contains(o))
        } else {
            supported.iter().copied().find(|s| offered.contains(s))
        };
        prop_assert_eq!(protocol.as_deref(), expected);
        let server_deflate = *server_deflate;
        if offer.is_none() || server_deflate_config.is_none() {
            prop_assert_eq!(server_deflate, None);
        }

        let outcome = match run.client {
            ClientOutcome::Connected { protocol, deflate, leftover, .. } => Ok((protocol, deflate, leftover)),
            ClientOutcome::Refused { status, .. } => panic!("refused with {status}"),
            ClientOutcome::Failed(e) => Err(e),
            ClientOutcome::NeedMore => panic!("the whole response was fed"),
        };
        let missing = expected.is_none() && !offered.is_empty() && !accept_missing;
        match outcome {
            Ok((protocol, deflate, leftover)) => {
                prop_assert!(!missing, "connected without a required subprotocol");
                prop_assert_eq!(protocol.as_deref(), expected);
                prop_assert_eq!(deflate, server_deflate);
                prop_assert_eq!(leftover, server_frames);
            }
            Err(e) => {
                prop_assert!(missing, "our client failed our server's response: {:?}", e);
                prop_assert_eq!(e, ClientError::ProtocolMissing);
            }
        }
    }
}
