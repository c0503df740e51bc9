//! permessage-deflate negotiation (RFC 7692 §5–7).
//!
//! The server side walks the client's offers in order and accepts the first one it
//! can honour ([`DeflateConfig::negotiate`]); an offer with an unknown, repeated or
//! out-of-range parameter is declined, never turned into a failed handshake. The
//! result is a [`PerMessageDeflate`]: the exact parameters to write in the response
//! and to configure the compressor with.
//!
//! The server's side is a [`DeflateConfig`]; a client offers [`DeflateOffer`]s
//! (named [`PERMESSAGE_DEFLATE`] on the wire), and a server's answer that breaks a
//! parameter's rule is a [`DeflateParamError`] (inside a `ClientError`).

use crate::error::ClientError;
use crate::grammar::bytes::eq_lowercase;
use crate::grammar::extension::{Extension, ExtensionSyntaxError, Extensions, Param};
use crate::sink::{display_via_emit, Sink};

/// The extension token, RFC 7692 §7.
pub const PERMESSAGE_DEFLATE: &str = "permessage-deflate";

/// The parameters of one permessage-deflate offer (a client's request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeflateOffer {
    /// `server_no_context_takeover`: the client asks the server to reset its compression context per message.
    pub server_no_context_takeover: bool,
    /// `client_no_context_takeover`: the client announces it resets its own context per message.
    pub client_no_context_takeover: bool,
    /// `server_max_window_bits=N`: the client asks the server to compress with a window of at most 2^N.
    pub server_max_window_bits: Option<u8>,
    /// `client_max_window_bits[=N]`: the client can limit its own window; `Some(None)` is the bare parameter.
    pub client_max_window_bits: Option<Option<u8>>,
}

pub use crate::error::DeflateParamError;

impl DeflateOffer {
    /// Reads the parameters of a `permessage-deflate` extension element.
    ///
    /// # Errors
    /// An unknown or repeated parameter, or an invalid value (RFC 7692 §7.1).
    pub fn from_extension(ext: &Extension<'_>) -> Result<Self, DeflateParamError> {
        let mut offer = Self::default();
        for p in ext.params() {
            let p = p.map_err(|_| DeflateParamError::ValueInvalid)?;
            offer.add_param(&p)?;
        }
        Ok(offer)
    }

    /// Takes one parameter of an offer into account.
    pub(crate) fn add_param(&mut self, p: &Param<'_>) -> Result<(), DeflateParamError> {
        match p.name_bytes() {
            b"server_no_context_takeover" => {
                no_value(p)?;
                set_once(&mut self.server_no_context_takeover)
            }
            b"client_no_context_takeover" => {
                no_value(p)?;
                set_once(&mut self.client_no_context_takeover)
            }
            b"server_max_window_bits" => {
                let bits = window_bits(p)?.ok_or(DeflateParamError::ValueInvalid)?;
                replace_once(&mut self.server_max_window_bits, bits)
            }
            b"client_max_window_bits" => {
                let bits = window_bits(p)?;
                replace_once(&mut self.client_max_window_bits, bits)
            }
            _ => Err(DeflateParamError::Unknown),
        }
    }
}

/// One element of a `Sec-WebSocket-Extensions` list, read in the pass that checks the
/// list's syntax; see [`next_element`].
pub(crate) enum ListElement {
    /// `permessage-deflate`, with its parameters read as an offer (or an answer).
    Deflate(Result<DeflateOffer, DeflateParamError>),
    /// Another extension, or permessage-deflate when its parameters were not wanted.
    Other,
}

/// The next element of `list`; when `read_deflate`, a permessage-deflate element's
/// parameters are read while its syntax is checked (one pass, for server and client).
pub(crate) fn next_element(
    list: &mut Extensions<'_>,
) -> Option<Result<ListElement, ExtensionSyntaxError>> {
    let mut is_deflate = false;
    let mut params = Ok(DeflateOffer::new());
    let next = list.next_visiting(
        |name| {
            is_deflate = eq_lowercase(name, b"permessage-deflate");
            is_deflate
        },
        |p| {
            if let Ok(offer) = &mut params {
                if let Err(e) = offer.add_param(p) {
                    params = Err(e);
                }
            }
        },
    )?;
    Some(next.map(|_| {
        if is_deflate {
            ListElement::Deflate(params)
        } else {
            ListElement::Other
        }
    }))
}

