//! What is reported for one scenario ([`Outcome`]) and how it is built without keeping the
//! replications: an [`OutcomeBuilder`] turns each finished replication's counters into the
//! values of every (scope, metric) and folds them into one [`Accumulator`] each, in
//! replication order. Memory is `O(scopes × metrics)` whatever the number of replications;
//! cost is `O(intervals × (call types + groups))` per replication.
//!
//! Scopes, in report order: `overall`, each call type, each agent group, each arrival interval
//! (`interval:K`), each (interval, group) pair (`interval:K/agent_group:NAME`, occupancy
//! only), then the journey classes (`journey_class:NAME`, then
//! `call_type:TYPE/journey_class:NAME` per call type; [`CLASS_METRICS`] each). A [`Layout`] fixes where each value sits in the flat per-replication vector, so the
//! per-replication work is index arithmetic, not name look-ups.

use super::{
    callback_class_metrics, class_metrics, contact_metrics, group_metrics, Accumulator, ClassCount,
    ClassTally, Counters, Estimate, GroupCounters, ReplicationResult, TQuantiles, CLASS_METRICS,
    CONTACT_METRICS, GROUP_METRICS, REVENUE_UPSIDE,
};
use crate::model::experience::{CELL_CLASSES, JOURNEY_CLASSES};
use crate::scenario::Scenario;

/// One metric over replications: its name and summary (`None` = undefined in every
/// replication).
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// The metric's name as reported (`service_level`, `occupancy`, …).
    pub name: &'static str,
    /// Mean and 95% interval over the replications that defined it.
    pub estimate: Option<Estimate>,
}

/// A named set of metrics: overall, one call type, one agent group or one interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    /// `overall`, a call type's or group's name, `interval:K` or
    /// `interval:K/agent_group:NAME`.
    pub name: String,
    /// In report order.
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
    /// The scenario's name.
    pub scenario: String,
    /// Its base seed.
    pub seed: u64,
    /// Replications summarised.
    pub replications: u32,
    /// All contacts, plus occupancy and the plan's costs.
    pub overall: Scope,
    /// One scope per call type, in scenario order.
    pub call_types: Vec<Scope>,
    /// One scope per agent group, in scenario order.
    pub agent_groups: Vec<Scope>,
    /// Per arrival interval, with its start in seconds.
    pub intervals: Vec<(f64, Scope)>,
    /// `[interval][group]`: each group's occupancy, scheduled and available agents in each
    /// interval (scope name `interval:K/agent_group:NAME`), for checking a staffing plan
    /// interval by interval.
    pub interval_groups: Vec<Vec<Scope>>,
    /// With a `[calendar]`: each interval's start as weekday and clock time (`"Mon 08:30"`);
    /// empty otherwise.
    pub interval_labels: Vec<String>,
    /// Journey classes (where dissatisfaction comes from), scope names = class names: the
    /// [`JOURNEY_CLASSES`] of all customers, then the same for each call type in turn (by the
    /// journey's first contact). Read them with [`Outcome::classes`] and
    /// [`Outcome::call_type_classes`]. One vector, so an `Outcome` stays small to move.
    pub journey_classes: Vec<Scope>,
    /// With a `[program]`: one scope per day (`day:N`, metrics [`super::days::DAY_METRICS`]);
    /// empty otherwise.
    pub days: Vec<Scope>,
    /// With a `[program]` and a `[calendar]`: each day's weekday (`"Mon"`); else empty.
    pub day_labels: Vec<String>,
}

impl Outcome {
    /// The journey classes of all customers, in [`JOURNEY_CLASSES`] order.
    pub fn classes(&self) -> &[Scope] {
        self.journey_classes.get(..CLASSES).unwrap_or(&[])
    }

    /// The journey classes of call type `c`'s customers (empty when there is no such type).
    pub fn call_type_classes(&self, c: usize) -> &[Scope] {
        let start = (1 + c) * CLASSES;
        self.journey_classes
            .get(start..start + CLASSES)
            .unwrap_or(&[])
    }
}

/// Metric names of the `overall` scope beyond the contact metrics.
const OVERALL_EXTRA: [&str; 4] = ["occupancy", "cost", "staffing_cost", "training_cost"];
const OVERALL_LEN: usize = CONTACT_METRICS.len() + OVERALL_EXTRA.len();
const TYPE_LEN: usize = CONTACT_METRICS.len();
const GROUP_LEN: usize = GROUP_METRICS.len() + 2;
const INTERVAL_LEN: usize = CONTACT_METRICS.len() + 1;
/// Metrics of an (interval, group) scope: occupancy, then the headcount the plan schedules
/// and the headcount available on average (after shrinkage and breaks).
const INTERVAL_GROUP_METRICS: [&str; 3] = ["occupancy", "scheduled_agents", "available_agents"];
const INTERVAL_GROUP_LEN: usize = INTERVAL_GROUP_METRICS.len();
const CLASSES: usize = JOURNEY_CLASSES.len();
const CLASS_LEN: usize = CLASS_METRICS.len();

