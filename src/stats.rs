//! Streaming statistics: the fixed-size counters one replication fills in (no per-call storage,
//! so memory does not grow with the horizon), the metrics derived from them, and the
//! across-replication summary (mean and Student-t 95% confidence interval).

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Tallies for the contacts of one call type that arrived in one interval (after warmup).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counters {
    pub offered: u64,
    pub answered: u64,
    pub abandoned: u64,
    /// Contacts that did not reach an agent at once.
    pub queued: u64,
    /// Answered with wait ≤ the service-level threshold.
    pub within_threshold: u64,
    /// Answered contacts that ended in a transfer.
    pub transferred: u64,
    /// Still waiting when the simulation ended (only when no agent is left to serve them).
    pub in_queue_at_end: u64,
    /// Σ wait of answered contacts, seconds.
    pub wait_answered: f64,
    /// Σ wait of answered and abandoned contacts (abandoned: time until hang-up), seconds.
    pub wait_all: f64,
    /// Contacts that were callbacks or redials of an earlier contact (failure demand).
    pub repeats: u64,
    /// Holds in answered contacts (look-ups and approvals) and their total length, seconds.
    pub holds: u64,
    pub hold_time: f64,
    /// Approval holds (supervisor consults) and their total length including the wait for a
    /// supervisor, seconds.
    pub approvals: u64,
    pub approval_time: f64,
    /// Journeys (customers) that ended, attributed to their first contact's type and interval.
    pub customers: u64,
    /// Journeys resolved on the first contact / resolved at all.
    pub first_contact_resolved: u64,
    pub resolved: u64,
    /// Sums over journeys of expected CSAT, P(promoter), P(detractor), P(churn), revenue at
    /// risk and people told (negative / positive).
    pub csat: f64,
    pub promoters: f64,
    pub detractors: f64,
    pub churned: f64,
    pub revenue_at_risk: f64,
    pub word_of_mouth_negative: f64,
    pub word_of_mouth_positive: f64,
}

impl Counters {
    /// Adds another tally into this one.
    pub fn add(&mut self, o: &Counters) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.abandoned += o.abandoned;
        self.queued += o.queued;
        self.within_threshold += o.within_threshold;
        self.transferred += o.transferred;
        self.in_queue_at_end += o.in_queue_at_end;
        self.wait_answered += o.wait_answered;
        self.wait_all += o.wait_all;
        self.repeats += o.repeats;
        self.holds += o.holds;
        self.hold_time += o.hold_time;
        self.approvals += o.approvals;
        self.approval_time += o.approval_time;
        self.customers += o.customers;
        self.first_contact_resolved += o.first_contact_resolved;
        self.resolved += o.resolved;
        self.csat += o.csat;
        self.promoters += o.promoters;
        self.detractors += o.detractors;
        self.churned += o.churned;
        self.revenue_at_risk += o.revenue_at_risk;
        self.word_of_mouth_negative += o.word_of_mouth_negative;
        self.word_of_mouth_positive += o.word_of_mouth_positive;
    }
}

/// What one agent group did with the contacts it started in one interval.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GroupCounters {
    pub handled: u64,
    /// Σ time from answer to end of talk (holds included), seconds.
    pub handle_time: f64,
    pub holds: u64,
    /// Contacts that ended here without a transfer (a resolution attempt) / resolved.
    pub attempts: u64,
    pub resolved: u64,
    pub escalations: u64,
    pub approvals: u64,
}

impl GroupCounters {
    pub fn add(&mut self, o: &GroupCounters) {
        self.handled += o.handled;
        self.handle_time += o.handle_time;
        self.holds += o.holds;
        self.attempts += o.attempts;
        self.resolved += o.resolved;
        self.escalations += o.escalations;
        self.approvals += o.approvals;
    }
}

/// Everything one replication measured. Sizes depend on intervals × call types × groups only.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationResult {
    pub intervals: usize,
    pub call_types: usize,
    pub groups: usize,
    /// `[interval * call_types + call_type]`, by the contact's arrival interval.
    pub contacts: Vec<Counters>,
    /// `[interval * groups + group]`: agent-seconds busy (talk + after-call work) within
    /// [warmup, horizon].
    pub busy: Vec<f64>,
    /// `[interval * groups + group]`: agent-seconds staffed within [warmup, horizon].
    pub staffed: Vec<f64>,
    /// `[interval * groups + group]`, by the interval the contact was answered in (after
    /// warmup).
    pub group_work: Vec<GroupCounters>,
}

