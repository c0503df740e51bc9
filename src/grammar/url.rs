//! `ws://` and `wss://` URLs (RFC 6455 §3), parsed without copying.

use core::fmt;

use crate::error::{BuildError, UrlError};
use crate::grammar::authority::{default_port_tls, split_authority_bytes};
use crate::grammar::bytes::ascii_table;

/// A parsed `ws://` or `wss://` URL: where to dial, and what to send in the request.
///
/// Every part borrows the URL string; percent-encoding in the path and query is kept
/// exactly as written. The crate never dials: use [`host`](Self::host) and
/// [`port`](Self::port) to connect, and wrap the stream in TLS when [`tls`](Self::tls).
///
/// ```
/// use ws_handshake::WsUrl;
/// let url = WsUrl::parse("WSS://[::1]:8443/chat%20room?id=7")?;
/// assert!(url.tls());
/// assert_eq!((url.host(), url.port()), ("::1", 8443));
/// assert_eq!(url.host_header().to_string(), "[::1]:8443");
/// assert_eq!(url.resource().to_string(), "/chat%20room?id=7");
///
/// // The scheme's default port is left out of `Host` (RFC 6455 §3, RFC 7230 §5.4).
/// let url = WsUrl::parse("ws://example.com:80")?;
/// assert_eq!(url.host_header().to_string(), "example.com");
/// assert_eq!(url.resource().to_string(), "/");
/// # Ok::<(), ws_handshake::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WsUrl<'a> {
    tls: bool,
    /// As written; IPv6 literals keep their brackets.
    host: &'a str,
    port: u16,
    /// As written; may be empty (sent as `/`).
    path: &'a str,
    query: Option<&'a str>,
}

impl<'a> WsUrl<'a> {
    /// Parses `ws://host[:port][/path][?query]` or the same with `wss://`.
    ///
    /// # Errors
    /// [`BuildError::UrlInvalid`] naming the broken rule ([`UrlError`]).
    pub fn parse(url: &'a str) -> Result<Self, BuildError> {
        Ok(Self::parse_url(url)?)
    }

    fn parse_url(url: &'a str) -> Result<Self, UrlError> {
        // The scheme ends at the first ':' (a later "://" could only follow a scheme
        // that is neither `ws` nor `wss`).
        let (scheme, rest) = split_at_byte(url, b':')
            .and_then(|(scheme, rest)| Some((scheme, rest.strip_prefix("//")?)))
            .ok_or(UrlError::SchemeUnsupported)?;
        let tls = if scheme.eq_ignore_ascii_case("wss") {
            true
        } else if scheme.eq_ignore_ascii_case("ws") {
            false
        } else {
            return Err(UrlError::SchemeUnsupported);
        };
        if rest.bytes().any(|b| b == b'#') {
            return Err(UrlError::FragmentNotAllowed);
        }
        let authority_end = rest
            .bytes()
            .position(|b| b == b'/' || b == b'?')
            .unwrap_or(rest.len());
        let (authority, tail) = rest
            .split_at_checked(authority_end)
            .ok_or(UrlError::HostInvalid)?;
        if authority.bytes().any(|b| b == b'@') {
            return Err(UrlError::UserinfoNotAllowed);
        }
        let (host, port) = split_authority(authority)?;
        let port = match port {
            // `port = *DIGIT`: empty means the scheme's default (RFC 3986 §3.2.3).
            None | Some("") => default_port_tls(tls),
            Some(p) => parse_port(p)?,
        };
        if !is_path_and_query(tail.as_bytes()) {
            return Err(UrlError::CharacterInvalid);
        }
        let (path, query) = match split_at_byte(tail, b'?') {
            Some((p, q)) => (p, Some(q)),
            None => (tail, None),
        };
        Ok(Self {
            tls,
            host,
            port,
            path,
            query,
        })
    }

    /// Whether the URL is `wss://`: the caller must speak TLS to the server.
    pub fn tls(&self) -> bool {
        self.tls
    }

    /// The host to dial: a name, an IPv4 address, or an IPv6 address without brackets.
    pub fn host(&self) -> &'a str {
        self.host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(self.host)
    }

    /// The port to dial: the explicit one, or 80 for `ws` and 443 for `wss`.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The path as written, `/` when empty.
    pub fn path(&self) -> &'a str {
        if self.path.is_empty() {
            "/"
        } else {
            self.path
        }
    }

    /// The query without its `?`, if there is one (`Some("")` for a bare `?`).
    pub fn query(&self) -> Option<&'a str> {
        self.query
    }

    /// The resource name of the request line: path and query (RFC 6455 §3), the `?`
    /// only before a non-empty query.
    ///
    /// ```
    /// use ws_handshake::WsUrl;
    /// assert_eq!(WsUrl::parse("ws://h/?")?.resource().to_string(), "/");
    /// assert_eq!(WsUrl::parse("ws://h?a")?.resource().to_string(), "/?a");
    /// # Ok::<(), ws_handshake::BuildError>(())
    /// ```
    pub fn resource(&self) -> Resource<'a> {
        Resource {
            path: self.path(),
            // RFC 6455 §3: "If the query component is non-empty, a ? followed by it".
            query: self.query.filter(|q| !q.is_empty()),
        }
    }

    /// The `Host` header value: host, plus `:port` unless it is the scheme's default.
    pub fn host_header(&self) -> HostHeader<'a> {
        HostHeader {
            host: self.host,
            port: (self.port != default_port_tls(self.tls)).then_some(self.port),
        }
    }
}