/// Mean hold lengths when nobody was held in any replication are 0, not "undefined", so plain
/// scenarios report an object for every metric.
const ZERO_WHEN_NONE: [&str; 2] = ["mean_hold_s", "mean_approval_hold_s"];

/// Where every (scope, metric) value of one scenario sits in a flat vector, and the constants
/// (names, costs) that do not depend on the replication.
#[derive(Debug, Clone)]
pub struct Layout {
    call_types: usize,
    groups: usize,
    intervals: usize,
    interval: f64,
    /// Tidy scope names in report order: `overall`, `call_type:NAME`, `agent_group:NAME`,
    /// `interval:K`, `interval:K/agent_group:NAME` (the report's scope names drop the first
    /// two prefixes).
    names: Vec<String>,
    /// Metric names of each kind of scope: overall, call type, group, interval,
    /// (interval, group), journey class.
    metrics: [Vec<&'static str>; 6],
    /// Per group: planned cost over the horizon (staffing + training).
    group_cost: Vec<f64>,
    /// The whole plan's (staffing incl. supervisors, training) cost.
    plan_cost: (f64, f64),
    /// The scenario scores journeys (see [`Scenario::experience_model`]).
    scored: bool,
    /// `[interval * groups + group]`: scheduled headcount.
    scheduled: Vec<f64>,
    /// Per interval: its recorded length (within warmup and horizon), to turn staffed time
    /// into available agents.
    recorded: Vec<f64>,
    /// Interval labels from the calendar (empty without one).
    labels: Vec<String>,
    /// The spend premium is on: `revenue_upside` is reported (else null).
    upside: bool,
    /// With a `[program]`: per day, its intervals `[first, end)`, label and one-off program
    /// cost (empty otherwise: no day scopes). See [`super::days`].
    days: super::days::DayLayout,
}

/// Values per replication of a layout with `c` call types, `g` groups, `k` intervals and
/// `days` program days.
fn value_count(c: usize, g: usize, k: usize, days: usize) -> usize {
    OVERALL_LEN
        + c * TYPE_LEN
        + g * GROUP_LEN
        + k * (INTERVAL_LEN + g * INTERVAL_GROUP_LEN)
        + (1 + c) * CLASSES * CLASS_LEN
        + days * super::days::DAY_LEN
}

impl Layout {
    /// The layout of `s`'s report.
    pub fn new(s: &Scenario) -> Layout {
        let (c, g, k) = (
            s.call_types.len(),
            s.agent_groups.len(),
            s.simulation.intervals,
        );
        let mut names = Vec::with_capacity(1 + c + g + k * (1 + g));
        names.push("overall".to_string());
        names.extend(s.call_types.iter().map(|t| format!("call_type:{}", t.name)));
        names.extend(
            s.agent_groups
                .iter()
                .map(|a| format!("agent_group:{}", a.name)),
        );
        names.extend((0..k).map(|i| format!("interval:{i}")));
        for i in 0..k {
            for a in &s.agent_groups {
                names.push(format!("interval:{i}/agent_group:{}", a.name));
            }
        }
        names.extend(JOURNEY_CLASSES.iter().map(|j| format!("journey_class:{j}")));
        for t in &s.call_types {
            for j in JOURNEY_CLASSES {
                names.push(format!("call_type:{}/journey_class:{j}", t.name));
            }
        }
        Layout {
            call_types: c,
            groups: g,
            intervals: k,
            interval: s.simulation.interval,
            names,
            metrics: [
                overall_names().collect(),
                CONTACT_METRICS.to_vec(),
                group_names().collect(),
                interval_names().collect(),
                INTERVAL_GROUP_METRICS.to_vec(),
                CLASS_METRICS.to_vec(),
            ],
            group_cost: (0..g)
                .map(|i| {
                    let (a, b) = group_costs(s, i);
                    a + b
                })
                .collect(),
            plan_cost: plan_costs(s),
            scored: s.experience_model,
            scheduled: (0..k)
                .flat_map(|i| s.agent_groups.iter().map(move |a| f64::from(a.staffing[i])))
                .collect(),
            recorded: (0..k)
                .map(|i| {
                    let sim = &s.simulation;
                    let start = (i as f64 * sim.interval).max(sim.warmup);
                    let end = (i as f64 * sim.interval + sim.interval).min(sim.horizon);
                    (end - start).max(0.0)
                })
                .collect(),
            labels: s.calendar.as_ref().map_or_else(Vec::new, |c| {
                (0..k)
                    .map(|i| c.label(i as f64 * s.simulation.interval))
                    .collect()
            }),
            upside: s.experience_model && s.experience.spend_premium.is_some(),
            days: super::days::DayLayout::new(s),
        }
        .with_day_names()
    }

