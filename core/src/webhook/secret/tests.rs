//! Reading and checking webhook secrets: the rule of `MOLAM_WEBHOOK_SECRET` and `--secret`.

#![allow(
    clippy::unwrap_used,
    reason = "a test unwraps what its setup guarantees; a failure there is a test failure"
)]

use super::*;

fn kids_and_secrets(list: &str) -> Vec<(Option<String>, String)> {
    WebhookSecret::parse_list(list)
        .unwrap()
        .iter()
        .map(|s| (s.kid().map(str::to_owned), s.expose_secret().to_owned()))
        .collect()
}

fn refusal(list: &str) -> (usize, WebhookSecretError) {
    let error = WebhookSecret::parse_list(list).unwrap_err();
    (error.entry, error.reason)
}

#[test]
fn a_list_is_split_on_commas_and_each_entry_trimmed() {
    assert_eq!(
        kids_and_secrets(" k2:whsec_new ,\twhsec_old\n"),
        [
            (Some("k2".to_owned()), "whsec_new".to_owned()),
            (None, "whsec_old".to_owned())
        ]
    );
}

#[test]
fn a_single_entry_is_a_list_of_one() {
    assert_eq!(
        kids_and_secrets("whsec_a:b"),
        [(None, "whsec_a:b".to_owned())]
    );
}

#[test]
fn empty_entries_are_refused_by_position_not_skipped() {
    assert_eq!(
        refusal("whsec_a,,whsec_b"),
        (2, WebhookSecretError::EmptyEntry)
    );
    assert_eq!(refusal("whsec_a, "), (2, WebhookSecretError::EmptyEntry));
    assert_eq!(refusal(",whsec_a"), (1, WebhookSecretError::EmptyEntry));
    assert_eq!(refusal(""), (1, WebhookSecretError::EmptyEntry));
}

#[test]
fn every_entry_is_checked_and_the_first_fault_is_reported() {
    assert_eq!(
        refusal("whsec_a,bad kid:whsec_b,k/1:whsec_c"),
        (2, WebhookSecretError::InvalidKeyId)
    );
    assert_eq!(
        refusal("whsec_a,k1:"),
        (2, WebhookSecretError::InvalidSecret)
    );
    assert_eq!(
        refusal(&format!("k1:whsec_a,{}:whsec_b", "k".repeat(65))),
        (2, WebhookSecretError::InvalidKeyId)
    );
}

#[test]
fn check_takes_a_64_character_key_id_and_refuses_blank_or_spaced_secrets() {
    let long_kid = WebhookSecret::new("whsec_a").with_kid("k".repeat(64));
    assert_eq!(long_kid.check(), Ok(()));
    assert_eq!(WebhookSecret::new("whsec_a").check(), Ok(()));
    for bad in ["", "whsec a", "whsec_\u{e9}"] {
        assert_eq!(
            WebhookSecret::new(bad).check(),
            Err(WebhookSecretError::InvalidSecret),
            "{bad:?}"
        );
    }
}

#[test]
fn a_refused_list_never_shows_a_secret_or_a_key_id() {
    for list in [
        "k1:whsec_topsecret value",
        "whsec_ok,bad kid:whsec_topsecret",
        "topsecret kid:whsec_x",
    ] {
        let error = WebhookSecret::parse_list(list).unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("topsecret"), "{shown}");
        assert!(!shown.contains("kid:"), "{shown}");
    }
}

#[test]
fn list_errors_say_which_entry_and_what_to_change() {
    assert_eq!(
        WebhookSecret::parse_list("whsec_a,")
            .unwrap_err()
            .to_string(),
        "entry 2: empty: put a secret there or remove the extra comma"
    );
    assert_eq!(
        WebhookSecret::parse_list("whsec a")
            .unwrap_err()
            .to_string(),
        "entry 1: secret must be non-empty printable ASCII without spaces"
    );
}
