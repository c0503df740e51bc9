//! Parsing one complete head with httparse, for both roles: a request (the server)
//! or a response (the client and the proxy client), into the same [`Parsed`] shape.

use core::mem::MaybeUninit;

use crate::error::{HeadError, Malformed};
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
