//! The one shape every outgoing message shares: `encoded_len`, `encode` into a slice,
//! `write_to` a `Vec`, all driven by a single `emit` so the three can never disagree.

use alloc::vec::Vec;
use core::fmt;

use crate::error::{BufferTooSmall, BuildError};
use crate::grammar::token::{is_field_value, is_token};

/// Where an outgoing message's bytes go.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);

    /// Writes a `Display` value (its bytes, no allocation).
    fn put_display(&mut self, value: &dyn fmt::Display) {
        struct Adapter<'s, S: ?Sized>(&'s mut S);
        impl<S: Sink + ?Sized> fmt::Write for Adapter<'_, S> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.0.put(s.as_bytes());
                Ok(())
            }
        }
        let _ = fmt::write(&mut Adapter(self), format_args!("{value}"));
    }

    fn put_usize(&mut self, n: usize) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut n = n;
        loop {
            i = i.saturating_sub(1);
            if let Some(d) = digits.get_mut(i) {
                *d = b'0'.saturating_add((n % 10) as u8);
            }
            n /= 10;
            if n == 0 || i == 0 {
                break;
            }
        }
        self.put(digits.get(i..).unwrap_or_default());
    }

    fn header(&mut self, name: &str, value: &[u8]) {
        self.put(name.as_bytes());
        self.put(b": ");
        self.put(value);
        self.put(b"\r\n");
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Writes into a formatter, so a `Display` can share a byte writer.
pub(crate) struct FmtSink<'a, 'f> {
    f: &'a mut fmt::Formatter<'f>,
    result: fmt::Result,
}

impl<'a, 'f> FmtSink<'a, 'f> {
    pub(crate) fn new(f: &'a mut fmt::Formatter<'f>) -> Self {
        Self { f, result: Ok(()) }
    }

    /// The first error the formatter reported, if any.
    pub(crate) fn finish(self) -> fmt::Result {
        self.result
    }
}

impl Sink for FmtSink<'_, '_> {
    fn put(&mut self, bytes: &[u8]) {
        if self.result.is_ok() {
            // Writers only put ASCII; anything else is reported, never mangled.
            self.result = core::str::from_utf8(bytes)
                .map_err(|_| fmt::Error)
                .and_then(|s| self.f.write_str(s));
        }
    }
}

/// Implements `Display` through the type's byte writer (`emit`), so text and bytes
/// can never disagree.
macro_rules! display_via_emit {
    ($(#[$doc:meta])* $ty:ident) => {
        $(#[$doc])*
        impl core::fmt::Display for $ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                let mut sink = $crate::answer::write::FmtSink::new(f);
                self.emit(&mut sink);
                sink.finish()
            }
        }
    };
}
pub(crate) use display_via_emit;

/// Counts bytes without writing them.
#[derive(Default)]
pub(crate) struct Counter(pub(crate) usize);

impl Sink for Counter {
    fn put(&mut self, bytes: &[u8]) {
        self.0 = self.0.saturating_add(bytes.len());
    }
}

/// Writes into a slice already known to be large enough.
pub(crate) struct SliceSink<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl Sink for SliceSink<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let end = self.pos.saturating_add(bytes.len());
        if let Some(dst) = self.buf.get_mut(self.pos..end) {
            dst.copy_from_slice(bytes);
        }
        self.pos = end;
    }
}

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

/// Header names that the handshake writes itself and callers may not set: the
/// fields of the upgrade (`Connection`, `Upgrade`, `Sec-WebSocket-*`), the framing
/// (`Transfer-Encoding`) and every `Content-*` field. The content fields describe
/// the body the crate writes (RFC 9110 §8), so a caller's `Content-Encoding: gzip`
/// would mislabel a plain-text body and a caller's `Content-Length` would contradict
/// the real one; a rejection's `Content-Type` has its own setter instead.
fn is_reserved(name: &str) -> bool {
    const RESERVED: [&str; 3] = ["connection", "upgrade", "transfer-encoding"];
    let has_prefix = |prefix: &str| {
        name.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    };
    has_prefix("sec-websocket-")
        || has_prefix("content-")
        || RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name))
}

