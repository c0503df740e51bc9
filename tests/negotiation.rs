//! Subprotocol and extension negotiation through the whole server path (RFC 6455
//! §4.2.2, §9.1; RFC 7692 §7), with properties over generated offers.

mod common;

use common::builders::upgrade_request;
use common::pair::{serve, ServerOutcome};
use proptest::prelude::*;
use ws_handshake::deflate::DeflateConfig;
use ws_handshake::extension::parse;
use ws_handshake::{ExtensionParams, OriginPolicy, ServerConfig};

/// The 101's `Sec-WebSocket-Extensions` and `Sec-WebSocket-Protocol` values (None if absent).
fn answer(config: &ServerConfig, lines: &[String]) -> (Option<String>, Option<String>) {
    let bytes = upgrade_request("/", "h", lines);
    let response = match serve(config, &[&bytes]) {
        ServerOutcome::Upgrade { response, .. } => response,
        other => panic!("not accepted: {other:?}"),
    };
    let header = |name: &str| {
        let values: Vec<_> = response
            .split("\r\n")
            .filter_map(|l| l.strip_prefix(name))
            .map(str::to_string)
            .collect();
        assert!(values.len() <= 1, "at most one {name} line");
        values.into_iter().next()
    };
    (
        header("Sec-WebSocket-Extensions: "),
        header("Sec-WebSocket-Protocol: "),
    )
}

fn base() -> ServerConfig {
    ServerConfig::new().origin_policy(OriginPolicy::Any)
}

fn ext(value: &str) -> Vec<String> {
    vec![format!("Sec-WebSocket-Extensions: {value}")]
}

#[test]
fn deflate_is_off_unless_configured() {
    let (e, _) = answer(&base(), &ext("permessage-deflate; client_max_window_bits"));
    assert_eq!(e, None);
}

#[test]
fn rfc_7692_responses_through_the_server() {
    let c = base().deflate(Some(DeflateConfig::new()));
    let cases = [
        // Chromium's offer.
        ("permessage-deflate; client_max_window_bits", Some("permessage-deflate")),
        // Node ws with every parameter.
        (
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=11; client_max_window_bits=10",
            // The client's window promise (10) is answered (RFC 7692 §7.1.2.2).
            Some("permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=11; client_max_window_bits=10"),
        ),
        // RFC 7692 §7.1.2.1: an offered server_max_window_bits is always answered.
        ("permessage-deflate; server_max_window_bits=10", Some("permessage-deflate; server_max_window_bits=10")),
        // §5.2: the first offer has an unknown parameter and is declined; the fallback is taken.
        (
            "permessage-deflate; bogus, permessage-deflate; server_no_context_takeover",
            Some("permessage-deflate; server_no_context_takeover"),
        ),
        // Every offer invalid: declined, and the handshake still succeeds.
        ("permessage-deflate; server_max_window_bits=16", None),
        // Quoted values are honoured.
        ("permessage-deflate; server_max_window_bits=\"9\"", Some("permessage-deflate; server_max_window_bits=9")),
        // Unknown extensions are never answered.
        ("x-webkit-deflate-frame", None),
    ];
    for (offer, expected) in cases {
        assert_eq!(answer(&c, &ext(offer)).0.as_deref(), expected, "{offer}");
    }
    // Offers split over two lines combine in order: the first acceptable one wins.
    let lines = vec![
        "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=9".to_string(),
        "Sec-WebSocket-Extensions: permessage-deflate".to_string(),
    ];
    assert_eq!(
        answer(&c, &lines).0.as_deref(),
        Some("permessage-deflate; server_max_window_bits=9")
    );
}

#[test]
fn server_settings_shape_the_answer() {
    let c = base().deflate(Some(
        DeflateConfig::new()
            .client_max_window_bits(10)
            .server_no_context_takeover(true),
    ));
    // Without client_max_window_bits in the offer the client cannot be limited: declined.
    assert_eq!(answer(&c, &ext("permessage-deflate")).0, None);
    assert_eq!(
        answer(&c, &ext("permessage-deflate; client_max_window_bits"))
            .0
            .as_deref(),
        Some("permessage-deflate; server_no_context_takeover; client_max_window_bits=10")
    );
}

