//! Webhook signatures (API.md §5): parsing `Molam-Signature`, signing, verifying.

/// Why a webhook was rejected. The text never contains a secret or an expected MAC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The `Molam-Signature` header is missing, too long, or not of the form of API.md §5.
    #[error("malformed Molam-Signature header: {0}")]
    Malformed(String),
    /// No secret is known for the header's `kid` (or no default secret without `kid`).
    #[error("no webhook secret for this key id")]
    UnknownKeyId,
    /// `t` is further than the tolerance from now, in the past or the future.
    #[error("timestamp outside the tolerance ({age_seconds} s from now)")]
    TimestampOutsideTolerance {
        /// now − t, in seconds (negative: from the future).
        age_seconds: i64,
    },
    /// No `v1` matches any secret.
    #[error("no signature matches")]
    SignatureMismatch,
}

/// A webhook signing secret (e.g. `whsec_…`), with the key id it is published under.
///
/// Its `Debug` shows only the key id and the last four characters.
///
/// ```
/// use molam_core::webhook::WebhookSecret;
/// let s = WebhookSecret::new("whsec_test_5f1c2a9e").with_kid("k2024");
/// assert_eq!(format!("{s:?}"), r#"WebhookSecret { kid: Some("k2024"), secret: "whsec_****2a9e" }"#);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret {
    kid: Option<String>,
    secret: String,
}

impl WebhookSecret {
    /// A secret with no key id (a default secret).
    pub fn new(secret: impl Into<String>) -> Self {
        WebhookSecret {
            kid: None,
            secret: secret.into(),
        }
    }

    /// The same secret published under key id `kid`.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The secret itself, for computing a MAC. Never log it.
    pub fn expose_secret(&self) -> &str {
        &self.secret
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSecret")
            .field("kid", &self.kid)
            .field("secret", &crate::redact::masked(&self.secret))
            .finish()
    }
}
