//! Size limits on what a peer may make us hold.

/// The most header fields any configuration may allow.
///
/// Header fields are parsed into a stack array of this many entries, so the
/// limit also bounds stack use (about 4 KiB).
pub const MAX_HEADERS_CAP: usize = 128;

/// Limits on a handshake head, with safe defaults.
///
/// A head that exceeds either limit is refused with `431 Request Header Fields Too Large`
/// (server; `414 URI Too Long`, [`RequestLineTooLong`](crate::Error::RequestLineTooLong),
/// when not even the request line ends within the byte limit) or a [`HeadTooLarge`](crate::Error::HeadTooLarge) /
/// [`TooManyHeaders`](crate::Error::TooManyHeaders) error (client).
///
/// ```
/// use ws_handshake::Limits;
/// let limits = Limits::default().with_max_head_bytes(4096).with_max_headers(32);
/// assert_eq!(limits.max_head_bytes(), 4096);
/// assert_eq!(limits.max_headers(), 32);
/// // Header counts are capped.
/// assert_eq!(Limits::default().with_max_headers(10_000).max_headers(), ws_handshake::MAX_HEADERS_CAP);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    head_bytes: usize,
    headers: usize,
}

impl Limits {
    /// 16 KiB of head and 64 header fields: several times what any browser sends
    /// (Chromium's handshake with cookies is ~600 bytes and 14 fields).
    pub const DEFAULT: Self = Self {
        head_bytes: 16 * 1024,
        headers: 64,
    };

    /// Sets the largest head accepted, in bytes, including the final `CRLF CRLF`.
    pub const fn with_max_head_bytes(mut self, bytes: usize) -> Self {
        self.head_bytes = bytes;
        self
    }

    /// Sets the most header fields accepted; values above [`MAX_HEADERS_CAP`] are capped.
    pub const fn with_max_headers(mut self, count: usize) -> Self {
        self.headers = if count > MAX_HEADERS_CAP {
            MAX_HEADERS_CAP
        } else {
            count
        };
        self
    }

    /// The largest head accepted, in bytes.
    pub const fn max_head_bytes(&self) -> usize {
        self.head_bytes
    }

    /// The most header fields accepted.
    pub const fn max_headers(&self) -> usize {
        self.headers
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
