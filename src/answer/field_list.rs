//! One field list per message, and the HTTP/2 / HTTP/3 form it takes.
//!
//! Every message the crate writes (the `101`, the extended CONNECT `200`, a refusal,
//! the client's request) lists its header fields once, through a callback that is
//! handed `(name, Value)` pairs. The HTTP/1.1 writer puts them on the wire as they
//! come, the `http` feature appends them to an `http::HeaderMap`, and a [`Head`]
//! (`head/h2_h3.rs`) keeps them, names lowercased, for an HTTP/2 or HTTP/3 library:
//! three forms, one list, so they can never disagree.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use crate::head::h2_h3::Head;
use crate::rules::client_config::ClientConfig;
use crate::rules::custom_extension::AcceptedExtension;
use crate::rules::deflate::{DeflateOffer, PerMessageDeflate};
use crate::rules::negotiate::Negotiated;
use crate::sink::Sink;

/// A header field value as the writers see it, produced without allocating.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'v> {
    /// Bytes already known to be a valid field value.
    Text(&'v [u8]),
    /// A decimal number (`Content-Length`).
    Number(usize),
    /// The accepted extensions of an answer.
    Extensions(&'v Answer<'v>),
    /// A client's permessage-deflate offers, comma-separated (RFC 7692 §5).
    Offers(&'v [DeflateOffer]),
    /// A client's subprotocols, comma-separated.
    Protocols(&'v [String]),
}

impl Value<'_> {
    /// Writes the value.
    pub(crate) fn emit<S: Sink>(&self, out: &mut S) {
        match self {
            Self::Text(t) => out.put(t),
            Self::Number(n) => out.put_usize(*n),
            Self::Extensions(a) => a.emit_extensions(out),
            Self::Offers(offers) => {
                for (i, offer) in offers.iter().enumerate() {
                    if i > 0 {
                        out.put(b", ");
                    }
                    offer.emit(out);
                }
            }
            Self::Protocols(list) => {
                let mut first = true;
                for p in list.iter() {
                    if !first {
                        out.put(b", ");
                    }
                    first = false;
                    out.put(p.as_bytes());
                }
            }
        }
    }

    /// The value as text (every value the crate writes is ASCII, so the bytes are
    /// kept as they are: one allocation, no copy).
    pub(crate) fn to_text(self) -> String {
        // Room for the common values at once: growing by pieces reallocates.
        let mut bytes = Vec::with_capacity(64);
        self.emit(&mut bytes);
        String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// Writes one HTTP/1.1 header field line.
#[inline]
pub(crate) fn emit_field<S: Sink>(out: &mut S, name: &str, value: &Value<'_>) {
    out.put(name.as_bytes());
    out.put(b": ");
    value.emit(out);
    out.put(b"\r\n");
}

/// Caller-supplied extra fields (already checked), after the crate's own.
pub(crate) fn extra_fields(headers: &[(&str, &str)], field: &mut impl FnMut(&str, Value<'_>)) {
    for (name, value) in headers {
        field(name, Value::Text(value.as_bytes()));
    }
}

/// What an accepting answer says beyond its status line: the negotiated subprotocol
/// and extensions, then the caller's extra fields: what an [`Accept`](crate::Accept)
/// says in both its forms, the HTTP/1.1 `101` and the extended CONNECT `200`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Answer<'a> {
    /// A token (ASCII).
    pub(crate) protocol: Option<&'a [u8]>,
    pub(crate) deflate: Option<PerMessageDeflate>,
    deflate_position: usize,
    custom: &'a [AcceptedExtension<'a>],
    /// Extra headers, already checked.
    pub(crate) headers: &'a [(&'a str, &'a str)],
}

impl<'a> Answer<'a> {
    pub(crate) fn new(negotiated: &'a Negotiated<'a>) -> Self {
        Self {
            protocol: negotiated.protocol,
            deflate: negotiated.deflate,
            deflate_position: negotiated.deflate_position,
            custom: &negotiated.custom,
            headers: &[],
        }
    }

    /// The negotiated fields and the extras, in order.
    pub(crate) fn fields(&self, field: &mut impl FnMut(&str, Value<'_>)) {
        if let Some(p) = self.protocol {
            field("Sec-WebSocket-Protocol", Value::Text(p));
        }
        if self.deflate.is_some() || !self.custom.is_empty() {
            field("Sec-WebSocket-Extensions", Value::Extensions(self));
        }
        extra_fields(self.headers, field);
    }

    /// The `Sec-WebSocket-Extensions` value: the accepted extensions in the
    /// configured order (the order the server applies them).
    fn emit_extensions<S: Sink>(&self, out: &mut S) {
        let custom = self.custom;
        let (before, after) =
            custom.split_at(custom.partition_point(|c| c.position < self.deflate_position));
        let mut first = true;
        let mut separator = |out: &mut S| {
            if !first {
                out.put(b", ");
            }
            first = false;
        };
        for c in before {
            separator(out);
            custom_element(out, c);
        }
        if let Some(d) = &self.deflate {
            separator(out);
            d.emit(out);
        }
        for c in after {
            separator(out);
            custom_element(out, c);
        }
    }
}

fn custom_element<S: Sink>(out: &mut S, c: &AcceptedExtension<'_>) {
    out.put(c.name.as_bytes());
    out.put_display(&c.params);
}

// The `Head` type is the head layer's (`head/h2_h3.rs`); what this layer adds is how
// an answer's field values become its text.
impl Head {
    /// A response head with `:status`.
    pub(crate) fn response(status: u16) -> Self {
        // The accepting status is borrowed; others are written by the crate's digit
        // writer (`to_string` would go through `fmt`).
        Self::with_status(match status {
            200 => Cow::Borrowed("200"),
            _ => Cow::Owned(Value::Number(usize::from(status)).to_text()),
        })
    }

    /// Takes one field of a field list, its name lowercased.
    pub(crate) fn push(&mut self, name: &str, value: Value<'_>) {
        self.push_field(name, value.to_text());
    }
}

impl ClientConfig {
    /// The fields that carry the configuration's offers (subprotocols, extensions):
    /// with [`identity_fields`](Self::identity_fields), the one list the HTTP/1.1
    /// request and the extended CONNECT request are both written from.
    pub(crate) fn offer_fields(&self, field: &mut impl FnMut(&str, Value<'_>)) {
        if !self.protocols.is_empty() {
            field("Sec-WebSocket-Protocol", Value::Protocols(&self.protocols));
        }
        if !self.deflate.is_empty() {
            field("Sec-WebSocket-Extensions", Value::Offers(&self.deflate));
        }
    }

    /// The `Origin` and the caller's own fields, after the offers.
    pub(crate) fn identity_fields(&self, field: &mut impl FnMut(&str, Value<'_>)) {
        if let Some(origin) = &self.origin {
            field("Origin", Value::Text(origin.as_bytes()));
        }
        for (name, value) in &self.headers {
            field(name, Value::Text(value.as_bytes()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9113 §8.2.1: field names in HTTP/2 are lowercase, whether the name is one
    /// of the crate's own (borrowed) or the caller's (copied).
    #[test]
    fn head_names_are_lowercase_own_or_not() {
        let mut head = Head::response(200);
        head.push("Sec-WebSocket-Protocol", Value::Text(b"chat"));
        head.push("ALLOW", Value::Text(b"GET"));
        head.push("X-Trace-Id", Value::Text(b"7"));
        head.push("Content-Length", Value::Number(12));
        let fields: Vec<_> = head.fields().collect();
        assert_eq!(
            fields,
            [
                ("sec-websocket-protocol", "chat"),
                ("allow", "GET"),
                ("x-trace-id", "7"),
                ("content-length", "12"),
            ]
        );
    }

    /// `:status` as text for the borrowed 200 and for written statuses.
    #[test]
    fn status_is_the_number_given() {
        for status in [200, 400, 426, 501, 599] {
            let head = Head::response(status);
            assert_eq!(head.status(), Some(status));
            let text = status.to_string();
            assert_eq!(
                head.pseudo_fields().collect::<Vec<_>>(),
                [(":status", text.as_str())]
            );
        }
    }
}
