//! What a crates.io user copies must build with the crate alone: the Rust examples of each
//! published crate's README and `examples/` name no other Molam crate (each shell re-exports
//! what they need) and no third-party crate but the runtime the example says it runs on.
//! That they compile is checked where they live (READMEs are doctests of their crates).

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::collections::BTreeSet;
use std::path::Path;

/// Published crates: directory, crate name, and the crates their examples may also name.
const PUBLISHED: &[(&str, &str, &[&str])] = &[
    ("core", "molam_core", &[]),
    ("shells/blocking", "molam_blocking", &[]),
    ("shells/tokio", "molam_tokio", &["tokio"]),
    ("shells/axum", "molam_axum", &["tokio", "axum"]),
    // The idempotency store is shown plugged into molam-tokio's client, which it is for.
    (
        "shells/postgres",
        "molam_postgres",
        &["tokio", "molam_tokio"],
    ),
    ("shells/cli", "molam_cli", &[]),
    ("tests/mock", "molam_mock", &[]),
];

const ALWAYS: &[&str] = &["std", "core", "alloc", "self", "super", "crate"];

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The Rust code blocks of a Markdown file (fences opened by ```rust…).
fn rust_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        let fence = line.trim_start().starts_with("```");
        match (&mut current, fence) {
            (None, true) if line.trim_start()[3..].starts_with("rust") => {
                current = Some(String::new())
            }
            (Some(_), true) => blocks.extend(current.take()),
            (Some(block), false) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// Crate-like roots the code names: `use x::…` roots and any `molam_…::` path.
fn crates_named(code: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for line in code.lines() {
        let line = line.trim_start().trim_start_matches("//!").trim_start();
        if let Some(rest) = line.strip_prefix("use ") {
            let root: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            named.insert(root);
        }
    }
    let bytes = code.as_bytes();
    for (at, _) in code.match_indices("molam_") {
        let word_start =
            at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
        let word: String = code[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if word_start && code[at + word.len()..].starts_with("::") {
            named.insert(word);
        }
    }
    named
}

fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let readme = dir.join("README.md");
    if let Ok(text) = std::fs::read_to_string(&readme) {
        for block in rust_blocks(&text) {
            found.push((readme.display().to_string(), block));
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir.join("examples")) {
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                found.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }
    found
}

#[test]
fn published_examples_need_only_their_own_crate_and_the_runtime_they_name() {
    let mut checked = 0;
    for (dir, own, extra) in PUBLISHED {
        for (file, code) in sources(&root().join(dir)) {
            checked += 1;
            let strangers: Vec<String> = crates_named(&code)
                .into_iter()
                .filter(|c| {
                    c != own && !ALWAYS.contains(&c.as_str()) && !extra.contains(&c.as_str())
                })
                .collect();
            assert!(
                strangers.is_empty(),
                "{file} names {strangers:?}, which a user of {own} alone lacks"
            );
        }
    }
    assert!(
        checked >= 10,
        "only {checked} examples found: is the table above current?"
    );
}

#[test]
fn the_check_catches_a_sibling_crate_and_an_unnamed_dependency() {
    let code = "use molam_axum::WebhookEndpoint;\nuse futures_util::StreamExt;\nlet s = molam_core::webhook::sign(\"k\", 1, b\"\");\n";
    let named = crates_named(code);
    assert_eq!(
        named.into_iter().collect::<Vec<_>>(),
        ["futures_util", "molam_axum", "molam_core"]
    );
    assert_eq!(
        rust_blocks("```rust,no_run\nuse a::b;\n```\n```sh\nuse c\n```\n").len(),
        1
    );
}