#[test]
fn custom_extensions_use_the_hook_in_configured_order() {
    let c = base()
        .extension("x-first", |_| Some(ExtensionParams::new()))
        .unwrap()
        .deflate(Some(DeflateConfig::new()))
        .extension("x-echo", |offer| {
            let v = offer
                .params()
                .flatten()
                .find(|p| p.name() == "v")?
                .value()?;
            ExtensionParams::new().value("v", v.as_str()?).ok()
        })
        .unwrap();
    // Client order differs from server order: the response follows the server's.
    let offer = "x-echo; v=1, x-echo; v=2, permessage-deflate, x-first, x-unknown";
    assert_eq!(
        answer(&c, &ext(offer)).0.as_deref(),
        Some("x-first, permessage-deflate, x-echo; v=1")
    );
    // The hook can decline an offer; the next offer of the same extension is tried.
    assert_eq!(
        answer(&c, &ext("x-echo, x-echo; v=7")).0.as_deref(),
        Some("x-echo; v=7")
    );
    // Nothing offered, nothing answered.
    assert_eq!(answer(&c, &[]).0, None);
    // Names must be tokens and permessage-deflate is reserved for its own negotiation.
    assert!(base().extension("bad name", |_| None).is_err());
    assert!(base().extension("permessage-deflate", |_| None).is_err());
}

#[test]
fn subprotocol_offered_but_unsupported_gets_no_header() {
    let c = base().protocols(["chat"]).unwrap();
    assert_eq!(
        answer(&c, &["Sec-WebSocket-Protocol: mqtt".to_string()]).1,
        None
    );
    assert_eq!(answer(&c, &[]).1, None);
    assert_eq!(
        answer(&c, &["Sec-WebSocket-Protocol: mqtt, chat".to_string()])
            .1
            .as_deref(),
        Some("chat")
    );
    // Compared exactly, never as a substring of the whole value.
    assert_eq!(
        answer(&c, &["Sec-WebSocket-Protocol: chatty".to_string()]).1,
        None
    );
}

fn token() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,8}"
}

fn param() -> impl Strategy<Value = (String, Option<(String, bool)>)> {
    (token(), proptest::option::of((token(), any::<bool>())))
}

type Ext = (String, Vec<(String, Option<(String, bool)>)>);

fn extension() -> impl Strategy<Value = Ext> {
    (token(), proptest::collection::vec(param(), 0..4))
}

/// Writes an extension list with random spacing and quoting.
fn write_list(list: &[Ext], spaced: bool) -> String {
    let sp = if spaced { " " } else { "" };
    list.iter()
        .map(|(name, params)| {
            let mut s = name.clone();
            for (p, v) in params {
                s.push_str(&format!("{sp};{sp}{p}"));
                if let Some((v, quoted)) = v {
                    if *quoted {
                        s.push_str(&format!("{sp}={sp}\"{v}\""));
                    } else {
                        s.push_str(&format!("={v}"));
                    }
                }
            }
            s
        })
        .collect::<Vec<_>>()
        .join(&format!("{sp},{sp}"))
}

