//! The memory budget: before anything runs, an estimate of peak memory, and a refusal (exit 2,
//! the estimate and the knob to turn) when it exceeds the budget — half of the machine's memory
//! (or of its container's limit) by default, `--memory-limit` otherwise. A run the validator
//! accepts must never be discovered too big by the allocator (an overloaded queue with
//! `arrival_rate = 1e308` used to grow to 23 GB before the kernel killed it).
//!
//! What is counted (bytes, upper-end estimates):
//! - per replication in flight (the runner's reorder window): its counters, `intervals ×
//!   (call types × counters + groups × group counters)`;
//! - per replication being simulated (one per worker): agents, and the contacts and journeys
//!   in the system at the peak. The peak comes from a fluid model of the backlog: in each
//!   interval, contacts of a type that never abandons pile up at the rate by which its offered
//!   work exceeds the agents left for it ([`Scenario::interval_capacity`]: per type, live
//!   work first; arrivals include transfers, escalations and knowledge transfers in:
//!   [`Scenario::arrival_rates_upper`]), callback accepters (who never hang up either)
//!   pile up by the rate their share of a type's work exceeds what its groups have left after
//!   their other work, contacts that abandon add at most
//!   `λ × mean patience`, callbacks and redials waiting to return add `λ × their delay`; plus
//!   6 standard deviations of Poisson noise. A queue that cannot drain is so refused up front;
//! - per scenario: per scope × metric, its streaming accumulator and the last replication's
//!   value (48 bytes), or the finished metric of the report (56 bytes), whichever is larger
//!   ([`BYTES_PER_VALUE`]; measured on the year bench, one thread: 66 MB in all, about 46
//!   bytes per value once the rest is taken off); per scope, its name in the layout and in
//!   the report;
//! - the report as the table and HTML formats build it, whole in memory (the format is not
//!   known here: the larger of the two; [`report_bytes`]), except for `sweep`, which prints
//!   no whole report;
//! - for `sweep`, its list of points (index, swept values' labels, a few flags: about 180
//!   bytes a point, counted twice for the copy of the points still to run that a sweep to a
//!   file keeps — [`crate::sweep::Sweep::point_bytes`]),
//!   checked alone before the list is built and again with the rest: a 3,000,000-point grid
//!   held 550 MB, under any `--memory-limit`, before it was counted; and the text of the
//!   point being written, its CSV rows built whole ([`crate::sweep::Sweep::rows_bytes`]);
//! - for `staff` and `roster`, the candidate staffings a search evaluates together (one per
//!   interval, or per interval and group, up to `--max-simulations`): each one's scenario copy,
//!   judgement per (interval, target) ([`search_bytes`]); they grow with the square of the
//!   intervals — 12 hours at one-minute intervals peaked at 73 MB against an estimate of 30
//!   before they were counted (42 MB since candidates are judged as they finish and their
//!   figures kept flat);
//! - for `roster`, besides the search's candidates, the shift columns (one per shift and day,
//!   with its coverage of the intervals it is on duty in), the integer program the solver
//!   builds from them ([`program_bytes`]) and the report's row per column: a year of 576
//!   shifts (210,240 columns) grew to the allocator's limit before it was counted;
//! - for `compare`, per scope × metric of A, the paired difference's accumulator and its
//!   estimate, and one more report's metric: the two scenarios' builders and reports overlap
//!   at the end ([`paired_bytes`]). Counted at 48 bytes per value for each scenario and
//!   nothing for the pairing, a compare of the year bench was estimated at 142 MB (one
//!   thread; 152 on two) and peaked at 196 (221); now 271 (281).

pub use crate::scenario::format_bytes;
use crate::scenario::{IntervalCapacity, Scenario};
use crate::stats::{Accumulator, Counters, Estimate as Summary, GroupCounters, Layout};
use crate::stats::{Metric, Scope, CONTACT_METRICS, GROUP_METRICS};
use std::mem::size_of;

/// Bytes of engine state per contact in the system: the contact slot, its queue entry and
/// abandonment timer, its journey, and the growth slack of the vectors holding them (×2).
const BYTES_PER_CONTACT: f64 = 2.0 * (64.0 + 8.0 + 32.0 + 96.0);
/// Bytes per agent slot (agent record, idle-list entry, calendar entries).
const BYTES_PER_AGENT: f64 = 2.0 * (128.0 + 8.0 + 64.0);
/// Bytes per (scope, metric) value of a scenario's summary: the running accumulator and the
/// last replication's value, or the finished metric of the report, whichever is larger.
pub const BYTES_PER_VALUE: f64 = {
    let building = size_of::<Accumulator>() + size_of::<Option<f64>>();
    let report = size_of::<Metric>();
    (if building > report { building } else { report }) as f64
};
/// Bytes per scope of a scenario's summary: its name in the layout and in the report (a
/// `String` and its text, about 64 bytes each) and the report's scope record.
const BYTES_PER_SCOPE: f64 = 2.0 * 64.0 + size_of::<Scope>() as f64;
/// Fixed overhead of the process: binary, thread stacks, allocator.
const BASE_BYTES: f64 = 24.0 * 1024.0 * 1024.0;

