#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::collections::HashMap;
use std::time::Duration;

use super::*;

const KEY: &str = "sk_test_0123456789abcdef";

fn with_key() -> ConfigBuilder {
    Config::builder().api_key(KEY)
}

fn from_vars(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(|name| vars.get(name).cloned())
}

fn invalid_value_name(error: ConfigError) -> &'static str {
    match error {
        ConfigError::InvalidValue { name, .. } => name,
        other => panic!("expected InvalidValue, got {other:?}"),
    }
}

#[test]
fn defaults_follow_the_design() {
    let config = with_key().build().unwrap();
    assert_eq!(config.api_key().expose_secret(), KEY);
    assert_eq!(config.api_base(), "https://api.molam.com");
    assert_eq!(config.api_version(), "2025-01-16");
    assert_eq!(config.retry_policy(), &RetryPolicy::default());
    assert_eq!(config.retry_policy().max_attempts, 3);
    assert_eq!(config.budget(), BudgetConfig::default());
    assert_eq!(config.breaker(), BreakerConfig::default());
    assert_eq!(config.timeout(), Duration::from_secs(30));
    assert_eq!(config.connect_timeout(), Duration::from_secs(10));
    assert!(config.webhook_secrets().is_empty());
    assert_eq!(config.webhook_tolerance(), Duration::from_secs(300));
    assert!(!config.allow_insecure_http());
}

#[test]
fn config_is_clone_send_and_sync() {
    fn assert_traits<T: Clone + Send + Sync>() {}
    assert_traits::<Config>();
    assert_traits::<ConfigBuilder>();
}

#[test]
fn missing_api_key_is_rejected() {
    assert_eq!(
        Config::builder().build().unwrap_err(),
        ConfigError::MissingApiKey
    );
    assert_eq!(from_vars(&[]).unwrap_err(), ConfigError::MissingApiKey);
    assert_eq!(
        from_vars(&[("MOLAM_API_KEY", "  ")]).unwrap_err(),
        ConfigError::MissingApiKey
    );
}

#[test]
fn api_key_kinds_are_accepted_and_only_sk_live_is_live() {
    assert!(ApiKey::new("sk_live_abc").unwrap().is_live());
    assert!(!ApiKey::new("sk_test_abc").unwrap().is_live());
    assert!(!ApiKey::new("jwt_eyJhbGciOiJIUzI1NiJ9.e30.x")
        .unwrap()
        .is_live());
}

#[test]
fn malformed_api_keys_are_rejected_without_echoing_them() {
    let long = format!("sk_test_{}", "a".repeat(4096));
    for bad in [
        "",
        "sk_test_",
        "pk_test_abc",
        "sk_test_ab cd",
        "sk_test_é",
        "Bearer sk_test_a",
        &long,
    ] {
        let error = ApiKey::new(bad).unwrap_err();
        assert_eq!(error, ConfigError::InvalidApiKey, "{bad:?}");
        assert!(!error.to_string().contains("ab cd"));
    }
    assert_eq!(
        Config::builder()
            .api_key("sk_prod_secret123")
            .build()
            .unwrap_err(),
        ConfigError::InvalidApiKey
    );
}

#[test]
fn api_key_never_shows_in_debug_or_display() {
    let config = with_key().build().unwrap();
    let builder = with_key();
    for text in [
        format!("{config:?}"),
        format!("{builder:?}"),
        format!("{}", config.api_key()),
        format!("{:?}", config.api_key()),
    ] {
        assert!(!text.contains("0123456789ab"), "{text}");
        assert!(text.contains("sk_test_****cdef"), "{text}");
    }
}

#[test]
fn base_url_is_normalised_without_trailing_slash() {
    let base = |url: &str| {
        with_key()
            .api_base(url)
            .build()
            .map(|c| c.api_base().to_owned())
    };
    assert_eq!(
        base("https://api.molam.com/").unwrap(),
        "https://api.molam.com"
    );
    assert_eq!(
        base("HTTPS://API.Molam.com").unwrap(),
        "https://api.molam.com"
    );
    assert_eq!(
        base("https://gw.example.com:8443/molam//").unwrap(),
        "https://gw.example.com:8443/molam"
    );
}

#[test]
fn base_url_with_user_info_query_fragment_or_bad_port_is_rejected_without_echo() {
    for url in [
        "https://user:hunter2@api.molam.com",
        "https://api.molam.com/?a=1",
        "https://api.molam.com/#top",
        "https://api.molam.com:99999",
        "https://api.molam.com:",
        "api.molam.com",
        "ftp://api.molam.com",
        "not a url",
    ] {
        let error = with_key().api_base(url).build().unwrap_err();
        assert!(
            matches!(error, ConfigError::InvalidBaseUrl(_)),
            "{url}: {error:?}"
        );
        assert!(!error.to_string().contains("hunter2"));
    }
}

