//! Redirects of a refused handshake: resolving `Location` (RFC 9110 §10.2.2) as a
//! URI reference (RFC 3986 §5.2–5.3) against the URL of the handshake it answered.
//!
//! RFC 6455 §4.1 lets a client follow a 3xx; whether to is the caller's decision
//! (browsers do not; Python `websockets` follows up to 10). Each hop is a new
//! connection and a new [`ClientHandshake`](crate::ClientHandshake) with a fresh key.
//! Credentials and custom fields go along only to the [`same_origin`].
//!
//! [`is_redirect`] says whether a status is one; a [`RedirectPolicy`] resolves a
//! `Location` (or says why not: [`RedirectError`]), and a [`Redirects`] chain adds the
//! hop limit ([`DEFAULT_MAX_REDIRECTS`] by default) and loop detection.
//!
//! ```
//! use ws_handshake::WsUrl;
//! use ws_handshake::redirect::{same_origin, RedirectPolicy};
//! let here = WsUrl::parse("wss://example.com/app/chat?room=1")?;
//! let mut buf = String::new();
//! let next = RedirectPolicy::new().resolve(&here, "../v2/chat", &mut buf)?;
//! assert!(same_origin(&here, &next)); // keep Authorization, cookies...
//! assert_eq!(buf, "wss://example.com/v2/chat");
//!
//! let mut buf = String::new();
//! let next = RedirectPolicy::new().resolve(&here, "https://cdn.example.net:8443/ws", &mut buf)?;
//! assert_eq!((next.tls(), next.host(), next.port()), (true, "cdn.example.net", 8443));
//! assert!(!same_origin(&here, &next)); // drop them
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;

use crate::client::Refusal;
use crate::error::UrlError;
use crate::grammar::url::WsUrl;

/// Why a redirect cannot be followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RedirectError {
    /// The status is not 301, 302, 303, 307 or 308 (RFC 9110 §15.4; 300 and 304
    /// name no single target, 305 and 306 are deprecated or unused).
    #[error("status {status} is not a redirect")]
    NotRedirect {
        /// The refusal's status.
        status: u16,
    },
    /// The redirect has no `Location` field, RFC 9110 §10.2.2.
    #[error("the redirect has no Location")]
    LocationMissing,
    /// `Location` is not a URI reference (RFC 3986 §4.1): not UTF-8, or a scheme
    /// with characters a scheme cannot hold.
    #[error("Location is not a URI reference")]
    LocationInvalid,
    /// The target's scheme is not `ws`, `wss`, `http` or `https` (RFC 6455 §3
    /// defines only the first two; `http` maps to `ws` and `https` to `wss`).
    #[error("Location names a scheme other than ws, wss, http or https")]
    SchemeUnsupported,
    /// A redirect from `wss` to `ws` (or `http`): it would send the handshake, and
    /// everything after it, in clear. Refused unless
    /// [`dangerous_allow_downgrade`](RedirectPolicy::dangerous_allow_downgrade).
    #[error("redirect from wss to ws refused")]
    Downgrade,
    /// The resolved target is not a valid WebSocket URL (RFC 6455 §3): userinfo, a
    /// bad host or port, a byte that must be percent-encoded...
    #[error("Location resolves to an invalid URL: {0}")]
    TargetInvalid(UrlError),
    /// One redirect more than [`RedirectPolicy::max_redirects`] allows.
    #[error("more than {limit} redirects")]
    TooManyRedirects {
        /// The limit.
        limit: usize,
    },
    /// The target is a URL this chain already tried: following would never end.
    #[error("redirect loop: the target was already visited")]
    Loop,
}

/// Whether `status` is a redirect with a single target: 301, 302, 303, 307 or 308
/// (RFC 9110 §15.4.2–15.4.4, §15.4.8–15.4.9).
pub fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Whether two URLs have the same origin (RFC 6454 §5: scheme, host, port), the
/// test for keeping credentials and custom fields across a redirect.
///
/// `Authorization`, `Cookie` and any field the caller added were meant for the
/// origin they were configured for: send them after a redirect only when this is
/// true, so that a redirect cannot make the client leak them to another host (or to
/// the same host in clear). Hosts compare case-insensitively (RFC 3986 §6.2.2.1);
/// the default port counts as written (`ws://h` and `ws://h:80` are the same origin).
pub fn same_origin(a: &WsUrl<'_>, b: &WsUrl<'_>) -> bool {
    a.tls() == b.tls() && a.port() == b.port() && a.host().eq_ignore_ascii_case(b.host())
}

