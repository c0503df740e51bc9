//! Grammar: tokens, `#rule` lists, the RFC 6455 §9.1 extension grammar, RFC 7239
//! elements, authorities and `ws` URLs: reading, never writing. Imports nothing above
//! the bottom layer (errors, limits).

pub(crate) mod authority;
pub(crate) mod bytes;
pub mod extension;
pub(crate) mod forwarded;
pub(crate) mod token;
pub(crate) mod url;
