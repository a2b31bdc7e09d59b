//! Time as the handler sees it: always handed in by the caller, never read from a clock.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time, in unix milliseconds, handed to [`crate::Mock`] by its caller.
///
/// The handler never reads a clock: tests pass whatever time they like and the server passes
/// [`MockTime::now`].
///
/// ```
/// use molam_mock::MockTime;
/// let t = MockTime::from_unix_seconds(1_700_000_000);
/// assert_eq!(t.unix_ms(), 1_700_000_000_000);
/// assert_eq!(t.plus(std::time::Duration::from_millis(1500)).unix_seconds(), 1_700_000_001);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MockTime {
    unix_ms: i64,
}

impl MockTime {
    /// The time `unix_ms` milliseconds after the unix epoch.
    pub const fn from_unix_ms(unix_ms: i64) -> Self {
        MockTime { unix_ms }
    }

    /// The time `unix_seconds` seconds after the unix epoch.
    pub const fn from_unix_seconds(unix_seconds: i64) -> Self {
        MockTime {
            unix_ms: unix_seconds.saturating_mul(1000),
        }
    }

    /// The wall clock, for shells (the server); the handler itself never calls this.
    pub fn now() -> Self {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        MockTime { unix_ms: ms }
    }

    /// Milliseconds since the unix epoch.
    pub const fn unix_ms(self) -> i64 {
        self.unix_ms
    }

    /// Whole seconds since the unix epoch (rounded down), as in objects' `created`.
    pub const fn unix_seconds(self) -> i64 {
        self.unix_ms.div_euclid(1000)
    }

    /// This time plus `d`.
    pub fn plus(self, d: Duration) -> Self {
        let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        MockTime {
            unix_ms: self.unix_ms.saturating_add(ms),
        }
    }
}
