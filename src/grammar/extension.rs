//! The `Sec-WebSocket-Extensions` grammar of RFC 6455 §9.1, parsed without copying.
//!
//! [`parse`] walks one field value as [`Extensions`]: each an [`Extension`] with its
//! [`Params`] ([`Param`] each, whose value is a [`ParamValue`]), or an
//! [`ExtensionSyntaxError`].
//!
//! ```text
//! extension-list  = 1#extension
//! extension       = extension-token *( ";" extension-param )
//! extension-param = token [ "=" ( token / quoted-string ) ]
//! ```
//! A quoted-string value must unescape to a token. Optional whitespace is allowed
//! around `,`, `;` and `=`. The list is read as every `#rule` list of the crate
//! (RFC 9110 §5.6.1.2): empty elements (`a,,b`, `, a`, `a,`) are ignored, up to 16 in
//! one header value (more make the value malformed), and a value must hold at least
//! one extension (`""` and `","` are malformed).

use core::fmt;

use crate::grammar::token::{is_tchar, ListReader};

/// One extension of a `Sec-WebSocket-Extensions` list: a name and its parameters.
///
/// ```
/// use ws_handshake::extension::parse;
/// let list = b"permessage-deflate; client_max_window_bits, x-custom; a=\"1\"";
/// let exts: Vec<_> = parse(list).collect::<Result<_, _>>()?;
/// assert_eq!(exts[0].name(), "permessage-deflate");
/// assert_eq!(exts[0].params().next().unwrap()?.name(), "client_max_window_bits");
/// let p = exts[1].params().next().unwrap()?;
/// assert_eq!(p.value().unwrap().as_str(), Some("1"));
/// # Ok::<(), ws_handshake::extension::ExtensionSyntaxError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Extension<'a> {
    /// A token (ASCII), kept as bytes: converting only on request keeps parsing cheap.
    name: &'a [u8],
    /// The `; param ...` part, already validated.
    params: &'a [u8],
}

impl<'a> Extension<'a> {
    /// The extension token, e.g. `permessage-deflate`.
    pub fn name(&self) -> &'a str {
        as_str(self.name)
    }

    /// Whether the extension is named `name` (case-insensitively, as tokens compare).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.as_bytes())
    }

    /// The parameters, in order.
    pub fn params(&self) -> Params<'a> {
        Params {
            cur: Cursor::new(self.params),
        }
    }
}

impl fmt::Debug for Extension<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Extension")
            .field("name", &self.name)
            .field("params", &as_str(self.params))
            .finish()
    }
}

/// The canonical form: `name; param; param=value`, values unquoted (they are tokens).
/// Formatting a parsed extension and parsing the result gives the same extension.
///
/// ```
/// use ws_handshake::extension::parse;
/// let ext = parse(b"permessage-deflate ;client_max_window_bits = \"10\"").next().unwrap()?;
/// assert_eq!(ext.to_string(), "permessage-deflate; client_max_window_bits=10");
/// # Ok::<(), ws_handshake::extension::ExtensionSyntaxError>(())
/// ```
impl fmt::Display for Extension<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        for p in self.params().flatten() {
            write!(f, "; {}", p.name())?;
            if let Some(v) = p.value() {
                write!(f, "={v}")?;
            }
        }
        Ok(())
    }
}

/// One `name[=value]` parameter of an [`Extension`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param<'a> {
    name: &'a [u8],
    value: Option<ParamValue<'a>>,
}

impl<'a> Param<'a> {
    /// The parameter name, e.g. `client_max_window_bits`.
    pub fn name(&self) -> &'a str {
        as_str(self.name)
    }

    pub(crate) fn name_bytes(&self) -> &'a [u8] {
        self.name
    }

    /// Whether the parameter is named exactly `name`.
    pub fn is(&self, name: &str) -> bool {
        self.name == name.as_bytes()
    }

    /// The value, if the parameter has one.
    pub fn value(&self) -> Option<ParamValue<'a>> {
        self.value
    }
}

/// A parameter value: a token, or a quoted-string whose unescaped content is a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamValue<'a> {
    /// The token, or the quoted-string content with its backslash escapes still in place.
    raw: &'a [u8],
    escaped: bool,
}