/// Building an offer for the client's `Sec-WebSocket-Extensions` (RFC 7692 §7.1).
///
/// ```
/// use ws_handshake::deflate::DeflateOffer;
/// let offer = DeflateOffer::new()
///     .server_no_context_takeover(true)
///     .client_no_context_takeover(true)
///     .server_max_window_bits(Some(11))
///     .client_max_window_bits(Some(Some(10)));
/// assert_eq!(
///     offer.to_string(),
///     "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
///      server_max_window_bits=11; client_max_window_bits=10"
/// );
/// // The usual offer: "I can limit my window if you ask" (what browsers send).
/// let usual = DeflateOffer::new().client_max_window_bits(Some(None));
/// assert_eq!(usual.to_string(), "permessage-deflate; client_max_window_bits");
/// ```
impl DeflateOffer {
    /// A bare `permessage-deflate` offer: no parameters.
    pub const fn new() -> Self {
        Self {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: None,
            client_max_window_bits: None,
        }
    }

    /// Asks the server to reset its compression context after each message (§7.1.1.1).
    pub const fn server_no_context_takeover(mut self, on: bool) -> Self {
        self.server_no_context_takeover = on;
        self
    }

    /// Announces that the client resets its compression context after each message (§7.1.1.2).
    pub const fn client_no_context_takeover(mut self, on: bool) -> Self {
        self.client_no_context_takeover = on;
        self
    }

    /// Asks the server to compress with a window of at most 2^N bytes, N in 8..=15 (§7.1.2.1).
    /// A server built on zlib cannot honour 8 and declines such an offer (this crate's
    /// server does by default): offer 9 or more.
    pub const fn server_max_window_bits(mut self, bits: Option<u8>) -> Self {
        self.server_max_window_bits = bits;
        self
    }

    /// Lets the server limit the client's window (§7.1.2.2): `Some(None)` sends the bare
    /// parameter, `Some(Some(N))` also announces that the client uses at most 2^N.
    pub const fn client_max_window_bits(mut self, bits: Option<Option<u8>>) -> Self {
        self.client_max_window_bits = bits;
        self
    }

    /// Checks that every window size is within 8..=15.
    pub(crate) fn check(&self) -> Result<(), crate::error::BuildError> {
        let ok = |b: u8| (8..=15).contains(&b);
        let server_ok = self.server_max_window_bits.is_none_or(ok);
        let client_ok = self.client_max_window_bits.flatten().is_none_or(ok);
        if server_ok && client_ok {
            Ok(())
        } else {
            Err(crate::error::BuildError::WindowBitsInvalid)
        }
    }

    /// Validates the server's answer to this offer (RFC 7692 §7.1, client side) and
    /// returns the agreed parameters, exactly as the response states them.
    pub(crate) fn check_response(
        &self,
        answer: &DeflateOffer,
    ) -> Result<PerMessageDeflate, ClientError> {
        // §7.1.1.1: an offered server_no_context_takeover is accepted only by repeating it.
        if self.server_no_context_takeover && !answer.server_no_context_takeover {
            return Err(ClientError::DeflateServerContextTakeover);
        }
        // §7.1.2.1: an offered server_max_window_bits is accepted with the same or a
        // smaller value; without an offer the server may still announce a smaller window.
        match (self.server_max_window_bits, answer.server_max_window_bits) {
            (Some(_), None) => return Err(ClientError::DeflateServerWindowMissing),
            (Some(offered), Some(got)) if got > offered => {
                return Err(ClientError::DeflateServerWindowTooLarge)
            }
            _ => {}
        }
        // §7.1.2.2: client_max_window_bits only if offered, and then with a value that
        // does not exceed the window the client announced.
        let client_max_window_bits =
            match (self.client_max_window_bits, answer.client_max_window_bits) {
                (_, None) => None,
                (None, Some(_)) => return Err(ClientError::DeflateClientWindowNotOffered),
                (Some(_), Some(None)) => {
                    return Err(ClientError::DeflateParam(DeflateParamError::ValueInvalid))
                }
                (Some(Some(offered)), Some(Some(got))) if got > offered => {
                    return Err(ClientError::DeflateClientWindowTooLarge)
                }
                (Some(_), Some(Some(got))) => Some(got),
            };
        Ok(PerMessageDeflate {
            server_no_context_takeover: answer.server_no_context_takeover,
            client_no_context_takeover: answer.client_no_context_takeover,
            server_max_window_bits: answer.server_max_window_bits,
            client_max_window_bits,
        })
    }
}

