//! The `Sec-WebSocket-Extensions` parser (RFC 6455 §9.1) and permessage-deflate
//! negotiation (RFC 7692 §7), checked against a plain reference reading.
//!
//! Input layout: `[flags] [bits] header-value...`
//! - `flags` bit 0: `server_no_context_takeover`, bit 1: `client_no_context_takeover`,
//!   bit 2: `dangerous_allow_8_bit_window` (without it, no window of 8 is agreed);
//! - `bits`: low nibble + 8 = `server_max_window_bits`, high nibble + 8 =
//!   `client_max_window_bits` (values above 15 exercise the clamp).
//!
//! Invariants (see fuzz/README.md):
//! 1. the parser accepts exactly what the reference grammar accepts, with the same
//!    names, parameters and unescaped values; an extension's canonical form
//!    (`Display`) parses back to the same extension;
//! 2. negotiation picks the first offer the reference calls acceptable, and only such;
//! 3. the result respects that offer and the configuration (RFC 7692 §7.1);
//! 4. the result re-formats (`Display`) into a list that parses back to a single valid
//!    offer which the same configuration accepts with the same result.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ws_handshake::deflate::{DeflateConfig, DeflateOffer, PerMessageDeflate};
use ws_handshake::extension::{self, Extension};

fuzz_target!(|data: &[u8]| {
    let [flags, bits, value @ ..] = data else {
        return;
    };
    let allow_8_bit_window = flags & 4 != 0;
    // zlib cannot compress with an 8-bit window: by default 8 counts as 9.
    let floor = if allow_8_bit_window { 8 } else { 9 };
    let settings = Settings {
        server_no_context_takeover: flags & 1 != 0,
        client_no_context_takeover: flags & 2 != 0,
        server_max_window_bits: (8 + (bits & 0xF)).clamp(floor, 15),
        client_max_window_bits: (8 + (bits >> 4)).clamp(floor, 15),
        floor,
    };
    let config = DeflateConfig::new()
        .server_no_context_takeover(settings.server_no_context_takeover)
        .client_no_context_takeover(settings.client_no_context_takeover)
        .server_max_window_bits(8 + (bits & 0xF))
        .client_max_window_bits(8 + (bits >> 4))
        .dangerous_allow_8_bit_window(allow_8_bit_window);

    // Invariant 1.
    let parsed = parse(value);
    let reference = reference_parse(value);
    assert_eq!(parsed, reference, "{:?}", String::from_utf8_lossy(value));

    // Invariant 1: each extension's canonical form parses back to itself.
    let exts = extension::parse(value).map_while(Result::ok);
    for (ext, expected) in exts.zip(parsed.iter().flatten()) {
        let text = ext.to_string();
        let again = parse(text.as_bytes());
        assert_eq!(
            again.as_deref(),
            Some(std::slice::from_ref(expected)),
            "{text}"
        );
    }

    // The negotiation the handshake runs (DeflateConfig::negotiate is the one every
    // front end calls): never a panic, and an error exactly when the list is malformed.
    let negotiated = config.negotiate([value]);
    let Some(list) = reference else {
        assert!(
            negotiated.is_err(),
            "a malformed list negotiated: {negotiated:?}"
        );
        return;
    };
    let negotiated = negotiated.expect("a list the reference parses is valid");

    // Invariant 2: the first acceptable offer wins.
    let mut expected = None;
    for (name, params) in &list {
        if !name.eq_ignore_ascii_case("permessage-deflate") {
            continue;
        }
        let Some(offer) = reference_offer(params) else {
            continue; // declined: invalid
        };
        if settings.client_max_window_bits < 15 && offer.client_max_window_bits.is_none() {
            continue; // declined: we may not ask for a smaller client window
        }
        if offer.server_max_window_bits.is_some_and(|n| n < floor) {
            continue; // declined: an answer must be <= 8, which zlib cannot compress with
        }
        let client_promise = offer.client_max_window_bits.flatten();
        if settings.client_max_window_bits < 15 && client_promise.is_some_and(|n| n < floor) {
            continue; // declined: the only answer keeping the limit would be 8
        }
        expected = Some(offer);
        break;
    }
    match (expected, negotiated) {
        (None, None) => {}
        (Some(offer), Some(d)) => {
            // The crate reads the same offer.
            let crate_offer = extension::parse(value)
                .map_while(Result::ok)
                .filter(|e| e.name().eq_ignore_ascii_case("permessage-deflate"))
                .filter_map(|e| DeflateOffer::from_extension(&e).ok())
                .find(|o| config.answer(o).is_some());
            assert_eq!(crate_offer, Some(offer));
            respects(&offer, &settings, &d);
            round_trip(&config, &d);
        }
        (e, n) => panic!("negotiation: expected from offer {e:?}, got {n:?}"),
    }
});

#[derive(Debug)]
struct Settings {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: u8,
    client_max_window_bits: u8,
    /// The smallest window agreed to: 9, or 8 with `dangerous_allow_8_bit_window`.
    floor: u8,
}

