//! RFC 9110 tokens, field values, optional whitespace and the `#rule` list structure
//! (§5.6.1), with the one list reader every list field of the crate is read by.

use crate::grammar::bytes::{ascii_table, eq_lowercase};

/// RFC 7230 §3.2.6 `tchar`.
#[inline]
pub(crate) fn is_tchar(b: u8) -> bool {
    // One load from a table (hot in list parsing); the lookup cannot miss.
    TCHAR.get(usize::from(b)).copied().unwrap_or(false)
}

/// Entry `b` says whether byte `b` is a `tchar`.
static TCHAR: [bool; 256] = ascii_table!(is_tchar_by_definition);

/// `tchar` exactly as RFC 7230 §3.2.6 spells it.
const fn is_tchar_by_definition(b: u8) -> bool {
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' |
        b'^' | b'_' | b'`' | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
}

/// RFC 7230 §3.2.6 `token`: one or more `tchar`.
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// Whether `b` may appear in a header value we write: VCHAR, SP, HTAB or obs-text.
/// Refusing CR, LF, NUL and other controls is what stops header injection.
pub(crate) const fn is_field_value_byte(b: u8) -> bool {
    matches!(b, b'\t' | b' '..=b'~' | 0x80..=0xff)
}

/// Whether `v` is a header value safe to write (see [`is_field_value_byte`]).
pub(crate) fn is_field_value(v: &[u8]) -> bool {
    v.iter().all(|&b| is_field_value_byte(b))
}

/// Removes optional whitespace (SP / HTAB) from both ends.
pub(crate) fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// Splits an RFC 7230 §7 list on commas, trimming each element (empty ones included).
///
/// A plain view for lines already validated by [`walk_list`] (and for the reference
/// check in the tests); it does not validate anything itself.
pub(crate) fn split_list(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value.split(|&b| b == b',').map(trim_ows)
}

/// How many empty elements one field line of a list may hold before it is malformed.
///
/// RFC 9110 §5.6.1.2: a recipient MUST accept empty list elements and ignore "a
/// reasonable number" of them. Sixteen covers every merging mistake seen in practice
/// (`a,,b`, `, a`, `a,`) while a line of hundreds of commas is refused. An empty element
/// is a piece that splitting the line at its commas leaves empty: `a,` holds one, `,`
/// two, `a, ,b` one.
pub(crate) const MAX_EMPTY_LIST_ELEMENTS: u8 = 16;

/// A list field line that breaks the `#rule` of RFC 9110 §5.6.1 (or its element grammar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ListMalformed;

/// The list structure of one field line, `[ element ] *( OWS "," OWS [ element ] )`
/// (RFC 9110 §5.6.1.2), shared by every list reader of the crate: the token lists
/// ([`walk_list`]: `Sec-WebSocket-Protocol`, `Upgrade`, `Connection`) and the
/// `Sec-WebSocket-Extensions` parser. It skips empty elements, counting them against
/// [`MAX_EMPTY_LIST_ELEMENTS`], and counts the non-empty ones; the element grammar is
/// the caller's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ListReader {
    empties: u8,
    elements: usize,
}

impl ListReader {
    /// `rest` is where an element may begin (the line's start, or just after a
    /// separating comma). Skips OWS and empty elements: `Some` at the start of the
    /// next non-empty element, `None` at the end of the line.
    pub(crate) fn element_start<'a>(
        &mut self,
        mut rest: &'a [u8],
    ) -> Result<Option<&'a [u8]>, ListMalformed> {
        loop {
            rest = trim_start_ows(rest);
            match rest {
                [] => {
                    self.empty()?; // the line, or its part after a comma, is empty
                    return Ok(None);
                }
                [b',', tail @ ..] => {
                    self.empty()?;
                    rest = tail;
                }
                _ => {
                    self.elements = self.elements.saturating_add(1);
                    return Ok(Some(rest));
                }
            }
        }
    }

    /// `rest` follows an element: OWS, then the end of the line (`None`) or a comma
    /// (`Some`: what follows it, where the next element may begin).
    pub(crate) fn after_element(rest: &[u8]) -> Result<Option<&[u8]>, ListMalformed> {
        match trim_start_ows(rest) {
            [] => Ok(None),
            [b',', tail @ ..] => Ok(Some(tail)),
            _ => Err(ListMalformed),
        }
    }

    /// How many non-empty elements were found so far.
    pub(crate) fn elements(&self) -> usize {
        self.elements
    }

    fn empty(&mut self) -> Result<(), ListMalformed> {
        self.empties = self.empties.saturating_add(1);
        if self.empties > MAX_EMPTY_LIST_ELEMENTS {
            return Err(ListMalformed);
        }
        Ok(())
    }
}

