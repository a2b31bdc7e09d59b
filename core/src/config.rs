//! Client configuration: the API key, where and how to reach Molam, retry limits, webhook
//! secrets. Built with [`Config::builder`] or read from `MOLAM_*` environment variables with
//! [`Config::from_env`].
//!
//! Everything is validated once, when the [`Config`] is built; a `Config` in hand is always
//! usable. Its `Debug` shows no secret.
//!
//! ```
//! use std::time::Duration;
//! use molam_core::config::Config;
//! let config = Config::builder()
//!     .api_key("sk_test_0123456789abcdef")
//!     .max_retries(4)
//!     .timeout(Duration::from_secs(10))
//!     .build()?;
//! assert_eq!(config.api_base(), "https://api.molam.com");
//! assert_eq!(config.retry_policy().max_attempts, 5);
//! assert!(!format!("{config:?}").contains("0123456789"));
//! # Ok::<(), molam_core::ConfigError>(())
//! ```

mod api_key;
mod app_info;
mod base_url;
mod env;
mod proxy;

use std::time::Duration;

pub use api_key::ApiKey;
pub use app_info::{user_agent, AppInfo};
pub use proxy::{NoProxy, Proxy, ProxyConfig, ProxyCredentials};

use crate::account::AccountId;

use crate::error::ConfigError;
use crate::retry::{BreakerConfig, BudgetConfig, RetryPolicy};
use crate::webhook::WebhookSecret;

/// The production API.
pub const DEFAULT_API_BASE: &str = "https://api.molam.com";
/// The API version this SDK is written against, sent as `Molam-Version`.
pub const DEFAULT_API_VERSION: &str = "2025-01-16";
/// The most retries a call may make (so at most 11 attempts).
pub const MAX_RETRIES: u32 = 10;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A validated client configuration: `Clone`, `Send` and `Sync`; its `Debug` shows no secret.
#[derive(Debug, Clone)]
pub struct Config {
    api_key: ApiKey,
    api_base: String,
    api_version: String,
    retry_policy: RetryPolicy,
    budget: BudgetConfig,
    breaker: BreakerConfig,
    timeout: Duration,
    connect_timeout: Duration,
    webhook_secrets: Vec<WebhookSecret>,
    webhook_tolerance: Duration,
    allow_insecure_http: bool,
    app_info: Option<AppInfo>,
    account: Option<AccountId>,
    proxy: ProxyConfig,
    tls_roots: TlsRoots,
}

/// Which certificate authorities the shells trust for `https://`.
///
/// Bundled Mozilla roots are the default: the same on every machine, with nothing to install.
/// Behind a corporate proxy that inspects TLS with its own authority, the operating system's
/// store (where IT installs that authority) is the one to trust; the shells read it only when
/// built with their `native-roots` feature, and otherwise refuse the setting when the client
/// is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TlsRoots {
    /// Mozilla's roots, compiled in (`webpki-roots`).
    #[default]
    Bundled,
    /// The operating system's store (`rustls-native-certs`), with the `native-roots` feature.
    Native,
}