proptest! {
    /// Format then parse gives the same extensions; the canonical form is a fixed point.
    #[test]
    fn extension_lists_round_trip(list in proptest::collection::vec(extension(), 1..4), spaced: bool) {
        let header = write_list(&list, spaced);
        let parsed: Vec<_> = parse(header.as_bytes()).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(parsed.len(), list.len());
        for (e, (name, params)) in parsed.iter().zip(&list) {
            prop_assert_eq!(e.name(), name);
            let got: Vec<_> = e.params().map(|p| {
                let p = p.unwrap();
                (p.name().to_string(), p.value().map(|v| v.to_string()))
            }).collect();
            let want: Vec<_> = params.iter().map(|(n, v)| (n.clone(), v.as_ref().map(|(v, _)| v.clone()))).collect();
            prop_assert_eq!(got, want);
        }
        let canonical: Vec<String> = parsed.iter().map(|e| e.to_string()).collect();
        let again = canonical.join(", ");
        let reparsed: Vec<String> = parse(again.as_bytes()).map(|e| e.unwrap().to_string()).collect();
        prop_assert_eq!(reparsed, canonical);
    }

    /// No response ever carries an extension or subprotocol the client did not offer,
    /// and a negotiated deflate respects the offer it answers (RFC 7692 §7.1).
    #[test]
    fn answers_only_what_was_offered(
        offers in proptest::collection::vec(
            prop_oneof![
                Just("permessage-deflate".to_string()),
                Just("permessage-deflate; client_max_window_bits".to_string()),
                (8u8..=16).prop_map(|n| format!("permessage-deflate; server_max_window_bits={n}")),
                (7u8..=15).prop_map(|n| format!("permessage-deflate; client_max_window_bits={n}")),
                Just("permessage-deflate; server_no_context_takeover".to_string()),
                Just("x-custom".to_string()),
                token(),
            ],
            0..4,
        ),
        protocols in proptest::collection::vec(prop_oneof![Just("chat".to_string()), Just("v2".to_string()), token()], 0..4),
        server_protocols in proptest::collection::vec(prop_oneof![Just("chat".to_string()), Just("v2".to_string())], 0..3),
        server_bits in 8u8..=15,
        client_bits in 8u8..=15,
    ) {
        let config = base()
            .protocols(&server_protocols).unwrap()
            .deflate(Some(DeflateConfig::new().server_max_window_bits(server_bits).client_max_window_bits(client_bits)));
        let mut lines = Vec::new();
        if !offers.is_empty() {
            lines.push(format!("Sec-WebSocket-Extensions: {}", offers.join(", ")));
        }
        if !protocols.is_empty() {
            lines.push(format!("Sec-WebSocket-Protocol: {}", protocols.join(", ")));
        }
        let (ext, proto) = answer(&config, &lines);
        if let Some(p) = proto {
            prop_assert!(protocols.contains(&p) && server_protocols.contains(&p));
        } else {
            prop_assert!(!protocols.iter().any(|p| server_protocols.contains(p)));
        }
        if let Some(e) = ext {
            let answered: Vec<_> = parse(e.as_bytes()).map(|x| x.unwrap()).collect();
            prop_assert_eq!(answered.len(), 1);
            let d = ws_handshake::deflate::DeflateOffer::from_extension(&answered[0]).unwrap();
            // No 8-bit window by default (zlib cannot compress with one): a configured
            // 8 counts as 9 (issue 14 point 12).
            let server_bits = server_bits.max(9);
            prop_assert!(d.server_max_window_bits.is_none_or(|b| b >= 9));
            prop_assert!(d.client_max_window_bits.flatten().is_none_or(|b| b >= 9));
            // The answer must be a response to some valid offer.
            let offered = offers.iter().filter_map(|o| {
                let x = parse(o.as_bytes()).next()?.ok()?;
                if x.name() != "permessage-deflate" { return None; }
                ws_handshake::deflate::DeflateOffer::from_extension(&x).ok()
            }).any(|o| {
                d.server_max_window_bits.is_some_and(|b| b <= server_bits)
                    == (o.server_max_window_bits.is_some() || server_bits < 15)
                    && o.server_max_window_bits.is_none_or(|n| d.server_max_window_bits.is_some_and(|b| b <= n))
                    && (d.client_max_window_bits.is_none() || o.client_max_window_bits.is_some())
                    && (!o.server_no_context_takeover || d.server_no_context_takeover)
            });
            prop_assert!(offered, "{e} answers none of {offers:?}");
        }
    }
}
