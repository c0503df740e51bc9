//! The server's origin behind a trusted reverse proxy: RFC 7239 `Forwarded` and the
//! de-facto `X-Forwarded-Host`, `X-Forwarded-Proto` and `X-Forwarded-Port`.
//!
//! Read only when the caller says the peer is a trusted proxy
//! ([`ServerHandshake::with_trusted_proxy`](crate::ServerHandshake::with_trusted_proxy)): from
//! anyone else these fields are the client's word and are never looked at. Of each
//! field the right-most value counts, the one the trusted proxy appended; what hops
//! before it wrote is the client's.
//!
//! When both families are present, each part of the origin (scheme, host, port) that
//! both state must agree, or the request is refused ([`Error::ForwardedConflict`]);
//! so must the port of `X-Forwarded-Host` and `X-Forwarded-Port`, when both state one.
//! Neither family wins, because a proxy that writes one of them usually passes the
//! other on from the client untouched: letting either win would let a client choose
//! the origin whenever the proxy writes the other. With the refusal, a forged value
//! can only repeat what the proxy said. A part neither states comes from the
//! connection: `Host` (or the target's authority) and
//! [`ServerHandshake::with_tls`](crate::ServerHandshake::with_tls).

use crate::error::{Error, OriginPart};
use crate::grammar::authority::{
    default_port_tls, parse_port, scheme_security, split_host_port_bytes,
};
use crate::grammar::bytes::eq_lowercase;
use crate::grammar::forwarded::{last_element, ForwardedElement, ForwardedMalformed};
use crate::grammar::token::split_list;
use crate::rules::origin::ServerOrigin;

/// The forwarded fields of one request: the right-most value of each, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Forwarded<'a> {
    /// The right-most element of the `Forwarded` lines; an error if any line is
    /// malformed (then where the right-most element starts is not known).
    forwarded: Result<Option<ForwardedElement<'a>>, ForwardedMalformed>,
    host: Option<&'a [u8]>,
    proto: Option<&'a [u8]>,
    port: Option<&'a [u8]>,
}

impl Default for Forwarded<'_> {
    fn default() -> Self {
        Self {
            forwarded: Ok(None),
            host: None,
            proto: None,
            port: None,
        }
    }
}