/// The run does not fit in the memory budget.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct BudgetError {
    /// The full message: estimate, budget, what dominates and what to turn.
    pub message: String,
    /// The estimate, bytes.
    pub estimate: f64,
    /// The budget, bytes.
    pub limit: u64,
}

/// An estimate of peak memory, by part.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Estimate {
    /// Counters of the replications in flight.
    pub results: f64,
    /// Engine state (agents, contacts and journeys in the system) of the running replications.
    pub engine: f64,
    /// Accumulators and names of the summaries.
    pub summaries: f64,
    /// What the command holds besides its runs: a sweep's list of points and the text of
    /// the point being written, a staffing search's candidates (see [`Extra`]).
    pub held: f64,
    /// The report's text and rows when it is built whole in memory (the table and HTML
    /// formats; the largest of them, since the format is not known here): see
    /// [`report_bytes`].
    pub report: f64,
    /// Peak contacts in the system of the largest scenario (fluid estimate).
    pub peak_contacts: f64,
    /// Of those, the fluid backlog of contacts that never hang up (0 when every queue drains).
    pub backlog: f64,
}

impl Estimate {
    /// All parts plus the fixed overhead.
    pub fn total(&self) -> f64 {
        BASE_BYTES + self.results + self.engine + self.summaries + self.held + self.report
    }
}

/// Estimates the peak memory of running `scenarios` at once on `threads` workers with `window`
/// replication results in flight.
pub fn estimate(scenarios: &[&Scenario], threads: usize, window: usize) -> Estimate {
    let mut e = Estimate::default();
    for s in scenarios {
        e.results = e.results.max(result_bytes(s) * window as f64);
        let (peak, backlog) = load_peak(s);
        e.peak_contacts = e.peak_contacts.max(peak);
        e.backlog = e.backlog.max(backlog);
        let agents: f64 = s
            .agent_groups
            .iter()
            // A chat group's agent holds one agent slot per chat window.
            .map(|g| g.peak_headcount() as f64 * f64::from(g.max_concurrent))
            .sum();
        let engine = peak * BYTES_PER_CONTACT + agents * BYTES_PER_AGENT + 64.0 * 1024.0;
        e.engine = e.engine.max(engine * threads.min(window) as f64);
        let (values, scopes) = Layout::counts(s);
        e.summaries += values as f64 * BYTES_PER_VALUE + scopes as f64 * BYTES_PER_SCOPE;
        e.report += report_bytes(s);
    }
    e
}

/// An upper end of what the table or HTML report of `s` holds while it is built whole (the
/// larger of the two): per (scope, metric) of the overall, call-type and group sections a
/// row of cells and its line of text, per interval a row of the interval table or its points
/// in the charts (measured: about 290 bytes a value of 5,000 call types in the table, 360
/// and 170 bytes an interval in the table and HTML of 100,000 intervals). Not counted, a
/// table of 20,000 call types peaked at 369 MB against an estimate of 177.
pub fn report_bytes(s: &Scenario) -> f64 {
    let (c, g, k) = (
        s.call_types.len() as f64,
        s.agent_groups.len() as f64,
        s.simulation.intervals as f64,
    );
    let values = 48.0 + c * CONTACT_METRICS.len() as f64 + g * (GROUP_METRICS.len() + 2) as f64;
    // The interval table's columns: start, 7 metrics and, with several groups, each one's
    // occupancy; a cell is its `String` and its text (≤ 24 bytes), its line twice its width
    // (the text grows by doubling).
    let columns = 8.0 + if g > 1.0 { g } else { 0.0 };
    let table = values * 400.0 + k * (32.0 + columns * (56.0 + 2.0 * 16.0));
    let html = values * 160.0 + k * 400.0;
    table.max(html) + 64.0 * 1024.0
}

/// What pairing `a` with another scenario adds (`compare`): per value of `a`'s layout the
/// difference's accumulator and estimate and one more report metric (builders and reports
/// of both scenarios overlap at the end), and a copy of the layout's scope names.
pub fn paired_bytes(a: &Scenario) -> f64 {
    let (values, scopes) = Layout::counts(a);
    let per_value = size_of::<Accumulator>() + size_of::<Option<Summary>>() + size_of::<Metric>();
    values as f64 * per_value as f64 + scopes as f64 * 64.0
}

