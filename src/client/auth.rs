//! HTTP authentication for the client: Basic credentials (RFC 7617) for
//! `Authorization` and `Proxy-Authorization`, and the challenges of a `401`
//! (`WWW-Authenticate`) or a `407` (`Proxy-Authenticate`), split per RFC 9110 §11.6.1.
//!
//! [`Basic`] builds credentials ([`CredentialsError`] when they cannot be sent);
//! [`challenges`] walks a challenge field as [`Challenges`], each a [`Challenge`] with
//! its [`AuthParams`] ([`AuthParam`] each), or a [`ChallengeMalformed`].
//!
//! ```
//! use ws_handshake::auth::{Basic, Challenges};
//! let basic = Basic::new("Aladdin", "open sesame")?;
//! assert_eq!(basic.to_string(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="); // RFC 7617 §2
//!
//! // Two challenges in one field line, as RFC 9110 §11.6.1 allows.
//! let value: &[u8] = br#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple""#;
//! let mut challenges = Challenges::new([value]);
//! let first = challenges.next().unwrap()?;
//! assert_eq!(first.scheme(), "Newauth");
//! assert_eq!(first.param("title").as_deref(), Some(r#"Login to "apps""#));
//! let second = challenges.next().unwrap()?;
//! assert!(second.scheme().eq_ignore_ascii_case("basic"));
//! assert_eq!(second.realm().as_deref(), Some("simple"));
//! assert!(challenges.next().is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::answer::write::Emit;
use crate::grammar::token::is_tchar;
use crate::head::headers::Headers;
use crate::sink::{FmtSink, Sink};

/// Why a user-id or password cannot be sent with Basic authentication (RFC 7617 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// The user-id holds a colon: the receiver splits `user-id ":" password` at the
    /// first colon, so a colon in the user-id would move bytes into the password
    /// (RFC 7617 §2: "a user-id containing a colon character is invalid").
    #[error("a Basic user-id must not contain a colon")]
    ColonInUserId,
    /// The user-id or password holds a control character (CTL: 0x00-0x1F, 0x7F),
    /// which RFC 7617 §2 forbids ("MUST NOT contain any control characters").
    #[error("a Basic user-id or password must not contain control characters")]
    ControlCharacter,
}

/// Basic credentials (RFC 7617): writes `Basic base64(user-id ":" password)`, the value
/// of an `Authorization` or `Proxy-Authorization` field.
///
/// The user-id and password are sent as UTF-8 (the only `charset` RFC 7617 §2.1
/// defines; a Rust `str` is UTF-8). Writing never allocates; `to_string()` does.
/// Basic sends the password in clear: use it over TLS, or to a proxy you trust on
/// the path (RFC 7617 §4).
///
/// ```
/// use ws_handshake::auth::{Basic, CredentialsError};
/// let basic = Basic::new("user", "pa:ss")?; // a colon in the password is fine
/// let mut value = Vec::new();
/// basic.write_to(&mut value);
/// assert_eq!(value, b"Basic dXNlcjpwYTpzcw==");
/// assert_eq!(basic.encoded_len(), value.len());
/// assert_eq!(Basic::new("us:er", "x").unwrap_err(), CredentialsError::ColonInUserId);
/// assert_eq!(Basic::new("user", "x\r\nEvil: 1").unwrap_err(), CredentialsError::ControlCharacter);
/// # Ok::<(), CredentialsError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Basic<'a> {
    user: &'a str,
    password: &'a str,
}

impl fmt::Debug for Basic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The password stays out of logs.
        f.debug_struct("Basic")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// RFC 5234 Appendix B.1 `CTL`.
fn has_ctl(s: &str) -> bool {
    s.bytes().any(|b| b < 0x20 || b == 0x7f)
}

