//! Staffing search: the smallest headcount per planning interval for one agent group that
//! meets every target, found by simulation from an Erlang starting point.
//!
//! # What "meets" means
//! Targets apply **per interval** (what planners staff to): for every interval `k`, the
//! metric over the contacts of the group's call types that *arrive* in `k` must meet each
//! target. By default a target is judged on the 95% confidence bound on the safe side (the
//! CI's lower end for `service_level>=x`, its upper end for `abandon_rate<=x` and the other
//! upper-bounded metrics), so "meets" means "meets with confidence"; [`Confidence::Mean`]
//! judges the mean instead. An interval without contacts (its metric undefined) meets every
//! target.
//!
//! # Search
//! 1. **Erlang estimate** per interval, independently: the smallest `n` for which the Erlang A
//!    formulas (Erlang C when some call type never abandons) meet every target on their
//!    steady-state means, with the interval's arrival rate including transfers in, and
//!    rate-weighted mean handle (+ after-call work) and patience. This ignores time-varying
//!    load, carry-over between intervals, non-exponential times, transfers out and repeats.
//! 2. **Raise**: simulate; add one agent to every interval that misses a target; repeat
//!    until all intervals meet them.
//! 3. **Trim**: remove one agent from every interval at once while that keeps the targets;
//!    then try removing one agent from each interval above its floor (all candidates in one
//!    parallel batch) and apply the largest slack-ordered prefix of the successful removals
//!    (all, half, a quarter, …, one) that together still meets the targets; then re-test
//!    those intervals by group testing (remove one agent from each of a set at once, split
//!    the set in halves when that misses: one simulation per test, not per interval), while
//!    any passes, and go back to a full round when none does. The
//!    search stops only after a full round in which no single removal keeps every target, so
//!    the answer is *locally minimal*: removing one agent from any interval above its floor
//!    misses a target somewhere (possibly in a later interval, through carry-over).
//!
//! Every candidate is simulated with the same seed and stream point (common random numbers),
//! so comparisons between candidates are not driven by sampling noise, and `ccsim run` of the
//! scenario with the answer pasted in reproduces the reported figures exactly.
//!
//! The floor is 0 agents in intervals without arrivals and 1 elsewhere (and always 1 in the
//! last interval of a scenario without a calendar, whose staff stays on while the center
//! drains; under a calendar a closed last interval is closed like any other, see
//! `drains_in`). Intervals that end within the
//! warmup are not searched: they keep the Erlang estimate, since nothing there is measured
//! but their staffing sets the state the measured day starts from.
//!
//! Cost: each simulation is one replication set of the whole horizon; a 24-interval day
//! typically needs a few dozen to a couple of hundred.

use crate::analytic::{self, AnalyticError, QueueParams};

use crate::experiment::{budget, stream_key, RunError, RunOptions, Runner, Spares};
use crate::scenario::duration::parse_duration;
use crate::scenario::Scenario;
use crate::stats::{
    contact_metrics, Accumulator, Counters, Estimate, ReplicationResult, TQuantiles,
    CONTACT_METRICS,
};
use std::fmt;
use std::str::FromStr;

pub mod joint;
pub mod roster;

/// Why a search could not produce an answer.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    /// The targets, group or scenario cannot be used (exit code 2).
    #[error("{0}")]
    Input(String),
    /// The search ran out of its simulation budget.
    #[error("{0}")]
    Budget(String),
    /// The run itself failed or was interrupted.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// Which side of a target is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The metric must be at least the value (e.g. service level).
    AtLeast,
    /// The metric must be at most the value (e.g. abandonment, waits).
    AtMost,
}

/// One target such as `service_level>=0.8`, or `billing.service_level>=0.8` for one call
/// type's contacts.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The call type the target is about (`None`: all contacts of the group's skills).
    pub call_type: Option<String>,
    /// The metric's name, one of the targetable metrics.
    pub metric: &'static str,
    /// Which side of `value` is good.
    pub direction: Direction,
    /// The threshold (a fraction, or seconds for wait metrics).
    pub value: f64,
}

/// Metrics a target may name, with the only direction that more agents improve
/// (`occupancy<=x` caps how busy the group may be).
const TARGETABLE: [(&str, Direction); 6] = [
    ("service_level", Direction::AtLeast),
    ("abandon_rate", Direction::AtMost),
    ("wait_probability", Direction::AtMost),
    ("asa_s", Direction::AtMost),
    ("mean_wait_s", Direction::AtMost),
    ("occupancy", Direction::AtMost),
];

