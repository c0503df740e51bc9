//! Issue 14, points 13–15: HTTP/2 and HTTP/3 extended CONNECT (RFC 8441, RFC 9220,
//! RFC 9113 §8) where the crate was stricter than the RFCs or reported the wrong rule.

use ws_handshake::{ConnectRequest, Error, Malformed, PseudoHeader, Rejection, ServerConfig};

/// A valid extended CONNECT (RFC 8441 §5.1) with no negotiation headers.
fn base() -> Vec<(&'static str, &'static str)> {
    vec![
        (":method", "CONNECT"),
        (":protocol", "websocket"),
        (":scheme", "https"),
        (":path", "/chat"),
        (":authority", "example.com"),
        ("sec-websocket-version", "13"),
    ]
}

fn check(fields: &[(&str, &str)]) -> Result<(), Error> {
    ConnectRequest::validate(fields.iter().copied(), &ServerConfig::new()).map(|_| ())
}

fn with(
    mut fields: Vec<(&'static str, &'static str)>,
    extra: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    fields.extend_from_slice(extra);
    fields
}

fn set(
    fields: Vec<(&'static str, &'static str)>,
    name: &str,
    value: &'static str,
) -> Vec<(&'static str, &'static str)> {
    fields
        .into_iter()
        .map(|(n, v)| (n, if n == name { value } else { v }))
        .collect()
}

fn without(
    fields: Vec<(&'static str, &'static str)>,
    names: &[&str],
) -> Vec<(&'static str, &'static str)> {
    fields
        .into_iter()
        .filter(|(n, _)| !names.contains(n))
        .collect()
}

/// RFC 8441 §5: "The Sec-WebSocket-Key and Sec-WebSocket-Accept header fields are not
/// used" (`:protocol` supersedes them). A request carrying them is still a valid
/// extended CONNECT: the fields are ignored, as are draft-76's `-key1`/`-key2`.
#[test]
fn p13_http1_key_fields_are_ignored() {
    for name in [
        "sec-websocket-key",
        "sec-websocket-accept",
        "sec-websocket-key1",
        "sec-websocket-key2",
    ] {
        let fields = with(base(), &[(name, "dGhlIHNhbXBsZSBub25jZQ==")]);
        assert_eq!(check(&fields), Ok(()), "{name}");
        // Even an invalid or repeated key: it is not used, so it is not checked.
        let fields = with(base(), &[(name, "x"), (name, "y")]);
        assert_eq!(check(&fields), Ok(()), "{name} twice");
    }
    // The answer is the ordinary 200, with no sec-websocket-accept.
    let fields = with(base(), &[("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")]);
    let request = ConnectRequest::validate(fields.iter().copied(), &ServerConfig::new()).unwrap();
    let head = request.accept().head();
    assert_eq!(head.status(), Some(200));
    assert_eq!(head.get("sec-websocket-accept"), None);
}

/// RFC 9110 §9.3.6 (a CONNECT has no content) and RFC 9113 §8.1: `content-length: 0`
/// announces no content and is accepted (`1*DIGIT`, RFC 9110 §8.6, so `00` too);
/// a non-zero or malformed length, or a repeated one, still announces or may
/// announce a body the stream cannot carry (its DATA are WebSocket frames, RFC 8441
/// §5), and `transfer-encoding` is connection-specific (RFC 9113 §8.2.2).
#[test]
fn p13_content_length_zero_is_accepted_a_body_is_not() {
    for zero in ["0", "00"] {
        assert_eq!(
            check(&with(base(), &[("content-length", zero)])),
            Ok(()),
            "{zero}"
        );
    }
    for body in ["1", "5", "10", "0x0", "-0", "abc", "", "0, 0"] {
        assert_eq!(
            check(&with(base(), &[("content-length", body)])),
            Err(Error::BodyNotAllowed),
            "{body:?}"
        );
    }
    assert_eq!(
        check(&with(
            base(),
            &[("content-length", "0"), ("content-length", "0")]
        )),
        Err(Error::BodyNotAllowed)
    );
    assert_eq!(
        check(&with(
            base(),
            &[("content-length", "0"), ("content-length", "5")]
        )),
        Err(Error::BodyNotAllowed)
    );
    for te in ["chunked", "identity"] {
        assert_eq!(
            check(&with(base(), &[("transfer-encoding", te)])),
            Err(Error::ConnectionSpecificHeader),
            "{te}"
        );
    }
    assert_eq!(Error::BodyNotAllowed.status(), 400);
}

/// RFC 9113 §8.3.1: `host` and `:authority` must agree; both are `host[:port]`
/// (RFC 3986 §3.2), so they are compared as (host name in any ASCII case, effective
/// port), the port defaulting to the `:scheme`'s (RFC 9110 §4.2.1–4.2.2: `http` 80,
/// `https` 443).
#[test]
fn p13_host_and_authority_agree_after_default_port() {
    let agree = [
        ("https", "example.com:443", "example.com"),
        ("https", "example.com", "example.com:443"),
        ("https", "EXAMPLE.com:443", "example.COM"),
        ("https", "example.com:443", "example.com:0443"),
        ("https", "example.com:8443", "example.com:8443"),
        ("http", "example.com:80", "example.com"),
        ("http", "example.com", "example.com:80"),
        ("HTTPS", "example.com:443", "example.com"),
        ("https", "[::1]:443", "[::1]"),
        ("https", "127.0.0.1", "127.0.0.1:443"),
    ];
    for (scheme, authority, host) in agree {
        let fields = set(set(base(), ":scheme", scheme), ":authority", authority);
        let fields = with(fields, &[("host", host)]);
        assert_eq!(check(&fields), Ok(()), "{scheme} {authority} {host}");
    }
    let disagree = [
        ("http", "example.com:443", "example.com"),
        ("https", "example.com:80", "example.com"),
        ("https", "example.com", "example.com:80"),
        ("https", "example.com:8443", "example.com"),
        ("https", "example.com:443", "example.org:443"),
        ("https", "example.com", "www.example.com"),
        ("https", "[::1]", "[::2]"),
    ];
    for (scheme, authority, host) in disagree {
        let fields = set(set(base(), ":scheme", scheme), ":authority", authority);
        let fields = with(fields, &[("host", host)]);
        assert_eq!(
            check(&fields),
            Err(Error::Malformed(Malformed::HostNotAuthority)),
            "{scheme} {authority} {host}"
        );
    }
    // A host that is not `host[:port]` at all.
    assert_eq!(
        check(&with(base(), &[("host", "example.com:99999")])),
        Err(Error::HostInvalid)
    );
    assert_eq!(
        check(&with(
            set(base(), ":authority", "user@example.com"),
            &[("host", "example.com")]
        )),
        Err(Error::PseudoHeaderInvalid(PseudoHeader::Authority))
    );
}

