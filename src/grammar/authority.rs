//! The authority of RFC 3986 §3.2: `host [ ":" port ]` with reg-names, IPv4 and
//! IP-literals (IPv6address / IPvFuture), and the schemes' default ports. One grammar
//! for `Host`, `:authority`, allowed hosts, `Origin` and `ws` URLs.

use crate::grammar::bytes::ascii_table;

/// The default port of a scheme that may appear in an `Origin` or WebSocket URL.
pub(crate) fn default_port(scheme: &str) -> Option<u16> {
    let tls = if ["http", "ws"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(scheme))
    {
        false
    } else if ["https", "wss"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(scheme))
    {
        true
    } else {
        return None;
    };
    Some(default_port_tls(tls))
}

/// The default port over TLS (`https`, `wss`: 443) or not (`http`, `ws`: 80).
pub(crate) const fn default_port_tls(tls: bool) -> u16 {
    if tls {
        443
    } else {
        80
    }
}

/// Splits `host[:port]` (IPv6 literals in brackets), as [`split_authority_bytes`] does;
/// an empty port (`example.com:`) is no port, so the scheme's default (RFC 3986 §3.2.3).
pub(crate) fn split_host_port(s: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = split_host_port_bytes(s.as_bytes())?;
    // The host is always a prefix of `s`, ending before an ASCII byte.
    Some((s.get(..host.len())?, port))
}

/// [`split_host_port`] over bytes: what the request path checks, without a UTF-8 pass
/// (an accepted host is ASCII).
pub(crate) fn split_host_port_bytes(s: &[u8]) -> Option<(&[u8], Option<u16>)> {
    let (host, port) = split_authority_bytes(s)?;
    let port = match port {
        None | Some([]) => None, // `port = *DIGIT`: empty means the default
        Some(p) => Some(parse_port(p)?),
    };
    Some((host, port))
}

/// Splits an authority without userinfo, `host [ ":" port ]` (RFC 3986 §3.2.2–3.2.3),
/// into the host, validated, and the port text, not yet read (possibly empty).
///
/// The host is a non-empty reg-name (unreserved / pct-encoded / sub-delims bytes), or an
/// IP-literal: `[` IPv6address or IPvFuture `]`. The one grammar behind `Host` on the
/// server, the allowed-hosts list, `Origin` values and `ws://` URLs.
pub(crate) fn split_authority_bytes(s: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    let (host, rest) = if let [b'[', after @ ..] = s {
        let close = after.iter().position(|&b| b == b']')?;
        let inner = after.get(..close)?;
        if !is_ip_literal_inner(inner) {
            return None;
        }
        // `[`, the inner part, `]`.
        s.split_at_checked(close.checked_add(2)?)?
    } else {
        // One pass: the host is every reg-name byte up front (`:` is not one), then
        // nothing or `:port`.
        let len = s
            .iter()
            .position(|&b| !is_reg_name_byte(b))
            .unwrap_or(s.len());
        s.split_at_checked(len)?
    };
    match (host, rest) {
        ([], _) => None,
        (host, []) => Some((host, None)),
        (host, [b':', port @ ..]) => Some((host, Some(port))),
        _ => None,
    }
}

/// What RFC 3986 §3.2.2 allows between the brackets of an IP-literal:
/// `IPv6address / IPvFuture`.
pub(crate) fn is_ip_literal_inner(s: &[u8]) -> bool {
    is_ipv6_address(s) || is_ipv_future(s)
}

/// RFC 3986 §3.2.2 `IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )`
/// (the `v` in either case, as ABNF strings are).
fn is_ipv_future(s: &[u8]) -> bool {
    let [b'v' | b'V', rest @ ..] = s else {
        return false;
    };
    let Some(dot) = rest.iter().position(|&b| b == b'.') else {
        return false;
    };
    let Some((version, tail)) = rest.split_at_checked(dot) else {
        return false;
    };
    let address = tail.get(1..).unwrap_or_default();
    !version.is_empty()
        && version.iter().all(u8::is_ascii_hexdigit)
        && !address.is_empty()
        // unreserved / sub-delims are the reg-name bytes other than `%`.
        && address
            .iter()
            .all(|&b| b == b':' || (b != b'%' && is_reg_name_byte(b)))
}

/// RFC 3986 §3.2.2 `IPv6address`: eight 16-bit groups of one to four hex digits
/// separated by `:`, the last two possibly written as an IPv4address; or fewer groups
/// around one `::`, which stands for at least one zero group.
pub(crate) fn is_ipv6_address(s: &[u8]) -> bool {
    match s.windows(2).position(|w| w == b"::") {
        None => ipv6_groups(s) == Some(8),
        Some(at) => {
            let left = s.get(..at).unwrap_or_default();
            let right = s.get(at.saturating_add(2)..).unwrap_or_default();
            let count = |part: &[u8], ipv4_last: bool| match part {
                [] => Some(0),
                _ if ipv4_last => ipv6_groups(part),
                // An IPv4address may only end the address (ls32).
                _ if part.contains(&b'.') => None,
                _ => ipv6_groups(part),
            };
            let total = count(left, false).zip(count(right, true));
            total
                .and_then(|(l, r)| l.checked_add(r))
                .is_some_and(|n| n <= 7)
        }
    }
}

