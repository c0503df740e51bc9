//! The client example's proxy selection (`examples/common/proxy_env.rs`): curl's
//! rules for the proxy variables and `no_proxy`.

#[path = "../examples/common/proxy_env.rs"]
mod proxy_env;
use proxy_env::{choose, no_proxy_matches, proxy_from_env, Proxy};

fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    }
}

#[test]
fn scheme_variables_then_all_proxy() {
    let vars = [
        ("http_proxy", "http://h:1"),
        ("HTTPS_PROXY", "http://s:2"),
        ("ALL_PROXY", "http://a:3"),
    ];
    assert_eq!(
        proxy_from_env(false, &env(&vars)).as_deref(),
        Some("http://h:1")
    );
    assert_eq!(
        proxy_from_env(true, &env(&vars)).as_deref(),
        Some("http://s:2")
    );
    // Lower case first; ws_proxy/wss_proxy before the http ones.
    let vars = [
        ("https_proxy", "lower"),
        ("HTTPS_PROXY", "upper"),
        ("wss_proxy", "wss"),
    ];
    assert_eq!(proxy_from_env(true, &env(&vars)).as_deref(), Some("wss"));
    assert_eq!(
        proxy_from_env(true, &env(&vars[..2])).as_deref(),
        Some("lower")
    );
    // httpoxy: HTTP_PROXY in upper case is ignored, as curl ignores it.
    let vars = [("HTTP_PROXY", "http://evil:1"), ("all_proxy", "http://a:3")];
    assert_eq!(
        proxy_from_env(false, &env(&vars)).as_deref(),
        Some("http://a:3")
    );
    assert_eq!(proxy_from_env(false, &env(&[])), None);
    // Set but empty: no proxy, even with ALL_PROXY set.
    let vars = [("http_proxy", ""), ("ALL_PROXY", "http://a:3")];
    assert_eq!(choose(None, false, "example.com", &env(&vars)), Ok(None));
}

#[test]
fn proxy_urls() {
    let p = |s| Proxy::parse(s);
    assert_eq!(
        p("http://proxy.corp:3128"),
        Ok(Proxy {
            host: "proxy.corp".into(),
            port: 3128,
            user_pass: None
        })
    );
    assert_eq!(p("proxy.corp").map(|p| p.port), Ok(1080));
    assert_eq!(
        p("HTTP://u:p@127.0.0.1:8080/")
            .unwrap()
            .user_pass
            .as_deref(),
        Some("u:p")
    );
    assert_eq!(
        p("http://[::1]:3128").map(|p| (p.host, p.port)),
        Ok(("::1".into(), 3128))
    );
    assert!(p("https://proxy:443").is_err());
    assert!(p("socks5://proxy:1080").is_err());
    assert!(p("http://proxy:0").is_err());
    assert!(p("http://:8080").is_err());
    assert!(p("http://proxy/path").is_err());
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
        ("other example.com", "example.com", true),
        ("other,,", "example.com", false),
        ("*", "anything", true),
        (" * ", "anything", true),
        ("*.example.com", "a.example.com", false), // no wildcards but a lone *
        ("a,*", "b", false),
        ("example.com:8080", "example.com", false), // ports play no part
        // IP addresses and CIDR blocks.
        ("127.0.0.1", "127.0.0.1", true),
        ("127.0.0.0/8", "127.1.2.3", true),
        ("10.0.0.0/8", "127.0.0.1", false),
        ("0.0.0.0/0", "8.8.8.8", true),
        ("127.0.0.1/33", "127.0.0.1", false),
        ("::1", "[::1]", true),
        ("fe80::/10", "fe80::1", true),
        ("fe80::/10", "2001:db8::1", false),
        ("127.0.0.1", "localhost", false),
        ("localhost", "127.0.0.1", false),
    ] {
        assert_eq!(no_proxy_matches(list, host), bypass, "{list:?} vs {host}");
    }
}

#[test]
fn no_proxy_applies_to_the_flag_too() {
    let vars = [("no_proxy", "127.0.0.1"), ("NO_PROXY", "ignored.example")];
    assert_eq!(
        choose(Some("http://p:1"), false, "127.0.0.1", &env(&vars)),
        Ok(None)
    );
    assert_eq!(
        choose(Some("http://p:1"), false, "ignored.example", &env(&vars)).map(|p| p.is_some()),
        Ok(true)
    );
    let vars = [("NO_PROXY", "example.com")];
    assert_eq!(
        choose(Some("http://p:1"), false, "www.example.com", &env(&vars)),
        Ok(None)
    );
    assert_eq!(
        choose(Some("p:9"), true, "other.com", &env(&vars)).map(|p| p.map(|p| p.port)),
        Ok(Some(9))
    );
}