/// How redirects are resolved and followed. The default refuses a downgrade from
/// `wss` to `ws` and follows at most [`DEFAULT_MAX_REDIRECTS`] in a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedirectPolicy {
    allow_downgrade: bool,
    max_redirects: usize,
}

/// How many redirects a [`Redirects`] chain follows by default: 5 (Python
/// `websockets` follows 10, browsers none).
pub const DEFAULT_MAX_REDIRECTS: usize = 5;

impl Default for RedirectPolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl RedirectPolicy {
    /// Refuses downgrades; at most [`DEFAULT_MAX_REDIRECTS`] per chain.
    pub const fn new() -> Self {
        Self {
            allow_downgrade: false,
            max_redirects: DEFAULT_MAX_REDIRECTS,
        }
    }

    /// The most redirects a [`Redirects`] chain follows; one more is
    /// [`RedirectError::TooManyRedirects`]. 0 follows none.
    pub const fn max_redirects(mut self, limit: usize) -> Self {
        self.max_redirects = limit;
        self
    }

    /// A chain of redirects starting at `first`: the hop limit, loop detection and
    /// which hops may carry credentials, for a caller that dials each hop itself
    /// (blocking or async alike: the chain does no I/O).
    pub fn chain(&self, first: &WsUrl<'_>) -> Redirects {
        Redirects {
            policy: *self,
            first: Visited::of(first),
            visited: alloc::vec![Visited::of(first)],
            same_origin: true,
        }
    }

    /// Allows a redirect from `wss` to `ws`: the rest of the connection then runs
    /// without TLS, readable and changeable by anyone on the path.
    pub const fn dangerous_allow_downgrade(mut self, allow: bool) -> Self {
        self.allow_downgrade = allow;
        self
    }

