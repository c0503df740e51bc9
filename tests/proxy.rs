//! The client beyond the happy path (issue 17): the `CONNECT` tunnel through an HTTP
//! proxy (RFC 9110 §9.3.6, RFC 6455 §4.1), redirects (RFC 3986 §5, RFC 9110 §10.2.2)
//! and authentication (RFC 7617, RFC 9110 §11).

mod common;

use common::builders::{every_chunking as every_split, owned_headers as owned, split_at, Pieces};
use common::counting::{allocations as counted, Counting};
use proptest::prelude::*;
use ws_handshake::auth::{challenges, Basic, ChallengeMalformed, Challenges, CredentialsError};
use ws_handshake::proxy::{ProxyConfig, ProxyError, ProxyFeed, ProxyTunnel};
use ws_handshake::redirect::{is_redirect, same_origin, RedirectError, RedirectPolicy};
use ws_handshake::{
    BufferTooSmall, BuildError, ClientConfig, ClientFeed, ClientHandshake, ClientKey, Limits,
    Malformed, Misuse, UrlError, WsUrl,
};

// ---- a counting allocator, for the zero-allocation test

#[global_allocator]
static GLOBAL: Counting = Counting;

// ---- helpers

/// An owned outcome: comparable across chunkings.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// Feeds `chunks` in order; the leftover includes the chunks not fed yet, as a
/// caller would see it (what it hands on, then what it reads next).
fn run(config: &ProxyConfig, chunks: &[&[u8]]) -> Outcome {
    let url = WsUrl::parse("ws://example.com/chat").unwrap();
    let mut tunnel = ProxyTunnel::new(config, url);
    for (i, chunk) in chunks.iter().enumerate() {
        let later = chunks[i + 1..].concat();
        let outcome = match tunnel.feed(chunk) {
            Ok(ProxyFeed::NeedMore) => continue,
            Ok(ProxyFeed::Open(open)) => Outcome::Open {
                status: open.status(),
                headers: owned(open.headers()),
                leftover: [open.leftover(), &later].concat(),
            },
            Ok(ProxyFeed::Refused(r)) => Outcome::Refused {
                status: r.status(),
                reason: r.reason().to_owned(),
                headers: owned(r.headers()),
                leftover: [r.leftover(), &later].concat(),
            },
            Err(e) => Outcome::Failed(e),
        };
        // An outcome is final: more bytes are refused, the same error repeats.
        let again = tunnel.feed(b"x").map(|_| ()).unwrap_err();
        match &outcome {
            Outcome::Failed(e) => assert_eq!(again, *e),
            _ => assert_eq!(again, ProxyError::Misuse(Misuse::FedAfterOutcome)),
        }
        return outcome;
    }
    Outcome::NeedMore
}

fn whole(response: &[u8]) -> Outcome {
    run(&ProxyConfig::new(), &[response])
}

/// Asserts the outcome is the same in every split into two and three chunks, and
/// one byte at a time; returns it.
fn every_chunking(config: &ProxyConfig, response: &[u8]) -> Outcome {
    every_split(response, Pieces::Three, |chunks| run(config, chunks))
}

fn request(config: &ProxyConfig, url: &str) -> String {
    let tunnel = ProxyTunnel::new(config, WsUrl::parse(url).unwrap());
    let mut out = Vec::new();
    tunnel.request().write_to(&mut out);
    String::from_utf8(out).unwrap()
}

// ---- the CONNECT request

/// RFC 9110 §9.3.6: "CONNECT server.example.com:80 HTTP/1.1" with `Host`; the
/// authority-form always carries the port (RFC 9112 §3.2.3), IPv6 bracketed.
#[test]
fn connect_request_names_host_and_port() {
    let plain = ProxyConfig::new();
    for (url, authority) in [
        ("ws://example.com/chat?x=1", "example.com:80"),
        ("wss://example.com/", "example.com:443"),
        ("ws://Example.COM:8080", "Example.COM:8080"),
        ("wss://[::1]:9443/x", "[::1]:9443"),
        ("wss://[2001:db8::1]", "[2001:db8::1]:443"),
        ("ws://127.0.0.1:9001", "127.0.0.1:9001"),
    ] {
        assert_eq!(
            request(&plain, url),
            format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n"),
            "{url}"
        );
    }
    let config = ProxyConfig::new()
        .basic_auth(Basic::new("Aladdin", "open sesame").unwrap())
        .header("User-Agent", "test/1")
        .unwrap();
    assert_eq!(
        request(&config, "ws://example.com"),
        "CONNECT example.com:80 HTTP/1.1\r\nHost: example.com:80\r\n\
         Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\nUser-Agent: test/1\r\n\r\n"
    );
}

