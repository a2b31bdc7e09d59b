//! `molam webhooks sign|verify`: make and check `Molam-Signature` headers for a body read from
//! stdin, to test an endpoint by hand (`curl -H "Molam-Signature: $(molam webhooks sign …)"`).

use std::io::Read;
use std::time::Duration;

use clap::{Args, Subcommand};
use molam_core::webhook::{self, SecretResolver, WebhookSecret};
use molam_core::webhook_event::{FreshDelivery, ReceiptError};

use crate::failure::{Failure, Kind};

/// Sign or verify a webhook body (read from stdin, exactly as sent).
#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Print the Molam-Signature header for the body on stdin.
    Sign(SignArgs),
    /// Verify a Molam-Signature header for the body on stdin (exit 5 if it does not verify).
    Verify(VerifyArgs),
}

/// `molam webhooks sign`
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The signing secret (whsec_…, or kid:whsec_… to sign under a key id; a whsec_… secret
    /// is taken whole, `:` included): one entry, read and checked as MOLAM_WEBHOOK_SECRET is.
    #[arg(long, env = "MOLAM_WEBHOOK_SECRET", hide_env_values = true)]
    secret: String,
    /// The signature's timestamp, unix seconds (default: now).
    #[arg(long, allow_negative_numbers = false)]
    timestamp: Option<i64>,
    /// The key id to put in the header (kid=…).
    #[arg(long)]
    kid: Option<String>,
}

/// `molam webhooks verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A secret to try (whsec_…, or kid:whsec_… to publish it under a key id; a whsec_…
    /// secret is taken whole, `:` included); repeatable, or a comma-separated list, read and
    /// checked as MOLAM_WEBHOOK_SECRET is.
    #[arg(long, required = true)]
    secret: Vec<String>,
    /// The Molam-Signature header value.
    #[arg(long)]
    header: String,
    /// Verify as if now were this unix time (default: now).
    #[arg(long)]
    now: Option<i64>,
    /// Tolerance in seconds, past or future.
    #[arg(long, default_value_t = webhook::DEFAULT_TOLERANCE.as_secs())]
    tolerance: u64,
}

/// Runs a `webhooks` subcommand; what it prints goes to stdout.
pub fn run(command: WebhooksCommand, now_unix: i64) -> Result<String, Failure> {
    let body = read_stdin()?;
    match command {
        WebhooksCommand::Sign(args) => {
            let mut secrets = secret_list(std::slice::from_ref(&args.secret), SECRET_OR_VARIABLE)?;
            if secrets.len() != 1 {
                return Err(Failure::usage(format!(
                    "sign signs with one secret, and {SECRET_OR_VARIABLE} holds a list of {}: \
                     give one",
                    secrets.len()
                )));
            }
            let mut secret = secrets.remove(0);
            if let Some(kid) = args.kid {
                if secret.kid().is_some_and(|own| own != kid) {
                    return Err(Failure::usage(
                        "--kid and the key id in --secret (kid:secret) differ: give one",
                    ));
                }
                secret = secret.with_kid(kid);
                secret
                    .check()
                    .map_err(|e| Failure::usage(format!("invalid --kid: {e}")))?;
            }
            let timestamp = args.timestamp.unwrap_or(now_unix);
            let header = webhook::sign_header(&secret, timestamp, &body);
            // The formatter accepts anything; only a header that parses back is useful.
            webhook::SignatureHeader::parse(&header)
                .map_err(|e| Failure::usage(format!("cannot sign: {e}")))?;
            Ok(header)
        }
        WebhooksCommand::Verify(args) => {
            let secrets = secret_list(&args.secret, "--secret")?;
            let now = args.now.unwrap_or(now_unix);
            let tolerance = Duration::from_secs(args.tolerance);
            let verified = FreshDelivery::check_header(&args.header, &body, now, tolerance)
                .and_then(|fresh| {
                    let candidates = secrets.resolve(fresh.kid());
                    fresh.authenticate(&candidates)
                });
            match verified {
                Ok(_) => Ok(format!("verified: {} bytes", body.len())),
                Err(e) => Err(signature_failure(&e)),
            }
        }
    }
}

/// Where `listen` and `sign` read their secrets from, for errors.
pub const SECRET_OR_VARIABLE: &str = "--secret or MOLAM_WEBHOOK_SECRET";

/// The secrets of every `--secret` given, in order, each value a comma-separated list: read
/// and checked by the core's rule for MOLAM_WEBHOOK_SECRET ([`WebhookSecret::parse_list`]),
/// entries numbered across all the values. The error names the entry, never its text;
/// `source` says what to change.
pub fn secret_list(values: &[String], source: &str) -> Result<Vec<WebhookSecret>, Failure> {
    WebhookSecret::parse_list(&values.join(","))
        .map_err(|e| Failure::usage(format!("invalid {source}: {e}")))
}

/// Exit 5 with the core's reason, which never echoes a secret or the expected MAC.
pub fn signature_failure(error: &ReceiptError) -> Failure {
    let message = match error {
        ReceiptError::Signature(e) => format!("signature not verified: {e}"),
        other => other.to_string(),
    };
    Failure::new(Kind::Signature, message)
}

fn read_stdin() -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    std::io::stdin()
        .read_to_end(&mut body)
        .map_err(|e| Failure::other(format!("cannot read the body from stdin: {e}")))?;
    Ok(body)
}
