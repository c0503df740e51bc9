//! The one pass over the header fields: [`Summary`] takes each field once
//! (dispatching on the name's length, then a case-insensitive compare) and keeps only
//! what the rules need, borrowed. The rules then read the summary and never look at
//! the fields again, so every front end (HTTP/1.1 bytes, the `http` crate, extended
//! CONNECT, the client's response check) shares them unchanged.

use crate::grammar::bytes::eq_lowercase;
use crate::grammar::token::{list_contains, list_holds_other_than, trim_ows};

/// How many field lines of one list-valued WebSocket header are kept (more is refused).
pub(crate) const LIST_LINES: usize = 8;

/// A header that must appear at most once: its first value and how often it appeared.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Field<'a> {
    pub(crate) value: Option<&'a [u8]>,
    pub(crate) count: u8,
}

impl<'a> Field<'a> {
    fn add(&mut self, v: &'a [u8]) {
        self.value.get_or_insert(v);
        self.count = self.count.saturating_add(1);
    }
}

/// The field lines of one list-valued header, in order.
// `Option` slots: an empty summary is all zero bytes, so making one is a short
// memset per handshake (empty slices would each need their dangling pointer stored).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Lines<'a> {
    values: [Option<&'a [u8]>; LIST_LINES],
    len: u8,
    overflow: bool,
}

impl<'a> Lines<'a> {
    fn push(&mut self, v: &'a [u8]) {
        match self.values.get_mut(usize::from(self.len)) {
            Some(slot) => {
                *slot = Some(v);
                self.len = self.len.saturating_add(1);
            }
            None => self.overflow = true,
        }
    }

    /// Whether more lines arrived than are kept.
    pub(crate) fn overflowed(&self) -> bool {
        self.overflow
    }

    /// The lines, borrowed: the array is not copied.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a [u8]> + Clone + '_ {
        let kept = self.values.get(..usize::from(self.len)).unwrap_or_default();
        kept.iter().map(|v| v.unwrap_or_default())
    }

    /// The lines, for an iterator that outlives the summary (it holds a copy).
    pub(crate) fn into_lines(self) -> impl Iterator<Item = &'a [u8]> + Clone + 'a {
        self.values.into_iter().flatten()
    }
}

/// What the rules need from the header fields, gathered in one pass.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Summary<'a> {
    pub(crate) host: Field<'a>,
    pub(crate) origin: Field<'a>,
    pub(crate) key: Field<'a>,
    pub(crate) version: Field<'a>,
    pub(crate) content_length: Field<'a>,
    /// The last `Transfer-Encoding` field line, if any: its last coding is the final one.
    pub(crate) transfer_encoding: Option<&'a [u8]>,
    pub(crate) upgrade_websocket: bool,
    /// An `Upgrade` element other than `websocket` (empty ones aside): a `101` must
    /// switch to websocket alone (RFC 6455 §4.1 response check 2). Read from a
    /// response only ([`add_response_field`](Self::add_response_field)).
    pub(crate) upgrade_other: bool,
    pub(crate) connection_upgrade: bool,
    /// An `Expect` element other than `100-continue` (RFC 9110 §10.1.1).
    pub(crate) expect_other: bool,
    pub(crate) legacy_key: bool,
    pub(crate) protocols: Lines<'a>,
    pub(crate) extensions: Lines<'a>,
    /// `Sec-WebSocket-Accept`, read by the client side.
    pub(crate) accept: Field<'a>,
}

impl<'a> Summary<'a> {
    /// Takes one header field into account.
    pub(crate) fn add(&mut self, name: &[u8], value: &'a [u8]) {
        self.add_trimmed(name, trim_ows(value));
    }

    /// [`add`](Self::add) for a value without leading or trailing whitespace, as
    /// httparse gives them (it skips OWS after the colon and trims it at the end).
    #[inline(always)] // called per header in a loop: no call frame each time
    pub(crate) fn add_trimmed(&mut self, name: &[u8], value: &'a [u8]) {
        self.add_field::<false>(name, value);
    }

    /// [`add_trimmed`](Self::add_trimmed) for a field of a response, which the client
    /// checks for more: that `Upgrade` names websocket alone. Requests never need
    /// that, so the servers' pass does not read it.
    #[inline(always)]
    pub(crate) fn add_response_field(&mut self, name: &[u8], value: &'a [u8]) {
        self.add_field::<true>(name, value);
    }

    #[inline(always)]
    fn add_field<const RESPONSE: bool>(&mut self, name: &[u8], value: &'a [u8]) {
        debug_assert_eq!(trim_ows(value), value);
        // Dispatch on the length first: most names are then rejected by one compare.
        match name.len() {
            4 if eq_lowercase(name, b"host") => self.host.add(value),
            6 if eq_lowercase(name, b"origin") => self.origin.add(value),
            6 if eq_lowercase(name, b"expect") => {
                self.expect_other |= list_holds_other_than(value, b"100-continue");
            }
            7 if eq_lowercase(name, b"upgrade") => {
                self.upgrade_websocket |= list_contains(value, b"websocket");
                if RESPONSE {
                    self.upgrade_other |= list_holds_other_than(value, b"websocket");
                }
            }
            10 if eq_lowercase(name, b"connection") => {
                self.connection_upgrade |= list_contains(value, b"upgrade");
            }
            14 if eq_lowercase(name, b"content-length") => {
                self.content_length.add(value);
            }
            17 if eq_lowercase(name, b"sec-websocket-key") => self.key.add(value),
            17 if eq_lowercase(name, b"transfer-encoding") => {
                self.transfer_encoding = Some(value);
            }
            18 if eq_lowercase(name, b"sec-websocket-key1")
                || eq_lowercase(name, b"sec-websocket-key2") =>
            {
                self.legacy_key = true;
            }
            20 if eq_lowercase(name, b"sec-websocket-accept") => {
                self.accept.add(value);
            }
            21 if eq_lowercase(name, b"sec-websocket-version") => {
                self.version.add(value);
            }
            22 if eq_lowercase(name, b"sec-websocket-protocol") => {
                self.protocols.push(value);
            }
            24 if eq_lowercase(name, b"sec-websocket-extensions") => {
                self.extensions.push(value);
            }
            _ => {}
        }
    }

    /// Whether the client tried to open a WebSocket at all (as opposed to a plain
    /// HTTP request, or an upgrade to some other protocol).
    pub(crate) fn wants_websocket(&self) -> bool {
        self.upgrade_websocket || self.key.count > 0 || self.version.count > 0 || self.legacy_key
    }
}
