//! `SignatureHeader::parse` on arbitrary text: never panics, and whatever it accepts obeys
//! REFERENCE.md §5 and formats back to a header that parses to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use molam_core::webhook::{signature_header, SignatureHeader, MAX_HEADER_LEN, MAX_ITEMS};

fn hex(bytes: &[u8; 32]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(header) = SignatureHeader::parse(&text) else {
        return;
    };
    assert!(text.len() <= MAX_HEADER_LEN);
    assert!(text.split(',').count() <= MAX_ITEMS);
    assert!(text.is_ascii());
    assert!(header.timestamp() >= 0);
    assert!(!header.signatures().is_empty());
    if let Some(kid) = header.kid() {
        assert!((1..=64).contains(&kid.len()));
        assert!(kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
    }
    let sigs: Vec<String> = header.signatures().iter().map(hex).collect();
    // Every accepted v1 appears verbatim in the text (lower-case hex).
    for sig in &sigs {
        assert!(text.contains(sig.as_str()));
    }
    if sigs.len() + 2 <= MAX_ITEMS {
        let again =
            SignatureHeader::parse(&signature_header(header.timestamp(), header.kid(), &sigs))
                .expect("a canonical header parses");
        assert_eq!(again.timestamp(), header.timestamp());
        assert_eq!(again.kid(), header.kid());
        assert_eq!(again.signatures(), header.signatures());
    }
});
