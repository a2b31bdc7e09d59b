//! Proxy rules, pure: which proxy (if any) a request to a URL goes through. Both shells ask
//! [`ProxyConfig::proxy_for`] and only carry out the answer (a plain request for `http://`,
//! a `CONNECT` tunnel for `https://`), so the two clients cannot disagree.
//!
//! The rules are those of curl and most HTTP clients: `HTTPS_PROXY` for `https://` URLs,
//! `HTTP_PROXY` for `http://` ones (lower-case names first), and `NO_PROXY`, a comma-separated
//! list of hosts that go direct: `*` for all, a host name (which also covers its
//! subdomains; a leading `.` is ignored), or an IP address, each optionally with `:port`.

use std::fmt;

use http::HeaderValue;

use crate::error::ConfigError;

/// A user name and password for a proxy (`Proxy-Authorization: Basic`). The password never
/// shows in `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyCredentials {
    user: String,
    password: String,
}

impl ProxyCredentials {
    /// A user and password.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        ProxyCredentials {
            user: user.into(),
            password: password.into(),
        }
    }

    /// The user name (not a secret).
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The password. Never log it.
    pub fn expose_password(&self) -> &str {
        &self.password
    }
}

impl fmt::Debug for ProxyCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyCredentials")
            .field("user", &self.user)
            .field("password", &"****")
            .finish()
    }
}

/// One HTTP proxy: `http://[user:password@]host[:port]` (port 80 when left out; a URL
/// without a scheme is taken as `http://`, as curl does). `https://` targets are reached
/// through it with `CONNECT`.
///
/// ```
/// use molam_core::config::Proxy;
/// let proxy = Proxy::parse("http://me:s3cr%40t@proxy.corp:3128")?;
/// assert_eq!((proxy.host(), proxy.port()), ("proxy.corp", 3128));
/// assert_eq!(proxy.credentials().unwrap().expose_password(), "s3cr@t");
/// assert_eq!(proxy.to_string(), "http://me:****@proxy.corp:3128");
/// assert!(!format!("{proxy:?}").contains("s3cr"));
/// # Ok::<(), molam_core::ConfigError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    host: String,
    port: u16,
    credentials: Option<ProxyCredentials>,
}

impl Proxy {
    /// Parses a proxy URL. Errors say what is wrong and never contain the password.
    pub fn parse(url: &str) -> Result<Proxy, ConfigError> {
        let url = url.trim();
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some(_) => {
                return Err(invalid(
                    "only http:// proxies are supported (https:// targets go through them with CONNECT)",
                ))
            }
            None => url,
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#']) {
            return Err(invalid("a proxy URL is scheme://host:port, without a path"));
        }
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, authority),
        };
        let credentials = userinfo
            .map(|userinfo| {
                let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                Ok::<_, ConfigError>(ProxyCredentials::new(
                    percent_decode(user)?,
                    percent_decode(password)?,
                ))
            })
            .transpose()?;
        let (host, port) = split_host_port(hostport)
            .ok_or_else(|| invalid("expected host or host:port after the scheme"))?;
        Ok(Proxy {
            host: host.to_owned(),
            port: port.unwrap_or(80),
            credentials,
        })
    }

    /// The proxy's host name or IP address (IPv6 without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The credentials, if the URL had any.
    pub fn credentials(&self) -> Option<&ProxyCredentials> {
        self.credentials.as_ref()
    }

    /// Adds credentials.
    pub fn with_credentials(mut self, credentials: ProxyCredentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// `host:port` (IPv6 in brackets), for connecting to the proxy.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The `Proxy-Authorization: Basic …` value, marked sensitive, when there are credentials.
    pub fn authorization(&self) -> Option<HeaderValue> {
        let c = self.credentials.as_ref()?;
        let token = base64(format!("{}:{}", c.user, c.password).as_bytes());
        let mut value = HeaderValue::from_str(&format!("Basic {token}"))
            .expect("base64 is a valid header value");
        value.set_sensitive(true);
        Some(value)
    }

    /// The proxy as a URL *with* its credentials percent-encoded, for HTTP clients that take
    /// a URL. Never log it; `Display` is the safe form.
    pub fn expose_url(&self) -> String {
        match &self.credentials {
            Some(c) => format!(
                "http://{}:{}@{}",
                percent_encode(&c.user),
                percent_encode(&c.password),
                self.authority()
            ),
            None => format!("http://{}", self.authority()),
        }
    }
}