impl FromStr for Target {
    type Err = String;
    /// `[CALL_TYPE.]METRIC>=X` or `[CALL_TYPE.]METRIC<=X`; times (`asa_s`, `mean_wait_s`) in
    /// seconds or as a duration (`30s`, `1m`). The call type is checked against the scenario
    /// by [`search`].
    fn from_str(s: &str) -> Result<Target, String> {
        let allowed = || {
            TARGETABLE
                .iter()
                .map(|(m, d)| format!("{m}{}X", if *d == Direction::AtLeast { ">=" } else { "<=" }))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (name, direction, value) = if let Some((n, v)) = s.split_once(">=") {
            (n, Direction::AtLeast, v)
        } else if let Some((n, v)) = s.split_once("<=") {
            (n, Direction::AtMost, v)
        } else {
            return Err(format!(
                "`{s}`: expected METRIC>=X or METRIC<=X (one of {})",
                allowed()
            ));
        };
        let name = name.trim();
        // `billing.service_level`: the part after the last dot is the metric.
        let (call_type, name) = match name.rsplit_once('.') {
            Some((c, m)) if TARGETABLE.iter().any(|(t, _)| *t == m.trim()) => {
                (Some(c.trim().to_string()), m.trim())
            }
            _ => (None, name),
        };
        if call_type.as_deref() == Some("") {
            return Err(format!("`{s}`: the call type before `.{name}` is empty"));
        }
        if name == "occupancy" && direction == Direction::AtLeast {
            return Err(format!(
                "`{s}`: an occupancy floor is not a staffing target (fewer agents raise occupancy, so it fights every service target); give a cap such as occupancy<=0.88"
            ));
        }
        if call_type.is_some() && name == "occupancy" {
            return Err(format!(
                "`{s}`: occupancy belongs to the agent group, not to a call type: write occupancy<=X"
            ));
        }
        let Some(&(metric, good)) = TARGETABLE.iter().find(|(m, _)| *m == name) else {
            return Err(format!(
                "`{s}`: `{name}` cannot be a staffing target; use one of {}",
                allowed()
            ));
        };
        if good != direction {
            return Err(format!(
                "`{s}`: more agents {} {metric}, so its target must be {}",
                if good == Direction::AtLeast {
                    "raise"
                } else {
                    "lower"
                },
                if good == Direction::AtLeast {
                    ">="
                } else {
                    "<="
                }
            ));
        }
        let value = value.trim();
        let value = if metric.ends_with("_s") {
            value
                .parse::<f64>()
                .or_else(|_| parse_duration(value))
                .map_err(|_| format!("`{s}`: `{value}` is not a time (seconds, or e.g. 30s, 1m)"))?
        } else {
            value
                .parse::<f64>()
                .map_err(|_| format!("`{s}`: `{value}` is not a number"))?
        };
        let ok = if metric.ends_with("_s") {
            value.is_finite() && value >= 0.0
        } else {
            (0.0..=1.0).contains(&value)
        };
        if !ok {
            return Err(format!(
                "`{s}`: {metric} targets must be {}",
                if metric.ends_with("_s") {
                    "times ≥ 0"
                } else {
                    "fractions from 0 to 1"
                }
            ));
        }
        Ok(Target {
            call_type,
            metric,
            direction,
            value,
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.direction {
            Direction::AtLeast => ">=",
            Direction::AtMost => "<=",
        };
        if let Some(c) = &self.call_type {
            write!(f, "{c}.")?;
        }
        write!(f, "{}{op}{}", self.metric, self.value)
    }
}

impl Target {
    /// Index of the metric among the contact metrics (`None` for occupancy).
    fn index(&self) -> Option<usize> {
        CONTACT_METRICS.iter().position(|m| *m == self.metric)
    }

    /// The metric with its call type, as targets and reports name it: `service_level`,
    /// `billing.service_level`.
    pub fn label(&self) -> String {
        match &self.call_type {
            Some(c) => format!("{c}.{}", self.metric),
            None => self.metric.to_string(),
        }
    }

    /// A target only a perfect record meets (service level ≥ 1, or a rate or time ≤ 0): it is
    /// "met" with a zero-width interval that says nothing about fresh seeds.
    pub fn degenerate(&self) -> bool {
        match self.direction {
            Direction::AtLeast => self.value >= 1.0,
            Direction::AtMost => self.value <= 0.0,
        }
    }

    /// How far `x` is on the good side of the target (negative: missed), relative to it.
    fn slack(&self, x: f64) -> f64 {
        let scale = self.value.abs().max(1e-9);
        match self.direction {
            Direction::AtLeast => (x - self.value) / scale,
            Direction::AtMost => (self.value - x) / scale,
        }
    }

    /// Whether the analytic answer meets the target.
    fn met_by(&self, a: &analytic::QueueAnswer) -> bool {
        let x = match self.metric {
            "service_level" => a.service_level,
            "abandon_rate" => a.abandon_rate,
            "wait_probability" => a.wait_probability,
            "asa_s" => a.asa_s,
            "occupancy" => a.occupancy,
            _ => a.mean_wait_s,
        };
        self.slack(x) >= 0.0
    }
}

/// What a target is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Confidence {
    /// The 95% confidence bound on the safe side.
    #[default]
    Ci95,
    /// The mean over replications.
    Mean,
}

/// A staffing question.
#[derive(Debug, Clone)]
pub struct StaffQuery {
    /// The scenario whose agent group is staffed; its other groups stay as given.
    pub scenario: Scenario,
    /// Index of the agent group whose staffing is searched.
    pub group: usize,
    /// Every target must be met in every interval that has contacts.
    pub targets: Vec<Target>,
    /// Whether a target is judged on its confidence bound or on the mean.
    pub confidence: Confidence,
    /// Threads, cancellation and memory budget of the simulations (no progress bar).
    pub options: RunOptions,
    /// Most simulations (of all replications) the search may run.
    pub max_simulations: usize,
    /// Most agents per interval (`None`: 3 × the interval's Erlang estimate + 50). The Erlang
    /// start is capped at it too.
    pub max_agents: Option<u32>,
}

/// The default per-interval headcount limit: 3 × the Erlang estimate + 50.
fn default_cap(erlang: u32) -> u32 {
    erlang.saturating_mul(3).saturating_add(50)
}

/// What a search that hit its headcount limit in interval `k` reports: each target missed
/// there with the level reached at the limit (mean [95% CI]) — how close it got.
fn how_close(
    labels: &[(String, &Target)],
    e: &Evaluation,
    k: usize,
    confidence: Confidence,
) -> String {
    let missed: Vec<String> = labels
        .iter()
        .zip(e.at(k))
        .filter_map(|((label, t), est)| {
            let est = est.as_ref()?;
            let x = match (confidence, t.direction) {
                (Confidence::Mean, _) => est.mean,
                (Confidence::Ci95, Direction::AtLeast) => est.ci95.0,
                (Confidence::Ci95, Direction::AtMost) => est.ci95.1,
            };
            (t.slack(x) < 0.0).then(|| {
                let op = if t.direction == Direction::AtLeast {
                    ">="
                } else {
                    "<="
                };
                format!(
                    "{label}{op}{} reached {:.4} [{:.4}, {:.4}]",
                    t.value, est.mean, est.ci95.0, est.ci95.1
                )
            })
        })
        .collect();
    if missed.is_empty() {
        "(a later interval's targets need this one's agents)".to_string()
    } else {
        missed.join("; ")
    }
}

/// `+HH:MM` from the scenario's start of interval `k`.
fn interval_clock(s: &Scenario, k: usize) -> String {
    let m = (k as f64 * s.simulation.interval / 60.0).round() as u64;
    format!("+{:02}:{:02}", m / 60, m % 60)
}

/// The metrics of one staffing, per interval and target (`None`: no contacts there).
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Target `t`'s metric in interval `k` at `k × targets + t` (read a row with
    /// [`Evaluation::at`]): one allocation, not one per interval — a search round holds one
    /// evaluation per candidate, so this is memory in the square of the intervals (a row per
    /// interval took 88 bytes for one target, a flat entry takes 40).
    estimates: Vec<Option<Estimate>>,
    /// Targets per interval.
    targets: usize,
    /// Smallest slack over targets per interval (negative: missed).
    pub slack: Vec<f64>,
}

impl Evaluation {
    /// Each target's metric in interval `k`, in target order.
    pub fn at(&self, k: usize) -> &[Option<Estimate>] {
        &self.estimates[k * self.targets..(k + 1) * self.targets]
    }

