//! HTTPS for the mock: a self-signed certificate for `localhost` and `127.0.0.1`, made at
//! start, served with rustls on the `ring` provider (no aws-lc, no cmake).

use std::io;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// A freshly generated certificate and the acceptor that serves it.
pub(crate) struct SelfSigned {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) cert_pem: String,
    pub(crate) key_pem: String,
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// Generates a certificate valid for `localhost` and `127.0.0.1` and a TLS 1.2/1.3 acceptor.
pub(crate) fn self_signed() -> io::Result<SelfSigned> {
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names).map_err(other)?;
    let cert_der: CertificateDer<'static> = certified.cert.der().clone();
    let key_der =
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(other)?
        .with_no_client_auth()
        .with_single_cert(vec![cert_der], key_der)
        .map_err(other)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(SelfSigned {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        cert_pem: certified.cert.pem(),
        key_pem: certified.key_pair.serialize_pem(),
    })
}
