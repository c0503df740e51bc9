//! Proxy selection (`ProxySettings`, `ProxyUrl`, `no_proxy_matches`): curl's rules for
//! the proxy variables and `NO_PROXY`, driven through the pure `from_vars` (the process
//! environment is never touched).

use ws_handshake::proxy::{
    no_proxy_matches, ProxyScheme, ProxySettings, ProxyTunnel, ProxyUrl, ProxyUrlError,
};
use ws_handshake::{BuildError, WsUrl};

fn settings(vars: &[(&str, &str)]) -> ProxySettings {
    ProxySettings::from_vars(|name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    })
}

/// The proxy `url` goes through, as `host:port`, or `None`.
fn chosen(settings: &ProxySettings, url: &str) -> Option<String> {
    let url = WsUrl::parse(url).unwrap();
    settings
        .select(&url)
        .unwrap()
        .map(|p| format!("{}:{}", p.host(), p.port()))
}

#[test]
fn scheme_variables_then_all_proxy() {
    let s = settings(&[
        ("http_proxy", "http://h:1"),
        ("HTTPS_PROXY", "http://s:2"),
        ("ALL_PROXY", "http://a:3"),
    ]);
    assert_eq!(chosen(&s, "ws://example.com/").as_deref(), Some("h:1"));
    assert_eq!(chosen(&s, "wss://example.com/").as_deref(), Some("s:2"));
    // Lower case first; wss_proxy before the https ones (curl's <scheme>_proxy).
    let vars = [
        ("https_proxy", "lower:1"),
        ("HTTPS_PROXY", "upper:1"),
        ("wss_proxy", "wss:1"),
    ];
    assert_eq!(
        chosen(&settings(&vars), "wss://e/").as_deref(),
        Some("wss:1")
    );
    assert_eq!(
        chosen(&settings(&vars[..2]), "wss://e/").as_deref(),
        Some("lower:1")
    );
    // The ALL_PROXY fallback, lower case first.
    let vars = [("ALL_PROXY", "upper:1"), ("all_proxy", "lower:2")];
    assert_eq!(
        chosen(&settings(&vars), "ws://e/").as_deref(),
        Some("lower:2")
    );
    assert_eq!(
        chosen(&settings(&vars[..1]), "wss://e/").as_deref(),
        Some("upper:1")
    );
    assert_eq!(chosen(&settings(&[]), "ws://e/"), None);
}

/// curl reads every variable through `curl_getenv`, which returns an empty value as
/// unset (lib/getenv.c: `env && env[0]`); Go's `httpproxy` and Python's `urllib` skip
/// empty values alike. So an empty variable never stops the search: `http_proxy=`
/// falls through to `ALL_PROXY`, and an empty `no_proxy` leaves `NO_PROXY` in force
/// (reading it as "no exceptions" would send the internal hosts to the proxy).
#[test]
fn an_empty_variable_counts_as_unset() {
    let s = settings(&[
        ("ws_proxy", ""),
        ("http_proxy", ""),
        ("all_proxy", ""),
        ("ALL_PROXY", "http://a:3"),
    ]);
    assert_eq!(chosen(&s, "ws://example.com/").as_deref(), Some("a:3"));
    let s = settings(&[
        ("http_proxy", "http://p:1"),
        ("no_proxy", ""),
        ("NO_PROXY", "internal.corp"),
    ]);
    assert_eq!(chosen(&s, "ws://ci.internal.corp/"), None);
    assert_eq!(chosen(&s, "ws://example.com/").as_deref(), Some("p:1"));
    // Only empty ones: direct.
    let s = settings(&[("https_proxy", ""), ("HTTPS_PROXY", ""), ("ALL_PROXY", "")]);
    assert_eq!(chosen(&s, "wss://example.com/"), None);
    // An explicit empty setting still means none (curl's `--proxy ""`).
    let s = settings(&[("ALL_PROXY", "http://a:3")]).proxy("").unwrap();
    assert_eq!(chosen(&s, "ws://example.com/"), None);
}