    /// Appends the `day:N` scope names (none without a program).
    fn with_day_names(mut self) -> Layout {
        self.names
            .extend((0..self.days.len()).map(|d| format!("day:{d}")));
        self
    }

    /// Number of values per replication.
    pub fn len(&self) -> usize {
        value_count(
            self.call_types,
            self.groups,
            self.intervals,
            self.days.len(),
        )
    }

    /// (values per replication, scopes) of `s`'s layout — [`Layout::len`] and
    /// [`Layout::scope_count`] — without building it: the memory estimate needs only these,
    /// and a layout names every scope (50,000 strings for 25,000 intervals of two groups).
    pub fn counts(s: &Scenario) -> (usize, usize) {
        let (c, g, k) = (
            s.call_types.len(),
            s.agent_groups.len(),
            s.simulation.intervals,
        );
        let days = super::days::DayLayout::new(s).len();
        let scopes = 1 + c + g + k * (1 + g) + (1 + c) * JOURNEY_CLASSES.len() + days;
        (value_count(c, g, k, days), scopes)
    }

    /// (values of the per-interval scopes, values of the per-call-type scopes — each type's
    /// own and its journey classes —, the rest) of `s`'s layout: what the memory budget names
    /// when the statistics dominate (more call types cost as much as more intervals).
    pub fn value_parts(s: &Scenario) -> (usize, usize, usize) {
        let (c, g, k) = (
            s.call_types.len(),
            s.agent_groups.len(),
            s.simulation.intervals,
        );
        let intervals = k * (INTERVAL_LEN + g * INTERVAL_GROUP_LEN);
        let types = c * (TYPE_LEN + CLASSES * CLASS_LEN);
        let days = super::days::DayLayout::new(s).len();
        let all = value_count(c, g, k, days);
        (intervals, types, all - intervals - types)
    }

    /// An upper end of the bytes of a text with one line per value of `s`'s layout (the CSV
    /// rows of a replication or of a summary): per value `per_line` bytes, plus its scope's
    /// name (quoted where CSV must) and its metric's name, each with its comma.
    pub fn text_bytes(s: &Scenario, per_line: f64) -> f64 {
        let (c, g, k) = (
            s.call_types.len(),
            s.agent_groups.len(),
            s.simulation.intervals,
        );
        let days = super::days::DayLayout::new(s).len();
        // A field with a comma, quote or line break is quoted, its quotes doubled.
        let field = |name: &str| {
            let special = name.contains([',', '"', '\n', '\r']);
            name.len()
                + if special {
                    name.matches('"').count() + 2
                } else {
                    0
                }
        };
        let longest = |names: &mut dyn Iterator<Item = &str>| names.map(field).max().unwrap_or(0);
        let types = longest(&mut s.call_types.iter().map(|t| t.name.as_str()));
        let groups = longest(&mut s.agent_groups.iter().map(|g| g.name.as_str()));
        let class = longest(&mut JOURNEY_CLASSES.iter().copied());
        let digits = |n: usize| n.max(1).to_string().len();
        // Per kind of scope: how many, the longest name, the metrics.
        let lines = |count: usize, scope: usize, metrics: &mut dyn Iterator<Item = &str>| {
            let (n, names) = metrics.fold((0, 0), |(n, l), m| (n + 1, l + m.len() + 1));
            count as f64 * (n as f64 * (per_line + (scope + 1) as f64) + names as f64)
        };
        let interval = "interval:".len() + digits(k);
        let type_scope = "call_type:".len() + types;
        lines(1, "overall".len(), &mut overall_names())
            + lines(c, type_scope, &mut CONTACT_METRICS.iter().copied())
            + lines(g, "agent_group:".len() + groups, &mut group_names())
            + lines(k, interval, &mut interval_names())
            + lines(
                k * g,
                interval + "/agent_group:".len() + groups,
                &mut INTERVAL_GROUP_METRICS.iter().copied(),
            )
            + lines(
                CLASSES,
                "journey_class:".len() + class,
                &mut CLASS_METRICS.iter().copied(),
            )
            + lines(
                c * CLASSES,
                type_scope + "/journey_class:".len() + class,
                &mut CLASS_METRICS.iter().copied(),
            )
            + lines(
                days,
                "day:".len() + digits(days),
                &mut super::days::DAY_METRICS.iter().copied(),
            )
    }

    /// Number of scopes.
    pub fn scope_count(&self) -> usize {
        self.names.len()
    }

    /// Never true: every scenario has the `overall` scope.
    pub fn is_empty(&self) -> bool {
        false
    }

