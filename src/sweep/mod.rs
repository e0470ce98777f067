//! Parameter sweeps: a grid of scenario points (see [`grid`]), every (point × replication)
//! job in one rayon pool, each point reported as soon as its last replication finishes, and
//! the CSV bookkeeping that makes long sweeps safe to interrupt, resume, shard and merge (see
//! [`csvfile`]).
//!
//! # Points and random numbers
//! Point `p` is the row-major index into the grid (the last swept key varies fastest); it is
//! the same whether or not the sweep is sharded. Replication `r` of point `p` draws from the
//! streams keyed by `(seed, p, r)`, so every point has independent randomness and a shard
//! computes exactly the figures of the unsharded run. With `crn` every point uses stream
//! point 0 instead (common random numbers): differences between points are then not blurred
//! by sampling noise, at the price of correlated points.
//!
//! # Scheduling
//! Jobs are handed out in (point, replication) order from one counter by every worker of the
//! pool, so points finish roughly in order, at most about one point per thread is in flight
//! (memory stays bounded on huge sweeps), and stopping is clean: after [`RunControl::stop`] is
//! set no new point starts, the started ones finish and are reported. A point's
//! [`Outcome`] is built from its replications in replication order, so results are
//! bit-identical whatever the thread count.

pub mod csvfile;
pub mod grid;

use crate::engine::simulate;
use crate::experiment::Outcome;
use crate::rng::StreamKey;
use crate::scenario::Scenario;
use crate::stats::ReplicationResult;
use grid::{Axis, Grid};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Why a sweep could not run.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The user's input (keys, values, files, flags) is wrong: exit code 2.
    #[error("{0}")]
    Input(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("could not start the worker threads: {0}")]
    Pool(#[from] rayon::ThreadPoolBuildError),
}

impl SweepError {
    pub(crate) fn input(message: String) -> SweepError {
        SweepError::Input(message)
    }

    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> SweepError {
        let context = context.into();
        move |source| SweepError::Io { context, source }
    }
}

/// `--shard I/N`: this run does the points `p` with `p % N == I` (0 ≤ I < N). Round-robin
/// rather than contiguous blocks, so shards get similar work when cost grows along a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// The whole grid.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    pub fn contains(&self, point: u64) -> bool {
        point % self.count == self.index
    }
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let msg = || format!("expected I/N with 0 ≤ I < N (for example 0/4), got `{s}`");
        let (i, n) = s.split_once('/').ok_or_else(msg)?;
        let (index, count): (u64, u64) = (
            i.trim().parse().map_err(|_| msg())?,
            n.trim().parse().map_err(|_| msg())?,
        );
        if count == 0 || index >= count {
            return Err(msg());
        }
        Ok(Shard { index, count })
    }
}

/// One validated grid point.
#[derive(Debug, Clone)]
pub struct Point {
    /// Global grid index (the CSV `point` column and the stream key's point).
    pub index: u64,
    /// The swept keys' values, in axis order.
    pub labels: Vec<String>,
    pub scenario: Scenario,
}

/// Reads a sweep file:
///
/// ```toml
/// [[set]]
/// key = "agent_groups.tier1.staffing"
/// values = [[5, 6, 7], [6, 7, 8]]
/// [[set]]
/// key = "call_types.general.arrival_rate"
/// values = "100..=140:20"
/// ```
///
/// Axes come in file order.
pub fn read_sweep_file(path: &Path, base: &toml::Table) -> Result<Vec<Axis>, SweepError> {
    let name = path.display().to_string();
    let text = crate::scenario::read_input(path).map_err(|e| SweepError::input(e.to_string()))?;
    let table: toml::Table =
        toml::from_str(&text).map_err(|e| SweepError::input(format!("{name}: {}", e.message())))?;
    if let Some(k) = table.keys().find(|k| *k != "set") {
        return Err(SweepError::input(format!(
            "{name}: unknown key `{k}`: a sweep file has only [[set]] entries with `key` and `values`"
        )));
    }
    let sets = match table.get("set") {
        None => return Ok(Vec::new()),
        Some(toml::Value::Array(a)) => a,
        Some(_) => {
            return Err(SweepError::input(format!(
                "{name}: `set` must be an array of tables: write [[set]]"
            )))
        }
    };
    sets.iter()
        .enumerate()
        .map(|(i, s)| {
            let at = format!("{name}: set[{i}]");
            let t = s
                .as_table()
                .ok_or_else(|| SweepError::input(format!("{at}: must be a table")))?;
            if let Some(k) = t.keys().find(|k| *k != "key" && *k != "values") {
                return Err(SweepError::input(format!(
                    "{at}: unknown key `{k}` (allowed: key, values)"
                )));
            }
            let key = t.get("key").and_then(toml::Value::as_str).ok_or_else(|| {
                SweepError::input(format!("{at}: `key` (a dotted string) is missing"))
            })?;
            let values = t
                .get("values")
                .ok_or_else(|| SweepError::input(format!("{at}: `values` is missing")))?;
            grid::axis_from_values(key, values, base)
        })
        .collect()
}

