//! Experiments: replications of one or more scenarios on the one [`Runner`], each finished
//! replication folded at once into streaming accumulators ([`OutcomeBuilder`]), so memory is
//! flat in the number of replications and the cost of a run is linear in replications ×
//! intervals.
//!
//! Jobs are consumed in job order, so output is bit-identical whatever the thread count.
//! Streams are keyed by (seed, point, replication) — not by the scenario's position on the
//! command line — so scenarios run together share common random numbers and give the same
//! figures as when run alone. Before anything runs, [`budget`] estimates peak memory and
//! refuses a run that would not fit.

pub mod budget;
pub mod runner;

pub use runner::{Cancel, Completion, Runner, SharedPool};

use crate::engine::simulate_reusing;
use crate::rng::StreamKey;
use crate::scenario::Scenario;
use crate::stats::{Estimate, Layout, OutcomeBuilder, PairedBuilder, ReplicationResult};
pub use crate::stats::{Metric, Outcome, Scope};
use std::sync::Mutex;

/// How to run: thread count (`None` = all cores), progress bar, cancellation flag and memory
/// budget (`None` = half of the machine's memory or of its container's limit).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Worker threads; results do not depend on it.
    pub threads: Option<usize>,
    /// Draw a progress bar on stderr.
    pub progress: bool,
    /// Stop taking new replications once set.
    pub cancel: Cancel,
    /// Refuse runs whose estimated peak memory exceeds this many bytes.
    pub memory_limit: Option<u64>,
    /// The worker pool every runner made from these options (or their clones) runs on,
    /// built by the first with `threads` workers: one pool per command.
    pub pool: SharedPool,
}

/// Memory the runner's reorder window may hold in replication results, when they are large.
const RESULTS_IN_FLIGHT_BYTES: f64 = 32e6;

/// Why a run did not produce its report.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The worker pool could not be started.
    // The cause is the `source`, printed after this by the command line (`{:#}`).
    #[error("could not start the worker threads")]
    Pool(#[from] rayon::ThreadPoolBuildError),
    /// The run would not fit in the memory budget (bad input: exit 2).
    #[error(transparent)]
    Budget(#[from] budget::BudgetError),
    /// Cancelled (Ctrl-C, SIGTERM) before every replication finished.
    #[error("interrupted")]
    Interrupted,
    /// Writing per-replication output failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl RunOptions {
    /// The runner these options describe, after checking the memory budget of running
    /// `scenarios` at once (`points_in_flight` summaries of each kept at a time).
    pub fn runner(&self, scenarios: &[&Scenario]) -> Result<Runner, RunError> {
        self.checked_runner(scenarios, budget::Extra::None)
    }

    /// [`RunOptions::runner`] for `a` and `b` paired by replication (`compare`): the
    /// estimate adds the differences' accumulators.
    pub fn paired_runner(&self, a: &Scenario, b: &Scenario) -> Result<Runner, RunError> {
        self.checked_runner(&[a, b], budget::Extra::Paired)
    }

    /// The memory check of [`RunOptions::checked_runner`] without starting the pool: what
    /// a command checks ahead of its work (a sweep checks its first point before building
    /// the rest). The thread count is `threads`, else rayon's default (`RAYON_NUM_THREADS`,
    /// else one per core), as the pool will have.
    pub fn check_budget(
        &self,
        scenarios: &[&Scenario],
        extra: budget::Extra,
    ) -> Result<budget::Estimate, RunError> {
        let threads = self.threads.unwrap_or_else(|| {
            std::env::var("RAYON_NUM_THREADS")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|&n: &usize| n > 0)
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        });
        let largest = scenarios
            .iter()
            .map(|s| budget::result_bytes(s))
            .fold(0.0, f64::max);
        let window = runner::window_for(threads, largest, RESULTS_IN_FLIGHT_BYTES);
        Ok(budget::check(
            scenarios,
            threads,
            window,
            extra,
            self.memory_limit,
        )?)
    }

    /// [`RunOptions::runner`] with what else the command holds counted in the estimate (a
    /// sweep's list of points, a staffing search's candidates: see [`budget::Extra`]).
    pub fn checked_runner(
        &self,
        scenarios: &[&Scenario],
        extra: budget::Extra,
    ) -> Result<Runner, RunError> {
        let pool = self.pool.get(self.threads)?;
        let mut runner = Runner::on_pool(pool, self.progress, self.cancel.clone());
        // Results waiting for their turn are the part of memory the window sets: hold it to
        // RESULTS_IN_FLIGHT_BYTES when results are large (long horizons at short intervals).
        let largest = scenarios
            .iter()
            .map(|s| budget::result_bytes(s))
            .fold(0.0, f64::max);
        runner.limit_window(largest, RESULTS_IN_FLIGHT_BYTES);
        budget::check(
            scenarios,
            runner.threads(),
            runner.window(),
            extra,
            self.memory_limit,
        )?;
        Ok(runner)
    }
}

