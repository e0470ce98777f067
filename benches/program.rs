//! A 12-week training program in a 200-agent center (`benches/program_200_training.toml`):
//!
//! - `replication_12_weeks_200_agents`: one replication, engine and day scopes included (the
//!   issue's target, 30 replications of both scenarios of a compare plus 200 assumption draws
//!   in < 60 s on 2 cores, is the documented command in the scenario file's header);
//! - `npv_payback_84_days_x200`: re-evaluating NPV and payback of an 84-day cash flow 200
//!   times, what each replication costs per batch of assumption draws.

use ccsim::engine::simulate;
use ccsim::money::npv_payback;
use ccsim::rng::StreamKey;
use ccsim::scenario::Scenario;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::Path;

fn scenario() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/program_200_training.toml");
    Scenario::from_file(&path).expect("bench scenario")
}

fn bench(c: &mut Criterion) {
    let s = scenario();
    let mut g = c.benchmark_group("program");
    g.sample_size(10);
    g.bench_function("replication_12_weeks_200_agents", |b| {
        let key = StreamKey {
            seed: s.simulation.seed,
            point: 0,
            replication: 0,
        };
        b.iter(|| black_box(simulate(&s, key)))
    });
    let cash: Vec<f64> = (0..84)
        .map(|d| {
            if (7..33).contains(&d) {
                -5000.0
            } else {
                12000.0
            }
        })
        .collect();
    g.bench_function("npv_payback_84_days_x200", |b| {
        b.iter(|| {
            let mut total = 0.0;
            for i in 0..200 {
                let r = 0.02 + 0.0005 * f64::from(i);
                total += npv_payback(black_box(&cash), r).npv;
            }
            black_box(total)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
