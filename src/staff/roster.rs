//! Rosters: how many agents start on each allowed shift, so that the per-interval requirement
//! of the staffing search is covered at least cost, checked by simulation on fresh seeds.
//!
//! # The shift file
//! A TOML file of allowed shifts in the vocabulary of the scenario's `[[shifts]]` keys (group,
//! start as clock time, length, breaks with earliest/latest start and length, days), plus what
//! a roster needs: the cost per agent on the shift and optional bounds on its agents:
//!
//! ```toml
//! day_start = "08:00"        # the clock time of the scenario's time 0 (default: the
//!                            # [calendar]'s start time, else "00:00")
//! [[shifts]]
//! name = "early"             # optional label, one per shift (default: start+length)
//! group = "tier1"            # optional: default the rostered group; others are skipped
//! start = "08:00"            # clock time "HH:MM" (or "HH:MM:SS") on the day_start clock
//! length = "8h"
//! breaks = [{ earliest = "11:30", latest = "12:30", length = "30m" }]
//! days = [0]                 # day numbers from the scenario's first day, or weekdays with
//!                            # the scenario's calendar: ["Mon", "Wed-Fri"] (default: every day)
//! cost = 200.0               # per agent on the shift (default: its length in hours)
//! min_agents = 0             # optional bounds; `agents = n` fixes the count
//! max_agents = 40
//! ```
//!
//! A shift on day `d` starts at scenario time `d·24h + (start − day_start)`, wrapping
//! `start − day_start` into one day. A break's clock times are read on the same clock (a time
//! before the shift's start is the next day's). An agent on a shift counts, in each planning
//! interval, for the share of the interval she is on duty: on the shift and not on a break.
//! Breaks sit at their **nominal placement** for this count: the middle of their window
//! (start at `(earliest + latest) / 2`); the engine does not model breaks yet, so this is a
//! planning rule, not a simulation of when agents actually go.
//!
//! # The integer program
//! With `x_j` agents on shift-day `j` (an integer in `[min_agents, max_agents]`), `a_kj` the
//! share of interval `k` an agent on `j` is on duty and `r_k` the requirement:
//! minimise `Σ_j cost_j·x_j` subject to `Σ_j a_kj·x_j ≥ r_k` for every interval. Solved exactly
//! (branch and bound, zero gap) by `good_lp` with the pure-Rust `microlp` backend. The
//! *rostered* headcount `Σ_j a_kj·x_j` may be fractional (partial intervals, breaks); the
//! scenario staffing written for simulation is its floor — a conservative reading that still
//! is at least `r_k`, since `r_k` is a whole number.
//!
//! # Size
//! A column stores only the intervals its shift is on duty in, so the columns take memory in
//! proportion to shifts × days × the intervals a shift spans, not to the whole horizon. The
//! program is refused up front (bad input, naming the knobs: fewer shifts or start times,
//! fewer days, a longer `simulation.interval`, a shorter horizon) past [`MAX_COLUMNS`]
//! shift-days or [`MAX_COVERAGES`] coverages, where solving it would take minutes a round;
//! below that, the columns, the program and the report's rows are counted in the memory
//! budget with the search's candidates (`--memory-limit`).
//!
//! # Simulation loop
//! The roster's staffing is re-simulated on fresh streams (stream point
//! [`ROSTER_POINT`] `+ round`, never used by the search nor its validation); where an interval
//! misses a target, its requirement becomes one more than the roster gave it and the program
//! is solved again, at most [`ROSTER_ROUNDS`] rounds. The last round's figures are the
//! validation figures the report shows. With shrinkage the requirement is the search's
//! scheduled heads and the rounds simulate with shrinkage on.
//!
//! # Several groups
//! [`roster_joint`] takes its requirement from joint staffing ([`super::joint`]) and solves one
//! program over every rostered group's shifts ([`solve_groups`]: one covering row per group and
//! interval, total cost minimised); a missed interval raises the requirement of the cheapest
//! group that can help with the missed target.

use super::joint::{self, JointAnswer, JointQuery};
use super::{evaluate_at, search, Evaluation, StaffAnswer, StaffError, StaffQuery};
use crate::experiment::budget;
use crate::model::week::{day_range, parse_clock, WEEKDAY_ALLOWED};
use crate::scenario::duration::parse_duration;
use crate::scenario::{describe, quote, Scenario};
use good_lp::{microlp, variable, Expression, ProblemVariables, Solution, SolverModel};

/// Seconds in a day: shift days and clock times wrap on it.
const DAY: f64 = 86_400.0;

/// Stream point of the first roster validation round (round `r` uses this plus `r`): far from
/// the search's point 0 and from [`super::VALIDATION_POINT`]` + 1..=3`, so every round judges
/// the roster on draws nothing was chosen on.
pub const ROSTER_POINT: u64 = super::VALIDATION_POINT + 0x100;

/// Simulation rounds of the roster at most (each one simulation of all replications).
pub const ROSTER_ROUNDS: u32 = 5;

/// Most shift-days (columns: one per shift and day) a roster's integer program takes. The
/// exact solver's time grows faster than the program's size (measured per solve, 576 shifts
/// at 30-minute intervals: 1.2 s for 30 days, 3.8 s for 60, 13 s for 120 — 69,120 columns,
/// 886,032 coverages — and 163 s for a year), and a roster solves up to [`ROSTER_ROUNDS`]
/// times: a bigger program is refused up front, naming the knobs, rather than left to run
/// for a quarter of an hour or more.
pub const MAX_COLUMNS: usize = 100_000;

/// Most coverages (the program's nonzero coefficients: per shift-day, the intervals it is on
/// duty in) a roster's integer program takes; see [`MAX_COLUMNS`].
pub const MAX_COVERAGES: usize = 1_000_000;

/// Bytes a report keeps per column until it is written (the column's row of the shifts table,
/// its JSON object or CSV lines, built whole), for the memory budget. Measured: the JSON
/// report of 69,120 columns peaked 120 MB above the CSV one, 1.7 kB a column.
const REPORT_BYTES_PER_COLUMN: f64 = 2048.0;

/// The shift file as written, read key by key from the TOML ([`read_shift_file`]).
#[derive(Debug)]
struct RawShiftFile {
    day_start: Option<String>,
    shifts: Vec<RawShift>,
}

#[derive(Debug)]
struct RawShift {
    name: Option<String>,
    group: Option<String>,
    start: String,
    length: String,
    breaks: Vec<RawBreak>,
    days: Option<Vec<RawDay>>,
    cost: Option<f64>,
    min_agents: Option<i64>,
    max_agents: Option<i64>,
    agents: Option<i64>,
}

/// A `days` entry: a day number from the scenario's first day, or a weekday name or range
/// (`"Mon"`, `"mon-fri"`) read with the scenario's `[[shifts]]` parser on its calendar.
#[derive(Debug)]
enum RawDay {
    Number(i64),
    Name(String),
}

#[derive(Debug)]
struct RawBreak {
    earliest: String,
    latest: Option<String>,
    length: String,
}

/// Keys of the shift file's top level, of a `[[shifts]]` table and of a break.
const FILE_KEYS: &[&str] = &["day_start", "shifts"];
const SHIFT_KEYS: &[&str] = &[
    "name",
    "group",
    "start",
    "length",
    "breaks",
    "days",
    "cost",
    "min_agents",
    "max_agents",
    "agents",
];
const BREAK_KEYS: &[&str] = &["earliest", "latest", "length"];

/// Most agents on one shift: the scenario's limit on one interval's headcount
/// (`agent_groups[].agents`), so a roster's staffing is always a valid scenario.
const MAX_SHIFT_AGENTS: i64 = 1_000_000;

/// Largest cost per agent: the scenario's limit on a plain number (costs included).
const MAX_COST: f64 = 1e12;

/// One table of the shift file at key path `path` (`None`: the top level): its keys read by
/// type, each message `path.key: what is wrong` in the scenario's words.
struct Keys<'a> {
    table: &'a toml::Table,
    path: Option<String>,
}

