//! The SOCKS5 tunnel (RFC 1928, RFC 1929) against scripted proxies: every reply code,
//! the authentication paths, the address types, and every split of the proxy's bytes.

use ws_handshake::socks5::{Socks5Config, Socks5Error, Socks5Feed, Socks5Host, Socks5Tunnel};
use ws_handshake::{BuildError, Misuse, UrlError, WsUrl};

/// What a run ended with, owned so runs compare.
#[derive(Debug, PartialEq)]
enum End {
    NeedMore,
    Open { bound: String, leftover: Vec<u8> },
    Failed(Socks5Error),
}

/// Drives a tunnel through the proxy's `replies`, one message per read, each split in
/// two at `cut` (clamped); returns what the client wrote and the end.
fn run(config: &Socks5Config, url: &str, replies: &[&[u8]], cut: usize) -> (Vec<u8>, End) {
    let url = WsUrl::parse(url).unwrap();
    let mut tunnel = Socks5Tunnel::remote(config, url).unwrap();
    let mut wrote = Vec::new();
    tunnel.request().write_to(&mut wrote);
    for reply in replies {
        let (a, b) = reply.split_at(cut.min(reply.len()));
        for (i, part) in [a, b].into_iter().enumerate() {
            match tunnel.feed(part) {
                Ok(Socks5Feed::NeedMore) => {}
                Ok(Socks5Feed::Send(message)) => {
                    message.write_to(&mut wrote);
                    // Due only once the reply is whole: after its last part.
                    assert_eq!(i, 1.min(b.len()), "sent before the reply was whole");
                }
                Ok(Socks5Feed::Open(open)) => {
                    let rest = if i == 0 { b } else { &[][..] };
                    let end = End::Open {
                        bound: format!("{:?}", open.bound()),
                        leftover: [open.leftover(), rest].concat(),
                    };
                    assert_eq!(
                        tunnel.feed(b"x").unwrap_err(),
                        Socks5Error::Misuse(Misuse::FedAfterOutcome)
                    );
                    return (wrote, end);
                }
                Err(e) => {
                    // Feeding after an error returns the same error.
                    assert_eq!(tunnel.feed(&[5, 0]).unwrap_err(), e);
                    return (wrote, End::Failed(e));
                }
            }
        }
    }
    (wrote, End::NeedMore)
}

/// Every split gives the same result as the whole messages.
fn run_all_cuts(config: &Socks5Config, url: &str, replies: &[&[u8]]) -> (Vec<u8>, End) {
    let whole = run(config, url, replies, usize::MAX);
    let longest = replies.iter().map(|r| r.len()).max().unwrap_or(0);
    for cut in 0..=longest {
        assert_eq!(run(config, url, replies, cut), whole, "cut at {cut}");
    }
    whole
}

const OK_V4: &[u8] = &[5, 0, 0, 1, 127, 0, 0, 1, 0x1f, 0x90];

#[test]
fn no_authentication_name_resolved_by_the_proxy() {
    let config = Socks5Config::new();
    let (wrote, end) = run_all_cuts(&config, "ws://example.com:9001/", &[&[5, 0], OK_V4]);
    // RFC 1928 §3 greeting, then §4 CONNECT with address type 3 (a name).
    assert_eq!(
        wrote,
        b"\x05\x01\x00\x05\x01\x00\x03\x0bexample.com\x23\x29"
    );
    assert_eq!(
        end,
        End::Open {
            bound: "Socks5Bound { host: Ip(127.0.0.1), port: 8080 }".into(),
            leftover: vec![]
        }
    );
}

