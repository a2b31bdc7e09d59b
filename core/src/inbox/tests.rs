use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use super::*;

/// The in-memory inbox's futures are ready at once: one poll drives them.
fn ready<F: Future>(future: F) -> F::Output {
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    let waker = Waker::from(Arc::new(Noop));
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(&waker)) {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("the in-memory inbox never waits"),
    }
}

fn event(tenant: &str, id: &str) -> ReceivedEvent {
    ReceivedEvent {
        tenant: tenant.to_owned(),
        event_id: id.to_owned(),
        event_type: "payment_intent.succeeded".to_owned(),
        payload: format!(r#"{{"id":"{id}"}}"#).into_bytes(),
        signature_header: Some("t=1700000000,v1=00".to_owned()),
        received_at_unix: 1_700_000_000,
    }
}

#[test]
fn first_record_is_new_and_second_is_duplicate() {
    let inbox = InMemoryWebhookInbox::new();
    assert_eq!(ready(inbox.record(&event("", "evt_1"))), Ok(Recorded::New));
    assert_eq!(
        ready(inbox.record(&event("", "evt_1"))),
        Ok(Recorded::Duplicate)
    );
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox.state("", "evt_1"), Some(EntryState::Pending));
}

#[test]
fn a_duplicate_keeps_the_first_payload() {
    let inbox = InMemoryWebhookInbox::new();
    let first = event("", "evt_1");
    let mut second = first.clone();
    second.payload = b"{}".to_vec();
    assert_eq!(inbox.record_now(&first), Ok(Recorded::New));
    assert_eq!(inbox.record_now(&second), Ok(Recorded::Duplicate));
    assert_eq!(inbox.events(), vec![first]);
}

#[test]
fn the_same_event_id_in_two_tenants_is_two_events() {
    let inbox = InMemoryWebhookInbox::new();
    assert_eq!(inbox.record_now(&event("t1", "evt_1")), Ok(Recorded::New));
    assert_eq!(inbox.record_now(&event("t2", "evt_1")), Ok(Recorded::New));
    assert_eq!(inbox.len(), 2);
}

#[test]
fn claims_hand_out_oldest_first_and_each_event_once() {
    let inbox = InMemoryWebhookInbox::new();
    for id in ["evt_a", "evt_c", "evt_b"] {
        assert_eq!(inbox.record_now(&event("", id)), Ok(Recorded::New));
    }
    let first: Vec<String> = inbox
        .claim_batch(2)
        .into_iter()
        .map(|e| e.event.event_id)
        .collect();
    assert_eq!(first, ["evt_a", "evt_c"]);
    let second = inbox.claim_batch(10);
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].event.event_id, "evt_b");
    assert_eq!(second[0].attempt, 1);
    assert!(inbox.claim_batch(10).is_empty());
    assert_eq!(inbox.count(EntryState::Processing), 3);
}

#[test]
fn succeed_settles_a_claimed_event_once() {
    let inbox = InMemoryWebhookInbox::new();
    assert_eq!(inbox.record_now(&event("", "evt_1")), Ok(Recorded::New));
    let claimed = inbox.claim_batch(1);
    assert!(inbox.succeed(&claimed[0]));
    assert!(!inbox.succeed(&claimed[0]));
    assert_eq!(inbox.state("", "evt_1"), Some(EntryState::Succeeded));
    assert!(inbox.claim_batch(1).is_empty());
}

#[test]
fn an_unclaimed_event_cannot_be_settled() {
    let inbox = InMemoryWebhookInbox::new();
    assert_eq!(inbox.record_now(&event("", "evt_1")), Ok(Recorded::New));
    let forged = InboxEntry {
        event: event("", "evt_1"),
        attempt: 1,
    };
    assert!(!inbox.succeed(&forged));
    assert_eq!(inbox.fail(&forged, "boom"), None);
    assert_eq!(inbox.state("", "evt_1"), Some(EntryState::Pending));
}