impl<'a> Basic<'a> {
    /// Checked credentials.
    ///
    /// # Errors
    /// [`CredentialsError::ColonInUserId`] or [`CredentialsError::ControlCharacter`]
    /// (RFC 7617 §2).
    pub fn new(user: &'a str, password: &'a str) -> Result<Self, CredentialsError> {
        if user.contains(':') {
            return Err(CredentialsError::ColonInUserId);
        }
        if has_ctl(user) || has_ctl(password) {
            return Err(CredentialsError::ControlCharacter);
        }
        Ok(Self { user, password })
    }

    /// Credentials from `user:password` (split at the first colon, as the receiver
    /// does, RFC 7617 §2), e.g. a `--proxy-user` argument.
    ///
    /// # Errors
    /// [`CredentialsError::ControlCharacter`]; a missing colon means an empty password.
    pub fn from_user_pass(user_pass: &'a str) -> Result<Self, CredentialsError> {
        let (user, password) = user_pass.split_once(':').unwrap_or((user_pass, ""));
        Self::new(user, password)
    }

    /// The user-id.
    pub fn user(&self) -> &'a str {
        self.user
    }
}

impl Emit for Basic<'_> {
    fn emit<S: Sink>(&self, out: &mut S) {
        out.put(b"Basic ");
        // base64 of `user ":" password`, three input bytes at a time, never joined.
        let mut bytes = self
            .user
            .bytes()
            .chain(core::iter::once(b':'))
            .chain(self.password.bytes());
        loop {
            let mut group = [0u8; 3];
            let mut n = 0usize;
            for slot in &mut group {
                match bytes.next() {
                    Some(b) => {
                        *slot = b;
                        n = n.saturating_add(1);
                    }
                    None => break,
                }
            }
            if n == 0 {
                break;
            }
            let mut encoded = [0u8; 4];
            let written = STANDARD
                .encode_slice(group.get(..n).unwrap_or_default(), &mut encoded)
                .unwrap_or(0);
            out.put(encoded.get(..written).unwrap_or_default());
            if n < 3 {
                break;
            }
        }
    }
}

crate::answer::write::writer_methods!(Basic);

/// The field value, `Basic …`.
impl fmt::Display for Basic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sink = FmtSink::new(f);
        self.emit(&mut sink);
        sink.finish()
    }
}

/// A challenge field that does not follow RFC 9110 §11.6.1's grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed authentication challenge (RFC 9110 §11.6.1)")]
pub struct ChallengeMalformed;

/// The challenges of `WWW-Authenticate` (a `401`) or `Proxy-Authenticate` (a `407`),
/// in order, split per RFC 9110 §11.6.1:
///
/// ```text
/// WWW-Authenticate = #challenge
/// challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
/// auth-param       = token BWS "=" BWS ( token / quoted-string )
/// ```
///
/// The commas between challenges and between one challenge's parameters are the
/// same, so a comma followed by `token BWS "="` continues the parameters and any
/// other element starts the next challenge. Empty list elements are skipped
/// (RFC 9110 §5.6.1.2). A field line that breaks the grammar yields one
/// `Err(ChallengeMalformed)` and the iterator moves on to the next field line; the
/// raw values stay readable through [`Headers::get_all`].
#[derive(Debug, Clone)]
pub struct Challenges<'a, I> {
    lines: I,
    rest: &'a [u8],
}

impl<'a, I: Iterator<Item = &'a [u8]>> Challenges<'a, I> {
    /// Challenges from the values of every challenge field line, in order.
    pub fn new(lines: impl IntoIterator<IntoIter = I>) -> Self {
        Self {
            lines: lines.into_iter(),
            rest: &[],
        }
    }
}

/// The challenges of every `name` field of `headers` (`WWW-Authenticate` or
/// `Proxy-Authenticate`).
pub fn challenges<'a, 'n>(
    headers: &Headers<'a>,
    name: &'n str,
) -> Challenges<'a, impl Iterator<Item = &'a [u8]> + 'n>
where
    'a: 'n,
{
    Challenges::new(headers.get_all(name))
}