    fn type_base(&self) -> usize {
        OVERALL_LEN
    }
    fn group_base(&self) -> usize {
        self.type_base() + self.call_types * TYPE_LEN
    }
    fn interval_base(&self) -> usize {
        self.group_base() + self.groups * GROUP_LEN
    }
    fn interval_group_base(&self) -> usize {
        self.interval_base() + self.intervals * INTERVAL_LEN
    }
    fn class_base(&self) -> usize {
        self.interval_group_base() + self.intervals * self.groups * INTERVAL_GROUP_LEN
    }

    fn day_base(&self) -> usize {
        self.class_base() + (1 + self.call_types) * CLASSES * CLASS_LEN
    }

    /// The metric names of scope `s` (by index in report order).
    fn metrics_of(&self, s: usize) -> &[&'static str] {
        let classes_end = 1
            + self.call_types
            + self.groups
            + self.intervals * (1 + self.groups)
            + (1 + self.call_types) * CLASSES;
        if s >= classes_end {
            return &super::days::DAY_METRICS;
        }
        let kind = match s {
            0 => 0,
            s if s <= self.call_types => 1,
            s if s <= self.call_types + self.groups => 2,
            s if s <= self.call_types + self.groups + self.intervals => 3,
            s if s <= self.call_types + self.groups + self.intervals * (1 + self.groups) => 4,
            _ => 5,
        };
        &self.metrics[kind]
    }

    /// Every `(tidy scope name, metric name)` in value order: the order of
    /// [`OutcomeBuilder::values`] and of per-replication rows.
    pub fn names(&self) -> impl Iterator<Item = (&str, &'static str)> + '_ {
        self.names
            .iter()
            .enumerate()
            .flat_map(move |(s, name)| self.metrics_of(s).iter().map(move |m| (name.as_str(), *m)))
    }

    /// Calls `f(value index, scope index, tidy scope name, metric name)` for every value, in
    /// value order.
    pub fn for_each_name(&self, mut f: impl FnMut(usize, usize, &str, &'static str)) {
        let mut i = 0;
        for (s, name) in self.names.iter().enumerate() {
            for m in self.metrics_of(s) {
                f(i, s, name, m);
                i += 1;
            }
        }
    }

    /// Index of `metric` of the `overall` scope in the value vector.
    pub fn overall_index(&self, metric: &str) -> Option<usize> {
        overall_names().position(|m| m == metric)
    }

    /// Days with a `day:N` scope (0 without a program).
    pub fn days(&self) -> usize {
        self.days.len()
    }

    /// Index of `metric` of day `d` in the value vector (`None` without such a day).
    pub fn day_index(&self, d: usize, metric: &str) -> Option<usize> {
        let i = super::days::DAY_METRICS.iter().position(|m| *m == metric)?;
        (d < self.days.len()).then(|| self.day_base() + d * super::days::DAY_LEN + i)
    }

    /// Index of `metric` of interval `k` in the value vector.
    pub fn interval_index(&self, k: usize, metric: &str) -> Option<usize> {
        let i = interval_names().position(|m| m == metric)?;
        (k < self.intervals).then(|| self.interval_base() + k * INTERVAL_LEN + i)
    }
}

fn overall_names() -> impl Iterator<Item = &'static str> {
    CONTACT_METRICS.iter().chain(&OVERALL_EXTRA).copied()
}
fn group_names() -> impl Iterator<Item = &'static str> {
    std::iter::once("occupancy")
        .chain(GROUP_METRICS.iter().copied())
        .chain(std::iter::once("cost"))
}
fn interval_names() -> impl Iterator<Item = &'static str> {
    CONTACT_METRICS
        .iter()
        .copied()
        .chain(std::iter::once("occupancy"))
}

/// Scratch sums reused from one replication to the next (no allocation per replication).
#[derive(Debug, Clone, Default)]
struct Totals {
    types: Vec<Counters>,
    groups: Vec<GroupCounters>,
    group_busy: Vec<(f64, f64)>,
}

/// Folds replications, in replication order, into one [`Accumulator`] per (scope, metric).
#[derive(Debug, Clone)]
pub struct OutcomeBuilder {
    scenario: String,
    seed: u64,
    layout: Layout,
    accumulators: Vec<Accumulator>,
    values: Vec<Option<f64>>,
    totals: Totals,
    replications: u32,
}

impl OutcomeBuilder {
    /// An empty summary of `s`.
    pub fn new(s: &Scenario) -> OutcomeBuilder {
        let layout = Layout::new(s);
        let n = layout.len();
        OutcomeBuilder {
            scenario: s.name.clone(),
            seed: s.simulation.seed,
            layout,
            accumulators: vec![Accumulator::default(); n],
            values: vec![None; n],
            totals: Totals::default(),
            replications: 0,
        }
    }

    /// The layout of the values.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Adds the next replication (they must come in replication order for results to be
    /// identical at any thread count).
    pub fn add(&mut self, r: &ReplicationResult) {
        self.compute(r);
        for (acc, v) in self.accumulators.iter_mut().zip(&self.values) {
            acc.push(*v);
        }
        self.replications += 1;
    }

