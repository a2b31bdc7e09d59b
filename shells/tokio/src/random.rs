//! The operating system's randomness, for idempotency keys, jitter seeds and lock tokens.

use molam_core::random::RandomSource;
use molam_core::{ConfigError, Error};

/// [`RandomSource`] over `getrandom` (the OS's CSPRNG).
#[derive(Debug, Clone, Copy)]
pub(crate) struct OsRandom;

impl OsRandom {
    /// The OS source, after checking once that it answers: a client is never built over a
    /// source that would fail later.
    pub(crate) fn checked() -> Result<OsRandom, Error> {
        let mut probe = [0u8; 16];
        getrandom::fill(&mut probe).map_err(|e| {
            Error::InvalidConfig(ConfigError::InvalidValue {
                name: "random",
                reason: format!("the operating system's random source failed: {e}"),
            })
        })?;
        Ok(OsRandom)
    }
}

impl RandomSource for OsRandom {
    fn fill(&self, buf: &mut [u8]) {
        // Checked in `OsRandom::checked`; an OS whose CSPRNG stops answering mid-process cannot
        // produce safe idempotency keys, and a predictable fallback could collide them.
        getrandom::fill(buf).expect("the OS random source answered when the client was built");
    }
}
