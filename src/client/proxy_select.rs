//! Which proxy a `ws`/`wss` URL goes through: explicit settings, or the environment
//! read the way curl reads it, then `NO_PROXY`.
//!
//! The rules live in pure functions over the variables' values
//! ([`ProxySettings::from_vars`]); [`ProxySettings::from_env`] (the `std` feature)
//! only hands them `std::env::var`. Nothing is dialled: [`ProxySettings::select`]
//! returns the [`ProxyUrl`] to connect to, or `None` for a direct connection.
//!
//! # The environment (curl's `detect_proxy` and `Curl_check_noproxy`)
//! - For a `ws://` target: `ws_proxy`, `WS_PROXY`, `http_proxy`, then `all_proxy`,
//!   `ALL_PROXY`. For `wss://`: `wss_proxy`, `WSS_PROXY`, `https_proxy`,
//!   `HTTPS_PROXY`, `all_proxy`, `ALL_PROXY`. The first variable with a value
//!   decides; an empty one counts as unset, as curl's `curl_getenv` returns it (Go's
//!   and Python's readers agree), so `http_proxy=` falls through to `ALL_PROXY`.
//! - Upper-case `HTTP_PROXY` is never read, as curl never reads it ("httpoxy",
//!   CVE-2016-5385): under CGI, a request's `Proxy:` header reaches the program as the
//!   variable `HTTP_PROXY`, so any client could pick the proxy a server-side program
//!   sends its requests through. The lower-case name cannot be set that way.
//! - `no_proxy`, or `NO_PROXY` when it is unset or empty, lists the hosts reached directly
//!   ([`no_proxy_matches`]); it applies to explicit settings too.
//!
//! # Proxy URLs
//! `[scheme://][user[:password]@]host[:port][/]` with `http` (the default, a
//! `CONNECT` tunnel, [`ProxyTunnel`](crate::proxy::ProxyTunnel)), `socks5` (the client
//! resolves the target) or `socks5h` (the proxy does), both through a
//! [`Socks5Tunnel`](crate::socks5::Socks5Tunnel). Without a port: 1080, curl's default for
//! every proxy kind. The user and password are percent-decoded (RFC 3986 §2.1), so
//! `p%40ss` is `p@ss`.
//!
//! ```
//! use ws_handshake::WsUrl;
//! use ws_handshake::proxy::{ProxyScheme, ProxySettings};
//!
//! // What a shell with these variables would give (from_env() reads the real ones).
//! let vars = [
//!     ("https_proxy", "socks5h://alice:s%40cret@proxy.corp:1080"),
//!     ("http_proxy", "http://proxy.corp:3128"),
//!     ("NO_PROXY", "localhost, .internal, 10.0.0.0/8, ci.example.com:8080"),
//! ];
//! let settings = ProxySettings::from_vars(|name| {
//!     vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
//! });
//!
//! let url = WsUrl::parse("wss://chat.example.com/ws")?;
//! let proxy = settings.select(&url)?.expect("through the proxy");
//! assert_eq!(proxy.scheme(), ProxyScheme::Socks5h);
//! assert_eq!((proxy.host(), proxy.port()), ("proxy.corp", 1080));
//! assert_eq!((proxy.user(), proxy.password()), (Some("alice"), Some("s@cret")));
//!
//! let url = WsUrl::parse("ws://build.internal/ws")?; // a NO_PROXY suffix
//! assert!(settings.select(&url)?.is_none());
//! let url = WsUrl::parse("ws://ci.example.com:8080/")?; // that port only
//! assert!(settings.select(&url)?.is_none());
//! let url = WsUrl::parse("ws://ci.example.com:9000/")?;
//! assert_eq!(settings.select(&url)?.map(|p| p.port()), Some(3128));
//! # Ok::<(), ws_handshake::BuildError>(())
//! ```

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::net::IpAddr;

use crate::client::auth::Basic;
use crate::client::proxy::ProxyConfig;
use crate::client::socks5::Socks5Config;
use crate::error::{BuildError, ProxyUrlError};
use crate::grammar::authority::{parse_port, split_host_port};
use crate::grammar::url::WsUrl;

/// The port of a proxy URL without one: curl's default for every kind of proxy.
const DEFAULT_PROXY_PORT: u16 = 1080;

