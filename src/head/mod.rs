//! The head: finding the end of an HTTP head in bytes fed in any chunking, for both roles.

pub(crate) mod h2_h3;
pub(crate) mod headers;
pub(crate) mod machine;
pub(crate) mod parse;
pub(crate) mod reader;
