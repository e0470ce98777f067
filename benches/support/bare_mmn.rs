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
use std::collections::{BinaryHeap, VecDeque};

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

/// What one run of [`bare_mmn_tallied`] measured: the figures `ccsim run` reports for this
/// queue, as plain sums.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TalliedOutcome {
    /// Arrivals simulated (all offered).
    pub calls: u64,
    /// Arrivals that found every server busy.
    pub queued: u64,
    /// Calls answered (all of them: nobody abandons).
    pub answered: u64,
    /// Answered within `threshold` seconds of waiting.
    pub within_threshold: u64,
    /// Σ wait of answered calls, seconds.
    pub wait: f64,
    /// Σ handle time, seconds.
    pub handle_time: f64,
    /// ∫ busy servers dt, server-seconds (occupancy's numerator).
    pub busy_time: f64,
    /// Time of the last event (the last departure), seconds.
    pub elapsed: f64,
}

/// [`bare_mmn`] keeping the per-call statistics `ccsim run` reports for an Erlang C queue
/// with one interval: offered, queued, answered, waits (so a FIFO of arrival times instead
/// of a count), answers within `threshold`, handle time, and the time-integral of busy
/// servers. The floor for an engine that must produce those figures, where [`bare_mmn`] is
/// the floor for a loop that produces none; the ratio of the two is what the statistics
/// cost at their cheapest.
pub fn bare_mmn_tallied(
    rate: f64,
    mean_service: f64,
    servers: u32,
    calls: u64,
    threshold: f64,
    seed: u64,
) -> TalliedOutcome {
    let mut arrivals_rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut service_rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x5eed);
    let mut departures: BinaryHeap<Reverse<u64>> = BinaryHeap::with_capacity(servers as usize);
    let mut waiting: VecDeque<f64> = VecDeque::with_capacity(64);
    let mut out = TalliedOutcome {
        calls: 0,
        queued: 0,
        answered: 0,
        within_threshold: 0,
        wait: 0.0,
        handle_time: 0.0,
        busy_time: 0.0,
        elapsed: 0.0,
    };
    let (mut busy, mut last_change) = (0u32, 0.0f64);
    let gap = |rng: &mut Xoshiro256PlusPlus| {
        let e: f64 = Exp1.sample(rng);
        e / rate
    };
    let mut next_arrival = gap(&mut arrivals_rng);
    loop {
        let next_departure = departures
            .peek()
            .map_or(f64::INFINITY, |d| f64::from_bits(d.0));
        if out.calls < calls && next_arrival < next_departure {
            let now = next_arrival;
            out.calls += 1;
            if busy < servers {
                out.busy_time += f64::from(busy) * (now - last_change);
                last_change = now;
                busy += 1;
                out.answered += 1;
                out.within_threshold += 1;
                let s: f64 = Exp1.sample(&mut service_rng);
                let s = s * mean_service;
                out.handle_time += s;
                departures.push(Reverse((now + s).to_bits()));
            } else {
                out.queued += 1;
                waiting.push_back(now);
            }
            next_arrival = now + gap(&mut arrivals_rng);
        } else if let Some(Reverse(bits)) = departures.pop() {
            let now = f64::from_bits(bits);
            if let Some(arrived) = waiting.pop_front() {
                let wait = now - arrived;
                out.answered += 1;
                out.wait += wait;
                out.within_threshold += u64::from(wait <= threshold);
                let s: f64 = Exp1.sample(&mut service_rng);
                let s = s * mean_service;
                out.handle_time += s;
                departures.push(Reverse((now + s).to_bits()));
            } else {
                out.busy_time += f64::from(busy) * (now - last_change);
                last_change = now;
                busy -= 1;
            }
        } else {
            break;
        }
    }
    out.elapsed = last_change;
    out
}

/// An event of [`textbook_mmn`]: the time and what happens then.
#[derive(Debug, Clone, Copy, PartialEq)]
struct TextbookEvent {
    time: f64,
    departure: bool,
}

impl Eq for TextbookEvent {}

impl PartialOrd for TextbookEvent {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for TextbookEvent {
    /// Reversed, so the max-heap pops the earliest event.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.time.total_cmp(&self.time)
    }
}

/// The M/M/n loop as it is usually first written: arrivals and departures as events in one
/// binary heap ordered by `f64::total_cmp`, a FIFO of arrival times for the waiting callers,
/// `rand_distr::Exp` draws, and the mean wait tallied. The same queue and generator as
/// [`bare_mmn`], which is tighter (arrivals kept out of the heap, integer keys, a count for
/// the queue); this one is a second, looser reference for "a bare M/M/n event loop".
pub fn textbook_mmn(
    rate: f64,
    mean_service: f64,
    servers: u32,
    calls: u64,
    seed: u64,
) -> BareOutcome {
    use rand_distr::Exp;
    let mut arrivals_rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut service_rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x5eed);
    let gap = Exp::new(rate).expect("a positive rate");
    let service = Exp::new(1.0 / mean_service).expect("a positive mean");
    let mut events: BinaryHeap<TextbookEvent> = BinaryHeap::new();
    let mut waiting: VecDeque<f64> = VecDeque::new();
    let (mut busy, mut arrived, mut waited, mut wait) = (0u32, 0u64, 0u64, 0.0f64);
    events.push(TextbookEvent {
        time: gap.sample(&mut arrivals_rng),
        departure: false,
    });
    while let Some(event) = events.pop() {
        let now = event.time;
        if event.departure {
            match waiting.pop_front() {
                Some(arrival) => {
                    wait += now - arrival;
                    events.push(TextbookEvent {
                        time: now + service.sample(&mut service_rng),
                        departure: true,
                    });
                }
                None => busy -= 1,
            }
        } else {
            arrived += 1;
            if busy < servers {
                busy += 1;
                events.push(TextbookEvent {
                    time: now + service.sample(&mut service_rng),
                    departure: true,
                });
            } else {
                waited += 1;
                waiting.push_back(now);
            }
            if arrived < calls {
                events.push(TextbookEvent {
                    time: now + gap.sample(&mut arrivals_rng),
                    departure: false,
                });
            }
        }
    }
    std::hint::black_box(wait);
    BareOutcome {
        calls: arrived,
        waited,
    }
}
