//! Why a command failed, and the exit code that says so.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | anything else (I/O, a demo check that failed) |
//! | 2 | usage: bad flags or parameters, missing or invalid configuration (nothing was sent) |
//! | 3 | the API answered with an error (4xx/5xx) |
//! | 4 | network: the API could not be reached or did not answer |
//! | 5 | a webhook signature did not verify |
//! | 6 | database |
//!
//! Messages never contain the API key or a webhook secret: the core's errors mask them, and
//! nothing here formats a key.

use std::fmt;
use std::process::ExitCode;

use molam_core::Error as CoreError;

/// A command's failure: its exit code and a one-line message for stderr.
#[derive(Debug)]
pub struct Failure {
    kind: Kind,
    message: String,
}

/// The classes of failure, each with its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 1
    Other,
    /// 2
    Usage,
    /// 3
    Api,
    /// 4
    Network,
    /// 5
    Signature,
    /// 6
    Database,
}

impl Failure {
    /// A failure of this kind.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
        }
    }

    /// Exit code 2.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::new(Kind::Usage, message)
    }

    /// Exit code 1.
    pub fn other(message: impl Into<String>) -> Self {
        Failure::new(Kind::Other, message)
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self.kind {
            Kind::Other => 1,
            Kind::Usage => 2,
            Kind::Api => 3,
            Kind::Network => 4,
            Kind::Signature => 5,
            Kind::Database => 6,
        })
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The kind of an SDK error: what the user did wrong (2), what the API said (3), the network
/// (4), a signature (5).
pub fn kind_of(error: &CoreError) -> Kind {
    match error {
        CoreError::InvalidConfig(_) | CoreError::InvalidParams(_) => Kind::Usage,
        CoreError::Api(_) | CoreError::Decode(_) => Kind::Api,
        CoreError::Transport(_) | CoreError::CircuitOpen { .. } => Kind::Network,
        CoreError::RetriesExhausted { last, .. } | CoreError::OutcomeUnknown { last, .. } => {
            kind_of(last)
        }
        CoreError::Signature(_) | CoreError::InvalidEvent { .. } => Kind::Signature,
        _ => Kind::Other,
    }
}

impl From<CoreError> for Failure {
    fn from(error: CoreError) -> Self {
        let kind = kind_of(&error);
        let mut message = error.to_string();
        if let Some(request_id) = error.request_id() {
            if !message.contains(request_id) {
                message.push_str(&format!(" (request {request_id})"));
            }
        }
        if let Some(key) = error.unknown_outcome_key() {
            message.push_str(&format!(
                "\nto finish this call exactly once, run the same command again with \
                 --idempotency-key {key}"
            ));
        }
        Failure::new(kind, message)
    }
}

impl From<molam_core::ParamError> for Failure {
    fn from(error: molam_core::ParamError) -> Self {
        Failure::usage(format!("invalid parameter: {error}"))
    }
}

impl From<molam_core::ConfigError> for Failure {
    fn from(error: molam_core::ConfigError) -> Self {
        Failure::usage(format!("invalid configuration: {error}"))
    }
}

impl From<molam_postgres::Error> for Failure {
    fn from(error: molam_postgres::Error) -> Self {
        Failure::new(Kind::Database, format!("database: {error}"))
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        Failure::other(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_outcome_prints_the_key_and_the_flag_to_rerun_with() {
        let last = CoreError::Transport(molam_core::TransportError::timeout("no answer"));
        let error = CoreError::OutcomeUnknown {
            idempotency_key: "order-7:intent".to_owned(),
            last: Box::new(last),
        };
        let failure = Failure::from(error);
        assert_eq!(failure.kind, Kind::Network);
        assert!(
            failure
                .to_string()
                .ends_with("run the same command again with --idempotency-key order-7:intent"),
            "{failure}"
        );
    }
}
