//! Extensions other than permessage-deflate, negotiated by caller-supplied hooks.
//!
//! A hook sees each offer of its extension (in the client's order) and returns the
//! response parameters to accept it with, or `None` to decline that offer. The crate
//! writes the response element itself, so a hook cannot inject anything.

use alloc::boxed::Box;
use alloc::string::String;

use crate::error::BuildError;
use crate::grammar::extension::Extension;
use crate::grammar::token::is_token;

/// A hook that answers offers of one custom extension; see
/// [`ServerConfig::extension`](crate::ServerConfig::extension).
pub type ExtensionHook = Box<dyn Fn(&Extension<'_>) -> Option<ExtensionParams> + Send + Sync>;

/// The parameters a custom extension is accepted with, written in canonical form
/// (`; name` or `; name=value`, values as tokens, RFC 6455 §9.1).
///
/// ```
/// use ws_handshake::ExtensionParams;
/// let params = ExtensionParams::new().flag("no_context")?.value("level", "3")?;
/// assert_eq!(params.to_string(), "; no_context; level=3");
/// assert!(ExtensionParams::new().value("level", "3\r\nX: y").is_err());
/// # Ok::<(), ws_handshake::BuildError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtensionParams {
    text: String,
}

impl ExtensionParams {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a parameter without a value.
    ///
    /// # Errors
    /// [`BuildError::ExtensionParamInvalid`] if `name` is not a token.
    pub fn flag(mut self, name: &str) -> Result<Self, BuildError> {
        check_token(name)?;
        self.text.push_str("; ");
        self.text.push_str(name);
        Ok(self)
    }

    /// Adds a `name=value` parameter.
    ///
    /// # Errors
    /// [`BuildError::ExtensionParamInvalid`] if `name` or `value` is not a token.
    pub fn value(mut self, name: &str, value: &str) -> Result<Self, BuildError> {
        check_token(value)?;
        self = self.flag(name)?;
        self.text.push('=');
        self.text.push_str(value);
        Ok(self)
    }
}

impl core::fmt::Display for ExtensionParams {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.text)
    }
}

fn check_token(s: &str) -> Result<(), BuildError> {
    if is_token(s.as_bytes()) {
        Ok(())
    } else {
        Err(BuildError::ExtensionParamInvalid)
    }
}

/// A custom extension the configuration supports.
pub(crate) struct CustomExtension {
    pub(crate) name: String,
    pub(crate) hook: ExtensionHook,
}

impl core::fmt::Debug for CustomExtension {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CustomExtension")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A custom extension accepted for one handshake: its position among the configured
/// extensions, its name as the client spelled it, and the response parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AcceptedExtension<'a> {
    pub(crate) position: usize,
    pub(crate) name: &'a str,
    pub(crate) params: ExtensionParams,
}

/// Offers each configured custom extension's hook the client's offers of it, in order.
pub(crate) fn negotiate<'a, I>(
    customs: &[CustomExtension],
    offers: I,
) -> alloc::vec::Vec<AcceptedExtension<'a>>
where
    I: Iterator<Item = Extension<'a>> + Clone,
{
    customs
        .iter()
        .enumerate()
        .filter_map(|(position, custom)| {
            offers.clone().filter(|o| o.is(&custom.name)).find_map(|o| {
                (custom.hook)(&o).map(|params| AcceptedExtension {
                    position,
                    name: o.name(),
                    params,
                })
            })
        })
        .collect()
}
