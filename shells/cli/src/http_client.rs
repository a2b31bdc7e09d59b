//! The CLI's own HTTP client, for what is not an API call: forwarding deliveries (`molam
//! listen`, to `http://` or `https://` endpoints) and the mock's `/__mock/*` controls. HTTPS
//! trusts Mozilla's roots plus an optional extra root (a local endpoint's self-signed
//! certificate); rustls with ring, as in every shell.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::StatusCode;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;

use crate::failure::Failure;

/// A pooled HTTP/1.1 client for `http://` and `https://` URLs.
pub type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// How long a forwarded delivery or a control call may take: REFERENCE.md §5 gives an
/// endpoint 10 s.
const ANSWER_LIMIT: Duration = Duration::from_secs(10);
/// The most of an answer's body that is read (the rest is of no use to a person).
const MAX_ANSWER: usize = 64 * 1024;

/// What an endpoint answered, and how long it took.
#[derive(Debug)]
pub struct Answer {
    /// Its status.
    pub status: StatusCode,
    /// Its body (at most 64 KiB).
    pub body: Bytes,
    /// From sending the request to the end of the body.
    pub elapsed: Duration,
}

/// A client trusting Mozilla's roots, plus the certificates of `extra_roots_pem` (a PEM
/// bundle, e.g. `molam mock --tls --cert-out cert.pem`).
pub fn client(extra_roots_pem: Option<&[u8]>, flag: &str) -> Result<HttpClient, Failure> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(pem) = extra_roots_pem {
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Failure::usage(format!("{flag}: not a PEM certificate bundle: {e}")))?;
        if certs.is_empty() {
            return Err(Failure::usage(format!(
                "{flag}: the file has no CERTIFICATE block"
            )));
        }
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| Failure::usage(format!("{flag}: unusable certificate: {e}")))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Failure::other(format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(ANSWER_LIMIT));
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Ok(Client::builder(TokioExecutor::new()).build(https))
}

/// Sends `request` and reads the answer (10 s at most); the error says why there is none.
pub async fn send(
    client: &HttpClient,
    request: http::Request<Full<Bytes>>,
) -> Result<Answer, String> {
    let started = Instant::now();
    let exchange = async {
        let response = client.request(request).await.map_err(describe)?;
        let status = response.status();
        let body = Limited::new(response.into_body(), MAX_ANSWER)
            .collect()
            .await
            .map_err(|e| format!("reading the answer: {e}"))?
            .to_bytes();
        Ok::<_, String>((status, body))
    };
    let (status, body) = tokio::time::timeout(ANSWER_LIMIT, exchange)
        .await
        .map_err(|_| format!("no answer within {} s", ANSWER_LIMIT.as_secs()))??;
    Ok(Answer {
        status,
        body,
        elapsed: started.elapsed(),
    })
}

/// The error and its causes on one line ("client error (Connect): tcp connect error:
/// Connection refused"), since hyper's top-level text alone says little.
fn describe(error: hyper_util::client::legacy::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// An absolute `http://` or `https://` URL given to `flag`.
pub fn endpoint_uri(url: &str, flag: &str) -> Result<http::Uri, Failure> {
    let uri: http::Uri = url
        .parse()
        .map_err(|_| Failure::usage(format!("{flag} {url:?} is not a URL")))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
        return Err(Failure::usage(format!(
            "{flag} {url:?}: must be an absolute http:// or https:// URL"
        )));
    }
    Ok(uri)
}

/// The first line of a body, at most 80 characters, for a one-line summary.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line = text.lines().next().unwrap_or("").trim();
    let mut out: String = line.chars().take(80).collect();
    if line.chars().count() > 80 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_is_the_first_line_cut_at_80_characters() {
        assert_eq!(snippet(b"ok"), "ok");
        assert_eq!(snippet(b"  first\nsecond"), "first");
        let long = "x".repeat(100);
        assert_eq!(snippet(long.as_bytes()), format!("{}…", "x".repeat(80)));
    }

    #[test]
    fn endpoints_may_be_http_or_https_but_nothing_else() {
        assert!(endpoint_uri("https://localhost:8443/hooks", "--forward-to").is_ok());
        assert!(endpoint_uri("http://127.0.0.1:3000/hooks", "--forward-to").is_ok());
        let error = endpoint_uri("ftp://x/hooks", "--forward-to").unwrap_err();
        assert_eq!(
            error.to_string(),
            "--forward-to \"ftp://x/hooks\": must be an absolute http:// or https:// URL"
        );
    }
}
