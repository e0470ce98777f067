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
//! Every (point, replication) is one job of the shared runner
//! ([`crate::experiment::Runner`]), consumed in (point, replication) order: points finish in
//! order, only the point being folded has a summary in memory (memory stays bounded on huge
//! sweeps), and stopping is clean: after [`RunControl::stop`] is set no new replication
//! starts and the points finished by then are reported. A point's [`Outcome`] is built from
//! its replications in replication order, so results are bit-identical whatever the thread
//! count.

pub mod csvfile;
pub mod grid;

use crate::experiment::{budget, Cancel, Outcome, RunError, RunOptions, Spares};
use crate::rng::StreamKey;
use crate::scenario::Scenario;
use crate::stats::OutcomeBuilder;
use grid::{Axis, Grid};
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Why a sweep could not run.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The user's input (keys, values, files, flags) is wrong: exit code 2.
    #[error("{0}")]
    Input(String),
    /// A file could not be read or written (exit code 1). Displayed as the context alone: the
    /// OS error is the `source`, which the command line prints after it (`{:#}`); naming it
    /// here too printed it twice ("…: No space left on device: No space left on device").
    #[error("{context}")]
    Io {
        /// What was being done, naming the file.
        context: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The worker thread pool could not be built (the cause is the `source`, as for `Io`).
    #[error("could not start the worker threads")]
    Pool(#[from] rayon::ThreadPoolBuildError),
}

impl SweepError {
    pub(crate) fn input(message: String) -> SweepError {
        SweepError::Input(message)
    }

    /// An I/O error with what was being done (`context`: "cannot append to FILE"), as a
    /// closure for `map_err`.
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> SweepError {
        let context = context.into();
        move |source| SweepError::Io { context, source }
    }
}

/// `--shard I/N`: this run does the points `p` with `p % N == I` (0 ≤ I < N). Round-robin
/// rather than contiguous blocks, so shards get similar work when cost grows along a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard's number I, 0 ≤ I < N.
    pub index: u64,
    /// The number of shards N.
    pub count: u64,
}

impl Shard {
    /// The whole grid.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// True when grid point `point` belongs to this shard.
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

/// The bytes of a point's rows a sweep holds before writing them out (the command line's
/// `POINT_CHUNK`): see [`Sweep::rows_bytes`].
pub const ROWS_CHUNK: f64 = (8 << 20) as f64;

/// One validated grid point. Its scenario is not kept (a million-point grid would hold a
/// million scenarios): [`Sweep::scenario`] rebuilds it when the point runs.
#[derive(Debug, Clone)]
pub struct Point {
    /// Global grid index (the CSV `point` column and the stream key's point).
    pub index: u64,
    /// The swept keys' values, in axis order.
    pub labels: Vec<String>,
    /// The point's replications (`simulation.replications` may be swept).
    pub replications: u32,
    /// The point's queue is overloaded in some interval (see
    /// [`Scenario::overloaded_intervals`]).
    pub overloaded: bool,
    /// An email type of the point falls behind for good (see
    /// [`Scenario::deferred_overloads`]).
    pub email_behind: bool,
    /// Its memory estimate for one replication in flight and one running, bytes (see
    /// [`crate::experiment::budget`]): the sweep's budget is checked on the largest point.
    pub memory: f64,
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
/// Axes come in file order. A file whose parse would take more than `memory_budget` bytes is
/// refused before parsing (see [`crate::scenario::parse_peak_bytes`]).
pub fn read_sweep_file(
    path: &Path,
    base: &toml::Table,
    memory_budget: u64,
) -> Result<Vec<Axis>, SweepError> {
    let name = path.display().to_string();
    let text = crate::scenario::read_input_within(path, memory_budget)
        .map_err(|e| SweepError::input(e.to_string()))?;
    let table =
        crate::scenario::toml_table(&text, &name).map_err(|e| SweepError::input(e.to_string()))?;
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
            let key = match t.get("key") {
                Some(toml::Value::String(k)) => k,
                Some(other) => {
                    return Err(SweepError::input(format!(
                        "{at}.key: expected a dotted key as a string, such as \"agent_groups.tier1.agents\", found {}",
                        describe(other)
                    )))
                }
                None => {
                    return Err(SweepError::input(format!(
                        "{at}: `key` (a dotted string such as \"agent_groups.tier1.agents\") is missing"
                    )))
                }
            };
            let values = t
                .get("values")
                .ok_or_else(|| SweepError::input(format!("{at}: `values` is missing")))?;
            // The entry's own errors name the file and the entry, not only the key.
            grid::axis_from_values(key, values, base).map_err(|e| match e {
                SweepError::Input(m) => SweepError::input(format!("{at}: {m}")),
                other => other,
            })
        })
        .collect()
}

