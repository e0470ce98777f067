//! Engine throughput, one replication at a time on one thread. Criterion reports simulated
//! calls per second ("elements/s").
//!
//! - `engine/large_queue_24h_260_agents`: one large queue (50 calls/min, 260 agents,
//!   exponential handle 5 min, no abandonment) over a day.
//! - `mmn/bare_mmn` and `mmn/engine_mmn`: the same Erlang C queue (M/M/20, 240 calls/h,
//!   4-minute handle, ρ = 0.8; `benches/erlang_c_3m.toml`), 3,000,000 calls, run by the
//!   simplest correct M/M/n loop (`benches/support/bare_mmn.rs`) and by the engine. The ratio
//!   of their calls/s is the engine's overhead over the floor. `mmn/bare_mmn_tallied` is the
//!   same loop keeping the figures `ccsim run` reports for this queue (waits, answers within
//!   20 s, handle time, busy time): what the statistics cost at their cheapest.
//!   `mmn/textbook_mmn` is the loop as usually first written (every event in one heap ordered
//!   by `f64::total_cmp`, a FIFO of arrival times): a looser reference than `bare_mmn`.
//!
//! Written against criterion 0.5 with `std::hint::black_box`, so it also builds with 0.8.

#[path = "support/bare_mmn.rs"]
mod bare;

use ccsim::engine::simulate;
use ccsim::rng::StreamKey;
use ccsim::scenario::Scenario;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

const LARGE_QUEUE: &str = r#"
name = "bench: large queue"
[simulation]
horizon = "24h"
interval = "1h"
replications = 1
[[call_types]]
name = "general"
arrival_rate = 3000.0
handle_time = { distribution = "exponential", mean = "5m" }
[[agent_groups]]
name = "agents"
skills = ["general"]
agents = 260
"#;

/// The Erlang C queue with 3M calls (also timed as whole processes: see
/// `examples/bare_mmn.rs`).
const ERLANG_C_3M: &str = include_str!("erlang_c_3m.toml");

fn key(replication: u64) -> StreamKey {
    StreamKey {
        seed: 1,
        point: 0,
        replication,
    }
}

/// Contacts offered in one replication (after warmup).
fn offered(scenario: &Scenario) -> u64 {
    simulate(scenario, key(0))
        .contacts
        .iter()
        .map(|c| c.offered)
        .sum()
}

fn large_queue(c: &mut Criterion) {
    let scenario =
        Scenario::from_toml_str(LARGE_QUEUE, "bench", "bench").expect("valid bench scenario");
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(offered(&scenario)));
    group.sample_size(20);
    let mut rep = 0;
    group.bench_function("large_queue_24h_260_agents", |b| {
        b.iter(|| {
            rep += 1;
            simulate(black_box(&scenario), key(rep % 4))
        })
    });
    group.finish();
}

fn mmn(c: &mut Criterion) {
    let scenario =
        Scenario::from_toml_str(ERLANG_C_3M, "bench", "bench").expect("valid bench scenario");
    let calls = 3_000_000;
    let mut group = c.benchmark_group("mmn");
    group.throughput(Throughput::Elements(calls));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("bare_mmn", |b| {
        b.iter(|| bare::bare_mmn(240.0 / 3600.0, 240.0, 20, black_box(calls), 1))
    });
    group.bench_function("bare_mmn_tallied", |b| {
        b.iter(|| bare::bare_mmn_tallied(240.0 / 3600.0, 240.0, 20, black_box(calls), 20.0, 1))
    });
    group.bench_function("textbook_mmn", |b| {
        b.iter(|| bare::textbook_mmn(240.0 / 3600.0, 240.0, 20, black_box(calls), 1))
    });
    // The engine's own count is 3M ± 0.1% (Poisson arrivals over 12,500 h); the throughput
    // is stated as 3M for both so the two rates compare directly.
    group.bench_function("engine_mmn", |b| {
        b.iter(|| simulate(black_box(&scenario), key(0)))
    });
    group.finish();
}

criterion_group!(benches, large_queue, mmn);
criterion_main!(benches);