#[test]
fn username_password_rfc1929() {
    let config = Socks5Config::new().credentials("user", "s3cret").unwrap();
    let mut reply = OK_V4.to_vec();
    reply.extend_from_slice(b"early bytes");
    let (wrote, end) = run_all_cuts(&config, "ws://10.1.2.3/", &[&[5, 2], &[1, 0], &reply]);
    assert_eq!(
        wrote,
        b"\x05\x02\x00\x02\x01\x04user\x06s3cret\x05\x01\x00\x01\x0a\x01\x02\x03\x00\x50"
    );
    assert!(matches!(end, End::Open { leftover, .. } if leftover == b"early bytes"));
    // The proxy may still pick no authentication (RFC 1928 §3): then the credentials
    // are never sent, only the greeting and the CONNECT request.
    let (wrote, end) = run_all_cuts(&config, "ws://10.1.2.3/", &[&[5, 0], OK_V4]);
    assert!(matches!(end, End::Open { .. }));
    assert_eq!(
        wrote,
        b"\x05\x02\x00\x02\x05\x01\x00\x01\x0a\x01\x02\x03\x00\x50"
    );
    // A refused password: RFC 1929 §2, any non-zero status.
    let (_, end) = run_all_cuts(&config, "ws://h/", &[&[5, 2], &[1, 1]]);
    assert_eq!(end, End::Failed(Socks5Error::AuthFailed { status: 1 }));
    let (_, end) = run_all_cuts(&config, "ws://h/", &[&[5, 2], &[5, 0]]);
    assert_eq!(
        end,
        End::Failed(Socks5Error::AuthVersionUnsupported { got: 5 })
    );
}

#[test]
fn method_selection_rfc1928_section3() {
    let config = Socks5Config::new();
    for (reply, error) in [
        ([5u8, 0xff], Socks5Error::NoAcceptableMethod),
        ([5, 2], Socks5Error::MethodNotOffered { method: 2 }), // no credentials offered
        ([5, 1], Socks5Error::MethodNotOffered { method: 1 }),
        ([4, 0], Socks5Error::VersionUnsupported { got: 4 }),
        ([b'H', b'T'], Socks5Error::VersionUnsupported { got: b'H' }), // an HTTP proxy
    ] {
        assert_eq!(
            run_all_cuts(&config, "ws://h/", &[&reply]).1,
            End::Failed(error)
        );
    }
}

#[test]
fn every_reply_code_is_a_typed_error_rfc1928_section6() {
    let config = Socks5Config::new();
    for code in 1..=255u8 {
        let reply = [5, code, 0, 1, 0, 0, 0, 0, 0, 0];
        let want = match code {
            1 => Socks5Error::GeneralFailure,
            2 => Socks5Error::NotAllowed,
            3 => Socks5Error::NetworkUnreachable,
            4 => Socks5Error::HostUnreachable,
            5 => Socks5Error::ConnectionRefused,
            6 => Socks5Error::TtlExpired,
            7 => Socks5Error::CommandNotSupported,
            8 => Socks5Error::AddressTypeNotSupported,
            code => Socks5Error::UnassignedReply { code },
        };
        let (_, end) = run(&config, "ws://h/", &[&[5, 0], &reply], usize::MAX);
        assert_eq!(end, End::Failed(want), "code {code}");
        // Known from the second byte on: no need to wait for the rest.
        let (_, end) = run(&config, "ws://h/", &[&[5, 0], &reply[..2]], usize::MAX);
        assert_eq!(end, End::Failed(want), "code {code}");
    }
}

#[test]
fn reply_address_types_rfc1928_section5() {
    let config = Socks5Config::new();
    let mut v6 = vec![5, 0, 0, 4];
    v6.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    v6.extend_from_slice(&[0, 80, 0xaa]);
    let (_, end) = run_all_cuts(&config, "ws://h/", &[&[5, 0], &v6]);
    assert_eq!(
        end,
        End::Open {
            bound: "Socks5Bound { host: Ip(2001:db8::1), port: 80 }".into(),
            leftover: vec![0xaa]
        }
    );
    // A name of 255 bytes, the longest a length byte counts.
    let mut name = vec![5, 0, 0, 3, 255];
    name.extend_from_slice(&[b'a'; 255]);
    name.extend_from_slice(&[1, 0]);
    let (_, end) = run_all_cuts(&config, "ws://h/", &[&[5, 0], &name]);
    assert!(matches!(end, End::Open { leftover, .. } if leftover.is_empty()));
    let empty_name: &[u8] = &[5, 0, 0, 3, 0, 0, 1];
    let url = WsUrl::parse("ws://h/").unwrap();
    let mut t = Socks5Tunnel::remote(&config, url).unwrap();
    let _ = t.feed(&[5, 0]).unwrap();
    match t.feed(empty_name).unwrap() {
        Socks5Feed::Open(o) => assert_eq!(o.bound().host, Socks5Host::Name(b"")),
        other => panic!("{other:?}"),
    }
    for (reply, error) in [
        (
            &[5u8, 0, 0, 2][..],
            Socks5Error::AddressTypeUnknown { got: 2 },
        ),
        (&[5, 0, 1, 1], Socks5Error::ReservedNotZero { got: 1 }),
        (&[6, 9, 9, 9], Socks5Error::VersionUnsupported { got: 6 }), // first broken byte first
    ] {
        assert_eq!(
            run_all_cuts(&config, "ws://h/", &[&[5, 0], reply]).1,
            End::Failed(error)
        );
    }
}