    /// The values of the replication added last, in [`Layout::for_each_name`] order.
    pub fn values(&self) -> &[Option<f64>] {
        &self.values
    }

    /// `(tidy scope, metric, value)` of the replication added last, in report order (for
    /// per-replication output such as CSV rows).
    pub fn rows(&self) -> impl Iterator<Item = (&str, &str, Option<f64>)> + '_ {
        self.layout
            .names()
            .zip(&self.values)
            .map(|((scope, metric), v)| (scope, metric as &str, *v))
    }

    /// The scenario's name.
    pub fn scenario(&self) -> &str {
        &self.scenario
    }

    /// Replications added so far.
    pub fn replications(&self) -> u32 {
        self.replications
    }

    /// Fills `self.values` from one replication's counters.
    fn compute(&mut self, r: &ReplicationResult) {
        let l = &self.layout;
        let (nc, ng, nk) = (l.call_types, l.groups, l.intervals);
        debug_assert_eq!((r.intervals, r.call_types, r.groups), (nk, nc, ng));
        let t = &mut self.totals;
        t.types.clear();
        t.types.resize(nc, Counters::default());
        t.groups.clear();
        t.groups.resize(ng, GroupCounters::default());
        t.group_busy.clear();
        t.group_busy.resize(ng, (0.0, 0.0));
        let v = &mut self.values;
        let mut overall = Counters::default();
        // Each interval's total over call types is summed, reported and added to the overall
        // total at once, not kept: a year's per-interval totals were 9 MB per scenario.
        for k in 0..nk {
            let interval = r.interval_total(k);
            for c in 0..nc {
                t.types[c].add(&r.contacts[k * nc + c]);
            }
            overall.add(&interval);
            let base = l.interval_base() + k * INTERVAL_LEN;
            v[base..base + TYPE_LEN].copy_from_slice(&contact_metrics(&interval, l.scored));
        }
        let occupancy = |busy: f64, staffed: f64| (staffed > 0.0).then(|| busy / staffed);
        // Occupancy of intervals and (interval, group) scopes; group totals on the way.
        let (mut all_busy, mut all_staffed) = (0.0, 0.0);
        for k in 0..nk {
            let base = l.interval_base() + k * INTERVAL_LEN;
            let (mut busy, mut staffed) = (0.0, 0.0);
            for g in 0..ng {
                let i = k * ng + g;
                let (b, s) = (r.busy[i], r.staffed[i]);
                busy += b;
                staffed += s;
                t.group_busy[g].0 += b;
                t.group_busy[g].1 += s;
                t.groups[g].add(&r.group_work[i]);
                let at = l.interval_group_base() + i * INTERVAL_GROUP_LEN;
                v[at] = occupancy(b, s);
                v[at + 1] = Some(l.scheduled[i]);
                v[at + 2] = (l.recorded[k] > 0.0).then(|| s / l.recorded[k]);
            }
            v[base + TYPE_LEN] = occupancy(busy, staffed);
            all_busy += busy;
            all_staffed += staffed;
        }
        v[..TYPE_LEN].copy_from_slice(&contact_metrics(&overall, l.scored));
        let (staffing, training) = l.plan_cost;
        v[TYPE_LEN..OVERALL_LEN].copy_from_slice(&[
            occupancy(all_busy, all_staffed),
            Some(staffing + training),
            Some(staffing),
            Some(training),
        ]);
        for c in 0..nc {
            let base = l.type_base() + c * TYPE_LEN;
            v[base..base + TYPE_LEN].copy_from_slice(&contact_metrics(&t.types[c], l.scored));
        }
        // Journey classes: all customers, then per call type; the callback pair after the
        // cell-tallied ones (its counts are per call type, none without callbacks).
        let none = ClassCount::default();
        let called_back = |c: usize| r.called_back.get(c).unwrap_or(&none);
        let mut all_called_back = ClassCount::default();
        (0..nc).for_each(|c| all_called_back.add(called_back(c)));
        let mut all_classes = [ClassTally::default(); CELL_CLASSES];
        for classes in &r.classes {
            for (all, class) in all_classes.iter_mut().zip(classes) {
                all.add(class);
            }
        }
        let scopes = std::iter::once((&overall, &all_classes, &all_called_back))
            .chain((0..nc).map(|c| (&t.types[c], &r.classes[c], called_back(c))));
        for (i, (tally, classes, cb)) in scopes.enumerate() {
            for k in 0..CELL_CLASSES {
                let base = l.class_base() + (i * CLASSES + k) * CLASS_LEN;
                let m = class_metrics(tally, classes, k, l.scored);
                v[base..base + CLASS_LEN].copy_from_slice(&m);
            }
            for (k, m) in callback_class_metrics(tally, cb, l.scored)
                .iter()
                .enumerate()
            {
                let base = l.class_base() + (i * CLASSES + CELL_CLASSES + k) * CLASS_LEN;
                v[base..base + CLASS_LEN].copy_from_slice(m);
            }
        }
        if !l.upside {
            v[REVENUE_UPSIDE] = None;
            for c in 0..nc {
                v[l.type_base() + c * TYPE_LEN + REVENUE_UPSIDE] = None;
            }
            for k in 0..nk {
                v[l.interval_base() + k * INTERVAL_LEN + REVENUE_UPSIDE] = None;
            }
        }
        for g in 0..ng {
            let base = l.group_base() + g * GROUP_LEN;
            v[base] = occupancy(t.group_busy[g].0, t.group_busy[g].1);
            v[base + 1..base + 1 + GROUP_METRICS.len()]
                .copy_from_slice(&group_metrics(&t.groups[g]));
            v[base + GROUP_LEN - 1] = Some(l.group_cost[g]);
        }
        if !l.days.is_empty() {
            let base = l.day_base();
            l.days.fill(r, l.scored, l.upside, &mut v[base..]);
        }
    }

    /// The summary of every replication added, built while the builder is taken apart so
    /// that the accumulators and the summary are not both whole at once: scopes are built
    /// from the last to the first and the accumulators behind them are released as they are
    /// used. At 17,520 intervals that keeps the peak near the summary's own 44 MB, where
    /// building it beside the builder's 25 MB of accumulators peaked at their sum (the last
    /// replication's values, 13 MB, and the scratch totals are dropped first). The same
    /// figures as
    /// [`OutcomeBuilder::outcome`].
    pub fn finish(mut self) -> Outcome {
        self.values = Vec::new();
        self.totals = Totals::default();
        let mut accumulators = std::mem::take(&mut self.accumulators);
        let mut t = TQuantiles::default();
        let l = &self.layout;
        let mut scopes: Vec<Scope> = Vec::with_capacity(l.names.len());
        let mut end = accumulators.len();
        for s in (0..l.names.len()).rev() {
            let metrics = l.metrics_of(s);
            let start = end - metrics.len();
            let summary = metrics
                .iter()
                .zip(&accumulators[start..end])
                .map(|(&metric, acc)| Metric {
                    name: metric,
                    estimate: estimate_of(acc, metric, &mut t),
                })
                .collect();
            scopes.push(Scope {
                name: report_name(&l.names[s]).to_string(),
                metrics: summary,
            });
            accumulators.truncate(start);
            // Give the used tail back in steps (a shrinking realloc of a large block is done
            // in place), not per scope: geometric, so the copying a realloc may do stays
            // linear overall.
            if accumulators.capacity() - start > start / 4 + 32_768 {
                accumulators.shrink_to_fit();
            }
            end = start;
        }
        scopes.reverse();
        self.assemble(scopes)
    }

    /// Value `i` (metric `metric`) summarised over the replications added so far.
    fn estimate(&self, i: usize, metric: &str, t: &mut TQuantiles) -> Option<Estimate> {
        estimate_of(&self.accumulators[i], metric, t)
    }

    /// `f(tidy scope name, metric, estimate)` for every value, in report order, summarised
    /// over the replications added so far: what [`OutcomeBuilder::outcome`] holds, without
    /// building it (the CSV summary rows of a long run are written so).
    pub fn for_each_estimate(&self, mut f: impl FnMut(&str, &'static str, Option<Estimate>)) {
        let mut t = TQuantiles::default();
        self.layout.for_each_name(|i, _, scope, metric| {
            f(scope, metric, self.estimate(i, metric, &mut t));
        });
    }

    /// The summary of the replications added so far (the builder can go on).
    pub fn outcome(&self) -> Outcome {
        let mut t = TQuantiles::default();
        let mut scopes: Vec<Scope> = Vec::with_capacity(self.layout.names.len());
        self.layout.for_each_name(|i, s, scope, metric| {
            if scopes.len() <= s {
                // Exact capacity for the scope just finished: growth by doubling left up to
                // 45% of the metric vectors unused (30 MB at 17,520 intervals).
                if let Some(done) = scopes.last_mut() {
                    done.metrics.shrink_to_fit();
                }
                scopes.push(Scope {
                    name: report_name(scope).to_string(),
                    metrics: Vec::new(),
                });
            }
            let estimate = self.estimate(i, metric, &mut t);
            if let Some(s) = scopes.last_mut() {
                s.metrics.push(Metric {
                    name: metric,
                    estimate,
                });
            }
        });
        if let Some(last) = scopes.last_mut() {
            last.metrics.shrink_to_fit();
        }
        self.assemble(scopes)
    }

    /// The [`Outcome`] of every scope's summary, in layout order.
    fn assemble(&self, scopes: Vec<Scope>) -> Outcome {
        let l = &self.layout;
        let mut scopes = scopes.into_iter();
        let overall = scopes.next().expect("the overall scope");
        let call_types = scopes.by_ref().take(l.call_types).collect();
        let agent_groups = scopes.by_ref().take(l.groups).collect();
        let intervals = scopes
            .by_ref()
            .take(l.intervals)
            .enumerate()
            .map(|(k, s)| (k as f64 * l.interval, s))
            .collect();
        // Moved, not cloned: a copy would double these scopes' memory at the peak.
        let interval_groups = (0..l.intervals)
            .map(|_| scopes.by_ref().take(l.groups).collect())
            .collect();
        let journey_classes = scopes.by_ref().take((1 + l.call_types) * CLASSES).collect();
        let days = scopes.collect();
        Outcome {
            scenario: self.scenario.clone(),
            seed: self.seed,
            replications: self.replications,
            overall,
            call_types,
            agent_groups,
            intervals,
            interval_groups,
            interval_labels: l.labels.clone(),
            journey_classes,
            days,
            day_labels: l.days.labels(),
        }
    }
}