/// How the client talks to a proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyScheme {
    /// `http://`: an HTTP `CONNECT` tunnel (RFC 9110 §9.3.6), [`ProxyTunnel`](crate::proxy::ProxyTunnel).
    Http,
    /// `socks5://`: SOCKS5 (RFC 1928) to an address the client resolved,
    /// [`Socks5Tunnel::resolved`](crate::socks5::Socks5Tunnel::resolved).
    Socks5,
    /// `socks5h://`: SOCKS5 with the name resolved by the proxy,
    /// [`Socks5Tunnel::remote`](crate::socks5::Socks5Tunnel::remote).
    Socks5h,
}

/// A parsed proxy URL: `[scheme://][user[:password]@]host[:port][/]`.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    scheme: ProxyScheme,
    host: String,
    port: u16,
    user: Option<String>,
    password: Option<String>,
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The password stays out of logs.
        f.debug_struct("ProxyUrl")
            .field("scheme", &self.scheme)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl ProxyUrl {
    /// Parses a proxy URL; without a scheme it is `http`, without a port 1080.
    ///
    /// ```
    /// use ws_handshake::BuildError;
    /// use ws_handshake::proxy::{ProxyScheme, ProxyUrl, ProxyUrlError};
    /// let p = ProxyUrl::parse("socks5://[::1]:9050")?;
    /// assert_eq!((p.scheme(), p.host(), p.port()), (ProxyScheme::Socks5, "::1", 9050));
    /// let p = ProxyUrl::parse("proxy.corp")?;
    /// assert_eq!((p.scheme(), p.port()), (ProxyScheme::Http, 1080));
    /// let bad = |s| ProxyUrl::parse(s).unwrap_err();
    /// assert_eq!(bad("https://proxy:443"), BuildError::ProxyUrlInvalid(ProxyUrlError::SchemeUnsupported));
    /// assert_eq!(bad("http://u:p%0d%0a@proxy"), BuildError::ProxyUrlInvalid(ProxyUrlError::UserinfoInvalid));
    /// assert_eq!(bad("http://pro\r\nxy"), BuildError::ProxyUrlInvalid(ProxyUrlError::HostInvalid));
    /// # Ok::<(), BuildError>(())
    /// ```
    ///
    /// # Errors
    /// [`BuildError::ProxyUrlInvalid`]: an unsupported scheme (`https`, `socks4`...),
    /// a path, an invalid host or port, or a user or password that is badly
    /// percent-encoded, not UTF-8 once decoded, or holds a control character
    /// (CR, LF, NUL... which could end up in a `Proxy-Authorization` field).
    pub fn parse(s: &str) -> Result<Self, BuildError> {
        Self::parse_inner(s).map_err(BuildError::ProxyUrlInvalid)
    }

    fn parse_inner(s: &str) -> Result<Self, ProxyUrlError> {
        let (scheme, rest) = match s.split_once("://") {
            Some((name, rest)) => (scheme_named(name)?, rest),
            None => (ProxyScheme::Http, s),
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#']) {
            return Err(ProxyUrlError::PathNotAllowed);
        }
        let (userinfo, authority) = match rest.rsplit_once('@') {
            Some((u, a)) => (Some(u), a),
            None => (None, rest),
        };
        let (host, port) = split_host_port(authority).ok_or(if authority.is_empty() {
            ProxyUrlError::HostInvalid
        } else {
            host_or_port_error(authority)
        })?;
        if port == Some(0) {
            return Err(ProxyUrlError::PortInvalid);
        }
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let (user, password) = match userinfo {
            None => (None, None),
            Some(u) => match u.split_once(':') {
                Some((user, password)) => (Some(decode(user)?), Some(decode(password)?)),
                None => (Some(decode(u)?), None),
            },
        };
        Ok(Self {
            scheme,
            host: host.to_string(),
            port: port.unwrap_or(DEFAULT_PROXY_PORT),
            user,
            password,
        })
    }

    /// How to talk to the proxy.
    pub fn scheme(&self) -> ProxyScheme {
        self.scheme
    }

    /// The host to dial: a name, an IPv4 address, or an IPv6 address without brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port to dial.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The user, percent-decoded.
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The password, percent-decoded.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// For an `http` proxy: a [`ProxyConfig`] sending the user and password, if
    /// any, as `Proxy-Authorization: Basic` (RFC 7617; no password is an empty one).
    ///
    /// # Errors
    /// [`BuildError::ProxyUrlInvalid`] with [`ProxyUrlError::UserinfoInvalid`] if
    /// Basic cannot carry them (RFC 7617 §2).
    pub fn http_config(&self) -> Result<ProxyConfig, BuildError> {
        let config = ProxyConfig::new();
        match &self.user {
            None => Ok(config),
            Some(user) => {
                let basic = Basic::new(user, self.password.as_deref().unwrap_or_default())
                    .map_err(|_| BuildError::ProxyUrlInvalid(ProxyUrlError::UserinfoInvalid))?;
                Ok(config.basic_auth(basic))
            }
        }
    }

    /// For a `socks5`/`socks5h` proxy: a [`Socks5Config`] offering the user and
    /// password, if any (RFC 1929).
    ///
    /// # Errors
    /// [`BuildError::CredentialsInvalid`] if a user is given with no password, or
    /// either is longer than 255 bytes (RFC 1929 §2).
    pub fn socks5_config(&self) -> Result<Socks5Config, BuildError> {
        match &self.user {
            None => Ok(Socks5Config::new()),
            Some(user) => {
                Socks5Config::new().credentials(user, self.password.as_deref().unwrap_or_default())
            }
        }
    }
}

