//! Where written bytes go: a `Vec`, a slice, a formatter or a counter, behind one
//! `Sink` trait, so every writer (an answer, a request, a deflate element) has one
//! body that serves all of them and they can never disagree.

use alloc::vec::Vec;
use core::fmt;

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
                let mut sink = $crate::sink::FmtSink::new(f);
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
    pub(crate) buf: &'b mut [u8],
    pub(crate) pos: usize,
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
}
