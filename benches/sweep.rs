//! A 100-point sweep (10 headcounts × 10 arrival rates, 10 replications of an 8-hour day
//! each = 1000 simulations) at 1 and 2 worker threads, including the CSV rows each point
//! produces, as `ccsim sweep --output` does (minus the file writes). The ratio of the two
//! times is the parallel speed-up of the (point × replication) pool.

use ccsim::sweep::{csvfile, grid, run_points, PointEvent, RunControl, Shard, Sweep};
use criterion::{criterion_group, criterion_main, Criterion};
use std::sync::atomic::AtomicBool;

const BASE: &str = r#"
name = "bench: 100-point sweep"
[simulation]
horizon = "8h"
interval = "1h"
replications = 10
[[call_types]]
name = "general"
arrival_rate = 600.0
handle_time = { distribution = "exponential", mean = "4m" }
patience = { distribution = "exponential", mean = "3m" }
[[agent_groups]]
name = "agents"
skills = ["general"]
agents = 40
"#;

fn hundred_points(c: &mut Criterion) {
    let base: toml::Table = toml::from_str(BASE).expect("valid bench scenario");
    let mut g = grid::Grid::default();
    for set in [
        "agent_groups.agents.agents=36..=45",
        "call_types.general.arrival_rate=500..=680:20",
    ] {
        g.push(grid::parse_set(set, &base).expect("valid --set"))
            .expect("small grid");
    }
    let sweep = Sweep {
        base,
        grid: g,
        source: "bench".into(),
        default_name: "bench".into(),
    };
    let points = sweep.points(Shard::ALL).expect("valid points");
    assert_eq!(points.len(), 100);
    let stop = AtomicBool::new(false);
    let mut group = c.benchmark_group("sweep_100_points");
    group.sample_size(10);
    for threads in [1, 2] {
        group.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| {
                let mut bytes = 0usize;
                let ctl = RunControl {
                    threads: Some(threads),
                    progress: false,
                    crn: false,
                    stop: &stop,
                    memory_limit: None,
                };
                run_points(&sweep, &points, ctl, |i, event| {
                    let p = &points[i];
                    bytes += match event {
                        PointEvent::Replication(r, b) => {
                            csvfile::replication_rows(p.index, &p.labels, r, b).len()
                        }
                        PointEvent::Done(o) => csvfile::summary_rows(p.index, &p.labels, &o).len(),
                    };
                    Ok(())
                })
                .expect("sweep runs");
                bytes
            })
        });
    }
    group.finish();
}

criterion_group!(benches, hundred_points);
criterion_main!(benches);
