//! Aggregation and report cost of a long horizon, without the event loop: a year of a
//! 1,000-agent center at 30-minute intervals (17,520 intervals, 2 call types, 2 groups,
//! `benches/year_1000_agents.toml`).
//!
//! - `fold_replication`: one replication's counters folded into the streaming accumulators
//!   (what every finished replication costs; linear in intervals × (call types + groups));
//! - `summarise`: the accumulators turned into the report's estimates;
//! - `write_json`: the JSON report written directly to a byte sink.
//!
//! The whole run, engine included, is the documented command in the scenario file's header
//! (README, "Limits").

use ccsim::report::json::{write_outcome, JsonWriter};
use ccsim::scenario::Scenario;
use ccsim::stats::{OutcomeBuilder, ReplicationResult};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::Path;

fn scenario() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/year_1000_agents.toml");
    Scenario::from_file(&path).expect("bench scenario")
}

/// A replication result with every cell filled (values do not matter for the cost).
fn filled(s: &Scenario) -> ReplicationResult {
    let (k, c, g) = (
        s.simulation.intervals,
        s.call_types.len(),
        s.agent_groups.len(),
    );
    let mut r = ReplicationResult::new(k, c, g);
    for (i, cell) in r.contacts.iter_mut().enumerate() {
        cell.offered = 100 + (i % 7) as u64;
        cell.answered = 90 + (i % 5) as u64;
        cell.abandoned = cell.offered - cell.answered;
        cell.within_threshold = 80;
        cell.wait_answered = 1234.5;
        cell.wait_all = 2345.5;
    }
    for (i, (b, st)) in r.busy.iter_mut().zip(r.staffed.iter_mut()).enumerate() {
        *b = 1000.0 + i as f64;
        *st = 1800.0 * 300.0;
    }
    r
}

fn year(c: &mut Criterion) {
    let s = scenario();
    let r = filled(&s);
    let mut group = c.benchmark_group("year_17520_intervals");
    group.sample_size(10);
    group.bench_function("fold_replication", |b| {
        let mut builder = OutcomeBuilder::new(&s);
        b.iter(|| builder.add(black_box(&r)))
    });
    let mut builder = OutcomeBuilder::new(&s);
    builder.add(&r);
    builder.add(&r);
    group.bench_function("summarise", |b| b.iter(|| black_box(builder.outcome())));
    let outcome = builder.outcome();
    group.bench_function("write_json", |b| {
        b.iter(|| {
            let mut j = JsonWriter::new(Vec::with_capacity(80 << 20));
            write_outcome(&mut j, black_box(&outcome)).expect("writes to memory");
            j.into_inner().expect("writing into a Vec").len()
        })
    });
    group.finish();
}

criterion_group!(benches, year);
criterion_main!(benches);