impl<'a> Forwarded<'a> {
    /// Reads the forwarded fields among `fields` (name, value without surrounding
    /// whitespace), in order: one pass, no allocation.
    pub(crate) fn read<'n>(fields: impl Iterator<Item = (&'n [u8], &'a [u8])>) -> Self {
        let mut forwarded = Self::default();
        for (name, value) in fields {
            forwarded.add(name, value);
        }
        forwarded
    }

    fn add(&mut self, name: &[u8], value: &'a [u8]) {
        let last = |v: &'a [u8]| split_list(v).filter(|e| !e.is_empty()).last();
        match name.len() {
            9 if eq_lowercase(name, b"forwarded") => {
                if let Ok(before) = self.forwarded {
                    self.forwarded = last_element(value).map(|e| e.or(before));
                }
            }
            16 if eq_lowercase(name, b"x-forwarded-host") => {
                self.host = last(value).or(self.host);
            }
            16 if eq_lowercase(name, b"x-forwarded-port") => {
                self.port = last(value).or(self.port);
            }
            17 if eq_lowercase(name, b"x-forwarded-proto") => {
                self.proto = last(value).or(self.proto);
            }
            _ => {}
        }
    }

    /// The server's origin as the client reached it, from these fields and, for the
    /// parts they do not state, `authority` (validated `host[:port]`) and `secure`.
    ///
    /// # Errors
    /// [`Error::ForwardedInvalid`] for a malformed value, [`Error::ForwardedConflict`]
    /// when `Forwarded` and `X-Forwarded-*` disagree, or `X-Forwarded-Host`'s port
    /// and `X-Forwarded-Port` do.
    pub(crate) fn server_origin(
        &self,
        authority: &'a str,
        secure: Option<bool>,
    ) -> Result<ServerOrigin<'a>, Error> {
        let element = self
            .forwarded
            .map_err(|_| Error::ForwardedInvalid)?
            .unwrap_or_default();
        let (f_secure, x_secure) = (security(element.proto)?, security(self.proto)?);
        let (f_host, x_host) = (host(element.host)?, host(self.host)?);
        let x_port = match self.port {
            None => None,
            Some(p) => Some(parse_port(p).ok_or(Error::ForwardedInvalid)?),
        };
        // The port each family states: `Some(None)` is the scheme's default (a host
        // without a port); X-Forwarded-Port completes a host the proxy wrote without.
        let f_port = f_host.map(|h| h.port);
        let x_port = match (x_host.and_then(|h| h.port), x_port) {
            (Some(a), Some(b)) if a != b => return Err(Error::ForwardedConflict(OriginPart::Port)),
            (_, Some(p)) => Some(Some(p)),
            (_, None) => x_host.map(|h| h.port),
        };
        let stated_secure = agree(f_secure, x_secure, OriginPart::Scheme, |a, b| a == b)?;
        let secure = stated_secure.or(secure);
        let default = |port: Option<u16>| port.or(secure.map(default_port_tls));
        agree(f_host, x_host, OriginPart::Host, |a, b| {
            a.name.eq_ignore_ascii_case(b.name)
        })?;
        agree(f_port, x_port, OriginPart::Port, |a, b| {
            default(a) == default(b)
        })?;
        let connection = ServerOrigin::of_authority(authority, secure).ok_or(Error::HostInvalid)?;
        let (authority, name) = match f_host.or(x_host) {
            Some(h) => (h.authority, h.name),
            None => (connection.authority, connection.host),
        };
        let port = match f_port.or(x_port) {
            Some(port) => port,
            None => connection.port,
        };
        Ok(ServerOrigin {
            authority,
            host: name,
            port,
            secure,
        })
    }
}

/// A forwarded `host[:port]` (RFC 3986 §3.2.2–3.2.3, as RFC 7239 §5.3 says).
#[derive(Debug, Clone, Copy)]
struct Host<'a> {
    authority: &'a str,
    name: &'a str,
    port: Option<u16>,
}

fn host(value: Option<&[u8]>) -> Result<Option<Host<'_>>, Error> {
    let Some(value) = value else {
        return Ok(None);
    };
    let (name, port) = split_host_port_bytes(value).ok_or(Error::ForwardedInvalid)?;
    // The authority grammar accepts ASCII only.
    let text = |b| core::str::from_utf8(b).map_err(|_| Error::ForwardedInvalid);
    Ok(Some(Host {
        authority: text(value)?,
        name: text(name)?,
        port,
    }))
}

/// A forwarded scheme (RFC 7239 §5.4): `https`/`wss` or `http`/`ws`.
fn security(value: Option<&[u8]>) -> Result<Option<bool>, Error> {
    let Some(value) = value else {
        return Ok(None);
    };
    core::str::from_utf8(value)
        .ok()
        .and_then(scheme_security)
        .map(Some)
        .ok_or(Error::ForwardedInvalid)
}