#[test]
fn connect_request_writers_agree() {
    let config = ProxyConfig::new().basic_auth(Basic::new("u", "p").unwrap());
    let tunnel = ProxyTunnel::new(&config, WsUrl::parse("wss://[::1]/").unwrap());
    let request = tunnel.request();
    let mut vec = Vec::new();
    request.write_to(&mut vec);
    assert_eq!(request.encoded_len(), vec.len());
    let mut buf = vec![0xAA; vec.len()];
    assert_eq!(request.encode(&mut buf), Ok(vec.len()));
    assert_eq!(buf, vec);
    let mut small = vec![0xAA; vec.len() - 1];
    assert_eq!(
        request.encode(&mut small),
        Err(BufferTooSmall {
            required: vec.len()
        })
    );
    assert!(small.iter().all(|&b| b == 0xAA), "untouched on error");
}

/// Nothing a caller passes can add a field or a line to the request.
#[test]
fn injection_is_refused_in_credentials_and_fields() {
    assert_eq!(
        Basic::new("user", "pass\r\nHost: evil"),
        Err(CredentialsError::ControlCharacter)
    );
    assert_eq!(
        Basic::new("us\ner", "p"),
        Err(CredentialsError::ControlCharacter)
    );
    assert_eq!(
        Basic::new("u", "\x7f"),
        Err(CredentialsError::ControlCharacter)
    );
    assert_eq!(
        Basic::new("u", "\0"),
        Err(CredentialsError::ControlCharacter)
    );
    // RFC 7617 §2: "a user-id containing a colon character is invalid".
    assert_eq!(Basic::new("a:b", "c"), Err(CredentialsError::ColonInUserId));
    // From `user:pass`, the first colon splits, as the receiver splits it.
    assert_eq!(Basic::from_user_pass("a:b:c").unwrap().user(), "a");
    assert_eq!(
        Basic::from_user_pass("a:b:c").unwrap().to_string(),
        Basic::new("a", "b:c").unwrap().to_string()
    );
    assert_eq!(
        ProxyConfig::new()
            .authorization("Bearer x\r\nEvil: 1")
            .err(),
        Some(BuildError::HeaderValueInvalid)
    );
    assert_eq!(
        ProxyConfig::new().authorization("").err(),
        Some(BuildError::HeaderValueInvalid)
    );
    assert_eq!(
        ProxyConfig::new().header("X-A", "1\r\n").err(),
        Some(BuildError::HeaderValueInvalid)
    );
    assert_eq!(
        ProxyConfig::new().header("X A", "1").err(),
        Some(BuildError::HeaderNameInvalid)
    );
    for reserved in [
        "Host",
        "proxy-authorization",
        "Connection",
        "Content-Length",
    ] {
        assert_eq!(
            ProxyConfig::new().header(reserved, "x").err(),
            Some(BuildError::HeaderReserved),
            "{reserved}"
        );
    }
    // The credential never shows in Debug output.
    let config = ProxyConfig::new().basic_auth(Basic::new("u", "hunter2").unwrap());
    assert!(!format!("{config:?}").contains("aHVudGVy"));
    assert!(!format!("{:?}", Basic::new("u", "hunter2").unwrap()).contains("hunter2"));
}

