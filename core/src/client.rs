//! The core client: configuration, the shared retry guards, and the headers of REFERENCE.md §1.
//!
//! A shell wraps one [`Client`] and drives the [`Call`]s it prepares; the endpoint handles
//! (`client.payment_intents()`, …) live in [`crate::api`].

use std::sync::{Arc, OnceLock};

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::uri::{Authority, PathAndQuery, Scheme};
use serde::de::DeserializeOwned;

use crate::call::{
    Call, CallParts, PreparedRequest, RequestOptions, SharedState, ATTEMPT_HEADER, IDEMPOTENCY_KEY,
};
use crate::config::Config;
use crate::error::{Error, ParamError};
use crate::idempotency::IdempotencyKey;
use crate::random::RandomSource;

/// The pinned API version sent as `Molam-Version` unless overridden.
pub const DEFAULT_API_VERSION: &str = "2025-01-16";

const MOLAM_VERSION: HeaderName = HeaderName::from_static("molam-version");

/// The sans-IO Molam client. Cheap to clone; clones share the retry budget and breaker.
///
/// ```
/// use std::sync::Arc;
/// use molam_core::{call::{PreparedRequest, RequestOptions}, client::Client, config::Config};
/// use molam_core::random::SeededRandom;
///
/// let config = Config::builder().api_key("sk_test_0123456789abcdef").build().unwrap();
/// let client = Client::new(config, "example", Arc::new(SeededRandom::new(1)));
/// let request = PreparedRequest {
///     method: http::Method::GET,
///     path_and_query: "/v1/connect/payment_intents/pi_123".into(),
///     body: None,
/// };
/// let mut call = client.prepare::<serde_json::Value>(request, &RequestOptions::new());
/// let req = call.poll_request(std::time::Duration::ZERO).unwrap();
/// assert_eq!(req.uri(), "https://api.molam.com/v1/connect/payment_intents/pi_123");
/// assert_eq!(req.headers()["user-agent"], format!("molam-rust/{} (example; rust)", env!("CARGO_PKG_VERSION")));
/// assert_eq!(req.headers()["molam-attempt"], "1");
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    /// The base URL split once: scheme, authority and path prefix (often empty).
    base: Result<(Scheme, Authority, String), Error>,
    random: Arc<dyn RandomSource>,
    shared: Arc<SharedState>,
    /// Every header of a request by whether it sends an idempotency key (a POST) and a body:
    /// the client's (key, user agent, `Accept`, version, account), `Content-Type` on bodies,
    /// and slots for the idempotency key and `Molam-Attempt`, which each attempt fills.
    templates: [Arc<HeaderMap>; 4],
}

/// The index of the header template for a request with or without a key and a body.
fn template_index(key: bool, body: bool) -> usize {
    usize::from(key) * 2 + usize::from(body)
}