impl<'a, I: Iterator<Item = &'a [u8]>> Iterator for Challenges<'a, I> {
    type Item = Result<Challenge<'a>, ChallengeMalformed>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.rest = skip_empty_elements(self.rest);
            if self.rest.is_empty() {
                self.rest = self.lines.next()?;
                continue;
            }
            return Some(match parse_challenge(self.rest) {
                Ok((challenge, rest)) => {
                    self.rest = rest;
                    Ok(challenge)
                }
                Err(e) => {
                    self.rest = &[];
                    Err(e)
                }
            });
        }
    }
}

/// One authentication challenge: a scheme, then a token68 or parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Challenge<'a> {
    scheme: &'a str,
    token68: Option<&'a str>,
    /// The parameters as sent (validated), from the first name to the last value.
    params: &'a [u8],
}

impl<'a> Challenge<'a> {
    /// The auth-scheme as sent (compare case-insensitively, RFC 9110 §11.1).
    pub fn scheme(&self) -> &'a str {
        self.scheme
    }

    /// The token68, for schemes that use one instead of parameters.
    pub fn token68(&self) -> Option<&'a str> {
        self.token68
    }

    /// The parameters, in order.
    pub fn params(&self) -> AuthParams<'a> {
        AuthParams { rest: self.params }
    }

    /// The value of the first parameter named `name` (case-insensitive, RFC 9110
    /// §11.2), a quoted-string unescaped.
    pub fn param(&self, name: &str) -> Option<Cow<'a, str>> {
        self.params()
            .find(|p| p.name().eq_ignore_ascii_case(name))
            .map(|p| p.value())
    }

    /// The `realm` parameter (RFC 9110 §11.5).
    pub fn realm(&self) -> Option<Cow<'a, str>> {
        self.param("realm")
    }
}

/// One `auth-param` of a [`Challenge`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthParam<'a> {
    name: &'a str,
    raw: &'a str,
}

impl<'a> AuthParam<'a> {
    /// The parameter name as sent.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The value as sent: a token, or a quoted-string with its quotes.
    pub fn raw_value(&self) -> &'a str {
        self.raw
    }

    /// The value: a token as is, a quoted-string without its quotes and with its
    /// quoted-pairs unescaped (RFC 9110 §5.6.4); borrows unless there was an escape.
    pub fn value(&self) -> Cow<'a, str> {
        let Some(inner) = self.raw.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
            return Cow::Borrowed(self.raw);
        };
        if !inner.contains('\\') {
            return Cow::Borrowed(inner);
        }
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(escaped) = chars.next() {
                    out.push(escaped);
                }
            } else {
                out.push(c);
            }
        }
        Cow::Owned(out)
    }
}

/// The parameters of a [`Challenge`].
#[derive(Debug, Clone)]
pub struct AuthParams<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for AuthParams<'a> {
    type Item = AuthParam<'a>;

    fn next(&mut self) -> Option<AuthParam<'a>> {
        self.rest = skip_empty_elements(self.rest);
        // The region was validated when the challenge was parsed.
        let (param, rest) = parse_param(self.rest)?;
        self.rest = rest;
        Some(param)
    }
}

/// Skips OWS and commas: the empty elements of a list (RFC 9110 §5.6.1.2).
fn skip_empty_elements(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b',', rest @ ..] = s {
        s = rest;
    }
    s
}

fn skip_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    s
}

/// A token at the start of `s`, and what follows it.
fn token(s: &[u8]) -> Option<(&str, &[u8])> {
    let len = s.iter().position(|&b| !is_tchar(b)).unwrap_or(s.len());
    if len == 0 {
        return None;
    }
    let (t, rest) = s.split_at_checked(len)?;
    Some((core::str::from_utf8(t).ok()?, rest))
}

