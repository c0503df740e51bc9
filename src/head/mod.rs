//! The head: finding the end of an HTTP head in bytes fed in any chunking, for both roles.

pub(crate) mod fields;
pub(crate) mod machine;
pub(crate) mod parse;
pub(crate) mod reader;