impl<'a> ParamValue<'a> {
    /// The value as a borrowed `&str`, unless it contained backslash escapes
    /// (which cannot be removed without copying); see [`ParamValue::bytes`].
    pub fn as_str(&self) -> Option<&'a str> {
        (!self.escaped).then(|| as_str(self.raw))
    }

    /// The value's bytes when it holds no backslash escape (they are then the value).
    pub(crate) fn unescaped(&self) -> Option<&'a [u8]> {
        (!self.escaped).then_some(self.raw)
    }

    /// The unescaped bytes of the value.
    pub fn bytes(&self) -> impl Iterator<Item = u8> + 'a {
        let mut escape = false;
        self.raw.iter().copied().filter(move |&b| {
            let keep = escape || b != b'\\';
            escape = !escape && b == b'\\';
            keep
        })
    }

    /// Whether the unescaped value equals `s` exactly.
    pub fn eq_str(&self, s: &str) -> bool {
        self.bytes().eq(s.bytes())
    }

    /// The value as a decimal number without sign or leading zeros (`None` otherwise).
    pub fn to_u32(&self) -> Option<u32> {
        if self.escaped {
            decimal(self.bytes())
        } else {
            decimal(self.raw.iter().copied()) // the common case, without unescaping
        }
    }
}

/// Decimal digits without sign or leading zeros, as a `u32`.
fn decimal(mut digits: impl Iterator<Item = u8>) -> Option<u32> {
    let digit = |b: u8| b.checked_sub(b'0').filter(|d| *d <= 9).map(u32::from);
    let first = digit(digits.next()?)?;
    if first == 0 {
        return digits.next().is_none().then_some(0); // a leading zero
    }
    digits.try_fold(first, |n, b| n.checked_mul(10)?.checked_add(digit(b)?))
}

impl fmt::Display for ParamValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.bytes()
            .try_for_each(|b| fmt::Write::write_char(f, char::from(b)))
    }
}

/// Why a `Sec-WebSocket-Extensions` value does not follow RFC 6455 §9.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Sec-WebSocket-Extensions is not valid per RFC 6455 §9.1")]
pub struct ExtensionSyntaxError;

/// Parses one `Sec-WebSocket-Extensions` header value into its extensions, in order.
///
/// After the first error the iterator ends.
///
/// Empty list elements are skipped (RFC 9110 §5.6.1.2), up to 16 of them:
///
/// ```
/// use ws_handshake::extension::parse;
/// let names: Vec<_> = parse(b", a,, b ,").map(|e| e.map(|e| e.name())).collect();
/// assert_eq!(names, [Ok("a"), Ok("b")]);
/// assert!(parse(b",").next().unwrap().is_err()); // no extension at all
/// ```
pub fn parse(value: &[u8]) -> Extensions<'_> {
    Extensions {
        cur: Cursor::new(value),
        list: ListReader::default(),
        done: false,
    }
}

/// Whether a whole header value follows the grammar.
pub(crate) fn is_valid(value: &[u8]) -> bool {
    // Each extension's parameters are validated while parsing it.
    parse(value).all(|e| e.is_ok())
}

/// Iterator over the extensions of one header value; see [`parse`].
#[derive(Debug, Clone)]
pub struct Extensions<'a> {
    /// Where the next element may begin.
    cur: Cursor<'a>,
    /// The list structure: empty elements skipped and counted.
    list: ListReader,
    done: bool,
}

impl<'a> Iterator for Extensions<'a> {
    type Item = Result<Extension<'a>, ExtensionSyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_visiting(|_| false, |_| {})
    }
}

