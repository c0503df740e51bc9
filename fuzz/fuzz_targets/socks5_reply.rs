//! Arbitrary SOCKS5 proxy bytes, fed in an arbitrary chunking to a `Socks5Tunnel`,
//! checked against a plain reading of RFC 1928 §3–6 and RFC 1929 §2 written here.
//!
//! Input layout: `[config] [n] [size_1 .. size_n] proxy bytes...`
//! - `config` bit 0: credentials configured; bits 1-2: the target (a name for the
//!   proxy to resolve, a resolved IPv4 address, a resolved IPv6 address, an IPv6
//!   literal URL sent by `remote`);
//! - `n & 7` chunk sizes follow (0 allowed); the rest is fed as the last chunk.
//!
//! Invariants (see fuzz/README.md):
//! 1. the outcome (variant, error, bound address, leftover) is the reference's, which
//!    reads the messages one after the other: method selection, the RFC 1929 status
//!    when username/password was picked, the reply; the first broken byte decides
//!    the error; a message other than the reply that ends inside a chunk with bytes
//!    after it is `DataUnexpected`;
//! 2. the client's messages are exactly the reference's bytes, each sent only once the
//!    message it answers is whole;
//! 3. after an outcome, feeding returns `Misuse::FedAfterOutcome`; after an error, the same error;
//! 4. every writer's `encoded_len`/`encode`/`write_to` agree.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use libfuzzer_sys::fuzz_target;
use ws_handshake::socks5::{Socks5Config, Socks5Error, Socks5Feed, Socks5Host, Socks5Tunnel};
use ws_handshake::{Misuse, WsUrl};

#[allow(dead_code)] // shared with the other targets; not every helper is used here
mod common;
use common::chunking;

#[derive(Debug, PartialEq)]
enum Outcome {
    NeedMore,
    Open {
        host: Result<IpAddr, Vec<u8>>,
        port: u16,
        leftover: Vec<u8>,
    },
    Failed(Socks5Error),
}

fuzz_target!(|data: &[u8]| {
    let [selector, n, rest @ ..] = data else {
        return;
    };
    let n = usize::from(n & 7).min(rest.len());
    let (sizes, stream) = rest.split_at(n);
    let creds = selector & 1 != 0;
    let mut config = Socks5Config::new();
    if creds {
        config = config
            .credentials("user", "pa55")
            .expect("static credentials");
    }
    let url = WsUrl::parse("ws://example.com:9001/").expect("static URL");
    let v6 = WsUrl::parse("wss://[2001:db8::1]/").expect("static URL");
    let (tunnel, target) = match (selector >> 1) & 3 {
        0 => (
            Socks5Tunnel::remote(&config, url).expect("short name"),
            [&[3u8, 11][..], b"example.com", &9001u16.to_be_bytes()].concat(),
        ),
        1 => (
            Socks5Tunnel::resolved(&config, SocketAddr::from(([192, 0, 2, 1], 80))),
            vec![1, 192, 0, 2, 1, 0, 80],
        ),
        2 => (
            Socks5Tunnel::resolved(&config, SocketAddr::from((Ipv6Addr::LOCALHOST, 443))),
            [&[4u8][..], &Ipv6Addr::LOCALHOST.octets(), &[1, 0xbb]].concat(),
        ),
        _ => (
            Socks5Tunnel::remote(&config, v6).expect("an IP literal"),
            [
                &[4u8][..],
                &"2001:db8::1".parse::<Ipv6Addr>().unwrap().octets(),
                &[1, 0xbb],
            ]
            .concat(),
        ),
    };
    let chunks = chunking(sizes, stream);
    let (outcome, wrote) = run(tunnel, &chunks);
    let (want, want_wrote) = reference(stream, &chunks, creds, &target);
    assert_eq!(outcome, want, "chunks {sizes:?}");
    assert_eq!(wrote, want_wrote, "messages sent");
});

/// Invariant 4 for one message, then its bytes.
fn written(message: ws_handshake::socks5::Socks5Request<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    message.write_to(&mut out);
    assert_eq!(out.len(), message.encoded_len());
    let mut buf = vec![0u8; out.len()];
    assert_eq!(message.encode(&mut buf), Ok(out.len()));
    assert_eq!(buf, out);
    if !out.is_empty() {
        let mut short = vec![7u8; out.len() - 1];
        assert!(message.encode(&mut short).is_err());
        assert!(short.iter().all(|&b| b == 7), "a failed encode wrote");
    }
    out
}

fn run(mut tunnel: Socks5Tunnel<'_>, chunks: &[&[u8]]) -> (Outcome, Vec<Vec<u8>>) {
    let mut wrote = vec![written(tunnel.request())];
    for (i, chunk) in chunks.iter().enumerate() {
        let later: Vec<u8> = chunks.get(i + 1..).unwrap_or_default().concat();
        let outcome = match tunnel.feed(chunk) {
            Ok(Socks5Feed::NeedMore) => continue,
            Ok(Socks5Feed::Send(message)) => {
                wrote.push(written(message));
                continue;
            }
            Ok(Socks5Feed::Open(open)) => {
                let bound = open.bound();
                Outcome::Open {
                    host: match bound.host {
                        Socks5Host::Ip(ip) => Ok(ip),
                        Socks5Host::Name(name) => Err(name.to_vec()),
                    },
                    port: bound.port,
                    leftover: [open.leftover(), &later].concat(),
                }
            }
            Err(e) => Outcome::Failed(e),
        };
        // Invariant 3.
        let again = tunnel.feed(&[5, 0]).err();
        match &outcome {
            Outcome::Failed(e) => assert_eq!(again, Some(*e)),
            _ => assert_eq!(again, Some(Socks5Error::Misuse(Misuse::FedAfterOutcome))),
        }
        return (outcome, wrote);
    }
    (Outcome::NeedMore, wrote)
}

