//! Experiments: many replications of one or more scenarios run in one rayon pool, and the
//! per-replication results turned into metric series with confidence intervals.
//!
//! Parallelism is one flat iterator over (scenario × replication) jobs whose results are
//! collected in job order, so output is bit-identical whatever the thread count. Streams are
//! keyed by (seed, point, replication) — not by the scenario's position on the command line —
//! so scenarios run together share common random numbers and give the same figures as when run
//! alone.

use crate::engine::simulate;
use crate::rng::StreamKey;
use crate::scenario::Scenario;
use crate::stats::{
    contact_metrics, group_metrics, Estimate, ReplicationResult, CONTACT_METRICS, GROUP_METRICS,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use rayon::prelude::*;

/// How to run: thread count (`None` = all cores) and whether to draw a progress bar.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    pub threads: Option<usize>,
    pub progress: bool,
}

/// One unit of parallel work.
#[derive(Debug, Clone, Copy)]
pub struct Job {
    /// Index into the scenario list.
    pub scenario: usize,
    /// Experiment point (sweeps); part of the stream key.
    pub point: u64,
    pub replication: u32,
}

/// Runs every job in one pool and returns results in job order.
pub fn run_jobs(
    scenarios: &[Scenario],
    jobs: &[Job],
    options: RunOptions,
) -> Result<Vec<ReplicationResult>, rayon::ThreadPoolBuildError> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = options.threads {
        builder = builder.num_threads(n);
    }
    let pool = builder.build()?;
    let bar = progress_bar(jobs.len() as u64, options.progress);
    let results = pool.install(|| {
        jobs.par_iter()
            .map(|job| {
                let s = &scenarios[job.scenario];
                let key = StreamKey {
                    seed: s.simulation.seed,
                    point: job.point,
                    replication: job.replication as u64,
                };
                let r = simulate(s, key);
                bar.inc(1);
                r
            })
            .collect()
    });
    bar.finish_and_clear();
    Ok(results)
}

/// Runs every replication of every scenario (each with its own seed and replication count)
/// and summarises each one.
pub fn run_scenarios(
    scenarios: &[Scenario],
    options: RunOptions,
) -> Result<Vec<Outcome>, rayon::ThreadPoolBuildError> {
    let jobs: Vec<Job> = scenarios
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            (0..s.simulation.replications).map(move |r| Job {
                scenario: i,
                point: 0,
                replication: r,
            })
        })
        .collect();
    let mut results = run_jobs(scenarios, &jobs, options)?.into_iter();
    Ok(scenarios
        .iter()
        .map(|s| {
            let reps: Vec<_> = results
                .by_ref()
                .take(s.simulation.replications as usize)
                .collect();
            Outcome::from_replications(s, &reps)
        })
        .collect())
}

fn progress_bar(total: u64, visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    // Draws only when stderr is a terminal, so logs and pipes stay clean.
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] [{bar:40}] {pos}/{len} replications ({rate}, eta {eta})",
    ) {
        let style = style
            .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", s.per_sec());
            })
            .progress_chars("=> ");
        bar.set_style(style);
    }
    bar
}

/// One metric over replications: the raw per-replication values (`None` = undefined in that
/// replication) and their summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub name: &'static str,
    pub values: Vec<Option<f64>>,
    pub estimate: Option<Estimate>,
}

impl Metric {
    fn new(name: &'static str, values: Vec<Option<f64>>) -> Self {
        // Mean hold lengths when nobody was held in any replication: 0, not "undefined", so
        // plain scenarios report an object for every metric.
        const ZERO_WHEN_NONE: [&str; 2] = ["mean_hold_s", "mean_approval_hold_s"];
        let estimate = Estimate::from_values(values.iter().copied()).or_else(|| {
            ZERO_WHEN_NONE.contains(&name).then_some(Estimate {
                mean: 0.0,
                ci95: (0.0, 0.0),
                n: 0,
            })
        });
        Metric {
            name,
            values,
            estimate,
        }
    }
}

/// A named set of metrics: overall, one call type, one agent group or one interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    pub name: String,
    pub metrics: Vec<Metric>,
}

impl Scope {
    /// The metric called `name`, if this scope has it.
    pub fn get(&self, name: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.name == name)
    }
}

/// Everything reported for one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub scenario: String,
    pub seed: u64,
    pub replications: u32,
    pub overall: Scope,
    pub call_types: Vec<Scope>,
    pub agent_groups: Vec<Scope>,
    /// Per arrival interval, with its start in seconds.
    pub intervals: Vec<(f64, Scope)>,
    /// `[interval][group]`: each group's occupancy in each interval (scope name
    /// `interval:K/agent_group:NAME`), for checking a staffing plan interval by interval.
    pub interval_groups: Vec<Vec<Scope>>,
}

