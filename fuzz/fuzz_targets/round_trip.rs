//! A client configuration and a server configuration, both from structured input:
//! client request → server (fed in chunks) → response → client (fed in chunks).
//! Both sides must agree.
//!
//! Invariants (see fuzz/README.md):
//! 1. every request our client builds (for any URL it accepts, any offers, any extra
//!    headers it accepts) is accepted by our server, unless the server's own policy
//!    refuses it (a required subprotocol not offered, a cross-origin `Origin`), and
//!    then the client sees a refusal with the same status;
//! 2. the server sees the URL's Host, path, query, the Origin and the extra headers
//!    the client sent, and the client's early bytes as leftover, exactly;
//! 3. the client connects exactly when the server accepted and the subprotocol
//!    outcome suits the client's policy; both sides agree on the subprotocol (the one
//!    the server's order picks from the intersection) and on permessage-deflate, and
//!    the agreed parameters respect the client's offer (RFC 7692 §7.1);
//! 4. the server's early bytes reach the client as leftover, exactly.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use ws_handshake::deflate::{DeflateConfig, DeflateOffer, PerMessageDeflate};
use ws_handshake::{
    BuildError, ClientConfig, ClientError, ClientFeed, ClientHandshake, ClientKey, Error,
    MissingProtocol, OriginPart, OriginPolicy, ProtocolOrder, ServerConfig, ServerFeed,
    ServerHandshake, WsUrl,
};

#[derive(Arbitrary, Debug)]
struct Input {
    url: Url,
    nonce: [u8; 16],
    client_protocols: Vec<Proto>,
    server_protocols: Vec<Proto>,
    client_order: bool,
    require_protocol: bool,
    missing_accept: bool,
    offer: Option<Offer>,
    server_deflate: Option<ServerDeflate>,
    origin: Origin,
    any_origin: bool,
    extra: Vec<(Extra, String)>,
    client_sends: Vec<u8>,
    server_sends: Vec<u8>,
    request_chunks: Vec<u8>,
    response_chunks: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
enum Url {
    Fixed(u8),
    Raw(String),
}

const URLS: [&str; 6] = [
    "ws://example.com/chat",
    "wss://example.com:8443/a/b?c=d",
    "ws://[::1]:9001/",
    "ws://127.0.0.1",
    "wss://EXAMPLE.com/?",
    "ws://localhost:80/x%20y?q=%22",
];

#[derive(Arbitrary, Debug, Clone, Copy, PartialEq)]
enum Proto {
    Chat,
    Superchat,
    ChatV2,
    Mqtt,
    Json,
}

impl Proto {
    fn name(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::Superchat => "superchat",
            Self::ChatV2 => "chat.v2",
            Self::Mqtt => "mqtt",
            Self::Json => "x-proto+json",
        }
    }
}