impl fmt::Display for Proxy {
    /// `http://[user:****@]host:port`: the password masked.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.credentials {
            Some(c) => write!(
                f,
                "http://{}:****@{}",
                percent_encode(&c.user),
                self.authority()
            ),
            None => write!(f, "http://{}", self.authority()),
        }
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Proxy").field(&self.to_string()).finish()
    }
}

/// The hosts that go direct whatever the proxies (`NO_PROXY`).
///
/// ```
/// use molam_core::config::NoProxy;
/// let no_proxy = NoProxy::parse("localhost, .internal.example,10.0.0.7,api.molam.com:8443");
/// assert!(no_proxy.matches("localhost", 80));
/// assert!(no_proxy.matches("pay.internal.example", 443));
/// assert!(no_proxy.matches("api.molam.com", 8443));
/// assert!(!no_proxy.matches("api.molam.com", 443));
/// assert!(!no_proxy.matches("notinternal.example", 443));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoProxy {
    all: bool,
    entries: Vec<(String, Option<u16>)>,
}

impl NoProxy {
    /// Parses a comma-separated list; blank entries are ignored, and so are entries that are
    /// no host at all (they could never match).
    pub fn parse(list: &str) -> NoProxy {
        let mut no_proxy = NoProxy::default();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if entry == "*" {
                no_proxy.all = true;
                continue;
            }
            let entry = entry.strip_prefix("*.").unwrap_or(entry);
            let entry = entry.strip_prefix('.').unwrap_or(entry);
            if let Some((host, port)) = split_host_port(entry) {
                no_proxy.entries.push((host.to_ascii_lowercase(), port));
            }
        }
        no_proxy
    }

    /// Whether a request to `host:port` goes direct.
    pub fn matches(&self, host: &str, port: u16) -> bool {
        if self.all {
            return true;
        }
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let host = host.trim_end_matches('.');
        self.entries.iter().any(|(entry, entry_port)| {
            entry_port.is_none_or(|p| p == port)
                && (host == entry
                    || host
                        .strip_suffix(entry.as_str())
                        .is_some_and(|head| head.ends_with('.')))
        })
    }

    /// True when nothing is excluded.
    pub fn is_empty(&self) -> bool {
        !self.all && self.entries.is_empty()
    }
}

/// Which proxy each request uses: one for `https://` URLs, one for `http://` URLs, and the
/// hosts that go direct. The default uses none.
///
/// ```
/// use molam_core::config::{NoProxy, Proxy, ProxyConfig};
/// let rules = ProxyConfig::all(Proxy::parse("http://proxy.corp:3128")?)
///     .with_no_proxy(NoProxy::parse("localhost"));
/// let via = rules.proxy_for(&"https://api.molam.com/v1/events".parse().unwrap());
/// assert_eq!(via.map(|p| p.authority()).as_deref(), Some("proxy.corp:3128"));
/// assert!(rules.proxy_for(&"http://localhost:12111/v1/events".parse().unwrap()).is_none());
///
/// // What Config::from_lookup reads: lower-case names first, as curl does.
/// let rules = ProxyConfig::from_lookup(|name| match name {
///     "https_proxy" => Some("http://proxy.corp:3128".to_owned()),
///     "NO_PROXY" => Some("*.internal".to_owned()),
///     _ => None,
/// })?;
/// assert!(rules.proxy_for(&"https://api.molam.com/".parse().unwrap()).is_some());
/// assert!(rules.proxy_for(&"http://api.molam.com/".parse().unwrap()).is_none());
/// # Ok::<(), molam_core::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProxyConfig {
    https: Option<Proxy>,
    http: Option<Proxy>,
    no_proxy: NoProxy,
}