/// The headers common to a kind of request, built once per client. Each slot holds a
/// placeholder that every attempt replaces (or removes, for a call without a key), so the
/// copy an attempt makes does not grow (a per-request override without a slot is appended).
fn template(base: &HeaderMap, key: bool, body: bool) -> Arc<HeaderMap> {
    let mut headers = base.clone();
    if body {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    if key {
        headers.insert(IDEMPOTENCY_KEY, HeaderValue::from_static("slot"));
    }
    headers.insert(ATTEMPT_HEADER, HeaderValue::from_static("1"));
    Arc::new(headers)
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .field("user_agent", &self.user_agent())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `config`. `shell` names the transport in the `User-Agent` (e.g. `ureq`,
    /// `hyper`); `random` supplies idempotency keys and jitter seeds.
    pub fn new(config: Config, shell: &str, random: Arc<dyn RandomSource>) -> Client {
        let user_agent =
            crate::config::user_agent(env!("CARGO_PKG_VERSION"), shell, config.app_info());
        let mut authorization =
            HeaderValue::from_str(&format!("Bearer {}", config.api_key().expose_secret()))
                .expect("a validated API key is printable ASCII, so a valid header value");
        authorization.set_sensitive(true);
        let mut base_headers = HeaderMap::new();
        base_headers.insert(header::AUTHORIZATION, authorization);
        base_headers.insert(
            header::USER_AGENT,
            HeaderValue::from_str(&user_agent).expect("user agent is filtered to ASCII"),
        );
        base_headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(account) = config.account() {
            base_headers.insert(crate::account::ACCOUNT_HEADER, account.header_value());
        }
        if let Ok(version) = HeaderValue::from_str(config.api_version()) {
            base_headers.insert(MOLAM_VERSION, version);
        }
        let shared = Arc::new(SharedState::new(config.budget(), config.breaker()));
        let base = split_base(config.api_base());
        let templates = [(false, false), (false, true), (true, false), (true, true)]
            .map(|(key, body)| template(&base_headers, key, body));
        Client {
            inner: Arc::new(Inner {
                config,
                base,
                random,
                shared,
                templates,
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The retry budget and circuit breaker shared by this client's calls.
    pub fn shared_state(&self) -> &SharedState {
        &self.inner.shared
    }

    /// The `User-Agent` this client sends.
    pub fn user_agent(&self) -> &str {
        self.inner.templates[0]
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// Turns an endpoint's request into a [`Call`] with every header of REFERENCE.md §1: the key,
    /// user agent, version, `Accept`, `Content-Type` on bodies, and on POSTs the caller's
    /// idempotency key or a fresh UUID v4 that every retry reuses; and, per REFERENCE.md §6,
    /// the options' API key and `Molam-Account` in place of the client's.
    pub fn prepare<T: DeserializeOwned>(
        &self,
        request: PreparedRequest,
        options: &RequestOptions,
    ) -> Call<T> {
        let inner = &self.inner;
        let route_start = inner.base.as_ref().map_or(0, |(_, _, prefix)| prefix.len());
        let uri = match (&inner.base, options.check()) {
            (_, Err(error)) => Err(Error::InvalidParams(error)),
            (Ok((scheme, authority, prefix)), Ok(())) => {
                let path_and_query = if prefix.is_empty() {
                    PathAndQuery::try_from(request.path_and_query)
                } else {
                    PathAndQuery::try_from(format!("{prefix}{}", request.path_and_query))
                };
                path_and_query
                    .map_err(invalid_path)
                    .and_then(|path_and_query| {
                        // From its parts: `Uri::builder` would thread a `Result` through each.
                        let mut parts = http::uri::Parts::default();
                        parts.scheme = Some(scheme.clone());
                        parts.authority = Some(authority.clone());
                        parts.path_and_query = Some(path_and_query);
                        http::Uri::from_parts(parts).map_err(invalid_path)
                    })
            }
            (Err(error), Ok(())) => Err(crate::call::cold_clone(error)),
        };
        let (overrides, key_space) = self.per_request(options);
        let idempotency_key = (request.method == http::Method::POST).then(|| {
            options.get_idempotency_key().cloned().unwrap_or_else(|| {
                let mut bytes = [0u8; 16];
                inner.random.fill(&mut bytes);
                IdempotencyKey::from_random_bytes(bytes)
            })
        });
        let template = template_index(idempotency_key.is_some(), request.body.is_some());
        let mut policy = inner.config.retry_policy().clone();
        if let Some(max_attempts) = options.get_max_attempts() {
            policy.max_attempts = max_attempts.max(1);
        }
        Call::new(CallParts {
            method: request.method,
            uri,
            headers: inner.templates[template].clone(),
            overrides,
            body: request.body.unwrap_or_default(),
            idempotency_key,
            policy,
            timeout: options.get_timeout().unwrap_or(inner.config.timeout()),
            shared: inner.shared.clone(),
            random: inner.random.clone(),
            key_space,
            endpoint: OnceLock::new(),
            route_start,
        })
    }

    /// The headers a call sets over the template (REFERENCE.md §6: its own API key, account
    /// or version) and its key space in a durable store: none and empty (no allocation) for a
    /// call with the client's own.
    fn per_request(&self, options: &RequestOptions) -> (Vec<(HeaderName, HeaderValue)>, String) {
        let inner = &self.inner;
        let mut overrides = Vec::new();
        let own_key = options
            .get_api_key()
            .filter(|key| *key != inner.config.api_key());
        if let Some(key) = own_key {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", key.expose_secret()))
                .expect("a validated API key is printable ASCII, so a valid header value");
            value.set_sensitive(true);
            overrides.push((header::AUTHORIZATION, value));
        }
        let account = options.get_account().or(inner.config.account());
        if let Some(account) = options.get_account() {
            overrides.push((crate::account::ACCOUNT_HEADER, account.header_value()));
        }
        let key_space = crate::call::key_space(
            own_key.map(crate::config::ApiKey::expose_secret),
            account.map(crate::account::AccountId::as_str),
        );
        if let Some(version) = options.get_api_version() {
            // Validated by RequestOptions::api_version.
            if let Ok(value) = HeaderValue::from_str(version) {
                overrides.push((MOLAM_VERSION, value));
            }
        }
        (overrides, key_space)
    }
}

/// Splits a validated base URL (`scheme://authority[/prefix]`, no trailing slash) once, so that
/// each call only parses its own path.
fn split_base(base: &str) -> Result<(Scheme, Authority, String), Error> {
    let uri = base.parse::<http::Uri>().map_err(invalid_path)?;
    let parts = uri.into_parts();
    let (Some(scheme), Some(authority)) = (parts.scheme, parts.authority) else {
        return Err(invalid_path("the base URL has no scheme or host"));
    };
    let prefix = parts
        .path_and_query
        .map(|p| p.path().trim_end_matches('/').to_owned())
        .unwrap_or_default();
    Ok((scheme, authority, prefix))
}

fn invalid_path(e: impl std::fmt::Display) -> Error {
    Error::InvalidParams(ParamError::new("path", e.to_string()))
}

#[cfg(test)]
mod tests;
