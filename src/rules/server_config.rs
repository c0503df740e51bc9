//! Server configuration: limits, subprotocols, extensions, Origin and Host policy.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error::BuildError;
use crate::grammar::authority::split_host_port;
use crate::grammar::extension::Extension;
use crate::grammar::token::is_token;
use crate::limits::Limits;
use crate::rules::custom_extension::{CustomExtension, ExtensionHook, ExtensionParams};
use crate::rules::deflate::{DeflateConfig, PERMESSAGE_DEFLATE};
use crate::rules::origin::OriginPolicy;

/// Whose preference decides when several offered subprotocols are supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProtocolOrder {
    /// The first protocol in the server's list that the client offered (the default):
    /// the server knows which of its protocols is newest or best, while clients often
    /// list protocols in an arbitrary or legacy-first order.
    #[default]
    ServerPreference,
    /// The first protocol in the client's list that the server supports.
    ClientPreference,
}

/// What a server accepts. Build it once and share it (`&ServerConfig`) across connections.
///
/// The defaults are safe: [`Limits::DEFAULT`], no subprotocols, permessage-deflate
/// off, and [`OriginPolicy::SameOrigin`] for requests that carry an `Origin`.
///
/// ```
/// use ws_handshake::{ServerConfig, OriginPolicy, ProtocolOrder, Limits};
/// let config = ServerConfig::new()
///     .protocols(["chat.v2", "chat"])?
///     .protocol_order(ProtocolOrder::ServerPreference)
///     .origin_policy(OriginPolicy::allow_list(["https://example.com"])?)
///     .with_limits(Limits::default().with_max_head_bytes(8192));
/// # Ok::<(), ws_handshake::BuildError>(())
/// ```
#[derive(Debug, Default)]
pub struct ServerConfig {
    limits: Limits,
    protocols: Vec<String>,
    protocol_order: ProtocolOrder,
    require_protocol: bool,
    origin: OriginPolicy,
    require_origin: bool,
    hosts: Vec<(String, Option<u16>)>,
    deflate: Option<DeflateConfig>,
    /// Where permessage-deflate stands among the extensions, in application order.
    deflate_position: usize,
    custom: Vec<CustomExtension>,
    /// Hardening: refuse an absolute-form target whose authority `Host` does not name.
    host_must_match_target: bool,
}

/// Appends subprotocol names after checking each is an RFC 7230 token (RFC 6455
/// §4.1 item 10); shared by the server and client configurations.
pub(crate) fn push_protocols<I, S>(list: &mut Vec<String>, names: I) -> Result<(), BuildError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    for name in names {
        let name = name.as_ref();
        if !is_token(name.as_bytes()) {
            return Err(BuildError::ProtocolInvalid);
        }
        list.push(name.to_string());
    }
    Ok(())
}

