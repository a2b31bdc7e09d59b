//! Interprets an arbitrary response (status, headers, body) as a `Refund`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use molam_core::resources::Refund;
use molam_fuzz::{check_interpretation, has_no_float, FuzzResponse};

fuzz_target!(|input: FuzzResponse| {
    let response = input.to_http();
    let result = molam_core::response::interpret::<Refund>(&response);
    check_interpretation(&response, &result);
    if let Some(value) = result.as_ref().ok().filter(|v| has_no_float(&***v)) {
        // A decoded object re-encodes and decodes to itself (unknown enum values included).
        let json = serde_json::to_vec(&**value).expect("a decoded object serializes");
        let again: Refund = serde_json::from_slice(&json).expect("a serialized object decodes");
        assert_eq!(&again, &**value);
    }
});
