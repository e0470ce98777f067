//! Engine throughput: one large queue (50 calls/min, 260 agents, exponential handle 5 min,
//! no abandonment), one replication at a time on one thread. Criterion reports simulated
//! calls per second ("elements/s").

use ccsim::engine::simulate;
use ccsim::rng::StreamKey;
use ccsim::scenario::Scenario;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

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

fn large_queue(c: &mut Criterion) {
    let scenario =
        Scenario::from_toml_str(LARGE_QUEUE, "bench", "bench").expect("valid bench scenario");
    let key = |replication| StreamKey {
        seed: 1,
        point: 0,
        replication,
    };
    let calls = simulate(&scenario, key(0)).contacts[..]
        .iter()
        .map(|c| c.offered)
        .sum::<u64>();
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(calls));
    group.sample_size(20);
    let mut rep = 0;
    group.bench_function("large_queue_24h_260_agents", |b| {
        b.iter(|| {
            rep += 1;
            simulate(&scenario, key(rep % 4))
        })
    });
    group.finish();
}

criterion_group!(benches, large_queue);
criterion_main!(benches);