/// What a check adds to the scenarios' own estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Extra {
    /// Nothing: `run`.
    None,
    /// The first two scenarios are paired by replication (`compare`): see [`paired_bytes`].
    Paired,
    /// A staffing search evaluating up to `candidates` staffings at once, `bytes` in all.
    Search {
        /// Candidates in the largest batch.
        candidates: u64,
        /// Their bytes.
        bytes: f64,
    },
    /// A roster (`roster`): the staffing search's candidates ([`Extra::Search`]) and, held
    /// with them, the shift columns, the integer program and the report's rows
    /// ([`program_bytes`]) of `columns` shift-days with `nonzeros` coverage entries.
    Roster {
        /// Candidates in the search's largest batch.
        candidates: u64,
        /// Their bytes.
        search: f64,
        /// Shift-days: the program's integer variables.
        columns: u64,
        /// Coverage entries: the program's nonzero coefficients.
        nonzeros: u64,
        /// The columns', program's and report rows' bytes.
        program: f64,
    },
    /// A sweep's list of `count` points, `bytes` in all (checked alone, before it is built).
    Points {
        /// Points in the list.
        count: u64,
        /// Their bytes.
        bytes: f64,
    },
    /// A sweep running its points: the list of `count` points (`bytes`) and the text of the
    /// point being written (`rows` bytes, see [`crate::sweep::Sweep::rows_bytes`]). A sweep
    /// prints no whole report (its table is a line per point): [`Estimate::report`] is 0.
    Sweep {
        /// Points in the list.
        count: u64,
        /// The list's bytes.
        bytes: f64,
        /// The point's rows' bytes.
        rows: f64,
    },
}

impl Extra {
    /// What to turn when this part dominates the estimate (`None` when it has no knob of its
    /// own).
    fn advice(self) -> Option<String> {
        match self {
            Extra::Sweep { bytes: list, rows, .. } if rows > list => Some(
                "most of it is the text of the point being written (its rows, a line per figure of every interval, call type and group, built whole): use a longer simulation.interval or a shorter horizon (or fewer call types)".to_string()
            ),
            Extra::Points { count, bytes } | Extra::Sweep { count, bytes, .. } => Some(format!(
                "most of it is the list of the sweep's {count} points (about {:.0} bytes each): split the grid with --shard I/N (and `ccsim merge` the shards), or sweep fewer values",
                bytes / count.max(1) as f64
            )),
            Extra::Search { candidates, .. } => Some(format!(
                "most of it is the staffing search's candidates, evaluated together (up to {candidates} at once, one per open interval and group, each holding figures for every interval): use a longer simulation.interval or a shorter horizon, or a lower --max-simulations"
            )),
            Extra::Roster {
                candidates,
                search,
                columns,
                nonzeros,
                program,
            } => {
                if search > program {
                    return Extra::Search {
                        candidates,
                        bytes: search,
                    }
                    .advice();
                }
                Some(format!(
                    "most of it is the roster's shift columns and integer program ({columns} shift-days, one per shift and day, with {nonzeros} interval coverages): use fewer shifts or start times (every 15 or 30 minutes rather than 5), shifts on fewer days, a longer simulation.interval or a shorter horizon"
                ))
            }
            Extra::None | Extra::Paired => None,
        }
    }
}

/// Bytes of a roster's integer program while it is built and solved: `columns` integer
/// variables, `nonzeros` coefficients over `rows` covering rows. `good_lp` keeps per variable
/// its definition and objective coefficient, builds each row as a hash map and hands it to
/// `microlp`, which keeps the rows as given, copies them into a row-major and a column-major
/// matrix with a slack per row, and per variable and row a dozen vectors of simplex and
/// branch-and-bound state. Measured (VmHWM above the columns, 30-minute intervals, 5-minute
/// start times): 108 bytes per coefficient for 30 days (220,752 coefficients, 17,280
/// columns, 1,440 rows), 105 for 120 days; counted at 128 per coefficient, 256 per variable
/// and 512 per row.
pub fn program_bytes(columns: usize, nonzeros: usize, rows: usize) -> f64 {
    128.0 * nonzeros as f64 + 256.0 * columns as f64 + 512.0 * rows as f64
}

