//! The client's checks of a `101` (RFC 6455 §4.1) or of an extended CONNECT's `200`
//! (RFC 8441 §5): only offered extensions and subprotocols, valid permessage-deflate
//! parameters (RFC 7692 §7.1–7.2), and what a response that passed them yields.

use crate::error::ClientError;
use crate::grammar::extension;
use crate::grammar::token::{for_each_token, is_token};
use crate::head::headers::Headers;
use crate::rules::client_config::{ClientConfig, MissingProtocol};
use crate::rules::deflate::{next_element, DeflateOffer, ListElement, PerMessageDeflate};
use crate::rules::summary::Summary;

/// RFC 6455 §4.1 response check 5: only offered extensions, each answered validly;
/// a permessage-deflate answer to one of the offers (RFC 7692 §5).
pub(crate) fn check_extensions<'a>(
    values: impl Iterator<Item = &'a [u8]>,
    config: &ClientConfig,
) -> Result<Option<PerMessageDeflate>, ClientError> {
    let mut deflate = None;
    for value in values {
        let mut answers = extension::parse(value);
        while let Some(element) = next_element(&mut answers) {
            let element = element.map_err(|_| ClientError::ExtensionListMalformed)?;
            let ListElement::Deflate(answer) = element else {
                return Err(ClientError::ExtensionNotOffered);
            };
            if config.deflate.is_empty() {
                return Err(ClientError::ExtensionNotOffered);
            }
            if deflate.is_some() {
                return Err(ClientError::DeflateRepeated);
            }
            let answer = answer.map_err(ClientError::DeflateParam)?;
            deflate = Some(check_deflate_answer(&config.deflate, &answer)?);
        }
    }
    Ok(deflate)
}

/// The agreed parameters for the first offer (in order of preference) that `answer`
/// is a valid response to. One offer: its own error names the broken rule; several:
/// [`ClientError::DeflateNoOfferMatches`].
fn check_deflate_answer(
    offers: &[DeflateOffer],
    answer: &DeflateOffer,
) -> Result<PerMessageDeflate, ClientError> {
    if let [offer] = offers {
        return offer.check_response(answer);
    }
    offers
        .iter()
        .find_map(|offer| offer.check_response(answer).ok())
        .ok_or(ClientError::DeflateNoOfferMatches)
}

/// RFC 6455 §4.1 response check 6, and the [`MissingProtocol`] policy.
pub(crate) fn check_protocol<'a>(
    summary: &Summary<'a>,
    config: &ClientConfig,
) -> Result<Option<&'a str>, ClientError> {
    // One token, read as every list field is (RFC 9110 §5.6.1.2): empty elements
    // around it are ignored, and more than one element in all lines is malformed.
    let mut chosen = None;
    let mut elements = 0usize;
    for line in summary.protocols.iter() {
        let mut take = |p| {
            chosen = Some(p);
            elements = elements.saturating_add(1);
        };
        // The usual answer is one token alone: taken without a list walk.
        let well_formed = if is_token(line) {
            take(line);
            true
        } else {
            for_each_token(line, take)
        };
        if !well_formed || elements > 1 {
            return Err(ClientError::ProtocolMalformed);
        }
    }
    match chosen {
        None if config.protocols.is_empty() => Ok(None),
        None => match config.missing_protocol {
            MissingProtocol::Fail => Err(ClientError::ProtocolMissing),
            MissingProtocol::Accept => Ok(None),
        },
        Some(_) if config.protocols.is_empty() => Err(ClientError::ProtocolWhenNoneOffered),
        Some(p) if config.protocols.iter().any(|o| o.as_bytes() == p) => {
            // Tokens are ASCII, so this conversion cannot fail.
            Ok(core::str::from_utf8(p).ok())
        }
        Some(_) => Err(ClientError::ProtocolNotOffered),
    }
}

/// A WebSocket the server accepted: a `101 Switching Protocols` that passed every
/// check of RFC 6455 §4.1 ([`ClientFeed::Connected`](crate::ClientFeed::Connected)), or a
/// `200` to an extended CONNECT that passed the same checks
/// ([`ConnectResponse::Connected`](crate::ConnectResponse::Connected)).
///
/// Everything borrows the fed bytes. Hand the connection and [`leftover`](Self::leftover)
/// to a framing library, configured with [`protocol`](Self::protocol) and
/// [`deflate`](Self::deflate). Over HTTP/2 or HTTP/3 the stream is the connection:
/// [`headers`](Self::headers) and [`leftover`](Self::leftover) are empty there (the
/// fields are in the response the HTTP library handed you, and DATA frames carry
/// everything after it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connected<'a> {
    pub(crate) protocol: Option<&'a str>,
    pub(crate) deflate: Option<PerMessageDeflate>,
    pub(crate) headers: Headers<'a>,
    pub(crate) leftover: &'a [u8],
}

impl<'a> Connected<'a> {
    /// An extended CONNECT's `200`: no head bytes, no leftover.
    pub(crate) fn over_stream(
        protocol: Option<&'a str>,
        deflate: Option<PerMessageDeflate>,
    ) -> Self {
        Self {
            protocol,
            deflate,
            headers: Headers::new(&[]),
            leftover: &[],
        }
    }
}

impl<'a> Connected<'a> {
    /// The subprotocol the server chose (one the client offered), if any.
    pub fn protocol(&self) -> Option<&'a str> {
        self.protocol
    }

    /// The agreed permessage-deflate parameters, if the server accepted the offer.
    pub fn deflate(&self) -> Option<PerMessageDeflate> {
        self.deflate
    }

    /// Every response header field, in order (e.g. `Set-Cookie`).
    pub fn headers(&self) -> Headers<'a> {
        self.headers
    }

    /// The bytes after the response head, byte-exact: the server's first frames.
    pub fn leftover(&self) -> &'a [u8] {
        self.leftover
    }
}
