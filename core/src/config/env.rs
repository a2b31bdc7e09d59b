//! Reading `MOLAM_*` variables into a [`ConfigBuilder`]. Pure: the lookup is handed in.

use std::time::Duration;

use super::ConfigBuilder;
use crate::error::ConfigError;
use crate::webhook::WebhookSecret;

/// Builder settings that `build` checks and the variables that set them, for naming errors
/// after the variable.
const VARIABLES: [(&str, &str); 6] = [
    ("api_version", "MOLAM_API_VERSION"),
    ("max_retries", "MOLAM_MAX_RETRIES"),
    ("deadline", "MOLAM_DEADLINE_MS"),
    ("timeout", "MOLAM_TIMEOUT_MS"),
    ("connect_timeout", "MOLAM_CONNECT_TIMEOUT_MS"),
    ("webhook_secrets", "MOLAM_WEBHOOK_SECRET"),
];

/// Applies every set, non-blank variable to `builder`. Values are trimmed.
pub(super) fn apply(
    mut builder: ConfigBuilder,
    mut lookup: impl FnMut(&str) -> Option<String>,
) -> Result<ConfigBuilder, ConfigError> {
    let mut get = |name: &str| {
        lookup(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    if let Some(key) = get("MOLAM_API_KEY") {
        builder = builder.api_key(key);
    }
    if let Some(base) = get("MOLAM_API_BASE") {
        builder = builder.api_base(base);
    }
    if let Some(version) = get("MOLAM_API_VERSION") {
        builder = builder.api_version(version);
        builder.from_env.read("api_version");
    }
    if let Some(list) = get("MOLAM_WEBHOOK_SECRET") {
        // Only split here: `build` checks every secret (naming this variable), so a setter
        // may still replace a malformed list, as with every other variable.
        let secrets = WebhookSecret::split_list(&list)
            .map_err(|e| invalid("MOLAM_WEBHOOK_SECRET", e.to_string()))?;
        builder = builder.webhook_secrets(secrets);
        builder.from_env.read("webhook_secrets");
    }
    if let Some(retries) = get("MOLAM_MAX_RETRIES") {
        builder = builder.max_retries(parse_number("MOLAM_MAX_RETRIES", &retries)?);
        builder.from_env.read("max_retries");
    }
    if let Some(ms) = get("MOLAM_TIMEOUT_MS") {
        builder = builder.timeout(parse_millis("MOLAM_TIMEOUT_MS", &ms)?);
        builder.from_env.read("timeout");
    }
    if let Some(ms) = get("MOLAM_CONNECT_TIMEOUT_MS") {
        builder = builder.connect_timeout(parse_millis("MOLAM_CONNECT_TIMEOUT_MS", &ms)?);
        builder.from_env.read("connect_timeout");
    }
    if let Some(ms) = get("MOLAM_DEADLINE_MS") {
        builder = builder.deadline(parse_millis("MOLAM_DEADLINE_MS", &ms)?);
        builder.from_env.read("deadline");
    }
    if let Some(flag) = get("MOLAM_ALLOW_INSECURE_HTTP") {
        builder = builder.allow_insecure_http(parse_flag("MOLAM_ALLOW_INSECURE_HTTP", &flag)?);
    }
    if let Some(account) = get("MOLAM_ACCOUNT") {
        let account = crate::account::AccountId::new(account)
            .map_err(|e| invalid("MOLAM_ACCOUNT", e.reason))?;
        builder = builder.account(account);
    }
    builder = builder.proxy(super::ProxyConfig::from_lookup(&mut lookup)?);
    Ok(builder)
}

/// The settings whose value a `MOLAM_*` variable gave and no setter has replaced since, so
/// that [`ConfigBuilder::build`] names the variable, not the setting, in an error about them.
#[derive(Debug, Clone, Default)]
pub(super) struct FromEnv(Vec<&'static str>);

impl FromEnv {
    /// `setting` now holds its variable's value.
    fn read(&mut self, setting: &'static str) {
        if !self.0.contains(&setting) {
            self.0.push(setting);
        }
    }

    /// `setting` was given explicitly: an error about it names the setting again.
    pub(super) fn replaced(&mut self, setting: &str) {
        self.0.retain(|s| *s != setting);
    }

    /// Renames an error about a setting that came from a variable after that variable.
    pub(super) fn name_variable(&self, error: ConfigError) -> ConfigError {
        match error {
            ConfigError::InvalidValue { name, reason } if self.0.contains(&name) => {
                ConfigError::InvalidValue {
                    name: VARIABLES
                        .iter()
                        .find(|(setting, _)| *setting == name)
                        .map_or(name, |(_, variable)| variable),
                    reason,
                }
            }
            other => other,
        }
    }
}

fn parse_number(name: &'static str, value: &str) -> Result<u32, ConfigError> {
    value
        .parse()
        .map_err(|_| invalid(name, "must be a whole number"))
}

fn parse_millis(name: &'static str, value: &str) -> Result<Duration, ConfigError> {
    value
        .parse()
        .map(Duration::from_millis)
        .map_err(|_| invalid(name, "must be a whole number of milliseconds"))
}

fn parse_flag(name: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        _ => Err(invalid(name, "must be 1, true, yes, 0, false or no")),
    }
}

fn invalid(name: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::InvalidValue {
        name,
        reason: reason.into(),
    }
}
