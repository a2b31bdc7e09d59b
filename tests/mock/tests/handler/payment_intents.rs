use molam_core::resources::{PaymentIntent, PaymentIntentStatus};
use serde_json::json;

use crate::support::{Api, T0};

#[test]
fn created_without_payment_method_requires_one() {
    let mut api = Api::new();
    let r = api.post(
        "/v1/connect/payment_intents",
        json!({"amount": 2500, "currency": "xof", "description": "Order 12", "metadata": {"order": "12"}, "customer": "cus_1"}),
    );
    assert_eq!(r.status, 200);
    let pi: PaymentIntent = r.typed();
    assert!(pi.id.starts_with("pi_"));
    assert_eq!(pi.status, PaymentIntentStatus::RequiresPaymentMethod);
    assert_eq!((pi.amount, pi.currency.as_str()), (2500, "XOF"));
    assert_eq!(pi.created, T0);
    assert_eq!(pi.metadata.get("order"), Some("12"));
    assert_eq!(pi.description.as_deref(), Some("Order 12"));
    assert_eq!(pi.customer.as_deref(), Some("cus_1"));
    assert!(!pi.livemode);
    assert_eq!(r.json["object"], "payment_intent");
    assert_eq!(
        r.json["client_secret"]
            .as_str()
            .unwrap()
            .split("_secret_")
            .next(),
        Some(pi.id.as_str())
    );
    assert_eq!(r.json["latest_charge"], json!(null));
}

#[test]
fn created_with_payment_method_requires_confirmation() {
    let mut api = Api::new();
    let r = api.post(
        "/v1/connect/payment_intents",
        json!({"amount": 100, "currency": "USD", "payment_method": "pm_card_visa"}),
    );
    assert_eq!(r.json["status"], "requires_confirmation");
    assert_eq!(r.json["payment_method"], "pm_card_visa");
}

#[test]
fn retrieve_returns_the_same_object() {
    let mut api = Api::new();
    let created = api.post(
        "/v1/connect/payment_intents",
        json!({"amount": 100, "currency": "XOF"}),
    );
    let got = api.get(&format!("/v1/connect/payment_intents/{}", created.id()));
    assert_eq!(got.status, 200);
    assert_eq!(got.json, created.json);
}

#[test]
fn confirm_with_card_visa_succeeds_with_a_charge() {
    let mut api = Api::new();
    let id = api.create_intent(json!({"amount": 2500, "currency": "XOF"}));
    let r = api.post(
        &format!("/v1/connect/payment_intents/{id}/confirm"),
        json!({"payment_method": "pm_card_visa", "return_url": "https://shop.example/done"}),
    );
    assert_eq!(r.status, 200);
    let pi: PaymentIntent = r.typed();
    assert_eq!(pi.status, PaymentIntentStatus::Succeeded);
    assert_eq!(pi.amount_received, 2500);
    assert!(pi
        .latest_charge
        .as_deref()
        .is_some_and(|c| c.starts_with("ch_")));
}

#[test]
fn confirm_uses_the_attached_payment_method() {
    let mut api = Api::new();
    let id = api.create_intent(
        json!({"amount": 2500, "currency": "XOF", "payment_method": "pm_momo_success"}),
    );
    let r = api.post(
        &format!("/v1/connect/payment_intents/{id}/confirm"),
        json!({}),
    );
    assert_eq!(r.json["status"], "succeeded");
    assert_eq!(r.json["payment_method"], "pm_momo_success");
}

