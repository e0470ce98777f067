//! Streaming statistics: the fixed-size counters one replication fills in
//! ([`ReplicationResult`]), the metrics derived from them, and the across-replication summary
//! (mean and Student-t 95% confidence interval).

mod counters;
pub mod days;
mod events;
mod outcome;

pub use counters::{
    Cell, ClassCount, ClassTally, Collector, Counters, GroupCounters, Observer, ReplicationResult,
};
pub use events::{ContactKind, ContactOutcome, TraceEvent};
pub use outcome::{plan_costs, Layout, Metric, Outcome, OutcomeBuilder, PairedBuilder, Scope};

use crate::model::experience::CELL_CLASSES;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Names of the contact metrics, in report order (the contract's names first).
pub const CONTACT_METRICS: [&str; 38] = [
    "offered",
    "answered",
    "abandoned",
    "in_queue_at_end",
    "abandon_rate",
    "service_level",
    "wait_probability",
    "asa_s",
    "mean_wait_s",
    "transfer_rate",
    "repeat_contact_rate",
    "holds_per_call",
    "mean_hold_s",
    "approval_holds_per_call",
    "mean_approval_hold_s",
    "customers",
    "fcr_rate",
    "resolution_rate",
    "csat",
    "nps",
    "churn_rate",
    "customers_lost",
    "revenue_at_risk",
    "word_of_mouth_negative",
    "word_of_mouth_positive",
    "word_of_mouth_net",
    "csat_top_box",
    "word_of_mouth_people",
    "revenue_upside",
    "callbacks_offered",
    "callbacks_accepted",
    "callback_delay_s",
    "blocked",
    "block_rate",
    "abandoned_on_hold",
    "hold_abandon_rate",
    "backlog_at_close",
    "oldest_age_at_close_s",
];

/// The contact metrics of one tally, in [`CONTACT_METRICS`] order; a ratio with a zero
/// denominator is `None` (undefined, not zero). `scored`: the scenario has an experience
/// model ([`crate::scenario::Scenario::experience_model`]); without one, the figures that
/// only journey scoring produces (csat through word_of_mouth_net) are `None`: they would
/// come from defaults, not from anything the scenario says. `revenue_upside` is the sum of
/// the spend premium: the report nulls it when the premium is off.
pub fn contact_metrics(c: &Counters, scored: bool) -> [Option<f64>; 38] {
    let ratio = |num: f64, den: u64| (den > 0).then(|| num / den as f64);
    let mut m = [
        Some(c.offered as f64),
        Some(c.answered as f64),
        Some(c.abandoned as f64),
        Some(c.in_queue_at_end as f64),
        ratio(c.abandoned as f64, c.offered),
        ratio(c.within_threshold as f64, c.offered),
        ratio(c.queued as f64, c.offered),
        ratio(c.wait_answered, c.answered),
        ratio(c.wait_all, c.answered + c.abandoned),
        ratio(c.transferred as f64, c.answered),
        ratio(c.repeats as f64, c.offered),
        ratio(c.holds as f64, c.answered),
        ratio(c.hold_time, c.holds),
        ratio(c.approvals as f64, c.answered),
        ratio(c.approval_time, c.approvals),
        Some(c.customers as f64),
        ratio(c.first_contact_resolved as f64, c.customers),
        ratio(c.resolved as f64, c.customers),
        ratio(c.csat, c.customers),
        ratio(100.0 * (c.promoters - c.detractors), c.customers),
        ratio(c.churned, c.customers),
        Some(c.churned),
        Some(c.revenue_at_risk),
        Some(c.word_of_mouth_negative),
        Some(c.word_of_mouth_positive),
        Some(c.word_of_mouth_positive - c.word_of_mouth_negative),
        ratio(c.top_box, c.customers),
        ratio(c.word_of_mouth_people, c.customers),
        Some(c.revenue_upside),
        Some(c.callbacks_offered as f64),
        Some(c.callbacks_accepted as f64),
        ratio(c.callback_delay, c.callbacks_made),
        Some(c.blocked as f64),
        ratio(c.blocked as f64, c.offered),
        Some(c.abandoned_on_hold as f64),
        ratio(c.abandoned_on_hold as f64, c.answered),
        ratio(f64::from(c.backlog_at_close), u64::from(c.closes)),
        ratio(c.oldest_age_at_close, u64::from(c.closes)),
    ];
    if !scored {
        m[FIRST_SCORED..SCORED_END].fill(None);
    }
    m
}

/// Index in [`CONTACT_METRICS`] of the first metric that comes only from journey scoring
/// (`csat`; every later one up to [`SCORED_END`] does too).
const FIRST_SCORED: usize = 18;
/// One past the last metric that comes only from journey scoring (`revenue_upside`).
const SCORED_END: usize = 29;
/// Index of `revenue_upside` in [`CONTACT_METRICS`] (null unless the spend premium is on).
pub const REVENUE_UPSIDE: usize = 28;

/// Per-class metric names of `journey_classes` (each class of
/// [`JOURNEY_CLASSES`](crate::model::experience::JOURNEY_CLASSES)), in report order.
pub const CLASS_METRICS: [&str; 5] = [
    "share",
    "csat_top_box",
    "churn_rate",
    "word_of_mouth_people",
    "nps",
];

/// The metrics of cell-tallied journey class `k` (< [`CELL_CLASSES`]) in one tally `c`
/// whose classes' scored sums are `classes` (see [`ReplicationResult::classes`]), in
/// [`CLASS_METRICS`] order: its share of the tally's journeys (a queueing fact, defined in
/// plain scenarios too) and, when `scored`, the class's top-box share, churn, people told
/// per customer and NPS.
pub fn class_metrics(
    c: &Counters,
    classes: &[ClassTally; CELL_CLASSES],
    k: usize,
    scored: bool,
) -> [Option<f64>; 5] {
    class_figures(c.customers, c.class_customers(k), &classes[k], scored)
}

/// The metrics of the callback pair, `called_back` then `not_called_back`, of one tally
/// whose called-back journeys are `cb` (see [`ReplicationResult::called_back`]); as
/// [`class_metrics`]. The complement's sums are the tally's totals less the class's, so
/// without callbacks `not_called_back` is every customer, with the scope's own figures.
pub fn callback_class_metrics(
    c: &Counters,
    cb: &ClassCount,
    scored: bool,
) -> [[Option<f64>; 5]; 2] {
    let rest = ClassTally::all_of(c).less(&cb.tally);
    [
        class_figures(c.customers, cb.customers, &cb.tally, scored),
        class_figures(
            c.customers,
            c.customers.saturating_sub(cb.customers),
            &rest,
            scored,
        ),
    ]
}

/// A class of `n` of the scope's `customers` journeys with scored sums `t`: share, then (when
/// `scored` and the class has members) the per-customer figures.
fn class_figures(customers: u64, n: u64, t: &ClassTally, scored: bool) -> [Option<f64>; 5] {
    let per = |num: f64| (scored && n > 0).then(|| num / n as f64);
    [
        (customers > 0).then(|| n as f64 / customers as f64),
        per(t.top_box),
        per(t.churned),
        per(t.people),
        per(100.0 * t.net_promoters),
    ]
}

/// Names of the per-agent-group work metrics (occupancy and cost are added by `experiment`).
pub const GROUP_METRICS: [&str; 6] = [
    "handled",
    "aht_s",
    "holds_per_call",
    "resolution_rate",
    "escalation_rate",
    "approval_rate",
];

/// The work metrics of one group tally, in [`GROUP_METRICS`] order.
pub fn group_metrics(g: &GroupCounters) -> [Option<f64>; 6] {
    let ratio = |num: f64, den: u64| (den > 0).then(|| num / den as f64);
    [
        Some(g.handled as f64),
        ratio(g.handle_time, g.handled),
        ratio(g.holds as f64, g.handled),
        ratio(g.resolved as f64, g.attempts),
        ratio(g.escalations as f64, g.handled),
        ratio(g.approvals as f64, g.handled),
    ]
}

/// Mean and Student-t 95% confidence interval of a metric over replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Mean over the replications that defined the metric.
    pub mean: f64,
    /// Student-t 95% interval (low, high); the mean itself when `n` < 2.
    pub ci95: (f64, f64),
    /// Replications in which the metric was defined.
    pub n: usize,
}

