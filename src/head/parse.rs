//! Parsing one complete head with httparse, for both roles: a request (the server)
//! or a response (the client and the proxy client), into the same [`Parsed`] shape.

use core::mem::MaybeUninit;

use crate::error::{HeadError, Malformed};
use crate::grammar::token::is_token;
use crate::limits::MAX_HEADERS_CAP;

/// Which start line a head has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `method SP request-target SP HTTP-version` (RFC 9112 §3).
    Request,
    /// `HTTP-version SP status-code SP [ reason-phrase ]` (RFC 9112 §4).
    Response,
}

/// The start line of a parsed head.
#[derive(Debug, Clone, Copy)]
pub(crate) enum StartLine<'b> {
    Request {
        method: &'b str,
        target: &'b str,
        minor_version: u8,
    },
    Response {
        minor_version: u8,
        /// Within 100..=599 (RFC 9110 §15): httparse reads `001` as 1, which is none.
        status: u16,
        reason: &'b str,
    },
}

/// A parsed head: its start line and its header fields, borrowed from the bytes.
#[derive(Debug)]
pub(crate) struct Parsed<'h, 'b> {
    pub(crate) start: StartLine<'b>,
    pub(crate) fields: &'h [httparse::Header<'b>],
}

impl Parsed<'_, '_> {
    /// The status of a response head; `None` for a request.
    pub(crate) fn status(&self) -> Option<u16> {
        match self.start {
            StartLine::Response { status, .. } => Some(status),
            StartLine::Request { .. } => None,
        }
    }
}

/// Storage for the header fields of one parse (about 4 KiB, on the stack).
pub(crate) type Fields<'b> = [MaybeUninit<httparse::Header<'b>>; MAX_HEADERS_CAP];

/// An empty [`Fields`].
pub(crate) fn fields<'b>() -> Fields<'b> {
    [MaybeUninit::uninit(); MAX_HEADERS_CAP]
}

/// Parses the head at the start of `bytes` with at most `max_fields` header fields:
/// `Ok(None)` when `bytes` holds no complete head, else the head's length and its
/// parse.
pub(crate) fn parse<'h, 'b>(
    kind: Kind,
    bytes: &'b [u8],
    storage: &'h mut Fields<'b>,
    max_fields: usize,
) -> Result<Option<(usize, Parsed<'h, 'b>)>, HeadError> {
    let slots = storage.get_mut(..max_fields).unwrap_or_default();
    let (status, start, fields) = match kind {
        Kind::Request => {
            let mut req = httparse::Request::new(&mut []);
            let status = req.parse_with_uninit_headers(bytes, slots);
            let start = match (req.method, req.path, req.version) {
                (Some(method), Some(target), Some(minor_version)) => Some(StartLine::Request {
                    method,
                    target,
                    minor_version,
                }),
                _ => None,
            };
            (status, start, req.headers)
        }
        Kind::Response => {
            let mut resp = httparse::Response::new(&mut []);
            let status = httparse::ParserConfig::default()
                .parse_response_with_uninit_headers(&mut resp, bytes, slots);
            let start = match (resp.version, resp.code, resp.reason) {
                (Some(minor_version), Some(status), Some(reason)) => Some(StartLine::Response {
                    minor_version,
                    status,
                    reason,
                }),
                _ => None,
            };
            (status, start, resp.headers)
        }
    };
    let n = match status {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(HeadError::TooManyHeaders { limit: max_fields })
        }
        Err(e) => return Err(HeadError::Malformed(Malformed::from_httparse(e))),
    };
    let start = start.ok_or(HeadError::Malformed(Malformed::Incomplete))?;
    if let StartLine::Response { status, .. } = start {
        if !(100..=599).contains(&status) {
            return Err(HeadError::Malformed(Malformed::Status));
        }
    }
    Ok(Some((n, Parsed { start, fields })))
}

/// Parses a complete head (one the scan found) and hands its parse to `then`, whose
/// result is returned as it is (not wrapped again, so the outcome is not copied). A
/// start line with an HTTP/1.x minor version httparse does not know (`HTTP/1.2`)
/// is read here as HTTP/1.1, RFC 9110 §2.5 and §6.2 ("process the message as if it
/// were in the highest minor version ... to which the recipient is conformant"); a
/// request with another major version is [`HeadError::VersionNotSupported`]
/// (RFC 9110 §15.6.6).
pub(crate) fn parse_head<'b, T, E: From<HeadError>>(
    kind: Kind,
    head: &'b [u8],
    storage: &mut Fields<'b>,
    max_fields: usize,
    then: impl FnOnce(&Parsed<'_, 'b>) -> Result<T, E>,
) -> Result<T, E> {
    match parse(kind, head, storage, max_fields) {
        Ok(Some((_, parsed))) => then(&parsed),
        Ok(None) => Err(HeadError::Malformed(Malformed::Incomplete).into()),
        Err(HeadError::Malformed(Malformed::Version)) => {
            parse_other_version(kind, head, max_fields, then)
        }
        Err(e) => Err(e.into()),
    }
}

