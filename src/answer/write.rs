//! The one shape every outgoing message shares: `encoded_len`, `encode` into a slice,
//! `write_to` a `Vec`, all driven by a single `emit` so the three can never disagree.

use crate::error::{BufferTooSmall, BuildError};
use crate::sink::{Counter, Sink, SliceSink};

/// A message that can be written: implemented by every outgoing message type.
pub(crate) trait Emit {
    fn emit<S: Sink>(&self, out: &mut S);

    fn len(&self) -> usize {
        let mut c = Counter::default();
        self.emit(&mut c);
        c.0
    }

    fn encode_into(&self, buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
        let required = self.len();
        if buf.len() < required {
            return Err(BufferTooSmall { required });
        }
        let mut s = SliceSink { buf, pos: 0 };
        self.emit(&mut s);
        Ok(s.pos)
    }
}

/// Adds the public writer methods to an [`Emit`] type.
macro_rules! writer_methods {
    ($ty:ident) => {
        impl $ty<'_> {
            /// The exact number of bytes [`write_to`](Self::write_to) and
            /// [`encode`](Self::encode) produce.
            pub fn encoded_len(&self) -> usize {
                $crate::answer::write::Emit::len(self)
            }

            /// Writes the message into `buf`, returning the bytes written.
            ///
            /// # Errors
            /// [`BufferTooSmall`](crate::BufferTooSmall) with the size needed; `buf` is left untouched.
            pub fn encode(&self, buf: &mut [u8]) -> Result<usize, $crate::BufferTooSmall> {
                $crate::answer::write::Emit::encode_into(self, buf)
            }

            /// Appends the message to `out`. Reuse `out` to avoid allocating.
            pub fn write_to(&self, out: &mut alloc::vec::Vec<u8>) {
                $crate::answer::write::Emit::emit(self, out)
            }
        }
    };
}
pub(crate) use writer_methods;

/// Whether the caller's extra headers hold a field named `name` (ASCII
/// case-insensitive): such a field *replaces* the one a refusal would write itself
/// (`Allow` on a 405), so the response never carries two copies of it.
pub(crate) fn has_field(headers: &[(&str, &str)], name: &str) -> bool {
    headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
}

/// The statuses a refusal ([`Rejection`](crate::Rejection),
/// over either transport) may carry.
///
/// A refusal always has content (its plain-text reason), so it may not use a status
/// that cannot have any: 1xx (RFC 9110 §15.2), 204 (§15.3.5) and 304 (§15.4.5;
/// §6.4.1). 1xx and 2xx are refused as [`BuildError::StatusInvalid`] (a refusal must
/// never look like an interim answer or a success), 304 as
/// [`BuildError::StatusWithoutContent`].
pub(crate) fn check_rejection_status(status: u16) -> Result<(), BuildError> {
    match status {
        304 => Err(BuildError::StatusWithoutContent),
        300..=599 => Ok(()),
        _ => Err(BuildError::StatusInvalid),
    }
}

/// The RFC 9110 reason phrase, or an empty one (allowed by RFC 7230 §3.1.2).
pub(crate) fn reason_phrase(status: u16) -> &'static str {
    match status {
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        417 => "Expectation Failed",
        421 => "Misdirected Request",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejection_statuses() {
        for ok in [300, 301, 400, 405, 426, 599] {
            assert_eq!(check_rejection_status(ok), Ok(()), "{ok}");
        }
        for interim_or_success in [0, 100, 101, 103, 199, 200, 204, 299, 600, 999] {
            assert_eq!(
                check_rejection_status(interim_or_success),
                Err(BuildError::StatusInvalid)
            );
        }
        assert_eq!(
            check_rejection_status(304),
            Err(BuildError::StatusWithoutContent)
        );
    }
}