impl Estimate {
    /// Summarises the defined values; `None` when no replication defined the metric.
    /// With one value the interval is `[mean, mean]` (the contract's convention).
    pub fn from_values(values: impl IntoIterator<Item = Option<f64>>) -> Option<Estimate> {
        let mut acc = Accumulator::default();
        for v in values {
            acc.push(v);
        }
        acc.estimate(&mut TQuantiles::default())
    }

    /// Half-width of the interval.
    pub fn half_width(&self) -> f64 {
        (self.ci95.1 - self.ci95.0) / 2.0
    }
}

/// A streaming summary of one metric over replications, fed in replication order: count,
/// running sum (the reported mean is `sum / n`, so exact inputs give exact means: 3289.8, not
/// 3289.7999999999997) and Welford's running mean and sum of squared deviations (stable
/// variance without keeping the values). 32 bytes, whatever the number of replications.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Accumulator {
    n: u64,
    sum: f64,
    mean: f64,
    m2: f64,
}

impl Accumulator {
    /// Adds one replication's value; `None` (undefined in that replication) is skipped.
    #[inline]
    pub fn push(&mut self, value: Option<f64>) {
        let Some(x) = value else { return };
        self.n += 1;
        self.sum += x;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Mean and Student-t 95% interval; `None` when no replication defined the metric.
    pub fn estimate(&self, t: &mut TQuantiles) -> Option<Estimate> {
        if self.n == 0 {
            return None;
        }
        let n = self.n as usize;
        let mean = self.sum / self.n as f64;
        if n == 1 {
            return Some(Estimate {
                mean,
                ci95: (mean, mean),
                n,
            });
        }
        let var = (self.m2 / (n - 1) as f64).max(0.0);
        let h = t.q975(n - 1) * var.sqrt() / (n as f64).sqrt();
        Some(Estimate {
            mean,
            ci95: (mean - h, mean + h),
            n,
        })
    }
}

/// Student-t 0.975 quantiles, remembered per degrees of freedom: a report has thousands of
/// metrics that almost all share one `n`, and each inverse CDF costs microseconds.
#[derive(Debug, Default)]
pub struct TQuantiles {
    last: Option<(usize, f64)>,
}

impl TQuantiles {
    /// The 0.975 quantile for `df` degrees of freedom.
    pub fn q975(&mut self, df: usize) -> f64 {
        match self.last {
            Some((d, q)) if d == df => q,
            _ => {
                let q = t_quantile_975(df);
                self.last = Some((df, q));
                q
            }
        }
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile_975(df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64)
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(1.959_963_984_540_054)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        // Published two-sided 95% critical values.
        for (df, want) in [(1, 12.706), (4, 2.776), (29, 2.045), (1000, 1.962)] {
            assert!((t_quantile_975(df) - want).abs() < 1e-3, "df {df}");
        }
    }

