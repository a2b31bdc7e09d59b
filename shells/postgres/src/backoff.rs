//! How long a failed webhook event waits before its next attempt.

use std::time::Duration;

/// Exponential backoff: `base × 2^(attempt − 1)`, capped at `max`.
///
/// ```
/// use std::time::Duration;
/// use molam_postgres::Backoff;
/// let b = Backoff { base: Duration::from_secs(5), max: Duration::from_secs(60) };
/// assert_eq!(b.delay(1), Duration::from_secs(5));
/// assert_eq!(b.delay(3), Duration::from_secs(20));
/// assert_eq!(b.delay(10), Duration::from_secs(60));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first failed attempt.
    pub base: Duration,
    /// The longest wait.
    pub max: Duration,
}

impl Default for Backoff {
    /// 5 s, 10 s, 20 s, … up to one hour.
    fn default() -> Self {
        Backoff {
            base: Duration::from_secs(5),
            max: Duration::from_secs(3600),
        }
    }
}

impl Backoff {
    /// The wait after failed attempt number `attempt` (from 1; 0 is treated as 1).
    pub fn delay(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(31);
        self.base
            .checked_mul(1u32 << doublings)
            .map_or(self.max, |d| d.min(self.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_doubles_per_attempt_until_the_cap() {
        let b = Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_millis(700),
        };
        let delays: Vec<u128> = (0..6).map(|a| b.delay(a).as_millis()).collect();
        assert_eq!(delays, vec![100, 100, 200, 400, 700, 700]);
    }

    #[test]
    fn huge_attempt_numbers_saturate_at_the_cap() {
        let b = Backoff::default();
        assert_eq!(b.delay(u32::MAX), Duration::from_secs(3600));
    }
}
