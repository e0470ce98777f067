//! Per-day scopes of a training program's run (`day:N`): the contact metrics of the contacts
//! arriving that day, the day's staffing cost and the program's one-off cost booked on it.
//! Present only when the scenario has a `[program]`, so other reports are unchanged.
//!
//! One-off and per-day costs stay separate metrics (`program_cost`, `staffing_cost`): the
//! cash flow puts each on its own day and never adds a one-off cost to a per-day rate.

use super::{contact_metrics, Counters, ReplicationResult, CONTACT_METRICS, REVENUE_UPSIDE};
use crate::model::program::day_of;
use crate::scenario::Scenario;

/// Metrics of a `day:N` scope: the contact metrics, then the day's costs.
pub const DAY_METRICS: [&str; 38] = {
    let mut m = [""; 38];
    let mut i = 0;
    while i < CONTACT_METRICS.len() {
        m[i] = CONTACT_METRICS[i];
        i += 1;
    }
    m[36] = "staffing_cost";
    m[37] = "program_cost";
    m
};
/// Values per day scope.
pub const DAY_LEN: usize = DAY_METRICS.len();

/// Where each day's intervals are, and what the program costs that day.
#[derive(Debug, Clone, Default)]
pub struct DayLayout {
    /// Per day: its intervals `[first, end)`.
    ranges: Vec<(usize, usize)>,
    /// Per day: the weekday label (empty without a calendar).
    labels: Vec<String>,
    /// Per day: one-off program cost (trainer, trainee-days).
    program_cost: Vec<f64>,
    /// Per group: currency per staffed agent-second.
    cost_per_second: Vec<f64>,
}

impl DayLayout {
    /// The days of `s`'s run when it has a program; empty otherwise.
    pub fn new(s: &Scenario) -> DayLayout {
        let Some(program) = &s.program else {
            return DayLayout::default();
        };
        let sim = &s.simulation;
        let clock = s.calendar.as_ref();
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for k in 0..sim.intervals {
            let d = day_of(clock, k as f64 * sim.interval) as usize;
            while ranges.len() <= d {
                ranges.push((k, k));
            }
            ranges[d].1 = k + 1;
        }
        let days = ranges.len();
        DayLayout {
            labels: clock.map_or_else(Vec::new, |c| {
                (0..days)
                    .map(|d| c.weekday_of_day(d).short().to_string())
                    .collect()
            }),
            program_cost: (0..days as u32).map(|d| program.cost_on(d)).collect(),
            cost_per_second: s
                .agent_groups
                .iter()
                .map(|g| g.hourly_cost / 3600.0)
                .collect(),
            ranges,
        }
    }

    /// Number of days (0 without a program).
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// True without a program.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The weekday labels (empty without a calendar).
    pub fn labels(&self) -> Vec<String> {
        self.labels.clone()
    }

    /// Fills the day scopes' values (`out` starts at the first day's first value) from one
    /// replication (each interval totalled over call types, then added to its day).
    pub fn fill(&self, r: &ReplicationResult, scored: bool, upside: bool, out: &mut [Option<f64>]) {
        let ng = self.cost_per_second.len();
        for (d, &(first, end)) in self.ranges.iter().enumerate() {
            let mut day = Counters::default();
            let mut staffing = 0.0;
            for k in first..end {
                day.add(&r.interval_total(k));
                let staffed = &r.staffed[k * ng..(k + 1) * ng];
                for (s, cost) in staffed.iter().zip(&self.cost_per_second) {
                    staffing += s * cost;
                }
            }
            let v = &mut out[d * DAY_LEN..(d + 1) * DAY_LEN];
            v[..CONTACT_METRICS.len()].copy_from_slice(&contact_metrics(&day, scored));
            if !upside {
                v[REVENUE_UPSIDE] = None;
            }
            v[36] = Some(staffing);
            v[37] = Some(self.program_cost[d]);
        }
    }
}
