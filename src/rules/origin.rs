//! Origin and Host policies: the defence against cross-site WebSocket hijacking
//! (RFC 6455 §10.2) and DNS rebinding.
//!
//! Browsers send `Origin` with every WebSocket handshake, and cookies with it. A server
//! that accepts any origin lets every web page the user visits open an authenticated
//! socket in the user's name. So the default policy, [`OriginPolicy::SameOrigin`],
//! only accepts an `Origin` whose host and port equal the request's `Host` (or the
//! absolute-form target's authority), and its scheme too when the transport is known.
//! Requests without `Origin` come from non-browser clients and are allowed unless
//! [`ServerConfig::require_origin`](crate::ServerConfig::require_origin) is set.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::error::{BuildError, Error, OriginPart};
use crate::grammar::authority::{default_port, default_port_tls, scheme_security, split_host_port};

/// A caller's origin check: given the `Origin` value and the `Host` value, allow or not.
pub type OriginPredicate = Box<dyn Fn(&str, &str) -> bool + Send + Sync>;

/// Which `Origin` values a server accepts.
#[derive(Default)]
#[non_exhaustive]
pub enum OriginPolicy {
    /// Any origin. **Dangerous** for servers that rely on cookies or other ambient
    /// credentials: any web page can then connect in the user's name.
    Any,
    /// The origin's host and port must equal the request's effective authority (the
    /// default): `Host`, or the request-target's authority when the target is in
    /// absolute-form (RFC 9112 §3.2.2). A missing port is the scheme's default.
    ///
    /// When the scheme the server is reached with is known, the origin's scheme must
    /// match it too: `https`/`wss` for a server reached over TLS, `http`/`ws`
    /// otherwise, and a missing port means 443 or 80 accordingly. The scheme is known
    /// when the caller names the transport
    /// ([`ServerHandshake::with_tls`](crate::ServerHandshake::with_tls)), from an absolute-form
    /// target's scheme, and from an extended CONNECT's `:scheme`. When it is not
    /// known, the scheme is not compared and a missing `Host` port means the
    /// origin scheme's default port, so `http://example.com` and
    /// `https://example.com` both pass for `Host: example.com`.
    ///
    /// A refusal is [`Error::OriginMismatch`] naming the first part that differs
    /// (scheme, host, port). Behind a reverse proxy the caller trusts
    /// ([`ServerHandshake::with_trusted_proxy`](crate::ServerHandshake::with_trusted_proxy)),
    /// the server's origin is the one the proxy forwards.
    #[default]
    SameOrigin,
    /// The origin must match one of these (scheme, host and port compared).
    AllowList(Vec<AllowedOrigin>),
    /// A caller predicate, given the `Origin` value and the effective authority: the
    /// `Host` value, or the request-target's authority for an absolute-form target
    /// (behind a trusted proxy, the forwarded `host` when there is one).
    Custom(OriginPredicate),
}

impl fmt::Debug for OriginPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("Any"),
            Self::SameOrigin => f.write_str("SameOrigin"),
            Self::AllowList(list) => f.debug_tuple("AllowList").field(list).finish(),
            Self::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}

impl OriginPolicy {
    /// An allow-list from origin strings such as `https://example.com` or
    /// `https://*.example.com:8443`.
    ///
    /// ```
    /// use ws_handshake::OriginPolicy;
    /// let policy = OriginPolicy::allow_list(["https://example.com", "https://*.example.org"]).unwrap();
    /// assert!(policy.allows("https://EXAMPLE.com:443", "ws.example.com"));
    /// assert!(policy.allows("https://a.example.org", "ws.example.com"));
    /// assert!(!policy.allows("http://example.com", "ws.example.com"));
    /// assert!(!policy.allows("https://example.org", "ws.example.com"));
    /// ```
    ///
    /// # Errors
    /// [`BuildError::OriginInvalid`] if an entry is not `scheme://host[:port]`.
    pub fn allow_list<I, S>(origins: I) -> Result<Self, BuildError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let list = origins
            .into_iter()
            .map(|o| AllowedOrigin::parse(o.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::AllowList(list))
    }

