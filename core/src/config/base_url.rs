//! Validation and normalisation of the API base URL (REFERENCE.md §1).

use core::net::{Ipv4Addr, Ipv6Addr};

use http::Uri;

use crate::error::ConfigError;

/// Checks `raw` and returns it normalised: lower-case scheme and host, no trailing slash.
///
/// Accepted: `https://host[:port][/prefix]`, or `http://` to a loopback host (`localhost`,
/// `127.0.0.0/8`, `[::1]`) when `allow_insecure_http` is set. A path prefix is kept (for API
/// gateways that mount Molam under a path); request paths (`/v1/…`) are appended to it.
/// Refused: user info, a query, a fragment, an invalid port, any other scheme. Error messages
/// never repeat the URL, which could carry a password in its user info.
pub(crate) fn normalize(raw: &str, allow_insecure_http: bool) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidBaseUrl(reason.to_owned());
    if raw.contains('#') {
        return Err(invalid("must not have a fragment"));
    }
    let uri: Uri = raw
        .parse()
        .map_err(|_| invalid("not a valid absolute URL"))?;
    let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
        return Err(invalid("must be absolute, like https://api.molam.com"));
    };
    if authority.as_str().contains('@') {
        return Err(invalid("must not contain user info"));
    }
    if uri.query().is_some() {
        return Err(invalid("must not have a query"));
    }
    let host = authority.host().to_ascii_lowercase();
    let rebuilt = match authority.port_u16() {
        Some(port) => format!("{host}:{port}"),
        None => host.clone(),
    };
    if !rebuilt.eq_ignore_ascii_case(authority.as_str()) {
        return Err(invalid("has an invalid port"));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => {}
        "http" if !is_loopback(&host) => return Err(ConfigError::InsecureRemoteHttp(host)),
        "http" if !allow_insecure_http => return Err(ConfigError::InsecureHttp(host)),
        "http" => {}
        _ => return Err(invalid("scheme must be https")),
    }
    let prefix = uri.path().trim_end_matches('/');
    Ok(format!(
        "{}://{rebuilt}{prefix}",
        scheme.to_ascii_lowercase()
    ))
}

/// `localhost`, an IPv4 address in `127.0.0.0/8`, or `[::1]`.
fn is_loopback(host: &str) -> bool {
    if host == "localhost" {
        return true;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}