impl<'a> Extensions<'a> {
    /// The next extension, as [`Iterator::next`]; on the way, when `wanted(name)`
    /// says so, each parameter is shown to `visit` as it is parsed. One pass serves
    /// both the list syntax and a negotiator (parameters of an invalid element may
    /// have been shown before the error).
    pub(crate) fn next_visiting(
        &mut self,
        wanted: impl FnOnce(&[u8]) -> bool,
        visit: impl FnMut(&Param<'a>),
    ) -> Option<Result<Extension<'a>, ExtensionSyntaxError>> {
        if self.done {
            return None;
        }
        match self.list.element_start(self.cur.rest()) {
            Ok(Some(start)) => self.cur.move_to(start),
            Ok(None) => {
                self.done = true;
                // 1#extension: at least one non-empty element.
                return (self.list.elements() == 0).then_some(Err(ExtensionSyntaxError));
            }
            Err(_) => {
                self.done = true; // too many empty elements
                return Some(Err(ExtensionSyntaxError));
            }
        }
        let result = self.extension(wanted, visit);
        if result.is_err() {
            self.done = true;
        }
        Some(result)
    }

    fn extension(
        &mut self,
        wanted: impl FnOnce(&[u8]) -> bool,
        mut visit: impl FnMut(&Param<'a>),
    ) -> Result<Extension<'a>, ExtensionSyntaxError> {
        let name = self.cur.token().ok_or(ExtensionSyntaxError)?;
        let wanted = wanted(name);
        let start = self.cur.pos;
        let mut params = Params { cur: self.cur };
        for p in &mut params {
            let p = p?;
            if wanted {
                visit(&p);
            }
        }
        self.cur = params.cur;
        let raw = self.cur.s.get(start..self.cur.pos).unwrap_or_default();
        match ListReader::after_element(self.cur.rest()) {
            Ok(Some(next)) => self.cur.move_to(next),
            Ok(None) => self.done = true,
            Err(_) => return Err(ExtensionSyntaxError),
        }
        Ok(Extension { name, params: raw })
    }
}

/// Iterator over an extension's parameters. It stops before a `,` or at the end.
#[derive(Debug, Clone)]
pub struct Params<'a> {
    cur: Cursor<'a>,
}

impl<'a> Iterator for Params<'a> {
    type Item = Result<Param<'a>, ExtensionSyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.cur.skip_ows();
        if self.cur.peek() != Some(b';') {
            return None;
        }
        self.cur.bump();
        Some(self.param())
    }
}

impl<'a> Params<'a> {
    fn param(&mut self) -> Result<Param<'a>, ExtensionSyntaxError> {
        self.cur.skip_ows();
        let name = self.cur.token().ok_or(ExtensionSyntaxError)?;
        self.cur.skip_ows();
        if self.cur.peek() != Some(b'=') {
            return Ok(Param { name, value: None });
        }
        self.cur.bump();
        self.cur.skip_ows();
        let value = if self.cur.peek() == Some(b'"') {
            self.cur.quoted_token()?
        } else {
            let raw = self.cur.token().ok_or(ExtensionSyntaxError)?;
            ParamValue {
                raw,
                escaped: false,
            }
        };
        Ok(Param {
            name,
            value: Some(value),
        })
    }
}

#[derive(Debug, Clone, Copy)]
struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a [u8]) -> Self {
        Self { s, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn bump(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    /// What is left from the cursor on.
    fn rest(&self) -> &'a [u8] {
        self.s.get(self.pos..).unwrap_or_default()
    }

    /// Moves the cursor to `rest`, a suffix of the text.
    fn move_to(&mut self, rest: &'a [u8]) {
        self.pos = self.s.len().saturating_sub(rest.len());
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.bump();
        }
    }

    fn token(&mut self) -> Option<&'a [u8]> {
        let rest = self.s.get(self.pos..)?;
        let len = rest
            .iter()
            .position(|&b| !is_tchar(b))
            .unwrap_or(rest.len());
        self.pos = self.pos.saturating_add(len);
        rest.get(..len).filter(|t| !t.is_empty())
    }

    /// A quoted-string (cursor on the opening quote) whose unescaped content is a token.
    fn quoted_token(&mut self) -> Result<ParamValue<'a>, ExtensionSyntaxError> {
        self.bump();
        let start = self.pos;
        let mut escaped = false;
        let mut len = 0usize;
        loop {
            match self.peek() {
                Some(b'"') => break,
                Some(b'\\') => {
                    self.bump();
                    escaped = true;
                    match self.peek() {
                        Some(b) if is_tchar(b) => {}
                        _ => return Err(ExtensionSyntaxError),
                    }
                }
                Some(b) if is_tchar(b) => {}
                _ => return Err(ExtensionSyntaxError),
            }
            self.bump();
            len = len.saturating_add(1);
        }
        let raw = self.s.get(start..self.pos).unwrap_or_default();
        self.bump(); // closing quote
        if len == 0 {
            return Err(ExtensionSyntaxError);
        }
        Ok(ParamValue { raw, escaped })
    }
}