    /// Whether `origin` (an `Origin` header value) is allowed for a request to `host`
    /// (its `Host` header value), the transport not being known: see
    /// [`SameOrigin`](Self::SameOrigin).
    pub fn allows(&self, origin: &str, host: &str) -> bool {
        let server = || ServerOrigin::of_authority(host, None).ok_or(Error::OriginRejected);
        self.check(origin, server).is_ok()
    }

    /// The verdict on `origin` (ASCII). `server` gives the server's own origin; it is
    /// asked for only by the policies that compare with it (`SameOrigin`, `Custom`),
    /// so a forwarded origin is formed only when it matters.
    pub(crate) fn check<'s>(
        &self,
        origin: &str,
        server: impl FnOnce() -> Result<ServerOrigin<'s>, Error>,
    ) -> Result<(), Error> {
        let allowed = match self {
            Self::Any => true,
            Self::SameOrigin => {
                let server = server()?;
                let origin = Origin::parse(origin).ok_or(Error::OriginRejected)?;
                return same_origin(&origin, &server).map_err(Error::OriginMismatch);
            }
            Self::AllowList(list) => {
                list.iter().any(|a| a.is_exactly(origin.as_bytes()))
                    || Origin::parse(origin).is_some_and(|o| list.iter().any(|a| a.matches(&o)))
            }
            Self::Custom(f) => f(origin, server()?.authority),
        };
        if allowed {
            Ok(())
        } else {
            Err(Error::OriginRejected)
        }
    }
}

/// The server's own origin, as the client reached it: what
/// [`OriginPolicy::SameOrigin`] compares an `Origin` with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ServerOrigin<'a> {
    /// The authority as received (`Host`, the target's, or a trusted proxy's
    /// forwarded one): what a [`OriginPolicy::Custom`] predicate is given.
    pub(crate) authority: &'a str,
    pub(crate) host: &'a str,
    /// `None`: the scheme's default.
    pub(crate) port: Option<u16>,
    /// `Some(true)`: `https`/`wss`; `Some(false)`: `http`/`ws`; `None`: not known.
    pub(crate) secure: Option<bool>,
}

impl<'a> ServerOrigin<'a> {
    /// The origin of a server reached at `authority` (`host[:port]`).
    pub(crate) fn of_authority(authority: &'a str, secure: Option<bool>) -> Option<Self> {
        let (host, port) = split_host_port(authority)?;
        Some(Self {
            authority,
            host,
            port,
            secure,
        })
    }
}

impl OriginPolicy {
    /// Whether `origin` (raw bytes) is allowed for certain without looking further:
    /// `Any`, or an exact allow-list entry (which is ASCII, so a match is too).
    pub(crate) fn allows_at_once(&self, origin: &[u8]) -> bool {
        match self {
            Self::Any => true,
            Self::AllowList(list) => list.iter().any(|a| a.is_exactly(origin)),
            Self::SameOrigin | Self::Custom(_) => false,
        }
    }
}

/// A serialized origin (RFC 6454 §6.2), split and with its port made explicit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Origin<'a> {
    scheme: &'a str,
    host: &'a str,
    port: u16,
}

impl<'a> Origin<'a> {
    /// `scheme "://" host [ ":" port ]`, nothing after. `null` and opaque origins yield `None`.
    fn parse(s: &'a str) -> Option<Self> {
        let (scheme, rest) = s.split_once("://")?;
        Self::parse_parts(scheme, rest)
    }

    fn parse_parts(scheme: &'a str, rest: &'a str) -> Option<Self> {
        let scheme_ok = |b: u8| b.is_ascii_alphanumeric() || b"+-.".contains(&b);
        if scheme.is_empty() || !scheme.bytes().all(scheme_ok) {
            return None;
        }
        let (host, port) = split_host_port(rest)?;
        let port = match port {
            Some(p) => p,
            None => default_port(scheme)?,
        };
        Some(Self { scheme, host, port })
    }
}

