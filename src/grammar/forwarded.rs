//! The `Forwarded` field of RFC 7239 §4, read for the one element that counts: the
//! right-most, the one the nearest proxy added.
//!
//! ```text
//! Forwarded         = 1#forwarded-element
//! forwarded-element = [ forwarded-pair ] *( ";" [ forwarded-pair ] )
//! forwarded-pair    = token "=" value
//! value             = token / quoted-string
//! ```
//!
//! Parameter names are case-insensitive and occur at most once per element (§4, §5).
//! Finding the right-most element takes the whole line: a quoted-string may hold
//! commas and semicolons. Values stay borrowed; a `host` or `proto` value with a
//! quoted-pair (`\x`) is refused rather than unescaped into a copy (no authority or
//! scheme needs one).

use crate::grammar::token::{is_tchar, walk_list};

/// The parameters of one forwarded-element that form an origin, as written (a quoted
/// value without its quotes).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ForwardedElement<'a> {
    /// `proto`: the scheme the request came in with (§5.4).
    pub(crate) proto: Option<&'a [u8]>,
    /// `host`: the `Host` the proxy received, `host[:port]` (§5.3).
    pub(crate) host: Option<&'a [u8]>,
}

/// A `Forwarded` line that breaks the grammar of RFC 7239 §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ForwardedMalformed;

/// The right-most non-empty element of one `Forwarded` field line, the whole line
/// being checked; `None` when the line holds no non-empty element.
pub(crate) fn last_element(
    line: &[u8],
) -> Result<Option<ForwardedElement<'_>>, ForwardedMalformed> {
    let mut last = None;
    walk_list(line, |start| {
        let (element, rest) = element(start)?;
        last = Some(element);
        Some(rest)
    })
    .map_err(|_| ForwardedMalformed)?;
    Ok(last)
}

/// One forwarded-element at the start of `s`: its origin parameters and what follows.
fn element(mut s: &[u8]) -> Option<(ForwardedElement<'_>, &[u8])> {
    let mut element = ForwardedElement::default();
    // for, by, host, proto: each at most once (§4).
    let mut seen = [false; 4];
    loop {
        if s.first().copied().is_some_and(is_tchar) {
            let Pair {
                name,
                value,
                quoted_pair,
                rest,
            } = pair(s)?;
            let which = [&b"for"[..], b"by", b"host", b"proto"]
                .iter()
                .position(|known| name.eq_ignore_ascii_case(known));
            if let Some(which) = which {
                let seen = seen.get_mut(which)?;
                if core::mem::replace(seen, true) {
                    return None;
                }
                let slot = match which {
                    2 => Some(&mut element.host),
                    3 => Some(&mut element.proto),
                    _ => None,
                };
                if let Some(slot) = slot {
                    if quoted_pair {
                        return None;
                    }
                    *slot = Some(value);
                }
            }
            s = rest;
        }
        match s {
            [b';', rest @ ..] => s = rest,
            _ => return Some((element, s)),
        }
    }
}

/// One `forwarded-pair`, read.
struct Pair<'a> {
    name: &'a [u8],
    /// A quoted value without its quotes.
    value: &'a [u8],
    /// Whether the value holds a quoted-pair (`\x`).
    quoted_pair: bool,
    /// What follows the pair.
    rest: &'a [u8],
}

/// `token "=" ( token / quoted-string )` at the start of `s`.
fn pair(s: &[u8]) -> Option<Pair<'_>> {
    let name_len = s.iter().position(|&b| !is_tchar(b)).unwrap_or(s.len());
    let (name, rest) = s.split_at_checked(name_len)?;
    let [b'=', rest @ ..] = rest else {
        return None;
    };
    if let [b'"', inner @ ..] = rest {
        let (len, quoted_pair) = quoted_len(inner)?;
        let value = inner.get(..len)?;
        let rest = inner.get(len.checked_add(1)?..)?; // past the closing quote
        return Some(Pair {
            name,
            value,
            quoted_pair,
            rest,
        });
    }
    let len = rest
        .iter()
        .position(|&b| !is_tchar(b))
        .unwrap_or(rest.len());
    let (value, rest) = rest.split_at_checked(len)?;
    (!value.is_empty()).then_some(Pair {
        name,
        value,
        quoted_pair: false,
        rest,
    })
}

