//! Deterministic object and request ids: the same seed and the same sequence of requests give
//! the same ids, so tests and recorded demos are reproducible.

const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// 62^11 > 2^64, so eleven digits hold any u64.
const DIGITS: usize = 11;

/// The splitmix64 output function: a bijection on u64, so distinct inputs give distinct ids.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn base62(mut n: u64, out: &mut String) {
    let mut buf = [b'0'; DIGITS];
    for slot in buf.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out.extend(buf.iter().map(|&b| char::from(b)));
}

/// Hands out ids like `pi_4fK2Vb0QxZr`: a prefix and eleven base62 digits derived from a
/// seeded counter. One counter serves every prefix, so no two ids share their digits.
#[derive(Debug, Clone)]
pub(crate) struct IdGenerator {
    seed: u64,
    next: u64,
}

impl IdGenerator {
    pub(crate) fn new(seed: u64) -> Self {
        IdGenerator { seed, next: 1 }
    }

    /// The next id with `prefix` (without the underscore).
    pub(crate) fn next(&mut self, prefix: &str) -> String {
        let n = self.next;
        self.next = self.next.wrapping_add(1);
        let mut id = String::with_capacity(prefix.len() + 1 + DIGITS);
        id.push_str(prefix);
        id.push('_');
        base62(
            mix64(self.seed.wrapping_add(n.wrapping_mul(GAMMA))),
            &mut id,
        );
        id
    }

    /// A secret-looking suffix (for `client_secret`), drawn from the same sequence.
    pub(crate) fn secret_suffix(&mut self) -> String {
        let n = self.next;
        self.next = self.next.wrapping_add(1);
        let mut s = String::with_capacity(2 * DIGITS);
        base62(mix64(self.seed ^ n.wrapping_mul(GAMMA)), &mut s);
        base62(mix64(!self.seed ^ n.wrapping_mul(GAMMA)), &mut s);
        s
    }
}

/// A small seeded generator for fault draws (splitmix64).
#[derive(Debug, Clone)]
pub(crate) struct SplitMix {
    state: u64,
}

impl SplitMix {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix { state: seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix64(self.state)
    }

    /// A uniform draw in [0, 1).
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_prefixed_fixed_width_and_distinct() {
        let mut ids = IdGenerator::new(7);
        let a = ids.next("pi");
        let b = ids.next("pi");
        assert!(a.starts_with("pi_"));
        assert_eq!(a.len(), 3 + DIGITS);
        assert_ne!(a, b);
        assert!(a[3..].bytes().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn same_seed_gives_same_ids_and_other_seed_other_ids() {
        let mut one = IdGenerator::new(42);
        let mut two = IdGenerator::new(42);
        let mut three = IdGenerator::new(43);
        let x = one.next("re");
        assert_eq!(x, two.next("re"));
        assert_ne!(x, three.next("re"));
    }
}