/// Same-origin check: the `Origin`'s host equals the server's (case-insensitively)
/// and the ports are equal. With the server's scheme known, the origin's scheme must
/// be of the same security and a missing server port is that scheme's default;
/// without, a missing server port means the origin scheme's default. The first part
/// that differs, in the order scheme, host, port.
fn same_origin(o: &Origin<'_>, server: &ServerOrigin<'_>) -> Result<(), OriginPart> {
    let default = match server.secure {
        None => default_port(o.scheme),
        Some(secure) if scheme_security(o.scheme) == Some(secure) => Some(default_port_tls(secure)),
        Some(_) => return Err(OriginPart::Scheme),
    };
    if !o.host.eq_ignore_ascii_case(server.host) {
        return Err(OriginPart::Host);
    }
    if server.port.or(default) != Some(o.port) {
        return Err(OriginPart::Port);
    }
    Ok(())
}

/// One allow-list entry: a scheme, a host or `*.suffix` pattern, and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedOrigin {
    scheme: String,
    /// The host, or the `.suffix` of a `*.suffix` pattern.
    host: String,
    wildcard: bool,
    port: u16,
    /// For an exact entry, its RFC 6454 serialization (`scheme://host[:port]`, default
    /// port omitted): what browsers send, so most checks are one comparison.
    serialized: Option<String>,
}

impl AllowedOrigin {
    /// Parses `scheme://host[:port]`, where host may be `*.example.com` (any subdomain,
    /// not the bare domain). The default port of `http`/`https` is filled in.
    ///
    /// # Errors
    /// [`BuildError::OriginInvalid`] if it is not of that form.
    pub fn parse(s: &str) -> Result<Self, BuildError> {
        let (scheme, rest) = s.split_once("://").ok_or(BuildError::OriginInvalid)?;
        let (wildcard, rest) = match rest.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let o = Origin::parse_parts(scheme, rest).ok_or(BuildError::OriginInvalid)?;
        let mut host = String::new();
        if wildcard {
            host.push('.');
        }
        host.push_str(&o.host.to_ascii_lowercase());
        let scheme = scheme.to_ascii_lowercase();
        let serialized = (!wildcard).then(|| {
            let mut s = alloc::format!("{scheme}://{host}");
            if default_port(&scheme) != Some(o.port) {
                s.push_str(&alloc::format!(":{}", o.port));
            }
            s
        });
        Ok(Self {
            scheme,
            host,
            wildcard,
            port: o.port,
            serialized,
        })
    }

    /// The quick check: `origin` is this entry's serialization (case-insensitively).
    fn is_exactly(&self, origin: &[u8]) -> bool {
        self.serialized
            .as_deref()
            // Browsers send origins in lowercase, as serialized: try the plain compare first.
            .is_some_and(|s| s.as_bytes() == origin || s.as_bytes().eq_ignore_ascii_case(origin))
    }