#[test]
fn plain_http_needs_the_opt_in_and_a_loopback_host() {
    let build = |url: &str, allow: bool| {
        with_key()
            .api_base(url)
            .allow_insecure_http(allow)
            .build()
            .map(|c| c.api_base().to_owned())
    };
    assert_eq!(
        build("http://127.0.0.1:12111", true).unwrap(),
        "http://127.0.0.1:12111"
    );
    assert_eq!(
        build("http://127.8.9.10", true).unwrap(),
        "http://127.8.9.10"
    );
    assert_eq!(
        build("http://[::1]:8080/", true).unwrap(),
        "http://[::1]:8080"
    );
    assert_eq!(
        build("http://LocalHost:80", true).unwrap(),
        "http://localhost:80"
    );
    assert_eq!(
        build("http://127.0.0.1:12111", false).unwrap_err(),
        ConfigError::InsecureHttp("127.0.0.1".into())
    );
    for (url, host) in [
        ("http://api.molam.com", "api.molam.com"),
        ("http://10.0.0.1", "10.0.0.1"),
        ("http://localhost.evil.com", "localhost.evil.com"),
        ("http://[::2]", "[::2]"),
    ] {
        for allow in [true, false] {
            assert_eq!(
                build(url, allow).unwrap_err(),
                ConfigError::InsecureRemoteHttp(host.into()),
                "{url}"
            );
        }
    }
}

#[test]
fn plain_http_errors_say_which_condition_failed_and_how_to_change_it() {
    let error = |url: &str, allow: bool| {
        with_key()
            .api_base(url)
            .allow_insecure_http(allow)
            .build()
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        error("http://127.0.0.1:12111", false),
        "plain http:// to 127.0.0.1 needs the opt-in for local mocks: set \
         MOLAM_ALLOW_INSECURE_HTTP=1 or call ConfigBuilder::allow_insecure_http(true)"
    );
    assert_eq!(
        error("http://example.com", true),
        "plain http:// to example.com is refused: it is not a loopback host (localhost, \
         127.0.0.0/8, [::1]), and MOLAM_ALLOW_INSECURE_HTTP / allow_insecure_http only allow \
         those; use https://"
    );
}

#[test]
fn max_retries_counts_retries_after_the_first_attempt() {
    assert_eq!(
        with_key()
            .max_retries(0)
            .build()
            .unwrap()
            .retry_policy()
            .max_attempts,
        1
    );
    assert_eq!(
        with_key()
            .max_retries(10)
            .build()
            .unwrap()
            .retry_policy()
            .max_attempts,
        11
    );
    let error = with_key().max_retries(11).build().unwrap_err();
    assert_eq!(invalid_value_name(error), "max_retries");
}

#[test]
fn retry_policy_replaces_earlier_retry_settings() {
    let policy = RetryPolicy {
        max_attempts: 2,
        jitter: false,
        ..RetryPolicy::default()
    };
    let config = with_key()
        .max_retries(7)
        .retry_policy(policy.clone())
        .build()
        .unwrap();
    assert_eq!(config.retry_policy(), &policy);
    let config = with_key()
        .retry_policy(policy)
        .deadline(Duration::from_secs(5))
        .build()
        .unwrap();
    assert_eq!(config.retry_policy().deadline, Duration::from_secs(5));
    assert_eq!(config.retry_policy().max_attempts, 2);
}

#[test]
fn zero_durations_are_rejected_naming_the_setting() {
    let zero = Duration::ZERO;
    assert_eq!(
        invalid_value_name(with_key().timeout(zero).build().unwrap_err()),
        "timeout"
    );
    assert_eq!(
        invalid_value_name(with_key().connect_timeout(zero).build().unwrap_err()),
        "connect_timeout"
    );
    assert_eq!(
        invalid_value_name(with_key().deadline(zero).build().unwrap_err()),
        "deadline"
    );
}

#[test]
fn api_version_must_be_header_safe() {
    assert_eq!(
        with_key()
            .api_version("2026-02-01")
            .build()
            .unwrap()
            .api_version(),
        "2026-02-01"
    );
    for bad in ["", "2025 01 16", "2025-01-16\r\nX-Evil: 1"] {
        assert_eq!(
            invalid_value_name(with_key().api_version(bad).build().unwrap_err()),
            "api_version"
        );
    }
}

