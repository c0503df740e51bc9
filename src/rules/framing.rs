//! The message framing of an HTTP/1.1 request (RFC 9112 §6): whether its
//! `Content-Length` and `Transfer-Encoding` let a recipient tell where the message
//! ends. Checked before any other rule, so that a request whose framing is broken is
//! never answered as if it were understood (RFC 9112 §6.3: 400, then close).

use crate::error::Error;
use crate::grammar::token::split_list;
use crate::rules::summary::Summary;

/// RFC 9112 §6.3 for a request: the framing is invalid (`Error::FramingInvalid`)
/// when `Content-Length` is not one `1*DIGIT` value (item 5; a repeated field line is
/// refused rather than compared), when `Transfer-Encoding` comes with
/// `Content-Length` (item 3: such a message "ought to be handled as an error", a
/// likely smuggling attempt) or does not end in `chunked` (item 4, so an empty value or `identity` too),
/// and when an HTTP/1.0 request has `Transfer-Encoding` (RFC 9112 §6.1: "MUST treat
/// the message as if the framing is faulty").
pub(crate) fn check_framing(s: &Summary<'_>, minor_version: u8) -> Result<(), Error> {
    let length = s.content_length.value;
    if s.content_length.count > 1 || length.is_some_and(|v| !is_length(v)) {
        return Err(Error::FramingInvalid);
    }
    if let Some(transfer_encoding) = s.transfer_encoding {
        let last = split_list(transfer_encoding)
            .filter(|coding| !coding.is_empty())
            .last();
        let chunked_last = last.is_some_and(|c| c.eq_ignore_ascii_case(b"chunked"));
        if length.is_some() || !chunked_last || minor_version == 0 {
            return Err(Error::FramingInvalid);
        }
    }
    Ok(())
}

/// `Content-Length = 1*DIGIT` (RFC 9110 §8.6).
fn is_length(value: &[u8]) -> bool {
    !value.is_empty() && value.iter().all(u8::is_ascii_digit)
}

/// A `Content-Length` (`1*DIGIT`, RFC 9110 §8.6) whose value is zero: `0`, `00`, ...
pub(crate) fn is_zero_length(value: &[u8]) -> bool {
    !value.is_empty() && value.iter().all(|&b| b == b'0')
}