#[test]
fn confirm_without_any_payment_method_is_400_naming_it() {
    let mut api = Api::new();
    let id = api.create_intent(json!({"amount": 2500, "currency": "XOF"}));
    let r = api.post(
        &format!("/v1/connect/payment_intents/{id}/confirm"),
        json!({}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.error(), ("invalid_request_error", "parameter_missing"));
    assert_eq!(r.param(), "payment_method");
}

#[test]
fn declined_card_is_402_and_back_to_requires_payment_method() {
    let mut api = Api::new();
    let id = api.create_intent(json!({"amount": 2500, "currency": "XOF"}));
    let r = api.post(
        &format!("/v1/connect/payment_intents/{id}/confirm"),
        json!({"payment_method": "pm_card_declined"}),
    );
    assert_eq!(r.status, 402);
    assert_eq!(r.error(), ("payment_error", "card_declined"));
    assert_eq!(r.json["error"]["decline_code"], "generic_decline");
    let pi = api.get(&format!("/v1/connect/payment_intents/{id}"));
    assert_eq!(pi.json["status"], "requires_payment_method");
    assert_eq!(pi.json["payment_method"], serde_json::Value::Null);
    assert_eq!(pi.json["last_payment_error"]["code"], "card_declined");
    assert_eq!(pi.json["last_payment_error"]["type"], "payment_error");
    let typed: PaymentIntent = pi.typed();
    assert!(typed.last_payment_error.is_some());
}

#[test]
fn insufficient_funds_is_402_insufficient_funds() {
    let mut api = Api::new();
    let id = api.create_intent(json!({"amount": 2500, "currency": "XOF"}));
    let r = api.post(
        &format!("/v1/connect/payment_intents/{id}/confirm"),
        json!({"payment_method": "pm_card_insufficient_funds"}),
    );
    assert_eq!(
        (r.status, r.error()),
        (402, ("payment_error", "insufficient_funds"))
    );
}

#[test]
fn mobile_money_timeout_is_402_mobile_money_timeout() {
    let mut api = Api::new();
    let id = api.create_intent(json!({"amount": 2500, "currency": "XOF"}));
    let r = api.post(
        &format!("/v1/connect/payment_intents/{id}/confirm"),
        json!({"payment_method": "pm_momo_timeout"}),
    );
    assert_eq!(
        (r.status, r.error()),
        (402, ("payment_error", "mobile_money_timeout"))
    );
}

#[test]
fn a_declined_intent_can_be_confirmed_again_with_another_method() {
    let mut api = Api::new();
    let id = api.create_intent(json!({"amount": 2500, "currency": "XOF"}));
    api.post(
        &format!("/v1/connect/payment_intents/{id}/confirm"),
        json!({"payment_method": "pm_card_declined"}),
    );
    let r = api.post(
        &format!("/v1/connect/payment_intents/{id}/confirm"),
        json!({"payment_method": "pm_card_visa"}),
    );
    assert_eq!(r.json["status"], "succeeded");
    assert_eq!(r.json["last_payment_error"], json!(null));
}

#[test]
fn three_ds_requires_action_then_succeeds_when_the_customer_completes_it() {
    let mut api = Api::new();
    let id = api
        .create_intent(json!({"amount": 2500, "currency": "XOF", "payment_method": "pm_card_3ds"}));
    let r = api.post(
        &format!("/v1/connect/payment_intents/{id}/confirm"),
        json!({}),
    );
    assert_eq!(r.json["status"], "requires_action");
    api.later(29);
    assert_eq!(
        api.get(&format!("/v1/connect/payment_intents/{id}")).json["status"],
        "requires_action"
    );
    api.later(1);
    let pi = api.get(&format!("/v1/connect/payment_intents/{id}"));
    assert_eq!(pi.json["status"], "succeeded");
    assert_eq!(pi.json["amount_received"], 2500);
}

#[test]
fn momo_pending_is_processing_until_advanced() {
    let mut api = Api::new();
    let id = api.create_intent(
        json!({"amount": 5000, "currency": "XOF", "payment_method": "pm_momo_pending"}),
    );
    let r = api.post(
        &format!("/v1/connect/payment_intents/{id}/confirm"),
        json!({}),
    );
    assert_eq!(r.json["status"], "processing");
    assert_eq!(r.json["amount_received"], 0);
    let advanced = api.control("POST", "/__mock/advance", json!({}));
    assert_eq!(advanced.status, 200);
    assert_eq!(advanced.json["pending_timers"], 0);
    let pi = api.get(&format!("/v1/connect/payment_intents/{id}"));
    assert_eq!(pi.json["status"], "succeeded");
    assert_eq!(pi.json["amount_received"], 5000);
}

#[test]
fn processing_settles_by_itself_after_ten_seconds() {
    let mut api = Api::new();
    let id = api.create_intent(
        json!({"amount": 5000, "currency": "XOF", "payment_method": "pm_momo_pending"}),
    );
    api.post(
        &format!("/v1/connect/payment_intents/{id}/confirm"),
        json!({}),
    );
    api.later(10);
    assert_eq!(
        api.get(&format!("/v1/connect/payment_intents/{id}")).json["status"],
        "succeeded"
    );
}

#[test]
fn cancel_works_in_every_non_final_state_with_a_reason() {
    let mut api = Api::new();
    for pm in [
        None,
        Some("pm_card_visa"),
        Some("pm_card_3ds"),
        Some("pm_momo_pending"),
    ] {
        let mut body = json!({"amount": 100, "currency": "XOF"});
        if let Some(pm) = pm {
            body["payment_method"] = json!(pm);
        }
        let id = api.create_intent(body);
        if matches!(pm, Some("pm_card_3ds" | "pm_momo_pending")) {
            api.post(
                &format!("/v1/connect/payment_intents/{id}/confirm"),
                json!({}),
            );
        }
        let r = api.post(
            &format!("/v1/connect/payment_intents/{id}/cancel"),
            json!({"cancellation_reason": "requested_by_customer"}),
        );
        assert_eq!(r.status, 200, "{pm:?}: {:?}", r.json);
        assert_eq!(r.json["status"], "canceled");
        assert_eq!(r.json["cancellation_reason"], "requested_by_customer");
    }
    // A canceled processing intent does not succeed later.
    api.control("POST", "/__mock/advance", json!({}));
    let listed = api.get("/v1/connect/payment_intents?status=succeeded");
    assert_eq!(listed.json["data"], json!([]));
}

#[test]
fn succeeded_and_canceled_intents_cannot_be_canceled_or_confirmed() {
    let mut api = Api::new();
    let (id, _) = api.paid_intent(100, "pm_card_visa");
    let r = api.post(
        &format!("/v1/connect/payment_intents/{id}/cancel"),
        json!({}),
    );
    assert_eq!(
        (r.status, r.error()),
        (
            400,
            ("invalid_request_error", "payment_intent_unexpected_state")
        )
    );
    let r = api.post(
        &format!("/v1/connect/payment_intents/{id}/confirm"),
        json!({}),
    );
    assert_eq!(r.error().1, "payment_intent_unexpected_state");
    let id = api.create_intent(json!({"amount": 100, "currency": "XOF"}));
    api.post(
        &format!("/v1/connect/payment_intents/{id}/cancel"),
        json!({}),
    );
    let r = api.post(
        &format!("/v1/connect/payment_intents/{id}/cancel"),
        json!({}),
    );
    assert_eq!(r.error().1, "payment_intent_unexpected_state");
}

#[test]
fn list_filters_by_status() {
    let mut api = Api::new();
    api.paid_intent(100, "pm_card_visa");
    api.create_intent(json!({"amount": 100, "currency": "XOF"}));
    let r = api.get("/v1/connect/payment_intents?status=succeeded");
    assert_eq!(r.json["object"], "list");
    assert_eq!(r.json["url"], "/v1/connect/payment_intents");
    assert_eq!(r.json["data"].as_array().unwrap().len(), 1);
    assert_eq!(r.json["data"][0]["status"], "succeeded");
    let list: molam_core::resources::List<PaymentIntent> =
        api.get("/v1/connect/payment_intents").typed();
    assert_eq!(list.data.len(), 2);
    let bad = api.get("/v1/connect/payment_intents?status=paid");
    assert_eq!((bad.status, bad.param()), (400, "status"));
}

#[test]
fn keys_scope_their_own_data() {
    let mut api = Api::new();
    let id = api.create_intent(json!({"amount": 100, "currency": "XOF"}));
    api.as_key("sk_test_bob");
    let r = api.get(&format!("/v1/connect/payment_intents/{id}"));
    assert_eq!(
        (r.status, r.error()),
        (404, ("invalid_request_error", "resource_missing"))
    );
    assert_eq!(
        api.get("/v1/connect/payment_intents").json["data"],
        json!([])
    );
}

#[test]
fn live_keys_get_livemode_objects() {
    let mut api = Api::new();
    api.as_key("sk_live_carol");
    let r = api.post(
        "/v1/connect/payment_intents",
        json!({"amount": 100, "currency": "XOF"}),
    );
    assert_eq!(r.json["livemode"], true);
}
