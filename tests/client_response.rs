//! The client's checks of the server's response, RFC 6455 §4.1 and RFC 7692 §7.2:
//! real captured responses, one test per rule with crafted responses, and round trips
//! through the crate's own server.

mod common;

use common::builders::{capture, response_101 as ok101, ACCEPT, NONCE};
use common::pair::{dial, ClientOutcome as Outcome, Pair, ServerOutcome};
use proptest::prelude::*;
use ws_handshake::deflate::{DeflateConfig, DeflateOffer, DeflateParamError, PerMessageDeflate};
use ws_handshake::{
    ClientConfig, ClientError, ClientFeed, ClientHandshake, ClientKey, Limits, Malformed,
    MissingProtocol, Misuse, ProtocolOrder, ServerConfig, WsUrl,
};

/// The URL the captured responses were requested with.
const CAPTURE_URL: &str = "ws://127.0.0.1:18200/chat";

/// Feeds the chunks in order until an outcome (a failure as `Err`); the bytes of
/// chunks never fed are appended to the leftover.
fn feed_chunks(config: &ClientConfig, url: &str, chunks: &[&[u8]]) -> Result<Outcome, ClientError> {
    dial(config, url, chunks).into_result()
}

fn feed(config: &ClientConfig, response: &[u8]) -> Result<Outcome, ClientError> {
    feed_chunks(config, CAPTURE_URL, &[response])
}

fn bytewise(config: &ClientConfig, response: &[u8]) -> Result<Outcome, ClientError> {
    let chunks: Vec<&[u8]> = response.chunks(1).collect();
    feed_chunks(config, CAPTURE_URL, &chunks)
}

fn plain() -> ClientConfig {
    ClientConfig::new()
}

fn chat() -> ClientConfig {
    ClientConfig::new()
        .protocols(["chat", "superchat"])
        .unwrap()
}

fn deflating(offer: DeflateOffer) -> ClientConfig {
    ClientConfig::new().deflate(Some(offer)).unwrap()
}

fn connected_protocol(r: Result<Outcome, ClientError>) -> Option<String> {
    match r {
        Ok(Outcome::Connected { protocol, .. }) => protocol,
        other => panic!("expected a connection, got {other:?}"),
    }
}