/// Both families' statement of one part: equal when both are there.
fn agree<T: Copy>(
    a: Option<T>,
    b: Option<T>,
    part: OriginPart,
    equal: impl Fn(T, T) -> bool,
) -> Result<Option<T>, Error> {
    match (a, b) {
        (Some(a), Some(b)) if !equal(a, b) => Err(Error::ForwardedConflict(part)),
        _ => Ok(a.or(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(
        fields: &[(&str, &str)],
        authority: &'static str,
        secure: Option<bool>,
    ) -> Result<(String, String, Option<u16>, Option<bool>), Error> {
        let fields: Vec<(&[u8], &[u8])> = fields
            .iter()
            .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
            .collect();
        let f = Forwarded::read(fields.iter().copied());
        let o = f.server_origin(authority, secure)?;
        Ok((o.authority.into(), o.host.into(), o.port, o.secure))
    }

    #[test]
    fn forwarded_states_scheme_host_and_port() {
        // RFC 7239 §5.3–5.4: a TLS-terminating proxy on the public name.
        let o = origin(
            &[("Forwarded", "for=1.2.3.4;proto=https;host=a.test")],
            "backend:8080",
            Some(false),
        );
        assert_eq!(o, Ok(("a.test".into(), "a.test".into(), None, Some(true))));
        // The right-most hop, across lines too.
        let o = origin(
            &[
                ("forwarded", "host=evil.test;proto=http"),
                ("FORWARDED", "proto=https"),
            ],
            "a.test",
            None,
        );
        assert_eq!(o, Ok(("a.test".into(), "a.test".into(), None, Some(true))));
        let o = origin(&[("Forwarded", "host=\"[::1]:8443\"")], "backend", None);
        assert_eq!(
            o,
            Ok(("[::1]:8443".into(), "[::1]".into(), Some(8443), None))
        );
    }

    #[test]
    fn x_forwarded_port_completes_a_stripped_host() {
        let o = origin(
            &[
                ("X-Forwarded-Host", "evil.test, a.test"),
                ("X-Forwarded-Port", "8443"),
                ("X-Forwarded-Proto", "https"),
            ],
            "backend",
            Some(false),
        );
        assert_eq!(
            o,
            Ok(("a.test".into(), "a.test".into(), Some(8443), Some(true)))
        );
        // No field: the connection's own origin.
        assert_eq!(
            origin(&[], "a.test:81", Some(false)),
            Ok(("a.test:81".into(), "a.test".into(), Some(81), Some(false)))
        );
    }

    #[test]
    fn the_two_families_must_agree() {
        let both = |f: &str, x: (&str, &str)| origin(&[("Forwarded", f), x], "a.test", None);
        assert_eq!(
            both("proto=https", ("X-Forwarded-Proto", "http")),
            Err(Error::ForwardedConflict(OriginPart::Scheme))
        );
        assert_eq!(
            both("host=a.test", ("X-Forwarded-Host", "b.test")),
            Err(Error::ForwardedConflict(OriginPart::Host))
        );
        assert_eq!(
            both("host=a.test;proto=https", ("X-Forwarded-Port", "8443")),
            Err(Error::ForwardedConflict(OriginPart::Port))
        );
        // Agreeing statements, written differently, pass: `wss` is `https`, 443 the default.
        assert!(both("host=A.test;proto=wss", ("X-Forwarded-Port", "443")).is_ok());
        assert!(both("proto=https", ("X-Forwarded-Host", "b.test")).is_ok());
        assert_eq!(
            origin(
                &[("X-Forwarded-Host", "a.test:1"), ("X-Forwarded-Port", "2")],
                "a.test",
                None
            ),
            Err(Error::ForwardedConflict(OriginPart::Port))
        );
    }

    #[test]
    fn malformed_values_are_refused() {
        for (name, value) in [
            ("Forwarded", "host=[::1]"),
            ("Forwarded", "proto=ftp"),
            ("Forwarded", "host=\"a.test:99999\""),
            ("Forwarded", "host=\"user@a.test\""),
            ("X-Forwarded-Host", "a.test, b test"),
            ("X-Forwarded-Proto", "gopher"),
            ("X-Forwarded-Port", "80a"),
            ("X-Forwarded-Port", "65536"),
        ] {
            assert_eq!(
                origin(&[(name, value)], "a.test", None),
                Err(Error::ForwardedInvalid),
                "{value}"
            );
        }
        // Only the right-most value is read: earlier ones are the client's.
        assert!(origin(&[("X-Forwarded-Proto", "gopher, https")], "a.test", None).is_ok());
    }
}
