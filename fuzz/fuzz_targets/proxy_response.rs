//! Arbitrary proxy answers to a `CONNECT`, fed in an arbitrary chunking to a
//! `ProxyTunnel`, checked against a plain reading of RFC 9110 §9.3.6 and §15.2.
//!
//! Input layout: `[config] [n] [size_1 .. size_n] answer...`
//! - `config` bit 0: small limits (64 bytes, 2 headers); bit 1: a Basic credential;
//! - `n & 7` chunk sizes follow (0 allowed); the rest is fed as the last chunk.
//!
//! Invariants (see fuzz/README.md):
//! 1. the outcome (variant, error, status, reason, headers, leftover) equals feeding
//!    the bytes whole;
//! 2. `Open` only when the final head (after any 1xx heads) is a well-formed 2xx
//!    with no `Transfer-Encoding` and no `Content-Length` other than 0, and the
//!    leftover is exactly the bytes after that head; `Refused` only with a final
//!    status of 300..=599, equal to the one on the wire; never on a 101;
//! 3. a plainly valid `HTTP/1.1 200` head with no fields, as first head, always opens;
//! 4. after an outcome, feeding returns `Misuse::FedAfterOutcome`; after an error, the same error;
//! 5. the request writer's `encoded_len`/`encode`/`write_to` agree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ws_handshake::auth::Basic;
use ws_handshake::proxy::{ProxyConfig, ProxyError, ProxyFeed, ProxyTunnel};
use ws_handshake::{Limits, Misuse, WsUrl};

#[allow(dead_code)] // shared with the other targets; not every helper is used here
mod common;
use common::{chunking, complete_head, read_head, skip_empty_lines, trim};

fuzz_target!(|data: &[u8]| {
    let [selector, n, rest @ ..] = data else {
        return;
    };
    let n = usize::from(n & 7).min(rest.len());
    let (sizes, answer) = rest.split_at(n);
    let small = selector & 1 != 0;
    let mut config = ProxyConfig::new();
    if small {
        config = config.with_limits(
            Limits::default()
                .with_max_head_bytes(64)
                .with_max_headers(2),
        );
    }
    if selector & 2 != 0 {
        config = config.basic_auth(Basic::new("user", "pass").expect("static credentials"));
    }
    let url = WsUrl::parse("wss://[::1]:8443/chat").expect("static URL");

    // Invariant 5.
    let tunnel = ProxyTunnel::new(&config, url);
    let request = tunnel.request();
    let mut written = Vec::new();
    request.write_to(&mut written);
    assert_eq!(written.len(), request.encoded_len());
    let mut buf = vec![0u8; written.len()];
    assert_eq!(request.encode(&mut buf), Ok(written.len()));
    assert_eq!(buf, written);
    assert!(written.starts_with(b"CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n"));

    let chunks = chunking(sizes, answer);
    let chunked = run(&config, url, &chunks);
    let whole = run(&config, url, &[answer]);
    assert_eq!(chunked, whole, "outcome depends on the chunking {sizes:?}");
    check(answer, small, &whole);
});

#[derive(Debug, PartialEq)]
enum Outcome {
    NeedMore,
    Open {
        status: u16,
        headers: Vec<(String, Vec<u8>)>,
        leftover: Vec<u8>,
    },
    Refused {
        status: u16,
        reason: String,
        headers: Vec<(String, Vec<u8>)>,
        leftover: Vec<u8>,
    },
    Failed(ProxyError),
}

fn owned(h: ws_handshake::Headers<'_>) -> Vec<(String, Vec<u8>)> {
    h.iter()
        .map(|h| (h.name.to_owned(), h.value.to_vec()))
        .collect()
}

