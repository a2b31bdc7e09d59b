//! The API key, validated once and masked everywhere it could be printed.

use std::fmt;

use crate::error::ConfigError;

/// The prefixes of the key kinds Molam issues (REFERENCE.md §1).
const PREFIXES: [&str; 3] = ["sk_test_", "sk_live_", "jwt_"];

/// The longest key accepted: a generous bound for `jwt_` tokens that still fits in a header.
const MAX_LEN: usize = 4096;

/// A Molam API key: `sk_test_…`, `sk_live_…` or `jwt_…`, printable ASCII without spaces,
/// at most 4096 characters.
///
/// Its `Debug` and `Display` show at most the prefix and the last four characters, so a
/// `Config` or an error can be logged safely. The key itself is only reachable through
/// [`ApiKey::expose_secret`], for building the `Authorization` header.
///
/// ```
/// use molam_core::config::ApiKey;
/// let key = ApiKey::new("sk_test_0123456789abcdef")?;
/// assert_eq!(key.to_string(), "sk_test_****cdef");
/// assert_eq!(format!("{key:?}"), r#"ApiKey("sk_test_****cdef")"#);
/// assert!(!key.is_live());
/// assert!(ApiKey::new("pk_test_123").is_err());
/// # Ok::<(), molam_core::ConfigError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Validates a key. The error never contains the key.
    pub fn new(key: impl Into<String>) -> Result<Self, ConfigError> {
        let key = key.into();
        let prefix = PREFIXES
            .iter()
            .find(|p| key.starts_with(**p))
            .ok_or(ConfigError::InvalidApiKey)?;
        let well_formed = key.len() > prefix.len()
            && key.len() <= MAX_LEN
            && key.bytes().all(|b| b.is_ascii_graphic());
        if well_formed {
            Ok(ApiKey(key))
        } else {
            Err(ConfigError::InvalidApiKey)
        }
    }

    /// The key itself, for the `Authorization: Bearer` header. Never log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// True for a live-mode secret key (`sk_live_…`), which moves real money.
    ///
    /// A `jwt_…` key says nothing about its mode here, so it counts as not live.
    pub fn is_live(&self) -> bool {
        self.0.starts_with("sk_live_")
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ApiKey")
            .field(&crate::redact::masked(&self.0))
            .finish()
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::redact::masked(&self.0))
    }
}