/// "the integer 5", "an array": what a TOML value is, for messages.
fn describe(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("the string {s:?}"),
        toml::Value::Integer(i) => format!("the integer {i}"),
        toml::Value::Float(f) => format!("the number {f}"),
        toml::Value::Boolean(b) => format!("the boolean {b}"),
        toml::Value::Datetime(d) => format!("the date {d}"),
        toml::Value::Array(_) => "an array".into(),
        toml::Value::Table(_) => "a table".into(),
    }
}

/// A grid over a base scenario table.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The base scenario file as a TOML table, before any point's values are applied.
    pub base: toml::Table,
    /// The swept keys and their values.
    pub grid: Grid,
    /// Names the base scenario in messages.
    pub source: String,
    /// The scenario name when the file has none.
    pub default_name: String,
}

impl Sweep {
    /// Bytes one [`Point`] of this grid takes in a list: the record, its labels' vector and
    /// each label's text at the longest value of its axis (allocations rounded to 16 bytes,
    /// plus 16 of the allocator's own). What the memory budget counts per point.
    pub fn point_bytes(&self) -> f64 {
        let round = |n: usize| n.div_ceil(16) * 16 + 16;
        let labels: usize = self
            .grid
            .axes
            .iter()
            .map(|a| {
                let longest = (0..a.values.len()).map(|i| a.label(i).len()).max();
                round(longest.unwrap_or(0))
            })
            .sum();
        (std::mem::size_of::<Point>() + round(self.grid.axes.len() * 24) + labels) as f64
    }

    /// An upper end of the bytes the command holds for the text of the point being written
    /// when its scenario is `s`: its CSV rows, a line per value of the layout for each
    /// replication (`r` bytes) and for its summary (`s`), each built whole in a vector that
    /// grows by doubling (up to twice its length) and copied into the point's buffer, which
    /// keeps up to [`ROWS_CHUNK`] bytes before writing them and grows by doubling too: a
    /// replication's text, its copy and slack (3r), or the buffer grown for the summary and
    /// the summary's text (2r + 2s), plus two chunks. Not counted, a sweep to a CSV file of
    /// 100,000 one-minute intervals peaked at 962 MB against an estimate of 369, and one of
    /// a year at 30-minute intervals at 220 against 106.
    pub fn rows_bytes(&self, s: &Scenario) -> f64 {
        // A field with a comma, quote or line break is quoted, its quotes doubled.
        let field = |text: &str| {
            let special = text.contains([',', '"', '\n', '\r']);
            (text.len()
                + if special {
                    text.matches('"').count() + 2
                } else {
                    0
                }
                + 1) as f64
        };
        let labels: f64 = (self.grid.axes.iter())
            .map(|a| {
                (0..a.values.len())
                    .map(|i| field(&a.label(i)))
                    .fold(0.0, f64::max)
            })
            .sum();
        let digits = |n: u64| n.max(1).to_string().len() as f64 + 1.0;
        // A swept `simulation.replications` may exceed the scenario's.
        let swept =
            (self.grid.axes.iter()).any(|a| grid::normal_key(&a.key) == grid::REPLICATIONS_KEY);
        let replication = if swept {
            digits(u64::from(u32::MAX))
        } else {
            digits(u64::from(s.simulation.replications))
        };
        // The scenario's name, the point and the labels; then a replication and its value,
        // or a mean and its interval, each number up to 20 characters (17 digits, a point
        // and a leading "0.": smaller figures are rare), and the line's end.
        let prefix = field(&s.name) + digits(self.grid.len()) + labels;
        let number = 21.0;
        let r = crate::stats::Layout::text_bytes(s, prefix + replication + number + 4.0);
        let s = crate::stats::Layout::text_bytes(s, prefix + 1.0 + 3.0 * number + 1.0);
        (3.0 * r).max(2.0 * (r + s)) + 2.0 * ROWS_CHUNK
    }

    /// What a run of `count` points holds besides the points in flight: the list of points
    /// (by the caller, and a copy of the points still to run when a file is resumed:
    /// counted twice) and the text of the point being written (that of `largest`).
    pub fn held(&self, largest: Option<&Scenario>, count: u64) -> budget::Extra {
        budget::Extra::Sweep {
            count,
            bytes: count as f64 * (2.0 * self.point_bytes() + 8.0),
            rows: largest.map_or(0.0, |s| self.rows_bytes(s)),
        }
    }

