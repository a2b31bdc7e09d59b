//! A webhook delivery turned into an [`Event`]: find the `Molam-Signature` header, verify it
//! with the configured secrets (REFERENCE.md §5), and only then decode the body. What the shells'
//! `client.webhooks().verify(..)` calls, with the time they read from the system clock.
//!
//! No I/O, no clock: `now_unix` is handed in.

use http::header::HeaderMap;

use crate::config::Config;
use crate::error::Error;
use crate::resources::Event;
use crate::webhook::{self, SignatureError};

/// The name of the signature header.
pub const SIGNATURE_HEADER: &str = "molam-signature";

/// The `Molam-Signature` value of a delivery's headers: `None` when it is missing, repeated
/// (an ambiguous delivery is not guessed at) or not ASCII.
pub fn signature_header(headers: &HeaderMap) -> Option<&str> {
    let mut values = headers.get_all(SIGNATURE_HEADER).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    value.to_str().ok()
}

/// Verifies a delivery against `config`'s webhook secrets and tolerance at `now_unix`, then
/// decodes its body. A missing header is [`SignatureError::Malformed`]; a body that verifies
/// but is not an event is [`Error::InvalidEvent`].
///
/// ```
/// use molam_core::{config::Config, webhook::{sign_header, WebhookSecret}, webhook_event};
/// let secret = WebhookSecret::new("whsec_test_5f1c2a9e");
/// let config = Config::builder()
///     .api_key("sk_test_0123456789abcdef")
///     .webhook_secret(secret.clone())
///     .build()?;
/// let body = br#"{"id":"evt_1","object":"event","type":"payout.paid","data":{"object":{}}}"#;
/// let header = sign_header(&secret, 1_700_000_000, body);
/// let event = webhook_event::construct_event(&config, Some(&header), body, 1_700_000_010)?;
/// assert_eq!(event.id, "evt_1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn construct_event(
    config: &Config,
    header: Option<&str>,
    body: &[u8],
    now_unix: i64,
) -> Result<Event, Error> {
    let header = header
        .ok_or_else(|| SignatureError::Malformed("no single Molam-Signature header".to_owned()))?;
    webhook::verify(
        header,
        body,
        now_unix,
        config.webhook_secrets(),
        config.webhook_tolerance(),
    )?;
    serde_json::from_slice(body).map_err(|e| Error::InvalidEvent {
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::{sign_header, WebhookSecret};

    const BODY: &[u8] = br#"{"id":"evt_1NtestVector","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_3Ntest","object":"payment_intent","amount":2500,"currency":"XOF","status":"succeeded"}}}"#;
    const HEADER: &str =
        "t=1700000000,v1=56de17192f06dfb1c65a35b71701c6502f91b2a94dc0bff68a82c2a3c6232b73";

    fn config() -> Config {
        Config::builder()
            .api_key("sk_test_0123456789abcdef")
            .webhook_secret(WebhookSecret::new("whsec_test_5f1c2a9e"))
            .build()
            .expect("valid test config")
    }

    #[test]
    fn the_api_md_vector_verifies_into_its_event() {
        let event = construct_event(&config(), Some(HEADER), BODY, 1_700_000_300)
            .expect("the normative vector verifies");
        assert_eq!(event.id, "evt_1NtestVector");
    }

    #[test]
    fn a_stale_delivery_is_rejected_before_decoding() {
        let error =
            construct_event(&config(), Some(HEADER), BODY, 1_700_000_301).expect_err("301 s late");
        assert_eq!(
            error,
            Error::Signature(SignatureError::TimestampOutsideTolerance { age_seconds: 301 })
        );
    }

    #[test]
    fn a_missing_or_repeated_header_is_malformed() {
        let mut headers = HeaderMap::new();
        assert_eq!(signature_header(&headers), None);
        headers.append(SIGNATURE_HEADER, HEADER.parse().expect("ASCII"));
        assert_eq!(signature_header(&headers), Some(HEADER));
        headers.append(SIGNATURE_HEADER, HEADER.parse().expect("ASCII"));
        assert_eq!(signature_header(&headers), None);
        let error = construct_event(&config(), None, BODY, 1_700_000_000).expect_err("no header");
        assert!(matches!(
            error,
            Error::Signature(SignatureError::Malformed(_))
        ));
    }

    #[test]
    fn a_signed_body_that_is_not_an_event_is_an_invalid_event() {
        let secret = WebhookSecret::new("whsec_test_5f1c2a9e");
        let header = sign_header(&secret, 1_700_000_000, b"[]");
        let error = construct_event(&config(), Some(&header), b"[]", 1_700_000_000)
            .expect_err("not an event");
        assert!(matches!(error, Error::InvalidEvent { .. }), "{error:?}");
        assert_eq!(error.status(), None, "not an HTTP response");
    }
}
