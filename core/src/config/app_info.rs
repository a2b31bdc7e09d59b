//! An integration declaring itself (a plugin built on this SDK, say) in the `User-Agent`
//! (REFERENCE.md §1), and the `User-Agent` every request carries.

use std::fmt;

use crate::error::ConfigError;

/// The name, version and optional URL of the integration that uses this SDK, appended to the
/// `User-Agent` as ` <name>/<version>` and ` (+<url>)`.
///
/// ```
/// use molam_core::config::{user_agent, AppInfo};
/// let app = AppInfo::new("molam-form-woo", "2.3.1")?.with_url("https://example.com")?;
/// assert_eq!(
///     user_agent("0.1.0", "ureq", Some(&app)),
///     "molam-rust/0.1.0 (ureq; rust) molam-form-woo/2.3.1 (+https://example.com)"
/// );
/// assert!(AppInfo::new("my plugin", "1").is_err());
/// # Ok::<(), molam_core::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppInfo {
    name: String,
    version: String,
    url: Option<String>,
}

impl AppInfo {
    /// An integration's name and version: each 1 to 64 of `A-Z a-z 0-9 . _ - +`, so that
    /// they stay one `User-Agent` product token.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Result<Self, ConfigError> {
        let (name, version) = (name.into(), version.into());
        check_token("app_info name", &name)?;
        check_token("app_info version", &version)?;
        Ok(AppInfo {
            name,
            version,
            url: None,
        })
    }

    /// Adds the integration's URL: `http://` or `https://`, printable ASCII without spaces or
    /// parentheses, at most 256 characters.
    pub fn with_url(mut self, url: impl Into<String>) -> Result<Self, ConfigError> {
        let url = url.into();
        let well_formed = (url.starts_with("https://") || url.starts_with("http://"))
            && url.len() <= 256
            && url
                .bytes()
                .all(|b| b.is_ascii_graphic() && !matches!(b, b'(' | b')'));
        if !well_formed {
            return Err(ConfigError::InvalidValue {
                name: "app_info url",
                reason: "must be an http:// or https:// URL of at most 256 printable characters \
                         without spaces or parentheses"
                    .to_owned(),
            });
        }
        self.url = Some(url);
        Ok(self)
    }

    /// The integration's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The integration's version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The integration's URL, if given.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }
}

impl fmt::Display for AppInfo {
    /// `name/version`, then ` (+url)` when there is one: what the `User-Agent` ends with.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.name, self.version)?;
        match &self.url {
            Some(url) => write!(f, " (+{url})"),
            None => Ok(()),
        }
    }
}

fn check_token(name: &'static str, value: &str) -> Result<(), ConfigError> {
    let well_formed = (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+'));
    if well_formed {
        Ok(())
    } else {
        Err(ConfigError::InvalidValue {
            name,
            reason: "must be 1 to 64 of A-Z, a-z, 0-9, '.', '_', '-' and '+'".to_owned(),
        })
    }
}

/// The `User-Agent` of REFERENCE.md §1: `molam-rust/<sdk version> (<shell>; rust)`, then the
/// integration's ` <name>/<version>` and ` (+<url>)` when it declared itself. `shell` is
/// reduced to at most 32 of `A-Z a-z 0-9 - _ . /`, so the result is always a valid header.
pub fn user_agent(sdk_version: &str, shell: &str, app: Option<&AppInfo>) -> String {
    let shell: String = shell
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        .take(32)
        .collect();
    let sdk_version: String = sdk_version
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '+'))
        .collect();
    match app {
        Some(app) => format!("molam-rust/{sdk_version} ({shell}; rust) {app}"),
        None => format!("molam-rust/{sdk_version} ({shell}; rust)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_app_info_the_user_agent_is_the_sdks_alone() {
        assert_eq!(
            user_agent("0.1.0", "ureq", None),
            "molam-rust/0.1.0 (ureq; rust)"
        );
    }

    #[test]
    fn app_info_appends_name_version_and_url_as_the_reference_shows() {
        let app = AppInfo::new("molam-form-woo", "2.3.1").unwrap();
        assert_eq!(
            user_agent("0.1.0", "hyper", Some(&app)),
            "molam-rust/0.1.0 (hyper; rust) molam-form-woo/2.3.1"
        );
        let app = app.with_url("https://example.com").unwrap();
        assert_eq!(
            user_agent("0.1.0", "ureq", Some(&app)),
            "molam-rust/0.1.0 (ureq; rust) molam-form-woo/2.3.1 (+https://example.com)"
        );
    }

    #[test]
    fn app_info_that_could_break_the_header_is_refused() {
        for (name, version) in [
            ("", "1"),
            ("a b", "1"),
            ("a", ""),
            ("a", "1\r\nx: y"),
            ("a/b", "1"),
        ] {
            assert!(AppInfo::new(name, version).is_err(), "{name:?} {version:?}");
        }
        let long = "a".repeat(65);
        assert!(AppInfo::new(long.as_str(), "1").is_err());
        let app = AppInfo::new("a", "1").unwrap();
        for url in [
            "ftp://x",
            "https://x y",
            "https://x)",
            "example.com",
            "https://x\n",
        ] {
            assert!(app.clone().with_url(url).is_err(), "{url:?}");
        }
    }

    #[test]
    fn every_user_agent_is_a_valid_header_value() {
        let app = AppInfo::new("p", "1")
            .unwrap()
            .with_url("https://e.com/a?b=c")
            .unwrap();
        for shell in ["ureq", "x\r\ny", "é", ""] {
            let ua = user_agent("0.1.0", shell, Some(&app));
            assert!(http::HeaderValue::from_str(&ua).is_ok(), "{ua}");
        }
    }
}