    /// True when every interval meets every target.
    pub fn meets(&self) -> bool {
        self.slack.iter().all(|s| *s >= 0.0)
    }

    /// Intervals that miss some target.
    pub fn misses(&self) -> Vec<usize> {
        (0..self.slack.len())
            .filter(|&k| self.slack[k] < 0.0)
            .collect()
    }

    /// Intervals where some target is judged (it has contacts there): the base of "holds in
    /// X of N intervals", so closed hours do not count as held.
    pub fn judged(&self) -> usize {
        (0..self.slack.len())
            .filter(|&k| self.at(k).iter().any(Option::is_some))
            .count()
    }

    /// Share of the judged intervals that meet every target (1 when none is judged).
    pub fn held_share(&self) -> f64 {
        let judged = self.judged();
        if judged == 0 {
            return 1.0;
        }
        1.0 - self.misses().len() as f64 / judged as f64
    }
}

/// The answer.
#[derive(Debug, Clone)]
pub struct StaffAnswer {
    /// The staffing to use, per interval: the search's choice plus what fresh-seed validation
    /// added.
    pub staffing: Vec<u32>,
    /// How `staffing` fares on the search's own seeds (stream point 0): the figures `ccsim
    /// run` of the staffed scenario reproduces.
    pub evaluation: Evaluation,
    /// The Erlang-only staffing and how it fares in simulation.
    pub erlang: Vec<u32>,
    /// How the Erlang-only staffing fares in simulation.
    pub erlang_evaluation: Evaluation,
    /// Lowest headcount the search considers per interval.
    pub floor: Vec<u32>,
    /// Simulations (each of all replications) the search ran, validation included.
    pub simulations: usize,
    /// How `staffing` fares on fresh seeds (streams the search never used), judged by the
    /// query's confidence rule: the figures to quote. Its misses are the intervals flagged as
    /// not holding.
    pub validation: Evaluation,
    /// Validation rounds run (a round that finds misses raises them and is followed by one
    /// on other fresh seeds).
    pub validation_rounds: u32,
    /// Intervals where validation added agents to what the search chose.
    pub raised_by_validation: Vec<usize>,
    /// The search's own choice before validation: locally minimal on the search's seeds.
    pub chosen: Vec<u32>,
    /// With the group's `shrinkage` > 0: the scheduled heads behind `staffing` (which is then
    /// heads on the phones) and their check with shrinkage on fresh seeds; `None` without
    /// shrinkage (scheduled = on the phones).
    pub shrinkage: Option<Shrinkage>,
}

impl StaffAnswer {
    /// Heads to schedule per interval: [`Shrinkage::scheduled`] with shrinkage, else
    /// `staffing`. What `--output` writes and what a roster covers.
    pub fn scheduled(&self) -> &[u32] {
        self.shrinkage
            .as_ref()
            .map_or(&self.staffing, |s| &s.scheduled)
    }
}

/// Scheduled heads for a group with shrinkage (see [`search`]).
#[derive(Debug, Clone)]
pub struct Shrinkage {
    /// The group's shrinkage share `s`, in (0, 1).
    pub share: f64,
    /// `⌈on_phones / (1 − s)⌉` per interval ([`scheduled_heads`]).
    pub formula: Vec<u32>,
    /// The heads to schedule: `formula` plus what the shrinkage check added. The staffing
    /// `--output` writes (the scenario keeps its shrinkage).
    pub scheduled: Vec<u32>,
    /// `scheduled` re-simulated with shrinkage on, on fresh streams
    /// ([`SHRINKAGE_POINT`]` + round`), judged by the query's rule: the last round's figures.
    pub check: Evaluation,
    /// Shrinkage check rounds run (at most `VALIDATION_ROUNDS`, 3).
    pub rounds: u32,
    /// Intervals where the check added a head to `formula`.
    pub raised: Vec<usize>,
}

/// Stream point of the first shrinkage check (round `r` uses this plus `r`): apart from the
/// search's point 0, its validation points and the roster's.
pub const SHRINKAGE_POINT: u64 = VALIDATION_POINT + 0x80;

/// Heads to schedule so that `on_phones` remain on average when each is away with probability
/// `shrinkage`: `⌈on_phones / (1 − shrinkage)⌉` (a hair of tolerance, so that 10 at 50% is 20,
/// not 21 through rounding). `on_phones` itself without shrinkage.
pub fn scheduled_heads(on_phones: u32, shrinkage: f64) -> u32 {
    if shrinkage <= 0.0 {
        return on_phones;
    }
    (f64::from(on_phones) / (1.0 - shrinkage) - 1e-9).ceil() as u32
}

/// Whether interval `k` needs an agent although nothing arrives in it: the last interval of a
/// scenario without a calendar, whose staff stays on after the horizon until the center
/// drains. Under a calendar the last interval may be a closed night (the run ends where the
/// calendar says), and a closed interval needs nobody.
pub(crate) fn drains_in(s: &Scenario, k: usize) -> bool {
    k + 1 == s.simulation.intervals && s.calendar.is_none()
}

/// Per interval: closed all through under the scenario's calendar (no open second in it).
/// Nobody works then (email waits for the opening), so a closed interval gets no agents and
/// its targets are not judged: what arrives while closed (email received at night) is
/// answered after the next opening, by that interval's staff. All `false` without a calendar.
pub(crate) fn closed_intervals(s: &Scenario) -> Vec<bool> {
    let sim = &s.simulation;
    (0..sim.intervals)
        .map(|k| match &s.calendar {
            None => false,
            Some(c) => {
                let from = k as f64 * sim.interval;
                let to = (from + sim.interval).min(sim.horizon);
                c.open_seconds_between(from, to) <= 0.0
            }
        })
        .collect()
}

/// Agent-hours of a staffing over the horizon (the drain after it is not counted).
pub fn agent_hours(s: &Scenario, staffing: &[u32]) -> f64 {
    staffing
        .iter()
        .enumerate()
        .map(|(k, &n)| n as f64 * s.simulation.interval_len(k))
        .sum::<f64>()
        / 3600.0
}

/// Runs the search described in the module docs. With the group's `shrinkage` s > 0, the
/// search runs with s = 0 (so `staffing` is heads **on the phones**); the scheduled heads are
/// `⌈on_phones / (1 − s)⌉` per interval, then re-simulated with shrinkage on fresh seeds, one
/// head added where an interval misses a target, at most `VALIDATION_ROUNDS` (3) rounds
/// ([`Shrinkage`]).
pub fn search(q: &StaffQuery) -> Result<StaffAnswer, StaffError> {
    if q.targets.is_empty() {
        return Err(StaffError::Input("give at least one --target".into()));
    }
    let share = q.scenario.agent_groups[q.group].shrinkage;
    if share > 0.0 {
        sources(q)?;
        let mut on_phones = q.clone();
        on_phones.scenario.agent_groups[q.group].shrinkage = 0.0;
        let mut a = search(&on_phones)?;
        let runner = q.options.runner(&[&q.scenario])?;
        let formula: Vec<u32> = a
            .staffing
            .iter()
            .map(|&n| scheduled_heads(n, share))
            .collect();
        let cap = q.max_agents.unwrap_or(u32::MAX);
        let mut scheduled = formula.clone();
        let mut rounds = 0;
        let check = loop {
            rounds += 1;
            a.simulations += 1;
            let v = evaluate_at(q, &runner, &scheduled, SHRINKAGE_POINT + u64::from(rounds))?;
            if v.meets() || rounds == VALIDATION_ROUNDS {
                break v;
            }
            for k in v.misses() {
                scheduled[k] = scheduled[k].saturating_add(1).min(cap.max(formula[k]));
            }
        };
        a.shrinkage = Some(Shrinkage {
            share,
            raised: (0..scheduled.len())
                .filter(|&k| scheduled[k] > formula[k])
                .collect(),
            formula,
            scheduled,
            check,
            rounds,
        });
        return Ok(a);
    }
    let s = &q.scenario;
    // Unknown call types in targets fail before any work.
    sources(q)?;
    let intervals = s.simulation.intervals;
    let skills = &s.agent_groups[q.group].skills;
    let rates: Vec<f64> = (0..intervals)
        .map(|k| {
            let r = s.effective_arrival_rates(k);
            skills.iter().map(|&c| r[c]).sum()
        })
        .collect();
    let closed = closed_intervals(s);
    let mut floor: Vec<u32> = (0..intervals)
        .map(|k| u32::from((rates[k] > 0.0 && !closed[k]) || drains_in(s, k)))
        .collect();
    if q.max_agents == Some(0) {
        return Err(StaffError::Input(
            "--max-agents 0: at least one agent per interval is needed".into(),
        ));
    }
    let erlang: Vec<u32> = (0..intervals)
        .map(|k| {
            if closed[k] {
                return Ok(0);
            }
            erlang_estimate(q, k).map(|n| n.max(floor[k]).min(q.max_agents.unwrap_or(u32::MAX)))
        })
        .collect::<Result<_, _>>()?;
    // Intervals that end within the warmup have no statistics to judge, but their staffing
    // shapes the state the measured day starts from: they keep the Erlang estimate.
    for k in 0..intervals {
        if (k + 1) as f64 * s.simulation.interval <= s.simulation.warmup {
            floor[k] = erlang[k];
        }
    }
    let cap: Vec<u32> = erlang
        .iter()
        .map(|&n| q.max_agents.unwrap_or_else(|| default_cap(n)))
        .collect();

    // The fewest simulations any search of this question runs: the Erlang start, and one
    // trim below it where it is above the floor. A smaller --max-simulations cannot answer
    // it, which is a bad argument (exit 2) to say before any simulation, as the joint search
    // does.
    let must = 1 + usize::from((0..intervals).any(|k| erlang[k] > floor[k]));
    if must > q.max_simulations {
        return Err(StaffError::Input(format!(
            "--max-simulations {}: the search needs at least {must} simulations (one of the Erlang estimate{}): raise it",
            q.max_simulations,
            if must > 1 {
                ", one trying an agent less"
            } else {
                ""
            }
        )));
    }
    // One pool for the whole search (hundreds of batches), budget checked once.
    // The budget counts the candidates a round evaluates together (one per interval where
    // the group can change: one with contacts).
    let cells = floor.iter().filter(|&&f| f > 0).count();
    let batch = budget::search_bytes(s, cells, q.targets.len(), q.max_simulations);
    let runner = q.options.checked_runner(&[s], batch)?;
    let mut sims = 0usize;
    // One bar for the whole search: simulations so far against the --max-simulations budget
    // (the search usually stops far below it), with the phase as its message.
    let bar = runner.progress_bar(q.max_simulations as u64, "simulations, at most");
    bar.set_message("Erlang start");
    let eval = |cands: &[Vec<u32>], sims: &mut usize| -> Result<Vec<Evaluation>, StaffError> {
        bar.inc(cands.len() as u64);
        if *sims + cands.len() > q.max_simulations {
            return Err(StaffError::Budget(format!(
                "the search needs more than --max-simulations {} simulations; raise it (or use fewer intervals or replications)",
                q.max_simulations
            )));
        }
        *sims += cands.len();
        evaluate(q, &runner, cands, 0, q.confidence)
    };

    let erlang_evaluation = eval(std::slice::from_ref(&erlang), &mut sims)?.remove(0);
    bar.set_message("raising where targets are missed");
    let mut current = erlang.clone();
    let mut current_eval = erlang_evaluation.clone();

    // Raise: one more agent wherever a target is missed.
    while !current_eval.meets() {
        for k in current_eval.misses() {
            current[k] += 1;
            if current[k] > cap[k] {
                let labels: Vec<(String, &Target)> =
                    q.targets.iter().map(|t| (t.label(), t)).collect();
                return Err(StaffError::Input(format!(
                    "the targets cannot be met in interval {k} ({}) with {} agents ({}; Erlang says {}); how close it got there: {}. Are they reachable with {} replications? (try --confidence mean, more replications or a higher --max-agents)",
                    interval_clock(s, k),
                    cap[k],
                    match q.max_agents {
                        Some(m) => format!("--max-agents {m}"),
                        None => "the default limit, 3 × Erlang + 50".into(),
                    },
                    erlang[k],
                    how_close(&labels, &current_eval, k, q.confidence),
                    s.simulation.replications
                )));
            }
        }
        current_eval = eval(std::slice::from_ref(&current), &mut sims)?.remove(0);
    }

    bar.set_message("trimming");
    // Trim, first uniformly: one agent less everywhere at once, while that keeps the targets
    // (cheap when the Erlang start is well above what simulation needs, e.g. when another
    // group also serves these call types).
    loop {
        let fewer: Vec<u32> = current
            .iter()
            .zip(&floor)
            .map(|(&n, &f)| if n > f { n - 1 } else { n })
            .collect();
        if fewer == current {
            break;
        }
        let e = eval(std::slice::from_ref(&fewer), &mut sims)?.remove(0);
        if !e.meets() {
            break;
        }
        current = fewer;
        current_eval = e;
    }

    // Then interval by interval: single removals in parallel; stop after a full round where
    // none keeps the targets.
    let mut recheck: Option<Vec<usize>> = None;
    loop {
        let ks: Vec<usize> = match &recheck {
            Some(ks) => ks.clone(),
            None => (0..intervals).filter(|&k| current[k] > floor[k]).collect(),
        };
        let full_round = recheck.is_none();
        if !full_round {
            // Re-test last round's winners by group testing: remove one agent from each
            // interval of a set at once; if that keeps the targets, keep it, else split the
            // set in halves and try each (one simulation per test, instead of one per
            // interval: while the start is well above the need, most sets pass whole). Sets
            // that fail down to one interval drop out until the next full round.
            let mut winners = Vec::new();
            let mut sets = vec![ks];
            while let Some(set) = sets.pop() {
                let set: Vec<usize> = set.into_iter().filter(|&k| current[k] > floor[k]).collect();
                if set.is_empty() {
                    continue;
                }
                let mut fewer = current.clone();
                for &k in &set {
                    fewer[k] -= 1;
                }
                let e = eval(std::slice::from_ref(&fewer), &mut sims)?.remove(0);
                if e.meets() {
                    current = fewer;
                    current_eval = e;
                    winners.extend(set);
                } else if set.len() > 1 {
                    let (a, b) = set.split_at(set.len() / 2);
                    sets.push(b.to_vec());
                    sets.push(a.to_vec());
                }
            }
            winners.sort_unstable();
            recheck = (!winners.is_empty()).then_some(winners);
            continue;
        }
        let cands: Vec<Vec<u32>> = ks
            .iter()
            .map(|&k| {
                let mut c = current.clone();
                c[k] -= 1;
                c
            })
            .collect();
        let evals = if cands.is_empty() {
            Vec::new()
        } else {
            eval(&cands, &mut sims)?
        };
        let mut passing: Vec<(usize, Evaluation)> = ks
            .iter()
            .copied()
            .zip(evals)
            .filter(|(_, e)| e.meets())
            .collect();
        if passing.is_empty() {
            if full_round {
                break;
            }
            // Removals that failed before rarely pass after more removals, so rounds after
            // the first re-test only the previous winners; a full round confirms the end.
            recheck = None;
            continue;
        }
        // Most total slack first; apply the largest prefix (all, half, a quarter, …, one)
        // whose removals together still keep the targets. One removal alone is known to.
        passing.sort_by(|a, b| {
            let total = |e: &Evaluation| e.slack.iter().sum::<f64>();
            total(&b.1).total_cmp(&total(&a.1)).then(a.0.cmp(&b.0))
        });
        let winners: Vec<usize> = passing.iter().map(|(k, _)| *k).collect();
        let mut take = passing.len();
        while take > 1 {
            let mut fewer = current.clone();
            for (k, _) in &passing[..take] {
                fewer[*k] -= 1;
            }
            let e = eval(std::slice::from_ref(&fewer), &mut sims)?.remove(0);
            if e.meets() {
                current = fewer;
                current_eval = e;
                break;
            }
            take /= 2;
        }
        if take <= 1 {
            let (k, e) = passing.swap_remove(0);
            current[k] -= 1;
            current_eval = e;
        }
        recheck = Some(
            winners
                .into_iter()
                .filter(|&k| current[k] > floor[k])
                .collect(),
        );
    }
    bar.set_message("checking on fresh seeds");
    // Fresh seeds: the staffing was chosen on stream point 0, so its figures there favour
    // lucky draws. Re-simulate it on independent streams and judge it by the same rule (the
    // CI bound by default: a margin of about two standard errors, so that the mean of yet
    // another run meets the target in nearly every interval); where an interval misses, add
    // an agent and check again on yet other streams. The last round
    // changed nothing, so its figures are an honest check on seeds nothing was chosen on.
    let chosen = current.clone();
    let mut rounds = 0;
    let validation = loop {
        rounds += 1;
        let point = VALIDATION_POINT + rounds as u64;
        sims += 1;
        let v = evaluate(
            q,
            &runner,
            std::slice::from_ref(&current),
            point,
            q.confidence,
        )?
        .remove(0);
        if v.meets() || rounds == VALIDATION_ROUNDS {
            break v;
        }
        for k in v.misses() {
            if current[k] < cap[k] {
                current[k] += 1;
            }
        }
    };
    // What `ccsim run` of the staffed scenario (stream point 0) will report: the search's
    // figures, unless validation added agents.
    if current != chosen {
        sims += 1;
        current_eval =
            evaluate(q, &runner, std::slice::from_ref(&current), 0, q.confidence)?.remove(0);
    }
    bar.finish_and_clear();
    Ok(StaffAnswer {
        raised_by_validation: (0..intervals).filter(|&k| current[k] > chosen[k]).collect(),
        chosen,
        staffing: current,
        evaluation: current_eval,
        erlang,
        erlang_evaluation,
        floor,
        simulations: sims,
        validation,
        validation_rounds: rounds,
        shrinkage: None,
    })
}

/// Fresh-seed validation rounds at most (each one simulation of all replications).
const VALIDATION_ROUNDS: u32 = 3;

/// Smallest headcount for which the Erlang formulas meet every target in interval `k`.
fn erlang_estimate(q: &StaffQuery, k: usize) -> Result<u32, StaffError> {
    let skills = &q.scenario.agent_groups[q.group].skills;
    let load: Vec<(usize, f64)> = skills.iter().map(|&c| (c, 1.0)).collect();
    erlang_for(&q.scenario, &q.targets, &load, k)
}

/// Smallest headcount for which the Erlang formulas meet every target in interval `k`, for a
/// queue fed by `load`: call types with the share of their interval-`k` arrivals it takes.
fn erlang_for(
    s: &Scenario,
    targets: &[Target],
    load: &[(usize, f64)],
    k: usize,
) -> Result<u32, StaffError> {
    let all = s.effective_arrival_rates(k);
    let rates: Vec<(usize, f64)> = load.iter().map(|&(c, w)| (c, w * all[c])).collect();
    let lambda: f64 = rates.iter().map(|(_, r)| r).sum();
    if lambda <= 0.0 {
        return Ok(0);
    }
    let weighted =
        |f: &dyn Fn(usize) -> f64| rates.iter().map(|&(c, r)| r * f(c)).sum::<f64>() / lambda;
    let handle = weighted(&|c| s.call_types[c].mean_work());
    let patience = rates
        .iter()
        .all(|&(c, r)| r == 0.0 || s.call_types[c].patience.is_some())
        .then(|| weighted(&|c| s.call_types[c].patience.as_ref().map_or(0.0, |d| d.mean())));
    let params = |n: u32| QueueParams {
        arrival_rate: lambda,
        mean_handle: handle,
        agents: n,
        mean_patience: patience,
        threshold: s.simulation.service_level_threshold,
    };
    let chats = chats_per_agent(s, &rates);
    let meets = |n: u32| -> Result<bool, StaffError> {
        match analytic::solve_concurrent(&params(n), chats) {
            Ok(a) => Ok(targets.iter().all(|t| t.met_by(&a))),
            Err(AnalyticError::Unstable { .. } | AnalyticError::TooLarge(_)) => Ok(false),
            Err(e) => Err(StaffError::Input(format!(
                "interval {k}: no Erlang estimate: {e}"
            ))),
        }
    };
    // Far beyond any useful headcount: a target not met by then is unreachable (e.g.
    // service_level>=1), and Erlang A's cost grows with n.
    let limit = 10.0 * lambda * handle + 1000.0;
    // Every targetable metric is monotone in n.
    analytic::smallest_meeting(0, meets, |n| {
        (n as f64 >= limit).then(|| {
            StaffError::Input(format!(
                "interval {k}: no headcount up to {n} meets the targets by Erlang: are they reachable?"
            ))
        })
    })
}

/// Chats an agent holds at once for a queue fed by `rates` (call type, arrivals): when all of
/// it is chat, the fewest `max_concurrent` among the groups taking every one of those types
/// (n such agents are n·k servers, see `analytic::solve_concurrent`); else 1.
fn chats_per_agent(s: &Scenario, rates: &[(usize, f64)]) -> u32 {
    let types: Vec<usize> = rates.iter().filter(|r| r.1 > 0.0).map(|r| r.0).collect();
    if types.is_empty()
        || types
            .iter()
            .any(|&c| s.call_types[c].channel != crate::model::Channel::Chat)
    {
        return 1;
    }
    s.agent_groups
        .iter()
        .filter(|g| types.iter().all(|c| g.skills.contains(c)))
        .map(|g| g.max_concurrent)
        .min()
        .unwrap_or(1)
}

/// What a judged target measures in an interval: the staffed call types together (metric
/// index), one call type's contacts (call type, metric index), or one group's occupancy. Shared
/// by the one-group and the joint search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Source {
    /// Contacts of every staffed call type together.
    Union(usize),
    /// One call type's contacts.
    Type(usize, usize),
    /// One group's occupancy.
    Occupancy(usize),
}