/// The number of 16-bit groups in `h16 *( ":" h16 )`, the last possibly an
/// IPv4address (two groups); `None` if it is not of that form.
fn ipv6_groups(s: &[u8]) -> Option<usize> {
    let mut groups = 0usize;
    let mut pieces = s.split(|&b| b == b':').peekable();
    while let Some(piece) = pieces.next() {
        let last = pieces.peek().is_none();
        let size = if last && piece.contains(&b'.') {
            is_ipv4_address(piece).then_some(2)?
        } else {
            let h16 = (1..=4).contains(&piece.len()) && piece.iter().all(u8::is_ascii_hexdigit);
            h16.then_some(1)?
        };
        groups = groups.checked_add(size)?;
    }
    Some(groups)
}

/// RFC 3986 §3.2.2 `IPv4address`: four dec-octets (0 to 255, no leading zero).
fn is_ipv4_address(s: &[u8]) -> bool {
    let mut octets = 0usize;
    for octet in s.split(|&b| b == b'.') {
        let ok = match octet {
            [d] => d.is_ascii_digit(),
            [b'1'..=b'9', d] => d.is_ascii_digit(),
            [b'1', a, b] => a.is_ascii_digit() && b.is_ascii_digit(),
            [b'2', b'0'..=b'4', d] => d.is_ascii_digit(),
            [b'2', b'5', b'0'..=b'5'] => true,
            _ => false,
        };
        if !ok {
            return false;
        }
        octets = octets.saturating_add(1);
    }
    octets == 4
}

/// RFC 3986 reg-name: unreserved / pct-encoded / sub-delims (one table load per byte).
fn is_reg_name_byte(b: u8) -> bool {
    REG_NAME.get(usize::from(b)).copied().unwrap_or(false)
}

/// Entry `b` says whether byte `b` may appear in a reg-name.
static REG_NAME: [bool; 256] = ascii_table!(is_reg_name_by_definition);

