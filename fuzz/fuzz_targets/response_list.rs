//! Interprets an arbitrary response as a list page of each resource type; the first byte of
//! the body picks nothing: every list type is tried on the same response.
#![no_main]

use libfuzzer_sys::fuzz_target;
use molam_core::resources::{Event, List, PaymentIntent, Payout, Refund, Resource};
use molam_fuzz::{check_interpretation, FuzzResponse};
use serde::de::DeserializeOwned;

fn check<T: DeserializeOwned + Resource + std::fmt::Debug>(response: &http::Response<Vec<u8>>) {
    let result = molam_core::response::interpret::<List<T>>(response);
    check_interpretation(response, &result);
    if let Ok(page) = &result {
        match page.next_starting_after() {
            Some(id) => {
                assert!(page.has_more);
                assert_eq!(Some(id), page.data.last().map(Resource::id));
            }
            None => assert!(!page.has_more || page.data.is_empty()),
        }
    }
}

fuzz_target!(|input: FuzzResponse| {
    let response = input.to_http();
    check::<PaymentIntent>(&response);
    check::<Refund>(&response);
    check::<Payout>(&response);
    check::<Event>(&response);
});