/// A staffing search on `s` with `targets` judged figures per interval and `cells`
/// (interval, group) staffings it may change: its largest batch of candidates evaluated
/// together (one per cell, at most `max_simulations`) and their bytes — per candidate and
/// interval: the scenario's per-interval arrays (rates and staffing), an estimate per target
/// and the slack (the accumulators exist for one candidate at a time).
pub fn search_bytes(s: &Scenario, cells: usize, targets: usize, max_simulations: usize) -> Extra {
    let k = s.simulation.intervals as f64;
    let arrays = 16.0 * (s.call_types.len() + s.agent_groups.len()) as f64;
    let per_interval = arrays + targets as f64 * size_of::<Option<Summary>>() as f64 + 8.0;
    let candidates = cells.min(max_simulations).max(1) as f64;
    Extra::Search {
        candidates: candidates as u64,
        bytes: candidates * k * per_interval,
    }
}

/// Bytes of one replication's counters: `intervals × (call types × counters + groups ×
/// (busy, staffed, group counters))`.
pub fn result_bytes(s: &Scenario) -> f64 {
    s.simulation.intervals as f64
        * (s.call_types.len() as f64 * std::mem::size_of::<Counters>() as f64
            + s.agent_groups.len() as f64 * (16.0 + std::mem::size_of::<GroupCounters>() as f64))
}

/// Contacts and pending returns in the system at the peak of one replication (see the module
/// docs); infinite for absurd rates.
pub fn peak_contacts(s: &Scenario) -> f64 {
    load_peak(s).0
}

/// (peak contacts in the system, peak fluid backlog of contacts that never hang up).
fn load_peak(s: &Scenario) -> (f64, f64) {
    let sim = &s.simulation;
    let cb = &s.customers;
    let return_delay = cb.callback_probability * cb.callback_delay.mean()
        + cb.redial_probability * cb.redial_delay.mean();
    let n = s.call_types.len();
    let waits = |c: usize| s.call_types[c].patience.is_none();
    // Per call type that never hangs up: its fluid backlog, in contacts.
    let mut backlog = vec![0.0f64; n];
    // Per call type with a patience and a callback: the share of its contacts that accept
    // the callback (an upper end: the acceptance probability × the chance of still waiting
    // at the offer, where that has a closed form), and their fluid backlog.
    let accepting: Vec<f64> = (0..n).map(|c| s.callback_accepting_share(c)).collect();
    let mut accepters = vec![0.0f64; n];
    // Per call type: its arrivals so far (to the end of the interval at hand). Nobody waits
    // who has not arrived: a patience of a year at 20,000 calls an hour was counted as
    // 1.75·10^8 callers waiting (140 GB, refused) in an 8-hour run of 160,000 arrivals that
    // peaked at 35 MB.
    let mut arrived = vec![0.0f64; n];
    let (mut peak, mut expected, mut peak_backlog) = (0.0f64, 0.0f64, 0.0f64);
    for k in 0..sim.intervals {
        let len = sim.interval_len(k);
        // Per type, not pooled: agents of one channel do not drain another's backlog (pooled,
        // a month of three channels with an email queue that grew to 65,000 was estimated at
        // 18,000).
        let IntervalCapacity {
            rates,
            loads,
            capacity,
            serving,
        } = s.interval_capacity_at(k, &s.arrival_rates_upper(k));
        for (a, r) in arrived.iter_mut().zip(&rates) {
            *a += r * len;
        }
        let mut waiting_now = 0.0;
        // Callback accepters never hang up either: they pile up when the accepting share of
        // a type's work exceeds what its groups have left after everything else they serve
        // (before, 10,000,000 calls an hour all accepting a callback from one agent were
        // counted as abandoning: estimated at 100 MB, they peaked at 1.57 GB).
        for (c, accepting) in accepting.iter().enumerate().filter(|(_, a)| **a > 0.0) {
            let ct = &s.call_types[c];
            let work = s.agent_work(c);
            let idle_only = ct.callback.is_some_and(|cb| cb.only_when_idle);
            let left: f64 = (s.agent_groups.iter())
                .filter(|g| g.skills.contains(&c))
                .map(|g| {
                    let others: f64 = g.skills.iter().map(|&o| loads[o]).sum::<f64>() - loads[c];
                    // Called back only when no live caller waits: after this type's own
                    // live callers too.
                    let own = if idle_only {
                        (1.0 - accepting) * loads[c]
                    } else {
                        0.0
                    };
                    (g.staffing[k] as f64 * (1.0 - g.shrinkage) - others - own).max(0.0)
                })
                .sum();
            if work > 0.0 {
                let excess = (accepting * loads[c] - left) / work;
                accepters[c] = (accepters[c] + excess * len).max(0.0);
            }
            waiting_now += accepters[c];
        }
        for c in (0..n).filter(|&c| waits(c)) {
            let work = s.agent_work(c);
            if work > 0.0 {
                let excess = (loads[c] - capacity[c]) / work;
                backlog[c] = (backlog[c] + excess * len).max(0.0);
            } else if serving[c] == 0.0 {
                // Nobody serves it: every arrival waits to the end.
                backlog[c] += rates[c] * len;
            }
            waiting_now += backlog[c];
        }
        peak_backlog = peak_backlog.max(waiting_now);
        let total: f64 = rates.iter().sum();
        let abandoning: f64 = rates
            .iter()
            .enumerate()
            .filter_map(|(c, r)| {
                let patience = s.call_types[c].patience.as_ref()?;
                Some((r * patience.mean()).min(arrived[c]))
            })
            .sum();
        let staff: f64 = s.agent_groups.iter().map(|g| g.staffing[k] as f64).sum();
        let in_service = staff.min(loads.iter().sum());
        // At most one return pending per customer, and every customer has arrived.
        let returning = (total * return_delay).min(arrived.iter().sum());
        peak = peak.max(waiting_now + abandoning + in_service + returning);
        expected += total * len;
    }
    let noise = 6.0 * expected.sqrt() + 1000.0;
    let p = peak + noise;
    let finite = |x: f64| if x.is_finite() { x } else { f64::INFINITY };
    (finite(p), finite(peak_backlog))
}