impl Config {
    /// A builder with every default set and no API key.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Reads the `MOLAM_*` environment variables (see [`Config::from_lookup`]).
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned()))
    }

    /// Builds a configuration from variables looked up by name; unset or blank ones keep
    /// their defaults. Errors name the variable at fault.
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `MOLAM_API_KEY` | required: `sk_test_…`, `sk_live_…` or `jwt_…` |
    /// | `MOLAM_API_BASE` | default `https://api.molam.com` |
    /// | `MOLAM_API_VERSION` | default `2025-01-16` |
    /// | `MOLAM_WEBHOOK_SECRET` | comma-separated list of `kid:secret` or bare `secret` (a `whsec_…` entry is all secret, `:` included), read by [`WebhookSecret::parse_list`] |
    /// | `MOLAM_MAX_RETRIES` | retries after the first attempt, 0–10 (default 2: 3 attempts) |
    /// | `MOLAM_TIMEOUT_MS` | per-attempt timeout (default 30000) |
    /// | `MOLAM_CONNECT_TIMEOUT_MS` | connect timeout (default 10000) |
    /// | `MOLAM_DEADLINE_MS` | per-call deadline across retries (default 80000) |
    /// | `MOLAM_ALLOW_INSECURE_HTTP` | `1`/`true`/`yes` or `0`/`false`/`no` (default no) |
    /// | `MOLAM_ACCOUNT` | a connected account to act for, `acct_…` (REFERENCE.md §6) |
    /// | `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` | proxies (lower-case names too); see [`ProxyConfig::from_lookup`] |
    ///
    /// ```
    /// use molam_core::config::Config;
    /// let config = Config::from_lookup(|name| match name {
    ///     "MOLAM_API_KEY" => Some("sk_test_0123456789abcdef".to_owned()),
    ///     "MOLAM_WEBHOOK_SECRET" => Some("k2:whsec_new,whsec_old".to_owned()),
    ///     _ => None,
    /// })?;
    /// assert_eq!(config.webhook_secrets()[0].kid(), Some("k2"));
    /// assert_eq!(config.webhook_secrets()[1].kid(), None);
    /// # Ok::<(), molam_core::ConfigError>(())
    /// ```
    pub fn from_lookup(lookup: impl FnMut(&str) -> Option<String>) -> Result<Config, ConfigError> {
        ConfigBuilder::from_lookup(lookup)?.build()
    }

    /// The API key, for the `Authorization` header.
    pub fn api_key(&self) -> &ApiKey {
        &self.api_key
    }

    /// The base URL without a trailing slash, e.g. `https://api.molam.com`. Request paths
    /// (`/v1/…`) are appended to it as they are.
    pub fn api_base(&self) -> &str {
        &self.api_base
    }

    /// The `Molam-Version` sent with every request.
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// How each call retries (attempts, backoff, deadline).
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry_policy
    }

    /// The client-wide retry budget's settings.
    pub fn budget(&self) -> BudgetConfig {
        self.budget
    }

    /// The client-wide circuit breaker's settings.
    pub fn breaker(&self) -> BreakerConfig {
        self.breaker
    }

    /// The timeout of one attempt, for the shells (default 30 s).
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The connect timeout, for the shells (default 10 s).
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The webhook secrets, in the order given (during rotation: several).
    pub fn webhook_secrets(&self) -> &[WebhookSecret] {
        &self.webhook_secrets
    }

    /// How far a webhook's timestamp may be from now (default 300 s).
    pub fn webhook_tolerance(&self) -> Duration {
        self.webhook_tolerance
    }

    /// Whether `http://` to a loopback host was allowed (for local mocks).
    pub fn allow_insecure_http(&self) -> bool {
        self.allow_insecure_http
    }

    /// The integration that declared itself, appended to the `User-Agent` (REFERENCE.md §1).
    pub fn app_info(&self) -> Option<&AppInfo> {
        self.app_info.as_ref()
    }

    /// The connected account every request acts for (`Molam-Account`, REFERENCE.md §6);
    /// `None` for the platform's own account.
    pub fn account(&self) -> Option<&AccountId> {
        self.account.as_ref()
    }

    /// The proxy rules: an explicit proxy, or those of `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`
    /// when read with [`Config::from_lookup`]. [`ProxyConfig::proxy_for`] decides per URL.
    pub fn proxy(&self) -> &ProxyConfig {
        &self.proxy
    }

    /// Which certificate authorities the shells trust.
    pub fn tls_roots(&self) -> TlsRoots {
        self.tls_roots
    }
}

/// Builds a [`Config`]. Setters never fail; [`ConfigBuilder::build`] checks everything.
#[derive(Debug, Clone)]
pub struct ConfigBuilder {
    api_key: Option<Result<ApiKey, ConfigError>>,
    api_base: String,
    api_version: String,
    retry_policy: RetryPolicy,
    budget: BudgetConfig,
    breaker: BreakerConfig,
    timeout: Duration,
    connect_timeout: Duration,
    webhook_secrets: Vec<WebhookSecret>,
    webhook_tolerance: Duration,
    allow_insecure_http: bool,
    app_info: Option<AppInfo>,
    account: Option<AccountId>,
    proxy: ProxyConfig,
    tls_roots: TlsRoots,
    from_env: env::FromEnv,
}

