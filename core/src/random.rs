//! Randomness handed in by the shells.
//!
//! The core never gathers entropy itself: idempotency keys (UUID v4) and retry jitter come from a
//! [`RandomSource`] the shell supplies (the shells use `getrandom`). Tests hand in a
//! [`SeededRandom`] so every key and every delay is reproducible.

use std::sync::atomic::{AtomicU64, Ordering};

/// A source of random bytes. Implemented for any `Fn(&mut [u8]) + Send + Sync`.
pub trait RandomSource: Send + Sync {
    /// Fills `buf` with random bytes.
    fn fill(&self, buf: &mut [u8]);

    /// A random `u64`.
    fn next_u64(&self) -> u64 {
        let mut b = [0u8; 8];
        self.fill(&mut b);
        u64::from_le_bytes(b)
    }
}

impl<F> RandomSource for F
where
    F: Fn(&mut [u8]) + Send + Sync,
{
    fn fill(&self, buf: &mut [u8]) {
        self(buf)
    }
}

/// A deterministic [`RandomSource`] for tests and reproducible simulations (SplitMix64).
///
/// Not for production keys: its output is predictable from the seed.
///
/// ```
/// use molam_core::random::{RandomSource, SeededRandom};
/// let a = SeededRandom::new(7);
/// let b = SeededRandom::new(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// ```
#[derive(Debug)]
pub struct SeededRandom {
    state: AtomicU64,
}

impl SeededRandom {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SeededRandom {
            state: AtomicU64::new(seed),
        }
    }
}

impl RandomSource for SeededRandom {
    fn fill(&self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let word = splitmix64(self.state.fetch_add(GOLDEN_GAMMA, Ordering::Relaxed));
            chunk.copy_from_slice(&word.to_le_bytes()[..chunk.len()]);
        }
    }
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// One SplitMix64 output for the state `x` (already advanced by the caller).
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(GOLDEN_GAMMA);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A small deterministic generator owned by one call, for jitter.
#[derive(Debug, Clone)]
pub(crate) struct JitterRng {
    state: u64,
}

impl JitterRng {
    pub(crate) fn new(seed: u64) -> Self {
        JitterRng { state: seed }
    }

    /// A uniform float in `[0, 1)`.
    pub(crate) fn next_unit(&mut self) -> f64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        (splitmix64(self.state) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_random_is_reproducible_and_fills_odd_lengths() {
        let (a, b) = (SeededRandom::new(1), SeededRandom::new(1));
        let (mut x, mut y) = ([0u8; 13], [0u8; 13]);
        a.fill(&mut x);
        b.fill(&mut y);
        assert_eq!(x, y);
        assert_ne!(x, [0u8; 13]);
    }

    #[test]
    fn jitter_stays_in_unit_interval() {
        let mut r = JitterRng::new(42);
        for _ in 0..10_000 {
            let u = r.next_unit();
            assert!((0.0..1.0).contains(&u), "{u}");
        }
    }
}