/// Walks one list field line with [`ListReader`]: `element` is given the line from the
/// start of each non-empty element, parses the element there and returns what follows
/// it (`None`: not a valid element). The number of non-empty elements, or an error.
pub(crate) fn walk_list<'a>(
    value: &'a [u8],
    mut element: impl FnMut(&'a [u8]) -> Option<&'a [u8]>,
) -> Result<usize, ListMalformed> {
    let mut reader = ListReader::default();
    let mut rest = value;
    while let Some(start) = reader.element_start(rest)? {
        let after = element(start).ok_or(ListMalformed)?;
        match ListReader::after_element(after)? {
            Some(tail) => rest = tail,
            None => break,
        }
    }
    Ok(reader.elements())
}

/// Walks a `1#token` list field line in one scan, giving each token to `f`; false
/// unless the line holds at least one token and every non-empty element is a token.
/// Empty elements are ignored, up to [`MAX_EMPTY_LIST_ELEMENTS`] (RFC 9110 §5.6.1.2).
pub(crate) fn for_each_token<'a>(value: &'a [u8], mut f: impl FnMut(&'a [u8])) -> bool {
    let elements = walk_list(value, |start| {
        let len = start
            .iter()
            .position(|&b| !is_tchar(b))
            .unwrap_or(start.len());
        let (token, after) = start.split_at_checked(len)?;
        if token.is_empty() {
            return None;
        }
        f(token);
        Some(after)
    });
    elements.is_ok_and(|n| n > 0)
}

/// Whether the list contains `token`, compared case-insensitively (never by substring).
/// `token` is ASCII-lowercase. The list is read by [`walk_list`] (empty elements
/// ignored, up to [`MAX_EMPTY_LIST_ELEMENTS`]; a line with more contains nothing);
/// other elements are compared as they stand, not validated.
#[inline(always)]
pub(crate) fn list_contains<const N: usize>(value: &[u8], token: &[u8; N]) -> bool {
    // Most values are the token alone: one compare, no walk.
    if eq_lowercase(value, token) {
        return true;
    }
    matches!(compare_elements(value, token), Some((true, _)))
}

/// Whether the list holds anything but `token` (ASCII-lowercase, compared
/// case-insensitively): an element other than it, or more empty elements than
/// [`MAX_EMPTY_LIST_ELEMENTS`] (a line that is no valid list does not name the token
/// alone). Empty elements within the bound name nothing (RFC 9110 §5.6.1.2), so a line
/// of them alone holds nothing else. The complement of "this list names `token` and
/// only it" as `Upgrade: websocket` (RFC 6455 §4.1 check 2) and `Expect: 100-continue`
/// need it.
#[inline(always)]
pub(crate) fn list_holds_other_than<const N: usize>(value: &[u8], token: &[u8; N]) -> bool {
    // Most values are the token alone: one compare, no walk.
    if eq_lowercase(value, token) {
        return false;
    }
    !matches!(compare_elements(value, token), Some((_, false)))
}

/// Reads the list with [`walk_list`], comparing each non-empty element with `token`
/// as it stands: whether one equals it and whether one does not; `None` for a line
/// that is no list (more than [`MAX_EMPTY_LIST_ELEMENTS`] empty elements).
#[inline(always)]
fn compare_elements<const N: usize>(value: &[u8], token: &[u8; N]) -> Option<(bool, bool)> {
    let (mut equal, mut other) = (false, false);
    let walked = walk_list(value, |start| {
        let len = start.iter().position(|&b| b == b',').unwrap_or(start.len());
        let (element, after) = start.split_at_checked(len)?;
        match eq_lowercase(trim_ows(element), token) {
            true => equal = true,
            false => other = true,
        }
        Some(after)
    });
    walked.ok().map(|_| (equal, other))
}