/// RFC 1928 and RFC 1929 read plainly over the whole stream; `chunks` only tell where
/// reads ended.
fn reference(
    stream: &[u8],
    chunks: &[&[u8]],
    creds: bool,
    target: &[u8],
) -> (Outcome, Vec<Vec<u8>>) {
    let mut ends = Vec::new();
    let mut at = 0;
    for c in chunks {
        at += c.len();
        ends.push(at);
    }
    let greeting = if creds {
        vec![5, 2, 0, 2]
    } else {
        vec![5, 1, 0]
    };
    let mut wrote = vec![greeting];
    let connect = [&[5u8, 1, 0][..], target].concat();
    let byte = |i: usize| stream.get(i).copied();
    use Outcome::{Failed, NeedMore};
    // A message other than the reply that ends at `end`: bytes after it in the same
    // read came before the client's next request.
    let early = |end: usize| end < stream.len() && !ends.contains(&end);

    // §3: VER, METHOD.
    match byte(0) {
        None => return (NeedMore, wrote),
        Some(5) => {}
        Some(got) => return (Failed(Socks5Error::VersionUnsupported { got }), wrote),
    }
    let mut pos = 2;
    match byte(1) {
        None => return (NeedMore, wrote),
        Some(0) => {}
        Some(2) if creds => {
            if early(2) {
                return (Failed(Socks5Error::DataUnexpected), wrote);
            }
            wrote.push(b"\x01\x04user\x04pa55".to_vec());
            // RFC 1929 §2: VER 1, STATUS 0.
            match byte(2) {
                None => return (NeedMore, wrote),
                Some(1) => {}
                Some(got) => return (Failed(Socks5Error::AuthVersionUnsupported { got }), wrote),
            }
            match byte(3) {
                None => return (NeedMore, wrote),
                Some(0) => {}
                Some(status) => return (Failed(Socks5Error::AuthFailed { status }), wrote),
            }
            pos = 4;
        }
        Some(0xff) => return (Failed(Socks5Error::NoAcceptableMethod), wrote),
        Some(method) => return (Failed(Socks5Error::MethodNotOffered { method }), wrote),
    }
    if early(pos) {
        return (Failed(Socks5Error::DataUnexpected), wrote);
    }
    wrote.push(connect);

    // §6: VER REP RSV ATYP BND.ADDR BND.PORT.
    let reply = &stream[pos..];
    match reply.first() {
        None => return (NeedMore, wrote),
        Some(5) => {}
        Some(&got) => return (Failed(Socks5Error::VersionUnsupported { got }), wrote),
    }
    let codes = [
        Socks5Error::GeneralFailure,
        Socks5Error::NotAllowed,
        Socks5Error::NetworkUnreachable,
        Socks5Error::HostUnreachable,
        Socks5Error::ConnectionRefused,
        Socks5Error::TtlExpired,
        Socks5Error::CommandNotSupported,
        Socks5Error::AddressTypeNotSupported,
    ];
    match reply.get(1) {
        None => return (NeedMore, wrote),
        Some(0) => {}
        Some(&code) => {
            let error = codes
                .get(usize::from(code) - 1)
                .copied()
                .unwrap_or(Socks5Error::UnassignedReply { code });
            return (Failed(error), wrote);
        }
    }
    match reply.get(2) {
        None => return (NeedMore, wrote),
        Some(0) => {}
        Some(&got) => return (Failed(Socks5Error::ReservedNotZero { got }), wrote),
    }
    let (addr_len, addr_start) = match reply.get(3) {
        None => return (NeedMore, wrote),
        Some(1) => (4, 4),
        Some(4) => (16, 4),
        Some(3) => match reply.get(4) {
            None => return (NeedMore, wrote),
            Some(&n) => (usize::from(n), 5),
        },
        Some(&got) => return (Failed(Socks5Error::AddressTypeUnknown { got }), wrote),
    };
    let end = addr_start + addr_len + 2;
    if reply.len() < end {
        return (NeedMore, wrote);
    }
    let addr = &reply[addr_start..addr_start + addr_len];
    let host = match reply[3] {
        1 => Ok(IpAddr::V4(Ipv4Addr::new(
            addr[0], addr[1], addr[2], addr[3],
        ))),
        4 => Ok(IpAddr::V6(Ipv6Addr::from(
            <[u8; 16]>::try_from(addr).unwrap(),
        ))),
        _ => Err(addr.to_vec()),
    };
    let port = u16::from_be_bytes([reply[end - 2], reply[end - 1]]);
    (
        Outcome::Open {
            host,
            port,
            leftover: reply[end..].to_vec(),
        },
        wrote,
    )
}
