//! `Sec-WebSocket-Key` and `Sec-WebSocket-Accept` (RFC 6455 §1.3, §4.2.2 item 5.4).

use core::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha1::{Digest as _, Sha1};

/// The GUID that RFC 6455 §1.3 appends to the key before hashing.
const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// A `Sec-WebSocket-Accept` value: `base64(SHA-1(key ++ GUID))`, 28 ASCII bytes.
///
/// ```
/// use ws_handshake::AcceptKey;
/// // The example of RFC 6455 §1.3.
/// let accept = AcceptKey::from_key(b"dGhlIHNhbXBsZSBub25jZQ==");
/// assert_eq!(accept.as_str(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AcceptKey([u8; 28]);

impl AcceptKey {
    /// Computes the accept value for a `Sec-WebSocket-Key` value, exactly as sent.
    pub fn from_key(key: &[u8]) -> Self {
        let mut sha = Sha1::new();
        sha.update(key);
        sha.update(GUID);
        let digest = sha.finalize();
        let mut out = [0u8; 28];
        // 20 bytes always encode to exactly 28: this cannot fail, and would leave
        // an accept value no client matches (never a false success) if it did.
        let _ = STANDARD.encode_slice(digest, &mut out);
        Self(out)
    }

    /// The value as text.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The value as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for AcceptKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AcceptKey({})", self.as_str())
    }
}

impl fmt::Display for AcceptKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A client's `Sec-WebSocket-Key`: base64 of a 16-byte nonce, 24 ASCII bytes.
///
/// RFC 6455 §4.1 item 7 requires a fresh, randomly selected nonce for every
/// connection. Take it from the OS (with the `getrandom` crate, for example); this
/// crate draws no randomness itself.
///
/// ```
/// use ws_handshake::ClientKey;
/// let key = ClientKey::from_nonce(*b"the sample nonce");
/// assert_eq!(key.as_str(), "dGhlIHNhbXBsZSBub25jZQ==");
/// assert_eq!(key.expected_accept().as_str(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey([u8; 24]);

impl ClientKey {
    /// Encodes a 16-byte nonce.
    pub fn from_nonce(nonce: [u8; 16]) -> Self {
        let mut out = [0u8; 24];
        // 16 bytes always encode to exactly 24.
        let _ = STANDARD.encode_slice(nonce, &mut out);
        Self(out)
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The key's bytes, for the request writer: no UTF-8 check on the way.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The `Sec-WebSocket-Accept` value a server must answer this key with.
    pub fn expected_accept(&self) -> AcceptKey {
        AcceptKey::from_key(&self.0)
    }
}

impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClientKey({})", self.as_str())
    }
}

/// Whether `key` is the canonical base64 encoding of exactly 16 bytes (RFC 6455 §4.2.1 item 5).
pub(crate) fn is_valid_key(key: &[u8]) -> bool {
    if key.len() != 24 {
        return false;
    }
    let mut nonce = [0u8; 18];
    matches!(STANDARD.decode_slice(key, &mut nonce), Ok(16))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6455_section_1_3_example() {
        assert_eq!(
            AcceptKey::from_key(b"dGhlIHNhbXBsZSBub25jZQ==").as_str(),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn key_validation() {
        assert!(is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ=="));
        assert!(is_valid_key(b"AAAAAAAAAAAAAAAAAAAAAA=="));
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ")); // unpadded
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZR==")); // non-zero trailing bits
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25j")); // 15 bytes... too short
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ==dGhl"));
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ=A"));
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZ-=="));
        assert!(!is_valid_key(b"YWJjZGVmZ2hpamtsbW5vcHE=")); // 17 bytes
    }
}