fn scheme_named(name: &str) -> Result<ProxyScheme, ProxyUrlError> {
    [
        ("http", ProxyScheme::Http),
        ("socks5", ProxyScheme::Socks5),
        ("socks5h", ProxyScheme::Socks5h),
    ]
    .into_iter()
    .find(|(n, _)| n.eq_ignore_ascii_case(name))
    .map(|(_, scheme)| scheme)
    .ok_or(ProxyUrlError::SchemeUnsupported)
}

/// Which part of an authority `split_host_port` refused.
fn host_or_port_error(authority: &str) -> ProxyUrlError {
    let port = match authority.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map(|(_, after)| after),
        None => authority.rsplit_once(':').map(|(_, p)| p),
    };
    match port.and_then(|p| p.strip_prefix(':').or(Some(p))) {
        Some(p) if !p.is_empty() && parse_port(p.as_bytes()).is_none() => {
            ProxyUrlError::PortInvalid
        }
        _ => ProxyUrlError::HostInvalid,
    }
}

/// RFC 3986 §2.1 percent-decoding; the result must be UTF-8 without controls.
fn decode(s: &str) -> Result<String, ProxyUrlError> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex = |d: Option<u8>| d.and_then(|d| char::from(d).to_digit(16));
            let (Some(hi), Some(lo)) = (hex(bytes.next()), hex(bytes.next())) else {
                return Err(ProxyUrlError::UserinfoInvalid);
            };
            // Two hex digits: at most 0xff.
            out.push(u8::try_from(hi.wrapping_mul(16).wrapping_add(lo)).unwrap_or(0));
        } else {
            out.push(b);
        }
    }
    let s = String::from_utf8(out).map_err(|_| ProxyUrlError::UserinfoInvalid)?;
    if s.chars().any(char::is_control) {
        return Err(ProxyUrlError::UserinfoInvalid);
    }
    Ok(s)
}

/// Where a `ws` or `wss` URL's connection goes: explicit proxies, those of the
/// environment, and the `NO_PROXY` list. The default goes direct.
///
/// ```
/// use ws_handshake::WsUrl;
/// use ws_handshake::proxy::ProxySettings;
/// // One proxy for every target, like curl's --proxy, except the NO_PROXY hosts.
/// let settings = ProxySettings::new().proxy("socks5://127.0.0.1:1080")?.no_proxy("localhost");
/// let url = WsUrl::parse("ws://localhost:9001/")?;
/// assert!(settings.select(&url)?.is_none());
/// # Ok::<(), ws_handshake::BuildError>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxySettings {
    /// The proxy for `ws://` targets; `Some("")` means none.
    ws: Option<String>,
    /// The proxy for `wss://` targets; `Some("")` means none.
    wss: Option<String>,
    no_proxy: Option<String>,
}

impl fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The proxies as parsed, whose Debug leaves the password out (RFC 3986 §3.2.1);
        // never the raw strings, which hold it.
        // `Some(Ok(None))`: set to none.
        let parsed = |setting: &Option<String>| {
            setting.as_deref().map(|url| match url {
                "" => Ok(None),
                url => ProxyUrl::parse(url).map(Some),
            })
        };
        f.debug_struct("ProxySettings")
            .field("ws", &parsed(&self.ws))
            .field("wss", &parsed(&self.wss))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