#[test]
fn webhook_secrets_with_bad_key_ids_or_blank_secrets_are_rejected() {
    let ok = with_key()
        .webhook_secret(WebhookSecret::new("whsec_a").with_kid("k-2024_01"))
        .build();
    assert_eq!(ok.unwrap().webhook_secrets().len(), 1);
    for bad in [
        WebhookSecret::new(""),
        WebhookSecret::new("whsec a"),
        WebhookSecret::new("whsec_a").with_kid("k/1"),
    ] {
        let error = with_key().webhook_secrets([bad]).build().unwrap_err();
        assert_eq!(invalid_value_name(error.clone()), "webhook_secrets");
        assert!(error.to_string().contains("entry 1"), "{error}");
    }
}

#[test]
fn every_variable_is_read() {
    let config = from_vars(&[
        ("MOLAM_API_KEY", " sk_live_0123456789abcdef\n"),
        ("MOLAM_API_BASE", "http://127.0.0.1:12111/"),
        ("MOLAM_API_VERSION", "2026-01-01"),
        ("MOLAM_WEBHOOK_SECRET", "k2:whsec_new , whsec_old"),
        ("MOLAM_MAX_RETRIES", "5"),
        ("MOLAM_TIMEOUT_MS", "1500"),
        ("MOLAM_CONNECT_TIMEOUT_MS", "250"),
        ("MOLAM_DEADLINE_MS", "60000"),
        ("MOLAM_ALLOW_INSECURE_HTTP", "TRUE"),
    ])
    .unwrap();
    assert!(config.api_key().is_live());
    assert_eq!(config.api_base(), "http://127.0.0.1:12111");
    assert_eq!(config.api_version(), "2026-01-01");
    let secrets = config.webhook_secrets();
    assert_eq!(secrets.len(), 2);
    assert_eq!(
        (secrets[0].kid(), secrets[0].expose_secret()),
        (Some("k2"), "whsec_new")
    );
    assert_eq!(
        (secrets[1].kid(), secrets[1].expose_secret()),
        (None, "whsec_old")
    );
    assert_eq!(config.retry_policy().max_attempts, 6);
    assert_eq!(config.timeout(), Duration::from_millis(1500));
    assert_eq!(config.connect_timeout(), Duration::from_millis(250));
    assert_eq!(config.retry_policy().deadline, Duration::from_secs(60));
    assert!(config.allow_insecure_http());
}

#[test]
fn unparsable_variables_are_rejected_naming_the_variable() {
    for (name, value) in [
        ("MOLAM_MAX_RETRIES", "three"),
        ("MOLAM_MAX_RETRIES", "-1"),
        ("MOLAM_MAX_RETRIES", "11"),
        ("MOLAM_TIMEOUT_MS", "1.5"),
        ("MOLAM_TIMEOUT_MS", "0"),
        ("MOLAM_CONNECT_TIMEOUT_MS", "10s"),
        ("MOLAM_DEADLINE_MS", "0"),
        ("MOLAM_ALLOW_INSECURE_HTTP", "maybe"),
        ("MOLAM_API_VERSION", "a b"),
        ("MOLAM_WEBHOOK_SECRET", "whsec_a,,whsec_b"),
        ("MOLAM_WEBHOOK_SECRET", "bad kid:whsec_a"),
    ] {
        let error = from_vars(&[("MOLAM_API_KEY", KEY), (name, value)]).unwrap_err();
        assert_eq!(invalid_value_name(error), name, "{name}={value}");
    }
}

#[test]
fn webhook_secret_errors_never_echo_the_secret() {
    let error = from_vars(&[
        ("MOLAM_API_KEY", KEY),
        ("MOLAM_WEBHOOK_SECRET", "k1:whsec_topsecret value"),
    ])
    .unwrap_err();
    assert!(!error.to_string().contains("topsecret"), "{error}");
    assert!(!format!("{error:?}").contains("topsecret"), "{error:?}");
}

#[test]
fn a_webhook_secret_containing_a_colon_is_not_split_into_a_key_id() {
    let config = from_vars(&[
        ("MOLAM_API_KEY", KEY),
        ("MOLAM_WEBHOOK_SECRET", "whsec_a:b, k2:whsec_c:d"),
    ])
    .unwrap();
    let secrets: Vec<_> = config
        .webhook_secrets()
        .iter()
        .map(|s| (s.kid(), s.expose_secret()))
        .collect();
    assert_eq!(secrets, [(None, "whsec_a:b"), (Some("k2"), "whsec_c:d")]);
}

