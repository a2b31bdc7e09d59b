//! HTTPS to the mock's self-signed certificate: trusted when its PEM is added, refused
//! without it; plain `http://` to a non-loopback host is refused before any connection.

use molam_core::error::TransportErrorKind;
use molam_core::{ConfigError, Error};
use molam_e2e::Harness;

use crate::{params, CREATE};

/// The innermost failure is a connect-time (TLS handshake) transport error.
fn assert_untrusted(error: &Error) {
    let last = match error {
        Error::RetriesExhausted { last, .. } => last.as_ref(),
        other => other,
    };
    match last {
        Error::Transport(t) => assert_eq!(t.kind, TransportErrorKind::Connect, "{t}"),
        other => panic!("expected a TLS failure, got {other:?}"),
    }
}

#[test]
fn blocking_trusts_the_mock_certificate_only_when_added() {
    let mock = Harness::start_tls();
    assert!(mock.base_url().starts_with("https://"));
    let config = mock.config().build().expect("config");
    let trusted = molam_blocking::Client::builder(config.clone())
        .add_root_certificate_pem(mock.certificate_pem().as_bytes())
        .build()
        .expect("client");
    let pi = trusted
        .payment_intents()
        .create(&params())
        .expect("over TLS");
    assert_eq!(pi.amount, 2500);
    let untrusted = molam_blocking::Client::new(config).expect("client");
    assert_untrusted(
        &untrusted
            .payment_intents()
            .create(&params())
            .expect_err("untrusted"),
    );
    assert_eq!(
        mock.requests_to(CREATE),
        1,
        "no request went over the untrusted connection"
    );
}

#[tokio::test]
async fn tokio_trusts_the_mock_certificate_only_when_added() {
    let mock = Harness::start_tls();
    let config = mock.config().build().expect("config");
    let trusted = molam_tokio::Client::builder(config.clone())
        .add_root_certificate_pem(mock.certificate_pem().as_bytes())
        .build()
        .expect("client");
    let pi = trusted
        .payment_intents()
        .create(&params())
        .await
        .expect("over TLS");
    assert_eq!(pi.amount, 2500);
    let untrusted = molam_tokio::Client::new(config).expect("client");
    let error = untrusted
        .payment_intents()
        .create(&params())
        .await
        .expect_err("untrusted");
    assert_untrusted(&error);
    assert_eq!(mock.requests_to(CREATE), 1);
}

#[test]
fn plain_http_to_a_remote_host_is_refused_before_any_connection() {
    for base in [
        "http://api.molam.com",
        "http://10.0.0.1:8080",
        "http://localhost.evil.com",
    ] {
        let error = molam_core::config::Config::builder()
            .api_key(molam_e2e::API_KEY)
            .api_base(base)
            .allow_insecure_http(true)
            .build()
            .expect_err("insecure");
        assert!(
            matches!(error, ConfigError::InsecureRemoteHttp(_)),
            "{base}: {error:?}"
        );
        let from_env = molam_core::config::Config::from_lookup(|name| match name {
            "MOLAM_API_KEY" => Some(molam_e2e::API_KEY.to_owned()),
            "MOLAM_API_BASE" => Some(base.to_owned()),
            "MOLAM_ALLOW_INSECURE_HTTP" => Some("1".to_owned()),
            _ => None,
        });
        assert!(
            matches!(from_env, Err(ConfigError::InsecureRemoteHttp(_))),
            "{base}"
        );
    }
}