/// A grid over a base scenario table.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub base: toml::Table,
    pub grid: Grid,
    /// Names the base scenario in messages.
    pub source: String,
    /// The scenario name when the file has none.
    pub default_name: String,
}

impl Sweep {
    /// Builds and validates the points of `shard`, in point order. Every value of every
    /// axis is first checked alone (so an error names the key and the value), then every
    /// point — all before anything runs.
    pub fn points(&self, shard: Shard) -> Result<Vec<Point>, SweepError> {
        for axis in &self.grid.axes {
            for (i, v) in axis.values.iter().enumerate() {
                let mut t = self.base.clone();
                grid::set(&mut t, &axis.key, v.clone())?;
                Scenario::from_table(t, &self.source, &self.default_name).map_err(|e| {
                    SweepError::input(format!("--set {}={}: {e}", axis.key, axis.label(i)))
                })?;
            }
        }
        let mut out = Vec::new();
        for p in (shard.index..self.grid.len()).step_by(shard.count as usize) {
            let table = self.grid.apply(&self.base, p)?;
            let labels = self.grid.labels(p);
            let scenario =
                Scenario::from_table(table, &self.source, &self.default_name).map_err(|e| {
                    let at: Vec<String> = self
                        .grid
                        .keys()
                        .iter()
                        .zip(&labels)
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    SweepError::input(format!("point {p} ({}): {e}", at.join(", ")))
                })?;
            out.push(Point {
                index: p,
                labels,
                scenario,
            });
        }
        Ok(out)
    }
}

/// How to run points.
#[derive(Debug, Clone, Copy)]
pub struct RunControl<'a> {
    /// Worker threads (`None` = all cores). Results do not depend on it.
    pub threads: Option<usize>,
    /// Draw a progress bar on stderr (only when it is a terminal).
    pub progress: bool,
    /// Common random numbers: every point uses stream point 0.
    pub crn: bool,
    /// Set (e.g. by Ctrl-C) to stop starting new points.
    pub stop: &'a AtomicBool,
}

/// How a run of points ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSummary {
    pub finished: usize,
    pub total: usize,
}

impl RunSummary {
    pub fn interrupted(&self) -> bool {
        self.finished < self.total
    }
}

struct Slot {
    results: Vec<Option<ReplicationResult>>,
    remaining: u32,
}

/// Runs every replication of every point in one pool and calls `on_done(i, outcome)` (from a
/// worker thread) as soon as point `points[i]` is complete — in completion order, which
/// depends on scheduling; the outcome itself does not. An error from `on_done` stops the run
/// (no new jobs) and is returned.
///
/// Cost: one simulation per (point, replication); memory holds the replication results of
/// the points in flight only.
pub fn run_points<F>(
    points: &[Point],
    ctl: RunControl<'_>,
    on_done: F,
) -> Result<RunSummary, SweepError>
where
    F: Fn(usize, Outcome) -> Result<(), SweepError> + Sync,
{
    let jobs: Vec<(usize, u32)> = points
        .iter()
        .enumerate()
        .flat_map(|(i, p)| (0..p.scenario.simulation.replications).map(move |r| (i, r)))
        .collect();
    let slots: Vec<Mutex<Slot>> = points
        .iter()
        .map(|p| {
            let n = p.scenario.simulation.replications;
            Mutex::new(Slot {
                results: vec![None; n as usize],
                remaining: n,
            })
        })
        .collect();
    let next = Mutex::new(0usize);
    let failed: Mutex<Option<SweepError>> = Mutex::new(None);
    let abort = AtomicBool::new(false);
    let finished = std::sync::atomic::AtomicUsize::new(0);
    let bar = progress_bar(jobs.len() as u64, points.len(), ctl.progress);

    // Hands out the next job; after a stop only jobs of points already started.
    let take = || -> Option<(usize, u32)> {
        let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
        let job = *jobs.get(*n)?;
        let stopping = ctl.stop.load(Ordering::SeqCst) && job.1 == 0;
        if stopping || abort.load(Ordering::SeqCst) {
            *n = jobs.len();
            return None;
        }
        *n += 1;
        Some(job)
    };
    let worker = || {
        while let Some((i, r)) = take() {
            let p = &points[i];
            let key = StreamKey {
                seed: p.scenario.simulation.seed,
                point: if ctl.crn { 0 } else { p.index },
                replication: r as u64,
            };
            let result = simulate(&p.scenario, key);
            bar.inc(1);
            let done = {
                let mut slot = slots[i].lock().unwrap_or_else(|e| e.into_inner());
                slot.results[r as usize] = Some(result);
                slot.remaining -= 1;
                (slot.remaining == 0).then(|| std::mem::take(&mut slot.results))
            };
            if let Some(results) = done {
                let reps: Vec<ReplicationResult> = results.into_iter().flatten().collect();
                let outcome = Outcome::from_replications(&p.scenario, &reps);
                if let Err(e) = on_done(i, outcome) {
                    abort.store(true, Ordering::SeqCst);
                    failed
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .get_or_insert(e);
                }
                let f = finished.fetch_add(1, Ordering::SeqCst) + 1;
                bar.set_message(format!("{f}/{} points", points.len()));
            }
        }
    };

    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = ctl.threads {
        builder = builder.num_threads(n);
    }
    let pool = builder.build()?;
    pool.broadcast(|_| worker());
    bar.finish_and_clear();
    if let Some(e) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    Ok(RunSummary {
        finished: finished.into_inner(),
        total: points.len(),
    })
}