/// An accumulator's summary; the counts in [`ZERO_WHEN_NONE`] read 0 where no replication
/// defined them.
fn estimate_of(acc: &Accumulator, metric: &str, t: &mut TQuantiles) -> Option<Estimate> {
    acc.estimate(t).or_else(|| {
        ZERO_WHEN_NONE.contains(&metric).then_some(Estimate {
            mean: 0.0,
            ci95: (0.0, 0.0),
            n: 0,
        })
    })
}

/// A scope's name in the report: the tidy name without its `call_type:`, `agent_group:` or
/// `…journey_class:` prefix (interval scopes keep theirs).
fn report_name(scope: &str) -> &str {
    scope
        .rsplit_once("journey_class:")
        .map(|(_, class)| class)
        .or_else(|| scope.strip_prefix("call_type:"))
        .or_else(|| scope.strip_prefix("agent_group:"))
        .filter(|_| !scope.starts_with("interval:"))
        .unwrap_or(scope)
}

/// Paired differences B − A, replication by replication (common random numbers), of every
/// value when both scenarios have the same scopes (same call types, groups and intervals),
/// else of the `overall` metrics only. A replication where either side is undefined is
/// skipped.
#[derive(Debug, Clone)]
pub struct PairedBuilder {
    accumulators: Vec<Accumulator>,
}