/// The length of a quoted-string's content up to its closing quote (RFC 9110
/// §5.6.4: qdtext and quoted-pairs), and whether it holds a quoted-pair.
fn quoted_len(s: &[u8]) -> Option<(usize, bool)> {
    let mut i = 0usize;
    let mut quoted_pair = false;
    loop {
        match *s.get(i)? {
            b'"' => return Some((i, quoted_pair)),
            b'\\' => {
                let escaped = *s.get(i.checked_add(1)?)?;
                if !is_qd_escapable(escaped) {
                    return None;
                }
                quoted_pair = true;
                i = i.checked_add(2)?;
            }
            b if is_qdtext(b) => i = i.checked_add(1)?,
            _ => return None,
        }
    }
}

/// RFC 9110 §5.6.4 `qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text`.
fn is_qdtext(b: u8) -> bool {
    matches!(b, b'\t' | b' ' | 0x21 | 0x23..=0x5B | 0x5D..=0x7E | 0x80..=0xFF)
}

/// What a quoted-pair may escape: `HTAB / SP / VCHAR / obs-text`.
fn is_qd_escapable(b: u8) -> bool {
    matches!(b, b'\t' | b' '..=0x7E | 0x80..=0xFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: Option<&[u8]>) -> Option<&str> {
        v.map(|v| core::str::from_utf8(v).unwrap())
    }

    type ProtoHost<'a> = (Option<&'a str>, Option<&'a str>);

    fn last(line: &str) -> Result<Option<ProtoHost<'_>>, ForwardedMalformed> {
        last_element(line.as_bytes()).map(|e| e.map(|e| (text(e.proto), text(e.host))))
    }

    #[test]
    fn the_right_most_element_counts() {
        // RFC 7239 §4's examples, and the hop the nearest proxy appended last.
        assert_eq!(
            last("for=192.0.2.43, for=198.51.100.17;by=203.0.113.60;proto=http;host=example.com"),
            Ok(Some((Some("http"), Some("example.com"))))
        );
        assert_eq!(
            last("proto=http;host=evil.com, proto=https;host=a.test"),
            Ok(Some((Some("https"), Some("a.test"))))
        );
        // Case-insensitive names; a quoted host with an IPv6 literal and a port.
        assert_eq!(
            last("For=\"[2001:db8:cafe::17]:4711\";PROTO=https;Host=\"[::1]:8443\""),
            Ok(Some((Some("https"), Some("[::1]:8443"))))
        );
        // A comma or semicolon inside a quoted-string does not split anything.
        assert_eq!(
            last("for=\"a,b;c\";host=x.test"),
            Ok(Some((None, Some("x.test"))))
        );
        // Empty pairs and empty list elements (RFC 9110 §5.6.1.2) are allowed.
        assert_eq!(last(";;host=a.test;, ,"), Ok(Some((None, Some("a.test")))));
        assert_eq!(last(""), Ok(None));
        // Unknown parameters are skipped, quoted-pairs allowed in them.
        assert_eq!(
            last("ext=\"a\\\"b\";proto=https"),
            Ok(Some((Some("https"), None)))
        );
    }

    #[test]
    fn malformed_lines_are_refused() {
        for bad in [
            "host=[::1]:80",           // `[` and `:` are not tchar: must be quoted
            "host=",                   // empty value
            "host",                    // no `=`
            "=x",                      // no name
            "host=a.test;host=b.test", // repeated parameter (§4)
            "proto=http;PROTO=https",  // repeated, names compared case-insensitively
            "for=a;for=b",
            "host=\"a.test",     // unterminated quoted-string
            "host=\"a\\.test\"", // a quoted-pair in host: not unescaped
            "for=x host=y",      // a space inside an element
            "host = a.test",     // no whitespace around `=`
            "for=\"\x01\"",      // a control in a quoted-string
            "for=x;proto=http\x00",
            "for=\"a\\\"", // escape at the end, no closing quote
        ] {
            assert_eq!(
                last_element(bad.as_bytes()),
                Err(ForwardedMalformed),
                "{bad:?}"
            );
        }
        // A malformed element anywhere hides where the right-most one starts.
        assert!(last_element(b"for=\"x, proto=https").is_err());
        assert!(last_element(b"for=x;;=y, proto=https").is_err());
    }
}
