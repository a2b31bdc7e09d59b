//! Metadata: the merchant's own key-value pairs on an object.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ParamError;

/// Keys of a [`Metadata`] map at most.
pub const MAX_KEYS: usize = 50;
/// Characters in a metadata key at most.
pub const MAX_KEY_CHARS: usize = 40;
/// Characters in a metadata value at most.
pub const MAX_VALUE_CHARS: usize = 500;

/// A map of string to string, sorted by key (so a request's body is the same bytes every
/// time). Limits, checked by [`Metadata::validate`] before a request is built: at most 50
/// keys, keys of 1 to 40 characters, values of at most 500 (characters, not bytes).
///
/// ```
/// use molam_core::resources::Metadata;
/// let metadata = Metadata::new().with("order_id", "12345");
/// assert_eq!(metadata.get("order_id"), Some("12345"));
/// assert!(metadata.validate().is_ok());
/// let error = Metadata::new().with("k".repeat(41), "v").validate().unwrap_err();
/// assert_eq!(error.field, "metadata");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Metadata(BTreeMap<String, String>);

impl Metadata {
    /// An empty map.
    pub fn new() -> Self {
        Metadata::default()
    }

    /// This map with `key` set to `value`.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.insert(key, value);
        self
    }

    /// Sets `key` to `value`, returning the previous value.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) -> Option<String> {
        self.0.insert(key.into(), value.into())
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// The pairs, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no keys.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Checks the limits of REFERENCE.md §3; the error names the `metadata` field. Values are
    /// never quoted in the error (they may hold personal data); keys are.
    pub fn validate(&self) -> Result<(), ParamError> {
        let fail = |reason: String| Err(ParamError::new("metadata", reason));
        if self.0.len() > MAX_KEYS {
            return fail(format!("at most {MAX_KEYS} keys"));
        }
        for (key, value) in &self.0 {
            if key.is_empty() {
                return fail("keys must not be empty".to_owned());
            }
            if key.chars().count() > MAX_KEY_CHARS {
                let start: String = key.chars().take(MAX_KEY_CHARS).collect();
                return fail(format!(
                    "key {start:?}… is longer than {MAX_KEY_CHARS} characters"
                ));
            }
            if value.chars().count() > MAX_VALUE_CHARS {
                return fail(format!(
                    "value of {key:?}: values must be at most {MAX_VALUE_CHARS} characters"
                ));
            }
        }
        Ok(())
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Metadata {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        Metadata(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl From<BTreeMap<String, String>> for Metadata {
    fn from(map: BTreeMap<String, String>) -> Self {
        Metadata(map)
    }
}