impl PairedBuilder {
    /// Pairs scenarios with these layouts.
    pub fn new(a: &Layout, b: &Layout) -> PairedBuilder {
        let n = if a.names == b.names {
            a.len()
        } else {
            OVERALL_LEN
        };
        PairedBuilder {
            accumulators: vec![Accumulator::default(); n],
        }
    }

    /// Adds the replications `a` and `b` added last (the same replication index).
    pub fn add(&mut self, a: &OutcomeBuilder, b: &OutcomeBuilder) {
        for ((acc, x), y) in self.accumulators.iter_mut().zip(&a.values).zip(&b.values) {
            acc.push(x.zip(*y).map(|(x, y)| y - x));
        }
    }

    /// B − A per value index of A's layout (shorter than the layout when only `overall` was
    /// paired).
    pub fn finish(&self) -> Vec<Option<Estimate>> {
        let mut t = TQuantiles::default();
        self.accumulators
            .iter()
            .map(|acc| acc.estimate(&mut t))
            .collect()
    }
}

/// (staffing, training) cost of group `g` over the horizon: planned staffed hours × hourly
/// cost, and training cost per agent of peak headcount. Deterministic: it is what the plan
/// costs, not a random outcome.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        Scenario::from_toml_str(
            r#"
            [simulation]
            horizon = "1h"
            interval = "30m"
            [[call_types]]
            name = "general"
            arrival_rate = 60.0
            handle_time = { distribution = "exponential", mean = "4m" }
            [[agent_groups]]
            name = "tier1"
            skills = ["general"]
            agents = 6
            "#,
            "t",
            "t",
        )
        .unwrap()
    }

    fn replication(offered_in_each_interval: u64) -> ReplicationResult {
        let mut r = ReplicationResult::new(2, 1, 1);
        for k in 0..2 {
            r.contacts[k].offered = offered_in_each_interval;
            r.contacts[k].answered = offered_in_each_interval;
            r.busy[k] = 900.0;
            r.staffed[k] = 1800.0;
        }
        r
    }

    /// Regression (a year at 30-minute intervals peaked at 148 MB): the summary keeps no
    /// growth slack in its metric vectors, and every (interval, group) scope is there once.
    #[test]
    fn summary_metric_vectors_have_no_slack() {
        let s = scenario();
        let mut b = OutcomeBuilder::new(&s);
        b.add(&replication(3));
        let o = b.finish();
        let scopes = std::iter::once(&o.overall)
            .chain(&o.call_types)
            .chain(&o.agent_groups)
            .chain(o.intervals.iter().map(|(_, s)| s))
            .chain(o.interval_groups.iter().flatten())
            .chain(&o.journey_classes);
        for scope in scopes {
            assert_eq!(
                scope.metrics.capacity(),
                scope.metrics.len(),
                "{}",
                scope.name
            );
        }
        assert_eq!(o.interval_groups.len(), 2);
        assert!(o.interval_groups.iter().all(|g| g.len() == 1));
    }

    /// `finish` takes the builder apart as it summarises (to keep the peak low); what it
    /// returns is exactly `outcome`'s.
    #[test]
    fn finishing_equals_summarising() {
        let s = scenario();
        let mut b = OutcomeBuilder::new(&s);
        for x in [3, 7, 4] {
            b.add(&replication(x));
        }
        assert_eq!(b.outcome(), b.finish());
    }

    /// Pairing removes the shared noise: B = A + 1 in every replication gives a zero-width
    /// interval at 1, even though A itself varies a lot.
    #[test]
    fn paired_difference_removes_common_noise() {
        let s = scenario();
        let (mut a, mut b) = (OutcomeBuilder::new(&s), OutcomeBuilder::new(&s));
        let mut paired = PairedBuilder::new(a.layout(), b.layout());
        for x in [1, 5, 2, 9] {
            a.add(&replication(x));
            b.add(&replication(x + 1));
            paired.add(&a, &b);
        }
        let diffs = paired.finish();
        assert_eq!(diffs.len(), a.layout().len());
        let d = diffs[a.layout().overall_index("offered").unwrap()].unwrap();
        // Two intervals each: B − A = 2 offered per replication.
        assert_eq!((d.mean, d.ci95), (2.0, (2.0, 2.0)));
        let a = a.finish();
        assert!(
            a.overall
                .get("offered")
                .unwrap()
                .estimate
                .unwrap()
                .half_width()
                > 1.0
        );
    }

    /// The memory estimate's counts are the built layout's, with program days and several
    /// groups too.
    #[test]
    fn counts_match_the_built_layout() {
        let mut scenarios = vec![scenario()];
        for f in ["program_baseline", "two_tier", "week"] {
            let path = format!("{}/scenarios/{f}.toml", env!("CARGO_MANIFEST_DIR"));
            scenarios.push(Scenario::from_file(std::path::Path::new(&path)).unwrap());
        }
        assert!(scenarios.iter().any(|s| s.program.is_some()));
        for s in &scenarios {
            let l = Layout::new(s);
            assert_eq!(Layout::counts(s), (l.len(), l.scope_count()), "{}", s.name);
        }
    }

    #[test]
    fn scopes_and_values_line_up() {
        let s = scenario();
        let mut b = OutcomeBuilder::new(&s);
        b.add(&replication(3));
        let l = b.layout();
        assert_eq!(b.values().len(), l.len());
        let i = l.interval_index(1, "offered").unwrap();
        assert_eq!(b.values()[i], Some(3.0));
        assert_eq!(b.values()[l.overall_index("offered").unwrap()], Some(6.0));
        let mut rows = Vec::new();
        rows.extend(
            b.rows()
                .map(|(scope, metric, v)| (scope.to_string(), metric, v)),
        );
        assert_eq!(rows.len(), l.len());
        assert_eq!(rows[0], ("overall".to_string(), "offered", Some(6.0)));
        assert!(rows.contains(&("call_type:general".into(), "offered", Some(6.0))));
        assert!(rows.contains(&(
            "interval:1/agent_group:tier1".into(),
            "occupancy",
            Some(0.5)
        )));
        let o = b.finish();
        assert_eq!(o.call_types[0].name, "general");
        assert_eq!(o.agent_groups[0].name, "tier1");
        assert_eq!(o.intervals[1].0, 1800.0);
        assert_eq!(o.intervals[1].1.name, "interval:1");
        assert_eq!(o.interval_groups[1][0].name, "interval:1/agent_group:tier1");
        assert_eq!(o.replications, 1);
        // Nobody held: the hold means are 0, not undefined.
        assert_eq!(
            o.overall.get("mean_hold_s").unwrap().estimate.unwrap().mean,
            0.0
        );
    }

    /// Memory does not grow with replications: the builder's state is fixed-size.
    #[test]
    fn a_million_replications_fold_into_fixed_state() {
        let s = scenario();
        let mut b = OutcomeBuilder::new(&s);
        let r = replication(2);
        for _ in 0..1_000_000 {
            b.add(&r);
        }
        let o = b.finish();
        let e = o.overall.get("offered").unwrap().estimate.unwrap();
        assert_eq!((e.mean, e.n), (4.0, 1_000_000));
    }
}