/// A proxy answers each message after the client sent it (RFC 1928 §4); bytes that
/// come before the request they would answer are refused, not held.
#[test]
fn bytes_before_the_next_request_are_refused() {
    let config = Socks5Config::new();
    let url = WsUrl::parse("ws://h/").unwrap();
    let mut t = Socks5Tunnel::remote(&config, url).unwrap();
    let pipelined = [&[5u8, 0][..], OK_V4].concat();
    assert_eq!(t.feed(&pipelined).unwrap_err(), Socks5Error::DataUnexpected);
    // Nothing before the greeting's answer arrives: an empty read is NeedMore.
    let mut t = Socks5Tunnel::remote(&config, url).unwrap();
    assert!(matches!(t.feed(&[]), Ok(Socks5Feed::NeedMore)));
}

#[test]
fn credentials_and_names_are_checked() {
    // RFC 1929 §2: 1 to 255 bytes each; NUL, CR and LF refused.
    let max = "u".repeat(255);
    assert!(Socks5Config::new().credentials(&max, &max).is_ok());
    for (user, password) in [
        ("", "p"),
        ("u", ""),
        (&*"u".repeat(256), "p"),
        ("u", "p\0"),
        ("u\r", "p"),
        ("u", "p\n"),
    ] {
        assert_eq!(
            Socks5Config::new().credentials(user, password),
            Err(BuildError::CredentialsInvalid)
        );
    }
    // RFC 1928 §5: a name's length fits one byte; 255 is the longest.
    let config = Socks5Config::new();
    let long = format!("ws://{}/", "a".repeat(256));
    let url = WsUrl::parse(&long).unwrap();
    assert_eq!(
        Socks5Tunnel::remote(&config, url).unwrap_err(),
        BuildError::UrlInvalid(UrlError::HostInvalid)
    );
    let longest = format!("ws://{}/", "a".repeat(255));
    let mut t = Socks5Tunnel::remote(&config, WsUrl::parse(&longest).unwrap()).unwrap();
    let Ok(Socks5Feed::Send(connect)) = t.feed(&[5, 0]) else {
        panic!()
    };
    let mut want = vec![5, 1, 0, 3, 255];
    want.extend_from_slice(&[b'a'; 255]);
    want.extend_from_slice(&[0, 80]);
    let mut out = Vec::new();
    connect.write_to(&mut out);
    assert_eq!(out, want);
    // Debug output never shows the password.
    let config = Socks5Config::new().credentials("user", "s3cret").unwrap();
    assert!(!format!("{config:?}").contains("s3cret"));
}

#[test]
fn resolved_target_sends_the_address() {
    let config = Socks5Config::new();
    let mut t = Socks5Tunnel::resolved(&config, "192.0.2.7:443".parse().unwrap());
    let Ok(Socks5Feed::Send(connect)) = t.feed(&[5, 0]) else {
        panic!()
    };
    let mut out = vec![0; connect.encoded_len()];
    assert_eq!(connect.encode(&mut out), Ok(10));
    assert_eq!(out, [5, 1, 0, 1, 192, 0, 2, 7, 1, 0xbb]);
    assert!(connect.encode(&mut [0; 9]).is_err());
}