display_via_emit!(
    /// The offer element, e.g. `permessage-deflate; client_max_window_bits`.
    DeflateOffer
);

impl DeflateOffer {
    /// Writes the extension element: `permessage-deflate` and the parameters set.
    /// The one writer of these parameters, for offers and answers alike.
    pub(crate) fn emit<S: Sink>(&self, out: &mut S) {
        out.put(PERMESSAGE_DEFLATE.as_bytes());
        if self.server_no_context_takeover {
            out.put(b"; server_no_context_takeover");
        }
        if self.client_no_context_takeover {
            out.put(b"; client_no_context_takeover");
        }
        if let Some(n) = self.server_max_window_bits {
            out.put(b"; server_max_window_bits=");
            out.put_usize(usize::from(n));
        }
        if let Some(bits) = self.client_max_window_bits {
            out.put(b"; client_max_window_bits");
            if let Some(n) = bits {
                out.put(b"=");
                out.put_usize(usize::from(n));
            }
        }
    }
}

fn no_value(p: &Param<'_>) -> Result<(), DeflateParamError> {
    match p.value() {
        None => Ok(()),
        Some(_) => Err(DeflateParamError::ValueInvalid),
    }
}

fn set_once(flag: &mut bool) -> Result<(), DeflateParamError> {
    if core::mem::replace(flag, true) {
        return Err(DeflateParamError::Repeated);
    }
    Ok(())
}

fn replace_once<T>(slot: &mut Option<T>, v: T) -> Result<(), DeflateParamError> {
    if slot.replace(v).is_some() {
        return Err(DeflateParamError::Repeated);
    }
    Ok(())
}

/// A window-bits value: absent, or a decimal 8..=15 (RFC 7692 §7.1.2).
fn window_bits(p: &Param<'_>) -> Result<Option<u8>, DeflateParamError> {
    let Some(v) = p.value() else { return Ok(None) };
    let bits = match v.unescaped() {
        // The eight values as they are written (no sign, no leading zero): no number read.
        Some(&[d @ b'8'..=b'9']) => d.wrapping_sub(b'0'),
        Some(&[b'1', d @ b'0'..=b'5']) => d.wrapping_sub(b'0').wrapping_add(10),
        Some(_) => return Err(DeflateParamError::ValueInvalid),
        None => match v.to_u32() {
            Some(n @ 8..=15) => n as u8,
            _ => return Err(DeflateParamError::ValueInvalid),
        },
    };
    Ok(Some(bits))
}

/// The server's permessage-deflate settings: what it is willing to agree to.
///
/// ```
/// use ws_handshake::deflate::DeflateConfig;
/// // Accept deflate, but never keep more than a 2^12 window per connection.
/// let config = DeflateConfig::new().server_max_window_bits(12).client_max_window_bits(12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateConfig {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: u8,
    client_max_window_bits: u8,
    /// Whether a window of 2^8 may be agreed ([`DeflateConfig::dangerous_allow_8_bit_window`]).
    allow_8_bit_window: bool,
}

