//! Bytes over the wire with ureq: one pooled [`ureq::Agent`], rustls with the `ring` provider,
//! status codes returned as responses, no redirects, and ureq's errors mapped to the core's
//! [`TransportError`] kinds. No rule of the API lives here.

use std::io;
use std::time::Duration;

use molam_core::config::{Config, Proxy, TlsRoots};
use molam_core::shell::{root_certificates, MAX_RESPONSE_BODY};
use molam_core::{ConfigError, Error, TransportError};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};
use ureq::{Agent, ProxyProtocol};

/// The core's response-body cap, as ureq counts it.
const MAX_BODY: u64 = MAX_RESPONSE_BODY as u64;

/// Parses every certificate in a PEM bundle.
pub(crate) fn parse_pem_certificates(pem: &[u8]) -> Result<Vec<Certificate<'static>>, Error> {
    let certs = ureq::tls::parse_pem(pem).filter_map(|item| match item {
        Ok(PemItem::Certificate(cert)) => Some(Ok(cert)),
        Ok(_) => None,
        Err(e) => Some(Err(e)),
    });
    root_certificates(certs.collect::<Result<Vec<_>, _>>())
}

/// The HTTP exchange of the blocking client.
#[derive(Debug, Clone)]
pub(crate) struct UreqTransport {
    agent: Agent,
    default_timeout: Duration,
}

impl UreqTransport {
    /// An agent for `config`, trusting its roots (Mozilla's, or the system's with the
    /// `native-roots` feature) plus `extra_roots`, through the proxy the core's rule picks
    /// for the API's base URL (a `CONNECT` tunnel, for `https://` and `http://` alike).
    pub(crate) fn new(
        config: &Config,
        extra_roots: &[Certificate<'static>],
    ) -> Result<Self, Error> {
        let roots = match config.tls_roots() {
            TlsRoots::Bundled if extra_roots.is_empty() => RootCerts::WebPki,
            TlsRoots::Bundled => webpki_root_certs::TLS_SERVER_ROOT_CERTS
                .iter()
                .map(|der| Certificate::from_der(der.as_ref()).to_owned())
                .chain(extra_roots.iter().cloned())
                .into(),
            _ => native_roots()?
                .iter()
                .map(|der| Certificate::from_der(der.as_ref()).to_owned())
                .chain(extra_roots.iter().cloned())
                .into(),
        };
        let proxy = match config.api_base().parse::<http::Uri>() {
            Ok(base) => config
                .proxy()
                .proxy_for(&base)
                .map(ureq_proxy)
                .transpose()?,
            Err(_) => None,
        };
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .root_certs(roots)
            .build();
        let agent = Agent::config_builder()
            .http_status_as_error(false)
            // A redirect could carry the API key to another host: answers are taken as they are.
            .max_redirects(0)
            .max_redirects_will_error(false)
            // ureq keeps 3 idle connections per host by default: a server with many threads
            // calling Molam would reconnect (TCP + TLS) on most calls. All go to one host.
            .max_idle_connections(64)
            .max_idle_connections_per_host(64)
            .timeout_connect(Some(config.connect_timeout()))
            .timeout_send_request(Some(config.timeout()))
            .timeout_send_body(Some(config.timeout()))
            .timeout_recv_response(Some(config.timeout()))
            .timeout_recv_body(Some(config.timeout()))
            .tls_config(tls)
            // Only the core's rule: ureq would otherwise read the environment by its own.
            .proxy(proxy)
            .build()
            .new_agent();
        Ok(UreqTransport {
            agent,
            default_timeout: config.timeout(),
        })
    }

    /// Sends one request and reads the whole response. `timeout` bounds each phase of the
    /// attempt — sending the request, waiting for the response head, reading the body — so a
    /// server that stalls in any of them fails the attempt with a timeout. (ureq's whole-call
    /// timer would bound their sum, but costs ~50 µs a request on loopback: more than the
    /// whole SDK; a Molam request is sent at once and its body is a few KiB, so in practice
    /// the wait for the response is the attempt.)
    pub(crate) fn send(
        &self,
        request: http::Request<Vec<u8>>,
        timeout: Duration,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let request = if timeout == self.default_timeout {
            request
        } else {
            self.agent
                .configure_request(request)
                .timeout_send_request(Some(timeout))
                .timeout_send_body(Some(timeout))
                .timeout_recv_response(Some(timeout))
                .timeout_recv_body(Some(timeout))
                .build()
        };
        let response = self.agent.run(request).map_err(map_error)?;
        let (parts, mut body) = response.into_parts();
        let bytes = body
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(map_error)?;
        Ok(http::Response::from_parts(parts, bytes))
    }
}

/// The core's proxy as ureq's: HTTP `CONNECT`, the target resolved by the proxy.
fn ureq_proxy(proxy: &Proxy) -> Result<ureq::Proxy, Error> {
    let mut builder = ureq::Proxy::builder(ProxyProtocol::Http)
        .host(proxy.host())
        .port(proxy.port())
        .resolve_target(false);
    if let Some(credentials) = proxy.credentials() {
        builder = builder
            .username(credentials.user())
            .password(credentials.expose_password());
    }
    builder.build().map_err(|_| {
        Error::InvalidConfig(ConfigError::InvalidValue {
            name: "proxy",
            reason: format!("ureq cannot use the proxy {proxy}"),
        })
    })
}

/// The operating system's root certificates (`native-roots` feature).
#[cfg(feature = "native-roots")]
fn native_roots() -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, Error> {
    let found = rustls_native_certs::load_native_certs();
    if found.certs.is_empty() {
        return Err(Error::InvalidConfig(ConfigError::InvalidValue {
            name: "tls_roots",
            reason: format!(
                "no usable certificate in the system's store ({} errors)",
                found.errors.len()
            ),
        }));
    }
    Ok(found.certs)
}

#[cfg(not(feature = "native-roots"))]
fn native_roots() -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, Error> {
    Err(Error::InvalidConfig(ConfigError::InvalidValue {
        name: "tls_roots",
        reason: "the system's roots need molam-blocking's native-roots feature".to_owned(),
    }))
}

/// Maps a ureq error to where the exchange failed. Before sending: DNS, refused or
/// unreachable connections, TLS, connect timeouts. A reset or EOF is after-send: the request
/// may have been written (ureq does not say), and only the idempotency key makes a retry safe.
pub(crate) fn map_error(error: ureq::Error) -> TransportError {
    use ureq::Timeout;
    let message = error.to_string();
    match error {
        ureq::Error::Timeout(Timeout::Resolve | Timeout::Connect) => {
            TransportError::connect(message)
        }
        ureq::Error::Timeout(_) => TransportError::timeout(message),
        ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::BadUri(_)
        | ureq::Error::Tls(_)
        | ureq::Error::Pem(_)
        | ureq::Error::InvalidProxyUrl
        | ureq::Error::ConnectProxyFailed(_) => TransportError::connect(message),
        ureq::Error::Rustls(tls) if is_handshake(&tls) => TransportError::connect(message),
        ureq::Error::Io(io) if is_connect_io(&io) => TransportError::connect(message),
        ureq::Error::Io(io) if io.kind() == io::ErrorKind::TimedOut => {
            TransportError::timeout(message)
        }
        _ => TransportError::after_send(message),
    }
}

/// Refused or unreachable, or a TLS handshake that failed (ureq reports those as I/O errors
/// wrapping rustls' error): nothing was sent.
fn is_connect_io(error: &io::Error) -> bool {
    use io::ErrorKind::*;
    let tls = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>());
    tls.is_some_and(is_handshake)
        || matches!(
            error.kind(),
            ConnectionRefused | AddrNotAvailable | AddrInUse | NetworkUnreachable | HostUnreachable
        )
}