/// RFC 7617 §2 and §2.1's examples, byte for byte.
#[test]
fn basic_credentials_rfc7617_vectors() {
    let basic = Basic::new("Aladdin", "open sesame").unwrap();
    assert_eq!(basic.to_string(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    // §2.1: user "test", password "123£" in UTF-8.
    assert_eq!(
        Basic::new("test", "123\u{a3}").unwrap().to_string(),
        "Basic dGVzdDoxMjPCow=="
    );
    // Every padding case, against base64 of the joined bytes.
    for (user, pass, b64) in [
        ("", "", "Og=="),
        ("a", "", "YTo="),
        ("ab", "", "YWI6"),
        ("abc", "d", "YWJjOmQ="),
    ] {
        let basic = Basic::new(user, pass).unwrap();
        assert_eq!(basic.to_string(), format!("Basic {b64}"));
        assert_eq!(basic.encoded_len(), 6 + b64.len());
    }
    // The client may send Authorization: ClientConfig::header accepts it.
    let config = ClientConfig::new()
        .header("Authorization", &basic.to_string())
        .unwrap();
    let url = WsUrl::parse("ws://example.com/").unwrap();
    let hs = ClientHandshake::new(&config, url, ClientKey::from_nonce([1; 16]));
    let mut out = Vec::new();
    hs.request().write_to(&mut out);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("\r\nAuthorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n"));
}

// ---- the proxy's answer

/// RFC 9110 §9.3.6: a 2xx makes the connection a tunnel right after the head; the
/// bytes after it are the target's, byte-exact, whatever the chunking.
#[test]
fn success_opens_the_tunnel_with_exact_leftover() {
    let response =
        b"HTTP/1.1 200 Connection established\r\nVia: 1.1 proxy\r\n\r\n\x16\x03\x01\x00\x05hello";
    let outcome = every_chunking(&ProxyConfig::new(), response);
    assert_eq!(
        outcome,
        Outcome::Open {
            status: 200,
            headers: vec![("Via".into(), b"1.1 proxy".to_vec())],
            leftover: b"\x16\x03\x01\x00\x05hello".to_vec(),
        }
    );
    // tinyproxy answers in HTTP/1.0, and any 2xx opens the tunnel.
    let tinyproxy = b"HTTP/1.0 200 Connection established\r\nProxy-agent: tinyproxy/1.11.1\r\n\r\n";
    assert!(matches!(
        whole(tinyproxy),
        Outcome::Open { status: 200, .. }
    ));
    assert!(matches!(
        whole(b"HTTP/1.1 204 No Content\r\n\r\n"),
        Outcome::Open { status: 204, .. }
    ));
}

/// RFC 9110 §9.3.6: "A server MUST NOT send any Transfer-Encoding or Content-Length
/// header fields in a 2xx (Successful) response to CONNECT." Such an answer fails
/// the tunnel (issue 17); `Content-Length: 0` announces nothing and is accepted.
#[test]
fn success_announcing_content_fails() {
    for response in [
        &b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"[..],
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: identity\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Length: 1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
        b"HTTP/1.1 201 Created\r\nContent-Length: 1x\r\n\r\n",
    ] {
        assert_eq!(
            every_chunking(&ProxyConfig::new(), response),
            Outcome::Failed(ProxyError::SuccessWithContent),
            "{}",
            String::from_utf8_lossy(response)
        );
    }
    assert!(matches!(
        whole(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nX"),
        Outcome::Open { ref leftover, .. } if leftover == b"X"
    ));
    // A refusal may have a body: it is the leftover, not an error.
    assert!(matches!(
        whole(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 3\r\n\r\nno!"),
        Outcome::Refused { status: 403, ref leftover, .. } if leftover == b"no!"
    ));
}

/// RFC 9110 §15.2: "A client MUST be able to parse one or more 1xx responses received
/// prior to a final response". They are skipped, in any chunking.
#[test]
fn interim_answers_are_skipped() {
    let response = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n\
                     HTTP/1.1 200 OK\r\nX-Final: 1\r\n\r\nDATA";
    assert_eq!(
        every_chunking(&ProxyConfig::new(), response),
        Outcome::Open {
            status: 200,
            headers: vec![("X-Final".into(), b"1".to_vec())],
            leftover: b"DATA".to_vec(),
        }
    );
    let refused =
        b"HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 407 Proxy Authentication Required\r\n\r\n";
    assert!(matches!(
        every_chunking(&ProxyConfig::new(), refused),
        Outcome::Refused { status: 407, .. }
    ));
    // Only interim answers so far: read more.
    assert_eq!(whole(b"HTTP/1.1 100 Continue\r\n\r\n"), Outcome::NeedMore);
}

/// RFC 9110 §7.8: a server must not switch to a protocol the request did not name;
/// a CONNECT names none.
#[test]
fn switching_protocols_fails() {
    assert_eq!(
        every_chunking(
            &ProxyConfig::new(),
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
        ),
        Outcome::Failed(ProxyError::SwitchingProtocols)
    );
}

/// RFC 9110 §15.5.8 / §11.7.1: a 407 carries `Proxy-Authenticate` challenges.
#[test]
fn proxy_authentication_required_exposes_challenges() {
    let response = b"HTTP/1.1 407 Proxy Authentication Required\r\n\
        Proxy-Authenticate: Basic realm=\"corp proxy\", charset=\"UTF-8\"\r\n\
        Proxy-Authenticate: Negotiate, NTLM\r\nContent-Length: 6\r\n\r\ndenied";
    let Outcome::Refused {
        status, leftover, ..
    } = every_chunking(&ProxyConfig::new(), response)
    else {
        panic!("not refused");
    };
    assert_eq!((status, leftover.as_slice()), (407, &b"denied"[..]));

    let config = ProxyConfig::new();
    let mut tunnel = ProxyTunnel::new(&config, WsUrl::parse("ws://a/").unwrap());
    let Ok(ProxyFeed::Refused(refusal)) = tunnel.feed(response) else {
        panic!()
    };
    assert_eq!(refusal.reason(), "Proxy Authentication Required");
    let all: Vec<_> = refusal.challenges().map(Result::unwrap).collect();
    assert_eq!(
        all.iter().map(|c| c.scheme()).collect::<Vec<_>>(),
        ["Basic", "Negotiate", "NTLM"]
    );
    assert_eq!(all[0].realm().as_deref(), Some("corp proxy"));
    assert_eq!(all[0].param("CHARSET").as_deref(), Some("UTF-8"));
    assert_eq!(all[1].params().count(), 0);
    // The raw field values stay readable too.
    assert_eq!(refusal.headers().get_all("proxy-authenticate").count(), 2);
}

/// RFC 9110 §11.6.1's example, token68, empty elements, and malformed lines.
#[test]
fn challenge_lists_split_per_rfc9110() {
    let value: &[u8] =
        br#"Basic realm="simple", Newauth realm="apps", type=1, title="Login to \"apps\"""#;
    let all: Vec<_> = Challenges::new([value]).map(Result::unwrap).collect();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].scheme(), "Basic");
    assert_eq!(all[0].params().count(), 1);
    assert_eq!(all[1].scheme(), "Newauth");
    let params: Vec<_> = all[1]
        .params()
        .map(|p| (p.name(), p.raw_value(), p.value().into_owned()))
        .collect();
    assert_eq!(
        params,
        [
            ("realm", "\"apps\"", "apps".to_owned()),
            ("type", "1", "1".to_owned()),
            (
                "title",
                r#""Login to \"apps\"""#,
                r#"Login to "apps""#.to_owned()
            ),
        ]
    );

    let token68: &[u8] = b" , Negotiate YIIB+w==,, Bearer realm = \"x\" ,";
    let all: Vec<_> = Challenges::new([token68]).map(Result::unwrap).collect();
    assert_eq!(all[0].token68(), Some("YIIB+w=="));
    assert_eq!(all[1].scheme(), "Bearer");
    assert_eq!(all[1].realm().as_deref(), Some("x"));
    assert_eq!(all.len(), 2);

    // A malformed line yields one error, then the next line is read.
    for bad in [
        &b"Basic realm=\"unterminated"[..],
        b"Basic a=b=c",
        b"Basic realm=\"a\" junk",
        b"=x",
        b"Basic\trealm=\"tab is not 1*SP\"",
    ] {
        let good: &[u8] = b"Digest realm=\"d\"";
        let items: Vec<_> = Challenges::new([bad, good]).collect();
        assert_eq!(items.len(), 2, "{}", String::from_utf8_lossy(bad));
        assert_eq!(items[0], Err(ChallengeMalformed));
        assert_eq!(items[1].as_ref().unwrap().scheme(), "Digest");
    }
}

/// A 401 from the server exposes `WWW-Authenticate` challenges from the Refusal.
#[test]
fn unauthorized_handshake_exposes_www_authenticate() {
    let config = ClientConfig::new();
    let url = WsUrl::parse("ws://example.com/").unwrap();
    let mut hs = ClientHandshake::new(&config, url, ClientKey::from_nonce([3; 16]));
    let response = b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"ws\"\r\n\r\n";
    let Ok(ClientFeed::Refused(refusal)) = hs.feed(response) else {
        panic!()
    };
    let headers = refusal.headers();
    let first = challenges(&headers, "www-authenticate")
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(
        (first.scheme(), first.realm().as_deref()),
        ("Basic", Some("ws"))
    );
}

#[test]
fn other_refusals_keep_status_reason_headers_and_body() {
    let response =
        b"HTTP/1.1 403 Filtered\r\nContent-Type: text/html\r\nContent-Length: 4\r\n\r\nnope";
    assert_eq!(
        every_chunking(&ProxyConfig::new(), response),
        Outcome::Refused {
            status: 403,
            reason: "Filtered".into(),
            headers: vec![
                ("Content-Type".into(), b"text/html".to_vec()),
                ("Content-Length".into(), b"4".to_vec())
            ],
            leftover: b"nope".to_vec(),
        }
    );
}

/// Limits (RFC 9110 §15.5.20's spirit, from the proxy's side): the head limit
/// counts interim heads too; the header count is per head.
#[test]
fn limits_and_malformed_heads() {
    let small = ProxyConfig::new().with_limits(
        Limits::default()
            .with_max_head_bytes(64)
            .with_max_headers(2),
    );
    let final_only = b"HTTP/1.1 200 OK\r\nA: 1\r\n\r\n"; // 25 bytes
    assert!(matches!(
        every_chunking(&small, final_only),
        Outcome::Open { .. }
    ));
    // Two interim heads of 25 bytes leave 14 for the final one.
    let interim = b"HTTP/1.1 100 Continue\r\n\r\n";
    let over = [&interim[..], interim, final_only].concat();
    assert_eq!(
        every_chunking(&small, &over),
        Outcome::Failed(ProxyError::HeadTooLarge { limit: 64 })
    );
    assert_eq!(
        every_chunking(&small, b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"),
        Outcome::Failed(ProxyError::TooManyHeaders { limit: 2 })
    );
    for (bad, error) in [
        (&b"HTTP/1.1 200 OK\nA: 1\r\n\r\n"[..], Malformed::BareLf),
        (b"HTTP/1.1 600 Nope\r\n\r\n", Malformed::Status),
        (b"HTTP/1.1 099 Nope\r\n\r\n", Malformed::Status),
        (b"HTTP/2.0 200 OK\r\n\r\n", Malformed::Version),
        (b"HTTP/1.1 200 OK\r\nA B: 1\r\n\r\n", Malformed::HeaderName),
    ] {
        assert_eq!(
            every_chunking(&ProxyConfig::new(), bad),
            Outcome::Failed(ProxyError::Malformed(error)),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

/// With a reused buffer of the limit's capacity, a tunnel allocates nothing, even
/// with the answer fed one byte at a time.
#[test]
fn no_allocation_with_a_reused_buffer() {
    let config = ProxyConfig::new();
    let url = WsUrl::parse("wss://example.com/").unwrap();
    let response = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nVia: x\r\n\r\nTLS";
    let mut buffer = Vec::with_capacity(Limits::DEFAULT.max_head_bytes());
    let mut out = Vec::with_capacity(256);
    let mut rounds = 0;
    let mut allocations = usize::MAX;
    for _ in 0..2 {
        let before = counted();
        let mut tunnel = ProxyTunnel::with_buffer(&config, url, std::mem::take(&mut buffer));
        out.clear();
        tunnel.request().write_to(&mut out);
        let mut opened = false;
        for byte in response.chunks(1) {
            match tunnel.feed(byte) {
                Ok(ProxyFeed::NeedMore) => {}
                Ok(ProxyFeed::Open(_)) => opened = true,
                other => panic!("{other:?}"),
            }
            if opened {
                break;
            }
        }
        assert!(opened);
        buffer = tunnel.into_buffer();
        allocations = counted() - before;
        rounds += 1;
    }
    assert_eq!((rounds, allocations), (2, 0));
}

// ---- redirects

fn resolve(policy: RedirectPolicy, base: &str, location: &str) -> Result<String, RedirectError> {
    let base = WsUrl::parse(base).unwrap();
    let mut out = String::new();
    policy.resolve(&base, location, &mut out)?;
    Ok(out)
}

#[test]
fn redirect_targets_map_schemes_and_refuse_downgrades() {
    let p = RedirectPolicy::new();
    assert_eq!(
        resolve(p, "ws://a/x", "http://b/y").as_deref(),
        Ok("ws://b/y")
    );
    assert_eq!(
        resolve(p, "ws://a/x", "HTTPS://b:8443/y?q").as_deref(),
        Ok("wss://b:8443/y?q")
    );
    assert_eq!(
        resolve(p, "wss://a/x", "wss://b/").as_deref(),
        Ok("wss://b/")
    );
    assert_eq!(
        resolve(p, "ws://a/x", "//b:81/z").as_deref(),
        Ok("ws://b:81/z")
    );
    assert_eq!(
        resolve(p, "ws://a:9000/x/y", "z").as_deref(),
        Ok("ws://a:9000/x/z")
    );
    assert_eq!(
        resolve(p, "wss://[::1]:9/x", "/y").as_deref(),
        Ok("wss://[::1]:9/y")
    );
    for scheme in [
        "ftp://b/",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "mailto:a@b",
    ] {
        assert_eq!(
            resolve(p, "ws://a/", scheme),
            Err(RedirectError::SchemeUnsupported),
            "{scheme}"
        );
    }
    assert_eq!(
        resolve(p, "wss://a/", "ws://a/"),
        Err(RedirectError::Downgrade)
    );
    assert_eq!(
        resolve(p, "wss://a/", "http://a/"),
        Err(RedirectError::Downgrade)
    );
    let lax = p.dangerous_allow_downgrade(true);
    assert_eq!(
        resolve(lax, "wss://a/", "http://a/").as_deref(),
        Ok("ws://a/")
    );
    // An upgrade is always fine.
    assert_eq!(resolve(p, "ws://a/", "wss://a/").as_deref(), Ok("wss://a/"));
    // Targets that are not WebSocket URLs.
    assert_eq!(
        resolve(p, "ws://a/", "ws://user:pw@b/"),
        Err(RedirectError::TargetInvalid(UrlError::UserinfoNotAllowed))
    );
    assert_eq!(
        resolve(p, "ws://a/", "/a b"),
        Err(RedirectError::TargetInvalid(UrlError::CharacterInvalid))
    );
    assert_eq!(
        resolve(p, "ws://a/", "ws://b:0/"),
        Err(RedirectError::TargetInvalid(UrlError::PortInvalid))
    );
    assert_eq!(
        resolve(p, "ws://a/", "http:relative"),
        Err(RedirectError::TargetInvalid(UrlError::HostInvalid))
    );
    assert_eq!(
        resolve(p, "ws://a/", "1ab:x"),
        Err(RedirectError::LocationInvalid)
    );
}

#[test]
fn follow_reads_location_of_redirect_statuses_only() {
    let config = ClientConfig::new();
    let url = WsUrl::parse("ws://example.com/a/b").unwrap();
    for status in 300..=399u16 {
        let mut hs = ClientHandshake::new(&config, url, ClientKey::from_nonce([5; 16]));
        let response = format!("HTTP/1.1 {status} X\r\nLocation: ../c?d\r\n\r\n");
        let Ok(ClientFeed::Refused(refusal)) = hs.feed(response.as_bytes()) else {
            panic!()
        };
        let mut out = String::new();
        let result = RedirectPolicy::new()
            .follow(&url, &refusal, &mut out)
            .map(|u| u.resource().to_string());
        if is_redirect(status) {
            assert_eq!(result.as_deref(), Ok("/c?d"), "{status}");
        } else {
            assert_eq!(result, Err(RedirectError::NotRedirect { status }));
        }
    }
    let mut hs = ClientHandshake::new(&config, url, ClientKey::from_nonce([5; 16]));
    let Ok(ClientFeed::Refused(refusal)) = hs.feed(b"HTTP/1.1 302 Found\r\n\r\n") else {
        panic!()
    };
    assert_eq!(
        RedirectPolicy::new().follow(&url, &refusal, &mut String::new()),
        Err(RedirectError::LocationMissing)
    );
}

/// RFC 6454 §5: same origin = same scheme, host and port.
#[test]
fn same_origin_decides_whether_credentials_follow() {
    let p = |s| WsUrl::parse(s).unwrap();
    assert!(same_origin(
        &p("ws://a.example/x"),
        &p("ws://A.EXAMPLE:80/y?z")
    ));
    assert!(same_origin(&p("wss://[::1]/"), &p("wss://[::1]:443/")));
    assert!(!same_origin(&p("ws://a.example/"), &p("wss://a.example/")));
    assert!(!same_origin(
        &p("ws://a.example/"),
        &p("ws://a.example:81/")
    ));
    assert!(!same_origin(&p("ws://a.example/"), &p("ws://b.example/")));
    assert!(!same_origin(
        &p("ws://example.com/"),
        &p("ws://example.com.evil/")
    ));
}

// ---- properties

fn interim_head() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"HTTP/1.1 100 Continue\r\n\r\n".to_vec()),
        Just(b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n".to_vec()),
    ]
}

fn final_head() -> impl Strategy<Value = Vec<u8>> {
    let status = prop_oneof![
        Just(200u16),
        Just(204),
        Just(403),
        Just(407),
        Just(502),
        Just(101)
    ];
    let field = prop_oneof![
        Just("Via: 1.1 p"),
        Just("Content-Length: 0"),
        Just("Content-Length: 7"),
        Just("Transfer-Encoding: chunked"),
        Just("Proxy-Authenticate: Basic realm=\"r\""),
        Just("Bad Name: x"),
    ];
    let version = prop_oneof![Just("1.1"), Just("1.0")];
    (version, status, proptest::collection::vec(field, 0..4)).prop_map(|(v, s, fields)| {
        let mut head = format!("HTTP/{v} {s} R\r\n");
        for f in fields {
            head.push_str(f);
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        head.into_bytes()
    })
}

proptest! {
    /// The outcome never depends on the chunking; the leftover is exact; a tunnel
    /// opens only on a 2xx that announces no content.
    #[test]
    fn outcome_is_independent_of_chunking(
        interims in proptest::collection::vec(interim_head(), 0..3),
        head in final_head(),
        tail in proptest::collection::vec(any::<u8>(), 0..16),
        noise in proptest::option::weighted(0.2, (any::<usize>(), any::<u8>())),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
        small in any::<bool>(),
    ) {
        let mut response = interims.concat();
        response.extend_from_slice(&head);
        // Sometimes corrupt a byte of the head.
        if let Some((at, byte)) = noise {
            let i = at % response.len();
            response[i] = byte;
        }
        response.extend_from_slice(&tail);
        let config = if small {
            ProxyConfig::new().with_limits(Limits::default().with_max_head_bytes(48).with_max_headers(2))
        } else {
            ProxyConfig::new()
        };
        let chunks = split_at(&response, cuts.iter().copied());
        let whole = run(&config, &[&response]);
        prop_assert_eq!(&run(&config, &chunks), &whole);
        let text = String::from_utf8_lossy(&head).into_owned();
        let plain_success = (text.contains(" 200 R") || text.contains(" 204 R"))
            && !text.contains("Content-Length: 7")
            && !text.contains("Transfer-Encoding")
            && !text.contains("Bad Name");
        if noise.is_none() && !small && plain_success {
            let opened = matches!(&whole, Outcome::Open { leftover, .. } if *leftover == tail);
            prop_assert!(opened, "not opened: {:?}", whole);
        }
        if let Outcome::Open { leftover, .. } = &whole {
            prop_assert!(response.ends_with(leftover));
            if noise.is_none() {
                // Only the final head decides, and only a 2xx without content opens.
                let head = String::from_utf8_lossy(&head).into_owned();
                prop_assert!(head.contains(" 200 R") || head.contains(" 204 R"));
                prop_assert!(!head.contains("Content-Length: 7"));
                prop_assert!(!head.contains("Transfer-Encoding"));
                prop_assert!(!head.contains("Bad Name"));
                prop_assert_eq!(leftover, &tail);
            }
        }
    }
}