/// Folds one replication's result into the per-(interval, target) accumulators
/// `acc[k * sources.len() + t]`: for each interval, the contacts of the `union` call types
/// together (O(|union|) per interval, not a scan), one call type's, or a group's busy share.
/// The one place both searches turn a replication into target values, so that they judge
/// alike.
pub(crate) fn fold_replication(
    r: &ReplicationResult,
    union: &[usize],
    sources: &[Source],
    scored: bool,
    acc: &mut [Accumulator],
) {
    let n = sources.len();
    for k in 0..acc.len() / n.max(1) {
        let mut cell = Counters::default();
        for &c in union {
            cell.add(&r.contacts[k * r.call_types + c]);
        }
        let together = contact_metrics(&cell, scored);
        for (t, source) in sources.iter().enumerate() {
            let v = match *source {
                Source::Union(i) => together[i],
                Source::Type(c, i) => contact_metrics(&r.contacts[k * r.call_types + c], scored)[i],
                Source::Occupancy(g) => {
                    let cell = k * r.groups + g;
                    (r.staffed[cell] > 0.0).then(|| r.busy[cell] / r.staffed[cell])
                }
            };
            acc[k * n + t].push(v);
        }
    }
}

/// Each target's [`Source`], checking call types against the scenario and the group.
fn sources(q: &StaffQuery) -> Result<Vec<Source>, StaffError> {
    let s = &q.scenario;
    let group = &s.agent_groups[q.group];
    q.targets
        .iter()
        .map(|t| match (&t.call_type, t.index()) {
            (_, None) => Ok(Source::Occupancy(q.group)),
            (None, Some(i)) => Ok(Source::Union(i)),
            (Some(name), Some(i)) => {
                let names = || {
                    s.call_types
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let c = s
                    .call_types
                    .iter()
                    .position(|c| &c.name == name)
                    .ok_or_else(|| {
                        StaffError::Input(format!(
                            "--target {t}: no call type `{name}` in {} (call types: {})",
                            s.source,
                            names()
                        ))
                    })?;
                if !group.skills.contains(&c) {
                    return Err(StaffError::Input(format!(
                        "--target {t}: agent group `{}` does not serve `{name}`; its call types: {}",
                        group.name,
                        group
                            .skills
                            .iter()
                            .map(|&k| s.call_types[k].name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
                Ok(Source::Type(c, i))
            }
        })
        .collect()
}

/// Stream point of the first fresh-seed validation run; round `r` uses this plus `r`. The
/// search itself uses point 0, so the streams are independent of the ones the staffing was
/// chosen on.
pub const VALIDATION_POINT: u64 = 0x5641_4c49_4400_0000;

/// How one staffing of the query's group fares at stream `point` (all replications), judged by
/// the query's confidence rule: point 0 gives the search's own figures (what `ccsim run`
/// reproduces), points from [`VALIDATION_POINT`] on are fresh seeds. One simulation.
pub fn evaluate_at(
    q: &StaffQuery,
    runner: &Runner,
    staffing: &[u32],
    point: u64,
) -> Result<Evaluation, StaffError> {
    Ok(evaluate(q, runner, &[staffing.to_vec()], point, q.confidence)?.remove(0))
}

/// Simulates every candidate staffing (all replications, common random numbers at stream
/// point `point`) on the one runner and judges each by `confidence`; replications are folded
/// into per-(interval, target) accumulators as they finish, in order.
fn evaluate(
    q: &StaffQuery,
    runner: &Runner,
    cands: &[Vec<u32>],
    point: u64,
    confidence: Confidence,
) -> Result<Vec<Evaluation>, StaffError> {
    let scenarios: Vec<Scenario> = cands
        .iter()
        .map(|c| {
            let mut s = q.scenario.clone();
            s.agent_groups[q.group].staffing = c.clone();
            s
        })
        .collect();
    let reps = q.scenario.simulation.replications as usize;
    let intervals = q.scenario.simulation.intervals;
    let skills = &q.scenario.agent_groups[q.group].skills;
    let sources = sources(q)?;
    let n = sources.len();
    // [interval * targets + target] of the candidate being folded: replications come in
    // order, so each candidate is judged when its last one is in and its accumulators reused
    // (holding every candidate's until the end took a third of a round's memory).
    let mut accs = vec![Accumulator::default(); intervals * n];
    let mut evaluations = Vec::with_capacity(cands.len());
    let spares = Spares::new();
    let done = runner.ordered(
        cands.len() * reps,
        |j| {
            let s = &scenarios[j / reps];
            spares.simulate(s, stream_key(s, point, (j % reps) as u32))
        },
        |j, r| -> Result<(), StaffError> {
            let scored = q.scenario.experience_model;
            fold_replication(&r, skills, &sources, scored, &mut accs);
            spares.give(r);
            if j % reps == reps - 1 {
                evaluations.push(judge(&q.targets, &q.scenario, &accs, confidence));
                accs.fill(Accumulator::default());
            }
            Ok(())
        },
    )?;
    if done.interrupted() {
        return Err(RunError::Interrupted.into());
    }
    Ok(evaluations)
}

/// Per interval: each target's estimate and the smallest slack on the judged side.
fn judge(
    targets: &[Target],
    s: &Scenario,
    accs: &[Accumulator],
    confidence: Confidence,
) -> Evaluation {
    let intervals = s.simulation.intervals;
    let closed = closed_intervals(s);
    let mut tq = TQuantiles::default();
    let n = targets.len();
    let mut estimates = Vec::with_capacity(intervals * n);
    let mut slack = Vec::with_capacity(intervals);
    for k in 0..intervals {
        if closed[k] {
            // Staffing cannot act on a closed interval: nothing to judge (see
            // `closed_intervals`).
            estimates.extend(std::iter::repeat_n(None, n));
            slack.push(0.0);
            continue;
        }
        let mut worst = f64::INFINITY;
        for (t, target) in targets.iter().enumerate() {
            let e = accs[k * n + t].estimate(&mut tq);
            if let Some(e) = e {
                let x = match (confidence, target.direction) {
                    (Confidence::Mean, _) => e.mean,
                    (Confidence::Ci95, Direction::AtLeast) => e.ci95.0,
                    (Confidence::Ci95, Direction::AtMost) => e.ci95.1,
                };
                worst = worst.min(target.slack(x));
            }
            estimates.push(e);
        }
        slack.push(if worst.is_finite() { worst } else { 0.0 });
    }
    Evaluation {
        estimates,
        targets: n,
        slack,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_with_direction_checks() {
        let t: Target = "service_level>=0.8".parse().unwrap();
        assert_eq!(
            (t.metric, t.direction, t.value),
            ("service_level", Direction::AtLeast, 0.8)
        );
        assert_eq!("asa_s<=1m".parse::<Target>().unwrap().value, 60.0);
        assert!("service_level<=0.8".parse::<Target>().is_err());
        assert!("abandon_rate>=0.1".parse::<Target>().is_err());
        // An occupancy cap is a target (more agents lower occupancy); a floor is not.
        assert!("occupancy>=0.9".parse::<Target>().is_err());
        assert!("service_level>=1.5".parse::<Target>().is_err());
        assert!("service_level=0.8".parse::<Target>().is_err());
    }

    pub(crate) fn query(targets: &[&str]) -> StaffQuery {
        let text = r#"
            [simulation]
            horizon = "4h"
            interval = "1h"
            replications = 10
            [[call_types]]
            name = "general"
            volumes = [60, 120, 240, 90]
            handle_time = { distribution = "exponential", mean = "4m" }
            patience = { distribution = "exponential", mean = "3m" }
            [[agent_groups]]
            name = "agents"
            skills = ["general"]
            agents = 1
        "#;
        StaffQuery {
            scenario: Scenario::from_toml_str(text, "t", "t").unwrap(),
            group: 0,
            targets: targets.iter().map(|t| t.parse().unwrap()).collect(),
            confidence: Confidence::Ci95,
            options: RunOptions {
                threads: Some(2),
                ..RunOptions::default()
            },
            max_simulations: 400,
            max_agents: None,
        }
    }

    #[test]
    fn answer_meets_targets_and_is_locally_minimal() {
        let q = query(&["service_level>=0.8", "abandon_rate<=0.05"]);
        let a = search(&q).unwrap();
        let runner = q.options.runner(&[&q.scenario]).unwrap();
        assert!(a.evaluation.meets());
        // Erlang's count grows with the load.
        assert!(a.erlang[2] > a.erlang[0], "{:?}", a.erlang);
        // The search's own choice is locally minimal on its seeds; validation only adds.
        assert!(a.staffing.iter().zip(&a.chosen).all(|(s, c)| s >= c));
        for k in 0..a.chosen.len() {
            if a.chosen[k] > a.floor[k] {
                let mut c = a.chosen.clone();
                c[k] -= 1;
                assert!(
                    !evaluate(&q, &runner, &[c], 0, q.confidence).unwrap()[0].meets(),
                    "interval {k}"
                );
            }
        }
    }

    #[test]
    fn targets_name_a_call_type_or_cap_occupancy() {
        let t: Target = "billing.service_level>=0.8".parse().unwrap();
        assert_eq!(t.call_type.as_deref(), Some("billing"));
        assert_eq!(t.to_string(), "billing.service_level>=0.8");
        let t: Target = "premium support.asa_s<=1m".parse().unwrap();
        assert_eq!(
            (t.call_type.as_deref(), t.value),
            (Some("premium support"), 60.0)
        );
        assert_eq!(
            "occupancy<=0.88".parse::<Target>().unwrap().metric,
            "occupancy"
        );
        let e = "occupancy>=0.6".parse::<Target>().unwrap_err();
        assert!(e.contains("occupancy floor"), "{e}");
        assert!("billing.occupancy<=0.9".parse::<Target>().is_err());
        assert!(".service_level>=0.8".parse::<Target>().is_err());
        assert!("billing.nonsense>=0.8".parse::<Target>().is_err());
    }

    #[test]
    fn perfect_targets_are_degenerate() {
        for (t, d) in [
            ("service_level>=1", true),
            ("service_level>=0.99", false),
            ("abandon_rate<=0", true),
            ("asa_s<=0", true),
            ("abandon_rate<=0.05", false),
        ] {
            assert_eq!(t.parse::<Target>().unwrap().degenerate(), d, "{t}");
        }
    }

    #[test]
    fn unknown_or_unserved_call_types_are_refused_before_any_work() {
        let e = search(&query(&["billing.service_level>=0.8"])).unwrap_err();
        assert!(
            matches!(&e, StaffError::Input(m) if m.contains("no call type `billing`") && m.contains("general")),
            "{e}"
        );
    }

    #[test]
    fn an_occupancy_cap_only_adds_agents() {
        let plain = search(&query(&["service_level>=0.8"])).unwrap();
        let capped = search(&query(&["service_level>=0.8", "occupancy<=0.6"])).unwrap();
        assert!(capped.validation.meets());
        assert!(
            capped
                .staffing
                .iter()
                .zip(&plain.staffing)
                .all(|(c, p)| c >= p),
            "{:?} vs {:?}",
            capped.staffing,
            plain.staffing
        );
        assert!(capped.staffing.iter().sum::<u32>() > plain.staffing.iter().sum::<u32>());
    }

    #[test]
    fn scheduled_heads_gross_up_and_round_up() {
        assert_eq!(scheduled_heads(10, 0.0), 10);
        assert_eq!(scheduled_heads(10, 0.5), 20);
        assert_eq!(scheduled_heads(22, 0.12), 25); // 22 / 0.88 = 25 exactly
        assert_eq!(scheduled_heads(23, 0.12), 27); // 26.14
        assert_eq!(scheduled_heads(0, 0.3), 0);
    }

    /// With shrinkage the answer is heads on the phones (the search without shrinkage), the
    /// scheduled heads gross them up by ⌈n / (1 − s)⌉ (raised where the check with shrinkage
    /// missed), and the scheduled heads hold with shrinkage on fresh seeds.
    #[test]
    fn shrinkage_schedules_more_heads_that_hold_after_absence() {
        let mut q = query(&["service_level>=0.8"]);
        let plain = search(&q).unwrap();
        assert!(plain.shrinkage.is_none());
        assert_eq!(plain.scheduled(), &plain.staffing[..]);
        q.scenario.agent_groups[0].shrinkage = 0.25;
        let a = search(&q).unwrap();
        assert_eq!(
            a.staffing, plain.staffing,
            "on the phones = the search without shrinkage"
        );
        let sh = a.shrinkage.as_ref().unwrap();
        for k in 0..a.staffing.len() {
            assert_eq!(sh.formula[k], scheduled_heads(a.staffing[k], 0.25));
            assert!(sh.scheduled[k] >= sh.formula[k]);
        }
        assert_eq!(a.scheduled(), &sh.scheduled[..]);
        assert!(sh.check.meets(), "{:?}", sh.check.misses());
        let runner = q.options.runner(&[&q.scenario]).unwrap();
        for point in [777, 4_242_424] {
            let fresh = evaluate(
                &q,
                &runner,
                std::slice::from_ref(&sh.scheduled),
                point,
                Confidence::Mean,
            )
            .unwrap()
            .remove(0);
            assert!(fresh.meets(), "point {point}: misses {:?}", fresh.misses());
        }
    }

    /// The staffing holds on seeds the search never saw: re-simulated on two other stream
    /// points, the mean meets every target in every interval.
    #[test]
    fn the_answer_holds_on_fresh_seeds() {
        let q = query(&["general.service_level>=0.8", "abandon_rate<=0.05"]);
        let a = search(&q).unwrap();
        assert!(a.validation.meets(), "{:?}", a.validation);
        let runner = q.options.runner(&[&q.scenario]).unwrap();
        for point in [424_242, 31_337] {
            let fresh = evaluate(
                &q,
                &runner,
                std::slice::from_ref(&a.staffing),
                point,
                Confidence::Mean,
            )
            .unwrap()
            .remove(0);
            assert!(fresh.meets(), "point {point}: misses {:?}", fresh.misses());
        }
    }
}