/// The `Host` header value of a [`WsUrl`] (IPv6 literals bracketed); see [`WsUrl::host_header`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostHeader<'a> {
    pub(crate) host: &'a str,
    pub(crate) port: Option<u16>,
}

impl fmt::Display for HostHeader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

/// The resource name (path and query) of a [`WsUrl`]; see [`WsUrl::resource`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource<'a> {
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
}

impl fmt::Display for Resource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path)?;
        if let Some(query) = self.query {
            f.write_str("?")?;
            f.write_str(query)?;
        }
        Ok(())
    }
}

/// Splits an authority into its host (validated) and the raw port text, if any: the
/// grammar of `Host` on the server (RFC 3986 §3.2.2–3.2.3), one function for both.
fn split_authority(authority: &str) -> Result<(&str, Option<&str>), UrlError> {
    // The port text is not read here: a bad one is `PortInvalid`, not `HostInvalid`.
    let (host, port) = split_authority_bytes(authority.as_bytes()).ok_or(UrlError::HostInvalid)?;
    // Both parts end at ASCII bytes of `authority`, so these cuts are on boundaries.
    let host = authority.get(..host.len()).ok_or(UrlError::HostInvalid)?;
    let port = match port {
        None => None,
        Some(p) => Some(
            authority
                .get(authority.len().saturating_sub(p.len())..)
                .ok_or(UrlError::HostInvalid)?,
        ),
    };
    Ok((host, port))
}

/// Whether a path-and-query holds only what RFC 3986 §3.3–3.4 allows unencoded:
/// `pchar` (unreserved / pct-encoded / sub-delims / `:` / `@`), `/` and `?`.
fn is_path_and_query(s: &[u8]) -> bool {
    let plain = |b: &u8| PATH_QUERY.get(usize::from(*b)).copied().unwrap_or(false);
    // Most paths hold no escape: one scan of the table settles them.
    if s.iter().all(plain) {
        return true;
    }
    let mut bytes = s.iter();
    while let Some(&b) = bytes.next() {
        if b == b'%' {
            let hex = |d: Option<&u8>| d.is_some_and(u8::is_ascii_hexdigit);
            if !(hex(bytes.next()) && hex(bytes.next())) {
                return false;
            }
        } else if !plain(&b) {
            return false;
        }
    }
    true
}

/// Entry `b` says whether byte `b` may stand unencoded in a path or query (`%` apart).
static PATH_QUERY: [bool; 256] = ascii_table!(is_path_query_by_definition);

const fn is_path_query_by_definition(b: u8) -> bool {
    matches!(b, b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~'
        | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
        | b':' | b'@' | b'/' | b'?')
}

/// `s` split around the first `byte` (ASCII), like `split_once` without a pattern
/// searcher (URLs are short: a plain scan is cheaper).
fn split_at_byte(s: &str, byte: u8) -> Option<(&str, &str)> {
    let at = s.bytes().position(|b| b == byte)?;
    Some((s.get(..at)?, s.get(at.checked_add(1)?..)?))
}

/// Digits worth 1 to 65535 (port 0 cannot be dialled; leading zeros are fine).
fn parse_port(p: &str) -> Result<u16, UrlError> {
    crate::grammar::authority::parse_port(p.as_bytes())
        .filter(|&n| n != 0)
        .ok_or(UrlError::PortInvalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_parts() {
        let u = WsUrl::parse("ws://a.example:9001/x/y?z=1&w").unwrap();
        assert_eq!(
            (u.tls(), u.host(), u.port(), u.path(), u.query()),
            (false, "a.example", 9001, "/x/y", Some("z=1&w"))
        );
        let u = WsUrl::parse("ws://h?q").unwrap();
        assert_eq!(u.resource().to_string(), "/?q");
        assert_eq!(parse_port("65535"), Ok(65535));
        assert_eq!(parse_port("65536"), Err(UrlError::PortInvalid));
        assert_eq!(parse_port("+1"), Err(UrlError::PortInvalid));
    }
}
