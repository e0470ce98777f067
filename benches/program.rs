//! A 12-week training program in a 200-agent center (`benches/program_200_training.toml`):
//!
//! - `replication_12_weeks_200_agents`: one replication, engine and day scopes included (the
//!   issue's target, 30 replications of both scenarios of a compare plus 200 assumption draws
//!   in < 60 s on 2 cores, is the documented command in the scenario file's header);
//! - `npv_payback_84_days_x200`: re-evaluating NPV and payback of an 84-day cash flow 200
//!   times, what each replication costs per batch of assumption draws;
//! - `assumption_draws_200`: the whole assumption propagation of a compare (200 draws of
//!   customer value, trainee cost and discount rate ranges re-scoring every replication's
//!   84-day cash flow, plus the NPV/payback/net-benefit sensitivity), on a paired run of the
//!   200-agent pair with 2 replications (set up once; the cost grows linearly with them).

use ccsim::compare::{assumed_money, compare};
use ccsim::engine::simulate;
use ccsim::experiment::{run_paired, RunOptions};
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

/// A 200-agent bench scenario with its money assumptions given as ranges.
fn ranged(name: &str, replications: u32) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .expect("bench scenario")
        .replacen(
            "customer_value = 200.0",
            "customer_value = { low = 100.0, mode = 200.0, high = 400.0 }",
            1,
        )
        .replacen(
            "discount_rate = 0.08",
            "discount_rate = { low = 0.0, mode = 0.08, high = 0.15 }",
            1,
        )
        .replace(
            "cost_per_trainee_day = 400.0",
            "cost_per_trainee_day = { low = 360.0, mode = 400.0, high = 480.0 }",
        );
    let mut s = Scenario::from_toml_str(&text, name, "bench").expect("bench scenario");
    s.simulation.replications = replications;
    s
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
    let (a, b) = (
        ranged("program_200_baseline.toml", 2),
        ranged("program_200_training.toml", 2),
    );
    let paired = run_paired(&a, &b, RunOptions::default()).expect("paired run");
    g.bench_function("assumption_draws_200", |bench| {
        bench.iter(|| {
            let mut c = compare(&paired);
            black_box(assumed_money(
                &mut c,
                &paired,
                &a,
                &b,
                &[],
                a.simulation.seed,
                200,
            ))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