    /// Points of `shard`.
    pub fn shard_len(&self, shard: Shard) -> u64 {
        self.grid
            .len()
            .saturating_sub(shard.index)
            .div_ceil(shard.count)
    }

    /// Builds and validates the points of `shard`, in point order. Every value of every
    /// axis is first checked alone (so an error names the key and the value), then every
    /// point — all before anything runs. Memory: one scenario at a time, plus
    /// [`Sweep::point_bytes`] a point (about 100-200 bytes).
    pub fn points(&self, shard: Shard) -> Result<Vec<Point>, SweepError> {
        for axis in &self.grid.axes {
            for (i, v) in axis.values.iter().enumerate() {
                let mut t = self.base.clone();
                grid::set(&mut t, &axis.key, v.clone())?;
                Scenario::from_table(t, &self.source, &self.default_name).map_err(|e| {
                    // Neutral about where the axis came from (--set or a sweep file).
                    SweepError::input(format!("{}={}: {e}", axis.key, axis.label(i)))
                })?;
            }
        }
        let mut out = Vec::new();
        for p in (shard.index..self.grid.len()).step_by(shard.count as usize) {
            let scenario = self.scenario(p)?;
            out.push(Point {
                index: p,
                labels: self.grid.labels(p),
                replications: scenario.simulation.replications,
                overloaded: !scenario.overloaded_intervals().is_empty(),
                email_behind: !scenario.deferred_overloads().is_empty(),
                memory: budget::estimate(&[&scenario], 1, 1).total(),
            });
        }
        Ok(out)
    }

    /// The base scenario with point `p`'s values applied, validated.
    pub fn scenario(&self, p: u64) -> Result<Scenario, SweepError> {
        let table = self.grid.apply(&self.base, p)?;
        Scenario::from_table(table, &self.source, &self.default_name).map_err(|e| {
            let at: Vec<String> = self
                .grid
                .keys()
                .iter()
                .zip(self.grid.labels(p))
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            SweepError::input(format!("point {p} ({}): {e}", at.join(", ")))
        })
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
    /// Set (e.g. by Ctrl-C) to stop starting new replications.
    pub stop: &'a AtomicBool,
    /// Memory budget in bytes (`None`: half of the machine's memory or of its container's limit).
    pub memory_limit: Option<u64>,
}

/// The run options of `ctl`, stopping on `cancel`.
fn run_options(ctl: &RunControl<'_>, cancel: &Cancel) -> RunOptions {
    RunOptions {
        threads: ctl.threads,
        progress: ctl.progress,
        cancel: cancel.clone(),
        memory_limit: ctl.memory_limit,
        pool: Default::default(),
    }
}

fn budget_error(e: RunError) -> SweepError {
    match e {
        RunError::Budget(b) => SweepError::input(b.message),
        RunError::Pool(p) => SweepError::Pool(p),
        e => SweepError::input(e.to_string()),
    }
}

/// Refuses a sweep of `count` points when `first` — any one of them — does not fit with the
/// rest of the run: every point's estimate is at most the largest's, which the run checks,
/// so this is the run's own check with a point that may not be the largest, made before the
/// other points are built (5,000 year-long points took 74 s to build before the refusal).
pub fn check_first_point(
    sweep: &Sweep,
    first: &Scenario,
    count: u64,
    ctl: &RunControl<'_>,
) -> Result<(), SweepError> {
    run_options(ctl, &Cancel::new())
        .check_budget(&[first], sweep.held(Some(first), count))
        .map(|_| ())
        .map_err(budget_error)
}

/// How a run of points ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSummary {
    /// Points whose every replication was reported.
    pub finished: usize,
    /// Points asked for.
    pub total: usize,
}

impl RunSummary {
    /// True when the run stopped before every point finished.
    pub fn interrupted(&self) -> bool {
        self.finished < self.total
    }
}

/// What [`run_points`] reports about point `i`, in (point, replication) order.
pub enum PointEvent<'a> {
    /// Replication `r` was folded in; the builder's values are that replication's.
    Replication(u32, &'a OutcomeBuilder),
    /// The point's last replication was folded in: its summary.
    Done(Box<Outcome>),
}