/// httpoxy (CVE-2016-5385): a CGI request's `Proxy:` header arrives as `HTTP_PROXY`,
/// so the upper-case name is never read, as curl never reads it.
#[test]
fn upper_case_http_proxy_is_ignored() {
    let s = settings(&[("HTTP_PROXY", "http://evil:1"), ("all_proxy", "http://a:3")]);
    assert_eq!(chosen(&s, "ws://example.com/").as_deref(), Some("a:3"));
    let s = settings(&[("HTTP_PROXY", "http://evil:1")]);
    assert_eq!(chosen(&s, "ws://example.com/"), None);
}

#[test]
fn proxy_urls() {
    let p = |s| ProxyUrl::parse(s);
    let url = p("http://proxy.corp:3128").unwrap();
    assert_eq!(
        (url.scheme(), url.host(), url.port(), url.user()),
        (ProxyScheme::Http, "proxy.corp", 3128, None)
    );
    assert_eq!(p("proxy.corp").map(|p| p.port()), Ok(1080));
    assert_eq!(p("proxy.corp:").map(|p| p.port()), Ok(1080));
    assert_eq!(
        p("SOCKS5H://p").map(|p| p.scheme()),
        Ok(ProxyScheme::Socks5h)
    );
    assert_eq!(
        p("socks5://p:9050/").map(|p| p.scheme()),
        Ok(ProxyScheme::Socks5)
    );
    let url = p("HTTP://u:p@127.0.0.1:8080/").unwrap();
    assert_eq!((url.user(), url.password()), (Some("u"), Some("p")));
    // Percent-decoded userinfo (RFC 3986 §2.1), UTF-8 included; the last @ ends it.
    let url = p("http://d%C3%A9j%C3%A0:p%40ss%3Aword@proxy").unwrap();
    assert_eq!(
        (url.user(), url.password()),
        (Some("déjà"), Some("p@ss:word"))
    );
    let url = p("http://user:p@ss@proxy").unwrap();
    assert_eq!((url.password(), url.host()), (Some("p@ss"), "proxy"));
    let url = p("http://user@proxy").unwrap();
    assert_eq!((url.user(), url.password()), (Some("user"), None));
    assert_eq!(
        p("http://[::1]:3128").map(|p| (p.host().to_string(), p.port())),
        Ok(("::1".into(), 3128))
    );
    let err = |s, e| assert_eq!(p(s), Err(BuildError::ProxyUrlInvalid(e)), "{s}");
    err("https://proxy:443", ProxyUrlError::SchemeUnsupported);
    err("socks4://proxy:1080", ProxyUrlError::SchemeUnsupported);
    err("http://proxy:0", ProxyUrlError::PortInvalid);
    err("http://proxy:65536", ProxyUrlError::PortInvalid);
    err("http://proxy:x", ProxyUrlError::PortInvalid);
    err("http://:8080", ProxyUrlError::HostInvalid);
    err("http://", ProxyUrlError::HostInvalid);
    err("http://::1:8080", ProxyUrlError::HostInvalid);
    err("http://proxy/path", ProxyUrlError::PathNotAllowed);
    err("http://proxy?x", ProxyUrlError::PathNotAllowed);
    // Nothing can be injected: CR, LF and NUL, raw or encoded, are refused.
    err("http://pro\r\nxy:1", ProxyUrlError::HostInvalid);
    err("http://proxy\0:1", ProxyUrlError::HostInvalid);
    err("http://u:p%0D%0AX:y@proxy", ProxyUrlError::UserinfoInvalid);
    err("http://u%00:p@proxy", ProxyUrlError::UserinfoInvalid);
    err("http://u:p\r\n@proxy", ProxyUrlError::UserinfoInvalid);
    err("http://u:%zz@proxy", ProxyUrlError::UserinfoInvalid);
    err("http://u:%4@proxy", ProxyUrlError::UserinfoInvalid);
    // Not UTF-8 once decoded.
    err("http://%ff:p@proxy", ProxyUrlError::UserinfoInvalid);
    // The password never shows in Debug output.
    assert!(!format!("{:?}", p("http://u:s3cret@proxy").unwrap()).contains("s3cret"));
}

