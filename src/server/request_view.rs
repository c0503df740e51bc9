//! The request view: a parsed HTTP/1.1 request head, borrowed from the fed bytes.

use crate::grammar::token::trim_ows;
use crate::head::headers::Headers;
use crate::upgrade::{Http1, List, Transport};

/// A parsed HTTP/1.1 request head. Nothing is copied: every accessor borrows the
/// bytes that were fed.
///
/// A [`ServerFeed::Plain`](crate::ServerFeed::Plain) request is only known to be well-formed
/// HTTP; an [`UpgradeRequest`](crate::UpgradeRequest) (which dereferences to this)
/// has passed every rule of RFC 6455 §4.2.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    pub(crate) method: &'a str,
    pub(crate) target: &'a str,
    pub(crate) minor_version: u8,
    pub(crate) headers: Headers<'a>,
    pub(crate) leftover: &'a [u8],
}

impl<'a> Request<'a> {
    /// The method, e.g. `GET` (case-sensitive, RFC 7230 §3.1.1).
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The request-target as sent: `/chat?room=1`, or an absolute URI.
    pub fn target(&self) -> &'a str {
        self.target
    }

    /// The path of the target, without the query: `/chat`. For an absolute-form
    /// target (`ws://host/chat`), the part after the authority (`/` if empty).
    pub fn path(&self) -> &'a str {
        let t = self.target.split_once('?').map_or(self.target, |(p, _)| p);
        if t.starts_with('/') {
            return t; // origin-form; a "://" further on is part of the path
        }
        match t.split_once("://") {
            Some((_, rest)) => rest.find('/').and_then(|i| rest.get(i..)).unwrap_or("/"),
            None => t,
        }
    }

    /// The query, without the `?`, if the target has one.
    pub fn query(&self) -> Option<&'a str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// The HTTP minor version: `1` for HTTP/1.1 (and for a higher HTTP/1.x, which is
    /// read as HTTP/1.1, RFC 9110 §6.2), `0` for HTTP/1.0.
    pub fn minor_version(&self) -> u8 {
        self.minor_version
    }

    /// Every header field, in order; lookups are case-insensitive.
    pub fn headers(&self) -> Headers<'a> {
        self.headers
    }

    /// The value of the first header named `name` (case-insensitive), if it is UTF-8.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .get(name)
            .and_then(|v| core::str::from_utf8(v).ok())
    }

    /// The `Host` value.
    pub fn host(&self) -> Option<&'a str> {
        self.header("host")
    }

    /// The `Origin` value: sent by browsers, usually absent from other clients.
    pub fn origin(&self) -> Option<&'a str> {
        self.header("origin")
    }

    /// Every cookie of every `Cookie` header, as `(name, value)` in order (RFC 6265 §5.4).
    /// Pairs that are not UTF-8 or have no `=` are skipped.
    ///
    /// ```
    /// # use ws_handshake::{ServerConfig, ServerHandshake, ServerFeed};
    /// # let config = ServerConfig::new();
    /// # let mut hs = ServerHandshake::new(&config);
    /// let bytes = b"GET / HTTP/1.1\r\nHost: a\r\nCookie: session=abc123; theme=dark\r\n\r\n";
    /// let Ok(ServerFeed::Plain(req)) = hs.feed(bytes) else { panic!() };
    /// assert_eq!(req.cookie("theme"), Some("dark"));
    /// assert_eq!(req.cookies().count(), 2);
    /// ```
    pub fn cookies(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.headers
            .get_all("cookie")
            .flat_map(|v| v.split(|&b| b == b';'))
            .filter_map(|pair| {
                let pair = core::str::from_utf8(trim_ows(pair)).ok()?;
                let (name, value) = pair.split_once('=')?;
                let value = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(value);
                Some((name.trim(), value))
            })
    }

    /// The value of the first cookie named `name` (case-sensitive).
    pub fn cookie(&self, name: &str) -> Option<&'a str> {
        self.cookies().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The bytes that followed the head in the fed chunks, byte-exact: for an upgrade,
    /// the first WebSocket frames; for a plain request, its body or the next request.
    pub fn leftover(&self) -> &'a [u8] {
        self.leftover
    }
}

/// The HTTP/1.1 feed keeps no offered lists: they are read again from the head when
/// asked for, which keeps [`ServerFeed`](crate::ServerFeed) small (these accessors
/// are off the hot path).
impl<'a> Transport<'a> for Request<'a> {
    fn offered(self, list: List) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers.get_all(match list {
            List::Protocols => "sec-websocket-protocol",
            List::Extensions => "sec-websocket-extensions",
        })
    }
}

impl Http1 for Request<'_> {}