/// Replication results handed back once folded, for the next replications to fill instead
/// of allocating their own (see [`crate::stats::Collector::reusing`]). Holds at most as many
/// as the runner's window lets exist at once.
#[derive(Debug, Default)]
pub struct Spares(Mutex<Vec<ReplicationResult>>);

impl Spares {
    /// No spare yet.
    pub fn new() -> Spares {
        Spares::default()
    }

    /// One replication of `s`, into a spare result when one fits.
    pub fn simulate(&self, s: &Scenario, key: StreamKey) -> ReplicationResult {
        let spare = {
            let mut spares = self.0.lock().unwrap_or_else(|e| e.into_inner());
            // With none of `s`'s shape (a sweep moved on to other intervals), one of another
            // shape is taken anyway and dropped, so that spares never pile up.
            let fit = spares.iter().rposition(|r| r.fits(s));
            fit.or(spares.len().checked_sub(1))
                .map(|i| spares.swap_remove(i))
        };
        simulate_reusing(s, key, spare)
    }

    /// Hands a result back once it has been folded in.
    pub fn give(&self, result: ReplicationResult) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(result);
    }
}

/// The stream key of replication `replication` of `s` at experiment point `point`.
pub fn stream_key(s: &Scenario, point: u64, replication: u32) -> StreamKey {
    StreamKey {
        seed: s.simulation.seed,
        point,
        replication: replication as u64,
    }
}

/// Runs every replication of every scenario (each with its own seed and replication count)
/// and summarises each one.
pub fn run_scenarios(
    scenarios: &[Scenario],
    options: RunOptions,
) -> Result<Vec<Outcome>, RunError> {
    let builders = run_builders(scenarios, options, |_, _, _| Ok(()))?;
    Ok(builders.into_iter().map(OutcomeBuilder::finish).collect())
}

/// As [`run_scenarios`] for output written as it goes: calls `on_replication(scenario index,
/// replication, builder)` after each replication is folded in, in order (scenario 0's
/// replications first): the builder's [`OutcomeBuilder::values`] are that replication's, for
/// per-replication output, and its summary so far is [`OutcomeBuilder::for_each_estimate`].
/// Builds no [`Outcome`]: at 17,520 intervals one is 40 MB.
pub fn run_scenarios_with<F>(
    scenarios: &[Scenario],
    options: RunOptions,
    on_replication: F,
) -> Result<(), RunError>
where
    F: FnMut(usize, u32, &OutcomeBuilder) -> Result<(), RunError> + Send,
{
    run_builders(scenarios, options, on_replication).map(drop)
}

/// The runs behind [`run_scenarios`] and [`run_scenarios_with`]: each scenario's builder with
/// every replication folded in.
fn run_builders<F>(
    scenarios: &[Scenario],
    options: RunOptions,
    mut on_replication: F,
) -> Result<Vec<OutcomeBuilder>, RunError>
where
    F: FnMut(usize, u32, &OutcomeBuilder) -> Result<(), RunError> + Send,
{
    let refs: Vec<&Scenario> = scenarios.iter().collect();
    let runner = options.runner(&refs)?;
    // Job j is replication j - start[i] of scenario i.
    let mut start = Vec::with_capacity(scenarios.len() + 1);
    start.push(0usize);
    for s in scenarios {
        start.push(start.last().copied().unwrap_or(0) + s.simulation.replications as usize);
    }
    let total = *start.last().unwrap_or(&0);
    let locate = |j: usize| {
        let i = start.partition_point(|&b| b <= j) - 1;
        (i, (j - start[i]) as u32)
    };
    let mut builders: Vec<OutcomeBuilder> = scenarios.iter().map(OutcomeBuilder::new).collect();
    let bar = runner.progress_bar(total as u64, "replications");
    let spares = Spares::new();
    let done = runner.ordered(
        total,
        |j| {
            let (i, r) = locate(j);
            let result = spares.simulate(&scenarios[i], stream_key(&scenarios[i], 0, r));
            bar.inc(1);
            result
        },
        |j, result| {
            let (i, r) = locate(j);
            builders[i].add(&result);
            spares.give(result);
            on_replication(i, r, &builders[i])
        },
    )?;
    bar.finish_and_clear();
    if done.interrupted() {
        return Err(RunError::Interrupted);
    }
    Ok(builders)
}