    /// The target of a redirecting [`Refusal`] of the handshake for `base`, written
    /// into `out` (cleared first) and parsed from there.
    ///
    /// ```
    /// use ws_handshake::{ClientConfig, ClientFeed, ClientHandshake, ClientKey, WsUrl};
    /// use ws_handshake::redirect::RedirectPolicy;
    /// let config = ClientConfig::new();
    /// let url = WsUrl::parse("ws://example.com/old")?;
    /// let mut handshake = ClientHandshake::new(&config, url, ClientKey::from_nonce([7; 16]));
    /// let response = b"HTTP/1.1 308 Permanent Redirect\r\nLocation: /new?x=1\r\n\r\n";
    /// let Ok(ClientFeed::Refused(refusal)) = handshake.feed(response) else { panic!() };
    /// let mut buf = String::new();
    /// let next = RedirectPolicy::new().follow(&url, &refusal, &mut buf)?;
    /// assert_eq!(next.resource().to_string(), "/new?x=1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`RedirectError::NotRedirect`], [`RedirectError::LocationMissing`], or any
    /// error of [`resolve`](Self::resolve).
    pub fn follow<'b>(
        &self,
        base: &WsUrl<'_>,
        refusal: &Refusal<'_>,
        out: &'b mut String,
    ) -> Result<WsUrl<'b>, RedirectError> {
        if !is_redirect(refusal.status()) {
            return Err(RedirectError::NotRedirect {
                status: refusal.status(),
            });
        }
        let location = refusal
            .headers()
            .get("location")
            .ok_or(RedirectError::LocationMissing)?;
        let location =
            core::str::from_utf8(location).map_err(|_| RedirectError::LocationInvalid)?;
        self.resolve(base, location, out)
    }

    /// Resolves `location`, an absolute or relative reference, against `base`
    /// (RFC 3986 §5.2.2 strict, with §5.2.3 merge and §5.2.4 dot-segment removal),
    /// maps `http` to `ws` and `https` to `wss`, and writes the target into `out`
    /// (cleared first). A fragment is dropped: a WebSocket URL has none (RFC 6455 §3).
    /// Nothing is percent-encoded: a byte that needs it makes the target invalid.
    ///
    /// # Errors
    /// [`RedirectError::LocationInvalid`], [`RedirectError::SchemeUnsupported`],
    /// [`RedirectError::Downgrade`] or [`RedirectError::TargetInvalid`].
    pub fn resolve<'b>(
        &self,
        base: &WsUrl<'_>,
        location: &str,
        out: &'b mut String,
    ) -> Result<WsUrl<'b>, RedirectError> {
        let r = Reference::parse(location)?;
        let tls = match r.scheme {
            None => base.tls(),
            Some(s) if s.eq_ignore_ascii_case("ws") || s.eq_ignore_ascii_case("http") => false,
            Some(s) if s.eq_ignore_ascii_case("wss") || s.eq_ignore_ascii_case("https") => true,
            Some(_) => return Err(RedirectError::SchemeUnsupported),
        };
        if base.tls() && !tls && !self.allow_downgrade {
            return Err(RedirectError::Downgrade);
        }
        out.clear();
        out.push_str(if tls { "wss://" } else { "ws://" });
        let query;
        if r.scheme.is_some() || r.authority.is_some() {
            // A scheme without an authority (`http:x`) names no host (RFC 6455 §3).
            let authority = r
                .authority
                .ok_or(RedirectError::TargetInvalid(UrlError::HostInvalid))?;
            out.push_str(authority);
            let start = out.len();
            remove_dot_segments(r.path, out, start);
            query = r.query;
        } else {
            let _ = write!(out, "{}", base.host_header());
            let start = out.len();
            if r.path.is_empty() {
                out.push_str(base.path());
                query = r.query.or(base.query());
            } else if r.path.starts_with('/') {
                remove_dot_segments(r.path, out, start);
                query = r.query;
            } else {
                // §5.2.3 merge: the base path up to its last '/', then the reference.
                let base_path = base.path();
                let dir = base_path
                    .rfind('/')
                    .and_then(|i| base_path.get(..=i))
                    .unwrap_or("/");
                let mut merged = String::with_capacity(dir.len().saturating_add(r.path.len()));
                merged.push_str(dir);
                merged.push_str(r.path);
                remove_dot_segments(&merged, out, start);
                query = r.query;
            }
        }
        if let Some(q) = query {
            out.push('?');
            out.push_str(q);
        }
        WsUrl::parse(out).map_err(|e| match e {
            crate::BuildError::UrlInvalid(u) => RedirectError::TargetInvalid(u),
            _ => RedirectError::TargetInvalid(UrlError::CharacterInvalid),
        })
    }
}

/// A URL as a chain compares it: scheme, host (lower case), port, path and query.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Visited {
    tls: bool,
    host: String,
    port: u16,
    resource: String,
}

impl Visited {
    fn of(url: &WsUrl<'_>) -> Self {
        Self {
            tls: url.tls(),
            host: url.host().to_ascii_lowercase(),
            port: url.port(),
            resource: url.resource().to_string(),
        }
    }

    fn same_origin(&self, other: &Self) -> bool {
        (self.tls, &self.host, self.port) == (other.tls, &other.host, other.port)
    }
}

