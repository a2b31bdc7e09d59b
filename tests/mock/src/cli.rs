//! The command line of the `molam-mock` binary: flags → [`MockConfig`] and [`ServerOptions`].

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::{DeliveryRetry, FaultConfig, MockConfig, ServerOptions};

/// A stateful local Molam API: payment intents, refunds, payouts, events, signed webhooks,
/// idempotency and seeded fault injection, on 127.0.0.1.
///
/// Point any client at it with
/// MOLAM_API_BASE=http://127.0.0.1:12111 MOLAM_ALLOW_INSECURE_HTTP=1.
/// Control endpoints: GET /__mock/stats, GET|POST /__mock/faults, POST /__mock/advance,
/// POST /__mock/reset, GET|POST /__mock/webhooks, GET /__mock/health.
#[derive(Debug, Clone, Parser)]
#[command(name = "molam-mock", version)]
pub struct Cli {
    /// TCP port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 12111)]
    pub port: u16,

    /// Address to listen on. Keep it a loopback address: the mock has no real security.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,

    /// Seed of object ids, request ids and fault draws (same seed, same run).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Webhook endpoint that receives every event (repeatable). Plain http:// only.
    #[arg(long = "webhook-url", value_name = "URL")]
    pub webhook_urls: Vec<String>,

    /// Secret that webhook deliveries are signed with (Molam-Signature v1).
    #[arg(long, default_value = "whsec_mock_secret")]
    pub webhook_secret: String,

    /// Key id put in Molam-Signature as kid=…; an empty string leaves kid out.
    #[arg(long, default_value = "mock")]
    pub webhook_kid: String,

    /// Delivery attempts per event and endpoint before giving up.
    #[arg(long, default_value_t = 8)]
    pub webhook_max_attempts: u32,

    /// Milliseconds before the first retry of a failed delivery (doubling, at most 10 min).
    #[arg(long, default_value_t = 1000)]
    pub webhook_backoff_ms: u64,

    /// Probability (0 to 1) that a /v1/ request gets a fault.
    #[arg(long, default_value_t = 0.0)]
    pub fault_rate: f64,

    /// Faults to draw from, with weights: kind=weight,… Kinds: drop_before_processing,
    /// drop_after_commit, http_500, http_503, http_429, delay. Default: all, equally.
    #[arg(long, value_name = "MIX")]
    pub fault_mix: Option<String>,

    /// How long a delay fault holds a request, in milliseconds.
    #[arg(long, default_value_t = 250)]
    pub fault_delay_ms: u64,

    /// Retry-After seconds sent with 429 and 503 faults.
    #[arg(long, default_value_t = 1)]
    pub fault_retry_after: u64,

    /// Serve HTTPS on a self-signed certificate for localhost and 127.0.0.1, made at start.
    #[arg(long)]
    pub tls: bool,

    /// With --tls: write the certificate (PEM) here so clients can trust it.
    #[arg(long, value_name = "PATH", requires = "tls")]
    pub cert_out: Option<PathBuf>,

    /// With --tls: write the certificate's private key (PEM) here.
    #[arg(long, value_name = "PATH", requires = "tls")]
    pub key_out: Option<PathBuf>,

    /// Add a field to every object answered and delivered, as a later API version would:
    /// NAME=JSON, e.g. --extra-field 'risk={"score":3}' (repeatable).
    #[arg(long = "extra-field", value_name = "NAME=JSON")]
    pub extra_fields: Vec<String>,

    /// Worker threads of the server's runtime.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
}

impl Cli {
    /// The mock's configuration and the server's options these flags describe.
    ///
    /// ```
    /// use clap::Parser;
    /// use molam_mock::cli::Cli;
    /// let cli = Cli::parse_from(["molam-mock", "--seed", "7", "--fault-rate", "0.1", "--fault-mix", "http_503=2"]);
    /// let (config, options) = cli.into_config().unwrap();
    /// assert_eq!((config.seed, config.faults.rate), (7, 0.1));
    /// assert_eq!(options.addr.port(), 12111);
    ///
    /// let cli = Cli::parse_from(["molam-mock", "--extra-field", r#"risk={"score":3}"#]);
    /// let (config, _) = cli.into_config().unwrap();
    /// assert_eq!(config.extra_object_fields["risk"], serde_json::json!({"score": 3}));
    /// ```
    pub fn into_config(self) -> Result<(MockConfig, ServerOptions), String> {
        let mut faults = FaultConfig {
            rate: self.fault_rate,
            delay_ms: self.fault_delay_ms,
            retry_after_seconds: self.fault_retry_after,
            ..FaultConfig::off()
        };
        if let Some(mix) = &self.fault_mix {
            faults.mix = FaultConfig::parse_mix(mix)?;
        }
        faults.validate()?;
        for url in &self.webhook_urls {
            if !url.starts_with("http://") || url.parse::<http::Uri>().is_err() {
                return Err(format!(
                    "--webhook-url {url:?}: must be an absolute http:// URL"
                ));
            }
        }
        let mut extra_object_fields = BTreeMap::new();
        for field in &self.extra_fields {
            let (name, value) = field
                .split_once('=')
                .filter(|(name, _)| !name.is_empty())
                .ok_or_else(|| format!("--extra-field {field:?}: expected NAME=JSON"))?;
            let value = serde_json::from_str(value)
                .map_err(|e| format!("--extra-field {name}: the value is not JSON ({e})"))?;
            extra_object_fields.insert(name.to_owned(), value);
        }
        let config = MockConfig {
            seed: self.seed,
            webhook_secret: self.webhook_secret,
            webhook_kid: Some(self.webhook_kid).filter(|k| !k.is_empty()),
            webhook_urls: self.webhook_urls,
            webhook_retry: DeliveryRetry {
                max_attempts: self.webhook_max_attempts.max(1),
                initial_backoff: Duration::from_millis(self.webhook_backoff_ms),
                ..DeliveryRetry::default()
            },
            faults,
            extra_object_fields,
        };
        let options = ServerOptions {
            addr: SocketAddr::new(self.host, self.port),
            tls: self.tls,
            cert_out: self.cert_out,
            key_out: self.key_out,
            worker_threads: self.threads.max(1),
            limits: molam_axum::ServeOptions::default(),
        };
        Ok((config, options))
    }
}
