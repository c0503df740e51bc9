//! The client side of RFC 8441 / RFC 9220: the extended CONNECT head for a URL, the
//! checks of the `200`, the §5.1 example from the client's side, and client⇄server pairs.

mod common;

use common::builders::response_101;
use common::pair::{dial, ClientOutcome, Pair};
use proptest::prelude::*;
use ws_handshake::deflate::{DeflateConfig, DeflateOffer};
use ws_handshake::{
    BuildError, ClientConfig, ClientError, ConnectClient, ConnectRequest, ConnectResponse,
    Malformed, MissingProtocol, OriginPolicy, Rejection, ServerConfig, WsUrl,
};

fn fields_of(config: &ClientConfig, url: &str) -> Vec<(String, String)> {
    let client = ConnectClient::new(config, WsUrl::parse(url).unwrap());
    let head = client.request();
    head.pseudo_fields()
        .chain(head.fields())
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

#[test]
fn rfc8441_section_5_1_request_from_the_client_side() {
    let config = ClientConfig::new()
        .protocols(["chat", "superchat"])
        .unwrap()
        .deflate(Some(DeflateOffer::new()))
        .unwrap()
        .origin("http://www.example.com")
        .unwrap();
    let client = ConnectClient::new(
        &config,
        WsUrl::parse("wss://server.example.com/chat").unwrap(),
    );
    let head = client.request();
    assert_eq!(
        head.pseudo_fields()
            .chain(head.fields())
            .collect::<Vec<_>>(),
        [
            (":method", "CONNECT"),
            (":protocol", "websocket"),
            (":scheme", "https"),
            (":path", "/chat"),
            (":authority", "server.example.com"),
            ("sec-websocket-protocol", "chat, superchat"),
            ("sec-websocket-extensions", "permessage-deflate"),
            ("sec-websocket-version", "13"),
            ("origin", "http://www.example.com"),
        ]
    );
    // The example's answer: :status 200, sec-websocket-protocol chat.
    let Ok(ConnectResponse::Connected(connected)) =
        client.response(200, [("sec-websocket-protocol", "chat")])
    else {
        panic!("the RFC's answer is accepted")
    };
    assert_eq!(connected.protocol(), Some("chat"));
    assert_eq!(connected.deflate(), None);
}

#[test]
fn scheme_path_and_authority_follow_the_url() {
    let config = ClientConfig::new();
    let f = fields_of(&config, "ws://example.com:8080/a/b?x=1&y=2");
    assert_eq!(f[2], (":scheme".into(), "http".into()));
    assert_eq!(f[3], (":path".into(), "/a/b?x=1&y=2".into()));
    assert_eq!(f[4], (":authority".into(), "example.com:8080".into()));
    let f = fields_of(&config, "wss://example.com:443");
    assert_eq!(f[2].1, "https");
    assert_eq!(f[3].1, "/");
    assert_eq!(f[4].1, "example.com");
    let f = fields_of(&config, "ws://[::1]:9004/echo");
    assert_eq!(f[4].1, "[::1]:9004");
    // No HTTP/1.1 handshake fields, ever.
    for name in ["host", "connection", "upgrade", "sec-websocket-key"] {
        assert!(f.iter().all(|(n, _)| n != name), "{name}");
    }
}

#[test]
fn configured_headers_are_lowercased_and_http2_checked() {
    let config = ClientConfig::new()
        .header("Authorization", "Bearer abc")
        .unwrap();
    let f = fields_of(&config, "wss://a.example/");
    assert_eq!(
        f.last().unwrap(),
        &("authorization".into(), "Bearer abc".into())
    );
    for (name, value) in [
        ("Keep-Alive", "5"),
        ("TE", "gzip"),
        ("Proxy-Connection", "x"),
    ] {
        // Refused when configured, so neither request form can carry it (RFC 9113 §8.2.2).
        let refused = ClientConfig::new().header(name, value).unwrap_err();
        assert_eq!(refused, BuildError::HeaderReserved, "{name}");
    }
    // RFC 9110 §5.5 / RFC 9113 §8.2.1: no leading or trailing whitespace in a value.
    let refused = ClientConfig::new().header("x-pad", "a ").unwrap_err();
    assert_eq!(refused, BuildError::HeaderValueInvalid);
}

fn respond(
    config: &ClientConfig,
    status: u16,
    fields: &[(&str, &str)],
) -> Result<ConnectResponse<'static>, ClientError> {
    let client = ConnectClient::new(config, WsUrl::parse("wss://a.example/").unwrap());
    // Leak the fields so the outcome can outlive this helper (test only).
    let fields: &'static [(String, String)] = Box::leak(
        fields
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    );
    client.response(status, fields.iter().map(|(n, v)| (n.as_str(), v.as_str())))
}

#[test]
fn any_status_but_200_is_a_refusal() {
    let config = ClientConfig::new();
    for status in [101, 201, 204, 301, 400, 403, 405, 426, 501, 503] {
        match respond(&config, status, &[("sec-websocket-version", "13")]) {
            Ok(ConnectResponse::Refused(r)) => assert_eq!(r.status(), status),
            other => panic!("{status}: {other:?}"),
        }
    }
}

