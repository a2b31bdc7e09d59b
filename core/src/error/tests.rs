//! The text of errors: what a user reads, with no Debug formatting (`Some(..)`, `Connect`).

use std::time::Duration;

use super::*;

#[test]
fn an_undecodable_2xx_names_its_request_id_as_plain_text() {
    let html = DecodeError::new(
        200,
        Some("req_8Hk2a".to_owned()),
        "expected value at line 1 column 1",
        "<html>",
    );
    assert_eq!(
        Error::from(html).to_string(),
        "could not decode the 200 response (request id req_8Hk2a): expected value at line 1 column 1"
    );
    let anonymous = DecodeError::new(201, None, "EOF while parsing", "");
    assert_eq!(
        anonymous.to_string(),
        "could not decode the 201 response: EOF while parsing"
    );
}

#[test]
fn transport_failures_say_where_the_exchange_failed_in_words() {
    let cases = [
        (
            TransportError::connect("connection refused"),
            "transport: could not connect: connection refused",
        ),
        (
            TransportError::after_send("connection reset"),
            "transport: connection failed after the request was sent: connection reset",
        ),
        (
            TransportError::timeout("30 s per attempt"),
            "transport: no response in time: 30 s per attempt",
        ),
    ];
    for (error, text) in cases {
        assert_eq!(Error::from(error).to_string(), text);
    }
}

#[test]
fn an_open_breaker_gives_the_wait_in_seconds() {
    let open = Error::CircuitOpen {
        retry_in: Duration::from_millis(2_500),
    };
    assert_eq!(
        open.to_string(),
        "circuit breaker open: Molam looks unavailable, next probe in 2.5 s"
    );
}

#[test]
fn no_message_carries_debug_formatting() {
    let errors = [
        Error::from(DecodeError::new(200, None, "x", "")),
        Error::from(DecodeError::new(200, Some("req_1".into()), "x", "")),
        Error::from(TransportError::connect("x")),
        Error::CircuitOpen {
            retry_in: Duration::from_secs(30),
        },
        Error::RetriesExhausted {
            attempts: 3,
            reason: GiveUpReason::Deadline,
            last: Box::new(Error::from(TransportError::timeout("x"))),
        },
    ];
    for error in errors {
        let text = error.to_string();
        for debug in [
            "Some(",
            "None",
            "\"",
            "Connect:",
            "AfterSend",
            "ms)",
            "Duration",
        ] {
            assert!(!text.contains(debug), "{text}");
        }
    }
}