#[test]
fn a_failed_event_is_claimed_again_with_the_next_attempt() {
    let inbox = InMemoryWebhookInbox::new();
    assert_eq!(inbox.record_now(&event("", "evt_1")), Ok(Recorded::New));
    let first = inbox.claim_batch(1);
    assert_eq!(
        inbox.fail(&first[0], "handler timed out"),
        Some(EntryState::Pending)
    );
    assert_eq!(
        inbox.last_error("", "evt_1").as_deref(),
        Some("handler timed out")
    );
    let second = inbox.claim_batch(1);
    assert_eq!(second[0].attempt, 2);
    // The first attempt's entry is stale now: it settles nothing.
    assert!(!inbox.succeed(&first[0]));
    assert!(inbox.succeed(&second[0]));
    assert_eq!(inbox.last_error("", "evt_1"), None);
}

#[test]
fn the_last_allowed_failure_dead_letters_the_event() {
    let inbox = InMemoryWebhookInbox::with_max_attempts(2);
    assert_eq!(inbox.record_now(&event("", "evt_1")), Ok(Recorded::New));
    let first = inbox.claim_batch(1);
    assert_eq!(inbox.fail(&first[0], "e1"), Some(EntryState::Pending));
    let second = inbox.claim_batch(1);
    assert_eq!(inbox.fail(&second[0], "e2"), Some(EntryState::Dead));
    assert!(inbox.claim_batch(1).is_empty());
    assert_eq!(inbox.count(EntryState::Dead), 1);
}

#[test]
fn an_arc_of_an_inbox_is_an_inbox() {
    let inbox = Arc::new(InMemoryWebhookInbox::new());
    let port: Arc<dyn AsyncWebhookInbox> = inbox.clone();
    assert_eq!(ready(port.record(&event("", "evt_1"))), Ok(Recorded::New));
    assert_eq!(inbox.len(), 1);
}

#[test]
fn inbox_error_keeps_its_message() {
    let error = InboxError::new("pool timed out");
    assert_eq!(error.message(), "pool timed out");
    assert_eq!(error.to_string(), "webhook inbox failed: pool timed out");
}

#[test]
fn ids_with_nul_and_of_10_000_characters_are_recorded_once_and_handled_once() {
    let inbox = InMemoryWebhookInbox::new();
    let mut with_nul = event("", "evt_\u{0}nul");
    with_nul.event_type = "payout.\u{0}paid".to_owned();
    let long = event("", &"x".repeat(10_000));
    for e in [&with_nul, &long] {
        assert_eq!(ready(inbox.record(e)), Ok(Recorded::New));
        assert_eq!(ready(inbox.record(e)), Ok(Recorded::Duplicate));
    }
    let claimed = inbox.claim_batch(10);
    assert_eq!(claimed.len(), 2);
    assert_eq!(claimed[0].event, with_nul, "stored byte for byte");
    assert_eq!(claimed[1].event.event_id.chars().count(), 10_000);
    assert!(claimed.iter().all(|c| inbox.succeed(c)));
    assert!(inbox.claim_batch(10).is_empty());
}

#[test]
fn the_inbox_rule_refuses_an_empty_id_and_a_tenant_with_nul_as_refusals() {
    let inbox = InMemoryWebhookInbox::new();
    let error = ready(inbox.record(&event("", ""))).expect_err("empty id");
    assert_eq!(error.refusal(), Some(&Refusal::EmptyEventId));
    assert_eq!(
        error.to_string(),
        "webhook inbox refused the event: the event id is empty"
    );
    let error = ready(inbox.record(&event("a\u{0}b", "evt_1"))).expect_err("NUL tenant");
    assert_eq!(error.refusal(), Some(&Refusal::TenantWithNul));
    assert!(inbox.is_empty());
    assert_eq!(InboxError::new("pool timed out").refusal(), None);
}