impl<'a> Keys<'a> {
    /// `v` as a table whose keys are all in `allowed` (a typo is refused, not ignored).
    fn of(v: &'a toml::Value, path: Option<String>, allowed: &[&str]) -> Result<Self, String> {
        let here = path.clone().unwrap_or_else(|| "(top level)".into());
        let table = v
            .as_table()
            .ok_or_else(|| format!("{here}: expected a table, found {}", describe(v)))?;
        let keys = Keys { table, path };
        if let Some(k) = table.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(format!(
                "{}: unknown key {}; allowed keys here: {}",
                keys.at(k),
                quote(k),
                allowed.join(", ")
            ));
        }
        Ok(keys)
    }

    /// The key path of `key` in this table.
    fn at(&self, key: &str) -> String {
        match &self.path {
            Some(p) => format!("{p}.{key}"),
            None => key.to_string(),
        }
    }

    /// `key`'s value converted by `f` (`None` when the key is absent); `expected` names the
    /// type when `f` refuses the value.
    fn get<T>(
        &self,
        key: &str,
        expected: &str,
        f: impl Fn(&'a toml::Value) -> Option<T>,
    ) -> Result<Option<T>, String> {
        match self.table.get(key) {
            None => Ok(None),
            Some(v) => f(v).map(Some).ok_or_else(|| {
                format!(
                    "{}: expected {expected}, found {}",
                    self.at(key),
                    describe(v)
                )
            }),
        }
    }

    fn string(&self, key: &str) -> Result<Option<String>, String> {
        self.get(key, "a string in quotes", |v| {
            v.as_str().map(str::to_string)
        })
    }

    /// A required string (a duration or a clock time).
    fn required(&self, key: &str) -> Result<String, String> {
        self.string(key)?
            .ok_or_else(|| format!("{}: missing: this key is required here", self.at(key)))
    }

    fn number(&self, key: &str) -> Result<Option<f64>, String> {
        self.get(key, "a number", |v| match v {
            toml::Value::Float(f) => Some(*f),
            toml::Value::Integer(i) => Some(*i as f64),
            _ => None,
        })
    }

    fn whole(&self, key: &str) -> Result<Option<i64>, String> {
        self.get(key, "a whole number", toml::Value::as_integer)
    }

    fn array(&self, key: &str) -> Result<Option<&'a Vec<toml::Value>>, String> {
        self.get(key, "an array [ … ]", toml::Value::as_array)
    }
}

/// Parses the shift file's text: TOML syntax errors on one line with their line and column,
/// then every key by type ([`Keys`]). Messages are `file: key.path: what; allowed`, as the
/// scenario's.
fn read_shift_file(text: &str, file: &str) -> Result<RawShiftFile, String> {
    let at = |m: String| format!("{file}: {m}");
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let location = e.span().map_or(String::new(), |span| {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
                .chars()
                .count()
                + 1;
            format!("line {line}, column {column}: ")
        });
        let message: Vec<&str> = e
            .message()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        at(format!("{location}invalid TOML: {}", message.join("; ")))
    })?;
    let top = toml::Value::Table(table);
    let top = Keys::of(&top, None, FILE_KEYS).map_err(at)?;
    let day_start = top.string("day_start").map_err(at)?;
    let list = top
        .get(
            "shifts",
            "an array of [[shifts]] tables",
            toml::Value::as_array,
        )
        .map_err(at)?;
    let mut shifts = Vec::new();
    for (i, v) in list.into_iter().flatten().enumerate() {
        let s = Keys::of(v, Some(format!("shifts[{i}]")), SHIFT_KEYS).map_err(at)?;
        let mut breaks = Vec::new();
        for (b, v) in s
            .array("breaks")
            .map_err(at)?
            .into_iter()
            .flatten()
            .enumerate()
        {
            let k =
                Keys::of(v, Some(format!("shifts[{i}].breaks[{b}]")), BREAK_KEYS).map_err(at)?;
            breaks.push(RawBreak {
                earliest: k.required("earliest").map_err(at)?,
                latest: k.string("latest").map_err(at)?,
                length: k.required("length").map_err(at)?,
            });
        }
        let days = match s.array("days").map_err(at)? {
            None => None,
            Some(list) => Some(
                list.iter()
                    .enumerate()
                    .map(|(j, d)| match d {
                        toml::Value::Integer(n) => Ok(RawDay::Number(*n)),
                        toml::Value::String(name) => Ok(RawDay::Name(name.clone())),
                        other => Err(at(format!(
                            "shifts[{i}].days[{j}]: expected a day number or a weekday such as \"Mon\" or \"Mon-Fri\", found {}",
                            describe(other)
                        ))),
                    })
                    .collect::<Result<_, _>>()?,
            ),
        };
        shifts.push(RawShift {
            name: s.string("name").map_err(at)?,
            group: s.string("group").map_err(at)?,
            start: s.required("start").map_err(at)?,
            length: s.required("length").map_err(at)?,
            breaks,
            days,
            cost: s.number("cost").map_err(at)?,
            min_agents: s.whole("min_agents").map_err(at)?,
            max_agents: s.whole("max_agents").map_err(at)?,
            agents: s.whole("agents").map_err(at)?,
        });
    }
    Ok(RawShiftFile { day_start, shifts })
}

/// One allowed shift on one day, as the integer program sees it: a column of coverage.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftColumn {
    /// Label for reports: the shift's name, with ` day d` on multi-day horizons.
    pub label: String,
    /// The agent group (scenario index) whose agents work this shift.
    pub group: usize,
    /// The start as the shift file gives it ("HH:MM" on its clock).
    pub start_clock: String,
    /// Scenario time the shift starts (seconds from the scenario's start).
    pub start_s: f64,
    /// Shift length (seconds), breaks included.
    pub length_s: f64,
    /// Cost per agent on this shift.
    pub cost: f64,
    /// Fewest agents on it.
    pub min_agents: u32,
    /// Most agents on it (`None`: no bound).
    pub max_agents: Option<u32>,
    /// First interval the shift covers: `cover[i]` is the share of interval `first + i`.
    pub first: usize,
    /// Share of each interval from `first` an agent on this shift is on duty (0..=1); 0 in
    /// every interval before `first` or past the end of `cover`. Sparse, since a shift covers
    /// at most a day's intervals: dense columns of the whole horizon took shifts × days ×
    /// intervals × 8 bytes (576 shifts over a year at 30-minute intervals: 29 GB, and the
    /// roster aborted in the allocator).
    pub cover: Vec<f64>,
}

impl ShiftColumn {
    /// Bytes this column holds: the record, its label, start and coverage, and the
    /// allocator's overhead per block.
    pub fn bytes(&self) -> f64 {
        (std::mem::size_of::<ShiftColumn>()
            + self.label.capacity()
            + self.start_clock.capacity()
            + self.cover.capacity() * std::mem::size_of::<f64>()
            + 3 * 16) as f64
    }

    /// Share of interval `k` an agent on this shift is on duty (0 outside the shift).
    pub fn share(&self, k: usize) -> f64 {
        k.checked_sub(self.first)
            .and_then(|i| self.cover.get(i))
            .copied()
            .unwrap_or(0.0)
    }

    /// `(interval, share)` for every interval the shift is on duty in (share > 0), in order.
    pub fn shares(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.cover
            .iter()
            .enumerate()
            .filter(|(_, &a)| a > 0.0)
            .map(|(i, &a)| (self.first + i, a))
    }
}

/// Parses a clock time by the scenario's rules ([`parse_clock`]: "HH:MM" or "HH:MM:SS",
/// 00:00 to 23:59:59; a shift ending at midnight is computed from its start and length, so
/// no time needs 24:00) into seconds after midnight.
fn clock(text: &str, key: &str) -> Result<f64, String> {
    parse_clock(text, false)
        .map(f64::from)
        .map_err(|e| format!("{key}: {e}"))
}

fn positive_duration(text: &str, key: &str, max: f64) -> Result<f64, String> {
    let d = parse_duration(text).map_err(|e| format!("{key}: {e}"))?;
    if !(d > 0.0 && d <= max) {
        return Err(format!(
            "{key}: `{text}` must be longer than 0 and at most {}h",
            max / 3600.0
        ));
    }
    Ok(d)
}

