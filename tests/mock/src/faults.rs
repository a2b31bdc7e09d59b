//! Fault draws: the forced `next` list first, then a seeded draw at `rate` from the weighted
//! `mix`. The same seed and the same order of requests give the same faults.

use std::collections::VecDeque;

use crate::config::{FaultConfig, FaultKind};
use crate::ids::SplitMix;

const FAULT_SALT: u64 = 0x6661_756c_7473; // "faults"

#[derive(Debug, Clone)]
pub(crate) struct Faults {
    config: FaultConfig,
    next: VecDeque<FaultKind>,
    rng: SplitMix,
}

impl Faults {
    pub(crate) fn new(config: FaultConfig, mock_seed: u64) -> Self {
        let seed = config.seed.unwrap_or(mock_seed) ^ FAULT_SALT;
        Faults {
            next: config.next.iter().copied().collect(),
            config,
            rng: SplitMix::new(seed),
        }
    }

    /// The fault for the next `/v1/` request, if any.
    pub(crate) fn draw(&mut self) -> Option<FaultKind> {
        if let Some(kind) = self.next.pop_front() {
            return Some(kind);
        }
        if self.config.rate <= 0.0 || self.rng.next_f64() >= self.config.rate {
            return None;
        }
        let total: u64 = self.config.mix.values().map(|&w| u64::from(w)).sum();
        if total == 0 {
            return None;
        }
        let mut pick = self.rng.next_u64() % total;
        for (&kind, &weight) in &self.config.mix {
            let weight = u64::from(weight);
            if pick < weight {
                return Some(kind);
            }
            pick -= weight;
        }
        None
    }

    pub(crate) fn delay_ms(&self) -> u64 {
        self.config.delay_ms
    }

    pub(crate) fn retry_after(&self) -> u64 {
        self.config.retry_after_seconds
    }

    /// The configuration in force, `next` showing what is still queued.
    pub(crate) fn config(&self) -> FaultConfig {
        FaultConfig {
            next: self.next.iter().copied().collect(),
            ..self.config.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forced_faults_come_first_then_none_at_rate_zero() {
        let config = FaultConfig {
            next: vec![FaultKind::Http503, FaultKind::Delay],
            ..FaultConfig::off()
        };
        let mut f = Faults::new(config, 1);
        assert_eq!(f.draw(), Some(FaultKind::Http503));
        assert_eq!(f.draw(), Some(FaultKind::Delay));
        assert_eq!((0..100).filter_map(|_| f.draw()).count(), 0);
    }

    #[test]
    fn draws_are_reproducible_and_follow_rate_and_mix() {
        let config = FaultConfig {
            rate: 0.3,
            mix: [(FaultKind::Http500, 1), (FaultKind::Http429, 0)]
                .into_iter()
                .collect(),
            ..FaultConfig::off()
        };
        let a: Vec<_> = {
            let mut f = Faults::new(config.clone(), 9);
            (0..1000).map(|_| f.draw()).collect()
        };
        let mut f = Faults::new(config, 9);
        let b: Vec<_> = (0..1000).map(|_| f.draw()).collect();
        assert_eq!(a, b);
        let fired = a.iter().flatten().count();
        assert!((200..400).contains(&fired), "{fired} of 1000 at rate 0.3");
        assert!(a.iter().flatten().all(|k| *k == FaultKind::Http500));
    }
}
