//! Log output of the binaries (`molam-mock`, and `molam` from molam-cli): `tracing` events
//! and spans to stderr, filtered by `RUST_LOG` (`info`, `molam=debug`,
//! `molam_core=trace,molam_mock=info`, …). Nothing is installed when `RUST_LOG` is unset, so
//! the binaries print only their own output by default.
//!
//! The SDK's spans never record an API key, a webhook secret or a body (see the core's
//! `drive` module), so turning logging on reveals none.

use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the stderr subscriber when `RUST_LOG` is set. Each span is printed when it closes,
/// with its fields and timings (`molam.call{http.request.method=GET url.path=/v1/…}`).
/// An unreadable `RUST_LOG` is reported on stderr, naming `program`, and logging stays off.
pub fn init_from_env(program: &str) {
    let Ok(spec) = std::env::var("RUST_LOG") else {
        return;
    };
    if spec.trim().is_empty() {
        return;
    }
    match filter(&spec) {
        Ok(targets) => {
            let layer = tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(false)
                .with_span_events(FmtSpan::CLOSE);
            // Err only if a subscriber is already installed: then that one stays.
            let _ = tracing_subscriber::registry()
                .with(layer)
                .with(targets)
                .try_init();
        }
        Err(reason) => eprintln!("{program}: ignoring RUST_LOG: {reason}"),
    }
}

/// Parses `RUST_LOG`'s `target=level` list (span-field filters are not supported).
///
/// ```
/// use molam_mock::logging::filter;
/// assert!(filter("molam=debug,info").is_ok());
/// assert_eq!(
///     filter("molam=loud").unwrap_err(),
///     "\"molam=loud\" is not a list of target=level (levels: error, warn, info, debug, trace, off)"
/// );
/// ```
pub fn filter(spec: &str) -> Result<Targets, String> {
    spec.parse::<Targets>().map_err(|_| {
        format!(
            "{spec:?} is not a list of target=level (levels: error, warn, info, debug, trace, off)"
        )
    })
}
