//! Which HTTP proxy the client example uses: `--proxy`, or the environment read the
//! way curl reads it. Runtime glue, not part of the sans-IO crate; tested by
//! `tests/proxy_env.rs`.
//!
//! # The rules (curl's, `lib/url.c` `detect_proxy` and `lib/noproxy.c`)
//! - `--proxy URL` wins over the environment (curl's `-x`).
//! - Otherwise, for a `ws://` target: `ws_proxy`, `WS_PROXY`, then `http_proxy`
//!   (lower case only: a CGI script gets the request's `Proxy:` header as
//!   `HTTP_PROXY`, the "httpoxy" hole, so curl ignores `HTTP_PROXY`), then
//!   `all_proxy`, `ALL_PROXY`. For `wss://`: `wss_proxy`, `WSS_PROXY`, `https_proxy`,
//!   `HTTPS_PROXY`, `all_proxy`, `ALL_PROXY`. The first variable that is set
//!   decides; set but empty means no proxy.
//! - A proxy is `[http://][user:pass@]host[:port][/]`; without a port, 1080 (curl's
//!   default). Other schemes (`https://`, `socks5://`...) are refused: this example
//!   speaks plain HTTP to the proxy. The userinfo is taken as written (no
//!   percent-decoding); `--proxy-user USER:PASS` overrides it.
//! - `no_proxy` (or, when unset, `NO_PROXY`) lists hosts reached directly, for
//!   `--proxy` too:
//!   - entries are separated by commas and/or whitespace; `*` alone matches every host;
//!   - a name matches itself and its subdomains, case-insensitively: `example.com`
//!     matches `example.com` and `www.example.com`, not `notexample.com`; a leading
//!     dot is ignored (`.example.com` is the same entry), so is a trailing one;
//!   - an IP address matches the same address, or a CIDR block (`10.0.0.0/8`,
//!     `fe80::/10`); IPv6 entries are written without brackets, as curl wants them;
//!   - ports play no part: the target's is ignored, and an entry with one
//!     (`host:8080`) never matches (curl does the same).

use std::net::IpAddr;

/// An HTTP proxy to tunnel through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    pub host: String,
    pub port: u16,
    /// `user:pass`, from the proxy URL or `--proxy-user`.
    pub user_pass: Option<String>,
}

impl Proxy {
    /// Parses `[http://][user:pass@]host[:port][/]`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let rest = match s.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some((scheme, _)) => {
                return Err(format!(
                    "proxy scheme {scheme}:// is not supported (http:// only)"
                ))
            }
            None => s,
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#']) {
            return Err(format!("a proxy URL has no path: {s}"));
        }
        let (user_pass, authority) = match rest.rsplit_once('@') {
            Some((u, a)) => (Some(u.to_string()), a),
            None => (None, rest),
        };
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or("unclosed [ in the proxy")?;
            (host, after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        if host.is_empty() {
            return Err(format!("no host in the proxy {s}"));
        }
        let port = match port {
            None | Some("") => 1080,
            Some(p) => p
                .parse()
                .ok()
                .filter(|&p| p != 0)
                .ok_or(format!("bad proxy port {p}"))?,
        };
        Ok(Self {
            host: host.to_string(),
            port,
            user_pass,
        })
    }
}

/// The proxy setting for a `ws` (`tls` false) or `wss` target, from `env`.
/// `Some("")` is "set but empty": no proxy.
pub fn proxy_from_env(tls: bool, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let names: &[&str] = if tls {
        &[
            "wss_proxy",
            "WSS_PROXY",
            "https_proxy",
            "HTTPS_PROXY",
            "all_proxy",
            "ALL_PROXY",
        ]
    } else {
        &[
            "ws_proxy",
            "WS_PROXY",
            "http_proxy",
            "all_proxy",
            "ALL_PROXY",
        ]
    };
    names.iter().find_map(|name| env(name))
}

/// The `no_proxy` list (`NO_PROXY` when `no_proxy` is unset).
pub fn no_proxy_from_env(env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    env("no_proxy").or_else(|| env("NO_PROXY"))
}

/// Whether `host` (a name or an IP address, IPv6 with or without brackets) is on
/// the `no_proxy` list.
pub fn no_proxy_matches(list: &str, host: &str) -> bool {
    let list = list.trim();
    if list == "*" {
        return true;
    }
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let host = host.strip_suffix('.').unwrap_or(host);
    let ip: Option<IpAddr> = host.parse().ok();
    list.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|e| !e.is_empty())
        .any(|entry| match ip {
            Some(ip) => ip_matches(entry, ip),
            None => name_matches(entry, host),
        })
}

fn name_matches(entry: &str, host: &str) -> bool {
    let entry = entry.strip_prefix('.').unwrap_or(entry);
    let entry = entry.strip_suffix('.').unwrap_or(entry);
    if entry.is_empty() || entry.len() > host.len() {
        return false;
    }
    let (head, tail) = host.split_at(host.len() - entry.len());
    tail.eq_ignore_ascii_case(entry) && (head.is_empty() || head.ends_with('.'))
}

fn ip_matches(entry: &str, ip: IpAddr) -> bool {
    let (addr, bits) = match entry.split_once('/') {
        Some((a, b)) => match b.parse::<u32>() {
            Ok(bits) => (a, Some(bits)),
            Err(_) => return false,
        },
        None => (entry, None),
    };
    let addr = addr
        .strip_prefix('[')
        .and_then(|a| a.strip_suffix(']'))
        .unwrap_or(addr);
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

/// Whether the first `bits` of two `width`-bit numbers agree; `bits` past the width
/// never match (curl refuses such an entry).
fn prefix_eq(a: u128, b: u128, bits: u32, width: u32) -> bool {
    if bits > width {
        return false;
    }
    let shift = width - bits;
    a.checked_shr(shift).unwrap_or(0) == b.checked_shr(shift).unwrap_or(0)
}

/// The proxy to use for a target, all rules applied: `--proxy` or the environment,
/// then `no_proxy`. `None`: connect directly.
pub fn choose(
    flag: Option<&str>,
    tls: bool,
    host: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Proxy>, String> {
    let setting = match flag {
        Some(p) => Some(p.to_string()),
        None => proxy_from_env(tls, env),
    };
    let Some(setting) = setting.filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if no_proxy_from_env(env).is_some_and(|list| no_proxy_matches(&list, host)) {
        return Ok(None);
    }
    Proxy::parse(&setting).map(Some)
}