impl Default for DeflateConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl DeflateConfig {
    /// Accepts any valid offer with the client's parameters (windows up to 2^15),
    /// except that no 8-bit window is agreed: see
    /// [`dangerous_allow_8_bit_window`](Self::dangerous_allow_8_bit_window).
    pub const fn new() -> Self {
        Self {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: 15,
            client_max_window_bits: 15,
            allow_8_bit_window: false,
        }
    }

    /// Always reset the server's compression context per message (saves memory between messages).
    pub const fn server_no_context_takeover(mut self, on: bool) -> Self {
        self.server_no_context_takeover = on;
        self
    }

    /// Ask clients to reset their compression context per message.
    pub const fn client_no_context_takeover(mut self, on: bool) -> Self {
        self.client_no_context_takeover = on;
        self
    }

    /// The largest window the server compresses with, 8..=15 (clamped); 8 counts
    /// as 9 unless [`dangerous_allow_8_bit_window`](Self::dangerous_allow_8_bit_window).
    pub const fn server_max_window_bits(mut self, bits: u8) -> Self {
        self.server_max_window_bits = clamp_bits(bits);
        self
    }

    /// The largest window the server lets a client compress with, 8..=15 (clamped);
    /// 8 counts as 9 unless [`dangerous_allow_8_bit_window`](Self::dangerous_allow_8_bit_window).
    /// Below 15, offers that do not carry `client_max_window_bits` are declined,
    /// since RFC 7692 §7.1.2.2 forbids asking a client that did not offer it.
    pub const fn client_max_window_bits(mut self, bits: u8) -> Self {
        self.client_max_window_bits = clamp_bits(bits);
        self
    }

    /// Lets the negotiation agree to an LZ77 window of 2^8 bytes (off by default).
    ///
    /// **Warning:** zlib, and so most deflate implementations, cannot compress a raw
    /// deflate stream with an 8-bit window: it silently uses 9 bits, and the peer's
    /// 8-bit inflater then fails on the first back-reference beyond 256 bytes
    /// ("invalid distance too far back"). This broke Node's `ws` and Python's
    /// `websockets` in the past. Turn it on only if both the compressor behind this
    /// server and every client really honour an 8-bit window.
    ///
    /// By default (off), no window of 8 is agreed in either direction:
    /// - an offer with `server_max_window_bits=8` is declined and the next offer is
    ///   tried: the answer would have to be 8 or less (RFC 7692 §7.1.2.1);
    /// - an offer with `client_max_window_bits=8` (the client's promise) is not
    ///   answered with 8: the answer leaves the parameter out (RFC 7692 §7.1.2.2 lets
    ///   the server ignore the value), so the server inflates with the full window,
    ///   whatever the client really uses. When
    ///   [`client_max_window_bits`](Self::client_max_window_bits) limits the client
    ///   below 15, the only answer that could keep that limit is 8, so the offer is
    ///   declined. A larger value than the offered one is never answered
    ///   (RFC 7692 §7.1.2.2);
    /// - a configured window of 8 (server's or client's) counts as 9.
    ///
    /// ```
    /// use ws_handshake::deflate::{DeflateConfig, DeflateOffer};
    /// let offer = DeflateOffer::new().server_max_window_bits(Some(8));
    /// assert_eq!(DeflateConfig::new().answer(&offer), None);
    /// let risky = DeflateConfig::new().dangerous_allow_8_bit_window(true);
    /// assert_eq!(
    ///     risky.answer(&offer).unwrap().to_string(),
    ///     "permessage-deflate; server_max_window_bits=8"
    /// );
    /// ```
    pub const fn dangerous_allow_8_bit_window(mut self, allow: bool) -> Self {
        self.allow_8_bit_window = allow;
        self
    }

    /// The smallest window this configuration agrees to, in bits.
    const fn min_window_bits(&self) -> u8 {
        if self.allow_8_bit_window {
            8
        } else {
            9
        }
    }