/// [`parse_head`] for a start line httparse refused for its version: rare, so out of
/// line, with its own field array (httparse reads fields after a start line it did
/// not parse only into initialised slots).
#[cold]
#[inline(never)]
fn parse_other_version<'b, T, E: From<HeadError>>(
    kind: Kind,
    head: &'b [u8],
    max_fields: usize,
    then: impl FnOnce(&Parsed<'_, 'b>) -> Result<T, E>,
) -> Result<T, E> {
    let malformed = |m| E::from(HeadError::Malformed(m));
    // httparse skips empty lines before the start line; so does this reading.
    let mut rest = head;
    while let Some(after) = rest.strip_prefix(b"\r\n") {
        rest = after;
    }
    let end = rest
        .windows(2)
        .position(|w| w == b"\r\n")
        .ok_or(malformed(Malformed::Incomplete))?;
    let (line, fields_crlf) = rest.split_at(end);
    let field_bytes = fields_crlf.get(2..).unwrap_or_default();
    let start = match kind {
        Kind::Request => {
            let mut parts = line.splitn(3, |&b| b == b' ');
            let (method, target, version) = (parts.next(), parts.next(), parts.next());
            let (Some(method), Some(target), Some(version)) = (method, target, version) else {
                return Err(malformed(Malformed::RequestLine));
            };
            read_version(version, true)?;
            if !is_token(method) {
                return Err(malformed(Malformed::Token));
            }
            if target.is_empty() || !target.iter().all(|&b| b > b' ' && b != 0x7f) {
                return Err(malformed(Malformed::RequestLine));
            }
            let text = |s| core::str::from_utf8(s).map_err(|_| malformed(Malformed::RequestLine));
            StartLine::Request {
                method: text(method)?,
                target: text(target)?,
                minor_version: 1,
            }
        }
        Kind::Response => {
            let version = line.get(..8).ok_or(malformed(Malformed::Version))?;
            read_version(version, false)?;
            let (code, reason) = match line.get(8..) {
                Some([b' ', a, b, c]) => ([*a, *b, *c], &[][..]),
                Some([b' ', a, b, c, b' ', reason @ ..]) => ([*a, *b, *c], reason),
                _ => return Err(malformed(Malformed::Status)),
            };
            let status = code
                .iter()
                .try_fold(0u16, |n, &d| {
                    d.is_ascii_digit().then(|| {
                        n.wrapping_mul(10)
                            .wrapping_add(u16::from(d.wrapping_sub(b'0')))
                    })
                })
                .filter(|s| (100..=599).contains(s))
                .ok_or(malformed(Malformed::Status))?;
            if !reason
                .iter()
                .all(|&b| b == b'\t' || (b >= b' ' && b != 0x7f))
            {
                return Err(malformed(Malformed::Status));
            }
            StartLine::Response {
                minor_version: 1,
                status,
                // As httparse: a reason that is not UTF-8 reads as empty.
                reason: core::str::from_utf8(reason).unwrap_or_default(),
            }
        }
    };
    let mut storage = [httparse::EMPTY_HEADER; MAX_HEADERS_CAP];
    let slots = storage.get_mut(..max_fields).unwrap_or_default();
    match httparse::parse_headers(field_bytes, slots) {
        Ok(httparse::Status::Complete((_, fields))) => then(&Parsed { start, fields }),
        Ok(httparse::Status::Partial) => Err(malformed(Malformed::Incomplete)),
        Err(httparse::Error::TooManyHeaders) => {
            Err(HeadError::TooManyHeaders { limit: max_fields }.into())
        }
        Err(e) => Err(malformed(Malformed::from_httparse(e))),
    }
}

/// An `HTTP-version` (`HTTP/` DIGIT `.` DIGIT, RFC 9112 §2.3) that httparse refused:
/// HTTP/1.x with a higher minor version is fine; a request's other major version is
/// not supported (505); anything else is malformed.
fn read_version(version: &[u8], request: bool) -> Result<(), HeadError> {
    let [b'H', b'T', b'T', b'P', b'/', major, b'.', minor] = *version else {
        return Err(HeadError::Malformed(Malformed::Version));
    };
    match (major, minor) {
        (b'1', b'2'..=b'9') => Ok(()),
        (b'0' | b'2'..=b'9', b'0'..=b'9') if request => Err(HeadError::VersionNotSupported),
        _ => Err(HeadError::Malformed(Malformed::Version)),
    }
}

/// The status code a response head plainly starts with (`HTTP/1.x NNN`), read without
/// a parse: to tell an interim head from the final one before parsing the final one
/// once. `None` when the head does not start that plainly (the parse then decides).
pub(crate) fn peek_status(head: &[u8]) -> Option<u16> {
    let [b'H', b'T', b'T', b'P', b'/', b'1', b'.', _, b' ', a, b, c, ..] = *head else {
        return None;
    };
    let digit = |d: u8| d.is_ascii_digit().then(|| u16::from(d.wrapping_sub(b'0')));
    Some(
        digit(a)?
            .wrapping_mul(100)
            .wrapping_add(digit(b)?.wrapping_mul(10))
            .wrapping_add(digit(c)?),
    )
}
