//! The mock's dashboard, served by the mock itself at `/__mock/dashboard` on the API's port:
//! the request log, the objects by type in their current state, the events, every webhook
//! delivery with each attempt (status, latency, the start of the answer) and a button to
//! resend it, and the fault controls. The page (`page.html`, vanilla JavaScript inline, no
//! build step) polls `/__mock/dashboard/state` every second.
//!
//! Nothing secret reaches the page: API keys are masked (`sk_test_****6789`), payment
//! intents lose their `client_secret`, events and deliveries are shown without their bodies,
//! and the webhook signing secret is never included.

pub(crate) mod history;
pub(crate) mod journal;

use http::{header, HeaderValue, StatusCode};
use serde::Serialize;
use serde_json::{json, Value};

use crate::clock::MockTime;
use crate::params::is_object_id;
use crate::shared::Shared;
use crate::wire::{ApiError, Reply};

/// The page: HTML, CSS and JavaScript in one file, embedded in the binary.
const PAGE: &str = include_str!("page.html");
/// How many of each kind of thing the state carries (the newest).
const SHOWN: usize = 100;

/// `GET /__mock/dashboard`.
pub(crate) fn page() -> Reply {
    Reply {
        status: StatusCode::OK,
        body: PAGE.as_bytes().to_vec(),
        retry_after: None,
    }
}

/// The page's headers: HTML, and a policy that lets it load nothing from elsewhere.
pub(crate) fn page_headers(response: &mut http::Response<Vec<u8>>) {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
             connect-src 'self'; img-src data:",
        ),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// `sk_test_****6789`, or `acct_…` after a masked key for a connected account's scope.
fn masked_scope(scope: &str) -> String {
    let (key, account) = match scope.split_once(' ') {
        Some((key, account)) => (key, Some(account)),
        None => (scope, None),
    };
    let key = molam_core::ApiKey::new(key).map_or_else(|_| "****".to_owned(), |k| k.to_string());
    match account {
        Some(account) => format!("{key} {account}"),
        None => key,
    }
}

/// An object as the page shows it: its JSON without any `client_secret`, with its scope.
fn shown(object: &impl Serialize, scope: &str, account: Option<&str>) -> Value {
    let mut value = serde_json::to_value(object).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("client_secret");
        map.insert("scope".to_owned(), Value::String(masked_scope(scope)));
        if let Some(account) = account {
            map.insert("account".to_owned(), Value::String(account.to_owned()));
        }
    }
    value
}

/// The newest `SHOWN` of `items` by `created` (ties: the later inserted first).
fn newest(mut items: Vec<(i64, usize, Value)>) -> Vec<Value> {
    items.sort_by_key(|item| std::cmp::Reverse((item.0, item.1)));
    items.into_iter().take(SHOWN).map(|(_, _, v)| v).collect()
}

/// `GET /__mock/dashboard/state`: everything the page shows.
pub(crate) fn state(shared: &Shared, now: MockTime) -> Reply {
    let mut intents = Vec::new();
    let mut charges = Vec::new();
    let mut refunds = Vec::new();
    let mut payouts = Vec::new();
    let mut events = Vec::new();
    let mut scopes: Vec<&String> = shared.world.accounts.keys().collect();
    scopes.sort();
    let mut seq = 0usize;
    let mut next = || {
        seq += 1;
        seq
    };
    for scope in scopes {
        let Some(acct) = shared.world.accounts.get(scope) else {
            continue;
        };
        let account = acct.connected.as_deref();
        for pi in acct.payment_intents.iter() {
            intents.push((pi.created, next(), shown(pi, scope, account)));
        }
        for ch in acct.charges.iter() {
            charges.push((ch.created, next(), shown(ch, scope, account)));
        }
        for re in acct.refunds.iter() {
            refunds.push((re.created, next(), shown(re, scope, account)));
        }
        for po in acct.payouts.iter() {
            payouts.push((po.created, next(), shown(po, scope, account)));
        }
        for event in acct.events.iter() {
            let object = serde_json::to_value(&event.data.object).unwrap_or(Value::Null);
            events.push((
                event.created,
                next(),
                json!({
                    "id": event.id,
                    "type": event.kind,
                    "created": event.created,
                    "object_id": object.get("id"),
                    "object_status": object.get("status"),
                    "request_id": event.request.as_ref().map(|r| &r.id),
                    "account": account,
                    "scope": masked_scope(scope),
                }),
            ));
        }
    }
    let deliveries: Vec<_> = shared.webhooks.history.newest(SHOWN).collect();
    Reply::ok(&json!({
        "now_ms": now.unix_ms(),
        "clock_offset_seconds": shared.clock_offset_ms / 1000,
        "requests": shared.journal.newest(SHOWN).collect::<Vec<_>>(),
        "objects": {
            "payment_intent": newest(intents),
            "charge": newest(charges),
            "refund": newest(refunds),
            "payout": newest(payouts),
        },
        "events": newest(events),
        "webhook_endpoints": shared.webhooks.endpoints,
        "deliveries": deliveries,
        "faults": shared.faults.config(),
        "stats": shared.stats.to_json(),
    }))
}

/// `POST /__mock/deliveries/{id}/resend`.
pub(crate) fn resend(
    shared: &mut Shared,
    id: Option<&str>,
    now: MockTime,
) -> Result<Reply, ApiError> {
    let missing = || ApiError {
        status: StatusCode::NOT_FOUND,
        code: Some("resource_missing"),
        ..ApiError::invalid_request("No such webhook delivery.")
    };
    let id: u64 = id
        .filter(|id| is_object_id(id))
        .and_then(|id| id.parse().ok())
        .ok_or_else(missing)?;
    if shared.webhooks.history.get(id).is_none() {
        return Err(missing());
    }
    // Deliveries run on the caller's clock, not the advanced one.
    let now_ms = now.unix_ms().saturating_sub(shared.clock_offset_ms);
    shared.webhooks.resend(id, now_ms).map_err(|why| ApiError {
        status: StatusCode::CONFLICT,
        ..ApiError::invalid_request(format!("Cannot resend delivery {id}: {why}."))
    })?;
    Ok(Reply::ok(&json!({ "resent": id })))
}

#[cfg(test)]
mod tests {
    use super::masked_scope;

    #[test]
    fn scopes_show_masked_keys_and_account_ids() {
        assert_eq!(masked_scope("sk_test_cli_0123456789"), "sk_test_****6789");
        assert_eq!(
            masked_scope("sk_test_cli_0123456789 acct_1"),
            "sk_test_****6789 acct_1"
        );
        assert_eq!(masked_scope("not_a_key"), "****");
    }
}
