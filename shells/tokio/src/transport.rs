//! Bytes over the wire with hyper: hyper-util's pooled client over hyper-rustls (rustls with
//! the `ring` provider), the per-attempt timeout from `tokio::time`, and hyper's errors
//! mapped to the core's [`TransportError`] kinds. No rule of the API lives here.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Incoming};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use molam_core::config::{Config, TlsRoots};
use molam_core::shell::{root_certificates, MAX_RESPONSE_BODY};
use molam_core::{ConfigError, Error, TransportError};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;

fn bad_root(reason: String) -> Error {
    Error::InvalidConfig(ConfigError::InvalidValue {
        name: "root_certificate",
        reason,
    })
}

/// Parses every certificate in a PEM bundle.
pub(crate) fn parse_pem_certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, Error> {
    root_certificates(CertificateDer::pem_slice_iter(pem).collect::<Result<Vec<_>, _>>())
}

type Pool<C> = HyperClient<HttpsConnector<C>, Full<Bytes>>;

/// The HTTP exchange of the async client. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub(crate) enum HyperTransport {
    /// Straight to the API.
    Direct(Pool<HttpConnector>),
    /// Through the proxy the core's rule picked, in a `CONNECT` tunnel.
    Tunnel(Pool<Tunnel<HttpConnector>>),
}

impl HyperTransport {
    /// A pooled client for `config`, trusting its roots (Mozilla's, or the system's with the
    /// `native-roots` feature) plus `extra_roots`, through the proxy the core's rule picks
    /// for the API's base URL (a `CONNECT` tunnel, for `https://` and `http://` alike).
    pub(crate) fn new(
        config: &Config,
        extra_roots: &[CertificateDer<'static>],
    ) -> Result<Self, Error> {
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        if config.tls_roots() != TlsRoots::Bundled {
            roots = RootCertStore::empty();
            roots.add_parsable_certificates(native_roots()?);
        }
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
            .enable_http1();
        let mut pool = HyperClient::builder(TokioExecutor::new());
        pool.pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(60));
        let base = config.api_base().parse::<http::Uri>().ok();
        let Some(proxy) = base.as_ref().and_then(|b| config.proxy().proxy_for(b)) else {
            return Ok(HyperTransport::Direct(
                pool.build(https.wrap_connector(http)),
            ));
        };
        // The proxy's address without its credentials, which go in a sensitive header only.
        let address = format!("http://{}", proxy.authority())
            .parse::<http::Uri>()
            .map_err(|_| {
                Error::InvalidConfig(ConfigError::InvalidValue {
                    name: "proxy",
                    reason: format!("hyper cannot use the proxy {proxy}"),
                })
            })?;
        let mut tunnel = Tunnel::new(address, http);
        if let Some(authorization) = proxy.authorization() {
            tunnel = tunnel.with_auth(authorization);
        }
        Ok(HyperTransport::Tunnel(
            pool.build(https.wrap_connector(tunnel)),
        ))
    }

    /// Sends one request and reads the whole response, within `timeout`. Dropping the
    /// returned future cancels the exchange (the connection is closed, not reused).
    pub(crate) fn send(
        &self,
        request: http::Request<Vec<u8>>,
        timeout: Duration,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, TransportError>> + Send + 'static
    {
        // The request goes to hyper now: the future keeps only hyper's (boxed) response
        // future, not a copy of the request.
        let request = request.map(|body| Full::new(Bytes::from(body)));
        let response = match self {
            HyperTransport::Direct(pool) => pool.request(request),
            HyperTransport::Tunnel(pool) => pool.request(request),
        };
        let exchange = async move {
            let response = response.await.map_err(map_error)?;
            let (parts, body) = response.into_parts();
            let body = read_body(body).await?;
            Ok(http::Response::from_parts(parts, body))
        };
        tokio::time::timeout(timeout, exchange).map(move |outcome| match outcome {
            Ok(outcome) => outcome,
            Err(_) => Err(TransportError::timeout(format!(
                "no complete response within {} ms",
                timeout.as_millis()
            ))),
        })
    }
}

/// The whole body, frame by frame into one buffer sized from `Content-Length`, refused past
/// the core's cap. An answer's body usually arrives as one frame: it is copied once, and
/// nothing else is allocated (`collect` would queue the frames, then copy them out).
async fn read_body(mut body: Incoming) -> Result<Vec<u8>, TransportError> {
    let too_large = || {
        TransportError::after_send(format!(
            "reading the body: longer than the {MAX_RESPONSE_BODY} bytes a response may have"
        ))
    };
    let announced = body.size_hint().exact().unwrap_or(0);
    let announced = usize::try_from(announced).unwrap_or(usize::MAX);
    if announced > MAX_RESPONSE_BODY {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(announced);
    while let Some(frame) = body.frame().await {
        let frame =
            frame.map_err(|e| TransportError::after_send(format!("reading the body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            if data.len() > MAX_RESPONSE_BODY - bytes.len() {
                return Err(too_large());
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(bytes)
}

/// The operating system's root certificates (`native-roots` feature).
#[cfg(feature = "native-roots")]
fn native_roots() -> Result<Vec<CertificateDer<'static>>, Error> {
    let found = rustls_native_certs::load_native_certs();
    if found.certs.is_empty() {
        return Err(bad_root(format!(
            "the system's store holds no usable certificate ({} failures)",
            found.errors.len()
        )));
    }
    Ok(found.certs)
}

#[cfg(not(feature = "native-roots"))]
fn native_roots() -> Result<Vec<CertificateDer<'static>>, Error> {
    Err(bad_root(
        "TlsRoots::Native needs molam-tokio built with its native-roots feature".to_owned(),
    ))
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