fn progress_bar(jobs: u64, points: usize, visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    // Draws only when stderr is a terminal, so logs and pipes stay clean.
    let bar = ProgressBar::with_draw_target(Some(jobs), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {elapsed_precise} [{bar:24}] {pos}/{len} runs, {msg}, {rate}, eta {eta}",
    ) {
        let style = style
            .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0} runs/s", s.per_sec());
            })
            .progress_chars("=> ");
        bar.set_style(style);
    }
    bar.set_message(format!("0/{points} points"));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
        [simulation]
        horizon = "1h"
        replications = 3
        [[call_types]]
        name = "general"
        arrival_rate = 60.0
        handle_time = { distribution = "exponential", mean = "4m" }
        [[agent_groups]]
        name = "tier1"
        skills = ["general"]
        agents = 5
    "#;

    fn sweep(sets: &[&str]) -> Sweep {
        let base: toml::Table = toml::from_str(BASE).unwrap();
        let mut g = Grid::default();
        for s in sets {
            g.push(grid::parse_set(s, &base).unwrap()).unwrap();
        }
        Sweep {
            base,
            grid: g,
            source: "test".into(),
            default_name: "test".into(),
        }
    }

    #[test]
    fn shards_partition_the_grid() {
        let s = sweep(&["agent_groups.tier1.agents=4..=8", "simulation.seed=1,2"]);
        let all: Vec<u64> = s
            .points(Shard::ALL)
            .unwrap()
            .iter()
            .map(|p| p.index)
            .collect();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        let mut union: Vec<u64> = (0..3)
            .flat_map(|i| {
                s.points(Shard { index: i, count: 3 })
                    .unwrap()
                    .into_iter()
                    .map(|p| p.index)
            })
            .collect();
        union.sort();
        assert_eq!(union, all);
        assert_eq!("1/3".parse::<Shard>(), Ok(Shard { index: 1, count: 3 }));
        assert!("3/3".parse::<Shard>().is_err());
        assert!("1/0".parse::<Shard>().is_err());
    }

    #[test]
    fn invalid_values_name_the_key() {
        let s = sweep(&["agent_groups.tier1.agents=5,-1"]);
        let e = s.points(Shard::ALL).unwrap_err().to_string();
        assert!(e.contains("agent_groups.tier1.agents=-1"), "{e}");
        let s = sweep(&["simulation.horizn=1h"]);
        let e = s.points(Shard::ALL).unwrap_err().to_string();
        assert!(e.contains("simulation.horizn"), "{e}");
    }

    #[test]
    fn results_do_not_depend_on_threads() {
        let s = sweep(&["agent_groups.tier1.agents=4,5,6"]);
        let points = s.points(Shard::ALL).unwrap();
        let stop = AtomicBool::new(false);
        let run = |threads| {
            let out = Mutex::new(vec![None; points.len()]);
            let ctl = RunControl {
                threads: Some(threads),
                progress: false,
                crn: false,
                stop: &stop,
            };
            let summary = run_points(&points, ctl, |i, o| {
                out.lock().unwrap()[i] = Some(o);
                Ok(())
            })
            .unwrap();
            assert!(!summary.interrupted());
            out.into_inner().unwrap()
        };
        assert_eq!(run(1), run(2));
    }

    #[test]
    fn a_stop_before_the_start_runs_nothing() {
        let s = sweep(&["agent_groups.tier1.agents=4,5"]);
        let points = s.points(Shard::ALL).unwrap();
        let stop = AtomicBool::new(true);
        let ctl = RunControl {
            threads: Some(2),
            progress: false,
            crn: false,
            stop: &stop,
        };
        let summary = run_points(&points, ctl, |_, _| Ok(())).unwrap();
        assert_eq!(
            summary,
            RunSummary {
                finished: 0,
                total: 2
            }
        );
    }
}