const fn is_reg_name_by_definition(b: u8) -> bool {
    matches!(b, b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'!'
        | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' | b'%')
}

/// `port = *DIGIT` (RFC 3986 §3.2.3), at least one digit, read as a number of at most
/// 65535: the value counts, not the length, so leading zeros (`000080`) are fine. Past
/// the zeros at most five digits are read, so any length costs one pass.
pub(crate) fn parse_port(digits: &[u8]) -> Option<u16> {
    let significant = digits
        .iter()
        .position(|&b| b != b'0')
        .map_or(&[][..], |at| digits.get(at..).unwrap_or_default());
    if digits.is_empty() || significant.len() > 5 {
        return None;
    }
    let mut n: u32 = 0;
    for &b in significant {
        let d = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        // At most five digits: no overflow.
        n = n.wrapping_mul(10).wrapping_add(u32::from(d));
    }
    u16::try_from(n).ok()
}

/// Whether a scheme is the secure (TLS) one: `https`/`wss` yes, `http`/`ws` no,
/// any other `None`.
pub(crate) fn scheme_security(scheme: &str) -> Option<bool> {
    default_port(scheme).map(|port| port == 443)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reg_name_bytes_are_rfc_3986s() {
        // unreserved, sub-delims and the `%` of pct-encoded (RFC 3986 §3.2.2, §2.3, §2.2).
        let allowed: Vec<u8> = (b'a'..=b'z')
            .chain(b'A'..=b'Z')
            .chain(b'0'..=b'9')
            .chain(*b"-._~!$&'()*+,;=%")
            .collect();
        for b in 0..=u8::MAX {
            assert_eq!(is_reg_name_byte(b), allowed.contains(&b), "{b:#x}");
        }
    }

    #[test]
    fn host_port_splitting_agrees_with_splitting_at_the_last_colon() {
        // The definition: host before the last `:`, all reg-name bytes; port after it.
        fn reference(s: &[u8]) -> Option<(&[u8], Option<u16>)> {
            let (host, port) = match s.iter().rposition(|&b| b == b':') {
                Some(c) if c + 1 == s.len() => (&s[..c], None), // empty port: the default
                Some(c) => (&s[..c], Some(parse_port(&s[c + 1..])?)),
                None => (s, None),
            };
            (!host.is_empty() && host.iter().all(|&b| is_reg_name_byte(b))).then_some((host, port))
        }
        // Every string of up to six bytes over this alphabet.
        let alphabet = b"a1:@%.";
        let mut level = vec![Vec::new()];
        let mut checked = 0;
        for _ in 0..=6 {
            for s in &level {
                let shown = String::from_utf8_lossy(s);
                assert_eq!(split_host_port_bytes(s), reference(s), "{shown:?}");
                checked += 1;
            }
            level = level
                .iter()
                .flat_map(|s| alphabet.iter().map(move |&b| [s.as_slice(), &[b]].concat()))
                .collect();
        }
        assert!(checked > 50_000);
    }

    #[test]
    fn host_port_splitting() {
        assert_eq!(split_host_port("a.b:80"), Some(("a.b", Some(80))));
        assert_eq!(split_host_port("[::1]"), Some(("[::1]", None)));
        // RFC 3986 §3.2.3: `port = *DIGIT`, empty meaning the scheme's default.
        assert_eq!(split_host_port("a:"), Some(("a", None)));
        assert_eq!(split_host_port("[::1]:"), Some(("[::1]", None)));
        assert_eq!(split_host_port("a::"), None);
        assert_eq!(split_host_port(":"), None);
        assert_eq!(split_host_port("a:99999"), None);
        assert_eq!(split_host_port(""), None);
        assert_eq!(split_host_port("a b"), None);
        assert_eq!(split_host_port("[zz]"), None);
        assert_eq!(split_host_port("a/b"), None);
        assert_eq!(split_host_port("[1.2.3.4]"), None);
        assert_eq!(split_host_port("[:::::]"), None);
        assert_eq!(split_host_port("[v1.a:b]:8"), Some(("[v1.a:b]", Some(8))));
    }

    /// RFC 3986 §3.2.2 `IPv6address`, written out as its nine alternatives over a
    /// small alphabet, against the crate's group-counting check.
    #[test]
    fn ipv6_addresses_follow_the_abnf() {
        fn h16s(s: &[u8]) -> Option<Vec<&[u8]>> {
            let pieces: Vec<&[u8]> = s.split(|&b| b == b':').collect();
            pieces
                .iter()
                .all(|p| (1..=4).contains(&p.len()) && p.iter().all(u8::is_ascii_hexdigit))
                .then_some(pieces)
        }
        // `n( h16 ":" ) ls32` for a suffix; `ls32 = h16 ":" h16 / IPv4address`.
        fn tail_with_ls32(s: &[u8], n: usize) -> bool {
            if let Some(c) = s.iter().rposition(|&b| b == b':') {
                if !s[c + 1..].contains(&b'.') {
                    return h16s(s).is_some_and(|p| p.len() == n + 2);
                }
                return is_ipv4_address(&s[c + 1..]) && h16s(&s[..c]).is_some_and(|p| p.len() == n);
            }
            n == 0 && is_ipv4_address(s)
        }
        fn reference(s: &[u8]) -> bool {
            let Some(at) = s.windows(2).position(|w| w == b"::") else {
                return tail_with_ls32(s, 6);
            };
            let (left, right) = (&s[..at], &s[at + 2..]);
            let left_n = if left.is_empty() {
                Some(0)
            } else {
                h16s(left).map(|p| p.len())
            };
            let Some(l) = left_n else { return false };
            // The alternatives after "::": 5..0 ( h16 ":" ) ls32, then h16, then nothing,
            // each with at most 4 - k, ..., 6 groups before.
            let with_ls32 = (0..=5).any(|k| l + k < 6 && tail_with_ls32(right, k));
            let with_h16 = l <= 6 && h16s(right).is_some_and(|p| p.len() == 1);
            let empty = l <= 7 && right.is_empty();
            with_ls32 || with_h16 || empty
        }
        let alphabet = b"0f:.1";
        let mut level = vec![Vec::new()];
        for _ in 0..=7 {
            for s in &level {
                assert_eq!(
                    is_ipv6_address(s),
                    reference(s),
                    "{:?}",
                    String::from_utf8_lossy(s)
                );
            }
            level = level
                .iter()
                .flat_map(|s| alphabet.iter().map(move |&b| [s.as_slice(), &[b]].concat()))
                .collect();
        }
        for ok in [
            "::",
            "::1",
            "1::",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:1.2.3.4",
            "::ffff:1.2.3.4",
            "1::1.2.3.4",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "fe80::1",
            "ABCD:ef01::",
            "1:2:3:4:5::255.255.255.255",
        ] {
            assert!(is_ipv6_address(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "",
            ":",
            ":::",
            ":::::",
            "1.2.3.4",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:8:9",
            "1::2::3",
            "1:2:3:4:5:6:7:8::",
            "::1:2:3:4:5:6:7:8",
            "12345::",
            "1.2.3.4::",
            "::256.1.1.1",
            "::01.1.1.1",
            "::1.2.3",
            ":1::",
            "1:::2",
            "g::",
            "1:2:3:4:5:6:7::1.2.3.4",
        ] {
            assert!(!is_ipv6_address(bad.as_bytes()), "{bad}");
        }
        assert!(is_ip_literal_inner(b"v1.x:y"));
        assert!(is_ip_literal_inner(b"VF.a!$&'()*+,;=-._~"));
        for bad in ["v.x", "v1.", "v1x", "vg.x", "v1.x%20", "v1.x/y", "1.2.3.4"] {
            assert!(!is_ip_literal_inner(bad.as_bytes()), "{bad}");
        }
    }
}
