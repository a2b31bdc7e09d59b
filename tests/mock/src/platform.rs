//! Platforms (REFERENCE.md §6) as the mock serves them: the `Molam-Account` header, the scope
//! an API key and a connected account share (objects, events, idempotency keys), and the
//! fields stamped on every object a scope answers with — `account` for a connected account,
//! and any extra fields the mock was configured to add, as a later API version would.

use std::collections::BTreeMap;

use http::HeaderMap;
use serde_json::Value;

use crate::wire::ApiError;

/// The header a platform names one of its connected accounts with.
pub(crate) const ACCOUNT_HEADER: &str = "molam-account";

/// Reads `Molam-Account`: absent is the platform's own account; present must be `acct_`
/// then 1 to 251 of `[A-Za-z0-9_]`, or the request is refused with 400 before it runs.
pub(crate) fn connected_account(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(ACCOUNT_HEADER) else {
        return Ok(None);
    };
    match value.to_str().ok().filter(|v| is_account_id(v)) {
        Some(id) => Ok(Some(id.to_owned())),
        None => Err(ApiError::invalid(
            "Molam-Account",
            "Molam-Account must be 'acct_' followed by 1 to 251 letters, digits or underscores.",
        )),
    }
}

fn is_account_id(id: &str) -> bool {
    id.strip_prefix("acct_").is_some_and(|rest| {
        (1..=251).contains(&rest.len())
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// The name of the state an API key and an optional connected account see together. A space
/// appears in neither a key nor an account id, so two callers share a scope only when both
/// are equal.
pub(crate) fn scope(key: &str, account: Option<&str>) -> String {
    match account {
        Some(account) => format!("{key} {account}"),
        None => key.to_owned(),
    }
}

/// What every object of a scope's answers carries besides its own fields.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stamp<'a> {
    /// The connected account, for `"account"`.
    pub(crate) account: Option<&'a str>,
    /// Fields a later API version would add (`MockConfig::extra_object_fields`).
    pub(crate) extra: Option<&'a BTreeMap<String, Value>>,
}

impl Stamp<'_> {
    fn is_empty(&self) -> bool {
        self.account.is_none() && self.extra.is_none_or(BTreeMap::is_empty)
    }

    /// `body` with every API object in it (any JSON object whose `object` names a kind other
    /// than `list`: the answer itself, each element of a list, an event's `data.object`)
    /// stamped. A body that is not JSON is returned unchanged.
    pub(crate) fn apply(&self, body: Vec<u8>) -> Vec<u8> {
        if self.is_empty() {
            return body;
        }
        let Ok(mut value) = serde_json::from_slice::<Value>(&body) else {
            return body;
        };
        self.walk(&mut value);
        serde_json::to_vec(&value).unwrap_or(body)
    }

    fn walk(&self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                let is_object = map
                    .get("object")
                    .and_then(Value::as_str)
                    .is_some_and(|kind| kind != "list");
                for child in map.values_mut() {
                    self.walk(child);
                }
                if is_object {
                    if let Some(account) = self.account {
                        map.insert("account".to_owned(), Value::String(account.to_owned()));
                    }
                    for (name, extra) in self.extra.into_iter().flatten() {
                        map.entry(name.clone()).or_insert_with(|| extra.clone());
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.walk(item)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use serde_json::json;

    fn with(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ACCOUNT_HEADER, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn account_ids_are_acct_then_1_to_251_word_characters() {
        assert_eq!(connected_account(&HeaderMap::new()).unwrap(), None);
        assert_eq!(
            connected_account(&with("acct_1A_b")).unwrap().as_deref(),
            Some("acct_1A_b")
        );
        let longest = format!("acct_{}", "a".repeat(251));
        assert!(connected_account(&with(&longest)).is_ok());
        for bad in [
            "acct_",
            "acct_a-b",
            "acc_1",
            "acct_a b",
            &format!("{longest}a"),
        ] {
            let e = connected_account(&with(bad)).unwrap_err();
            assert_eq!(e.status, http::StatusCode::BAD_REQUEST, "{bad}");
            assert_eq!(e.param.as_deref(), Some("Molam-Account"));
        }
    }

    #[test]
    fn scopes_differ_by_key_and_by_account() {
        let own = scope("sk_test_a", None);
        let a = scope("sk_test_a", Some("acct_a"));
        assert_ne!(own, a);
        assert_ne!(a, scope("sk_test_a", Some("acct_b")));
        assert_ne!(a, scope("sk_test_b", Some("acct_a")));
    }

    #[test]
    fn every_object_in_an_answer_is_stamped_but_lists_and_errors_are_not() {
        let extra = BTreeMap::from([("future".to_owned(), json!({"x": 1}))]);
        let stamp = Stamp {
            account: Some("acct_a"),
            extra: Some(&extra),
        };
        let body = json!({"object": "list", "url": "/v1/events", "data": [
            {"id": "evt_1", "object": "event", "data": {"object": {"id": "pi_1", "object": "payment_intent",
              "last_payment_error": {"type": "card_error"}}}}
        ]});
        let out: Value =
            serde_json::from_slice(&stamp.apply(serde_json::to_vec(&body).unwrap())).unwrap();
        assert_eq!(out.get("account"), None);
        let event = &out["data"][0];
        assert_eq!(event["account"], "acct_a");
        assert_eq!(event["future"], json!({"x": 1}));
        assert_eq!(event["data"]["object"]["account"], "acct_a");
        assert_eq!(
            event["data"]["object"]["last_payment_error"].get("account"),
            None
        );
    }

    #[test]
    fn the_platforms_own_answers_are_left_byte_for_byte() {
        let body = br#"{"id": "pi_1",  "object": "payment_intent"}"#.to_vec();
        assert_eq!(Stamp::default().apply(body.clone()), body);
    }
}