    /// Answers one offer: the agreed parameters, or `None` to decline it (RFC 7692 §7.1).
    ///
    /// This is the one place both [`negotiate`](Self::negotiate) and the handshakes
    /// ([`ServerHandshake`](crate::ServerHandshake), [`ConnectRequest`](crate::ConnectRequest))
    /// answer an offer. An answer never carries a `client_max_window_bits` larger
    /// than an offered one (RFC 7692 §7.1.2.2), and by default never a window of 8
    /// in either direction (see [`dangerous_allow_8_bit_window`](Self::dangerous_allow_8_bit_window)).
    ///
    /// ```
    /// use ws_handshake::deflate::{DeflateConfig, DeflateOffer};
    /// let offer = DeflateOffer { server_max_window_bits: Some(10), ..Default::default() };
    /// let agreed = DeflateConfig::new().server_max_window_bits(12).answer(&offer).unwrap();
    /// // The response must carry server_max_window_bits <= 10 (RFC 7692 §7.1.2.1).
    /// assert_eq!(agreed.to_string(), "permessage-deflate; server_max_window_bits=10");
    /// ```
    pub fn answer(&self, offer: &DeflateOffer) -> Option<PerMessageDeflate> {
        let floor = self.min_window_bits();
        let server_limit = self.server_max_window_bits.max(floor);
        let client_limit = self.client_max_window_bits.max(floor);
        // §7.1.2.1: an offered server_max_window_bits must be answered with a value <= it;
        // without one, the server may still announce a smaller window of its own. An
        // offer below the floor (8, by default) cannot be honoured: declined.
        let server_max_window_bits = match offer.server_max_window_bits {
            Some(n) if n < floor => return None,
            Some(n) => Some(n.min(server_limit)),
            None => (server_limit < 15).then_some(server_limit),
        };
        // §7.1.2.2: client_max_window_bits may only be answered if offered, with a
        // value no larger than an offered one. A value in the offer is the client's
        // promise, so it is answered too: the result then states the window the
        // server's inflater really needs, never more than this configuration allows.
        // A promise below the floor is not repeated (the value may be ignored): the
        // answer then has no client_max_window_bits, possible only without a limit.
        let client_max_window_bits = match offer.client_max_window_bits {
            None if client_limit < 15 => return None,
            None => None,
            Some(Some(n)) if n < floor && client_limit < 15 => return None,
            Some(Some(n)) if n < floor => None,
            Some(offered) => {
                let bits = offered.unwrap_or(15).min(client_limit);
                (bits < 15).then_some(bits)
            }
        };
        Some(PerMessageDeflate {
            server_no_context_takeover: offer.server_no_context_takeover
                || self.server_no_context_takeover,
            client_no_context_takeover: offer.client_no_context_takeover
                || self.client_no_context_takeover,
            server_max_window_bits,
            client_max_window_bits,
        })
    }

    /// Negotiates over a request's `Sec-WebSocket-Extensions` field lines, as sent:
    /// one pass checks the list syntax (RFC 6455 §9.1) and accepts the first
    /// permessage-deflate offer this configuration can honour, in client order;
    /// invalid offers are skipped (RFC 7692 §5). It is the negotiation every front
    /// end of the crate runs, so it is exactly what a server built on it agrees to.
    ///
    /// ```
    /// use ws_handshake::deflate::DeflateConfig;
    /// let config = DeflateConfig::new();
    /// let lines = [&b"permessage-deflate; server_max_window_bits=8, permessage-deflate"[..]];
    /// // The first offer asks for an 8-bit window, which zlib cannot do: the next one wins.
    /// let agreed = config.negotiate(lines)?.expect("the second offer");
    /// assert_eq!(agreed.to_string(), "permessage-deflate");
    /// // A malformed list is an error, whatever it offers.
    /// assert!(config.negotiate([&b"permessage-deflate;"[..]]).is_err());
    /// # Ok::<(), ws_handshake::extension::ExtensionSyntaxError>(())
    /// ```
    ///
    /// # Errors
    /// [`ExtensionSyntaxError`] when a line is not a valid extension list; a server
    /// answers that with 400 ([`Error::ExtensionListMalformed`](crate::Error::ExtensionListMalformed)).
    pub fn negotiate<'a>(
        &self,
        lines: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Option<PerMessageDeflate>, ExtensionSyntaxError> {
        let mut answer = None;
        for line in lines {
            let mut offers = crate::grammar::extension::parse(line);
            while let Some(element) = next_element(&mut offers) {
                if let (None, ListElement::Deflate(offer)) = (answer, element?) {
                    answer = offer.ok().and_then(|o| self.answer(&o));
                }
            }
        }
        Ok(answer)
    }
}

