//! `ccsim staff` on the bundled weekday (tier1, `service_level>=0.8`, 24 half-hour intervals)
//! with 20 and 100 replications, two worker threads, the whole search (Erlang start, raise,
//! trim, fresh-seed validation) per iteration: the figure issue point 7 asks to keep under
//! 30 s on two cores. The search is deterministic, so every iteration does the same work
//! (its simulation count is printed once per setting, so a change in the work shows apart from
//! a change in the speed of one simulation). Also the whole `ccsim roster` pipeline for tier1
//! with the bundled shifts (search, integer program, roster rounds) at 20 replications.

use ccsim::experiment::RunOptions;
use ccsim::scenario::Scenario;
use ccsim::staff::roster::{parse_shifts, roster, RosterQuery};
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
        eprintln!(
            "staff weekday tier1, {replications} replications: {} simulations",
            search(&q).expect("weekday staffing").simulations
        );
        g.bench_function(format!("replications_{replications}"), |b| {
            b.iter(|| search(&q).expect("weekday staffing"))
        });
        if replications == 20 {
            let shifts =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/shifts/weekday.toml");
            let text = std::fs::read_to_string(&shifts).expect("bundled shifts");
            let columns =
                parse_shifts(&text, "weekday shifts", &q.scenario, group).expect("valid shifts");
            let rq = RosterQuery {
                staff: q.clone(),
                columns,
            };
            g.bench_function("roster_replications_20", |b| {
                b.iter(|| roster(&rq).expect("weekday roster"))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, weekday_staffing);
criterion_main!(benches);
