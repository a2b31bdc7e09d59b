//! Secret hygiene over random secret material: whatever the API key, webhook secret or
//! client secret, no `Debug` or `Display` of the configuration, the client, a built request,
//! a webhook secret, a payment intent, or any error variant the SDK produces shows it.
//!
//! "Shows it" is checked strictly: no run of 8 characters of the secret's random part may
//! appear (masking keeps a known prefix and at most the last four characters).

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::sync::Arc;
use std::time::Duration;

use molam_core::call::{PreparedRequest, RequestOptions, Step};
use molam_core::client::Client;
use molam_core::config::{ApiKey, Config};
use molam_core::error::{Error, TransportError};
use molam_core::random::SeededRandom;
use molam_core::resources::PaymentIntent;
use molam_core::webhook::{sign_header, verify, WebhookSecret, DEFAULT_TOLERANCE};
use proptest::prelude::*;

/// Fails if any 8-character window of `material` appears in `text`.
fn assert_hidden(material: &str, text: &str) -> Result<(), TestCaseError> {
    let chars: Vec<char> = material.chars().collect();
    for window in chars.windows(8) {
        let needle: String = window.iter().collect();
        prop_assert!(
            !text.contains(&needle),
            "{needle:?} of a secret shows in: {text}"
        );
    }
    Ok(())
}

fn shown(value: &(impl std::fmt::Debug + ?Sized)) -> String {
    format!("{value:?} {value:#?}")
}

fn shown_all(value: &(impl std::fmt::Debug + std::fmt::Display + ?Sized)) -> String {
    format!("{value} {value:?} {value:#?}")
}

