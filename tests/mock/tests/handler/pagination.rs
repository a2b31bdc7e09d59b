use std::collections::HashSet;

use molam_core::resources::{List, PaymentIntent};
use serde_json::json;

use crate::support::{Api, T0};

/// 250 intents, created five per second so that many share `created` (ties).
fn two_hundred_fifty() -> (Api, Vec<String>) {
    let mut api = Api::new();
    let mut ids = Vec::new();
    for i in 0..250 {
        if i % 5 == 0 && i > 0 {
            api.later(1);
        }
        ids.push(api.create_intent(json!({"amount": i + 1, "currency": "XOF"})));
    }
    (api, ids)
}

fn page(api: &Api, query: &str) -> List<PaymentIntent> {
    let r = api.get(&format!("/v1/connect/payment_intents?{query}"));
    assert_eq!(r.status, 200, "{:?}", r.json);
    r.typed()
}

#[test]
fn forward_pages_cover_all_250_newest_first_without_gaps_or_duplicates() {
    let (api, created) = two_hundred_fifty();
    let mut seen = Vec::new();
    let mut query = "limit=100".to_owned();
    let mut pages = 0;
    loop {
        let p = page(&api, &query);
        pages += 1;
        seen.extend(p.data.iter().map(|pi| pi.id.clone()));
        match p.next_starting_after() {
            Some(last) => query = format!("limit=100&starting_after={last}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();
    assert_eq!(seen, newest_first);
}

#[test]
fn backward_pages_with_ending_before_cover_all_250() {
    let (api, created) = two_hundred_fifty();
    let oldest = &created[0];
    let mut seen: Vec<String> = vec![oldest.clone()];
    let mut cursor = oldest.clone();
    loop {
        let p = page(&api, &format!("limit=7&ending_before={cursor}"));
        // Each page is newest first, just newer than the cursor.
        let mut ids: Vec<String> = p.data.iter().map(|pi| pi.id.clone()).collect();
        ids.reverse();
        seen.extend(ids.iter().cloned());
        if !p.has_more {
            break;
        }
        cursor = ids.last().unwrap().clone();
    }
    assert_eq!(seen, created);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 250);
}

#[test]
fn default_limit_is_ten_and_has_more_is_set() {
    let (api, created) = two_hundred_fifty();
    let p = page(&api, "");
    assert_eq!(p.data.len(), 10);
    assert!(p.has_more);
    assert_eq!(p.data[0].id, created[249]);
}

#[test]
fn created_bounds_filter_by_unix_seconds() {
    let (api, created) = two_hundred_fifty();
    let p = page(
        &api,
        &format!("limit=100&created_gte={}&created_lte={}", T0 + 2, T0 + 3),
    );
    let ids: Vec<&str> = p.data.iter().map(|pi| pi.id.as_str()).collect();
    let want: Vec<&str> = created[10..20].iter().rev().map(String::as_str).collect();
    assert_eq!(ids, want);
    assert!(!p.has_more);
}

#[test]
fn unknown_cursor_is_404_naming_the_parameter() {
    let (api, _) = two_hundred_fifty();
    let r = api.get("/v1/connect/payment_intents?starting_after=pi_nope");
    assert_eq!(
        (r.status, r.error().1, r.param()),
        (404, "resource_missing", "starting_after")
    );
}

#[test]
fn both_cursors_or_bad_limits_are_400() {
    let (api, created) = two_hundred_fifty();
    let r = api.get(&format!(
        "/v1/connect/payment_intents?starting_after={0}&ending_before={0}",
        created[3]
    ));
    assert_eq!((r.status, r.param()), (400, "ending_before"));
    for q in ["limit=0", "limit=101", "limit=ten", "created_gte=yesterday"] {
        assert_eq!(
            api.get(&format!("/v1/connect/payment_intents?{q}")).status,
            400,
            "{q}"
        );
    }
}