#[test]
fn subprotocol_rules_are_the_http1_clients() {
    let offered = ClientConfig::new()
        .protocols(["chat", "superchat"])
        .unwrap();
    assert!(matches!(
        respond(&offered, 200, &[("sec-websocket-protocol", "superchat")]),
        Ok(ConnectResponse::Connected(c)) if c.protocol() == Some("superchat")
    ));
    assert_eq!(
        respond(&offered, 200, &[("sec-websocket-protocol", "mqtt")]),
        Err(ClientError::ProtocolNotOffered)
    );
    assert_eq!(
        respond(
            &offered,
            200,
            &[("sec-websocket-protocol", "chat, superchat")]
        ),
        Err(ClientError::ProtocolMalformed)
    );
    assert_eq!(
        respond(&offered, 200, &[]),
        Err(ClientError::ProtocolMissing)
    );
    let lenient = offered.clone().missing_protocol(MissingProtocol::Accept);
    assert!(matches!(
        respond(&lenient, 200, &[]),
        Ok(ConnectResponse::Connected(c)) if c.protocol().is_none()
    ));
    assert_eq!(
        respond(
            &ClientConfig::new(),
            200,
            &[("sec-websocket-protocol", "chat")]
        ),
        Err(ClientError::ProtocolWhenNoneOffered)
    );
}

#[test]
fn extension_rules_are_the_http1_clients() {
    let none = ClientConfig::new();
    assert_eq!(
        respond(
            &none,
            200,
            &[("sec-websocket-extensions", "permessage-deflate")]
        ),
        Err(ClientError::ExtensionNotOffered)
    );
    let deflate = ClientConfig::new()
        .deflate(Some(DeflateOffer::new().client_max_window_bits(Some(None))))
        .unwrap();
    let ok = respond(
        &deflate,
        200,
        &[(
            "sec-websocket-extensions",
            "permessage-deflate; client_max_window_bits=10",
        )],
    );
    let Ok(ConnectResponse::Connected(c)) = ok else {
        panic!("{ok:?}")
    };
    assert_eq!(c.deflate().unwrap().client_window_bits(), 10);
    assert_eq!(
        respond(&deflate, 200, &[("sec-websocket-extensions", "x;;")]),
        Err(ClientError::ExtensionListMalformed)
    );
    assert_eq!(
        respond(
            &deflate,
            200,
            &[
                ("sec-websocket-extensions", "permessage-deflate"),
                ("sec-websocket-extensions", "permessage-deflate"),
            ]
        ),
        Err(ClientError::DeflateRepeated)
    );
}

#[test]
fn http2_field_rules_apply_to_the_200() {
    let config = ClientConfig::new();
    for (name, value) in [
        ("connection", "close"),
        ("upgrade", "websocket"),
        ("keep-alive", "5"),
        ("transfer-encoding", "chunked"),
        ("te", "gzip"),
    ] {
        assert_eq!(
            respond(&config, 200, &[(name, value)]),
            Err(ClientError::ConnectionSpecificHeader),
            "{name}"
        );
    }
    assert_eq!(
        respond(&config, 200, &[("Sec-WebSocket-Protocol", "chat")]),
        Err(ClientError::Malformed(Malformed::HeaderName))
    );
    assert_eq!(
        respond(&config, 200, &[(":status", "200")]),
        Err(ClientError::Malformed(Malformed::PseudoHeaderUnknown))
    );
    assert_eq!(
        respond(&config, 200, &[("x", "a\r\nb")]),
        Err(ClientError::Malformed(Malformed::HeaderValue))
    );
    // Unrelated fields (date, server, set-cookie…) are fine.
    assert!(matches!(
        respond(&config, 200, &[("server", "h2"), ("set-cookie", "a=b")]),
        Ok(ConnectResponse::Connected(_))
    ));
}

/// Client head → server validation → server head → client check, in memory
/// (`common::pair::Pair::extended_connect`), the deflate answer as written.
fn pair(
    client_config: ClientConfig,
    server_config: ServerConfig,
) -> Result<(Option<String>, Option<String>), String> {
    Pair::new(client_config, server_config)
        .url("wss://server.example.com/chat?room=1")
        .extended_connect()
        .map(|(protocol, deflate)| (protocol, deflate.map(|d| d.to_string())))
}

#[test]
fn pair_negotiates_end_to_end() {
    let client = ClientConfig::new()
        .protocols(["chat.v2", "chat"])
        .unwrap()
        .deflate(Some(DeflateOffer::new().client_max_window_bits(Some(None))))
        .unwrap()
        .origin("https://app.example.org")
        .unwrap();
    let server = ServerConfig::new()
        .protocols(["chat"])
        .unwrap()
        .deflate(Some(DeflateConfig::new().server_max_window_bits(12)))
        .origin_policy(OriginPolicy::allow_list(["https://app.example.org"]).unwrap());
    assert_eq!(
        pair(client.clone(), server),
        Ok((
            Some("chat".into()),
            Some("permessage-deflate; server_max_window_bits=12".into())
        ))
    );
    let strict = ServerConfig::new(); // same-origin only
    assert_eq!(pair(client, strict), Err("refused 403".into()));
}