/// A quoted-string (RFC 9110 §5.6.4) at the start of `s`, with its quotes, and what
/// follows it.
fn quoted_string(s: &[u8]) -> Option<(&str, &[u8])> {
    let [b'"', body @ ..] = s else {
        return None;
    };
    let mut i = 0usize;
    loop {
        match body.get(i)? {
            b'"' => {
                let end = i.checked_add(2)?; // the opening and closing quotes
                let (q, rest) = s.split_at_checked(end)?;
                return Some((core::str::from_utf8(q).ok()?, rest));
            }
            b'\\' => {
                // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                let next = *body.get(i.checked_add(1)?)?;
                if !(next == b'\t' || next >= b' ') || next == 0x7f {
                    return None;
                }
                i = i.checked_add(2)?;
            }
            // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
            &b if b == b'\t' || (b >= b' ' && b != 0x7f) => i = i.checked_add(1)?,
            _ => return None,
        }
    }
}

/// `token BWS "=" BWS ( token / quoted-string )` at the start of `s`, then what follows.
fn parse_param(s: &[u8]) -> Option<(AuthParam<'_>, &[u8])> {
    let (name, rest) = token(s)?;
    let [b'=', rest @ ..] = skip_ows(rest) else {
        return None;
    };
    let rest = skip_ows(rest);
    let (raw, rest) = quoted_string(rest).or_else(|| token(rest))?;
    Some((AuthParam { name, raw }, rest))
}

/// Whether an element starting at `s` is an auth-param (`token BWS "="`) rather than
/// the scheme of the next challenge.
fn starts_param(s: &[u8]) -> bool {
    token(s).is_some_and(|(_, rest)| skip_ows(rest).first() == Some(&b'='))
}

fn is_token68_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
}

/// One challenge at the start of `s` (no leading OWS or comma), then the rest of
/// the field line, positioned after the challenge.
fn parse_challenge(s: &[u8]) -> Result<(Challenge<'_>, &[u8]), ChallengeMalformed> {
    let (scheme, after_scheme) = token(s).ok_or(ChallengeMalformed)?;
    let plain = Challenge {
        scheme,
        token68: None,
        params: &[],
    };
    // Only spaces separate the scheme from what follows (`1*SP`).
    let spaces = after_scheme.iter().take_while(|&&b| b == b' ').count();
    let rest = after_scheme.get(spaces..).unwrap_or_default();
    match skip_ows(after_scheme) {
        [] => return Ok((plain, &[])),
        [b',', tail @ ..] => return Ok((plain, tail)),
        _ if spaces == 0 => return Err(ChallengeMalformed),
        _ => {}
    }
    // token68: its characters, then `=` padding, then the end of the element.
    let run = rest.iter().take_while(|&&b| is_token68_char(b)).count();
    let padded = rest
        .get(run..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| b == b'=')
        .count()
        .saturating_add(run);
    if run > 0 {
        let after = skip_ows(rest.get(padded..).unwrap_or_default());
        if matches!(after, [] | [b',', ..]) {
            let token68 = rest
                .get(..padded)
                .and_then(|t| core::str::from_utf8(t).ok());
            let tail = after.get(1..).unwrap_or_default();
            return Ok((Challenge { token68, ..plain }, tail));
        }
    }
    // #auth-param: parameters until the end, or until an element that is not one.
    let start = rest;
    let mut cursor = rest;
    loop {
        let (_, after) = parse_param(cursor).ok_or(ChallengeMalformed)?;
        let end = start.len().saturating_sub(after.len());
        match skip_ows(after) {
            [] => {
                let params = start.get(..end).unwrap_or_default();
                return Ok((Challenge { params, ..plain }, &[]));
            }
            [b',', tail @ ..] => {
                let next = skip_empty_elements(tail);
                if next.is_empty() || !starts_param(next) {
                    let params = start.get(..end).unwrap_or_default();
                    return Ok((Challenge { params, ..plain }, next));
                }
                cursor = next;
            }
            _ => return Err(ChallengeMalformed),
        }
    }
}
