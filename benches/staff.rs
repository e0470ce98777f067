//! `ccsim staff` on the bundled weekday (tier1, `service_level>=0.8`, 24 half-hour intervals)
//! with 20 and 100 replications, two worker threads, the whole search (Erlang start, raise,
//! trim, fresh-seed validation) per iteration: the figure issue point 7 asks to keep under
//! 30 s on two cores. The search is deterministic, so every iteration does the same work.

use ccsim::experiment::RunOptions;
use ccsim::scenario::Scenario;
use ccsim::staff::{search, Confidence, StaffQuery};
use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;

fn weekday_staffing(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/weekday.toml");
    let scenario = Scenario::from_file(&path).expect("bundled weekday scenario");
    let group = scenario
        .agent_groups
        .iter()
        .position(|g| g.name == "tier1")
        .expect("tier1");
    let mut g = c.benchmark_group("staff_weekday_tier1");
    g.sample_size(10);
    for replications in [20, 100] {
        let mut s = scenario.clone();
        s.simulation.replications = replications;
        let q = StaffQuery {
            scenario: s,
            group,
            targets: vec!["service_level>=0.8".parse().expect("target")],
            confidence: Confidence::Ci95,
            options: RunOptions {
                threads: Some(2),
                ..RunOptions::default()
            },
            max_simulations: 1000,
            max_agents: None,
        };
        g.bench_function(format!("replications_{replications}"), |b| {
            b.iter(|| search(&q).expect("weekday staffing"))
        });
    }
    g.finish();
}

criterion_group!(benches, weekday_staffing);
criterion_main!(benches);