fn connected_deflate(r: Result<Outcome, ClientError>) -> Option<PerMessageDeflate> {
    match r {
        Ok(Outcome::Connected { deflate, .. }) => deflate,
        other => panic!("expected a connection, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------
// Real responses, captured from Python websockets 17.4 and Node ws 8.23.0

#[test]
fn captured_101s_validate() {
    let offered = chat()
        .deflate(Some(DeflateOffer::new().client_max_window_bits(Some(None))))
        .unwrap();

    let got = feed(&offered, &capture("response-python-websockets-chat.http")).unwrap();
    let Outcome::Connected {
        protocol,
        deflate,
        headers,
        leftover,
    } = got
    else {
        panic!("{got:?}")
    };
    assert_eq!(protocol.as_deref(), Some("chat"));
    assert_eq!(
        deflate,
        Some(PerMessageDeflate {
            server_max_window_bits: Some(12),
            client_max_window_bits: Some(12),
            ..Default::default()
        })
    );
    assert!(headers.contains(&("Server".into(), b"Python/3.11 websockets/17.4".to_vec())));
    assert!(leftover.is_empty());

    for node in [
        "response-node-ws-deflate.http",
        "response-node-ws-version8.http",
    ] {
        let got = feed(&offered, &capture(node)).unwrap();
        let Outcome::Connected {
            protocol, deflate, ..
        } = got
        else {
            panic!("{got:?}")
        };
        assert_eq!(protocol.as_deref(), Some("chat"), "{node}");
        assert_eq!(deflate, Some(PerMessageDeflate::default()), "{node}");
    }

    // Python without subprotocols answered no protocol to an offer of two: the default
    // policy fails, as browsers do; the opt-in policy accepts.
    let noproto = capture("response-python-websockets-nosubproto-fixed.http");
    assert_eq!(feed(&offered, &noproto), Err(ClientError::ProtocolMissing));
    let lenient = offered.clone().missing_protocol(MissingProtocol::Accept);
    let got = connected_deflate(feed(&lenient, &noproto));
    assert_eq!(got.map(|d| d.server_window_bits()), Some(12));

    // Minimal request, minimal responses.
    for minimal in [
        "response-python-websockets-nosubproto-minimal.http",
        "response-node-ws-minimal.http",
    ] {
        let got = feed(&plain(), &capture(minimal)).unwrap();
        let Outcome::Connected {
            protocol, deflate, ..
        } = got
        else {
            panic!("{got:?}")
        };
        assert_eq!((protocol, deflate), (None, None), "{minimal}");
    }

    // The same bytes against a client that offered less.
    assert_eq!(
        feed(&plain(), &capture("response-node-ws-deflate.http")),
        Err(ClientError::ExtensionNotOffered)
    );
    assert_eq!(
        feed(
            &ClientConfig::new()
                .deflate(Some(DeflateOffer::new()))
                .unwrap(),
            &capture("response-python-websockets-nosubproto-fixed.http")
        ),
        Err(ClientError::DeflateClientWindowNotOffered)
    );
    let deflate_only = ClientConfig::new()
        .deflate(Some(DeflateOffer::new()))
        .unwrap();
    assert_eq!(
        feed(&deflate_only, &capture("response-node-ws-deflate.http")),
        Err(ClientError::ProtocolWhenNoneOffered)
    );
    // A wrong key: every capture answers dGhlIHNhbXBsZSBub25jZQ==.
    let url = WsUrl::parse(CAPTURE_URL).unwrap();
    let config = plain();
    let mut hs = ClientHandshake::new(&config, url, ClientKey::from_nonce([1; 16]));
    assert_eq!(
        hs.feed(&capture("response-node-ws-minimal.http"))
            .unwrap_err(),
        ClientError::AcceptMismatch
    );
}

#[test]
fn captured_refusals_are_typed_with_status_headers_and_body() {
    // file, status, reason, a header that must be kept
    let table: &[(&str, u16, &str, (&str, &str))] = &[
        (
            "python-websockets-minimal",
            400,
            "Bad Request",
            ("Content-Length", "60"),
        ),
        (
            "python-websockets-version8",
            400,
            "Bad Request",
            ("Connection", "close"),
        ),
        (
            "python-websockets-version12",
            400,
            "Bad Request",
            ("Content-Type", "text/plain; charset=utf-8"),
        ),
        (
            "python-websockets-nokey",
            400,
            "Bad Request",
            ("Server", "Python/3.11 websockets/17.4"),
        ),
        (
            "python-websockets-post",
            405,
            "Method Not Allowed",
            ("Allow", "GET"),
        ),
        (
            "python-websockets-plain",
            426,
            "Upgrade Required",
            ("Upgrade", "websocket"),
        ),
        (
            "node-ws-version12",
            400,
            "Bad Request",
            ("Sec-WebSocket-Version", "13, 8"),
        ),
        (
            "node-ws-post",
            405,
            "Method Not Allowed",
            ("Content-Length", "19"),
        ),
        (
            "node-ws-nokey",
            400,
            "Bad Request",
            ("Content-Type", "text/html"),
        ),
        (
            "node-ws-plain",
            426,
            "Upgrade Required",
            ("Keep-Alive", "timeout=5"),
        ),
    ];
    for &(name, status, reason, (hname, hvalue)) in table {
        let head = capture(&format!("response-{name}.http"));
        let body = capture(&format!("response-{name}.after.bin"));
        let whole = [head.clone(), body.clone()].concat();
        for config in [plain(), chat()] {
            for got in [feed(&config, &whole), bytewise(&config, &whole)] {
                let Ok(Outcome::Refused {
                    status: s,
                    reason: r,
                    headers,
                    leftover,
                }) = got
                else {
                    panic!("{name}: {got:?}")
                };
                assert_eq!((s, r.as_str()), (status, reason), "{name}");
                let value = headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(hname))
                    .map(|(_, v)| v.as_slice());
                assert_eq!(value, Some(hvalue.as_bytes()), "{name}");
                assert_eq!(leftover, body, "{name}: the body comes back byte-exact");
                let lines = head.windows(2).filter(|w| w == b"\r\n").count();
                assert_eq!(headers.len(), lines - 2, "{name}: every header kept");
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// One test per rule, each with a crafted response

#[test]
fn wrong_missing_or_repeated_accept_fails() {
    let wrong =
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
        Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    assert_eq!(feed(&plain(), wrong), Err(ClientError::AcceptMismatch));
    // Off by case: base64 is case-sensitive.
    let lower = ok101("").to_ascii_lowercase();
    let lower = [&b"HTTP/1.1 101 Switching Protocols"[..], &lower[32..]].concat();
    assert_eq!(feed(&plain(), &lower), Err(ClientError::AcceptMismatch));
    let missing =
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    assert_eq!(feed(&plain(), missing), Err(ClientError::AcceptMissing));
    let twice = ok101(&format!("Sec-WebSocket-Accept: {ACCEPT}\r\n"));
    assert_eq!(feed(&plain(), &twice), Err(ClientError::AcceptRepeated));
    assert!(feed(&plain(), &ok101("")).is_ok());
}

#[test]
fn upgrade_must_list_websocket() {
    let without = format!(
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {ACCEPT}\r\n\r\n"
    );
    assert_eq!(
        feed(&plain(), without.as_bytes()),
        Err(ClientError::UpgradeLacksWebSocket)
    );
    for other in ["h2c", "websockets", "web socket", "\"websocket\""] {
        let r = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: {other}\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {ACCEPT}\r\n\r\n"
        );
        assert_eq!(
            feed(&plain(), r.as_bytes()),
            Err(ClientError::UpgradeLacksWebSocket),
            "{other}"
        );
    }
    let r = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {ACCEPT}\r\n\r\n"
    );
    assert!(feed(&plain(), r.as_bytes()).is_ok(), "case-insensitive");
}

#[test]
fn connection_must_list_upgrade() {
    for connection in [
        "",
        "Connection: keep-alive\r\n",
        "Connection: upgrade-insecure\r\n",
    ] {
        let r = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n{connection}\
             Sec-WebSocket-Accept: {ACCEPT}\r\n\r\n"
        );
        assert_eq!(
            feed(&plain(), r.as_bytes()),
            Err(ClientError::ConnectionLacksUpgrade),
            "{connection:?}"
        );
    }
    let r = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: keep-alive\r\n\
         Connection: UPGRADE\r\nSec-WebSocket-Accept: {ACCEPT}\r\n\r\n"
    );
    assert!(
        feed(&plain(), r.as_bytes()).is_ok(),
        "lists combine across lines"
    );
}

#[test]
fn other_statuses_are_refusals_with_headers_and_body() {
    let cases: &[(&str, u16, &str, &str, &str)] = &[
        ("200 OK", 200, "OK", "Content-Type", "text/html"),
        (
            "302 Found",
            302,
            "Found",
            "Location",
            "wss://elsewhere.example/chat",
        ),
        (
            "401 Unauthorized",
            401,
            "Unauthorized",
            "WWW-Authenticate",
            "Bearer realm=\"chat\"",
        ),
        (
            "426 Upgrade Required",
            426,
            "Upgrade Required",
            "Sec-WebSocket-Version",
            "13",
        ),
        ("503 ", 503, "", "Retry-After", "5"),
    ];
    for &(line, status, reason, name, value) in cases {
        let r = format!(
            "HTTP/1.1 {line}\r\n{name}: {value}\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\
             Content-Length: 4\r\n\r\nbody"
        );
        let url = WsUrl::parse(CAPTURE_URL).unwrap();
        let config = chat();
        let mut hs = ClientHandshake::new(&config, url, ClientKey::from_nonce(NONCE));
        let Ok(ClientFeed::Refused(refusal)) = hs.feed(r.as_bytes()) else {
            panic!("{line}")
        };
        assert_eq!((refusal.status(), refusal.reason()), (status, reason));
        assert_eq!(refusal.header(name), Some(value));
        assert_eq!(refusal.headers().get_all("set-cookie").count(), 2);
        assert_eq!(refusal.minor_version(), 1);
        assert_eq!(refusal.leftover(), b"body");
        assert_eq!(
            hs.feed(b"more").unwrap_err(),
            ClientError::Misuse(Misuse::FedAfterOutcome)
        );
    }
    // An HTTP/1.0 refusal is still a refusal; an HTTP/1.0 101 is not a valid upgrade.
    assert!(matches!(
        feed(&plain(), b"HTTP/1.0 404 Not Found\r\n\r\n"),
        Ok(Outcome::Refused { status: 404, .. })
    ));
    let old = [&b"HTTP/1.0"[..], &ok101("")[8..]].concat();
    assert_eq!(feed(&plain(), &old), Err(ClientError::HttpVersionInvalid));
}

#[test]
fn subprotocol_rules() {
    // Unoffered.
    let r = ok101("Sec-WebSocket-Protocol: mqtt\r\n");
    assert_eq!(feed(&chat(), &r), Err(ClientError::ProtocolNotOffered));
    let r = ok101("Sec-WebSocket-Protocol: Chat\r\n");
    assert_eq!(
        feed(&chat(), &r),
        Err(ClientError::ProtocolNotOffered),
        "exact match"
    );
    // None offered.
    let r = ok101("Sec-WebSocket-Protocol: chat\r\n");
    assert_eq!(
        feed(&plain(), &r),
        Err(ClientError::ProtocolWhenNoneOffered)
    );
    // More than one, or not a token.
    for bad in [
        "Sec-WebSocket-Protocol: chat, superchat\r\n",
        "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: chat\r\n",
        "Sec-WebSocket-Protocol: \r\n",
        "Sec-WebSocket-Protocol: \"chat\"\r\n",
    ] {
        assert_eq!(
            feed(&chat(), &ok101(bad)),
            Err(ClientError::ProtocolMalformed),
            "{bad:?}"
        );
    }
    // Offered, none chosen: the policy decides.
    assert_eq!(feed(&chat(), &ok101("")), Err(ClientError::ProtocolMissing));
    let lenient = chat().missing_protocol(MissingProtocol::Accept);
    assert_eq!(connected_protocol(feed(&lenient, &ok101(""))), None);
    // Chosen among the offered.
    for p in ["chat", "superchat"] {
        let r = ok101(&format!("Sec-WebSocket-Protocol: {p}\r\n"));
        assert_eq!(connected_protocol(feed(&chat(), &r)).as_deref(), Some(p));
    }
}

#[test]
fn extension_rules() {
    let offer = deflating(DeflateOffer::new().client_max_window_bits(Some(None)));
    for (header, want) in [
        ("x-webkit-deflate-frame", ClientError::ExtensionNotOffered),
        (
            "permessage-deflate, x-foo",
            ClientError::ExtensionNotOffered,
        ),
        (
            "permessage-deflate, permessage-deflate",
            ClientError::DeflateRepeated,
        ),
        ("permessage-deflate;", ClientError::ExtensionListMalformed),
        (", ,", ClientError::ExtensionListMalformed),
        ("", ClientError::ExtensionListMalformed),
        (
            "permessage-deflate; a=\"x y\"",
            ClientError::ExtensionListMalformed,
        ),
    ] {
        let r = ok101(&format!("Sec-WebSocket-Extensions: {header}\r\n"));
        assert_eq!(feed(&offer, &r), Err(want), "{header:?}");
    }
    // Across two lines, permessage-deflate twice.
    let r = ok101(
        "Sec-WebSocket-Extensions: permessage-deflate\r\nSec-WebSocket-Extensions: permessage-deflate\r\n",
    );
    assert_eq!(feed(&offer, &r), Err(ClientError::DeflateRepeated));
    // Not offered at all.
    let r = ok101("Sec-WebSocket-Extensions: permessage-deflate\r\n");
    assert_eq!(feed(&plain(), &r), Err(ClientError::ExtensionNotOffered));
    // Offered and declined: no deflate.
    assert_eq!(connected_deflate(feed(&offer, &ok101(""))), None);
}

#[test]
fn deflate_response_rules() {
    use ClientError::*;
    let bare = DeflateOffer::new();
    let cmwb = DeflateOffer::new().client_max_window_bits(Some(None));
    let cmwb10 = DeflateOffer::new().client_max_window_bits(Some(Some(10)));
    let smwb10 = DeflateOffer::new().server_max_window_bits(Some(10));
    let snct = DeflateOffer::new().server_no_context_takeover(true);
    let pmd = |s: Option<u8>, c: Option<u8>, snct: bool, cnct: bool| PerMessageDeflate {
        server_no_context_takeover: snct,
        client_no_context_takeover: cnct,
        server_max_window_bits: s,
        client_max_window_bits: c,
    };
    let table: &[(DeflateOffer, &str, Result<PerMessageDeflate, ClientError>)] = &[
        (bare, "", Ok(pmd(None, None, false, false))),
        // §7.1.1: the server may always reset its own context or ask the client to.
        (
            bare,
            "; server_no_context_takeover",
            Ok(pmd(None, None, true, false)),
        ),
        (
            bare,
            "; client_no_context_takeover",
            Ok(pmd(None, None, false, true)),
        ),
        // §7.1.2.1: the server may announce a smaller window of its own.
        (
            bare,
            "; server_max_window_bits=9",
            Ok(pmd(Some(9), None, false, false)),
        ),
        // §7.1.2.2: client_max_window_bits only if offered, and always with a value.
        (
            bare,
            "; client_max_window_bits=10",
            Err(DeflateClientWindowNotOffered),
        ),
        (
            cmwb,
            "; client_max_window_bits=10",
            Ok(pmd(None, Some(10), false, false)),
        ),
        (
            cmwb,
            "; client_max_window_bits",
            Err(DeflateParam(DeflateParamError::ValueInvalid)),
        ),
        (
            cmwb10,
            "; client_max_window_bits=10",
            Ok(pmd(None, Some(10), false, false)),
        ),
        (
            cmwb10,
            "; client_max_window_bits=9",
            Ok(pmd(None, Some(9), false, false)),
        ),
        (
            cmwb10,
            "; client_max_window_bits=11",
            Err(DeflateClientWindowTooLarge),
        ),
        (cmwb10, "", Ok(pmd(None, None, false, false))),
        // §7.1.2.1: an offered server_max_window_bits is answered, never enlarged.
        (
            smwb10,
            "; server_max_window_bits=10",
            Ok(pmd(Some(10), None, false, false)),
        ),
        (
            smwb10,
            "; server_max_window_bits=8",
            Ok(pmd(Some(8), None, false, false)),
        ),
        (
            smwb10,
            "; server_max_window_bits=11",
            Err(DeflateServerWindowTooLarge),
        ),
        (smwb10, "", Err(DeflateServerWindowMissing)),
        // §7.1.1.1: an offered server_no_context_takeover is accepted only by repeating it.
        (snct, "", Err(DeflateServerContextTakeover)),
        (
            snct,
            "; server_no_context_takeover",
            Ok(pmd(None, None, true, false)),
        ),
        // §7: unknown, repeated and out-of-range parameters.
        (
            bare,
            "; x_foo",
            Err(DeflateParam(DeflateParamError::Unknown)),
        ),
        (
            bare,
            "; server_no_context_takeover; server_no_context_takeover",
            Err(DeflateParam(DeflateParamError::Repeated)),
        ),
        (
            smwb10,
            "; server_max_window_bits=9; server_max_window_bits=9",
            Err(DeflateParam(DeflateParamError::Repeated)),
        ),
        (
            bare,
            "; server_max_window_bits=7",
            Err(DeflateParam(DeflateParamError::ValueInvalid)),
        ),
        (
            bare,
            "; server_max_window_bits=16",
            Err(DeflateParam(DeflateParamError::ValueInvalid)),
        ),
        (
            bare,
            "; server_max_window_bits=010",
            Err(DeflateParam(DeflateParamError::ValueInvalid)),
        ),
        (
            bare,
            "; server_max_window_bits",
            Err(DeflateParam(DeflateParamError::ValueInvalid)),
        ),
        (
            bare,
            "; client_no_context_takeover=1",
            Err(DeflateParam(DeflateParamError::ValueInvalid)),
        ),
        (
            cmwb,
            "; client_max_window_bits=\"12\"",
            Ok(pmd(None, Some(12), false, false)),
        ),
    ];
    for (offer, params, want) in table {
        let r = ok101(&format!(
            "Sec-WebSocket-Extensions: permessage-deflate{params}\r\n"
        ));
        let got = feed(&deflating(*offer), &r).map(|o| match o {
            Outcome::Connected { deflate, .. } => deflate.expect("deflate agreed"),
            other => panic!("{other:?}"),
        });
        assert_eq!(&got, want, "offer {offer}, response params {params:?}");
    }
}

#[test]
fn oversized_or_malformed_heads_fail() {
    let limited = ClientConfig::new().with_limits(Limits::default().with_max_head_bytes(64));
    let long = ok101("Server: a-rather-long-server-name\r\n");
    assert!(long.len() > 64);
    assert_eq!(
        feed(&limited, &long),
        Err(ClientError::HeadTooLarge { limit: 64 })
    );
    assert_eq!(
        bytewise(&limited, &long),
        Err(ClientError::HeadTooLarge { limit: 64 })
    );
    // A server that never ends its head is cut off at the limit, not buffered forever.
    let endless = vec![b'a'; 65];
    assert_eq!(
        feed(&limited, &endless),
        Err(ClientError::HeadTooLarge { limit: 64 })
    );
    let few = ClientConfig::new().with_limits(Limits::default().with_max_headers(3));
    assert_eq!(
        feed(&few, &ok101("Server: x\r\n")),
        Err(ClientError::TooManyHeaders { limit: 3 })
    );
    assert!(feed(&few, &ok101("")).is_ok());

    let bare_lf = format!(
        "HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {ACCEPT}\r\n\r\n"
    );
    assert_eq!(
        feed(&plain(), bare_lf.as_bytes()),
        Err(ClientError::Malformed(Malformed::BareLf))
    );
    for garbage in [
        &b"HTTP/2 101 Switching Protocols\r\n\r\n"[..],
        b"HTTP/1.1 1O1 Switching Protocols\r\n\r\n",
        b"ICY 200 OK\r\n\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade websocket\r\n\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\n folded: x\r\n\r\n",
        b"\r\n\r\n",
    ] {
        assert!(
            matches!(feed(&plain(), garbage), Err(ClientError::Malformed(_))),
            "{:?}: {:?}",
            String::from_utf8_lossy(garbage),
            feed(&plain(), garbage)
        );
    }
}

#[test]
fn errors_are_sticky_and_outcomes_final() {
    let config = plain();
    let url = WsUrl::parse(CAPTURE_URL).unwrap();
    let mut hs = ClientHandshake::new(&config, url, ClientKey::from_nonce(NONCE));
    assert!(matches!(
        hs.feed(b"HTTP/1.1 101 OK\r\nX: \x01\r\n"),
        Ok(ClientFeed::NeedMore)
    ));
    let first = hs.feed(b"\r\n").unwrap_err();
    assert_eq!(hs.feed(&ok101("")).unwrap_err(), first);

    let mut hs = ClientHandshake::new(&config, url, ClientKey::from_nonce(NONCE));
    assert!(matches!(hs.feed(&ok101("")), Ok(ClientFeed::Connected(_))));
    assert_eq!(
        hs.feed(b"\x81\x00").unwrap_err(),
        ClientError::Misuse(Misuse::FedAfterOutcome)
    );
}

#[test]
fn one_byte_at_a_time_gives_the_same_outcome() {
    let offered = chat()
        .deflate(Some(DeflateOffer::new().client_max_window_bits(Some(None))))
        .unwrap();
    let mut responses: Vec<Vec<u8>> = [
        "response-python-websockets-chat.http",
        "response-node-ws-deflate.http",
        "response-python-websockets-nosubproto-fixed.http",
        "response-python-websockets-plain.http",
        "response-node-ws-version12.http",
    ]
    .iter()
    .map(|n| capture(n))
    .collect();
    responses.push(ok101("Sec-WebSocket-Protocol: mqtt\r\n"));
    responses.push(ok101("Sec-WebSocket-Extensions: permessage-deflate; x\r\n"));
    responses.push(b"HTTP/1.1 101 Switching Protocols\r\n\r\n".to_vec());
    for r in &responses {
        let mut with_frames = r.clone();
        with_frames.extend_from_slice(b"\x81\x05hello\x88\x00");
        let whole = feed(&offered, &with_frames);
        assert_eq!(bytewise(&offered, &with_frames), whole);
        assert_ne!(whole, Ok(Outcome::NeedMore));
    }
}

#[test]
fn frame_bytes_after_the_head_come_back_exactly() {
    let head = ok101("Sec-WebSocket-Protocol: chat\r\n");
    let frames: Vec<u8> = (0..=255u8).chain(b"\r\n\r\n\n".iter().copied()).collect();
    let whole = [head.clone(), frames.clone()].concat();
    for split in 0..whole.len() {
        let (a, b) = whole.split_at(split);
        let got = feed_chunks(&chat(), CAPTURE_URL, &[a, b]).unwrap();
        let Outcome::Connected {
            leftover, protocol, ..
        } = got
        else {
            panic!("{got:?}")
        };
        assert_eq!(protocol.as_deref(), Some("chat"));
        assert_eq!(leftover, frames, "split at {split}");
    }
    // When the head ends exactly at a chunk boundary, nothing is left over.
    let url = WsUrl::parse(CAPTURE_URL).unwrap();
    let config = chat();
    let mut hs = ClientHandshake::new(&config, url, ClientKey::from_nonce(NONCE));
    let Ok(ClientFeed::Connected(c)) = hs.feed(&head) else {
        panic!()
    };
    assert!(c.leftover().is_empty());
}

#[test]
fn buffers_are_reused() {
    let config = chat();
    let url = WsUrl::parse(CAPTURE_URL).unwrap();
    let response = ok101("Sec-WebSocket-Protocol: chat\r\n");
    let mut buffer = Vec::with_capacity(1024);
    let ptr = buffer.as_ptr();
    for nonce in 0..3u8 {
        let key = ClientKey::from_nonce([nonce; 16]);
        let mut hs = ClientHandshake::with_buffer(&config, url, key, buffer);
        let mut response = response.clone();
        let accept = key.expected_accept();
        let at = response
            .windows(ACCEPT.len())
            .position(|w| w == ACCEPT.as_bytes())
            .unwrap();
        response[at..at + ACCEPT.len()].copy_from_slice(accept.as_bytes());
        for byte in response.chunks(7) {
            match hs.feed(byte).unwrap() {
                ClientFeed::NeedMore => {}
                ClientFeed::Connected(c) => assert_eq!(c.protocol(), Some("chat")),
                other => panic!("{other:?}"),
            }
        }
        buffer = hs.into_buffer();
        assert_eq!(buffer.as_ptr(), ptr, "no reallocation");
    }
}

// ---------------------------------------------------------------------------------
// Round trips: client request -> ServerHandshake -> 101 -> client validation

/// Runs one handshake in memory between `client` and `server`, the server's 101
/// followed by a frame and cut at `split`. Returns what the server agreed to and the
/// client's verdict.
fn round_trip(
    pair: Pair,
    split: usize,
) -> (
    (Option<String>, Option<PerMessageDeflate>),
    Result<Outcome, ClientError>,
) {
    let run = pair.frames(b"", b"\x81\x02hi").cuts(&[], &[split]).run();
    let ServerOutcome::Upgrade {
        key,
        host,
        target,
        protocol,
        deflate,
        ..
    } = run.server
    else {
        panic!("server refused our request: {:?}", run.server)
    };
    assert_eq!(host, "example.com:8080");
    assert_eq!(target, "/chat?room=1");
    assert_eq!(key, run.key);
    ((protocol, deflate), run.client.into_result())
}

#[test]
fn round_trip_with_everything() {
    let pair = Pair::new(
        chat()
            .deflate(Some(
                DeflateOffer::new()
                    .server_no_context_takeover(true)
                    .client_max_window_bits(Some(None)),
            ))
            .unwrap()
            .origin("http://example.com:8080")
            .unwrap(),
        ServerConfig::new()
            .protocols(["superchat", "chat"])
            .unwrap()
            .deflate(Some(DeflateConfig::new().client_max_window_bits(10))),
    );
    let ((protocol, deflate), verdict) = round_trip(pair, 50);
    assert_eq!(protocol.as_deref(), Some("superchat"));
    let want = PerMessageDeflate {
        server_no_context_takeover: true,
        client_max_window_bits: Some(10),
        ..Default::default()
    };
    assert_eq!(deflate, Some(want));
    let Ok(Outcome::Connected {
        protocol,
        deflate,
        leftover,
        ..
    }) = verdict
    else {
        panic!("{verdict:?}")
    };
    assert_eq!(
        (protocol.as_deref(), deflate),
        (Some("superchat"), Some(want))
    );
    assert_eq!(leftover, b"\x81\x02hi");
}

fn offer_strategy() -> impl Strategy<Value = Option<DeflateOffer>> {
    proptest::option::of(
        (
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(8u8..=15),
            proptest::option::of(proptest::option::of(8u8..=15)),
        )
            .prop_map(|(s, c, smwb, cmwb)| {
                DeflateOffer::new()
                    .server_no_context_takeover(s)
                    .client_no_context_takeover(c)
                    .server_max_window_bits(smwb)
                    .client_max_window_bits(cmwb)
            }),
    )
}

fn deflate_config_strategy() -> impl Strategy<Value = Option<DeflateConfig>> {
    proptest::option::of((any::<bool>(), any::<bool>(), 8u8..=15, 8u8..=15).prop_map(
        |(s, c, smwb, cmwb)| {
            DeflateConfig::new()
                .server_no_context_takeover(s)
                .client_no_context_takeover(c)
                .server_max_window_bits(smwb)
                .client_max_window_bits(cmwb)
        },
    ))
}

fn protocols_strategy() -> impl Strategy<Value = Vec<&'static str>> {
    proptest::sample::subsequence(vec!["chat", "superchat", "v2.json", "mqtt"], 0..=4)
        .prop_shuffle()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn both_sides_agree(
        client_protocols in protocols_strategy(),
        server_protocols in protocols_strategy(),
        client_first in any::<bool>(),
        lenient in any::<bool>(),
        offer in offer_strategy(),
        deflate in deflate_config_strategy(),
        split in any::<usize>(),
    ) {
        let policy = if lenient { MissingProtocol::Accept } else { MissingProtocol::Fail };
        let order = if client_first { ProtocolOrder::ClientPreference } else { ProtocolOrder::ServerPreference };
        let pair = Pair::new(
            ClientConfig::new()
                .protocols(&client_protocols).unwrap()
                .deflate(offer).unwrap()
                .missing_protocol(policy),
            ServerConfig::new()
                .protocols(&server_protocols).unwrap()
                .protocol_order(order)
                .deflate(deflate),
        );
        let ((protocol, agreed), verdict) = round_trip(pair, split);

        // The server only agrees to what was offered.
        if let Some(p) = &protocol {
            prop_assert!(client_protocols.contains(&p.as_str()));
        }
        prop_assert_eq!(
            protocol.is_some(),
            client_protocols.iter().any(|p| server_protocols.contains(p))
        );
        if offer.is_none() || deflate.is_none() {
            prop_assert_eq!(agreed, None);
        }

        if protocol.is_none() && !client_protocols.is_empty() && !lenient {
            prop_assert_eq!(verdict, Err(ClientError::ProtocolMissing));
        } else {
            let Ok(Outcome::Connected { protocol: got, deflate: got_deflate, leftover, .. }) = verdict else {
                return Err(TestCaseError::fail(format!("client refused: {verdict:?}")));
            };
            prop_assert_eq!(got, protocol);
            prop_assert_eq!(got_deflate, agreed);
            prop_assert_eq!(leftover, b"\x81\x02hi".to_vec());
        }
    }
}