impl ProxySettings {
    /// No proxy: every connection goes direct.
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses `url` for every target (curl's `--proxy`); an empty string means none.
    ///
    /// # Errors
    /// [`BuildError::ProxyUrlInvalid`] (see [`ProxyUrl::parse`]).
    pub fn proxy(self, url: &str) -> Result<Self, BuildError> {
        self.ws_proxy(url)?.wss_proxy(url)
    }

    /// Uses `url` for `ws://` targets; an empty string means none.
    ///
    /// # Errors
    /// [`BuildError::ProxyUrlInvalid`] (see [`ProxyUrl::parse`]).
    pub fn ws_proxy(mut self, url: &str) -> Result<Self, BuildError> {
        self.ws = Some(checked(url)?);
        Ok(self)
    }

    /// Uses `url` for `wss://` targets; an empty string means none.
    ///
    /// # Errors
    /// [`BuildError::ProxyUrlInvalid`] (see [`ProxyUrl::parse`]).
    pub fn wss_proxy(mut self, url: &str) -> Result<Self, BuildError> {
        self.wss = Some(checked(url)?);
        Ok(self)
    }

    /// Hosts reached directly, in `NO_PROXY` syntax ([`no_proxy_matches`]).
    pub fn no_proxy(mut self, list: &str) -> Self {
        self.no_proxy = Some(list.to_string());
        self
    }

    /// The settings the variables describe, read by `var` (the value of a variable,
    /// or `None` when it is unset; an empty value counts as unset too), with curl's
    /// rules (see the module documentation). Proxy URLs are checked when [`select`](Self::select) needs
    /// them, as curl does: a bad `https_proxy` fails `wss` targets only.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let first = |names: &[&str]| {
            names
                .iter()
                .find_map(|name| var(name).filter(|value| !value.is_empty()))
        };
        Self {
            // Never `HTTP_PROXY`: see the module documentation (httpoxy).
            ws: first(&[
                "ws_proxy",
                "WS_PROXY",
                "http_proxy",
                "all_proxy",
                "ALL_PROXY",
            ]),
            wss: first(&[
                "wss_proxy",
                "WSS_PROXY",
                "https_proxy",
                "HTTPS_PROXY",
                "all_proxy",
                "ALL_PROXY",
            ]),
            no_proxy: first(&["no_proxy", "NO_PROXY"]),
        }
    }

    /// [`from_vars`](Self::from_vars) over this process's environment (a value
    /// that is not Unicode counts as unset).
    #[cfg(feature = "std")]
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// The proxy `url`'s connection goes through, or `None` to connect directly.
    ///
    /// # Errors
    /// [`BuildError::ProxyUrlInvalid`] if the proxy that applies is not a valid
    /// proxy URL (only possible for settings read from the environment).
    pub fn select(&self, url: &WsUrl<'_>) -> Result<Option<ProxyUrl>, BuildError> {
        let setting = if url.tls() { &self.wss } else { &self.ws };
        let Some(setting) = setting.as_deref().filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        let bypass = self
            .no_proxy
            .as_deref()
            .is_some_and(|list| no_proxy_matches(list, url.host(), url.port()));
        if bypass {
            return Ok(None);
        }
        ProxyUrl::parse(setting).map(Some)
    }
}

fn checked(url: &str) -> Result<String, BuildError> {
    if !url.is_empty() {
        ProxyUrl::parse(url)?;
    }
    Ok(url.to_string())
}