    fn matches(&self, o: &Origin<'_>) -> bool {
        let host_ok = if self.wildcard {
            o.host.len() > self.host.len()
                && o.host
                    .get(o.host.len().saturating_sub(self.host.len())..)
                    .is_some_and(|tail| tail.eq_ignore_ascii_case(&self.host))
        } else {
            o.host.eq_ignore_ascii_case(&self.host)
        };
        host_ok && o.port == self.port && o.scheme.eq_ignore_ascii_case(&self.scheme)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(origin: &str, host: &str, secure: Option<bool>) -> Result<(), OriginPart> {
        let server = ServerOrigin::of_authority(host, secure).unwrap();
        same_origin(&Origin::parse(origin).ok_or(OriginPart::Scheme)?, &server)
    }

    #[test]
    fn a_mismatch_names_the_part_that_differs() {
        // RFC 6454 §5: scheme, host and port, compared in that order.
        assert_eq!(
            check("http://a.test", "a.test", Some(true)),
            Err(OriginPart::Scheme)
        );
        assert_eq!(
            check("https://b.test", "a.test", Some(true)),
            Err(OriginPart::Host)
        );
        assert_eq!(
            check("https://a.test:8443", "a.test", Some(true)),
            Err(OriginPart::Port)
        );
        assert_eq!(
            check("https://a.test", "a.test:8443", None),
            Err(OriginPart::Port)
        );
        assert_eq!(check("https://A.test:443", "a.test", Some(true)), Ok(()));
    }

    #[test]
    fn same_origin_normalises_ports_and_case() {
        let same_origin = |origin, host| check(origin, host, None).is_ok();
        assert!(same_origin("http://127.0.0.1:9001", "127.0.0.1:9001"));
        assert!(same_origin("https://Example.com", "example.com"));
        assert!(same_origin("https://example.com", "example.com:443"));
        assert!(same_origin("http://[::1]:8080", "[::1]:8080"));
        assert!(!same_origin("http://example.com", "example.com:8080"));
        assert!(!same_origin("http://evil.com", "example.com"));
        assert!(!same_origin("http://example.com.evil.com", "example.com"));
        assert!(!same_origin("null", "example.com"));
        assert!(!same_origin("http://example.com/", "example.com"));
    }

    #[test]
    fn same_origin_compares_the_scheme_when_known() {
        let check = |origin, host, secure| check(origin, host, secure).is_ok();
        assert!(check("https://example.com", "example.com", Some(true)));
        assert!(check("wss://example.com:443", "example.com", Some(true)));
        assert!(check(
            "https://example.com:8443",
            "example.com:8443",
            Some(true)
        ));
        assert!(!check("http://example.com", "example.com", Some(true)));
        assert!(!check("http://example.com:443", "example.com", Some(true)));
        assert!(!check(
            "http://example.com:8443",
            "example.com:8443",
            Some(true)
        ));
        assert!(check("http://example.com", "example.com", Some(false)));
        assert!(!check("https://example.com", "example.com", Some(false)));
        assert!(!check("https://example.com:80", "example.com", Some(false)));
        // Unknown: today's rule, the Host port defaults to the origin scheme's.
        assert!(check("http://example.com", "example.com", None));
        assert!(check("https://example.com", "example.com", None));
        assert_eq!(scheme_security("WSS"), Some(true));
        assert_eq!(scheme_security("http"), Some(false));
        assert_eq!(scheme_security("ftp"), None);
    }

    #[test]
    fn allow_list_patterns() {
        let p =
            OriginPolicy::allow_list(["https://*.example.com", "http://localhost:3000"]).unwrap();
        assert!(p.allows("https://a.example.com", "x"));
        assert!(p.allows("https://a.b.example.com:443", "x"));
        assert!(!p.allows("https://example.com", "x"));
        assert!(!p.allows("https://aexample.com", "x"));
        assert!(!p.allows("http://a.example.com", "x"));
        assert!(p.allows("http://LOCALHOST:3000", "x"));
        assert!(!p.allows("http://localhost", "x"));
        // The serialized fast path and the full parse agree.
        let p = OriginPolicy::allow_list(["HTTP://Example.com:80", "https://a.test:8443"]).unwrap();
        for ok in [
            "http://example.com",
            "http://EXAMPLE.com",
            "http://example.com:80",
            "https://a.test:8443",
        ] {
            assert!(p.allows(ok, "x"), "{ok}");
        }
        for bad in [
            "http://example.com:8080",
            "https://example.com",
            "https://a.test",
            "http://example.com/",
        ] {
            assert!(!p.allows(bad, "x"), "{bad}");
        }
        assert!(OriginPolicy::allow_list(["example.com"]).is_err());
        assert!(OriginPolicy::allow_list(["https://"]).is_err());
        assert!(OriginPolicy::allow_list(["ftp://example.com"]).is_err());
    }
}