    #[test]
    fn estimate_of_known_sample() {
        let e = Estimate::from_values([1.0, 2.0, 3.0, 4.0, 5.0].map(Some)).unwrap();
        assert_eq!(e.mean, 3.0);
        // sd = sqrt(2.5); h = 2.776 * 1.5811 / sqrt(5) = 1.9632
        assert!((e.half_width() - 1.9632).abs() < 1e-3);
        let one = Estimate::from_values([Some(7.0)]).unwrap();
        assert_eq!(one.ci95, (7.0, 7.0));
        assert!(Estimate::from_values([None, None]).is_none());
    }

    #[test]
    fn undefined_ratios_are_none() {
        let m = contact_metrics(&Counters::default(), true);
        assert_eq!(m[0], Some(0.0));
        assert!(m[4..15].iter().all(Option::is_none));
        assert!(m[16..21].iter().all(Option::is_none));
    }

    /// Without an experience model, the scored figures are undefined even where a tally
    /// holds numbers; the queueing facts and journey counts stay.
    #[test]
    fn unscored_figures_are_undefined() {
        let c = Counters {
            offered: 10,
            answered: 10,
            customers: 10,
            resolved: 10,
            first_contact_resolved: 10,
            csat: 40.0,
            churned: 1.0,
            ..Counters::default()
        };
        assert_eq!(CONTACT_METRICS[FIRST_SCORED], "csat");
        let plain = contact_metrics(&c, false);
        assert!(plain[FIRST_SCORED..SCORED_END].iter().all(Option::is_none));
        assert_eq!(CONTACT_METRICS[REVENUE_UPSIDE], "revenue_upside");
        assert_eq!(
            plain[SCORED_END..SCORED_END + 3],
            [Some(0.0), Some(0.0), None]
        );
        assert_eq!(plain[SCORED_END + 3], Some(0.0), "blocked");
        assert_eq!(
            plain[..FIRST_SCORED],
            contact_metrics(&c, true)[..FIRST_SCORED]
        );
        assert_eq!(plain[16], Some(1.0), "fcr_rate");
        assert!(contact_metrics(&c, true)[FIRST_SCORED..SCORED_END]
            .iter()
            .all(Option::is_some));
    }
}
