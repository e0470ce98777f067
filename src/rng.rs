//! Random-number streams. Every replication owns independent streams derived from
//! `(seed, point, replication, source)`, so results do not depend on thread count or
//! scheduling, and two scenarios run with the same seed see the same arrivals, handle times
//! and patience draws (common random numbers) as long as their call types line up.
//!
//! The generator is Xoshiro256++ (`rand_xoshiro`): named, portable and stable across crate
//! versions, unlike `SmallRng`.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator every stream uses.
pub type Stream = Xoshiro256PlusPlus;

/// What a stream is used for; one stream per (purpose, call type) keeps draws aligned between
/// scenarios that differ elsewhere (staffing, routing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Inter-arrival times.
    Arrivals = 1,
    /// Handle times (drawn on arrival, so they align between scenarios).
    HandleTime = 2,
    /// Patience of waiting callers.
    Patience = 3,
    /// Whether a served contact is transferred.
    Transfer = 4,
    /// After-call work times.
    AfterCallWork = 5,
    /// Per journey: issue difficulty and decision amount.
    Issue = 6,
    /// Per contact: resolution luck and the decision to call back or redial.
    Customer = 7,
    /// Look-up hold counts and lengths.
    Hold = 8,
    /// Delays before callbacks and redials.
    ReturnDelay = 9,
    /// Supervisor consult times (index 0).
    Supervisor = 10,
    /// Shrinkage: which scheduled agents are unavailable (index: agent group).
    Shrinkage = 11,
    /// Busyness: each day's arrival factor (index 0).
    Busyness = 12,
    /// Whether a caller offered a callback (virtual hold) accepts it.
    CallbackAcceptance = 13,
    /// Which breaks are owed by agents present (index: agent group).
    Breaks = 18,
    /// Hold patience of held customers (`hold_patience`), one draw per hold.
    HoldPatience = 14,
    /// Draws of the assumption ranges for money re-scoring (index 0); never used while
    /// simulating.
    AssumptionDraws = 15,
    /// Who leaves at each day start under attrition (`[[program.attrition]]`; index: group).
    Attrition = 16,
}

/// Identifies one replication of one experiment point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamKey {
    /// The run's base seed.
    pub seed: u64,
    /// The experiment point (sweep grid index; 0 for a plain run).
    pub point: u64,
    /// The replication index.
    pub replication: u64,
}

impl StreamKey {
    /// The stream for `purpose` and call type `index` of this replication.
    pub fn stream(&self, purpose: Purpose, index: usize) -> Stream {
        let mut h = splitmix64(self.seed ^ 0x6363_7369_6d00_0000); // "ccsim"
        h = splitmix64(h ^ self.point);
        h = splitmix64(h ^ self.replication);
        h = splitmix64(h ^ purpose as u64);
        h = splitmix64(h ^ index as u64);
        Xoshiro256PlusPlus::seed_from_u64(h)
    }
}

/// SplitMix64's finaliser: a bijective 64-bit mix, so distinct inputs stay distinct per step.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_are_distinct_and_reproducible() {
        let k = StreamKey {
            seed: 1,
            point: 0,
            replication: 0,
        };
        let a: u64 = k.stream(Purpose::Arrivals, 0).random();
        assert_eq!(a, k.stream(Purpose::Arrivals, 0).random::<u64>());
        assert_ne!(a, k.stream(Purpose::Arrivals, 1).random::<u64>());
        assert_ne!(a, k.stream(Purpose::HandleTime, 0).random::<u64>());
        let k2 = StreamKey {
            replication: 1,
            ..k
        };
        assert_ne!(a, k2.stream(Purpose::Arrivals, 0).random::<u64>());
    }

    /// Guards reproducibility for a given seed across refactors: pins the first words of one
    /// stream for a fixed key, so an accidental change of algorithm, seeding or derivation
    /// (which would silently change every published result) fails loudly. These values are
    /// the same under rand 0.9/rand_xoshiro 0.7 and rand 0.10/rand_xoshiro 0.8.
    #[test]
    fn derivation_is_pinned() {
        let k = StreamKey {
            seed: 42,
            point: 3,
            replication: 7,
        };
        let mut s = k.stream(Purpose::Patience, 2);
        let words: [u64; 4] = std::array::from_fn(|_| s.random());
        assert_eq!(words, PINNED);
    }
    const PINNED: [u64; 4] = [
        7_986_212_363_755_662_653,
        5_304_947_904_029_532_071,
        14_802_111_401_591_123_325,
        15_182_181_722_238_619_905,
    ];
}
