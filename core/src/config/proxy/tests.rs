use super::*;

fn uri(s: &str) -> http::Uri {
    s.parse().unwrap()
}

fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl FnMut(&str) -> Option<String> + 'a {
    move |name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

#[test]
fn https_urls_use_the_https_proxy_and_http_urls_the_http_one() {
    let rules = ProxyConfig::from_lookup(lookup(&[
        ("HTTPS_PROXY", "http://secure.corp:3128"),
        ("HTTP_PROXY", "plain.corp:8080"),
    ]))
    .unwrap();
    let via = |u: &str| rules.proxy_for(&uri(u)).map(Proxy::authority);
    assert_eq!(
        via("https://api.molam.com/v1/events").as_deref(),
        Some("secure.corp:3128")
    );
    assert_eq!(
        via("http://127.0.0.1:12111/v1/events").as_deref(),
        Some("plain.corp:8080")
    );
}

#[test]
fn lower_case_variables_win_over_upper_case_ones() {
    let rules = ProxyConfig::from_lookup(lookup(&[
        ("https_proxy", "http://lower:1"),
        ("HTTPS_PROXY", "http://upper:2"),
        ("no_proxy", "a.example"),
        ("NO_PROXY", "*"),
    ]))
    .unwrap();
    assert_eq!(
        rules.proxy_for(&uri("https://b.example/")).map(Proxy::host),
        Some("lower")
    );
    assert!(rules.proxy_for(&uri("https://a.example/")).is_none());
}

#[test]
fn no_proxy_hosts_domains_ports_and_star_go_direct() {
    let rules = ProxyConfig::all(Proxy::parse("http://p:3128").unwrap()).with_no_proxy(
        NoProxy::parse("localhost,.corp.example, 10.1.2.3 ,::1,api.molam.com:8443"),
    );
    for direct in [
        "http://localhost:12111/",
        "https://pay.corp.example/",
        "https://corp.example/",
        "http://10.1.2.3/",
        "http://[::1]:80/",
        "https://api.molam.com:8443/",
        "https://LOCALHOST/",
    ] {
        assert!(rules.proxy_for(&uri(direct)).is_none(), "{direct}");
    }
    for proxied in [
        "https://api.molam.com/",
        "https://notcorp.example/",
        "http://127.0.0.1:12111/",
        "http://10.1.2.30/",
    ] {
        assert!(rules.proxy_for(&uri(proxied)).is_some(), "{proxied}");
    }
    let star = ProxyConfig::all(Proxy::parse("p:1").unwrap()).with_no_proxy(NoProxy::parse("*"));
    assert!(star.proxy_for(&uri("https://anything/")).is_none());
}

#[test]
fn nothing_set_means_no_proxy() {
    let rules = ProxyConfig::from_lookup(lookup(&[("HTTPS_PROXY", "  ")])).unwrap();
    assert!(rules.is_none());
    assert!(rules.proxy_for(&uri("https://api.molam.com/")).is_none());
}

#[test]
fn proxy_urls_parse_hosts_ports_and_decoded_credentials() {
    let p = Proxy::parse("http://u%20x:p%3Aw@[::1]:8888/").unwrap();
    assert_eq!(
        (p.host(), p.port(), p.authority()),
        ("::1", 8888, "[::1]:8888".to_owned())
    );
    let c = p.credentials().unwrap();
    assert_eq!((c.user(), c.expose_password()), ("u x", "p:w"));
    assert_eq!(p.expose_url(), "http://u%20x:p%3Aw@[::1]:8888");
    assert_eq!(Proxy::parse("HTTP://proxy").unwrap().port(), 80);
    for bad in [
        "https://p:1",
        "socks5://p:1",
        "http://",
        "http://p:port",
        "http://p:1/path",
        "http://a b",
    ] {
        assert!(Proxy::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_proxy_password_is_in_no_debug_display_or_error() {
    let p = Proxy::parse("http://alice:hunter2secret@proxy.corp:3128").unwrap();
    let rules = ProxyConfig::all(p.clone());
    for text in [
        format!("{p}"),
        format!("{p:?}"),
        format!("{rules:?}"),
        format!("{:?}", p.credentials()),
        format!("{:?}", p.authorization()),
    ] {
        assert!(!text.contains("hunter2secret"), "{text}");
    }
    assert_eq!(p.to_string(), "http://alice:****@proxy.corp:3128");
    let e = Proxy::parse("http://alice:hunter2%zzsecret@proxy.corp:3128").unwrap_err();
    assert!(!e.to_string().contains("hunter2"), "{e}");
    let e = ProxyConfig::from_lookup(lookup(&[(
        "HTTPS_PROXY",
        "socks5://alice:hunter2secret@p:1",
    )]))
    .unwrap_err();
    assert!(e.to_string().contains("HTTPS_PROXY"), "{e}");
    assert!(!e.to_string().contains("hunter2"), "{e}");
}

#[test]
fn proxy_authorization_is_basic_base64_and_sensitive() {
    let p = Proxy::parse("http://Aladdin:open%20sesame@p:1").unwrap();
    let auth = p.authorization().unwrap();
    assert_eq!(auth, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    assert!(auth.is_sensitive());
    assert!(Proxy::parse("http://p:1")
        .unwrap()
        .authorization()
        .is_none());
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
}