impl Outcome {
    /// Derives every metric of every scope from the replications' counters.
    pub fn from_replications(s: &Scenario, reps: &[ReplicationResult]) -> Outcome {
        let all = |_: usize, _: usize| true;
        let mut overall = contact_scope("overall", reps, all, Some(&all));
        let (staffing, training) = plan_costs(s);
        for (name, value) in [
            ("cost", staffing + training),
            ("staffing_cost", staffing),
            ("training_cost", training),
        ] {
            overall
                .metrics
                .push(Metric::new(name, vec![Some(value); reps.len()]));
        }
        let call_types = s
            .call_types
            .iter()
            .enumerate()
            .map(|(c, ct)| contact_scope(&ct.name, reps, |_, t| t == c, None))
            .collect();
        let agent_groups =
            s.agent_groups
                .iter()
                .enumerate()
                .map(|(g, spec)| {
                    let work: Vec<_> = reps
                        .iter()
                        .map(|r| group_metrics(&r.group_total(g)))
                        .collect();
                    let mut metrics = vec![Metric::new(
                        "occupancy",
                        reps.iter().map(|r| r.occupancy(|_, gg| gg == g)).collect(),
                    )];
                    metrics.extend(
                        GROUP_METRICS.iter().enumerate().map(|(i, name)| {
                            Metric::new(name, work.iter().map(|m| m[i]).collect())
                        }),
                    );
                    metrics.push(Metric::new(
                        "cost",
                        vec![Some(group_cost(s, g)); reps.len()],
                    ));
                    Scope {
                        name: spec.name.clone(),
                        metrics,
                    }
                })
                .collect();
        let intervals = (0..s.simulation.intervals)
            .map(|k| {
                let in_k = |i: usize, _: usize| i == k;
                let scope = contact_scope(&format!("interval:{k}"), reps, in_k, Some(&in_k));
                (k as f64 * s.simulation.interval, scope)
            })
            .collect();
        let interval_groups = (0..s.simulation.intervals)
            .map(|k| {
                s.agent_groups
                    .iter()
                    .enumerate()
                    .map(|(g, spec)| Scope {
                        name: format!("interval:{k}/agent_group:{}", spec.name),
                        metrics: vec![Metric::new(
                            "occupancy",
                            reps.iter()
                                .map(|r| r.occupancy(|i, gg| i == k && gg == g))
                                .collect(),
                        )],
                    })
                    .collect()
            })
            .collect();
        Outcome {
            scenario: s.name.clone(),
            seed: s.simulation.seed,
            replications: reps.len() as u32,
            overall,
            call_types,
            agent_groups,
            intervals,
            interval_groups,
        }
    }
}

/// Planned staffed hours × hourly cost over the horizon, plus training cost per agent of peak
/// headcount. Deterministic: it is what the plan costs, not a random outcome.
fn group_cost(s: &Scenario, g: usize) -> f64 {
    let (staffing, training) = group_costs(s, g);
    staffing + training
}

/// (staffing, training) cost of group `g`.
fn group_costs(s: &Scenario, g: usize) -> (f64, f64) {
    let spec = &s.agent_groups[g];
    let staffed_hours: f64 = spec
        .staffing
        .iter()
        .enumerate()
        .map(|(k, &n)| n as f64 * s.simulation.interval_len(k) / 3600.0)
        .sum();
    (
        spec.hourly_cost * staffed_hours,
        spec.training_cost * spec.peak_headcount() as f64,
    )
}

/// (staffing incl. supervisors, training) cost of the whole plan over the horizon.
pub fn plan_costs(s: &Scenario) -> (f64, f64) {
    let supervisors =
        s.supervisors.hourly_cost * s.supervisors.count as f64 * s.simulation.horizon / 3600.0;
    (0..s.agent_groups.len())
        .map(|g| group_costs(s, g))
        .fold((supervisors, 0.0), |(a, b), (x, y)| (a + x, b + y))
}

/// Contact metrics over the cells `keep(interval, call_type)` selects, plus occupancy over
/// the (interval, group) cells `occupancy` selects when given.
fn contact_scope(
    name: &str,
    reps: &[ReplicationResult],
    keep: impl Fn(usize, usize) -> bool,
    occupancy: Option<&dyn Fn(usize, usize) -> bool>,
) -> Scope {
    let per_rep: Vec<[Option<f64>; CONTACT_METRICS.len()]> = reps
        .iter()
        .map(|r| contact_metrics(&r.total(&keep)))
        .collect();
    let mut metrics: Vec<Metric> = CONTACT_METRICS
        .iter()
        .enumerate()
        .map(|(i, name)| Metric::new(name, per_rep.iter().map(|m| m[i]).collect()))
        .collect();
    if let Some(occ) = occupancy {
        metrics.push(Metric::new(
            "occupancy",
            reps.iter().map(|r| r.occupancy(occ)).collect(),
        ));
    }
    Scope {
        name: name.to_string(),
        metrics,
    }
}
