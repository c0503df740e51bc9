//! The header fields a caller may add to a message (an answer, a refusal, the
//! client's request): checked once here, so nothing can be injected in any form.

use crate::error::BuildError;
use crate::grammar::token::{is_field_value, is_token};

/// Header names that the handshake writes itself and callers may not set: the
/// fields of the upgrade (`Connection`, `Upgrade`, `Sec-WebSocket-*`), the framing
/// (`Transfer-Encoding`) and every `Content-*` field. The content fields describe
/// the body the crate writes (RFC 9110 §8), so a caller's `Content-Encoding: gzip`
/// would mislabel a plain-text body and a caller's `Content-Length` would contradict
/// the real one; a rejection's `Content-Type` has its own setter instead.
fn is_reserved(name: &str) -> bool {
    const RESERVED: [&str; 6] = [
        "connection",
        "upgrade",
        "transfer-encoding",
        // Connection-specific (RFC 9113 §8.2.2), meaningless in a handshake answer.
        "keep-alive",
        "proxy-connection",
        "te",
    ];
    let has_prefix = |prefix: &str| {
        name.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    };
    has_prefix("sec-websocket-")
        || has_prefix("content-")
        || RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name))
}

/// Checks caller-supplied extra headers: token names, no reserved names, values
/// without CR, LF, NUL or other controls and without leading or trailing whitespace
/// (RFC 9110 §5.5; RFC 9113 §8.2.1) — so nothing can be injected into a message, in
/// any of its forms.
pub(crate) fn check_extra_headers(headers: &[(&str, &str)]) -> Result<(), BuildError> {
    for (name, value) in headers {
        if !is_token(name.as_bytes()) {
            return Err(BuildError::HeaderNameInvalid);
        }
        if is_reserved(name) {
            return Err(BuildError::HeaderReserved);
        }
        let ows = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t'));
        let value = value.as_bytes();
        if !is_field_value(value) || ows(value.first()) || ows(value.last()) {
            return Err(BuildError::HeaderValueInvalid);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_header_checks() {
        assert_eq!(
            check_extra_headers(&[("Set-Cookie", "a=b; Path=/")]),
            Ok(())
        );
        assert_eq!(
            check_extra_headers(&[("X", "a\r\nEvil: 1")]),
            Err(BuildError::HeaderValueInvalid)
        );
        assert_eq!(
            check_extra_headers(&[("X", "a\0")]),
            Err(BuildError::HeaderValueInvalid)
        );
        assert_eq!(
            check_extra_headers(&[("X", "a\nb")]),
            Err(BuildError::HeaderValueInvalid)
        );
        assert_eq!(
            check_extra_headers(&[("X Y", "a")]),
            Err(BuildError::HeaderNameInvalid)
        );
        assert_eq!(
            check_extra_headers(&[("X:", "a")]),
            Err(BuildError::HeaderNameInvalid)
        );
        assert_eq!(
            check_extra_headers(&[("", "a")]),
            Err(BuildError::HeaderNameInvalid)
        );
        assert_eq!(
            check_extra_headers(&[("sec-websocket-accept", "a")]),
            Err(BuildError::HeaderReserved)
        );
        assert_eq!(
            check_extra_headers(&[("Connection", "keep-alive")]),
            Err(BuildError::HeaderReserved)
        );
        for name in [
            "Content-Encoding",
            "content-language",
            "CONTENT-RANGE",
            "Content-",
        ] {
            assert_eq!(
                check_extra_headers(&[(name, "x")]),
                Err(BuildError::HeaderReserved),
                "{name}"
            );
        }
        // A name that merely starts like a reserved one is not reserved.
        assert_eq!(check_extra_headers(&[("Contents", "x")]), Ok(()));
        assert_eq!(check_extra_headers(&[("Allow", "GET")]), Ok(()));
    }
}