/// Whether a `NO_PROXY` list names `host` (a name or an IP address, IPv6 with or
/// without brackets) on `port`.
///
/// - Entries are separated by commas, with spaces or tabs around them skipped; as in
///   curl, blanks that no comma follows end the list (`a b, c` names `a` only). A
///   list that is exactly `*` matches every host (a `*` among other entries, or with
///   blanks around it, is no wildcard).
/// - A name matches itself and its subdomains, case-insensitively: `example.com`
///   matches `example.com` and `www.example.com`, not `notexample.com`; a leading
///   dot (`.example.com`) and a trailing one are ignored. No other wildcards.
/// - An IP address matches the same address, or a CIDR block (`10.0.0.0/8`,
///   `fe80::/10`); IPv6 entries may be bracketed (`[::1]`). A name never matches an
///   address, nor the other way round (nothing is resolved).
/// - An entry with a port (`example.com:8080`, `[::1]:9001`) matches that port only;
///   one without matches every port. curl ignores such entries; Go's and Python's
///   readers match them as here.
///
/// ```
/// use ws_handshake::proxy::no_proxy_matches;
/// assert!(no_proxy_matches(".example.com, 10.0.0.0/8", "api.example.com", 443));
/// assert!(no_proxy_matches("localhost,10.0.0.0/8", "10.1.2.3", 80));
/// assert!(no_proxy_matches("[::1]:9001", "::1", 9001));
/// assert!(!no_proxy_matches("[::1]:9001", "::1", 9002));
/// assert!(!no_proxy_matches("example.com", "notexample.com", 80));
/// ```
pub fn no_proxy_matches(list: &str, host: &str, port: u16) -> bool {
    if list == "*" {
        return true;
    }
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let host = host.strip_suffix('.').unwrap_or(host);
    let ip: Option<IpAddr> = host.parse().ok();
    entries(list).filter(|e| !e.is_empty()).any(|entry| {
        let Some((entry, entry_port)) = split_entry(entry) else {
            return false;
        };
        if entry_port.is_some_and(|p| p != port) {
            return false;
        }
        match ip {
            Some(ip) => ip_matches(entry, ip),
            None => name_matches(entry, host),
        }
    })
}

/// The entries of a `NO_PROXY` list as curl's `Curl_check_noproxy` reads them: each
/// ends at a comma, space or tab; blanks around it are skipped; blanks that no comma
/// follows end the list.
fn entries(list: &str) -> impl Iterator<Item = &str> {
    const BLANKS: [char; 2] = [' ', '\t'];
    let mut rest = Some(list);
    core::iter::from_fn(move || {
        let list = rest.take()?.trim_start_matches(BLANKS);
        let end = list.find([' ', '\t', ',']).unwrap_or(list.len());
        let (entry, after) = list.split_at_checked(end)?;
        rest = after
            .trim_start_matches(BLANKS)
            .strip_prefix(',')
            .map(|after| after.trim_start_matches(','));
        Some(entry)
    })
}

/// An entry's host (or CIDR block) and port; `None` for an unreadable port.
fn split_entry(entry: &str) -> Option<(&str, Option<u16>)> {
    let port = |p: &str| match p {
        "" => Some(None),
        p => parse_port(p.as_bytes()).map(Some),
    };
    if let Some(v6) = entry.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        return match after.strip_prefix(':') {
            Some(p) => Some((host, port(p)?)),
            None if after.is_empty() => Some((host, None)),
            None => None,
        };
    }
    // Two colons or more: an unbracketed IPv6 address, no port.
    match entry.split_once(':') {
        Some((host, p)) if !p.contains(':') => Some((host, port(p)?)),
        _ => Some((entry, None)),
    }
}

fn name_matches(entry: &str, host: &str) -> bool {
    let entry = entry.strip_prefix('.').unwrap_or(entry);
    let entry = entry.strip_suffix('.').unwrap_or(entry);
    let Some(split) = host.len().checked_sub(entry.len()) else {
        return false;
    };
    let Some((head, tail)) = host.split_at_checked(split) else {
        return false;
    };
    !entry.is_empty()
        && tail.eq_ignore_ascii_case(entry)
        && (head.is_empty() || head.ends_with('.'))
}

fn ip_matches(entry: &str, ip: IpAddr) -> bool {
    let (addr, bits) = match entry.split_once('/') {
        Some((a, b)) => match b.parse::<u32>() {
            Ok(bits) => (a, Some(bits)),
            Err(_) => return false,
        },
        None => (entry, None),
    };
    match (addr.parse::<IpAddr>(), ip) {
        (Ok(IpAddr::V4(net)), IpAddr::V4(ip)) => prefix_eq(
            u32::from(net).into(),
            u32::from(ip).into(),
            bits.unwrap_or(32),
            32,
        ),
        (Ok(IpAddr::V6(net)), IpAddr::V6(ip)) => {
            prefix_eq(u128::from(net), u128::from(ip), bits.unwrap_or(128), 128)
        }
        _ => false,
    }
}

/// Whether the first `bits` of two `width`-bit numbers agree; more bits than the
/// width never match (curl refuses such an entry).
fn prefix_eq(a: u128, b: u128, bits: u32, width: u32) -> bool {
    let Some(shift) = width.checked_sub(bits) else {
        return false;
    };
    a.checked_shr(shift).unwrap_or(0) == b.checked_shr(shift).unwrap_or(0)
}
