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
