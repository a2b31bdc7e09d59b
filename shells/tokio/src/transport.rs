//! Bytes over the wire with hyper: hyper-util's pooled client over hyper-rustls (rustls with
//! the `ring` provider), the per-attempt timeout from `tokio::time`, and hyper's errors
//! mapped to the core's [`TransportError`] kinds. No rule of the API lives here.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use molam_core::config::Config;
use molam_core::{ConfigError, Error, TransportError};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;

/// The most of a response body read (a Molam object or page is a few KiB).
const MAX_BODY: usize = 16 * 1024 * 1024;

fn bad_root(reason: String) -> Error {
    Error::InvalidConfig(ConfigError::InvalidValue {
        name: "root_certificate",
        reason,
    })
}

/// Parses every certificate in a PEM bundle.
pub(crate) fn parse_pem_certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad_root(format!("not a PEM bundle: {e}")))?;
    if certs.is_empty() {
        return Err(bad_root("no CERTIFICATE block in the PEM".to_owned()));
    }
    Ok(certs)
}

/// The HTTP exchange of the async client. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub(crate) struct HyperTransport {
    client: HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl HyperTransport {
    /// A pooled client for `config`, trusting Mozilla's roots plus `extra_roots`.
    pub(crate) fn new(
        config: &Config,
        extra_roots: &[CertificateDer<'static>],
    ) -> Result<Self, Error> {
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for cert in extra_roots {
            roots
                .add(cert.clone())
                .map_err(|e| bad_root(format!("unusable certificate: {e}")))?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| bad_root(format!("TLS setup failed: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(config.connect_timeout()));
        // `http://` only reaches here for a loopback host the caller opted in to (the core's
        // Config refuses any other); everything else is https.
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = HyperClient::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .build(https);
        Ok(HyperTransport { client })
    }

    /// Sends one request and reads the whole response, within `timeout`. Dropping the
    /// returned future cancels the exchange (the connection is closed, not reused).
    pub(crate) async fn send(
        &self,
        request: http::Request<Vec<u8>>,
        timeout: Duration,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let request = request.map(|body| Full::new(Bytes::from(body)));
        let exchange = async {
            let response = self.client.request(request).await.map_err(map_error)?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_BODY)
                .collect()
                .await
                .map_err(|e| TransportError::after_send(format!("reading the body: {e}")))?;
            // `Vec::from` takes over an unshared buffer instead of copying it.
            Ok(http::Response::from_parts(
                parts,
                Vec::from(body.to_bytes()),
            ))
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(outcome) => outcome,
            Err(_) => Err(TransportError::timeout(format!(
                "no complete response within {timeout:?}"
            ))),
        }
    }
}

/// hyper-util says whether the connector failed (DNS, refused, connect timeout, TLS
/// handshake): that is before anything was sent. Anything else may be after.
fn map_error(error: hyper_util::client::legacy::Error) -> TransportError {
    let message = error_chain(&error);
    if error.is_connect() {
        TransportError::connect(message)
    } else {
        TransportError::after_send(message)
    }
}

/// The error and its sources, for a message that says what actually failed.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pem_without_certificates_is_refused() {
        let error = parse_pem_certificates(b"not pem").expect_err("no certificate");
        assert!(matches!(
            error,
            Error::InvalidConfig(ConfigError::InvalidValue {
                name: "root_certificate",
                ..
            })
        ));
    }
}