fn run(config: &ProxyConfig, url: WsUrl<'_>, chunks: &[&[u8]]) -> Outcome {
    let mut tunnel = ProxyTunnel::new(config, url);
    for (i, chunk) in chunks.iter().enumerate() {
        let later: Vec<u8> = chunks.get(i + 1..).unwrap_or_default().concat();
        let outcome = match tunnel.feed(chunk) {
            Ok(ProxyFeed::NeedMore) => continue,
            Ok(ProxyFeed::Open(o)) => Outcome::Open {
                status: o.status(),
                headers: owned(o.headers()),
                leftover: [o.leftover(), &later].concat(),
            },
            Ok(ProxyFeed::Refused(r)) => Outcome::Refused {
                status: r.status(),
                reason: r.reason().to_owned(),
                headers: owned(r.headers()),
                leftover: [r.leftover(), &later].concat(),
            },
            Err(e) => Outcome::Failed(e),
        };
        // Invariant 4.
        let again = tunnel.feed(b"HTTP/1.1 200 OK\r\n\r\n").err();
        match &outcome {
            Outcome::Failed(e) => assert_eq!(again, Some(*e)),
            _ => assert_eq!(again, Some(ProxyError::Misuse(Misuse::FedAfterOutcome))),
        }
        return outcome;
    }
    Outcome::NeedMore
}

/// The status code of a head read plainly: three digits after `HTTP/1.x `.
fn status_of(head: &[u8]) -> Option<u16> {
    let line = skip_empty_lines(head).split(|&b| b == b'\r').next()?;
    std::str::from_utf8(line.get(9..12)?).ok()?.parse().ok()
}

fn check(answer: &[u8], small: bool, outcome: &Outcome) {
    match outcome {
        Outcome::NeedMore | Outcome::Failed(_) => {}
        Outcome::Open {
            status,
            headers,
            leftover,
        } => {
            assert!((200..300).contains(status), "opened on {status}");
            let final_head = &answer[..answer.len() - leftover.len()];
            let last = last_head(final_head).expect("an open tunnel ends a head");
            assert_eq!(status_of(last), Some(*status));
            let (_, fields) = read_head(last).expect("an opened head is well-formed");
            for (name, value) in &fields {
                assert!(
                    !name.eq_ignore_ascii_case(b"transfer-encoding"),
                    "opened with TE"
                );
                if name.eq_ignore_ascii_case(b"content-length") {
                    let v = trim(value);
                    assert!(
                        !v.is_empty() && v.iter().all(|&b| b == b'0'),
                        "opened with content"
                    );
                }
            }
            assert_eq!(headers.len(), fields.len());
            // Every head before the last one is an interim (1xx, not 101) answer.
            let mut before = &final_head[..final_head.len() - last.len()];
            while let Some(head) = complete_head(before) {
                let code = status_of(head).expect("an interim status");
                assert!(
                    (100..200).contains(&code) && code != 101,
                    "skipped a {code}"
                );
                before = &before[head.len()..];
            }
            assert!(before.is_empty());
        }
        Outcome::Refused {
            status, leftover, ..
        } => {
            assert!((300..=599).contains(status), "refused with {status}");
            let final_head = &answer[..answer.len() - leftover.len()];
            let last = last_head(final_head).expect("a refusal ends a head");
            assert_eq!(status_of(last), Some(*status));
        }
    }
    // Invariant 3.
    if !small && answer.starts_with(b"HTTP/1.1 200 OK\r\n\r\n") {
        assert!(
            matches!(outcome, Outcome::Open { leftover, .. } if leftover == &answer[19..]),
            "a plain 200 did not open: {outcome:?}"
        );
    }
}

/// The last head of `bytes`, which ends with a head: from after the previous
/// `CRLF CRLF` (or the start) to the end.
fn last_head(bytes: &[u8]) -> Option<&[u8]> {
    if !bytes.ends_with(b"\r\n\r\n") {
        return None;
    }
    let mut start = 0;
    let mut rest = bytes;
    while let Some(head) = complete_head(rest) {
        if head.len() == rest.len() {
            return bytes.get(start..);
        }
        start += head.len();
        rest = &rest[head.len()..];
    }
    None
}
