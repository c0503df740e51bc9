//! The header fields of a parsed head: a zero-copy view borrowed from the fed bytes.

use crate::grammar::token::{split_list, trim_ows};

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
/// # use ws_handshake::{ServerConfig, ServerHandshake, ServerFeed};
/// let config = ServerConfig::new();
/// let mut hs = ServerHandshake::new(&config);
/// let bytes = b"GET / HTTP/1.1\r\nHost: a\r\nX-Tag: one\r\nx-tag: two\r\n\r\n";
/// let Ok(ServerFeed::Plain(req)) = hs.feed(bytes) else { panic!() };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iterates_lines() {
        let h = Headers::new(b"A: 1\r\nB:\t2 \r\nC:\r\n");
        let v: Vec<_> = h.iter().map(|h| (h.name, h.value)).collect();
        assert_eq!(v, [("A", &b"1"[..]), ("B", b"2"), ("C", b"")]);
    }
}
