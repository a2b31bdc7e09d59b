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
    /// The signing secret (whsec_…).
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
    /// A secret to try (whsec_…, or kid:whsec_… to publish it under a key id); repeatable.
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
            let mut secret = WebhookSecret::new(args.secret);
            if let Some(kid) = args.kid {
                secret = secret.with_kid(kid);
            }
            let timestamp = args.timestamp.unwrap_or(now_unix);
            let header = webhook::sign_header(&secret, timestamp, &body);
            // The formatter accepts anything; only a header that parses back is useful.
            webhook::SignatureHeader::parse(&header)
                .map_err(|e| Failure::usage(format!("cannot sign: {e}")))?;
            Ok(header)
        }
        WebhooksCommand::Verify(args) => {
            let secrets: Vec<WebhookSecret> = args.secret.iter().map(|s| parse_secret(s)).collect();
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

/// `kid:whsec_…` → a secret under that key id; anything else → a secret without one.
pub(crate) fn parse_secret(text: &str) -> WebhookSecret {
    match text.split_once(':') {
        Some((kid, secret))
            if !kid.is_empty()
                && kid
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') =>
        {
            WebhookSecret::new(secret).with_kid(kid)
        }
        _ => WebhookSecret::new(text),
    }
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

#[cfg(test)]
mod tests {
    use super::parse_secret;

    #[test]
    fn a_secret_with_a_kid_prefix_is_published_under_it() {
        let secret = parse_secret("k2024:whsec_abc");
        assert_eq!(secret.kid(), Some("k2024"));
        assert_eq!(secret.expose_secret(), "whsec_abc");
    }

    #[test]
    fn a_bare_secret_has_no_kid() {
        let secret = parse_secret("whsec_abc");
        assert_eq!(secret.kid(), None);
        assert_eq!(secret.expose_secret(), "whsec_abc");
    }
}