/// Runs every replication of every point on the one shared runner and calls
/// `on_event(i, event)` for point `points[i]`, in (point, replication) order. An error from it
/// stops the run (no new jobs) and is returned. After [`RunControl::stop`] is set no new replication
/// starts; points not finished by then are not reported.
///
/// Cost: one simulation per (point, replication); memory: the runner's window of replication
/// results plus the summary of the point being folded — never all replications of a point.
pub fn run_points<F>(
    sweep: &Sweep,
    points: &[Point],
    ctl: RunControl<'_>,
    mut on_event: F,
) -> Result<RunSummary, SweepError>
where
    F: FnMut(usize, PointEvent<'_>) -> Result<(), SweepError> + Send,
{
    let cancel = Cancel::new();
    let options = run_options(&ctl, &cancel);
    // The budget is checked on the largest point; only the points in flight are built.
    let largest = points
        .iter()
        .max_by(|a, b| a.memory.total_cmp(&b.memory))
        .map(|p| sweep.scenario(p.index))
        .transpose()?;
    let listed = sweep.held(largest.as_ref(), points.len() as u64);
    let runner = options
        .checked_runner(&largest.iter().collect::<Vec<_>>(), listed)
        .map_err(budget_error)?;
    // Scenarios of the points in flight (at most the runner's window of them), built by the
    // first worker that needs one and dropped when the point is done.
    let built: Mutex<Vec<(usize, Arc<Scenario>)>> = Mutex::new(Vec::new());
    let scenario_of = |i: usize| -> Result<Arc<Scenario>, SweepError> {
        let mut b = built.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, s)) = b.iter().find(|(j, _)| *j == i) {
            return Ok(Arc::clone(s));
        }
        let s = Arc::new(sweep.scenario(points[i].index)?);
        b.push((i, Arc::clone(&s)));
        Ok(s)
    };
    // Job j is replication j - start[i] of point i.
    let mut start = Vec::with_capacity(points.len() + 1);
    start.push(0usize);
    for p in points {
        start.push(start.last().copied().unwrap_or(0) + p.replications as usize);
    }
    let total = *start.last().unwrap_or(&0);
    let locate = |j: usize| {
        let i = start.partition_point(|&b| b <= j) - 1;
        (i, (j - start[i]) as u32)
    };
    if ctl.stop.load(Ordering::SeqCst) {
        cancel.cancel();
    }
    let bar = runner.progress_bar(total as u64, "runs");
    let mut finished = 0usize;
    let mut building: Option<(usize, OutcomeBuilder)> = None;
    let spares = Spares::new();
    runner.ordered(
        total,
        |j| {
            if ctl.stop.load(Ordering::Relaxed) {
                cancel.cancel();
            }
            let (i, r) = locate(j);
            let s = scenario_of(i)?;
            let key = StreamKey {
                seed: s.simulation.seed,
                point: if ctl.crn { 0 } else { points[i].index },
                replication: r as u64,
            };
            let result = spares.simulate(&s, key);
            bar.inc(1);
            Ok::<_, SweepError>(result)
        },
        |j, result| -> Result<(), SweepError> {
            let (i, r) = locate(j);
            let result = result?;
            if building.as_ref().is_none_or(|(bi, _)| *bi != i) {
                building = Some((i, OutcomeBuilder::new(&*scenario_of(i)?)));
            }
            let Some((_, b)) = building.as_mut() else {
                unreachable!("set above")
            };
            b.add(&result);
            spares.give(result);
            on_event(i, PointEvent::Replication(r, b))?;
            if r + 1 == points[i].replications {
                built
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .retain(|(j, _)| *j != i);
                if let Some((_, b)) = building.take() {
                    on_event(i, PointEvent::Done(Box::new(b.finish())))?;
                }
                finished += 1;
                bar.set_message(format!("{finished}/{} points", points.len()));
            }
            Ok(())
        },
    )?;
    bar.finish_and_clear();
    Ok(RunSummary {
        finished,
        total: points.len(),
    })
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

    /// Regression: an I/O error named its cause twice on the command line, which prints the
    /// error with its sources (`{:#}`): "cannot append to s.csv: No space left on device (os
    /// error 28): No space left on device (os error 28)" on a full disk.
    #[test]
    fn an_io_error_names_its_cause_once() {
        let full = std::io::Error::from_raw_os_error(28);
        let cause = full.to_string();
        let e = SweepError::io("cannot append to s.csv")(full);
        let shown = format!("{:#}", anyhow::Error::from(e));
        assert_eq!(shown, format!("cannot append to s.csv: {cause}"));
    }

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

    /// The memory budget's bytes per point cover what a built point holds (its record, its
    /// labels' vector and texts), and the shard sizes add up to the grid.
    #[test]
    fn point_bytes_cover_a_built_point() {
        let sw = sweep(&[
            "agent_groups.tier1.agents=1..=12",
            "call_types.general.arrival_rate=0.5,100.25,12345.5",
        ]);
        let per = sw.point_bytes();
        for p in sw.points(Shard::ALL).unwrap() {
            let heap: usize = p.labels.capacity() * std::mem::size_of::<String>()
                + p.labels.iter().map(String::capacity).sum::<usize>();
            let held = std::mem::size_of::<Point>() + heap;
            assert!(per >= held as f64, "{per} < {held} for {:?}", p.labels);
        }
        let total: u64 = (0..5)
            .map(|i| sw.shard_len(Shard { index: i, count: 5 }))
            .sum();
        assert_eq!(total, sw.grid.len());
        assert_eq!(sw.shard_len(Shard::ALL), 36);
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
            let mut out = vec![None; points.len()];
            let ctl = RunControl {
                threads: Some(threads),
                progress: false,
                crn: false,
                stop: &stop,
                memory_limit: None,
            };
            let summary = run_points(&s, &points, ctl, |i, e| {
                if let PointEvent::Done(o) = e {
                    out[i] = Some(*o);
                }
                Ok(())
            })
            .unwrap();
            assert!(!summary.interrupted());
            out
        };
        assert_eq!(run(1), run(2));
    }

    /// Two days with a one-day class: `day:0` and `day:1` scopes.
    const PROGRAM: &str = r#"
        [simulation]
        horizon = "2d"
        interval = "12h"
        replications = 2
        [program]
        [[program.cohorts]]
        group = "tier1"
        agents = 1
        start_day = 1
        days = 1
        [[call_types]]
        name = "general"
        arrival_rate = 20.0
        handle_time = { distribution = "exponential", mean = "4m" }
        [[agent_groups]]
        name = "tier1"
        skills = ["general"]
        agents = 3
    "#;

    /// Regression: a point of a program scenario — `day:N` replication rows, no `day:N`
    /// summary rows — was neither whole (so `merge` refused it) nor complete (so `--resume`
    /// reran it). Its rows as a sweep writes them are both, and cut after any whole line
    /// they are neither.
    #[test]
    fn a_program_point_is_whole_and_complete_only_with_every_row() {
        let s = Sweep {
            base: toml::from_str(PROGRAM).unwrap(),
            grid: Grid::default(),
            source: "test".into(),
            default_name: "test".into(),
        };
        let points = s.points(Shard::ALL).unwrap();
        let stop = AtomicBool::new(false);
        let ctl = RunControl {
            threads: Some(1),
            progress: false,
            crn: false,
            stop: &stop,
            memory_limit: None,
        };
        let mut text = csvfile::header(&[]);
        let header = text.len();
        run_points(&s, &points, ctl, |i, e| {
            let p = &points[i];
            text.extend(match e {
                PointEvent::Replication(r, b) => {
                    csvfile::replication_rows(p.index, &p.labels, r, b)
                }
                PointEvent::Done(o) => csvfile::summary_rows(p.index, &p.labels, &o),
            });
            Ok(())
        })
        .unwrap();
        let expected = csvfile::Expected::for_scenario(&s.scenario(0).unwrap());
        let block = |text: &[u8]| csvfile::SweepCsv::parse(text, "t").unwrap().blocks[&0].clone();
        let whole = block(&text);
        assert!(whole.day_rows > 0, "no day rows");
        assert!(whole.is_whole() && whole.is_complete(&expected) && !whole.disordered);
        assert_eq!(whole.rows, expected.rows);
        let ends: Vec<usize> = (header..text.len())
            .filter(|&i| text[i] == b'\n')
            .map(|i| i + 1)
            .collect();
        for &end in &ends[..ends.len() - 1] {
            let cut = block(&text[..end]);
            assert!(!cut.is_whole(), "whole when cut after {} rows", cut.rows);
            assert!(
                !cut.is_complete(&expected),
                "complete after {} rows",
                cut.rows
            );
        }
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
            memory_limit: None,
        };
        let summary = run_points(&s, &points, ctl, |_, _| Ok(())).unwrap();
        assert_eq!(
            summary,
            RunSummary {
                finished: 0,
                total: 2
            }
        );
    }
}