const fn clamp_bits(bits: u8) -> u8 {
    if bits < 8 {
        8
    } else if bits > 15 {
        15
    } else {
        bits
    }
}

/// Agreed permessage-deflate parameters, as written in the response
/// (RFC 7692 §7.1). Hand them to the compressor.
///
/// A window of 8 bits is legal (RFC 7692 §7.1.2) but zlib cannot compress with it
/// (it silently uses 9). A server configured by default never agrees to 8
/// ([`DeflateConfig::dangerous_allow_8_bit_window`]); a client still accepts a
/// peer's legal answer of 8. With such an answer, inflate with at least 9 bits
/// (a larger inflate window is always safe), and if you must compress with 8 and
/// your compressor cannot, send the messages uncompressed (RSV1 clear), which
/// RFC 7692 §6 allows for any message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PerMessageDeflate {
    /// The server resets its compression context after each message.
    pub server_no_context_takeover: bool,
    /// The client resets its compression context after each message.
    pub client_no_context_takeover: bool,
    /// The server's LZ77 window, 2^N bytes; `None` in the response means 15.
    pub server_max_window_bits: Option<u8>,
    /// The client's LZ77 window, 2^N bytes; `None` in the response means the client's choice (up to 15).
    pub client_max_window_bits: Option<u8>,
}

impl PerMessageDeflate {
    /// The window the server compresses with (and the client inflates with), in bits.
    pub fn server_window_bits(&self) -> u8 {
        self.server_max_window_bits.unwrap_or(15)
    }

    /// The largest window the client may compress with (and the server must inflate with), in bits.
    pub fn client_window_bits(&self) -> u8 {
        self.client_max_window_bits.unwrap_or(15)
    }
}

display_via_emit!(
    /// The canonical response element, e.g. `permessage-deflate; server_max_window_bits=10`.
    PerMessageDeflate
);