#[derive(Arbitrary, Debug, Clone, Copy)]
struct Offer {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: Option<u8>,
    client_max_window_bits: Option<Option<u8>>,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
struct ServerDeflate {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: u8,
    client_max_window_bits: u8,
}

#[derive(Arbitrary, Debug, Clone, Copy, PartialEq)]
enum Origin {
    None,
    Same,
    Evil,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Extra {
    UserAgent,
    Cookie,
    Authorization,
    Custom,
}

impl Extra {
    fn name(self) -> &'static str {
        match self {
            Self::UserAgent => "User-Agent",
            Self::Cookie => "Cookie",
            Self::Authorization => "Authorization",
            Self::Custom => "X-Custom",
        }
    }
}

fuzz_target!(|input: Input| {
    let url_text = match &input.url {
        Url::Fixed(i) => URLS[usize::from(*i) % URLS.len()],
        Url::Raw(s) => s.as_str(),
    };
    let Ok(url) = WsUrl::parse(url_text) else {
        return;
    };
    let key = ClientKey::from_nonce(input.nonce);

    // The client. RFC 6455 §4.1 item 10: offered subprotocols are unique, so an
    // offer naming one twice is refused when built; the rest runs on its first
    // occurrences.
    let mut offered: Vec<&str> = input.client_protocols.iter().map(|p| p.name()).collect();
    let twice = offered
        .iter()
        .enumerate()
        .any(|(i, p)| offered[..i].contains(p));
    match ClientConfig::new().protocols(&offered) {
        Ok(_) => assert!(!twice, "a repeated subprotocol was offered: {offered:?}"),
        Err(e) => assert!(twice && e == BuildError::ProtocolRepeated, "{e:?}"),
    }
    let mut seen = Vec::new();
    offered.retain(|p| {
        let first = !seen.contains(p);
        seen.push(*p);
        first
    });
    let offer = input.offer.map(|o| {
        DeflateOffer::new()
            .server_no_context_takeover(o.server_no_context_takeover)
            .client_no_context_takeover(o.client_no_context_takeover)
            .server_max_window_bits(o.server_max_window_bits)
            .client_max_window_bits(o.client_max_window_bits)
    });
    let mut client = ClientConfig::new()
        .protocols(&offered)
        .expect("static tokens")
        .missing_protocol(if input.missing_accept {
            MissingProtocol::Accept
        } else {
            MissingProtocol::Fail
        });
    match client.clone().deflate(offer) {
        Ok(c) => client = c,
        Err(_) => {
            let o = input.offer.expect("no offer cannot fail");
            let bad = |b: u8| !(8..=15).contains(&b);
            assert!(
                o.server_max_window_bits.is_some_and(bad)
                    || o.client_max_window_bits.flatten().is_some_and(bad),
                "a valid offer was refused: {o:?}"
            );
            return;
        }
    }
    let host_header = url.host_header().to_string();
    let scheme = if url.tls() { "https" } else { "http" };
    let origin = match input.origin {
        Origin::None => None,
        Origin::Same => Some(format!("{scheme}://{host_header}")),
        Origin::Evil => Some("https://evil.example".to_owned()),
    };
    if let Some(o) = &origin {
        client = client.origin(o).expect("ASCII origin");
    }
    let mut extras = Vec::new();
    for (name, value) in &input.extra {
        if let Ok(c) = client.clone().header(name.name(), value) {
            client = c;
            extras.push((name.name(), value.as_str()));
        }
    }
    let mut client_hs = ClientHandshake::new(&client, url, key);
    let mut request = Vec::new();
    client_hs.request().write_to(&mut request);

    // The server.
    let supported: Vec<&str> = input.server_protocols.iter().map(|p| p.name()).collect();
    let order = if input.client_order {
        ProtocolOrder::ClientPreference
    } else {
        ProtocolOrder::ServerPreference
    };
    let mut server = ServerConfig::new()
        .protocols(&supported)
        .expect("static tokens")
        .protocol_order(order)
        .require_protocol(input.require_protocol)
        .deflate(input.server_deflate.map(|d| {
            DeflateConfig::new()
                .server_no_context_takeover(d.server_no_context_takeover)
                .client_no_context_takeover(d.client_no_context_takeover)
                .server_max_window_bits(d.server_max_window_bits)
                .client_max_window_bits(d.client_max_window_bits)
        }));
    if input.any_origin {
        server = server.origin_policy(OriginPolicy::Any);
    }

    let expected_protocol = match order {
        ProtocolOrder::ServerPreference => supported.iter().copied().find(|s| offered.contains(s)),
        _ => offered.iter().copied().find(|o| supported.contains(o)),
    };
    // Limits first (the head is read before it is validated), then the policies.
    let limits = server.limits();
    let header_lines = request.windows(2).filter(|w| w == b"\r\n").count() - 2;
    // 414 when not even the request line ends within the limit (RFC 9110 §15.5.15).
    let request_line_end = request
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(request.len());
    let expected_refusal = if request_line_end >= limits.max_head_bytes() {
        Some(Error::RequestLineTooLong {
            limit: limits.max_head_bytes(),
        })
    } else if request.len() > limits.max_head_bytes() {
        Some(Error::HeadTooLarge {
            limit: limits.max_head_bytes(),
        })
    } else if header_lines > limits.max_headers() {
        Some(Error::TooManyHeaders {
            limit: limits.max_headers(),
        })
    } else if origin.is_some() && input.origin == Origin::Evil && !input.any_origin {
        // The transport is not named, so the scheme is not compared: the host differs.
        Some(Error::OriginMismatch(OriginPart::Host))
    } else if input.require_protocol && expected_protocol.is_none() {
        Some(Error::ProtocolRequired)
    } else {
        None
    };

    // Request → server, in chunks, followed by the client's first frames.
    let sent = [request.as_slice(), &input.client_sends].concat();
    let chunks = chunking(&input.request_chunks, &sent);
    let mut server_hs = ServerHandshake::new(&server);
    let mut response = Vec::new();
    let mut server_deflate = None;
    let mut server_protocol = None;
    for (i, chunk) in chunks.iter().enumerate() {
        let later = chunks[i + 1..].concat();
        match server_hs.feed(chunk) {
            Ok(ServerFeed::NeedMore) => continue,
            Ok(ServerFeed::Upgrade(upgrade)) => {
                assert_eq!(expected_refusal, None, "the server should have refused");
                // Invariant 2.
                assert_eq!(upgrade.host(), host_header);
                let path = if url.path().is_empty() {
                    "/"
                } else {
                    url.path()
                };
                assert_eq!(upgrade.path(), path);
                // RFC 6455 §3: `?` is sent only before a non-empty query.
                assert_eq!(upgrade.query(), url.query().filter(|q| !q.is_empty()));
                assert_eq!(upgrade.origin(), origin.as_deref());
                assert_eq!(upgrade.key(), key.as_str());
                for (name, value) in &extras {
                    let trimmed = value.trim_matches([' ', '\t']).as_bytes();
                    assert!(upgrade.headers().get_all(name).any(|v| v == trimmed));
                }
                assert_eq!([upgrade.leftover(), &later].concat(), input.client_sends);
                // Invariant 3, server side.
                assert_eq!(upgrade.protocol(), expected_protocol);
                server_protocol = upgrade.protocol().map(str::to_owned);
                server_deflate = upgrade.deflate();
                if offer.is_none() || input.server_deflate.is_none() {
                    assert_eq!(server_deflate, None);
                }
                upgrade.accept().write_to(&mut response);
            }
            Ok(ServerFeed::Plain(_)) => panic!("our client's request came out as plain HTTP"),
            Err(e) => {
                assert_eq!(Some(e), expected_refusal, "the server refused our client");
                e.rejection().write_to(&mut response);
            }
        }
        break;
    }
    assert!(
        !response.is_empty(),
        "the server needs more than the whole request"
    );

    // Response → client, in chunks, followed by the server's first frames.
    let received = [response.as_slice(), &input.server_sends].concat();
    let chunks = chunking(&input.response_chunks, &received);
    for (i, chunk) in chunks.iter().enumerate() {
        let later = chunks[i + 1..].concat();
        match client_hs.feed(chunk) {
            Ok(ClientFeed::NeedMore) => continue,
            Ok(ClientFeed::Connected(c)) => {
                assert_eq!(expected_refusal, None);
                assert!(
                    server_protocol.is_some() || offered.is_empty() || input.missing_accept,
                    "connected without the subprotocol the client requires"
                );
                // Invariants 3 and 4.
                assert_eq!(c.protocol(), server_protocol.as_deref());
                assert_eq!(c.deflate(), server_deflate);
                if let (Some(o), Some(d)) = (offer, c.deflate()) {
                    respects(&o, &d);
                }
                assert_eq!([c.leftover(), &later].concat(), input.server_sends);
            }
            Ok(ClientFeed::Refused(r)) => {
                let status = expected_refusal.map(|e| e.status());
                assert_eq!(Some(r.status()), status, "unexpected refusal");
            }
            Err(ClientError::ProtocolMissing) => {
                assert!(server_protocol.is_none() && !offered.is_empty() && !input.missing_accept);
            }
            Err(e) => panic!("our client failed our server's response: {e:?}"),
        }
        return;
    }
    panic!("the client needs more than the whole response");
});

/// RFC 7692 §7.1: what the client may accept for its offer.
fn respects(offer: &DeflateOffer, d: &PerMessageDeflate) {
    let in_range = |b: Option<u8>| b.is_none_or(|b| (8..=15).contains(&b));
    assert!(in_range(d.server_max_window_bits) && in_range(d.client_max_window_bits));
    if offer.server_no_context_takeover {
        assert!(d.server_no_context_takeover);
    }
    if let Some(n) = offer.server_max_window_bits {
        assert!(d.server_max_window_bits.is_some_and(|m| m <= n));
    }
    match offer.client_max_window_bits {
        None => assert_eq!(d.client_max_window_bits, None),
        Some(None) => {}
        Some(Some(v)) => assert!(d.client_max_window_bits.is_none_or(|c| c <= v)),
    }
}

fn chunking<'a>(sizes: &[u8], mut bytes: &'a [u8]) -> Vec<&'a [u8]> {
    let mut chunks = Vec::new();
    for &s in sizes.iter().take(16) {
        let (c, r) = bytes.split_at(usize::from(s).min(bytes.len()));
        chunks.push(c);
        bytes = r;
    }
    chunks.push(bytes);
    chunks
}