fn client_configs() -> Vec<ClientConfig> {
    vec![
        ClientConfig::new(),
        ClientConfig::new().protocols(["chat"]).unwrap(),
        ClientConfig::new()
            .protocols(["superchat", "chat"])
            .unwrap()
            .deflate(Some(DeflateOffer::new()))
            .unwrap(),
        ClientConfig::new()
            .protocols(["mqtt"])
            .unwrap()
            .missing_protocol(MissingProtocol::Accept)
            .deflate(Some(
                DeflateOffer::new()
                    .server_no_context_takeover(true)
                    .client_max_window_bits(Some(Some(10))),
            ))
            .unwrap(),
    ]
}

fn server_configs() -> Vec<ServerConfig> {
    vec![
        ServerConfig::new(),
        ServerConfig::new()
            .protocols(["chat", "superchat"])
            .unwrap()
            .deflate(Some(DeflateConfig::new())),
        ServerConfig::new()
            .protocols(["mqtt"])
            .unwrap()
            .require_protocol(true)
            .deflate(Some(DeflateConfig::new().client_max_window_bits(9))),
    ]
}

/// The HTTP/1.1 client's verdict on a `101` carrying the same negotiation fields.
fn http1_verdict(config: &ClientConfig, fields: &[(String, String)]) -> Result<(), ClientError> {
    let extra: String = fields
        .iter()
        .map(|(n, v)| format!("{n}: {v}\r\n"))
        .collect();
    match dial(config, "wss://a.example/", &[&response_101(&extra)]) {
        ClientOutcome::Connected { .. } => Ok(()),
        ClientOutcome::Failed(e) => Err(e),
        other => panic!("{other:?}"),
    }
}

proptest! {
    /// Any client config against any server config: a 200 the server writes is always
    /// accepted by the client, with the server's choices; a refusal is a refusal.
    #[test]
    fn pairs_agree(c in 0usize..4, s in 0usize..3) {
        let client = &client_configs()[c];
        let server = &server_configs()[s];
        let url = WsUrl::parse("ws://127.0.0.1:9004/echo").unwrap();
        let connect = ConnectClient::new(client, url);
        let request = connect.request();
        match ConnectRequest::validate(request.pseudo_fields().chain(request.fields()), server) {
            Ok(accepted) => {
                let head = accepted.accept().head();
                let outcome = connect.response(head.status().unwrap(), head.fields());
                // Configs 1 and 2 offer subprotocols with the default MissingProtocol::Fail.
                if accepted.protocol().is_none() && (c == 1 || c == 2) {
                    // Offered protocols, none chosen: the default policy fails.
                    prop_assert_eq!(outcome, Err(ClientError::ProtocolMissing));
                } else {
                    let Ok(ConnectResponse::Connected(connected)) = outcome else {
                        return Err(TestCaseError::fail(format!("{outcome:?}")));
                    };
                    prop_assert_eq!(connected.protocol(), accepted.protocol());
                    prop_assert_eq!(connected.deflate(), accepted.deflate());
                }
            }
            Err(error) => {
                let head = Rejection::from(error).head();
                let outcome = connect.response(head.status().unwrap(), head.fields());
                prop_assert!(
                    matches!(outcome, Ok(ConnectResponse::Refused(r)) if r.status() == error.status()),
                    "{:?}", outcome
                );
            }
        }
    }

    /// The checks of a 200's negotiation fields are the HTTP/1.1 client's checks of a 101.
    #[test]
    fn same_verdict_as_http1_client(
        c in 0usize..4,
        protocol in prop::option::of(prop::sample::select(vec!["chat", "superchat", "mqtt", "a b", "chat, mqtt"])),
        extensions in prop::collection::vec(prop::sample::select(vec![
            "permessage-deflate",
            "permessage-deflate; client_max_window_bits=10",
            "permessage-deflate; server_no_context_takeover",
            "permessage-deflate; server_max_window_bits=8",
            "permessage-deflate; bogus",
            "x-other",
            "x;;",
        ]), 0..3),
    ) {
        let config = &client_configs()[c];
        let mut fields: Vec<(String, String)> = Vec::new();
        if let Some(p) = protocol {
            fields.push(("sec-websocket-protocol".into(), p.into()));
        }
        for e in extensions {
            fields.push(("sec-websocket-extensions".into(), e.into()));
        }
        let h1 = http1_verdict(config, &fields);
        let client = ConnectClient::new(config, WsUrl::parse("wss://a.example/").unwrap());
        let h2 = client
            .response(200, fields.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .map(|_| ());
        prop_assert_eq!(h2, h1);
    }
}
