//! The endpoint over real HTTP: every answer of the table in `WebhookEndpoint`'s docs.

mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::routing::post;
use axum::Router;
use molam_axum::{
    AsyncSecretResolver, ResolveError, ResolveFuture, StaticSecrets, VerifiedEvent,
    WebhookEndpoint, DEFAULT_MAX_BODY_BYTES,
};
use molam_core::inbox::{
    AsyncWebhookInbox, EntryState, InMemoryWebhookInbox, InboxError, InboxFuture, ReceivedEvent,
    Recorded,
};
use molam_core::resources::EventType;
use molam_core::webhook::{sign, sign_header, signature_header, WebhookSecret};
use support::{deliver, send_raw, serve, VECTOR_BODY, VECTOR_HEADER, VECTOR_SECRET, VECTOR_T};

const PATH: &str = "/webhooks/molam";

/// An endpoint for the vector's secret on a clock pinned at `now`, and its inbox.
fn vector_endpoint(now: i64) -> (WebhookEndpoint, Arc<InMemoryWebhookInbox>) {
    let inbox = Arc::new(InMemoryWebhookInbox::new());
    let secrets = StaticSecrets::new(vec![WebhookSecret::new(VECTOR_SECRET)]);
    let endpoint = WebhookEndpoint::new(secrets, inbox.clone()).with_clock(move || now);
    (endpoint, inbox)
}

async fn serve_vector(now: i64) -> (std::net::SocketAddr, Arc<InMemoryWebhookInbox>) {
    let (endpoint, inbox) = vector_endpoint(now);
    (serve(endpoint.router(PATH)).await, inbox)
}

fn error_code(body: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(body).expect("JSON error body");
    value["error"]["code"]
        .as_str()
        .expect("error.code")
        .to_owned()
}

#[tokio::test]
async fn the_api_vector_is_recorded_and_answered_200() {
    let (addr, inbox) = serve_vector(VECTOR_T).await;
    let answer = deliver(addr, PATH, Some(VECTOR_HEADER), VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.body,
        r#"{"duplicate":false,"event_id":"evt_1NtestVector","received":true}"#
    );
    let recorded = inbox.events();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].event_id, "evt_1NtestVector");
    assert_eq!(recorded[0].event_type, "payment_intent.succeeded");
    assert_eq!(recorded[0].tenant, "");
    assert_eq!(recorded[0].payload, VECTOR_BODY.as_bytes());
    assert_eq!(recorded[0].signature_header.as_deref(), Some(VECTOR_HEADER));
    assert_eq!(recorded[0].received_at_unix, VECTOR_T);
}