fn count(v: i64, key: &str) -> Result<u32, String> {
    u32::try_from(v)
        .ok()
        .filter(|_| v <= MAX_SHIFT_AGENTS)
        .ok_or_else(|| format!("{key}: {v} must be a whole number from 0 to {MAX_SHIFT_AGENTS}"))
}

/// The scenario day numbers (`0..days`) a `days` entry names: the number itself, or every day
/// of the horizon on one of the named weekdays (the scenario's calendar says which weekday day 0
/// is). `Err` says what is wrong and what is allowed.
fn days_of(d: &RawDay, scenario: &Scenario, days: i64) -> Result<Vec<i64>, String> {
    match d {
        RawDay::Number(d) => {
            if (0..days).contains(d) {
                Ok(vec![*d])
            } else {
                Err(format!(
                    "day {d} is outside the scenario's horizon; days 0 to {} are allowed (0 = the scenario's first day)",
                    days - 1
                ))
            }
        }
        RawDay::Name(name) => {
            let weekdays = day_range(name).ok_or_else(|| {
                format!(
                    "unknown weekday or range `{name}`; write {WEEKDAY_ALLOWED}, or a range such as \"Mon-Fri\", or a day number"
                )
            })?;
            let Some(cal) = &scenario.calendar else {
                return Err(format!(
                    "`{name}` names a weekday, but {} has no [calendar] saying which weekday its first day is; use day numbers (0 = the first day)",
                    scenario.source
                ));
            };
            Ok((0..days)
                .filter(|&d| weekdays.contains(&cal.start_day().plus(d as usize)))
                .collect())
        }
    }
}

/// A shift's label: its `name`, else start+length.
fn shift_name(s: &RawShift) -> String {
    s.name
        .clone()
        .unwrap_or_else(|| format!("{}+{}", s.start, s.length))
}

/// Overlap of `[a0, a1)` and `[b0, b1)`.
fn overlap(a0: f64, a1: f64, b0: f64, b1: f64) -> f64 {
    (a1.min(b1) - a0.max(b0)).max(0.0)
}

/// Reads a shift file for group `group` of `scenario`: its columns (one per shift and day),
/// validated. `file` names the file in messages; every message names the key path
/// (`shifts[2].cost`), what is wrong and what is allowed.
pub fn parse_shifts(
    text: &str,
    file: &str,
    scenario: &Scenario,
    group: usize,
) -> Result<Vec<ShiftColumn>, String> {
    parse_shifts_of(text, file, scenario, &[group])
}

