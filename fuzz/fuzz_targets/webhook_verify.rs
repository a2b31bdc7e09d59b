//! Full webhook verification on an arbitrary header, body, time and secrets: never panics;
//! accepts only a fresh header carrying the HMAC of the body under a resolved secret that
//! follows the secret rule; and a freshly signed header verifies (or, when a secret resolved
//! for it breaks that rule, is refused as `UnusableSecret`), while the same header on another
//! body never does.
#![no_main]

use std::time::Duration;

use arbitrary::Arbitrary;
use hmac::{Hmac, KeyInit, Mac};
use libfuzzer_sys::fuzz_target;
use molam_core::webhook::{
    sign_header, verify, SecretResolver, SignatureError, SignatureHeader, WebhookSecret,
};
use molam_fuzz::Cursor;
use sha2::Sha256;

/// Byte layout (so seeds can be written from the REFERENCE.md §7 vector, see `make_seeds.py`):
///
/// ```text
/// now: i64 BE, t: i64 BE, tolerance_secs: u32 BE, signer: u8,
/// n: u8 (secrets, n % 5) × { kid_len: u8 (255 = no kid), kid, secret_len: u8, secret },
/// header_len: u16 BE, header, other_body_len: u16 BE, other_body, body: the rest
/// ```
/// Text fields are read with invalid UTF-8 replaced.
#[derive(Debug)]
struct Input {
    header: String,
    body: Vec<u8>,
    other_body: Vec<u8>,
    now: i64,
    t: i64,
    tolerance_secs: u32,
    secrets: Vec<(Option<String>, String)>,
    signer: u8,
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let len = u.len();
        Ok(Input::decode(u.bytes(len)?))
    }

    fn arbitrary_take_rest(u: arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Input::decode(u.take_rest()))
    }
}

impl Input {
    fn decode(data: &[u8]) -> Self {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let mut c = Cursor::new(data);
        let now = i64::from_be_bytes(c.be());
        let t = i64::from_be_bytes(c.be());
        let tolerance_secs = u32::from_be_bytes(c.be());
        let signer = c.byte();
        let n = c.byte() % 5;
        let mut secrets = Vec::new();
        for _ in 0..n {
            let kid_len = c.byte();
            let kid = (kid_len != 255).then(|| text(c.bytes(usize::from(kid_len))));
            let secret_len = usize::from(c.byte());
            secrets.push((kid, text(c.bytes(secret_len))));
        }
        let header_len = usize::from(u16::from_be_bytes(c.be()));
        let header = text(c.bytes(header_len));
        let other_len = usize::from(u16::from_be_bytes(c.be()));
        let other_body = c.bytes(other_len).to_vec();
        Input {
            header,
            body: c.rest().to_vec(),
            other_body,
            now,
            t,
            tolerance_secs,
            secrets,
            signer,
        }
    }
}

/// HMAC-SHA256 of `t_text.body`, computed independently of the core.
fn mac(secret: &str, t_text: &str, body: &[u8]) -> [u8; 32] {
    let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    m.update(t_text.as_bytes());
    m.update(b".");
    m.update(body);
    m.finalize().into_bytes().into()
}

/// The `t` value exactly as it stands in an accepted header.
fn t_text(header: &str) -> Option<&str> {
    header
        .split(',')
        .map(|i| i.trim_matches(|c: char| c.is_ascii_whitespace()))
        .find_map(|i| i.strip_prefix("t="))
}

fn valid_kid(kid: &str) -> bool {
    (1..=64).contains(&kid.len())
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fuzz_target!(|input: Input| {
    let tolerance = Duration::from_secs(u64::from(input.tolerance_secs));
    let secrets: Vec<WebhookSecret> = input
        .secrets
        .iter()
        .map(|(kid, s)| match kid {
            Some(kid) => WebhookSecret::new(s.clone()).with_kid(kid.clone()),
            None => WebhookSecret::new(s.clone()),
        })
        .collect();

    // 1. Arbitrary header: whatever is accepted really is fresh and really is signed.
    let result = verify(&input.header, &input.body, input.now, &secrets, tolerance);
    if result.is_ok() {
        let parsed = SignatureHeader::parse(&input.header).expect("accepted ⇒ parses");
        let age = i128::from(input.now) - i128::from(parsed.timestamp());
        assert!(age.unsigned_abs() <= u128::from(tolerance.as_secs()));
        let t = t_text(&input.header).expect("accepted ⇒ has t");
        let resolved = secrets.resolve(parsed.kid());
        // ... only with secrets that follow the secret rule (an empty key signs for anyone).
        assert!(resolved.iter().all(|s| s.check().is_ok()));
        assert!(resolved.iter().any(|s| {
            let expected = mac(s.expose_secret(), t, &input.body);
            parsed.signatures().contains(&expected)
        }));
    }
    if let Err(e) = &result {
        // Display and Debug of every rejection never panic.
        let _ = format!("{e} {e:?}");
    }

    // 2. A freshly signed header verifies, at any time within the tolerance.
    let Some(signer) = secrets.get(usize::from(input.signer) % secrets.len().max(1)) else {
        return;
    };
    if input.t < 0 || signer.kid().is_some_and(|k| !valid_kid(k)) {
        return;
    }
    let header = sign_header(signer, input.t, &input.body);
    let offset =
        i64::try_from(u64::from(input.now as u32) % (tolerance.as_secs() + 1)).expect("fits");
    let now = if input.now < 0 {
        input.t.saturating_sub(offset)
    } else {
        input.t.saturating_add(offset)
    };
    // It verifies unless a secret resolved for its kid breaks the secret rule: then none is
    // used as a key, and the delivery is refused as the receiver's configuration error.
    let unless_unusable = |resolved: &[WebhookSecret], otherwise| {
        if resolved.iter().all(|s| s.check().is_ok()) {
            otherwise
        } else {
            Err(SignatureError::UnusableSecret)
        }
    };
    if (i128::from(now) - i128::from(input.t)).unsigned_abs() <= u128::from(tolerance.as_secs()) {
        let resolved = secrets.resolve(signer.kid());
        assert_eq!(
            verify(&header, &input.body, now, &secrets, tolerance),
            unless_unusable(&resolved, Ok(()))
        );
        let alone = [signer.clone()];
        assert_eq!(
            verify(&header, &input.body, now, &alone, tolerance),
            unless_unusable(&alone, Ok(()))
        );
        if input.other_body != input.body {
            assert_eq!(
                verify(&header, &input.other_body, now, &alone, tolerance),
                unless_unusable(&alone, Err(SignatureError::SignatureMismatch)),
            );
        }
    }
    // ... and is refused one second past the tolerance, either way.
    let late = input
        .t
        .checked_add(i64::from(input.tolerance_secs))
        .and_then(|x| x.checked_add(1));
    if let Some(late) = late {
        assert!(matches!(
            verify(&header, &input.body, late, &[signer.clone()], tolerance),
            Err(SignatureError::TimestampOutsideTolerance { .. })
        ));
    }
});
