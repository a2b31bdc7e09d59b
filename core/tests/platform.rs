//! Platform settings of the configuration as the client applies them: the connected account
//! (REFERENCE.md §6), the integration's app info in the `User-Agent` (REFERENCE.md §1), proxy
//! rules read from the environment, and the TLS roots choice.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use molam_core::account::AccountId;
use molam_core::call::{PreparedRequest, RequestOptions};
use molam_core::client::Client;
use molam_core::config::{AppInfo, Config, TlsRoots};
use molam_core::random::SeededRandom;
use molam_core::ConfigError;

const KEY: &str = "sk_test_0123456789abcdef";

fn from_vars(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(|name| vars.get(name).cloned())
}

fn first_request(config: Config, method: http::Method) -> http::Request<Vec<u8>> {
    let client = Client::new(config, "ureq", Arc::new(SeededRandom::new(1)));
    let request = PreparedRequest {
        method,
        path_and_query: "/v1/connect/payment_intents".into(),
        body: None,
    };
    let mut call = client.prepare::<serde_json::Value>(request, &RequestOptions::new());
    call.poll_request(Duration::ZERO).unwrap()
}

#[test]
fn a_declared_integration_ends_the_user_agent_as_the_reference_shows() {
    let app = AppInfo::new("molam-form-woo", "2.3.1")
        .unwrap()
        .with_url("https://example.com")
        .unwrap();
    let config = Config::builder()
        .api_key(KEY)
        .app_info(app)
        .build()
        .unwrap();
    let request = first_request(config, http::Method::GET);
    assert_eq!(
        request.headers()["user-agent"],
        format!(
            "molam-rust/{} (ureq; rust) molam-form-woo/2.3.1 (+https://example.com)",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn a_client_level_account_goes_on_every_request() {
    let account = AccountId::new("acct_merchant_a").unwrap();
    let config = Config::builder()
        .api_key(KEY)
        .account(account)
        .build()
        .unwrap();
    for method in [http::Method::GET, http::Method::POST] {
        let request = first_request(config.clone(), method.clone());
        assert_eq!(
            request.headers()["molam-account"],
            "acct_merchant_a",
            "{method}"
        );
    }
    let own = first_request(
        Config::builder().api_key(KEY).build().unwrap(),
        http::Method::GET,
    );
    assert!(own.headers().get("molam-account").is_none());
}

#[test]
fn molam_account_is_read_from_the_environment_and_checked() {
    let config = from_vars(&[("MOLAM_API_KEY", KEY), ("MOLAM_ACCOUNT", "acct_9")]).unwrap();
    assert_eq!(config.account().map(AccountId::as_str), Some("acct_9"));
    let error = from_vars(&[("MOLAM_API_KEY", KEY), ("MOLAM_ACCOUNT", "merchant_9")]).unwrap_err();
    assert!(error.to_string().contains("MOLAM_ACCOUNT"), "{error}");
}

#[test]
fn proxies_are_read_from_the_environment_through_the_same_lookup() {
    let config = from_vars(&[
        ("MOLAM_API_KEY", KEY),
        ("HTTPS_PROXY", "http://proxy.corp:3128"),
        ("no_proxy", "internal.example"),
    ])
    .unwrap();
    let via = |url: &str| {
        config
            .proxy()
            .proxy_for(&url.parse().unwrap())
            .map(|p| p.authority())
    };
    assert_eq!(
        via("https://api.molam.com/v1/events").as_deref(),
        Some("proxy.corp:3128")
    );
    assert_eq!(via("https://pay.internal.example/"), None);
    assert_eq!(via("http://127.0.0.1:12111/"), None, "no HTTP_PROXY set");
}

#[test]
fn a_bad_proxy_url_names_its_variable_and_never_shows_the_password() {
    let error = from_vars(&[
        ("MOLAM_API_KEY", KEY),
        ("HTTP_PROXY", "socks5://me:sup3rsecretpw@p:1080"),
    ])
    .unwrap_err();
    let text = error.to_string();
    assert!(text.contains("HTTP_PROXY"), "{text}");
    assert!(!text.contains("sup3rsecretpw"), "{text}");
}

#[test]
fn the_proxy_password_never_shows_in_the_config_or_the_client() {
    let config = from_vars(&[
        ("MOLAM_API_KEY", KEY),
        ("HTTPS_PROXY", "http://me:sup3rsecretpw@proxy.corp:3128"),
    ])
    .unwrap();
    let client = Client::new(config.clone(), "ureq", Arc::new(SeededRandom::new(1)));
    for text in [format!("{config:?}"), format!("{client:?}")] {
        assert!(!text.contains("sup3rsecretpw"), "{text}");
        assert!(text.contains("proxy.corp:3128"), "{text}");
    }
}

#[test]
fn bundled_roots_are_the_default_and_native_ones_are_chosen_in_the_config() {
    let config = Config::builder().api_key(KEY).build().unwrap();
    assert_eq!(config.tls_roots(), TlsRoots::Bundled);
    let config = Config::builder()
        .api_key(KEY)
        .tls_roots(TlsRoots::Native)
        .build()
        .unwrap();
    assert_eq!(config.tls_roots(), TlsRoots::Native);
}

#[test]
fn every_resource_keeps_the_fields_it_does_not_know_and_writes_them_back() {
    use molam_core::resources::{Event, EventObject, PaymentIntent, Payout, Refund, Resource};
    use serde_json::json;
    let extra = json!({"risk": {"score": 3}, "new_flag": true});
    let with_extra = |mut object: serde_json::Value| {
        for (k, v) in extra.as_object().unwrap() {
            object[k] = v.clone();
        }
        object
    };
    let pi = with_extra(
        json!({"id": "pi_1", "object": "payment_intent", "amount": 2500,
        "currency": "XOF", "status": "succeeded"}),
    );
    let refund = with_extra(json!({"id": "re_1", "object": "refund", "amount": 100,
        "currency": "XOF", "charge": "ch_1", "payment_intent": "pi_1", "status": "succeeded"}));
    let payout = with_extra(json!({"id": "po_1", "object": "payout", "amount": 100,
        "currency": "XOF", "status": "pending", "method": "mobile_money", "destination": "+221"}));
    let event = with_extra(
        json!({"id": "evt_1", "object": "event", "type": "payment_intent.succeeded",
        "data": {"object": pi.clone()}}),
    );

    let typed: PaymentIntent = serde_json::from_value(pi.clone()).unwrap();
    assert_eq!(serde_json::Value::Object(typed.extra().clone()), extra);
    assert_eq!(serde_json::to_value(&typed).unwrap()["risk"], extra["risk"]);
    let typed: Refund = serde_json::from_value(refund).unwrap();
    assert_eq!(serde_json::Value::Object(typed.extra().clone()), extra);
    let typed: Payout = serde_json::from_value(payout).unwrap();
    assert_eq!(serde_json::Value::Object(typed.extra().clone()), extra);
    let typed: Event = serde_json::from_value(event).unwrap();
    assert_eq!(serde_json::Value::Object(typed.extra().clone()), extra);
    let EventObject::PaymentIntent(inner) = &typed.data.object else {
        panic!(
            "a payment intent with extra fields is still typed: {:?}",
            typed.data.object
        )
    };
    assert_eq!(inner.extra()["new_flag"], true);
}

#[test]
fn objects_and_events_of_a_connected_account_say_which() {
    use molam_core::resources::{Event, EventObject, PaymentIntent, Resource};
    let event: Event = serde_json::from_str(
        r#"{"id":"evt_1","object":"event","type":"payment_intent.created","account":"acct_a",
            "data":{"object":{"id":"pi_1","object":"payment_intent","amount":1,"currency":"XOF",
            "status":"requires_payment_method","account":"acct_a"}}}"#,
    )
    .unwrap();
    assert_eq!(event.account().map(AccountId::as_str), Some("acct_a"));
    let EventObject::PaymentIntent(pi) = &event.data.object else {
        panic!("typed")
    };
    assert_eq!(pi.account().map(AccountId::as_str), Some("acct_a"));
    assert!(
        pi.extra().is_empty(),
        "account is a known field: {:?}",
        pi.extra()
    );

    let own: PaymentIntent = serde_json::from_str(
        r#"{"id":"pi_2","object":"payment_intent","amount":1,"currency":"XOF","status":"succeeded"}"#,
    )
    .unwrap();
    assert_eq!(own.account(), None);
    assert_eq!(serde_json::to_value(&own).unwrap().get("account"), None);
    let odd: PaymentIntent = serde_json::from_str(
        r#"{"id":"pi_3","object":"payment_intent","amount":1,"currency":"XOF","status":"succeeded","account":"not an id"}"#,
    )
    .unwrap();
    assert_eq!(
        odd.account(),
        None,
        "an odd account id does not lose the object"
    );
}

fn client(config: Config) -> Client {
    Client::new(config, "ureq", Arc::new(SeededRandom::new(1)))
}

fn post(client: &Client, options: &RequestOptions) -> molam_core::call::Call<serde_json::Value> {
    let request = PreparedRequest {
        method: http::Method::POST,
        path_and_query: "/v1/connect/payment_intents".into(),
        body: Some(br#"{"amount":2500,"currency":"XOF"}"#.to_vec()),
    };
    client.prepare(request, options)
}

#[test]
fn a_per_request_account_and_api_key_replace_the_clients() {
    let config = Config::builder()
        .api_key(KEY)
        .account(AccountId::new("acct_client").unwrap())
        .build()
        .unwrap();
    let client = client(config);
    let options = RequestOptions::new()
        .account(AccountId::new("acct_request").unwrap())
        .api_key("sk_test_merchant_key_987654321")
        .unwrap();
    let request = post(&client, &options)
        .poll_request(Duration::ZERO)
        .unwrap();
    assert_eq!(request.headers()["molam-account"], "acct_request");
    let auth = &request.headers()["authorization"];
    assert_eq!(auth, "Bearer sk_test_merchant_key_987654321");
    assert!(auth.is_sensitive());
    assert!(!format!("{options:?}").contains("987654321"));
    assert!(!format!("{request:?}").contains("987654321"));

    let plain = post(&client, &RequestOptions::new())
        .poll_request(Duration::ZERO)
        .unwrap();
    assert_eq!(plain.headers()["molam-account"], "acct_client");
    assert_eq!(plain.headers()["authorization"], format!("Bearer {KEY}"));
}

#[test]
fn the_durable_store_keeps_one_key_space_per_api_key_and_account() {
    use molam_core::exchange::{Action, Exchange};
    let client = client(Config::builder().api_key(KEY).build().unwrap());
    let scope_of = |options: RequestOptions| {
        let options = options.idempotency_key("order-1:create").unwrap();
        match Exchange::new(post(&client, &options), Some("shop")).poll(Duration::ZERO) {
            Action::Claim(claim) => claim.request(0).scope.to_owned(),
            other => panic!("a keyed POST with a store claims first: {other:?}"),
        }
    };
    let own = scope_of(RequestOptions::new());
    let a = scope_of(RequestOptions::new().account(AccountId::new("acct_a").unwrap()));
    let b = scope_of(RequestOptions::new().account(AccountId::new("acct_b").unwrap()));
    let other_key = scope_of(
        RequestOptions::new()
            .api_key("sk_test_other_0123456789")
            .unwrap(),
    );
    let same_key = scope_of(RequestOptions::new().api_key(KEY).unwrap());
    assert_eq!(own, "shop");
    assert_eq!(a, "shop/acct_a");
    assert_eq!(b, "shop/acct_b");
    assert_eq!(
        same_key, own,
        "the client's own key is the client's key space"
    );
    assert!(other_key.starts_with("shop/key:"), "{other_key}");
    assert!(
        !other_key.contains("0123456789"),
        "the key is never stored: {other_key}"
    );
}

#[test]
fn a_successful_answer_keeps_the_body_exactly_as_sent() {
    use molam_core::call::Step;
    let client = client(Config::builder().api_key(KEY).build().unwrap());
    let mut call = post(&client, &RequestOptions::new());
    let _request = call.poll_request(Duration::ZERO).unwrap();
    let body = br#"{"id":"pi_1","object":"payment_intent", "later_field" : {"x":1}}"#;
    let response = http::Response::builder()
        .status(200)
        .body(body.to_vec())
        .unwrap();
    let Step::Done(Ok(answer)) = call.handle(Ok(response), Duration::ZERO) else {
        panic!("a 200 is done")
    };
    assert_eq!(answer.raw_body(), body);
    assert_eq!(answer["later_field"]["x"], 1);
    let debug = format!("{:?}", answer.meta());
    assert!(
        debug.contains(&format!("RawBody({} bytes)", body.len())),
        "{debug}"
    );
}