impl ReplicationResult {
    /// An all-zero result of the given shape.
    pub fn new(intervals: usize, call_types: usize, groups: usize) -> Self {
        ReplicationResult {
            intervals,
            call_types,
            groups,
            contacts: vec![Counters::default(); intervals * call_types],
            busy: vec![0.0; intervals * groups],
            staffed: vec![0.0; intervals * groups],
            group_work: vec![GroupCounters::default(); intervals * groups],
        }
    }

    /// The tally of call type `c` in interval `k`.
    #[inline]
    pub fn counters_mut(&mut self, k: usize, c: usize) -> &mut Counters {
        &mut self.contacts[k * self.call_types + c]
    }

    /// Sum of the tallies that `keep(interval, call_type)` selects.
    pub fn total(&self, keep: impl Fn(usize, usize) -> bool) -> Counters {
        let mut t = Counters::default();
        for (i, c) in self.contacts.iter().enumerate() {
            if keep(i / self.call_types, i % self.call_types) {
                t.add(c);
            }
        }
        t
    }

    /// The work tally of group `g` in interval `k`.
    #[inline]
    pub fn group_mut(&mut self, k: usize, g: usize) -> &mut GroupCounters {
        &mut self.group_work[k * self.groups + g]
    }

    /// Sum of group `g`'s work tallies over all intervals.
    pub fn group_total(&self, g: usize) -> GroupCounters {
        let mut t = GroupCounters::default();
        for cell in self.group_work.iter().skip(g).step_by(self.groups) {
            t.add(cell);
        }
        t
    }

    /// Busy / staffed agent time over the (interval, group) cells that `keep` selects;
    /// `None` when nobody was staffed there.
    pub fn occupancy(&self, keep: impl Fn(usize, usize) -> bool) -> Option<f64> {
        let (mut busy, mut staffed) = (0.0, 0.0);
        for i in 0..self.busy.len() {
            if keep(i / self.groups, i % self.groups) {
                busy += self.busy[i];
                staffed += self.staffed[i];
            }
        }
        (staffed > 0.0).then(|| busy / staffed)
    }
}

/// Names of the contact metrics, in report order (the contract's names first).
pub const CONTACT_METRICS: [&str; 26] = [
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
];

/// The contact metrics of one tally, in [`CONTACT_METRICS`] order; a ratio with a zero
/// denominator is `None` (undefined, not zero).
pub fn contact_metrics(c: &Counters) -> [Option<f64>; 26] {
    let ratio = |num: f64, den: u64| (den > 0).then(|| num / den as f64);
    [
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
    pub mean: f64,
    pub ci95: (f64, f64),
    /// Replications in which the metric was defined.
    pub n: usize,
}

impl Estimate {
    /// Summarises the defined values; `None` when no replication defined the metric.
    /// With one value the interval is `[mean, mean]` (the contract's convention). Two passes
    /// (mean, then squared deviations): exact means for exact inputs, and stable.
    pub fn from_values(values: impl IntoIterator<Item = Option<f64>>) -> Option<Estimate> {
        let xs: Vec<f64> = values.into_iter().flatten().collect();
        let n = xs.len();
        if n == 0 {
            return None;
        }
        let mean = xs.iter().sum::<f64>() / n as f64;
        if n == 1 {
            return Some(Estimate {
                mean,
                ci95: (mean, mean),
                n,
            });
        }
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let h = t_quantile_975(n - 1) * var.sqrt() / (n as f64).sqrt();
        Some(Estimate {
            mean,
            ci95: (mean - h, mean + h),
            n,
        })
    }

    /// Half-width of the interval.
    pub fn half_width(&self) -> f64 {
        (self.ci95.1 - self.ci95.0) / 2.0
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
        let m = contact_metrics(&Counters::default());
        assert_eq!(m[0], Some(0.0));
        assert!(m[4..15].iter().all(Option::is_none));
        assert!(m[16..21].iter().all(Option::is_none));
    }
}
