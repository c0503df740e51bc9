//! The request rules of RFC 6455 §4.2.1 (and RFC 9112 §3.2 for the request-target
//! and `Host`), read from the [`Summary`] of the fields, then the shared negotiation.

use crate::error::Error;
use crate::grammar::authority::{scheme_security, split_host_port_bytes};
use crate::grammar::bytes::find_byte;
use crate::rules::forwarded::Forwarded;
use crate::rules::framing::is_zero_length;
use crate::rules::negotiate::{negotiate, Negotiated};
use crate::rules::server_config::ServerConfig;
use crate::rules::summary::Summary;

/// What passing the rules yields: the values the handshake answers with.
#[derive(Debug, Clone)]
pub(crate) struct Checked<'a> {
    pub(crate) key: &'a [u8],
    /// Validated: ASCII.
    pub(crate) host: &'a [u8],
    /// The effective authority (RFC 9112 §3.2.2): the absolute-form target's, else
    /// `host`. Validated: ASCII.
    pub(crate) authority: &'a [u8],
    pub(crate) negotiated: Negotiated<'a>,
}

/// Where a request is addressed beyond its `Host`: what the request line and the
/// connection say.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Addressed<'a> {
    /// The absolute-form request-target's authority (validated `host[:port]`).
    pub(crate) authority: Option<&'a [u8]>,
    /// Whether the server is reached with a secure scheme (`wss`/`https`): the
    /// transport the caller named, else the absolute-form target's scheme; `None`
    /// when neither says.
    pub(crate) secure: Option<bool>,
}

impl Addressed<'_> {
    /// The port a missing one means, when the scheme is known.
    fn default_port(&self) -> Option<u16> {
        self.secure.map(|secure| if secure { 443 } else { 80 })
    }
}

/// RFC 6455 §4.2.1 items 1–2 for HTTP/1.1: method, version, request-target.
pub(crate) fn check_request_line(
    method: &str,
    minor_version: u8,
    target: &str,
) -> Result<(), Error> {
    if method != "GET" {
        return Err(Error::MethodNotGet);
    }
    if minor_version < 1 {
        return Err(Error::HttpVersionTooOld);
    }
    if !is_valid_target(target) {
        return Err(Error::RequestTargetInvalid);
    }
    Ok(())
}

/// The scheme and authority of an absolute-form request-target; `None` for the
/// origin-form (and for targets [`check_request_line`] refuses).
pub(crate) fn absolute_form(target: &str) -> Option<(&str, &str)> {
    if target.starts_with('/') {
        return None;
    }
    let (scheme, rest) = target.split_once("://")?;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    Some((scheme, rest.get(..end)?))
}

/// RFC 9112 §3.2.2 for a request-target checked by [`check_request_line`]: an
/// absolute-form target (its `scheme` and `authority`, as [`absolute_form`] splits
/// them) must be `ws`, `wss`, `http` or `https`, agree with the transport the caller
/// named (`tls`), and have a `host[:port]` authority (no userinfo, RFC 9110 §4.2.4).
pub(crate) fn addressed<'t>(
    absolute: Option<(&'t str, &'t str)>,
    tls: Option<bool>,
) -> Result<Addressed<'t>, Error> {
    let Some((scheme, authority)) = absolute else {
        return Ok(Addressed {
            authority: None,
            secure: tls,
        });
    };
    // The grammar first, then the scheme's name: the byte path's order (its request
    // line check), for a front end whose URI parser allowed more (the `http` crate
    // takes `~` in a scheme).
    if !is_scheme(scheme) {
        return Err(Error::RequestTargetInvalid);
    }
    let secure = scheme_security(scheme).ok_or(Error::RequestTargetScheme)?;
    if tls.is_some_and(|tls| tls != secure) {
        return Err(Error::RequestTargetScheme);
    }
    split_host_port_bytes(authority.as_bytes()).ok_or(Error::RequestTargetInvalid)?;
    Ok(Addressed {
        authority: Some(authority.as_bytes()),
        secure: Some(secure),
    })
}

/// origin-form (`/path?query`) or absolute-form (`scheme://authority/path?query`), no fragment.
fn is_valid_target(target: &str) -> bool {
    if find_byte(target.as_bytes(), b'#').is_some() {
        return false;
    }
    if target.starts_with('/') {
        return true;
    }
    match target.split_once("://") {
        Some((scheme, rest)) => is_scheme(scheme) && !rest.is_empty(),
        None => false,
    }
}