/// The default budget: half of the memory this process may use — physical memory
/// (`MemTotal` in /proc/meminfo), or the container's limit when a cgroup sets a lower one
/// (in a container /proc/meminfo shows the host's memory, and a run budgeted on it would be
/// killed at the container's limit instead of refused) — or 8 GiB where neither can be read.
pub fn default_limit() -> u64 {
    let read = |path: &str| std::fs::read_to_string(path).ok();
    usable_memory(&read).map_or(8 << 30, |bytes| bytes / 2)
}

/// The memory this process may use, from the files `read` returns (by path): the lowest of
/// `MemTotal` and the memory limits of the cgroup (v2 `memory.max`, v1
/// `memory.limit_in_bytes`; at the mount root, where a container sees its own cgroup, and
/// under the process's cgroup path from /proc/self/cgroup). "max" and v1's near-2⁶³
/// "unlimited" are no limit.
fn usable_memory(read: &dyn Fn(&str) -> Option<String>) -> Option<u64> {
    let total = read("/proc/meminfo").and_then(|t| {
        t.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb * 1024)
    });
    let mut files = vec![
        "/sys/fs/cgroup/memory.max".to_string(),
        "/sys/fs/cgroup/memory/memory.limit_in_bytes".to_string(),
    ];
    for line in read("/proc/self/cgroup").unwrap_or_default().lines() {
        // "0::/path" (v2) or "4:memory:/path" (v1).
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next(), parts.next(), parts.next());
        let (Some(controllers), Some(path)) = (controllers, path) else {
            continue;
        };
        let path = path.trim_end_matches('/');
        if controllers.is_empty() {
            files.push(format!("/sys/fs/cgroup{path}/memory.max"));
        } else if controllers.split(',').any(|c| c == "memory") {
            files.push(format!("/sys/fs/cgroup/memory{path}/memory.limit_in_bytes"));
        }
    }
    let limits = files.iter().filter_map(|f| {
        read(f)?
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|&b| b > 0 && b < 1 << 62)
    });
    total.into_iter().chain(limits).min()
}

/// Parses a `--memory-limit` value: bytes with an optional unit (`512MB`, `4GiB`, `2G`).
pub fn parse_limit(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mib" => 1024.0 * 1024.0,
        "g" | "gb" => 1e9,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" => 1e12,
        "tib" => 1024.0f64.powi(4),
        _ => {
            return Err(format!(
                "`{text}`: expected bytes with an optional unit, e.g. 512MB, 4GB, 8GiB"
            ))
        }
    };
    match num.parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 && n * scale < 1.8e19 => Ok((n * scale) as u64),
        _ => Err(format!(
            "`{text}`: expected a positive amount of memory, e.g. 512MB, 4GB, 8GiB"
        )),
    }
}