/// RFC 3986 §3.2.1: what follows the userinfo's colon is not rendered as clear text.
/// Settings hold proxy URLs (their own, or the environment's) with the password in
/// them; their Debug output, which ends up in logs, must not show it, in any form.
#[test]
fn settings_debug_never_shows_a_password() {
    let explicit = ProxySettings::new()
        .ws_proxy("socks5h://alice:s3cret@proxy:1080")
        .unwrap()
        .wss_proxy("")
        .unwrap();
    let env = settings(&[
        ("http_proxy", "http://bob:hunter%32@proxy:3128"),
        // Not a usable proxy URL, but it still holds a password.
        ("https_proxy", "https://carol:pa55word@proxy:443"),
    ]);
    for (settings, secrets) in [
        (explicit, &["s3cret"][..]),
        (env, &["hunter", "pa55word"][..]),
    ] {
        let shown = format!("{settings:?}");
        for secret in secrets {
            assert!(!shown.contains(secret), "{shown}");
        }
        // Where each scheme goes still shows.
        assert!(shown.contains("proxy"), "{shown}");
    }
}

#[test]
fn credentials_for_each_tunnel() {
    // RFC 7617 §2: the decoded user and password, base64 of "alice:s cret", go in
    // Proxy-Authorization on the CONNECT request (RFC 9110 §11.7.2); none without them.
    let connect = |proxy: &str| {
        let config = ProxyUrl::parse(proxy).unwrap().http_config().unwrap();
        let mut out = Vec::new();
        let target = WsUrl::parse("ws://example.com/").unwrap();
        ProxyTunnel::new(&config, target)
            .request()
            .write_to(&mut out);
        String::from_utf8(out).unwrap()
    };
    let request = connect("http://alice:s%20cret@proxy");
    assert!(
        request.contains("\r\nProxy-Authorization: Basic YWxpY2U6cyBjcmV0\r\n"),
        "{request}"
    );
    assert!(!connect("http://proxy").contains("Proxy-Authorization"));
    let url = ProxyUrl::parse("socks5://alice:s3cret@proxy").unwrap();
    assert!(url.socks5_config().unwrap().has_credentials());
    assert!(!ProxyUrl::parse("socks5://proxy")
        .unwrap()
        .socks5_config()
        .unwrap()
        .has_credentials());
    // RFC 1929 §2: a password of at least one byte.
    let url = ProxyUrl::parse("socks5h://alice@proxy").unwrap();
    assert_eq!(url.socks5_config(), Err(BuildError::CredentialsInvalid));
}