/// Checks caller-supplied extra headers: token names, no reserved names, no
/// CR/LF/NUL/controls in values — so nothing can be injected into a response.
pub(crate) fn check_extra_headers(headers: &[(&str, &str)]) -> Result<(), BuildError> {
    for (name, value) in headers {
        if !is_token(name.as_bytes()) {
            return Err(BuildError::InvalidHeaderName);
        }
        if is_reserved(name) {
            return Err(BuildError::ReservedHeader);
        }
        if !is_field_value(value.as_bytes()) {
            return Err(BuildError::InvalidHeaderValue);
        }
    }
    Ok(())
}

/// Whether the caller's extra headers hold a field named `name` (ASCII
/// case-insensitive): such a field *replaces* the one a refusal would write itself
/// (`Allow` on a 405), so the response never carries two copies of it.
pub(crate) fn has_field(headers: &[(&str, &str)], name: &str) -> bool {
    headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
}

/// The statuses a refusal ([`Rejection`](crate::Rejection),
/// [`ConnectRejection`](crate::ConnectRejection)) may carry, shared by both.
///
/// A refusal always has content (its plain-text reason), so it may not use a status
/// that cannot have any: 1xx (RFC 9110 §15.2), 204 (§15.3.5) and 304 (§15.4.5;
/// §6.4.1). 1xx and 2xx are refused as [`BuildError::InvalidStatus`] (a refusal must
/// never look like an interim answer or a success), 304 as
/// [`BuildError::StatusWithoutContent`].
pub(crate) fn check_rejection_status(status: u16) -> Result<(), BuildError> {
    match status {
        304 => Err(BuildError::StatusWithoutContent),
        300..=599 => Ok(()),
        _ => Err(BuildError::InvalidStatus),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usize_formatting() {
        for n in [0usize, 7, 10, 431, 65536, usize::MAX] {
            let mut v = Vec::new();
            v.put_usize(n);
            assert_eq!(String::from_utf8(v).unwrap(), n.to_string());
        }
    }

    #[test]
    fn extra_header_checks() {
        assert_eq!(
            check_extra_headers(&[("Set-Cookie", "a=b; Path=/")]),
            Ok(())
        );
        assert_eq!(
            check_extra_headers(&[("X", "a\r\nEvil: 1")]),
            Err(BuildError::InvalidHeaderValue)
        );
        assert_eq!(
            check_extra_headers(&[("X", "a\0")]),
            Err(BuildError::InvalidHeaderValue)
        );
        assert_eq!(
            check_extra_headers(&[("X", "a\nb")]),
            Err(BuildError::InvalidHeaderValue)
        );
        assert_eq!(
            check_extra_headers(&[("X Y", "a")]),
            Err(BuildError::InvalidHeaderName)
        );
        assert_eq!(
            check_extra_headers(&[("X:", "a")]),
            Err(BuildError::InvalidHeaderName)
        );
        assert_eq!(
            check_extra_headers(&[("", "a")]),
            Err(BuildError::InvalidHeaderName)
        );
        assert_eq!(
            check_extra_headers(&[("sec-websocket-accept", "a")]),
            Err(BuildError::ReservedHeader)
        );
        assert_eq!(
            check_extra_headers(&[("Connection", "keep-alive")]),
            Err(BuildError::ReservedHeader)
        );
        for name in [
            "Content-Encoding",
            "content-language",
            "CONTENT-RANGE",
            "Content-",
        ] {
            assert_eq!(
                check_extra_headers(&[(name, "x")]),
                Err(BuildError::ReservedHeader),
                "{name}"
            );
        }
        // A name that merely starts like a reserved one is not reserved.
        assert_eq!(check_extra_headers(&[("Contents", "x")]), Ok(()));
        assert_eq!(check_extra_headers(&[("Allow", "GET")]), Ok(()));
    }

    #[test]
    fn rejection_statuses() {
        for ok in [300, 301, 400, 405, 426, 599] {
            assert_eq!(check_rejection_status(ok), Ok(()), "{ok}");
        }
        for interim_or_success in [0, 100, 101, 103, 199, 200, 204, 299, 600, 999] {
            assert_eq!(
                check_rejection_status(interim_or_success),
                Err(BuildError::InvalidStatus)
            );
        }
        assert_eq!(
            check_rejection_status(304),
            Err(BuildError::StatusWithoutContent)
        );
    }
}
