//! Masking of secrets for `Debug` and `Display`.

const KNOWN_PREFIXES: [&str; 4] = ["sk_test_", "sk_live_", "jwt_", "whsec_"];

/// `sk_test_****abcd`: a known prefix, four stars, and the last four characters when at least
/// twelve characters follow the prefix (so at most a third of a short secret shows).
pub(crate) fn masked(secret: &str) -> String {
    let prefix = KNOWN_PREFIXES
        .iter()
        .find(|p| secret.starts_with(**p))
        .copied()
        .unwrap_or("");
    let rest: Vec<char> = secret[prefix.len()..].chars().collect();
    if rest.len() < 12 {
        return format!("{prefix}****");
    }
    let tail: String = rest[rest.len() - 4..].iter().collect();
    format!("{prefix}****{tail}")
}

#[cfg(test)]
mod tests {
    use super::masked;

    #[test]
    fn masks_keys_to_prefix_and_last_four() {
        assert_eq!(masked("sk_test_0123456789abcdef"), "sk_test_****cdef");
        assert_eq!(masked("sk_live_0123456789abcdef"), "sk_live_****cdef");
        assert_eq!(masked("whsec_test_5f1c2a9e"), "whsec_****2a9e");
        assert_eq!(masked("jwt_eyJhbGciOiJIUzI1NiJ9"), "jwt_****NiJ9");
    }

    #[test]
    fn short_or_odd_secrets_show_nothing_but_a_known_prefix() {
        assert_eq!(masked(""), "****");
        assert_eq!(masked("sk_test_abc"), "sk_test_****");
        assert_eq!(masked("hunter2hunter2"), "****ter2");
        assert_eq!(masked("ééééééééééééééééé"), "****éééé");
    }
}

/// `text` (a body snippet: JSON, or anything else) with the string value of every key that
/// ends in `secret` (`client_secret`, `secret`, `webhook_secret`, any case) replaced by
/// `****`, even when the snippet cuts the value short. Other text is kept as it is.
pub(crate) fn redact_json_secrets(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0; // bytes of `text` already in `out`
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let key_end = string_end(bytes, i + 1);
        let key = &text[i + 1..key_end.min(text.len())];
        let mut j = key_end.saturating_add(1);
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        let is_key = j < bytes.len() && bytes[j] == b':';
        if !(is_key && key.to_ascii_lowercase().ends_with("secret")) {
            i = key_end.saturating_add(1);
            continue;
        }
        j += 1;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if j < bytes.len() && bytes[j] == b'"' {
            let value_end = string_end(bytes, j + 1);
            out.push_str(&text[copied..=j]);
            out.push_str("****");
            copied = value_end.min(text.len());
            i = value_end.saturating_add(1);
        } else {
            i = j;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The index of the `"` closing a JSON string whose contents start at `start`, or the
/// text's length when the string is cut short.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut k = start;
    while k < bytes.len() {
        match bytes[k] {
            b'\\' => k += 2,
            b'"' => return k,
            _ => k += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod json_tests {
    use super::redact_json_secrets as r;

    #[test]
    fn secret_values_are_masked_whatever_their_key_case() {
        assert_eq!(
            r(r#"{"id":"pi_1","client_secret":"pi_1_secret_abc","Webhook_Secret" : "whsec_x"}"#),
            r#"{"id":"pi_1","client_secret":"****","Webhook_Secret" : "****"}"#
        );
    }

    #[test]
    fn a_value_cut_short_by_the_snippet_is_masked_to_the_end() {
        assert_eq!(
            r(r#"{"client_secret":"pi_1_sec"#),
            r#"{"client_secret":"****"#
        );
        assert_eq!(r(r#"{"client_secret""#), r#"{"client_secret""#);
        assert_eq!(r(r#"{"client_secret":"#), r#"{"client_secret":"#);
    }

    #[test]
    fn escapes_non_strings_and_other_keys_are_left_alone() {
        assert_eq!(
            r(r#"{"secret":"a\"b","n_secret":12,"note":"client_secret","x":"\\"}"#),
            r#"{"secret":"****","n_secret":12,"note":"client_secret","x":"\\"}"#
        );
        assert_eq!(r("<html>secret</html>"), "<html>secret</html>");
        assert_eq!(
            r(r#"{"é_secret":"ü","k":"v"}"#),
            r#"{"é_secret":"****","k":"v"}"#
        );
        assert_eq!(r(r#""\"#), r#""\"#);
    }
}