/// Refuses the run when its estimate exceeds `limit` (default [`default_limit`]), naming
/// what dominates and the knob to turn.
pub fn check(
    scenarios: &[&Scenario],
    threads: usize,
    window: usize,
    extra: Extra,
    limit: Option<u64>,
) -> Result<Estimate, BudgetError> {
    let mut e = estimate(scenarios, threads, window);
    match extra {
        Extra::None => {}
        Extra::Paired => e.summaries += scenarios.first().map_or(0.0, |a| paired_bytes(a)),
        Extra::Points { bytes, .. } | Extra::Search { bytes, .. } => e.held = bytes,
        Extra::Roster {
            search, program, ..
        } => e.held = search + program,
        Extra::Sweep { bytes, rows, .. } => {
            e.held = bytes + rows;
            e.report = 0.0;
        }
    }
    let (limit, whose) = match limit {
        Some(l) => (l, "--memory-limit"),
        None => (
            default_limit(),
            "half of the memory of this machine (or of its container's limit); raise it with --memory-limit",
        ),
    };
    let total = e.total();
    if total <= limit as f64 {
        return Ok(e);
    }
    // Only when the allowance alone is over the limit is it the thing to name: a limit of
    // 30 MB for a 309 MB sweep was told to be "more than 25 MB", which it already was.
    let advice = if (limit as f64) <= BASE_BYTES {
        format!(
            "the estimate sets aside {} for the program itself whatever the scenario (binary, thread stacks, allocator: a generous allowance, small runs peak at 5-7 MB): give --memory-limit more than that",
            format_bytes(BASE_BYTES)
        )
    } else if let Some(advice) =
        (e.held >= e.engine && e.held >= e.results && e.held >= e.summaries)
            .then(|| extra.advice())
            .flatten()
    {
        advice
    } else if e.engine >= e.results
        && e.engine >= e.summaries
        // The backlog is most of the contacts: 530,000 callback accepters waiting for one
        // agent were "a smaller center" when only a backlog past 10^6 was named.
        && e.backlog > 1e4
        && e.backlog >= 0.5 * e.peak_contacts
    {
        format!(
            "most of it is contacts waiting in the system (about {:.2e} at the peak, per running replication): a queue that cannot drain — check arrival rates (calls per hour), handle times and staffing (escalations and transfers in included), or give callers a patience (callback accepters never hang up); fewer --threads also helps",
            e.peak_contacts
        )
    } else if e.engine >= e.results && e.engine >= e.summaries && e.engine >= e.report {
        format!(
            "most of it is contacts and agents in the system (about {:.2e} contacts at the peak, per running replication): fewer --threads, or a smaller center",
            e.peak_contacts
        )
    } else if e.report >= e.results && e.report >= e.summaries {
        format!(
            "most of it is the report as the table and HTML formats build it, whole in memory (a row per metric of every call type and group, and per interval; the estimate counts it whatever the format): JSON and CSV are written as they go and need about {} less, so with --format json or csv a higher --memory-limit is safe; else fewer call types, or a longer simulation.interval or a shorter horizon",
            format_bytes(e.report)
        )
    } else {
        // Name what the statistics grow with: a run of one interval and 20,000 call types was
        // told to use a longer interval or a shorter horizon.
        let (intervals, types) = scenarios.iter().fold((0, 0), |(i, t), s| {
            let (si, st, _) = Layout::value_parts(s);
            (i + si, t + st)
        });
        let knobs = if types > intervals {
            "fewer call types (merge those handled alike), a longer simulation.interval or a shorter horizon"
        } else {
            "a longer simulation.interval or a shorter horizon"
        };
        if e.results >= e.summaries {
            format!("most of it is the counters (per interval and call type) of the replications in flight: {knobs}, or fewer --threads")
        } else {
            format!("most of it is the statistics per interval and per call type: {knobs}, or fewer scenarios or sweep points at once")
        }
    };
    Err(BudgetError {
        message: format!(
            "this run needs {} {} of memory, more than the budget of {} ({whose}); {advice}",
            // Checked without its scenarios (a sweep's list of points, before the points
            // are built): the run itself needs more than this.
            if scenarios.is_empty() {
                "at least"
            } else {
                "about"
            },
            format_bytes(total),
            format_bytes(limit as f64),
        ),
        estimate: total,
        limit,
    })
}

#[cfg(test)]
mod tests {

    /// The usable memory is the lowest of MemTotal and any cgroup limit; "max", v1's
    /// "unlimited" and unreadable files are no limit.
    #[test]
    fn a_container_limit_lowers_the_usable_memory() {
        let files = |entries: &[(&str, &str)]| {
            let entries: Vec<(String, String)> = entries
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect();
            move |path: &str| {
                entries
                    .iter()
                    .find(|(p, _)| p == path)
                    .map(|(_, t)| t.clone())
            }
        };
        let meminfo = (
            "/proc/meminfo",
            "MemTotal:       24683584 kB\nMemFree: 1 kB\n",
        );
        let host = 24683584 * 1024;
        // No cgroup limit: physical memory.
        let read = files(&[
            meminfo,
            ("/proc/self/cgroup", "0::/\n"),
            ("/sys/fs/cgroup/memory.max", "max\n"),
        ]);
        assert_eq!(usable_memory(&read), Some(host));
        // cgroup v2, the process's own cgroup limited to 4 GiB.
        let read = files(&[
            meminfo,
            ("/proc/self/cgroup", "0::/ci/job\n"),
            ("/sys/fs/cgroup/memory.max", "max\n"),
            ("/sys/fs/cgroup/ci/job/memory.max", "4294967296\n"),
        ]);
        assert_eq!(usable_memory(&read), Some(4 << 30));
        // cgroup v1 inside a container (the mount root is the container's cgroup), and v1's
        // "unlimited" elsewhere.
        let read = files(&[
            meminfo,
            ("/proc/self/cgroup", "4:memory:/docker/abc\n1:cpu:/\n"),
            (
                "/sys/fs/cgroup/memory/memory.limit_in_bytes",
                "2147483648\n",
            ),
            (
                "/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes",
                "9223372036854771712\n",
            ),
        ]);
        assert_eq!(usable_memory(&read), Some(2 << 30));
        // Nothing readable: no figure (the caller falls back to 8 GiB).
        assert_eq!(usable_memory(&|_: &str| None), None);
    }
    use super::*;