/// rustls errors that only a handshake raises: the server was not (or could not be) trusted.
fn is_handshake(error: &rustls::Error) -> bool {
    use rustls::Error::*;
    matches!(
        error,
        InvalidCertificate(_)
            | NoCertificatesPresented
            | PeerIncompatible(_)
            | UnsupportedNameType
            | InappropriateHandshakeMessage { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use molam_core::error::TransportErrorKind;

    #[test]
    fn refused_and_dns_failures_are_before_send() {
        let refused = ureq::Error::Io(io::Error::from(io::ErrorKind::ConnectionRefused));
        assert_eq!(map_error(refused).kind, TransportErrorKind::Connect);
        assert_eq!(
            map_error(ureq::Error::HostNotFound).kind,
            TransportErrorKind::Connect
        );
        let connect = ureq::Error::Timeout(ureq::Timeout::Connect);
        assert_eq!(map_error(connect).kind, TransportErrorKind::Connect);
    }

    #[test]
    fn an_untrusted_certificate_is_before_send() {
        let untrusted = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let wrapped = io::Error::new(io::ErrorKind::InvalidData, untrusted.clone());
        assert_eq!(
            map_error(ureq::Error::Io(wrapped)).kind,
            TransportErrorKind::Connect
        );
        assert_eq!(
            map_error(ureq::Error::Rustls(untrusted)).kind,
            TransportErrorKind::Connect
        );
    }

    #[test]
    fn resets_are_after_send_and_timeouts_are_timeouts() {
        let reset = ureq::Error::Io(io::Error::from(io::ErrorKind::ConnectionReset));
        assert_eq!(map_error(reset).kind, TransportErrorKind::AfterSend);
        let eof = ureq::Error::Io(io::Error::from(io::ErrorKind::UnexpectedEof));
        assert_eq!(map_error(eof).kind, TransportErrorKind::AfterSend);
        let global = ureq::Error::Timeout(ureq::Timeout::Global);
        assert_eq!(map_error(global).kind, TransportErrorKind::Timeout);
    }
}