#[test]
fn no_proxy_rules() {
    // Names: the host itself and its subdomains, case-insensitively.
    for (list, host, bypass) in [
        ("example.com", "example.com", true),
        ("example.com", "WWW.Example.com", true),
        ("example.com", "notexample.com", false),
        (".example.com", "example.com", true),
        (".example.com", "a.example.com", true),
        ("example.com.", "a.example.com", true),
        ("example.com", "example.com.", true),
        ("a.example.com", "example.com", false),
        ("other, example.com", "example.com", true),
        ("other ,\t,example.com", "example.com", true),
        (",,example.com,", "example.com", true),
        ("other,,", "example.com", false),
        (".", "example.com", false),
        ("*", "anything", true),
        ("*.example.com", "a.example.com", false), // no wildcards but a lone *
        ("a,*", "b", false),
        // IP addresses and CIDR blocks.
        ("127.0.0.1", "127.0.0.1", true),
        ("127.0.0.0/8", "127.1.2.3", true),
        ("10.0.0.0/8", "127.0.0.1", false),
        ("0.0.0.0/0", "8.8.8.8", true),
        ("127.0.0.1/33", "127.0.0.1", false),
        ("127.0.0.1/x", "127.0.0.1", false),
        ("::1", "[::1]", true),
        ("[::1]", "::1", true),
        ("fe80::/10", "fe80::1", true),
        ("fe80::/10", "2001:db8::1", false),
        ("::/0", "2001:db8::1", true),
        ("0.0.0.0/0", "::1", false),
        ("127.0.0.1", "localhost", false),
        ("localhost", "127.0.0.1", false),
    ] {
        assert_eq!(
            no_proxy_matches(list, host, 80),
            bypass,
            "{list:?} vs {host}"
        );
    }
    // Ports: an entry with one matches that port only.
    for (list, host, port, bypass) in [
        ("example.com:8080", "example.com", 8080, true),
        ("example.com:8080", "www.example.com", 8080, true),
        ("example.com:8080", "example.com", 80, false),
        ("example.com", "example.com", 8080, true),
        ("127.0.0.1:9001", "127.0.0.1", 9001, true),
        ("127.0.0.1:9001", "127.0.0.1", 9002, false),
        ("[::1]:9001", "::1", 9001, true),
        ("[::1]:9001", "::1", 443, false),
        ("example.com:x", "example.com", 80, false),
        ("example.com:99999", "example.com", 80, false),
        ("[::1]x", "::1", 80, false),
    ] {
        assert_eq!(
            no_proxy_matches(list, host, port),
            bypass,
            "{list:?} vs {host}:{port}"
        );
    }
}

/// curl's `Curl_check_noproxy` splits the list at commas only: blanks end an entry,
/// and blanks that no comma follows end the list, so `a b` names `a` alone. Only the
/// exact list `*` is the wildcard (`strcmp`). Reading more entries than curl would
/// send connections direct that curl sends through the proxy.
#[test]
fn no_proxy_list_syntax_is_curls() {
    for (list, host, bypass) in [
        ("other example.com", "example.com", false),
        ("other example.com", "other", true),
        ("a b, example.com", "example.com", false),
        ("a\texample.com", "example.com", false),
        ("localhost, .example.com 127.0.0.0/8", "127.0.0.1", false),
        (" * ", "anything", false),
        ("* ", "anything", false),
        ("*,", "anything", false),
        ("", "anything", false),
    ] {
        assert_eq!(
            no_proxy_matches(list, host, 80),
            bypass,
            "{list:?} vs {host}"
        );
    }
}

#[test]
fn no_proxy_applies_to_explicit_settings_too() {
    let explicit = ProxySettings::new()
        .proxy("http://p:1")
        .unwrap()
        .no_proxy("127.0.0.1");
    assert_eq!(chosen(&explicit, "ws://127.0.0.1:9001/"), None);
    assert_eq!(chosen(&explicit, "wss://other/").as_deref(), Some("p:1"));
    // no_proxy wins over NO_PROXY.
    let s = settings(&[
        ("http_proxy", "p:1"),
        ("no_proxy", "127.0.0.1"),
        ("NO_PROXY", "ignored.example"),
    ]);
    assert_eq!(chosen(&s, "ws://127.0.0.1/"), None);
    assert_eq!(chosen(&s, "ws://ignored.example/").as_deref(), Some("p:1"));
    // Separate proxies per scheme; an empty one means direct.
    let s = ProxySettings::new()
        .ws_proxy("socks5://s:1")
        .unwrap()
        .wss_proxy("")
        .unwrap();
    assert_eq!(chosen(&s, "ws://e/").as_deref(), Some("s:1"));
    assert_eq!(chosen(&s, "wss://e/"), None);
    // Explicit URLs are checked when given; the environment's when used.
    assert!(ProxySettings::new().proxy("ftp://p").is_err());
    let s = settings(&[("https_proxy", "https://p:443"), ("http_proxy", "p:1")]);
    assert_eq!(chosen(&s, "ws://e/").as_deref(), Some("p:1"));
    let wss = WsUrl::parse("wss://e/").unwrap();
    assert_eq!(
        s.select(&wss),
        Err(BuildError::ProxyUrlInvalid(
            ProxyUrlError::SchemeUnsupported
        ))
    );
}