    fn scenario(rate: &str, agents: u32, patience: &str) -> Scenario {
        let text = format!(
            r#"
            [simulation]
            horizon = "8h"
            interval = "30m"
            [[call_types]]
            name = "general"
            arrival_rate = {rate}
            handle_time = {{ distribution = "exponential", mean = "4m" }}
            {patience}
            [[agent_groups]]
            name = "tier1"
            skills = ["general"]
            agents = {agents}
            "#
        );
        Scenario::from_toml_str(&text, "t", "t").unwrap()
    }

    /// Regression: the fluid backlog pooled every group's agents, so a large phone team
    /// "drained" a small back office's queue. Here the back office (2 agents, 6 agents' worth
    /// of work that never hangs up) falls behind by 40 contacts an hour, 320 over 8 h, while
    /// 95 phone agents sit idle: pooled, the estimate saw no backlog at all.
    #[test]
    fn one_channel_s_idle_agents_do_not_drain_another_s_backlog() {
        let text = r#"
            [simulation]
            horizon = "8h"
            interval = "30m"
            [[call_types]]
            name = "voice"
            arrival_rate = 100.0
            handle_time = { distribution = "exponential", mean = "3m" }
            patience = { distribution = "exponential", mean = "2m" }
            [[call_types]]
            name = "back office"
            arrival_rate = 60.0
            handle_time = { distribution = "exponential", mean = "6m" }
            [[agent_groups]]
            name = "phone"
            skills = ["voice"]
            agents = 100
            [[agent_groups]]
            name = "back office"
            skills = ["back office"]
            agents = 2
            "#;
        let s = Scenario::from_toml_str(text, "t", "t").unwrap();
        let (_, backlog) = load_peak(&s);
        assert!((backlog - 320.0).abs() < 1.0, "{backlog}");
        // Live work comes first: a back office that lists voice as its first skill shares
        // the voice load with the phone team and keeps fewer agents for the waiting work; one
        // that lists it after its own work leaves voice to the phone team.
        let with_voice = |skills: &str| {
            let t = text.replace(r#"skills = ["back office"]"#, skills);
            load_peak(&Scenario::from_toml_str(&t, "t", "t").unwrap()).1
        };
        let first = with_voice(r#"skills = ["voice", "back office"]"#);
        assert!(first > backlog + 1.0, "{first} vs {backlog}");
        let second = with_voice(r#"skills = ["back office", "voice"]"#);
        assert!((second - backlog).abs() < 1.0, "{second} vs {backlog}");
    }

    /// Regression: only fixed transfers fed the flow model. An escalation counts with
    /// decision_probability × P(amount > authority), and it happens once per journey (the
    /// specialists' own escalations to a third type are not added).
    #[test]
    fn escalations_reach_their_queue() {
        let text = r#"
            [simulation]
            horizon = "1h"
            [[call_types]]
            name = "account"
            arrival_rate = 3600.0
            handle_time = { distribution = "constant", value = "1s" }
            patience = { distribution = "exponential", mean = "1m" }
            decision_probability = 0.5
            decision_amount = { distribution = "exponential", mean = 100.0 }
            [[call_types]]
            name = "escalation"
            arrival_rate = 0.0
            handle_time = { distribution = "exponential", mean = "1s" }
            [[call_types]]
            name = "board"
            arrival_rate = 0.0
            handle_time = { distribution = "exponential", mean = "1s" }
            [[agent_groups]]
            name = "frontline"
            skills = ["account"]
            agents = 10
            authority = 50.0
            beyond_authority = "escalation"
            [[agent_groups]]
            name = "specialists"
            skills = ["escalation"]
            agents = 1
            authority = 60.0
            beyond_authority = "board"
            [[agent_groups]]
            name = "board"
            skills = ["board"]
            agents = 1
            "#;
        let s = Scenario::from_toml_str(text, "t", "t").unwrap();
        let r = s.arrival_rates_upper(0);
        let expected = 0.5 * (-0.5f64).exp();
        assert!((r[1] - expected).abs() < 1e-12, "{r:?}");
        assert_eq!(r[2], 0.0, "{r:?}");
        // 36,000 an hour escalate 10,918 to a specialist who handles 3,600: 7,318 wait at
        // the end (before: none).
        let overloaded = text.replace("arrival_rate = 3600.0", "arrival_rate = 36000.0");
        let s = Scenario::from_toml_str(&overloaded, "t", "t").unwrap();
        let (_, backlog) = load_peak(&s);
        assert!(
            (backlog - 36_000.0 * expected + 3600.0).abs() < 1.0,
            "{backlog}"
        );
    }

    #[test]
    fn a_stable_queue_needs_little() {
        let s = scenario("120.0", 10, "");
        let p = peak_contacts(&s);
        assert!(p < 5_000.0, "{p}");
        assert!(check(&[&s], 2, 8, Extra::None, None).is_ok());
    }

    #[test]
    fn an_overloaded_queue_without_patience_is_refused() {
        // One agent, 10^7 calls an hour for 8 hours: ~8·10^7 contacts pile up.
        let s = scenario("1e7", 1, "");
        let p = peak_contacts(&s);
        assert!(p > 7e7, "{p}");
        let e = check(&[&s], 2, 8, Extra::None, Some(4 << 30)).unwrap_err();
        assert!(e.message.contains("cannot drain"), "{}", e.message);
        assert!(e.message.contains("--memory-limit"), "{}", e.message);
    }

    #[test]
    fn patience_bounds_the_queue() {
        // The same overload with a 2-minute patience: the queue holds ~λ × 2 min.
        let s = scenario(
            "1e4",
            1,
            r#"patience = { distribution = "exponential", mean = "2m" }"#,
        );
        let p = peak_contacts(&s);
        assert!(p < 1e4, "{p}");
    }

    /// Regression: callers with a patience were counted as `λ × mean patience` waiting, with
    /// no regard to how many had arrived: a year's patience at 20,000 calls an hour made an
    /// 8-hour run of 160,000 arrivals 1.75·10^8 contacts (140 GB, refused; it peaked at
    /// 35 MB). Nobody waits who has not arrived.
    #[test]
    fn a_long_patience_waits_no_more_callers_than_arrived() {
        let s = scenario(
            "2e4",
            1,
            r#"patience = { distribution = "exponential", mean = "365d" }"#,
        );
        let p = peak_contacts(&s);
        assert!((1.6e5..1.7e5).contains(&p), "{p}");
        assert!(check(&[&s], 2, 8, Extra::None, Some(1 << 30)).is_ok());
    }

    /// Regression: the check of a sweep's list of points alone said the run "needs about
    /// 25 MB" (the run itself needed 309); and a 30 MB limit was told to be "more than" the
    /// 25 MB allowance for the program, which it already was.
    #[test]
    fn partial_checks_say_at_least_and_the_allowance_is_named_only_when_over() {
        let listed = Extra::Points {
            count: 10,
            bytes: 2000.0,
        };
        let e = check(&[], 1, 1, listed, Some(20_000_000)).unwrap_err();
        assert!(e.message.contains("needs at least 25 MB"), "{}", e.message);
        assert!(
            e.message.contains("for the program itself"),
            "{}",
            e.message
        );
        // One agent facing 10^7 calls an hour: far over 30 MB, and not for the allowance.
        let s = scenario("1e7", 1, "");
        let e = check(&[&s], 1, 1, Extra::None, Some(30_000_000)).unwrap_err();
        assert!(e.message.contains("needs about"), "{}", e.message);
        assert!(
            !e.message.contains("for the program itself"),
            "{}",
            e.message
        );
    }

    #[test]
    fn absurd_rates_are_infinite() {
        let mut s = scenario("1.0", 1, "");
        // Set past the parser, which may refuse such rates itself.
        s.call_types[0].arrival_rates.fill(1e308);
        assert!(peak_contacts(&s).is_infinite());
        assert!(check(&[&s], 1, 4, Extra::None, None).is_err());
    }

    #[test]
    fn limits_parse_with_units() {
        assert_eq!(parse_limit("512MB"), Ok(512_000_000));
        assert_eq!(parse_limit("4GiB"), Ok(4 << 30));
        assert_eq!(parse_limit("100"), Ok(100));
        assert!(parse_limit("-1GB").is_err());
        assert!(parse_limit("lots").is_err());
        assert!(parse_limit("0").is_err());
    }
}