/// Invariant 3: RFC 7692 §7.1 against the accepted offer and the configuration.
fn respects(offer: &DeflateOffer, settings: &Settings, d: &PerMessageDeflate) {
    // No window below the floor in either direction (8 only when allowed).
    let in_range = |b: Option<u8>| b.is_none_or(|b| (settings.floor..=15).contains(&b));
    assert!(in_range(d.server_max_window_bits) && in_range(d.client_max_window_bits));
    // §7.1.1.1: a requested server_no_context_takeover must be answered.
    if offer.server_no_context_takeover || settings.server_no_context_takeover {
        assert!(d.server_no_context_takeover);
    }
    if offer.client_no_context_takeover || settings.client_no_context_takeover {
        assert!(d.client_no_context_takeover);
    }
    // §7.1.2.1: an offered server_max_window_bits is answered with a value <= it.
    if let Some(n) = offer.server_max_window_bits {
        assert!(
            d.server_max_window_bits.is_some_and(|m| m <= n),
            "{offer:?} -> {d:?}"
        );
    }
    assert!(d.server_window_bits() <= settings.server_max_window_bits);
    // §7.1.2.2: client_max_window_bits only if offered, and <= an offered value.
    match offer.client_max_window_bits {
        None => assert_eq!(d.client_max_window_bits, None),
        Some(None) => {}
        Some(Some(v)) => assert!(d.client_max_window_bits.is_none_or(|c| c <= v)),
    }
    if offer.client_max_window_bits.is_some() {
        assert!(d.client_window_bits() <= settings.client_max_window_bits);
    }
}

/// Invariant 4: the response element, read back as an offer, gives the same result.
fn round_trip(config: &DeflateConfig, d: &PerMessageDeflate) {
    let text = d.to_string();
    let list = parse(text.as_bytes()).expect("the formatted response parses");
    assert_eq!(list.len(), 1, "{text}");
    assert_eq!(list[0].0, "permessage-deflate");
    let again = config
        .negotiate([text.as_bytes()])
        .expect("the formatted response is a valid list");
    assert_eq!(again, Some(*d), "{text} re-negotiates differently");
}

type Parsed = Vec<(String, Vec<(String, Option<String>)>)>;

/// The crate's parse, owned; `None` on any syntax error.
fn parse(value: &[u8]) -> Option<Parsed> {
    extension::parse(value)
        .map(|e| {
            let e: Extension<'_> = e.ok()?;
            let params = e
                .params()
                .map(|p| {
                    let p = p.ok()?;
                    let v = p.value().map(|v| {
                        let bytes: Vec<u8> = v.bytes().collect();
                        if let Some(s) = v.as_str() {
                            assert_eq!(s.as_bytes(), bytes, "as_str disagrees with bytes");
                        }
                        assert!(v.eq_str(&String::from_utf8_lossy(&bytes)));
                        String::from_utf8(bytes).expect("tokens are ASCII")
                    });
                    Some((p.name().to_owned(), v))
                })
                .collect::<Option<Vec<_>>>()?;
            Some((e.name().to_owned(), params))
        })
        .collect()
}

/// RFC 6455 §9.1, read plainly. Commas and semicolons cannot occur inside a value
/// (a quoted value must unescape to a token), so splitting on them is exact. Empty
/// elements are ignored (RFC 9110 §5.6.1.2), at most 16 of them, and `1#extension`
/// needs one non-empty element.
fn reference_parse(value: &[u8]) -> Option<Parsed> {
    let pieces: Vec<&[u8]> = value.split(|&b| b == b',').collect();
    let empties = pieces.iter().filter(|p| trim(p).is_empty()).count();
    if empties > 16 || empties == pieces.len() {
        return None;
    }
    pieces
        .into_iter()
        .filter(|p| !trim(p).is_empty())
        .map(|element| {
            let mut parts = element.split(|&b| b == b';');
            let name = token(trim(parts.next()?))?;
            let params = parts
                .map(|p| {
                    let (name, value) = match p.iter().position(|&b| b == b'=') {
                        Some(i) => (&p[..i], Some(&p[i + 1..])),
                        None => (p, None),
                    };
                    let name = token(trim(name))?;
                    let value = match value.map(trim) {
                        None => None,
                        Some(v) => Some(match v {
                            [b'"', inner @ .., b'"'] => unquote(inner)?,
                            _ => token(v)?,
                        }),
                    };
                    Some((name, value))
                })
                .collect::<Option<Vec<_>>>()?;
            Some((name, params))
        })
        .collect()
}

fn token(s: &[u8]) -> Option<String> {
    let ok = !s.is_empty() && s.iter().all(|&b| is_tchar(b));
    ok.then(|| String::from_utf8(s.to_vec()).expect("ASCII"))
}

/// A quoted-string's content that unescapes to a token.
fn unquote(inner: &[u8]) -> Option<String> {
    let mut out = Vec::new();
    let mut bytes = inner.iter();
    while let Some(&b) = bytes.next() {
        out.push(if b == b'\\' { *bytes.next()? } else { b });
    }
    token(&out)
}

/// RFC 7692 §7.1: the parameters of one offer, or `None` if it must be declined.
fn reference_offer(params: &[(String, Option<String>)]) -> Option<DeflateOffer> {
    let mut offer = DeflateOffer::default();
    let mut seen = Vec::new();
    for (name, value) in params {
        if seen.contains(&name) {
            return None;
        }
        seen.push(name);
        let bits = |v: &Option<String>| -> Option<Option<u8>> {
            match v.as_deref() {
                None => Some(None),
                Some(v) if v.bytes().all(|b| b.is_ascii_digit()) && !v.starts_with('0') => {
                    let n: u8 = v.parse().ok()?;
                    (8..=15).contains(&n).then_some(Some(n))
                }
                Some(_) => None,
            }
        };
        match name.as_str() {
            "server_no_context_takeover" if value.is_none() => {
                offer.server_no_context_takeover = true;
            }
            "client_no_context_takeover" if value.is_none() => {
                offer.client_no_context_takeover = true;
            }
            "server_max_window_bits" => offer.server_max_window_bits = Some(bits(value)??),
            "client_max_window_bits" => offer.client_max_window_bits = Some(bits(value)?),
            _ => return None,
        }
    }
    Some(offer)
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', r @ ..] = s {
        s = r;
    }
    while let [r @ .., b' ' | b'\t'] = s {
        s = r;
    }
    s
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