/// Reads a shift file for the agent groups `groups` (scenario indices) rostered together:
/// every shift names its `group` (required when there are several; shifts of other groups are
/// skipped), and each group needs at least one shift. Messages as [`parse_shifts`].
pub fn parse_shifts_of(
    text: &str,
    file: &str,
    scenario: &Scenario,
    rostered: &[usize],
) -> Result<Vec<ShiftColumn>, String> {
    let raw = read_shift_file(text, file)?;
    let at = |m: String| format!("{file}: {m}");
    // Names label the roster's rows (with the group's name when several groups are
    // rostered): two shifts of one group and name would be two rows nobody can tell apart.
    // One look-up per shift: comparing each with every earlier one took 5.7 s for 20,000
    // shifts (quadratic, a name built per comparison) before any message.
    let mut seen: std::collections::HashMap<(Option<&str>, String), usize> =
        std::collections::HashMap::with_capacity(raw.shifts.len());
    for (i, s) in raw.shifts.iter().enumerate() {
        let name = shift_name(s);
        if let Some(&j) = seen.get(&(s.group.as_deref(), name.clone())) {
            return Err(at(format!(
                "shifts[{i}]: the name {} is already shifts[{j}]'s{}; give each shift a name of its own",
                quote(&name),
                if s.name.is_none() {
                    " (a shift without a name is named start+length)"
                } else {
                    ""
                }
            )));
        }
        seen.insert((s.group.as_deref(), name), i);
    }
    let day_start = match &raw.day_start {
        Some(t) => clock(t, "day_start").map_err(at)?,
        // A calendar says what time of day the scenario starts at.
        None => scenario.calendar.as_ref().map_or(0.0, |c| c.start_time()),
    };
    let sim = &scenario.simulation;
    let days = (sim.horizon / DAY).ceil().max(1.0) as i64;
    let groups: Vec<&str> = scenario
        .agent_groups
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    let mut columns = Vec::new();
    // Shift-days and coverages (nonzeros) so far, against the solver's size limit.
    let (mut shift_days, mut coverages) = (0usize, 0usize);
    for (i, s) in raw.shifts.iter().enumerate() {
        let key = |k: &str| format!("shifts[{i}].{k}");
        if let Some(g) = &s.group {
            if !groups.contains(&g.as_str()) {
                return Err(at(format!(
                    "{}: no agent group `{g}` in {} (groups: {})",
                    key("group"),
                    scenario.source,
                    groups.join(", ")
                )));
            }
        }
        let start = clock(&s.start, &key("start")).map_err(at)?;
        let length = positive_duration(&s.length, &key("length"), DAY).map_err(at)?;
        let cost = s.cost.unwrap_or(length / 3600.0);
        if !(0.0..=MAX_COST).contains(&cost) {
            return Err(at(format!(
                "{}: {cost} must be an amount ≥ 0 and at most {MAX_COST:e} (per agent on the shift)",
                key("cost")
            )));
        }
        let (mut min, mut max) = (0, None);
        if let Some(v) = s.min_agents {
            min = count(v, &key("min_agents")).map_err(at)?;
        }
        if let Some(v) = s.max_agents {
            max = Some(count(v, &key("max_agents")).map_err(at)?);
        }
        if let Some(v) = s.agents {
            if s.min_agents.is_some() || s.max_agents.is_some() {
                return Err(at(format!(
                    "{}: give either `agents` (a fixed count) or `min_agents`/`max_agents`, not both",
                    key("agents")
                )));
            }
            let n = count(v, &key("agents")).map_err(at)?;
            (min, max) = (n, Some(n));
        }
        if max.is_some_and(|m| m < min) {
            return Err(at(format!(
                "{}: {} is below min_agents {min}",
                key("max_agents"),
                max.unwrap_or(0)
            )));
        }
        // Breaks: offsets from the shift's start, checked to lie within it; each counts at the
        // middle of its window.
        let mut off_duty: Vec<(f64, f64)> = Vec::new();
        for (b, brk) in s.breaks.iter().enumerate() {
            let bkey = |k: &str| format!("shifts[{i}].breaks[{b}].{k}");
            let offset = |t: f64| (t - start).rem_euclid(DAY);
            let earliest = offset(clock(&brk.earliest, &bkey("earliest")).map_err(at)?);
            let latest = match &brk.latest {
                Some(t) => offset(clock(t, &bkey("latest")).map_err(at)?),
                None => earliest,
            };
            let len = positive_duration(&brk.length, &bkey("length"), length).map_err(at)?;
            if latest < earliest || latest + len > length {
                return Err(at(format!(
                    "shifts[{i}].breaks[{b}]: the window {}–{} plus {} does not lie within the shift ({} for {}); earliest ≤ latest and latest + length ≤ the shift's end are allowed",
                    brk.earliest,
                    brk.latest.as_deref().unwrap_or(&brk.earliest),
                    brk.length,
                    s.start,
                    s.length
                )));
            }
            let nominal = (earliest + latest) / 2.0;
            off_duty.push((nominal, nominal + len));
        }
        let day_list: Vec<i64> = match &s.days {
            None => (0..days).collect(),
            Some(list) => {
                if list.is_empty() {
                    return Err(at(format!(
                        "{}: empty; list day numbers from 0 to {} or weekdays such as \"Mon-Fri\" (or leave the key out for every day)",
                        key("days"),
                        days - 1
                    )));
                }
                let mut out = Vec::new();
                for (j, d) in list.iter().enumerate() {
                    for d in days_of(d, scenario, days)
                        .map_err(|m| at(format!("shifts[{i}].days[{j}]: {m}")))?
                    {
                        if !out.contains(&d) {
                            out.push(d);
                        }
                    }
                }
                out.sort_unstable();
                if out.is_empty() {
                    return Err(at(format!(
                        "{}: none of these weekdays falls within the scenario's {} day(s) from {}",
                        key("days"),
                        days,
                        scenario
                            .calendar
                            .as_ref()
                            .map_or(String::new(), |c| c.start_day().name().to_string())
                    )));
                }
                out
            }
        };
        let group = match s.group.as_deref() {
            Some(g) => match groups.iter().position(|n| *n == g) {
                Some(i) if rostered.contains(&i) => i,
                _ => continue,
            },
            None if rostered.len() == 1 => rostered[0],
            None => {
                return Err(at(format!(
                    "{}: missing; with several rostered groups every shift names its group ({})",
                    key("group"),
                    rostered
                        .iter()
                        .map(|&g| groups[g])
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        };
        let name = shift_name(s);
        for &d in &day_list {
            shift_days += 1;
            if shift_days > MAX_COLUMNS || coverages > MAX_COVERAGES {
                // Past the solver's size limit: counted for the message, not built (a year of
                // 576 shifts would take 70 MB of columns before being refused).
                coverages += (length / sim.interval).ceil() as usize + 1;
                continue;
            }
            let t0 = d as f64 * DAY + (start - day_start).rem_euclid(DAY);
            // Only the intervals the shift overlaps (one more each side, for the rounding of
            // the division), trimmed to those with a share: the same figures as computing
            // every interval of the horizon, in memory proportional to the shift's length.
            let from = ((t0 / sim.interval).floor() as usize).saturating_sub(1);
            let to = (((t0 + length) / sim.interval).ceil() as usize + 1).min(sim.intervals);
            let mut cover: Vec<f64> = (from.min(to)..to)
                .map(|k| {
                    let k0 = k as f64 * sim.interval;
                    let k1 = k0 + sim.interval_len(k);
                    let on = overlap(t0, t0 + length, k0, k1)
                        - off_duty
                            .iter()
                            .map(|&(b0, b1)| overlap(t0 + b0, t0 + b1, k0, k1))
                            .sum::<f64>();
                    (on / (k1 - k0)).clamp(0.0, 1.0)
                })
                .collect();
            let lead = cover.iter().take_while(|&&c| c == 0.0).count();
            cover.truncate(cover.iter().rposition(|&c| c != 0.0).map_or(0, |i| i + 1));
            cover.drain(..lead.min(cover.len()));
            coverages += cover.len();
            if cover.is_empty() {
                return Err(at(format!(
                    "shifts[{i}] ({name}{}): starts at +{:.2}h of the scenario and covers none of its {}h horizon; check start against day_start",
                    if days > 1 { format!(", day {d}") } else { String::new() },
                    t0 / 3600.0,
                    sim.horizon / 3600.0
                )));
            }
            columns.push(ShiftColumn {
                group,
                label: if days > 1 {
                    format!("{name} day {d}")
                } else {
                    name.clone()
                },
                start_clock: s.start.trim().to_string(),
                start_s: t0,
                length_s: length,
                cost,
                min_agents: min,
                max_agents: max,
                first: from.min(to) + lead,
                cover,
            });
        }
    }
    if shift_days > MAX_COLUMNS || coverages > MAX_COVERAGES {
        return Err(at(format!(
            "the shifts make {shift_days} shift-days (one per shift and day of the {days}-day horizon) with about {coverages} interval coverages, more than the roster's integer program takes ({MAX_COLUMNS} shift-days and {MAX_COVERAGES} coverages at most: the exact solver's time grows faster than the program); use fewer shifts or start times (every 15 or 30 minutes rather than 5), shifts on fewer days (`days`), a longer simulation.interval or a shorter horizon"
        )));
    }
    for &g in rostered {
        if !columns.iter().any(|c| c.group == g) {
            let name = groups[g];
            return Err(at(format!(
                "no shift for agent group `{name}` (give [[shifts]] with group = \"{name}\"{})",
                if rostered.len() == 1 {
                    " or without a group"
                } else {
                    ""
                }
            )));
        }
    }
    Ok(columns)
}

/// Rostered headcount per interval (`intervals` of them) of `counts` agents on `columns`:
/// `Σ_j a_kj·x_j`.
pub fn coverage(columns: &[ShiftColumn], counts: &[u32], intervals: usize) -> Vec<f64> {
    let mut cover = vec![0.0; intervals];
    // Column by column, each interval's sum adds its columns' shares in column order (the
    // zeros a dense sum would add change nothing).
    for (c, &x) in columns.iter().zip(counts) {
        for (k, a) in c.shares() {
            cover[k] += a * f64::from(x);
        }
    }
    cover
}

/// Rostered headcount per interval of group `g` alone (its columns of `columns`).
pub fn coverage_of(
    columns: &[ShiftColumn],
    counts: &[u32],
    g: usize,
    intervals: usize,
) -> Vec<f64> {
    let mut cover = vec![0.0; intervals];
    for (c, &x) in columns.iter().zip(counts).filter(|(c, _)| c.group == g) {
        for (k, a) in c.shares() {
            cover[k] += a * f64::from(x);
        }
    }
    cover
}

/// Per interval (`intervals` of them), the columns `keep` accepts that are on duty in it
/// (share > 0) and their shares, in column order: the rows of the program, and each
/// interval's candidates, without scanning every column for every interval.
fn on_duty(
    columns: &[ShiftColumn],
    intervals: usize,
    keep: impl Fn(&ShiftColumn) -> bool,
) -> Vec<Vec<(usize, f64)>> {
    let mut rows = vec![Vec::new(); intervals];
    for (j, c) in columns.iter().enumerate().filter(|(_, c)| keep(c)) {
        for (k, a) in c.shares() {
            rows[k].push((j, a));
        }
    }
    rows
}

/// Whole agents on duty per interval (the floor of the coverage, with a tolerance for the sum
/// of shares): the staffing simulated.
pub fn whole_agents(cover: &[f64]) -> Vec<u32> {
    cover.iter().map(|&c| (c + 1e-6).floor() as u32).collect()
}

/// Total cost of `counts`.
pub fn cost(columns: &[ShiftColumn], counts: &[u32]) -> f64 {
    columns
        .iter()
        .zip(counts)
        .map(|(c, &x)| c.cost * f64::from(x))
        .sum()
}

/// The least-cost integer roster covering `required` (see the module docs); `Err` names an
/// interval no shift covers, or says the bounds make the requirement unreachable.
/// Cost: one mixed-integer program with one variable per column and one row per interval
/// with a requirement.
pub fn solve(
    columns: &[ShiftColumn],
    required: &[u32],
    clock_of: &dyn Fn(usize) -> String,
) -> Result<Vec<u32>, String> {
    let group = columns.first().map_or(0, |c| c.group);
    solve_groups(columns, &[(group, required)], clock_of)
}

/// The least-cost integer roster of several groups at once: one program over every group's
/// shifts, minimising their total cost, with one covering row per (group, interval) —
/// `Σ_{j of group g} a_kj·x_j ≥ r_gk` — for `required`'s `(group, requirement)` pairs. Errors
/// as [`solve`], naming the group when there are several.
pub fn solve_groups(
    columns: &[ShiftColumn],
    required: &[(usize, &[u32])],
    clock_of: &dyn Fn(usize) -> String,
) -> Result<Vec<u32>, String> {
    let several = required.len() > 1;
    let whose = |g: usize| {
        if several {
            format!(" of group {g}")
        } else {
            String::new()
        }
    };
    let rows: Vec<Vec<Vec<(usize, f64)>>> = required
        .iter()
        .map(|&(g, req)| on_duty(columns, req.len(), |c| c.group == g))
        .collect();
    for (&(g, req), rows) in required.iter().zip(&rows) {
        for (k, &r) in req.iter().enumerate() {
            if r > 0
                && !rows[k]
                    .iter()
                    .any(|&(j, _)| columns[j].max_agents != Some(0))
            {
                return Err(format!(
                    "interval {k} ({}) needs {r} agent(s){} but no shift covers it: add a shift on duty then",
                    clock_of(k),
                    whose(g)
                ));
            }
        }
    }
    let mut vars = ProblemVariables::new();
    let x: Vec<_> = columns
        .iter()
        .map(|c| {
            let mut v = variable().integer().min(c.min_agents);
            if let Some(m) = c.max_agents {
                v = v.max(m);
            }
            vars.add(v)
        })
        .collect();
    let objective: Expression = columns.iter().zip(&x).map(|(c, &v)| c.cost * v).sum();
    let mut model = vars.minimise(objective).using(microlp);
    for (&(_, req), rows) in required.iter().zip(&rows) {
        for (k, &r) in req.iter().enumerate() {
            if r == 0 {
                continue;
            }
            let row: Expression = rows[k].iter().map(|&(j, a)| a * x[j]).sum();
            model.add_constraint(row.geq(f64::from(r)));
        }
    }
    drop(rows);
    let solution = model.solve().map_err(|e| match e {
        good_lp::ResolutionError::Infeasible => {
            "no roster within the shifts' max_agents covers the requirement: raise max_agents or add shifts".to_string()
        }
        e => format!("the roster's integer program failed: {e}"),
    })?;
    let counts: Vec<u32> = x
        .iter()
        .map(|&v| solution.value(v).round().max(0.0) as u32)
        .collect();
    // The solver works in floating point: check the rounded answer covers what it must.
    for &(g, req) in required {
        let cover = coverage_of(columns, &counts, g, req.len());
        if let Some(k) = (0..req.len()).find(|&k| cover[k] + 1e-6 < f64::from(req[k])) {
            return Err(format!(
                "the roster's integer program returned a roster short in interval {k}{} ({:.3} < {})",
                whose(g),
                cover[k],
                req[k]
            ));
        }
    }
    Ok(counts)
}

/// A feasible roster built interval by interval, for comparison: from the shifts' minimums,
/// each interval in turn gets agents on the shift covering it at the least cost per unit of
/// coverage there until its requirement is met. What a planner covering each interval's
/// rounded requirement with the cheapest shift (no look-ahead) pays; the integer program never
/// pays more. `None` if the bounds stop it.
pub fn interval_by_interval(columns: &[ShiftColumn], required: &[u32]) -> Option<Vec<u32>> {
    let mut counts: Vec<u32> = columns.iter().map(|c| c.min_agents).collect();
    let mut cover = coverage(columns, &counts, required.len());
    let on_duty = on_duty(columns, required.len(), |_| true);
    for (k, &r) in required.iter().enumerate() {
        while cover[k] + 1e-6 < f64::from(r) {
            let &(j, _) = on_duty[k]
                .iter()
                .filter(|&&(j, _)| columns[j].max_agents.is_none_or(|m| counts[j] < m))
                .min_by(|&&(a, share_a), &&(b, share_b)| {
                    let (per_a, per_b) = (columns[a].cost / share_a, columns[b].cost / share_b);
                    per_a.total_cmp(&per_b).then(a.cmp(&b))
                })?;
            counts[j] += 1;
            for (i, share) in columns[j].shares() {
                cover[i] += share;
            }
        }
    }
    Some(counts)
}

/// A roster question: the staffing search's query (its group is the one rostered) and the
/// allowed shifts.
#[derive(Debug, Clone)]
pub struct RosterQuery {
    /// What the requirement is searched with, and the group whose shifts are chosen.
    pub staff: StaffQuery,
    /// The allowed shift-days of that group ([`parse_shifts`]).
    pub columns: Vec<ShiftColumn>,
}

/// The roster found.
#[derive(Debug, Clone)]
pub struct RosterAnswer {
    /// The staffing search's answer: its scheduled heads ([`StaffAnswer::scheduled`]: heads
    /// on the phones grossed up for shrinkage) are the requirement the roster starts from.
    pub requirement: StaffAnswer,
    /// The requirement the final roster was solved for (the search's, raised where the
    /// roster's simulation missed a target).
    pub required: Vec<u32>,
    /// Agents starting on each column.
    pub counts: Vec<u32>,
    /// Rostered headcount per interval (fractional where shifts start or break inside it).
    pub rostered: Vec<f64>,
    /// Whole agents on duty per interval: the staffing the scenario runs with.
    pub staffing: Vec<u32>,
    /// Total cost of the roster.
    pub cost: f64,
    /// Cost of the interval-by-interval cover of the search's requirement
    /// ([`interval_by_interval`]), for comparison (`None`: the shifts' bounds stop it).
    pub interval_by_interval_cost: Option<f64>,
    /// The roster's staffing on the search's seeds (what `ccsim run` of the roster scenario
    /// reproduces).
    pub evaluation: Evaluation,
    /// The roster's staffing on the last fresh-seed round: the figures to quote.
    pub validation: Evaluation,
    /// Roster simulation rounds run.
    pub rounds: u32,
    /// Intervals whose requirement the rounds raised.
    pub raised: Vec<usize>,
    /// Simulations run, the search's included.
    pub simulations: usize,
}

/// What a roster holds besides its simulations, for the memory budget: the search's largest
/// batch of candidates (`cells` (interval, group) staffings, `targets` judged figures), and
/// with it the columns (`copies` of them), the integer program over `rows` covering rows
/// and the report's rows. Counted together: the program is built while the search's answer
/// is held, and memory the search's threads freed is not all handed back to the main one.
fn roster_extra(
    s: &Scenario,
    columns: &[ShiftColumn],
    copies: f64,
    (cells, targets, max_simulations): (usize, usize, usize),
    rows: usize,
) -> budget::Extra {
    let (candidates, search) = match budget::search_bytes(s, cells, targets, max_simulations) {
        budget::Extra::Search { candidates, bytes } => (candidates, bytes),
        _ => (0, 0.0),
    };
    let nonzeros: usize = columns.iter().map(|c| c.cover.len()).sum();
    let held: f64 = columns.iter().map(ShiftColumn::bytes).sum();
    budget::Extra::Roster {
        candidates,
        search,
        columns: columns.len() as u64,
        nonzeros: nonzeros as u64,
        program: copies * held
            + budget::program_bytes(columns.len(), nonzeros, rows)
            + REPORT_BYTES_PER_COLUMN * columns.len() as f64,
    }
}

/// The planning clock of interval `k`: `+HH:MM` from the scenario's start.
fn offset_clock(s: &Scenario, k: usize) -> String {
    let m = (k as f64 * s.simulation.interval / 60.0).round() as u64;
    format!("+{:02}:{:02}", m / 60, m % 60)
}

/// Searches the requirement, solves the roster and re-simulates it until it holds on fresh
/// seeds (module docs). Errors: bad shifts or targets are [`StaffError::Input`].
pub fn roster(q: &RosterQuery) -> Result<RosterAnswer, StaffError> {
    let s = &q.staff.scenario;
    let clock_of = |k: usize| offset_clock(s, k);
    // The memory budget, before the search: the program and the columns are held with the
    // search's candidates (every interval counted as one the search may change).
    let intervals = s.simulation.intervals;
    let batch = (intervals, q.staff.targets.len(), q.staff.max_simulations);
    let extra = roster_extra(s, &q.columns, 1.0, batch, intervals);
    let runner = q.staff.options.checked_runner(&[s], extra)?;
    // Shifts that cannot cover the scenario's open intervals fail before the search: an
    // interval with arrivals needs at least one agent.
    let open: Vec<u32> = (0..s.simulation.intervals)
        .map(|k| {
            let skills = &s.agent_groups[q.staff.group].skills;
            let r = s.effective_arrival_rates(k);
            u32::from(skills.iter().any(|&c| r[c] > 0.0))
        })
        .collect();
    let covered = coverage(&q.columns, &vec![1; q.columns.len()], open.len());
    for (k, _) in open.iter().enumerate().filter(|(_, &o)| o > 0) {
        if covered[k] <= 0.0 {
            return Err(StaffError::Input(format!(
                "interval {k} ({}) has arrivals but no shift covers it: add a shift on duty then",
                clock_of(k)
            )));
        }
    }
    let requirement = search(&q.staff)?;
    let mut sims = requirement.simulations;
    let bar = runner.progress_bar(u64::from(ROSTER_ROUNDS) + 1, "roster simulations, at most");
    bar.set_message("roster on fresh seeds");
    // With shrinkage the roster covers scheduled heads, and its simulations run with the
    // scenario's shrinkage on: the rounds below raise the requirement until the targets hold
    // after random absence too.
    let mut required = requirement.scheduled().to_vec();
    let mut rounds = 0;
    let (counts, validation) = loop {
        rounds += 1;
        let counts = solve(&q.columns, &required, &clock_of).map_err(StaffError::Input)?;
        let staffing = whole_agents(&coverage(&q.columns, &counts, required.len()));
        bar.inc(1);
        sims += 1;
        let v = evaluate_at(
            &q.staff,
            &runner,
            &staffing,
            ROSTER_POINT + u64::from(rounds),
        )?;
        if v.meets() || rounds == ROSTER_ROUNDS {
            break (counts, v);
        }
        for k in v.misses() {
            required[k] = required[k].max(staffing[k] + 1);
        }
    };
    let rostered = coverage(&q.columns, &counts, required.len());
    let staffing = whole_agents(&rostered);
    bar.set_message("roster on the search's seeds");
    bar.inc(1);
    sims += 1;
    let evaluation = evaluate_at(&q.staff, &runner, &staffing, 0)?;
    bar.finish_and_clear();
    Ok(RosterAnswer {
        interval_by_interval_cost: interval_by_interval(&q.columns, requirement.scheduled())
            .map(|c| cost(&q.columns, &c)),
        raised: (0..required.len())
            .filter(|&k| required[k] > requirement.scheduled()[k])
            .collect(),
        cost: cost(&q.columns, &counts),
        requirement,
        required,
        counts,
        rostered,
        staffing,
        evaluation,
        validation,
        rounds,
        simulations: sims,
    })
}

/// A roster of several agent groups at once: the joint staffing search's query (its groups
/// are rostered) and the allowed shifts of all of them ([`parse_shifts_of`]).
#[derive(Debug, Clone)]
pub struct JointRosterQuery {
    /// What the requirement is searched with (jointly, at least total cost).
    pub joint: JointQuery,
    /// The allowed shift-days of the rostered groups, each naming its group.
    pub columns: Vec<ShiftColumn>,
}

/// The roster of several groups; per-group vectors follow the query's group order.
#[derive(Debug, Clone)]
pub struct JointRosterAnswer {
    /// The joint search's answer: its scheduled heads per group are the starting requirement.
    pub requirement: JointAnswer,
    /// The requirement the final roster was solved for, per group (raised where a round missed).
    pub required: Vec<Vec<u32>>,
    /// Agents starting on each column.
    pub counts: Vec<u32>,
    /// Rostered headcount per group and interval.
    pub rostered: Vec<Vec<f64>>,
    /// Whole agents on duty per group and interval: the staffing the scenario runs with.
    pub staffing: Vec<Vec<u32>>,
    /// Total cost of the roster (all groups' shifts).
    pub cost: f64,
    /// Σ over groups of the interval-by-interval cover's cost ([`interval_by_interval`]).
    pub interval_by_interval_cost: Option<f64>,
    /// The roster on the search's seeds (what `ccsim run` of the roster scenario gives).
    pub evaluation: Evaluation,
    /// The roster on the last fresh-seed round: the figures to quote.
    pub validation: Evaluation,
    /// Roster simulation rounds run.
    pub rounds: u32,
    /// `(group position, interval)` pairs whose requirement a round raised.
    pub raised: Vec<(usize, usize)>,
    /// Simulations run, the search's included.
    pub simulations: usize,
}

/// The joint search, then one integer program over every rostered group's shifts covering
/// each group's scheduled heads at least total cost, re-simulated (all groups together) on
/// fresh seeds; where an interval misses, the requirement of the cheapest group that can help
/// there becomes one more than it got, at most [`ROSTER_ROUNDS`] rounds.
pub fn roster_joint(q: &JointRosterQuery) -> Result<JointRosterAnswer, StaffError> {
    let jq = &q.joint;
    let s = &jq.scenario;
    let clock_of = |k: usize| offset_clock(s, k);
    let name = |i: usize| s.agent_groups[jq.groups[i]].name.clone();
    let intervals = s.simulation.intervals;
    let all = vec![1; q.columns.len()];
    for (i, &g) in jq.groups.iter().enumerate() {
        let covered = coverage_of(&q.columns, &all, g, intervals);
        for (k, &on) in covered.iter().enumerate() {
            let r = s.effective_arrival_rates(k);
            let open = s.agent_groups[g].skills.iter().any(|&c| r[c] > 0.0);
            if open && on <= 0.0 {
                return Err(StaffError::Input(format!(
                    "interval {k} ({}) has arrivals for group `{}` but none of its shifts covers it: add a shift on duty then",
                    clock_of(k),
                    name(i)
                )));
            }
        }
    }
    let judged = joint::judged(jq)?;
    // The memory budget, before the search (as in [`roster`]; the columns twice: the
    // interval-by-interval comparison copies each group's).
    let cells = intervals * jq.groups.len();
    let batch = (cells, judged.1.len(), jq.max_simulations);
    let extra = roster_extra(s, &q.columns, 2.0, batch, cells);
    jq.options.checked_runner(&[s], extra)?;
    let requirement = joint::search(jq)?;
    let mut sims = requirement.simulations;
    let base: Vec<Vec<u32>> = requirement.scheduled().to_vec();
    let mut required = base.clone();
    let solve_all = |required: &[Vec<u32>]| {
        let pairs: Vec<(usize, &[u32])> = jq
            .groups
            .iter()
            .zip(required)
            .map(|(&g, r)| (g, r.as_slice()))
            .collect();
        solve_groups(&q.columns, &pairs, &clock_of).map_err(StaffError::Input)
    };
    let staffing_of = |counts: &[u32]| -> (Vec<Vec<f64>>, Vec<Vec<u32>>) {
        let rostered: Vec<Vec<f64>> = jq
            .groups
            .iter()
            .map(|&g| coverage_of(&q.columns, counts, g, intervals))
            .collect();
        let whole = rostered.iter().map(|r| whole_agents(r)).collect();
        (rostered, whole)
    };
    let mut rounds = 0;
    let (counts, validation) = loop {
        rounds += 1;
        let counts = solve_all(&required)?;
        let (_, staffing) = staffing_of(&counts);
        sims += 1;
        let v = joint::evaluate_at(jq, &staffing, ROSTER_POINT + u64::from(rounds))?;
        if v.meets() || rounds == ROSTER_ROUNDS {
            break (counts, v);
        }
        for k in v.misses() {
            let i = joint::group_to_raise(jq, &judged, &v, k);
            required[i][k] = required[i][k].max(staffing[i][k] + 1);
        }
    };
    let (rostered, staffing) = staffing_of(&counts);
    sims += 1;
    let evaluation = joint::evaluate_at(jq, &staffing, 0)?;
    let mut by_interval = Some(0.0);
    for (&g, req) in jq.groups.iter().zip(&base) {
        let own: Vec<ShiftColumn> = q.columns.iter().filter(|c| c.group == g).cloned().collect();
        by_interval = match (by_interval, interval_by_interval(&own, req)) {
            (Some(total), Some(c)) => Some(total + cost(&own, &c)),
            _ => None,
        };
    }
    let raised = (0..jq.groups.len())
        .flat_map(|i| (0..s.simulation.intervals).map(move |k| (i, k)))
        .filter(|&(i, k)| required[i][k] > base[i][k])
        .collect();
    Ok(JointRosterAnswer {
        cost: cost(&q.columns, &counts),
        interval_by_interval_cost: by_interval,
        requirement,
        required,
        counts,
        rostered,
        staffing,
        evaluation,
        validation,
        rounds,
        raised,
        simulations: sims,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(horizon: &str, interval: &str) -> Scenario {
        let text = format!(
            r#"
            [simulation]
            horizon = "{horizon}"
            interval = "{interval}"
            replications = 4
            [[call_types]]
            name = "general"
            arrival_rate = 60.0
            handle_time = {{ distribution = "exponential", mean = "4m" }}
            [[agent_groups]]
            name = "agents"
            skills = ["general"]
            agents = 6
            [[agent_groups]]
            name = "backup"
            skills = ["general"]
            agents = 1
        "#
        );
        Scenario::from_toml_str(&text, "t", "t").unwrap()
    }

    fn columns(text: &str) -> Result<Vec<ShiftColumn>, String> {
        parse_shifts(text, "shifts.toml", &scenario("8h", "1h"), 0)
    }

    fn no_clock(k: usize) -> String {
        format!("k{k}")
    }

    #[test]
    fn coverage_counts_breaks_at_the_middle_of_their_window() {
        let c = columns(
            r#"
            day_start = "08:00"
            [[shifts]]
            start = "09:00"
            length = "4h"
            breaks = [{ earliest = "10:00", latest = "11:00", length = "30m" }]
            cost = 4
        "#,
        )
        .unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].label, "09:00+4h");
        // 09:00-13:00 = intervals 1..=4; the break at 10:30-11:00 takes half of interval 2.
        let dense: Vec<f64> = (0..8).map(|k| c[0].share(k)).collect();
        assert_eq!(dense, vec![0.0, 1.0, 0.5, 1.0, 1.0, 0.0, 0.0, 0.0]);
        // Stored sparse: only the intervals the shift is on duty in.
        assert_eq!(
            (c[0].first, c[0].cover.as_slice()),
            (1, &[1.0, 0.5, 1.0, 1.0][..])
        );
    }

    /// Sparse columns keep the dense figures: a shift starting inside an interval, one
    /// running past the horizon, and a last interval shorter than the others.
    #[test]
    fn sparse_columns_hold_the_shares_of_the_intervals_on_duty() {
        let s = scenario("7.5h", "1h");
        let c = parse_shifts(
            "[[shifts]]\nstart = \"06:45\"\nlength = \"1h\"\n[[shifts]]\nstart = \"00:00\"\nlength = \"2h\"\nbreaks = [{ earliest = \"00:00\", length = \"1h\" }]\n",
            "t",
            &s,
            0,
        )
        .unwrap();
        // 06:45-07:45 on a horizon ending at 07:30: a quarter of interval 6, all of the
        // half-hour interval 7.
        assert_eq!((c[0].first, c[0].cover.as_slice()), (6, &[0.25, 1.0][..]));
        assert_eq!(
            (c[0].share(5), c[0].share(7), c[0].share(8)),
            (0.0, 1.0, 0.0)
        );
        // A break over the first hour: on duty in interval 1 only.
        assert_eq!((c[1].first, c[1].cover.as_slice()), (1, &[1.0][..]));
        assert_eq!(
            coverage(&c, &[2, 3], 8),
            [0.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.5, 2.0]
        );
    }

    #[test]
    fn shift_files_name_the_key_that_is_wrong() {
        let one = |body: &str| columns(&format!("[[shifts]]\n{body}\n")).unwrap_err();
        let e = one("start = \"8am\"\nlength = \"8h\"");
        assert!(e.contains("shifts[0].start") && e.contains("HH:MM"), "{e}");
        let e = one("start = \"08:00\"\nlength = \"8h\"\ncost = -1");
        assert!(e.contains("shifts[0].cost") && e.contains("≥ 0"), "{e}");
        let e = one("start = \"08:00\"\nlength = \"8h\"\ngroup = \"nobody\"");
        assert!(
            e.contains("shifts[0].group") && e.contains("agents, backup"),
            "{e}"
        );
        let e = one("start = \"08:00\"\nlength = \"8h\"\ndays = [1]");
        assert!(e.contains("shifts[0].days[0]"), "{e}");
        let e = one(
            "start = \"00:00\"\nlength = \"4h\"\nbreaks = [{ earliest = \"03:50\", length = \"30m\" }]",
        );
        assert!(e.contains("shifts[0].breaks[0]"), "{e}");
        let e = one("start = \"00:00\"\nlength = \"4h\"\nmin_agents = 3\nmax_agents = 2");
        assert!(e.contains("shifts[0].max_agents"), "{e}");
        let e = one("start = \"00:00\"\nlength = \"4h\"\nwage = 3");
        assert!(e.contains("wage"), "{e}");
        // A shift that lies wholly outside the horizon covers nothing.
        let e = one("start = \"12:00\"\nlength = \"4h\"");
        assert!(e.contains("covers none"), "{e}");
        // Shifts of other groups are skipped; none left for the rostered one is an error.
        let e = one("start = \"00:00\"\nlength = \"4h\"\ngroup = \"backup\"");
        assert!(e.contains("no shift for agent group `agents`"), "{e}");
    }

    /// `days` takes weekday names and ranges (the scenario's `[[shifts]]` parser) on a
    /// calendar scenario, mixed with day numbers; a bad name or a name without a calendar is
    /// refused naming the key.
    #[test]
    fn days_take_weekday_names_on_a_calendar() {
        let s = Scenario::from_toml_str(
            r#"
            [simulation]
            interval = "1h"
            replications = 2
            [calendar]
            start = "Fri 08:00"
            days = 4
            opening_hours = { weekday = "08:00-12:00", sat = "08:00-12:00", sun = "closed" }
            [[call_types]]
            name = "general"
            arrival_rate = 10.0
            handle_time = { distribution = "exponential", mean = "4m" }
            [[agent_groups]]
            name = "agents"
            skills = ["general"]
            agents = 2
        "#,
            "cal",
            "cal.toml",
        )
        .unwrap();
        let starts = |days: &str| {
            // No day_start: the calendar's start (08:00) is the default.
            let text = format!("[[shifts]]\nstart = \"08:00\"\nlength = \"4h\"\ndays = {days}\n");
            parse_shifts(&text, "f.toml", &s, 0).map(|c| {
                c.iter()
                    .map(|c| (c.start_s / DAY) as i64)
                    .collect::<Vec<_>>()
            })
        };
        // Day 0 is a Friday: Fri, Sat, Sun, Mon.
        assert_eq!(starts(r#"["Mon-Fri"]"#).unwrap(), [0, 3]);
        let fri = parse_shifts(
            "[[shifts]]\nstart = \"08:00\"\nlength = \"4h\"\ndays = [\"fri\"]\n",
            "f",
            &s,
            0,
        )
        .unwrap();
        assert_eq!(
            fri[0].start_s, 0.0,
            "08:00 on the calendar's Fri 08:00 start"
        );
        assert_eq!(starts(r#"["sat", "Monday"]"#).unwrap(), [1, 3]);
        assert_eq!(starts(r#"[1, "sat"]"#).unwrap(), [1]);
        assert_eq!(starts(r#"["fri-sun"]"#).unwrap(), [0, 1, 2]);
        let e = starts(r#"[0, "Mnday"]"#).unwrap_err();
        assert!(
            e.contains("shifts[0].days[1]") && e.contains("Mnday") && e.contains("Mon, Tue"),
            "{e}"
        );
        let e = starts(r#"["tue-thu"]"#).unwrap_err();
        assert!(
            e.contains("shifts[0].days") && e.contains("none of these"),
            "{e}"
        );
        // Without a calendar a weekday means nothing.
        let e = columns("[[shifts]]\nstart = \"00:00\"\nlength = \"4h\"\ndays = [\"Mon\"]\n")
            .unwrap_err();
        assert!(
            e.contains("shifts[0].days[0]") && e.contains("[calendar]"),
            "{e}"
        );
    }

    #[test]
    fn an_uncovered_interval_with_a_requirement_is_named() {
        let c = columns("[[shifts]]\nstart = \"00:00\"\nlength = \"4h\"\n").unwrap();
        let e = solve(&c, &[1, 1, 1, 1, 1, 0, 0, 0], &no_clock).unwrap_err();
        assert!(e.contains("interval 4 (k4)"), "{e}");
        assert_eq!(
            solve(&c, &[1, 2, 3, 1, 0, 0, 0, 0], &no_clock).unwrap(),
            [3]
        );
    }

    /// Every combination of 0..=6 agents on four shifts: the solver's roster covers the
    /// requirement and no covering combination is cheaper.
    #[test]
    fn the_integer_program_matches_brute_force() {
        let c = columns(
            r#"
            [[shifts]]
            name = "a"
            start = "00:00"
            length = "4h"
            cost = 4
            [[shifts]]
            name = "b"
            start = "02:00"
            length = "4h"
            cost = 3.5
            breaks = [{ earliest = "03:00", length = "30m" }]
            [[shifts]]
            name = "c"
            start = "04:00"
            length = "4h"
            cost = 4.5
            [[shifts]]
            name = "long"
            start = "00:00"
            length = "8h"
            cost = 7.2
            max_agents = 3
        "#,
        )
        .unwrap();
        for required in [
            [2, 3, 5, 4, 4, 3, 2, 1],
            [1, 1, 1, 1, 1, 1, 1, 1],
            [0, 0, 3, 3, 0, 0, 2, 2],
            [4, 1, 1, 4, 4, 1, 1, 4],
        ] {
            let got = solve(&c, &required, &no_clock).unwrap();
            let mut best = f64::INFINITY;
            for n in 0..7u32.pow(4) {
                let x = [n % 7, n / 7 % 7, n / 49 % 7, n / 343];
                if x[3] > 3 {
                    continue;
                }
                let cover = coverage(&c, &x, 8);
                if (0..8).all(|k| cover[k] + 1e-9 >= f64::from(required[k])) {
                    best = best.min(cost(&c, &x));
                }
            }
            assert!(
                (cost(&c, &got) - best).abs() < 1e-9,
                "{required:?}: solver {got:?} costs {}, brute force {best}",
                cost(&c, &got)
            );
            // Never more than covering interval by interval with the cheapest shift.
            let greedy = interval_by_interval(&c, &required).unwrap();
            assert!(cost(&c, &got) <= cost(&c, &greedy) + 1e-9);
        }
    }

    /// Two groups in one program: its cost equals the sum of each group's own optimum (the
    /// rows do not couple groups), each group's columns cover its own requirement only, and
    /// that optimum matches brute force.
    #[test]
    fn one_program_over_two_groups_covers_each_groups_requirement() {
        let s = scenario("8h", "1h");
        let text = r#"
            [[shifts]]
            group = "agents"
            start = "00:00"
            length = "4h"
            cost = 4
            [[shifts]]
            group = "agents"
            start = "04:00"
            length = "4h"
            cost = 4
            [[shifts]]
            group = "agents"
            start = "00:00"
            length = "8h"
            cost = 7
            [[shifts]]
            group = "backup"
            start = "02:00"
            length = "4h"
            cost = 3
            [[shifts]]
            group = "backup"
            start = "00:00"
            length = "8h"
            cost = 5
        "#;
        let both = parse_shifts_of(text, "t", &s, &[0, 1]).unwrap();
        assert_eq!(both.len(), 5);
        let (ra, rb) = ([2, 2, 3, 3, 1, 1, 1, 1], [0, 1, 2, 2, 1, 1, 0, 0]);
        let x = solve_groups(&both, &[(0, &ra[..]), (1, &rb[..])], &no_clock).unwrap();
        for (g, r) in [(0, &ra), (1, &rb)] {
            let cover = coverage_of(&both, &x, g, 8);
            assert!(
                (0..8).all(|k| cover[k] + 1e-9 >= f64::from(r[k])),
                "{g}: {cover:?}"
            );
        }
        // Brute force: 0..=4 agents on each of the five columns.
        let mut best = f64::INFINITY;
        for n in 0..5u32.pow(5) {
            let y: Vec<u32> = (0..5).map(|i| n / 5u32.pow(i) % 5).collect();
            let ok = [(0, &ra), (1, &rb)].iter().all(|(g, r)| {
                let c = coverage_of(&both, &y, *g, 8);
                (0..8).all(|k| c[k] + 1e-9 >= f64::from(r[k]))
            });
            if ok {
                best = best.min(cost(&both, &y));
            }
        }
        assert!((cost(&both, &x) - best).abs() < 1e-9, "{x:?} vs {best}");
        let only_a = parse_shifts_of(text, "t", &s, &[0]).unwrap();
        let only_b = parse_shifts_of(text, "t", &s, &[1]).unwrap();
        let separate = cost(&only_a, &solve(&only_a, &ra, &no_clock).unwrap())
            + cost(&only_b, &solve(&only_b, &rb, &no_clock).unwrap());
        assert!((cost(&both, &x) - separate).abs() < 1e-9);
        // A shift without a group is ambiguous when several groups are rostered.
        let e = parse_shifts_of(
            "[[shifts]]\nstart = \"00:00\"\nlength = \"4h\"\n",
            "t",
            &s,
            &[0, 1],
        )
        .unwrap_err();
        assert!(e.contains("shifts[0].group: missing"), "{e}");
    }

    #[test]
    fn fixed_counts_and_bounds_are_kept() {
        let c = columns(
            r#"
            [[shifts]]
            start = "00:00"
            length = "8h"
            cost = 10
            agents = 2
            [[shifts]]
            start = "00:00"
            length = "4h"
            cost = 1
            max_agents = 1
        "#,
        )
        .unwrap();
        assert_eq!(solve(&c, &[1; 8], &no_clock).unwrap(), [2, 0]);
        assert_eq!(
            solve(&c, &[3, 0, 0, 0, 0, 0, 0, 0], &no_clock).unwrap(),
            [2, 1]
        );
        let e = solve(&c, &[4, 0, 0, 0, 0, 0, 0, 0], &no_clock).unwrap_err();
        assert!(e.contains("max_agents"), "{e}");
    }

    /// With shrinkage the roster covers the scheduled heads (more than on the phones), and
    /// re-simulated with shrinkage on seeds nothing was chosen on, its mean meets the target
    /// in every interval.
    #[test]
    fn with_shrinkage_the_roster_covers_scheduled_heads_and_holds_after_absence() {
        let mut staff = crate::staff::tests::query(&["service_level>=0.8"]);
        staff.scenario.simulation.replications = 6;
        staff.scenario.agent_groups[0].shrinkage = 0.2;
        let columns = parse_shifts(
            "[[shifts]]\nstart = \"00:00\"\nlength = \"2h\"\n[[shifts]]\nstart = \"02:00\"\nlength = \"2h\"\n",
            "t",
            &staff.scenario,
            0,
        )
        .unwrap();
        let q = RosterQuery { staff, columns };
        let a = roster(&q).unwrap();
        let sh = a.requirement.shrinkage.as_ref().unwrap();
        assert!(sh.scheduled.iter().sum::<u32>() > a.requirement.staffing.iter().sum::<u32>());
        assert!(a.staffing.iter().zip(&sh.scheduled).all(|(s, r)| s >= r));
        assert!(a.validation.meets(), "{:?}", a.validation.misses());
        let runner = q.staff.options.runner(&[&q.staff.scenario]).unwrap();
        for point in [99, 123_456] {
            let mut mean = q.staff.clone();
            mean.confidence = crate::staff::Confidence::Mean;
            let v = evaluate_at(&mean, &runner, &a.staffing, point).unwrap();
            assert!(v.meets(), "point {point}: {:?}", v.misses());
        }
    }

    #[test]
    fn the_roster_meets_the_targets_on_fresh_seeds() {
        let mut staff = crate::staff::tests::query(&["service_level>=0.8"]);
        staff.scenario.simulation.replications = 6;
        let columns = parse_shifts(
            r#"
            [[shifts]]
            start = "00:00"
            length = "2h"
            cost = 2
            [[shifts]]
            start = "01:00"
            length = "3h"
            cost = 2.7
            [[shifts]]
            start = "02:00"
            length = "2h"
            cost = 2
        "#,
            "t",
            &staff.scenario,
            0,
        )
        .unwrap();
        let a = roster(&RosterQuery { staff, columns }).unwrap();
        assert!(a.validation.meets(), "{:?}", a.validation.misses());
        assert!(a
            .staffing
            .iter()
            .zip(&a.requirement.staffing)
            .all(|(s, r)| s >= r));
        assert!(a.cost <= a.interval_by_interval_cost.unwrap() + 1e-9);
    }
}