/// Removes optional whitespace (SP / HTAB) from the start.
fn trim_start_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    s
}

/// RFC 9113 §8.2.2: a connection-specific field (name already lowercase), which
/// makes an HTTP/2 or HTTP/3 message malformed; `te: trailers` is the one exception.
pub(crate) fn is_connection_specific(name: &[u8], value: &[u8]) -> bool {
    match name {
        b"connection" | b"upgrade" | b"keep-alive" | b"proxy-connection" | b"transfer-encoding" => {
            true
        }
        b"te" => !value.eq_ignore_ascii_case(b"trailers"),
        _ => false,
    }
}

/// RFC 9113 §8.2.1: a lowercase field name (a token without `A`–`Z`).
pub(crate) fn is_lowercase_token(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&b| is_tchar(b) && !b.is_ascii_uppercase())
}

/// RFC 9113 §8.2.1: no NUL, CR or LF, and no leading or trailing SP or HTAB.
pub(crate) fn is_h2_field_value(value: &[u8]) -> bool {
    let ws = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t'));
    !value.iter().any(|&b| matches!(b, 0 | b'\r' | b'\n'))
        && !ws(value.first())
        && !ws(value.last())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_matching_is_by_element() {
        assert!(list_contains(b"keep-alive, Upgrade", b"upgrade"));
        assert!(list_contains(b"Upgrade", b"upgrade"));
        assert!(list_contains(b" ,upgrade ,", b"upgrade"));
        assert!(!list_contains(b"upgrade-insecure", b"upgrade"));
        assert!(!list_contains(b"keep-alive", b"upgrade"));
        assert!(!list_contains(b"\"upgrade\"", b"upgrade"));
    }

    #[test]
    fn tchar_table_matches_the_definition() {
        for b in 0..=255u8 {
            assert_eq!(is_tchar(b), is_tchar_by_definition(b), "{b}");
        }
    }

    /// Every concatenation of up to four of `pieces` (repeats allowed, in any order).
    fn every_list_of_four(pieces: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut lists = vec![Vec::new()];
        for _ in 0..4 {
            let longer: Vec<Vec<u8>> = lists
                .iter()
                .flat_map(|l: &Vec<u8>| pieces.iter().map(move |p| [&l[..], p].concat()))
                .collect();
            lists.extend(longer);
        }
        lists
    }

    #[test]
    fn token_lists_agree_with_split_and_check() {
        // RFC 9110 §5.6.1.2 plainly: split at the commas; the empty pieces are ignored
        // (a bounded number of them), every other piece is a token, at least one is.
        fn by_split(v: &[u8]) -> Option<Vec<&[u8]>> {
            let pieces: Vec<&[u8]> = split_list(v).collect();
            let empties = pieces.iter().filter(|e| e.is_empty()).count();
            let elements: Vec<&[u8]> = pieces.into_iter().filter(|e| !e.is_empty()).collect();
            (empties <= usize::from(MAX_EMPTY_LIST_ELEMENTS)
                && !elements.is_empty()
                && elements.iter().all(|e| is_token(e)))
            .then_some(elements)
        }
        fn by_scan(v: &[u8]) -> Option<Vec<&[u8]>> {
            let mut seen = Vec::new();
            for_each_token(v, |t| seen.push(t)).then_some(seen)
        }
        let pieces: [&[u8]; 9] = [
            b"a", b"chat", b",", b" ", b"\t", b"\"", b"x.y", b"/", b"\xff",
        ];
        let mut lists = every_list_of_four(&pieces);
        // And lists around the bound on empty elements.
        for n in 0..=20 {
            let commas = ",".repeat(n);
            for list in [
                format!("{commas}a"),
                format!("a{commas}"),
                format!("a{commas}b"),
                format!(" , a ,{commas} "),
                commas.clone(),
            ] {
                lists.push(list.into_bytes());
            }
        }
        for list in &lists {
            assert_eq!(
                by_scan(list),
                by_split(list),
                "{:?}",
                String::from_utf8_lossy(list)
            );
        }
    }

    #[test]
    fn list_contains_agrees_with_split_and_compare() {
        // The same list reading as for tokens, elements compared as they stand.
        fn by_split(v: &[u8]) -> bool {
            let pieces: Vec<&[u8]> = split_list(v).collect();
            let empties = pieces.iter().filter(|e| e.is_empty()).count();
            v.eq_ignore_ascii_case(b"upgrade")
                || (empties <= usize::from(MAX_EMPTY_LIST_ELEMENTS)
                    && pieces.iter().any(|e| e.eq_ignore_ascii_case(b"upgrade")))
        }
        let pieces: [&[u8]; 6] = [b"Upgrade", b"x", b",", b" ", b"\"", b"\xff"];
        let mut lists = every_list_of_four(&pieces);
        for n in 0..=20 {
            lists.push(format!("{},upgrade", ",".repeat(n)).into_bytes());
            lists.push(format!("upgrade,{}", ",".repeat(n)).into_bytes());
        }
        for list in &lists {
            let shown = String::from_utf8_lossy(list);
            assert_eq!(list_contains(list, b"upgrade"), by_split(list), "{shown:?}");
        }
    }

    #[test]
    fn list_holds_other_than_agrees_with_split_and_compare() {
        // RFC 6455 §4.1 check 2 reads "websocket alone": split at the commas, ignore a
        // bounded number of empty pieces; more empty pieces than the bound, or any
        // other piece, is something else (a fuzz finding: 26 commas before `websocket`
        // on a second Upgrade line once passed as "websocket alone").
        fn by_split(v: &[u8]) -> bool {
            let pieces: Vec<&[u8]> = split_list(v).collect();
            let empties = pieces.iter().filter(|e| e.is_empty()).count();
            !v.eq_ignore_ascii_case(b"websocket")
                && (empties > usize::from(MAX_EMPTY_LIST_ELEMENTS)
                    || pieces
                        .iter()
                        .any(|e| !e.is_empty() && !e.eq_ignore_ascii_case(b"websocket")))
        }
        let pieces: [&[u8]; 7] = [b"WebSocket", b"websocket", b"x", b",", b" ", b"\"", b"\xff"];
        let mut lists = every_list_of_four(&pieces);
        for n in 0..=30 {
            let commas = ",".repeat(n);
            lists.push(format!("{commas} websocket").into_bytes());
            lists.push(format!("websocket,{commas}").into_bytes());
            lists.push(commas.into_bytes());
        }
        for list in &lists {
            let shown = String::from_utf8_lossy(list);
            assert_eq!(
                list_holds_other_than(list, b"websocket"),
                by_split(list),
                "{shown:?}"
            );
        }
    }

    #[test]
    fn tokens() {
        assert!(is_token(b"chat.v2+json"));
        assert!(!is_token(b""));
        assert!(!is_token(b"a b"));
        assert!(!is_token(b"a,b"));
        assert!(!is_field_value(b"a\r\nb"));
        assert!(!is_field_value(b"a\0"));
        assert!(is_field_value(b"a\tb \xff"));
    }

    #[test]
    fn h2_field_rules() {
        assert!(is_h2_field_value(b"chat, superchat"));
        assert!(is_h2_field_value(b""));
        assert!(!is_h2_field_value(b" chat"));
        assert!(!is_h2_field_value(b"chat\t"));
        assert!(!is_h2_field_value(b"a\r\nb"));
        assert!(!is_h2_field_value(b"a\0"));
        assert!(is_lowercase_token(b"sec-websocket-version"));
        assert!(!is_lowercase_token(b"Sec-WebSocket-Version"));
        assert!(!is_lowercase_token(b""));
        assert!(!is_lowercase_token(b"a b"));
    }
}