#[test]
fn insecure_flag_can_be_turned_off_explicitly() {
    let error = from_vars(&[
        ("MOLAM_API_KEY", KEY),
        ("MOLAM_API_BASE", "http://localhost:12111"),
        ("MOLAM_ALLOW_INSECURE_HTTP", "0"),
    ])
    .unwrap_err();
    assert_eq!(error, ConfigError::InsecureHttp("localhost".into()));
}

#[test]
fn builder_from_lookup_can_be_adjusted_before_build() {
    let builder =
        ConfigBuilder::from_lookup(|name| (name == "MOLAM_MAX_RETRIES").then(|| "1".to_owned()))
            .unwrap();
    let config = builder
        .api_key(KEY)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    assert_eq!(config.retry_policy().max_attempts, 2);
    assert_eq!(config.timeout(), Duration::from_secs(2));
}

fn builder_from_vars(vars: &[(&'static str, &'static str)]) -> ConfigBuilder {
    ConfigBuilder::from_lookup(|name| {
        vars.iter()
            .find(|(variable, _)| *variable == name)
            .map(|(_, value)| (*value).to_owned())
    })
    .unwrap()
    .api_key(KEY)
}

#[test]
fn an_out_of_range_variable_is_named_by_the_builder_as_by_from_lookup() {
    let error = builder_from_vars(&[("MOLAM_MAX_RETRIES", "50")])
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid value for MOLAM_MAX_RETRIES: must be 0 to 10 retries (1 to 11 attempts)"
    );
    for (name, value) in [
        ("MOLAM_API_VERSION", "a b"),
        ("MOLAM_TIMEOUT_MS", "0"),
        ("MOLAM_CONNECT_TIMEOUT_MS", "0"),
        ("MOLAM_DEADLINE_MS", "0"),
    ] {
        let error = builder_from_vars(&[(name, value)]).build().unwrap_err();
        assert_eq!(invalid_value_name(error), name, "{name}={value}");
    }
}

#[test]
fn a_value_given_to_the_builder_is_named_by_its_setting_even_over_a_variable() {
    let error = builder_from_vars(&[("MOLAM_MAX_RETRIES", "2")])
        .max_retries(50)
        .build()
        .unwrap_err();
    assert_eq!(invalid_value_name(error), "max_retries");
    let error = builder_from_vars(&[("MOLAM_DEADLINE_MS", "1000")])
        .retry_policy(RetryPolicy {
            deadline: Duration::ZERO,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap_err();
    assert_eq!(invalid_value_name(error), "deadline");
    let error = builder_from_vars(&[("MOLAM_WEBHOOK_SECRET", "whsec_a")])
        .webhook_secret(WebhookSecret::new("whsec a"))
        .build()
        .unwrap_err();
    assert_eq!(invalid_value_name(error), "webhook_secrets");
}

#[test]
fn a_variable_left_in_place_is_still_named_after_other_settings_change() {
    let error = builder_from_vars(&[("MOLAM_TIMEOUT_MS", "0")])
        .max_retries(3)
        .connect_timeout(Duration::from_secs(1))
        .build()
        .unwrap_err();
    assert_eq!(invalid_value_name(error), "MOLAM_TIMEOUT_MS");
}

#[test]
fn a_setter_replaces_a_malformed_webhook_secret_variable_as_any_other() {
    // A malformed list is read but not yet refused: the builder's setters come first, then
    // `build` checks what is left, naming the variable when the variable's list is kept.
    let config = builder_from_vars(&[("MOLAM_WEBHOOK_SECRET", "bad kid:whsec_a")])
        .webhook_secrets([WebhookSecret::new("whsec_good").with_kid("k1")])
        .build()
        .unwrap();
    assert_eq!(config.webhook_secrets()[0].kid(), Some("k1"));
    let error = builder_from_vars(&[("MOLAM_WEBHOOK_SECRET", "whsec_ok, bad kid:whsec_a")])
        .build()
        .unwrap_err();
    assert_eq!(invalid_value_name(error.clone()), "MOLAM_WEBHOOK_SECRET");
    assert!(error.to_string().contains("entry 2"), "{error}");
    // An empty entry is still refused while reading: it is not a secret a setter replaces.
    assert!(ConfigBuilder::from_lookup(|name| {
        (name == "MOLAM_WEBHOOK_SECRET").then(|| "whsec_a,,whsec_b".to_owned())
    })
    .is_err());
}