impl Default for ConfigBuilder {
    fn default() -> Self {
        ConfigBuilder {
            api_key: None,
            api_base: DEFAULT_API_BASE.to_owned(),
            api_version: DEFAULT_API_VERSION.to_owned(),
            retry_policy: RetryPolicy::default(),
            budget: BudgetConfig::default(),
            breaker: BreakerConfig::default(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            webhook_secrets: Vec::new(),
            webhook_tolerance: crate::webhook::DEFAULT_TOLERANCE,
            allow_insecure_http: false,
            app_info: None,
            account: None,
            proxy: ProxyConfig::default(),
            tls_roots: TlsRoots::default(),
            from_env: env::FromEnv::default(),
        }
    }
}

impl ConfigBuilder {
    /// A builder preset from `MOLAM_*` variables (see [`Config::from_lookup`]), to be
    /// adjusted before [`ConfigBuilder::build`]. Fails on a variable that cannot be parsed;
    /// a value out of range is refused by `build`, which names the variable too.
    pub fn from_lookup(lookup: impl FnMut(&str) -> Option<String>) -> Result<Self, ConfigError> {
        env::apply(ConfigBuilder::default(), lookup)
    }

    /// The API key (`sk_test_…`, `sk_live_…` or `jwt_…`). Required.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey::new(key));
        self
    }

    /// The base URL (default `https://api.molam.com`); see [`Config::api_base`].
    pub fn api_base(mut self, url: impl Into<String>) -> Self {
        self.api_base = url.into();
        self
    }