/// A chain of redirects, from [`RedirectPolicy::chain`]: each
/// [`follow`](Self::follow) resolves one hop with the policy, counts it against
/// [`RedirectPolicy::max_redirects`] and refuses a target already visited. It also
/// tracks whether credentials may still go along: only while every hop kept the
/// first URL's origin; once one left it they are dropped for good (as curl does),
/// even if a later hop comes back.
///
/// ```
/// use ws_handshake::{ClientConfig, ClientFeed, ClientHandshake, ClientKey, WsUrl};
/// use ws_handshake::redirect::{RedirectError, RedirectPolicy};
///
/// let first = WsUrl::parse("ws://example.com/a")?;
/// let mut chain = RedirectPolicy::new().max_redirects(3).chain(&first);
/// let mut current = String::from("ws://example.com/a");
/// let responses: [&[u8]; 3] = [
///     b"HTTP/1.1 307 Temporary Redirect\r\nLocation: /b\r\n\r\n",
///     b"HTTP/1.1 302 Found\r\nLocation: ws://cdn.example.net/c\r\n\r\n",
///     b"HTTP/1.1 301 Moved Permanently\r\nLocation: ws://example.com/a\r\n\r\n",
/// ];
/// let mut credentials = Vec::new();
/// for (hop, response) in responses.iter().enumerate() {
///     credentials.push(chain.credentials_allowed()); // Authorization for this hop?
///     let config = ClientConfig::new();
///     let url = WsUrl::parse(&current)?; // dial it, then the handshake:
///     let mut handshake = ClientHandshake::new(&config, url, ClientKey::from_nonce([7; 16]));
///     let Ok(ClientFeed::Refused(refusal)) = handshake.feed(response) else { panic!() };
///     let mut next = String::new();
///     match chain.follow(&url, &refusal, &mut next) {
///         Ok(_) => current = next,
///         Err(e) => {
///             assert_eq!((hop, e), (2, RedirectError::Loop)); // back to /a
///             break;
///         }
///     }
/// }
/// assert_eq!(credentials, [true, true, false]); // dropped once the origin changed
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Redirects {
    policy: RedirectPolicy,
    first: Visited,
    /// Every URL of the chain so far, the first one included: at most
    /// `max_redirects + 1`.
    visited: Vec<Visited>,
    same_origin: bool,
}

impl Redirects {
    /// The redirects followed so far.
    pub fn hops(&self) -> usize {
        self.visited.len().saturating_sub(1)
    }

    /// Whether the next hop may carry credentials and custom fields: every URL of
    /// the chain so far has the first one's origin ([`same_origin`]).
    pub fn credentials_allowed(&self) -> bool {
        self.same_origin
    }

    /// Follows a redirecting [`Refusal`] of the handshake for `base` (the chain's
    /// latest URL): the target is written into `out` and parsed from there, as
    /// [`RedirectPolicy::follow`] does, then counted and recorded.
    ///
    /// # Errors
    /// [`RedirectError::TooManyRedirects`] past the limit, [`RedirectError::Loop`]
    /// for a URL already visited, or, checked first, any error of
    /// [`RedirectPolicy::follow`]. The chain is unchanged by an error.
    pub fn follow<'b>(
        &mut self,
        base: &WsUrl<'_>,
        refusal: &Refusal<'_>,
        out: &'b mut String,
    ) -> Result<WsUrl<'b>, RedirectError> {
        // The policy first: a refusal that is no redirect says so, even at the limit.
        let next = self.policy.follow(base, refusal, out)?;
        if self.hops() >= self.policy.max_redirects {
            return Err(RedirectError::TooManyRedirects {
                limit: self.policy.max_redirects,
            });
        }
        let visited = Visited::of(&next);
        if self.visited.contains(&visited) {
            return Err(RedirectError::Loop);
        }
        self.same_origin = self.same_origin && self.first.same_origin(&visited);
        self.visited.push(visited);
        Ok(next)
    }
}

/// The five parts of a URI reference (RFC 3986 Appendix B), fragment left out.
struct Reference<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
}

