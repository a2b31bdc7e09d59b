//! No secret ever shows in `Debug`, `Display` or an error of the public API (DESIGN.md,
//! "What must never happen"). Checked from outside the crate, as a user would print things.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use molam_core::config::{ApiKey, Config};
use molam_core::resources::PaymentIntent;
use molam_core::webhook::WebhookSecret;
use molam_core::ConfigError;

const API_KEY: &str = "sk_live_5ecretKeyMaterial0123456789";
const WEBHOOK_SECRET: &str = "whsec_5ecretWebhookMaterial0123";
const CLIENT_SECRET: &str = "pi_1_secret_5ecretClientMaterial";

/// The part of each secret that must never be printed.
const NEVER_SHOWN: [&str; 3] = [
    "5ecretKeyMaterial",
    "5ecretWebhookMaterial",
    "5ecretClientMaterial",
];

#[track_caller]
fn assert_clean(text: &str) {
    for secret in NEVER_SHOWN {
        assert!(!text.contains(secret), "{secret} leaked in: {text}");
    }
}

#[test]
fn config_debug_shows_no_secret() {
    let config = Config::builder()
        .api_key(API_KEY)
        .webhook_secret(WebhookSecret::new(WEBHOOK_SECRET).with_kid("k1"))
        .build()
        .unwrap();
    assert_clean(&format!("{config:?}"));
    assert_clean(&format!("{config:#?}"));
    assert_clean(&format!("{:?}", config.api_key()));
    assert_clean(&config.api_key().to_string());
    assert_eq!(config.api_key().expose_secret(), API_KEY);
}

#[test]
fn config_builder_debug_shows_no_secret() {
    let builder = Config::builder()
        .api_key(API_KEY)
        .webhook_secret(WebhookSecret::new(WEBHOOK_SECRET));
    assert_clean(&format!("{builder:?}"));
}

#[test]
fn config_from_lookup_errors_show_no_secret() {
    let lookup = |name: &str| match name {
        "MOLAM_API_KEY" => Some(format!("{API_KEY} trailing")),
        "MOLAM_WEBHOOK_SECRET" => Some(format!("bad kid!:{WEBHOOK_SECRET}")),
        "MOLAM_API_BASE" => Some(format!("https://user:{API_KEY}@api.molam.com")),
        _ => None,
    };
    let error = Config::from_lookup(lookup).unwrap_err();
    assert_clean(&error.to_string());
    assert_clean(&format!("{error:?}"));
    let bad_key = ApiKey::new(format!("{API_KEY} ")).unwrap_err();
    assert_eq!(bad_key, ConfigError::InvalidApiKey);
    assert_clean(&bad_key.to_string());
}

#[test]
fn base_url_with_a_password_is_refused_without_echoing_it() {
    let error = Config::builder()
        .api_key("sk_test_x")
        .api_base(format!("https://merchant:{API_KEY}@api.molam.com"))
        .build()
        .unwrap_err();
    assert!(matches!(error, ConfigError::InvalidBaseUrl(_)));
    assert_clean(&error.to_string());
    assert_clean(&format!("{error:?}"));
}

#[test]
fn payment_intent_debug_masks_the_client_secret() {
    let body = format!(
        r#"{{"id":"pi_1","amount":1,"currency":"XOF","status":"requires_action","client_secret":"{CLIENT_SECRET}"}}"#
    );
    let intent: PaymentIntent = serde_json::from_str(&body).unwrap();
    assert_clean(&format!("{intent:?}"));
    assert_clean(&format!("{intent:#?}"));
    let secret = intent.client_secret.as_ref().unwrap();
    assert_eq!(secret.expose_secret(), CLIENT_SECRET);
}
