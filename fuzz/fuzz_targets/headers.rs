//! `retry_after`, `should_retry`, `request_id` and `idempotent_replayed` on arbitrary headers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use molam_core::response::{idempotent_replayed, request_id, retry_after, should_retry};
use molam_fuzz::{check_request_id, FuzzResponse};

fn first<'a>(response: &'a http::Response<Vec<u8>>, name: &str) -> Option<&'a str> {
    response.headers().get(name)?.to_str().ok().map(str::trim)
}

fuzz_target!(|input: FuzzResponse| {
    let response = input.to_http();
    let headers = response.headers();

    let id = request_id(headers);
    check_request_id(id.as_deref());
    if let Some(id) = &id {
        assert_eq!(Some(id.as_str()), first(&response, "x-request-id"));
    }

    match retry_after(headers) {
        Some(wait) => {
            let v = first(&response, "retry-after").expect("a Retry-After was present");
            assert!(
                !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()),
                "{v:?}"
            );
            if let Ok(secs) = v.parse::<u64>() {
                assert_eq!(wait.as_secs(), secs);
            } else {
                assert_eq!(wait.as_secs(), u64::MAX);
            }
        }
        None => {
            if let Some(v) = first(&response, "retry-after") {
                assert!(
                    v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()),
                    "{v:?}"
                );
            }
        }
    }

    let expected = first(&response, "molam-should-retry").and_then(|v| {
        if v.eq_ignore_ascii_case("true") {
            Some(true)
        } else if v.eq_ignore_ascii_case("false") {
            Some(false)
        } else {
            None
        }
    });
    assert_eq!(should_retry(headers), expected);

    let replayed =
        first(&response, "idempotent-replayed").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    assert_eq!(idempotent_replayed(headers), replayed);

    // The retry classification must accept whatever the headers said.
    let verdict = molam_core::retry::classify_status(response.status().as_u16(), None, expected);
    if response.status().is_success() {
        assert_eq!(verdict, molam_core::retry::Verdict::Success);
    } else if expected == Some(false) {
        assert_eq!(verdict, molam_core::retry::Verdict::Final);
    } else if expected == Some(true) {
        assert!(matches!(verdict, molam_core::retry::Verdict::Retry(_)));
    }
});