impl ProxyConfig {
    /// No proxy at all, whatever the environment says.
    pub fn none() -> Self {
        ProxyConfig::default()
    }

    /// Every request through `proxy`.
    pub fn all(proxy: Proxy) -> Self {
        ProxyConfig {
            https: Some(proxy.clone()),
            http: Some(proxy),
            no_proxy: NoProxy::default(),
        }
    }

    /// `https://` requests through `proxy`.
    pub fn with_https(mut self, proxy: Option<Proxy>) -> Self {
        self.https = proxy;
        self
    }

    /// `http://` requests through `proxy`.
    pub fn with_http(mut self, proxy: Option<Proxy>) -> Self {
        self.http = proxy;
        self
    }

    /// Hosts that go direct.
    pub fn with_no_proxy(mut self, no_proxy: NoProxy) -> Self {
        self.no_proxy = no_proxy;
        self
    }

    /// The rules of `https_proxy`/`HTTPS_PROXY`, `http_proxy`/`HTTP_PROXY` and
    /// `no_proxy`/`NO_PROXY` (for each, the lower-case name wins when both are set; blank
    /// counts as unset). An unparsable proxy URL is an error naming the variable.
    pub fn from_lookup(
        mut lookup: impl FnMut(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut get = |lower: &'static str, upper: &'static str| {
            [lower, upper].into_iter().find_map(|name| {
                lookup(name)
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
                    .map(|v| (name, v))
            })
        };
        let mut proxy = |lower, upper| {
            get(lower, upper)
                .map(|(name, url)| Proxy::parse(&url).map_err(|e| rename(e, name)))
                .transpose()
        };
        let https = proxy("https_proxy", "HTTPS_PROXY")?;
        let http = proxy("http_proxy", "HTTP_PROXY")?;
        let no_proxy = get("no_proxy", "NO_PROXY")
            .map(|(_, list)| NoProxy::parse(&list))
            .unwrap_or_default();
        Ok(ProxyConfig {
            https,
            http,
            no_proxy,
        })
    }

    /// The proxy a request to `url` goes through, or `None` to connect directly: by the
    /// URL's scheme, unless its host is in `NO_PROXY`.
    pub fn proxy_for(&self, url: &http::Uri) -> Option<&Proxy> {
        let https = url.scheme() == Some(&http::uri::Scheme::HTTPS);
        let proxy = if https { &self.https } else { &self.http }.as_ref()?;
        let host = url.host()?;
        let port = url.port_u16().unwrap_or(if https { 443 } else { 80 });
        (!self.no_proxy.matches(host, port)).then_some(proxy)
    }

    /// True when no request uses a proxy.
    pub fn is_none(&self) -> bool {
        self.https.is_none() && self.http.is_none()
    }
}

fn invalid(reason: &str) -> ConfigError {
    ConfigError::InvalidValue {
        name: "proxy",
        reason: reason.to_owned(),
    }
}

fn rename(error: ConfigError, name: &'static str) -> ConfigError {
    match error {
        ConfigError::InvalidValue { reason, .. } => ConfigError::InvalidValue { name, reason },
        other => other,
    }
}

/// `host`, `host:port`, `v6`, `[v6]` or `[v6]:port`; `None` when the host is empty or has
/// characters no host has, or the port is not a number.
fn split_host_port(s: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else if s.matches(':').count() > 1 {
        // A bare IPv6 address: a port needs brackets.
        (s, None)
    } else {
        match s.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (s, None),
        }
    };
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok()?),
        None => None,
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':'));
    host_ok.then_some((host, port))
}

fn percent_decode(s: &str) -> Result<String, ConfigError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| invalid("the credentials have a malformed %-escape"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| invalid("the credentials are not UTF-8 once decoded"))
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