impl ServerConfig {
    /// The safe defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the size limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Adds supported subprotocols, in the server's order of preference.
    ///
    /// # Errors
    /// [`BuildError::ProtocolInvalid`] if a name is not an RFC 7230 token.
    pub fn protocols<I, S>(mut self, names: I) -> Result<Self, BuildError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        crate::rules::server_config::push_protocols(&mut self.protocols, names)?;
        Ok(self)
    }

    /// Sets whose preference picks among supported offered subprotocols.
    pub fn protocol_order(mut self, order: ProtocolOrder) -> Self {
        self.protocol_order = order;
        self
    }

    /// Refuse (400) a client that offers none of the supported subprotocols.
    ///
    /// RFC 6455 lets a server answer without `Sec-WebSocket-Protocol` instead, but a
    /// client that offered subprotocols then fails the connection (Chromium, Firefox,
    /// Node `ws` and tungstenite all do), with no status for the user to see. Requiring
    /// a protocol turns that into an explicit `400` with a reason.
    pub fn require_protocol(mut self, required: bool) -> Self {
        self.require_protocol = required;
        self
    }

    /// Sets the Origin policy (default: [`OriginPolicy::SameOrigin`]).
    pub fn origin_policy(mut self, policy: OriginPolicy) -> Self {
        self.origin = policy;
        self
    }

    /// Refuse (403) requests without an `Origin` header, i.e. non-browser clients.
    pub fn require_origin(mut self, required: bool) -> Self {
        self.require_origin = required;
        self
    }

    /// Only serve these hosts (`example.com`, or `example.com:8080` to pin the port);
    /// any other `Host` is refused with 421. This defeats DNS rebinding. Empty: any host.
    ///
    /// What is compared is the effective authority (RFC 9112 §3.2.2): the
    /// request-target's authority when the target is in absolute-form, else `Host`.
    /// On the HTTP/1.1 path, when the scheme is known (from
    /// [`ServerHandshake::with_tls`](crate::ServerHandshake::with_tls) or an absolute-form
    /// target's scheme), a missing port means 443 or 80 for a pinned entry; otherwise
    /// a pinned entry matches only a port written out.
    ///
    /// # Errors
    /// [`BuildError::OriginInvalid`] if an entry is not a valid `host[:port]`.
    pub fn allowed_hosts<I, S>(mut self, hosts: I) -> Result<Self, BuildError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for h in hosts {
            let (name, port) = split_host_port(h.as_ref()).ok_or(BuildError::OriginInvalid)?;
            self.hosts.push((name.to_ascii_lowercase(), port));
        }
        Ok(self)
    }

    /// Hardening, off by default: refuse a request whose absolute-form request-target
    /// (`GET ws://example.com/chat HTTP/1.1`) names another host or port than its
    /// `Host` field, with [`Error::HostNotTargetAuthority`](crate::Error::HostNotTargetAuthority) (400).
    ///
    /// By default the crate does what RFC 9112 §3.2.2 says an origin server MUST do:
    /// ignore the received `Host` and use the target's authority, which is what
    /// [`allowed_hosts`](Self::allowed_hosts), the origin policy and
    /// [`UpgradeRequest::authority`](crate::UpgradeRequest::authority) see (`Host` must
    /// still be present once and valid, RFC 9112 §3.2). Turning this on departs from
    /// §3.2.2 on purpose: for an application (or a cache, a log) that reads `Host` rather
    /// than the authority, a disagreement is then never passed on.
    pub fn host_must_match_target(mut self, required: bool) -> Self {
        self.host_must_match_target = required;
        self
    }

    /// Enables permessage-deflate negotiation (RFC 7692) with these settings.
    /// Off by default: enable it only if your framing library compresses.
    ///
    /// Extensions are listed in the response in the order they were configured,
    /// which is the order the server applies them in.
    pub fn deflate(mut self, deflate: Option<DeflateConfig>) -> Self {
        self.deflate = deflate;
        self.deflate_position = self.custom.len();
        self
    }

    /// Supports a custom extension: `hook` sees each offer named `name` (compared
    /// case-insensitively) in the client's order, and returns the response parameters
    /// to accept it with, or `None` to decline that offer. At most one offer per
    /// extension is accepted; an extension never offered is never answered.
    ///
    /// ```
    /// use ws_handshake::{ExtensionParams, ServerConfig};
    /// let config = ServerConfig::new().extension("x-trace", |offer| {
    ///     // Accept only offers that carry a valid `id`, echoing it back.
    ///     let id = offer.params().flatten().find(|p| p.name() == "id")?.value()?;
    ///     ExtensionParams::new().value("id", id.as_str()?).ok()
    /// })?;
    /// # Ok::<(), ws_handshake::BuildError>(())
    /// ```
    ///
    /// # Errors
    /// [`BuildError::ExtensionParamInvalid`] if `name` is not a token or is
    /// `permessage-deflate` (configure that with [`deflate`](Self::deflate)).
    pub fn extension<F>(mut self, name: &str, hook: F) -> Result<Self, BuildError>
    where
        F: Fn(&Extension<'_>) -> Option<ExtensionParams> + Send + Sync + 'static,
    {
        if !is_token(name.as_bytes()) || name.eq_ignore_ascii_case(PERMESSAGE_DEFLATE) {
            return Err(BuildError::ExtensionParamInvalid);
        }
        let hook: ExtensionHook = alloc::boxed::Box::new(hook);
        self.custom.push(CustomExtension {
            name: name.to_string(),
            hook,
        });
        Ok(self)
    }

    /// The size limits.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub(crate) fn supported_protocols(&self) -> &[String] {
        &self.protocols
    }

    pub(crate) fn protocol_order_setting(&self) -> ProtocolOrder {
        self.protocol_order
    }

    pub(crate) fn requires_protocol(&self) -> bool {
        self.require_protocol
    }

    pub(crate) fn origin_policy_setting(&self) -> &OriginPolicy {
        &self.origin
    }

    pub(crate) fn requires_origin(&self) -> bool {
        self.require_origin
    }

    pub(crate) fn deflate_config(&self) -> Option<&DeflateConfig> {
        self.deflate.as_ref()
    }

    pub(crate) fn custom_extensions(&self) -> &[CustomExtension] {
        &self.custom
    }

    pub(crate) fn deflate_position(&self) -> usize {
        self.deflate_position
    }

    pub(crate) fn requires_host_to_match_target(&self) -> bool {
        self.host_must_match_target
    }

    pub(crate) fn host_allowed(&self, name: &[u8], port: Option<u16>) -> bool {
        self.hosts.is_empty()
            || self.hosts.iter().any(|(h, p)| {
                h.as_bytes().eq_ignore_ascii_case(name) && (p.is_none() || *p == port)
            })
    }
}