impl PerMessageDeflate {
    /// Writes the response's extension element (an answer names the same four
    /// parameters as an offer, a client window always with its value).
    pub(crate) fn emit<S: Sink>(&self, out: &mut S) {
        DeflateOffer {
            server_no_context_takeover: self.server_no_context_takeover,
            client_no_context_takeover: self.client_no_context_takeover,
            server_max_window_bits: self.server_max_window_bits,
            client_max_window_bits: self.client_max_window_bits.map(Some),
        }
        .emit(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7692 §7.1.2: a window-bits value is a decimal 8..=15 (no leading zero),
    /// token or quoted. The direct read of the eight values agrees with reading the
    /// number, for every value of up to three bytes from digits and a few others,
    /// as a token and quoted (with and without an escape).
    #[test]
    fn window_bits_is_the_number_in_8_to_15() {
        let alphabet = b"0123456789x-";
        let mut values: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..3 {
            let longer: Vec<Vec<u8>> = values
                .iter()
                .flat_map(|v| alphabet.iter().map(move |&b| [&v[..], &[b]].concat()))
                .collect();
            values.extend(longer);
        }
        for value in values.iter().filter(|v| !v.is_empty()) {
            let text = String::from_utf8(value.clone()).unwrap();
            let escaped: String = text.chars().flat_map(|c| ['\\', c]).collect();
            for written in [
                text.clone(),
                format!("\"{text}\""),
                format!("\"{escaped}\""),
            ] {
                let header = format!("permessage-deflate; client_max_window_bits={written}");
                let ext = crate::grammar::extension::parse(header.as_bytes())
                    .next()
                    .unwrap()
                    .unwrap();
                let param = ext.params().next().unwrap().unwrap();
                let expected = match param.value().unwrap().to_u32() {
                    Some(n @ 8..=15) => Ok(Some(n as u8)),
                    _ => Err(DeflateParamError::ValueInvalid),
                };
                assert_eq!(window_bits(&param), expected, "{written}");
            }
        }
    }

    fn negotiate(config: DeflateConfig, header: &str) -> Option<String> {
        let agreed = config.negotiate([header.as_bytes()]);
        agreed.expect("a valid list").map(|d| d.to_string())
    }

    #[test]
    fn rfc_7692_examples() {
        let c = DeflateConfig::new();
        // §7.1.1 / §5.1: a bare offer is accepted as is.
        assert_eq!(
            negotiate(c, "permessage-deflate").as_deref(),
            Some("permessage-deflate")
        );
        // §7.1.2.1: server_max_window_bits in the offer must be answered.
        assert_eq!(
            negotiate(c, "permessage-deflate; server_max_window_bits=10").as_deref(),
            Some("permessage-deflate; server_max_window_bits=10")
        );
        // §5.2 example: the first offer is declined (unknown param), the second accepted.
        assert_eq!(
            negotiate(
                c,
                "permessage-deflate; foo=1, permessage-deflate; client_max_window_bits"
            )
            .as_deref(),
            Some("permessage-deflate")
        );
        // server_no_context_takeover requested is never dropped.
        assert_eq!(
            negotiate(c, "permessage-deflate; server_no_context_takeover").as_deref(),
            Some("permessage-deflate; server_no_context_takeover")
        );
    }

    #[test]
    fn first_acceptable_offer_wins() {
        let c = DeflateConfig::new();
        assert_eq!(
            negotiate(
                c,
                "permessage-deflate; server_max_window_bits=9, permessage-deflate"
            )
            .as_deref(),
            Some("permessage-deflate; server_max_window_bits=9")
        );
    }

    #[test]
    fn invalid_offers_are_declined() {
        let c = DeflateConfig::new();
        for bad in [
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_max_window_bits=010",
            "permessage-deflate; client_max_window_bits=1",
            "permessage-deflate; server_no_context_takeover=1",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
            "permessage-deflate; x",
            "x-other",
        ] {
            assert_eq!(negotiate(c, bad), None, "{bad}");
        }
        assert_eq!(
            negotiate(c, "permessage-deflate; client_max_window_bits=\"10\"").as_deref(),
            Some("permessage-deflate; client_max_window_bits=10")
        );
    }

    #[test]
    fn client_window_limit_needs_the_offer() {
        let c = DeflateConfig::new().client_max_window_bits(10);
        assert_eq!(negotiate(c, "permessage-deflate"), None);
        assert_eq!(
            negotiate(c, "permessage-deflate; client_max_window_bits").as_deref(),
            Some("permessage-deflate; client_max_window_bits=10")
        );
        assert_eq!(
            negotiate(c, "permessage-deflate; client_max_window_bits=9").as_deref(),
            Some("permessage-deflate; client_max_window_bits=9")
        );
        assert_eq!(
            negotiate(c, "permessage-deflate; client_max_window_bits=12").as_deref(),
            Some("permessage-deflate; client_max_window_bits=10")
        );
    }

    #[test]
    fn server_settings_are_announced() {
        let c = DeflateConfig::new()
            .server_max_window_bits(11)
            .server_no_context_takeover(true);
        assert_eq!(
            negotiate(c, "permessage-deflate; server_max_window_bits=13").as_deref(),
            Some("permessage-deflate; server_no_context_takeover; server_max_window_bits=11")
        );
        assert_eq!(
            negotiate(c, "permessage-deflate").as_deref(),
            Some("permessage-deflate; server_no_context_takeover; server_max_window_bits=11")
        );
    }
}