impl<'a> Reference<'a> {
    fn parse(s: &'a str) -> Result<Self, RedirectError> {
        // `^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?`
        let s = s.split('#').next().unwrap_or_default();
        let (scheme, rest) = match s.find([':', '/', '?']) {
            Some(i) if s.as_bytes().get(i) == Some(&b':') && i > 0 => {
                let scheme = s.get(..i).unwrap_or_default();
                // RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
                let valid = scheme.bytes().enumerate().all(|(k, b)| {
                    b.is_ascii_alphabetic()
                        || (k > 0 && (b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.')))
                });
                if !valid {
                    return Err(RedirectError::LocationInvalid);
                }
                (
                    Some(scheme),
                    s.get(i.saturating_add(1)..).unwrap_or_default(),
                )
            }
            _ => (None, s),
        };
        let (authority, rest) = match rest.strip_prefix("//") {
            Some(after) => {
                let end = after.find(['/', '?']).unwrap_or(after.len());
                let (a, r) = after.split_at_checked(end).unwrap_or((after, ""));
                (Some(a), r)
            }
            None => (None, rest),
        };
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        Ok(Self {
            scheme,
            authority,
            path,
            query,
        })
    }
}

/// RFC 3986 §5.2.4: appends `input` to `out` with its `.` and `..` segments
/// removed; `out[start..]` is the path written so far (a `..` never climbs above it).
fn remove_dot_segments(mut input: &str, out: &mut String, start: usize) {
    fn pop_segment(out: &mut String, start: usize) {
        let cut = out
            .get(start..)
            .and_then(|p| p.rfind('/'))
            .map_or(start, |i| start.saturating_add(i));
        out.truncate(cut);
    }
    while !input.is_empty() {
        if let Some(rest) = input
            .strip_prefix("../")
            .or_else(|| input.strip_prefix("./"))
        {
            input = rest; // A
        } else if input.starts_with("/./") {
            input = input.get(2..).unwrap_or_default(); // B: "/./x" -> "/x"
        } else if input == "/." {
            input = "/";
        } else if input.starts_with("/../") {
            input = input.get(3..).unwrap_or_default(); // C: "/../x" -> "/x"
            pop_segment(out, start);
        } else if input == "/.." {
            input = "/";
            pop_segment(out, start);
        } else if input == "." || input == ".." {
            input = ""; // D
        } else {
            // E: the first segment, with its leading '/', moves to the output.
            let from = usize::from(input.starts_with('/'));
            let end = input
                .get(from..)
                .and_then(|s| s.find('/'))
                .map_or(input.len(), |i| i.saturating_add(from));
            let (segment, rest) = input.split_at_checked(end).unwrap_or((input, ""));
            out.push_str(segment);
            input = rest;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(base: &str, r: &str) -> Result<String, RedirectError> {
        let base = WsUrl::parse(base).unwrap();
        let mut out = String::new();
        RedirectPolicy::new().resolve(&base, r, &mut out)?;
        Ok(out)
    }

    /// RFC 3986 §5.4.1 and §5.4.2, base `http://a/b/c/d;p?q` read as `ws://a/b/c/d;p?q`.
    #[test]
    fn rfc3986_examples() {
        let base = "ws://a/b/c/d;p?q";
        for (r, want) in [
            ("g", "ws://a/b/c/g"),
            ("./g", "ws://a/b/c/g"),
            ("g/", "ws://a/b/c/g/"),
            ("/g", "ws://a/g"),
            ("//g", "ws://g"),
            ("?y", "ws://a/b/c/d;p?y"),
            ("g?y", "ws://a/b/c/g?y"),
            ("#s", "ws://a/b/c/d;p?q"),
            ("g#s", "ws://a/b/c/g"),
            (";x", "ws://a/b/c/;x"),
            ("g;x?y#s", "ws://a/b/c/g;x?y"),
            ("", "ws://a/b/c/d;p?q"),
            (".", "ws://a/b/c/"),
            ("./", "ws://a/b/c/"),
            ("..", "ws://a/b/"),
            ("../", "ws://a/b/"),
            ("../g", "ws://a/b/g"),
            ("../..", "ws://a/"),
            ("../../", "ws://a/"),
            ("../../g", "ws://a/g"),
            // §5.4.2 abnormal examples
            ("../../../g", "ws://a/g"),
            ("../../../../g", "ws://a/g"),
            ("/./g", "ws://a/g"),
            ("/../g", "ws://a/g"),
            ("g.", "ws://a/b/c/g."),
            (".g", "ws://a/b/c/.g"),
            ("g..", "ws://a/b/c/g.."),
            ("..g", "ws://a/b/c/..g"),
            ("./../g", "ws://a/b/g"),
            ("./g/.", "ws://a/b/c/g/"),
            ("g/./h", "ws://a/b/c/g/h"),
            ("g/../h", "ws://a/b/c/h"),
            ("g;x=1/./y", "ws://a/b/c/g;x=1/y"),
            ("g;x=1/../y", "ws://a/b/c/y"),
            ("g?y/./x", "ws://a/b/c/g?y/./x"),
            ("g#s/../x", "ws://a/b/c/g"),
        ] {
            assert_eq!(resolve(base, r).as_deref(), Ok(want), "{r}");
        }
    }
}