/// RFC 3986 §3.1: `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
fn is_scheme(scheme: &str) -> bool {
    let mut chars = scheme.bytes();
    chars.next().is_some_and(|b| b.is_ascii_alphabetic())
        && chars.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
}

/// The header rules of RFC 6455 §4.2.1 for an HTTP/1.1 upgrade, then negotiation;
/// `forwarded`: a trusted proxy's fields, if the caller trusts the peer.
pub(crate) fn check_h1<'a>(
    s: &Summary<'a>,
    to: Addressed<'a>,
    forwarded: Option<&Forwarded<'_>>,
    config: &ServerConfig,
) -> Result<Checked<'a>, Error> {
    // The framing is valid (`check_framing`, first of all); does it announce a body?
    // `Content-Length: 00` announces none (`1*DIGIT`), as over extended CONNECT.
    let content_length_zero = s.content_length.value.is_none_or(is_zero_length);
    if s.transfer_encoding.is_some() || !content_length_zero || s.content_length.count > 1 {
        return Err(Error::BodyNotAllowed);
    }
    let (host, authority) = check_host_at(s, to, config)?;
    if !s.upgrade_websocket {
        return Err(Error::UpgradeLacksWebSocket);
    }
    if !s.connection_upgrade {
        return Err(Error::ConnectionLacksUpgrade);
    }
    if s.legacy_key && s.key.count == 0 {
        return Err(Error::LegacyDraftHandshake);
    }
    check_version(s)?;
    let key = match (s.key.value, s.key.count) {
        (None, _) => return Err(Error::KeyMissing),
        (Some(_), 2..) => return Err(Error::KeyRepeated),
        (Some(k), _) if !crate::rules::key::is_valid_key(k) => return Err(Error::KeyInvalid),
        (Some(k), _) => k,
    };
    // RFC 9110 §10.1.1: `100-continue` needs no interim 100 here, since an upgrade has
    // no content to wait for (the 101 answers it); any other expectation cannot be met.
    if s.expect_other {
        return Err(Error::ExpectationFailed);
    }
    let negotiated = negotiate(s, authority, to.secure, forwarded, config)?;
    Ok(Checked {
        key,
        host,
        authority,
        negotiated,
    })
}

/// `Host` exactly once, well-formed (so ASCII), and (if configured) on the allow-list.
pub(crate) fn check_host<'a>(s: &Summary<'a>, config: &ServerConfig) -> Result<&'a [u8], Error> {
    check_host_at(s, Addressed::default(), config).map(|(host, _)| host)
}

/// `Host` exactly once and well-formed, even with an absolute-form target (RFC 9112
/// §3.2); the effective authority (RFC 9112 §3.2.2: the absolute-form target's, the
/// `Host` value being ignored, else `Host`) on the allow-list, a missing port meaning
/// the scheme's default when the scheme is known. With the hardening option
/// [`ServerConfig::host_must_match_target`], `Host` must name the target's authority
/// too (compared after default-port normalisation). Gives `Host` and the effective
/// authority.
pub(crate) fn check_host_at<'a>(
    s: &Summary<'a>,
    to: Addressed<'a>,
    config: &ServerConfig,
) -> Result<(&'a [u8], &'a [u8]), Error> {
    let host = match (s.host.value, s.host.count) {
        (None, _) => return Err(Error::HostMissing),
        (Some(_), 2..) => return Err(Error::HostRepeated),
        (Some(h), _) => h,
    };
    let (name, port) = split_host_port_bytes(host).ok_or(Error::HostInvalid)?;
    let default = to.default_port();
    let (name, port, authority) = match to.authority {
        None => (name, port, host),
        Some(authority) => {
            let (target_name, target_port) =
                split_host_port_bytes(authority).ok_or(Error::RequestTargetInvalid)?;
            if config.requires_host_to_match_target()
                && (!target_name.eq_ignore_ascii_case(name)
                    || target_port.or(default) != port.or(default))
            {
                return Err(Error::HostNotTargetAuthority);
            }
            (target_name, target_port, authority)
        }
    };
    if !config.host_allowed(name, port.or(default)) {
        return Err(Error::HostNotAllowed);
    }
    Ok((host, authority))
}

/// `Sec-WebSocket-Version` exactly once and exactly `13`.
pub(crate) fn check_version(s: &Summary<'_>) -> Result<(), Error> {
    match (s.version.value, s.version.count) {
        (None, _) => Err(Error::VersionMissing),
        (Some(_), 2..) => Err(Error::VersionRepeated),
        (Some(b"13"), _) => Ok(()),
        (Some(_), _) => Err(Error::VersionUnsupported),
    }
}