/// Tokens are ASCII, so this never falls back.
fn as_str(token: &[u8]) -> &str {
    core::str::from_utf8(token).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    type Parsed = Vec<(String, Vec<(String, Option<String>)>)>;

    fn names(v: &[u8]) -> Result<Parsed, ExtensionSyntaxError> {
        parse(v)
            .map(|e| {
                let e = e?;
                let params = e
                    .params()
                    .map(|p| p.map(|p| (p.name().to_string(), p.value().map(|v| v.to_string()))))
                    .collect::<Result<_, _>>()?;
                Ok((e.name().to_string(), params))
            })
            .collect()
    }

    #[test]
    fn parses_lists_params_and_quoted_values() {
        let got = names(
            b"permessage-deflate ; client_max_window_bits ;server_max_window_bits = \"1\\0\" ,foo",
        )
        .unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, "permessage-deflate");
        assert_eq!(got[0].1[0], ("client_max_window_bits".into(), None));
        assert_eq!(
            got[0].1[1],
            ("server_max_window_bits".into(), Some("10".into()))
        );
        assert_eq!(got[1], ("foo".into(), vec![]));
    }

    #[test]
    fn refuses_malformed_values() {
        for bad in [
            &b""[..],
            b" ",
            b",",
            b" , ,\t",
            b"a;",
            b"a;=1",
            b"a;b=",
            b"a;b=\"\"",
            b"a;b=\"x y\"",
            b"a;b=\"x",
            b"a;b=\"x\\",
            b"a b",
            b"a;b=1 2",
            b"\"a\"",
            b"a;b=\"1\"x",
        ] {
            assert!(!is_valid(bad), "{:?}", String::from_utf8_lossy(bad));
        }
        for good in [
            &b"a"[..],
            b"a;b",
            b"a ; b = 1",
            b"a;b=\"1\"",
            b"a, b;c=\"\\d\"",
            // RFC 9110 §5.6.1.2: empty elements are ignored.
            b"a,",
            b"a,,b",
            b" , a ,\t, ",
        ] {
            assert!(is_valid(good), "{:?}", String::from_utf8_lossy(good));
        }
    }

    #[test]
    fn empty_elements_are_bounded() {
        let commas = |n: usize| ",".repeat(n);
        // Sixteen empty pieces: fifteen commas before `a` and one after it.
        assert!(is_valid(format!("{}a,", commas(15)).as_bytes()));
        assert!(!is_valid(format!("{}a,", commas(16)).as_bytes()));
        assert!(is_valid(format!("a{}b", commas(17)).as_bytes()));
        assert!(!is_valid(format!("a{}b", commas(18)).as_bytes()));
        let names: Vec<_> = parse(b",a;x=1,,b,").map(|e| e.map(|e| e.name())).collect();
        assert_eq!(names, [Ok("a"), Ok("b")]);
    }

    #[test]
    fn numbers() {
        let v = |s: &'static str| ParamValue {
            raw: s.as_bytes(),
            escaped: s.contains('\\'),
        };
        assert_eq!(v("15").to_u32(), Some(15));
        assert_eq!(v("1\\5").to_u32(), Some(15));
        assert_eq!(v("08").to_u32(), None);
        assert_eq!(v("0").to_u32(), Some(0));
        assert_eq!(v("99999999999").to_u32(), None);
        assert_eq!(v("x").to_u32(), None);
        assert_eq!(v("4294967295").to_u32(), Some(u32::MAX));
        assert_eq!(v("4294967296").to_u32(), None);
        for leading_zero in ["00", "01", "010", "0x", "0\\1"] {
            assert_eq!(v(leading_zero).to_u32(), None, "{leading_zero}");
        }
        assert_eq!(v("").to_u32(), None);
        assert_eq!(v("1x").to_u32(), None);
    }
}
