//! The floor the engine is measured against: the simplest correct M/M/n event loop. Poisson
//! arrivals, exponential service, `n` servers, an unbounded FIFO queue, the same generator as
//! the engine (Xoshiro256++ with ziggurat exponentials), a binary heap of departure times, and
//! no statistics beyond a count of callers who had to wait. Shared by `benches/engine.rs` and
//! `examples/bare_mmn.rs` (`#[path]` include), so the bench and the whole-process timing run
//! the same loop.

use rand::SeedableRng;
use rand_distr::{Distribution, Exp1};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What one run of [`bare_mmn`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BareOutcome {
    /// Arrivals simulated.
    pub calls: u64,
    /// Arrivals that found every server busy.
    pub waited: u64,
}

/// Simulates `calls` arrivals at `rate` per second to `servers` servers with exponential
/// service of mean `mean_service` seconds, then drains the queue. Departure times are
/// non-negative, so their bit patterns order like the numbers (the engine's calendar uses the
/// same trick); the queue is a count because service times are drawn when service starts.
pub fn bare_mmn(rate: f64, mean_service: f64, servers: u32, calls: u64, seed: u64) -> BareOutcome {
    let mut arrivals_rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut service_rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x5eed);
    let mut departures: BinaryHeap<Reverse<u64>> = BinaryHeap::with_capacity(servers as usize);
    let (mut busy, mut queue, mut waited, mut arrived) = (0u32, 0u64, 0u64, 0u64);
    let gap = |rng: &mut Xoshiro256PlusPlus| {
        let e: f64 = Exp1.sample(rng);
        e / rate
    };
    let mut next_arrival = gap(&mut arrivals_rng);
    loop {
        let next_departure = departures
            .peek()
            .map_or(f64::INFINITY, |d| f64::from_bits(d.0));
        if arrived < calls && next_arrival < next_departure {
            let now = next_arrival;
            arrived += 1;
            if busy < servers {
                busy += 1;
                let s: f64 = Exp1.sample(&mut service_rng);
                departures.push(Reverse((now + s * mean_service).to_bits()));
            } else {
                queue += 1;
                waited += 1;
            }
            next_arrival = now + gap(&mut arrivals_rng);
        } else if let Some(Reverse(bits)) = departures.pop() {
            let now = f64::from_bits(bits);
            if queue > 0 {
                queue -= 1;
                let s: f64 = Exp1.sample(&mut service_rng);
                departures.push(Reverse((now + s * mean_service).to_bits()));
            } else {
                busy -= 1;
            }
        } else {
            break;
        }
    }
    BareOutcome {
        calls: arrived,
        waited,
    }
}
