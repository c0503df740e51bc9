//! The inputs of the workloads in `benches/workloads.rs` (shared by `compare.rs` and
//! `instr_count.rs`): the 567-byte Chromium request, the canned 101, an HTTP/2
//! extended CONNECT and the same Chromium request parsed into an `http::Request`.
#![allow(dead_code)] // each including binary uses a different subset

/// A 567-byte Chromium request (see `benches/common/mod.rs`): offers `chat, superchat`
/// and `permessage-deflate; client_max_window_bits`; `Origin: http://127.0.0.1:18100`.
pub const REQUEST: &[u8] = include_bytes!("data/chrome-567.http");
/// A real 101 from Python `websockets` answering [`CLIENT_NONCE`] (333 bytes).
pub const RESPONSE: &[u8] = include_bytes!("data/response-python-websockets-chat.http");
/// The nonce whose key [`RESPONSE`] answers.
pub const CLIENT_NONCE: [u8; 16] = *b"the sample nonce";
/// The URL the client workload connects to.
pub const URL: &str = "ws://127.0.0.1:18200/chat?room=1";

/// The Chromium request's fields as an RFC 8441 extended CONNECT over HTTP/2.
pub const CONNECT_FIELDS: [(&str, &str); 13] = [
    (":method", "CONNECT"),
    (":protocol", "websocket"),
    (":scheme", "http"),
    (":path", "/chat?room=1"),
    (":authority", "127.0.0.1:18031"),
    ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36"),
    ("origin", "http://127.0.0.1:18100"),
    ("sec-websocket-version", "13"),
    ("accept-encoding", "gzip, deflate, br, zstd"),
    ("cookie", "session=abc123; theme=dark; _ga=GA1.1.1234567890.1700000000; csrftoken=x7Kq9Lm2Pz4Rt"),
    ("sec-websocket-extensions", "permessage-deflate; client_max_window_bits"),
    ("sec-websocket-protocol", "chat, superchat"),
    ("accept-language", "en-US"),
];

/// [`REQUEST`] as the `http::Request` hyper would hand a handler.
pub fn http_request() -> http::Request<()> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut parsed = httparse::Request::new(&mut headers);
    parsed.parse(REQUEST).expect("the Chromium request parses");
    let mut request = http::Request::builder()
        .method(parsed.method.expect("method"))
        .uri(parsed.path.expect("target"));
    for h in parsed.headers.iter() {
        request = request.header(h.name, h.value);
    }
    request.body(()).expect("a valid http::Request")
}