/// Two scenarios run replication by replication with common random numbers (A's seed and
/// replication count): both outcomes and the paired differences B − A (every scope when both
/// have the same scopes, else `overall` only).
pub struct Paired {
    /// A's summary.
    pub a: Outcome,
    /// B's summary.
    pub b: Outcome,
    /// B − A by value index of `layout`.
    diffs: Vec<Option<Estimate>>,
    /// Both run a training program: NPV and payback of B − A's daily cash flow.
    pub program_money: Option<crate::money::ProgramMoney>,
    /// Both run a training program: the replications' daily tallies behind that cash flow,
    /// kept for re-scoring it under the assumption ranges.
    pub program_cash: Option<crate::money::ProgramCashFlow>,
    layout: Layout,
}

impl Paired {
    /// `(metric, B − A)` for every metric of the scope with this tidy name (`overall`,
    /// `agent_group:NAME`, …), in report order; empty when that scope was not paired.
    pub fn scope_diffs(&self, tidy_scope: &str) -> Vec<(&'static str, Option<Estimate>)> {
        let mut out = Vec::new();
        self.layout.for_each_name(|i, _, scope, metric| {
            if scope == tidy_scope && i < self.diffs.len() {
                out.push((metric, self.diffs[i]));
            }
        });
        out
    }
}

/// Runs `a` and `b` with the same seed and replication count (the caller aligns them) and
/// pairs them by replication.
pub fn run_paired(a: &Scenario, b: &Scenario, options: RunOptions) -> Result<Paired, RunError> {
    let runner = options.paired_runner(a, b)?;
    let reps = a.simulation.replications.min(b.simulation.replications) as usize;
    let (mut ba, mut bb) = (OutcomeBuilder::new(a), OutcomeBuilder::new(b));
    let mut paired = PairedBuilder::new(ba.layout(), bb.layout());
    let discount = b.program.as_ref().map_or(0.0, |p| p.discount_rate);
    let mut cash = crate::money::ProgramCashFlow::new(ba.layout(), bb.layout(), discount);
    let bar = runner.progress_bar(2 * reps as u64, "replications");
    let spares = Spares::new();
    let done = runner.ordered(
        reps,
        |r| {
            let ra = spares.simulate(a, stream_key(a, 0, r as u32));
            bar.inc(1);
            let rb = spares.simulate(b, stream_key(b, 0, r as u32));
            bar.inc(1);
            (ra, rb)
        },
        |_, (ra, rb)| -> Result<(), RunError> {
            ba.add(&ra);
            bb.add(&rb);
            spares.give(ra);
            spares.give(rb);
            paired.add(&ba, &bb);
            if let Some(c) = &mut cash {
                c.add(&ba, &bb);
            }
            Ok(())
        },
    )?;
    bar.finish_and_clear();
    if done.interrupted() {
        return Err(RunError::Interrupted);
    }
    Ok(Paired {
        diffs: paired.finish(),
        program_money: cash.as_ref().and_then(|c| c.finish()),
        program_cash: cash,
        layout: ba.layout().clone(),
        a: ba.finish(),
        b: bb.finish(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        let text = r#"
            [simulation]
            horizon = "1h"
            interval = "1h"
            replications = 2
            [[call_types]]
            name = "a"
            arrival_rate = 10.0
            handle_time = { distribution = "exponential", mean = "3m" }
            [[agent_groups]]
            name = "g"
            skills = ["a"]
            agents = 2
        "#;
        Scenario::from_toml_str(text, "t", "t").unwrap()
    }

    /// Regression (issue 11, point 8): the joint roster built a pool of threads per
    /// evaluation, a comparison one per assumption range and per staffing seed. Every runner
    /// made from one set of options, or a clone of it, now runs on the same pool.
    #[test]
    fn runners_of_one_command_share_one_pool() {
        let s = scenario();
        let options = RunOptions {
            threads: Some(2),
            ..RunOptions::default()
        };
        let first = options.runner(&[&s]).unwrap();
        let paired = options.clone().paired_runner(&s, &s).unwrap();
        let cloned = RunOptions {
            progress: false,
            ..options.clone()
        }
        .runner(&[&s])
        .unwrap();
        assert!(first.shares_pool_with(&paired));
        assert!(first.shares_pool_with(&cloned));
        assert_eq!(first.threads(), 2);
        let other = RunOptions {
            threads: Some(2),
            ..RunOptions::default()
        };
        assert!(!first.shares_pool_with(&other.runner(&[&s]).unwrap()));
        // The shared pool still runs and orders work.
        let outcomes = run_scenarios(std::slice::from_ref(&s), options.clone()).unwrap();
        assert_eq!(outcomes.len(), 1);
    }
}
