//! `api_error` on an arbitrary non-2xx response: it always yields an error with the status,
//! never a panic, and keeps at most 1 KiB of a body that is not a Molam error object.
#![no_main]

use libfuzzer_sys::fuzz_target;
use molam_core::response::api_error;
use molam_fuzz::{check_request_id, kept_body_is_bounded, FuzzResponse};

fuzz_target!(|input: FuzzResponse| {
    let response = input.to_http();
    let error = api_error(&response);
    assert_eq!(error.status, response.status().as_u16());
    check_request_id(error.request_id.as_deref());
    // serde_json skips the values of unknown fields without checking their UTF-8, so the
    // envelope may be read from a body that is JSON only once invalid UTF-8 is replaced.
    let is_json =
        serde_json::from_str::<serde_json::Value>(&String::from_utf8_lossy(response.body()))
            .is_ok();
    if let Some(raw) = &error.raw_body {
        assert!(kept_body_is_bounded(raw), "{}", raw.len());
        assert!(!response.body().is_empty());
    }
    if response.body().is_empty() {
        assert_eq!(error.raw_body, None);
        assert!(!error.message.is_empty());
    }
    if error.raw_body.is_none() && !response.body().is_empty() {
        // The raw body is dropped only when it was read as a (JSON) error object.
        assert!(is_json, "a non-JSON body was dropped");
    }
    assert_eq!(
        error.retry_after,
        molam_core::response::retry_after(response.headers())
    );
    let shown = error.to_string();
    assert!(shown.contains(&error.status.to_string()), "{shown}");
    let _ = format!("{error:?}");
});
