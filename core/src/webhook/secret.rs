//! A webhook signing secret, and the one rule by which secrets are read and checked: a
//! `MOLAM_WEBHOOK_SECRET` list, a `molam --secret` and a builder's secrets all go through it.
//! Pure. No error here carries a secret's text: each reason is a fixed sentence.

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

    /// Reads one entry of a secret list, `kid:secret` or `secret`: the first `:` separates the
    /// key id, unless the text starts with `whsec_`, which begins a secret, never a key id. So
    /// a secret that contains `:` reads the same everywhere. Nothing is checked here: a list
    /// (`MOLAM_WEBHOOK_SECRET`, the `molam` CLI's `--secret`) is read with
    /// [`WebhookSecret::parse_list`], which checks every entry.
    ///
    /// ```
    /// use molam_core::webhook::WebhookSecret;
    /// let rotated = WebhookSecret::from_entry("k2024:whsec_abc");
    /// assert_eq!((rotated.kid(), rotated.expose_secret()), (Some("k2024"), "whsec_abc"));
    /// let colon = WebhookSecret::from_entry("whsec_a:b");
    /// assert_eq!((colon.kid(), colon.expose_secret()), (None, "whsec_a:b"));
    /// let both = WebhookSecret::from_entry("k1:whsec_a:b");
    /// assert_eq!((both.kid(), both.expose_secret()), (Some("k1"), "whsec_a:b"));
    /// ```
    pub fn from_entry(entry: &str) -> Self {
        match entry.split_once(':') {
            Some((kid, secret)) if !entry.starts_with("whsec_") => {
                WebhookSecret::new(secret).with_kid(kid)
            }
            _ => WebhookSecret::new(entry),
        }
    }

    /// Reads a secret list, the form of `MOLAM_WEBHOOK_SECRET` and of the `molam` CLI's
    /// `--secret`: entries separated by commas, each trimmed of spaces and read by
    /// [`WebhookSecret::from_entry`], then checked by [`WebhookSecret::check`]. An empty entry
    /// (two commas in a row, a comma at either end, an empty list) is refused rather than
    /// skipped. The first entry at fault is reported by its position, never by its text.
    ///
    /// ```
    /// use molam_core::webhook::{WebhookSecret, WebhookSecretError};
    /// let secrets = WebhookSecret::parse_list("k2:whsec_new , whsec_old")?;
    /// assert_eq!((secrets[0].kid(), secrets[0].expose_secret()), (Some("k2"), "whsec_new"));
    /// assert_eq!((secrets[1].kid(), secrets[1].expose_secret()), (None, "whsec_old"));
    ///
    /// let error = WebhookSecret::parse_list("whsec_new,,whsec_old").unwrap_err();
    /// assert_eq!((error.entry, error.reason), (2, WebhookSecretError::EmptyEntry));
    /// let error = WebhookSecret::parse_list("whsec_new,k 1:whsec_hunter2").unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "entry 2: key id must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -",
    /// );
    /// # Ok::<(), molam_core::webhook::SecretListError>(())
    /// ```
    pub fn parse_list(list: &str) -> Result<Vec<WebhookSecret>, SecretListError> {
        let secrets = Self::split_list(list)?;
        for (i, secret) in secrets.iter().enumerate() {
            secret.check().map_err(|reason| SecretListError {
                entry: i + 1,
                reason,
            })?;
        }
        Ok(secrets)
    }

    /// The first half of [`WebhookSecret::parse_list`]: splits, trims and refuses an empty
    /// entry, without checking the secrets. The environment is read with it, so that a setter
    /// may still replace a malformed `MOLAM_WEBHOOK_SECRET` before
    /// [`ConfigBuilder::build`](crate::config::ConfigBuilder::build) checks what is left.
    pub(crate) fn split_list(list: &str) -> Result<Vec<WebhookSecret>, SecretListError> {
        list.split(',')
            .map(str::trim)
            .enumerate()
            .map(|(i, entry)| match entry {
                "" => Err(SecretListError {
                    entry: i + 1,
                    reason: WebhookSecretError::EmptyEntry,
                }),
                entry => Ok(WebhookSecret::from_entry(entry)),
            })
            .collect()
    }

    /// Checks the rule every configured secret follows, however it was given: a key id, if
    /// any, is `[A-Za-z0-9_-]{1,64}` (REFERENCE.md §5, the rule the header parser applies), so
    /// that a header can name it; the secret is non-empty printable ASCII without spaces.
    /// [`ConfigBuilder::build`](crate::config::ConfigBuilder::build) checks each secret with it.
    ///
    /// ```
    /// use molam_core::webhook::{WebhookSecret, WebhookSecretError};
    /// assert_eq!(WebhookSecret::new("whsec_a").with_kid("k-2024_01").check(), Ok(()));
    /// assert_eq!(
    ///     WebhookSecret::new("whsec_a").with_kid("k/1").check(),
    ///     Err(WebhookSecretError::InvalidKeyId),
    /// );
    /// assert_eq!(WebhookSecret::new("whsec a").check(), Err(WebhookSecretError::InvalidSecret));
    /// ```
    pub fn check(&self) -> Result<(), WebhookSecretError> {
        if let Some(kid) = self.kid() {
            if !super::header::is_valid_kid(kid) {
                return Err(WebhookSecretError::InvalidKeyId);
            }
        }
        let s = self.expose_secret();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(WebhookSecretError::InvalidSecret);
        }
        Ok(())
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

/// Why a webhook secret, or an entry of a secret list, is refused. Each text is fixed, so it
/// never contains the secret, and says what to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookSecretError {
    /// An entry of a list is empty.
    #[error("empty: put a secret there or remove the extra comma")]
    EmptyEntry,
    /// The key id is not `[A-Za-z0-9_-]{1,64}`.
    #[error("key id must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -")]
    InvalidKeyId,
    /// The secret is empty, or not printable ASCII, or has a space.
    #[error("secret must be non-empty printable ASCII without spaces")]
    InvalidSecret,
}

/// The first entry of a secret list that [`WebhookSecret::parse_list`] refused, by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("entry {entry}: {reason}")]
#[non_exhaustive]
pub struct SecretListError {
    /// Its position in the list, counting from 1.
    pub entry: usize,
    /// What is wrong with it.
    pub reason: WebhookSecretError,
}

#[cfg(test)]
mod tests;