#[tokio::test]
async fn the_api_vector_verifies_at_the_far_edge_of_the_tolerance() {
    let (addr, inbox) = serve_vector(VECTOR_T + 300).await;
    let answer = deliver(addr, PATH, Some(VECTOR_HEADER), VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(inbox.len(), 1);
}

#[tokio::test]
async fn each_malformed_header_is_400_and_records_nothing() {
    let (addr, inbox) = serve_vector(VECTOR_T).await;
    let v1 = "56de17192f06dfb1c65a35b71701c6502f91b2a94dc0bff68a82c2a3c6232b73";
    let too_many_items = format!("t=1700000000,v1={v1}{}", ",x=1".repeat(16));
    let cases = [
        "t=1700000000,v1=".to_owned(),
        "t=1700000000,v1=56de".to_owned(),
        format!("v1={v1}"),
        format!("t=abc,v1={v1}"),
        format!("t=1700000000,t=1700000000,v1={v1}"),
        format!("t=1700000000,v1={}", v1.to_uppercase()),
        "t=1700000000".to_owned(),
        String::new(),
        too_many_items,
        format!("t=1700000000,kid=bad kid,v1={v1}"),
    ];
    for header in &cases {
        let answer = deliver(addr, PATH, Some(header), VECTOR_BODY.as_bytes()).await;
        assert_eq!(answer.status, 400, "header {header:?}: {}", answer.body);
        assert_eq!(error_code(&answer.body), "signature_header_malformed");
    }
    assert!(inbox.is_empty());
}

#[tokio::test]
async fn a_missing_signature_header_is_400() {
    let (addr, inbox) = serve_vector(VECTOR_T).await;
    let answer = deliver(addr, PATH, None, VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 400);
    assert_eq!(error_code(&answer.body), "signature_header_missing");
    assert!(inbox.is_empty());
}

#[tokio::test]
async fn two_signature_headers_are_400() {
    let (addr, inbox) = serve_vector(VECTOR_T).await;
    let head = vec![
        "Content-Type: application/json".to_owned(),
        format!("Content-Length: {}", VECTOR_BODY.len()),
        format!("Molam-Signature: {VECTOR_HEADER}"),
        format!("Molam-Signature: {VECTOR_HEADER}"),
    ];
    let answer = send_raw(addr, PATH, &head, VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 400);
    assert_eq!(error_code(&answer.body), "signature_header_duplicated");
    assert!(inbox.is_empty());
}

#[tokio::test]
async fn a_signature_with_one_digit_changed_is_401() {
    let (addr, inbox) = serve_vector(VECTOR_T).await;
    let forged = VECTOR_HEADER.replace("56de1719", "56de1718");
    let answer = deliver(addr, PATH, Some(&forged), VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 401);
    assert_eq!(error_code(&answer.body), "signature_mismatch");
    assert!(inbox.is_empty());
}

#[tokio::test]
async fn a_changed_body_is_401() {
    let (addr, inbox) = serve_vector(VECTOR_T).await;
    let body = VECTOR_BODY.replace("2500", "2501");
    let answer = deliver(addr, PATH, Some(VECTOR_HEADER), body.as_bytes()).await;
    assert_eq!(answer.status, 401);
    assert!(inbox.is_empty());
}

#[tokio::test]
async fn a_stale_timestamp_is_401() {
    let (addr, inbox) = serve_vector(VECTOR_T + 301).await;
    let answer = deliver(addr, PATH, Some(VECTOR_HEADER), VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 401);
    assert_eq!(error_code(&answer.body), "timestamp_outside_tolerance");
    assert!(inbox.is_empty());
}

#[tokio::test]
async fn a_timestamp_from_the_future_is_401() {
    let (addr, inbox) = serve_vector(VECTOR_T - 301).await;
    let answer = deliver(addr, PATH, Some(VECTOR_HEADER), VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 401);
    assert_eq!(error_code(&answer.body), "timestamp_outside_tolerance");
    assert!(inbox.is_empty());
}

#[tokio::test]
async fn the_tolerance_is_configurable() {
    let (endpoint, inbox) = vector_endpoint(VECTOR_T + 60);
    let addr = serve(
        endpoint
            .with_tolerance(Duration::from_secs(30))
            .router(PATH),
    )
    .await;
    let answer = deliver(addr, PATH, Some(VECTOR_HEADER), VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 401);
    assert!(inbox.is_empty());
}

#[tokio::test]
async fn a_delivery_signed_with_another_secret_is_401_and_never_echoes_a_secret() {
    let (addr, inbox) = serve_vector(VECTOR_T).await;
    let wrong = WebhookSecret::new("whsec_someone_else_entirely");
    let header = sign_header(&wrong, VECTOR_T, VECTOR_BODY.as_bytes());
    let answer = deliver(addr, PATH, Some(&header), VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 401);
    assert_eq!(error_code(&answer.body), "signature_mismatch");
    assert!(!answer.body.contains("whsec_"), "{}", answer.body);
    let expected_mac = sign(VECTOR_SECRET, VECTOR_T, VECTOR_BODY.as_bytes());
    assert!(!answer.body.contains(&expected_mac));
    assert!(inbox.is_empty());
}

/// Secrets during a rotation: the old one under `k2023`, the new one under `k2024`.
fn rotating_endpoint() -> (WebhookEndpoint, Arc<InMemoryWebhookInbox>) {
    let inbox = Arc::new(InMemoryWebhookInbox::new());
    let secrets = StaticSecrets::new(vec![
        WebhookSecret::new("whsec_old_0000000000").with_kid("k2023"),
        WebhookSecret::new("whsec_new_1111111111").with_kid("k2024"),
    ]);
    let endpoint = WebhookEndpoint::new(secrets, inbox.clone()).with_clock(|| VECTOR_T);
    (endpoint, inbox)
}

#[tokio::test]
async fn a_rotated_secret_is_chosen_by_kid() {
    let (endpoint, inbox) = rotating_endpoint();
    let addr = serve(endpoint.router(PATH)).await;
    let new = WebhookSecret::new("whsec_new_1111111111").with_kid("k2024");
    let old = WebhookSecret::new("whsec_old_0000000000").with_kid("k2023");
    let body_a = br#"{"id":"evt_a","type":"payout.paid"}"#;
    let body_b = br#"{"id":"evt_b","type":"payout.paid"}"#;
    let a = deliver(
        addr,
        PATH,
        Some(&sign_header(&new, VECTOR_T, body_a)),
        body_a,
    )
    .await;
    let b = deliver(
        addr,
        PATH,
        Some(&sign_header(&old, VECTOR_T, body_b)),
        body_b,
    )
    .await;
    assert_eq!((a.status, b.status), (200, 200), "{} / {}", a.body, b.body);
    assert_eq!(inbox.len(), 2);
}

#[tokio::test]
async fn the_old_secret_under_the_new_kid_is_401() {
    let (endpoint, inbox) = rotating_endpoint();
    let addr = serve(endpoint.router(PATH)).await;
    let mislabelled = WebhookSecret::new("whsec_old_0000000000").with_kid("k2024");
    let body = br#"{"id":"evt_a","type":"payout.paid"}"#;
    let answer = deliver(
        addr,
        PATH,
        Some(&sign_header(&mislabelled, VECTOR_T, body)),
        body,
    )
    .await;
    assert_eq!(answer.status, 401);
    assert_eq!(error_code(&answer.body), "signature_mismatch");
    assert!(inbox.is_empty());
}

#[tokio::test]
async fn an_unknown_kid_is_401() {
    let (endpoint, inbox) = rotating_endpoint();
    let addr = serve(endpoint.router(PATH)).await;
    let unknown = WebhookSecret::new("whsec_new_1111111111").with_kid("k2099");
    let body = br#"{"id":"evt_a","type":"payout.paid"}"#;
    let answer = deliver(
        addr,
        PATH,
        Some(&sign_header(&unknown, VECTOR_T, body)),
        body,
    )
    .await;
    assert_eq!(answer.status, 401);
    assert_eq!(error_code(&answer.body), "unknown_key_id");
    assert!(inbox.is_empty());
}

#[tokio::test]
async fn a_duplicate_delivery_is_200_both_times_and_recorded_once() {
    let (addr, inbox) = serve_vector(VECTOR_T).await;
    let first = deliver(addr, PATH, Some(VECTOR_HEADER), VECTOR_BODY.as_bytes()).await;
    let second = deliver(addr, PATH, Some(VECTOR_HEADER), VECTOR_BODY.as_bytes()).await;
    assert_eq!((first.status, second.status), (200, 200));
    assert!(first.body.contains(r#""duplicate":false"#));
    assert!(second.body.contains(r#""duplicate":true"#));
    assert_eq!(inbox.len(), 1);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let (endpoint, inbox) = vector_endpoint(VECTOR_T);
    let limit = VECTOR_BODY.len() - 1;
    let addr = serve(endpoint.with_max_body_bytes(limit).router(PATH)).await;
    let answer = deliver(addr, PATH, Some(VECTOR_HEADER), VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 413);
    assert_eq!(error_code(&answer.body), "body_too_large");
    assert!(inbox.is_empty());
}

#[tokio::test]
async fn a_body_exactly_at_the_limit_is_accepted() {
    let (endpoint, inbox) = vector_endpoint(VECTOR_T);
    let addr = serve(endpoint.with_max_body_bytes(VECTOR_BODY.len()).router(PATH)).await;
    let answer = deliver(addr, PATH, Some(VECTOR_HEADER), VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 200);
    assert_eq!(inbox.len(), 1);
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_413() {
    let (endpoint, inbox) = vector_endpoint(VECTOR_T);
    let addr = serve(endpoint.with_max_body_bytes(100).router(PATH)).await;
    // No Content-Length: the limit is enforced while reading.
    let mut chunked = Vec::new();
    for chunk in VECTOR_BODY.as_bytes().chunks(60) {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let head = vec![
        "Content-Type: application/json".to_owned(),
        "Transfer-Encoding: chunked".to_owned(),
        format!("Molam-Signature: {VECTOR_HEADER}"),
    ];
    let answer = send_raw(addr, PATH, &head, &chunked).await;
    assert_eq!(answer.status, 413);
    assert!(inbox.is_empty());
}

#[tokio::test]
async fn the_default_limit_is_one_mebibyte_checked_before_reading() {
    assert_eq!(DEFAULT_MAX_BODY_BYTES, 1024 * 1024);
    let (addr, inbox) = serve_vector(VECTOR_T).await;
    // Announce one byte more than 1 MiB and send none of it: the answer comes from the head.
    let head = vec![
        "Content-Type: application/json".to_owned(),
        format!("Content-Length: {}", 1024 * 1024 + 1),
        format!("Molam-Signature: {VECTOR_HEADER}"),
    ];
    let answer = send_raw(addr, PATH, &head, b"").await;
    assert_eq!(answer.status, 413);
    assert!(inbox.is_empty());
}

#[tokio::test]
async fn a_non_json_content_type_is_415() {
    let (addr, inbox) = serve_vector(VECTOR_T).await;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut head = vec![
            format!("Content-Length: {}", VECTOR_BODY.len()),
            format!("Molam-Signature: {VECTOR_HEADER}"),
        ];
        if let Some(content_type) = content_type {
            head.push(format!("Content-Type: {content_type}"));
        }
        let answer = send_raw(addr, PATH, &head, VECTOR_BODY.as_bytes()).await;
        assert_eq!(answer.status, 415, "{content_type:?}");
        assert_eq!(error_code(&answer.body), "content_type_unsupported");
    }
    assert!(inbox.is_empty());
}

#[tokio::test]
async fn json_with_a_charset_parameter_is_accepted() {
    let (addr, inbox) = serve_vector(VECTOR_T).await;
    let head = vec![
        "Content-Type: Application/JSON; charset=utf-8".to_owned(),
        format!("Content-Length: {}", VECTOR_BODY.len()),
        format!("Molam-Signature: {VECTOR_HEADER}"),
    ];
    let answer = send_raw(addr, PATH, &head, VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(inbox.len(), 1);
}

#[tokio::test]
async fn an_authentic_body_without_an_event_id_is_400() {
    let (addr, inbox) = serve_vector(VECTOR_T).await;
    let secret = WebhookSecret::new(VECTOR_SECRET);
    for body in [
        &br#"{"object":"event","type":"payout.paid"}"#[..],
        br#"{"id":"","type":"payout.paid"}"#,
        br#"{"id":42,"type":"payout.paid"}"#,
        b"not json",
    ] {
        let header = sign_header(&secret, VECTOR_T, body);
        let answer = deliver(addr, PATH, Some(&header), body).await;
        assert_eq!(answer.status, 400, "{}", String::from_utf8_lossy(body));
        assert_eq!(error_code(&answer.body), "event_malformed");
    }
    assert!(inbox.is_empty());
}

/// An inbox that fails while `down` is set, and otherwise records in memory.
struct FlakyInbox {
    down: AtomicBool,
    inner: InMemoryWebhookInbox,
}

impl AsyncWebhookInbox for FlakyInbox {
    fn record<'a>(&'a self, event: &'a ReceivedEvent) -> InboxFuture<'a, Recorded> {
        if self.down.load(Ordering::SeqCst) {
            Box::pin(async { Err(InboxError::new("connection to db.internal:5432 refused")) })
        } else {
            self.inner.record(event)
        }
    }
}

#[tokio::test]
async fn a_failing_inbox_is_503_and_nothing_reaches_the_handler() {
    let inbox = Arc::new(FlakyInbox {
        down: AtomicBool::new(true),
        inner: InMemoryWebhookInbox::new(),
    });
    let handled = Arc::new(AtomicUsize::new(0));
    let endpoint = WebhookEndpoint::new(
        StaticSecrets::new(vec![WebhookSecret::new(VECTOR_SECRET)]),
        inbox.clone(),
    )
    .with_clock(|| VECTOR_T);
    let counter = handled.clone();
    let app = Router::new()
        .route(
            PATH,
            post(move |_delivery: VerifiedEvent| async move {
                counter.fetch_add(1, Ordering::SeqCst);
                "handled"
            }),
        )
        .with_state(endpoint);
    let addr = serve(app).await;

    let answer = deliver(addr, PATH, Some(VECTOR_HEADER), VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 503);
    assert_eq!(error_code(&answer.body), "inbox_unavailable");
    // The store's own text (a host name) stays in the logs.
    assert!(!answer.body.contains("db.internal"), "{}", answer.body);
    assert_eq!(handled.load(Ordering::SeqCst), 0);
    assert!(inbox.inner.is_empty());
    assert_eq!(inbox.inner.count(EntryState::Succeeded), 0);

    // Molam delivers again once the store is back: recorded once, handled once.
    inbox.down.store(false, Ordering::SeqCst);
    let retry = deliver(addr, PATH, Some(VECTOR_HEADER), VECTOR_BODY.as_bytes()).await;
    assert_eq!((retry.status, retry.body.as_str()), (200, "handled"));
    assert_eq!(handled.load(Ordering::SeqCst), 1);
    assert_eq!(inbox.inner.len(), 1);
}

#[tokio::test]
async fn a_failing_inbox_behind_the_router_is_503() {
    let inbox = Arc::new(FlakyInbox {
        down: AtomicBool::new(true),
        inner: InMemoryWebhookInbox::new(),
    });
    let endpoint = WebhookEndpoint::new(
        StaticSecrets::new(vec![WebhookSecret::new(VECTOR_SECRET)]),
        inbox.clone(),
    )
    .with_clock(|| VECTOR_T);
    let addr = serve(endpoint.router(PATH)).await;
    let answer = deliver(addr, PATH, Some(VECTOR_HEADER), VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 503);
    assert!(inbox.inner.is_empty());
    assert_eq!(inbox.inner.claim_batch(10), vec![]);
}

/// Per-tenant secrets, as a database would hold them; `down` makes the lookup fail.
struct TenantSecrets {
    down: AtomicBool,
    lookups: AtomicUsize,
}

impl AsyncSecretResolver for TenantSecrets {
    fn resolve<'a>(&'a self, tenant: &'a str, kid: Option<&'a str>) -> ResolveFuture<'a> {
        Box::pin(async move {
            self.lookups.fetch_add(1, Ordering::SeqCst);
            if self.down.load(Ordering::SeqCst) {
                return Err(ResolveError::new("pool exhausted"));
            }
            let secrets = match tenant {
                "acme" => vec![WebhookSecret::new("whsec_acme_secret_0001").with_kid("a1")],
                "globex" => vec![WebhookSecret::new("whsec_globex_secret_01")],
                _ => vec![],
            };
            Ok(molam_core::webhook::SecretResolver::resolve(&secrets, kid))
        })
    }
}

#[tokio::test]
async fn a_tenant_router_verifies_with_that_tenants_secrets_and_records_under_it() {
    let inbox = Arc::new(InMemoryWebhookInbox::new());
    let resolver = Arc::new(TenantSecrets {
        down: AtomicBool::new(false),
        lookups: AtomicUsize::new(0),
    });
    let endpoint = WebhookEndpoint::new(resolver.clone(), inbox.clone()).with_clock(|| VECTOR_T);
    let addr = serve(endpoint.tenant_router("/webhooks/{tenant}")).await;
    let acme = WebhookSecret::new("whsec_acme_secret_0001").with_kid("a1");
    let body = br#"{"id":"evt_1","type":"refund.created"}"#;
    let header = sign_header(&acme, VECTOR_T, body);

    let ok = deliver(addr, "/webhooks/acme", Some(&header), body).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let wrong_tenant = deliver(addr, "/webhooks/globex", Some(&header), body).await;
    assert_eq!(wrong_tenant.status, 401);
    let unknown_tenant = deliver(addr, "/webhooks/initech", Some(&header), body).await;
    assert_eq!(unknown_tenant.status, 401);
    assert_eq!(error_code(&unknown_tenant.body), "unknown_key_id");

    assert_eq!(inbox.state("acme", "evt_1"), Some(EntryState::Pending));
    assert_eq!(inbox.len(), 1);
}

#[tokio::test]
async fn an_event_the_inbox_rule_refuses_is_answered_422_with_why_never_503() {
    let inbox = Arc::new(InMemoryWebhookInbox::new());
    let endpoint = WebhookEndpoint::new(
        StaticSecrets::new(vec![WebhookSecret::new(VECTOR_SECRET)]),
        inbox.clone(),
    )
    .with_clock(|| VECTOR_T);
    let addr = serve(endpoint.tenant_router("/webhooks/{tenant}")).await;
    let body = br#"{"id":"evt_1","type":"refund.created"}"#;
    let header = sign_header(&WebhookSecret::new(VECTOR_SECRET), VECTOR_T, body);
    // A tenant holding NUL (from the route) is refused by the core's rule, in every inbox.
    let answer = deliver(addr, "/webhooks/a%00b", Some(&header), body).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(error_code(&answer.body), "event_refused");
    assert!(answer.body.contains("NUL"), "{}", answer.body);
    assert!(inbox.is_empty());
}

#[tokio::test]
async fn a_failing_secret_lookup_is_503_and_a_stale_delivery_costs_no_lookup() {
    let inbox = Arc::new(InMemoryWebhookInbox::new());
    let resolver = Arc::new(TenantSecrets {
        down: AtomicBool::new(true),
        lookups: AtomicUsize::new(0),
    });
    let endpoint = WebhookEndpoint::new(resolver.clone(), inbox.clone()).with_clock(|| VECTOR_T);
    let addr = serve(endpoint.tenant_router("/webhooks/{tenant}")).await;
    let body = br#"{"id":"evt_1","type":"refund.created"}"#;
    let secret = WebhookSecret::new("whsec_globex_secret_01");

    let stale = sign_header(&secret, VECTOR_T - 3600, body);
    let answer = deliver(addr, "/webhooks/globex", Some(&stale), body).await;
    assert_eq!(answer.status, 401);
    assert_eq!(resolver.lookups.load(Ordering::SeqCst), 0);

    let fresh = sign_header(&secret, VECTOR_T, body);
    let answer = deliver(addr, "/webhooks/globex", Some(&fresh), body).await;
    assert_eq!(answer.status, 503);
    assert_eq!(error_code(&answer.body), "secrets_unavailable");
    assert!(!answer.body.contains("pool exhausted"));
    assert_eq!(resolver.lookups.load(Ordering::SeqCst), 1);
    assert!(inbox.is_empty());
}

#[tokio::test]
async fn verified_event_gives_the_handler_the_typed_event_after_recording() {
    let (endpoint, inbox) = vector_endpoint(VECTOR_T);
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let recorder = inbox.clone();
    let app = Router::new()
        .route(
            PATH,
            post(move |delivery: VerifiedEvent| async move {
                // Recorded before the handler runs.
                let state = recorder.state("", &delivery.event.id);
                log.lock().expect("test lock").push((
                    delivery.event.id.clone(),
                    delivery.event.event_type.clone(),
                    delivery.is_duplicate(),
                    state,
                ));
                "ok"
            }),
        )
        .with_state(endpoint);
    let addr = serve(app).await;

    for _ in 0..2 {
        let answer = deliver(addr, PATH, Some(VECTOR_HEADER), VECTOR_BODY.as_bytes()).await;
        assert_eq!((answer.status, answer.body.as_str()), (200, "ok"));
    }
    let forged = VECTOR_HEADER.replace("56de1719", "56de1718");
    let answer = deliver(addr, PATH, Some(&forged), VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 401);

    let seen = seen.lock().expect("test lock").clone();
    let expected = |duplicate| {
        (
            "evt_1NtestVector".to_owned(),
            EventType::PaymentIntentSucceeded,
            duplicate,
            Some(EntryState::Pending),
        )
    };
    assert_eq!(seen, vec![expected(false), expected(true)]);
    assert_eq!(inbox.len(), 1);
}

#[tokio::test]
async fn verified_event_refuses_an_authentic_body_that_is_not_an_event() {
    let (endpoint, inbox) = vector_endpoint(VECTOR_T);
    let handled = Arc::new(AtomicUsize::new(0));
    let counter = handled.clone();
    let app = Router::new()
        .route(
            PATH,
            post(move |_delivery: VerifiedEvent| async move {
                counter.fetch_add(1, Ordering::SeqCst);
                "ok"
            }),
        )
        .with_state(endpoint);
    let addr = serve(app).await;
    // Has an id and a type, but a `data` that is not an object: not an event, refused
    // before recording, by the endpoint and the extractor alike.
    let body = br#"{"id":"evt_2","type":"payout.paid","data":"x"}"#;
    let header = sign_header(&WebhookSecret::new(VECTOR_SECRET), VECTOR_T, body);
    let answer = deliver(addr, PATH, Some(&header), body).await;
    assert_eq!(answer.status, 400);
    assert_eq!(handled.load(Ordering::SeqCst), 0);
    assert!(inbox.is_empty());
}

#[tokio::test]
async fn a_header_with_several_signatures_verifies_when_one_matches() {
    let (addr, inbox) = serve_vector(VECTOR_T).await;
    let good = sign(VECTOR_SECRET, VECTOR_T, VECTOR_BODY.as_bytes());
    let header = signature_header(VECTOR_T, None, &["0".repeat(64), good]);
    let answer = deliver(addr, PATH, Some(&header), VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(inbox.len(), 1);
}

#[tokio::test]
async fn an_endpoint_from_a_client_config_uses_its_secrets_and_tolerance() {
    let config = molam_core::config::Config::builder()
        .api_key("sk_test_0123456789abcdef")
        .webhook_secrets([
            WebhookSecret::new("whsec_other_000000").with_kid("k0"),
            WebhookSecret::new(VECTOR_SECRET),
        ])
        .webhook_tolerance(Duration::from_secs(10))
        .build()
        .expect("config");
    let inbox = Arc::new(InMemoryWebhookInbox::new());
    let fresh = WebhookEndpoint::from_config(&config, inbox.clone()).with_clock(|| VECTOR_T + 10);
    let stale = WebhookEndpoint::from_config(&config, inbox.clone()).with_clock(|| VECTOR_T + 11);
    let fresh_addr = serve(fresh.router(PATH)).await;
    let stale_addr = serve(stale.router(PATH)).await;
    let late = deliver(
        stale_addr,
        PATH,
        Some(VECTOR_HEADER),
        VECTOR_BODY.as_bytes(),
    )
    .await;
    assert_eq!(late.status, 401);
    let ok = deliver(
        fresh_addr,
        PATH,
        Some(VECTOR_HEADER),
        VECTOR_BODY.as_bytes(),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(inbox.len(), 1);
}

#[tokio::test]
async fn an_empty_secret_is_never_used_and_the_delivery_is_503() {
    // A lookup that yields an empty secret would accept what anyone signs with an empty key:
    // the core refuses to use it, and the endpoint answers as for secrets it cannot reach.
    let inbox = Arc::new(InMemoryWebhookInbox::new());
    let secrets = StaticSecrets::new(vec![WebhookSecret::new("")]);
    let endpoint = WebhookEndpoint::new(secrets, inbox.clone()).with_clock(move || VECTOR_T);
    let addr = serve(endpoint.router(PATH)).await;
    let forged = sign_header(&WebhookSecret::new(""), VECTOR_T, VECTOR_BODY.as_bytes());
    let answer = deliver(addr, PATH, Some(&forged), VECTOR_BODY.as_bytes()).await;
    assert_eq!(answer.status, 503);
    assert_eq!(error_code(&answer.body), "secret_unusable");
    assert!(inbox.is_empty());
}
