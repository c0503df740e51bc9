//! The head of an HTTP/2 or HTTP/3 message, [`Head`]: its pseudo-header fields and
//! header fields, as the extended CONNECT answers and the extended CONNECT client's
//! request hand them to an HTTP library. The answers fill it from their one field list
//! (`answer/field_list.rs`); this file knows only the form.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

/// A message for HTTP/2 or HTTP/3: its pseudo-header fields and its header fields,
/// names in lowercase (RFC 9113 §8.2.1, §8.3; RFC 9114 §4.2), for the HTTP library
/// to send. The extended CONNECT answers ([`Accept::head`](crate::Accept::head),
/// [`Rejection::head`](crate::Rejection::head)) and the client's request
/// ([`ConnectClient::request`](crate::ConnectClient::request)) all take this form.
///
/// ```
/// use ws_handshake::Error;
/// let head = Error::VersionUnsupported.rejection().head();
/// assert_eq!(head.status(), Some(426));
/// assert_eq!(head.get("sec-websocket-version"), Some("13"));
/// assert_eq!(head.pseudo_fields().collect::<Vec<_>>(), [(":status", "426")]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// A response's `:status`, kept apart so a response head has no pseudo-field list
    /// to allocate.
    status: Option<Cow<'static, str>>,
    pseudo: Vec<(&'static str, Cow<'static, str>)>,
    fields: Vec<(Cow<'static, str>, String)>,
}

/// The names the crate's own HTTP/2 answers carry, lowercase: [`Head::push_field`] borrows
/// these instead of allocating a lowercase copy (any other name is copied).
const OWN_NAMES: [&str; 6] = [
    "sec-websocket-protocol",
    "sec-websocket-extensions",
    "sec-websocket-version",
    "content-type",
    "content-length",
    "allow",
];

impl Head {
    /// A response head whose `:status` is `status`, already written as digits.
    pub(crate) fn with_status(status: Cow<'static, str>) -> Self {
        let mut head = Self::request();
        head.status = Some(status);
        head
    }

    /// A head without pseudo-header fields yet.
    pub(crate) fn request() -> Self {
        Self {
            status: None,
            pseudo: Vec::new(),
            fields: Vec::new(),
        }
    }

    pub(crate) fn push_pseudo(&mut self, name: &'static str, value: impl Into<Cow<'static, str>>) {
        self.pseudo.push((name, value.into()));
    }

    /// Takes one header field, its name lowercased (RFC 9113 §8.2.1).
    pub(crate) fn push_field(&mut self, name: &str, value: String) {
        let name = OWN_NAMES
            .iter()
            .find(|own| own.len() == name.len() && own.eq_ignore_ascii_case(name))
            .map_or_else(
                || Cow::Owned(name.to_ascii_lowercase()),
                |own| Cow::Borrowed(*own),
            );
        self.fields.push((name, value));
    }

    /// The `:status` of a response head; `None` for a request.
    pub fn status(&self) -> Option<u16> {
        self.status.as_ref().and_then(|v| v.parse().ok())
    }

    /// The pseudo-header fields, in order (`:status`; or `:method`, `:protocol`,
    /// `:scheme`, `:path`, `:authority`).
    pub fn pseudo_fields(&self) -> impl Iterator<Item = (&str, &str)> + Clone + '_ {
        let status = self.status.iter().map(|v| (":status", v.as_ref()));
        status.chain(self.pseudo.iter().map(|(n, v)| (*n, v.as_ref())))
    }

    /// The header fields, in order, names in lowercase.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> + Clone + '_ {
        self.fields.iter().map(|(n, v)| (n.as_ref(), v.as_str()))
    }

    /// The value of the first pseudo-header or header field named `name` (lowercase).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pseudo_fields()
            .chain(self.fields())
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9113 §8.2.1: field names in HTTP/2 are lowercase, whether the name is one
    /// of the crate's own (borrowed, so they must be written lowercase) or not.
    #[test]
    fn names_are_lowercase_own_or_not() {
        assert!(OWN_NAMES
            .iter()
            .all(|n| n.bytes().all(|b| !b.is_ascii_uppercase())));
        let mut head = Head::request();
        head.push_field("Sec-WebSocket-Protocol", "chat".into());
        head.push_field("X-Trace-Id", "7".into());
        let fields: Vec<_> = head.fields().collect();
        assert_eq!(
            fields,
            [("sec-websocket-protocol", "chat"), ("x-trace-id", "7")]
        );
    }
}
