//! Header fields: the zero-copy view of a parsed head, and RFC 7230 token and list rules.

/// One header field of a parsed head, borrowed from the bytes that were fed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// The field name as sent (compare with [`str::eq_ignore_ascii_case`]).
    pub name: &'a str,
    /// The field value with surrounding whitespace removed; may hold obs-text (non-ASCII).
    pub value: &'a [u8],
}

impl<'a> Header<'a> {
    /// The value as text, when it is valid UTF-8.
    pub fn value_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.value).ok()
    }
}

/// The header fields of a validated head, in the order they were sent.
///
/// Lookups are case-insensitive; repeated fields are kept, never merged.
///
/// ```
/// # use ws_handshake::{ServerConfig, ServerHandshake, Feed};
/// let config = ServerConfig::new();
/// let mut hs = ServerHandshake::new(&config);
/// let bytes = b"GET / HTTP/1.1\r\nHost: a\r\nX-Tag: one\r\nx-tag: two\r\n\r\n";
/// let Ok(Feed::Plain(req)) = hs.feed(bytes) else { panic!() };
/// assert_eq!(req.headers().get("X-TAG"), Some(&b"one"[..]));
/// assert_eq!(req.headers().get_all("x-tag").count(), 2);
/// assert_eq!(req.headers().iter().count(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headers<'a> {
    /// The header lines, each ending in CRLF, without the final empty line.
    block: &'a [u8],
}

impl<'a> Headers<'a> {
    /// `block` must be header lines already validated by httparse, each ending in CRLF.
    pub(crate) fn new(block: &'a [u8]) -> Self {
        Self { block }
    }

    /// Every header field, in order.
    pub fn iter(&self) -> HeaderIter<'a> {
        HeaderIter { rest: self.block }
    }

    /// The value of the first field named `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        self.get_all(name).next()
    }

    /// The values of every field named `name` (case-insensitive), in order.
    pub fn get_all<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a [u8]> + 'n
    where
        'a: 'n,
    {
        self.iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    }

    /// Whether a field named `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The elements of every `name` field taken as one comma-separated list (RFC 7230 §7),
    /// in order, trimmed, with empty elements skipped.
    pub fn list<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a [u8]> + 'n
    where
        'a: 'n,
    {
        self.get_all(name)
            .flat_map(split_list)
            .filter(|e| !e.is_empty())
    }
}

impl<'a> IntoIterator for Headers<'a> {
    type Item = Header<'a>;
    type IntoIter = HeaderIter<'a>;
    fn into_iter(self) -> HeaderIter<'a> {
        self.iter()
    }
}

/// Iterator over [`Headers`].
#[derive(Debug, Clone)]
pub struct HeaderIter<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for HeaderIter<'a> {
    type Item = Header<'a>;

    fn next(&mut self) -> Option<Header<'a>> {
        while !self.rest.is_empty() {
            let line_end = self.rest.windows(2).position(|w| w == b"\r\n");
            let (line, rest) = match line_end {
                Some(e) => (self.rest.get(..e)?, self.rest.get(e.saturating_add(2)..)?),
                None => (self.rest, &b""[..]),
            };
            self.rest = rest;
            let Some(colon) = line.iter().position(|&b| b == b':') else {
                continue; // cannot happen in a validated block; skip rather than panic
            };
            let (name, value) = line.split_at(colon);
            let name = core::str::from_utf8(name).unwrap_or("");
            let value = trim_ows(value.get(1..).unwrap_or_default());
            return Some(Header { name, value });
        }
        None
    }
}

/// RFC 7230 §3.2.6 `tchar`.
pub(crate) const fn is_tchar(b: u8) -> bool {
    // A shift and mask instead of a chain of range compares (hot in list parsing);
    // two 64-bit halves, as 128-bit shifts cost several instructions.
    let (half, bit) = if b < 64 {
        (TCHAR_MASK as u64, b)
    } else {
        ((TCHAR_MASK >> 64) as u64, b.wrapping_sub(64))
    };
    bit < 64 && (half >> bit) & 1 == 1
}

/// Bit `b` is set when ASCII byte `b` is a `tchar`.
const TCHAR_MASK: u128 = {
    let mut mask = 0u128;
    let mut b = 0u8;
    while b < 128 {
        if is_tchar_by_definition(b) {
            mask |= 1u128 << b;
        }
        b = b.wrapping_add(1);
    }
    mask
};

/// `tchar` exactly as RFC 7230 §3.2.6 spells it.
const fn is_tchar_by_definition(b: u8) -> bool {
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' |
        b'^' | b'_' | b'`' | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
}

/// RFC 7230 §3.2.6 `token`: one or more `tchar`.
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// Whether `b` may appear in a header value we write: VCHAR, SP, HTAB or obs-text.
/// Refusing CR, LF, NUL and other controls is what stops header injection.
pub(crate) const fn is_field_value_byte(b: u8) -> bool {
    matches!(b, b'\t' | b' '..=b'~' | 0x80..=0xff)
}

/// Whether `v` is a header value safe to write (see [`is_field_value_byte`]).
pub(crate) fn is_field_value(v: &[u8]) -> bool {
    v.iter().all(|&b| is_field_value_byte(b))
}

/// Removes optional whitespace (SP / HTAB) from both ends.
pub(crate) fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// Splits an RFC 7230 §7 list on commas, trimming each element (empty ones included).
pub(crate) fn split_list(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value.split(|&b| b == b',').map(trim_ows)
}

/// Whether the list contains `token`, compared case-insensitively (never by substring).
pub(crate) fn list_contains(value: &[u8], token: &str) -> bool {
    split_list(value).any(|e| e.eq_ignore_ascii_case(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_matching_is_by_element() {
        assert!(list_contains(b"keep-alive, Upgrade", "upgrade"));
        assert!(list_contains(b"Upgrade", "upgrade"));
        assert!(list_contains(b" ,upgrade ,", "upgrade"));
        assert!(!list_contains(b"upgrade-insecure", "upgrade"));
        assert!(!list_contains(b"keep-alive", "upgrade"));
        assert!(!list_contains(b"\"upgrade\"", "upgrade"));
    }

    #[test]
    fn iterates_lines() {
        let h = Headers::new(b"A: 1\r\nB:\t2 \r\nC:\r\n");
        let v: Vec<_> = h.iter().map(|h| (h.name, h.value)).collect();
        assert_eq!(v, [("A", &b"1"[..]), ("B", b"2"), ("C", b"")]);
    }

    #[test]
    fn tchar_mask_matches_the_definition() {
        for b in 0..=255u8 {
            assert_eq!(is_tchar(b), is_tchar_by_definition(b), "{b}");
        }
    }

    #[test]
    fn tokens() {
        assert!(is_token(b"chat.v2+json"));
        assert!(!is_token(b""));
        assert!(!is_token(b"a b"));
        assert!(!is_token(b"a,b"));
        assert!(!is_field_value(b"a\r\nb"));
        assert!(!is_field_value(b"a\0"));
        assert!(is_field_value(b"a\tb \xff"));
    }
}
