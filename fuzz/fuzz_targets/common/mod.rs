//! Helpers the `client_response` and `server_feed` targets share: the input's chunking,
//! the expected `Sec-WebSocket-Accept`, and the plain (no httparse) reading of a head
//! that their reference checks use.

use base64::Engine as _;
use sha1::Digest as _;

/// `bytes` split after each of `sizes` (each capped at what is left), then the rest.
pub fn chunking<'a>(sizes: &[u8], mut bytes: &'a [u8]) -> Vec<&'a [u8]> {
    let mut chunks = Vec::new();
    for &s in sizes {
        let (c, r) = bytes.split_at(usize::from(s).min(bytes.len()));
        chunks.push(c);
        bytes = r;
    }
    chunks.push(bytes);
    chunks
}

/// RFC 6455 §4.2.2: base64(sha1(key ++ GUID)), computed here rather than by the crate.
pub fn expected_accept(key: &str) -> String {
    let mut sha = sha1::Sha1::new();
    sha.update(key.as_bytes());
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

/// The head at the start of `bytes`, up to and including the empty line, if complete.
pub fn complete_head(bytes: &[u8]) -> Option<&[u8]> {
    find(bytes, b"\r\n\r\n").map(|i| &bytes[..i + 4])
}

/// A head's `name: value` lines in order, values trimmed.
pub type Headers = Vec<(Vec<u8>, Vec<u8>)>;

/// Splits a head (ending in CRLF CRLF) into its start line and its `name: value` lines,
/// values trimmed. `None` unless every line ends in CRLF and each header line has a
/// token name followed directly by a colon.
pub fn read_head(head: &[u8]) -> Option<(&[u8], Headers)> {
    let body = skip_empty_lines(head.strip_suffix(b"\r\n\r\n")?);
    if !crlf_only_strict(head) {
        return None;
    }
    let mut lines = body
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let start_line = lines.next()?;
    let mut headers = Vec::new();
    for line in lines {
        let colon = line.iter().position(|&b| b == b':')?;
        let (name, value) = line.split_at(colon);
        if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
            return None;
        }
        headers.push((name.to_vec(), trim(&value[1..]).to_vec()));
    }
    Some((start_line, headers))
}

/// RFC 7230 §3.5: empty lines before the start line are ignored (httparse does).
pub fn skip_empty_lines(mut s: &[u8]) -> &[u8] {
    while let Some(rest) = s.strip_prefix(b"\r\n") {
        s = rest;
    }
    s
}

/// Every LF is preceded by CR and every CR followed by LF.
pub fn crlf_only_strict(s: &[u8]) -> bool {
    s.iter().enumerate().all(|(i, &b)| match b {
        b'\n' => i > 0 && s[i - 1] == b'\r',
        b'\r' => s.get(i + 1) == Some(&b'\n'),
        _ => true,
    })
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

pub fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', r @ ..] = s {
        s = r;
    }
    while let [r @ .., b' ' | b'\t'] = s {
        s = r;
    }
    s
}

/// The most empty elements the crate ignores in one list field line (RFC 9110
/// §5.6.1.2 "a reasonable number"); a line with more is malformed.
pub const MAX_EMPTY_LIST_ELEMENTS: usize = 16;

/// The non-empty elements of one list field line, trimmed (RFC 9110 §5.6.1.2), or
/// `None` when it holds more than [`MAX_EMPTY_LIST_ELEMENTS`] empty ones.
pub fn list_elements(value: &[u8]) -> Option<Vec<&[u8]>> {
    let pieces: Vec<&[u8]> = value.split(|&b| b == b',').map(trim).collect();
    let empties = pieces.iter().filter(|p| p.is_empty()).count();
    (empties <= MAX_EMPTY_LIST_ELEMENTS)
        .then(|| pieces.into_iter().filter(|p| !p.is_empty()).collect())
}

/// Whether one list field line names `token` and nothing else: every non-empty element
/// is `token` (case-insensitively), and the line is a list (within the bound on empty
/// elements). A line of empty elements alone names nothing else.
#[allow(dead_code)] // the targets that read a "this alone" list
pub fn list_only(value: &[u8], token: &str) -> bool {
    list_elements(value).is_some_and(|elements| {
        elements
            .iter()
            .all(|e| e.eq_ignore_ascii_case(token.as_bytes()))
    })
}

pub fn list_has(value: &[u8], token: &str) -> bool {
    list_elements(value)
        .unwrap_or_default()
        .iter()
        .any(|e| e.eq_ignore_ascii_case(token.as_bytes()))
}

pub fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