    /// The pinned API version (default `2025-01-16`).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = version.into();
        self.from_env.replaced("api_version");
        self
    }

    /// The whole retry policy, replacing earlier `max_retries` and `deadline` settings.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self.from_env.replaced("max_retries");
        self.from_env.replaced("deadline");
        self
    }

    /// Retries after the first attempt (0–10; default 2, so 3 attempts in all).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry_policy.max_attempts = retries.saturating_add(1);
        self.from_env.replaced("max_retries");
        self
    }

    /// The per-call deadline across all attempts and waits (default 80 s).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.retry_policy.deadline = deadline;
        self.from_env.replaced("deadline");
        self
    }

    /// The client-wide retry budget.
    pub fn budget(mut self, budget: BudgetConfig) -> Self {
        self.budget = budget;
        self
    }

    /// The client-wide circuit breaker.
    pub fn breaker(mut self, breaker: BreakerConfig) -> Self {
        self.breaker = breaker;
        self
    }

    /// The timeout of one attempt (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.from_env.replaced("timeout");
        self
    }

    /// The connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self.from_env.replaced("connect_timeout");
        self
    }

    /// Adds one webhook secret.
    pub fn webhook_secret(mut self, secret: WebhookSecret) -> Self {
        self.webhook_secrets.push(secret);
        self.from_env.replaced("webhook_secrets");
        self
    }

    /// Replaces the webhook secrets.
    pub fn webhook_secrets(mut self, secrets: impl IntoIterator<Item = WebhookSecret>) -> Self {
        self.webhook_secrets = secrets.into_iter().collect();
        self.from_env.replaced("webhook_secrets");
        self
    }

    /// How far a webhook's timestamp may be from now (default 300 s).
    pub fn webhook_tolerance(mut self, tolerance: Duration) -> Self {
        self.webhook_tolerance = tolerance;
        self
    }

    /// Allows `http://` to a loopback host, for local mocks (default false).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Declares the integration built on this SDK (a plugin, say) in the `User-Agent`:
    /// ` <name>/<version>` and ` (+<url>)` are appended (REFERENCE.md §1).
    ///
    /// ```
    /// use molam_core::config::{AppInfo, Config};
    /// let app = AppInfo::new("molam-form-woo", "2.3.1")?.with_url("https://example.com")?;
    /// let config = Config::builder().api_key("sk_test_0123456789abcdef").app_info(app).build()?;
    /// assert_eq!(config.app_info().map(|a| a.to_string()).as_deref(),
    ///            Some("molam-form-woo/2.3.1 (+https://example.com)"));
    /// # Ok::<(), molam_core::ConfigError>(())
    /// ```
    pub fn app_info(mut self, app: AppInfo) -> Self {
        self.app_info = Some(app);
        self
    }

    /// Acts for this connected account on every request (`Molam-Account`, REFERENCE.md §6).
    pub fn account(mut self, account: AccountId) -> Self {
        self.account = Some(account);
        self
    }

    /// The proxy rules, replacing any read from the environment (see [`ProxyConfig`]).
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = proxy;
        self
    }

    /// Which certificate authorities to trust (default [`TlsRoots::Bundled`]).
    pub fn tls_roots(mut self, roots: TlsRoots) -> Self {
        self.tls_roots = roots;
        self
    }

    /// Checks every setting and builds the [`Config`].
    ///
    /// An invalid value that a `MOLAM_*` variable gave ([`ConfigBuilder::from_lookup`]) is
    /// reported under the variable's name; one given to a setter here, under the setting's,
    /// even when it replaced a variable's value.
    ///
    /// ```
    /// use molam_core::{config::ConfigBuilder, ConfigError};
    /// let name = |error| match error {
    ///     ConfigError::InvalidValue { name, .. } => name,
    ///     other => panic!("{other}"),
    /// };
    /// let from_env = ConfigBuilder::from_lookup(|name| match name {
    ///     "MOLAM_MAX_RETRIES" => Some("50".to_owned()),
    ///     _ => None,
    /// })?;
    /// let keyed = from_env.api_key("sk_test_0123456789abcdef");
    /// assert_eq!(name(keyed.clone().build().unwrap_err()), "MOLAM_MAX_RETRIES");
    /// assert_eq!(name(keyed.max_retries(50).build().unwrap_err()), "max_retries");
    /// # Ok::<(), ConfigError>(())
    /// ```
    pub fn build(mut self) -> Result<Config, ConfigError> {
        let from_env = std::mem::take(&mut self.from_env);
        self.check_and_build()
            .map_err(|error| from_env.name_variable(error))
    }

    fn check_and_build(self) -> Result<Config, ConfigError> {
        let api_key = self.api_key.ok_or(ConfigError::MissingApiKey)??;
        let api_base = base_url::normalize(&self.api_base, self.allow_insecure_http)?;
        let v = &self.api_version;
        if v.is_empty() || v.len() > 64 || !v.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid(
                "api_version",
                "must be 1 to 64 printable ASCII characters",
            ));
        }
        if !(1..=MAX_RETRIES + 1).contains(&self.retry_policy.max_attempts) {
            return Err(invalid(
                "max_retries",
                "must be 0 to 10 retries (1 to 11 attempts)",
            ));
        }
        for (name, value) in [
            ("deadline", self.retry_policy.deadline),
            ("timeout", self.timeout),
            ("connect_timeout", self.connect_timeout),
        ] {
            if value.is_zero() {
                return Err(invalid(name, "must be longer than zero"));
            }
        }
        for (i, secret) in self.webhook_secrets.iter().enumerate() {
            secret.check().map_err(|reason| {
                let at = crate::webhook::SecretListError {
                    entry: i + 1,
                    reason,
                };
                invalid("webhook_secrets", &at.to_string())
            })?;
        }
        Ok(Config {
            api_key,
            api_base,
            api_version: self.api_version,
            retry_policy: self.retry_policy,
            budget: self.budget,
            breaker: self.breaker,
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            webhook_secrets: self.webhook_secrets,
            webhook_tolerance: self.webhook_tolerance,
            allow_insecure_http: self.allow_insecure_http,
            app_info: self.app_info,
            account: self.account,
            proxy: self.proxy,
            tls_roots: self.tls_roots,
        })
    }
}

fn invalid(name: &'static str, reason: &str) -> ConfigError {
    ConfigError::InvalidValue {
        name,
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests;