/// Every error variant a call, a webhook or a configuration can produce, built while the
/// secrets are in play.
fn errors(api_key: &str, webhook: &WebhookSecret, client_secret: &str) -> Vec<Error> {
    let config = Config::builder()
        .api_key(api_key)
        .webhook_secret(webhook.clone())
        .build()
        .unwrap();
    let mut errors = Vec::new();
    // A fresh client per script, so that one script's failures do not open the breaker
    // for the next (which would then fail fast with CircuitOpen instead).
    let run = |outcomes: Vec<Result<http::Response<Vec<u8>>, TransportError>>| {
        let client = Client::new(config.clone(), "prop", Arc::new(SeededRandom::new(7)));
        let request = PreparedRequest {
            method: http::Method::POST,
            path_and_query: "/v1/connect/payment_intents".into(),
            body: Some(br#"{"amount":2500,"currency":"XOF"}"#.to_vec()),
        };
        let mut call = client.prepare::<PaymentIntent>(request, &RequestOptions::new());
        let mut now = Duration::ZERO;
        for outcome in outcomes {
            call.poll_request(now).unwrap();
            match call.handle(outcome, now) {
                Step::Done(Err(e)) => return e,
                Step::Done(Ok(_)) => panic!("the scripts here all fail"),
                Step::Retry { call: next, wait } => {
                    now += wait;
                    call = next;
                }
            }
        }
        panic!("script too short")
    };
    let response = |status: u16, body: &str| {
        Ok(http::Response::builder()
            .status(status)
            .header("x-request-id", "req_1")
            .body(body.as_bytes().to_vec())
            .unwrap())
    };
    errors.push(run(vec![response(
        402,
        r#"{"error":{"type":"payment_error","code":"card_declined","message":"Declined"}}"#,
    )]));
    errors.push(run(vec![response(502, "<html>bad gateway</html>"); 3]));
    errors.push(run(vec![
        Err(TransportError::connect("refused")),
        Err(TransportError::after_send("reset")),
        Err(TransportError::timeout("slow")),
    ]));
    errors.push(run(vec![response(200, "not json")]));
    // A 2xx intent that does not decode: its body, client secret included, is kept in part.
    let undecodable = format!(r#"{{"id":"pi_1","amount":"x","client_secret":"{client_secret}"}}"#);
    errors.push(run(vec![response(200, &undecodable)]));
    // Configuration errors with the secrets in the offending values.
    for builder in [
        Config::builder().api_key(format!("{api_key} ")),
        Config::builder()
            .api_key(api_key)
            .api_base(format!("https://u:{api_key}@x")),
        Config::builder()
            .api_key(api_key)
            .webhook_secret(WebhookSecret::new(format!("{} x", webhook.expose_secret()))),
        Config::builder()
            .api_key(api_key)
            .webhook_secret(WebhookSecret::new(webhook.expose_secret()).with_kid("bad kid!")),
    ] {
        errors.push(Error::from(builder.build().unwrap_err()));
    }
    // Every webhook rejection, computed with the secret.
    let body = br#"{"id":"evt_1"}"#;
    let good = sign_header(webhook, 1_700_000_000, body);
    let secrets = [webhook.clone()];
    for (header, now, body) in [
        ("t=1,v1=zz".to_owned(), 1_700_000_000, &body[..]),
        (good.clone(), 1_700_009_999, &body[..]),
        (good.clone(), 1_700_000_000, &b"{}"[..]),
    ] {
        errors.push(
            verify(&header, body, now, &secrets, DEFAULT_TOLERANCE)
                .unwrap_err()
                .into(),
        );
    }
    let none: [WebhookSecret; 0] = [];
    errors.push(
        verify(&good, body, 1_700_000_000, &none, DEFAULT_TOLERANCE)
            .unwrap_err()
            .into(),
    );
    errors
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn no_secret_shows_anywhere(
        key_kind in prop::sample::select(vec!["sk_test_", "sk_live_", "jwt_"]),
        key_material in "[A-Za-z0-9]{16,40}",
        webhook_material in "[A-Za-z0-9]{16,40}",
        kid in proptest::option::of("[A-Za-z0-9_-]{1,16}"),
        client_material in "[A-Za-z0-9]{16,40}",
    ) {
        let api_key = format!("{key_kind}{key_material}");
        let mut webhook = WebhookSecret::new(format!("whsec_{webhook_material}"));
        if let Some(kid) = kid {
            webhook = webhook.with_kid(kid);
        }
        let config = Config::builder()
            .api_key(&api_key)
            .webhook_secret(webhook.clone())
            .build()
            .unwrap();
        let client = Client::new(config.clone(), "prop", Arc::new(SeededRandom::new(1)));
        let mut call = client.prepare::<PaymentIntent>(
            PreparedRequest {
                method: http::Method::GET,
                path_and_query: "/v1/connect/payment_intents/pi_1".into(),
                body: None,
            },
            &RequestOptions::new(),
        );
        let request = call.poll_request(Duration::ZERO).unwrap();
        // The request does carry the key (the Authorization header), but never prints it.
        prop_assert_eq!(
            request.headers()["authorization"].to_str().unwrap(),
            format!("Bearer {api_key}")
        );
        let key = ApiKey::new(&api_key).unwrap();
        let pi: PaymentIntent = serde_json::from_value(serde_json::json!({
            "id": "pi_1", "object": "payment_intent", "amount": 2500, "currency": "XOF",
            "status": "requires_payment_method",
            "client_secret": format!("pi_1_secret_{client_material}"),
        }))
        .unwrap();

        let mut texts = vec![
            shown(&config),
            shown(&client),
            shown(&request),
            shown(&call),
            shown_all(&key),
            shown(&webhook),
            shown(&pi),
            shown(&pi.client_secret),
        ];
        let errors = errors(&api_key, &webhook, &format!("pi_1_secret_{client_material}"));
        // Every kind of error is in the list (so the check below cannot silently weaken).
        for (kind, present) in [
            ("api", errors.iter().any(|e| matches!(e, Error::Api(_)))),
            ("retries", errors.iter().any(|e| matches!(e, Error::RetriesExhausted { .. }))),
            ("decode", errors.iter().any(|e| matches!(e, Error::Decode(_)))),
            ("config", errors.iter().any(|e| matches!(e, Error::InvalidConfig(_)))),
            ("signature", errors.iter().any(|e| matches!(e, Error::Signature(_)))),
        ] {
            prop_assert!(present, "no {kind} error built");
        }
        texts.extend(errors.iter().map(shown_all));
        for text in &texts {
            assert_hidden(&key_material, text)?;
            assert_hidden(&webhook_material, text)?;
            assert_hidden(&client_material, text)?;
        }
    }
}

/// A payment intent that fails to decode (its `amount` is a string) keeps a body snippet for
/// debugging, without the intent's `client_secret`.
#[test]
fn a_payment_intent_that_fails_to_decode_does_not_show_its_client_secret() {
    let body = br#"{"id":"pi_1","object":"payment_intent","amount":"2500","currency":"XOF","status":"succeeded","client_secret":"pi_1_secret_5ecretClientMaterial"}"#;
    let response = http::Response::builder()
        .status(200)
        .body(body.to_vec())
        .unwrap();
    let error = molam_core::response::interpret::<PaymentIntent>(&response).unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected a decode error, got {error:?}");
    };
    assert!(
        decode.body_snippet.ends_with(r#""client_secret":"****"}"#),
        "{}",
        decode.body_snippet
    );
    let shown = format!("{error} {error:?} {error:#?}");
    assert!(!shown.contains("5ecretClientMaterial"), "{shown}");
}