/// RFC 8441 §5 / RFC 9113 §8.3.1: `:authority` is required. With the `http` crate, a
/// request whose URI has no authority has no scheme either (an `http::Uri` holds a
/// scheme only with an authority; h2 drops `:scheme` when `:authority` is absent),
/// so the error must name `:authority`, not `:scheme`.
#[cfg(feature = "http")]
#[test]
fn p14_from_http_reports_the_missing_authority() {
    let config = ServerConfig::new();
    let request = http::Request::connect("/chat?room=1")
        .version(http::Version::HTTP_2)
        .header("sec-websocket-version", "13")
        .body(())
        .unwrap();
    assert!(request.uri().scheme().is_none() && request.uri().authority().is_none());
    assert_eq!(
        ConnectRequest::from_http(&request, Some("websocket"), &config).map(|_| ()),
        Err(Error::PseudoHeaderMissing(PseudoHeader::Authority))
    );
    let (parts, ()) = request.into_parts();
    assert_eq!(
        ConnectRequest::from_http_parts(&parts, Some("websocket"), &config).map(|_| ()),
        Err(Error::PseudoHeaderMissing(PseudoHeader::Authority))
    );
}

/// The same rule on the name/value path: with both `:scheme` and `:authority`
/// absent, the missing `:authority` is reported (RFC 8441 §5, RFC 9113 §8.3.1); a
/// missing `:scheme` alone is still reported as the scheme.
#[test]
fn p14_missing_authority_wins_over_missing_scheme() {
    assert_eq!(
        check(&without(base(), &[":scheme", ":authority"])),
        Err(Error::PseudoHeaderMissing(PseudoHeader::Authority))
    );
    assert_eq!(
        check(&without(base(), &[":scheme"])),
        Err(Error::PseudoHeaderMissing(PseudoHeader::Scheme))
    );
}

/// RFC 9113 §8.5: a plain CONNECT (no `:protocol`, no `:scheme`, no `:path`, an
/// `:authority`) asks for a tunnel. This server does not provide one: 501 (RFC 9110
/// §15.6.2, "does not support the functionality required"; RFC 9220 §3 answers an
/// unsupported `:protocol` the same way), not 400 (the request is well-formed).
#[test]
fn p15_plain_connect_is_501() {
    let tunnel = [(":method", "CONNECT"), (":authority", "example.com:443")];
    assert_eq!(check(&tunnel), Err(Error::ConnectWithoutProtocol));
    let with_fields = [
        (":method", "CONNECT"),
        (":authority", "example.com:443"),
        ("proxy-authorization", "Basic Zm9vOmJhcg=="),
    ];
    assert_eq!(check(&with_fields), Err(Error::ConnectWithoutProtocol));
    assert_eq!(Error::ConnectWithoutProtocol.status(), 501);
    let reply = Rejection::from(Error::ConnectWithoutProtocol);
    assert_eq!(reply.status(), 501);
    assert_eq!(reply.head().status(), Some(501));
    assert_eq!(reply.head().get("allow"), None);
    // Same status as an unsupported :protocol.
    assert_eq!(Error::ProtocolNotWebSocket.status(), 501);
    // Malformed CONNECTs stay 400 (RFC 9113 §8.1.1): an extended CONNECT that lost
    // its :protocol (§8.5: :scheme and :path "MUST be omitted" in a plain one) and a
    // plain CONNECT without :authority.
    assert_eq!(
        check(&without(base(), &[":protocol"])),
        Err(Error::PseudoHeaderMissing(PseudoHeader::Protocol))
    );
    assert_eq!(
        check(&without(base(), &[":protocol", ":path"])),
        Err(Error::PseudoHeaderMissing(PseudoHeader::Protocol))
    );
    assert_eq!(
        check(&[(":method", "CONNECT")]),
        Err(Error::PseudoHeaderMissing(PseudoHeader::Authority))
    );
}

/// The plain CONNECT as an HTTP library hands it over: an authority-form URI and no
/// `:protocol` extension, 501 (RFC 9113 §8.5, RFC 9110 §15.6.2).
#[cfg(feature = "http")]
#[test]
fn p15_plain_connect_through_http_is_501() {
    let config = ServerConfig::new();
    let request = http::Request::connect("example.com:443")
        .version(http::Version::HTTP_2)
        .body(())
        .unwrap();
    let error = ConnectRequest::from_http(&request, None, &config).unwrap_err();
    assert_eq!(error, Error::ConnectWithoutProtocol);
    let response = Rejection::from(error).to_connect_response();
    assert_eq!(response.status(), 501);
}
